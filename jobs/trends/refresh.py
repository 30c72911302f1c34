"""Write trend rows: the incremental refresh (only periods touched by TrendDirty) and the full rebuild.

Both go through `recompute`, so an incremental refresh gives exactly the rows a rebuild gives. Rows are
upserted on their identity with this run's `computed_at`; rows of a recomputed period that this run
did not produce (a segment that vanished) are then deleted. One transaction per survey.

A worker survey's rows are written differently (models.anonymity): the recomputed periods' rows are
deleted and inserted again with fresh random ids and the day as `computed_at`. An upsert would keep the
sequence id a row got from the refresh after the first report of its segment that day, and with it
that refresh's place among customer rows.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from common.periods import covering_ranges, period_end, previous_start, touched_periods
from jobs.context import JobContext
from jobs.runs import RunStats, recorded_run, with_retry
from jobs.trends.cells import FIELDS, load_cells
from jobs.trends.rollup import RowKey, block_figures, change, concat, day_rows, period_rows, stored_block
from models.anonymity import day_stamp, unused_anonymous_ids
from models.pipeline import PipelineRun
from models.queue import mark_trend_dirty
from models.response import Response
from models.survey import Survey
from models.trend import TrendDirty, TrendRow

log = logging.getLogger(__name__)

IDENTITY = ("period_type", "period_start", "segment_type", "segment_value", "topic")
CHANGE_COLUMNS = ("nps_change", "csat_change", "sentiment_change", "significant")
_SKIP = {"id", "survey_id", "computed_at", *IDENTITY}
VALUE_COLUMNS = tuple(c.name for c in TrendRow.__table__.columns if c.name not in _SKIP)
UPSERT_CHUNK = 2000


def _in_period(kind: str, start: date) -> Any:
    # One equality pair per query: SQLite then walks the unique index (period_type, period_start, ...)
    # instead of scanning the table as it does for an OR of periods.
    return and_(TrendRow.period_type == kind, TrendRow.period_start == start)


def _stored_rows(session: Session, survey_id: int, periods: set[tuple[str, date]]) -> dict[RowKey, dict[str, Any]]:
    out: dict[RowKey, dict[str, Any]] = {}
    columns = [getattr(TrendRow, c) for c in ("id", *IDENTITY, *VALUE_COLUMNS)]
    for kind, start in sorted(periods):
        stmt = select(*columns).where(_in_period(kind, start), TrendRow.survey_id == survey_id)
        for row in session.execute(stmt):
            values = row._asdict()
            key: RowKey = (values["period_type"], values["period_start"], values["segment_type"],
                           values["segment_value"], values["topic"])
            out[key] = values
    return out


def _prev_key(key: RowKey) -> RowKey:
    return (key[0], previous_start(key[0], key[1]), key[2], key[3], key[4])


def _stored_day_rows(
    session: Session, survey_id: int, ranges: list[tuple[date, date]], skip: set[date]
) -> list[tuple[RowKey, list[float], list[Any] | None]]:
    """The survey's stored day rows in the [start, end) ranges, except the days in `skip`."""
    columns = [TrendRow.period_start, TrendRow.segment_type, TrendRow.segment_value, TrendRow.topic,
               *(getattr(TrendRow, f) for f in FIELDS), TrendRow.model_counts]
    out: list[tuple[RowKey, list[float], list[Any] | None]] = []
    for start, end in ranges:
        stmt = select(*columns).where(
            TrendRow.period_type == "day", TrendRow.period_start >= start, TrendRow.period_start < end,
            TrendRow.survey_id == survey_id,
        )
        for row in session.execute(stmt):
            if row[0] in skip:
                continue
            out.append((("day", row[0], row[1], row[2], row[3]), list(row[4:-1]), row[-1]))
    return out


def _days_to_recompute(session: Session, survey_id: int, days: set[date] | None) -> set[date] | None:
    """`days` less those before the survey's purge boundary (None: every day, while nothing is purged).

    A day whose free text was purged (models/privacy/retention.py) cannot be recomputed from what is
    left of its answers without losing its comment and topic figures: its stored rows are the record.
    """
    purged_before = session.scalar(select(Survey.text_purged_before).where(Survey.id == survey_id))
    if purged_before is None:
        return days
    if days is None:
        # A rebuild of a purged survey: every day from the boundary on, from answers or stored rows.
        days = set(session.scalars(select(Response.submitted_on).distinct().where(
            Response.survey_id == survey_id, Response.submitted_on >= purged_before)))
        days.update(session.scalars(select(TrendRow.period_start).distinct().where(
            TrendRow.survey_id == survey_id, TrendRow.period_type == "day", TrendRow.period_start >= purged_before)))
    return {d for d in days if d >= purged_before}


def recompute(session: Session, survey_id: int, days: set[date] | None, stamp: datetime) -> int:
    """Recompute the survey's rows of `days` and their weeks and months (None: every period).

    Day rows come from the answers of those days; weeks and months are summed from day rows: the
    recomputed ones plus, in a refresh, the stored rows of the periods' other days (kept exact by the
    dirty-day queue: every change to a day's answers queues that day). Days before the survey's purge
    boundary are never recomputed (see _days_to_recompute).
    """
    days = _days_to_recompute(session, survey_id, days)
    if days is not None and not days:
        return 0
    anonymous = session.scalar(select(Survey.audience).where(Survey.id == survey_id)) == "worker"
    periods = None if days is None else touched_periods(days)
    cells = load_cells(session, survey_id, None if days is None else covering_ranges({("day", d) for d in days}))
    fresh = day_rows(cells)
    base = fresh
    if periods is not None and days is not None:
        longer = {p for p in periods if p[0] != "day"}
        base = concat([fresh, stored_block(_stored_day_rows(session, survey_id, covering_ranges(longer), days))])
    rows = block_figures(fresh)
    for kind in ("week", "month"):
        rows.update(block_figures(period_rows(base, kind, periods)))
    computed = periods if periods is not None else {(k[0], k[1]) for k in rows}
    before = {(k, previous_start(k, s)) for k, s in computed} - computed
    stored_prev = _stored_rows(session, survey_id, before)
    for key, row in rows.items():
        pkey = _prev_key(key)
        prev = rows.get(pkey) if (pkey[0], pkey[1]) in computed else stored_prev.get(pkey)
        row.update(change(row, prev))
    if anonymous:
        stamp = day_stamp(stamp)
        whole = delete(TrendRow).where(TrendRow.survey_id == survey_id)
        if periods is None:
            session.execute(whole)
        else:
            for kind, start in sorted(periods):
                session.execute(whole.where(_in_period(kind, start)))
    _upsert(session, survey_id, rows, stamp, anonymous)
    stale = delete(TrendRow).where(TrendRow.survey_id == survey_id, TrendRow.computed_at != stamp)
    if periods is None:
        session.execute(stale)
    else:
        for kind, start in sorted(periods):
            session.execute(stale.where(_in_period(kind, start)))
    if periods is not None:
        # The next period's change was measured against rows that just changed.
        after = {(k, period_end(k, s)) for k, s in periods} - periods
        for key, row in _stored_rows(session, survey_id, after).items():
            values = change(row, rows.get(_prev_key(key)))
            session.execute(update(TrendRow).where(TrendRow.id == row["id"]).values(**values))
    return len(rows)


def _upsert(
    session: Session, survey_id: int, rows: dict[RowKey, dict[str, Any]], stamp: datetime, anonymous: bool = False
) -> None:
    """INSERT … ON CONFLICT DO UPDATE for every row, as one driver-level executemany.

    The statement is compiled once by SQLAlchemy and the column types' own bind processors convert
    dates, so rows are stored exactly as the ORM stores them; only the per-row parameter building
    (which dominated a rebuild) is done here instead.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    table = TrendRow.__table__
    columns = (*IDENTITY, "survey_id", *VALUE_COLUMNS, "computed_at", *(("id",) if anonymous else ()))
    ids = iter(unused_anonymous_ids(session, TrendRow.id, len(rows)) if anonymous else ())
    stmt = insert(table)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["period_type", "period_start", "survey_id", "segment_type", "segment_value", "topic"],
        set_={c: stmt.excluded[c] for c in (*VALUE_COLUMNS, "computed_at")},
    )
    compiled = stmt.values({c: None for c in columns}).compile(dialect=dialect)
    processors = {
        c: proc for c in columns
        if (proc := table.c[c].type._cached_bind_processor(dialect)) is not None  # noqa: SLF001
    }
    order = compiled.positiontup if compiled.positional else None

    def params(key: RowKey, row: dict[str, Any]) -> Any:
        values = dict(zip(IDENTITY, key, strict=True)) | row | {"survey_id": survey_id, "computed_at": stamp}
        if anonymous:
            values["id"] = next(ids)
        for c, proc in processors.items():
            values[c] = proc(values[c])
        return tuple(values[c] for c in order) if order is not None else values

    payload = [params(key, row) for key, row in rows.items()]
    for i in range(0, len(payload), UPSERT_CHUNK):
        conn.exec_driver_sql(compiled.string, payload[i : i + UPSERT_CHUNK])


def _last_watermark(session: Session) -> int:
    runs = session.scalars(
        select(PipelineRun.detail).where(PipelineRun.job == "trends", PipelineRun.status == "ok")
        .order_by(PipelineRun.id.desc()).limit(20)
    )
    for detail in runs:
        if detail and "response_watermark" in detail:
            return int(detail["response_watermark"])
    return 0


def mark_new_responses(session: Session, since_id: int) -> int:
    """Queue the days of responses submitted since the last refresh (numeric-only ones have no scoring step).

    Sequence ids only: worker responses' ids are random (models.anonymity), so a watermark cannot pass
    them; every path that stores one queues its day itself (the submit, the demo seed).
    """
    top = session.scalar(select(func.max(Response.id)).where(Response.id > 0)) or 0
    pairs = session.execute(
        select(Response.survey_id, Response.submitted_on).where(Response.id > since_id, Response.id <= top).distinct()
    ).all()
    for survey_id, day in pairs:
        mark_trend_dirty(session, survey_id, day)
    return top


def refresh_trends(ctx: JobContext) -> RunStats:
    """Recompute only the periods touched since the last refresh, one survey per transaction."""
    with recorded_run(ctx, "trends") as run:
        with ctx.sessions() as s:
            worker = set(s.scalars(select(Survey.id).where(Survey.audience == "worker")))

        def mark() -> int:
            with ctx.sessions() as s, s.begin():
                return mark_new_responses(s, _last_watermark(s))

        run.detail["response_watermark"] = with_retry(mark, "trends: mark new responses")
        with ctx.sessions() as s:
            surveys = list(s.scalars(select(TrendDirty.survey_id).distinct().order_by(TrendDirty.survey_id)))
        run.detail["periods"] = 0
        for survey_id in surveys:
            if ctx.stop.is_set():
                break

            def one(survey_id: int = survey_id) -> tuple[int, int]:
                with ctx.sessions() as s, s.begin():
                    days_stmt = select(TrendDirty.day).where(TrendDirty.survey_id == survey_id)
                    if s.get_bind().dialect.name == "postgresql":
                        days_stmt = days_stmt.with_for_update()
                    days = set(s.scalars(days_stmt))
                    if not days:
                        return 0, 0
                    s.execute(delete(TrendDirty).where(TrendDirty.survey_id == survey_id, TrendDirty.day.in_(days)))
                    return recompute(s, survey_id, days, ctx.now()), len(touched_periods(days))

            written, n_periods = with_retry(one, f"trends: survey {survey_id}")
            run.processed += written
            run.claimed += 1
            if survey_id in worker:
                # Counted in the totals, never on the stored run: a refresh of a worker survey follows
                # a report within minutes (RunStats).
                run.worker_processed += written
                run.worker_claimed += 1
            else:
                run.detail["periods"] += n_periods
        run.detail["surveys"] = run.claimed - run.worker_claimed
    return run


def rebuild_trends(ctx: JobContext, survey_id: int | None = None) -> RunStats:
    """Recompute every trend row from the answers (for one survey, or all; orphaned rows are dropped)."""
    with recorded_run(ctx, "trends") as run:
        with ctx.sessions() as s:
            top = s.scalar(select(func.max(Response.id)).where(Response.id > 0)) or 0
            ids = [survey_id] if survey_id is not None else list(s.scalars(select(Survey.id).order_by(Survey.id)))
        if survey_id is None:
            def orphans() -> None:
                with ctx.sessions() as s, s.begin():
                    s.execute(delete(TrendRow).where(TrendRow.survey_id.not_in(select(Survey.id))))
                    s.execute(delete(TrendDirty).where(TrendDirty.survey_id.not_in(select(Survey.id))))

            with_retry(orphans, "trends: drop orphans")
            run.detail["response_watermark"] = top
        for sid in ids:
            if ctx.stop.is_set():
                break

            def one(sid: int = sid) -> int:
                with ctx.sessions() as s, s.begin():
                    s.execute(delete(TrendDirty).where(TrendDirty.survey_id == sid))
                    return recompute(s, sid, None, ctx.now())

            run.processed += with_retry(one, f"trends: rebuild survey {sid}")
            run.claimed += 1
        run.detail["surveys"] = run.claimed
    return run
