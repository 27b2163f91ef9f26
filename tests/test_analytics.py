"""Per-turn facts from Rasa's events, and the weekly report of what went unanswered.

The events are a real recording: three conversations held with the trained assistant in the
cluster (Rasa 3.6 with its pika event broker), read back from the tracker store
(tests/data/rasa_events_sample.json). One citizen gets three procedure choices twice and
picks neither, writes gibberish with a phone number, asks something out of scope; one asks
for a person; one files a complaint to a ticket code.
"""

from __future__ import annotations

import copy
import json
import random
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from hotline.analytics import (
    ConversationTurn,
    apply_events,
    forget_text_before,
    parse_event,
    unanswered_csv,
    unanswered_report,
    week_of,
)
from hotline.analytics_consumer import scan_tracker_store
from hotline.db import transaction
from hotline.dbtypes import utcnow
from hotline.lookup_limits import sender_key

EVENTS = json.loads((Path(__file__).parent / "data" / "rasa_events_sample.json").read_text(encoding="utf-8"))
USER_MESSAGES = [e for e in EVENTS if e["event"] == "user"]


@pytest.fixture
def sessions(database_url):
    """A migrated, empty hotline database: SQLite and the real PostgreSQL."""
    from hotline.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _turns(sessions) -> list[ConversationTurn]:
    with transaction(sessions) as session:
        return list(session.execute(select(ConversationTurn).order_by(ConversationTurn.ts)).scalars())


def _facts(sessions) -> list[tuple]:
    return [(t.message_id, t.intent, t.action, t.answer_kind, t.answer_ref, t.outcome, t.handoff, t.complete,
             t.text_masked, t.channel) for t in _turns(sessions)]


def _apply(sessions, events) -> int:
    with transaction(sessions) as session:
        return apply_events(session, events)


def test_one_row_per_citizen_message_with_what_happened_and_text_only_where_unanswered(sessions):
    assert _apply(sessions, EVENTS) == len(USER_MESSAGES) == 14
    turns = {t.message_id: t for t in _turns(sessions)}
    by_text = {m["text"]: turns[m["message_id"]] for m in USER_MESSAGES}
    greet = by_text["xin chào"]
    assert (greet.intent, greet.action, greet.outcome, greet.text_masked, greet.channel) == (
        "greet", "utter_greet", "answered", None, "rest")
    assert greet.confidence > 0.9 and greet.language == "vi" and greet.sender_key == sender_key("s1")
    choices = [t for t in turns.values() if t.answer_kind == "choices"]
    assert len(choices) == 2 and {t.outcome for t in choices} == {"choices_not_picked"}
    assert {t.text_masked for t in choices} == {"thủ tục đăng ký"}
    assert by_text["tôi muốn gặp tổng đài viên"].outcome == "handoff"
    assert by_text["quoc tich"].outcome == "out_of_scope"
    gibberish = by_text["asdkjh qwe zzz gọi 0912345678"]
    assert gibberish.outcome in ("out_of_scope", "fallback") and gibberish.text_masked == "asdkjh qwe zzz gọi 091*****78"
    intake = [t for t in turns.values() if t.sender_key == sender_key("s3")]
    assert [t.outcome for t in intake] == ["answered"] * 6  # a complaint intake is answered, turn by turn
    assert all(t.text_masked is None for t in intake)       # and its description is not kept here
    assert intake[-1].action == "action_submit_complaint" and all(t.complete for t in turns.values())
    with transaction(sessions) as session:
        stored = " ".join(str(v) for row in session.execute(select(ConversationTurn.__table__)) for v in row)
    assert "0912345678" not in stored and "VNeID" not in stored and "s1" not in stored.split()


def test_the_same_events_again_in_pieces_or_interleaved_change_nothing(sqlite_sessions, tmp_path):
    _apply(sqlite_sessions, EVENTS)
    once = _facts(sqlite_sessions)
    rng = random.Random(7)
    position = 0
    while position < len(EVENTS):  # the stream again, as redelivered batches of any size
        size = rng.randint(1, 9)
        _apply(sqlite_sessions, EVENTS[position:position + size])
        position += size
    assert _facts(sqlite_sessions) == once

    from hotline.db import make_engine, make_session_factory, upgrade

    url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(url)
    engine = make_engine(url)
    other = make_session_factory(engine)
    senders = {}
    for event in EVENTS:
        senders.setdefault(event["sender_id"], []).append(event)
    interleaved = []
    while any(senders.values()):  # conversations published by different replicas at once
        name = rng.choice([s for s, events in senders.items() if events])
        interleaved.append(senders[name].pop(0))
    for start in range(0, len(interleaved), 20):
        _apply(other, interleaved[start:start + 20])
    assert _facts(other) == once
    engine.dispose()


def _user(template: dict, text: str, intent: str, at: float, message_id: str) -> dict:
    event = copy.deepcopy(template)
    event.update(text=text, timestamp=at, message_id=message_id)
    event["parse_data"].update(text=text, text_original=text, message_id=message_id,
                               intent={"name": intent, "confidence": 0.99})
    return event


def test_a_picked_choice_is_answered_and_the_knowledge_base_slots_say_what_was_given(sqlite_sessions):
    template = USER_MESSAGES[0]
    t0 = time.time()
    events = [
        _user(template, "thủ tục đăng ký", "ask_procedure", t0, "m1"),
        {"sender_id": "s1", "event": "action", "name": "action_answer_procedure", "timestamp": t0 + 0.01},
        {"sender_id": "s1", "event": "bot", "timestamp": t0 + 0.02, "text": "Bạn muốn hỏi thủ tục nào?",
         "data": {"buttons": [{"title": "A", "payload": '/choose_procedure{"procedure_code":"1.004194"}'}]}},
        {"sender_id": "s1", "event": "action", "name": "action_listen", "timestamp": t0 + 0.03},
        _user(template, '/choose_procedure{"procedure_code":"1.004194"}', "choose_procedure", t0 + 1, "m2"),
        {"sender_id": "s1", "event": "action", "name": "action_answer_procedure", "timestamp": t0 + 1.01},
        {"sender_id": "s1", "event": "slot", "name": "answer_kind", "value": "procedure", "timestamp": t0 + 1.02},
        {"sender_id": "s1", "event": "slot", "name": "answer_ref", "value": "1.004194", "timestamp": t0 + 1.03},
        {"sender_id": "s1", "event": "action", "name": "action_listen", "timestamp": t0 + 1.04},
        _user(template, "giấy tờ cũ ghi huyện còn dùng được không, số 079123456789", "ask_transition_faq", t0 + 2, "m3"),
        {"sender_id": "s1", "event": "action", "name": "action_answer_transition_faq", "timestamp": t0 + 2.01},
        {"sender_id": "s1", "event": "slot", "name": "answer_kind", "value": "not_known", "timestamp": t0 + 2.02},
        {"sender_id": "s1", "event": "action", "name": "action_listen", "timestamp": t0 + 2.03},
        _user(template, "khi nào hết hạn", "ask_transition_faq", t0 + 3, "m4"),
        {"sender_id": "s1", "event": "action", "name": "action_answer_transition_faq", "timestamp": t0 + 3.01},
        {"sender_id": "s1", "event": "slot", "name": "answer_kind", "value": "faq", "timestamp": t0 + 3.02},
        {"sender_id": "s1", "event": "slot", "name": "answer_ref", "value": "giay-to-cu", "timestamp": t0 + 3.03},
        {"sender_id": "s1", "event": "action", "name": "action_listen", "timestamp": t0 + 3.04},
    ]
    _apply(sqlite_sessions, events)
    first, pick, unknown, faq = _turns(sqlite_sessions)
    assert (first.answer_kind, first.outcome, first.text_masked) == ("choices", "choices_picked", None)
    assert (pick.answer_kind, pick.answer_ref, pick.outcome) == ("procedure", "1.004194", "answered")
    assert (unknown.outcome, unknown.text_masked) == ("not_found", "giấy tờ cũ ghi huyện còn dùng được không, số 079******9")
    assert (faq.answer_kind, faq.answer_ref, faq.outcome, faq.text_masked) == ("faq", "giay-to-cu", "answered", None)


def test_weekly_report_ranks_the_phrasings_with_counts_csv_and_retention(sessions):
    _apply(sessions, EVENTS)
    week = week_of(_turns(sessions)[0].at)
    with transaction(sessions) as session:
        report = unanswered_report(session, week)
    assert report.turns == 14 and report.unanswered == 6 and report.share == round(100 * 6 / 14, 1)
    assert (report.top[0].example, report.top[0].count, report.top[0].reason) == (
        "thủ tục đăng ký", 2, "Đưa 3 lựa chọn, công dân không chọn")
    assert dict(report.by_reason)["Chuyển tổng đài viên"] == 1
    assert report.trend[-1] == (week, 6, 14) and len(report.trend) == 8
    csv_text = unanswered_csv(report)
    assert csv_text.startswith("\ufeff") and "thủ tục đăng ký,2," in csv_text and "0912345678" not in csv_text
    with pytest.raises(ValueError):
        with transaction(sessions) as session:
            unanswered_report(session, "2026-W99")
    with transaction(sessions) as session:
        assert forget_text_before(session, utcnow() + timedelta(days=1)) == 6
        again = unanswered_report(session, week)
    assert again.unanswered == 6 and again.top == []  # counts stay, texts are gone


def test_an_excel_formula_typed_by_a_citizen_stays_text_in_the_csv(sqlite_sessions):
    template = USER_MESSAGES[0]
    t0 = time.time()
    _apply(sqlite_sessions, [
        _user(template, "=HYPERLINK(\"http://x\")", "out_of_scope", t0, "f1"),
        {"sender_id": "s1", "event": "action", "name": "utter_out_of_scope", "timestamp": t0 + 0.01},
        {"sender_id": "s1", "event": "action", "name": "action_listen", "timestamp": t0 + 0.02},
    ])
    with transaction(sqlite_sessions) as session:
        report = unanswered_report(session, week_of(utcnow()))
    assert "'=HYPERLINK" in unanswered_csv(report)


def test_parse_event_takes_only_rasa_events():
    assert parse_event(json.dumps(EVENTS[0]).encode()) == EVENTS[0]
    for junk in (b"", b"\xff\xfe", b"[]", b'{"event": "user"}', b'{"sender_id": 5, "event": "user", "timestamp": 1}'):
        assert parse_event(junk) is None


def _tracker_store(path: Path, events: list[dict]):
    engine = create_engine(f"sqlite:///{path}", future=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                                "type_name TEXT, timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"))
        for event in events:
            data = {k: v for k, v in event.items() if k != "sender_id"}
            connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :k, :t, :d)"),
                               {"s": event["sender_id"], "k": event["event"], "t": event["timestamp"],
                                "d": json.dumps(data, ensure_ascii=False)})
    return engine


def test_the_embedded_default_reads_the_tracker_store_and_gets_the_same_facts(sqlite_sessions, tmp_path):
    from hotline.db import make_engine, make_session_factory, upgrade

    url = f"sqlite:///{tmp_path / 'stream.db'}"
    upgrade(url)
    engine = make_engine(url)
    streamed = make_session_factory(engine)
    _apply(streamed, EVENTS)
    tracker = _tracker_store(tmp_path / "tracker.db", EVENTS)
    later = time.time() + 3600  # every event is settled
    assert scan_tracker_store(sqlite_sessions, tracker, only_missing=False, now=later) == 14
    assert scan_tracker_store(sqlite_sessions, tracker, only_missing=False, now=later) == 0  # from the cursor on
    assert _facts(sqlite_sessions) == _facts(streamed)
    engine.dispose()
    tracker.dispose()


def test_messages_the_stream_missed_are_added_from_the_tracker_store_once(sqlite_sessions, tmp_path):
    lost = [e for e in EVENTS if e["sender_id"] == "s2"]  # a replica was killed before publishing these
    _apply(sqlite_sessions, [e for e in EVENTS if e["sender_id"] != "s2"])
    assert len(_turns(sqlite_sessions)) == 12
    tracker = _tracker_store(tmp_path / "tracker.db", EVENTS)
    newest = max(e["timestamp"] for e in EVENTS)
    assert scan_tracker_store(sqlite_sessions, tracker, only_missing=True, now=newest + 1) == 0  # not settled yet
    assert scan_tracker_store(sqlite_sessions, tracker, only_missing=True, now=newest + 60) == 2
    turns = _turns(sqlite_sessions)
    assert len(turns) == 14 and [t.outcome for t in turns if t.sender_key == sender_key("s2")] == [
        "out_of_scope", "handoff"]
    _apply(sqlite_sessions, lost)  # the stream delivers them after all: nothing changes
    assert len(_turns(sqlite_sessions)) == 14
    tracker.dispose()
