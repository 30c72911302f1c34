"""Make deleted text leave the SQLite file, not only the tables.

SQLite marks a deleted row's bytes free but leaves them in the page, and in WAL mode the old page
images also sit in the -wal file until a checkpoint overwrites them. `secure_delete` makes this
connection zero what it deletes (in place, in the pages it writes); a TRUNCATE checkpoint afterwards
copies those pages into the database file and empties the WAL. PostgreSQL keeps dead tuples until
(auto)vacuum reclaims them; that is the server's business (see docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def secure_delete(session: Session) -> Iterator[None]:
    """Zero what this session's connection deletes or overwrites inside the block (SQLite; no-op elsewhere)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        # Pooled connections go back to the cheaper default; what was deleted above is already zeroed.
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")


def scrub_deleted_pages(engine: Engine) -> bool:
    """After the deleting transaction committed: move its zeroed pages into the file and empty the WAL.

    Returns False when a reader still held an old snapshot, so the WAL could not be emptied (its old
    pages are overwritten as the WAL is reused; run again later, `heedful privacy purge` does).
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        # The driver connection in autocommit: a checkpoint cannot run inside a transaction.
        raw = conn.connection.dbapi_connection
        assert raw is not None
        busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return bool(busy == 0)
