"""Drill-down: the redacted comments behind a chart point or table cell, with thresholds and paging.

Only TextAnalysis.redacted_text ever leaves this module; Answer.text is never selected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import Select, Text, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from common.periods import period_end, period_start
from models import AnalysisCorrection, Answer, Response, Survey, TextAnalysis, TopicTag
from models.trend import ALL, is_identifier
from survey_app.analytics.labels import analyses_about, effective_sentiment
from survey_app.analytics.segments import CellKey, cell_key, segment_column
from survey_app.analytics.suppression import suppression_message

PAGE_SIZE = 20
# The period of a comment's cell when the filter names none: comments are dated by month.
CELL_PERIOD = "month"
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class CommentFilter:
    period_type: str | None = None
    period_start: date | None = None
    segment_type: str = ALL
    segment_value: str = ALL
    topic: str = ALL
    sentiment: str | None = None
    q: str = ""

    @property
    def date_range(self) -> tuple[date, date] | None:
        if self.period_type and self.period_start:
            return self.period_start, period_end(self.period_type, self.period_start)
        return None


@dataclass(frozen=True)
class Comment:
    analysis_id: int
    response_id: int
    submitted_on: date
    text: str
    html: Markup
    sentiment_label: str
    sentiment_score: float
    topics: list[str]
    urgent: bool
    contact_consent: bool
    not_analysed: str | None = None  # "not analysed: pl": no sentiment or topics were scored


@dataclass
class CommentPage:
    comments: list[Comment] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    suppressed_reason: str | None = None  # nothing can be shown, and why
    partial_reason: str | None = None  # some groups of the selection are too small: their comments are left out


def _base(survey_id: int) -> Select[tuple[TextAnalysis, Response]]:
    return (
        select(TextAnalysis, Response)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, TextAnalysis.no_text.is_(False))
    )


def _in_range(stmt: Select, f: CommentFilter) -> Select:  # type: ignore[type-arg]
    rng = f.date_range
    if rng:
        stmt = stmt.where(Response.submitted_on >= rng[0], Response.submitted_on < rng[1])
    return stmt


def _segment(stmt: Select, f: CommentFilter) -> Select:  # type: ignore[type-arg]
    if f.segment_type != ALL:
        stmt = stmt.where(segment_column(f.segment_type) == f.segment_value)
    return stmt


def _apply(stmt: Select, f: CommentFilter) -> Select:  # type: ignore[type-arg]
    stmt = _segment(_in_range(stmt, f), f)
    # Topic and sentiment as the trend tables count them: an analyst's correction over the model's label.
    if f.topic != ALL:
        stmt = stmt.where(TextAnalysis.id.in_(analyses_about(f.topic)))
    if f.sentiment:
        # An answer not analysed has no sentiment of its own: only an analyst's label puts it under one.
        reviewed = exists().where(AnalysisCorrection.answer_id == TextAnalysis.answer_id)
        stmt = stmt.where(effective_sentiment() == f.sentiment, or_(TextAnalysis.not_analysed.is_(None), reviewed))
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(TextAnalysis.redacted_text.ilike(like, escape="\\"))
    return stmt


@dataclass(frozen=True)
class Cells:
    """Comment cells of a period range: who may be read, and whether any part of the selection is hidden."""

    period_type: str
    visible: frozenset[CellKey]
    any_hidden: bool

    def allows(self, day: date, site_id: int | None, department_id: int | None, segment: object) -> bool:
        return cell_key(self.period_type, day, site_id, department_id, segment) in self.visible


def comment_cells(session: Session, survey: Survey, f: CommentFilter) -> Cells:
    """The finest cells (period × site × department × every segment attribute) of the filter's period and
    segment, counted in people who left a comment; those under the comment threshold are hidden.

    A comment is shown only from a visible cell, so every filter (one segment, another, their
    intersection, their difference) can only ever return whole cells of at least that many people.
    Topic, sentiment and search narrow what is read within the visible cells; they never decide what
    is visible, or a search could tell which hidden comment says what."""
    period_type = f.period_type or CELL_PERIOD
    stmt = _segment(_in_range(_base(survey.id), f), f).with_only_columns(
        Response.submitted_on, Response.site_id, Response.department_id, cast(Response.segment, Text),
        func.count(func.distinct(Response.id)),
    ).group_by(Response.submitted_on, Response.site_id, Response.department_id, cast(Response.segment, Text))
    counts: Counter[CellKey] = Counter()
    for day, site_id, department_id, segment, n in session.execute(stmt):
        counts[cell_key(period_type, day, site_id, department_id, segment)] += int(n)
    min_size = survey.min_comment_group_size
    visible = frozenset(k for k, n in counts.items() if n >= min_size)
    return Cells(period_type, visible, len(visible) < len(counts))


def hidden_reason(survey: Survey, cells: Cells) -> str:
    k = survey.min_comment_group_size
    return (suppression_message("group", k) + f" Comments are shown only from groups of at least {k} people "
            f"who commented, counting every segment together (site, department and each attribute) "
            f"per {cells.period_type}.")


def response_hidden(session: Session, survey: Survey, response: Response) -> str | None:
    """Why one response's comments may not be read on their own (a per-comment view), or None: the same
    rule as the lists, its month cell must be large enough."""
    start = period_start(CELL_PERIOD, response.submitted_on)
    cells = comment_cells(session, survey, CommentFilter(CELL_PERIOD, start))
    if cells.allows(response.submitted_on, response.site_id, response.department_id, response.segment):
        return None
    return hidden_reason(survey, cells)


def comment_page(session: Session, survey: Survey, f: CommentFilter, page: int = 1,
                 page_size: int = PAGE_SIZE) -> CommentPage:
    """One page of comments matching `f` from cells large enough to show, newest first, or the reason
    none can be shown."""
    if is_identifier(f.segment_type):
        return CommentPage(suppressed_reason=f"{f.segment_type} names a person, not a group: comments cannot be "
                                             f"selected by it.")
    cells = comment_cells(session, survey, f)
    if not cells.visible:
        return CommentPage(suppressed_reason=hidden_reason(survey, cells) if cells.any_hidden else None)
    keys = session.execute(
        _apply(_base(survey.id), f).with_only_columns(
            TextAnalysis.id, Response.submitted_on, Response.site_id, Response.department_id,
            cast(Response.segment, Text),
        ).order_by(Response.submitted_on.desc(), TextAnalysis.id.desc())
    ).all()
    ids = [aid for aid, day, site_id, dep_id, segment in keys if cells.allows(day, site_id, dep_id, segment)]
    total = len(ids)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    wanted = ids[(page - 1) * page_size: page * page_size]
    rows = session.execute(
        _base(survey.id).where(TextAnalysis.id.in_(wanted))
        .order_by(Response.submitted_on.desc(), TextAnalysis.id.desc())
    ).all() if wanted else []
    tags = _tags(session, [a.id for a, _ in rows])
    comments = [
        Comment(
            analysis_id=a.id, response_id=r.id, submitted_on=r.submitted_on, text=a.redacted_text,
            html=highlight(a.redacted_text, a.sentences, tags.get(a.id, []), f.topic),
            sentiment_label=a.sentiment_label, sentiment_score=a.sentiment_score,
            topics=sorted({t.topic for t in tags.get(a.id, [])}), urgent=a.urgent,
            contact_consent=r.contact_consent, not_analysed=a.not_analysed,
        )
        for a, r in rows
    ]
    note = hidden_reason(survey, cells) if cells.any_hidden else None
    return CommentPage(comments, total, page, pages, partial_reason=note)


def _tags(session: Session, analysis_ids: Sequence[int]) -> dict[int, list[TopicTag]]:
    out: dict[int, list[TopicTag]] = {}
    if analysis_ids:
        for t in session.scalars(select(TopicTag).where(TopicTag.analysis_id.in_(analysis_ids))):
            out.setdefault(t.analysis_id, []).append(t)
    return out


def highlight(text: str, sentences: Sequence[dict], tags: Sequence[TopicTag], topic: str = ALL) -> Markup:  # type: ignore[type-arg]
    """Escape `text` and wrap the sentences that mention `topic` (or any top topic) in <mark>."""
    wanted = [t for t in tags if (t.topic == topic if topic != ALL else t.is_top)]
    indexes = {i for t in wanted for i in (t.sentence_indexes or []) if isinstance(i, int)}
    spans = []
    for i in sorted(indexes):
        if 0 <= i < len(sentences):
            s = sentences[i]
            start, end = s.get("start"), s.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                spans.append((start, end))
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue  # overlapping spans from bad data: keep the first
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="topic-sentence">') + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)
