"""A fuzz pass over every route, signed in as an admin (who may reach every page): hostile values in the
path, the query string and the form (NUL bytes, huge and negative ids, deep nesting, a lone surrogate as
raw UTF-8 bytes, out-of-range and impossible dates, very long text) never give a 5xx nor a traceback.

Runs on whichever database the suite runs on (SQLite; PostgreSQL with HEEDFUL_TEST_DATABASE_URL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_from_bytes

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Survey

Login = Callable[[str | None], FlaskClient]

HOSTILE = [
    b"\x00", b"a\x00b", b"99999999999999999999", b"-99999999999999999999", b"-1", b"0", b"2147483648",
    b"[" * 3000, b'{"a":' * 2000, b"\xed\xa0\x80",  # a lone surrogate, as a client would send its bytes
    b"\xff\xfe", b"0001-01", b"99999999999-01", b"0001-01-01", b"9999-12-31", b"99999-01-01", b"2025-02-30",
    b"2025-13", b"", b" ", b"x" * 5000, b"<script>alert(1)</script>", b"1e999", b"NaN", b"../../etc/passwd",
    b"site", b"week", b"month", b"yes", b"on",
]
NAMES = ["segment_type", "segment_value", "period", "from", "to", "month", "q", "page", "site", "survey", "topic",
         "sentiment", "compare", "status", "type", "all", "lang", "next", "title", "description", "name", "code",
         "email", "password", "slug", "metric", "comparator", "period_type", "due_date", "owner_id", "site_id",
         "response_id", "survey_id", "source_type", "source_ref", "label", "topics", "urgent", "note", "file",
         "reason", "role", "csv", "kind", "text", "target", "value", "response_due", "nps"]
SAFE_METHODS = ("GET", "POST")
PLACEHOLDER = re.compile(r"<([^>]+)>")


def _routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout", "auth.logout_everywhere"):
            continue  # files on disk; signing out ends the fuzzing session
        for method in sorted((rule.methods or set()) & set(SAFE_METHODS)):
            out.append((method, rule.rule, [m.split(":")[-1] for m in PLACEHOLDER.findall(rule.rule)]))
    return out


def _fill(rule: str, args: list[str], values: list[bytes], survey_id: int) -> str:
    path = rule
    for i, name in enumerate(args):
        raw = values[i % len(values)] if values else b"1"
        # Mostly a real id, so the handlers behind the route run, sometimes a hostile one.
        value = str(survey_id) if name == "survey_id" and i % 2 == 0 else quote_from_bytes(raw, safe="")
        start = path.index("<")
        path = path[:start] + (value or "x") + path[path.index(">", start) + 1:]
    return path


def _encoded(pairs: list[tuple[str, bytes]]) -> str:
    return "&".join(f"{name}={quote_from_bytes(value, safe='')}" for name, value in pairs)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_route_answers_5xx_to_hostile_input(app: Flask, login_as: Login, customer_survey: Survey,
                                               data: Any) -> None:
    client = login_as("admin")
    method, rule, args = data.draw(st.sampled_from(_routes(app)), label="route")
    values = data.draw(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4), label="path values")
    path = _fill(rule, args, values, customer_survey.id)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(HOSTILE)), max_size=6),
                      label="fields")
    if method == "GET":
        resp = client.get(f"{path}?{_encoded(pairs)}")
    else:
        resp = client.post(path, data=_encoded(pairs), content_type="application/x-www-form-urlencoded")
    body = resp.get_data()
    assert resp.status_code < 500, (method, path, pairs, resp.status_code, body[:300])
    assert b"Traceback" not in body, (method, path)
