"""Engine and session factories, with the SQLite settings that hold under concurrent writers."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
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

# Seconds a writer waits in the write queue (WriteQueue) before leaving it to SQLite's busy handler.
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
    """Create an engine; SQLite gets WAL, busy_timeout, foreign keys, BEGIN IMMEDIATE for writers and a
    queue for them shared by every process on the file (WriteQueue)."""
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
_write_locks: dict[str, WriteQueue] = {}
_write_locks_guard = threading.Lock()


class WriteQueue:
    """Writers to one SQLite file queue here instead of in SQLite's busy handler, across threads and processes.

    SQLite's busy handler sleeps in growing steps (up to 100 ms each), so a short write can cost a waiter a
    long sleep: a huge p99 under load. Threads of a process queue on a threading.Lock; the one at the front
    then takes an flock on a file beside the database, which writers in other processes (more web
    workers, the scheduler) take too. The next writer so starts within a fraction of a millisecond of
    the previous commit, and a crashed holder's flock goes with its process.
    """

    # Polling steps while another process holds the file lock: short, a write transaction takes ~1 ms.
    _POLL_S = (0.0002, 0.0005, 0.001, 0.002)

    def __init__(self, database: str) -> None:
        self.path = f"{database}-heedful-write.lock"
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    def acquire(self, timeout: float) -> bool:
        """Take both locks; False (holding neither) when `timeout` seconds pass first."""
        if self._pid != os.getpid():
            # A forked child (an engine made before the fork): the inherited descriptor would share the
            # parent's flock and the thread lock may be held by a parent thread that does not exist here.
            self._pid, self._fd, self._thread_lock = os.getpid(), None, threading.Lock()
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=timeout):
            return False
        try:
            fd = self._file()
            step = 0
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(self._POLL_S[min(step, len(self._POLL_S) - 1)])
                    step += 1
        except OSError:
            pass  # no lock file (read-only folder): SQLite's own locking still holds
        self._thread_lock.release()
        return False

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd


def _write_lock(database: str | None) -> WriteQueue | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # private in-memory databases have no second writer to queue behind
    key = os.path.realpath(database)
    with _write_locks_guard:
        return _write_locks.setdefault(key, WriteQueue(key))


def _forget_locks_after_fork() -> None:
    # A lock held by another thread at fork time would never be released in the child, and an inherited
    # lock file descriptor would share the parent's flock: the child starts its own queues.
    global _write_locks, _write_locks_guard
    _write_locks, _write_locks_guard = {}, threading.Lock()


os.register_at_fork(after_in_child=_forget_locks_after_fork)


class _QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that leaves the write queue (see WriteQueue) when its transaction really ends."""

    write_lock: WriteQueue | None = None
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
