"""Stage 1 of a trend build: read a survey's answers into arrays of additive "cells".

Five streaming queries (no per-row ORM objects): responses with their summed numeric answers
(GROUP BY response), comment analyses, topic tags, and analysts' topics of the comments they reviewed
(an analyst's correction holds over the model's labels). Joins between them happen in numpy through the
response index. A cell belongs to one response and one topic ("*" = all) and carries plain sums, so
stage 2 (rollup.py) can add cells into any period × segment without going back to the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Integer, Text, and_, case, cast, func, literal, null, or_, select
from sqlalchemy.orm import Session

from models.analysis import TextAnalysis, TopicTag
from models.correction import AnalysisCorrection, CorrectionTopic
from models.response import Answer, Response
from models.survey import Question
from models.trend import ALL

# Metric columns of a cell, in this order; every one is a plain sum.
# Each is also a TrendRow column, so day rows read back from the table can be summed into weeks and months.
FIELDS = (
    "responses", "comments", "nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied",
    "ces_n", "ces_sum", "ces_sumsq", "rating_n", "rating_sum", "rating_sumsq", "sentiment_negative",
    "sentiment_neutral", "sentiment_positive", "sentiment_sum", "sentiment_sumsq", "urgent",
)
F = {name: i for i, name in enumerate(FIELDS)}
NUMERIC = ("nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied", "ces_n", "ces_sum",
           "ces_sumsq", "rating_n", "rating_sum", "rating_sumsq")
LABEL_FIELD = {"negative": F["sentiment_negative"], "neutral": F["sentiment_neutral"],
               "positive": F["sentiment_positive"]}

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass
class Cells:
    # Per response (index = position in these arrays).
    resp_day: IntArray  # code into `days`
    resp_site: IntArray  # site id, -1 = none
    resp_department: IntArray  # department id, -1 = none
    resp_segment: IntArray  # code into `segments`
    days: list[date]
    segments: list[str | None]  # distinct JSON texts of Response.segment
    # Per cell.
    resp_index: IntArray
    topic: IntArray  # code into `topics`; topics[0] == "*"
    model: IntArray  # code into `models`, -1 = none
    values: FloatArray  # (cells, len(FIELDS))
    topics: list[str]
    models: list[tuple[str, str]]

    def __len__(self) -> int:
        return int(self.resp_index.shape[0])


def _codes(items: list[Any], index: dict[Any, int]) -> IntArray:
    out = np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        code = index.get(item)
        if code is None:
            code = index[item] = len(index)
        out[i] = code
    return out


def _count(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _sum(cond: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((cond, value), else_=literal(0.0))), 0.0)


def _corrected_score(model_label: Any, model_score: Any) -> Any:
    """The sentiment score of a comment: the model's, unless an analyst changed its label. Then the
    score is that label's own value (P(positive) - P(negative) for a sure judgement: -1, 0 or 1), so
    means and intervals move with the label the trend counts."""
    C = AnalysisCorrection
    centre = case((C.sentiment_label == "negative", literal(-1.0)), (C.sentiment_label == "positive", literal(1.0)),
                  else_=literal(0.0))
    return case((or_(C.id.is_(None), C.sentiment_label == model_label), model_score), else_=centre)


def load_cells(session: Session, survey_id: int, ranges: list[tuple[date, date]] | None) -> Cells:
    """Read the survey's responses, analyses and tags (all days, or only the [start, end) ranges)."""
    R, A, TA, TT = Response, Answer, TextAnalysis, TopicTag
    C, CT = AnalysisCorrection, CorrectionTopic
    where = [R.survey_id == survey_id]
    if ranges is not None:
        where.append(or_(*(and_(R.submitted_on >= a, R.submitted_on < b) for a, b in ranges)))
    types: dict[str, list[int]] = {}
    for qid, qtype in session.execute(select(Question.id, Question.type).where(Question.survey_id == survey_id)):
        types.setdefault(qtype, []).append(qid)

    def answers_of_survey(stmt: Any, answer: Any = A) -> Any:
        # A full rebuild selects answers by question id (questions belong to one survey): no join to
        # responses, which halves the time on SQLite. A refresh needs the day, so it joins.
        if ranges is None:
            return stmt.where(answer.question_id.in_([q for ids in types.values() for q in ids]))
        return stmt.join(R, R.id == answer.response_id).where(*where)

    resp_rows = session.execute(
        select(R.id, R.submitted_on, R.site_id, R.department_id, cast(R.segment, Text)).where(*where).order_by(R.id)
    ).all()
    n_resp = len(resp_rows)
    cols: list[Any] = list(zip(*resp_rows, strict=True)) if resp_rows else [() for _ in range(5)]
    resp_ids = np.fromiter(cols[0], dtype=np.int64, count=n_resp)
    day_index: dict[Any, int] = {}
    seg_index: dict[Any, int] = {}
    resp_day = _codes(list(cols[1]), day_index)
    resp_site = np.fromiter((-1 if x is None else x for x in cols[2]), dtype=np.int64, count=n_resp)
    resp_dep = np.fromiter((-1 if x is None else x for x in cols[3]), dtype=np.int64, count=n_resp)
    resp_seg = _codes(list(cols[4]), seg_index)

    n = A.number

    def of(qtype: str) -> Any:
        return A.question_id.in_(types.get(qtype) or [-1])

    numeric = (
        _count(and_(of("nps"), n.is_not(None))),
        _count(and_(of("nps"), n >= 9)),
        _count(and_(of("nps"), n <= 6)),
        _count(and_(of("csat"), n.is_not(None))),
        _count(and_(of("csat"), n >= 4)),
        _count(and_(of("ces"), n.is_not(None))),
        _sum(and_(of("ces"), n.is_not(None)), n),
        _sum(and_(of("ces"), n.is_not(None)), n * n),
        _count(and_(of("rating"), n.is_not(None))),
        _sum(and_(of("rating"), n.is_not(None)), n),
        _sum(and_(of("rating"), n.is_not(None)), n * n),
        _count(A.text_state != "none"),
    )
    num_rows = session.execute(
        answers_of_survey(select(A.response_id, *numeric).select_from(A)).group_by(A.response_id)
    ).all()
    resp_numeric = np.zeros((n_resp, len(numeric)))
    if num_rows:
        table = np.asarray(num_rows, dtype=np.float64)
        resp_numeric[np.searchsorted(resp_ids, table[:, 0].astype(np.int64))] = table[:, 1:]

    topic_index: dict[Any, int] = {ALL: 0}
    model_index: dict[Any, int] = {}
    parts: list[tuple[IntArray, IntArray, IntArray, FloatArray]] = []

    # Cells 1: responses with their numeric answers, topic "*".
    base = np.zeros((n_resp, len(FIELDS)))
    base[:, F["responses"]] = 1
    base[:, [F[k] for k in NUMERIC]] = resp_numeric[:, :len(NUMERIC)]
    base[:, F["comments"]] = resp_numeric[:, len(NUMERIC)]
    parts.append((np.arange(n_resp, dtype=np.int64), np.zeros(n_resp, dtype=np.int64),
                  np.full(n_resp, -1, dtype=np.int64), base))

    def sentiment_part(rows: Sequence[Any], topic_codes: IntArray | None, comments: bool) -> None:
        m = len(rows)
        if not m:
            return
        c = list(zip(*rows, strict=True))
        idx = np.searchsorted(resp_ids, np.fromiter(c[0], dtype=np.int64, count=m))
        values = np.zeros((m, len(FIELDS)))
        labels = np.fromiter((-1 if x is None else LABEL_FIELD.get(x, F["sentiment_neutral"]) for x in c[1]),
                             dtype=np.int64, count=m)
        labelled = labels >= 0  # a comment not analysed has no label: it adds to no sentiment figure
        values[np.nonzero(labelled)[0], labels[labelled]] = 1
        score = np.fromiter((0.0 if x is None else x for x in c[2]), dtype=np.float64, count=m)
        values[:, F["sentiment_sum"]] = score
        values[:, F["sentiment_sumsq"]] = score * score
        values[:, F["urgent"]] = np.fromiter(c[3], dtype=np.float64, count=m)
        if comments:
            values[:, F["comments"]] = 1
        models = _codes(list(zip(c[4], c[5], strict=True)), model_index)
        topics = topic_codes if topic_codes is not None else np.zeros(m, dtype=np.int64)
        parts.append((idx, topics, models, values))

    # An answer not analysed (a language the encoder cannot read) has no sentiment of its own until an
    # analyst labels it; its urgency (from that language's rules) still counts.
    unscored = and_(TA.not_analysed.is_not(None), C.id.is_(None))
    # Cells 2: comment sentiment (topic "*"). Comments without text carry no sentiment. An analyst's
    # correction (models.correction) holds over the model's label and urgency.
    sentiment_part(session.execute(answers_of_survey(
        select(A.response_id,
               case((unscored, null()), else_=func.coalesce(C.sentiment_label, TA.sentiment_label)),
               case((unscored, null()), else_=_corrected_score(TA.sentiment_label, TA.sentiment_score)),
               cast(func.coalesce(C.urgent, TA.urgent), Integer), TA.model_name, TA.model_version)
        .select_from(TA).join(A, A.id == TA.answer_id).outerjoin(C, C.answer_id == A.id)
        .where(TA.no_text.is_(False))
    )).all(), None, comments=False)

    # Cells 3: tagged comments per topic, with the tag's aspect sentiment (else the comment's): the
    # model's tags of comments no analyst reviewed, and the analyst's topics of those reviewed.
    tag_rows: list[Any] = list(session.execute(answers_of_survey(
        select(A.response_id, func.coalesce(TT.sentiment_label, TA.sentiment_label),
               func.coalesce(TT.sentiment_score, TA.sentiment_score), cast(TA.urgent, Integer),
               TA.model_name, TA.model_version, TT.topic)
        .select_from(TT).join(TA, TA.id == TT.analysis_id).join(A, A.id == TA.answer_id)
        .outerjoin(C, C.answer_id == A.id)
        .where(TT.source == "taxonomy", C.id.is_(None))
    )))
    tag_rows += session.execute(answers_of_survey(
        select(A.response_id,
               case((C.sentiment_label == TA.sentiment_label, func.coalesce(TT.sentiment_label, TA.sentiment_label)),
                    else_=C.sentiment_label),
               _corrected_score(func.coalesce(TT.sentiment_label, TA.sentiment_label),
                                func.coalesce(TT.sentiment_score, TA.sentiment_score)),
               cast(C.urgent, Integer), TA.model_name, TA.model_version, CT.topic)
        .select_from(CT).join(C, C.id == CT.correction_id).join(A, A.id == C.answer_id)
        .join(TA, TA.answer_id == A.id)
        .outerjoin(TT, and_(TT.analysis_id == TA.id, TT.topic == CT.topic, TT.source == "taxonomy"))
        .where(TA.no_text.is_(False))
    )).all()
    tag_topics = _codes([r[6] for r in tag_rows], topic_index)
    sentiment_part([r[:6] for r in tag_rows], tag_topics, comments=True)

    # Cells 4: each response once per topic its comments carry, with its numeric answers.
    if tag_rows:
        tag_resp = np.searchsorted(resp_ids, np.fromiter((r[0] for r in tag_rows), dtype=np.int64))
        pairs = np.unique(tag_resp * len(topic_index) + tag_topics)
        p_resp, p_topic = pairs // len(topic_index), pairs % len(topic_index)
        values = np.zeros((len(pairs), len(FIELDS)))
        values[:, F["responses"]] = 1
        values[:, [F[k] for k in NUMERIC]] = resp_numeric[p_resp, :len(NUMERIC)]
        parts.append((p_resp, p_topic, np.full(len(pairs), -1, dtype=np.int64), values))

    return Cells(
        resp_day=resp_day, resp_site=resp_site, resp_department=resp_dep, resp_segment=resp_seg,
        days=list(day_index), segments=list(seg_index),
        resp_index=np.concatenate([p[0] for p in parts]), topic=np.concatenate([p[1] for p in parts]),
        model=np.concatenate([p[2] for p in parts]), values=np.concatenate([p[3] for p in parts]),
        topics=list(topic_index), models=list(model_index),
    )
