"""Hotline tickets: the table, its append-only history, and every operation on them.

Functions take a SQLAlchemy session inside the caller's transaction (use
`hotline.db.transaction`), except `open_ticket`, which commits itself so the caller can tell
the citizen the code only once the ticket is safely stored.

Other areas need just two calls:

    ticket = open_ticket(sessions, kind="overdue_dossier", description="…",
                         channel="telegram", reply_address="12345", dossier_code="H12.34-250701-0001",
                         channel_message_id="telegram:12345:678")   # idempotent on the message id
    enqueue_message(session, "telegram", "12345", "…")           # hotline.notify
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, relationship, sessionmaker

from hotline import lookup_limits, sla
from hotline.db import Base, transaction
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.enums import Channel
from hotline.lookup_limits import LookupKind
from hotline.masking import mask_personal_data, mask_phone
from hotline.notify import enqueue_message
from hotline.triage import KINDS, PRIORITY_NAMES, triage
from hotline.users import User
from hotline.workcalendar import VN_TZ

log = logging.getLogger(__name__)

STATUSES = ("new", "triaged", "assigned", "in_progress", "waiting_for_citizen", "resolved", "closed")
OPEN_STATUSES = ("new", "triaged", "assigned", "in_progress", "waiting_for_citizen")
UNASSIGNED_STATUSES = ("new", "triaged")
CHANNELS = tuple(c.value for c in Channel)
# Status moves an operator may make with change_status(); claim/assign/resolve/reopen have their own calls.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"triaged", "resolved", "closed"}),
    "triaged": frozenset({"resolved", "closed"}),
    "assigned": frozenset({"in_progress", "waiting_for_citizen", "resolved", "triaged"}),
    "in_progress": frozenset({"waiting_for_citizen", "resolved", "triaged"}),
    "waiting_for_citizen": frozenset({"in_progress", "resolved"}),
    "resolved": frozenset({"closed"}),
    "closed": frozenset(),
}
# queue_state: 0 waiting for an operator, 1 with an operator, 2 finished (denormalised for indexes).
QUEUE_UNASSIGNED, QUEUE_ASSIGNED, QUEUE_DONE = 0, 1, 2
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
CODE_RE = re.compile(r"^PA-(\d{4})-(\d{6,})$")


class TicketError(ValueError):
    """An operation that cannot be done; the message is safe to show to the operator."""


class TicketNotFound(TicketError):
    pass


class TicketCounter(Base):
    """Per-year sequence behind the human-friendly codes (PA-2026-000123)."""

    __tablename__ = "ticket_counters"

    year = Column(Integer, primary_key=True, autoincrement=False)
    value = Column(Integer, nullable=False)


class Ticket(Base):
    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    kind = Column(String(32), nullable=False)
    description = Column(Text, nullable=False)
    status = Column(String(24), nullable=False, default="new")
    priority = Column(SmallInteger, nullable=False, default=2)
    triage_reasons = Column(String(200), nullable=False, default="")
    # where to answer: channel + address (Telegram chat id, Zalo user id, widget session id), and who asked
    channel = Column(String(16), nullable=False)
    reply_address = Column(String(128), nullable=True)
    channel_message_id = Column(String(128), nullable=True)
    sender_id = Column(String(160), nullable=True)
    language = Column(String(4), nullable=False, default="vi")
    phone = Column(String(20), nullable=True)
    contact_consent = Column(Boolean, nullable=False, default=False)
    province_code = Column(String(16), nullable=True)
    province_name = Column(String(128), nullable=True)
    commune_code = Column(String(16), nullable=True)
    commune_name = Column(String(128), nullable=True)
    procedure_code = Column(String(32), nullable=True)
    dossier_code = Column(String(64), nullable=True)
    citizen_name = Column(String(128), nullable=True)   # the caller's name on a phone-call ticket
    occurred = Column(String(120), nullable=True)       # when it happened, in the citizen's words
    office = Column(String(200), nullable=True)         # at which office, in the citizen's words
    transcript = Column(JSON, nullable=True)
    assignee_id = Column(ForeignKey("users.id"), nullable=True)
    sla_due_at = Column(UTCDateTime, nullable=False)
    # derived from status/assignee so each queue is one ordered index scan
    is_open = Column(Boolean, nullable=False, default=True)
    queue_state = Column(SmallInteger, nullable=False, default=QUEUE_UNASSIGNED)
    open_sla_due_at = Column(UTCDateTime, nullable=True)
    first_response_at = Column(UTCDateTime, nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    csat_rating = Column(SmallInteger, nullable=True)
    csat_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    assignee = relationship(User, lazy="joined")

    __table_args__ = (
        UniqueConstraint("channel", "channel_message_id", name="uq_tickets_channel_message"),
        Index("ix_tickets_queue", "queue_state", "priority", "sla_due_at"),
        Index("ix_tickets_mine", "assignee_id", "is_open", "priority", "sla_due_at"),
        Index("ix_tickets_open_sla", "open_sla_due_at"),
        Index("ix_tickets_commune", "commune_code", "is_open", "priority", "sla_due_at"),
        Index("ix_tickets_province", "province_code", "is_open", "priority", "sla_due_at"),
        Index("ix_tickets_kind", "kind", "is_open", "priority", "sla_due_at"),
        Index("ix_tickets_phone", "phone"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_dossier", "dossier_code"),
    )

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAMES.get(self.priority, "normal")

    def sla_state(self, now: datetime | None = None) -> str:
        return sla.sla_state(self.sla_due_at, now or utcnow(), self.first_response_at)

    def __repr__(self) -> str:  # never shows the description or phone
        return f"<Ticket {self.code} {self.kind} {self.status}>"


class TicketEvent(Base):
    """One line of a ticket's history. Rows are only ever inserted (see the guard below)."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    actor_user_id = Column(ForeignKey("users.id"), nullable=True)
    actor = Column(String(64), nullable=False)     # username, "citizen" or "system"
    action = Column(String(24), nullable=False)    # created, claimed, reply, note, …
    from_status = Column(String(24), nullable=True)
    to_status = Column(String(24), nullable=True)
    body = Column(Text, nullable=True)
    internal = Column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _history_is_append_only(_mapper, _connection, target) -> None:
    raise TicketError("ticket history is append-only")


# --- small helpers -------------------------------------------------------------------------

def normalize_phone(raw: str | None) -> str | None:
    """Digits of a Vietnamese phone number as 0xxxxxxxxx, or None when it is not one."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) not in (10, 11) or not digits.startswith("0"):
        return None
    return digits


def masked_transcript(transcript: list[dict] | None) -> list[dict]:
    """The conversation with phone and ID numbers masked: what everyone but the handling officer sees."""
    return [{**line, "text": mask_personal_data(str(line.get("text", "")))}
            for line in transcript or [] if isinstance(line, dict)]


def format_code(year: int, number: int) -> str:
    return f"PA-{year}-{number:06d}"


def parse_code(text: str | None) -> str | None:
    """A well-formed ticket code from user input ("pa 2026 123", "PA-2026-000123"), else None."""
    if not text:
        return None
    match = re.search(r"\bPA[\s\-_./]*(\d{4})[\s\-_./]*(\d{1,9})\b", text.upper())
    if not match:
        return None
    return format_code(int(match.group(1)), int(match.group(2)))


def _next_number(session: Session, year: int) -> int:
    """Next number of `year`. The UPDATE comes first so concurrent writers queue on it."""
    for _ in range(3):
        bumped = session.execute(
            update(TicketCounter).where(TicketCounter.year == year).values(value=TicketCounter.value + 1)
        ).rowcount
        if bumped:
            return session.execute(select(TicketCounter.value).where(TicketCounter.year == year)).scalar_one()
        try:
            with session.begin_nested():
                session.add(TicketCounter(year=year, value=1))
            return 1
        except IntegrityError:  # another writer created the year's row first: bump it instead
            continue
    raise TicketError("could not allocate a ticket code")


def _sync_derived(ticket: Ticket) -> None:
    ticket.is_open = ticket.status in OPEN_STATUSES
    if not ticket.is_open:
        ticket.queue_state = QUEUE_DONE
    elif ticket.assignee_id is None:
        ticket.queue_state = QUEUE_UNASSIGNED
    else:
        ticket.queue_state = QUEUE_ASSIGNED
    # The SLA promises a first answer: once answered (or finished) the ticket leaves the SLA queue.
    ticket.open_sla_due_at = ticket.sla_due_at if ticket.is_open and ticket.first_response_at is None else None


def _clean(text: str | None, limit: int) -> str:
    text = (text or "").replace("\x00", "").strip()
    return text[:limit]


def _event(session: Session, ticket: Ticket, actor: User | None, action: str, *, body: str | None = None,
           from_status: str | None = None, to_status: str | None = None, internal: bool = False,
           actor_name: str | None = None, at: datetime | None = None) -> TicketEvent:
    entry = TicketEvent(ticket_id=ticket.id, at=at or utcnow(), actor_user_id=actor.id if actor else None,
                        actor=actor.username if actor else (actor_name or "system"), action=action, body=body,
                        from_status=from_status, to_status=to_status, internal=internal)
    session.add(entry)
    return entry


def _set_status(session: Session, ticket: Ticket, status: str, actor: User | None, action: str,
                body: str | None = None, now: datetime | None = None) -> None:
    now = now or utcnow()
    previous = ticket.status
    ticket.status = status
    ticket.updated_at = now
    if status == "resolved":
        ticket.resolved_at = now
    if status == "closed":
        ticket.closed_at = now
    _sync_derived(ticket)
    _event(session, ticket, actor, action, from_status=previous, to_status=status, body=body, at=now)
    log.info("ticket %s: %s -> %s by %s", ticket.code, previous, status, actor.username if actor else "system")


def _by_message(session: Session, channel: str, channel_message_id: str | None) -> Ticket | None:
    if not channel_message_id:
        return None
    return session.execute(
        select(Ticket).where(Ticket.channel == channel, Ticket.channel_message_id == channel_message_id)
    ).unique().scalar_one_or_none()


# --- intake --------------------------------------------------------------------------------

def create_ticket(session: Session, *, kind: str, description: str, channel: str,
                  reply_address: str | None = None, channel_message_id: str | None = None,
                  sender_id: str | None = None, phone: str | None = None, contact_consent: bool = False,
                  province_code: str | None = None, province_name: str | None = None,
                  commune_code: str | None = None, commune_name: str | None = None,
                  procedure_code: str | None = None, dossier_code: str | None = None,
                  transcript: list[dict] | None = None, language: str = "vi",
                  citizen_name: str | None = None, occurred: str | None = None, office: str | None = None,
                  taken_by: User | None = None, now: datetime | None = None) -> tuple[Ticket, bool]:
    """Insert a ticket in the caller's transaction; returns (ticket, created).

    With a `channel_message_id`, a second call for the same (channel, id) returns the first
    ticket and created=False. `taken_by` is the operator who logged a phone call (the history
    names them instead of "citizen").
    """
    if kind not in KINDS:
        raise TicketError(f"unknown ticket kind {kind!r}")
    if channel not in CHANNELS:
        raise TicketError(f"unknown channel {channel!r}")
    description = _clean(description, MAX_DESCRIPTION)
    if not description:
        raise TicketError("description is required")
    now = now or utcnow()
    year = now.astimezone(VN_TZ).year
    existing = _by_message(session, channel, channel_message_id)
    if existing is not None:
        return existing, False
    number = _next_number(session, year)  # takes the write lock: concurrent intakes queue here
    existing = _by_message(session, channel, channel_message_id)  # a twin may have committed meanwhile
    if existing is not None:
        return existing, False
    result = triage(kind, description, province_code, commune_code)
    ticket = Ticket(
        code=format_code(year, number), kind=kind, description=description, status="new",
        priority=result.priority, triage_reasons=",".join(result.reasons), channel=channel,
        reply_address=(reply_address or None) and str(reply_address)[:128],
        channel_message_id=channel_message_id, sender_id=sender_id and sender_id[:160],
        language="en" if language == "en" else "vi", phone=normalize_phone(phone),
        contact_consent=bool(contact_consent),
        province_code=province_code or None, province_name=province_name or None,
        commune_code=commune_code or None, commune_name=commune_name or None,
        procedure_code=(procedure_code or None) and procedure_code[:32],
        dossier_code=(dossier_code or None) and dossier_code[:64],
        citizen_name=_clean(citizen_name, 128) or None, occurred=_clean(occurred, 120) or None,
        office=_clean(office, 200) or None,
        transcript=transcript or None, assignee_id=None, assignee=None,
        sla_due_at=sla.sla_due(now, result.sla_hours), created_at=now, updated_at=now,
    )
    _sync_derived(ticket)
    session.add(ticket)
    session.flush()
    _event(session, ticket, taken_by, "created", to_status="new", actor_name="citizen", at=now,
           body=f"priority {result.priority}; queue {result.queue}; rules {','.join(result.reasons) or '-'}")
    log.info("ticket %s opened: kind=%s channel=%s priority=%s", ticket.code, kind, channel, ticket.priority)
    return ticket, True


def open_ticket(sessions: sessionmaker, **fields) -> Ticket:
    """Create (or find, on a retried message) a ticket and COMMIT before returning it.

    Keyword arguments are those of `create_ticket`. The returned ticket is detached and has
    `.created` (False when the same channel message had already opened it).
    """
    try:
        with transaction(sessions) as session:
            ticket, created = create_ticket(session, **fields)
    except IntegrityError:
        # Two identical requests raced past the check; the other one stored it.
        with transaction(sessions) as session:
            ticket = session.execute(
                select(Ticket).where(Ticket.channel == fields["channel"],
                                     Ticket.channel_message_id == fields.get("channel_message_id"))
            ).scalar_one()
            created = False
    ticket.created = created
    return ticket


# --- reading ---------------------------------------------------------------------------------

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
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action.in_(("reply", "resolved")),
                                  TicketEvent.body.is_not(None), TicketEvent.internal.is_(False))
        .order_by(TicketEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


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


QUEUE_NAMES = ("unassigned", "mine", "sla", "open", "commune", "province", "kind")


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
        if self.status in STATUSES:
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


def _queue_conditions(name: str, value: str | None, user_id: int | None, now: datetime | None) -> list | None:
    """The WHERE of a named queue, or None when the queue needs a value it was not given."""
    if name == "unassigned":
        return [Ticket.queue_state == QUEUE_UNASSIGNED]
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


COUNT_CAP = 1000


def queue_count(session: Session, name: str, *, value: str | None = None, user_id: int | None = None,
                filters: QueueFilter = NO_FILTER, now: datetime | None = None, cap: int = COUNT_CAP) -> int:
    """How many tickets the queue holds, up to `cap` (the console shows "1000+"): the live queue
    asks every few seconds, and counting a backlog of 30,000 rows each time is wasted work."""
    where = _queue_conditions(name, value, user_id, now)
    if where is None:
        return 0
    capped = select(Ticket.id).where(*where, *filters.conditions()).limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()


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


# --- operator actions ------------------------------------------------------------------------

def claim(session: Session, ticket_id: int, user: User, now: datetime | None = None) -> bool:
    """Take an unassigned ticket. Exactly one of several simultaneous claims returns True."""
    now = now or utcnow()
    won = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.assignee_id.is_(None), Ticket.status.in_(UNASSIGNED_STATUSES))
        .values(assignee_id=user.id, status="assigned", queue_state=QUEUE_ASSIGNED, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return False
    ticket = get_ticket(session, ticket_id)
    session.refresh(ticket)
    _event(session, ticket, user, "claimed", to_status="assigned", at=now)
    log.info("ticket %s claimed by %s", ticket.code, user.username)
    return True


def assign(session: Session, ticket_id: int, assignee: User, actor: User, now: datetime | None = None) -> Ticket:
    """Give an open ticket to `assignee` (supervisors; operators may only hand over their own tickets)."""
    ticket = get_ticket(session, ticket_id, lock=True)
    if not ticket.is_open:
        raise TicketError("ticket is finished; reopen it first")
    if not actor.is_supervisor and ticket.assignee_id not in (None, actor.id):
        raise TicketError("only a supervisor can reassign another operator's ticket")
    previous = ticket.status
    ticket.assignee_id = assignee.id
    ticket.assignee = assignee
    if ticket.status in UNASSIGNED_STATUSES:
        ticket.status = "assigned"
    ticket.updated_at = now or utcnow()
    _sync_derived(ticket)
    _event(session, ticket, actor, "assigned", from_status=previous, to_status=ticket.status,
           body=assignee.username, at=now)
    return ticket


def change_status(session: Session, ticket_id: int, status: str, actor: User, note: str | None = None,
                  now: datetime | None = None) -> Ticket:
    """Move a ticket along its lifecycle; raises TicketError for a move the lifecycle forbids."""
    ticket = get_ticket(session, ticket_id, lock=True)
    if status == "resolved":
        return resolve(session, ticket_id, actor, note, now=now)
    if status not in TRANSITIONS.get(ticket.status, ()):
        raise TicketError(f"cannot move a ticket from {ticket.status} to {status}")
    if status in ("in_progress", "waiting_for_citizen") and ticket.assignee_id is None:
        raise TicketError("claim the ticket first")
    if status == "triaged":
        ticket.assignee_id = None
        ticket.assignee = None
    _set_status(session, ticket, status, actor, "status", body=_clean(note, MAX_NOTE) or None, now=now)
    return ticket


def set_priority(session: Session, ticket_id: int, priority: int, actor: User) -> Ticket:
    """Override the rules' priority (the SLA due time stays as promised)."""
    if priority not in PRIORITY_NAMES:
        raise TicketError("priority must be 1 (high), 2 (normal) or 3 (low)")
    ticket = get_ticket(session, ticket_id, lock=True)
    old = ticket.priority
    ticket.priority = priority
    ticket.updated_at = utcnow()
    _event(session, ticket, actor, "priority", body=f"{PRIORITY_NAMES[old]} -> {PRIORITY_NAMES[priority]}")
    return ticket


def add_note(session: Session, ticket_id: int, actor: User, text: str) -> TicketEvent:
    """An internal note: operators see it, the citizen never does."""
    text = _clean(text, MAX_NOTE)
    if not text:
        raise TicketError("the note is empty")
    ticket = get_ticket(session, ticket_id)
    ticket.updated_at = utcnow()
    return _event(session, ticket, actor, "note", body=text, internal=True)


def _send_to_citizen(session: Session, ticket: Ticket, text: str, buttons: list[dict] | None = None) -> bool:
    if Channel(ticket.channel).can_receive_replies and ticket.reply_address:
        enqueue_message(session, ticket.channel, ticket.reply_address, text, ticket_id=ticket.id, buttons=buttons)
        return True
    return False


def reply(session: Session, ticket_id: int, actor: User, text: str, now: datetime | None = None) -> TicketEvent:
    """Answer the citizen on their channel (through the outbox) and record it.

    The ticket then waits for the citizen (an unclaimed one becomes the replier's); a message
    from the citizen moves it back to in progress (`citizen_message`).
    """
    text = _clean(text, MAX_NOTE)
    if not text:
        raise TicketError("the reply is empty")
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id, lock=True)
    if not ticket.is_open:
        raise TicketError(f"ticket is already {ticket.status}; reopen it first")
    prefix = (f"[{ticket.code}] Reply from the hotline:\n" if ticket.language == "en"
              else f"[{ticket.code}] Tổng đài trả lời:\n")
    delivered = _send_to_citizen(session, ticket, prefix + text)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    if ticket.assignee_id is None:
        ticket.assignee_id = actor.id
        ticket.assignee = actor
    if ticket.status != "waiting_for_citizen":
        _set_status(session, ticket, "waiting_for_citizen", actor, "status", now=now)
    ticket.updated_at = now
    _sync_derived(ticket)
    return _event(session, ticket, actor, "reply", body=text, at=now,
                  internal=False, to_status=None if delivered else "not_delivered")


def reveal_phone(session: Session, ticket_id: int, actor: User, now: datetime | None = None) -> str:
    """The full phone number, for the handling officer only; each reveal is written in the history."""
    ticket = get_ticket(session, ticket_id)
    if ticket.assignee_id != actor.id:
        raise TicketError("only the officer handling this ticket can see the phone number")
    if not ticket.phone:
        raise TicketError("the citizen left no phone number")
    if not ticket.contact_consent:
        raise TicketError("the citizen did not agree to be called")
    _event(session, ticket, actor, "phone_revealed", at=now or utcnow(), internal=True)
    log.info("ticket %s: phone shown to %s", ticket.code, actor.username)
    return ticket.phone


def rating_buttons(language: str = "vi") -> list[dict[str, str]]:
    """The 1–5 rating as quick replies; the payload is the digit the assistant's rating intent knows."""
    ends = {1: "bad", 5: "very good"} if language == "en" else {1: "kém", 5: "rất tốt"}
    return [{"title": f"{n} – {ends[n]}" if n in ends else str(n), "payload": str(n)} for n in range(1, 6)]


def resolve(session: Session, ticket_id: int, actor: User, answer: str | None = None,
            now: datetime | None = None) -> Ticket:
    """Mark resolved, send the answer (if any) and ask the citizen for a 1–5 rating."""
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id, lock=True)
    if not ticket.is_open:
        raise TicketError(f"ticket is already {ticket.status}")
    answer = _clean(answer, MAX_NOTE) or None
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    if ticket.assignee_id is None:
        ticket.assignee_id = actor.id
        ticket.assignee = actor
    _set_status(session, ticket, "resolved", actor, "resolved", body=answer, now=now)
    if ticket.language == "en":
        text = (f"Your request {ticket.code} has been resolved."
                + (f"\n{answer}" if answer else "")
                + "\nHow satisfied are you? Tap or type a number from 1 (bad) to 5 (very good).")
    else:
        text = (f"Phản ánh {ticket.code} của bạn đã được giải quyết."
                + (f"\n{answer}" if answer else "")
                + "\nBạn hài lòng ở mức nào? Bấm hoặc trả lời một số từ 1 (kém) đến 5 (rất tốt).")
    _send_to_citizen(session, ticket, text, buttons=rating_buttons(ticket.language))
    return ticket


def reopen(session: Session, ticket_id: int, actor: User | None, reason: str | None = None,
           now: datetime | None = None) -> Ticket:
    """Bring a resolved/closed ticket back: to its operator if any, else to the unassigned queue."""
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.is_open:
        raise TicketError("ticket is still open")
    ticket.resolved_at = None
    ticket.closed_at = None
    ticket.first_response_at = None  # a reopened ticket is owed a new answer within a new SLA
    result = triage(ticket.kind, ticket.description, ticket.province_code, ticket.commune_code)
    ticket.sla_due_at = sla.sla_due(now, result.sla_hours)  # a fresh promise for the new round
    ticket.csat_rating = None
    _set_status(session, ticket, "assigned" if ticket.assignee_id else "triaged", actor, "reopened",
                body=_clean(reason, MAX_NOTE) or None, now=now)
    return ticket


def rate(session: Session, ticket_id: int, rating: int, now: datetime | None = None) -> Ticket:
    """Record the citizen's 1–5 satisfaction rating of a resolved ticket."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise TicketError("rating must be a whole number from 1 to 5")
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.status not in ("resolved", "closed"):
        raise TicketError("only a resolved ticket can be rated")
    ticket.csat_rating = rating
    ticket.csat_at = now or utcnow()
    _event(session, ticket, None, "rated", body=str(rating), actor_name="citizen", at=ticket.csat_at)
    return ticket


def citizen_message(session: Session, ticket_id: int, text: str) -> TicketEvent:
    """A follow-up the citizen sent about their ticket (shown in the history)."""
    text = _clean(text, MAX_NOTE)
    if not text:
        raise TicketError("the message is empty")
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.status == "waiting_for_citizen":
        _set_status(session, ticket, "in_progress", None, "status")
    return _event(session, ticket, None, "citizen_message", body=text, actor_name="citizen")


def latest_resolved_unrated(session: Session, sender_id: str) -> Ticket | None:
    """The citizen's most recently resolved ticket still waiting for a rating."""
    return session.execute(
        select(Ticket).where(Ticket.sender_id == sender_id, Ticket.status.in_(("resolved", "closed")),
                             Ticket.csat_rating.is_(None))
        .order_by(Ticket.resolved_at.desc()).limit(1)
    ).unique().scalar_one_or_none()


def tickets_of_sender(session: Session, sender_id: str, limit: int = 5) -> list[Ticket]:
    return list(session.execute(
        select(Ticket).where(Ticket.sender_id == sender_id).order_by(Ticket.id.desc()).limit(limit)
    ).unique().scalars())


__all__ = [
    "Ticket", "TicketEvent", "TicketError", "TicketNotFound", "open_ticket", "create_ticket", "claim", "assign",
    "change_status", "add_note", "reply", "resolve", "reopen", "rate", "search", "queue_unassigned",
    "queue_mine", "queue_sla", "queue_by_commune", "queue_by_province", "queue_by_kind", "queue", "queue_count",
    "QueueFilter", "reveal_phone",
]
