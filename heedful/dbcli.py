"""`heedful db ...`: Alembic migrations run programmatically against HEEDFUL_DATABASE_URL."""

from __future__ import annotations

import click

from migrations.runner import current_revision, downgrade, upgrade
from models.settings import load_settings


@click.group("db")
def db_cli() -> None:
    """Database schema: upgrade, downgrade, current."""


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_cmd(revision: str) -> None:
    """Migrate the database schema up to REVISION (default: the newest)."""
    settings = load_settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at revision {current_revision(settings.database_url)}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_cmd(revision: str) -> None:
    """Migrate the database schema down to REVISION ('base' removes every table)."""
    settings = load_settings()
    downgrade(settings.database_url, revision)
    click.echo(f"database at revision {current_revision(settings.database_url) or 'base'}")


@db_cli.command("current")
def current_cmd() -> None:
    """Print the database's current schema revision."""
    click.echo(current_revision(load_settings().database_url) or "base (empty database)")
