from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Site, Survey, User
from survey_app.auth.passwords import hash_password
from survey_app.auth.sessions import start_session
from tests.analysts.factories import make_comment, make_trend
from tests.factories import make_site, make_survey

PASSWORD = "correct horse battery"
MONTHS = [date(2025, m, 1) for m in range(1, 7)]


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test session


@pytest.fixture()
def users(db_session: Session, password_hash: str) -> dict[str, User]:
    out = {role: User(email=f"{role}@example.org", role=role, password_hash=password_hash)
           for role in ("admin", "analyst", "safety_officer")}
    db_session.add_all(out.values())
    db_session.flush()
    return out


@pytest.fixture()
def login_as(client: FlaskClient, users: dict[str, User], db_session: Session) -> Callable[[str | None], FlaskClient]:
    """Sign the test client in as a role (None: signed out) without paying for argon2 each time."""

    def login(role: str | None) -> FlaskClient:
        with client.session_transaction() as s:
            s.clear()
            if role is not None:
                s["sid"] = start_session(db_session, users[role])
        return client

    return login


@pytest.fixture()
def sites(db_session: Session) -> list[Site]:
    return [make_site(db_session, code=f"s{i}", name=f"Site {i}") for i in range(1, 4)]


@pytest.fixture()
def customer_survey(db_session: Session, sites: list[Site]) -> Survey:
    """Six months of trends; sites of 30, 17 and 3 people; a large and a tiny topic."""
    survey = make_survey(db_session, title="Customer NPS", audience="customer")
    for i, m in enumerate(MONTHS):
        make_trend(db_session, survey, m, nps=10.0 + 5 * i, nps_low=5.0 + 5 * i, nps_high=15.0 + 5 * i,
                   sentiment_change=0.05)
        for site, n in zip(sites, (30, 17, 3), strict=True):
            make_trend(db_session, survey, m, segment_type="site", segment_value=str(site.id), responses=n,
                       nps=float(n))
        make_trend(db_session, survey, m, topic="delivery", responses=20, comments=20, sentiment_mean=-0.4,
                   sentiment_change=-0.1)
        make_trend(db_session, survey, m, topic="price", responses=2, comments=2, sentiment_mean=0.9)
    return survey


@pytest.fixture()
def worker_survey(db_session: Session) -> Survey:
    survey = make_survey(db_session, title="Worker safety", audience="worker")
    make_trend(db_session, survey, MONTHS[-1], responses=40)
    return survey


@pytest.fixture()
def commented(db_session: Session, sites: list[Site]) -> Survey:
    """June 2025 comments: 25 at Site 1 (delivery/price topics), 3 at Site 2, 11 at Site 3."""
    survey = make_survey(db_session, title="Comments", audience="customer")
    day = date(2025, 6, 10)
    for i in range(25):
        text = f"Comment {i}: the driver was late. Price is fine."
        a = text.index("the driver")
        b = text.index("Price")
        make_comment(db_session, survey, text, day=day, site_id=sites[0].id,
                     sentiment="negative" if i % 2 else "positive",
                     sentences=[{"text": "the driver was late.", "start": a, "end": a + 20},
                                {"text": "Price is fine.", "start": b, "end": b + 14}],
                     topics={"delivery": [0], "price": [1]} if i < 15 else {"price": [1]})
    for i in range(3):
        make_comment(db_session, survey, f"Small site remark {i}", day=day, site_id=sites[1].id)
    for i in range(11):
        make_comment(db_session, survey, f"Third site remark {i}", day=day, site_id=sites[2].id,
                     sentiment="neutral")
    return survey
