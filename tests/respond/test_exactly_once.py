"""Every filling-in of a survey is stored once: replays of the final POST (double tap, refresh, Back and
resend, a phone retrying) get the same thank-you and the same receipt code, and store nothing.

Concurrent replays on real databases are in test_concurrency.py.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Response, Site, Survey
from survey_app.respond.blueprint import LIMITER_KEY
from survey_app.respond.state import load_draft
from tests.factories import make_survey
from tests.respond.helpers import Respondent, make_invitation, make_site_link

HAZARD = {"hazard": "Oil on the floor by press 4", "severity": "high"}


@pytest.fixture()
def survey(db_session: Session) -> Survey:
    return make_survey(db_session)  # NPS and a comment, one page


def _responses(session: Session, survey: Survey) -> list[Response]:
    return list(session.scalars(select(Response).where(Response.survey_id == survey.id)))


def _final_post(r: Respondent, answers: dict[str, Any]) -> dict[str, Any]:
    """What the browser sends with the last page's "Send answers" (kept to send it again)."""
    data: dict[str, Any] = {**r.form.hidden, **dict(r.form.values), "nav": "submit"}
    data.update({f"q-{k}": v for k, v in answers.items()})
    return data


def _receipt_after(client: FlaskClient, resp: Any) -> str | None:
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    marker = '<p class="receipt-code">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else None


def test_replays_of_a_worker_report_store_one_and_give_the_same_receipt(
    client: FlaskClient, db_session: Session, worker_survey: Survey, site: Site
) -> None:
    link = make_site_link(db_session, worker_survey, site)
    r = Respondent(client)
    r.open(f"/q/{link.code}")
    final = _final_post(r, HAZARD)
    first = client.post(f"/q/{link.code}", data=final)
    assert first.status_code == 302 and first.headers["Location"] == f"/q/{link.code}/thanks?lang=en"
    code = _receipt_after(client, first)
    [row] = _responses(db_session, worker_survey)
    assert code == row.receipt_code
    for _ in range(3):  # the probe: three replays left four responses and four receipt codes
        again = client.post(f"/q/{link.code}", data=final)
        assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
        assert _receipt_after(client, again) == code
    assert _responses(db_session, worker_survey) == [row]


def test_a_replay_from_another_browser_gets_the_same_receipt(
    app: Flask, db_session: Session, worker_survey: Survey, site: Site
) -> None:
    """A phone retrying after the first answer was lost on the way back: no session cookie came with it."""
    link = make_site_link(db_session, worker_survey, site)
    r = Respondent(app.test_client())
    r.open(f"/q/{link.code}")
    final = _final_post(r, HAZARD)
    code = _receipt_after(r.client, r.client.post(f"/q/{link.code}", data=final))
    fresh = app.test_client()
    assert _receipt_after(fresh, fresh.post(f"/q/{link.code}", data=final)) == code
    assert len(_responses(db_session, worker_survey)) == 1


def test_back_and_resend_with_changed_answers_keeps_the_first(
    respondent: Respondent, db_session: Session, survey: Survey
) -> None:
    respondent.open(f"/s/{survey.slug}")
    final = _final_post(respondent, {"nps": "9", "why": "Quick delivery"})
    assert respondent.client.post(f"/s/{survey.slug}", data=final).status_code == 302
    changed = {**final, "q-nps": "2", "q-why": "Changed my mind"}
    again = respondent.client.post(f"/s/{survey.slug}", data=changed)
    assert again.status_code == 302 and again.headers["Location"].startswith(f"/s/{survey.slug}/thanks")
    [row] = _responses(db_session, survey)
    assert sorted(a.text or str(a.number) for a in row.answers) == ["9.0", "Quick delivery"]


def test_a_new_visit_is_a_new_submission(respondent: Respondent, db_session: Session, survey: Survey) -> None:
    """Two customers on one computer (or one customer coming back next week) are two responses."""
    for why in ("First visit", "Second visit"):
        respondent.open(f"/s/{survey.slug}")
        assert respondent.submit({"nps": "7", "why": why}, nav="submit").status_code == 302
    rows = _responses(db_session, survey)
    assert len(rows) == 2 and len({row.submission_key for row in rows}) == 2


def test_a_replay_after_the_survey_closed_or_the_limit_ran_out_still_gets_its_thanks(
    app: Flask, client: FlaskClient, db_session: Session, worker_survey: Survey, site: Site
) -> None:
    link = make_site_link(db_session, worker_survey, site)
    r = Respondent(client)
    r.open(f"/q/{link.code}")
    final = _final_post(r, HAZARD)
    code = _receipt_after(client, client.post(f"/q/{link.code}", data=final))
    limiter = app.extensions[LIMITER_KEY]
    while limiter.allow("127.0.0.1", f"survey:{worker_survey.id}"):
        pass  # this address has sent all it may for now
    worker_survey.closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.flush()
    again = client.post(f"/q/{link.code}", data=final)
    assert again.status_code == 302 and _receipt_after(client, again) == code
    assert len(_responses(db_session, worker_survey)) == 1


def test_a_replay_on_a_used_personal_link_gets_the_thanks_not_the_used_page(
    respondent: Respondent, db_session: Session, survey: Survey
) -> None:
    _inv, token = make_invitation(db_session, survey)
    respondent.open(f"/i/{token}")
    final = _final_post(respondent, {"nps": "10"})
    first = respondent.client.post(f"/i/{token}", data=final)
    again = respondent.client.post(f"/i/{token}", data=final)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"] == f"/i/{token}/thanks?lang=en"
    assert len(_responses(db_session, survey)) == 1


def test_the_submission_id_is_random_128_bits_and_only_its_hash_is_stored(
    app: Flask, respondent: Respondent, db_session: Session, worker_survey: Survey, site: Site
) -> None:
    link = make_site_link(db_session, worker_survey, site)
    respondent.open(f"/q/{link.code}")
    opened = load_draft(app.secret_key or "", worker_survey.id, respondent.form.hidden["state"]).submission
    assert respondent.submit(HAZARD, nav="submit").status_code == 302
    others = set()
    for _ in range(20):
        other = Respondent(app.test_client())
        other.open(f"/q/{link.code}")
        others.add(load_draft(app.secret_key or "", worker_survey.id, other.form.hidden["state"]).submission)
    assert len(others | {opened}) == 21  # every visit draws its own
    [row] = _responses(db_session, worker_survey)
    assert len(opened) >= 22  # URL-safe base64 of 16 random bytes
    assert row.submission_key == hashlib.sha256(opened.encode()).hexdigest()
    assert opened not in repr([getattr(row, c.key) for c in Response.__table__.columns])


def test_the_receipt_code_is_in_no_url_and_no_log(
    client: FlaskClient, db_session: Session, worker_survey: Survey, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    link = make_site_link(db_session, worker_survey, site)
    caplog.set_level(logging.DEBUG)
    r = Respondent(client)
    r.open(f"/q/{link.code}")
    final = _final_post(r, HAZARD)
    first = client.post(f"/q/{link.code}", data=final)
    thanks = client.get(first.headers["Location"])
    replay = client.post(f"/q/{link.code}", data=final)
    [row] = _responses(db_session, worker_survey)
    assert row.receipt_code and row.receipt_code in thanks.get_data(as_text=True)
    for resp in (first, thanks, replay):
        assert row.receipt_code not in resp.headers.get("Location", "")
    assert all(row.receipt_code not in rec.getMessage() for rec in caplog.records)
