"""Headless Chromium on a phone viewport, JavaScript on and off, against a real server (waitress).

Screenshots go to artifacts/screenshots/; axe-core (npm, tests/respond/node_modules) checks each page.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Response
from models.settings import load_settings
from survey_app import create_app
from tests.factories import make_site, make_survey
from tests.live import file_database, screenshot, serve
from tests.respond.conftest import customer_questions, worker_questions
from tests.respond.helpers import make_site_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("browser")
    url, engine = file_database(tmp, "browser.db")
    with Session(engine) as s, s.begin():
        customer = make_survey(s, customer_questions(), audience="customer", languages=["en", "de"],
                               texts={"en": {"title": "Tell us how we did", "intro": "Three short pages."}})
        site = make_site(s, name="Plant North")
        make_site(s, name="Plant South")
        worker = make_survey(s, worker_questions(), audience="worker", languages=["en", "de"],
                             texts={"en": {"title": "Report a hazard"}})
        link = make_site_link(s, worker, site)
        seeded = {"customer": customer.slug, "customer_id": customer.id, "qr": link.code,
                  "worker_id": worker.id, "site_id": site.id}
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "browser-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    app = create_app({"RESPOND_RATE_BURST": 1000}, settings=settings)  # CSRF on, as deployed
    with serve(app) as base:
        yield {"base": base, "engine": engine, **seeded}
    engine.dispose()


@pytest.fixture(scope="module")
def axe_source() -> str:
    axe = HERE / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not available to install axe-core (tests/respond/package.json)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    return axe.read_text(encoding="utf-8")


def _page(browser: Any, js: bool, requests: list[str] | None = None, bypass_csp: bool = False) -> Any:
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=js, device_scale_factor=1,
                              is_mobile=True, has_touch=True, bypass_csp=bypass_csp)
    page = ctx.new_page()
    if requests is not None:
        page.on("request", lambda req: requests.append(req.url))
    return page


def _axe(page: Any, source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=source)  # our CSP forbids inline scripts: the axe context bypasses it
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_customer_survey_on_a_phone(server: dict[str, Any], browser: Any, js: bool) -> None:
    tag = "js" if js else "nojs"
    requests: list[str] = []
    page = _page(browser, js, requests)
    page.goto(f"{server['base']}/s/{server['customer']}")
    assert page.locator("h1").inner_text() == "Tell us how we did"
    screenshot(page, f"customer-1-{tag}")
    page.check("#q-nps-2")  # 2 → the "what should we fix" follow-up appears on page 3
    page.check("#q-csat-3")
    page.check("#q-stars-4")
    page.get_by_role("button", name="Next").click()

    assert "Page 2 of 3" in page.content()
    follow_up = page.locator("#question-contact_how")
    if js:
        assert follow_up.is_hidden()  # enhanced: shown only once "Yes" is chosen
    page.check("#q-grid-speed-4")
    page.check("#q-grid-price-1")
    page.get_by_label("Phone").check()
    page.get_by_label("Other", exact=True).check()
    page.fill("#q-heard-other", "A podcast")
    page.get_by_label("Yes").check()
    assert follow_up.is_visible()
    page.fill("#q-contact_how", "By email")
    screenshot(page, f"customer-2-{tag}")
    page.get_by_role("button", name="Next").click()

    assert "What should we fix first?" in page.content()
    page.fill("#q-why", "x" * 70)  # over the 60 limit: a field error, text kept
    if js:
        assert "70 of 60 characters" in page.locator("#q-why-count").inner_text()
    page.get_by_role("button", name="Send answers").click()
    assert "Please check your answers" in page.content()
    assert page.input_value("#q-why") == "x" * 70
    if js:
        assert page.evaluate("document.activeElement.id") == "error-summary"
    screenshot(page, f"customer-3-errors-{tag}")
    page.fill("#q-why", "Too slow")
    page.fill("#q-detractor", "Faster delivery")
    page.get_by_role("button", name="Send answers").click()
    assert page.locator("h1").inner_text() == "Thank you!"
    screenshot(page, f"customer-thanks-{tag}")
    assert all(u.startswith(server["base"]) for u in requests), "no external requests"
    page.context.close()

    with Session(server["engine"]) as s:
        rows = s.scalars(select(Response).where(Response.survey_id == server["customer_id"])).all()
        assert any({a.text for a in r.answers} >= {"Too slow", "Faster delivery", "By email"} for r in rows)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_worker_report_by_qr_on_a_phone(server: dict[str, Any], browser: Any, js: bool) -> None:
    tag = "js" if js else "nojs"
    page = _page(browser, js)
    page.goto(f"{server['base']}/q/{server['qr']}")
    assert page.locator("#q-site").input_value() == str(server["site_id"])
    assert "This form is anonymous" in page.content()
    page.fill("#q-hazard", "Forklift speeding in aisle 3")
    page.get_by_label("High").check()
    screenshot(page, f"worker-form-{tag}")
    page.get_by_role("button", name="Send answers").click()
    code = page.locator(".receipt-code").inner_text()
    assert len(code) == 10
    screenshot(page, f"worker-thanks-{tag}")
    cookies = page.context.cookies()
    assert [c["name"] for c in cookies] == ["session"]
    page.context.close()


def test_keyboard_only_and_german(server: dict[str, Any], browser: Any) -> None:
    page = _page(browser, True)
    page.goto(f"{server['base']}/q/{server['qr']}?lang=de")
    assert page.locator("html").get_attribute("lang") == "de"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q-site"
    screenshot(page, "worker-form-de")
    page.context.close()


def test_no_serious_accessibility_violations(server: dict[str, Any], browser: Any, axe_source: str) -> None:
    page = _page(browser, True, bypass_csp=True)
    found: dict[str, list[str]] = {}
    for name, path, action in [
        ("customer page 1", f"/s/{server['customer']}", None),
        ("customer errors", f"/s/{server['customer']}", "Next"),
        ("worker form", f"/q/{server['qr']}", None),
        ("worker thanks", f"/q/{server['qr']}", "thanks"),
        ("not found", "/i/not-a-token", None),
    ]:
        page.goto(server["base"] + path)
        if action == "Next":
            page.get_by_role("button", name="Next").click()  # nothing answered: required NPS error
        elif action == "thanks":
            page.fill("#q-hazard", "Broken guard rail")
            page.get_by_label("Low").check()
            page.get_by_role("button", name="Send answers").click()
        violations = _axe(page, axe_source)
        found[name] = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in violations]
    assert all(not v for v in found.values()), found
    page.context.close()


def test_survey_page_weight(server: dict[str, Any], browser: Any) -> None:
    responses: list[Any] = []
    page = _page(browser, True)
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{server['base']}/s/{server['customer']}")
    page.wait_for_load_state("load")
    sizes = {r.url: len(r.body()) for r in responses}
    total = sum(sizes.values())
    assert len(sizes) == 4  # the page, heedful.css, respond.css and respond.js: nothing else
    print(f"customer survey page 1: {total} bytes over {len(sizes)} requests")
    assert total < 50_000 and all(u.startswith(server["base"]) for u in sizes)
    page.context.close()
