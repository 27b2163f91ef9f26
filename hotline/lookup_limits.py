"""Limits on guessing: failed citizen lookups counted per sender *and* per code, in the database.

A dossier is shown for its code plus the last 4 digits of the applicant's phone; a ticket's
answer likewise. Counting failures only per sender let an attacker rotate widget sessions and
try all 10,000 digit combinations of one code. Here every failure is recorded with a hash of
the sender and the code it was for; a sender past `SENDER_LIMIT` or a code past its
`CODE_LIMIT` in the last hour is refused (neutrally: unknown codes are counted the same way,
so a lock says nothing about whether the code exists). Locked codes are listed in the console.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Column, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Session

from hotline.db import Base
from hotline.dbtypes import UTCDateTime, utcnow

KEEP = timedelta(days=2)  # older failures never matter again


class LookupKind(str, Enum):
    DOSSIER = "dossier"  # sender: chat id; code: dossier code
    TICKET = "ticket"  # sender: chat id; code: ticket code
    LOGIN = "login"  # sender: the client's address; code: a hash of the username tried


SENDER_LIMIT = {LookupKind.DOSSIER: 5, LookupKind.TICKET: 5, LookupKind.LOGIN: 10}
CODE_LIMIT = {LookupKind.DOSSIER: 10, LookupKind.TICKET: 5, LookupKind.LOGIN: 10}
WINDOWS = {LookupKind.DOSSIER: timedelta(hours=1), LookupKind.TICKET: timedelta(hours=1),
           LookupKind.LOGIN: timedelta(minutes=15)}


class LookupFailure(Base):
    """One failed lookup: who (hashed), which code, when (UTC)."""

    __tablename__ = "lookup_failures"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    sender_key = Column(String(64), nullable=False)
    code = Column(String(40), nullable=False)
    at = Column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_lookup_failures_sender", "kind", "sender_key", "at"),
        Index("ix_lookup_failures_code", "kind", "code", "at"),
    )


@dataclass(frozen=True)
class Pause:
    """Whether a lookup may go ahead; when not, for how long and why."""

    minutes: int = 0
    by_code: bool = False
    tries_left: int = 0

    @property
    def blocked(self) -> bool:
        return self.minutes > 0


def sender_key(sender: str) -> str:
    """Senders are stored hashed: the table must not become a list of chat ids."""
    return hashlib.sha256((sender or "").encode("utf-8", "replace")).hexdigest()


def _recent(session: Session, column, value: str, kind: LookupKind, now: datetime, limit: int) -> list[datetime]:
    return list(session.execute(
        select(LookupFailure.at)
        .where(LookupFailure.kind == kind.value, column == value, LookupFailure.at > now - WINDOWS[kind])
        .order_by(LookupFailure.at.desc()).limit(limit)
    ).scalars())


def _minutes_until_free(times: list[datetime], limit: int, now: datetime, window: timedelta) -> int:
    if len(times) < limit:
        return 0
    frees_at = times[limit - 1] + window  # the oldest of the last `limit` leaving the window frees a try
    return max(1, math.ceil((frees_at - now).total_seconds() / 60))


def check(session: Session, kind: LookupKind, sender: str, code: str, now: datetime | None = None) -> Pause:
    """May `sender` try `code` now? Code locks win: they protect the citizen whose code it is."""
    now = now or utcnow()
    code_limit, sender_limit = CODE_LIMIT[kind], SENDER_LIMIT[kind]
    by_code = _recent(session, LookupFailure.code, code, kind, now, code_limit)
    wait = _minutes_until_free(by_code, code_limit, now, WINDOWS[kind])
    if wait:
        return Pause(wait, by_code=True)
    by_sender = _recent(session, LookupFailure.sender_key, sender_key(sender), kind, now, sender_limit)
    wait = _minutes_until_free(by_sender, sender_limit, now, WINDOWS[kind])
    return Pause(wait, tries_left=0) if wait else Pause(tries_left=min(sender_limit - len(by_sender),
                                                                        code_limit - len(by_code)))


def record_failure(session: Session, kind: LookupKind, sender: str, code: str, now: datetime | None = None) -> Pause:
    """Count one failure; the pause that now applies (tries_left tells how many remain)."""
    now = now or utcnow()
    session.add(LookupFailure(kind=kind.value, sender_key=sender_key(sender), code=code[:40], at=now))
    session.execute(delete(LookupFailure).where(LookupFailure.at < now - KEEP))
    session.flush()
    return check(session, kind, sender, code, now)


@dataclass(frozen=True)
class LockedCode:
    kind: str
    code: str
    failures: int
    last_at: datetime


def locked_codes(session: Session, now: datetime | None = None) -> list[LockedCode]:
    """Dossier and ticket codes past their limit in the last hour (for the console): someone may
    be guessing their digits."""
    now = now or utcnow()
    kinds = (LookupKind.DOSSIER.value, LookupKind.TICKET.value)
    rows = session.execute(
        select(LookupFailure.kind, LookupFailure.code, func.count(LookupFailure.id), func.max(LookupFailure.at))
        .where(LookupFailure.at > now - timedelta(hours=1), LookupFailure.kind.in_(kinds))
        .group_by(LookupFailure.kind, LookupFailure.code)
    ).all()
    locked = [LockedCode(kind, code, int(count), last) for kind, code, count, last in rows
              if int(count) >= CODE_LIMIT[LookupKind(kind)]]
    return sorted(locked, key=lambda item: item.last_at, reverse=True)
