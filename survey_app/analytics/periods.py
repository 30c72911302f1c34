"""Trend periods: a day, an ISO week (Monday start) or a calendar month, identified by its first day."""

from __future__ import annotations

from datetime import date, timedelta

PERIOD_TYPES = ("day", "week", "month")


def period_start(period_type: str, day: date) -> date:
    if period_type == "day":
        return day
    if period_type == "week":
        return day - timedelta(days=day.weekday())  # date.min is a Monday: never overflows
    if period_type == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period type {period_type!r}")


def period_end(period_type: str, start: date) -> date:
    """The first day after the period (exclusive end); date.max for the very last period."""
    try:
        return _period_end(period_type, start)
    except OverflowError:
        return date.max


def _period_end(period_type: str, start: date) -> date:
    if period_type == "day":
        return start + timedelta(days=1)
    if period_type == "week":
        return start + timedelta(days=7)
    if period_type == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    raise ValueError(f"unknown period type {period_type!r}")


def previous_start(period_type: str, start: date) -> date:
    return period_start(period_type, start - timedelta(days=1))


def label(period_type: str, start: date) -> str:
    if period_type == "month":
        return start.strftime("%Y-%m")
    if period_type == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def parse_month(text: str) -> date:
    """`2025-03` → date(2025, 3, 1); ValueError with a clear message otherwise."""
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None
