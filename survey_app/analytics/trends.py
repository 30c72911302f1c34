"""Trend queries for charts, tables, exports and the API — every result passes the anonymity thresholds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.periods import period_start
from models import Survey, TrendRow
from models.trend import ALL, is_identifier
from survey_app.analytics.suppression import Group, suppress

METRICS = ("nps", "csat", "ces_mean", "rating_mean", "sentiment_mean", "responses")
# The confidence band columns of each metric that has one.
BANDS = {"nps": ("nps_low", "nps_high"), "csat": ("csat_low", "csat_high"),
         "sentiment_mean": ("sentiment_low", "sentiment_high")}


@dataclass(frozen=True)
class Cell:
    """A trend row as shown: `row` is None when the row is hidden by the thresholds."""

    period_start: date
    segment_value: str
    topic: str
    row: TrendRow | None
    suppressed: bool

    def value(self, metric: str) -> float | None:
        if self.row is None:
            return None
        v = getattr(self.row, metric)
        return None if v is None else float(v)


def people(row: TrendRow) -> int:
    """How many people a row's figures describe: responses, or comments for a topic row."""
    return _people(row.topic, row.responses, row.comments)


def _people(topic: str, responses: int, comments: int) -> int:
    if topic == ALL:
        return responses
    return min(responses, comments) if responses else comments


def hidden_ids(session: Session, survey: Survey, rows: Sequence[TrendRow], min_size: int | None = None) -> set[int]:
    """Ids of `rows` the thresholds hide, with complementary suppression against sibling segments
    of the same period and, for days, against the week and month they add up to.

    People with no value for a segment type (a public-link answer has no region) are a cell too: the
    remainder, total minus every segment row. It is never shown, but anyone can compute it from the
    rows that are, so it takes part in suppression like a segment row that is always hidden when small.
    """
    if not rows:
        return set()
    min_size = survey.min_group_size if min_size is None else min_size
    context = _context_rows(session, survey.id, rows)
    counts: dict[Hashable, int] = {r.id: people(r) for r in context}
    cells: dict[RowIdentity, Hashable] = {_identity(r): r.id for r in context}
    for key, n in _remainders(context).items():
        counts[key] = n
        cells[key[1:]] = key
    hidden = suppress(counts, _groups(cells), min_size)
    return {r.id for r in rows} & hidden


# A remainder cell: (REMAINDER, period_type, period_start, topic, segment_type, REMAINDER).
REMAINDER = "\x00none"
RowIdentity = tuple[str, date, str, str, str]  # period_type, period_start, topic, segment_type, segment_value
RemainderKey = tuple[str, str, date, str, str, str]


def _identity(r: TrendRow) -> RowIdentity:
    return r.period_type, r.period_start, r.topic, r.segment_type, r.segment_value


def _remainders(rows: Iterable[TrendRow]) -> dict[RemainderKey, int]:
    """People without a value for each segment type, per period and topic, keyed as remainder cells. A
    period with no row of a segment type at all has everyone in its remainder."""
    rows = list(rows)
    totals = {(r.period_type, r.period_start, r.topic): r for r in rows if r.segment_type == ALL}
    seg_types = {r.segment_type for r in rows if r.segment_type != ALL}
    seg_sums: dict[tuple[str, date, str, str], list[int]] = {
        (*key, st): [0, 0] for key in totals for st in seg_types}
    for r in rows:
        sums = seg_sums.get((r.period_type, r.period_start, r.topic, r.segment_type))
        if sums is not None:
            sums[0] += r.responses
            sums[1] += r.comments
    out: dict[RemainderKey, int] = {}
    for (pt, ps, topic, st), (responses, comments) in seg_sums.items():
        total = totals[(pt, ps, topic)]
        n = _people(topic, max(total.responses - responses, 0), max(total.comments - comments, 0))
        if n > 0:  # nobody without a value: no cell (an empty cell would pass as a hidden partner)
            out[(REMAINDER, pt, ps, topic, st, REMAINDER)] = n
    return out


def _context_rows(session: Session, survey_id: int, rows: Sequence[TrendRow]) -> list[TrendRow]:
    """Every row the suppression of `rows` depends on: all periods of every type (days add up to weeks
    and months, and hiding a week can require hiding a day and back), for the topics and segment types
    asked for, over the survey's whole time, so that any two views hide the same rows."""
    topics = {r.topic for r in rows}
    seg_types = {r.segment_type for r in rows} | {ALL}
    context = session.scalars(
        select(TrendRow).where(
            TrendRow.survey_id == survey_id, TrendRow.topic.in_(topics), TrendRow.segment_type.in_(seg_types),
        )
    ).all()
    by_id = {r.id: r for r in context}
    for r in rows:
        by_id.setdefault(r.id, r)
    return list(by_id.values())


def _groups(cells: dict[RowIdentity, Hashable]) -> list[Group]:
    """Sets of cells that add up to a published (or computable) total: the segment values of a period
    (remainder included) add up to the period's total row; the days of a week or month add up to it."""
    segments: dict[tuple[str, date, str, str], list[Hashable]] = defaultdict(list)
    days: dict[RowIdentity, list[Hashable]] = defaultdict(list)
    for (pt, ps, topic, st, sv), key in cells.items():
        if st != ALL:
            segments[(pt, ps, topic, st)].append(key)
        if pt == "day":
            for container in ("week", "month"):
                days[(container, period_start(container, ps), topic, st, sv)].append(key)
    groups = [
        Group(cells.get((pt, ps, topic, ALL, ALL)), tuple(members))
        for (pt, ps, topic, _st), members in segments.items()
    ]
    groups += [Group(cells.get(key), tuple(members)) for key, members in days.items()]
    return groups


def series(
    session: Session, survey: Survey, period_type: str, segment_type: str = ALL, segment_value: str = ALL,
    topic: str = ALL, periods: int = 12, until: date | None = None,
) -> list[Cell]:
    """The last `periods` periods of one segment/topic (up to the one starting on `until`), oldest first,
    thresholds applied."""
    if segment_type == ALL:
        segment_value = ALL
    query = select(TrendRow).where(
        TrendRow.survey_id == survey.id, TrendRow.period_type == period_type,
        TrendRow.segment_type == segment_type, TrendRow.segment_value == segment_value, TrendRow.topic == topic,
    )
    if until is not None:
        query = query.where(TrendRow.period_start <= until)
    rows = list(session.scalars(query.order_by(TrendRow.period_start.desc()).limit(periods)).all())
    rows.reverse()
    return _cells(session, survey, rows)


def _cells(session: Session, survey: Survey, rows: Sequence[TrendRow]) -> list[Cell]:
    hidden = hidden_ids(session, survey, rows)
    return [
        Cell(r.period_start, r.segment_value, r.topic, None if r.id in hidden else r, r.id in hidden)
        for r in rows
    ]


def latest_period(session: Session, survey_id: int, period_type: str) -> date | None:
    return session.scalar(
        select(TrendRow.period_start).where(TrendRow.survey_id == survey_id, TrendRow.period_type == period_type)
        .order_by(TrendRow.period_start.desc()).limit(1)
    )


def recent_periods(session: Session, survey_id: int, period_type: str, limit: int = 12) -> list[date]:
    """The starts of the last `limit` periods that have trend rows, newest first."""
    return list(session.scalars(
        select(TrendRow.period_start).where(TrendRow.survey_id == survey_id, TrendRow.period_type == period_type)
        .distinct().order_by(TrendRow.period_start.desc()).limit(limit)
    ).all())


def latest_shown(
    session: Session, survey: Survey, period_type: str, table: Callable[[date], list[Cell]], limit: int = 12,
) -> tuple[date | None, list[Cell]]:
    """The newest period whose `table` shows at least one figure, and that table.

    The current period has only a few days of answers and is nearly always under the threshold, so a
    panel that opened on it would show nothing but "hidden". With no period shown, the newest one is
    returned (its cells all hidden) so the page can still say what it looked at.
    """
    starts = recent_periods(session, survey.id, period_type, limit)
    for start in starts:
        cells = table(start)
        if any(c.row is not None for c in cells):
            return start, cells
    return (starts[0], table(starts[0])) if starts else (None, [])


def topic_table(session: Session, survey: Survey, period_type: str, start: date) -> list[Cell]:
    """Volume and mean sentiment per topic in one period (all segments), largest first."""
    rows = session.scalars(
        select(TrendRow).where(
            TrendRow.survey_id == survey.id, TrendRow.period_type == period_type, TrendRow.period_start == start,
            TrendRow.segment_type == ALL, TrendRow.topic != ALL,
        ).order_by(TrendRow.comments.desc(), TrendRow.topic)
    ).all()
    return _cells(session, survey, rows)


def segment_table(session: Session, survey: Survey, period_type: str, start: date, segment_type: str) -> list[Cell]:
    """Every value of one segment type in one period, with complementary suppression."""
    rows = session.scalars(
        select(TrendRow).where(
            TrendRow.survey_id == survey.id, TrendRow.period_type == period_type, TrendRow.period_start == start,
            TrendRow.segment_type == segment_type, TrendRow.topic == ALL,
        ).order_by(TrendRow.segment_value)
    ).all()
    return _cells(session, survey, rows)


def segment_types(session: Session, survey_id: int) -> list[str]:
    """Segment types to compare by (rows of an attribute that names a person, built before such attributes
    stopped being segments, are left out)."""
    return [t for t in session.scalars(
        select(TrendRow.segment_type).where(TrendRow.survey_id == survey_id, TrendRow.segment_type != ALL)
        .distinct().order_by(TrendRow.segment_type)
    ).all() if not is_identifier(t)]


def segment_values(session: Session, survey_id: int, segment_type: str) -> list[str]:
    return list(session.scalars(
        select(TrendRow.segment_value).where(TrendRow.survey_id == survey_id, TrendRow.segment_type == segment_type)
        .distinct().order_by(TrendRow.segment_value)
    ).all())


def topics(session: Session, survey_id: int) -> list[str]:
    return list(session.scalars(
        select(TrendRow.topic).where(TrendRow.survey_id == survey_id, TrendRow.topic != ALL)
        .distinct().order_by(TrendRow.topic)
    ).all())
