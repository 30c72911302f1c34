"""`heedful privacy purge|export|erase`: retention and data-subject requests from the command line."""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import Engine

from jobs.cli import _clear_errors, _context
from jobs.context import JobContext
from models.audit import record_audit
from models.db import begin_mode
from models.privacy import (
    SubjectNotFound,
    erase_subject,
    export_subject,
    normalise_email,
    scrub_deleted_pages,
    secure_delete,
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"cli:uid-{os.getuid()}"


def _not_found(exc: SubjectNotFound) -> NoReturn:
    click.echo(f"heedful privacy: {exc}; nothing was changed", err=True)
    raise SystemExit(1)


def _export_counts(data: dict[str, Any]) -> dict[str, Any]:
    return {"invitations": len(data["invitations"]), "responses": len(data["responses"]),
            "answers": sum(len(r["answers"]) for r in data["responses"]),
            "complaint_cases": len(data["complaint_cases"])}


def _scrub(job: JobContext) -> None:
    bind = job.sessions.kw.get("bind")
    if isinstance(bind, Engine) and not scrub_deleted_pages(bind):
        click.echo("note: another process held an old snapshot of the SQLite file; its deleted pages are "
                   "overwritten as the WAL is reused (run `heedful privacy purge` later to flush it)", err=True)


@click.group("privacy")
def privacy_cli() -> None:
    """Retention purge and data-subject requests (export, erase) by e-mail address."""


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted; change nothing.")
@click.pass_context
def purge_cmd(ctx: click.Context, dry_run: bool) -> None:
    """Delete free text, contact data and upload columns past each survey's retention_months."""
    from jobs.privacy import run_purge

    job = _context(ctx)
    with _clear_errors("privacy purge"):
        results = run_purge(job, dry_run=dry_run, actor_name=_actor())
    verb = "would delete" if dry_run else "deleted"
    if not results:
        click.echo("no survey has a retention period (set retention_months in a survey definition)")
    for c in results:
        click.echo(f"{c.slug}: before {c.cutoff.isoformat()} {verb} {c.text_answers} text answers, "
                   f"{c.other_texts} other texts, {c.analyses} analyses, {c.topic_tags} topic tags, "
                   f"{c.alert_texts} alert texts, {c.segments} response segments, "
                   f"{c.invitations} invitation addresses, {c.corrections} corrections, {c.case_notes} case notes, "
                   f"{c.trend_rows} trend rows of values no one else shares")


@privacy_cli.command("export")
@click.option("--email", required=True, help="The address the person was invited at.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file to write (replaced if it exists).")
@click.pass_context
def export_cmd(ctx: click.Context, email: str, out: Path) -> None:
    """Write everything stored about the person invited at EMAIL to a JSON file (GDPR Art. 15)."""
    job = _context(ctx)
    with _clear_errors("privacy export"), job.sessions() as s, s.begin():
        try:
            data = export_subject(s, email, job.now())
        except SubjectNotFound as exc:
            _not_found(exc)
        counts = _export_counts(data)
        _write_atomically(out, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        record_audit(s, "privacy.export", actor_name=_actor(), target_type="data_subject", **counts)
    click.echo(f"wrote {out}: {counts['invitations']} invitations, {counts['responses']} responses, "
               f"{counts['answers']} answers, {counts['complaint_cases']} complaint cases")


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename: a failed export never leaves half a file."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)  # personal data: readable by the operator only
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None


@privacy_cli.command("erase")
@click.option("--email", required=True, help="The address the person was invited at.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def erase_cmd(ctx: click.Context, email: str, yes: bool) -> None:
    """Delete everything stored about the person invited at EMAIL (GDPR Art. 17) and update the trends."""
    from jobs.trends.refresh import refresh_trends

    job = _context(ctx)
    address = normalise_email(email)
    # The preview only reads: on SQLite it need not queue for the write lock.
    with _clear_errors("privacy erase"), begin_mode("DEFERRED"), job.sessions() as s:
        try:
            found = _export_counts(export_subject(s, address))
        except SubjectNotFound as exc:
            _not_found(exc)
    if not yes:
        click.echo(f"{address}: {found['invitations']} invitations, {found['responses']} responses "
                   f"({found['answers']} answers), {found['complaint_cases']} complaint cases.")
        click.confirm("Erase all of it for good?", abort=True)
    with _clear_errors("privacy erase"):
        with job.sessions() as s, s.begin():
            try:
                with secure_delete(s):
                    counts = erase_subject(s, address)
            except SubjectNotFound as exc:  # erased by someone else since the preview
                _not_found(exc)
            record_audit(s, "privacy.erase", actor_name=_actor(), target_type="data_subject", **counts.as_dict())
        _scrub(job)
        trends = refresh_trends(job) if counts.trend_days else None
    click.echo(f"erased {counts.invitations} invitations, {counts.responses} responses, {counts.answers} answers, "
               f"{counts.analyses} analyses, {counts.topic_tags} topic tags, {counts.corrections} corrections, "
               f"{counts.complaints} complaint cases, {counts.alerts} alerts, {counts.trend_rows} trend rows of "
               "values no one else shares")
    if trends is not None:
        click.echo(f"recomputed {trends.processed} trend rows in {trends.detail.get('periods', 0)} periods")
    if counts.responses_in_purged_days:
        click.echo(f"{counts.responses_in_purged_days} responses were on days whose text was already purged: "
                   "those days' trend rows keep them as anonymous counts")
