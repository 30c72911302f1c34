"""JSON API: bearer tokens (hash only), JSON errors, pagination, thresholds, OpenAPI validity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken, CorrectiveAction, Site, Survey, User
from survey_app.api.tokens import create_token, hash_token
from tests.analysts.conftest import MONTHS
from tests.analysts.factories import make_comment, make_trend


@pytest.fixture()
def tokens(db_session: Session, users: dict[str, User]) -> dict[str, str]:
    return {role: create_token(db_session, user, f"{role} token")[1] for role, user in users.items()}


def get(client: FlaskClient, url: str, token: str | None) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = client.get(url, headers=headers)
    assert resp.mimetype == "application/json"
    return resp.status_code, resp.get_json()


def test_tokens_are_stored_as_hashes_only(db_session: Session, tokens: dict[str, str]) -> None:
    rows = db_session.scalars(select(ApiToken)).all()
    assert {r.token_hash for r in rows} == {hash_token(t) for t in tokens.values()}
    assert all(t not in r.token_hash for r in rows for t in tokens.values())


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer hf_tampered", "Basic abc", "Bearer "])
def test_missing_or_bad_token_is_401_json(client: FlaskClient, tokens: dict[str, str], header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    resp = client.get("/api/v1/surveys", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["error"]["status"] == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_tampered_and_revoked_tokens_fail(client: FlaskClient, db_session: Session, tokens: dict[str, str]) -> None:
    good = tokens["analyst"]
    assert get(client, "/api/v1/surveys", good)[0] == 200
    assert get(client, "/api/v1/surveys", good[:-1] + ("A" if good[-1] != "A" else "B"))[0] == 401
    row = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(good)))
    assert row is not None and row.last_used_at is not None
    from datetime import UTC, datetime

    row.revoked_at = datetime.now(UTC)
    db_session.flush()
    assert get(client, "/api/v1/surveys", good)[0] == 401


def test_surveys_follow_audience_rules(client: FlaskClient, tokens: dict[str, str], customer_survey: Survey,
                                       worker_survey: Survey) -> None:
    ids = {r: {s["id"] for s in get(client, "/api/v1/surveys", t)[1]["items"]} for r, t in tokens.items()}
    assert customer_survey.id in ids["analyst"] and worker_survey.id not in ids["analyst"]
    assert worker_survey.id in ids["safety_officer"] and customer_survey.id not in ids["safety_officer"]
    assert {customer_survey.id, worker_survey.id} <= ids["admin"]
    status, body = get(client, f"/api/v1/surveys/{worker_survey.id}/trends", tokens["analyst"])
    assert status == 403 and "may not read" in body["error"]["message"]
    assert get(client, "/api/v1/surveys/99999999/trends", tokens["admin"])[0] == 404
    assert get(client, "/api/v1/surveys/-1/trends", tokens["admin"])[0] == 404


def test_trend_pagination_and_suppression(client: FlaskClient, tokens: dict[str, str],
                                          customer_survey: Survey, sites: list[Site]) -> None:
    url = f"/api/v1/surveys/{customer_survey.id}/trends?segment_type=site&limit=4"
    seen, cursor, pages = [], None, 0
    while True:
        status, body = get(client, url + (f"&cursor={cursor}" if cursor else ""), tokens["analyst"])
        assert status == 200
        seen += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 18 and pages == 5
    small = [r for r in seen if r["segment_value"] == str(sites[2].id)]
    assert all(r["suppressed"] and r["responses"] is None and r["nps"] is None for r in small)
    big = [r for r in seen if r["segment_value"] == str(sites[0].id)]
    assert all(not r["suppressed"] and r["responses"] == 30 for r in big)
    assert get(client, url + "&cursor=!!!", tokens["analyst"])[0] == 400
    assert get(client, url.replace("limit=4", "limit=0"), tokens["analyst"])[0] == 400
    assert get(client, url + "&period=year", tokens["analyst"])[0] == 400


def test_comments_api(client: FlaskClient, tokens: dict[str, str], commented: Survey, sites: list[Site]) -> None:
    base = f"/api/v1/surveys/{commented.id}/comments?period=month&period_start=2025-06-15"
    status, body = get(client, base + "&limit=10&page=2", tokens["analyst"])
    # Site 2's 3 comments are under the threshold of 10: left out of every list, including "all sites",
    # or they would be all comments minus those of sites 1 and 3. The reason says some were left out.
    assert status == 200 and body["total"] == 36 and body["pages"] == 4 and len(body["items"]) == 10
    assert not body["suppressed"] and "anonymity" in body["reason"]
    assert "<mark" not in body["items"][0]["text"]
    status, body = get(client, base + f"&segment_type=site&segment_value={sites[1].id}", tokens["analyst"])
    assert status == 200 and body["suppressed"] and body["items"] == [] and "anonymity" in body["reason"]
    assert get(client, base + "&segment_type=site", tokens["analyst"])[1]["total"] == 36  # any site = everyone
    assert get(client, base + "&sentiment=angry", tokens["analyst"])[0] == 400


def test_worker_rows_with_anonymous_ids_are_listed_and_paged(client: FlaskClient, db_session: Session,
                                                            tokens: dict[str, str], worker_survey: Survey) -> None:
    """A worker survey's trend rows and analyses carry random negative ids (models.anonymity): the first page
    must not start after id 0, and paging must follow them in id order."""
    for month in MONTHS[:-1]:
        make_trend(db_session, worker_survey, month, responses=40)
    url = f"/api/v1/surveys/{worker_survey.id}/trends?limit=2"
    seen, cursor = [], None
    while True:
        status, body = get(client, url + (f"&cursor={cursor}" if cursor is not None else ""),
                           tokens["safety_officer"])
        assert status == 200
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(r["period_start"] for r in seen) == [m.isoformat() for m in MONTHS]
    for i in range(12):
        make_comment(db_session, worker_survey, f"Forklift {i} reversed without looking", day=date(2025, 6, 10))
    status, body = get(client, f"/api/v1/surveys/{worker_survey.id}/comments?period=month&period_start=2025-06-15",
                       tokens["safety_officer"])
    assert status == 200 and body["total"] == 12 and all(c["id"] < 0 for c in body["items"])


def test_actions_api_paginates(client: FlaskClient, db_session: Session, tokens: dict[str, str],
                               customer_survey: Survey, worker_survey: Survey) -> None:
    for i in range(5):
        db_session.add(CorrectiveAction(title=f"A{i}", source_type="topic", survey_id=customer_survey.id,
                                        status="done" if i == 0 else "open"))
    db_session.add(CorrectiveAction(title="W", source_type="alert", survey_id=worker_survey.id))
    db_session.flush()
    status, body = get(client, "/api/v1/actions?limit=3", tokens["analyst"])
    assert [a["title"] for a in body["items"]] == ["A0", "A1", "A2"] and body["next_cursor"]
    status, body = get(client, f"/api/v1/actions?limit=3&cursor={body['next_cursor']}", tokens["analyst"])
    assert [a["title"] for a in body["items"]] == ["A3", "A4"] and body["next_cursor"] is None
    assert len(get(client, "/api/v1/actions?status=open", tokens["analyst"])[1]["items"]) == 4
    assert [a["title"] for a in get(client, "/api/v1/actions", tokens["safety_officer"])[1]["items"]] == ["W"]


def test_openapi_document_is_valid(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)  # raises on an invalid OpenAPI 3.1 document
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {"/api/v1/surveys", "/api/v1/surveys/{survey_id}/trends",
                                 "/api/v1/surveys/{survey_id}/comments", "/api/v1/actions"}
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_admin_token_page_shows_token_once(login_as: Callable[[str | None], FlaskClient], db_session: Session,
                                           users: dict[str, User]) -> None:
    client = login_as("admin")
    resp = client.post("/api/tokens", data={"name": "BI import", "user_id": users["analyst"].id})
    assert resp.status_code == 201
    html = resp.get_data(as_text=True)
    start = html.index('<code class="token">') + len('<code class="token">')
    plain = html[start:html.index("</code>", start)]
    assert plain.startswith("hf_")
    assert plain not in client.get("/api/tokens").get_data(as_text=True)
    assert client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    row = db_session.scalar(select(ApiToken).where(ApiToken.name == "BI import"))
    assert row is not None and row.user_id == users["analyst"].id
    assert client.post(f"/api/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert client.post("/api/tokens", data={"name": "", "user_id": users["analyst"].id}).status_code == 400


def test_attributes_that_name_a_person_are_refused_as_segments(client: FlaskClient, tokens: dict[str, str],
                                                               commented: Survey) -> None:
    for what in ("trends", "comments"):
        status, body = get(client, f"/api/v1/surveys/{commented.id}/{what}?segment_type=customer_id&segment_value=C1",
                           tokens["analyst"])
        assert status == 400 and "names a person" in body["error"]["message"]
