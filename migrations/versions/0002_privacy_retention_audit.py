"""privacy: retention per survey, the purge boundary, and audit entries from the CLI and jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 07:05:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing surveys keep their data until an admin sets a retention (None = no automatic purge).
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('text_purged_before', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            'retention_months', 'retention_months IS NULL OR retention_months > 0')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_name', sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))
        batch_op.drop_column('actor_name')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_surveys_retention_months'), type_='check')
        batch_op.drop_column('text_purged_before')
        batch_op.drop_column('retention_months')
