"""Small shared write helpers for the work queues between the web app and the jobs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.trend import TrendDirty


def mark_trend_dirty(session: Session | Connection, survey_id: int, day: date) -> None:
    """Queue (survey, day) for the trend refresh; a no-op when it is already queued.

    Given the session's Connection (a caller writing with Core), it skips the ORM's autoflush and bulk
    insert machinery: the respondent's submit calls it on every response.
    """
    dialect = session.dialect.name if isinstance(session, Connection) else session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(TrendDirty).values(survey_id=survey_id, day=day).on_conflict_do_nothing()
    session.execute(stmt)
