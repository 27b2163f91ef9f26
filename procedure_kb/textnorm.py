"""Vietnamese text normalisation shared by NLU, procedure search and address lookup.

Citizens type the same word many ways: precomposed or decomposed Unicode (NFD from
some phones), old or new tone-mark placement ("hoà" / "hòa", "thuỷ" / "thủy"), with or
without diacritics, and with teencode abbreviations ("ko", "dc", "cccd"). Everything that
compares text goes through these functions so that all of those compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

__all__ = [
    "nfc",
    "normalize_tone_placement",
    "fold_accents",
    "expand_abbreviations",
    "normalize",
    "fold",
    "tokens",
]

_WORD = re.compile(r"\w+", re.UNICODE)

# Old-style placement puts the tone on the second vowel of an open "oa/oe/uy" syllable
# ("hoà", "khoẻ", "thuỷ"); the 1997 rules (used by most official data) put it on the first
# ("hòa", "khỏe", "thủy"). Only open syllables are affected: "hoàng", "quý", "khuỳnh" stay.
_TONED = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
}
_TONED_O = "òóỏõọ"
_TONED_U = "ùúủũụ"


def _build_tone_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for base, marked in _TONED.items():
        first_plain, first_marked = ("u", _TONED_U) if base == "y" else ("o", _TONED_O)
        for index, char in enumerate(marked):
            mapping[first_plain + char] = first_marked[index] + base
    return mapping


_OLD_TO_NEW_TONE = _build_tone_map()
_OLD_TONE_RE = re.compile(
    r"(?<![qQ])(" + "|".join(sorted(_OLD_TO_NEW_TONE, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)


def nfc(text: str) -> str:
    """Compose decomposed (NFD) input so that 'ờ' typed on any phone is one code point."""
    return unicodedata.normalize("NFC", text)


def normalize_tone_placement(text: str) -> str:
    """Rewrite old-style tone placement ("hoà", "thuỷ") to the modern one ("hòa", "thủy")."""

    def repl(match: re.Match[str]) -> str:
        found = match.group(0)
        fixed = _OLD_TO_NEW_TONE[found.lower()]
        return fixed.upper() if found.isupper() else (fixed.capitalize() if found[0].isupper() else fixed)

    return _OLD_TONE_RE.sub(repl, text)


def fold_accents(text: str) -> str:
    """Remove every diacritic, mapping đ/Đ to d/D ("Đăng ký" -> "Dang ky")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    table: dict[str, str] = {}
    raw = resources.files("procedure_kb").joinpath("data/abbreviations.tsv").read_text("utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        short, expansion = line.split("\t", 1)
        table[nfc(short.strip().lower())] = nfc(expansion.strip())
    return table


def abbreviations() -> dict[str, str]:
    """The abbreviation lexicon (short form -> expansion), loaded once from package data."""
    return dict(_abbreviations())


def expand_abbreviations(text: str) -> str:
    """Expand whole-word abbreviations ("ko dc cccd" -> "không được căn cước công dân").

    Expects lowercased NFC text.
    """
    table = _abbreviations()
    return _WORD.sub(lambda m: table.get(m.group(0), m.group(0)), text)


def normalize(text: str) -> str:
    """NFC, modern tone placement, lowercase, abbreviations expanded, spaces collapsed."""
    text = normalize_tone_placement(nfc(text)).lower()
    text = expand_abbreviations(text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """`normalize` then strip diacritics: the key on which accented and plain text meet."""
    return fold_accents(normalize(text))


def tokens(text: str) -> list[str]:
    """Folded word tokens of `text`."""
    return _WORD.findall(fold(text))
