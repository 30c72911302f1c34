"""The alerts inbox: significant NPS and sentiment drops raised by the pipeline (jobs/alerts.py), which
e-mails them too; here the people who may read the survey see them and acknowledge them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from models import Alert, Survey, User
from models.anonymity import day_stamp
from models.audit import record_audit
from models.trend import ALL
from survey_app.analytics import segments

DROP_KINDS = ("nps_drop", "sentiment_drop")
KIND_LABELS = {"nps_drop": "NPS drop", "sentiment_drop": "Sentiment drop"}
STATUSES = ("waiting", "acknowledged", "all")
PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxItem:
    alert: Alert
    survey_title: str | None
    kind_label: str
    segment: str  # "all responses" or "Department: Maintenance": the message names ids


def _segment(session: Session, detail: dict[str, object]) -> str:
    segment_type, value = str(detail.get("segment_type", ALL)), str(detail.get("segment_value", ALL))
    if segment_type == ALL:
        return "all responses"
    name = segments.labels(session, segment_type, [value])[value]
    return f"{segment_type.replace('_', ' ').capitalize()}: {name}"


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    status: str
    page: int
    pages: int
    total: int
    waiting: int


def _audience() -> ColumnElement[str]:
    # The survey's audience; the one the alert recorded when the survey is gone.
    return func.coalesce(Survey.audience, Alert.detail["audience"].as_string())


def _drops(audiences: list[str]) -> Select[Alert, str]:
    return (select(Alert, Survey.title).outerjoin(Survey, Survey.id == Alert.survey_id)
            .where(Alert.kind.in_(DROP_KINDS), _audience().in_(audiences)))


def waiting_count(session: Session, audiences: list[str]) -> int:
    """Drop alerts not yet acknowledged, on surveys of `audiences`."""
    stmt = _drops(audiences).where(Alert.acknowledged_at.is_(None))
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def inbox(session: Session, audiences: list[str], status: str = "waiting", page: int = 1) -> InboxPage:
    """One page of the drop alerts on surveys of `audiences`, newest first."""
    if status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}; choose one of {', '.join(STATUSES)}.")
    if page < 1:
        raise ValueError("Pages are numbered from 1.")
    stmt = _drops(audiences)
    if status == "waiting":
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    elif status == "acknowledged":
        stmt = stmt.where(Alert.acknowledged_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # Worker-survey alerts carry the day and a random id (models.anonymity): the id only breaks ties.
    rows = session.execute(stmt.order_by(Alert.created_at.desc(), Alert.id)
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    items = [InboxItem(alert, title, KIND_LABELS[alert.kind], _segment(session, alert.detail)) for alert, title in rows]
    return InboxPage(items, status, page, max(1, -(-total // PAGE_SIZE)), total, waiting_count(session, audiences))


def audience_of(session: Session, alert: Alert) -> str:
    """The audience of the alert's survey: who may see and acknowledge it (models.user.AUDIENCE_ROLES)."""
    survey = session.get(Survey, alert.survey_id) if alert.survey_id is not None else None
    return survey.audience if survey is not None else str(alert.detail.get("audience", "customer"))


def find_drop(session: Session, alert_id: int) -> Alert | None:
    return session.scalars(select(Alert).where(Alert.id == alert_id, Alert.kind.in_(DROP_KINDS))).first()


def acknowledge(session: Session, alert: Alert, user: User) -> bool:
    """Mark a drop alert as seen and audit it; False when it was acknowledged already."""
    if alert.acknowledged_at is not None:
        return False
    worker = audience_of(session, alert) == "worker"
    now = datetime.now(UTC)
    # A worker survey's alert keeps the day only, as it was raised (jobs/alerts.py, models.anonymity).
    alert.acknowledged_at, alert.acknowledged_by = (day_stamp(now) if worker else now), user.id
    record_audit(session, "alert.acknowledge", actor_id=user.id, target_type="alert", target_id=alert.id,
                 worker_data=worker, kind=alert.kind, survey_id=alert.survey_id)
    return True
