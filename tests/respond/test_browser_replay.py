"""In Chromium against a real server: a double tap, Back and a resend of the final POST store one report and
show the same receipt code; a refused send (rate limit, survey closed) keeps what was typed on screen.

Screenshots go to artifacts/screenshots/ (replay-*).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Response, Survey
from models.settings import load_settings
from survey_app import create_app
from tests.factories import make_site, make_survey
from tests.live import file_database, screenshot, serve
from tests.respond.conftest import worker_questions
from tests.respond.helpers import make_site_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("replay")
    url, engine = file_database(tmp, "replay.db")
    with Session(engine) as s, s.begin():
        site = make_site(s, name="Plant North")
        worker = make_survey(s, worker_questions(), audience="worker", texts={"en": {"title": "Report a hazard"}})
        limited = make_survey(s, worker_questions(), audience="worker", rate_limit_per_minute=1,
                              texts={"en": {"title": "Report a hazard"}})
        seeded = {"qr": make_site_link(s, worker, site).code, "worker_id": worker.id,
                  "limited_qr": make_site_link(s, limited, site).code, "limited_id": limited.id}
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "replay-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    with serve(create_app({}, settings=settings)) as base:  # CSRF on, default limits, as deployed
        yield {"base": base, "engine": engine, **seeded}
    engine.dispose()


def _count(server: dict[str, Any], survey_id: int) -> int:
    with Session(server["engine"]) as s:
        return s.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey_id)) or 0


def _page(browser: Any) -> Any:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def _fill_report(page: Any, text: str) -> None:
    page.fill("#q-hazard", text)
    page.get_by_label("High").check()


def test_double_tap_back_and_resend_store_one_report_with_one_receipt(server: dict[str, Any], browser: Any) -> None:
    page = _page(browser)
    posts: list[Any] = []
    page.on("request", lambda req: posts.append(req) if req.method == "POST" else None)
    page.goto(f"{server['base']}/q/{server['qr']}")
    _fill_report(page, "Forklift speeding in aisle 3")
    page.get_by_role("button", name="Send answers").dblclick()  # a double tap
    code = page.locator(".receipt-code").inner_text()
    assert page.url.startswith(f"{server['base']}/q/{server['qr']}/thanks") and code not in page.url
    screenshot(page, "replay-1-thanks")
    page.reload()  # a refresh of the thank-you page sends nothing
    assert page.locator(".receipt-code").inner_text() == code
    # Back: the form is fetched again (no-store), as a new filling-in; Chromium puts the typed text back.
    page.go_back()
    assert page.input_value("#q-hazard") == "Forklift speeding in aisle 3"
    screenshot(page, "replay-2-back")
    page.go_forward()
    assert "Thank you" in page.inner_text("main")
    # A phone retrying the final POST (the answer to the first was lost on the way): the same body again
    # stores nothing and brings back the same code.
    final = posts[0]
    resent = page.request.post(final.url, data=final.post_data,
                               headers={"Content-Type": final.headers["content-type"]})
    assert resent.ok and code in resent.text()
    assert len(posts) in (1, 2) and _count(server, server["worker_id"]) == 1
    page.context.close()


def test_a_refused_send_keeps_the_text_on_screen(server: dict[str, Any], browser: Any) -> None:
    page = _page(browser)
    for i in range(2):  # the survey's own limit: one a minute, two at once
        page.goto(f"{server['base']}/q/{server['limited_qr']}")
        _fill_report(page, f"Report {i}")
        page.get_by_role("button", name="Send answers").click()
        page.locator(".receipt-code").wait_for()
    page.goto(f"{server['base']}/q/{server['limited_qr']}")
    _fill_report(page, "Third report: the guard rail on stair B is loose")
    page.get_by_role("button", name="Send answers").click()
    assert "Yours are kept below" in page.inner_text("main")
    assert page.input_value("#q-hazard") == "Third report: the guard rail on stair B is loose"
    screenshot(page, "replay-3-rate-limited")
    with Session(server["engine"]) as s, s.begin():  # an admin raises the survey's limit
        s.execute(update(Survey).where(Survey.id == server["limited_id"]).values(rate_limit_per_minute=1000))
    page.get_by_role("button", name="Send answers").click()
    page.locator(".receipt-code").wait_for()
    assert _count(server, server["limited_id"]) == 3
    page.context.close()
