"""responses.submission_key: each filling-in of a survey is stored once

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00

The final POST stores its response under the SHA-256 of the submission id held in the respondent's
signed form state; the unique index refuses a second row from a replay (double tap, resend, a phone
retrying). Rows stored before keep NULL, which the unique index allows any number of times: there is
nothing to recover for them (no id was ever sent), so no data migration. A unique index rather than a
table constraint, so SQLite need not rebuild the (AUTOINCREMENT) responses table.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('responses', sa.Column('submission_key', sa.String(length=64), nullable=True))
    op.create_index('ix_responses_submission_key', 'responses', ['submission_key'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_responses_submission_key', table_name='responses')
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild would lose the table's AUTOINCREMENT.
    op.drop_column('responses', 'submission_key')
