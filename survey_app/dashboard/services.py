"""Write services for objectives and complaint cases. They take a session and never commit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Answer, AuditEntry, Complaint, Invitation, Objective, Response, Survey, TextAnalysis, User
from survey_app.analytics.labels import effective_sentiment


class CaseError(ValueError):
    """A complaint case cannot be opened; the message says why."""


def save_objective(session: Session, survey: Survey, data: dict[str, Any], user: User,
                   objective: Objective | None = None) -> Objective:
    if objective is None:
        objective = Objective(survey_id=survey.id)
        session.add(objective)
    for key in ("name", "metric", "comparator", "target", "period_type", "segment_type", "segment_value",
                "due_date"):
        setattr(objective, key, data[key])
    session.flush()
    session.add(AuditEntry(actor_id=user.id, action="objective.save", target_type="objective",
                           target_id=str(objective.id), detail={"survey_id": survey.id}))
    return objective


NOT_A_CASE = ("No response here can open a complaint case: a case opens only from a customer's answer whose "
              "author agreed to be contacted.")


def case_candidate(session: Session, response_id: int) -> Response | None:
    """The response a complaint case may be opened from, or None: a customer's answer whose author agreed
    to be contacted. Every other id (a worker report, no consent, no such response) gets the same None, so
    stepping through ids shows nobody's comments and says nothing about which responses exist."""
    response = session.get(Response, response_id)
    if response is None or response.survey.audience != "customer" or not response.contact_consent:
        return None
    return response


def open_complaint(session: Session, response: Response, due: date, user: User) -> Complaint:
    """Open a case from a negative customer answer whose author agreed to be contacted."""
    if response.survey.audience != "customer":
        raise CaseError("Complaint cases are for customer surveys only.")
    if not response.contact_consent:
        raise CaseError("The customer did not agree to be contacted, so no case can be opened.")
    negative = session.scalar(
        select(TextAnalysis.id).join(Answer, Answer.id == TextAnalysis.answer_id)
        .where(Answer.response_id == response.id, effective_sentiment() == "negative").limit(1)
    )
    if negative is None:
        raise CaseError("Only a response with a negative comment can open a complaint case.")
    existing = session.scalar(select(Complaint).where(Complaint.response_id == response.id))
    if existing is not None:
        return existing
    case = Complaint(response_id=response.id, owner_id=user.id, response_due=due)
    session.add(case)
    session.flush()
    session.add(AuditEntry(actor_id=user.id, action="complaint.open", target_type="complaint",
                           target_id=str(case.id)))
    return case


def update_complaint(session: Session, case: Complaint, data: dict[str, Any], user: User) -> None:
    was_open = case.status == "open"
    for key in ("status", "owner_id", "response_due", "customer_contacted", "resolution"):
        setattr(case, key, data[key])
    if case.status != "open" and was_open:
        case.closed_at = datetime.now(UTC)
    elif case.status == "open":
        case.closed_at = None
    session.add(AuditEntry(actor_id=user.id, action="complaint.update", target_type="complaint",
                           target_id=str(case.id), detail={"status": case.status}))


def is_overdue(case: Complaint, today: date | None = None) -> bool:
    return case.status == "open" and case.response_due < (today or datetime.now(UTC).date())


def contact_email(session: Session, response: Response) -> str | None:
    """The invitation email of a consenting customer (public-link responses have none)."""
    if not response.contact_consent or response.invitation_id is None:
        return None
    return session.scalar(select(Invitation.email).where(Invitation.id == response.invitation_id))
