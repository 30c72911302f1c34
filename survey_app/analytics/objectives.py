"""Objectives (ISO 9001 §6.2): which apply to a chart, and whether they are on track."""

from __future__ import annotations

import operator
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Objective, Survey
from survey_app.analytics.trends import series

COMPARATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
METRIC_LABELS = {"nps": "NPS", "csat": "CSAT", "ces_mean": "Customer effort (mean)",
                 "rating_mean": "Rating (mean)", "sentiment_mean": "Mean sentiment", "responses": "Responses"}


def for_chart(session: Session, survey_id: int, metric: str, period_type: str, segment_type: str,
              segment_value: str) -> Objective | None:
    return session.scalars(
        select(Objective).where(
            Objective.survey_id == survey_id, Objective.metric == metric, Objective.period_type == period_type,
            Objective.segment_type == segment_type, Objective.segment_value == segment_value,
            Objective.topic == "*",
        ).order_by(Objective.id.desc())
    ).first()


def status(session: Session, survey: Survey, objective: Objective) -> tuple[str, float | None]:
    """('on track' | 'off track' | 'no data', latest visible value) for the objective's latest period."""
    cells = series(session, survey, objective.period_type, objective.segment_type, objective.segment_value,
                   objective.topic, periods=1)
    value = cells[-1].value(objective.metric) if cells else None
    if value is None:
        return "no data", None
    ok = COMPARATORS[objective.comparator](value, objective.target)
    return ("on track" if ok else "off track"), value


def for_survey(session: Session, survey_id: int) -> Sequence[Objective]:
    return session.scalars(select(Objective).where(Objective.survey_id == survey_id).order_by(Objective.id)).all()
