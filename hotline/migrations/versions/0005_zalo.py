"""Zalo Official Account channel.

- zalo_tokens: the OA access/refresh token pair of each Zalo app, refreshed by whichever
  process needs it first (a lease column keeps two processes from spending the single-use
  refresh token at once); survives restarts, never written to a log.
- zalo_events: webhook events already taken (by msg_id), so a retried or replayed event is
  never processed twice.

Revision ID: 0005_zalo
Revises: 0004_lookup_failures
Create Date: 2026-12-10
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_zalo"
down_revision = "0004_lookup_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("seed_hash", sa.String(64), nullable=False),
        sa.Column("refresh_lease_until", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_tokens")),
    )
    op.create_table(
        "zalo_events",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_zalo_events")),
    )
    op.create_index("ix_zalo_events_received_at", "zalo_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_zalo_events_received_at", table_name="zalo_events")
    op.drop_table("zalo_events")
    op.drop_table("zalo_tokens")
