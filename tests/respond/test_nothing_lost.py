"""Every failure a respondent can meet shows what they typed again, with a clear message: the rate limit,
the survey closing between pages, the database busy, read-only or gone, a lost CSRF cookie, an unknown link.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import models
import survey_app.respond.views as views
from models import Response, Site, Survey
from survey_app.extensions import db
from tests.factories import make_site, make_survey
from tests.proof.conftest import app_on, dispose
from tests.respond.conftest import worker_questions
from tests.respond.helpers import Respondent, make_site_link

HAZARD = {"hazard": "Oil on the floor by press 4", "severity": "high"}
TWO_PAGES = [{"key": "nps", "type": "nps", "required": True, "page": 1, "texts": {"en": {"label": "Recommend?"}}},
             {"key": "why", "type": "long_text", "page": 2, "texts": {"en": {"label": "Why?"}}}]


def _count(session: Session, survey: Survey) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id)) or 0


def _report(client: FlaskClient, code: str, addr: str, text: str) -> tuple[int, Respondent]:
    r = Respondent(client, remote_addr=addr)
    r.open(f"/q/{code}")
    return r.submit({**HAZARD, "hazard": text}, nav="submit").status_code, r


def test_a_shop_floor_behind_one_address_can_report(client: FlaskClient, db_session: Session,
                                                    worker_survey: Survey, site: Site) -> None:
    """The issue's probe: the 21st report from one address got a 429 page without the form."""
    code = make_site_link(db_session, worker_survey, site).code
    statuses = [_report(client, code, "198.51.100.9", f"Report {i}")[0] for i in range(40)]
    assert statuses == [302] * 40 and _count(db_session, worker_survey) == 40


def test_the_limit_shows_the_form_with_what_was_typed(client: FlaskClient, db_session: Session,
                                                      worker_survey: Survey, site: Site) -> None:
    worker_survey.rate_limit_per_minute = 1  # the survey's own setting: two at once, then one a minute
    code = make_site_link(db_session, worker_survey, site).code
    assert [_report(client, code, "198.51.100.10", f"Report {i}")[0] for i in range(2)] == [302, 302]
    status, r = _report(client, code, "198.51.100.10", "Third report: the guard rail is loose")
    assert status == 429 and r.page is not None and r.page.headers["Retry-After"] == "60"
    assert "Yours are kept below" in r.html and "Third report: the guard rail is loose</textarea>" in r.html
    assert _count(db_session, worker_survey) == 2
    # Another address is not held back by this one.
    assert _report(client, code, "198.51.100.11", "From elsewhere")[0] == 302


def test_customer_surveys_keep_the_default_limit(client: FlaskClient, db_session: Session) -> None:
    survey = make_survey(db_session)
    answers = [Respondent(client, remote_addr="192.0.2.5") for _ in range(21)]
    codes = []
    for r in answers:
        r.open(f"/s/{survey.slug}")
        codes.append(r.submit({"nps": "9", "why": "Typed before the limit"}, nav="submit").status_code)
    assert codes == [302] * 20 + [429]
    assert "Typed before the limit</textarea>" in answers[-1].html


def test_a_survey_closed_between_pages_shows_what_was_typed(respondent: Respondent, db_session: Session) -> None:
    survey = make_survey(db_session, TWO_PAGES)
    respondent.open(f"/s/{survey.slug}")
    respondent.submit({"nps": "4"})
    survey.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.flush()
    resp = respondent.submit({"why": "A long answer I do not want to lose"}, nav="submit")
    assert resp.status_code == 410
    assert "This survey is closed" in respondent.html and "it was not sent" in respondent.html
    assert "A long answer I do not want to lose</textarea>" in respondent.html
    assert _count(db_session, survey) == 0


def test_a_lost_csrf_cookie_on_an_unknown_link_is_a_plain_404(csrf_app: Flask) -> None:
    """The issue's probe: abort(404) inside the CSRF retry made a 500."""
    client = csrf_app.test_client()
    for url in ("/s/nope", "/q/nope", "/i/nope"):
        resp = client.post(url, data={"q-why": "text", "nav": "submit"})
        assert resp.status_code in (400, 404), (url, resp.status_code)


def _gone(*_a: Any, **_k: Any) -> Any:
    raise OperationalError("SELECT ...", {}, Exception("server closed the connection unexpectedly"))


def test_database_gone_before_the_survey_could_be_read_keeps_the_post(
    client: FlaskClient, db_session: Session, worker_survey: Survey, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = make_site_link(db_session, worker_survey, site).code
    r = Respondent(client)
    r.open(f"/q/{code}")
    with monkeypatch.context() as m:
        m.setattr(views, "site_link_by_code", _gone)
        resp = r.submit({**HAZARD, "hazard": "Sparks from the grinder near the paint store"}, nav="submit")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"
    assert "They are kept in this page" in r.html
    assert "Sparks from the grinder near the paint store</textarea>" in r.html
    assert _count(db_session, worker_survey) == 0
    # Back again: "Send again" posts exactly what was sent, and it is stored once.
    assert r.submit(nav="submit").status_code == 302
    assert r.submit(nav="submit").status_code == 302  # and once only
    [row] = db_session.scalars(select(Response).where(Response.survey_id == worker_survey.id)).all()
    assert any(a.text == "Sparks from the grinder near the paint store" for a in row.answers)


@pytest.fixture()
def file_site(tmp_path: Path) -> Iterator[tuple[Flask, Path, str]]:
    """A worker survey on a SQLite file of its own (real commits)."""
    path = tmp_path / "floor.db"
    app = app_on(f"sqlite:///{path}", tmp_path / "instance")
    models.Base.metadata.create_all(app.extensions["heedful.db"].engine)
    with app.app_context():
        survey = make_survey(db.session, worker_questions(), audience="worker")
        code = make_site_link(db.session, survey, make_site(db.session, name="Plant")).code
        db.session.commit()
    yield app, path, code
    dispose(app)


def test_read_only_database_file_keeps_the_report(file_site: tuple[Flask, Path, str], tmp_path: Path) -> None:
    """The issue's probe: a read-only SQLite file lost the worker's report ("session is in 'prepared' state")."""
    app, path, code = file_site
    read_only = app_on(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path / "instance")
    try:
        r = Respondent(read_only.test_client())
        r.open(f"/q/{code}")
        resp = r.submit({**HAZARD, "hazard": "Fire door wedged open"}, nav="submit")
        assert resp.status_code == 503 and "please send them again in a minute" in r.html
        assert "Fire door wedged open</textarea>" in r.html
    finally:
        dispose(read_only)


def test_a_commit_that_fails_keeps_the_report_and_sending_again_stores_it_once(
    file_site: tuple[Flask, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, path, code = file_site
    dialect = app.extensions["heedful.db"].engine.dialect
    real_commit = dialect.do_commit

    def failing(_conn: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    r = Respondent(app.test_client())
    r.open(f"/q/{code}")
    monkeypatch.setattr(dialect, "do_commit", failing)
    resp = r.submit({**HAZARD, "hazard": "Ladder with a cracked rung"}, nav="submit")
    assert resp.status_code == 503 and "Ladder with a cracked rung</textarea>" in r.html
    monkeypatch.setattr(dialect, "do_commit", real_commit)
    assert r.submit(nav="submit").status_code == 302
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM responses").fetchone() == (1,)
