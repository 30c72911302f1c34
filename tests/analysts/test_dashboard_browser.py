"""The analyst's pages in headless Chromium on the seeded demo (scored with the stub analyzer), as
analyst and as safety officer: dashboards, objectives and the monthly report, with screenshots kept in
artifacts/screenshots/dashboard-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common.periods import period_start, previous_start
from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import rebuild_trends
from models import Survey
from models.settings import load_settings
from survey_app import create_app
from survey_app.demo.seed import DEFAULT_RESPONSES, seed_demo
from survey_app.demo.surveys import CUSTOMER_SLUG, SAFETY_SLUG
from tests.jobs.stubs import StubAnalyzer
from tests.live import file_database, screenshot, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 1000}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("dashboard")
    url, engine = file_database(tmp, "demo.db")
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "dashboard-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    with Session(engine) as s, s.begin():
        seed_demo(s, responses=DEFAULT_RESPONSES, seed=7)
    stub = StubAnalyzer()
    job = JobContext(settings=settings, sessions=sessionmaker(engine), analyzer_factory=lambda _s: stub)
    score_pending(job)
    rebuild_trends(job)
    with Session(engine) as s:
        ids = {slug: s.scalar(select(Survey.id).where(Survey.slug == slug)) for slug in (CUSTOMER_SLUG, SAFETY_SLUG)}
    with serve(create_app({}, settings=settings)) as base:
        yield {"base": base, "customer": ids[CUSTOMER_SLUG], "safety": ids[SAFETY_SLUG]}
    engine.dispose()


def _login(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def _duplicate_ids(page: Any) -> list[str]:
    return page.evaluate("""() => { const seen = {}; const dup = [];
        for (const el of document.querySelectorAll('[id]')) { if (seen[el.id]) dup.push(el.id); seen[el.id] = 1; }
        return dup; }""")


def test_analyst_reads_the_customer_dashboard_objectives_and_report(demo: dict[str, Any], browser: Any) -> None:
    base, sid = demo["base"], demo["customer"]
    page = browser.new_context(viewport=DESKTOP).new_page()
    _login(page, base, "analyst@demo.heedful", "demo-analyst-pw")
    page.goto(f"{base}/dashboard/surveys/{sid}")
    assert _duplicate_ids(page) == []
    # Every chart is named by its own title, not the first chart's.
    names = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].map(svg =>
        svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent)[0])""")
    assert len(names) == len(set(names)) >= 3
    assert "no data" not in page.locator(".objective-status").all_inner_texts()
    topics = page.locator("#chart-topics .chart-note").inner_text()
    assert topics.startswith("Showing ")
    screenshot(page, "dashboard-1-customer")
    page.goto(f"{base}/dashboard/surveys/{sid}/objectives")
    statuses = page.locator("span.status").all_inner_texts()
    assert statuses and "no data" not in statuses
    screenshot(page, "dashboard-2-objectives")
    month = previous_start("month", period_start("month", datetime.now(UTC).date()))
    page.goto(f"{base}/dashboard/surveys/{sid}/report/{month:%Y-%m}")
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "in_progress" not in body and ">=" not in body and "no data" not in body
    assert _duplicate_ids(page) == []
    screenshot(page, "dashboard-3-report")


def test_safety_officer_reads_the_worker_dashboard(demo: dict[str, Any], browser: Any) -> None:
    base, sid = demo["base"], demo["safety"]
    page = browser.new_context(viewport=DESKTOP).new_page()
    _login(page, base, "safety@demo.heedful", "demo-safety-pw")
    page.goto(f"{base}/dashboard/surveys/{sid}?period=week")
    assert _duplicate_ids(page) == []
    screenshot(page, "dashboard-4-safety-weekly")
