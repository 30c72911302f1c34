"""The alerts inbox: NPS and sentiment drops, seen and acknowledged by the roles that may read the survey."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Alert, AuditEntry, Survey
from models.anonymity import anonymous_id, day_stamp
from tests.factories import make_department

RAISED = datetime(2025, 6, 9, 7, 30, tzinfo=UTC)


def _drop(db_session: Session, survey: Survey, kind: str = "nps_drop", *, message: str | None = None,
          at: datetime = RAISED, **detail: object) -> Alert:
    """A drop alert as jobs/alerts.py raises it (worker surveys: anonymous id, the day only)."""
    worker = survey.audience == "worker"
    alert = Alert(id=anonymous_id() if worker else None, kind=kind, survey_id=survey.id,
                  dedup_key=f"{kind}:{survey.id}:{at.isoformat()}:{message}",
                  message=message or f"NPS fell from 30 to 10 in '{survey.title}'",
                  detail={"audience": survey.audience, **detail}, created_at=day_stamp(at) if worker else at,
                  email_status="sent", webhook_status="skipped")
    db_session.add(alert)
    db_session.flush()
    return alert


def _waiting(html: str) -> int:
    return int(re.search(r'<strong class="waiting-count">(\d+)</strong>', html).group(1))  # type: ignore[union-attr]


def _messages(html: str) -> list[str]:
    return re.findall(r'<p class="comment-text">([^<]*)</p>', html)


def test_each_role_sees_the_drops_of_the_surveys_it_may_read(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, customer_survey: Survey,
        worker_survey: Survey) -> None:
    _drop(db_session, customer_survey, message="Customer NPS fell")
    dept = make_department(db_session, name="Dispatch")
    _drop(db_session, worker_survey, "sentiment_drop", message="Worker sentiment fell", segment_type="department",
          segment_value=str(dept.id), period_start="2025-06-02")
    _drop(db_session, worker_survey, "urgent_report", message="Urgent report, not a drop")
    seen = {role: set(_messages(login_as(role).get("/dashboard/alerts").get_data(as_text=True)))
            for role in ("analyst", "safety_officer", "admin")}
    assert seen == {"analyst": {"Customer NPS fell"}, "safety_officer": {"Worker sentiment fell"},
                    "admin": {"Customer NPS fell", "Worker sentiment fell"}}
    # The segment by name (the e-mailed message names the department's id), and the week.
    html = login_as("safety_officer").get("/dashboard/alerts").get_data(as_text=True)
    assert "Department: Dispatch · week of 2025-06-02" in html
    assert login_as(None).get("/dashboard/alerts").status_code == 302  # to the sign-in page
    # Linked from the urgent queue, with the number waiting.
    queue = login_as("safety_officer").get("/dashboard/urgent").get_data(as_text=True)
    assert 'href="/dashboard/alerts">Alerts inbox (1 new)' in queue


def test_acknowledge_is_audited_and_leaves_the_waiting_list(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, customer_survey: Survey,
        worker_survey: Survey) -> None:
    alert = _drop(db_session, customer_survey, message="Customer NPS fell")
    other = _drop(db_session, customer_survey, "sentiment_drop", message="Customer sentiment fell")
    client = login_as("analyst")
    assert _waiting(client.get("/dashboard/alerts").get_data(as_text=True)) == 2
    resp = client.post(f"/dashboard/alerts/{alert.id}/acknowledge")
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard/alerts"
    html = client.get("/dashboard/alerts").get_data(as_text=True)
    assert _waiting(html) == 1 and _messages(html) == ["Customer sentiment fell"]
    assert _messages(client.get("/dashboard/alerts?status=acknowledged").get_data(as_text=True)) == [
        "Customer NPS fell"]
    db_session.refresh(alert)
    db_session.refresh(other)
    assert alert.acknowledged_at is not None and other.acknowledged_at is None
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge"))
    assert entry is not None and entry.target_id == str(alert.id) and entry.detail["kind"] == "nps_drop"
    # A second acknowledgement changes nothing and writes no second entry.
    client.post(f"/dashboard/alerts/{alert.id}/acknowledge")
    assert len(db_session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge")).all()) == 1


def test_a_worker_surveys_alert_keeps_the_day_when_acknowledged(
        login_as: Callable[[str | None], FlaskClient], db_session: Session, worker_survey: Survey) -> None:
    alert = _drop(db_session, worker_survey, "sentiment_drop")
    assert login_as("safety_officer").post(f"/dashboard/alerts/{alert.id}/acknowledge").status_code == 302
    db_session.refresh(alert)
    assert alert.acknowledged_at is not None and (alert.acknowledged_at.hour, alert.acknowledged_at.minute) == (0, 0)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge"))
    assert entry is not None and entry.id < 0 and entry.at.hour == 0  # models.anonymity


def test_acknowledge_refuses_other_audiences_unknown_alerts_and_missing_csrf(
        app: Flask, login_as: Callable[[str | None], FlaskClient], db_session: Session, customer_survey: Survey,
        worker_survey: Survey) -> None:
    worker_alert = _drop(db_session, worker_survey, "sentiment_drop")
    urgent_alert = _drop(db_session, worker_survey, "urgent_report", message="an urgent report")
    client = login_as("analyst")
    assert client.post(f"/dashboard/alerts/{worker_alert.id}/acknowledge").status_code == 403
    assert client.post(f"/dashboard/alerts/{urgent_alert.id}/acknowledge").status_code == 404  # not a drop
    assert client.post("/dashboard/alerts/987654/acknowledge").status_code == 404
    assert client.get("/dashboard/alerts?status=bogus").status_code == 400
    assert client.get("/dashboard/alerts?page=0").status_code == 400
    customer_alert = _drop(db_session, customer_survey)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/dashboard/alerts/{customer_alert.id}/acknowledge").status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',  # type: ignore[union-attr]
                      client.get("/dashboard/alerts").get_data(as_text=True)).group(1)
    assert client.post(f"/dashboard/alerts/{customer_alert.id}/acknowledge",
                       data={"csrf_token": token}).status_code == 302
    db_session.refresh(worker_alert)
    db_session.refresh(customer_alert)
    assert worker_alert.acknowledged_at is None and customer_alert.acknowledged_at is not None
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge")) is not None


def test_newest_first_twenty_a_page(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                    customer_survey: Survey) -> None:
    for i in range(25):
        _drop(db_session, customer_survey, message=f"Drop {i:02d}", at=RAISED + timedelta(days=i))
    client = login_as("analyst")
    first = client.get("/dashboard/alerts").get_data(as_text=True)
    assert _messages(first) == [f"Drop {i:02d}" for i in range(24, 4, -1)] and "page 1 of 2" in first
    assert _messages(client.get("/dashboard/alerts?page=2").get_data(as_text=True)) == [
        f"Drop {i:02d}" for i in range(4, -1, -1)]
