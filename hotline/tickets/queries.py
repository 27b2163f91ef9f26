"""Reading tickets: by code, a citizen's own ticket behind the guessing limits, the operators'
queues (one `queue_view` the console and the JSON API share), search and counts.

Functions take a SQLAlchemy session; none of them writes, except the lookup limits' counters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline import lookup_limits, sla
from hotline.dbtypes import utcnow
from hotline.lookup_limits import LookupKind
from hotline.tickets.codes import normalize_phone, parse_code
from hotline.tickets.enums import FINISHED_STATUSES, EventKind, QueueState, TicketStatus
from hotline.tickets.errors import TicketNotFound
from hotline.tickets.models import Ticket, TicketEvent
from hotline.triage import KINDS, PRIORITY_NAMES


def get_ticket(session: Session, code_or_id: str | int, *, lock: bool = False) -> Ticket:
    """The ticket by code or id; TicketNotFound otherwise."""
    query = select(Ticket)
    if isinstance(code_or_id, int):
        query = query.where(Ticket.id == code_or_id)
    else:
        code = parse_code(code_or_id)
        if code is None:
            raise TicketNotFound("no such ticket")
        query = query.where(Ticket.code == code)
    if lock:
        query = query.with_for_update(of=Ticket)
    ticket = session.execute(query).unique().scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound("no such ticket")
    return ticket


def history(session: Session, ticket: Ticket, include_internal: bool = True) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if not include_internal:
        query = query.where(TicketEvent.internal.is_(False))
    return list(session.execute(query.order_by(TicketEvent.id)).scalars())


def last_reply(session: Session, ticket: Ticket) -> TicketEvent | None:
    """The newest message an operator sent the citizen."""
    return session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                  TicketEvent.action.in_((EventKind.REPLY.value, EventKind.RESOLVED.value)),
                                  TicketEvent.body.is_not(None), TicketEvent.internal.is_(False))
        .order_by(TicketEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


def by_message(session: Session, channel: str, channel_message_id: str | None) -> Ticket | None:
    """The ticket a channel message already opened (retries are idempotent on it)."""
    if not channel_message_id:
        return None
    return session.execute(
        select(Ticket).where(Ticket.channel == channel, Ticket.channel_message_id == channel_message_id)
    ).unique().scalar_one_or_none()


# --- the citizen's own ticket ------------------------------------------------------------------

def ticket_for_citizen(session: Session, code: str, sender_id: str | None = None,
                       phone_last4: str | None = None) -> Ticket | None:
    """The ticket if the asker owns it (same sender, or the last 4 digits of its phone), else None.

    "Not yours" and "does not exist" look the same, so codes cannot be probed.
    """
    try:
        ticket = get_ticket(session, code)
    except TicketNotFound:
        return None
    if sender_id and ticket.sender_id and ticket.sender_id == sender_id:
        return ticket
    digits = re.sub(r"\D", "", phone_last4 or "")
    if len(digits) == 4 and ticket.phone and ticket.phone.endswith(digits):
        return ticket
    return None


@dataclass(frozen=True)
class CitizenLookup:
    """What a citizen asking about a ticket may see: the ticket and its last reply, or why not."""

    ticket: Ticket | None = None
    reply: str | None = None
    locked_minutes: int = 0  # too many wrong tries (by this sender, or on this code by anyone)


def lookup_for_citizen(session: Session, code: str, sender_id: str, phone_last4: str | None,
                       now: datetime | None = None) -> CitizenLookup:
    """`ticket_for_citizen` behind the guessing limits (hotline.lookup_limits): wrong tries are
    counted per sender and per code, so rotating sender ids cannot find a ticket's digits."""
    ticket = ticket_for_citizen(session, code, sender_id=sender_id)  # the asker's own: no guess involved
    if ticket is None:
        pause = lookup_limits.check(session, LookupKind.TICKET, sender_id, code, now)
        if pause.blocked:
            return CitizenLookup(locked_minutes=pause.minutes)
        ticket = ticket_for_citizen(session, code, phone_last4=phone_last4)
    if ticket is None:
        pause = lookup_limits.record_failure(session, LookupKind.TICKET, sender_id, code, now)
        return CitizenLookup(locked_minutes=pause.minutes)
    reply = last_reply(session, ticket)
    return CitizenLookup(ticket=ticket, reply=reply.body if reply else None)


def latest_resolved_unrated(session: Session, sender_id: str) -> Ticket | None:
    """The citizen's most recently resolved ticket still waiting for a rating."""
    return session.execute(
        select(Ticket).where(Ticket.sender_id == sender_id,
                             Ticket.status.in_([s.value for s in FINISHED_STATUSES]),
                             Ticket.csat_rating.is_(None))
        .order_by(Ticket.resolved_at.desc()).limit(1)
    ).unique().scalar_one_or_none()


def tickets_of_sender(session: Session, sender_id: str, limit: int = 5) -> list[Ticket]:
    return list(session.execute(
        select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc()).limit(limit)
    ).unique().scalars())


# --- queues ------------------------------------------------------------------------------------

QUEUE_NAMES = ("unassigned", "mine", "sla", "open", "commune", "province", "kind")
COUNT_CAP = 1000


@dataclass(frozen=True)
class QueueFilter:
    """Narrowing of a queue the operator picked: status, priority, commune, creation dates (UTC)."""

    status: str | None = None
    priority: int | None = None
    commune_code: str | None = None
    created_from: datetime | None = None   # inclusive
    created_until: datetime | None = None  # exclusive

    def conditions(self) -> list:
        found = []
        if self.status in list(TicketStatus):
            found.append(Ticket.status == self.status)
        if self.priority in PRIORITY_NAMES:
            found.append(Ticket.priority == self.priority)
        if self.commune_code:
            found.append(Ticket.commune_code == self.commune_code[:16])
        if self.created_from is not None:
            found.append(Ticket.created_at >= self.created_from)
        if self.created_until is not None:
            found.append(Ticket.created_at < self.created_until)
        return found


NO_FILTER = QueueFilter()


def valid_queue(name: str, value: str | None) -> bool:
    """A queue that exists, with the value it needs ("kind" needs one of the kinds)."""
    return name in QUEUE_NAMES and (name != "kind" or value in KINDS)


def _queue_conditions(name: str, value: str | None, user_id: int | None, now: datetime | None) -> list | None:
    """The WHERE of a named queue, or None when the queue needs a value it was not given."""
    if name == "unassigned":
        return [Ticket.queue_state == QueueState.UNASSIGNED.value]
    if name == "mine":
        return None if user_id is None else [Ticket.assignee_id == user_id, Ticket.is_open.is_(True)]
    if name == "sla":
        # "Due soon" is inclusive in sla.sla_state; the queue must list every ticket so labelled.
        return [Ticket.open_sla_due_at <= sla.due_soon_threshold(now or utcnow())]
    if name == "open":
        return [Ticket.is_open.is_(True)]
    column = {"commune": Ticket.commune_code, "province": Ticket.province_code, "kind": Ticket.kind}.get(name)
    if column is None or not value or (name == "kind" and value not in KINDS):
        return None
    return [column == value, Ticket.is_open.is_(True)]


def queue(session: Session, name: str, *, value: str | None = None, user_id: int | None = None,
          filters: QueueFilter = NO_FILTER, now: datetime | None = None, limit: int = 50,
          offset: int = 0) -> list[Ticket]:
    """One page of a named queue (see QUEUE_NAMES), most urgent first; [] for a queue without its value."""
    where = _queue_conditions(name, value, user_id, now)
    if where is None:
        return []
    query = select(Ticket).where(*where, *filters.conditions())
    if name == "sla":
        query = query.order_by(Ticket.open_sla_due_at, Ticket.id)
    else:
        query = query.order_by(Ticket.priority, Ticket.sla_due_at, Ticket.id)
    return list(session.execute(query.limit(limit).offset(offset)).unique().scalars())


def queue_count(session: Session, name: str, *, value: str | None = None, user_id: int | None = None,
                filters: QueueFilter = NO_FILTER, now: datetime | None = None, cap: int = COUNT_CAP) -> int:
    """How many tickets the queue holds, up to `cap` (the console shows "1000+"): the live queue
    asks every few seconds, and counting a backlog of 30,000 rows each time is wasted work."""
    where = _queue_conditions(name, value, user_id, now)
    if where is None:
        return 0
    capped = select(Ticket.id).where(*where, *filters.conditions()).limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()


@dataclass(frozen=True)
class QueueView:
    """One page of a queue as the console and the API show it."""

    rows: list[Ticket]
    now: datetime
    count: int | None = None                     # asked for: the queue's size up to COUNT_CAP
    places: list[tuple] = field(default_factory=list)  # asked for: open tickets by place


def queue_view(session: Session, name: str, *, value: str | None = None, user_id: int | None = None,
               filters: QueueFilter = NO_FILTER, limit: int = 50, offset: int = 0, with_count: bool = False,
               with_places: bool = False) -> QueueView:
    """A page of the named queue, at one `now` for the rows, the count and the SLA badges."""
    now = utcnow()
    args = dict(value=value or None, user_id=user_id, filters=filters, now=now)
    places = open_counts_by_place(session) if with_places else []
    rows = queue(session, name, limit=limit, offset=offset, **args)
    count = queue_count(session, name, **args) if with_count else None
    return QueueView(rows=rows, now=now, count=count, places=places)


def queue_unassigned(session: Session, limit: int = 50, offset: int = 0) -> list[Ticket]:
    """Open tickets nobody has claimed, most urgent first."""
    return queue(session, "unassigned", limit=limit, offset=offset)


def queue_mine(session: Session, user_id: int, limit: int = 50, offset: int = 0) -> list[Ticket]:
    return queue(session, "mine", user_id=user_id, limit=limit, offset=offset)


def queue_sla(session: Session, now: datetime | None = None, limit: int = 50, offset: int = 0) -> list[Ticket]:
    """Open tickets already past their SLA or due within the next few office hours, soonest first."""
    return queue(session, "sla", now=now, limit=limit, offset=offset)


def queue_by_commune(session: Session, commune_code: str, limit: int = 50, offset: int = 0) -> list[Ticket]:
    return queue(session, "commune", value=commune_code, limit=limit, offset=offset)


def queue_by_province(session: Session, province_code: str, limit: int = 50, offset: int = 0) -> list[Ticket]:
    return queue(session, "province", value=province_code, limit=limit, offset=offset)


def queue_by_kind(session: Session, kind: str, limit: int = 50, offset: int = 0) -> list[Ticket]:
    return queue(session, "kind", value=kind, limit=limit, offset=offset)


def search(session: Session, *, code: str | None = None, phone: str | None = None, text: str | None = None,
           dossier_code: str | None = None, limit: int = 50) -> list[Ticket]:
    """Tickets by exact code, phone number, dossier code or a piece of the description (newest first)."""
    query = select(Ticket)
    if code:
        parsed = parse_code(code)
        if parsed is None:
            return []
        query = query.where(Ticket.code == parsed)
    if phone:
        normalized = normalize_phone(phone)
        if normalized is None:
            return []
        query = query.where(Ticket.phone == normalized)
    if dossier_code:
        query = query.where(Ticket.dossier_code == dossier_code.strip()[:64])
    if text:
        needle = text.strip()[:200].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if needle:
            query = query.where(func.lower(Ticket.description).like(f"%{needle}%", escape="\\"))
    if not (code or phone or text or dossier_code):
        return []
    return list(session.execute(query.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
                .unique().scalars())


def open_counts_by_place(session: Session, limit: int = 50) -> list[tuple]:
    """(province_code, province_name, commune_code, commune_name, open tickets), busiest first."""
    count = func.count(Ticket.id)
    return list(session.execute(
        select(Ticket.province_code, Ticket.province_name, Ticket.commune_code, Ticket.commune_name, count)
        .where(Ticket.is_open.is_(True))
        .group_by(Ticket.province_code, Ticket.province_name, Ticket.commune_code, Ticket.commune_name)
        .order_by(count.desc()).limit(limit)
    ).all())
