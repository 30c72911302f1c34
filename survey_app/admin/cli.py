"""`heedful survey ...`: import/export definitions, invite from a CSV, send reminders.

Each command opens one session, runs a service function, and commits once (or per batch when it sends
email). A problem prints every error found and exits 1, with nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from common.mail import Mailer, MailError
from models import Survey
from models.db import make_engine, make_session_factory
from models.settings import Settings, load_settings
from survey_app.distribution.invitations import (
    InvitationImportError,
    create_invitations,
    parse_invitation_csv,
)
from survey_app.distribution.sending import send_all
from survey_app.surveys import DefinitionError, dump_definition, export_definition
from survey_app.surveys.store import get_survey_by_slug, load_definition


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _format_for(path: Path) -> str:
    return {".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(path.suffix.lower(), "auto")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror}") from None


@click.group("survey")
def survey_cli() -> None:
    """Import and export survey definitions (YAML/JSON), invite respondents, send reminders."""


@survey_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Update the survey with the same slug (answered questions are kept).")
def import_cmd(file: Path, replace: bool) -> None:
    """Import a survey definition FILE (.yaml, .yml or .json)."""
    text = _read_text(file)
    with _session(load_settings()) as session:
        try:
            with session.begin():
                survey = load_definition(session, text, fmt=_format_for(file), source=str(file), replace=replace)
                slug, n = survey.slug, len(survey.questions)
        except DefinitionError as exc:
            click.echo(exc.report(), err=True)
            sys.exit(1)
    click.echo(f"imported survey {slug} ({n} questions)")


@survey_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export_cmd(slug: str, fmt: str, out: Path | None) -> None:
    """Export the definition of survey SLUG."""
    with _session(load_settings()) as session:
        survey = get_survey_by_slug(session, slug)
        if survey is None:
            raise click.ClickException(f"no survey with slug {slug!r}")
        text = dump_definition(export_definition(survey), fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@survey_cli.command("invite")
@click.argument("slug")
@click.option("--csv", "csv_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with an 'email' column plus attribute columns (region, channel, ...).")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Links stop working after N days.")
@click.option("--send", is_flag=True, help="Email the invitations now (otherwise: later, with --send or the admin).")
def invite_cmd(slug: str, csv_file: Path, expires_days: int | None, send: bool) -> None:
    """Create invitations to survey SLUG from a CSV file: all rows, or none when any line is wrong."""
    try:
        data = csv_file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{csv_file}: cannot read: {exc.strerror}") from None
    settings = load_settings()
    with _session(settings) as session:
        try:
            with session.begin():
                survey = get_survey_by_slug(session, slug)
                if survey is None:
                    raise click.ClickException(f"no survey with slug {slug!r}")
                created = create_invitations(session, survey, parse_invitation_csv(data), expires_days=expires_days)
                n = len(created)
        except InvitationImportError as exc:
            click.echo(f"{csv_file}: {len(exc.problems)} problem(s), nothing imported", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        click.echo(f"created {n} invitations for {slug}")
        if send:
            _send(session, survey, settings, reminder=False)


@survey_cli.command("send")
@click.argument("slug")
def send_cmd(slug: str) -> None:
    """Email invitations of survey SLUG that were not sent yet."""
    _send_for_slug(slug, reminder=False)


@survey_cli.command("remind")
@click.argument("slug")
def remind_cmd(slug: str) -> None:
    """Email one reminder to each invitee of survey SLUG who has not answered (unexpired invitations only)."""
    _send_for_slug(slug, reminder=True)


def _send_for_slug(slug: str, *, reminder: bool) -> None:
    settings = load_settings()
    with _session(settings) as session:
        survey = get_survey_by_slug(session, slug)
        if survey is None:
            raise click.ClickException(f"no survey with slug {slug!r}")
        _send(session, survey, settings, reminder=reminder)


def _send(session: Session, survey: Survey, settings: Settings, *, reminder: bool) -> None:
    what = "reminders" if reminder else "invitations"
    try:
        with Mailer(settings.smtp) as mailer:
            result = send_all(session, survey, mailer, settings.base_url, reminder=reminder, commit=session.commit)
    except MailError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"sent {result.sent} {what} for {survey.slug}")
    for email, reason in result.failed:
        click.echo(f"  not sent to {email}: {reason}", err=True)
    if result.aborted:
        raise click.ClickException(f"stopped after {result.sent}: {result.aborted} (run again to continue)")
