"""The API docs page: Swagger UI served by the app (no CDN) over /api/v1/openapi.json, under the app's CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models.settings import load_settings
from survey_app import create_app
from survey_app.api.tokens import create_token
from survey_app.auth.services import create_user
from survey_app.security import CSP
from tests.factories import make_survey
from tests.live import file_database, screenshot, serve

VENDOR = Path(__file__).resolve().parents[2] / "survey_app" / "static" / "vendor" / "swagger-ui"


def test_docs_page_loads_only_files_the_app_serves(client: FlaskClient) -> None:
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Security-Policy"] == CSP
    html = resp.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets and "/static/api-docs.js" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "<script>" not in html and "style=" not in html  # nothing inline: the CSP would block it
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    for asset in assets:
        with client.get(asset) as served:  # closes the static file
            assert served.status_code == 200 and len(served.data) > 100, asset
    assert (VENDOR / "LICENSE").read_text().lstrip().startswith("Apache License")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("api-docs")
    url, engine = file_database(tmp, "docs.db")
    with Session(engine) as s, s.begin():
        user = create_user(s, "ada@example.org", "admin", "correct horse battery")
        make_survey(s, title="Docs survey", audience="customer")
        token = create_token(s, user, "docs page")[1]
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "api-docs-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp / "instance"), "HEEDFUL_DATABASE_URL": url})
    try:
        with serve(create_app(settings=settings)) as base:
            yield {"base": base, "token": token}
    finally:
        engine.dispose()


@pytest.mark.browser
@pytest.mark.slow
def test_docs_page_renders_and_calls_the_api_in_chromium(live: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)  # named by the response below
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: problems.append(f"left the server: {r.url}")
            if not r.url.startswith(live["base"]) and not r.url.startswith("data:") else None)
    # A CSP refusal is reported as an event in the page: record every one.
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                         "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    page.goto(f"{live['base']}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() == 4
    assert "Heedful API" in page.locator(".info .title").inner_text()

    # Authorize with a bearer token and run GET /api/v1/surveys from the page.
    page.click("button.authorize")
    page.fill(".auth-container input", live["token"])
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    surveys = "#operations-default-listSurveys"
    page.click(f"{surveys} .opblock-summary")
    page.click(f"{surveys} button.try-out__btn")
    page.click(f"{surveys} button.execute")
    status = page.locator(f"{surveys} .live-responses-table td.response-col_status:not(.col_header)")
    status.wait_for(timeout=15_000)
    assert status.inner_text().strip().startswith("200")
    assert "Docs survey" in page.locator(f"{surveys} .live-responses-table").inner_text()
    screenshot(page, "api-docs")
    assert page.evaluate("window.__csp") == []
    assert problems == []
    page.close()
