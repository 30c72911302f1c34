from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_response, make_survey


def test_healthz_reports_database_and_pending(client: FlaskClient, db_session: Session) -> None:
    survey = make_survey(db_session)
    make_response(db_session, survey, {"nps": 9, "why": "Quick delivery"})
    make_response(db_session, survey, {"nps": 3, "why": "   "})
    db_session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok", "pending_answers": 1}


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
