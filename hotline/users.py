"""Console users (operators and supervisors): bcrypt passwords, throttled logins, server-side sessions.

- An unknown username costs the same bcrypt work as a known one (a dummy hash of the same
  cost), so timing does not tell which usernames exist.
- Failed logins are counted per account and per client address (hotline.lookup_limits);
  past 10 in 15 minutes, logins from there / to that account wait.
- A login opens a row in `console_sessions`; the cookie only names it. Logout closes it and a
  password change closes all of the user's, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import bcrypt
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Session

from hotline import lookup_limits
from hotline.db import Base
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.lookup_limits import LookupKind

ROLES = ("operator", "supervisor")
BCRYPT_ROUNDS = 12
SESSION_HOURS = 12


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    display_name = Column(String(128), nullable=False, default="")
    password_hash = Column(String(128), nullable=False)
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def label(self) -> str:
        return self.display_name or self.username


class ConsoleSession(Base):
    """A logged-in console session; the cookie holds only its random id."""

    __tablename__ = "console_sessions"

    id = Column(String(64), primary_key=True)
    user_id = Column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at = Column(UTCDateTime, nullable=True)


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    """Compared against when the username is unknown: the same cost as a real password check."""
    return bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=BCRYPT_ROUNDS))


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def create_user(session: Session, username: str, password: str, role: str,
                display_name: str = "", rounds: int = BCRYPT_ROUNDS) -> User:
    """Add a user; raises ValueError on a bad role, short password or taken username."""
    username = username.strip()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64:
        raise ValueError("username must be 1-64 characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, password_hash=hash_password(password, rounds), role=role,
                display_name=display_name or username, active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else None (same cost either way)."""
    user = session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    stored = user.password_hash.encode("ascii") if user else _dummy_hash()
    ok = bcrypt.checkpw(password.encode("utf-8"), stored)
    return user if (ok and user is not None and user.active) else None


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    session_id: str = ""
    wait_minutes: int = 0  # throttled: too many failures for this account or from this address


def _account_key(username: str) -> str:
    return "u:" + hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()[:38]


def login(session: Session, username: str, password: str, address: str, now: datetime | None = None) -> LoginResult:
    """Check the throttle, then the password; on success open a server-side session."""
    now = now or utcnow()
    account = _account_key(username)
    pause = lookup_limits.check(session, LookupKind.LOGIN, address, account, now)
    if pause.blocked:
        return LoginResult(wait_minutes=pause.minutes)
    user = authenticate(session, username, password)
    if user is None:
        lookup_limits.record_failure(session, LookupKind.LOGIN, address, account, now)
        return LoginResult()
    session_id = secrets.token_urlsafe(32)
    session.add(ConsoleSession(id=session_id, user_id=user.id, created_at=now))
    session.flush()
    return LoginResult(user=user, session_id=session_id)


def session_user(session: Session, session_id: object, now: datetime | None = None) -> User | None:
    """The active user of an open, unexpired console session, else None."""
    if not isinstance(session_id, str) or not session_id:
        return None
    now = now or utcnow()
    row = session.get(ConsoleSession, session_id)
    if row is None or row.revoked_at is not None or row.created_at < now - timedelta(hours=SESSION_HOURS):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def end_session(session: Session, session_id: object) -> None:
    if isinstance(session_id, str) and session_id:
        session.execute(update(ConsoleSession).where(ConsoleSession.id == session_id,
                                                     ConsoleSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def set_password(session: Session, user: User, password: str, rounds: int = BCRYPT_ROUNDS) -> None:
    """A new password; every open session of the user is closed."""
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    user.password_hash = hash_password(password, rounds)
    session.execute(update(ConsoleSession).where(ConsoleSession.user_id == user.id,
                                                 ConsoleSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    session.flush()


def get_user(session: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return session.get(User, user_id)


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).where(User.active.is_(True)).order_by(User.username)).scalars())
