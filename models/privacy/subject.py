"""A data subject's request (GDPR Art. 15 and 17), found by the e-mail address they were invited at.

What links a person to stored data is their invitation: the address and upload columns on it, the
customer responses submitted through it (with their answers, the analyses of those answers and any
complaint case opened from them). Worker reports never link back to an invitation (see
survey_app/respond/services.py), so no address can find one: the export says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.action import Complaint
from models.alert import Alert
from models.analysis import TextAnalysis, TopicTag
from models.correction import AnalysisCorrection
from models.distribution import Invitation
from models.org import Department, Site
from models.privacy.segments import drop_orphaned_segment_rows, segment_pairs
from models.queue import mark_trend_dirty
from models.response import Answer, Response
from models.survey import Question, Survey

WORKER_NOTE = (
    "Worker safety reports are not linked to anyone: they never point to an invitation, an e-mail address or "
    "any other identifier, so none can be found, exported or erased for a person."
)


class SubjectNotFound(LookupError):
    """No invitation is stored for the address (it may never have been invited, or already be erased)."""


@dataclass
class ErasureCounts:
    invitations: int = 0
    responses: int = 0
    answers: int = 0
    analyses: int = 0
    topic_tags: int = 0
    complaints: int = 0
    corrections: int = 0  # analysts' corrections of the labels of their answers
    alerts: int = 0
    trend_days: int = 0  # (survey, day) pairs queued for recomputation
    trend_rows: int = 0  # rows keyed by their upload-column values (a name) that no one else carries
    # Responses on days whose text was already purged: those days' trend rows keep them as anonymous counts.
    responses_in_purged_days: int = 0

    def as_dict(self) -> dict[str, Any]:  # Any: spread into record_audit(**detail)
        return asdict(self)


def normalise_email(email: str) -> str:
    """Addresses are stored lower-cased at import, so a request matches however it was typed."""
    return email.strip().lower()


def _invitations(session: Session, email: str) -> list[Invitation]:
    address = normalise_email(email)
    if not address:
        raise SubjectNotFound("no e-mail address given")
    found = list(session.scalars(
        select(Invitation).where(func.lower(Invitation.email) == address).order_by(Invitation.id)))
    if not found:
        raise SubjectNotFound(f"no invitation is stored for {address}")
    return found


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _survey(survey: Survey) -> dict[str, Any]:
    return {"slug": survey.slug, "title": survey.title, "audience": survey.audience}


def _label(question: Question, language: str) -> str:
    texts = question.texts or {}
    for lang in (language, "en", *texts):
        label = (texts.get(lang) or {}).get("label")
        if label:
            return str(label)
    return question.key


def export_subject(session: Session, email: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything stored about the person invited at `email`, as plain JSON-ready data."""
    invitations = _invitations(session, email)
    inv_ids = [i.id for i in invitations]
    responses = list(session.scalars(
        select(Response).where(Response.invitation_id.in_(inv_ids)).order_by(Response.id)))
    resp_ids = [r.id for r in responses]
    answers = list(session.scalars(
        select(Answer).where(Answer.response_id.in_(resp_ids)).order_by(Answer.id))) if resp_ids else []
    analyses = {a.answer_id: a for a in session.scalars(
        select(TextAnalysis).where(TextAnalysis.answer_id.in_([a.id for a in answers])))} if answers else {}
    complaints = list(session.scalars(
        select(Complaint).where(Complaint.response_id.in_(resp_ids)).order_by(Complaint.id))) if resp_ids else []
    sites: dict[int, str] = {i: n for i, n in session.execute(select(Site.id, Site.name))}
    departments: dict[int, str] = {i: n for i, n in session.execute(select(Department.id, Department.name))}
    by_response: dict[int, list[Answer]] = {}
    for a in answers:
        by_response.setdefault(a.response_id, []).append(a)

    def answer(a: Answer, language: str) -> dict[str, Any]:
        out: dict[str, Any] = {"question": a.question.key, "label": _label(a.question, language),
                               "type": a.question.type}
        for key in ("number", "text", "choices", "grid"):
            value = getattr(a, key)
            if value is not None:
                out[key] = value
        analysis = analyses.get(a.id)
        if analysis is not None:
            out["analysis"] = {
                "sentiment": analysis.sentiment_label, "sentiment_score": analysis.sentiment_score,
                "urgent": analysis.urgent, "redacted_text": analysis.redacted_text,
                "topics": sorted(t.topic for t in analysis.tags),
                "model": f"{analysis.model_name} {analysis.model_version}",
                "analyzed_on": analysis.analyzed_at.date().isoformat(),
            }
        return out

    return {
        "subject": normalise_email(email),
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "worker_reports": WORKER_NOTE,
        "invitations": [{
            "survey": _survey(i.survey),
            "email": i.email,
            "upload_columns": i.attributes or {},
            "created_at": _iso(i.created_at), "sent_at": _iso(i.sent_at), "reminded_at": _iso(i.reminded_at),
            "expires_at": _iso(i.expires_at), "used_at": _iso(i.used_at),
            "saved_draft": i.draft,
            # From the invitation: a worker's report never links back to it, so it cannot be listed here.
            "answered": i.used_at is not None,
        } for i in invitations],
        "responses": [{
            "survey": _survey(r.survey),
            "submitted_on": _iso(r.submitted_on), "submitted_at": _iso(r.submitted_at),
            "language": r.language,
            "site": sites.get(r.site_id) if r.site_id else None,
            "department": departments.get(r.department_id) if r.department_id else None,
            "segment": r.segment or {},
            "contact_consent": r.contact_consent,
            "answers": [answer(a, r.language) for a in by_response.get(r.id, [])],
        } for r in responses],
        "complaint_cases": [{
            "survey": _survey(next(r.survey for r in responses if r.id == c.response_id)),
            "response_submitted_on": _iso(next(r.submitted_on for r in responses if r.id == c.response_id)),
            "status": c.status, "opened_at": _iso(c.created_at), "response_due": _iso(c.response_due),
            "closed_at": _iso(c.closed_at), "customer_contacted": c.customer_contacted,
            "resolution": c.resolution,
        } for c in complaints],
    }


def erase_subject(session: Session, email: str) -> ErasureCounts:
    """Delete everything stored about the person invited at `email`; queue the trend days it touched.

    Trend days before a survey's `text_purged_before` are not queued: their text is already gone, so a
    recomputation would lose everyone else's comment figures. Their rows hold only anonymous counts.
    Never commits; wrap it in `secure_delete` on SQLite so the deleted text is zeroed in the file.
    """
    invitations = _invitations(session, email)
    inv_ids = [i.id for i in invitations]
    counts = ErasureCounts(invitations=len(inv_ids))
    pairs: dict[int, set[tuple[str, str]]] = {}
    for inv in invitations:
        pairs.setdefault(inv.survey_id, set()).update(segment_pairs([inv.attributes]))
    for survey_id, segment in session.execute(
            select(Response.survey_id, Response.segment).where(Response.invitation_id.in_(inv_ids))):
        pairs.setdefault(survey_id, set()).update(segment_pairs([segment]))
    rows = session.execute(
        select(Response.id, Response.survey_id, Response.submitted_on, Survey.text_purged_before)
        .join(Survey, Survey.id == Response.survey_id).where(Response.invitation_id.in_(inv_ids))).all()
    resp_ids = [r.id for r in rows]
    if resp_ids:
        answer_ids = list(session.scalars(select(Answer.id).where(Answer.response_id.in_(resp_ids))))
        analysis_ids = list(session.scalars(
            select(TextAnalysis.id).where(TextAnalysis.answer_id.in_(answer_ids)))) if answer_ids else []
        if answer_ids:
            # Their topics go with them (ON DELETE CASCADE).
            counts.corrections = _delete(session, delete(AnalysisCorrection).where(
                AnalysisCorrection.answer_id.in_(answer_ids)))
        if analysis_ids:
            counts.topic_tags = _delete(session, delete(TopicTag).where(TopicTag.analysis_id.in_(analysis_ids)))
            counts.analyses = _delete(session, delete(TextAnalysis).where(TextAnalysis.id.in_(analysis_ids)))
        counts.complaints = _delete(session, delete(Complaint).where(Complaint.response_id.in_(resp_ids)))
        counts.alerts = _delete(session, delete(Alert).where(Alert.response_id.in_(resp_ids)))
        counts.answers = _delete(session, delete(Answer).where(Answer.response_id.in_(resp_ids)))
        counts.responses = _delete(session, delete(Response).where(Response.id.in_(resp_ids)))
        days = {(r.survey_id, r.submitted_on) for r in rows
                if r.text_purged_before is None or r.submitted_on >= r.text_purged_before}
        for survey_id, day in sorted(days):
            mark_trend_dirty(session, survey_id, day)
        counts.trend_days = len(days)
        counts.responses_in_purged_days = sum(
            1 for r in rows if r.text_purged_before is not None and r.submitted_on < r.text_purged_before)
    counts.invitations = _delete(session, delete(Invitation).where(Invitation.id.in_(inv_ids)))
    for survey_id, survey_pairs in sorted(pairs.items()):
        survey = session.get(Survey, survey_id)
        if survey is not None:
            counts.trend_rows += drop_orphaned_segment_rows(session, survey, survey_pairs)
    session.expire_all()
    return counts


def _delete(session: Session, stmt: Any) -> int:
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
