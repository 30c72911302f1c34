"""The anonymity promise, checked the way an attacker with the database would: dump every table after a
worker report went the whole way (submitted by QR code, scored, alerted, acknowledged, rolled into
trends) between two customer responses, and look for anything that places the report in time.

Runs on whichever database the suite runs on: SQLite, and PostgreSQL when HEEDFUL_TEST_DATABASE_URL
is set (`make test` runs both).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Table, inspect, select
from sqlalchemy.orm import Session

import models
from jobs.alerts import run_alerts
from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import refresh_trends
from models import Response, Survey, TextAnalysis, User
from survey_app.analytics.urgent import acknowledge
from tests.factories import make_site, make_survey
from tests.respond.helpers import Respondent, make_site_link

WORKER_IP = "203.0.113.77"
WORKER_AGENT = "Mozilla/5.0 (Linux; Android 14; SM-A546B) ShopFloorTablet/9"
AUDIT_TARGETS = {"response": "responses", "answer": "answers", "analysis": "text_analyses", "alert": "alerts"}
CLOCK = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")  # a time of day written in text or JSON


def _surveys(session: Session) -> tuple[Survey, Survey, str]:
    text = {"en": {"label": "Tell us"}}
    customer = make_survey(session, audience="customer", questions=[
        {"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": "Recommend us?"}}},
        {"key": "why", "type": "long_text", "texts": text}])
    worker = make_survey(session, audience="worker", questions=[
        {"key": "site", "type": "site", "required": True, "texts": {"en": {"label": "Where?"}}},
        {"key": "hazard", "type": "long_text", "required": True, "texts": text}])
    link = make_site_link(session, worker, make_site(session, name="Plant 2"))
    return customer, worker, link.code


def _dump(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every table the models declare, checked against what the database holds (no list kept here)."""
    declared = set(models.Base.metadata.tables)
    assert declared <= set(inspect(session.connection()).get_table_names())
    return {t.name: [dict(r._mapping) for r in session.execute(select(t))]
            for t in models.Base.metadata.sorted_tables}


def _tied_rows(
    dump: dict[str, list[dict[str, Any]]], before: dict[str, list[dict[str, Any]]], response_id: int, survey_id: int
) -> dict[str, list[int]]:
    """Indexes of the rows that exist because of the worker report: the response, every row whose foreign
    key reaches it (followed through the metadata to a fixed point), and every row of its survey that was
    not there, as it is, before the report (the survey's own questions and QR links were)."""
    tied: dict[str, set[int]] = defaultdict(set)
    tied["responses"] = {i for i, r in enumerate(dump["responses"]) if r["id"] == response_id}
    for name, rows in dump.items():
        if "survey_id" in models.Base.metadata.tables[name].c:
            tied[name] |= {i for i, r in enumerate(rows) if r["survey_id"] == survey_id and r not in before[name]}
    grew = True
    while grew:
        grew = False
        for table in models.Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                parent_ids = {dump[parent][i][fk.column.name] for i in tied[parent]}
                hits = {i for i, r in enumerate(dump[table.name]) if r[fk.parent.name] in parent_ids} - tied[table.name]
                if hits:
                    tied[table.name] |= hits
                    grew = True
    # The audit log names its target by type and id in text, not by a foreign key.
    targets = {(kind, str(dump[table][i]["id"])) for kind, table in AUDIT_TARGETS.items() for i in tied[table]}
    tied["audit_log"] |= {i for i, r in enumerate(dump["audit_log"]) if (r["target_type"], r["target_id"]) in targets}
    return {name: sorted(ix) for name, ix in tied.items() if ix}


def _leaks_of_time(value: Any) -> bool:
    if isinstance(value, datetime):
        return value.astimezone(UTC).time() != time()
    if isinstance(value, str):
        return bool(CLOCK.search(value))
    if isinstance(value, dict):
        return any(_leaks_of_time(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_leaks_of_time(v) for v in value)
    return False


def test_no_table_places_a_worker_report_in_time(
    client: FlaskClient, db_session: Session, job_ctx: JobContext
) -> None:
    customer, worker, qr = _surveys(db_session)
    officer = User(email="officer@example.org", password_hash="x", role="safety_officer")
    db_session.add(officer)
    db_session.commit()

    def customer_answers(why: str) -> None:
        r = Respondent(client)
        r.open(f"/s/{customer.slug}")
        assert r.submit({"nps": "3", "why": why}, nav="submit").status_code == 302

    customer_answers("The parcel was late")
    before = _dump(db_session)
    report = Respondent(client, remote_addr=WORKER_IP)
    report.open(f"/q/{qr}", environ_base={"REMOTE_ADDR": WORKER_IP, "HTTP_USER_AGENT": WORKER_AGENT})
    report.client.environ_base["HTTP_USER_AGENT"] = WORKER_AGENT
    assert report.submit({"hazard": "Exposed wire by press 4, urgent"}, nav="submit").status_code == 302
    customer_answers("Rude staff and a broken box")

    scored = score_pending(job_ctx)
    alerted = run_alerts(job_ctx)
    trends = refresh_trends(job_ctx)
    (urgent,) = db_session.scalars(select(TextAnalysis).where(TextAnalysis.urgent.is_(True))).all()
    assert acknowledge(db_session, urgent.id, officer)
    db_session.commit()
    # The report went the whole way: scored, alerted, in the trend rows, acknowledged.
    assert (scored.claimed, scored.worker_claimed, alerted.worker_claimed) == (3, 1, 1)
    assert trends.worker_claimed == 1

    dump = _dump(db_session)
    (report_row,) = [r for r in dump["responses"] if r["survey_id"] == worker.id]
    tied = _tied_rows(dump, before, report_row["id"], worker.id)
    for table in ("responses", "answers", "text_analyses", "alerts", "trend_rows", "audit_log"):
        assert table in tied, f"the report left no row in {table}: the test no longer covers it"

    problems: list[str] = []
    everything = repr(dump)
    for needle in (WORKER_IP, WORKER_AGENT, "ShopFloorTablet"):
        if needle in everything:
            problems.append(f"{needle!r} is stored")
    for name, indexes in tied.items():
        table: Table = models.Base.metadata.tables[name]
        others = [r["id"] for i, r in enumerate(dump[name]) if i not in indexes] if "id" in table.c else []
        for i in indexes:
            row = dump[name][i]
            problems += [f"{name}.{col} = {val!r}: a time of day" for col, val in row.items() if _leaks_of_time(val)]
            if "id" in table.c:
                # A sequence id orders the row among customer rows (which hold exact times).
                if row["id"] >= 0:
                    problems.append(f"{name}.id = {row['id']}: from the sequence customer rows share")
                if others and min(others) < row["id"] < max(others):
                    problems.append(f"{name}.id = {row['id']}: sorts between other rows' ids")
    assert problems == [], "\n".join(problems)

    # The run history says nothing of the worker report: it counts the two customer answers, the customer
    # survey's trend refresh, and no alert at all (the only alert was the report's).
    runs = {r["job"]: r for r in dump["pipeline_runs"]}
    assert (runs["score"]["claimed"], runs["score"]["processed"], runs["score"]["failed"]) == (2, 2, 0)
    assert (runs["alerts"]["claimed"], runs["alerts"]["processed"]) == (0, 0)
    assert runs["alerts"]["detail"]["urgent"] == 0
    assert runs["trends"]["claimed"] == 1 and runs["trends"]["detail"]["surveys"] == 1
    assert "taxonomy_errors" not in runs["score"]["detail"]

    # Customer rows keep their exact times and their order: the probe compares against them.
    customers = db_session.scalars(select(Response).where(Response.survey_id == customer.id)
                                   .order_by(Response.id)).all()
    assert len(customers) == 2 and all(r.submitted_at is not None for r in customers)
    assert report_row["submitted_on"] == date.today() or report_row["submitted_on"] == datetime.now(UTC).date()
