"""Engine and session factories, with the SQLite settings that hold under concurrent writers."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.settings import ConfigError

BeginMode = Literal["IMMEDIATE", "DEFERRED"]

# How the next SQLite transaction in this context begins. IMMEDIATE (the default) is always safe for
# writers; code that only reads, or reads first and writes later in a separate short transaction,
# asks for DEFERRED so it neither takes nor waits for the write lock (WAL readers see a snapshot).
_begin_mode: ContextVar[BeginMode] = ContextVar("heedful_sqlite_begin", default="IMMEDIATE")

# Seconds a thread waits in this process's write queue before leaving it to SQLite's busy handler.
WRITE_QUEUE_WAIT_S = 5.0
BUSY_TIMEOUT_MS = 10_000


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
    """Create an engine; SQLite gets WAL, busy_timeout, foreign keys, BEGIN IMMEDIATE for writers and an
    in-process queue for them."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for a malformed URL
        raise ConfigError(f"HEEDFUL_DATABASE_URL is not a valid database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        lock = _write_lock(parsed.database)
        if lock is not None:
            connect_args = dict(kwargs.pop("connect_args", {}))
            connect_args.setdefault("factory", _QueuedWriterConnection)
            kwargs["connect_args"] = connect_args
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, lock)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


# One write queue per database file in this process, shared by every engine on that file.
_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(database: str | None) -> threading.Lock | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # private in-memory databases have no second writer to queue behind
    key = os.path.realpath(database)
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.Lock())


def _forget_locks_after_fork() -> None:
    # A lock held by another thread at fork time would never be released in the child.
    global _write_locks, _write_locks_guard
    _write_locks, _write_locks_guard = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_locks_after_fork)


class _QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that leaves the process's write queue when its transaction really ends.

    Threads of one process waiting for SQLite's write lock sleep in its busy handler in growing steps
    (up to 100 ms each), so a short write can cost a waiter a long sleep: a huge p99 under load. Queued
    on a threading.Lock instead, the next writer starts the moment the previous one commits.
    """

    write_lock: threading.Lock | None = None
    holds_write_lock = False

    def _leave_queue(self) -> None:
        if self.holds_write_lock and self.write_lock is not None:
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()


def _configure_sqlite(engine: Engine, lock: threading.Lock | None) -> None:
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
        if isinstance(dbapi_conn, _QueuedWriterConnection):
            dbapi_conn.write_lock = lock

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing with
        # "database is locked" when it upgrades a read lock mid-transaction. DEFERRED (asked for by
        # read-only work, see set_begin_mode) takes no lock: WAL readers never wait for writers.
        mode = _begin_mode.get()
        dbapi_conn = conn.connection.dbapi_connection
        queued = isinstance(dbapi_conn, _QueuedWriterConnection) and dbapi_conn.write_lock is not None
        if mode == "IMMEDIATE" and queued and not dbapi_conn.holds_write_lock:
            # Past the wait, fall through to SQLite's own busy handling rather than fail here.
            dbapi_conn.holds_write_lock = dbapi_conn.write_lock.acquire(timeout=WRITE_QUEUE_WAIT_S)
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            if queued:
                dbapi_conn._leave_queue()
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


@contextmanager
def scratch_database(server_url: str, prefix: str = "heedful_scratch") -> Iterator[str]:
    """Create a fresh, uniquely named PostgreSQL database on the server of `server_url`; drop it afterwards.

    For tests and benchmarks that need real commits across threads or processes without touching the
    shared database they were pointed at.
    """
    import uuid

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
