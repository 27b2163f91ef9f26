"""Dossier tables (dossiers, their status history, subscriptions) and the record shape coming in.

Moments are aware datetimes stored as UTC (`hotline.dbtypes.UTCDateTime`, like every other
hotline table; migration 0008 converted the older Vietnam wall-clock rows). Vietnam time is
only for display and for the working-day calendar (`hotline.workcalendar.to_vn`).
The applicant's phone is never stored in full: only a masked form for operators and the
last four digits the citizen proves knowledge of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from hotline.db import Base
from hotline.dbtypes import UTCDateTime
from hotline.dossiers.enums import FINISHED, DossierStatus


class Dossier(Base):
    __tablename__ = "dossiers"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    procedure_code = Column(String(20), nullable=False, default="")
    procedure_name = Column(String(400), nullable=False, default="")
    agency = Column(String(200), nullable=False, default="")
    ward_code = Column(String(10), nullable=False, default="")
    ward_name = Column(String(120), nullable=False, default="")
    province_name = Column(String(120), nullable=False, default="")
    received_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=True)
    status = Column(String(40), nullable=False, default=DossierStatus.RECEIVED.value)
    status_message = Column(Text, nullable=False, default="")
    status_changed_at = Column(UTCDateTime, nullable=False)
    completed_at = Column(UTCDateTime, nullable=True)
    phone_masked = Column(String(20), nullable=False, default="")
    phone_last4 = Column(String(4), nullable=False, default="")
    source = Column(String(20), nullable=False, default="import")
    updated_at = Column(UTCDateTime, nullable=False)

    events = relationship(
        "DossierStatusEvent", back_populates="dossier", order_by="DossierStatusEvent.occurred_at",
        cascade="all, delete-orphan",
    )
    subscriptions = relationship("DossierSubscription", back_populates="dossier", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_dossiers_status_due_at", "status", "due_at"),
        Index("ix_dossiers_due_at", "due_at"),
    )

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class DossierStatusEvent(Base):
    __tablename__ = "dossier_status_events"

    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(40), nullable=False)
    message = Column(Text, nullable=False, default="")
    occurred_at = Column(UTCDateTime, nullable=False)
    source = Column(String(20), nullable=False, default="import")

    dossier = relationship("Dossier", back_populates="events")

    __table_args__ = (UniqueConstraint("dossier_id", "status", "occurred_at", name="uq_dossier_status_events_moment"),)


class DossierSubscription(Base):
    __tablename__ = "dossier_subscriptions"

    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)  # a hotline.enums.Channel value that can receive replies
    recipient = Column(String(200), nullable=False)
    language = Column(String(2), nullable=False, default="vi")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)

    dossier = relationship("Dossier", back_populates="subscriptions")

    __table_args__ = (
        UniqueConstraint("dossier_id", "channel", "recipient", name="uq_dossier_subscriptions_target"),
    )


# ------------------------------------------------------------------ records coming in

@dataclass
class StatusUpdate:
    status: str
    occurred_at: datetime
    message: str = ""


@dataclass
class DossierRecord:
    """One dossier as an import file or the provincial API describes it (already validated)."""

    code: str
    received_at: datetime
    status: str
    status_at: datetime
    procedure_code: str = ""
    procedure_name: str = ""
    agency: str = ""
    ward_code: str = ""
    ward_name: str = ""
    province_name: str = ""
    due_at: datetime | None = None
    message: str = ""
    phone: str = ""
    history: list[StatusUpdate] = field(default_factory=list)
