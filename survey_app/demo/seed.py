"""Write the demo into a session: organisation, users, surveys, links, actions, objectives and responses.

Plain functions that take a session, flush and never commit: `heedful demo seed` owns the transaction.
Responses and answers go in with ORM bulk INSERTs in chunks, so 3,000 responses take seconds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from models import (
    Answer,
    CorrectiveAction,
    Department,
    Invitation,
    Objective,
    Question,
    Response,
    Site,
    SiteLink,
    Survey,
    User,
    action_reports,
)
from models.anonymity import unused_anonymous_ids
from models.queue import mark_trend_dirty
from models.survey import TEXT_TYPES
from survey_app.auth.services import create_user
from survey_app.demo.generate import (
    REGIONS,
    CustomerPlan,
    Timeline,
    WorkerPlan,
    customer_plans,
    split_counts,
    worker_plans,
)
from survey_app.demo.surveys import CUSTOMER_SLUG, SAFETY_SLUG, customer_survey, safety_survey
from survey_app.respond.tokens import invitation_token_hash, new_invitation_token, new_receipt_code

# Published in the README and printed by scripts/run.sh: demo logins, never for production.
DEMO_USERS = (
    ("admin@demo.heedful", "admin", "demo-admin-pw"),
    ("analyst@demo.heedful", "analyst", "demo-analyst-pw"),
    ("safety@demo.heedful", "safety_officer", "demo-safety-pw"),
)
SITES = (("leeds", "Leeds Plant"), ("rotterdam", "Rotterdam Warehouse"))
DEPARTMENTS = (("production", "Production"), ("logistics", "Logistics"), ("maintenance", "Maintenance"))
SITE_LINK_CODES = {"leeds": "leeds-demo", "rotterdam": "rotterdam-demo"}
DEFAULT_RESPONSES = 3000
DEFAULT_SEED = 7
CHUNK = 1000
LINKED_REPORTS = 12


class DemoError(ValueError):
    """The demo cannot be seeded here (the message is one line and says why)."""


@dataclass
class SeedSummary:
    responses: int = 0
    customer_responses: int = 0
    worker_responses: int = 0
    pending_texts: int = 0
    invitations: int = 0
    used_invitations: int = 0
    linked_reports: int = 0

    def line(self) -> str:
        return (
            f"seeded the demo: 2 surveys ({CUSTOMER_SLUG}, {SAFETY_SLUG}), {len(SITES)} sites, "
            f"{len(DEPARTMENTS)} departments, {len(DEMO_USERS)} users, {self.responses} responses "
            f"({self.customer_responses} customer, {self.worker_responses} worker), {self.pending_texts} "
            f"free-text answers queued for scoring, {self.invitations} invitations "
            f"({self.used_invitations} used)"
        )


def check_not_seeded(session: Session) -> None:
    """Refuse to seed twice: the demo surveys, users and QR codes must not exist yet."""
    slug = session.scalar(select(Survey.slug).where(Survey.slug.in_((CUSTOMER_SLUG, SAFETY_SLUG))).limit(1))
    if slug is not None:
        raise DemoError(f"the demo is already seeded (survey {slug} exists); nothing was changed")
    emails = [email for email, _role, _pw in DEMO_USERS]
    email = session.scalar(select(User.email).where(func.lower(User.email).in_(emails)).limit(1))
    if email is not None:
        raise DemoError(f"a user {email} already exists; remove it to seed the demo; nothing was changed")
    code = session.scalar(select(SiteLink.code).where(SiteLink.code.in_(SITE_LINK_CODES.values())).limit(1))
    if code is not None:
        raise DemoError(f"a site link with code {code} already exists; nothing was changed")


def seed_demo(
    session: Session, *, responses: int = DEFAULT_RESPONSES, seed: int = DEFAULT_SEED, today: date | None = None
) -> SeedSummary:
    """Create the whole demo; the same seed and day give the same surveys, numbers and texts."""
    if responses < 0:
        raise DemoError("--responses must be 0 or more")
    check_not_seeded(session)
    timeline = Timeline(today or datetime.now(UTC).date())
    rng = random.Random(seed)
    sites = ensure_sites(session)
    departments = ensure_departments(session)
    users = create_demo_users(session)
    customer, safety = customer_survey(), safety_survey()
    session.add_all([customer, safety])
    session.flush()
    session.add_all([SiteLink(survey_id=safety.id, site_id=sites[code].id, code=link)
                     for code, link in SITE_LINK_CODES.items()])
    action = add_actions(session, customer, safety, sites, users, timeline)
    add_objectives(session, customer, safety, timeline, sites["leeds"])
    session.flush()

    summary = SeedSummary()
    n_customer, n_worker = split_counts(responses)
    cplans = customer_plans(rng, n_customer, timeline)
    wplans = worker_plans(rng, n_worker, timeline)
    insert_customer_responses(session, customer, cplans, rng, timeline, summary)
    worker_ids = insert_worker_responses(session, safety, wplans, sites, departments, summary)
    summary.linked_reports = link_forklift_reports(session, action, wplans, worker_ids, rng, timeline)
    _record_effectiveness(action, wplans, timeline)
    days = {(customer.id, p.day) for p in cplans} | {(safety.id, p.day) for p in wplans}
    for survey_id, day in sorted(days):
        mark_trend_dirty(session, survey_id, day)
    session.flush()
    return summary


def ensure_sites(session: Session) -> dict[str, Site]:
    """The demo sites by code, reusing a site that already has the code."""
    existing = {s.code: s for s in session.scalars(select(Site).where(Site.code.in_([c for c, _ in SITES])))}
    for code, name in SITES:
        if code not in existing:
            existing[code] = Site(code=code, name=name)
            session.add(existing[code])
    session.flush()
    return existing


def ensure_departments(session: Session) -> dict[str, Department]:
    codes = [c for c, _ in DEPARTMENTS]
    existing = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(codes)))}
    for code, name in DEPARTMENTS:
        if code not in existing:
            existing[code] = Department(code=code, name=name)
            session.add(existing[code])
    session.flush()
    return existing


def create_demo_users(session: Session) -> dict[str, User]:
    """The three demo logins, by role."""
    return {role: create_user(session, email, role, password) for email, role, password in DEMO_USERS}


def add_actions(
    session: Session, customer: Survey, safety: Survey, sites: dict[str, Site], users: dict[str, User],
    timeline: Timeline,
) -> CorrectiveAction:
    """The finished forklift action (returned, to link reports to) and an open one for north deliveries."""
    done = datetime.combine(timeline.walkways_done, time(15, 0), UTC)
    forklift = CorrectiveAction(
        survey_id=safety.id,
        site_id=sites["leeds"].id,
        title="Pedestrian walkways and forklift speed limiters",
        description=("Forklift near misses at Leeds goods-in and dispatch: segregate pedestrians from "
                     "forklift routes, add barriers at blind corners and limit truck speed."),
        source_type="report",
        source_ref="near-miss reports, Leeds goods-in and dispatch",
        topic="vehicles & forklifts",
        owner_id=users["safety_officer"].id,
        due_date=timeline.walkways_done - timedelta(days=7),
        status="verified",
        effective=True,
        public_note=("You told us forklifts and people were sharing the same routes at Leeds. We painted "
                     "segregated pedestrian walkways, put barriers at goods-in and dispatch, and limited "
                     "forklift speed to 8 km/h. Thank you to everyone who reported a near miss."),
        created_at=datetime.combine(timeline.walkways_started, time(9, 30), UTC),
        closed_at=done,
    )
    delivery = CorrectiveAction(
        survey_id=customer.id,
        title="Review courier performance in the north region",
        description="Late and missed deliveries in the north since the courier change: review with the carrier.",
        source_type="topic",
        topic="delivery",
        owner_id=users["analyst"].id,
        due_date=timeline.today + timedelta(days=30),
        status="in_progress",
        created_at=datetime.combine(timeline.today - timedelta(days=20), time(10, 0), UTC),
    )
    session.add_all([forklift, delivery])
    session.flush()
    return forklift


def add_objectives(session: Session, customer: Survey, safety: Survey, timeline: Timeline, leeds: Site) -> None:
    june = date(timeline.today.year, 6, 30)
    if june < timeline.today:
        june = date(timeline.today.year + 1, 6, 30)
    session.add_all([
        Objective(survey_id=customer.id, name="NPS ≥ 40 by June", metric="nps", comparator=">=", target=40,
                  period_type="month", due_date=june),
        Objective(survey_id=safety.id, name="Near-miss reports ≥ 20 a month at Leeds", metric="responses",
                  comparator=">=", target=20, period_type="month", segment_type="site",
                  # Trend rows name a site by its id (jobs/trends/rollup.py), so the objective must too.
                  segment_value=str(leeds.id),
                  topic="near miss"),
    ])


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for chunk in _chunks(rows):
        ids.extend(session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), chunk))
    return ids


def _answer_row(q: Question, value: Any, other: str | None) -> dict[str, Any]:
    """An answers row stored the way the respond form stores it (keys left out stay NULL)."""
    row: dict[str, Any] = {"question_id": q.id, "text_state": "none"}
    if q.type in TEXT_TYPES:
        row.update(text=str(value), text_state="pending")
    elif q.type == "matrix":
        row["grid"] = dict(value)
    elif q.type in ("single_choice", "multiple_choice"):
        row["choices"] = [value] if isinstance(value, str) else list(value)
        if other is not None:
            row["text"] = other  # "other, please say": kept, not scored
    elif q.type == "yes_no":
        row.update(choices=[value], number=1.0 if value == "yes" else 0.0)
    elif q.type == "consent":
        row["number"] = 1.0 if value else 0.0
    else:
        row["number"] = float(value)
    return row


def _insert_answers(
    session: Session, survey: Survey, response_ids: list[int], values: Iterable[tuple[dict[str, Any], dict[str, str]]],
    anonymous: bool = False,
) -> int:
    by_key = {q.key: q for q in survey.questions}
    rows: list[dict[str, Any]] = []
    for response_id, (answers, others) in zip(response_ids, values, strict=True):
        for key, value in answers.items():
            row = _answer_row(by_key[key], value, others.get(key))
            row["response_id"] = response_id
            rows.append(row)
    if anonymous:
        for row, answer_id in zip(rows, unused_anonymous_ids(session, Answer.id, len(rows)), strict=True):
            row["id"] = answer_id
    # Rows with the same keys go in together, so each chunk is one multi-row INSERT.
    rows.sort(key=lambda r: tuple(sorted(r)))
    for chunk in _chunks(rows, 5 * CHUNK):
        session.execute(insert(Answer), chunk)
    return sum(1 for r in rows if r["text_state"] == "pending")


def insert_customer_responses(
    session: Session, survey: Survey, plans: list[CustomerPlan], rng: random.Random, timeline: Timeline,
    summary: SeedSummary,
) -> None:
    """Invitations (used ones for invited respondents, plus unused ones), then responses and answers."""
    invited = [p for p in plans if p.attributes is not None]
    invitation_rows = []
    for p in invited:
        sent = p.at - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
        invitation_rows.append(_invitation_row(survey, p.attributes or {}, sent, used_at=p.at))
    for _ in range(round(len(invited) * 0.25)):
        sent = datetime.combine(timeline.today - timedelta(days=rng.randint(1, 120)), time(8, 0), UTC)
        attributes = {"customer_id": f"C{rng.randrange(10000, 99999)}", "region": rng.choice(REGIONS),
                      "channel": rng.choice(("web", "app", "phone", "store"))}
        invitation_rows.append(_invitation_row(survey, attributes, sent, used_at=None))
    invitation_ids = _insert_returning_ids(session, Invitation, invitation_rows)
    used_ids = iter(invitation_ids[: len(invited)])

    response_rows = []
    for p in plans:
        response_rows.append({
            "survey_id": survey.id,
            "invitation_id": next(used_ids) if p.attributes is not None else None,
            "language": p.language,
            "submitted_on": p.day,
            "submitted_at": p.at,
            "segment": dict(p.attributes or {}),
            "contact_consent": bool(p.values.get("contact")),
        })
    ids = _insert_returning_ids(session, Response, response_rows)
    summary.pending_texts += _insert_answers(session, survey, ids, ((p.values, p.others) for p in plans))
    summary.customer_responses = len(plans)
    summary.responses += len(plans)
    summary.invitations = len(invitation_rows)
    summary.used_invitations = len(invited)


def _invitation_row(
    survey: Survey, attributes: dict[str, str], sent: datetime, used_at: datetime | None
) -> dict[str, Any]:
    # The token itself is thrown away: demo invitations are never mailed, and only the hash is stored.
    return {
        "survey_id": survey.id,
        "token_hash": invitation_token_hash(new_invitation_token()),
        "email": f"{attributes['customer_id'].lower()}@example.com",
        "attributes": attributes,
        "created_at": sent - timedelta(hours=1),
        "sent_at": sent,
        "expires_at": sent + timedelta(days=30),
        "used_at": used_at,
    }


def insert_worker_responses(
    session: Session, survey: Survey, plans: list[WorkerPlan], sites: dict[str, Site],
    departments: dict[str, Department], summary: SeedSummary,
) -> list[int]:
    """Day-only responses with receipt codes and anonymous ids (models.anonymity); returns their ids in plan order."""
    codes: set[str] = set()
    rows = []
    for p, response_id in zip(plans, unused_anonymous_ids(session, Response.id, len(plans)), strict=True):
        code = new_receipt_code()
        while code in codes:
            code = new_receipt_code()
        codes.add(code)
        rows.append({
            "id": response_id,
            "survey_id": survey.id,
            "site_id": sites[p.site].id,
            "department_id": departments[p.department].id,
            "language": p.language,
            "submitted_on": p.day,
            "submitted_at": None,
            "segment": {},
            "receipt_code": code,
            "contact_consent": False,
        })
    ids = _insert_returning_ids(session, Response, rows)
    summary.pending_texts += _insert_answers(session, survey, ids, ((p.values, {}) for p in plans), anonymous=True)
    summary.worker_responses = len(plans)
    summary.responses += len(plans)
    return ids


def _is_leeds_forklift_near_miss(p: WorkerPlan) -> bool:
    return p.site == "leeds" and p.report.topic == "forklift" and p.report.kind == "near_miss"


def link_forklift_reports(
    session: Session, action: CorrectiveAction, plans: list[WorkerPlan], ids: list[int], rng: random.Random,
    timeline: Timeline,
) -> int:
    """Link some Leeds forklift near misses reported in the two months before the action to it, so their
    reporters see the outcome with their receipt code."""
    window_start = timeline.walkways_started - timedelta(days=60)
    candidates = [rid for p, rid in zip(plans, ids, strict=True)
                  if _is_leeds_forklift_near_miss(p) and window_start <= p.day <= timeline.walkways_started]
    chosen = sorted(rng.sample(candidates, min(LINKED_REPORTS, len(candidates))))
    if chosen:
        session.execute(action_reports.insert(), [{"action_id": action.id, "response_id": r} for r in chosen])
    return len(chosen)


def _record_effectiveness(action: CorrectiveAction, plans: list[WorkerPlan], timeline: Timeline) -> None:
    """State the effectiveness check from the seeded reports themselves (90 days either side)."""
    done = timeline.walkways_done
    before = sum(1 for p in plans if _is_leeds_forklift_near_miss(p) and done - timedelta(days=90) <= p.day < done)
    after = sum(1 for p in plans if _is_leeds_forklift_near_miss(p) and done <= p.day < done + timedelta(days=90))
    if before or after:
        action.effectiveness_check = (
            f"Forklift near-miss reports at Leeds: {before} in the 90 days before completion, "
            f"{after} in the 90 days after."
        )
        action.effective = after < before
    else:
        action.effectiveness_check = "Review forklift near-miss reports at Leeds for 90 days after completion."
        action.effective = None
