"""Canned replies: answers operators give again and again, kept by supervisors, with placeholders.

Placeholders are filled when an operator inserts a reply into a ticket's reply box:
{ma_phan_anh} the ticket code, {han} its SLA due time, {tong_dai} the hotline number
(English aliases {code}, {due}, {hotline}). Anything else in braces is left as written, so a
typo shows up in the reply box instead of failing.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Text, select
from sqlalchemy.orm import Session

from hotline.db import Base
from hotline.dbtypes import UTCDateTime, utcnow
from hotline.tickets.messages import local_time
from hotline.users import User

MAX_TITLE = 120
MAX_BODY = 5000
PLACEHOLDERS = {
    "ma_phan_anh": "mã phản ánh", "han": "hạn trả lời", "tong_dai": "số tổng đài",
}
ALIASES = {"code": "ma_phan_anh", "due": "han", "hotline": "tong_dai"}


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    title = Column(String(MAX_TITLE), nullable=False)
    body = Column(Text, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    updated_by = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class CannedError(ValueError):
    """A change that cannot be made; the message is safe to show."""


def _check(actor: User, title: str, body: str) -> tuple[str, str]:
    if not actor.is_supervisor:
        raise CannedError("Chỉ giám sát viên được sửa câu trả lời mẫu.")
    title, body = (title or "").strip()[:MAX_TITLE], (body or "").replace("\x00", "").strip()[:MAX_BODY]
    if not title or not body:
        raise CannedError("Cần có tên và nội dung.")
    return title, body


def list_replies(session: Session, include_inactive: bool = False) -> list[CannedReply]:
    query = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
    if not include_inactive:
        query = query.where(CannedReply.active.is_(True))
    return list(session.execute(query).scalars())


def save_reply(session: Session, actor: User, title: str, body: str, reply_id: int | None = None,
               active: bool = True) -> CannedReply:
    """Create (no id) or change a canned reply; supervisors only."""
    title, body = _check(actor, title, body)
    if reply_id is None:
        reply = CannedReply(title=title, body=body, active=active, updated_by=actor.username)
        session.add(reply)
    else:
        reply = session.get(CannedReply, reply_id)
        if reply is None:
            raise CannedError("Không có câu trả lời mẫu này.")
        reply.title, reply.body, reply.active = title, body, active
        reply.updated_by, reply.updated_at = actor.username, utcnow()
    session.flush()
    return reply


def fill(body: str, *, code: str, due, hotline: str) -> str:
    """The reply with its placeholders replaced (plain replacement: no format-string surprises)."""
    values = {"ma_phan_anh": code, "han": local_time(due) if due else "",
              "tong_dai": hotline}
    for alias, name in ALIASES.items():
        values[alias] = values[name]
    for name, value in values.items():
        body = body.replace("{" + name + "}", value)
    return body
