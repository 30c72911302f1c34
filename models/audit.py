"""Append-only audit log of who did what (sign-ins, exports, edits, actions, privacy requests, comment views).

An entry names the actor, the action, its target and what it amounted to (counts, old and new values);
it never copies the data acted on: an erasure's entry must not keep the address or text it erased.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.anonymity import day_stamp, unused_anonymous_ids
from models.base import Base, utcnow


class AuditEntry(Base):
    """Entries about a worker report (acknowledging it) take an anonymous id and the day (models.anonymity):
    officers act within minutes of the alert, so the entry's time or place among others would date it."""

    __tablename__ = "audit_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who acted when it was no signed-in user: "cli:<os user>" for the command line, "scheduler" for a job.
    actor_name: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


def record_audit(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    actor_name: str | None = None,
    target_type: str | None = None,
    target_id: str | int | None = None,
    worker_data: bool = False,
    **detail: Any,
) -> AuditEntry:
    """Add one audit entry to the session (the caller's transaction commits it with the work it records).

    `detail` holds what the action amounted to: counts, filters, old and new values; never personal data.
    `worker_data`: the entry names worker reports (their analysis ids, say), so it keeps the day only and
    takes an anonymous id (models.anonymity): two entries' times must not bracket when a report came in.
    """
    extra: dict[str, Any] = {}
    if worker_data:
        extra = {"id": unused_anonymous_ids(session, AuditEntry.id, 1)[0], "at": day_stamp(utcnow())}
    entry = AuditEntry(
        **extra,
        actor_id=actor_id,
        actor_name=actor_name[:120] if actor_name else None,
        action=action[:60],
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:60],
        detail=detail,
    )
    session.add(entry)
    return entry
