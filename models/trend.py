"""Trend tables: one row per period × survey × segment × topic, recomputed incrementally."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

PERIOD_TYPES = ("day", "week", "month")
ALL = "*"  # segment_type/segment_value/topic value meaning "everything"
# Invitation attributes that name a person rather than a group. They are kept for contact and for a
# person's data requests, but are never a segment: no trend rows, no filter, no comment cell.
IDENTIFIER_ATTRIBUTES = frozenset({"email", "name", "first_name", "last_name", "full_name", "phone"})
IDENTIFIER_SUFFIXES = ("_id", "_email", "_name", "_phone")


def is_identifier(attribute: str) -> bool:
    """Whether an invitation attribute identifies a person (customer_id, email, ...)."""
    name = attribute.lower()
    return name in IDENTIFIER_ATTRIBUTES or name.endswith(IDENTIFIER_SUFFIXES)


class TrendRow(Base):
    """Rows of a worker survey take anonymous ids and the day as `computed_at` (models.anonymity): a row
    first written by the refresh after a report would otherwise date that report to the refresh."""

    __tablename__ = "trend_rows"
    __table_args__ = (
        UniqueConstraint("period_type", "period_start", "survey_id", "segment_type", "segment_value", "topic"),
        Index("ix_trend_rows_lookup", "survey_id", "period_type", "segment_type", "topic"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_type: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date]
    survey_id: Mapped[int]
    segment_type: Mapped[str] = mapped_column(String(40), default=ALL)
    segment_value: Mapped[str] = mapped_column(String(120), default=ALL)
    topic: Mapped[str] = mapped_column(String(120), default=ALL)

    responses: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)
    # NPS: denominator = responses that answered the NPS question (skips excluded).
    nps_n: Mapped[int] = mapped_column(default=0)
    nps_promoters: Mapped[int] = mapped_column(default=0)
    nps_detractors: Mapped[int] = mapped_column(default=0)
    nps: Mapped[float | None] = mapped_column(Float)
    nps_low: Mapped[float | None] = mapped_column(Float)
    nps_high: Mapped[float | None] = mapped_column(Float)
    csat_n: Mapped[int] = mapped_column(default=0)
    csat_satisfied: Mapped[int] = mapped_column(default=0)
    csat: Mapped[float | None] = mapped_column(Float)
    csat_low: Mapped[float | None] = mapped_column(Float)
    csat_high: Mapped[float | None] = mapped_column(Float)
    ces_n: Mapped[int] = mapped_column(default=0)
    ces_sum: Mapped[float] = mapped_column(Float, default=0.0)
    ces_sumsq: Mapped[float] = mapped_column(Float, default=0.0)
    ces_mean: Mapped[float | None] = mapped_column(Float)
    ces_low: Mapped[float | None] = mapped_column(Float)
    ces_high: Mapped[float | None] = mapped_column(Float)
    rating_n: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[float] = mapped_column(Float, default=0.0)
    rating_sumsq: Mapped[float] = mapped_column(Float, default=0.0)
    rating_mean: Mapped[float | None] = mapped_column(Float)
    rating_low: Mapped[float | None] = mapped_column(Float)
    rating_high: Mapped[float | None] = mapped_column(Float)
    sentiment_negative: Mapped[int] = mapped_column(default=0)
    sentiment_neutral: Mapped[int] = mapped_column(default=0)
    sentiment_positive: Mapped[int] = mapped_column(default=0)
    sentiment_sum: Mapped[float] = mapped_column(Float, default=0.0)
    # Σx² next to Σx: weeks and months are summed from day rows, and their intervals need both.
    sentiment_sumsq: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment_mean: Mapped[float | None] = mapped_column(Float)
    sentiment_low: Mapped[float | None] = mapped_column(Float)
    sentiment_high: Mapped[float | None] = mapped_column(Float)
    urgent: Mapped[int] = mapped_column(default=0)
    # Change versus the previous period of the same type, and whether it is statistically significant.
    nps_change: Mapped[float | None] = mapped_column(Float)
    csat_change: Mapped[float | None] = mapped_column(Float)
    sentiment_change: Mapped[float | None] = mapped_column(Float)
    significant: Mapped[bool] = mapped_column(default=False)
    model_name: Mapped[str | None] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(80))
    # Analyses behind the row per model, [[name, version, count], ...]: lets a week or month attribute
    # its model from its day rows alone.
    model_counts: Mapped[list[Any] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrendDirty(Base):
    """A (survey, day) whose trend periods must be recomputed; consumed by the trend refresh job.

    No time of marking: a worker's submit marks its day, so the time would be the time of the report.
    """

    __tablename__ = "trend_dirty"

    survey_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
