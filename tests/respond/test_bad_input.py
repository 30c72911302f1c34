"""Bad input gets a clear answer and loses nothing typed: field errors, 4xx pages, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Response, Survey
from survey_app.respond.blueprint import LIMITER_KEY
from tests.factories import make_response, make_survey
from tests.respond.helpers import Respondent

FORM = [
    {"key": "name", "type": "short_text", "texts": {"en": {"label": "Your name"}}},
    {"key": "score", "type": "csat", "required": True, "texts": {"en": {"label": "Satisfied?"}}},
    {"key": "tags", "type": "multiple_choice", "options": ["a", "b"], "settings": {"allow_other": True},
     "texts": {"en": {"label": "Tags", "options": {"a": "Alpha", "b": "Beta"}}}},
    {"key": "story", "type": "long_text", "settings": {"max_length": 20}, "texts": {"en": {"label": "Story"}}},
]


@pytest.fixture()
def survey(db_session: Session) -> Survey:
    return make_survey(db_session, FORM, audience="customer")


def _count(session: Session, survey: Survey) -> int:
    return len(session.scalars(select(Response.id).where(Response.survey_id == survey.id)).all())


def test_errors_keep_everything_typed_and_are_linked(respondent: Respondent, survey: Survey,
                                                     db_session: Session) -> None:
    respondent.open(f"/s/{survey.slug}")
    resp = respondent.submit({"name": "Ada <b>L</b>", "q-tags": ["b", "other"], "q-tags-other": "",
                              "story": "x" * 25}, nav="submit")
    assert resp.status_code == 400
    html = respondent.html
    # Kept (and escaped) input.
    assert 'value="Ada &lt;b&gt;L&lt;/b&gt;"' in html and "<b>L</b>" not in html
    assert 'value="b" checked' in html and "x" * 25 in html
    # Error summary at the top, linking to each field; errors tied to inputs.
    assert html.index('class="error-summary"') < html.index('id="respond-form"')
    for anchor in ("#q-score-0", "#q-tags-0", "#q-story"):
        assert f'href="{anchor}"' in html
    assert "Please shorten this answer to 20 characters (it has 25)." in html
    assert "You chose “Other”: please say what." in html
    assert 'aria-describedby="q-story-limit q-story-error"' in html and 'aria-invalid="true"' in html
    assert '<fieldset aria-describedby="q-score-error">' in html
    assert "<title>Error: " in html
    assert _count(db_session, survey) == 0


def test_nul_bytes_are_a_field_error(respondent: Respondent, survey: Survey, db_session: Session) -> None:
    respondent.open(f"/s/{survey.slug}")
    resp = respondent.submit({"score": "4", "story": "bad\x00byte"}, nav="submit")
    assert resp.status_code == 400
    assert "characters we cannot read" in respondent.html and "badbyte" in respondent.html
    assert _count(db_session, survey) == 0


def test_invalid_utf8_is_a_field_error(respondent: Respondent, survey: Survey, db_session: Session) -> None:
    respondent.open(f"/s/{survey.slug}")
    state = respondent.form.hidden["state"]
    body = b"state=" + state.encode() + b"&nav=submit&q-score=4&q-story=caf%E9+ok&q-name=Bob"
    resp = respondent.client.post(f"/s/{survey.slug}?lang=en", data=body,
                                  content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "characters we cannot read" in html and 'value="Bob"' in html
    assert _count(db_session, survey) == 0


def test_invalid_choices_and_numbers(respondent: Respondent, survey: Survey) -> None:
    respondent.open(f"/s/{survey.slug}")
    assert respondent.submit({"score": "9"}, nav="submit").status_code == 400
    assert "Please choose a number from 1 to 5." in respondent.html
    assert respondent.submit({"score": "2", "q-tags": ["zzz"]}, nav="submit").status_code == 400
    assert "Please choose one of the answers shown." in respondent.html


def test_oversized_request_gets_413_page(app: Flask, survey: Survey) -> None:
    client = app.test_client()
    limit = app.config["MAX_CONTENT_LENGTH"]
    resp = client.post(f"/s/{survey.slug}", data={"q-story": "y" * (limit + 1), "nav": "submit"})
    assert resp.status_code == 413
    assert "shorten your answers" in resp.get_data(as_text=True)


def test_honeypot_discards_silently(respondent: Respondent, survey: Survey, db_session: Session) -> None:
    respondent.open(f"/s/{survey.slug}")
    assert 'class="hp"' in respondent.html
    resp = respondent.submit({"score": "5", "homepage": "http://spam.example"}, nav="submit")
    assert resp.status_code == 302 and "/thanks" in resp.headers["Location"]
    assert _count(db_session, survey) == 0


def test_tampered_draft_is_400(respondent: Respondent, survey: Survey, db_session: Session) -> None:
    respondent.open(f"/s/{survey.slug}")
    state = respondent.form.hidden["state"]
    # A whole character of the signature changed (the last one carries padding bits a decoder ignores).
    respondent.form.hidden["state"] = state[:-6] + ("B" if state[-6] == "A" else "A") + state[-5:]
    resp = respondent.submit({"score": "5"}, nav="submit")
    assert resp.status_code == 400 and "could not be read" in respondent.html
    assert _count(db_session, survey) == 0


def test_draft_from_another_survey_is_refused(respondent: Respondent, survey: Survey,
                                              db_session: Session) -> None:
    other = make_survey(db_session, FORM)
    respondent.open(f"/s/{other.slug}")
    state = respondent.form.hidden["state"]
    resp = respondent.client.post(f"/s/{survey.slug}", data={"state": state, "q-score": "3", "nav": "submit"})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("fields", "code", "text"),
    [
        ({"closes_at": datetime.now(UTC) - timedelta(hours=1)}, 410, "This survey is closed"),
        ({"archived": True}, 410, "This survey is closed"),
        ({"opens_at": datetime.now(UTC) + timedelta(days=2)}, 403, "This survey is not open yet"),
    ],
)
def test_closed_and_not_yet_open(client: FlaskClient, db_session: Session, fields: dict[str, object],
                                 code: int, text: str) -> None:
    s = make_survey(db_session, FORM, **fields)
    for resp in (client.get(f"/s/{s.slug}"), client.post(f"/s/{s.slug}", data={"nav": "submit"})):
        assert resp.status_code == code and text in resp.get_data(as_text=True)


def test_response_cap_closes_survey(respondent: Respondent, db_session: Session) -> None:
    s = make_survey(db_session, FORM, response_cap=2)
    make_response(db_session, s, {"score": 3})
    respondent.open(f"/s/{s.slug}")
    assert respondent.submit({"score": "4"}, nav="submit").status_code == 302
    again = respondent.client.get(f"/s/{s.slug}")
    assert again.status_code == 410 and "all the answers it needs" in again.get_data(as_text=True)


def test_unknown_survey_is_404(client: FlaskClient) -> None:
    assert client.get("/s/nope").status_code == 404


def test_rate_limit_gives_429_and_keeps_no_address(app: Flask, survey: Survey, db_session: Session) -> None:
    limiter = app.extensions[LIMITER_KEY]
    limiter.burst, limiter.rate = 3.0, 0.0
    client = app.test_client()
    codes = []
    for _ in range(5):
        r = Respondent(client, remote_addr="198.51.100.23")
        r.open(f"/s/{survey.slug}")
        codes.append(r.submit({"score": "5"}, nav="submit").status_code)
    assert codes == [302, 302, 302, 429, 429]
    assert _count(db_session, survey) == 3
    names = limiter.known_names()
    assert names and all(b"198.51.100.23" not in n and len(n) == 16 for n in names)
    # Another client, or another survey, has its own bucket.
    r = Respondent(app.test_client(), remote_addr="198.51.100.24")
    r.open(f"/s/{survey.slug}")
    assert r.submit({"score": "5"}, nav="submit").status_code == 302
