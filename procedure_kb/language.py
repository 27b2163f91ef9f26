"""Guess whether a citizen wrote Vietnamese or English, to answer in the same language."""

from __future__ import annotations

import re

from procedure_kb.textnorm import fold_accents, nfc

_VI_DIACRITIC = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
_WORD = re.compile(r"[a-z]+")

# Frequent function words; a message is English when these clearly outnumber Vietnamese ones.
_EN_WORDS = frozenset(
    """a an the i you we my me your our is are was were be been do does did how what where
    when which who why can could should would will want need please hi hello hey thanks thank
    to of for in on at from with and or not no yes my it this that there get have has
    register apply renew lost new old address my status ticket complaint help bye goodbye
    certificate license passport card birth marriage ward district province office""".split()
)
_VI_WORDS = frozenset(
    """toi minh em anh chi ban la cua va co khong duoc lam thu tuc ho so giay o dau nao gi
    bao nhieu sao the nhu nao can xin chao cam on a nhe vay roi voi cho muon hoi phuong xa
    tinh quan huyen dang ky cap doi moi mat kiem tra khieu nai phan anh""".split()
)


def language_evidence(text: str) -> str | None:
    """"vi" or "en" when the words say so; None for text with no clue (codes, digits, emoji)."""
    text = nfc(text or "")
    if _VI_DIACRITIC.search(text):
        return "vi"
    words = _WORD.findall(fold_accents(text).lower())
    en = sum(w in _EN_WORDS for w in words)
    vi = sum(w in _VI_WORDS for w in words)
    if en > vi:
        return "en"
    if vi:
        return "vi"
    return None


def detect_language(text: str) -> str:
    """Return "en" for English, "vi" otherwise (Vietnamese is the default)."""
    return language_evidence(text) or "vi"
