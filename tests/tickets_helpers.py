"""Helpers shared by the ticket tests (not a test module)."""

from __future__ import annotations

from hotline.db import make_engine, make_session_factory, transaction
from hotline.users import create_user


def new_factory(url: str):
    engine = make_engine(url)
    return engine, make_session_factory(engine)


def add_user(sessions, username: str, role: str = "operator", password: str = "mat-khau-123"):
    with transaction(sessions) as session:
        return create_user(session, username, password, role, display_name=username.title(), rounds=4)


def complaint(**overrides) -> dict:
    fields = dict(kind="complaint", description="Xã không trả lời đơn của tôi", channel="web",
                  reply_address="sess-1", sender_id="web:sess-1", phone="0912345678",
                  province_code="01", province_name="Thành phố Hà Nội",
                  commune_code="00004", commune_name="Phường Ba Đình")
    fields.update(overrides)
    return fields
