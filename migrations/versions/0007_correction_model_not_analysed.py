"""correction model_not_analysed: whether the model had scored the sentiment the analyst reviewed

An answer in a language the encoder cannot read is "not analysed": its sentiment label is a neutral
placeholder, not a judgement, so a review of it says nothing about how often the model agrees. The
reason is kept on the review, as it was when the analyst looked. Existing reviews take the current
state of their analysis, the best that is known of it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analysis_corrections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_not_analysed', sa.String(length=60), nullable=True))
    op.execute(
        "UPDATE analysis_corrections SET model_not_analysed = (SELECT text_analyses.not_analysed "
        "FROM text_analyses WHERE text_analyses.answer_id = analysis_corrections.answer_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('analysis_corrections', schema=None) as batch_op:
        batch_op.drop_column('model_not_analysed')
