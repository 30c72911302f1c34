"""Analyst corrections in the pipeline: a backfill never overwrites them, and trends count the corrected labels."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import rebuild_trends, refresh_trends
from models import AnalysisCorrection, Answer, TextAnalysis, TrendDirty, User
from survey_app.analytics.corrections import save_correction
from tests.jobs.test_trends import MONDAY, _rows, _survey

DAY = MONDAY + timedelta(days=1)
TEXTS = ("the parcel was late", "great and friendly staff", "rude courier, terrible")


@pytest.fixture()
def analyst(db_session: Session) -> User:
    user = User(email="fixer@example.org", role="analyst", password_hash="x")
    db_session.add(user)
    db_session.flush()
    return user


def _scored_survey(db_session: Session, job_ctx: JobContext) -> Any:
    from tests.factories import make_response

    survey = _survey(db_session)
    survey.min_comment_group_size = 1  # three comments: let the analyst read them
    for text in TEXTS:
        make_response(db_session, survey, {"nps": 8, "why": text}, day=DAY)
    score_pending(job_ctx)
    rebuild_trends(job_ctx)
    return survey


def _analysis(db_session: Session, text: str) -> TextAnalysis:
    return db_session.scalars(select(TextAnalysis).join(Answer, Answer.id == TextAnalysis.answer_id)
                              .where(Answer.text == text)).one()


def _labels(row: dict[str, Any]) -> tuple[int, int, int, int]:
    return row["sentiment_negative"], row["sentiment_neutral"], row["sentiment_positive"], row["urgent"]


def test_trends_count_the_corrected_labels_after_the_refresh(
    db_session: Session, job_ctx: JobContext, analyst: User
) -> None:
    survey = _scored_survey(db_session, job_ctx)
    day = _rows(db_session, survey.id)[("day", DAY, "*", "*", "*")]
    assert _labels(day) == (2, 0, 1, 0)

    late = _analysis(db_session, "the parcel was late")  # the model: negative, delivery
    save_correction(db_session, survey, late.id, analyst, sentiment="neutral", urgent=True, topics=["staff"])
    db_session.flush()
    assert db_session.scalars(select(TrendDirty.day).where(TrendDirty.survey_id == survey.id)).all() == [DAY]

    stats = refresh_trends(job_ctx)
    assert stats.detail["periods"] == 3  # the correction's day, week and month
    rows = _rows(db_session, survey.id)
    day = rows[("day", DAY, "*", "*", "*")]
    assert _labels(day) == (1, 1, 1, 1)
    # The corrected comment's score is its label's own value (0 for neutral), not the model's -0.7.
    assert day["sentiment_mean"] == pytest.approx((0.0 + 0.8 - 0.7) / 3)
    month = rows[("month", date(2024, 6, 1), "*", "*", "*")]
    assert (month["sentiment_neutral"], month["urgent"]) == (1, 1)
    delivery = rows[("day", DAY, "*", "*", "delivery")]
    assert (delivery["comments"], delivery["sentiment_negative"]) == (1, 1)  # the courier only
    staff = rows[("day", DAY, "*", "*", "staff")]
    assert (staff["comments"], staff["sentiment_neutral"], staff["sentiment_positive"]) == (3, 1, 1)
    # The incremental refresh gives exactly what a rebuild gives.
    rebuild_trends(job_ctx)
    assert _rows(db_session, survey.id) == rows


def test_a_backfill_never_overwrites_a_correction(
    db_session: Session, job_ctx: JobContext, analyst: User
) -> None:
    survey = _scored_survey(db_session, job_ctx)
    late = _analysis(db_session, "the parcel was late")
    save_correction(db_session, survey, late.id, analyst, sentiment="positive", urgent=False, topics=[])
    db_session.flush()
    refresh_trends(job_ctx)
    corrected = _rows(db_session, survey.id)

    # A new model release: every analysis is stale and the backfill re-scores all three.
    db_session.execute(update(TextAnalysis).values(model_version="v0"))
    db_session.flush()
    stats = score_pending(job_ctx, backfill=True)
    assert stats.detail["backfilled"] == 3
    db_session.expire_all()
    rescored = _analysis(db_session, "the parcel was late")
    assert (rescored.model_version, rescored.sentiment_label) == ("v1", "negative")  # the model's view, refreshed
    (correction,) = db_session.scalars(select(AnalysisCorrection)).all()
    assert (correction.sentiment_label, correction.urgent, correction.topic_names) == ("positive", False, [])
    assert correction.answer_id == rescored.answer_id

    # The re-score queued its days; the refreshed trends still count the analyst's label.
    refresh_trends(job_ctx)
    after = _rows(db_session, survey.id)
    day = after[("day", DAY, "*", "*", "*")]
    assert (day["sentiment_negative"], day["sentiment_positive"]) == (1, 2)
    assert after[("day", DAY, "*", "*", "delivery")]["comments"] == 1
    assert {k: {c: v for c, v in r.items() if c != "model_counts"} for k, r in after.items()} == {
        k: {c: v for c, v in r.items() if c != "model_counts"} for k, r in corrected.items()
    }


def test_training_rows_are_the_reviewed_redacted_texts(db_session: Session, analyst: User) -> None:
    from jobs.corrections import CorrectionRowError, training_rows
    from tests.analysts.factories import make_comment
    from tests.factories import make_survey

    survey = make_survey(db_session, min_comment_group_size=1)
    kept = make_comment(db_session, survey, "Call me on 0123 456", redacted="Call me on [PHONE]", sentiment="neutral")
    changed = make_comment(db_session, survey, "Not bad at all", sentiment="negative")
    make_comment(db_session, survey, "Never reviewed", sentiment="positive")
    save_correction(db_session, survey, kept.id, analyst, sentiment="neutral", urgent=False, topics=[])
    save_correction(db_session, survey, changed.id, analyst, sentiment="positive", urgent=False, topics=[])
    db_session.flush()
    # Redacted text only (personal data never reaches training); confirmed and changed labels alike.
    assert training_rows(db_session) == [("Call me on [PHONE]", "neutral"), ("Not bad at all", "positive")]

    db_session.execute(update(AnalysisCorrection).where(AnalysisCorrection.answer_id == changed.answer_id)
                       .values(sentiment_label="meh"))
    with pytest.raises(CorrectionRowError, match=r"correction \d+, column sentiment_label: 'meh' is not one of"):
        training_rows(db_session)
