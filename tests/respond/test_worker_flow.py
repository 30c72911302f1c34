"""Worker hazard reports by QR code: site pre-filled, anonymous, a receipt code, no tracking cookie."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Response, Site, Survey
from survey_app.respond.tokens import RECEIPT_ALPHABET, RECEIPT_LENGTH
from tests.factories import make_department
from tests.respond.helpers import Respondent, make_site_link


def test_qr_link_prefills_site_and_stores_only_the_day(respondent: Respondent, worker_survey: Survey,
                                                       site: Site, db_session: Session) -> None:
    dep = make_department(db_session, name="Welding")
    link = make_site_link(db_session, worker_survey, site)
    r = respondent
    r.open(f"/q/{link.code}", environ_base={"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Tablet/1"})
    assert f'<option value="{site.id}" selected>Plant North</option>' in r.html
    assert "We do not store your name, your IP address" in r.html
    resp = r.submit({"department": str(dep.id), "hazard": "Oil on the floor by press 4", "severity": "high"},
                    nav="submit")
    assert resp.status_code == 302 and resp.headers["Location"].startswith(f"/q/{link.code}/thanks")
    thanks = r.follow()
    html = r.html
    row = db_session.scalars(select(Response).where(Response.survey_id == worker_survey.id)).one()
    assert row.site_id == site.id and row.department_id == dep.id
    assert row.submitted_at is None and row.submitted_on == datetime.now(UTC).date()
    assert row.invitation_id is None and row.segment == {}
    # Receipt code: in the thank-you page (never in a URL), from the unambiguous alphabet.
    assert row.receipt_code and len(row.receipt_code) == RECEIPT_LENGTH
    assert set(row.receipt_code) <= set(RECEIPT_ALPHABET)
    assert row.receipt_code in html and 'href="/receipt"' in html
    assert row.receipt_code not in resp.headers["Location"]
    assert resp.headers["Cache-Control"] == "no-store" and thanks.headers["Cache-Control"] == "no-store"
    hazard = next(a for a in row.answers if a.text)
    assert hazard.text_state == "pending"
    # Nothing that could identify the device or the moment is stored anywhere on the row.
    stored = " ".join(str(getattr(row, c.key)) for c in Response.__table__.columns)
    assert "203.0.113.7" not in stored and "Tablet" not in stored


def test_worker_may_change_the_prefilled_site(respondent: Respondent, worker_survey: Survey, site: Site,
                                              db_session: Session) -> None:
    other = db_session.scalars(select(Site).where(Site.name == "Plant South")).one()
    link = make_site_link(db_session, worker_survey, site)
    respondent.open(f"/q/{link.code}")
    respondent.submit({"site": str(other.id), "hazard": "Loose cable", "severity": "low"}, nav="submit")
    row = db_session.scalars(select(Response).where(Response.survey_id == worker_survey.id)).one()
    assert row.site_id == other.id


def test_receipt_codes_are_unique(respondent: Respondent, worker_survey: Survey, site: Site,
                                  db_session: Session) -> None:
    link = make_site_link(db_session, worker_survey, site)
    for i in range(5):
        respondent.open(f"/q/{link.code}")
        respondent.submit({"hazard": f"Hazard {i}", "severity": "low"}, nav="submit")
    codes = db_session.scalars(select(Response.receipt_code).where(Response.survey_id == worker_survey.id)).all()
    assert len(codes) == 5 and len(set(codes)) == 5


def test_unknown_qr_code_is_404(client: object, worker_survey: Survey) -> None:
    assert client.get("/q/no-such-code").status_code == 404  # type: ignore[attr-defined]


def test_only_the_csrf_cookie_is_set(csrf_app: Flask, worker_survey: Survey, site: Site,
                                     db_session: Session) -> None:
    link = make_site_link(db_session, worker_survey, site)
    client = csrf_app.test_client()
    r = Respondent(client)
    first = r.open(f"/q/{link.code}")
    cookies = first.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    value = cookies[0].split(";")[0].split("=", 1)[1]
    content = csrf_app.session_interface.get_signing_serializer(csrf_app).loads(value)  # type: ignore[attr-defined]
    assert set(content) == {"csrf_token"}
    assert r.form.hidden.get("csrf_token")

    done = r.submit({"hazard": "Blocked fire exit", "severity": "high"}, nav="submit")
    assert done.status_code == 302
    thanks = r.follow()
    assert "Your receipt code" in r.html
    for header in done.headers.getlist("Set-Cookie") + thanks.headers.getlist("Set-Cookie"):
        assert header.startswith("session=")
    # The receipt code reaches the thank-you page in the session (not the URL), until a form is opened again.
    with client.session_transaction() as sess:
        assert set(sess) == {"csrf_token", "heedful.receipt"}
    r.open(f"/q/{link.code}")
    with client.session_transaction() as sess:
        assert set(sess) == {"csrf_token"}


def test_post_without_csrf_token_is_refused_and_stores_nothing(csrf_app: Flask, worker_survey: Survey,
                                                              site: Site, db_session: Session) -> None:
    link = make_site_link(db_session, worker_survey, site)
    client = csrf_app.test_client()
    r = Respondent(client)
    r.open(f"/q/{link.code}")
    r.form.hidden.pop("csrf_token")
    resp = r.submit({"hazard": "x", "severity": "high"}, nav="submit")
    assert resp.status_code == 400
    assert db_session.scalars(select(Response).where(Response.survey_id == worker_survey.id)).all() == []


def test_lost_csrf_cookie_keeps_the_report(csrf_app: Flask, worker_survey: Survey, site: Site,
                                           db_session: Session) -> None:
    link = make_site_link(db_session, worker_survey, site)
    r = Respondent(csrf_app.test_client())
    r.open(f"/q/{link.code}")
    r.client.delete_cookie("session")  # the browser was restarted, or the cookie cleared
    resp = r.submit({"hazard": "Exposed wiring at bay 2", "severity": "high"}, nav="submit")
    assert resp.status_code == 400
    assert "Your answers are kept" in r.html and "Exposed wiring at bay 2" in r.html
    assert db_session.scalars(select(Response).where(Response.survey_id == worker_survey.id)).all() == []
    # The re-rendered page carries a fresh token: sending again works.
    assert r.submit(nav="submit").status_code == 302
    r.follow()
    assert "Your receipt code" in r.html
