"""`heedful scheduler`, `heedful pipeline run|status|runs` and `heedful trends rebuild`."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from jobs.context import JobContext
from jobs.runs import one_line
from models.db import check_connection, make_engine
from models.settings import ConfigError, load_settings


def _context(ctx: click.Context) -> JobContext:
    """The job context: injected through `obj` (tests, embedding) or built from HEEDFUL_* settings."""
    if isinstance(ctx.obj, JobContext):
        return ctx.obj
    if callable(ctx.obj):
        made: JobContext = ctx.obj()
        ctx.obj = made
        return made
    settings = load_settings()
    engine = make_engine(settings.database_url)
    check_connection(engine)
    job_ctx = JobContext.from_settings(settings, engine)
    ctx.obj = job_ctx
    return job_ctx


@contextmanager
def _clear_errors(what: str) -> Iterator[None]:
    """Turn model and database failures into one line on stderr and a non-zero exit."""
    try:
        yield
    except ConfigError:
        raise
    except DBAPIError as exc:
        hint = ""
        if "no such table" in str(exc) or "does not exist" in str(exc):
            hint = " — the database has no schema yet: run `heedful db upgrade`"
        raise click.ClickException(f"{what} failed: {one_line(exc)}{hint}") from None
    except RuntimeError as exc:  # ModelLoadError, JobFailed and friends carry a one-line message
        raise click.ClickException(f"{what} failed: {exc}") from None


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# ---------------------------------------------------------------- pipeline

@click.group("pipeline")
def pipeline_cli() -> None:
    """Score free-text answers once, or show pipeline status and run history."""


@pipeline_cli.command("run")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Score at most N answers.")
@click.option("--backfill", is_flag=True, help="Also re-score answers analysed by another model version.")
@click.option("--quiet", is_flag=True, help="No progress bar, only the summary line.")
@click.option("-v", "--verbose", is_flag=True, help="Log each batch.")
@click.pass_context
def pipeline_run(ctx: click.Context, limit: int | None, backfill: bool, quiet: bool, verbose: bool) -> None:
    """Score pending answers now (the same work the scheduler does every minute)."""
    from jobs.progress import ProgressLine
    from jobs.scoring import count_backfill, count_new

    _logging(verbose)
    job = _context(ctx)
    with _clear_errors("pipeline run"):
        analyzer = job.analyzer()
        with job.sessions() as s:
            total = count_new(s, job.now())
            if backfill:
                total += count_backfill(s, analyzer.name[:200], analyzer.version[:80],
                                        job.settings.score_max_attempts)
        if limit is not None:
            total = min(total, limit)
        bar = None if quiet else ProgressLine(total)
        started = time.monotonic()
        _install_stop(job)
        from jobs.scoring import score_pending

        try:
            stats = score_pending(job, limit=limit, backfill=backfill, progress=bar.update if bar else None)
        finally:
            if bar:
                bar.close()
    seconds = time.monotonic() - started
    done = stats.processed + stats.failed
    rate = done / seconds if seconds > 0 else 0.0
    extra = f", {stats.detail['backfilled']} re-scored" if stats.detail.get("backfilled") else ""
    stopped = " (stopped early)" if stats.detail.get("stopped") else ""
    click.echo(f"scored {stats.processed} answers{extra}, {stats.failed} failed, in {seconds:.1f}s "
               f"({rate:.1f}/s) with {stats.model_name} {stats.model_version}{stopped}")


def _install_stop(job: JobContext) -> None:
    """Ctrl-C / SIGTERM finish the current batch (a checkpoint), then stop."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, _frame: Any) -> None:
        job.stop.set()

    signal.signal(signal.SIGTERM, handler)


@pipeline_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def pipeline_status_cmd(ctx: click.Context, as_json: bool) -> None:
    """Show queue counts for free-text answers and the last scoring run."""
    from jobs.status import pipeline_status

    job = _context(ctx)
    with _clear_errors("pipeline status"):
        analyzer = job.analyzer()
        with job.sessions() as s:
            status = pipeline_status(s, analyzer.name[:200], analyzer.version[:80])
    if as_json:
        click.echo(json.dumps(status, indent=2, sort_keys=True))
        return
    rows = [("answers with text", status["answers_with_text"]), ("pending", status["pending"]),
            ("  of which claimed", status["claimed"]), ("scored", status["scored"]),
            ("failed", status["failed"]),
            (f"analyses by {status['model_name']} {status['model_version']}", status["analyses"]),
            ("analyses by older models", status["analyses_total"] - status["analyses"])]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label:<{width}}  {value:>8}")
    last = status["last_run"]
    if last:
        click.echo(f"last run #{last['id']}: {last['status']} at {last['started_at']}, "
                   f"{last['processed']} scored, {last['failed']} failed"
                   + (f" — {last['error']}" if last["error"] else ""))
    else:
        click.echo("no scoring run yet")


@pipeline_cli.command("runs")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--job", "job_name", default=None, help="Only runs of this job (score, trends, alerts, ...).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def pipeline_runs_cmd(ctx: click.Context, limit: int, job_name: str | None, as_json: bool) -> None:
    """Show the run history of every job, newest first."""
    from jobs.status import recent_runs

    job = _context(ctx)
    with _clear_errors("pipeline runs"), job.sessions() as s:
        runs = recent_runs(s, limit, job_name)
    if as_json:
        click.echo(json.dumps(runs, indent=2))
        return
    if not runs:
        click.echo("no runs yet")
        return
    click.echo(f"{'id':>6}  {'job':<10} {'status':<8} {'started':<25} {'secs':>8} {'claimed':>8} "
               f"{'done':>8} {'failed':>7}  model / error")
    for r in runs:
        secs = f"{r['duration_s']:.1f}" if r["duration_s"] is not None else "-"
        tail = r["error"] or " ".join(x for x in (r["model_name"], r["model_version"]) if x)
        click.echo(f"{r['id']:>6}  {r['job']:<10} {r['status']:<8} {r['started_at']:<25} {secs:>8} "
                   f"{r['claimed']:>8} {r['processed']:>8} {r['failed']:>7}  {tail}")


# ---------------------------------------------------------------- trends

@click.group("trends")
def trends_cli() -> None:
    """Trend tables: rebuild or refresh."""


@trends_cli.command("rebuild")
@click.option("--survey", "survey_id", type=int, default=None, help="Only this survey id.")
@click.pass_context
def trends_rebuild(ctx: click.Context, survey_id: int | None) -> None:
    """Recompute every trend row from the answers (the incremental refresh gives the same rows)."""
    from jobs.trends.refresh import rebuild_trends

    job = _context(ctx)
    started = time.monotonic()
    with _clear_errors("trends rebuild"):
        stats = rebuild_trends(job, survey_id=survey_id)
    click.echo(f"rebuilt {stats.processed} trend rows for {stats.detail.get('surveys', 0)} surveys "
               f"in {time.monotonic() - started:.1f}s")


@trends_cli.command("refresh")
@click.pass_context
def trends_refresh(ctx: click.Context) -> None:
    """Recompute only the periods touched since the last refresh."""
    from jobs.trends.refresh import refresh_trends

    job = _context(ctx)
    with _clear_errors("trends refresh"):
        stats = refresh_trends(job)
    click.echo(f"refreshed {stats.processed} trend rows in {stats.detail.get('periods', 0)} periods")


# ---------------------------------------------------------------- scheduler

@click.command("scheduler")
@click.option("-v/-q", "--verbose/--quiet", default=True, help="Log job starts and ends (default on).")
@click.pass_context
def scheduler_cmd(ctx: click.Context, verbose: bool) -> None:
    """Run the job scheduler in this process (exactly one per deployment; SIGTERM stops it cleanly)."""
    from jobs.scheduler import LeaseRefused, run_scheduler

    _logging(verbose)
    job = _context(ctx)
    try:
        with _clear_errors("scheduler"):
            run_scheduler(job)
    except LeaseRefused as exc:
        raise click.ClickException(str(exc)) from None


