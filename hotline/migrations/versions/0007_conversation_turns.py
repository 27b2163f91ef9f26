"""Analytics: one row of facts per citizen message, and the tracker-store scan's cursor.

- conversation_turns: time, channel, intent and confidence, action, answer kind and entry,
  hand-off, outcome; masked text only for unanswered turns; the sender hashed.
- analytics_cursors: how far the scan of Rasa's tracker store has read.

Revision ID: 0007_conversation_turns
Revises: 0006_operator_tools
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_conversation_turns"
down_revision = "0006_operator_tools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("sender_key", sa.String(64), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("action", sa.String(64), nullable=True),
        sa.Column("answer_kind", sa.String(16), nullable=True),
        sa.Column("kind_from_slot", sa.Boolean(), nullable=False),
        sa.Column("answer_ref", sa.String(64), nullable=True),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("text_masked", sa.Text(), nullable=True),
        sa.Column("phrase_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_turns")),
        sa.UniqueConstraint("message_id", name=op.f("uq_conversation_turns_message_id")),
    )
    op.create_index("ix_conversation_turns_sender_ts", "conversation_turns", ["sender_key", "ts"])
    op.create_index("ix_conversation_turns_at_outcome", "conversation_turns", ["at", "outcome"])
    op.create_table(
        "analytics_cursors",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_cursors")),
    )


def downgrade() -> None:
    op.drop_table("analytics_cursors")
    op.drop_index("ix_conversation_turns_at_outcome", table_name="conversation_turns")
    op.drop_index("ix_conversation_turns_sender_ts", table_name="conversation_turns")
    op.drop_table("conversation_turns")
