"""Alembic environment: the URL comes from the caller (migrations.runner), never from an ini file."""

from __future__ import annotations

from alembic import context

import models
from models.db import make_engine

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite's procedure for rebuilding a table (batch mode does): foreign keys off, so that
                # dropping the old table neither cascades to the rows that point at it nor fails; each
                # migration that rebuilds checks them itself (PRAGMA foreign_key_check) before commit.
                # Set on the raw connection while no transaction is open: inside one it is ignored.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            _run(conn)
            conn.commit()
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
