from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey_app.auth.services import AccountError, create_user


@pytest.fixture()
def analyst(db_session: Session) -> str:
    create_user(db_session, "ana@example.org", "analyst", "correct horse battery")
    db_session.commit()
    return "ana@example.org"


def login(client: FlaskClient, email: str, password: str, next_url: str = "") -> int:
    return client.post("/login", data={"email": email, "password": password, "next": next_url}).status_code


def test_sign_in_and_out(client: FlaskClient, analyst: str) -> None:
    assert client.get("/home").status_code == 302
    assert login(client, analyst, "correct horse battery") == 302
    assert client.get("/home").status_code in (200, 302)
    assert client.get("/home").headers.get("Location", "").startswith("/login") is False
    client.post("/logout")
    assert client.get("/home").headers["Location"].startswith("/login")


def test_wrong_password_is_401_and_this_client_is_slowed(client: FlaskClient, analyst: str) -> None:
    for _ in range(5):
        assert login(client, analyst, "wrong password!") == 401
    # This client must now wait: even the right password is refused, with the same message.
    assert login(client, analyst, "correct horse battery") == 401


def test_open_redirect_is_refused(client: FlaskClient, analyst: str) -> None:
    client.post("/login", data={"email": analyst, "password": "correct horse battery",
                                "next": "//evil.example/x"})
    resp = client.post("/login", data={"email": analyst, "password": "correct horse battery",
                                       "next": "https://evil.example/"})
    assert "evil" not in resp.headers["Location"]


def test_logout_everywhere_invalidates_other_sessions(app, analyst: str) -> None:  # type: ignore[no-untyped-def]
    a, b = app.test_client(), app.test_client()
    login(a, analyst, "correct horse battery")
    login(b, analyst, "correct horse battery")
    assert a.post("/logout/everywhere").status_code == 302
    assert b.get("/home").headers["Location"].startswith("/login")


def test_create_user_rejects_bad_input(db_session: Session) -> None:
    with pytest.raises(AccountError, match="at least"):
        create_user(db_session, "x@example.org", "analyst", "short")
    with pytest.raises(AccountError, match="role"):
        create_user(db_session, "x@example.org", "boss", "long enough password")
    create_user(db_session, "x@example.org", "admin", "long enough password")
    with pytest.raises(AccountError, match="already exists"):
        create_user(db_session, "X@example.org ", "admin", "long enough password")


def test_the_site_address_leads_to_sign_in_or_to_the_users_surveys(client: FlaskClient, analyst: str) -> None:
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert login(client, analyst, "correct horse battery") == 302
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard"
    client.post("/logout")
    assert client.get("/").headers["Location"] == "/login"
