"""Turn a free-form Vietnamese address into folded tokens with unit-type words spelled out.

Addresses are not chat: "k" or "dc" must not be expanded as teencode, while "P.", "Q.",
"TX.", "TP HCM" must. So this module uses only the accent/tone helpers of `textnorm`
and its own prefix rules.
"""

from __future__ import annotations

import re

from procedure_kb.textnorm import fold_accents, nfc, normalize_tone_placement

# Characters that end one address part ("12 Lê Lợi, P. Bến Thành"); a unit name never spans them.
_SEPARATORS = re.compile(r"[,;\n\r\t|/\\()\[\]{}<>]+")
_TOKEN = re.compile(r"[a-z]+|[0-9]+")

# Unit-type words, folded, by level. "thanh pho" is a district-level city or a province.
TYPE_WORDS = {
    ("phuong",): {"ward"},
    ("xa",): {"ward"},
    ("thi", "tran"): {"ward"},
    ("dac", "khu"): {"ward"},
    ("quan",): {"district"},
    ("huyen",): {"district"},
    ("thi", "xa"): {"district"},
    ("thanh", "pho"): {"district", "province"},
    ("tinh",): {"province"},
}

# One abbreviation token -> its expansion (only as whole tokens).
_ABBREV = {
    "p": "phuong",
    "ph": "phuong",
    "q": "quan",
    "h": "huyen",
    "x": "xa",
    "tx": "thi xa",
    "tt": "thi tran",
    "tp": "thanh pho",
    "tphcm": "thanh pho ho chi minh",
    "hcm": "ho chi minh",
    "hcmc": "ho chi minh",
    "sg": "ho chi minh",
    "saigon": "ho chi minh",
    "tphn": "thanh pho ha noi",
    "hn": "ha noi",
    "hanoi": "ha noi",
    "brvt": "ba ria vung tau",
    "daklak": "dak lak",
    "daknong": "dak nong",
    "tth": "thua thien hue",
}
# Saigon slang "F.12" means Phường 12; only before a number, "f" is never a name otherwise.
_BEFORE_NUMBER = {"f": "phuong", "district": "quan", "ward": "phuong", "dist": "quan"}
# English type words after the name ("Ben Nghe Ward") carry no information we need.
_ENGLISH_NOISE = {"ward", "district", "commune", "province", "city", "town", "dist", "vietnam"}

# Words that introduce a street, hamlet or house number: a unit name right after one of
# them is a street or hamlet called after a place ("đường Trần Hưng Đạo", "thôn An Bình").
STREET_WORDS = {
    ("duong",), ("d",), ("ngo",), ("ngach",), ("hem",), ("kiet",), ("pho",), ("so",), ("thon",),
    ("ap",), ("xom",), ("khom",), ("ban",), ("bon",), ("buon",), ("to",), ("khu", "pho"), ("kp",),
    ("khu",), ("lang",), ("dai", "lo"), ("quoc", "lo"), ("ql",), ("tinh", "lo"), ("cum",), ("khu", "dan", "cu"),
}


def fold_address(text: str) -> str:
    """NFC, modern tone placement, lowercase, no diacritics (đ -> d)."""
    return fold_accents(normalize_tone_placement(nfc(text)).lower())


def tokenize(text: str) -> list[tuple[str, int]]:
    """Folded tokens with the index of the comma-separated part each belongs to."""
    out: list[tuple[str, int]] = []
    folded = fold_address(text).replace("’", "").replace("'", "")
    folded = re.sub(r"\bviet nam\s*$", "", folded.strip())  # the country, written last
    for part_no, part in enumerate(_SEPARATORS.split(folded)):
        raw = _TOKEN.findall(part)
        for i, tok in enumerate(raw):
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            if tok in _BEFORE_NUMBER and nxt.isdigit():
                words = [_BEFORE_NUMBER[tok]]
            elif tok in _ENGLISH_NOISE:
                continue
            elif tok in _ABBREV:
                words = _ABBREV[tok].split()
            elif tok.isdigit():
                words = [str(int(tok))]  # "Phường 05" is "Phường 5"
            else:
                words = [tok]
            out.extend((w, part_no) for w in words)
    return out


def preceding_type(tokens: list[str], start: int) -> set[str] | None:
    """Levels named by the type word right before `start`, or None when there is none."""
    size = type_word_size(tokens, start)
    return TYPE_WORDS[tuple(tokens[start - size:start])] if size else None


def type_word_size(tokens: list[str], start: int) -> int:
    """How many tokens the type word right before `start` takes (0 when there is none)."""
    if start >= 2 and tuple(tokens[start - 2:start]) in TYPE_WORDS:
        return 2
    if start >= 1 and (tokens[start - 1],) in TYPE_WORDS:
        return 1
    return 0


def after_street_word(tokens: list[str], start: int) -> bool:
    """True when the words right before `start` say a street/hamlet name follows."""
    for size in (3, 2, 1):
        if start >= size and tuple(tokens[start - size:start]) in STREET_WORDS:
            if size == 1 and tokens[start - 1] == "pho" and start >= 2 and tokens[start - 2] == "thanh":
                return False  # "thành phố", a unit type, not "phố"
            return True
    return False
