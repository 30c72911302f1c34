"""The API's checks follow its OpenAPI document (both come from one declaration), refuse unknown, repeated and
empty parameters, and answer every error as JSON, with Allow on a 405."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from models import Survey, User
from models.trend import IDENTIFIER_ATTRIBUTES, is_identifier
from survey_app.api.schemas import IDENTIFIER_PATTERN
from survey_app.api.tokens import create_token


@pytest.fixture()
def token(db_session: Session, users: dict[str, User]) -> str:
    return create_token(db_session, users["admin"], "strictness")[1]


@pytest.fixture()
def document(client: FlaskClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    return doc


def _operations(document: dict[str, Any], survey_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(path.replace("{survey_id}", str(survey_id)), [p for p in op["get"].get("parameters", [])
                                                           if p["in"] == "query"])
            for path, op in document["paths"].items()]


def _get(client: FlaskClient, url: str, token: str) -> tuple[int, dict[str, Any]]:
    resp = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert resp.mimetype == "application/json", (url, resp.get_data(as_text=True)[:200])
    return resp.status_code, resp.get_json()


def _refused(client: FlaskClient, url: str, token: str, parameter: str) -> str:
    status, body = _get(client, url, token)
    assert status == 400, (url, body)
    assert body["error"]["parameter"] == parameter and parameter in body["error"]["message"]
    message: str = body["error"]["message"]
    return message


def test_every_api_view_is_in_the_document(app: Flask, document: dict[str, Any]) -> None:
    served = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule not in ("/api/v1/openapi.json", "/api/v1/docs")}
    documented = {p.replace("{survey_id}", "<int(signed=True):survey_id>") for p in document["paths"]}
    assert served == documented and len(served) == 4


def test_unknown_repeated_and_empty_parameters_are_refused(client: FlaskClient, token: str,
                                                          customer_survey: Survey,
                                                          document: dict[str, Any]) -> None:
    for url, params in _operations(document, customer_survey.id):
        assert "unknown parameter" in _refused(client, f"{url}?colour=red", token, "colour")
        for p in params:
            value = str(p["schema"].get("default", p["schema"].get("enum", ["2025-06-01"])[0]))
            assert "2 times" in _refused(client, f"{url}?{p['name']}={value}&{p['name']}={value}", token, p["name"])
            assert "empty" in _refused(client, f"{url}?{p['name']}=", token, p["name"])
            assert _get(client, f"{url}?{p['name']}={value}", token)[0] == 200, (url, p["name"])


def test_each_documented_limit_is_the_one_enforced(client: FlaskClient, token: str, customer_survey: Survey,
                                                   document: dict[str, Any]) -> None:
    """Read every bound from the document and try just inside and just outside it."""
    tried = 0
    for url, params in _operations(document, customer_survey.id):
        for p in params:
            name, schema = p["name"], p["schema"]
            inside: list[str] = []
            outside: list[str] = []
            if schema["type"] == "integer":
                inside += [str(schema["minimum"]), str(schema["maximum"])]
                outside += [str(schema["minimum"] - 1), str(schema["maximum"] + 1), "5.0", " 5", "1_0", "x"]
            if "maxLength" in schema:
                inside.append("a" * schema["maxLength"])
                outside += ["a" * (schema["maxLength"] + 1), "a%00b"]
            if "enum" in schema:
                inside += schema["enum"]
                outside.append(schema["enum"][0].upper())
            if "not" in schema:  # segment types that name a person
                outside += ["customer_id", "EMAIL", "Last_Name"]
            if schema.get("format") == "date":
                inside.append("2025-06-15")
                outside += ["2025-02-30", "1700000000", "2025-6-1"]
            assert inside and outside, p
            for value in inside:
                assert _get(client, f"{url}?{name}={value}", token)[0] == 200, (url, name, value)
            for value in outside:
                _refused(client, f"{url}?{name}={value}", token, name)
            tried += len(inside) + len(outside)
    assert tried > 80


def test_path_ids_outside_their_range_name_nothing(client: FlaskClient, token: str) -> None:
    for survey_id in ("0", "-1", str(2**31), "99999999999999999999"):
        status, body = _get(client, f"/api/v1/surveys/{survey_id}/trends", token)
        assert status == 404 and body["error"]["status"] == 404


@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/surveys/abc/trends", "/api/v1/surveys/1/nope",
                                 "/api/v1/"])
def test_unknown_api_urls_answer_json_404(client: FlaskClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("url", ["/api/v1/surveys", "/api/v1/surveys/1/comments", "/api/v1/actions",
                                 "/api/v1/openapi.json"])
def test_wrong_methods_answer_json_405_with_allow(client: FlaskClient, token: str, url: str, method: str) -> None:
    resp = client.open(url, method=method, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 405 and resp.mimetype == "application/json"
    assert resp.get_json()["error"]["status"] == 405
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_pages_outside_the_api_keep_their_html_errors(login_as: Any) -> None:
    client = login_as("admin")
    assert client.get("/nope").mimetype == "text/html"
    assert client.get("/api/tokens/nope").mimetype == "text/html"
    resp = client.delete("/api/tokens")
    assert resp.status_code == 405 and resp.mimetype == "text/html"


NAMES = st.one_of(st.sampled_from(sorted(IDENTIFIER_ATTRIBUTES)), st.text("aAdDeEiImMlLnN_-pPhHoOsSx", max_size=12))


@given(st.tuples(NAMES, NAMES).map("".join))
def test_the_documented_segment_type_rule_is_the_enforced_one(name: str) -> None:
    assert bool(re.search(IDENTIFIER_PATTERN, name)) == is_identifier(name)
