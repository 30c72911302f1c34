"""Every scheduled job, declared as data in one place (a test checks it). Triggers run in UTC."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jobs.alerts import run_alerts
from jobs.cleanup import cleanup
from jobs.context import JobContext
from jobs.privacy import purge_retention
from jobs.scoring import score_pending
from jobs.themes import discover_emerging_themes
from jobs.trends.refresh import refresh_trends

# Re-scoring for a new model version gets what is left of the minute after new answers and alerts.
BACKFILL_SECONDS = 40


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[JobContext], Any]
    trigger: str  # APScheduler trigger alias: "interval" | "cron"
    trigger_args: dict[str, Any]
    misfire_grace_time: int  # seconds a run may start late (e.g. after a pause) before it is skipped
    max_instances: int = 1  # never two runs of the same job at once
    coalesce: bool = True  # missed runs collapse into one
    executor: str = "default"
    description: str = field(default="", compare=False)


def score_and_alert(ctx: JobContext) -> None:
    """Score new answers, alert on urgent ones at once, then re-score for a new model in the time left."""
    score_pending(ctx)
    run_alerts(ctx)
    if not ctx.stop.is_set():
        score_pending(ctx, backfill=True, deadline=time.monotonic() + BACKFILL_SECONDS)


JOBS: tuple[JobSpec, ...] = (
    JobSpec("score", score_and_alert, "interval", {"minutes": 1}, misfire_grace_time=30,
            description="Score new free-text answers, send urgent alerts, then backfill stale-model analyses."),
    JobSpec("trends", refresh_trends, "interval", {"minutes": 5}, misfire_grace_time=120,
            description="Recompute trend periods touched since the last refresh."),
    JobSpec("alerts", run_alerts, "interval", {"minutes": 1}, misfire_grace_time=30,
            description="Raise drop alerts and retry undelivered ones."),
    JobSpec("themes", discover_emerging_themes, "cron", {"hour": 2, "minute": 30}, misfire_grace_time=3600,
            description="Nightly: cluster recent comments no taxonomy topic covers into emerging themes."),
    JobSpec("cleanup", cleanup, "cron", {"hour": 3, "minute": 15}, misfire_grace_time=3600,
            description="Daily: delete old run history, expired leases and claims."),
    JobSpec("privacy_purge", purge_retention, "cron", {"hour": 3, "minute": 45}, misfire_grace_time=6 * 3600,
            description="Daily: delete free text, contact data and upload columns past each survey's retention."),
)
