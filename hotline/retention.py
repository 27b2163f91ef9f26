"""Retention: anonymise what citizens said once it is old, keep the facts the reports need.

`python -m hotline retention [--days 180]` (default `RETENTION_DAYS`), meant for a daily cron:

- Rasa's tracker store: in events older than the cut-off, the text of user and bot messages
  (and the parsed copy, entities and metadata) is replaced by "[anonymised]"; intents,
  actions, slots' names and timestamps stay, so conversation counts and flows still add up.
- Tickets finished (resolved or closed) before the cut-off: the conversation transcript is
  dropped, the description is masked, phone, caller name, chat address and sender id are removed; kind,
  place, procedure, times, SLA and rating stay for the monthly and quarterly reports.
- Outbox messages older than the cut-off lose their text.
- Analytics turns (`conversation_turns`) older than the cut-off lose their masked text; the
  counts by week, reason and channel stay.
Running it twice changes nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, create_engine, inspect, null, select, text, update
from sqlalchemy.orm import Session

from hotline.dbtypes import utcnow
from hotline.masking import mask_personal_data
from hotline.notify import OutboxMessage
from hotline.tickets import FINISHED_STATUSES, Ticket

ANONYMISED = "[anonymised]"
_MESSAGE_EVENTS = ("user", "bot")


@dataclass(frozen=True)
class RetentionReport:
    tracker_events: int
    tickets: int
    outbox_messages: int
    analytics_texts: int = 0


def anonymise_event(data: dict) -> dict:
    """One tracker event's JSON without what the person wrote or was told."""
    out = dict(data)
    if out.get("text"):
        out["text"] = ANONYMISED
    parse = out.get("parse_data")
    if isinstance(parse, dict):
        parse = {**parse, "text": ANONYMISED, "entities": []}
        parse.pop("text_original", None)
        out["parse_data"] = parse
    for key in ("metadata", "data"):
        if out.get(key):
            out[key] = {}
    return out


def anonymise_tracker_events(tracker_db_url: str, cutoff: datetime, batch: int = 1000) -> int:
    """Anonymise message events older than `cutoff` in Rasa's SQL tracker store; how many changed."""
    engine = create_engine(tracker_db_url, future=True, hide_parameters=True)
    changed = 0
    try:
        if not inspect(engine).has_table("events"):
            return 0
        select_old = text(
            "SELECT id, data FROM events WHERE timestamp < :cutoff AND type_name IN ('user', 'bot') "
            "AND id > :after ORDER BY id LIMIT :batch"
        )
        write = text("UPDATE events SET data = :data WHERE id = :id")
        after = 0
        while True:
            with engine.begin() as connection:
                rows = connection.execute(select_old, {"cutoff": cutoff.timestamp(), "after": after,
                                                       "batch": batch}).all()
                if not rows:
                    break
                updates = []
                for row_id, raw in rows:
                    after = row_id
                    try:
                        data = json.loads(raw or "{}")
                    except ValueError:
                        data = {}
                    new = anonymise_event(data) if isinstance(data, dict) else {}
                    if new != data:
                        updates.append({"id": row_id, "data": json.dumps(new, ensure_ascii=False)})
                if updates:
                    connection.execute(write, updates)
                    changed += len(updates)
    finally:
        engine.dispose()
    return changed


def anonymise_tickets(session: Session, cutoff: datetime) -> int:
    """Strip personal data from tickets finished before `cutoff`; how many changed."""
    old = session.execute(
        select(Ticket).where(Ticket.status.in_([s.value for s in FINISHED_STATUSES]),
                             Ticket.updated_at < cutoff,
                             (Ticket.transcript.isnot(None)) | Ticket.phone.isnot(None)
                             | Ticket.reply_address.isnot(None) | Ticket.sender_id.isnot(None)
                             | Ticket.citizen_name.isnot(None))
    ).scalars().all()
    for ticket in old:
        ticket.transcript = null()  # SQL NULL, not a JSON null: the query above must not find it again
        ticket.description = mask_personal_data(ticket.description)
        ticket.phone = None
        ticket.reply_address = None
        ticket.sender_id = None
        ticket.citizen_name = None
        ticket.office = ticket.office and mask_personal_data(ticket.office)
        ticket.occurred = ticket.occurred and mask_personal_data(ticket.occurred)
    session.flush()
    return len(old)


def clear_outbox(session: Session, cutoff: datetime) -> int:
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.created_at < bindparam("cutoff"), OutboxMessage.text != ANONYMISED)
        .values(text=ANONYMISED), {"cutoff": cutoff})
    return result.rowcount or 0


def run(session: Session, tracker_db_url: str | None, days: int, now: datetime | None = None) -> RetentionReport:
    """Everything older than `days`: tracker events, finished tickets, outbox and analytics texts."""
    from hotline.analytics import forget_text_before

    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or utcnow()) - timedelta(days=days)
    events = anonymise_tracker_events(tracker_db_url, cutoff) if tracker_db_url else 0
    return RetentionReport(events, anonymise_tickets(session, cutoff), clear_outbox(session, cutoff),
                           forget_text_before(session, cutoff))
