"""A throw-away PostgreSQL database for tests and benchmarks that need real commits across connections."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from models.db import make_engine


@contextmanager
def scratch_database(server_url: str, prefix: str = "heedful_scratch") -> Iterator[str]:
    """Create a fresh, uniquely named PostgreSQL database on the server of `server_url`; drop it afterwards.

    For tests and benchmarks that need real commits across threads or processes without touching the
    shared database they were pointed at.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
