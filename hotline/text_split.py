"""Long texts cut into messages a messenger accepts (Zalo 2,000 characters, Telegram 4,000).

`split_text` cuts at a paragraph, line, sentence or word boundary, never inside a link unless the
link alone is longer than the limit, and never makes an empty message; joining the pieces gives
the text back (modulo whitespace at the cuts). `size` measures a piece as the messenger counts it
(Telegram counts the HTML-escaped text).
"""

from __future__ import annotations

import re
from typing import Callable

_URL = re.compile(r"(?:https?://|www\.)\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
# A period after these ends an abbreviation, not a sentence ("TP. Hồ Chí Minh", "P. Bến Nghé").
_ABBREVIATIONS = frozenset({"tp", "tx", "tt", "q", "p", "x", "h", "ths", "ts", "pgs", "gs", "bs", "mr", "mrs",
                            "ms", "dr", "st", "no", "vs", "e.g", "i.e", "etc", "v.v", "đ", "ubnd"})


def _sentence_ends(window: str) -> list[int]:
    """Indexes of the whitespace right after each sentence-ending punctuation in `window`."""
    ends = []
    for match in _SENTENCE_END.finditer(window):
        before = window[:match.start()].rsplit(None, 1)
        word = before[-1].lstrip("([\"'“") if before else ""
        if window[match.start()] == "." and (word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        rest = window[match.end():].lstrip()
        if rest and rest[0].islower():  # "v.v. và …": the sentence goes on
            continue
        ends.append(match.end())
    return ends


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`): text[:cut] fits, and no link is broken."""
    window = text[:limit + 1]  # whitespace right after the limit's last character still gives a fitting piece
    paragraphs = [m.start() for m in re.finditer(r"\n[ \t]*\n", window)]
    lines = [i for i, char in enumerate(window) if char == "\n"]
    words = [m.start() for m in re.finditer(r"\s", window)]
    sentences = _sentence_ends(window)
    # A paragraph or line break late in the window; else the last sentence end in its last
    # three quarters; else any line or word break (whitespace is never inside a link).
    for positions, floor in ((paragraphs, limit // 2), (lines, limit // 2), (sentences, limit // 4),
                             (lines, 1), (sentences, 1), (words, 1)):
        best = max((p for p in positions if floor <= p <= limit), default=0)
        if best:
            return best
    cut = limit
    for match in _URL.finditer(text):
        if match.start() < cut < match.end() and match.start() > 0:
            cut = match.start()  # a link longer than what is left: it starts the next message
    return cut


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Split `text` into messages of at most `limit` (as `size` counts), in order, none empty."""
    text = text.strip()
    chunks: list[str] = []
    while size(text) > limit:
        window = min(limit, len(text) - 1)
        while True:  # escaping can make a piece longer than its characters: shrink until it fits
            cut = _cut_point(text, window)
            if size(text[:cut].rstrip()) <= limit or window == 1:
                break
            window = max(1, window - max(1, size(text[:cut]) - limit))
        piece = text[:cut].rstrip()
        if piece:
            chunks.append(piece)
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks
