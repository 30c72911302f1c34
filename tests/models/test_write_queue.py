"""SQLite writers queue on models.write_queue.WriteQueue: a thread lock per process, a file lock across processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlalchemy import text

from models.db import make_engine
from models.write_queue import WriteQueue


def _hold(database: str, ready: multiprocessing.Event, seconds: float) -> None:  # type: ignore[valid-type]
    q = WriteQueue(database)
    assert q.acquire(timeout=5)
    ready.set()
    time.sleep(seconds)
    q.release()


def _holder(db: str, seconds: float) -> BaseProcess:
    """A spawned process that holds the queue for `seconds`; returned once it holds it."""
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(db, ready, seconds))
    holder.start()
    assert ready.wait(30)
    return holder


def test_a_writer_in_another_process_waits_for_the_holder(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    holder = _holder(db, 0.6)
    q = WriteQueue(db)
    assert q.acquire(timeout=0.1) is False  # still held over there: gives up, holding nothing
    assert q._thread_lock.acquire(blocking=False)  # the thread lock was let go too
    q._thread_lock.release()
    started = time.monotonic()
    assert q.acquire(timeout=10)  # the holder lets go after 0.6 s
    waited = time.monotonic() - started
    q.release()
    holder.join(10)
    assert holder.exitcode == 0
    assert 0.2 < waited < 5


def test_a_dead_holder_frees_the_queue(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    holder = _holder(db, 60)
    holder.kill()  # SIGKILL while holding: the kernel drops its flock with the process
    holder.join(10)
    q = WriteQueue(db)
    assert q.acquire(timeout=5)
    q.release()


def test_a_forked_child_starts_its_own_queue(tmp_path: Path) -> None:
    q = WriteQueue(str(tmp_path / "h.db"))
    assert q.acquire(timeout=1)  # held by this process when it forks
    pid = os.fork()
    if pid == 0:
        # The child's copy of the thread lock is held and would never be released here; its inherited
        # descriptor would share the parent's flock. A fresh queue waits for the parent instead.
        started = time.monotonic()
        ok = q.acquire(timeout=5)
        os._exit(0 if ok and time.monotonic() - started > 0.2 else 1)
    time.sleep(0.4)
    q.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_engine_writes_go_through_the_queue(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    assert (tmp_path / "h.db-heedful-write.lock").exists()
