"""Console users (operators and supervisors) with bcrypt-hashed passwords."""

from __future__ import annotations

import bcrypt
from sqlalchemy import Boolean, Column, Integer, String, select
from sqlalchemy.orm import Session

from hotline.db import Base
from hotline.dbtypes import UTCDateTime, utcnow

ROLES = ("operator", "supervisor")
# A fixed hash to compare against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=4))


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


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def create_user(session: Session, username: str, password: str, role: str,
                display_name: str = "", rounds: int = 12) -> User:
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
    """The active user with this username and password, else None."""
    user = session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    stored = user.password_hash.encode("ascii") if user else _DUMMY_HASH
    ok = bcrypt.checkpw(password.encode("utf-8"), stored)
    return user if (ok and user is not None and user.active) else None


def get_user(session: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return session.get(User, user_id)


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).where(User.active.is_(True)).order_by(User.username)).scalars())
