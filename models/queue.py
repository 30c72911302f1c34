"""Small shared write helpers for the work queues between the web app and the jobs."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import Connection, Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.trend import TrendDirty


def mark_trend_dirty(session: Session | Connection, survey_id: int, day: date) -> None:
    """Queue (survey, day) for the trend refresh; a no-op when it is already queued.

    Given the session's Connection (a caller writing with Core), it skips the ORM's autoflush and bulk
    insert machinery and reuses one statement with bound values: the respondent's submit calls it on
    every response, and building the statement each time cost four times what running it did.
    """
    if isinstance(session, Connection):
        session.execute(_mark_statement(session.dialect.name), {"survey_id": survey_id, "day": day})
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(TrendDirty).values(survey_id=survey_id, day=day).on_conflict_do_nothing())


@cache
def _mark_statement(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt: Insert = insert(TrendDirty).on_conflict_do_nothing()
    return stmt
