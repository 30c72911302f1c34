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

from models.db import make_engine, make_session_factory
from models.settings import Settings, load_settings
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
