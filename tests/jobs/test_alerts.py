"""Alerts: urgent worker reports reach safety officers by real SMTP and a signed webhook, once."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.server
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.alerts import SIGNATURE_HEADER, TIMESTAMP_HEADER, run_alerts
from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import rebuild_trends
from models import Alert, User
from models.anonymity import is_day_stamp
from tests.factories import make_response, make_site, make_survey
from tests.live import free_port

SECRET = "webhook-test-secret"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"




@pytest.fixture()
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture()
def webhook_server() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, self.headers.get(SIGNATURE_HEADER, ""))
            received.append({"valid": valid, "timestamp": self.headers.get(TIMESTAMP_HEADER),
                             "body": json.loads(body)})
            self.send_response(204 if valid else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _configure(job_ctx: JobContext, smtp_port: int, webhook_url: str) -> None:
    job_ctx.settings = dataclasses.replace(
        job_ctx.settings, smtp_host="127.0.0.1", smtp_port=smtp_port, alert_emails=("hse@example.org",),
        webhook_url=webhook_url, webhook_secret=SECRET, smtp_from="heedful@example.org",
    )


def test_urgent_report_is_emailed_and_webhooked_once(
    db_session: Session, job_ctx: JobContext, smtp_server: tuple[Inbox, int],
    webhook_server: tuple[list[dict[str, Any]], str],
) -> None:
    inbox, port = smtp_server
    hooks, url = webhook_server
    _configure(job_ctx, port, url)
    db_session.add_all([
        User(email="officer@example.org", password_hash="x", role="safety_officer"),
        User(email="analyst@example.org", password_hash="x", role="analyst"),
    ])
    site = make_site(db_session, name="Plant 2")
    survey = make_survey(db_session, audience="worker", title="Safety walk")
    make_response(db_session, survey, {"nps": 5, "why": "exposed wire near the press, call me at jo@x.org"},
                  site_id=site.id)
    make_response(db_session, survey, {"nps": 5, "why": "canteen food is good"})

    score_pending(job_ctx)
    stats = run_alerts(job_ctx)

    # Counted for the caller, but the stored run says nothing of a worker alert (it would date the report).
    assert (stats.claimed, stats.processed) == (1, 2) and (stats.worker_claimed, stats.worker_processed) == (1, 2)
    assert stats.recorded() == (0, 0, 0) and stats.detail["urgent"] == 0
    ((rcpts, raw),) = inbox.messages
    assert sorted(rcpts) == ["hse@example.org", "officer@example.org"]  # not the analyst
    mail = message_from_bytes(raw)
    assert "Urgent safety report in 'Safety walk' at Plant 2" in mail["Subject"]
    body = mail.get_payload()
    assert "exposed wire" in body and "jo@x.org" not in body  # redacted text only
    assert f"Day: {date.today().isoformat()}" in body and not re.search(r"\d\d:\d\d", body)  # the day, no time
    (hook,) = hooks
    assert hook["valid"] and hook["timestamp"] and hook["body"]["kind"] == "urgent_report"
    (alert,) = db_session.scalars(select(Alert)).all()
    db_session.refresh(alert)
    assert (alert.email_status, alert.webhook_status) == ("sent", "sent")
    assert alert.id < 0 and is_day_stamp(alert.created_at)  # anonymous id, the day only

    run_alerts(job_ctx)  # next minute: nothing new, nothing resent
    assert len(inbox.messages) == 1 and len(hooks) == 1


def test_customer_surveys_never_raise_urgent_alerts(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session, audience="customer")
    make_response(db_session, survey, {"why": "urgent: danger, the parcel is on fire"})
    score_pending(job_ctx)
    assert run_alerts(job_ctx).detail["urgent"] == 0


def test_failed_delivery_is_recorded_and_retried(
    db_session: Session, job_ctx: JobContext, smtp_server: tuple[Inbox, int],
    webhook_server: tuple[list[dict[str, Any]], str],
) -> None:
    inbox, port = smtp_server
    hooks, url = webhook_server
    _configure(job_ctx, free_port(), url)  # nothing listens there
    survey = make_survey(db_session, audience="worker")
    make_response(db_session, survey, {"why": "unsafe ladder"})
    score_pending(job_ctx)
    run = run_alerts(job_ctx)
    assert run.failed == 1
    alert = db_session.scalars(select(Alert)).one()
    db_session.refresh(alert)
    assert alert.email_status == "failed" and "Connection refused" in alert.detail["email_error"]
    assert alert.webhook_status == "sent"

    _configure(job_ctx, port, url)
    run_alerts(job_ctx)
    db_session.refresh(alert)
    assert alert.email_status == "sent" and len(inbox.messages) == 1 and len(hooks) == 1


def test_unconfigured_channels_are_skipped(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session, audience="worker")
    make_response(db_session, survey, {"why": "danger"})
    score_pending(job_ctx)
    run_alerts(job_ctx)
    alert = db_session.scalars(select(Alert)).one()
    db_session.refresh(alert)
    assert (alert.email_status, alert.webhook_status) == ("skipped", "skipped")
    assert "HEEDFUL_SMTP_HOST" in alert.detail["email_error"]


def test_significant_nps_drop_notifies_readers_once(
    db_session: Session, job_ctx: JobContext, smtp_server: tuple[Inbox, int],
    webhook_server: tuple[list[dict[str, Any]], str],
) -> None:
    inbox, port = smtp_server
    _hooks, url = webhook_server
    _configure(job_ctx, port, url)
    db_session.add(User(email="analyst@example.org", password_hash="x", role="analyst"))
    survey = make_survey(db_session, audience="customer", min_group_size=5)
    today = datetime.now(UTC).date()
    this_week = today - timedelta(days=today.weekday())
    last_week = this_week - timedelta(days=7)
    for i in range(20):
        make_response(db_session, survey, {"nps": 10}, day=last_week + timedelta(days=i % 3))
        make_response(db_session, survey, {"nps": 1 if i < 15 else 10}, day=this_week)
    rebuild_trends(job_ctx)

    first = run_alerts(job_ctx)
    again = run_alerts(job_ctx)

    alerts = db_session.scalars(select(Alert).where(Alert.kind == "nps_drop")).all()
    assert len(alerts) == 1 and first.detail["drops"] == 1 and again.detail["drops"] == 0
    assert "NPS fell from 100 to -50" in alerts[0].message
    assert alerts[0].detail["period_start"] == this_week.isoformat()
    (rcpts, _raw), = inbox.messages
    assert sorted(rcpts) == ["analyst@example.org", "hse@example.org"]


def test_small_segments_never_alert(db_session: Session, job_ctx: JobContext) -> None:
    survey = make_survey(db_session, audience="customer", min_group_size=50)
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    for _ in range(20):
        make_response(db_session, survey, {"nps": 10}, day=monday - timedelta(days=7))
        make_response(db_session, survey, {"nps": 0}, day=monday)
    rebuild_trends(job_ctx)
    assert run_alerts(job_ctx).detail["drops"] == 0
