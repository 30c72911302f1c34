"""analysts' reviews of worker reports keep the day and an anonymous id, like the reports themselves

A review (analysis_corrections) is made minutes after a worker report's alert: its exact time and its
sequence id among customer reviews would narrow down when the report arrived. Reviews of worker
reports already stored get a random negative id (their topics follow) and midnight UTC of their day;
on SQLite the table becomes AUTOINCREMENT so a negative id never moves the sequence (models.anonymity).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base
from models.anonymity import anonymous_ids, day_stamp

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

UTC_DT = models.base.UTCDateTime(timezone=True)
surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("audience", sa.String))
responses = sa.table("responses", sa.column("id", sa.Integer), sa.column("survey_id", sa.Integer))
answers = sa.table("answers", sa.column("id", sa.Integer), sa.column("response_id", sa.Integer))
corrections = sa.table("analysis_corrections", sa.column("id", sa.Integer), sa.column("answer_id", sa.Integer),
                       sa.column("corrected_at", UTC_DT))
correction_topics = sa.table("correction_topics", sa.column("correction_id", sa.Integer),
                             sa.column("topic", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    worker_answers = (
        sa.select(answers.c.id)
        .join(responses, responses.c.id == answers.c.response_id)
        .join(surveys, surveys.c.id == responses.c.survey_id)
        .where(surveys.c.audience == "worker")
    )
    rows = bind.execute(sa.select(corrections.c.id, corrections.c.corrected_at)
                        .where(corrections.c.answer_id.in_(worker_answers))).all()
    taken = set(bind.scalars(sa.select(corrections.c.id)))
    fresh = [i for i in anonymous_ids(len(rows) + 16) if i not in taken][: len(rows)]
    for (old_id, at), new_id in zip(rows, fresh, strict=True):
        # The topics point at the review's id without ON UPDATE CASCADE: move them with it.
        topics = list(bind.scalars(sa.select(correction_topics.c.topic)
                                   .where(correction_topics.c.correction_id == old_id)))
        bind.execute(correction_topics.delete().where(correction_topics.c.correction_id == old_id))
        day = day_stamp(at) if at is not None else None
        bind.execute(corrections.update().where(corrections.c.id == old_id).values(id=new_id, corrected_at=day))
        if topics:
            bind.execute(correction_topics.insert(), [{"correction_id": new_id, "topic": t} for t in topics])
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table("analysis_corrections", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}) as batch_op:
            batch_op.alter_column("id", existing_type=sa.Integer(), autoincrement=True)


def downgrade() -> None:
    # Ids and times stay as they are: the order and times they had are gone on purpose.
    pass
