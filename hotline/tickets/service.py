"""Every operation that changes a ticket. Each takes a SQLAlchemy session inside the caller's
transaction (`hotline.db.transaction`); the caller commits.

Intake: `open_ticket` (idempotent on the channel message id) returns an `Opened`. Operators'
commands arrive through `hotline.tickets.commands.perform`, which calls the operations here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hotline import sla
from hotline.db import transaction
from hotline.dbtypes import utcnow
from hotline.enums import Channel
from hotline.notify import enqueue_message
from hotline.tickets import messages
from hotline.tickets.codes import format_code, normalize_phone
from hotline.tickets.enums import (
    NOT_DELIVERED,
    TRANSITIONS,
    UNASSIGNED_STATUSES,
    EventKind,
    QueueState,
    TicketStatus,
)
from hotline.tickets.errors import TicketError
from hotline.tickets.models import Ticket, TicketCounter, TicketEvent
from hotline.tickets.queries import by_message, get_ticket
from hotline.triage import KINDS, PRIORITY_NAMES, triage
from hotline.users import User
from hotline.workcalendar import VN_TZ

log = logging.getLogger(__name__)

CHANNELS = tuple(c.value for c in Channel)
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000


# --- small helpers -------------------------------------------------------------------------

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
    ticket.is_open = TicketStatus(ticket.status).is_open
    if not ticket.is_open:
        ticket.queue_state = QueueState.DONE.value
    elif ticket.assignee_id is None:
        ticket.queue_state = QueueState.UNASSIGNED.value
    else:
        ticket.queue_state = QueueState.ASSIGNED.value
    # The SLA promises a first answer: once answered (or finished) the ticket leaves the SLA queue.
    ticket.open_sla_due_at = ticket.sla_due_at if ticket.is_open and ticket.first_response_at is None else None


def _clean(text: str | None, limit: int) -> str:
    text = (text or "").replace("\x00", "").strip()
    return text[:limit]


def _event(session: Session, ticket: Ticket, actor: User | None, action: EventKind, *, body: str | None = None,
           from_status: str | None = None, to_status: str | None = None, internal: bool = False,
           actor_name: str | None = None, at: datetime | None = None) -> TicketEvent:
    entry = TicketEvent(ticket_id=ticket.id, at=at or utcnow(), actor_user_id=actor.id if actor else None,
                        actor=actor.username if actor else (actor_name or "system"), action=action.value,
                        body=body, from_status=from_status and str(from_status),
                        to_status=to_status and str(to_status), internal=internal)
    session.add(entry)
    return entry


def _set_status(session: Session, ticket: Ticket, status: TicketStatus, actor: User | None, action: EventKind,
                body: str | None = None, now: datetime | None = None) -> None:
    now = now or utcnow()
    previous = ticket.status
    ticket.status = status.value
    ticket.updated_at = now
    if status is TicketStatus.RESOLVED:
        ticket.resolved_at = now
    if status is TicketStatus.CLOSED:
        ticket.closed_at = now
    _sync_derived(ticket)
    _event(session, ticket, actor, action, from_status=previous, to_status=status, body=body, at=now)
    log.info("ticket %s: %s -> %s by %s", ticket.code, previous, status, actor.username if actor else "system")


def _take(ticket: Ticket, actor: User) -> None:
    """An unclaimed ticket becomes the answering operator's."""
    if ticket.assignee_id is None:
        ticket.assignee_id = actor.id
        ticket.assignee = actor


# --- intake --------------------------------------------------------------------------------

def _create_ticket(session: Session, *, kind: str, description: str, channel: str,
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
    existing = by_message(session, channel, channel_message_id)
    if existing is not None:
        return existing, False
    number = _next_number(session, year)  # takes the write lock: concurrent intakes queue here
    existing = by_message(session, channel, channel_message_id)  # a twin may have committed meanwhile
    if existing is not None:
        return existing, False
    result = triage(kind, description, province_code, commune_code)
    ticket = Ticket(
        code=format_code(year, number), kind=kind, description=description, status=TicketStatus.NEW.value,
        priority=result.priority, triage_reasons=",".join(result.reasons), channel=Channel(channel).value,
        reply_address=(reply_address or None) and str(reply_address)[:128],
        channel_message_id=channel_message_id, sender_id=sender_id and sender_id[:160],
        language=messages.language(language), phone=normalize_phone(phone),
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
    _event(session, ticket, taken_by, EventKind.CREATED, to_status=TicketStatus.NEW, actor_name="citizen", at=now,
           body=f"priority {result.priority}; queue {result.queue}; rules {','.join(result.reasons) or '-'}")
    log.info("ticket %s opened: kind=%s channel=%s priority=%s", ticket.code, kind, channel, ticket.priority)
    return ticket, True


@dataclass(frozen=True)
class Opened:
    """The outcome of an intake: the stored ticket, and False in `created` for a retried message.

    Attribute reads fall through to the ticket (`opened.code`), so callers that only show the
    ticket need not unwrap it.
    """

    ticket: Ticket
    created: bool

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "ticket":  # copy/pickle probe dunders before fields exist
            raise AttributeError(name)
        return getattr(self.ticket, name)


def open_ticket(db: Session | sessionmaker, **fields) -> Opened:
    """Create (or find, on a retried message) a ticket; keyword arguments are `_create_ticket`'s.

    Given a Session, it works inside the caller's transaction like every other operation, and the
    caller commits before telling anyone the code. Given a sessionmaker, it runs in a transaction
    of its own, committed before it returns (what a chat action or an API call needs).
    """
    if isinstance(db, Session):
        return Opened(*_create_ticket(db, **fields))
    try:
        with transaction(db) as session:
            return Opened(*_create_ticket(session, **fields))
    except IntegrityError:
        # Two identical requests raced past the check; the other one stored it.
        with transaction(db) as session:
            ticket = by_message(session, fields["channel"], fields.get("channel_message_id"))
        if ticket is None:
            raise
        return Opened(ticket=ticket, created=False)


# --- operator actions ------------------------------------------------------------------------

def claim(session: Session, ticket_id: int, user: User, now: datetime | None = None) -> bool:
    """Take an unassigned ticket. Exactly one of several simultaneous claims returns True."""
    now = now or utcnow()
    unassigned = [s.value for s in UNASSIGNED_STATUSES]
    won = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.assignee_id.is_(None), Ticket.status.in_(unassigned))
        .values(assignee_id=user.id, status=TicketStatus.ASSIGNED.value, queue_state=QueueState.ASSIGNED.value,
                updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return False
    ticket = get_ticket(session, ticket_id)
    session.refresh(ticket)
    _event(session, ticket, user, EventKind.CLAIMED, to_status=TicketStatus.ASSIGNED, at=now)
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
    if TicketStatus(ticket.status).is_unassigned:
        ticket.status = TicketStatus.ASSIGNED.value
    ticket.updated_at = now or utcnow()
    _sync_derived(ticket)
    _event(session, ticket, actor, EventKind.ASSIGNED, from_status=previous, to_status=ticket.status,
           body=assignee.username, at=now)
    return ticket


def change_status(session: Session, ticket_id: int, status: str, actor: User, note: str | None = None,
                  now: datetime | None = None) -> Ticket:
    """Move a ticket along its lifecycle; raises TicketError for a move the lifecycle forbids."""
    ticket = get_ticket(session, ticket_id, lock=True)
    if status == TicketStatus.RESOLVED:
        return resolve(session, ticket_id, actor, note, now=now)
    if status not in TRANSITIONS.get(ticket.status, ()):
        raise TicketError(f"cannot move a ticket from {ticket.status} to {status}")
    target = TicketStatus(status)
    if target in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_CITIZEN) and ticket.assignee_id is None:
        raise TicketError("claim the ticket first")
    if target is TicketStatus.TRIAGED:
        ticket.assignee_id = None
        ticket.assignee = None
    _set_status(session, ticket, target, actor, EventKind.STATUS, body=_clean(note, MAX_NOTE) or None, now=now)
    return ticket


def set_priority(session: Session, ticket_id: int, priority: int, actor: User) -> Ticket:
    """Override the rules' priority (the SLA due time stays as promised)."""
    if priority not in PRIORITY_NAMES:
        raise TicketError("priority must be 1 (high), 2 (normal) or 3 (low)")
    ticket = get_ticket(session, ticket_id, lock=True)
    old = ticket.priority
    ticket.priority = priority
    ticket.updated_at = utcnow()
    _event(session, ticket, actor, EventKind.PRIORITY, body=f"{PRIORITY_NAMES[old]} -> {PRIORITY_NAMES[priority]}")
    return ticket


def add_note(session: Session, ticket_id: int, actor: User, text: str) -> TicketEvent:
    """An internal note: operators see it, the citizen never does."""
    text = _clean(text, MAX_NOTE)
    if not text:
        raise TicketError("the note is empty")
    ticket = get_ticket(session, ticket_id)
    ticket.updated_at = utcnow()
    return _event(session, ticket, actor, EventKind.NOTE, body=text, internal=True)


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
    prefix = messages.citizen("reply_prefix", ticket.language, code=ticket.code)
    delivered = _send_to_citizen(session, ticket, prefix + text)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    _take(ticket, actor)
    if ticket.status != TicketStatus.WAITING_FOR_CITIZEN:
        _set_status(session, ticket, TicketStatus.WAITING_FOR_CITIZEN, actor, EventKind.STATUS, now=now)
    ticket.updated_at = now
    _sync_derived(ticket)
    return _event(session, ticket, actor, EventKind.REPLY, body=text, at=now,
                  internal=False, to_status=None if delivered else NOT_DELIVERED)


def reveal_phone(session: Session, ticket_id: int, actor: User, now: datetime | None = None) -> str:
    """The full phone number, for the handling officer only; each reveal is written in the history."""
    ticket = get_ticket(session, ticket_id)
    if ticket.assignee_id != actor.id:
        raise TicketError("only the officer handling this ticket can see the phone number")
    if not ticket.phone:
        raise TicketError("the citizen left no phone number")
    if not ticket.contact_consent:
        raise TicketError("the citizen did not agree to be called")
    _event(session, ticket, actor, EventKind.PHONE_REVEALED, at=now or utcnow(), internal=True)
    log.info("ticket %s: phone shown to %s", ticket.code, actor.username)
    return ticket.phone


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
    _take(ticket, actor)
    _set_status(session, ticket, TicketStatus.RESOLVED, actor, EventKind.RESOLVED, body=answer, now=now)
    text = messages.citizen("resolved_notice", ticket.language, code=ticket.code,
                            answer=f"\n{answer}" if answer else "")
    _send_to_citizen(session, ticket, text, buttons=messages.rating_buttons(ticket.language))
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
    back_to = TicketStatus.ASSIGNED if ticket.assignee_id else TicketStatus.TRIAGED
    _set_status(session, ticket, back_to, actor, EventKind.REOPENED, body=_clean(reason, MAX_NOTE) or None, now=now)
    return ticket


def rate(session: Session, ticket_id: int, rating: int, now: datetime | None = None) -> Ticket:
    """Record the citizen's 1–5 satisfaction rating of a resolved ticket."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise TicketError("rating must be a whole number from 1 to 5")
    ticket = get_ticket(session, ticket_id, lock=True)
    if TicketStatus(ticket.status).is_open:
        raise TicketError("only a resolved ticket can be rated")
    ticket.csat_rating = rating
    ticket.csat_at = now or utcnow()
    _event(session, ticket, None, EventKind.RATED, body=str(rating), actor_name="citizen", at=ticket.csat_at)
    return ticket


def citizen_message(session: Session, ticket_id: int, text: str) -> TicketEvent:
    """A follow-up the citizen sent about their ticket (shown in the history)."""
    text = _clean(text, MAX_NOTE)
    if not text:
        raise TicketError("the message is empty")
    ticket = get_ticket(session, ticket_id, lock=True)
    if ticket.status == TicketStatus.WAITING_FOR_CITIZEN:
        _set_status(session, ticket, TicketStatus.IN_PROGRESS, None, EventKind.STATUS)
    return _event(session, ticket, None, EventKind.CITIZEN_MESSAGE, body=text, actor_name="citizen")
