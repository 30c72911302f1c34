"""Engine and session factories, with the SQLite settings that hold under concurrent writers.

Writers to a SQLite file queue in models/write_queue.py; how the next SQLite transaction begins
(IMMEDIATE for writers, DEFERRED for reads that write later, if at all) is chosen here per context.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.settings import ConfigError
from models.write_queue import QueuedWriterConnection, WriteQueue, write_queue_for

BeginMode = Literal["IMMEDIATE", "DEFERRED"]

# How the next SQLite transaction in this context begins. IMMEDIATE (the default) is always safe for
# writers; code that only reads, or reads first and writes later in a separate short transaction,
# asks for DEFERRED so it neither takes nor waits for the write lock (WAL readers see a snapshot).
_begin_mode: ContextVar[BeginMode] = ContextVar("heedful_sqlite_begin", default="IMMEDIATE")

BUSY_TIMEOUT_MS = 10_000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def set_begin_mode(mode: BeginMode) -> Token[BeginMode]:
    """Make SQLite transactions begun in this context use `mode` until `reset_begin_mode(token)`."""
    return _begin_mode.set(mode)


def reset_begin_mode(token: Token[BeginMode]) -> None:
    _begin_mode.reset(token)


@contextmanager
def begin_mode(mode: BeginMode) -> Iterator[None]:
    """`with begin_mode("IMMEDIATE"): ...` for the transactions begun inside (no-op on PostgreSQL)."""
    token = _begin_mode.set(mode)
    try:
        yield
    finally:
        _begin_mode.reset(token)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, busy_timeout, foreign keys, BEGIN IMMEDIATE for writers and a
    queue for them shared by every process on the file (WriteQueue)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for a malformed URL
        raise ConfigError(f"HEEDFUL_DATABASE_URL is not a valid database URL: {exc}") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigError(f"HEEDFUL_DATABASE_URL names a {parsed.get_backend_name()} database; Heedful runs on "
                          "SQLite (sqlite:///path) or PostgreSQL (postgresql://user@host/db)")
    if parsed.get_backend_name() == "sqlite":
        _create_private(parsed.database)
        lock = write_queue_for(parsed.database)
        if lock is not None:
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("factory", QueuedWriterConnection)
            kwargs["connect_args"] = connect_args
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, lock)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _create_private(database: str | None) -> None:
    """Create a new SQLite file readable by its owner only (0600): it holds every answer and comment.

    SQLite gives the -wal and -shm files it makes the database file's permissions; an existing file
    keeps the ones it has (an administrator may have chosen a group on purpose)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing folder or no right to write: connecting reports it with SQLite's own message


def _configure_sqlite(engine: Engine, lock: WriteQueue | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin, see below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        if isinstance(dbapi_conn, QueuedWriterConnection):
            dbapi_conn.write_lock = lock

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing with
        # "database is locked" when it upgrades a read lock mid-transaction. DEFERRED (asked for by
        # read-only work, see set_begin_mode) takes no lock: WAL readers never wait for writers.
        mode = _begin_mode.get()
        dbapi_conn = conn.connection.dbapi_connection
        queued = isinstance(dbapi_conn, QueuedWriterConnection) and dbapi_conn.write_lock is not None
        if mode == "IMMEDIATE" and queued:
            dbapi_conn.enter_queue()
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            if queued:
                dbapi_conn.leave_queue()
            raise


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def check_connection(engine: Engine) -> None:
    """Fail fast with one line when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(
            f"cannot reach the database at {engine.url.render_as_string(hide_password=True)}: {reason}"
            " — check HEEDFUL_DATABASE_URL and that the server is running"
        ) from None
