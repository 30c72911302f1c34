"""Hostile input on every kind of respondent link: refused with a clear page, never stored half-way,
and whatever is shown back is inert HTML."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Answer, Response, Survey
from tests.factories import make_site, make_survey
from tests.proof.conftest import QUESTIONS
from tests.respond.helpers import Respondent, make_invitation, make_site_link

SCRIPT = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture()
def links(db_session: Session) -> dict[str, str]:
    """One URL of each kind: public link, personal invitation, and a site's QR code (worker survey)."""
    customer = make_survey(db_session, QUESTIONS)
    worker = make_survey(db_session, QUESTIONS, audience="worker")
    _inv, token = make_invitation(db_session, customer)
    link = make_site_link(db_session, worker, make_site(db_session))
    return {"public": f"/s/{customer.slug}", "invitation": f"/i/{token}", "site": f"/q/{link.code}"}


def _responses(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(Response)) or 0)


@pytest.mark.parametrize("kind", ["public", "invitation", "site"])
def test_oversized_form_is_413_and_nothing_stored(app: Flask, links: dict[str, str], kind: str,
                                                  db_session: Session) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    resp = app.test_client().post(links[kind], data={"q-why": "y" * (limit + 1), "q-nps": "9", "nav": "submit"})
    assert resp.status_code == 413
    assert "shorten your answers" in resp.get_data(as_text=True)
    assert "Content-Security-Policy" in resp.headers
    assert _responses(db_session) == 0


def test_many_small_fields_are_413_too(app: Flask, links: dict[str, str]) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = "&".join(f"f{i}=x" for i in range(limit // 4))  # a flood of tiny fields past the size limit
    resp = app.test_client().post(links["public"], data=body, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 413


@pytest.mark.parametrize("kind", ["public", "invitation", "site"])
def test_invalid_utf8_is_a_field_error_with_the_rest_kept(client: FlaskClient, links: dict[str, str], kind: str,
                                                          db_session: Session) -> None:
    r = Respondent(client)
    r.open(links[kind])
    data = dict(r.form.hidden, **{"q-nps": "7", "q-why": "", "nav": "submit"})
    body = "&".join(f"{k}={v}" for k, v in data.items() if k != "q-why") + "&q-why=caf%C3%A9%FF%FEok"
    resp = client.post(r.form.action, data=body.encode(), content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "characters we cannot read" in html
    assert 'value="7"' in html and "checked" in html  # the valid answer is still selected
    assert _responses(db_session) == 0


@pytest.mark.parametrize("kind", ["public", "invitation", "site"])
def test_nul_bytes_are_refused_not_stored(client: FlaskClient, links: dict[str, str], kind: str,
                                          db_session: Session) -> None:
    r = Respondent(client)
    r.open(links[kind])
    resp = r.submit({"nps": "3", "why": "before\x00after"}, nav="submit")
    assert resp.status_code == 400 and "characters we cannot read" in r.html
    assert _responses(db_session) == 0
    assert "\x00" not in r.html


@pytest.mark.parametrize("kind", ["public", "invitation", "site"])
def test_html_and_script_in_answers_are_inert_when_shown_back(client: FlaskClient, links: dict[str, str],
                                                               kind: str) -> None:
    r = Respondent(client)
    r.open(links[kind])
    # Leave the required NPS out, so the page comes back with the comment re-shown in the textarea.
    resp = r.submit({"why": SCRIPT}, nav="submit")
    assert resp.status_code == 400
    html = r.html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in html
    assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]  # and CSP would stop it anyway


def test_script_in_a_stored_answer_is_stored_verbatim(client: FlaskClient, links: dict[str, str],
                                                      db_session: Session) -> None:
    """Escaping happens when shown, not when stored: the analyst sees exactly what was written."""
    r = Respondent(client)
    r.open(links["public"])
    assert r.submit({"nps": "9", "why": SCRIPT}, nav="submit").status_code == 302
    assert db_session.scalar(select(Answer.text).where(Answer.text.is_not(None))) == SCRIPT


def test_script_in_survey_text_is_inert(client: FlaskClient, db_session: Session) -> None:
    """Survey wording comes from admins; it is still escaped on the respondent page."""
    survey: Survey = make_survey(db_session, [
        {"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": f"Recommend? {SCRIPT}"}}},
    ], title=f"Title {SCRIPT}")
    html = client.get(f"/s/{survey.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("path", ["/s/%00", "/i/%00abc", "/q/%FF%FE", "/s/" + "x" * 5000, "/i/" + "A" * 5000])
def test_junk_in_the_link_itself_is_404(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404
    assert "This link does not exist" in resp.get_data(as_text=True)
