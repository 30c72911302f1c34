"""The urgent-report queue of worker surveys, acknowledged through the pipeline's Alert rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Alert, Answer, AuditEntry, Response, Site, Survey, TextAnalysis, User
from models.alert import urgent_alert_key
from models.anonymity import day_stamp, unused_anonymous_ids
from survey_app.analytics.labels import effective_urgent

KIND = "urgent_report"


@dataclass(frozen=True)
class UrgentItem:
    analysis_id: int
    response_id: int
    survey: Survey
    submitted_on: date
    site: str | None
    redacted_text: str
    reason: str | None
    acknowledged_at: datetime | None


def queue(session: Session, include_acknowledged: bool = False) -> list[UrgentItem]:
    """Urgent worker reports, oldest unacknowledged first (a safety officer's correction holds over the model)."""
    stmt = (
        select(TextAnalysis, Response, Survey, Site.name, Alert.acknowledged_at)
        .join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Site, Site.id == Response.site_id)
        .outerjoin(Alert, (Alert.response_id == Response.id) & (Alert.kind == KIND))
        .where(effective_urgent().is_(True), Survey.audience == "worker")
        .order_by(Alert.acknowledged_at.is_not(None), Response.submitted_on, TextAnalysis.id)
    )
    if not include_acknowledged:
        stmt = stmt.where(Alert.acknowledged_at.is_(None))
    return [
        UrgentItem(a.id, r.id, s, r.submitted_on, site, a.redacted_text, a.urgency_reason, acked)
        for a, r, s, site, acked in session.execute(stmt).all()
    ]


def acknowledge(session: Session, analysis_id: int, user: User) -> bool:
    """Mark an urgent report as handled; False when it is not an urgent worker report."""
    row = session.execute(
        select(TextAnalysis, Response).join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id).join(Survey, Survey.id == Response.survey_id)
        .where(TextAnalysis.id == analysis_id, effective_urgent().is_(True), Survey.audience == "worker")
    ).first()
    if row is None:
        return False
    analysis, response = row
    # The alert belongs to the report, which keeps the day only (models.anonymity); who acknowledged it
    # and when is in the audit log, which records the officer's act, not the report.
    today = day_stamp(datetime.now(UTC))
    alerts = session.scalars(select(Alert).where(Alert.response_id == response.id, Alert.kind == KIND)).all()
    if not alerts:
        # The pipeline normally raised one already; if not, record the acknowledgement on a new one
        # whose key the pipeline's dedup sees, so nobody is paged for a handled report.
        alert_id = unused_anonymous_ids(session, Alert.id, 1)[0]
        alerts = [Alert(id=alert_id, kind=KIND, dedup_key=urgent_alert_key(analysis.answer_id),
                        survey_id=response.survey_id, response_id=response.id,
                        message=analysis.urgency_reason or "urgent report", detail={"audience": "worker"},
                        created_at=today, email_status="skipped", webhook_status="skipped")]
        session.add(alerts[0])
    for alert in alerts:
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = today, user.id
    # The day and an anonymous id here too: officers acknowledge within minutes of the alert (AuditEntry).
    session.add(AuditEntry(id=unused_anonymous_ids(session, AuditEntry.id, 1)[0], actor_id=user.id,
                           action="urgent.acknowledge", target_type="response", target_id=str(response.id), at=today))
    return True
