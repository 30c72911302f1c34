"""Run Alembic from code, and refuse clearly to touch a database newer than this code.

Lives beside the migrations so every entry point (the heedful CLI, the demo seed, benchmarks) shares it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import check_connection, make_engine
from models.settings import ConfigError

MIGRATIONS = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = url
    return cfg


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    check_connection(engine)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _check_known(url: str) -> None:
    """A database migrated by a newer Heedful has a revision this code does not know: stop."""
    rev = current_revision(url)
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config(url))
    try:
        script.get_revision(rev)
    except Exception:
        raise ConfigError(
            f"the database schema is at revision {rev}, which this version of Heedful does not know "
            "(it was migrated by a newer version): upgrade Heedful instead; nothing was changed"
        ) from None


def upgrade(url: str, revision: str = "head") -> None:
    _check_known(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    _check_known(url)
    command.downgrade(alembic_config(url), revision)


def check_schema_current(url: str) -> None:
    """Stop start-up with one line when the database is behind or ahead of the code."""
    _check_known(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    rev = current_revision(url)
    if rev != head:
        raise ConfigError(
            f"the database schema is at {rev or 'base (empty)'}, not {head}: run `heedful db upgrade`"
        )
