import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import User
from survey_app.auth.sessions import start_session
from tests.factories import make_response, make_survey


@pytest.mark.parametrize("role", [None, "analyst", "safety_officer"])
def test_healthz_shows_only_status_to_anyone_but_an_admin(client: FlaskClient, db_session: Session,
                                                          role: str | None) -> None:
    """Polling the queue would time each report as it arrives: the public answer has no queue figures."""
    survey = make_survey(db_session)
    make_response(db_session, survey, {"nps": 9, "why": "Quick delivery"})
    if role is not None:
        _sign_in(client, db_session, role)
    db_session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_pending_answers_to_a_signed_in_admin(client: FlaskClient, db_session: Session) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"nps": 9, "why": "Quick delivery"})
    make_response(db_session, survey, {"nps": 3, "why": "   "})
    _sign_in(client, db_session, "admin")
    db_session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok", "pending_answers": 1}
    assert resp.headers["Cache-Control"] == "private, no-store"


def _sign_in(client: FlaskClient, db_session: Session, role: str) -> None:
    user = User(email=f"{role}@example.org", role=role, password_hash="not used: signed in through the session")
    db_session.add(user)
    db_session.flush()
    with client.session_transaction() as s:
        s["sid"] = start_session(db_session, user)


def test_security_headers_and_no_server_banner(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Server" not in resp.headers


def test_unknown_page_is_plain_404(client: FlaskClient) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert b"Not found" in resp.data
    assert b"Traceback" not in resp.data
