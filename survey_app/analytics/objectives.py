"""Objectives (ISO 9001 §6.2): which apply to a chart, and whether they are on track."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.periods import label
from models import Objective, Survey
from survey_app.analytics.trends import series

COMPARATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
METRIC_LABELS = {"nps": "NPS", "csat": "CSAT", "ces_mean": "Customer effort (mean)",
                 "rating_mean": "Rating (mean)", "sentiment_mean": "Mean sentiment", "responses": "Responses"}
STATUS_LOOKBACK = 12  # periods searched back for a visible value


def describe_target(objective: Objective) -> str:
    """'NPS ≥ 40' rather than the stored 'nps >= 40'."""
    symbol = {">=": "≥", "<=": "≤"}.get(objective.comparator, objective.comparator)
    return f"{METRIC_LABELS.get(objective.metric, objective.metric)} {symbol} {objective.target:g}"


def for_chart(session: Session, survey_id: int, metric: str, period_type: str, segment_type: str,
              segment_value: str) -> Objective | None:
    return session.scalars(
        select(Objective).where(
            Objective.survey_id == survey_id, Objective.metric == metric, Objective.period_type == period_type,
            Objective.segment_type == segment_type, Objective.segment_value == segment_value,
            Objective.topic == "*",
        ).order_by(Objective.id.desc())
    ).first()


class Status(NamedTuple):
    state: str  # "on track" | "off track" | "no data"
    value: float | None
    period_start: date | None  # the period the value is from

    def describe(self, period_type: str) -> str:
        """'on track (2025-11: 41.2)', or 'no data'."""
        if self.value is None or self.period_start is None:
            return self.state
        return f"{self.state} ({label(period_type, self.period_start)}: {self.value:.1f})"


def status(session: Session, survey: Survey, objective: Objective, until: date | None = None) -> Status:
    """Whether the objective is met in its latest period (up to `until`) with a value that may be shown.

    The latest period is usually the current one, days old and under the threshold; judging on it
    would say "no data" all month, so the newest period with a visible value decides.
    """
    cells = series(session, survey, objective.period_type, objective.segment_type, objective.segment_value,
                   objective.topic, periods=STATUS_LOOKBACK, until=until)
    for cell in reversed(cells):
        value = cell.value(objective.metric)
        if value is not None:
            ok = COMPARATORS[objective.comparator](value, objective.target)
            return Status("on track" if ok else "off track", value, cell.period_start)
    return Status("no data", None, None)


def for_survey(session: Session, survey_id: int) -> Sequence[Objective]:
    return session.scalars(select(Objective).where(Objective.survey_id == survey_id).order_by(Objective.id)).all()
