"""CSV and XLSX exports of responses, comment analyses and trend rows.

Every export passes the anonymity thresholds. Response-level exports show the month (not the day)
and blank the segment columns of rows whose (month, site, department, attributes) group is too small
— with complementary suppression, so the blanked rows always mix at least two groups and at least
`min_group_size` people. Comments (free text) follow the drill-down's rule: only from a month cell of
every segment together with at least `min_comment_group_size` commenters. Attributes that name a
person (customer_id, email) are never exported. Cells that a spreadsheet would run as a formula get a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AnalysisCorrection,
    Answer,
    Department,
    Question,
    Response,
    Site,
    Survey,
    TextAnalysis,
    TopicTag,
    TrendRow,
)
from models.trend import is_identifier
from survey_app.analytics import comments as comment_service
from survey_app.analytics.suppression import Group, suppress
from survey_app.analytics.trends import hidden_ids

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HIDDEN = "(hidden)"
KINDS = ("responses", "analyses", "trends")
FORMATS = ("csv", "xlsx")
TREND_COLUMNS = (
    "period_type", "period_start", "segment_type", "segment_value", "topic", "responses", "comments",
    "nps", "nps_low", "nps_high", "csat", "csat_low", "csat_high", "ces_mean", "rating_mean",
    "sentiment_mean", "sentiment_low", "sentiment_high", "sentiment_negative", "sentiment_neutral",
    "sentiment_positive", "urgent", "nps_change", "csat_change", "sentiment_change", "significant",
    "model_name", "model_version",
)
# Counts that stay visible on a hidden trend row would reveal the group size: blank everything.
TREND_KEYS = ("period_type", "period_start", "segment_type", "segment_value", "topic")


class ExportRefused(ValueError):
    """The export would show a group under the threshold; the message says why."""


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (CSV/formula injection, OWASP): text starting with = + - @ tab CR."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_stream(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield a CSV line by line (header first), so a large export never sits in memory."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(c) for c in columns])
    yield buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
        yield buf.getvalue()


def xlsx_file(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "export") -> Any:
    """Write an XLSX in openpyxl's write-only mode to a temporary file and return it, rewound."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_cell(c) for c in columns])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


def trend_export(session: Session, survey: Survey, period_type: str) -> tuple[list[str], Iterator[list[Any]]]:
    rows = session.scalars(
        select(TrendRow).where(TrendRow.survey_id == survey.id, TrendRow.period_type == period_type)
        .order_by(TrendRow.period_start, TrendRow.segment_type, TrendRow.segment_value, TrendRow.topic)
    ).all()
    hidden = hidden_ids(session, survey, rows)

    def gen() -> Iterator[list[Any]]:
        for r in rows:
            if r.id in hidden:
                yield [getattr(r, c) if c in TREND_KEYS else None for c in TREND_COLUMNS] + [True]
            else:
                yield [getattr(r, c) for c in TREND_COLUMNS] + [False]

    return [*TREND_COLUMNS, "suppressed"], gen()


def _segment_keys(survey: Survey) -> Any:
    return (
        select(Response.id, Response.submitted_on, Site.code, Department.code, Response.segment)
        .outerjoin(Site, Site.id == Response.site_id).outerjoin(Department, Department.id == Response.department_id)
        .where(Response.survey_id == survey.id)
    )


def _group_key(submitted_on: Any, site: str | None, dep: str | None, segment: dict[str, Any] | None) -> tuple:  # type: ignore[type-arg]
    # Attributes that name a person are not exported, so they are no part of the group either.
    attrs = tuple(sorted((str(k), str(v)) for k, v in (segment or {}).items() if not is_identifier(str(k))))
    return (submitted_on.strftime("%Y-%m"), site, dep, attrs)


def _comment_cells(session: Session, survey: Survey) -> Any:
    """Month cells whose comments may be read: the drill-down's rule, so an export shows no comment
    the drill-down would not."""
    return comment_service.comment_cells(session, survey, comment_service.CommentFilter())


def _readable_responses(session: Session, survey: Survey) -> set[int]:
    cells = _comment_cells(session, survey)
    stmt = select(Response.id, Response.submitted_on, Response.site_id, Response.department_id,
                  Response.segment).where(Response.survey_id == survey.id)
    return {rid for rid, day, site_id, dep_id, seg in session.execute(stmt) if cells.allows(day, site_id, dep_id, seg)}


def _visible_groups(session: Session, survey: Survey, min_size: int, response_ids: Any = None) -> dict[int, bool]:
    """response id → whether its segment columns may be shown."""
    stmt = _segment_keys(survey)
    if response_ids is not None:
        stmt = stmt.where(Response.id.in_(response_ids))
    keys = {rid: _group_key(d, s, dep, seg) for rid, d, s, dep, seg in session.execute(stmt)}
    counts: Counter[tuple] = Counter(keys.values())  # type: ignore[type-arg]
    if sum(counts.values()) < min_size:
        raise ExportRefused(
            f"This survey has fewer than {min_size} responses to export; exporting them would break anonymity."
        )
    # Groups add up to their month's total, which the dashboard publishes.
    months: dict[str, list[tuple]] = {}  # type: ignore[type-arg]
    for k in counts:
        months.setdefault(k[0], []).append(k)
    cells: dict[Any, int] = dict(counts)
    groups = []
    for month, members in months.items():
        cells[("month", month)] = sum(counts[m] for m in members)
        groups.append(Group(("month", month), tuple(members)))
    hidden = suppress(cells, groups, min_size)
    return {rid: key not in hidden for rid, key in keys.items()}


def response_export(session: Session, survey: Survey) -> tuple[list[str], Iterator[list[Any]]]:
    """One row per response: month, segments (or hidden), each answer; text answers as redacted text."""
    visible = _visible_groups(session, survey, survey.min_group_size)
    readable = _readable_responses(session, survey)
    questions = list(session.scalars(select(Question).where(Question.survey_id == survey.id)
                                     .order_by(Question.position)).all())
    attr_names = sorted({str(k) for seg in session.scalars(select(Response.segment).where(
        Response.survey_id == survey.id)) for k in (seg or {}) if not is_identifier(str(k))})
    # response_id joins this file to the analyses export (a worker report's id is random: it orders nothing).
    columns = ["response_id", "month", "site", "department", *attr_names, *[q.key for q in questions]]

    def gen() -> Iterator[list[Any]]:
        stmt = _segment_keys(survey).order_by(Response.submitted_on, Response.id)
        for rid, day, site, dep, seg in session.execute(stmt.execution_options(yield_per=500)):
            answers = _answers(session, rid, texts=rid in readable)
            show = visible.get(rid, False)
            segs = [site, dep, *[(seg or {}).get(a) for a in attr_names]] if show else \
                [HIDDEN] * (2 + len(attr_names))
            yield [rid, day.strftime("%Y-%m"), *segs, *[answers.get(q.id) for q in questions]]

    return columns, gen()


def plain_number(v: float) -> int | float:
    """8 rather than 8.0: answers are stored as floats, but a score or a count is a whole number."""
    return int(v) if v.is_integer() else v


def _answers(session: Session, response_id: int, texts: bool) -> dict[int, Any]:
    """Answers by question id; free text only when `texts` (the response's comment cell is large enough)."""
    out: dict[int, Any] = {}
    stmt = (select(Answer.question_id, Answer.number, Answer.choices, Answer.grid, TextAnalysis.redacted_text,
                   Answer.text_state)
            .outerjoin(TextAnalysis, TextAnalysis.answer_id == Answer.id).where(Answer.response_id == response_id))
    for qid, number, choices, grid, redacted, state in session.execute(stmt):
        if redacted is not None:
            out[qid] = redacted if texts else HIDDEN
        elif state not in (None, "none"):
            out[qid] = "(text not analysed yet)"  # never the raw text: it may hold names
        elif choices is not None:  # before number: a yes/no answer stores both, and "yes" reads better than 1
            out[qid] = "; ".join(map(str, choices))
        elif number is not None:
            out[qid] = plain_number(number)
        elif grid is not None:
            out[qid] = "; ".join(f"{k}={v}" for k, v in sorted(grid.items()))
    return out


def analysis_export(session: Session, survey: Survey) -> tuple[list[str], Iterator[list[Any]]]:
    """One row per analysed comment: redacted text, sentiment, topics, urgency, model."""
    base = (
        select(TextAnalysis, Response.id, Question.key, AnalysisCorrection)
        .join(Answer, Answer.id == TextAnalysis.answer_id).join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(AnalysisCorrection, AnalysisCorrection.answer_id == TextAnalysis.answer_id)
        .where(Response.survey_id == survey.id, TextAnalysis.no_text.is_(False))
    )
    if not _comment_cells(session, survey).visible:
        raise ExportRefused(
            f"No group of this survey has {survey.min_comment_group_size} or more people who commented in a month, "
            f"so no comment can be exported without breaking anonymity."
        )
    readable = _readable_responses(session, survey)
    keys = {rid: _group_key(d, s, dep, seg) for rid, d, s, dep, seg in session.execute(_segment_keys(survey))}
    # The site and department the responses export hides stay hidden here: joined on response_id, the two
    # files would otherwise name a group the suppression keeps out of sight.
    visible = _visible_groups(session, survey, survey.min_group_size)
    columns = ["response_id", "month", "site", "department", "question", "redacted_text", "sentiment_label",
               "sentiment_score", "topics", "urgent", "model_name", "model_version",
               # An analyst's review (empty when none): the model's columns above stay as the model gave them.
               "analyst_sentiment_label", "analyst_topics", "analyst_urgent"]

    def gen() -> Iterator[list[Any]]:
        for a, rid, qkey, fix in session.execute(base.order_by(TextAnalysis.id).execution_options(yield_per=500)):
            # Only comments the drill-down would show: their month cell (every segment together) is large
            # enough, so their site and department may be shown with them.
            if rid not in readable:
                continue
            month, site, dep, _attrs = keys[rid]
            if not visible.get(rid, False):
                site, dep = HIDDEN, HIDDEN
            topics = "; ".join(sorted(session.scalars(select(TopicTag.topic).where(TopicTag.analysis_id == a.id))))
            review = [fix.sentiment_label, "; ".join(fix.topic_names), fix.urgent] if fix else [None, None, None]
            yield [rid, month, site, dep, qkey, a.redacted_text, a.sentiment_label, round(a.sentiment_score, 3), topics,
                   a.urgent, a.model_name, a.model_version, *review]

    return columns, gen()


def build_export(session: Session, survey: Survey, kind: str, period_type: str = "month"
                 ) -> tuple[list[str], Iterator[list[Any]]]:
    if kind == "trends":
        return trend_export(session, survey, period_type)
    if kind == "responses":
        return response_export(session, survey)
    if kind == "analyses":
        return analysis_export(session, survey)
    raise ValueError(f"unknown export {kind!r}")
