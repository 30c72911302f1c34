"""Access matrix: every analyst URL × every role (and signed out). Denied by default."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from models import Survey

# (url template, roles allowed). {c} = customer survey id, {w} = worker survey id.
MATRIX = [
    ("/dashboard", {"admin", "analyst", "safety_officer"}),
    ("/dashboard/surveys/{c}", {"admin", "analyst"}),
    ("/dashboard/surveys/{w}", {"admin", "safety_officer"}),
    ("/dashboard/surveys/{c}/comments", {"admin", "analyst"}),
    ("/dashboard/surveys/{w}/comments", {"admin", "safety_officer"}),
    ("/dashboard/surveys/{c}/charts/nps.svg", {"admin", "analyst"}),
    ("/dashboard/surveys/{c}/charts/topics.csv", {"admin", "analyst"}),
    ("/dashboard/surveys/{c}/exports", {"admin", "analyst"}),
    ("/dashboard/surveys/{c}/export/trends.csv", {"admin", "analyst"}),
    ("/dashboard/surveys/{w}/export/trends.csv", {"admin", "safety_officer"}),
    ("/dashboard/surveys/{c}/objectives", {"admin", "analyst"}),
    ("/dashboard/surveys/{c}/report/2025-06", {"admin", "analyst"}),
    ("/dashboard/surveys/{w}/report/2025-06", {"admin", "safety_officer"}),
    ("/dashboard/urgent", {"admin", "safety_officer"}),
    ("/dashboard/alerts", {"admin", "analyst", "safety_officer"}),
    ("/dashboard/complaints", {"admin", "analyst"}),
    ("/actions", {"admin", "analyst", "safety_officer"}),
    ("/actions/new?survey_id={c}", {"admin", "analyst"}),
    ("/actions/new?survey_id={w}", {"admin", "safety_officer"}),
    ("/api/tokens", {"admin"}),
]
ROLES = ("admin", "analyst", "safety_officer")


@pytest.mark.parametrize(("template", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("role", (*ROLES, None))
def test_access_matrix(login_as: Callable[[str | None], FlaskClient], customer_survey: Survey,
                       worker_survey: Survey, template: str, allowed: set[str], role: str | None) -> None:
    url = template.format(c=customer_survey.id, w=worker_survey.id)
    resp = login_as(role).get(url)
    if role is None:
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    elif role in allowed:
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_post_endpoints_refuse_other_roles(login_as: Callable[[str | None], FlaskClient], customer_survey: Survey,
                                           role: str) -> None:
    client = login_as(role)
    objective = client.post(f"/dashboard/surveys/{customer_survey.id}/objectives", data={})
    assert objective.status_code == (403 if role == "safety_officer" else 400)
    urgent = client.post("/dashboard/urgent/1/acknowledge")
    assert urgent.status_code == (403 if role == "analyst" else 404)
    token = client.post("/api/tokens", data={"name": "x"})
    assert token.status_code == (403 if role != "admin" else 400)


def test_unknown_survey_is_404(login_as: Callable[[str | None], FlaskClient]) -> None:
    assert login_as("admin").get("/dashboard/surveys/999999").status_code == 404
