"""The embedded default keeps each conversation's current session in memory as well as in SQLite.

Measured with py-spy on the Rasa server under bench/chat_load.py (round 8): with one Rasa
process on SQLite, loading the conversation for every message (the ORM query and its rows,
~16% of the server's CPU) and counting its stored events again before saving the new ones
(~5%) were a fifth of the work, and the one Rasa process is what saturates first.

Here the SQL tracker store remembers, per conversation, the rows its latest-session query
would return (the events' JSON, in order) — filled from the database on the first load and
extended by every save after its commit — so a message reads the database only for a
conversation it has not seen since it started. What is stored, and how it is read back
(`DialogueStateTracker.from_dict` on the same JSON), does not change.

Only safe when this process is the one writer: the embedded default (SQLite, Rasa's
in-memory lock store, one Sanic worker). With PostgreSQL/Redis and several replicas
(`bot/endpoints.production.yml`, `make cluster`) it is never installed (`wanted`).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

log = logging.getLogger(__name__)

SESSION_STARTED = "session_started"


class SessionCache:
    """Per conversation: the JSON rows of its latest session, as the SQL store holds them.
    Least recently used conversations are forgotten first (they are read again from the database)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[str, list[str]] = OrderedDict()

    def get(self, sender_id: str) -> list[str] | None:
        rows = self._rows.get(sender_id)
        if rows is not None:
            self._rows.move_to_end(sender_id)
        return rows

    def put(self, sender_id: str, rows: list[str]) -> None:
        self._rows[sender_id] = rows
        self._rows.move_to_end(sender_id)
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._rows.pop(sender_id, None)

    def extend(self, sender_id: str, rows: list[str], new: list[dict[str, Any]]) -> None:
        """`rows` plus the `new` events just committed, cut like the store's query: the events
        since the newest session start (by timestamp), all of them when there is none."""
        combined = rows + [json.dumps(data) for data in new]
        starts = [data.get("timestamp") for data in new if data.get("event") == SESSION_STARTED]
        if starts:
            since = max(starts)
            combined = [row for row in combined if (json.loads(row).get("timestamp") or 0) >= since]
        self.put(sender_id, combined)


def add_events(store, session, sender_id: str, events) -> list[dict[str, Any]]:
    """Add `events` as rows of the SQL tracker store's table, as Rasa's own save does; their dicts."""
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    added = []
    for event in events:
        data = event.as_dict()
        added.append(data)
        session.add(store.SQLEvent(
            sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"), data=json.dumps(data),
        ))
    return added


def publish(store, sender_id: str, added: list[dict[str, Any]]) -> None:
    """Send the stored events to the event broker, when there is one (the cluster)."""
    if store.event_broker is not None:
        for data in added:
            store.event_broker.publish({"sender_id": sender_id, **data})


def cached_methods(cache: SessionCache) -> dict[str, Any]:
    """SQLTrackerStore's `_retrieve` and `save`, answering the latest session from `cache` and
    keeping it current."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_retrieve = SQLTrackerStore._retrieve

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool):
        if fetch_events_from_all_sessions:
            return await rasa_retrieve(self, sender_id, fetch_events_from_all_sessions)
        rows = cache.get(sender_id)
        if rows is None:
            with self.session_scope() as session:
                rows = [event.data for event in self._event_query(session, sender_id, False).all()]
            cache.put(sender_id, rows)
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    async def save(self, tracker) -> None:
        rows = cache.get(tracker.sender_id)
        with self.session_scope() as session:
            if rows is None:  # not loaded through this store (a new conversation, the HTTP API)
                rows = [event.data for event in self._event_query(session, tracker.sender_id, False).all()]
            # Rasa's own rule: the tracker's events past the ones stored for its latest session.
            added = add_events(self, session, tracker.sender_id, list(tracker.events)[len(rows):])
            try:
                session.commit()
            except Exception:
                cache.forget(tracker.sender_id)  # the database decides what was stored
                raise
        cache.extend(tracker.sender_id, rows, added)
        publish(self, tracker.sender_id, added)

    return {"_retrieve": _retrieve, "save": save}


def install(size: int) -> None:
    """Give Rasa's SQLTrackerStore the cached methods (this process only)."""
    from rasa.core.tracker_store import SQLTrackerStore

    for name, method in cached_methods(SessionCache(size)).items():
        setattr(SQLTrackerStore, name, method)
    log.info("tracker store: the latest session of up to %d conversations kept in memory", size)


def wanted(settings, environ) -> bool:
    """Only the embedded default: SQLite, Rasa's in-memory lock store, one Sanic worker."""
    from hotline.settings import endpoints_config

    endpoints = endpoints_config(settings.rasa_endpoints)
    return (settings.embedded_tracker_store and not endpoints.get("lock_store")
            and environ.get("SANIC_WORKERS", "1") == "1" and settings.rasa_tracker_cache > 0)
