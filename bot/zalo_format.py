"""Pure helpers of the Zalo bridge: webhook signature and events, Rasa replies -> Zalo messages.

No I/O here, so every rule (the signature, which events count, numbered choices, buttons,
splitting at Zalo's limit) is unit-tested without servers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from hotline.channel_messages import ANSWER_BY_NUMBER, CHOOSE, START_BUTTONS, WELCOME
from hotline.zalo_oa import MAX_BUTTON_TITLE, MAX_BUTTONS, MAX_TEXT, button, split_text
from procedure_kb.i18n import say

MAX_EVENT_AGE_MS = 5 * 60 * 1000  # events older (or further in the future) than this are dropped
TEXT_EVENT = "user_send_text"
# What a user can send besides text; answered with "I read text only".
OTHER_USER_MESSAGES = frozenset({
    "user_send_image", "user_send_gif", "user_send_link", "user_send_audio", "user_send_video",
    "user_send_sticker", "user_send_location", "user_send_business_card", "user_send_file",
})
FOLLOW, UNFOLLOW = "follow", "unfollow"

# Texts as (Vietnamese, English) pairs, in the language the assistant answers in (procedure_kb.i18n).
# The front ends' own texts live in hotline.channel_messages (one catalogue for every channel).
WELCOME_TEXT = WELCOME


def sender_id(user_id: str) -> str:
    """The sender id Rasa sees for a Zalo user (stable: actions rely on the prefix)."""
    return f"zalo:{user_id}"


# ------------------------------------------------------------------ webhook


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Zalo's event signature: SHA-256 (hex) of app id + raw body + timestamp + OA secret key."""
    digest = hashlib.sha256()
    for part in (app_id.encode("utf-8"), raw_body, timestamp.encode("utf-8"), oa_secret_key.encode("utf-8")):
        digest.update(part)
    return digest.hexdigest()


def signature_ok(header: str | None, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    """Whether the X-ZEvent-Signature header is right (an optional "mac=" prefix is accepted)."""
    given = (header or "").strip()
    if given.lower().startswith("mac="):
        given = given[4:].strip()
    if not given or not app_id or not oa_secret_key:
        return False
    expected = signature(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), expected.encode("ascii"))


@dataclass(frozen=True)
class Event:
    """One webhook event, reduced to what the bridge uses."""

    name: str
    user_id: str
    timestamp: str        # as sent (milliseconds since the epoch), signed as is
    text: str = ""
    msg_id: str = ""

    @property
    def key(self) -> str:
        """Identity for "never twice": the message id, or the event itself when it has none."""
        return f"msg:{self.msg_id}" if self.msg_id else f"{self.name}:{self.user_id}:{self.timestamp}"

    def fresh(self, now_ms: int, max_age_ms: int = MAX_EVENT_AGE_MS) -> bool:
        try:
            return abs(now_ms - int(self.timestamp)) <= max_age_ms
        except ValueError:
            return False


_USER_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def _id(value: Any) -> str:
    """A user id usable in a Rasa sender id, or "" (the event is then ignored)."""
    found = str(value.get("id") or "") if isinstance(value, dict) else ""
    return found if _USER_ID.fullmatch(found) else ""


def parse_event(raw_body: bytes) -> tuple[dict, Event] | None:
    """(decoded body, event) of a webhook request, or None when it is not a JSON event object."""
    try:
        body = json.loads(raw_body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("event_name"), str):
        return None
    timestamp = body.get("timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, (str, int)):
        timestamp = ""
    name = body["event_name"]
    user = _id(body.get("follower")) if name in (FOLLOW, UNFOLLOW) else _id(body.get("sender"))
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    msg_id = message.get("msg_id") if isinstance(message.get("msg_id"), (str, int)) else ""
    return body, Event(name=name, user_id=user, timestamp=str(timestamp), text=text, msg_id=str(msg_id))


# ------------------------------------------------------------------ replies


@dataclass(frozen=True)
class Choice:
    number: int
    title: str
    payload: str


@dataclass
class Outgoing:
    """One Zalo message: text (at most MAX_TEXT characters) and Zalo buttons on it."""

    text: str
    buttons: list[dict] = field(default_factory=list)


def _choices(buttons: Any, first: int) -> list[Choice]:
    found: list[Choice] = []
    for item in buttons if isinstance(buttons, list) else []:
        if not isinstance(item, dict):
            continue
        title = " ".join(str(item.get("title") or item.get("payload") or "").split())[:MAX_BUTTON_TITLE]
        payload = str(item.get("payload") or item.get("title") or "").strip()
        if title and payload:
            found.append(Choice(first + len(found), title, payload))
    return found


def _numbered(choices: list[Choice], lang: str) -> str:
    return "\n".join(f"{c.number}. {c.title}" for c in choices) + "\n" + say(ANSWER_BY_NUMBER, lang)


def rasa_to_zalo(replies: Any, lang: str = "vi") -> tuple[list[Outgoing], list[Choice]]:
    """Rasa replies -> Zalo messages in order, and the choices offered (numbered across them all).

    Choices are listed by number at the end of their reply's text, so a citizen can answer
    with the number; up to MAX_BUTTONS of them are also Zalo buttons on that message. Images
    become their link. Texts longer than Zalo's limit are split (sentence boundaries, links whole).
    """
    out: list[Outgoing] = []
    offered: list[Choice] = []
    for reply in replies if isinstance(replies, list) else []:
        if not isinstance(reply, dict):
            continue
        text = reply.get("text") if isinstance(reply.get("text"), str) else ""
        image = reply.get("image") if isinstance(reply.get("image"), str) else ""
        if image.startswith(("http://", "https://")):
            text = f"{text}\n{image}".strip()
        choices = _choices(reply.get("buttons"), len(offered) + 1)
        offered += choices
        chunks = split_text(text)
        if choices:
            block = _numbered(choices, lang)
            if not chunks:
                chunks = [say(CHOOSE, lang)]
            if len(chunks[-1]) + 2 + len(block) <= MAX_TEXT:
                chunks[-1] = f"{chunks[-1]}\n\n{block}"
            else:
                chunks += split_text(block)
        messages = [Outgoing(chunk) for chunk in chunks]
        if choices and messages and len(choices) <= MAX_BUTTONS:
            messages[-1].buttons = [button(c.title) for c in choices]
        out += messages
    return out, offered


def resolve_choice(text: str, offered: list[Choice]) -> str | None:
    """The payload a reply stands for: the number of a choice, or a tapped button's title."""
    answer = " ".join(text.split()).strip()
    if not answer or not offered:
        return None
    number = answer.rstrip(".)")
    if number.isdecimal():  # isdigit() would take "²", which int() refuses
        for choice in offered:
            if choice.number == int(number):
                return choice.payload
        return None
    folded = answer.casefold()
    for choice in offered:
        if choice.title.casefold() == folded:
            return choice.payload
    return None


def welcome_replies() -> list[dict[str, Any]]:
    """The greeting for a new follower, shaped like a Rasa reply (answered without Rasa)."""
    return [{"text": WELCOME_TEXT, "buttons": START_BUTTONS}]


class ChoiceMemory:
    """The choices last offered to each user (bounded; lost on restart, when a tapped button's
    title, which is the text Zalo sends back, still reaches Rasa and is understood)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, list[Choice]] = OrderedDict()

    def offer(self, user_id: str, choices: list[Choice]) -> None:
        self._items.pop(user_id, None)
        if choices:
            self._items[user_id] = choices
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, user_id: str) -> list[Choice]:
        return self._items.get(user_id, [])

    def forget(self, user_id: str) -> None:
        self._items.pop(user_id, None)
