"""Alerts raised by the pipeline: urgent worker reports and significant drops. Deduplicated by key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Alert(Base):
    """An urgent-report alert takes an anonymous id and the day as its times (models.anonymity)."""

    __tablename__ = "alerts"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # urgent_report | nps_drop | sentiment_drop
    # "notify once, not every run": the same key never raises a second alert.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    email_status: Mapped[str] = mapped_column(String(20), default="pending")
    webhook_status: Mapped[str] = mapped_column(String(20), default="pending")
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]


def urgent_alert_key(answer_id: int) -> str:
    """The dedup key of the alert for one urgent answer, shared by the pipeline and the acknowledge view."""
    return f"urgent:{answer_id}"
