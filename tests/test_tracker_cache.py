"""The embedded Rasa server's in-memory sessions (bot/tracker_cache.py) store and read back
exactly what Rasa's own SQL tracker store does, without reading the database for every message."""

from __future__ import annotations

import json

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy import create_engine, text

from bot.tracker_cache import SessionCache, cached_methods, wanted


def _turns(start: float) -> list[list]:
    """Three turns of one citizen; the third starts a new session (the old one expired)."""
    return [
        [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start + 0.1),
         ActionExecuted("action_listen", timestamp=start + 0.2),
         UserUttered("xin chào", {"name": "greet", "confidence": 0.99}, timestamp=start + 1, message_id="m1"),
         ActionExecuted("utter_greet", timestamp=start + 1.1), BotUttered("Xin chào!", timestamp=start + 1.2),
         ActionExecuted("action_listen", timestamp=start + 1.3)],
        [UserUttered("thủ tục khai sinh", {"name": "ask_procedure", "confidence": 0.9}, timestamp=start + 2,
                     message_id="m2"),
         ActionExecuted("action_answer_question", timestamp=start + 2.1), SlotSet("procedure_code", "1.001193",
                                                                                  timestamp=start + 2.15),
         BotUttered("Đăng ký khai sinh…", timestamp=start + 2.2), ActionExecuted("action_listen", timestamp=start + 2.3)],
        [ActionExecuted("action_session_start", timestamp=start + 9000), SessionStarted(timestamp=start + 9000.1),
         ActionExecuted("action_listen", timestamp=start + 9000.2),
         UserUttered("cảm ơn", {"name": "thank", "confidence": 0.95}, timestamp=start + 9001, message_id="m3"),
         ActionExecuted("utter_thank", timestamp=start + 9001.1), ActionExecuted("action_listen",
                                                                                timestamp=start + 9001.2)],
    ]


def _rows(db) -> list[tuple[str, dict]]:
    with create_engine(f"sqlite:///{db}").connect() as connection:
        return [(sender, json.loads(data)) for sender, data in
                connection.execute(text("SELECT sender_id, data FROM events ORDER BY id"))]


def _state(tracker) -> dict:
    return tracker.current_state(EventVerbosity.ALL) if tracker else None


async def _converse(store, senders) -> list:
    """Every sender's turns, interleaved; what the store gives back before each turn."""
    seen = []
    turns = {sender: _turns(1000.0 + 100.0 * n) for n, sender in enumerate(senders)}
    for i in range(3):
        for sender in senders:
            tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=store.domain.slots)
            seen.append(_state(tracker))
            for event in turns[sender][i]:
                tracker.update(event)
            await store.save(tracker)
    return seen


@pytest.mark.parametrize("size", [100, 1])  # 1: the two conversations keep evicting each other
async def test_cached_sessions_store_and_read_back_what_rasa_does(tmp_path, monkeypatch, size) -> None:
    domain = Domain.from_dict({"slots": {"procedure_code": {"type": "text", "mappings": [{"type": "custom"}]}}})
    senders = ["citizen-a", "citizen-b"]
    rasa_store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    rasa_seen = await _converse(rasa_store, senders)

    for name, method in cached_methods(SessionCache(size)).items():
        monkeypatch.setattr(SQLTrackerStore, name, method)
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    assert await _converse(store, senders) == rasa_seen
    assert _rows(tmp_path / "ours.db") == _rows(tmp_path / "rasa.db")
    assert len(_rows(tmp_path / "ours.db")) == 2 * 18

    # Rasa's own store, reading the file the cached one wrote, sees the same conversations.
    monkeypatch.undo()
    fresh = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    for sender in senders:
        latest = await fresh.retrieve(sender)
        assert [e.type_name for e in latest.events][:2] == ["session_started", "action"]
        assert latest.latest_message.text == "cảm ơn"


async def test_a_known_conversation_is_not_read_from_the_database_again(tmp_path, monkeypatch) -> None:
    for name, method in cached_methods(SessionCache(10)).items():
        monkeypatch.setattr(SQLTrackerStore, name, method)
    queries = []
    rasa_query = SQLTrackerStore._event_query
    monkeypatch.setattr(SQLTrackerStore, "_event_query",
                        lambda self, *args, **kwargs: queries.append(args[1]) or rasa_query(self, *args, **kwargs))
    store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    await _converse(store, ["citizen"])
    assert queries == ["citizen"]  # the first load only; every later message comes from memory
    full = await store.retrieve_full_tracker("citizen")  # all sessions: always the database
    assert len(full.events) == 18


def test_only_the_single_process_embedded_default_uses_it(tmp_path, monkeypatch) -> None:
    from hotline.settings import load_settings

    def settings(**environ):
        for name in ("RASA_ENDPOINTS", "RASA_TRACKER_CACHE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("VAR_DIR", str(tmp_path))
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return load_settings()

    assert wanted(settings(), {})
    assert not wanted(settings(), {"SANIC_WORKERS": "2"})
    assert not wanted(settings(RASA_TRACKER_CACHE="0"), {})
    assert not wanted(settings(RASA_ENDPOINTS="bot/endpoints.production.yml"), {})
    assert not wanted(settings(RASA_ENDPOINTS="bot/endpoints.cluster.yml"), {})
