"""Drill-down: the redacted comments behind a chart point or table cell, with thresholds and paging.

Only TextAnalysis.redacted_text ever leaves this module; Answer.text is never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from common.periods import period_end
from models import Answer, Response, Survey, TextAnalysis, TopicTag
from models.trend import ALL
from survey_app.analytics.labels import analyses_about, effective_sentiment
from survey_app.analytics.segments import segment_column
from survey_app.analytics.suppression import Group, suppress, suppression_message

PAGE_SIZE = 20
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


@dataclass
class CommentPage:
    comments: list[Comment] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    suppressed_reason: str | None = None


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


def _apply(stmt: Select, f: CommentFilter) -> Select:  # type: ignore[type-arg]
    stmt = _in_range(stmt, f)
    if f.segment_type != ALL:
        stmt = stmt.where(segment_column(f.segment_type) == f.segment_value)
    # Topic and sentiment as the trend tables count them: an analyst's correction over the model's label.
    if f.topic != ALL:
        stmt = stmt.where(TextAnalysis.id.in_(analyses_about(f.topic)))
    if f.sentiment:
        stmt = stmt.where(effective_sentiment() == f.sentiment)
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(TextAnalysis.redacted_text.ilike(like, escape="\\"))
    return stmt


def group_hidden(session: Session, survey: Survey, f: CommentFilter) -> str | None:
    """Why the group behind `f` may not be read as comments, or None when it may.

    The group is the period × segment; topic, sentiment and search only narrow what is read within an
    allowed group. Sibling segments are counted too, for complementary suppression: otherwise the
    comments of a small site would be "all comments minus those of every other site"."""
    min_size = survey.min_comment_group_size
    total = session.scalar(select(func.count()).select_from(_in_range(_base(survey.id), f).subquery())) or 0
    if total < min_size:
        return suppression_message("selection", min_size) + f" (fewer than {min_size} comments)"
    if f.segment_type == ALL:
        return None
    col = segment_column(f.segment_type)
    stmt = _in_range(_base(survey.id), f).with_only_columns(
        col, func.count(TextAnalysis.id)
    ).group_by(col)
    counts = {str(v): int(n) for v, n in session.execute(stmt).all() if v is not None}
    counts_with_total: dict[str, int] = {**counts, "\x00total": total}
    hidden = suppress(counts_with_total, [Group("\x00total", tuple(counts))], min_size)
    if f.segment_value not in counts or f.segment_value in hidden:
        return suppression_message(f"{f.segment_type} group", min_size) + f" (comment threshold {min_size})"
    return None


def comment_page(session: Session, survey: Survey, f: CommentFilter, page: int = 1,
                 page_size: int = PAGE_SIZE) -> CommentPage:
    """One page of comments matching `f`, newest first, or the reason they are hidden."""
    reason = group_hidden(session, survey, f)
    if reason:
        return CommentPage(suppressed_reason=reason)
    stmt = _apply(_base(survey.id), f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = session.execute(
        stmt.order_by(Response.submitted_on.desc(), TextAnalysis.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    tags = _tags(session, [a.id for a, _ in rows])
    comments = [
        Comment(
            analysis_id=a.id, response_id=r.id, submitted_on=r.submitted_on, text=a.redacted_text,
            html=highlight(a.redacted_text, a.sentences, tags.get(a.id, []), f.topic),
            sentiment_label=a.sentiment_label, sentiment_score=a.sentiment_score,
            topics=sorted({t.topic for t in tags.get(a.id, [])}), urgent=a.urgent,
            contact_consent=r.contact_consent,
        )
        for a, r in rows
    ]
    return CommentPage(comments, total, page, pages)


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


def matching(session: Session, survey: Survey, f: CommentFilter) -> Select[tuple[TextAnalysis, Response]]:
    """The statement for exports: callers must have checked `group_hidden` first."""
    return _apply(_base(survey.id), f).order_by(Response.submitted_on, TextAnalysis.id)


