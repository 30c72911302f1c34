"""Schemathesis against /api/v1/openapi.json, in-process (WSGI): no 5xx, responses conform.

Cases are drawn from each operation's strategy inside an ordinary test (schemathesis' pytest
fixture loader does not run under pytest 9), so the app and the seeded rows come from our fixtures.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from models import CorrectiveAction, Survey, User
from survey_app.api.tokens import create_token

PATHS = ["/api/v1/surveys", "/api/v1/surveys/{survey_id}/trends", "/api/v1/surveys/{survey_id}/comments",
         "/api/v1/actions"]


@pytest.fixture()
def api_token(db_session: Session, users: dict[str, User], commented: Survey, customer_survey: Survey) -> str:
    db_session.add(CorrectiveAction(title="Fix <b>it</b>", source_type="topic", survey_id=commented.id))
    db_session.flush()
    return create_token(db_session, users["admin"], "schemathesis")[1]


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
def test_api_conforms(app: Flask, api_token: str, path: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path]["GET"]
    calls = []

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"})
        calls.append(response.status_code)

    run()
    assert calls and all(code < 500 for code in calls)
