"""Guessing limits and server-side console sessions.

- lookup_failures: failed lookups counted per sender and per code (dossiers, tickets, console
  logins), times in UTC; replaces dossier_lookup_attempts (per sender only, local time).
- console_sessions: a console login's session, revoked by logout or a password change.
Also joins the tickets and dossiers branches into one head.

Revision ID: 0004_lookup_failures
Revises: 0002_tickets, 0003_dossiers
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_lookup_failures"
down_revision = ("0002_tickets", "0003_dossiers")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_failures")),
    )
    op.create_index("ix_lookup_failures_sender", "lookup_failures", ["kind", "sender_key", "at"])
    op.create_index("ix_lookup_failures_code", "lookup_failures", ["kind", "code", "at"])
    op.drop_table("dossier_lookup_attempts")  # failures older than an hour never matter
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_console_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])


def downgrade() -> None:
    op.create_table(
        "dossier_lookup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_lookup_attempts")),
    )
    op.create_index("ix_dossier_lookup_attempts_sender_at", "dossier_lookup_attempts", ["sender_key", "attempted_at"])
    op.drop_table("lookup_failures")
    op.drop_table("console_sessions")
