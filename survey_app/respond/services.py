"""Respondent services: find what a link points to, check the survey is open, store a submission.

Functions take the session and never commit; the view owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from models import Answer, Department, Invitation, Response, Site, SiteLink, Survey
from models.anonymity import unused_anonymous_ids
from models.queue import mark_trend_dirty
from models.survey import TEXT_TYPES
from survey_app.respond.definitions import QuestionDef
from survey_app.respond.tokens import invitation_token_hash, new_receipt_code

OPEN, NOT_OPEN, CLOSED, FULL = "open", "not_open", "closed", "full"
TOKEN_MAX = 200  # real tokens are 43 characters; anything far longer is not ours


class AlreadyAnswered(Exception):
    """The invitation was used by another submission (perhaps a second click a moment earlier)."""


def _usable(key: str, max_length: int) -> bool:
    # PostgreSQL refuses NUL in text (a DataError, not "no such row"): such a link is simply unknown.
    return bool(key) and len(key) <= max_length and "\x00" not in key


def survey_by_slug(session: Session, slug: str) -> Survey | None:
    if not _usable(slug, TOKEN_MAX):
        return None
    # The questions come from the DefinitionCache, keyed by the revision read here.
    return session.scalars(_statements().survey_by_slug, {"slug": slug}).one_or_none()


def invitation_by_token(session: Session, token: str) -> Invitation | None:
    """The invitation whose token hashes to the stored hash; None for unknown or tampered tokens."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return session.scalars(_statements().invitation_by_hash, {"hash": invitation_token_hash(token)}).one_or_none()


def site_link_by_code(session: Session, code: str) -> SiteLink | None:
    if not _usable(code, 40):
        return None
    return session.scalars(_statements().site_link_by_code, {"code": code}).one_or_none()


def survey_status(session: Session, survey: Survey, now: datetime | None = None) -> str:
    """open, not_open (before opens_at), closed (after closes_at or archived) or full (response cap)."""
    now = now or datetime.now(UTC)
    if survey.archived or (survey.closes_at is not None and survey.closes_at <= now):
        return CLOSED
    if survey.opens_at is not None and survey.opens_at > now:
        return NOT_OPEN
    if survey.response_cap is not None:
        count = session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id))
        if (count or 0) >= survey.response_cap:
            return FULL
    return OPEN


def invitation_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.expires_at is not None and invitation.expires_at <= (now or datetime.now(UTC))


def pickers(session: Session, questions: Iterable[QuestionDef]) -> tuple[list[Site], list[Department]]:
    """Sites and departments to offer, loaded only when the survey asks for them."""
    types = {q.type for q in questions}
    sites = list(session.scalars(select(Site).order_by(Site.name))) if "site" in types else []
    deps = list(session.scalars(select(Department).order_by(Department.name))) if "department" in types else []
    return sites, deps


def save_invitation_draft(session: Session, invitation: Invitation, draft: dict[str, Any]) -> None:
    """Save & resume: keep what was typed on a customer's personal link until it is submitted (never a
    worker's: the invitation row holds their address)."""
    if session.scalar(select(Survey.audience).where(Survey.id == invitation.survey_id)) == "worker":
        raise ValueError("worker drafts are not stored on the server")
    invitation.draft = draft


@dataclass(frozen=True)
class Submitted:
    """What the thank-you needs of a stored response."""

    response_id: int
    receipt_code: str | None


def submit_response(
    session: Session,
    survey: Survey,
    questions: Iterable[QuestionDef],
    values: Mapping[str, Any],
    others: Mapping[str, str],
    *,
    language: str,
    invitation: Invitation | None = None,
    site_id: int | None = None,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> Submitted:
    """Store one response and its answers for the shown `questions`; raises AlreadyAnswered when the
    invitation is used (a racing submit may instead fail the unique invitation_id on insert), and fails
    the unique submission_key when this filling-in of the survey was stored already (a replay).

    Worker responses keep the day only: no exact time, no address, no device; they get a receipt code.
    Rows go in as plain INSERTs on the session's connection (in its transaction): the ORM's unit of work
    cost more than the database did on this, the busiest write path.
    """
    now = now or datetime.now(UTC)
    worker = survey.audience == "worker"
    if invitation is not None:
        # Conditional update: of two racing submits exactly one sees used_at still empty. A worker's
        # invitation records the day only, like the response, so the two cannot be matched by time.
        used_at = now.replace(hour=0, minute=0, second=0, microsecond=0) if worker else now
        claimed = session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=used_at, draft=None)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise AlreadyAnswered()
    # A worker's response never points back at the invitation, which holds the address it was sent to,
    # nor takes its upload columns (name, team…): the form promises anonymity. The claim above still makes
    # the link single-use, and response rates count used invitations, not linked responses.
    linked = invitation if invitation is not None and not worker else None
    response: dict[str, Any] = {
        "survey_id": survey.id,
        "invitation_id": linked.id if linked is not None else None,
        "site_id": site_id,
        "department_id": None,
        "language": language,
        "submitted_on": now.date(),
        "submitted_at": None if worker else now,
        "segment": dict(linked.attributes or {}) if linked is not None else {},
        "receipt_code": _unused_receipt_code(session) if worker else None,
        "contact_consent": False,
        "submission_key": submission_key,
    }
    rows: list[dict[str, Any]] = []
    for q in questions:
        value = values.get(q.key)
        if value is None:
            continue
        if q.type == "site":
            response["site_id"] = int(value)
        elif q.type == "department":
            response["department_id"] = int(value)
        else:
            if q.type == "consent":
                response["contact_consent"] = bool(value) and not worker
            rows.append(answer_row(q, value, others.get(q.key)))
    conn = session.connection()
    if worker:
        # Ids drawn at random, not from the sequence customer rows share (models.anonymity).
        response["id"] = unused_anonymous_ids(conn, Response.id, 1)[0]
        for row, answer_id in zip(rows, unused_anonymous_ids(conn, Answer.id, len(rows)), strict=True):
            row["id"] = answer_id
    response_id: int = conn.execute(_statements().insert_response, response).scalar_one()
    # One executemany per set of keys (usually one): rows with the same columns go in together.
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        row["response_id"] = response_id
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for group in by_keys.values():
        conn.execute(_statements().insert_answer, group)
    mark_trend_dirty(conn, survey.id, response["submitted_on"])
    return Submitted(response_id, response["receipt_code"])


def stored_submission(session: Session, survey: Survey, submission_key: str) -> Submitted | None:
    """The response stored under `submission_key`, if that filling-in of the survey was sent already."""
    row = session.execute(_statements().stored_submission, {"survey": survey.id, "key": submission_key}).first()
    return Submitted(row.id, row.receipt_code) if row is not None else None


@dataclass(frozen=True)
class _Statements:
    """Statements of the submit path, built once: building one (and its cache key) on every request
    cost more than executing it."""

    survey_by_slug: Select[Any]
    invitation_by_hash: Select[Any]
    site_link_by_code: Select[Any]
    receipt_code_taken: Select[Any]
    stored_submission: Select[Any]
    insert_response: ReturningInsert[Any]
    insert_answer: Insert


@cache
def _statements() -> _Statements:
    return _Statements(
        survey_by_slug=select(Survey).where(Survey.slug == bindparam("slug")),
        invitation_by_hash=select(Invitation).where(Invitation.token_hash == bindparam("hash")),
        site_link_by_code=select(SiteLink).where(SiteLink.code == bindparam("code")),
        receipt_code_taken=select(Response.id).where(Response.receipt_code == bindparam("code")),
        stored_submission=select(Response.id, Response.receipt_code).where(
            Response.submission_key == bindparam("key"), Response.survey_id == bindparam("survey")),
        insert_response=insert(Response).returning(Response.id),
        insert_answer=insert(Answer),
    )


def answer_row(q: QuestionDef, value: Any, other: str | None) -> dict[str, Any]:
    """The answers row for a clean value. The JSON columns are left out, not None, when unused: a JSON None
    would be stored as the JSON text 'null' instead of SQL NULL."""
    row: dict[str, Any] = {"question_id": q.id, "text_state": "none", "number": None, "text": None}
    if q.type in TEXT_TYPES:
        row["text"] = str(value)
        row["text_state"] = "pending"  # the scoring job picks it up; `heedful pipeline status` counts it
    elif q.type == "matrix":
        row["grid"] = dict(value)
    elif q.type in ("single_choice", "multiple_choice"):
        row["choices"] = [value] if isinstance(value, str) else list(value)
        row["text"] = other  # "other, please say": kept, but not sentiment-scored
    elif q.type == "yes_no":
        row["choices"] = [value]
        row["number"] = 1.0 if value == "yes" else 0.0
    elif q.type == "consent":
        row["number"] = 1.0 if value else 0.0
    else:
        row["number"] = float(value)
    return row


def _unused_receipt_code(session: Session) -> str:
    for _ in range(5):
        code = new_receipt_code()
        if session.scalar(_statements().receipt_code_taken, {"code": code}) is None:
            return code
    raise RuntimeError("could not find an unused receipt code")  # 2^49 codes: practically unreachable
