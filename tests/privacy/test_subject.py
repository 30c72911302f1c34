"""A data subject's export and erasure by e-mail address: all of it, only theirs, and nothing left behind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import models
from jobs.context import JobContext
from jobs.privacy import run_purge
from jobs.trends.refresh import refresh_trends
from models import AnalysisCorrection, AuditEntry, Complaint, Invitation, Response, TrendDirty, TrendRow
from models.audit import record_audit
from models.privacy import WORKER_NOTE, SubjectNotFound, erase_subject, export_subject, secure_delete
from tests.privacy.conftest import MARIA, MARIA_TEXT, NOW, OLD, OTHER, RECENT, build_world


def dump_database(session: Session) -> str:
    """Every value of every row of every table, as one text (what an attacker with the file could read)."""
    session.flush()
    parts: list[str] = []
    for table in models.Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def _day_row(session: Session, survey_id: int, day: Any) -> TrendRow | None:
    session.expire_all()
    return session.scalar(select(TrendRow).where(
        TrendRow.survey_id == survey_id, TrendRow.period_type == "day", TrendRow.period_start == day,
        TrendRow.segment_type == "*", TrendRow.topic == "*"))


def test_export_holds_invitations_responses_answers_and_cases_of_that_person_only(
        db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)

    data = export_subject(db_session, "  Maria.K@Example.ORG ", NOW)

    assert data["subject"] == MARIA and data["worker_reports"] == WORKER_NOTE
    assert "not linked" in data["worker_reports"]
    assert [(i["survey"]["title"], i["created_at"][:10], i["answered"]) for i in data["invitations"]] == [
        ("Delivery feedback", OLD.isoformat(), True), ("Delivery feedback", RECENT.isoformat(), True)]
    assert data["invitations"][0]["upload_columns"] == {"region": "eu", "name": "Maria Kowalska"}
    assert [r["submitted_on"] for r in data["responses"]] == [OLD.isoformat(), RECENT.isoformat()]
    old = data["responses"][0]
    assert old["survey"]["slug"] == world.customer.slug and old["contact_consent"] is True
    answers = {a["question"]: a for a in old["answers"]}
    assert answers["nps"]["number"] == 3 and answers["nps"]["label"] == "How likely are you to recommend us?"
    assert answers["why"]["text"] == MARIA_TEXT and answers["why"]["analysis"]["sentiment"] == "negative"
    assert "delivery" in answers["why"]["analysis"]["topics"]
    assert answers["channel"]["choices"] == ["web"]
    assert [(c["status"], c["response_submitted_on"]) for c in data["complaint_cases"]] == [
        ("resolved", OLD.isoformat())]
    text = json.dumps(data)
    assert OTHER not in text and "great and friendly staff" not in text and "exposed wire" not in text
    json.dumps(data)  # plain JSON all the way down


def test_unknown_address_is_refused_and_changes_nothing(db_session: Session, ctx: JobContext) -> None:
    build_world(db_session, ctx)
    before = dump_database(db_session)
    for address in ("nobody@example.org", "", "   "):
        with pytest.raises(SubjectNotFound):
            export_subject(db_session, address)
        with pytest.raises(SubjectNotFound):
            erase_subject(db_session, address)
    assert dump_database(db_session) == before


def test_erase_removes_everything_of_that_person_and_nothing_else(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    other_before = export_subject(db_session, OTHER)
    recent = _day_row(db_session, world.customer.id, RECENT)
    assert recent is not None
    responses_before, maria_old_id = recent.responses, world.maria_old.id

    with secure_delete(db_session):
        counts = erase_subject(db_session, MARIA)
    record_audit(db_session, "privacy.erase", actor_name="cli:test", target_type="data_subject", **counts.as_dict())
    db_session.commit()

    assert (counts.invitations, counts.responses, counts.complaints) == (2, 2, 1)
    assert counts.answers == 5 and counts.analyses == 2 and counts.topic_tags >= 2 and counts.corrections == 1
    assert counts.trend_days == 2 and counts.responses_in_purged_days == 0
    with pytest.raises(SubjectNotFound):
        export_subject(db_session, MARIA)
    assert db_session.get(Response, maria_old_id) is None
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert db_session.scalar(select(func.count()).select_from(AnalysisCorrection)) == 1  # the public one
    assert export_subject(db_session, OTHER)["responses"] == other_before["responses"]
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 2  # Jan's and the unanswered one
    # The touched days are queued and recomputed without Maria.
    assert {d.day for d in db_session.scalars(select(TrendDirty))} == {OLD, RECENT}
    refresh_trends(ctx)
    recent = _day_row(db_session, world.customer.id, RECENT)
    assert recent is not None and recent.responses == responses_before - 1

    # Nothing of hers is anywhere in the database, the audit entry of the erasure included.
    dump = dump_database(db_session)
    for trace in (MARIA, "maria.k", MARIA_TEXT, "0176 5550199", "Maria Kowalska", "spoke with Maria"):
        assert trace not in dump, trace
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
    assert entry.detail["responses"] == 2 and entry.actor_name == "cli:test"


def test_erase_after_a_purge_keeps_the_purged_days_trend_rows(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    run_purge(ctx)
    old = _day_row(db_session, world.customer.id, OLD)
    assert old is not None
    old_figures = (old.responses, old.nps_n, old.comments, old.sentiment_negative)

    counts = erase_subject(db_session, MARIA)
    db_session.commit()
    refresh_trends(ctx)

    # Her old invitation lost its address in the purge: only the recent one is found and erased.
    assert (counts.invitations, counts.responses, counts.trend_days, counts.responses_in_purged_days) == (1, 1, 1, 0)
    old = _day_row(db_session, world.customer.id, OLD)
    assert old is not None and (old.responses, old.nps_n, old.comments, old.sentiment_negative) == old_figures


def test_erase_of_a_response_on_a_purged_day_leaves_that_days_counts(db_session: Session, ctx: JobContext) -> None:
    world = build_world(db_session, ctx)
    run_purge(ctx)
    # An address that survived the purge on a day before the boundary (an invitation created later than
    # the day it was answered, as an import of old answers would make).
    inv = Invitation(survey_id=world.customer.id, token_hash="f" * 64, email="late@example.org", created_at=NOW)
    db_session.add(inv)
    db_session.flush()
    db_session.execute(Response.__table__.update().where(Response.id == world.other.id).values(invitation_id=inv.id))
    old = _day_row(db_session, world.customer.id, OLD)
    assert old is not None
    before = old.responses

    counts = erase_subject(db_session, "late@example.org")
    db_session.commit()
    refresh_trends(ctx)

    assert (counts.responses, counts.trend_days, counts.responses_in_purged_days) == (1, 0, 1)
    old = _day_row(db_session, world.customer.id, OLD)
    assert old is not None and old.responses == before


def test_a_workers_invitation_is_exported_and_erased_without_any_report(db_session: Session,
                                                                         ctx: JobContext) -> None:
    from tests.privacy.conftest import make_invitation

    world = build_world(db_session, ctx)
    inv = make_invitation(db_session, world.worker, "ola@example.org", RECENT, team="night shift")
    inv.used_at = NOW  # the report itself is stored without any link to this invitation
    db_session.commit()

    data = export_subject(db_session, "ola@example.org")

    assert [(i["survey"]["audience"], i["answered"]) for i in data["invitations"]] == [("worker", True)]
    assert data["responses"] == [] and "not linked to anyone" in data["worker_reports"]
    reports = db_session.scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == world.worker.id))
    counts = erase_subject(db_session, "ola@example.org")
    assert (counts.invitations, counts.responses) == (1, 0)
    assert db_session.scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == world.worker.id)) == reports
