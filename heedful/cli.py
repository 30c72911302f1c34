"""`heedful` command line. Sub-commands are imported on first use so `heedful serve` never loads torch."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from models.settings import ConfigError

# name -> (import path "module:attribute", one-line help shown by `heedful --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("heedful.dbcli:db_cli", "Database schema: upgrade, downgrade, current."),
    "demo": ("survey_app.demo.cli:demo_cli", "Seed demo surveys, users and synthetic responses."),
    "serve": ("heedful.serve:serve_cmd", "Run the web server (waitress)."),
    "run": ("heedful.serve:run_cmd", "Run web server and scheduler together; Ctrl-C stops both."),
    "scheduler": ("jobs.cli:scheduler_cmd", "Run the job scheduler in this process (one per deployment)."),
    "privacy": ("jobs.privacy_cli:privacy_cli", "Retention purge and data-subject export or erasure by e-mail."),
    "pipeline": ("jobs.cli:pipeline_cli", "Score free-text answers once, or show pipeline status."),
    "trends": ("jobs.cli:trends_cli", "Rebuild the trend tables."),
    "nlp": ("heedful.nlp_cli:nlp_cli", "Train, run and evaluate the sentiment and topic models."),
    "survey": ("survey_app.admin.cli:survey_cli", "Import and export survey definitions (YAML/JSON)."),
    "user": ("survey_app.auth.cli:user_cli", "Create and manage analyst accounts."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _help = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        module = importlib.import_module(module_name)
        command: click.Command = getattr(module, attr)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Every argument reaches this, the outermost group. Bytes that are not UTF-8 arrive as lone
        # surrogates (Python's surrogateescape), and no slug, address or path stored may hold one or a NUL.
        for arg in args:
            if "\x00" in arg or any("\ud800" <= ch <= "\udfff" for ch in arg):
                raise click.UsageError(f"the argument {ascii(arg)[:60]} holds a NUL or bytes that are not UTF-8 text")
        return super().parse_args(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in sorted(COMMANDS)])


@click.group(cls=LazyGroup)
def cli() -> None:
    """Heedful: customer satisfaction and worker safety feedback, with transformer text analytics."""


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="heedful")
    except ConfigError as exc:
        click.echo(f"heedful: {exc}", err=True)
        sys.exit(2)
