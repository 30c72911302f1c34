"""Trend rows keyed by an upload column's value that only ever described individuals.

Upload columns that name a person (models.trend.is_identifier: name, customer_id, ...) never become trend
segments. Every other column does (region, channel, team), and a rare value of one can still point at a
person (the one customer in a region) and sit in `trend_rows.segment_value` after the responses that
carried it are purged or erased. Such rows go when no stored response carries the value any more and none
of them was large enough to be shown (below the survey's figure threshold). Rows of a shared value (a
region with many customers) stay, as the trends must.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, select
from sqlalchemy.orm import Session

from models.response import Response
from models.survey import Survey
from models.trend import ALL, TrendRow, is_identifier

BUILT_IN = {"site", "department", ALL}


def segment_pairs(segments: Iterable[dict[str, Any] | None]) -> set[tuple[str, str]]:
    """(segment type, value) pairs of upload columns, as the trend job keys them."""
    return {(str(k), str(v)) for seg in segments if isinstance(seg, dict)
            for k, v in seg.items() if v not in (None, "") and str(k) not in BUILT_IN and not is_identifier(str(k))}


def drop_orphaned_segment_rows(session: Session, survey: Survey, pairs: set[tuple[str, str]], *,
                               kept: ColumnElement[bool] | None = None, dry_run: bool = False) -> int:
    """Delete the trend rows of each pair no stored response carries any more, when all were below the
    survey's figure threshold. Returns the number of rows deleted (or, with `dry_run`, that would be).

    `kept` narrows the responses that count as still carrying a value (a dry run of a purge: those
    that the purge keeps).
    """
    deleted = 0
    for seg_type, value in sorted(pairs):
        carried = session.scalar(select(Response.id).where(
            Response.survey_id == survey.id, *(() if kept is None else (kept,)),
            cast(Response.segment[seg_type].as_string(), String) == value).limit(1))
        if carried is not None:
            continue
        where = (TrendRow.survey_id == survey.id, TrendRow.segment_type == seg_type[:40],
                 TrendRow.segment_value == value[:120])
        largest = session.scalar(select(func.max(TrendRow.responses)).where(*where))
        if largest is None or largest >= survey.min_group_size:
            continue
        if dry_run:
            deleted += session.scalar(select(func.count()).select_from(TrendRow).where(*where)) or 0
        else:
            result = session.execute(delete(TrendRow).where(*where).execution_options(synchronize_session=False))
            deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted
