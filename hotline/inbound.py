"""One gate for everything a citizen sends, at every edge (Rasa's channels, the widget, bridges).

`clean_message` makes any text safe for the rest of the system: code points that cannot be
encoded (lone surrogates) replaced, NFC, control and bidi-override characters removed,
whitespace runs folded and the length capped. `check_sender` validates a sender id and keeps
the channel prefixes (``web:``, ``telegram:``, ``zalo:``) for the channels that own them.
Pure functions: no I/O, used by the same code on every channel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hotline.channel_messages import TRUNCATED
from hotline.enums import CHAT_CHANNELS
from procedure_kb.i18n import EN, VI, say

MAX_MESSAGE_CHARS = 2000  # a question never needs more; NLU cost grows with the square of its length
MAX_SENDER_CHARS = 128
MAX_CLIENT_ID = 128  # a client's own id for one message ("message_id"; bot/resend.py)
RESERVED_PREFIXES = tuple(f"{c.value}:" for c in CHAT_CHANNELS)
SENDER = re.compile(rf"[A-Za-z0-9_.:@+-]{{1,{MAX_SENDER_CHARS}}}")

_SURROGATE = re.compile("[\ud800-\udfff]")
# Cc (controls) except tab and newline; bidi embeddings/overrides/isolates; BOM and zero-width
# spaces. ZWJ (U+200D) stays: it joins emoji.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Inbound:
    """A cleaned message: the text the assistant reads, and whether it was cut."""

    text: str
    truncated: bool
    original_length: int


def clean_message(raw: object, limit: int = MAX_MESSAGE_CHARS) -> Inbound | None:
    """The message made safe, or None when `raw` is not text at all."""
    if not isinstance(raw, str):
        return None
    original_length = len(raw)
    # Cap before the heavier steps so a 200,000-character message costs no more than a short one
    # (4x leaves room for what cleaning removes).
    text = raw[: limit * 4]
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _NEWLINES.sub("\n\n", _SPACES.sub(" ", text)).strip()
    truncated = len(text) > limit
    if truncated:
        cut = text[:limit]
        text = cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut
    return Inbound(text=text, truncated=truncated or original_length > limit * 4, original_length=original_length)


def check_sender(sender: object, *, trusted: bool = False) -> str | None:
    """Why `sender` is refused (a short English reason), or None when it is fine.

    Untrusted callers (the public REST channel, socket.io clients) may not use a reserved
    channel prefix: those conversations belong to the widget and the messenger bridges.
    """
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        return f"sender must be 1-{MAX_SENDER_CHARS} letters, digits or _.:@+-"
    reserved = sender.lower().startswith(RESERVED_PREFIXES)
    if reserved and not trusted:
        return "sender ids starting with web:, telegram: or zalo: are reserved for those channels"
    if trusted and not reserved:
        return "the trusted channel only carries web:, telegram: or zalo: senders"
    return None


def truncation_note(english: bool, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Told to the citizen when only the beginning of a long message was read."""
    count = f"{limit:,}" if english else f"{limit:,}".replace(",", ".")
    return say(TRUNCATED, EN if english else VI, limit=count)

