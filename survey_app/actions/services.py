"""Corrective-action services. They take a session and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, or_, select
from sqlalchemy.orm import Session

from models import Answer, AuditEntry, CorrectiveAction, Response, Site, Survey, TextAnalysis, User, action_reports
from survey_app.auth.access import MAX_ID, readable_audiences

CLOSED = ("done", "verified", "cancelled")
FIELDS = ("title", "description", "topic", "owner_id", "due_date", "status", "effectiveness_check",
          "evidence_url", "public_note", "site_id")


class ActionError(ValueError):
    """Bad action data; the message is safe to show."""


def readable_by(user: User) -> ColumnElement[bool]:
    """Actions `user` may read. An action's audience is that of the evidence it links: its survey and the
    survey of every report it answers. An action with no survey is not thereby open to everyone; one
    linked to a worker report stays with the worker survey's readers whatever its survey_id says."""
    readable = select(Survey.id).where(Survey.audience.in_(readable_audiences(user)))
    unreadable_links = (
        select(action_reports.c.action_id).join(Response, Response.id == action_reports.c.response_id)
        .where(Response.survey_id.not_in(readable))
    )
    return and_(or_(CorrectiveAction.survey_id.is_(None), CorrectiveAction.survey_id.in_(readable)),
                CorrectiveAction.id.not_in(unreadable_links))


def can_read(session: Session, user: User, action: CorrectiveAction) -> bool:
    return session.scalar(select(CorrectiveAction.id).where(CorrectiveAction.id == action.id,
                                                            readable_by(user))) is not None


def visible_actions(session: Session, user: User, status: str | None = None) -> list[CorrectiveAction]:
    """Actions whose evidence the user may read (see readable_by)."""
    stmt = select(CorrectiveAction).where(readable_by(user))
    if status == "open":
        stmt = stmt.where(CorrectiveAction.status.not_in(CLOSED))
    elif status == "closed":
        stmt = stmt.where(CorrectiveAction.status.in_(CLOSED))
    return list(session.scalars(stmt.order_by(CorrectiveAction.due_date, CorrectiveAction.id)).all())


def parse_id(text: str | None) -> int | None:
    """A row id written in a form or a reference; negative ones too (worker rows', models.anonymity)."""
    if text and re.fullmatch(r"-?[0-9]{1,10}", text) and abs(int(text)) <= MAX_ID:
        return int(text)
    return None


def response_for_source(session: Session, source_ref: str | None, response_id: int | None) -> Response | None:
    """The anonymous report an action answers: given directly, as `response:<id>` (an alert) or behind an
    `analysis:<id>` comment."""
    if response_id:
        return session.get(Response, response_id)
    kind, _, ref = (source_ref or "").partition(":")
    ref_id = parse_id(ref)
    if kind == "response" and ref_id is not None:
        return session.get(Response, ref_id)
    if kind == "analysis" and ref_id is not None:
        return session.scalar(select(Response).join(Answer, Answer.response_id == Response.id)
                              .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
                              .where(TextAnalysis.id == ref_id))
    return None


def _apply(action: CorrectiveAction, data: dict[str, Any]) -> None:
    for key in FIELDS:
        value = data.get(key)
        if key in ("owner_id", "site_id"):
            value = value or None
        if value is None and key in ("title", "description"):
            value = ""  # a field left out of the post (a hand-made request) is empty, not NULL
        if isinstance(value, str):
            value = value.strip() or (None if key in ("topic", "evidence_url", "public_note",
                                                        "effectiveness_check") else "")
        setattr(action, key, value)
    action.effective = {"yes": True, "no": False}.get(data.get("effective") or "")
    if action.status in CLOSED and action.closed_at is None:
        action.closed_at = datetime.now(UTC)
    elif action.status not in CLOSED:
        action.closed_at = None


def create_action(session: Session, data: dict[str, Any], user: User, survey: Survey | None,
                  report: Response | None) -> CorrectiveAction:
    """Create an action. Its survey comes from the report it answers when there is one (the evidence
    decides who may read it, not a form field); `survey` may only confirm it."""
    if report is not None and survey is not None and report.survey_id != survey.id:
        raise ActionError("The linked report belongs to another survey.")
    if report is not None:
        survey = report.survey
    action = CorrectiveAction(survey_id=survey.id if survey else None, source_type=data["source_type"],
                              source_ref=data.get("source_ref") or None)
    _apply(action, data)
    if action.site_id is None and report is not None:
        action.site_id = report.site_id
    session.add(action)
    session.flush()
    if report is not None:
        session.execute(insert(action_reports).values(action_id=action.id, response_id=report.id))
    session.add(AuditEntry(actor_id=user.id, action="action.create", target_type="action",
                           target_id=str(action.id), detail={"source": action.source_type}))
    return action


def update_action(session: Session, action: CorrectiveAction, data: dict[str, Any], user: User) -> None:
    before = action.status
    _apply(action, data)
    session.add(AuditEntry(actor_id=user.id, action="action.update", target_type="action",
                           target_id=str(action.id), detail={"status": [before, action.status]}))


def linked_reports(session: Session, action_id: int) -> int:
    return len(session.scalars(select(action_reports.c.response_id).where(
        action_reports.c.action_id == action_id)).all())


@dataclass(frozen=True)
class ReceiptStatus:
    submitted_month: str
    actions: list[tuple[str, str, str | None, date | None]]  # (title, status, public note, closed day)


def receipt_status(session: Session, code: str) -> ReceiptStatus | None:
    """What a reporter may see for their receipt code: only the linked actions' status and public notes."""
    code = code.strip()
    if not code or len(code) > 40:
        return None
    response = session.scalar(select(Response).where(Response.receipt_code == code))
    if response is None:
        response = session.scalar(select(Response).where(Response.receipt_code == code.upper()))
    if response is None:
        return None
    actions = session.scalars(
        select(CorrectiveAction).join(action_reports, action_reports.c.action_id == CorrectiveAction.id)
        .where(action_reports.c.response_id == response.id).order_by(CorrectiveAction.id)
    ).all()
    return ReceiptStatus(
        response.submitted_on.strftime("%Y-%m"),
        [(a.title, a.status, a.public_note, a.closed_at.date() if a.closed_at else None) for a in actions],
    )


def you_said_we_did(session: Session, site_code: str) -> tuple[Site, list[CorrectiveAction]] | None:
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        return None
    actions = session.scalars(
        select(CorrectiveAction).where(
            CorrectiveAction.site_id == site.id, CorrectiveAction.status.in_(("done", "verified")),
            CorrectiveAction.public_note.is_not(None), CorrectiveAction.public_note != "",
        ).order_by(CorrectiveAction.closed_at.desc())
    ).all()
    return site, list(actions)
