"""One language policy for everything the assistant says.

Vietnamese first; English when the citizen writes English (or chose it: the `language` slot).
Every catalogue keeps a text as a `Text` pair (Vietnamese, English) with `{placeholders}`;
`say` picks the citizen's side and fills it. Capabilities use these helpers and nothing of their
own, so "which language do we answer in" is decided here only.
"""

from __future__ import annotations

from procedure_kb.language import detect_language

VI, EN = "vi", "en"
LANGUAGES = (VI, EN)
Text = tuple[str, str]  # (Vietnamese, English)

__all__ = ["VI", "EN", "LANGUAGES", "Text", "reply_language", "is_en", "pick", "say"]


def reply_language(chosen: object, text: str) -> str:
    """The language to answer in: the one the citizen chose, else the one they wrote."""
    if chosen in LANGUAGES:
        return str(chosen)
    return detect_language(text)


def is_en(lang: str) -> bool:
    return lang == EN


def pick(lang: str, vi: str, en: str) -> str:
    """The Vietnamese or English version, following `lang`."""
    return en if lang == EN else vi


def say(text: Text, lang: str, /, **values: object) -> str:
    """`text` in `lang`, placeholders filled (a text without values is returned as written).

    Positional-only, so a placeholder may be called {text} or {lang}."""
    chosen = pick(lang, *text)
    return chosen.format(**values) if values else chosen
