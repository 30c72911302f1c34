"""user_sessions and login_throttles: sessions that end on the server, throttling without lockouts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:30:00

Sessions now live in user_sessions (the cookie carries a token whose hash is stored), so cookies
issued before this revision name no row: everyone signs in once more after the upgrade. The per-user
lock (users.failed_logins, users.locked_until) is no longer read; the columns stay for a later cleanup.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')),
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_started_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('blocked_until', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )


def downgrade() -> None:
    op.drop_table('login_throttles')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
