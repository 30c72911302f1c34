"""How often the model agrees with analysts: per label, per month of review, with n and thresholds.

Every analyst review (models.correction) records what the model said when the analyst looked at the
comment, so a review that leaves the label as it was counts as agreement and a changed one as
disagreement. Cells are keyed on the analyst's label (of the comments analysts call negative, how many
did the model call negative) and, for the whole period, on the model's label too (of the comments the
model called negative, how many did analysts leave negative).

A cell about fewer reviews than the survey's figure threshold (`min_group_size`) is hidden, with
complementary suppression across the labels of a month and the months of a label, as the dashboard
does for its figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnalysisCorrection, Answer, CorrectionTopic, Response, Survey
from models.correction import CORRECTION_LABELS
from survey_app.analytics.suppression import Group, suppress

ALL = "*"
URGENCY_LABELS = ("urgent", "not urgent")
NOT_TAGGED = "\x00not tagged"  # the other side did not give the topic


@dataclass(frozen=True)
class Cell:
    """`agreed` of `n` reviews; both None when the cell is hidden."""

    n: int | None
    agreed: int | None

    @property
    def hidden(self) -> bool:
        return self.n is None

    @property
    def rate(self) -> float | None:
        if self.n is None or self.agreed is None or self.n == 0:
            return None
        return self.agreed / self.n


@dataclass
class AgreementTable:
    title: str
    labels: tuple[str, ...]
    months: list[date] = field(default_factory=list)
    # (month, label) -> cell, label ALL = the month's total
    by_month: dict[tuple[date, str], Cell] = field(default_factory=dict)
    # label -> cell over every month, by the analyst's label; ALL = every review
    overall: dict[str, Cell] = field(default_factory=dict)
    # label -> cell over every month, by the model's label
    by_model_label: dict[str, Cell] = field(default_factory=dict)

    @property
    def reviews(self) -> int:
        return self.overall[ALL].n or 0 if self.overall else 0


@dataclass(frozen=True)
class Review:
    month: date
    analyst: str
    model: str


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def reviews(session: Session, survey_id: int) -> tuple[list[Review], list[Review]]:
    """Every review of the survey's comments as (sentiment reviews, urgency reviews)."""
    sentiment, urgency, _, _ = _reviews(session, survey_id)
    return sentiment, urgency


def _reviews(session: Session, survey_id: int) -> tuple[list[Review], list[Review], list[Review], list[Review]]:
    """Sentiment and urgency reviews, and topic reviews seen from the analyst's topics and from the model's."""
    C = AnalysisCorrection
    rows = session.execute(
        select(C.id, C.corrected_at, C.sentiment_label, C.model_sentiment_label, C.urgent, C.model_urgent,
               C.model_not_analysed, C.model_topics)
        .join(Answer, Answer.id == C.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id)
    ).all()
    chosen: dict[int, set[str]] = {}
    for correction_id, topic in session.execute(
        select(CorrectionTopic.correction_id, CorrectionTopic.topic).where(CorrectionTopic.correction_id.in_(
            [r.id for r in rows]))
    ):
        chosen.setdefault(correction_id, set()).add(topic)

    def name(urgent: bool) -> str:
        return URGENCY_LABELS[0] if urgent else URGENCY_LABELS[1]

    sentiment, urgency, topics_by_analyst, topics_by_model = [], [], [], []
    for r in rows:
        month = _month(r.corrected_at.date())
        urgency.append(Review(month, name(r.urgent), name(r.model_urgent)))
        # An answer the model could not read has a placeholder sentiment and no topics, not a judgement:
        # left out. Its urgency was still judged (by the per-language rules), so it counts there.
        if r.model_not_analysed:
            continue
        sentiment.append(Review(month, r.sentiment_label, r.model_sentiment_label))
        analyst, model = chosen.get(r.id, set()), set(r.model_topics or [])
        # One review per (comment, topic): the analyst's topics, each kept or missed by the model, and the
        # model's topics, each kept or dropped by the analyst.
        topics_by_analyst += [Review(month, t, t if t in model else NOT_TAGGED) for t in sorted(analyst)]
        topics_by_model += [Review(month, t if t in analyst else NOT_TAGGED, t) for t in sorted(model)]
    return sentiment, urgency, topics_by_analyst, topics_by_model


def build_table(title: str, labels: tuple[str, ...], items: list[Review], min_size: int,
                model_items: list[Review] | None = None) -> AgreementTable:
    """Count reviews and agreements per cell, then hide the cells the threshold says to hide.

    `items` give the cells by the analyst's label; `model_items` those by the model's label (by default
    the same reviews: one label per comment). With separate lists (topics: several per comment) the
    model-side cells have no published total of their own."""
    n: Counter[Hashable] = Counter()
    agreed: Counter[Hashable] = Counter()
    for r in items:
        same = r.analyst == r.model
        for key in (("m", r.month, r.analyst), ("m", r.month, ALL), ("a", r.analyst), ("a", ALL)):
            n[key] += 1
            agreed[key] += same
    for r in items if model_items is None else model_items:
        n[("p", r.model)] += 1
        agreed[("p", r.model)] += r.analyst == r.model
    months = sorted({r.month for r in items})
    counts: dict[Hashable, int] = {
        **{("m", m, lab): n[("m", m, lab)] for m in months for lab in (*labels, ALL)},
        **{("a", lab): n[("a", lab)] for lab in (*labels, ALL)},
        **{("p", lab): n[("p", lab)] for lab in labels},
    }
    groups = [Group(("m", m, ALL), tuple(("m", m, lab) for lab in labels)) for m in months]
    groups += [Group(("a", lab), tuple(("m", m, lab) for m in months)) for lab in labels]
    groups += [
        Group(("a", ALL), tuple(("m", m, ALL) for m in months)),
        Group(("a", ALL), tuple(("a", lab) for lab in labels)),
        Group(("a", ALL) if model_items is None else None, tuple(("p", lab) for lab in labels)),
    ]
    # A label nobody used is an empty cell, not a small group: it reveals nothing and stays shown.
    nonempty = {k: v for k, v in counts.items() if v > 0}
    hidden = suppress(nonempty, groups, min_size)

    def cell(key: Hashable) -> Cell:
        if key in hidden:
            return Cell(None, None)
        return Cell(counts[key], agreed[key])

    return AgreementTable(
        title=title, labels=labels, months=months,
        by_month={(m, lab): cell(("m", m, lab)) for m in months for lab in (*labels, ALL)},
        overall={lab: cell(("a", lab)) for lab in (*labels, ALL)},
        by_model_label={lab: cell(("p", lab)) for lab in labels},
    )


def agreement(session: Session, survey: Survey) -> list[AgreementTable]:
    """The sentiment, urgency and topic agreement tables of a survey."""
    sentiment, urgency, by_analyst, by_model = _reviews(session, survey.id)
    topics = tuple(sorted({r.analyst for r in by_analyst} | {r.model for r in by_model}))
    return [
        build_table("Sentiment", CORRECTION_LABELS, sentiment, survey.min_group_size),
        build_table("Urgency", URGENCY_LABELS, urgency, survey.min_group_size),
        build_table("Topics", topics, by_analyst, survey.min_group_size, model_items=by_model),
    ]
