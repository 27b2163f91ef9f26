"""Migration 0008: dossier times stored as Vietnam wall-clock become UTC, and back (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select

from hotline.db import alembic_config, make_engine, make_session_factory, upgrade
from hotline.dossiers import get_by_code, view_of
from hotline.workcalendar import VN_TZ

BEFORE = "0007_conversation_turns"
CODE = "000.00.31.H29-250715-0012"

# The tables as revision 0007 left them, written the old way: naive Vietnam wall-clock time.
old = MetaData()
dossiers = Table(
    "dossiers", old, Column("id", Integer, primary_key=True), Column("code", String), Column("procedure_code", String),
    Column("procedure_name", String), Column("agency", String), Column("ward_code", String),
    Column("ward_name", String), Column("province_name", String), Column("received_at", DateTime),
    Column("due_at", DateTime), Column("status", String), Column("status_message", Text),
    Column("status_changed_at", DateTime), Column("completed_at", DateTime), Column("phone_masked", String),
    Column("phone_last4", String), Column("source", String), Column("updated_at", DateTime),
)
events = Table("dossier_status_events", old, Column("id", Integer, primary_key=True), Column("dossier_id", Integer),
               Column("status", String), Column("message", Text), Column("occurred_at", DateTime),
               Column("source", String))

RECEIVED = datetime(2025, 7, 15, 9, 30)
DUE = datetime(2025, 7, 24, 17, 0)
# Two moments of the same status 7 hours apart: converting one must not collide with the other.
FIRST, SECOND = datetime(2025, 7, 16, 3, 0, 0, 250000), datetime(2025, 7, 16, 10, 0, 0, 250000)


def test_dossier_times_become_utc_and_come_back(database_url):
    command.downgrade(alembic_config(database_url), BEFORE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(dossiers.insert().values(
                id=1, code=CODE, procedure_code="1.004222", procedure_name="Đăng ký thường trú", agency="UBND",
                ward_code="", ward_name="", province_name="", received_at=RECEIVED, due_at=DUE,
                status="in_processing", status_message="", status_changed_at=SECOND, completed_at=None,
                phone_masked="091*****78", phone_last4="5678", source="import", updated_at=SECOND))
            connection.execute(events.insert(), [
                dict(id=1, dossier_id=1, status="in_processing", message="", occurred_at=FIRST, source="import"),
                dict(id=2, dossier_id=1, status="in_processing", message="", occurred_at=SECOND, source="import"),
            ])
        upgrade(database_url)
        with make_session_factory(engine)() as session:
            dossier = get_by_code(session, CODE)
            assert dossier.received_at == RECEIVED.replace(tzinfo=VN_TZ)
            assert dossier.due_at == DUE.replace(tzinfo=VN_TZ) and dossier.completed_at is None
            assert [e.occurred_at for e in dossier.events] == [FIRST.replace(tzinfo=VN_TZ),
                                                               SECOND.replace(tzinfo=VN_TZ)]
            view = view_of(dossier, datetime(2025, 7, 25, 9, 0, tzinfo=VN_TZ))
            assert view.due_at == DUE.replace(tzinfo=VN_TZ) and view.overdue and view.days_late == 1
        with engine.connect() as connection:  # in the column: naive UTC
            assert connection.execute(select(dossiers.c.due_at)).scalar_one() == datetime(2025, 7, 24, 10, 0)
        command.downgrade(alembic_config(database_url), BEFORE)
        with engine.connect() as connection:
            assert connection.execute(select(dossiers.c.received_at, dossiers.c.due_at)).one() == (RECEIVED, DUE)
            assert sorted(connection.execute(select(events.c.occurred_at)).scalars()) == [FIRST, SECOND]
        upgrade(database_url)
    finally:
        engine.dispose()


def test_the_overdue_rate_groups_by_the_vietnam_month_of_the_due_date(database_url):
    from hotline.db import transaction
    from hotline.dossiers import DossierRecord, upsert_dossier
    from hotline.dossiers.reports import overdue_rate_by_month

    def vn(*args) -> datetime:
        return datetime(*args, tzinfo=VN_TZ)

    engine = make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        with transaction(sessions) as session:
            # Due 00:30 on 1 April in Vietnam: still 31 March in UTC, an April dossier here.
            upsert_dossier(session, DossierRecord(code=CODE, received_at=vn(2026, 3, 2, 9, 0), status="in_processing",
                                                  status_at=vn(2026, 3, 2, 9, 0), due_at=vn(2026, 4, 1, 0, 30)))
        with sessions() as session:
            months = overdue_rate_by_month(session, vn(2026, 4, 10, 12, 0), since="2026-04")
        assert [(m.period, m.due, m.still_overdue) for m in months] == [("2026-04", 1, 1)]
    finally:
        engine.dispose()
