"""Dossiers, their status history, subscriptions and citizen lookup attempts.

Revision ID: 0003_dossiers
Revises: 0001_base
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_dossiers"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("procedure_code", sa.String(20), nullable=False),
        sa.Column("procedure_name", sa.String(400), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("ward_code", sa.String(10), nullable=False),
        sa.Column("ward_name", sa.String(120), nullable=False),
        sa.Column("province_name", sa.String(120), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("phone_masked", sa.String(20), nullable=False),
        sa.Column("phone_last4", sa.String(4), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("code", name=op.f("uq_dossiers_code")),
    )
    op.create_index("ix_dossiers_status_due_at", "dossiers", ["status", "due_at"])
    op.create_index("ix_dossiers_due_at", "dossiers", ["due_at"])
    op.create_table(
        "dossier_status_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], ondelete="CASCADE",
                                name=op.f("fk_dossier_status_events_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_status_events")),
        sa.UniqueConstraint("dossier_id", "status", "occurred_at", name="uq_dossier_status_events_moment"),
    )
    op.create_index(op.f("ix_dossier_status_events_dossier_id"), "dossier_status_events", ["dossier_id"])
    op.create_table(
        "dossier_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], ondelete="CASCADE",
                                name=op.f("fk_dossier_subscriptions_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_subscriptions")),
        sa.UniqueConstraint("dossier_id", "channel", "recipient", name="uq_dossier_subscriptions_target"),
    )
    op.create_index(op.f("ix_dossier_subscriptions_dossier_id"), "dossier_subscriptions", ["dossier_id"])
    op.create_table(
        "dossier_lookup_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_lookup_attempts")),
    )
    op.create_index("ix_dossier_lookup_attempts_sender_at", "dossier_lookup_attempts", ["sender_key", "attempted_at"])


def downgrade() -> None:
    op.drop_table("dossier_lookup_attempts")
    op.drop_table("dossier_subscriptions")
    op.drop_table("dossier_status_events")
    op.drop_table("dossiers")
