"""Browser journey (headless Chromium, CSRF on, real server): analyst, safety officer, reporter.

Screenshots go to artifacts/screenshots/analysts-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CorrectiveAction
from models.settings import load_settings
from survey_app import create_app
from survey_app.auth.services import create_user
from tests.analysts.factories import make_comment, make_trend
from tests.factories import make_site, make_survey
from tests.live import file_database, screenshot, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"
RECEIPT = "HF-JRNY-0001"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("journey")
    url, engine = file_database(tmp, "journey.db")
    with Session(engine) as s, s.begin():
        create_user(s, "ana@example.org", "analyst", PASSWORD)
        create_user(s, "sam@example.org", "safety_officer", PASSWORD)
        north, south, east = (make_site(s, code=c, name=n) for c, n in
                              (("north", "Plant North"), ("south", "Plant South"), ("east", "Depot East")))
        survey = make_survey(s, title="Customer experience", audience="customer")
        for i, m in enumerate(range(1, 7)):
            start = date(2025, m, 1)
            make_trend(s, survey, start, responses=80 + 10 * i, nps=12.0 + 4 * i, nps_low=4.0 + 4 * i,
                       nps_high=20.0 + 4 * i, csat=74.0 + i, csat_low=70.0 + i, csat_high=78.0 + i,
                       sentiment_mean=-0.1 + 0.05 * i, sentiment_low=-0.2 + 0.05 * i, sentiment_high=0.05 * i)
            for site, n, nps in ((north, 50 + 5 * i, 20.0 + i), (south, 28 + 5 * i, 5.0 + i), (east, 2, 0.0)):
                make_trend(s, survey, start, segment_type="site", segment_value=str(site.id), responses=n, nps=nps)
            make_trend(s, survey, start, topic="delivery", responses=30, comments=30, sentiment_mean=-0.45,
                       sentiment_change=-0.08)
            make_trend(s, survey, start, topic="staff friendliness", responses=25, comments=25,
                       sentiment_mean=0.6, sentiment_change=0.04)
            make_trend(s, survey, start, topic="price", responses=12, comments=12, sentiment_mean=0.05)
        for i in range(14):
            text = f"The parcel came two days late again (order {i}). Driver was friendly though."
            cut = text.index("Driver")
            make_comment(s, survey, text, day=date(2025, 6, 3 + i), site_id=north.id, sentiment="negative",
                         sentences=[{"start": 0, "end": cut - 1}, {"start": cut, "end": len(text)}],
                         topics={"delivery": [0], "staff friendliness": [1]})
        worker = make_survey(s, title="Hazard reports", audience="worker")
        make_comment(s, worker, "Loose railing on stair B near the loading bay, someone will fall",
                     urgent=True, reason="fall from height", site_id=north.id, receipt_code=RECEIPT,
                     day=date(2025, 6, 20))
        seeded = {"survey_id": survey.id, "worker_id": worker.id}
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "journey-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    app = create_app({}, settings=settings)  # CSRF on, as deployed
    with serve(app) as base:
        yield {"base": base, "engine": engine, **seeded}
    engine.dispose()


def shot(page: Any, name: str) -> None:
    screenshot(page, f"analysts-{name}")


def login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def test_journey(server: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    base = server["base"]
    errors: list[str] = []

    # Analyst: dashboard → drill-down → export → action from a comment.
    ctx = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = ctx.new_page()
    # CSP violations and script errors show in the console; failed loads are checked by URL below.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    login(page, base, "ana@example.org")
    page.click("text=Customer experience")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() == 5
    shot(page, "1-dashboard")
    page.click("#chart-topics summary")
    page.locator("#chart-topics table a", has_text="Read").first.click()
    page.wait_for_selector("mark.topic-sentence")
    assert "14 comments" in page.inner_text("main")
    shot(page, "2-comments")
    page.goto(f"{base}/dashboard/surveys/{server['survey_id']}/exports")
    with page.expect_download() as dl:
        page.click("text=CSV >> nth=1")
    path = tmp_path / "analyses.csv"
    dl.value.save_as(path)
    assert "redacted_text" in path.read_text().splitlines()[0]
    page.go_back()
    page.goto(f"{base}/dashboard/surveys/{server['survey_id']}/comments?period=month&period_start=2025-06-01"
              "&topic=delivery")
    page.locator("text=Create action").first.click()
    page.fill("#title", "Agree a delivery window with the courier")
    page.fill("#due_date", "2025-08-31")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Action created.")
    shot(page, "3-action-created")
    ctx.close()

    # Safety officer: urgent queue → action on the report, closed with a public note → acknowledge.
    ctx = browser.new_context(viewport=DESKTOP)
    page = ctx.new_page()
    login(page, base, "sam@example.org")
    page.click("text=Urgent reports")
    assert "fall from height" in page.inner_text("main")
    shot(page, "4-urgent-queue")
    page.click("text=Create action")
    page.fill("#title", "Repair the stair B railing")
    page.select_option("#status", "done")
    page.fill("#public_note", "The railing on stair B was replaced on 24 June.")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Action created.")
    # The action took the report out of the waiting list; it is under "With an action".
    page.goto(f"{base}/dashboard/urgent")
    assert "No urgent reports waiting." in page.inner_text("main")
    page.select_option("#status", "action")
    page.click("button:has-text('Filter')")
    page.click("button:has-text('Acknowledge')")
    page.wait_for_selector("text=Report acknowledged.")
    assert "status=action" in page.url and "acknowledged 20" in page.inner_text("main")
    shot(page, "5-urgent-acknowledged")
    ctx.close()

    # Reporter: no account, only the receipt code.
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(f"{base}/receipt")
    page.fill("#code", RECEIPT)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Actions on your report")
    text = page.inner_text("main")
    assert "Repair the stair B railing" in text and "replaced on 24 June" in text and "done" in text
    shot(page, "6-receipt")
    page.goto(f"{base}/sites/north/you-said-we-did")
    assert "replaced on 24 June" in page.inner_text("main")
    shot(page, "7-you-said-we-did")
    ctx.close()

    with Session(server["engine"]) as s:
        titles = set(s.scalars(select(CorrectiveAction.title)))
    assert titles == {"Agree a delivery window with the courier", "Repair the stair B railing"}
    assert errors == []  # no CSP violations or script errors in the console
