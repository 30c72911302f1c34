"""Invitation tokens: tampered → 404, expired → 410, used → "already used", guessing → 429, and the
limiter never holds an address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Response, Survey
from survey_app.respond.blueprint import LIMITER_KEY
from survey_app.respond.tokens import new_invitation_token
from tests.factories import make_site, make_survey
from tests.proof.conftest import ANSWERS, QUESTIONS
from tests.respond.helpers import Respondent, make_invitation, make_site_link


@pytest.fixture()
def survey(db_session: Session) -> Survey:
    return make_survey(db_session, QUESTIONS)


def _flip(token: str, i: int) -> str:
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


def test_tampered_tokens_are_404(client: FlaskClient, db_session: Session, survey: Survey) -> None:
    _inv, token = make_invitation(db_session, survey)
    assert client.get(f"/i/{token}").status_code == 200
    for bad in (_flip(token, 0), _flip(token, len(token) - 1), token[:-1], token + "A", token.upper(),
                token.lower(), new_invitation_token()):
        resp = client.get(f"/i/{bad}")
        assert resp.status_code == 404, bad
        assert "This link does not exist" in resp.get_data(as_text=True)
        assert survey.title not in resp.get_data(as_text=True)  # no hint which survey a near-miss was for
        assert client.post(f"/i/{bad}", data={"nav": "submit", "q-nps": "1"}).status_code == 404
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_expired_token_is_410_and_refuses_a_submission(client: FlaskClient, db_session: Session,
                                                       survey: Survey) -> None:
    _inv, token = make_invitation(db_session, survey, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    resp = client.get(f"/i/{token}")
    assert resp.status_code == 410 and "This link has expired" in resp.get_data(as_text=True)
    assert client.post(f"/i/{token}", data={"nav": "submit", "q-nps": "9"}).status_code == 410
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_reused_token_says_already_used_and_stores_once(client: FlaskClient, db_session: Session,
                                                        survey: Survey) -> None:
    inv, token = make_invitation(db_session, survey)
    first, second = Respondent(client), Respondent(client)
    first.open(f"/i/{token}")
    second.open(f"/i/{token}")  # a second tab opened before the first one sent
    assert first.submit(ANSWERS, nav="submit").status_code == 302
    assert second.submit(ANSWERS, nav="submit").status_code == 200
    assert "already been used" in second.html
    assert "already been used" in client.get(f"/i/{token}").get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    db_session.refresh(inv)  # claimed by a conditional UPDATE, not through this session's identity map
    assert inv.used_at is not None


def test_guessing_tokens_is_rate_limited_without_storing_addresses(app: Flask, db_session: Session,
                                                                   survey: Survey) -> None:
    limiter = app.extensions[LIMITER_KEY]
    limiter.burst, limiter.rate = 5.0, 0.0
    _inv, token = make_invitation(db_session, survey)
    link = make_site_link(db_session, survey, make_site(db_session))
    client = app.test_client()
    guesser = {"REMOTE_ADDR": "203.0.113.77"}
    codes = [client.get(f"/i/{new_invitation_token()}", environ_base=guesser).status_code for _ in range(5)]
    codes += [client.get(f"/q/guess-{i}", environ_base=guesser).status_code for i in range(2)]
    assert codes == [404] * 5 + [429] * 2  # QR codes and tokens share the guessing budget
    # Out of tries, even a right guess is refused: the answer must not tell right from wrong.
    assert client.get(f"/i/{token}", environ_base=guesser).status_code == 429
    assert client.get(f"/q/{link.code}", environ_base=guesser).status_code == 429
    assert "Please wait a minute" in client.get(f"/i/{token}", environ_base=guesser).get_data(as_text=True)
    # Someone else is not affected.
    assert client.get(f"/i/{token}", environ_base={"REMOTE_ADDR": "203.0.113.78"}).status_code == 200
    names = limiter.known_names()
    assert names and all(b"203.0.113" not in n and len(n) == 16 for n in names)


def test_valid_links_do_not_use_up_the_guessing_budget(app: Flask, db_session: Session, survey: Survey) -> None:
    limiter = app.extensions[LIMITER_KEY]
    limiter.burst, limiter.rate = 2.0, 0.0
    _inv, token = make_invitation(db_session, survey)
    client = app.test_client()
    assert [client.get(f"/i/{token}").status_code for _ in range(10)] == [200] * 10
