"""Run history and the retry around transactions (jobs/runs.py), without the scheduler."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.runs import JobFailed, is_transient, one_line, recorded_run, with_retry
from models import PipelineRun


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_what_counts_as_transient() -> None:
    assert is_transient(locked())
    assert not is_transient(IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed")))
    lost = DBAPIError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)
    assert is_transient(lost)
    assert not is_transient(ValueError("not a database error"))


def test_one_line_names_the_error_and_its_first_line() -> None:
    assert one_line(locked()) == "OperationalError: database is locked"
    assert one_line(ValueError("first\nsecond")) == "ValueError: first"
    assert len(one_line(RuntimeError("x" * 2000))) == 500


def test_retry_runs_the_whole_transaction_again_until_it_succeeds() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise locked()
        return "done"

    assert with_retry(flaky, "test", attempts=4, base_delay=0) == "done"
    assert len(calls) == 3


def test_retry_gives_up_after_its_attempts_and_never_retries_a_real_error() -> None:
    calls: list[int] = []

    def always_locked() -> None:
        calls.append(1)
        raise locked()

    with pytest.raises(OperationalError):
        with_retry(always_locked, "test", attempts=3, base_delay=0)
    assert len(calls) == 3

    def constraint() -> None:
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    calls.clear()
    with pytest.raises(IntegrityError):
        with_retry(constraint, "test", attempts=3, base_delay=0)
    assert len(calls) == 1


def runs(session: Session, job: str) -> list[PipelineRun]:
    session.expire_all()
    return list(session.scalars(select(PipelineRun).where(PipelineRun.job == job).order_by(PipelineRun.id)))


def test_a_run_records_its_counts_model_and_duration(job_ctx: JobContext, db_session: Session) -> None:
    with recorded_run(job_ctx, "unit") as run:
        assert [r.status for r in runs(db_session, "unit")] == ["running"]  # visible while it runs
        run.claimed, run.processed, run.failed = 5, 4, 1
        run.model_name, run.model_version = "stub", "1"
        run.detail["batches"] = 2
    (row,) = runs(db_session, "unit")
    assert (row.status, row.claimed, row.processed, row.failed) == ("ok", 5, 4, 1)
    assert (row.model_name, row.model_version, row.worker) == ("stub", "1", job_ctx.worker)
    assert row.finished_at is not None and row.error is None
    assert row.detail["batches"] == 2 and row.detail["duration_s"] >= 0 and "stopped" not in row.detail


def test_a_failed_run_keeps_its_one_line_reason_and_raises(job_ctx: JobContext, db_session: Session) -> None:
    with pytest.raises(JobFailed):
        with recorded_run(job_ctx, "unit") as run:
            run.processed = 2
            raise JobFailed("model folder missing\nsecond line")
    (row,) = runs(db_session, "unit")
    assert (row.status, row.error, row.processed) == ("failed", "JobFailed: model folder missing", 2)


def test_a_stopped_run_says_so(job_ctx: JobContext, db_session: Session) -> None:
    job_ctx.stop.set()  # SIGTERM between batches
    with recorded_run(job_ctx, "unit"):
        pass
    (row,) = runs(db_session, "unit")
    assert row.status == "ok" and row.detail["stopped"] is True
