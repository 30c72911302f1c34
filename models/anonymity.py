"""Worker reports are anonymous by construction: what they leave in the database cannot be placed in time.

Two rules hold for every row that exists because of a worker report (its response, answers, analyses,
topic tags, alerts, and the trend rows and themes of a worker survey):

- No time finer than the day: a datetime column holds midnight UTC of the day (`day_stamp`).
- No order against other rows: the id is drawn at random (`unused_anonymous_ids`), never from the
  table's sequence, which customer rows (with exact times) share. A sequence id would pin a report
  between the customer rows inserted just before and after it.

Anonymous ids are negative, so they never sort between customer ids (positive, from the sequence) and
never move the sequence itself: PostgreSQL sequences ignore explicit ids, and the SQLite tables that
hold them are declared AUTOINCREMENT, whose next id follows the largest *positive* id ever used (a
plain rowid table continues from the largest id, even when every id is negative). They fit the 32-bit
INTEGER id columns, so a draw can meet a taken id: it is checked and drawn again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

ANONYMOUS_ID_SPAN = 2**31 - 1
_CHECK_CHUNK = 5000  # ids per look-up, well under SQLite's limit on bound parameters


def anonymous_id() -> int:
    """A random id in [-(2**31 - 1), -1]: it carries no order and never meets a sequence id."""
    return -(secrets.randbelow(ANONYMOUS_ID_SPAN) + 1)


def anonymous_ids(n: int) -> list[int]:
    """`n` distinct anonymous ids."""
    ids: set[int] = set()
    while len(ids) < n:
        ids.add(anonymous_id())
    return list(ids)


def unused_anonymous_ids(session: Session | Connection, id_column: Any, n: int) -> list[int]:
    """`n` distinct anonymous ids not yet taken in `id_column`'s table (drawn again where one is)."""
    ids = set(anonymous_ids(n))
    seen_taken: set[int] = set()
    for _ in range(20):
        taken: set[int] = set()
        pending = list(ids)
        for start in range(0, len(pending), _CHECK_CHUNK):
            chunk = pending[start : start + _CHECK_CHUNK]
            taken.update(session.scalars(select(id_column).where(id_column.in_(chunk))))
        if not taken:
            return list(ids)
        seen_taken |= taken
        ids -= taken
        while len(ids) < n:
            candidate = anonymous_id()
            if candidate not in seen_taken:
                ids.add(candidate)
    raise RuntimeError(f"could not draw {n} unused anonymous ids for {id_column}")  # a table near 2**31 rows


def day_stamp(moment: datetime) -> datetime:
    """Midnight UTC of the day `moment` falls on: the only time a row of a worker report may hold."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


def is_day_stamp(moment: datetime) -> bool:
    return moment.astimezone(UTC).time() == time()
