"""Security headers and cookies on every kind of page, no server version banner, and no secrets in logs."""

from __future__ import annotations

import http.client
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import Survey
from models.settings import load_settings
from survey_app import create_app
from survey_app.auth.services import create_user
from survey_app.distribution.invitations import InvitationRow, create_invitations
from survey_app.distribution.sending import send_batch
from survey_app.extensions import db
from survey_app.security import CSP
from tests.factories import make_survey
from tests.live import free_port
from tests.proof.conftest import ANSWERS, QUESTIONS
from tests.respond.helpers import Respondent

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def survey(db_session: Session) -> Survey:
    return make_survey(db_session, QUESTIONS)


def _pages(client: FlaskClient, survey: Survey) -> dict[str, tuple[int, dict[str, str]]]:
    """One response of each kind the app gives: HTML pages, redirects, errors, JSON, static files."""
    r = Respondent(client)
    out = {"survey page": r.open(f"/s/{survey.slug}")}
    out["validation error"] = r.submit({"why": "no score"}, nav="submit")
    out["redirect after submit"] = r.submit(ANSWERS, nav="submit")
    out["thanks page"] = client.get(f"/s/{survey.slug}/thanks")
    out["respondent 404"] = client.get("/i/not-a-token")
    out["app 404"] = client.get("/no-such-page")
    out["405"] = client.delete(f"/s/{survey.slug}")
    too_big = "y" * (client.application.config["MAX_CONTENT_LENGTH"] + 1)
    out["413"] = client.post(f"/s/{survey.slug}", data={"x": too_big})
    out["login page"] = client.get("/login")
    out["analyst page (redirect to login)"] = client.get("/dashboard")
    out["JSON"] = client.get("/livez")
    out["static file"] = client.get("/static/heedful.css")
    for resp in out.values():
        resp.close()  # the static file's handle
    return {name: (resp.status_code, dict(resp.headers)) for name, resp in out.items()}


def test_csp_and_headers_on_every_page_type(client: FlaskClient, survey: Survey) -> None:
    pages = _pages(client, survey)
    assert {name: code for name, (code, _h) in pages.items()}["413"] == 413
    for name, (_code, headers) in pages.items():
        assert headers.get("Content-Security-Policy") == CSP, name
        assert headers.get("X-Content-Type-Options") == "nosniff", name
        assert headers.get("X-Frame-Options") == "DENY", name
        assert headers.get("Referrer-Policy") == "no-referrer", name  # invitation tokens are in URLs
        assert "Server" not in headers and "X-Powered-By" not in headers, name
        assert "Strict-Transport-Security" not in headers, name  # plain HTTP in tests: HSTS would be ignored
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "*" not in CSP


def test_database_error_page_has_the_headers_too(app: Flask, client: FlaskClient, survey: Survey,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*_a: object, **_k: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("survey_app.respond.views.survey_by_slug", down)
    resp = client.get(f"/s/{survey.slug}")
    assert resp.status_code == 503 and resp.headers["Content-Security-Policy"] == CSP
    assert "server closed" not in resp.get_data(as_text=True)  # no database detail shown to respondents


def test_hsts_over_https(client: FlaskClient, survey: Survey) -> None:
    resp = client.get(f"/s/{survey.slug}", base_url="https://survey.example")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/livez", base_url="https://survey.example").headers["Strict-Transport-Security"]


def _production_app(tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]) -> Flask:
    settings = load_settings({"HEEDFUL_ENV": "production", "HEEDFUL_SECRET_KEY": "prod-secret-" + "k" * 40,
                              "HEEDFUL_INSTANCE_PATH": str(tmp_path / "prod"), "HEEDFUL_DATABASE_URL": database_url})
    app = create_app(settings=settings)  # CSRF on, as deployed
    db.state(app).sessionmaker = session_factory
    return app


def _session_cookie(resp: object) -> str:
    cookies = [v for k, v in resp.headers.items() if k == "Set-Cookie"]  # type: ignore[attr-defined]
    found = [c for c in cookies if c.startswith("session=")]
    assert found, cookies
    return found[0]


def test_session_cookie_flags(app: Flask, survey: Survey) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # the CSRF token is what puts the session cookie on a survey page
    cookie = _session_cookie(app.test_client().get(f"/s/{survey.slug}"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain HTTP: a Secure cookie would never come back


def test_production_cookie_is_secure_and_hsts_is_on(tmp_path: Path, database_url: str,
                                                    session_factory: sessionmaker[Session], survey: Survey) -> None:
    app = _production_app(tmp_path, database_url, session_factory)
    resp = app.test_client().get(f"/s/{survey.slug}", base_url="https://survey.example")
    cookie = _session_cookie(resp)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" in resp.headers
    # Behind a TLS-terminating proxy the app may see plain HTTP: production still sends HSTS.
    assert "Strict-Transport-Security" in app.test_client().get("/livez").headers


def test_no_secrets_or_tokens_in_logs(file_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                      capfd: pytest.CaptureFixture[str]) -> None:
    """Invite by mail, answer by the personal link, sign in — everything logged at DEBUG, SQL included."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)  # SQL and its parameters
    password = "Correct-Horse-Battery-9"
    settings = load_settings({"HEEDFUL_ENV": "production", "HEEDFUL_SECRET_KEY": "prod-secret-" + "k" * 40,
                              "HEEDFUL_INSTANCE_PATH": str(tmp_path / "prod"),
                              "HEEDFUL_DATABASE_URL": str(file_engine.url)})
    try:
        app = create_app({"WTF_CSRF_ENABLED": False}, settings=settings)  # its engine logs from the start
        with Session(file_engine) as s, s.begin():
            survey = make_survey(s, QUESTIONS)
            create_user(s, "analyst@example.com", "analyst", password)
            create_invitations(s, survey, [InvitationRow(line=2, email="ann@example.com", attributes={})])
            sent: list[str] = []

            class Mailer:
                def send(self, to: str, subject: str, body: str) -> None:
                    sent.append(body)

            assert send_batch(s, survey, Mailer(), "https://survey.example").sent == 1
        token = re.search(r"/i/([A-Za-z0-9_-]{43})", sent[0]).group(1)  # type: ignore[union-attr]
        client = app.test_client()
        r = Respondent(client)
        r.open(f"/i/{token}", base_url="https://survey.example")
        assert r.submit(ANSWERS, nav="submit").status_code == 302
        assert client.get(f"/i/{token}x").status_code == 404  # a near-miss is logged nowhere either
        login = client.post("/login", data={"email": "analyst@example.com", "password": password},
                            base_url="https://survey.example")
        assert login.status_code == 302
        app.extensions["heedful.db"].engine.dispose()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = caplog.text + "".join(capfd.readouterr())
    assert "INSERT INTO responses" in logged and "UPDATE invitations" in logged  # the capture saw the flow
    for secret in (token, password, settings.secret_key):
        assert secret not in logged


# The real server ------------------------------------------------------------------------------------




@pytest.fixture()
def gunicorn(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEEDFUL_")}
    env.update({"HEEDFUL_ENV": "production", "HEEDFUL_SECRET_KEY": "gunicorn-secret-" + "s" * 32,
                "HEEDFUL_INSTANCE_PATH": str(tmp_path), "HEEDFUL_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"})
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-k", "gthread", "--threads", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "survey_app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                c.request("GET", "/livez")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
            finally:
                c.close()  # also when the server is not up yet: an unclosed socket is a warning, an error here
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_gunicorn_shows_no_version(gunicorn: int) -> None:
    for path in ("/livez", "/no-such-page", "/static/heedful.css"):
        c = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=5)
        c.request("GET", path)
        resp = c.getresponse()
        resp.read()
        c.close()
        headers = {k.lower(): v for k, v in resp.getheaders()}
        assert "x-powered-by" not in headers
        assert not re.search(r"\d", headers.get("server", "")), headers.get("server")  # "gunicorn", no version
        assert headers["content-security-policy"] == CSP
        assert "strict-transport-security" in headers  # HEEDFUL_ENV=production
