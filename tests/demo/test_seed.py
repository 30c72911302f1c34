"""seed_demo into the test session: what it creates, how it is stored, and the stories in the data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
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
    TrendDirty,
    User,
    action_reports,
)
from survey_app.auth.services import authenticate, create_user
from survey_app.demo.seed import DemoError, SeedSummary, seed_demo
from survey_app.respond.tokens import RECEIPT_ALPHABET
from survey_app.surveys.schema import validate_definition
from survey_app.surveys.store import export_definition
from tests.demo.conftest import SEED, TODAY, N

DELIVERY_WORDS = re.compile(r"deliver|parcel|courier|late|tracking|lieferung|paket|przesyłk|kurier", re.I)


def _survey(session: Session, slug: str) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.slug == slug))
    assert survey is not None
    return survey


def _answers(session: Session, survey: Survey, key: str) -> list[tuple[Response, Answer]]:
    stmt = (select(Response, Answer).join(Answer, Answer.response_id == Response.id)
            .join(Question, Question.id == Answer.question_id)
            .where(Response.survey_id == survey.id, Question.key == key))
    return [(r, a) for r, a in session.execute(stmt)]


def _fingerprint(session: Session) -> list[tuple[Any, ...]]:
    """Everything seeded that the seed decides (not the random tokens and receipt codes, nor ids:
    PostgreSQL sequences do not roll back, and worker rows' ids are random), in an order ids do not decide."""
    rows = session.execute(
        select(Survey.slug, Response.submitted_on, Response.submitted_at, Response.language, Response.segment,
               Site.code, Department.code, Question.key, Answer.number, Answer.text, Answer.choices,
               Answer.grid)
        .join(Response, Response.survey_id == Survey.id).join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Site, Site.id == Response.site_id).outerjoin(Department, Department.id == Response.department_id)
    )
    return sorted((tuple(r) for r in rows), key=repr)


def test_creates_surveys_org_and_users(db_session: Session, seeded: SeedSummary) -> None:
    customer, safety = _survey(db_session, "demo-customer"), _survey(db_session, "demo-safety")
    assert (customer.audience, safety.audience) == ("customer", "worker")
    assert customer.languages == ["en", "de", "pl"] and safety.languages == ["en", "pl", "de"]
    assert {q.page for q in customer.questions} == {1, 2, 3}
    improve = next(q for q in customer.questions if q.key == "improve")
    assert improve.page == 2 and improve.condition == {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}
    assert all(set(q.texts) == {"en", "de", "pl"} for q in customer.questions)
    assert {q.type for q in safety.questions} >= {"site", "department", "single_choice", "long_text",
                                                   "matrix", "yes_no"}
    assert sorted(db_session.scalars(select(Site.code))) == ["leeds", "rotterdam"]
    assert sorted(db_session.scalars(select(Department.code))) == ["logistics", "maintenance", "production"]
    assert sorted(db_session.scalars(select(SiteLink.code))) == ["leeds-demo", "rotterdam-demo"]
    roles = dict(db_session.execute(select(User.email, User.role)).all())
    assert roles == {"admin@demo.heedful": "admin", "analyst@demo.heedful": "analyst",
                     "safety@demo.heedful": "safety_officer"}
    user = authenticate(db_session, "safety@demo.heedful", "demo-safety-pw")
    assert user is not None and user.role == "safety_officer"


def test_response_counts_and_storage(db_session: Session, seeded: SeedSummary) -> None:
    customer, safety = _survey(db_session, "demo-customer"), _survey(db_session, "demo-safety")
    counts = dict(db_session.execute(select(Response.survey_id, func.count()).group_by(Response.survey_id))
                  .all())
    assert counts == {customer.id: 130, safety.id: 70}
    assert (seeded.responses, seeded.customer_responses, seeded.worker_responses) == (N, 130, 70)

    workers = db_session.scalars(select(Response).where(Response.survey_id == safety.id)).all()
    assert all(r.submitted_at is None and r.submitted_on is not None for r in workers)
    assert all(r.receipt_code and len(r.receipt_code) == 10 and set(r.receipt_code) <= set(RECEIPT_ALPHABET)
               for r in workers)
    assert all(r.site_id is not None and r.department_id is not None for r in workers)
    customers = db_session.scalars(select(Response).where(Response.survey_id == customer.id)).all()
    assert all(r.submitted_at is not None and r.submitted_at.date() == r.submitted_on for r in customers)
    assert all(r.receipt_code is None for r in customers)
    days = [r.submitted_on for r in customers + workers]
    assert TODAY - timedelta(days=365) <= min(days) and max(days) < TODAY


def test_free_text_is_pending_and_trend_days_are_queued(db_session: Session, seeded: SeedSummary) -> None:
    pending = db_session.scalars(select(Answer).where(Answer.text_state == "pending")).all()
    assert len(pending) == seeded.pending_texts > 70  # every worker report plus most customer reasons
    text_types = set(db_session.scalars(select(Question.type).join(Answer, Answer.question_id == Question.id)
                                        .where(Answer.text_state == "pending")))
    assert text_types <= {"long_text", "short_text"}
    # A text on any other question ("other, please say") is kept but not queued for scoring.
    assert db_session.scalar(select(func.count()).select_from(Answer).join(Question)
                             .where(Answer.text.is_not(None), Question.type.not_in(("long_text", "short_text")),
                                    Answer.text_state != "none")) == 0
    touched = set(db_session.execute(select(Response.survey_id, Response.submitted_on)))
    queued = set(db_session.execute(select(TrendDirty.survey_id, TrendDirty.day)))
    assert queued == touched


def test_answers_are_stored_like_the_respond_form(db_session: Session, seeded: SeedSummary) -> None:
    customer, safety = _survey(db_session, "demo-customer"), _survey(db_session, "demo-safety")
    for _r, a in _answers(db_session, customer, "again") + _answers(db_session, safety, "hurt"):
        assert (a.choices, a.number) in ((["yes"], 1.0), (["no"], 0.0))
    for r, a in _answers(db_session, customer, "contact"):
        assert a.number == 1.0 and r.contact_consent
    for _r, a in _answers(db_session, customer, "agree"):
        assert a.grid is not None and len(a.grid) == 5 and set(a.grid.values()) <= {1, 2, 3, 4, 5}
    improve = _answers(db_session, customer, "improve")
    assert improve
    nps = {r.id: a.number for r, a in _answers(db_session, customer, "nps")}
    assert all(nps[r.id] is not None and nps[r.id] <= 6 for r, _a in improve)  # shown only when NPS ≤ 6
    assert len(nps) == 130  # required
    assert all(a.choices and a.choices[0] in ("web", "app", "phone", "store")
               for _r, a in _answers(db_session, customer, "order_channel"))


def test_invitations_hash_only_and_segments(db_session: Session, seeded: SeedSummary) -> None:
    invitations = db_session.scalars(select(Invitation)).all()
    used = [i for i in invitations if i.used_at is not None]
    assert used and len(used) < len(invitations) == seeded.invitations
    assert all(re.fullmatch(r"[0-9a-f]{64}", i.token_hash) for i in invitations)
    assert all(set(i.attributes) == {"customer_id", "region", "channel"} for i in invitations)
    linked = db_session.execute(select(Response, Invitation).join(Invitation)).all()
    assert len(linked) == len(used)
    assert all(r.segment == i.attributes and r.submitted_at == i.used_at for r, i in linked)


def test_north_delivery_story(db_session: Session, seeded: SeedSummary) -> None:
    customer = _survey(db_session, "demo-customer")
    recent = TODAY - timedelta(days=91)
    share: dict[bool, list[bool]] = {True: [], False: []}
    for r, a in _answers(db_session, customer, "reason"):
        if r.submitted_on >= recent and r.segment.get("region"):
            share[r.segment["region"] == "north"].append(bool(DELIVERY_WORDS.search(a.text or "")))
    north, elsewhere = (sum(v) / len(v) for v in (share[True], share[False]))
    assert north > elsewhere + 0.15


def test_forklift_action_links_reports_and_objectives(db_session: Session, seeded: SeedSummary) -> None:
    action = db_session.scalar(select(CorrectiveAction).where(
        CorrectiveAction.title == "Pedestrian walkways and forklift speed limiters"))
    assert action is not None and action.status == "verified" and action.public_note
    assert action.closed_at is not None and action.closed_at.date() == TODAY - timedelta(days=152)
    linked = db_session.scalars(select(Response).join(action_reports)
                                .where(action_reports.c.action_id == action.id)).all()
    assert linked and seeded.linked_reports == len(linked)
    leeds = db_session.scalar(select(Site).where(Site.code == "leeds"))
    assert leeds is not None
    assert all(r.site_id == leeds.id and r.submitted_on < action.closed_at.date() for r in linked)
    objectives = {o.name: o for o in db_session.scalars(select(Objective))}
    assert objectives["NPS ≥ 40 by June"].metric == "nps"
    assert objectives["NPS ≥ 40 by June"].due_date is not None
    near_miss = objectives["Near-miss reports ≥ 20 a month at Leeds"]
    assert (near_miss.segment_type, near_miss.segment_value, near_miss.target) == ("site", str(leeds.id), 20)


def test_same_seed_same_data_and_another_seed_differs(db_session: Session) -> None:
    fingerprints = []
    for seed in (SEED, SEED, SEED + 1):
        nested = db_session.begin_nested()
        seed_demo(db_session, responses=60, seed=seed, today=TODAY)
        fingerprints.append(_fingerprint(db_session))
        nested.rollback()
    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0]) > 300
    assert fingerprints[0] != fingerprints[2]


def test_zero_responses_seeds_surveys_and_users_only(db_session: Session) -> None:
    summary = seed_demo(db_session, responses=0, today=TODAY)
    assert summary.responses == 0
    assert db_session.scalar(select(func.count()).select_from(Survey)) == 2
    assert db_session.scalar(select(func.count()).select_from(User)) == 3
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert db_session.scalar(select(func.count()).select_from(TrendDirty)) == 0


def test_seeding_twice_is_refused_and_changes_nothing(db_session: Session, seeded: SeedSummary) -> None:
    before = db_session.scalar(select(func.count()).select_from(Response))
    with pytest.raises(DemoError, match="already seeded"):
        seed_demo(db_session, responses=10, today=TODAY)
    assert db_session.scalar(select(func.count()).select_from(Response)) == before


def test_existing_sites_are_reused(db_session: Session) -> None:
    db_session.add(Site(code="leeds", name="Leeds (ours)"))
    db_session.flush()
    seed_demo(db_session, responses=0, today=TODAY)
    assert db_session.scalars(select(Site.name).where(Site.code == "leeds")).all() == ["Leeds (ours)"]


def test_negative_responses_rejected(db_session: Session) -> None:
    with pytest.raises(DemoError, match="0 or more"):
        seed_demo(db_session, responses=-1, today=TODAY)
    assert db_session.scalar(select(func.count()).select_from(Survey)) == 0


@pytest.mark.parametrize("slug", ["demo-customer", "demo-safety"])
def test_demo_surveys_pass_the_definition_validator(db_session: Session, seeded: SeedSummary, slug: str) -> None:
    definition = export_definition(_survey(db_session, slug))
    assert validate_definition(definition)["slug"] == slug


def test_existing_demo_login_is_refused_and_changes_nothing(db_session: Session) -> None:
    create_user(db_session, "Analyst@demo.heedful", "analyst", "someone-elses-pw")
    with pytest.raises(DemoError, match="analyst@demo.heedful already exists"):
        seed_demo(db_session, responses=10, today=TODAY)
    assert db_session.scalar(select(func.count()).select_from(Survey)) == 0
    assert db_session.scalar(select(func.count()).select_from(Site)) == 0
