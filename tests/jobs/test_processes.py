"""Real processes: SIGKILL a scorer mid-batch and lose nothing; one scheduler only; SIGTERM stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import models
from models import Answer, SchedulerLease, TextAnalysis
from models.db import make_engine
from tests.factories import make_response, make_survey
from tests.scratch import scratch_database

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture()
def committed_db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A database of its own (file SQLite, or a fresh PostgreSQL database) for commits across processes."""
    base = os.environ.get("HEEDFUL_TEST_DATABASE_URL")
    with ExitStack() as stack:
        if base:
            url = stack.enter_context(scratch_database(base, "heedful_proc"))
        else:
            url = f"sqlite:///{tmp_path / 'proc.db'}"
        engine = make_engine(url)
        models.Base.metadata.create_all(engine)
        yield url, engine
        engine.dispose()


def _env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEEDFUL_")}
    env.update(HEEDFUL_DATABASE_URL=url, HEEDFUL_INSTANCE_PATH=str(tmp_path / "inst"),
               HEEDFUL_SECRET_KEY="x", HEEDFUL_ENV="testing", PYTHONPATH=str(ROOT), **extra)
    return env


def _spawn(which: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.procs", which, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _count(engine: Engine, stmt: object) -> int:
    with Session(engine) as s:
        return int(s.scalar(stmt) or 0)  # type: ignore[call-overload]


def test_sigkill_mid_batch_loses_nothing_and_scores_nothing_twice(
    committed_db: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = committed_db
    with Session(engine) as s, s.begin():
        survey = make_survey(s)
        for i in range(120):
            make_response(s, survey, {"nps": i % 11, "why": f"comment {i}: the service was good"})
    total = 120
    env = _env(url, tmp_path, HEEDFUL_SCORE_BATCH_SIZE="10", STUB_DELAY="0.01")
    scored = select(func.count()).select_from(Answer).where(Answer.text_state == "scored")
    claimed = select(func.count()).select_from(Answer).where(Answer.text_state == "claimed")

    kills = 0
    for target in (10, 40, 70):  # kill at three different points, each time with a batch in flight
        proc = _spawn("pipeline", ["run", "--quiet"], env)
        deadline = time.monotonic() + 60
        while _count(engine, scored) < target and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        while _count(engine, claimed) == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=30)
    assert kills >= 2, "the scorer finished before it could be killed: raise STUB_DELAY"
    assert _count(engine, claimed) > 0 or _count(engine, scored) < total

    final = _spawn("pipeline", ["run", "--quiet"], env)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err

    with Session(engine) as s:
        states = dict(s.execute(select(Answer.text_state, func.count()).group_by(Answer.text_state)).all())
        analyses = s.scalar(select(func.count()).select_from(TextAnalysis))
        distinct = s.scalar(select(func.count(func.distinct(TextAnalysis.answer_id))))
    assert states.get("scored") == total and states.get("pending", 0) == 0 and states.get("claimed", 0) == 0
    assert analyses == distinct == total
    status = _spawn("pipeline", ["status", "--json"], env)
    out, err = status.communicate(timeout=60)
    import json

    report = json.loads(out)
    assert (report["answers_with_text"], report["analyses"], report["pending"]) == (total, total, 0)


def test_second_scheduler_refuses_and_sigterm_stops_cleanly(
    committed_db: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = committed_db
    with Session(engine) as s, s.begin():
        survey = make_survey(s)
        for i in range(5):
            make_response(s, survey, {"why": f"good {i}"})
    env = _env(url, tmp_path)
    first = _spawn("scheduler", [], env)
    try:
        deadline = time.monotonic() + 30
        done = select(func.count()).select_from(Answer).where(Answer.text_state == "scored")
        while _count(engine, done) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _count(engine, done) == 5, "the scheduler's score job did not run"

        second = _spawn("scheduler", [], env)
        _out, err = second.communicate(timeout=30)
        assert second.returncode == 1
        assert "another scheduler is already running" in err and "Traceback" not in err

        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=30)
        assert first.returncode == 0, err
        assert "scheduler stopped" in err
        assert _count(engine, select(func.count()).select_from(SchedulerLease)) == 0  # lease given back
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
