"""Real commits from real threads: one response per invitation under a race; no lost anonymous submits.

Runs against its own SQLite file (WAL) and, when HEEDFUL_TEST_DATABASE_URL is set, its own PostgreSQL
database — not the rolled-back per-test transaction, which cannot show a race.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import models
from models import Invitation, Response
from models.db import make_engine
from models.settings import load_settings
from survey_app import create_app
from tests.factories import make_survey
from tests.respond.helpers import Respondent, make_invitation
from tests.scratch import scratch_database

QUESTIONS = [{"key": "nps", "type": "nps", "required": True, "texts": {"en": {"label": "Recommend?"}}},
             {"key": "why", "type": "long_text", "texts": {"en": {"label": "Why?"}}}]


@pytest.fixture(params=["sqlite", "postgresql"])
def real_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}"
        return
    base = os.environ.get("HEEDFUL_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("set HEEDFUL_TEST_DATABASE_URL=postgresql://... to run the PostgreSQL race")
    with scratch_database(base, "heedful_respond") as url:
        yield url


@pytest.fixture()
def real_engine(real_db: str) -> Iterator[Engine]:
    eng = make_engine(real_db)
    models.Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _app(url: str, tmp_path: Path) -> Flask:
    settings = load_settings({"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "race-secret",
                              "HEEDFUL_INSTANCE_PATH": str(tmp_path / "instance"), "HEEDFUL_DATABASE_URL": url})
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RESPOND_RATE_BURST": 1000}, settings=settings)


def _race(apps: list[Flask], url_of: str, answers: dict[str, str]) -> list[tuple[int, str]]:
    """Open the form in every thread, then post all at once (a barrier lines them up)."""
    barrier = threading.Barrier(len(apps))
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(app: Flask) -> None:
        r = Respondent(app.test_client())
        r.open(url_of)
        barrier.wait(timeout=30)
        resp = r.submit(answers, nav="submit")
        with lock:
            results.append((resp.status_code, resp.get_data(as_text=True)))

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_simultaneous_submits_on_one_invitation(real_engine: Engine, real_db: str, tmp_path: Path) -> None:
    with Session(real_engine) as s, s.begin():
        survey = make_survey(s, QUESTIONS)
        inv, token = make_invitation(s, survey)
        survey_id, inv_id = survey.id, inv.id
    apps = [_app(real_db, tmp_path) for _ in range(2)]
    results = _race(apps, f"/i/{token}", {"nps": "8", "why": "Race"})
    codes = sorted(code for code, _ in results)
    assert codes == [200, 302], results
    assert any("already been used" in body for code, body in results if code == 200)
    with Session(real_engine) as s:
        assert s.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey_id)) == 1
        assert s.get(Invitation, inv_id).used_at is not None  # type: ignore[union-attr]
    for a in apps:
        a.extensions["heedful.db"].engine.dispose()


def test_fifty_concurrent_anonymous_submits(real_engine: Engine, real_db: str, tmp_path: Path) -> None:
    with Session(real_engine) as s, s.begin():
        survey = make_survey(s, QUESTIONS, audience="worker")
        slug, survey_id = survey.slug, survey.id
    apps = [_app(real_db, tmp_path) for _ in range(5)]
    results = _race([apps[i % 5] for i in range(50)], f"/s/{slug}", {"nps": "6", "why": "Concurrent"})
    assert [code for code, _ in results] == [302] * 50
    with Session(real_engine) as s:
        rows = s.scalars(select(Response).where(Response.survey_id == survey_id)).all()
        assert len(rows) == 50 and len({r.receipt_code for r in rows}) == 50
        assert all(r.submitted_at is None for r in rows)
    for a in apps:
        a.extensions["heedful.db"].engine.dispose()


@pytest.mark.parametrize("audience", ["customer", "worker"])
def test_concurrent_replays_of_one_final_post_store_one_response(
    real_engine: Engine, real_db: str, tmp_path: Path, audience: str
) -> None:
    """A double tap, a resend and a phone retrying, all at once: the same final POST sent 12 times from
    4 web processes stores one response, and every copy gets the same thank-you (the same receipt code)."""
    with Session(real_engine) as s, s.begin():
        survey = make_survey(s, QUESTIONS, audience=audience)
        slug, survey_id = survey.slug, survey.id
    apps = [_app(real_db, tmp_path) for _ in range(4)]
    r = Respondent(apps[0].test_client())
    r.open(f"/s/{slug}")
    form = {**r.form.hidden, "q-nps": "3", "q-why": "The same report, sent again and again", "nav": "submit"}
    barrier = threading.Barrier(12)
    results: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def replay(app: Flask) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        resp = client.post(f"/s/{slug}", data=form)
        thanks = client.get(resp.headers.get("Location", "/nowhere")).get_data(as_text=True)
        with lock:
            results.append((resp.status_code, resp.headers.get("Location", ""), thanks))

    threads = [threading.Thread(target=replay, args=(apps[i % 4],)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 12
    assert {(code, location) for code, location, _ in results} == {(302, f"/s/{slug}/thanks?lang=en")}
    with Session(real_engine) as s:
        [row] = s.scalars(select(Response).where(Response.survey_id == survey_id)).all()
        assert len(row.answers) == 2 and row.submission_key is not None
    if audience == "worker":
        assert row.receipt_code is not None
        assert all(row.receipt_code in thanks for _, _, thanks in results)
    else:
        assert all("Thank you" in thanks for _, _, thanks in results)
    for a in apps:
        a.extensions["heedful.db"].engine.dispose()
