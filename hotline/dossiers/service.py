"""Dossier operations, each taking a Session: status rules, upsert, subscriptions, the reader's view.

Moments go in and come out aware (stored as UTC); a naive moment handed in is taken as Vietnam
time, as everywhere in the calendar. Texts come from `hotline.dossiers.messages`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines import days_late, is_due_soon, is_overdue
from hotline.dossiers.enums import CLOCK_RUNNING, FINISHED, STATUSES, DossierStatus
from hotline.dossiers.messages import status_change_text, status_label
from hotline.dossiers.models import Dossier, DossierRecord, DossierStatusEvent, DossierSubscription
from hotline.enums import Channel
from hotline.masking import mask_phone, phone_digits
from hotline.notify import enqueue_message
from hotline.workcalendar import now_vn, to_vn

log = logging.getLogger(__name__)

# Which status may follow which. Finished dossiers stay finished: a refused or withdrawn
# dossier that comes back is a new dossier with a new code in the provincial systems.
_S = DossierStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    _S.RECEIVED: frozenset({_S.IN_PROCESSING, _S.NEEDS_DOCUMENTS, _S.TRANSFERRED, _S.COMPLETED, _S.RETURNED,
                            _S.WITHDRAWN}),
    _S.IN_PROCESSING: frozenset({_S.NEEDS_DOCUMENTS, _S.TRANSFERRED, _S.COMPLETED, _S.RETURNED, _S.WITHDRAWN}),
    _S.NEEDS_DOCUMENTS: frozenset({_S.IN_PROCESSING, _S.RECEIVED, _S.TRANSFERRED, _S.RETURNED, _S.WITHDRAWN}),
    _S.TRANSFERRED: frozenset({_S.IN_PROCESSING, _S.NEEDS_DOCUMENTS, _S.COMPLETED, _S.RETURNED, _S.WITHDRAWN}),
    _S.COMPLETED: frozenset(),
    _S.RETURNED: frozenset(),
    _S.WITHDRAWN: frozenset(),
}


def aware(moment: datetime | None) -> datetime | None:
    """An aware moment for a UTC column (naive input is Vietnam time, as in the calendar)."""
    return to_vn(moment) if moment is not None else None


class InvalidTransition(ValueError):
    """A status change the rules do not allow (e.g. completed → in processing)."""


@dataclass
class UpsertResult:
    dossier: Dossier
    created: bool = False
    changed: bool = False
    status_changed: bool = False
    notified: int = 0


# ------------------------------------------------------------------ repository

def get_by_code(session: Session, code: str) -> Dossier | None:
    """The dossier with this (normalised) code, or None."""
    return session.execute(select(Dossier).where(Dossier.code == code)).scalar_one_or_none()


def check_transition(current: str, new: str) -> None:
    """Raise InvalidTransition unless `current` → `new` is allowed (same status is a no-op)."""
    if new not in STATUSES:
        raise InvalidTransition(f"unknown status {new!r}")
    if new != current and new not in TRANSITIONS[current]:
        raise InvalidTransition(f"{current} → {new} is not allowed")


def _add_event(session: Session, dossier: Dossier, status: str, message: str, at: datetime, source: str) -> bool:
    at = aware(at)
    for event in dossier.events:
        if event.status == status and event.occurred_at == at:
            return False
    dossier.events.append(DossierStatusEvent(status=status, message=message or "", occurred_at=at, source=source))
    return True


def change_status(
    session: Session, dossier: Dossier, new_status: str, *, message: str = "",
    at: datetime | None = None, source: str = "operator",
) -> bool:
    """Apply a validated status change, record it in the history, notify subscribers.

    Returns True when the status actually changed. A repeated status only refreshes the
    agency's message.
    """
    check_transition(dossier.status, new_status)
    at = at or now_vn()
    if new_status == dossier.status:
        if message and message != dossier.status_message:
            dossier.status_message = message
            dossier.updated_at = now_vn()
        return False
    dossier.status = new_status
    dossier.status_message = message or ""
    dossier.status_changed_at = aware(at)
    dossier.completed_at = aware(at) if new_status in FINISHED else None
    dossier.updated_at = now_vn()
    _add_event(session, dossier, new_status, message, at, source)
    notify_subscribers(session, dossier)
    return True


def _fields_of(record: DossierRecord) -> dict:
    fields = dict(
        procedure_code=record.procedure_code, procedure_name=record.procedure_name, agency=record.agency,
        ward_code=record.ward_code, ward_name=record.ward_name, province_name=record.province_name,
        received_at=aware(record.received_at), due_at=aware(record.due_at),
    )
    if record.phone:
        fields.update(phone_masked=mask_phone(record.phone), phone_last4=phone_digits(record.phone)[-4:])
    return fields


def upsert_dossier(
    session: Session, record: DossierRecord, source: str = "import", existing: Dossier | None = None
) -> UpsertResult:
    """Create or update one dossier by code; never duplicates, validates status changes.

    `existing` lets a batch import pass the dossier it already loaded (with its events).
    An impossible status change raises InvalidTransition before anything is modified.
    """
    dossier = existing if existing is not None else get_by_code(session, record.code)
    fields = _fields_of(record)
    if dossier is None:
        dossier = Dossier(
            code=record.code, status=record.status, status_message=record.message or "",
            status_changed_at=aware(record.status_at), source=source, updated_at=now_vn(),
            completed_at=aware(record.status_at) if record.status in FINISHED else None,
            **{"phone_masked": "", "phone_last4": "", **fields},
        )
        session.add(dossier)
        for update in sorted(record.history, key=lambda u: aware(u.occurred_at)):
            _add_event(session, dossier, update.status, update.message, update.occurred_at, source)
        _add_event(session, dossier, record.status, record.message, record.status_at, source)
        return UpsertResult(dossier, created=True, changed=True)
    check_transition(dossier.status, record.status)
    changed = False
    for name, value in fields.items():
        if value is not None and getattr(dossier, name) != value:
            setattr(dossier, name, value)
            changed = True
    for update in record.history:
        changed |= _add_event(session, dossier, update.status, update.message, update.occurred_at, source)
    status_changed = False
    if record.status != dossier.status:
        status_changed = change_status(
            session, dossier, record.status, message=record.message, at=record.status_at, source=source
        )
        changed = True
    elif record.message and record.message != dossier.status_message:
        dossier.status_message = record.message
        changed = True
    if changed:
        dossier.updated_at = now_vn()
    return UpsertResult(dossier, changed=changed, status_changed=status_changed)


def subscribe(session: Session, dossier: Dossier, channel: Channel | str, recipient: str,
              language: str = "vi") -> bool:
    """Ask to be told of status changes; True when newly subscribed (repeats are harmless).

    ValueError for a channel the outbox cannot deliver to (a logged phone call, the API).
    """
    channel = Channel(channel)
    if not channel.can_receive_replies:
        raise ValueError(f"status changes cannot be sent to the {channel.value} channel")
    channel = channel.value  # the column holds the plain value
    existing = session.execute(
        select(DossierSubscription).where(
            DossierSubscription.dossier_id == dossier.id,
            DossierSubscription.channel == channel,
            DossierSubscription.recipient == recipient,
        )
    ).scalar_one_or_none()
    if existing is not None:
        was_active = existing.active
        existing.active, existing.language = True, language
        return not was_active
    session.add(DossierSubscription(
        dossier=dossier, channel=channel, recipient=recipient, language=language,
        created_at=now_vn(),
    ))
    return True


def notify_subscribers(session: Session, dossier: Dossier) -> int:
    """Queue the status-change notice to every active subscriber through the outbox."""
    subscriptions = [s for s in dossier.subscriptions if s.active] if dossier.id else []
    if not subscriptions:
        return 0
    for subscription in subscriptions:
        enqueue_message(session, subscription.channel, subscription.recipient,
                        status_change_text(dossier.code, dossier.status, dossier.status_message,
                                           subscription.language))
    return len(subscriptions)


# ------------------------------------------------------------------ what a reader sees

@dataclass(frozen=True)
class DossierView:
    """What a verified citizen or an operator may see of a dossier (phone masked)."""

    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    ward_name: str
    province_name: str
    status: str
    received_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    last_message: str
    phone_masked: str
    overdue: bool
    due_soon: bool
    days_late: int

    def label(self, lang: str = "vi") -> str:
        return status_label(self.status, lang)


def view_of(dossier: Dossier, now: datetime | None = None) -> DossierView:
    """Compute the deadline state of a dossier at `now`."""
    now = now or now_vn()
    clock_stopped = dossier.status not in CLOCK_RUNNING
    due = to_vn(dossier.due_at) if dossier.due_at else None
    completed_at = to_vn(dossier.completed_at) if dossier.completed_at else None
    return DossierView(
        code=dossier.code, procedure_code=dossier.procedure_code, procedure_name=dossier.procedure_name,
        agency=dossier.agency, ward_name=dossier.ward_name, province_name=dossier.province_name,
        status=dossier.status, received_at=to_vn(dossier.received_at), due_at=due, completed_at=completed_at,
        last_message=dossier.status_message, phone_masked=dossier.phone_masked,
        overdue=is_overdue(due, now, clock_stopped),
        due_soon=is_due_soon(due, now, clock_stopped),
        days_late=days_late(due, now, completed_at=completed_at) if dossier.status == DossierStatus.COMPLETED
        else (days_late(due, now) if not clock_stopped else 0),
    )
