"""Scoring: claim → analyze → write, failures isolated and retried, re-scores on model change."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import jobs.scoring as scoring
from jobs.context import JobContext
from jobs.scoring import claim_batch, score_pending
from models import Answer, PipelineRun, Taxonomy, TextAnalysis, TopicTag, TrendDirty
from tests.factories import make_response, make_survey
from tests.jobs.conftest import TAXONOMY_YAML
from tests.jobs.stubs import StubAnalyzer


def _answers(session: Session, survey_id: int | None = None) -> list[Answer]:
    session.expire_all()
    return list(session.scalars(select(Answer).where(Answer.text.is_not(None)).order_by(Answer.id)))


def test_scores_pending_answers_and_records_everything(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    day = datetime(2024, 5, 6, tzinfo=UTC).date()
    for i in range(6):
        make_response(db_session, survey, {"nps": 9, "why": f"great service number {i}, mail me at a{i}@x.org"},
                      day=day)
    make_response(db_session, survey, {"nps": 3})  # no text: not queued

    stats = score_pending(job_ctx)

    assert (stats.claimed, stats.processed, stats.failed) == (6, 6, 0)
    answers = _answers(db_session)
    assert [a.text_state for a in answers] == ["scored"] * 6
    assert all(a.claimed_by is None and a.attempts == 0 for a in answers)
    rows = db_session.scalars(select(TextAnalysis).order_by(TextAnalysis.answer_id)).all()
    assert len(rows) == 6
    assert {(r.model_name, r.model_version) for r in rows} == {("stub-sentiment+stub-encoder", "v1")}
    assert rows[0].sentiment_label == "positive" and "[EMAIL]" in rows[0].redacted_text
    assert "a0@x.org" not in rows[0].redacted_text
    assert db_session.scalars(select(TrendDirty.day).where(TrendDirty.survey_id == survey.id)).all() == [day]
    run = db_session.scalars(select(PipelineRun).order_by(PipelineRun.id.desc())).first()
    assert run is not None and (run.job, run.status, run.processed, run.failed) == ("score", "ok", 6, 0)
    assert run.model_version == "v1" and run.finished_at is not None


def test_language_is_stored_and_answers_not_analysed_say_why(
    db_session: Session, job_ctx: JobContext, stub: StubAnalyzer
) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "great service"}, language="en")
    make_response(db_session, survey, {"why": "Wszystko w porządku, dziękuję"}, language="pl")

    score_pending(job_ctx)

    assert stub.hints == ["en", "pl"]  # the respondent's page language reaches the analyzer
    rows = db_session.scalars(select(TextAnalysis).order_by(TextAnalysis.answer_id)).all()
    assert [(r.language, r.not_analysed) for r in rows] == [("en", None), ("pl", "not analysed: pl")]
    assert [a.text_state for a in _answers(db_session)] == ["scored", "scored"]


def test_batches_are_bounded(db_session: Session, job_ctx: JobContext, stub: StubAnalyzer) -> None:
    survey = make_survey(db_session)
    for i in range(10):
        make_response(db_session, survey, {"why": f"comment {i}"})
    score_pending(job_ctx)
    assert stub.calls == [4, 4, 2]


def test_a_stop_claims_nothing_more_and_writes_every_batch_in_hand(
    db_session: Session, job_ctx: JobContext, stub: StubAnalyzer
) -> None:
    survey = make_survey(db_session)
    for i in range(10):
        make_response(db_session, survey, {"why": f"comment {i}"})
    # The next batch is claimed while the model works on this one; stop once the first is written.
    stats = score_pending(job_ctx, on_batch=lambda _items: job_ctx.stop.set())
    states = [a.text_state for a in _answers(db_session)]
    assert stats.claimed == stats.processed == 8 and stub.calls == [4, 4]
    assert states.count("scored") == 8 and states.count("pending") == 2 and "claimed" not in states


def test_limit(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    for i in range(7):
        make_response(db_session, survey, {"why": f"comment {i}"})
    assert score_pending(job_ctx, limit=5).processed == 5
    assert [a.text_state for a in _answers(db_session)].count("pending") == 2


def test_survey_taxonomy_is_used_and_tags_written(db_session: Session, job_ctx: JobContext) -> None:
    tax = Taxonomy(name="shop-test", source_yaml=TAXONOMY_YAML)
    db_session.add(tax)
    db_session.flush()
    survey = make_survey(db_session, taxonomy_id=tax.id)
    make_response(db_session, survey, {"why": "the parcel was late but the driver was friendly"})
    score_pending(job_ctx)
    tags = db_session.scalars(select(TopicTag).order_by(TopicTag.topic)).all()
    assert [(t.topic, t.is_top, t.source) for t in tags] == [
        ("delivery", True, "taxonomy"), ("staff", False, "taxonomy")]


def test_broken_taxonomy_falls_back_to_default_and_says_so(db_session: Session, job_ctx: JobContext) -> None:
    tax = Taxonomy(name="broken", source_yaml="topics: [")
    db_session.add(tax)
    db_session.flush()
    survey = make_survey(db_session, taxonomy_id=tax.id)
    make_response(db_session, survey, {"why": "delivery was late"})
    stats = score_pending(job_ctx)
    assert stats.processed == 1
    assert "not valid YAML" in stats.detail["taxonomy_errors"][str(survey.id)]


def test_text_that_breaks_the_model_fails_alone(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    for text in ["good", "BOOM goes the tokenizer", "bad", "fine"]:
        make_response(db_session, survey, {"why": text})

    stats = score_pending(job_ctx)

    answers = _answers(db_session)
    assert [a.text_state for a in answers] == ["scored", "failed", "scored", "scored"]
    bad = answers[1]
    assert bad.attempts == 3 and "model cannot handle this text" in (bad.last_error or "")
    assert stats.processed == 3 and stats.failed == 1
    assert db_session.scalar(select(func.count()).select_from(TextAnalysis)) == 3


def test_failed_item_is_retried_before_giving_up(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "BOOM"})
    job_ctx.settings = dataclasses.replace(job_ctx.settings, score_max_attempts=2)
    score_pending(job_ctx, limit=1)
    (answer,) = _answers(db_session)
    assert (answer.text_state, answer.attempts) == ("pending", 1)
    score_pending(job_ctx)
    (answer,) = _answers(db_session)
    assert (answer.text_state, answer.attempts) == ("failed", 2)


def test_expired_claim_is_taken_over_but_live_one_is_not(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "expired"})
    make_response(db_session, survey, {"why": "live"})
    a_expired, a_live = _answers(db_session)
    now = datetime.now(UTC)
    db_session.execute(update(Answer).where(Answer.id == a_expired.id).values(
        text_state="claimed", claimed_by="otherhost:1:x", claimed_until=now - timedelta(seconds=1), attempts=1))
    db_session.execute(update(Answer).where(Answer.id == a_live.id).values(
        text_state="claimed", claimed_by="otherhost:1:x", claimed_until=now + timedelta(minutes=5), attempts=1))
    db_session.flush()

    assert score_pending(job_ctx).processed == 1
    states = {a.text: a.text_state for a in _answers(db_session)}
    assert states == {"expired": "scored", "live": "claimed"}


def test_claim_that_died_too_often_is_marked_failed(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "kills the scorer"})
    (a,) = _answers(db_session)
    db_session.execute(update(Answer).where(Answer.id == a.id).values(
        text_state="claimed", claimed_by="otherhost:1:x", claimed_until=datetime.now(UTC) - timedelta(seconds=1),
        attempts=3))
    db_session.flush()
    score_pending(job_ctx)
    (a,) = _answers(db_session)
    assert a.text_state == "failed" and "3 times" in (a.last_error or "")


def test_result_for_a_lost_claim_is_dropped(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "slow one"})
    with job_ctx.sessions() as s, s.begin():
        items = claim_batch(s, job_ctx, 10)
    # Our lease expired and another scorer took the answer over.
    db_session.execute(update(Answer).values(claimed_by="someone-else"))
    db_session.flush()
    results = scoring.analyze_items(StubAnalyzer(), items, {items[0].survey_id: None})  # type: ignore[dict-item]
    with job_ctx.sessions() as s, s.begin():
        outcome = scoring.write_results(s, job_ctx, items, results)
    assert (outcome.scored, outcome.lost) == (0, 1)
    assert db_session.scalar(select(func.count()).select_from(TextAnalysis)) == 0


def test_backfill_rescores_old_model_and_keeps_old_results_until_replaced(
    db_session: Session, job_ctx: JobContext, stub: StubAnalyzer
) -> None:
    survey = make_survey(db_session)
    for i in range(5):
        make_response(db_session, survey, {"why": f"good {i}"})
    score_pending(job_ctx)
    db_session.execute(update(TextAnalysis).values(model_version="v0"))  # as if scored by last release
    analyst = TopicTag(analysis_id=db_session.scalars(select(TextAnalysis.id)).first(), topic="analyst-pick",
                       score=1.0, source="analyst")
    db_session.add(analyst)
    db_session.flush()

    assert score_pending(job_ctx).processed == 0  # without --backfill nothing is re-scored
    assert score_pending(job_ctx, limit=2, backfill=True).detail["backfilled"] == 2
    db_session.expire_all()
    versions = sorted(db_session.scalars(select(TextAnalysis.model_version)).all())
    assert versions == ["v0", "v0", "v0", "v1", "v1"]  # the rest stays visible until replaced
    assert score_pending(job_ctx, backfill=True).detail["backfilled"] == 3
    db_session.expire_all()
    assert set(db_session.scalars(select(TextAnalysis.model_version))) == {"v1"}
    assert db_session.scalar(select(func.count()).select_from(TextAnalysis)) == 5
    assert db_session.scalars(select(TopicTag.topic).where(TopicTag.source == "analyst")).all() == ["analyst-pick"]
    assert {a.text_state for a in _answers(db_session)} == {"scored"}


def test_new_answers_come_before_backfill(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "old"})
    score_pending(job_ctx)
    db_session.execute(update(TextAnalysis).values(model_version="v0"))
    make_response(db_session, survey, {"why": "new"})
    db_session.flush()
    stats = score_pending(job_ctx, limit=1, backfill=True)
    assert stats.detail["backfilled"] == 0
    assert {a.text: a.text_state for a in _answers(db_session)} == {"old": "scored", "new": "scored"}


def test_busy_database_is_retried(db_session: Session, job_ctx: JobContext, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "good"})
    real = scoring.write_results
    calls = {"n": 0}

    def flaky(*args: object, **kw: object) -> scoring.BatchOutcome:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(scoring, "write_results", flaky)
    monkeypatch.setattr("jobs.runs.DB_BASE_DELAY", 0.0)
    assert score_pending(job_ctx).processed == 1
    assert calls["n"] == 2


def test_database_gone_gives_a_failed_run_and_nothing_half_written(
    db_session: Session, job_ctx: JobContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "good"})
    real = scoring._fill

    def die_midway(*args: object) -> None:
        real(*args)  # type: ignore[arg-type]
        raise OperationalError("UPDATE", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(scoring, "_fill", die_midway)
    monkeypatch.setattr("jobs.runs.DB_BASE_DELAY", 0.0)
    with pytest.raises(OperationalError):
        score_pending(job_ctx)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(TextAnalysis)) == 0
    (answer,) = _answers(db_session)
    assert answer.text_state == "claimed"  # its lease expires and the next run takes it
    run = db_session.scalars(select(PipelineRun).order_by(PipelineRun.id.desc())).first()
    assert run is not None and run.status == "failed"
    assert run.error is not None and "server closed the connection" in run.error
