"""Privacy fixtures: the pipeline's job context (stub analyzer) at a fixed clock, and a small world of
invited customers, public-link answers and worker reports, scored and rolled into trends."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import refresh_trends
from models import AnalysisCorrection, Complaint, CorrectionTopic, Invitation, Response, Survey, Taxonomy
from tests.factories import make_response, make_survey
from tests.jobs.conftest import TAXONOMY_YAML, job_ctx, job_settings, stub  # noqa: F401 (fixtures)

NOW = datetime(2025, 6, 15, 9, 30, tzinfo=UTC)
OLD = date(2024, 1, 10)  # before the 12-month cut-off of NOW (2024-06-15)
RECENT = date(2025, 6, 2)
MARIA = "maria.k@example.org"
MARIA_TEXT = "The parcel was late and the courier was rude, call me on 0176 5550199"
OTHER = "jan.n@example.org"
OTHER_TEXT = "by fax, ask for Lena"

_seq = itertools.count(1)

QUESTIONS = [
    {"key": "nps", "type": "nps", "texts": {"en": {"label": "How likely are you to recommend us?"}}},
    {"key": "why", "type": "long_text", "texts": {"en": {"label": "What is the main reason?"}}},
    {"key": "channel", "type": "single_choice", "options": ["web", "phone"], "settings": {"allow_other": True},
     "texts": {"en": {"label": "How did you order?"}}},
    {"key": "contact", "type": "consent", "texts": {"en": {"label": "May we contact you?"}}},
]
WORKER_QUESTIONS = [
    {"key": "what", "type": "long_text", "texts": {"en": {"label": "What did you see?"}}},
    {"key": "safe", "type": "rating", "settings": {"min": 1, "max": 5}, "texts": {"en": {"label": "How safe?"}}},
]


@pytest.fixture()
def ctx(job_ctx: JobContext) -> JobContext:  # noqa: F811 (the imported fixture)
    """The job context on NOW's day; each call a microsecond later, as trend refreshes need distinct stamps."""
    ticks = itertools.count()
    return dataclasses.replace(job_ctx, now=lambda: NOW + timedelta(microseconds=next(ticks)))


def make_taxonomy(session: Session) -> Taxonomy:
    tax = Taxonomy(name=f"shop-{next(_seq)}-{session.scalar(select(func.count()).select_from(Taxonomy))}",
                   source_yaml=TAXONOMY_YAML)
    session.add(tax)
    session.flush()
    return tax


def make_invitation(session: Session, survey: Survey, email: str | None, created: date, **attributes: Any
                    ) -> Invitation:
    token = hashlib.sha256(f"token-{next(_seq)}-{email}".encode()).hexdigest()
    inv = Invitation(survey_id=survey.id, token_hash=token, email=email, attributes=attributes,
                     created_at=datetime.combine(created, time(8), tzinfo=UTC))
    session.add(inv)
    session.flush()
    return inv


def answer_invitation(session: Session, survey: Survey, inv: Invitation, day: date, answers: dict[str, Any],
                      consent: bool = True) -> Response:
    """A customer response through `inv`, as the respond service stores it (segment = upload columns)."""
    inv.used_at = datetime.combine(day, time(10), tzinfo=UTC)
    return make_response(session, survey, answers, day=day, invitation_id=inv.id, segment=dict(inv.attributes),
                         contact_consent=consent, submitted_at=datetime.combine(day, time(10, 5), tzinfo=UTC))


@dataclass
class World:
    customer: Survey
    worker: Survey
    maria_old: Response
    maria_recent: Response
    other: Response
    invitations: dict[str, list[Invitation]] = field(default_factory=dict)


def build_world(session: Session, ctx: JobContext, retention_months: int | None = 12) -> World:
    """Two invited customers (Maria answered twice, once before the cut-off), public-link answers on the same
    days, a worker survey with reports; all scored by the stub analyzer and rolled into trends."""
    tax = make_taxonomy(session)
    customer = make_survey(session, questions=QUESTIONS, taxonomy_id=tax.id, retention_months=retention_months,
                           title="Delivery feedback")
    worker = make_survey(session, questions=WORKER_QUESTIONS, audience="worker", retention_months=retention_months,
                         title="Safety walk")
    inv_old = make_invitation(session, customer, MARIA, OLD, region="eu", name="Maria Kowalska")
    inv_recent = make_invitation(session, customer, MARIA, RECENT, region="eu", name="Maria Kowalska")
    inv_other = make_invitation(session, customer, OTHER, OLD, region="us", name="Jan Nowak")
    make_invitation(session, customer, "never.answered@example.org", OLD, region="us")
    maria_old = answer_invitation(session, customer, inv_old, OLD, {"nps": 3, "why": MARIA_TEXT,
                                                                    "channel": ["web"]})
    maria_recent = answer_invitation(session, customer, inv_recent, RECENT,
                                     {"nps": 2, "why": "Still late, the parcel never came, Maria Kowalska"})
    other = answer_invitation(session, customer, inv_other, OLD, {"nps": 9, "why": "great and friendly staff"})
    for day in (OLD, RECENT):
        for i in range(3):
            r = make_response(session, customer, {"nps": 8 + i % 3, "why": f"good parcel service {i}",
                                                   "channel": ["other"]}, day=day,
                              submitted_at=datetime.combine(day, time(11, i), tzinfo=UTC))
            r.answers[-1].text = OTHER_TEXT  # "other: ..." typed next to a choice
        for i in range(2):
            make_response(session, worker, {"what": f"exposed wire near press {i}, unsafe", "safe": 2}, day=day)
    # A case opened from Maria's old complaint.
    session.add(Complaint(response_id=maria_old.id, response_due=date(2024, 1, 20), status="resolved",
                          resolution="Refunded the parcel; spoke with Maria Kowalska"))
    session.commit()  # the scorer works in its own transactions
    score_pending(ctx)
    # An analyst corrected the model on Maria's old comment and on a public one.
    for response in (maria_old, session.scalars(select(Response).where(
            Response.survey_id == customer.id, Response.invitation_id.is_(None)).order_by(Response.id)).first()):
        assert response is not None
        answer = next(a for a in response.answers if a.text and a.question.key == "why")
        correction = AnalysisCorrection(answer_id=answer.id, sentiment_label="positive", urgent=False,
                                        model_sentiment_label="negative", model_urgent=False,
                                        model_name="stub", model_version="v1")
        correction.topics.append(CorrectionTopic(topic="staff"))
        session.add(correction)
    session.commit()
    refresh_trends(ctx)
    session.expire_all()
    return World(customer, worker, maria_old, maria_recent, other,
                 {MARIA: [inv_old, inv_recent], OTHER: [inv_other]})
