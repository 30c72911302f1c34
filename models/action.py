"""Closing the loop: corrective actions, customer complaint cases and measurable objectives."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.user import User

ACTION_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")

# Anonymous reports an action answers, so a reporter can follow it with the receipt code.
action_reports = Table(
    "action_reports",
    Base.metadata,
    Column("action_id", ForeignKey("corrective_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("response_id", ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True),
)


class CorrectiveAction(Base):
    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # What prompted it: topic | alert | comment | report | objective
    source_type: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(120))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="open")
    effectiveness_check: Mapped[str | None] = mapped_column(Text)
    effective: Mapped[bool | None]
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    # What workers see on "you said, we did" and with their receipt code.
    public_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship()


class Complaint(Base):
    """A case opened from a negative customer answer whose author consented to be contacted."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | resolved | closed
    response_due: Mapped[date]
    resolution: Mapped[str | None] = mapped_column(Text)
    customer_contacted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class Objective(Base):
    """A measurable target (ISO 9001 §6.2) drawn on trend charts, e.g. NPS ≥ 40 by June."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(30))  # nps | csat | ces_mean | sentiment_mean | responses
    comparator: Mapped[str] = mapped_column(String(2), default=">=")
    target: Mapped[float] = mapped_column(Float)
    period_type: Mapped[str] = mapped_column(String(5), default="month")
    segment_type: Mapped[str] = mapped_column(String(40), default="*")
    segment_value: Mapped[str] = mapped_column(String(120), default="*")
    topic: Mapped[str] = mapped_column(String(120), default="*")
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
