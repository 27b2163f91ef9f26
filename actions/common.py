"""Helpers every action uses: the citizen's own words, reply language, channel, database."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy.orm import sessionmaker

from hotline.enums import CHAT_CHANNELS
from hotline.settings import Settings, load_settings
from procedure_kb import i18n

CHAT_PREFIXES = {c.value for c in CHAT_CHANNELS}  # sender ids "<channel>:<address>" of our front ends

ORIGINAL_TEXT = "text_original"  # set by bot.components.vietnamese_normalizer


def user_text(tracker: Tracker) -> str:
    """The citizen's latest message as typed (the NLU pipeline's copy is folded lowercase)."""
    latest = tracker.latest_message or {}
    return latest.get(ORIGINAL_TEXT) or latest.get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    """The name of the intent the NLU gave the citizen's latest message ("" when there is none)."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def reply_language(tracker: Tracker) -> str:
    """"en" when the citizen writes English (or chose it), else "vi": the policy of `procedure_kb.i18n`."""
    return i18n.reply_language(tracker.get_slot("language"), user_text(tracker))


def hotline(tracker: Tracker) -> str:
    """The hotline number to give: the session's slot, else the configured one."""
    return tracker.get_slot("hotline_phone") or settings().hotline_phone


def entity(tracker: Tracker, name: str) -> str | None:
    """The value of entity `name` in the latest message (buttons send them), or None."""
    for found in (tracker.latest_message or {}).get("entities") or []:
        if isinstance(found, dict) and found.get("entity") == name and found.get("value"):
            return str(found["value"])
    return None


def citizen_channel(tracker: Tracker) -> tuple[str, str]:
    """(channel, address) to reply on later, from the sender id convention.

    The Telegram bridge sends as "telegram:<chat id>", the Zalo bridge as "zalo:<user id>", the
    web widget as "web:<session id>"; anything else (curl, tests, `rasa shell`) is the REST
    channel with the raw sender id.
    """
    sender = tracker.sender_id or ""
    channel, sep, address = sender.partition(":")
    if sep and channel in CHAT_PREFIXES and address:
        return channel, address
    return "rest", sender


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings, read once."""
    return load_settings()


@lru_cache(maxsize=1)
def db_sessions() -> sessionmaker:
    """Session factory on the hotline database, which must be at the newest schema.

    Never migrates: that is a deploy step (`python -m hotline migrate`, run by `make run` and
    `make cluster` before the servers start); bot/action_server.py checks it on start.
    """
    from hotline.db import check_schema, make_engine, make_session_factory

    url = settings().hotline_database_url
    check_schema(url)
    return make_session_factory(make_engine(url))


def buttons(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    """Rasa buttons from (title, payload) pairs."""
    return [{"title": title, "payload": payload} for title, payload in pairs]
