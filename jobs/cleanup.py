"""Daily retention: old run history, expired leases and claims, runs and sends left by dead processes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, update

from jobs.alerts import reset_stuck_sending
from jobs.context import JobContext
from jobs.lease import delete_expired
from jobs.runs import RunStats, recorded_run, with_retry
from models.analysis import TextAnalysis
from models.pipeline import PipelineRun
from models.response import Answer

RUN_RETENTION_DAYS = 90
STALE_RUN_HOURS = 6  # no job runs this long: a `running` row this old belongs to a dead process


def cleanup(ctx: JobContext) -> RunStats:
    """Delete old run history and expired leases; release expired claims; close runs of dead processes."""
    with recorded_run(ctx, "cleanup") as run:

        def work() -> dict[str, int]:
            now = ctx.now()
            max_attempts = ctx.settings.score_max_attempts
            counts: dict[str, int] = {}
            with ctx.sessions() as s, s.begin():
                counts["runs_deleted"] = len(s.execute(
                    delete(PipelineRun).where(PipelineRun.started_at < now - timedelta(days=RUN_RETENTION_DAYS),
                                              PipelineRun.status != "running").returning(PipelineRun.id)).all())
                counts["runs_closed"] = len(s.execute(
                    update(PipelineRun)
                    .where(PipelineRun.status == "running",
                           PipelineRun.started_at < now - timedelta(hours=STALE_RUN_HOURS))
                    .values(status="failed", finished_at=now, error="process stopped before recording its end")
                    .returning(PipelineRun.id)).all())
                counts["leases_deleted"] = delete_expired(s, now)
                expired = (Answer.text_state == "claimed", Answer.claimed_until < now)
                has_analysis = exists().where(TextAnalysis.answer_id == Answer.id)
                released = 0
                for where, state, error in (
                    ((Answer.attempts >= max_attempts, ~has_analysis), "failed",
                     "scorer stopped (crash or timeout) on every try"),
                    ((Answer.attempts >= max_attempts, has_analysis), "scored",
                     "re-score stopped (crash or timeout) on every try; previous analysis kept"),
                    ((Answer.attempts < max_attempts, has_analysis), "scored", None),
                    ((Answer.attempts < max_attempts, ~has_analysis), "pending", None),
                ):
                    values: dict[str, object] = {"text_state": state, "claimed_by": None, "claimed_until": None}
                    if error:
                        values["last_error"] = error
                    released += len(s.execute(
                        update(Answer).where(*expired, *where).values(**values).returning(Answer.id)).all())
                counts["claims_released"] = released
                counts["alerts_unstuck"] = reset_stuck_sending(s, now)
            return counts

        run.detail.update(with_retry(work, "cleanup"))
        run.processed = sum(run.detail[k] for k in ("runs_deleted", "runs_closed", "leases_deleted",
                                                     "claims_released", "alerts_unstuck"))
    return run
