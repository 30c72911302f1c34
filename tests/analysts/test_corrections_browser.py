"""Corrections in a real browser (headless Chromium, CSRF on, no JavaScript needed) on the seeded demo.

The demo is seeded as `heedful demo seed` does and scored by the pipeline with the stub analyzer (the
real model is the pipeline's concern, not this page's). Screenshots: artifacts/screenshots/corrections-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobs.context import JobContext
from jobs.scoring import score_pending
from jobs.trends.refresh import rebuild_trends
from models import AnalysisCorrection, Answer, Response, Survey, TextAnalysis, User
from models.settings import load_settings
from survey_app import create_app
from survey_app.analytics.comments import response_hidden
from survey_app.analytics.corrections import save_correction
from survey_app.demo.seed import DEFAULT_RESPONSES, seed_demo
from survey_app.demo.surveys import CUSTOMER_SLUG, SAFETY_SLUG
from tests.jobs.stubs import StubAnalyzer
from tests.live import SHOTS, file_database, screenshot, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 1000}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("corrections")
    url, engine = file_database(tmp, "demo.db")
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "corrections-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    with Session(engine) as s, s.begin():
        seed_demo(s, responses=DEFAULT_RESPONSES, seed=7)  # the default demo: enough people per comment cell
    stub = StubAnalyzer()
    job = JobContext(settings=settings, sessions=sessionmaker(engine), analyzer_factory=lambda _s: stub)
    score_pending(job)
    rebuild_trends(job)
    with Session(engine) as s:
        ids = {slug: s.scalar(select(Survey.id).where(Survey.slug == slug)) for slug in (CUSTOMER_SLUG, SAFETY_SLUG)}
    with Session(engine) as s, s.begin():
        _earlier_reviews(s, s.get(Survey, ids[CUSTOMER_SLUG]))
    app = create_app({}, settings=settings)  # CSRF on, as deployed
    with serve(app) as base:
        yield {"base": base, "engine": engine, "customer": ids[CUSTOMER_SLUG], "safety": ids[SAFETY_SLUG]}
    engine.dispose()


def _earlier_reviews(session: Session, survey: Survey) -> None:
    """Forty reviews by the admin, so the agreement page has figures above the threshold: the first 30
    keep the model's labels, the rest call the comment neutral."""
    admin = session.scalar(select(User).where(User.email == "admin@demo.heedful"))
    analyses = session.scalars(
        select(TextAnalysis).join(Answer, Answer.id == TextAnalysis.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id, TextAnalysis.no_text.is_(False), TextAnalysis.not_analysed.is_(None))
        .order_by(TextAnalysis.id.desc()).limit(40)
    ).all()
    for i, a in enumerate(analyses):
        if response_hidden(session, survey, a.answer.response):
            continue
        topics = [t.topic for t in a.tags]
        save_correction(session, survey, a.id, admin, sentiment=a.sentiment_label if i < 30 else "neutral",  # type: ignore[arg-type]
                        urgent=a.urgent, topics=topics)


def _login(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def _answer_of(demo: dict[str, Any], element_id: str | None) -> int | None:
    with Session(demo["engine"]) as s:
        return s.scalar(select(TextAnalysis.answer_id).where(TextAnalysis.id == int((element_id or "c0")[1:])))


def _corrections(demo: dict[str, Any]) -> list[AnalysisCorrection]:
    with Session(demo["engine"]) as s:
        rows = list(s.scalars(select(AnalysisCorrection).order_by(AnalysisCorrection.id)))
        for r in rows:
            _ = r.topic_names
        return rows


def test_analyst_corrects_a_customer_comment_without_javascript(demo: dict[str, Any], browser: Any) -> None:
    base = demo["base"]
    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = ctx.new_page()
    _login(page, base, "analyst@demo.heedful", "demo-analyst-pw")
    page.goto(f"{base}/dashboard/surveys/{demo['customer']}/comments?sentiment=negative&topic=delivery")
    first = page.locator("li.comment").first
    comment_id = first.get_attribute("id")
    text = first.locator(".comment-text").inner_text()
    first.locator("summary").click()
    first.locator("select[name=sentiment]").select_option("neutral")
    first.locator("input[name=topics][value=delivery]").uncheck()
    first.locator("input[name=topics][value='staff & support']").check()
    screenshot(page, "corrections-1-analyst-form")
    first.locator("button", has_text="Save review").click()
    page.wait_for_selector("text=Correction saved.")
    assert page.url.endswith(f"#{comment_id}") and "sentiment=negative&topic=delivery" in page.url
    # The filter follows the correction: this comment is no longer among the negative ones...
    assert page.locator(f"#{comment_id}").count() == 0
    page.goto(f"{base}/dashboard/surveys/{demo['customer']}/comments?"
              + urlencode({"sentiment": "neutral", "topic": "staff & support", "q": text}))
    item = page.locator(f"#{comment_id}")
    # ...it is neutral now, with the model's negative struck through.
    assert item.locator("del.model-label", has_text="negative").count() == 1
    assert item.locator("span.tag-neutral", has_text="neutral").count() == 1
    assert item.locator("del.model-label", has_text="delivery").count() == 1
    assert item.locator("span.tag", has_text="staff & support").count() == 1
    assert "Reviewed by analyst@demo.heedful" in item.inner_text()
    item.screenshot(path=str(SHOTS / "corrections-2-analyst-corrected.png"))
    (stored,) = [c for c in _corrections(demo) if c.answer_id == _answer_of(demo, comment_id)]
    assert (stored.sentiment_label, stored.model_sentiment_label) == ("neutral", "negative")
    assert (stored.topic_names, stored.model_topics) == (["staff & support"], ["delivery"])

    page.goto(f"{base}/dashboard/surveys/{demo['customer']}/agreement")
    main = page.inner_text("main")
    assert "How often the model agrees with analysts" in main and "(n = " in main
    screenshot(page, "corrections-3-agreement")
    # An analyst may not correct worker reports.
    denied = page.request.post(f"{base}/dashboard/surveys/{demo['safety']}/comments/1/correction",
                               form={"sentiment": "neutral"})
    assert denied.status in (400, 403)  # no CSRF token from outside the page, and no access either
    ctx.close()


def test_safety_officer_corrects_the_urgency_of_a_worker_report(demo: dict[str, Any], browser: Any) -> None:
    base = demo["base"]
    ctx = browser.new_context(viewport=DESKTOP)
    page = ctx.new_page()
    _login(page, base, "safety@demo.heedful", "demo-safety-pw")
    page.goto(f"{base}/dashboard/surveys/{demo['safety']}/comments")
    report = page.locator("li.comment").first
    report_id = report.get_attribute("id")
    report.locator("summary").click()
    box = report.locator("input[name=urgent]")
    was_urgent = box.is_checked()
    box.set_checked(not was_urgent)
    report.locator("button", has_text="Save review").click()
    page.wait_for_selector("text=Correction saved.")
    item = page.locator(f"#{report_id}")
    struck = "urgent" if was_urgent else "not urgent"
    assert item.locator("del.model-label", has_text=struck).count() == 1
    item.screenshot(path=str(SHOTS / "corrections-4-safety-officer.png"))
    assert page.request.get(f"{base}/dashboard/surveys/{demo['customer']}/comments").status == 403
    (stored,) = [c for c in _corrections(demo) if c.answer_id == _answer_of(demo, report_id)]
    assert (stored.urgent, stored.model_urgent) == (not was_urgent, was_urgent)
    ctx.close()
