"""Run history (one PipelineRun row per job run) and the bounded retry around database transactions."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from jobs.context import JobContext
from models.pipeline import PipelineRun

log = logging.getLogger(__name__)
T = TypeVar("T")

DB_ATTEMPTS = 4
DB_BASE_DELAY = 0.5


class JobFailed(RuntimeError):
    """A job gave up (after bounded retries); the message is the one line stored on the run."""


def is_transient(exc: BaseException) -> bool:
    """Busy, locked, restarted or unreachable database: worth another try, unlike a constraint error."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


def with_retry(fn: Callable[[], T], what: str, attempts: int = DB_ATTEMPTS, base_delay: float = DB_BASE_DELAY) -> T:
    """Run one whole transaction `fn`, retrying it on transient database errors with backoff.

    `fn` must open and commit its own transaction, so a retry never sees half of a previous try.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except DBAPIError as exc:
            if not is_transient(exc) or attempt == attempts:
                raise
            delay = base_delay * 2 ** (attempt - 1)
            log.warning("%s: database error (%s), retry %d/%d in %.1fs", what, one_line(exc), attempt,
                        attempts - 1, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class RunStats:
    """What one run did. `claimed`, `processed` and `failed` are totals (the CLI prints them, `--limit`
    counts them); the `worker_*` fields are the part of them that was worker reports' work.

    The stored run and its log line leave the worker part out. The scheduler scores, alerts and
    refreshes within minutes of a submit, so a run that says it handled one worker answer dates that
    report to its minute, which the report itself may not hold (models.anonymity). How much worker work
    waits or failed still shows, without a time, in the queue counts (`heedful pipeline status`).
    """

    claimed: int = 0
    processed: int = 0
    failed: int = 0
    model_name: str | None = None
    model_version: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    worker_claimed: int = 0
    worker_processed: int = 0
    worker_failed: int = 0

    def recorded(self) -> tuple[int, int, int]:
        """(claimed, processed, failed) without worker work: what the run history may say."""
        return (self.claimed - self.worker_claimed, self.processed - self.worker_processed,
                self.failed - self.worker_failed)


@contextmanager
def recorded_run(ctx: JobContext, job: str) -> Iterator[RunStats]:
    """Record a PipelineRun around the block: ok with counts, or failed with the one-line reason."""
    started = time.monotonic()

    def start() -> int:
        with ctx.sessions() as s, s.begin():
            run = PipelineRun(job=job, worker=ctx.worker, started_at=ctx.now())
            s.add(run)
            s.flush()
            return run.id

    run_id = with_retry(start, f"{job}: start run")
    stats = RunStats()
    log.info("%s: run %d started", job, run_id)
    try:
        yield stats
    except BaseException as exc:
        _finish(ctx, run_id, stats, "failed", one_line(exc), time.monotonic() - started)
        log.error("%s: run %d failed: %s", job, run_id, one_line(exc))
        raise
    if ctx.stop.is_set():
        stats.detail["stopped"] = True
    _finish(ctx, run_id, stats, "ok", None, time.monotonic() - started)
    log.info("%s: run %d ok: claimed=%d processed=%d failed=%d in %.1fs", job, run_id, *stats.recorded(),
             time.monotonic() - started)


def _finish(ctx: JobContext, run_id: int, stats: RunStats, status: str, error: str | None, seconds: float) -> None:
    detail = {**stats.detail, "duration_s": round(seconds, 3)}
    claimed, processed, failed = stats.recorded()

    def finish() -> None:
        with ctx.sessions() as s, s.begin():
            s.execute(
                update(PipelineRun)
                .where(PipelineRun.id == run_id)
                .values(status=status, finished_at=ctx.now(), claimed=claimed, processed=processed,
                        failed=failed, model_name=stats.model_name, model_version=stats.model_version,
                        error=error, detail=detail)
            )

    try:
        with_retry(finish, f"run {run_id}: finish")
    except DBAPIError as exc:
        # The database stayed away: the cleanup job later marks this `running` row as failed.
        log.error("run %d: could not record its end (%s)", run_id, one_line(exc))
