"""Retention: old conversations and finished tickets lose what citizens said, reports keep their facts."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import create_engine, text
from tickets_helpers import add_user, complaint

from hotline import retention
from hotline import tickets as T
from hotline.db import transaction
from hotline.dbtypes import utcnow


def _tracker_db(path, now):
    engine = create_engine(f"sqlite:///{path}", future=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                                "timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"))
        rows = [
            (1, "old", "user", (now - timedelta(days=200)).timestamp(), "file_complaint", None,
             {"event": "user", "text": "số tôi 0912345678", "parse_data": {"text": "so toi", "text_original": "số tôi",
                                                                          "intent": {"name": "file_complaint"},
                                                                          "entities": [{"value": "0912"}]}}),
            (2, "old", "bot", (now - timedelta(days=200)).timestamp(), None, None,
             {"event": "bot", "text": "Cảm ơn, 0912345678", "data": {"buttons": []}}),
            (3, "old", "action", (now - timedelta(days=200)).timestamp(), None, "action_listen",
             {"event": "action", "name": "action_listen"}),
            (4, "new", "user", (now - timedelta(days=2)).timestamp(), "greet", None,
             {"event": "user", "text": "xin chào"}),
        ]
        for row_id, sender, kind, ts, intent, action, data in rows:
            connection.execute(text("INSERT INTO events VALUES (:i, :s, :k, :t, :n, :a, :d)"),
                               {"i": row_id, "s": sender, "k": kind, "t": ts, "n": intent, "a": action,
                                "d": json.dumps(data, ensure_ascii=False)})
    return engine


def test_old_conversations_and_finished_tickets_are_anonymised(sqlite_sessions, tmp_path):
    now = utcnow()
    engine = _tracker_db(tmp_path / "tracker.db", now)
    operator = add_user(sqlite_sessions, "lan")
    old = T.open_ticket(sqlite_sessions, **complaint(description="Gọi 0912345678", channel_message_id="a",
                                                     transcript=[{"who": "citizen", "text": "0912345678"}]))
    recent = T.open_ticket(sqlite_sessions, **complaint(channel_message_id="b", transcript=[{"who": "citizen",
                                                                                             "text": "hi"}]))
    with transaction(sqlite_sessions) as session:
        T.claim(session, old.id, operator)
        T.resolve(session, old.id, operator, "Đã xử lý")
        session.get(T.Ticket, old.id).updated_at = now - timedelta(days=400)
        session.get(T.Ticket, old.id).csat_rating = 4
    with transaction(sqlite_sessions) as session:
        report = retention.run(session, f"sqlite:///{tmp_path / 'tracker.db'}", days=180, now=now)
    assert (report.tracker_events, report.tickets) == (2, 1)
    with engine.connect() as connection:
        data = {row_id: json.loads(raw) for row_id, raw in connection.execute(text("SELECT id, data FROM events"))}
    assert "0912" not in json.dumps(data[1]) + json.dumps(data[2])
    assert data[1]["parse_data"]["intent"]["name"] == "file_complaint"  # facts stay
    assert data[4]["text"] == "xin chào"  # recent conversations are untouched
    with transaction(sqlite_sessions) as session:
        stored = session.get(T.Ticket, old.id)
        assert stored.transcript is None and stored.phone is None and stored.sender_id is None
        assert "0912345678" not in stored.description
        assert (stored.kind, stored.status, stored.csat_rating, stored.commune_name) == (
            "complaint", "resolved", 4, "Phường Ba Đình")
        assert session.get(T.Ticket, recent.id).transcript  # an open ticket keeps its conversation
    with transaction(sqlite_sessions) as session:  # a second run changes nothing more
        again = retention.run(session, f"sqlite:///{tmp_path / 'tracker.db'}", days=180, now=now)
    assert (again.tracker_events, again.tickets) == (0, 0)
    engine.dispose()
