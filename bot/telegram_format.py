"""Pure helpers of the Telegram bridge: Rasa replies -> Telegram messages, commands -> Rasa text.

No I/O here, so every rule (escaping, splitting under Telegram's limit, button payloads that
fit in callback data, what each command sends to Rasa) is unit-tested without servers.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from hotline.channel_messages import CHOOSE, START_BUTTONS, TELEGRAM_COMMANDS, WELCOME_WITH_COMMANDS
from hotline.text_split import split_text as _split

# Telegram refuses messages over 4096 characters (counted after entity parsing); keep a margin.
MAX_MESSAGE = 4000
MAX_CAPTION = 1000        # Telegram's photo caption limit is 1024
MAX_CALLBACK_BYTES = 64   # Telegram's callback_data limit, in UTF-8 bytes
BUTTONS_PER_ROW = 2
MAX_BUTTON_TITLE = 60

# Prefixes of callback data: "p:" carries the payload itself, "h:" a hash of a long payload.
_PAYLOAD, _HASHED = "p:", "h:"


def sender_id(chat_id: int | str) -> str:
    """The sender id Rasa sees for a Telegram chat (stable: actions rely on the prefix)."""
    return f"telegram:{chat_id}"


def escape(text: str) -> str:
    """Text -> Telegram HTML that shows exactly that text (Telegram only knows &lt; &gt; &amp;)."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Plain text in chunks whose *escaped* form is at most `limit` characters (hotline.text_split)."""
    return _split(text, limit, size=lambda piece: len(escape(piece)))


# ------------------------------------------------------------------ buttons


class PayloadStore:
    """Long payloads behind short hashes, so they fit in Telegram's 64-byte callback data.

    Bounded LRU in memory; if a hash is unknown (bridge restarted) the tap falls back to the
    button's title, which the citizen saw and Rasa understands as text.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        direct = _PAYLOAD + payload
        if len(direct.encode("utf-8")) <= MAX_CALLBACK_BYTES:
            return direct
        key = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._items[key] = payload
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return _HASHED + key

    def payload_for(self, data: str | None, title: str = "") -> str:
        """The payload a tap stands for; the button title when it can't be recovered."""
        data = data or ""
        if data.startswith(_PAYLOAD):
            return data[len(_PAYLOAD):]
        if data.startswith(_HASHED) and data[len(_HASHED):] in self._items:
            return self._items[data[len(_HASHED):]]
        return title


@dataclass
class Button:
    title: str
    data: str  # callback data


@dataclass
class Outgoing:
    """One Telegram message to send: HTML text (or a photo with caption) and buttons."""

    html: str = ""
    photo: str = ""
    buttons: list[list[Button]] = field(default_factory=list)


def _rows(buttons: list[Any], store: PayloadStore) -> list[list[Button]]:
    flat: list[Button] = []
    for item in buttons:
        if not isinstance(item, dict):
            continue
        title = str(item.get("title") or item.get("payload") or "").strip()[:MAX_BUTTON_TITLE]
        payload = str(item.get("payload") or item.get("title") or "").strip()
        if title and payload:
            flat.append(Button(title, store.data_for(payload)))
    # Long titles read badly side by side on a phone: one per row then.
    per_row = 1 if any(len(b.title) > 24 for b in flat) else BUTTONS_PER_ROW
    return [flat[i:i + per_row] for i in range(0, len(flat), per_row)]


def rasa_to_telegram(replies: Any, store: PayloadStore) -> list[Outgoing]:
    """Rasa REST replies -> Telegram messages, in order; buttons go on the text they belong to."""
    out: list[Outgoing] = []
    if not isinstance(replies, list):
        return out
    for reply in replies:
        if not isinstance(reply, dict):
            continue
        text = reply.get("text") if isinstance(reply.get("text"), str) else ""
        image = reply.get("image") if isinstance(reply.get("image"), str) else ""
        rows = _rows(reply.get("buttons") or [], store) if isinstance(reply.get("buttons"), list) else []
        messages: list[Outgoing] = []
        if image.startswith(("http://", "https://")):
            caption = text if len(text) <= MAX_CAPTION else ""
            messages.append(Outgoing(html=escape(caption), photo=image))
            if not caption:
                messages += [Outgoing(html=escape(chunk)) for chunk in split_text(text)]
        else:
            messages += [Outgoing(html=escape(chunk)) for chunk in split_text(text)]
        if rows:
            if not messages:
                messages.append(Outgoing(html=escape(CHOOSE[0])))
            messages[-1].buttons = rows
        out += messages
    return out


# ------------------------------------------------------------------ commands

START_TEXT = WELCOME_WITH_COMMANDS

# Bot menu shown by Telegram next to the text box (its wording: hotline.channel_messages).
COMMANDS = TELEGRAM_COMMANDS

_CODE = re.compile(r"[\w./-]{1,64}")


def start_replies() -> list[dict[str, Any]]:
    """The /start greeting, shaped like a Rasa reply (answered locally: works even if Rasa is slow)."""
    return [{"text": START_TEXT, "buttons": START_BUTTONS}]


def command_message(command: str, args: str) -> str:
    """What a command sends to Rasa (intent payloads skip NLU, so they always work)."""
    args = " ".join(args.split())[:500]
    if command == "help":
        return "/help"
    if command == "tracuu":
        code = args.split()[0] if args else ""
        if code and _CODE.fullmatch(code):
            return f"tra cứu hồ sơ {code}"
        return "tra cứu tình trạng hồ sơ"
    if command == "phananh":
        return f"tôi muốn phản ánh: {args}" if args else "/file_complaint"
    if command == "huy":
        return "/stop"
    return "/help"


def parse_command(text: str) -> tuple[str, str] | None:
    """("tracuu", "ABC") for "/tracuu@MyBot ABC"; None for text that isn't a command."""
    match = re.fullmatch(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?", text.strip(), re.S)
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


def user_text(text: str) -> str:
    """Free text for Rasa. A leading "/" would make Rasa read it as an intent name."""
    text = text.strip()[:2000]
    return text.lstrip("/").strip() if text.startswith("/") else text
