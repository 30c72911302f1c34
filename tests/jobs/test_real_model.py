"""The pipeline with the real transformer Analyzer (slow: loads the shipped models)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.analyzer import load_analyzer
from jobs.context import JobContext
from jobs.scoring import score_pending
from models import Answer, TextAnalysis, TopicTag
from models.settings import Settings
from tests.factories import make_response, make_survey

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_analyzer() -> object:
    from models.settings import load_settings

    return load_analyzer(load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "x"}))


def test_real_analyzer_scores_and_stores(
    db_session: Session, job_settings: Settings, session_factory: object, real_analyzer: object
) -> None:
    ctx = JobContext(settings=job_settings, sessions=session_factory,  # type: ignore[arg-type]
                     analyzer_factory=lambda _s: real_analyzer)  # type: ignore[arg-type,return-value]
    worker = make_survey(db_session, audience="worker")
    customer = make_survey(db_session)
    make_response(db_session, customer, {"why": "The parcel arrived two weeks late and the box was crushed."})
    make_response(db_session, customer, {"why": "Lovely staff, quick delivery, I will order again!"})
    make_response(db_session, customer, {"why": "   ...   "})
    make_response(db_session, worker, {"why": "Call me at 0151 234 5678: the forklift brakes failed today."})

    stats = score_pending(ctx)

    assert stats.processed == 4 and stats.failed == 0
    db_session.expire_all()
    assert {a.text_state for a in db_session.scalars(select(Answer).where(Answer.text.is_not(None)))} == {"scored"}
    rows = {r.answer.text: r for r in db_session.scalars(select(TextAnalysis))}
    name = real_analyzer.name  # type: ignore[attr-defined]
    assert {r.model_name for r in rows.values()} == {name[:200]}
    late = rows["The parcel arrived two weeks late and the box was crushed."]
    assert late.sentiment_label == "negative"
    assert rows["Lovely staff, quick delivery, I will order again!"].sentiment_label == "positive"
    assert rows["   ...   "].no_text
    phone = rows["Call me at 0151 234 5678: the forklift brakes failed today."]
    assert "234 5678" not in phone.redacted_text  # personal data redacted before storage
    assert db_session.scalars(select(TopicTag).where(TopicTag.analysis_id == late.id)).first() is not None
