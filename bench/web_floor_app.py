"""The least a submission can cost in Python, as a yardstick for bench/web_load.py's ratio to /livez.

A bare WSGI function, no framework: it parses the same form body, inserts one response row and one row
per answer with the sqlite3 module in one write transaction, and redirects. No CSRF check, no session,
no validation, no rate limit, no page: none of what keeps Heedful's submit correct and safe. Served by
the same gunicorn setup as Heedful on SQLite, next to its own trivial endpoint (/livez, 2 bytes).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

_local = threading.local()


def _conn() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["HEEDFUL_FLOOR_DB"], isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("CREATE TABLE IF NOT EXISTS responses (id INTEGER PRIMARY KEY, survey_id INT, day TEXT)")
        conn.execute("CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, response_id INT, q TEXT, v TEXT)")
        _local.conn = conn
    return conn


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/livez":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qsl(environ["wsgi.input"].read(length).decode())
    conn = _conn()
    conn.execute("BEGIN IMMEDIATE")
    try:
        day = date.today().isoformat()
        rid = conn.execute("INSERT INTO responses (survey_id, day) VALUES (1, ?)", (day,)).lastrowid
        conn.executemany("INSERT INTO answers (response_id, q, v) VALUES (?, ?, ?)",
                         [(rid, k, v) for k, v in form if k.startswith("q-")])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    start_response("302 Found", [("Location", "/thanks"), ("Content-Length", "0")])
    return [b""]
