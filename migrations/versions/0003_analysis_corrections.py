"""analysis corrections: an analyst's sentiment, urgency and topics for an answer, beside the model's

New tables only; existing rows are untouched. Deleting an answer deletes its correction (CASCADE).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:54:22.585437
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analysis_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('sentiment_label', sa.String(length=10), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('model_sentiment_label', sa.String(length=10), nullable=False),
    sa.Column('model_urgent', sa.Boolean(), nullable=False),
    sa.Column('model_topics', sa.JSON(), nullable=False),
    sa.Column('model_name', sa.String(length=200), nullable=False),
    sa.Column('model_version', sa.String(length=80), nullable=False),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('corrected_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_analysis_corrections_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_analysis_corrections_corrected_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_corrections')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_analysis_corrections_answer_id'))
    )
    with op.batch_alter_table('analysis_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_corrections_corrected_at'), ['corrected_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_analysis_corrections_sentiment_label'), ['sentiment_label'], unique=False)

    op.create_table('correction_topics',
    sa.Column('correction_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['correction_id'], ['analysis_corrections.id'], name=op.f('fk_correction_topics_correction_id_analysis_corrections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('correction_id', 'topic', name=op.f('pk_correction_topics'))
    )
    with op.batch_alter_table('correction_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_topics_topic'), ['topic'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('correction_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_topics_topic'))

    op.drop_table('correction_topics')
    with op.batch_alter_table('analysis_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_corrections_sentiment_label'))
        batch_op.drop_index(batch_op.f('ix_analysis_corrections_corrected_at'))

    op.drop_table('analysis_corrections')
