"""Daily retention purge: each survey's free text and contact data older than its `retention_months`."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, select

from jobs.context import JobContext
from jobs.runs import RunStats, recorded_run, with_retry
from models.audit import record_audit
from models.privacy import PurgeCounts, purge_survey, scrub_deleted_pages, secure_delete
from models.survey import Survey

log = logging.getLogger(__name__)

# Old responses per transaction: each batch is a committed checkpoint, and the SQLite write lock is held
# for one batch at a time, not for a whole survey's history.
BATCH = 500


def run_purge(ctx: JobContext, *, dry_run: bool = False, actor_name: str = "scheduler") -> list[PurgeCounts]:
    """Purge every survey with a retention period, in batches of old responses, one transaction (and one
    audit entry) per batch. Returns the counts per survey. A dry run changes nothing (not the audit log).
    """
    today = ctx.now().date()
    with ctx.sessions() as s:
        survey_ids = list(s.scalars(select(Survey.id).where(Survey.retention_months.is_not(None))
                                    .order_by(Survey.id)))
    results: list[PurgeCounts] = []
    for survey_id in survey_ids:
        total: PurgeCounts | None = None
        after: int | None = None
        while not ctx.stop.is_set():

            def one(survey_id: int = survey_id, after: int | None = after) -> PurgeCounts | None:
                with ctx.sessions() as s, s.begin():
                    survey = s.get(Survey, survey_id)
                    if survey is None or survey.retention_months is None:  # deleted or changed meanwhile
                        return None
                    if dry_run:  # reads only: one pass, so a value shared across batches is counted once
                        return purge_survey(s, survey, today, dry_run=True)
                    with secure_delete(s):
                        counts = purge_survey(s, survey, today, batch=BATCH, after_id=after)
                    if counts.total:
                        record_audit(s, "privacy.purge", actor_name=actor_name, target_type="survey",
                                     target_id=survey_id, **counts.as_dict())
                    return counts

            counts = with_retry(one, f"privacy purge: survey {survey_id}")
            if counts is None:
                break
            if total is None:
                total = counts
            else:
                total.add(counts)
            after = counts.next_after
            if after is None:
                break
        if total is not None:
            results.append(total)
    if not dry_run:
        # Every night, even with nothing to purge: it also empties a WAL an erasure could not (a reader
        # held it then). Only an engine: sessions bound to one connection (tests, embedding) run inside
        # someone else's transaction, which a checkpoint would wait for.
        bind = ctx.sessions.kw.get("bind")
        if isinstance(bind, Engine) and not scrub_deleted_pages(bind):
            log.warning("privacy purge: a reader held the SQLite WAL; its old pages go when it is reused")
    return results


def purge_retention(ctx: JobContext) -> RunStats:
    """Scheduled body: purge past-retention data and record the counts on the run."""
    with recorded_run(ctx, "privacy_purge") as run:
        results = run_purge(ctx)
        run.claimed = len(results)
        run.processed = sum(c.total for c in results)
        run.detail["surveys"] = {c.slug: c.total for c in results if c.total}
        log.info("privacy purge: %d items from %d surveys", run.processed, len(run.detail["surveys"]))
    return run
