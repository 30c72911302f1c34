"""Stage 1 of a trend build: GROUP BY queries that sum the answers of a survey into day-level cells.

A cell is (day, site, department, segment attributes, topic[, model]) with additive sums only, so
stage 2 (rollup.py) can add cells into any period and segment without going back to the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, Text, and_, case, cast, false, func, literal, or_, select
from sqlalchemy.orm import Session

from models.analysis import TextAnalysis, TopicTag
from models.response import Answer, Response
from models.survey import Question
from models.trend import ALL

# Metric columns of a cell, in this order; every one is a plain sum.
FIELDS = (
    "responses", "comments", "nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied",
    "ces_n", "ces_sum", "rating_n", "rating_sum", "sentiment_negative", "sentiment_neutral",
    "sentiment_positive", "sentiment_sum", "sentiment_sumsq", "urgent",
)
F = {name: i for i, name in enumerate(FIELDS)}


@dataclass
class Cells:
    """Column-oriented cells: parallel lists, one entry per cell."""

    days: list[date] = field(default_factory=list)
    sites: list[int | None] = field(default_factory=list)
    departments: list[int | None] = field(default_factory=list)
    segments: list[str | None] = field(default_factory=list)  # JSON text of Response.segment
    topics: list[str] = field(default_factory=list)
    models: list[tuple[str, str] | None] = field(default_factory=list)
    values: list[list[float]] = field(default_factory=list)

    def add(self, row: Any, topic: str, model: tuple[str, str] | None, metrics: dict[str, float]) -> None:
        self.days.append(row.day)
        self.sites.append(row.site_id)
        self.departments.append(row.department_id)
        self.segments.append(row.segment)
        self.topics.append(topic)
        self.models.append(model)
        vec = [0.0] * len(FIELDS)
        for name, value in metrics.items():
            vec[F[name]] = float(value or 0)
        self.values.append(vec)

    def __len__(self) -> int:
        return len(self.days)


def _count(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _sum(cond: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((cond, value), else_=literal(0.0))), 0.0)


def load_cells(session: Session, survey_id: int, ranges: list[tuple[date, date]] | None) -> Cells:
    """Sum the survey's responses, answers, analyses and topic tags into cells (all days, or the ranges)."""
    R, A, Q, TA, TT = Response, Answer, Question, TextAnalysis, TopicTag
    seg = cast(R.segment, Text).label("segment")
    key = (R.submitted_on.label("day"), R.site_id, R.department_id, seg)
    group = (R.submitted_on, R.site_id, R.department_id, seg)
    where = [R.survey_id == survey_id]
    if ranges is not None:
        where.append(or_(false(), *(and_(R.submitted_on >= a, R.submitted_on < b) for a, b in ranges)))
    cells = Cells()

    for row in session.execute(select(*key, func.count().label("n")).where(*where).group_by(*group)):
        cells.add(row, ALL, None, {"responses": row.n})

    n = A.number
    numeric = (
        _count(and_(Q.type == "nps", n.is_not(None))).label("nps_n"),
        _count(and_(Q.type == "nps", n >= 9)).label("nps_promoters"),
        _count(and_(Q.type == "nps", n <= 6)).label("nps_detractors"),
        _count(and_(Q.type == "csat", n.is_not(None))).label("csat_n"),
        _count(and_(Q.type == "csat", n >= 4)).label("csat_satisfied"),
        _count(and_(Q.type == "ces", n.is_not(None))).label("ces_n"),
        _sum(and_(Q.type == "ces", n.is_not(None)), n).label("ces_sum"),
        _count(and_(Q.type == "rating", n.is_not(None))).label("rating_n"),
        _sum(and_(Q.type == "rating", n.is_not(None)), n).label("rating_sum"),
    )
    numeric_names = [c.name for c in numeric]
    stmt = (
        select(*key, *numeric, _count(A.text_state != "none").label("comments"))
        .select_from(A).join(R, R.id == A.response_id).join(Q, Q.id == A.question_id)
        .where(*where).group_by(*group)
    )
    for row in session.execute(stmt):
        cells.add(row, ALL, None, {name: getattr(row, name) for name in [*numeric_names, "comments"]})

    def sentiment_cols(label: Any, score: Any) -> tuple[Any, ...]:
        return (
            _count(label == "negative").label("sentiment_negative"),
            _count(label == "neutral").label("sentiment_neutral"),
            _count(label == "positive").label("sentiment_positive"),
            func.coalesce(func.sum(score), 0.0).label("sentiment_sum"),
            func.coalesce(func.sum(score * score), 0.0).label("sentiment_sumsq"),
            func.coalesce(func.sum(cast(TA.urgent, Integer)), 0).label("urgent"),
        )

    sentiment_names = ["sentiment_negative", "sentiment_neutral", "sentiment_positive", "sentiment_sum",
                       "sentiment_sumsq", "urgent"]
    stmt = (
        select(*key, TA.model_name, TA.model_version,
               *sentiment_cols(TA.sentiment_label, TA.sentiment_score))
        .select_from(TA).join(A, A.id == TA.answer_id).join(R, R.id == A.response_id)
        .where(*where, TA.no_text.is_(False))
        .group_by(*group, TA.model_name, TA.model_version)
    )
    for row in session.execute(stmt):
        cells.add(row, ALL, (row.model_name, row.model_version), {k: getattr(row, k) for k in sentiment_names})

    # Topic rows: the responses whose comment carries the topic (their scores), and the tagged comments'
    # aspect sentiment (falling back to the whole comment's sentiment when the tag has none).
    tagged = (
        select(A.response_id.label("response_id"), TT.topic.label("topic"))
        .select_from(TT).join(TA, TA.id == TT.analysis_id).join(A, A.id == TA.answer_id)
        .join(R, R.id == A.response_id)
        .where(*where, TT.source == "taxonomy")
        .distinct()
        .subquery()
    )
    stmt = (
        select(*key, tagged.c.topic, func.count(func.distinct(A.response_id)).label("responses"), *numeric)
        .select_from(A).join(R, R.id == A.response_id).join(Q, Q.id == A.question_id)
        .join(tagged, tagged.c.response_id == A.response_id)
        .where(*where).group_by(*group, tagged.c.topic)
    )
    for row in session.execute(stmt):
        cells.add(row, row.topic, None, {name: getattr(row, name) for name in [*numeric_names, "responses"]})

    label = func.coalesce(TT.sentiment_label, TA.sentiment_label)
    score = func.coalesce(TT.sentiment_score, TA.sentiment_score)
    stmt = (
        select(*key, TT.topic, TA.model_name, TA.model_version, func.count().label("comments"),
               *sentiment_cols(label, score))
        .select_from(TT).join(TA, TA.id == TT.analysis_id).join(A, A.id == TA.answer_id)
        .join(R, R.id == A.response_id)
        .where(*where, TT.source == "taxonomy")
        .group_by(*group, TT.topic, TA.model_name, TA.model_version)
    )
    for row in session.execute(stmt):
        cells.add(row, row.topic, (row.model_name, row.model_version),
                  {k: getattr(row, k) for k in [*sentiment_names, "comments"]})
    return cells
