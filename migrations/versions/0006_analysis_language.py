"""analysis language: the answer's detected language and why it was not analysed

Two nullable columns on text_analyses. Existing rows keep NULL in both: they were scored before
languages were detected, and telling their language needs the NLP models, which migrations do not
load; a backfill re-score (`heedful pipeline backfill`) fills them in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('text_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('not_analysed', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_text_analyses_not_analysed'), ['not_analysed'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('text_analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_analyses_not_analysed'))
        batch_op.drop_column('not_analysed')
        batch_op.drop_column('language')
