"""Sessions end on the server: sign-out, sign-out everywhere, deactivation, idle and absolute limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User, UserSession
from models.settings import ConfigError, load_settings
from survey_app.auth.services import create_user, deactivate_user
from survey_app.auth.sessions import SESSION_MAX_AGE

PASSWORD = "correct horse battery"


@pytest.fixture()
def analyst(db_session: Session) -> User:
    user = create_user(db_session, "ana@example.org", "analyst", PASSWORD)
    db_session.commit()
    return user


def sign_in(client: FlaskClient, next_url: str = "") -> str:
    """Sign in through the form; return the session cookie's value, as a thief would copy it."""
    resp = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD, "next": next_url})
    assert resp.status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def opens_dashboard(app: Flask, cookie: str) -> bool:
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/dashboard").status_code == 200


def test_a_copy_of_the_cookie_opens_nothing_after_sign_out(app: Flask, client: FlaskClient,
                                                          analyst: User) -> None:
    cookie = sign_in(client)
    assert opens_dashboard(app, cookie)  # the copy works while the session lives...
    client.post("/logout")
    assert not opens_dashboard(app, cookie)  # ...and not once it has been signed out


def test_sign_out_everywhere_ends_every_session(app: Flask, db_session: Session, analyst: User) -> None:
    a, b = app.test_client(), app.test_client()
    sign_in(a)
    cookie_b = sign_in(b)
    a.post("/logout/everywhere")
    assert not opens_dashboard(app, cookie_b)
    assert db_session.scalars(select(UserSession).where(UserSession.user_id == analyst.id)).all() == []


def test_deactivation_ends_sessions_at_once(app: Flask, client: FlaskClient, db_session: Session,
                                            analyst: User) -> None:
    cookie = sign_in(client)
    deactivate_user(db_session, "ANA@example.org ")
    db_session.commit()
    assert not opens_dashboard(app, cookie)
    assert db_session.scalars(select(UserSession)).all() == []
    # and the account cannot sign in again
    resp = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert resp.status_code == 401


def _age_session(db_session: Session, user: User, *, seen: timedelta, created: timedelta) -> None:
    row = db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    now = datetime.now(UTC)
    row.last_seen_at, row.created_at = now - seen, now - created
    db_session.commit()


def test_idle_session_asks_to_sign_in_and_returns_to_the_page(client: FlaskClient, db_session: Session,
                                                              analyst: User) -> None:
    sign_in(client)
    assert client.get("/dashboard").status_code == 200
    _age_session(db_session, analyst, seen=timedelta(minutes=481), created=timedelta(minutes=490))
    resp = client.get("/dashboard?period=month")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=/dashboard")
    page = client.get(resp.headers["Location"])
    assert b"Your session timed out" in page.data
    assert b'value="/dashboard?period=month"' in page.data  # the sign-in form carries where to return
    back = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD,
                                       "next": "/dashboard?period=month"})
    assert back.headers["Location"] == "/dashboard?period=month"


def test_recent_activity_keeps_the_session(client: FlaskClient, db_session: Session, analyst: User) -> None:
    sign_in(client)
    _age_session(db_session, analyst, seen=timedelta(minutes=479), created=timedelta(days=2))
    assert client.get("/dashboard").status_code == 200
    row = db_session.scalars(select(UserSession)).one()
    db_session.refresh(row)
    assert datetime.now(UTC) - row.last_seen_at < timedelta(minutes=1)  # seen again: the idle clock restarts


def test_absolute_lifetime_ends_an_active_session(client: FlaskClient, db_session: Session,
                                                  analyst: User) -> None:
    sign_in(client)
    assert SESSION_MAX_AGE == timedelta(days=7)
    _age_session(db_session, analyst, seen=timedelta(minutes=1), created=timedelta(days=7, minutes=1))
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    assert db_session.scalars(select(UserSession)).all() == []


def test_idle_limit_comes_from_the_setting(app: Flask, client: FlaskClient, db_session: Session,
                                           analyst: User) -> None:
    app.config["SESSION_IDLE_MINUTES"] = 30
    sign_in(client)
    _age_session(db_session, analyst, seen=timedelta(minutes=31), created=timedelta(minutes=31))
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_idle_minutes_setting_is_validated() -> None:
    assert load_settings({}).session_idle_minutes == 480
    assert load_settings({"HEEDFUL_SESSION_IDLE_MINUTES": "30"}).session_idle_minutes == 30
    with pytest.raises(ConfigError, match="HEEDFUL_SESSION_IDLE_MINUTES"):
        load_settings({"HEEDFUL_SESSION_IDLE_MINUTES": "0"})
    with pytest.raises(ConfigError, match="unknown setting HEEDFUL_SESSION_IDLE_MINUTE"):
        load_settings({"HEEDFUL_SESSION_IDLE_MINUTE": "30"})
