"""A named lease row that lets exactly one scheduler run; renewed by a heartbeat, expires if it dies.

Acquire is one conditional UPDATE (take it over when expired or already ours) or, when no row exists
yet, an INSERT … ON CONFLICT DO NOTHING: both are atomic on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.pipeline import SchedulerLease


class LeaseRefused(RuntimeError):
    """Another live process holds the lease; the message says who and until when."""


def acquire(session: Session, name: str, holder: str, ttl: timedelta, now: datetime) -> None:
    """Take the lease or raise LeaseRefused naming the holder."""
    taken = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.expires_at < now, SchedulerLease.holder == holder))
        .values(holder=holder, expires_at=now + ttl)
        .returning(SchedulerLease.name)
    ).first()
    if taken:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(SchedulerLease).values(name=name, holder=holder, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["name"]).returning(SchedulerLease.name)
    ).first()
    if inserted:
        return
    current = session.scalars(select(SchedulerLease).where(SchedulerLease.name == name)).first()
    who = f"{current.holder} until {current.expires_at.isoformat(timespec='seconds')}" if current else "another process"
    raise LeaseRefused(
        f"another {name} is already running ({who}); only one may run per database — stop it first, "
        "or wait for its lease to expire if it died"
    )


def renew(session: Session, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Extend our lease; False when it is no longer ours (we were too slow and someone took it over)."""
    row = session.execute(
        update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=now + ttl).returning(SchedulerLease.name)
    ).first()
    return row is not None


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder))


def delete_expired(session: Session, now: datetime) -> int:
    rows = session.execute(
        delete(SchedulerLease).where(SchedulerLease.expires_at < now).returning(SchedulerLease.name)
    ).all()
    return len(rows)
