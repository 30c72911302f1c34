"""The scheduler process: one per deployment (a database lease enforces it), never inside the web app."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from jobs import lease
from jobs.context import JobContext
from jobs.lease import LeaseRefused
from jobs.registry import JOBS, JobSpec
from jobs.runs import with_retry

__all__ = ["LeaseRefused", "build_scheduler", "run_scheduler"]

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=90)
HEARTBEAT_SECONDS = 30  # three heartbeats per lease: one slow database round-trip never loses it
WORKER_THREADS = 4


def build_scheduler(ctx: JobContext, jobs: tuple[JobSpec, ...] = JOBS) -> tuple[BlockingScheduler, list[Any]]:
    """A BlockingScheduler with every registry job, plus the lease heartbeat on its own thread."""
    pools = [ThreadPoolExecutor(WORKER_THREADS), ThreadPoolExecutor(1)]
    scheduler = BlockingScheduler(timezone=UTC, executors={"default": pools[0], "lease": pools[1]})
    for spec in jobs:
        scheduler.add_job(spec.func, spec.trigger, args=[ctx], id=spec.id, name=spec.description or spec.id,
                          max_instances=spec.max_instances, coalesce=spec.coalesce,
                          misfire_grace_time=spec.misfire_grace_time, executor=spec.executor,
                          replace_existing=True, **spec.trigger_args)

    def heartbeat() -> None:
        def renew() -> bool:
            with ctx.sessions() as s, s.begin():
                return lease.renew(s, LEASE_NAME, ctx.worker, LEASE_TTL, ctx.now())

        if not with_retry(renew, "scheduler: heartbeat"):
            log.error("scheduler: lost the lease to another process; stopping")
            stop(ctx, scheduler)

    scheduler.add_job(heartbeat, "interval", seconds=HEARTBEAT_SECONDS, id="heartbeat", executor="lease",
                      max_instances=1, coalesce=True, misfire_grace_time=HEARTBEAT_SECONDS)
    return scheduler, pools


def stop(ctx: JobContext, scheduler: BlockingScheduler) -> None:
    """Ask running jobs to finish their current batch, and stop scheduling new runs."""
    ctx.stop.set()
    if scheduler.running:
        scheduler.shutdown(wait=False)


def run_scheduler(ctx: JobContext, jobs: tuple[JobSpec, ...] = JOBS, load_models: bool = True) -> None:
    """Hold the lease, run the jobs until SIGTERM/SIGINT, let running batches finish, release the lease."""

    def take() -> None:
        with ctx.sessions() as s, s.begin():
            lease.acquire(s, LEASE_NAME, ctx.worker, LEASE_TTL, ctx.now())

    with_retry(take, "scheduler: lease")
    try:
        if load_models:
            ctx.analyzer()  # fail fast: a missing model stops start-up, not the first job
        scheduler, pools = build_scheduler(ctx, jobs)
        if threading.current_thread() is threading.main_thread():
            def on_signal(signum: int, _frame: Any) -> None:
                log.info("scheduler: %s received, stopping after the current batches", signal.Signals(signum).name)
                stop(ctx, scheduler)

            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
        log.info("scheduler %s started with jobs: %s", ctx.worker, ", ".join(j.id for j in jobs))
        scheduler.start()  # blocks until stop()
        for pool in pools:
            pool.shutdown(wait=True)  # running jobs see ctx.stop and end after their batch
        log.info("scheduler stopped")
    finally:
        def give_back() -> None:
            with ctx.sessions() as s, s.begin():
                lease.release(s, LEASE_NAME, ctx.worker)

        with_retry(give_back, "scheduler: release lease")
