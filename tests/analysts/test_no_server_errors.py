"""Bad input gets a 4xx with a short message, never a 500: every case the robustness probe found
(issue 18, "500s and tracebacks"), on whichever database the suite runs on (SQLite; PostgreSQL with
HEEDFUL_TEST_DATABASE_URL, where a NUL byte in text is a database error rather than a character).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models import Survey

HUGE = "99999999999999999999"
Login = Callable[[str | None], FlaskClient]


def _int_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, URL) for every route with an id in its path, the ids made far too large."""
    out = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ in ("IntegerConverter",
                                                                                              "DatabaseId")]
        if not ints:
            continue
        args: dict[str, Any] = {}
        for name, conv in rule._converters.items():
            options = getattr(conv, "items", None) or getattr(conv, "regex", "")
            args[name] = HUGE if name in ints else ("sites" if "sites" in str(options) else "csv")
        path = rule.rule
        for name, value in args.items():
            path = path.replace(f"<{name}>", value)
            for spec in ("int", "int(signed=True)", "any(sites, departments)"):
                path = path.replace(f"<{spec}:{name}>", value)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    return out


def test_oversized_ids_in_every_url_are_404(app: Flask, login_as: Login, customer_survey: Survey) -> None:
    client = login_as("admin")
    routes = _int_routes(app)
    assert len(routes) > 20
    for method, path in routes:
        resp = client.open(path, method=method, data={})
        assert resp.status_code < 500, (method, path, resp.status_code)
        assert resp.status_code in (400, 404, 405), (method, path, resp.status_code)


@pytest.mark.parametrize("month", ["0001-01", "99999999999-01", "2025-13", "2025-00", "0000-01"])
def test_report_months_out_of_range_are_404(login_as: Login, customer_survey: Survey, month: str) -> None:
    client = login_as("analyst")
    for suffix in ("", ".pdf"):
        resp = client.get(f"/dashboard/surveys/{customer_survey.id}/report/{month}{suffix}")
        assert resp.status_code in (400, 404), (month, suffix, resp.status_code)


def test_action_saved_without_a_description(login_as: Login, sites: list[Any]) -> None:
    """The issue's probe: POST /actions/1 without a description was a 500."""
    client = login_as("admin")
    form = {"title": "Fix the rail", "status": "open", "source_type": "topic", "site_id": "0", "owner_id": "0"}
    created = client.post("/actions/new", data={**form, "description": "Replace the bolts"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    resp = client.post(created.headers["Location"], data=form)  # no description at all
    assert resp.status_code in (302, 400)


NUL = "a\x00b"


def test_nul_bytes_in_forms_are_refused(client: FlaskClient, login_as: Login, customer_survey: Survey) -> None:
    assert client.post("/login", data={"email": f"{NUL}@example.org", "password": "x" * 12}).status_code == 400
    assert client.post("/receipt", data={"code": NUL}).status_code == 400
    assert client.get("/receipt?code=a%00b").status_code in (200, 400)
    admin = login_as("admin")
    assert admin.post("/admin/sites", data={"code": "plant9", "name": NUL}).status_code == 400
    assert admin.post("/actions/new", data={"title": NUL, "source_type": "manual"}).status_code == 400
    resp = admin.get(f"/surveys/{customer_survey.id}?segment_type=site%00")
    assert resp.status_code in (200, 400)


def _upload(client: FlaskClient, content: bytes, name: str) -> Any:
    return client.post("/admin/definitions/upload", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "content"), [
    ("deep.yaml", ("a:\n" + "".join(" " * i + "- \n" for i in range(1, 3)) + "[" * 20_000).encode()),
    ("deep2.yaml", ("[" * 20_000 + "]" * 20_000).encode()),
    ("big.json", ('{"slug": "x", "title": "T", "response_cap": ' + "9" * 5000 + "}").encode()),
    ("surrogate.json", b'{"slug": "x", "title": "\\ud800", "questions": []}'),
    ("nul.yaml", b"slug: x\ntitle: \"a\\0b\"\nquestions: []\n"),
    ("nul.json", b'{"slug": "x", "title": "a\\u0000b", "questions": []}'),
    ("rawnul.yaml", b"slug: x\x00\ntitle: T\n"),
])
def test_definition_uploads_with_hostile_content_are_400(login_as: Login, name: str, content: bytes) -> None:
    resp = _upload(login_as("admin"), content, name)
    assert resp.status_code == 400, (name, resp.status_code)
    assert "Traceback" not in resp.get_data(as_text=True)


def test_json_import_of_a_nul_title_is_400(login_as: Login) -> None:
    body = json.dumps({"slug": "nul-title", "title": "a\x00b", "questions": [
        {"key": "nps", "type": "nps", "texts": {"en": {"label": "Recommend?"}}}]}).encode()
    assert _upload(login_as("admin"), body, "def.json").status_code == 400


def test_nul_in_segment_type_is_400_not_database_unavailable(login_as: Login, customer_survey: Survey) -> None:
    """The issue's probe: a NUL in segment_type was answered 503 "database unavailable"."""
    client = login_as("analyst")  # the API's own checks refuse it too (test_api_strictness.py)
    for url in (f"/dashboard/surveys/{customer_survey.id}?segment_type=site%00",
                f"/dashboard/surveys/{customer_survey.id}/comments?segment_type=site%00"):
        resp = client.get(url)
        assert resp.status_code == 400, (url, resp.status_code)


def test_signed_ids_keep_their_range(app: Flask, login_as: Login) -> None:
    """Anonymous (negative) ids still route; ids beyond a 32-bit column are 404 in both directions."""
    client = login_as("safety_officer")
    assert client.post(f"/urgent/-{HUGE}/acknowledge").status_code == 404
    assert client.post("/urgent/-5/acknowledge").status_code in (302, 400, 403, 404)


def test_every_signed_in_page_and_api_answer_is_no_store(app: Flask, login_as: Login, customer_survey: Survey
                                                         ) -> None:
    """Comments, exports, the urgent queue and new API tokens were cacheable (issue 18)."""
    client = login_as("admin")
    pages = ["/home", f"/dashboard/surveys/{customer_survey.id}", f"/dashboard/surveys/{customer_survey.id}/comments",
             "/dashboard/urgent", "/api/tokens", "/admin/sites", "/actions", "/api/v1/surveys", "/nope"]
    for url in pages:
        resp = client.get(url)
        assert resp.headers.get("Cache-Control") == "no-store", (url, resp.status_code, resp.headers)
    static = client.get("/static/heedful.css")
    assert "no-store" not in (static.headers.get("Cache-Control") or "")
    static.close()
    anonymous = app.test_client().get("/login")
    assert "no-store" not in (anonymous.headers.get("Cache-Control") or "")
