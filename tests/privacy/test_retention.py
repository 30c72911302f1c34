"""Retention purge: past a survey's retention_months, free text, analyses, tags, contact data and upload
columns go; closed answers and every trend figure stay, through later refreshes and rebuilds too."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.privacy import purge_retention, run_purge
from jobs.trends.refresh import rebuild_trends, refresh_trends
from models import (
    Alert,
    Answer,
    AuditEntry,
    Invitation,
    PipelineRun,
    Response,
    Survey,
    TextAnalysis,
    TopicTag,
    TrendRow,
)
from models.privacy import months_before
from models.queue import mark_trend_dirty
from tests.privacy.conftest import MARIA_TEXT, OLD, OTHER_TEXT, RECENT, build_world

CUTOFF_AT = datetime(2024, 6, 15, tzinfo=UTC)


def _trend_rows(session: Session) -> dict[tuple[Any, ...], dict[str, Any]]:
    session.expire_all()
    skip = {"id", "computed_at"}
    return {
        (r.survey_id, r.period_type, r.period_start, r.segment_type, r.segment_value, r.topic):
            {c.name: getattr(r, c.name) for c in TrendRow.__table__.columns if c.name not in skip}
        for r in session.scalars(select(TrendRow))
    }


def _count(session: Session, model: Any, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _texts_of(session: Session, day: date) -> list[str | None]:
    return list(session.scalars(select(Answer.text).join(Response).where(
        Response.submitted_on == day, Answer.text.is_not(None))))


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 6, 15), 12, date(2024, 6, 15)),
    (date(2024, 3, 31), 1, date(2024, 2, 29)),  # a shorter month ends the range on its last day
    (date(2025, 1, 31), 2, date(2024, 11, 30)),
    (date(2025, 1, 1), 25, date(2022, 12, 1)),
])
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_purge_removes_old_text_and_contact_data_and_keeps_trends(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    before = _trend_rows(db_session)
    assert any(k[2] == OLD for k in before) and any(k[2] == RECENT for k in before)
    old_analyses = _count(db_session, TextAnalysis, TextAnalysis.answer_id.in_(
        select(Answer.id).join(Response).where(Response.submitted_on == OLD)))
    assert old_analyses > 0 and MARIA_TEXT in _texts_of(db_session, OLD)

    results = run_purge(ctx)

    by_slug = {c.slug: c for c in results}
    customer, worker = by_slug[world.customer.slug], by_slug[world.worker.slug]
    assert customer.cutoff == date(2024, 6, 15)
    # Old day: 2 invited + 3 public comments, 3 "other" texts, 3 invitations' addresses and upload columns.
    assert (customer.text_answers, customer.other_texts, customer.invitations) == (5, 3, 3)
    assert customer.segments == 2 and worker.text_answers == 2 and customer.corrections == 2
    assert customer.analyses + worker.analyses == old_analyses
    assert _texts_of(db_session, OLD) == []
    assert _count(db_session, TextAnalysis, TextAnalysis.answer_id.in_(
        select(Answer.id).join(Response).where(Response.submitted_on == OLD))) == 0
    assert _count(db_session, TopicTag, TopicTag.analysis_id.not_in(select(TextAnalysis.id))) == 0
    # Closed answers stay, "other" choices keep their choice, and recent text is untouched.
    assert sorted(db_session.scalars(select(Answer.number).join(Response).where(
        Response.survey_id == world.customer.id, Response.submitted_on == OLD, Answer.number.is_not(None)))
    ) == [3, 8, 9, 9, 10]
    assert db_session.scalars(select(Answer.choices).where(Answer.response_id == world.maria_old.id,
                                                            Answer.choices.is_not(None))).all() == [["web"]]
    assert set(_texts_of(db_session, RECENT)) >= {OTHER_TEXT, "good parcel service 0"}
    old_inv = db_session.scalars(select(Invitation).where(Invitation.survey_id == world.customer.id,
                                                          Invitation.created_at < CUTOFF_AT)).all()
    assert [(i.email, i.attributes, i.draft) for i in old_inv] == [(None, {}, None)] * 3
    recent = db_session.get(Invitation, world.invitations["maria.k@example.org"][1].id)
    assert recent is not None and recent.email == "maria.k@example.org" and recent.attributes["name"]
    old_resp = db_session.get(Response, world.maria_old.id)
    assert old_resp is not None and old_resp.segment == {} and not old_resp.contact_consent
    assert db_session.get(Survey, world.customer.id).text_purged_before == date(2024, 6, 15)  # type: ignore[union-attr]

    # Not one trend figure changed, and none changes when the trends are refreshed or rebuilt later. Gone
    # are only the rows keyed by an uploaded value that no kept response carries and that only ever
    # described fewer people than may be shown: region "us", Jan's alone (names are never segments).
    after = _trend_rows(db_session)
    assert after == {k: v for k, v in before.items() if k in after}
    dropped = set(before) - set(after)
    assert {(k[3], k[4]) for k in dropped} == {("region", "us")}
    assert all(before[k]["responses"] < world.customer.min_group_size for k in dropped)
    assert len(dropped) == customer.trend_rows
    mark_trend_dirty(db_session, world.customer.id, OLD)
    db_session.commit()
    refresh_trends(ctx)
    assert _trend_rows(db_session) == after
    rebuild_trends(ctx)
    assert _trend_rows(db_session) == after


def test_trends_still_follow_new_answers_after_a_purge(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    run_purge(ctx)
    before = _trend_rows(db_session)
    from tests.factories import make_response

    make_response(db_session, world.customer, {"nps": 0, "why": "awful"}, day=RECENT)
    db_session.commit()
    refresh_trends(ctx)
    after = _trend_rows(db_session)
    key = (world.customer.id, "day", RECENT, "*", "*", "*")
    assert after[key]["responses"] == before[key]["responses"] + 1
    old_key = (world.customer.id, "day", OLD, "*", "*", "*")
    assert after[old_key] == before[old_key]
    rebuild_trends(ctx)
    assert _trend_rows(db_session) == after


def test_dry_run_counts_what_a_purge_deletes_and_changes_nothing(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    texts = _texts_of(db_session, OLD)
    audits = _count(db_session, AuditEntry)

    dry = run_purge(ctx, dry_run=True)

    assert _texts_of(db_session, OLD) == texts
    assert _count(db_session, AuditEntry) == audits
    assert _count(db_session, Survey, Survey.text_purged_before.is_not(None)) == 0
    real = run_purge(ctx)
    assert [c.as_dict() for c in dry] == [c.as_dict() for c in real]
    assert sum(c.total for c in real) > 0
    assert sum(c.total for c in run_purge(ctx)) == 0  # nothing left to purge: idempotent


def test_purge_is_audited_with_counts_only(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    run_purge(ctx)
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_name, e.target_id) for e in entries] == [
        ("scheduler", str(world.customer.id)), ("scheduler", str(world.worker.id))]
    assert entries[0].detail["text_answers"] == 5 and entries[0].detail["cutoff"] == "2024-06-15"
    assert MARIA_TEXT not in str(entries[0].detail)


def test_surveys_without_retention_keep_everything(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx, retention_months=None)
    texts = _texts_of(db_session, OLD)
    assert run_purge(ctx) == []
    assert _texts_of(db_session, OLD) == texts


def test_urgent_alert_loses_the_report_text(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    from jobs.alerts import run_alerts

    # Urgent alerts are raised for recent reports: raise them on the old day itself.
    run_alerts(dataclasses.replace(ctx, now=lambda: datetime.combine(OLD, time(18), tzinfo=UTC)))
    db_session.expire_all()
    old_alerts = db_session.scalars(select(Alert).join(Response, Response.id == Alert.response_id)
                                    .where(Response.submitted_on == OLD, Response.survey_id == world.worker.id)).all()
    assert old_alerts and all("text" in a.detail for a in old_alerts)
    counts = {c.slug: c for c in run_purge(ctx)}
    assert counts[world.worker.slug].alert_texts == len(old_alerts)
    db_session.expire_all()
    for alert in old_alerts:
        refreshed = db_session.get(Alert, alert.id)
        assert refreshed is not None and "text" not in refreshed.detail and refreshed.message


def test_scheduled_job_records_its_run(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    stats = purge_retention(ctx)
    assert stats.processed > 0
    run = db_session.scalars(select(PipelineRun).where(PipelineRun.job == "privacy_purge")).one()
    assert run.status == "ok" and run.processed == stats.processed


def test_a_purge_in_small_batches_deletes_the_same(db_session: Session, ctx: JobContext,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    world = build_world(db_session, ctx)
    before = _trend_rows(db_session)
    whole = run_purge(ctx, dry_run=True)
    monkeypatch.setattr("jobs.privacy.BATCH", 2)  # the customer survey's 5 old responses: 3 batches

    batched = run_purge(ctx)

    assert [c.as_dict() for c in batched] == [c.as_dict() for c in whole]
    entries = [e for e in _audit_entries(db_session) if e.target_id == str(world.customer.id)]
    assert len(entries) == 3 and sum(e.detail["text_answers"] for e in entries) == 5
    assert _texts_of(db_session, OLD) == []
    after = _trend_rows(db_session)
    assert after == {k: v for k, v in before.items() if k in after}


def _audit_entries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge")))
