"""Tickets area: users, tickets, their history, code counters and the notification outbox.

Revision ID: 0002_tickets
Revises: 0001_base
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_tickets"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_ticket_counters'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('triage_reasons', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reply_address', sa.String(length=128), nullable=True),
    sa.Column('channel_message_id', sa.String(length=128), nullable=True),
    sa.Column('sender_id', sa.String(length=160), nullable=True),
    sa.Column('language', sa.String(length=4), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('province_code', sa.String(length=16), nullable=True),
    sa.Column('province_name', sa.String(length=128), nullable=True),
    sa.Column('commune_code', sa.String(length=16), nullable=True),
    sa.Column('commune_name', sa.String(length=128), nullable=True),
    sa.Column('procedure_code', sa.String(length=32), nullable=True),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('transcript', sa.JSON(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('sla_due_at', sa.DateTime(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('queue_state', sa.SmallInteger(), nullable=False),
    sa.Column('open_sla_due_at', sa.DateTime(), nullable=True),
    sa.Column('first_response_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('csat_rating', sa.SmallInteger(), nullable=True),
    sa.Column('csat_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tickets_assignee_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('channel', 'channel_message_id', name='uq_tickets_channel_message'),
    sa.UniqueConstraint('code', name=op.f('uq_tickets_code'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_commune', ['commune_code', 'is_open', 'priority', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_created', ['created_at'], unique=False)
        batch_op.create_index('ix_tickets_dossier', ['dossier_code'], unique=False)
        batch_op.create_index('ix_tickets_kind', ['kind', 'is_open', 'priority', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_mine', ['assignee_id', 'is_open', 'priority', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_open_sla', ['open_sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_phone', ['phone'], unique=False)
        batch_op.create_index('ix_tickets_province', ['province_code', 'is_open', 'priority', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_tickets_queue', ['queue_state', 'priority', 'sla_due_at'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_messages_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbox_messages_recipient', ['channel', 'recipient', 'status'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_ticket_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_ticket', ['ticket_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_ticket')

    op.drop_table('ticket_events')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_recipient')
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue')
        batch_op.drop_index('ix_tickets_province')
        batch_op.drop_index('ix_tickets_phone')
        batch_op.drop_index('ix_tickets_open_sla')
        batch_op.drop_index('ix_tickets_mine')
        batch_op.drop_index('ix_tickets_kind')
        batch_op.drop_index('ix_tickets_dossier')
        batch_op.drop_index('ix_tickets_created')
        batch_op.drop_index('ix_tickets_commune')

    op.drop_table('tickets')
    op.drop_table('users')
    op.drop_table('ticket_counters')
