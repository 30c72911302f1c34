"""The SQLite write queue: writers to one database file wait their turn here, across threads and processes.

`models.db.make_engine` gives SQLite engines connections of `QueuedWriterConnection`; its "begin" hook
takes the queue before `BEGIN IMMEDIATE`, and the connection leaves it when the transaction really ends.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

# Seconds a writer waits in the write queue (WriteQueue) before leaving it to SQLite's busy handler.
WRITE_QUEUE_WAIT_S = 5.0

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


def write_queue_for(database: str | None) -> WriteQueue | None:
    """The queue of this SQLite file (one per file in this process); None for a private in-memory database."""
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


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that leaves the write queue (see WriteQueue) when its transaction really ends."""

    write_lock: WriteQueue | None = None
    holds_write_lock = False

    def enter_queue(self) -> None:
        """Wait for this file's write queue; past WRITE_QUEUE_WAIT_S, SQLite's own busy handling takes over."""
        if self.write_lock is not None and not self.holds_write_lock:
            self.holds_write_lock = self.write_lock.acquire(timeout=WRITE_QUEUE_WAIT_S)

    def leave_queue(self) -> None:
        if self.holds_write_lock and self.write_lock is not None:
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_queue()
