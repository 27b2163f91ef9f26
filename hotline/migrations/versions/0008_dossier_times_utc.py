"""Dossier times in UTC, like every other hotline table.

Until now the dossier tables held naive Vietnam wall-clock time; the code now reads and writes
them through `hotline.dbtypes.UTCDateTime` (naive UTC in the column). Vietnam has had no
daylight saving time since 1975, so converting is subtracting 7 hours (downgrade adds them back).
No DDL: the column types stay TIMESTAMP WITHOUT TIME ZONE / SQLite text.

SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff": the date part is shifted with datetime() and the
fraction kept as it was, so stored values keep SQLAlchemy's format (string comparison on SQLite
depends on it). The status history is unique per (dossier, status, moment), and both databases
check that row by row during an UPDATE: that column first goes far into the future (no stored
moment is there) and then to its target, so no intermediate row can collide with another.

Revision ID: 0008_dossier_times_utc
Revises: 0007_conversation_turns
Create Date: 2026-11-30
"""
from alembic import op

revision = "0008_dossier_times_utc"
down_revision = "0007_conversation_turns"
branch_labels = None
depends_on = None

COLUMNS = (
    ("dossiers", "received_at"),
    ("dossiers", "due_at"),
    ("dossiers", "status_changed_at"),
    ("dossiers", "completed_at"),
    ("dossiers", "updated_at"),
    ("dossier_subscriptions", "created_at"),
)
UNIQUE_COLUMN = ("dossier_status_events", "occurred_at")  # part of uq_dossier_status_events_moment
PARKING_DAYS = 1_000_000  # ~2,700 years: beyond every real moment, within both databases' ranges


def _shift(table: str, column: str, hours: int, days: int = 0) -> None:
    if op.get_bind().dialect.name == "sqlite":
        modifiers = ", ".join(f"'{value:+d} {unit}'" for value, unit in ((days, "days"), (hours, "hours")) if value)
        expression = f"datetime(substr({column}, 1, 19), {modifiers}) || substr({column}, 20)"
    else:
        expression = f"{column} + interval '{days} days {hours} hours'"
    op.execute(f"UPDATE {table} SET {column} = {expression} WHERE {column} IS NOT NULL")


def _convert(hours: int) -> None:
    for table, column in COLUMNS:
        _shift(table, column, hours)
    table, column = UNIQUE_COLUMN
    _shift(table, column, 0, PARKING_DAYS)
    _shift(table, column, hours, -PARKING_DAYS)


def upgrade() -> None:
    _convert(-7)  # Vietnam wall-clock → UTC


def downgrade() -> None:
    _convert(+7)  # UTC → Vietnam wall-clock
