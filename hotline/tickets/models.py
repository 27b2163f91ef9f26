"""The ticket tables: tickets, their append-only history, and the per-year code counter.

The schema is the migrations' (hotline/migrations/versions/0002, 0006); tests/test_migrations.py
checks that these classes still match them.
"""

from __future__ import annotations

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
)
from sqlalchemy.orm import relationship

from hotline import sla
from hotline.db import Base
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.masking import mask_phone
from hotline.tickets.enums import QueueState, TicketStatus
from hotline.tickets.errors import TicketError
from hotline.triage import PRIORITY_NAMES
from hotline.users import User


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
    status = Column(String(24), nullable=False, default=TicketStatus.NEW.value)
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
    queue_state = Column(SmallInteger, nullable=False, default=QueueState.UNASSIGNED.value)
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
    action = Column(String(24), nullable=False)    # an EventKind
    from_status = Column(String(24), nullable=True)
    to_status = Column(String(24), nullable=True)
    body = Column(Text, nullable=True)
    internal = Column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _history_is_append_only(_mapper, _connection, target) -> None:
    raise TicketError("ticket history is append-only")
