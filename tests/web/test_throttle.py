"""Login throttling: per account and client, growing delays, an address cap, and no lockout of others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import LoginThrottle, User
from survey_app.auth import passwords, throttle
from survey_app.auth.services import create_user
from survey_app.auth.throttle import ADDRESS_CAP, FREE_ATTEMPTS, count_attempt, keys_for
from survey_app.auth.views import WRONG

PASSWORD = "correct horse battery"
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture()
def analyst(db_session: Session) -> User:
    user = create_user(db_session, "ana@example.org", "analyst", PASSWORD)
    db_session.commit()
    return user


def attempt(app: Flask, address: str, email: str, password: str) -> Any:
    client: FlaskClient = app.test_client()
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_a_guesser_elsewhere_cannot_lock_the_owner_out(app: Flask, analyst: User) -> None:
    for _ in range(12):
        assert attempt(app, "203.0.113.66", "ana@example.org", "wrong password!").status_code == 401
    # The guesser's own right guess is refused now (throttled)...
    assert attempt(app, "203.0.113.66", "ana@example.org", PASSWORD).status_code == 401
    # ...while the owner, from their own address, signs in at once.
    assert attempt(app, "198.51.100.7", "ana@example.org", PASSWORD).status_code == 302


def test_delays_grow_for_the_pair(db_session: Session) -> None:
    keys = keys_for("k", "ana@example.org", "203.0.113.66")
    now = T0
    for _ in range(FREE_ATTEMPTS):
        assert count_attempt(db_session, keys, now) == "ok"
    delays = []
    for _ in range(5):
        assert count_attempt(db_session, keys, now) == "ok"  # the previous wait has passed
        blocked = db_session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == keys.pair))
        assert blocked is not None
        delays.append((blocked - now).total_seconds())
        assert count_attempt(db_session, keys, now + (blocked - now) / 2) == "delayed"  # too early
        now = blocked + timedelta(milliseconds=1)
    assert delays == sorted(delays) and delays[-1] > delays[0] * 8  # doubling, not a fixed lock
    assert count_attempt(db_session, keys, now + timedelta(hours=25)) == "ok"  # a day later it starts over


def test_the_delay_is_capped(db_session: Session) -> None:
    keys = keys_for("k", "ana@example.org", "203.0.113.66")
    now = T0
    for _ in range(20):  # each attempt as soon as its wait is over
        assert count_attempt(db_session, keys, now) == "ok"
        now = db_session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == keys.pair)) or now
    assert count_attempt(db_session, keys, now) == "ok"
    blocked = db_session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == keys.pair))
    assert blocked == now + throttle.MAX_DELAY


def test_an_address_is_capped_over_all_emails(db_session: Session) -> None:
    verdicts = [count_attempt(db_session, keys_for("k", f"u{i}@example.org", "203.0.113.9"), T0)
                for i in range(ADDRESS_CAP + 1)]
    assert verdicts[:ADDRESS_CAP] == ["ok"] * ADDRESS_CAP and verdicts[-1] == "capped"
    # another address is untouched, and the cap lifts after its window
    assert count_attempt(db_session, keys_for("k", "u0@example.org", "198.51.100.7"), T0) == "ok"
    assert count_attempt(db_session, keys_for("k", "new@example.org", "203.0.113.9"),
                         T0 + throttle.ADDRESS_WINDOW + timedelta(seconds=1)) == "ok"


def test_capped_address_gets_429_with_the_form(app: Flask, analyst: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "ADDRESS_CAP", 3)
    for i in range(3):
        assert attempt(app, "203.0.113.9", f"u{i}@example.org", "wrong password!").status_code == 401
    resp = attempt(app, "203.0.113.9", "ana@example.org", PASSWORD)
    assert resp.status_code == 429
    assert b"Too many sign-in attempts from your network" in resp.data and b'name="password"' in resp.data


def test_no_email_or_address_is_stored(app: Flask, db_session: Session, analyst: User) -> None:
    attempt(app, "203.0.113.66", "ana@example.org", "wrong password!")
    keys = [k for k in db_session.scalars(select(LoginThrottle.key))]
    assert len(keys) == 2 and all(len(k) == 64 and "ana" not in k and "203" not in k for k in keys)


class CountingHasher:
    """The real (cheap) argon2 hasher, counting verifications: every refusal must cost one."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.verifies = inner, 0

    def verify(self, hash_: str, password: str) -> bool:
        self.verifies += 1
        return bool(self.inner.verify(hash_, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("case", ["wrong", "unknown", "inactive", "throttled"])
def test_unknown_inactive_throttled_and_wrong_look_alike(app: Flask, db_session: Session, analyst: User,
                                                         monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    email, password = "ana@example.org", "wrong password!"
    if case == "unknown":
        email = "nobody@example.org"
    elif case == "inactive":
        analyst.active, password = False, PASSWORD
        db_session.commit()
    elif case == "throttled":
        for _ in range(FREE_ATTEMPTS + 1):
            attempt(app, "203.0.113.66", email, "wrong password!")
        password = PASSWORD
    hasher = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    resp = attempt(app, "203.0.113.66", email, password)
    assert resp.status_code == 401
    assert WRONG.encode() in resp.data
    assert hasher.verifies == 1  # the same argon2 work, so the same time, whichever case it is
