"""surveys.rate_limit_per_minute: a survey's own limit on answers from one network address

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 08:15:00

NULL (every existing survey) keeps the site's default, which worker surveys now take ten times higher:
a whole shop floor reports from one address. Nothing to migrate.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('surveys', sa.Column('rate_limit_per_minute', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('surveys', 'rate_limit_per_minute')  # plain DROP COLUMN (SQLite 3.35+), no rebuild
