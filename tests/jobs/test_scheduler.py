"""Job registry, themes and cleanup jobs (the single-scheduler lease: test_lease.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs.cleanup import cleanup
from jobs.context import JobContext
from jobs.registry import JOBS
from jobs.scheduler import build_scheduler
from jobs.scoring import score_pending
from jobs.themes import discover_emerging_themes
from models import Answer, PipelineRun, SchedulerLease, Taxonomy, Theme
from nlp.types import Theme as NlpTheme
from tests.factories import make_response, make_survey
from tests.jobs.conftest import TAXONOMY_YAML


def test_registry_declares_every_job_safely() -> None:
    assert {j.id for j in JOBS} == {"score", "trends", "alerts", "themes", "cleanup", "privacy_purge"}
    for spec in JOBS:
        assert spec.max_instances == 1 and spec.coalesce and spec.misfire_grace_time > 0
    by_id = {j.id: j for j in JOBS}
    assert by_id["score"].trigger_args == {"minutes": 1}  # urgent reports alerted within a minute
    assert by_id["alerts"].trigger_args == {"minutes": 1}
    assert by_id["themes"].trigger == "cron" and by_id["cleanup"].trigger == "cron"
    # Retention is counted in months: once a day is enough, and a day's outage is caught up (coalesced).
    assert by_id["privacy_purge"].trigger == "cron" and by_id["privacy_purge"].trigger_args["hour"] == 3


def test_scheduler_gets_the_registry_jobs_and_a_heartbeat(job_ctx: JobContext) -> None:
    scheduler, _pools = build_scheduler(job_ctx)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"score", "trends", "alerts", "themes", "cleanup", "privacy_purge", "heartbeat"}
    assert isinstance(jobs["score"].trigger, IntervalTrigger)
    assert jobs["score"].trigger.interval == timedelta(minutes=1)
    assert isinstance(jobs["themes"].trigger, CronTrigger)
    assert all(j.max_instances == 1 and j.coalesce for j in jobs.values())
    assert jobs["heartbeat"].executor == "lease"  # long jobs can't starve the lease renewal


def test_themes_cluster_only_uncovered_comments(db_session: Session, job_ctx: JobContext) -> None:
    seen: list[list[str]] = []

    def finder(texts: list[str]) -> list[NlpTheme]:
        seen.append(texts)
        idx = [i for i, t in enumerate(texts) if "parking" in t]
        return [NlpTheme("parking", ["parking", "car"], idx, len(idx)),
                NlpTheme("dismissed one", ["x"], [0], 1)]

    job_ctx.theme_finder_factory = lambda _s: finder
    tax = Taxonomy(name="themes-shop", source_yaml=TAXONOMY_YAML)
    db_session.add(tax)
    db_session.flush()
    survey = make_survey(db_session, taxonomy_id=tax.id)
    db_session.add(Theme(survey_id=survey.id, label="dismissed one", status="dismissed"))
    for i in range(12):
        make_response(db_session, survey, {"why": f"no parking space again {i}"})
    make_response(db_session, survey, {"why": "the parcel came late"})  # covered by the delivery topic
    score_pending(job_ctx)

    stats = discover_emerging_themes(job_ctx)

    assert len(seen) == 1 and all("parcel" not in t for t in seen[0]) and len(seen[0]) == 12
    themes = db_session.scalars(select(Theme).where(Theme.survey_id == survey.id).order_by(Theme.id)).all()
    assert [(t.label, t.status) for t in themes] == [("dismissed one", "dismissed"), ("parking", "new")]
    assert len(themes[1].answer_ids) == 12 and stats.processed == 1
    discover_emerging_themes(job_ctx)  # nightly re-run replaces, never duplicates
    assert db_session.scalars(select(Theme.label).where(Theme.survey_id == survey.id)).all().count("parking") == 1


def test_cleanup(db_session: Session, job_ctx: JobContext) -> None:
    now = datetime.now(UTC)
    survey = make_survey(db_session)
    make_response(db_session, survey, {"why": "x"})
    db_session.execute(update(Answer).where(Answer.text == "x").values(
        text_state="claimed", claimed_by="h:1:a", claimed_until=now - timedelta(minutes=1), attempts=1))
    db_session.add_all([
        PipelineRun(job="score", status="ok", started_at=now - timedelta(days=200)),
        PipelineRun(job="score", status="running", started_at=now - timedelta(hours=12)),
        SchedulerLease(name="old", holder="gone", expires_at=now - timedelta(hours=1)),
    ])
    db_session.flush()

    stats = cleanup(job_ctx)

    assert {k: stats.detail[k] for k in ("runs_deleted", "runs_closed", "leases_deleted", "claims_released")} == {
        "runs_deleted": 1, "runs_closed": 1, "leases_deleted": 1, "claims_released": 1}
    db_session.expire_all()
    assert db_session.scalars(select(Answer.text_state).where(Answer.text == "x")).one() == "pending"
