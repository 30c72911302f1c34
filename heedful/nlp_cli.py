"""`heedful nlp`: nlp/'s own commands, with `train --with-corrections` added here.

nlp/ knows nothing of the database, so the option lives at the layer that joins them: it reads the
analysts' reviews through jobs.corrections and hands them to nlp's training entry as plain
(text, label) rows. Everything else is nlp.cli's command, unchanged.
"""

from __future__ import annotations

from typing import Any

import click

from nlp.cli import nlp_cli as _nlp_cli
from nlp.cli import run_train
from nlp.cli import train_command as _train_command

CORRECTIONS_SOURCE = "analyst corrections"


def correction_rows() -> list[tuple[str, str]]:
    """The reviewed comments of the configured database (HEEDFUL_DATABASE_URL), as training rows."""
    from jobs.corrections import CorrectionRowError, training_rows
    from migrations.runner import check_schema_current
    from models.db import make_engine, make_session_factory
    from models.settings import load_settings

    settings = load_settings()
    check_schema_current(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            return training_rows(session)
    except CorrectionRowError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


def _train(with_corrections: bool, **options: Any) -> None:
    # Every other option is nlp's own, forwarded by name: an option added to `nlp train` reaches run_train.
    rows: list[tuple[str, str]] = []
    if with_corrections:
        rows = correction_rows()
        if not rows:
            raise click.ClickException(
                "--with-corrections: no analyst has reviewed a comment yet (the comments drill-down); nothing was "
                "trained"
            )
        click.echo(f"adding {len(rows)} analyst-reviewed comments to the training rows", err=True)
    run_train(**options, extra_rows=rows, extra_source=CORRECTIONS_SOURCE)


train_command = click.Command(
    "train",
    callback=_train,
    params=[
        *_train_command.params,
        click.Option(
            ["--with-corrections"],
            is_flag=True,
            help="Also train on every comment an analyst reviewed in the drill-down (redacted text, the "
            "analyst's sentiment label), read from HEEDFUL_DATABASE_URL.",
        ),
    ],
    help=_train_command.help,
    short_help=_train_command.short_help,
)

commands: dict[str, Any] = {**_nlp_cli.commands, "train": train_command}
nlp_cli = click.Group("nlp", commands=commands, help=_nlp_cli.help)
