"""SQLite under concurrent writers with real commits: every submission is stored once, none half-written.

"database is locked" is what SQLite says when a writer waited longer than busy_timeout. Heedful's writers
queue on models.write_queue.WriteQueue (a thread lock in each process, a file lock across processes); a program
that takes SQLite's lock without it is waited for by SQLite's busy handler; a writer that still times out
gets the 503 page with its answers kept, and sending again stores it.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import models.db
from tests.factories import make_survey
from tests.proof.conftest import ANSWERS, QUESTIONS, app_on, dispose, stored_consistently
from tests.respond.helpers import Respondent

pytestmark = pytest.mark.slow


def _survey(engine: Engine, **kw: object) -> tuple[int, str]:
    with Session(engine) as s, s.begin():
        survey = make_survey(s, QUESTIONS, **kw)
        return survey.id, survey.slug


def _submit_until_stored(r: Respondent, slug: str, attempts: int = 20) -> list[int]:
    """Open the survey and send; on a 503 send the re-shown form again, as a person would."""
    r.open(f"/s/{slug}")
    codes = [r.submit(ANSWERS, nav="submit").status_code]
    while codes[-1] == 503 and len(codes) < attempts:
        assert "please send them again" in r.html and "Quick delivery" in r.html  # answers kept
        time.sleep(0.05)
        codes.append(r.submit(nav="submit").status_code)
    return codes


def test_many_threads_one_process(file_engine: Engine, tmp_path: Path) -> None:
    survey_id, slug = _survey(file_engine)
    app = app_on(str(file_engine.url), tmp_path / "instance")
    results: list[list[int]] = []
    lock = threading.Lock()

    def respondent() -> None:
        client = app.test_client()
        for _ in range(5):
            codes = _submit_until_stored(Respondent(client), slug)
            with lock:
                results.append(codes)

    threads = [threading.Thread(target=respondent) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    dispose(app)
    assert len(results) == 80 and all(codes[-1] == 302 for codes in results), results
    assert stored_consistently(file_engine, survey_id, answers_each=3) == 80


def _process_respondent(url: str, instance: str, slug: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app = app_on(url, Path(instance))
    client = app.test_client()
    out.put([_submit_until_stored(Respondent(client), slug)[-1] for _ in range(n)])
    dispose(app)


def test_several_processes_share_the_file(file_engine: Engine, tmp_path: Path) -> None:
    survey_id, slug = _survey(file_engine, audience="worker")  # workers: a receipt code per response too
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_process_respondent, args=(str(file_engine.url), str(tmp_path / "i"), slug, 15, out))
             for _ in range(3)]
    for p in procs:
        p.start()
    finals = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert sorted(code for codes in finals for code in codes) == [302] * 45  # to the thank-you page with the receipt
    assert stored_consistently(file_engine, survey_id, answers_each=3) == 45


def test_locked_past_busy_timeout_gives_503_then_stores(
    file_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program holds the write lock longer than busy_timeout: 503 with answers kept, nothing lost."""
    monkeypatch.setattr(models.db, "BUSY_TIMEOUT_MS", 200)
    survey_id, slug = _survey(file_engine)
    app = app_on(str(file_engine.url), tmp_path / "instance")
    blocker = sqlite3.connect(str(file_engine.url.database), isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a backup or a long job holding the lock
    release = threading.Timer(1.0, blocker.rollback)
    release.start()
    try:
        codes = [_submit_until_stored(Respondent(app.test_client()), slug) for _ in range(3)]
    finally:
        release.join()
        blocker.close()
        dispose(app)
    assert codes[0][0] == 503, codes  # the first one ran into the held lock
    assert all(c[-1] == 302 for c in codes), codes
    assert stored_consistently(file_engine, survey_id, answers_each=3) == 3
