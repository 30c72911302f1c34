"""Calendar periods of trends and reports: a day, an ISO week (Monday start) or a calendar month.

A period is identified by its type and its first day. Ends are exclusive. Month arithmetic is done on
(year, month) pairs, never by adding days, and the last period of the calendar ends at `date.max`
instead of overflowing, so any date a user can type gives an answer or a clear ValueError.
"""

from __future__ import annotations

from datetime import date, timedelta

PERIOD_TYPES = ("day", "week", "month")


def period_start(period_type: str, day: date) -> date:
    """The first day of the period of `period_type` that contains `day`."""
    _check(period_type)
    if period_type == "week":
        return day - timedelta(days=day.weekday())  # date.min is a Monday: never underflows
    if period_type == "month":
        return day.replace(day=1)
    return day


def period_end(period_type: str, start: date) -> date:
    """The first day after the period that starts on `start` (exclusive end); date.max for the last one."""
    if period_type == "month":
        if (start.year, start.month) == (date.max.year, date.max.month):
            return date.max
        year, month = divmod(start.year * 12 + start.month, 12)  # month index of the next month, 0-based
        return date(year, month + 1, 1)
    _check(period_type)
    try:
        return start + timedelta(days=7 if period_type == "week" else 1)
    except OverflowError:
        return date.max


def previous_start(period_type: str, start: date) -> date:
    """The first day of the period before the one containing `start`; ValueError before the first one."""
    first = period_start(period_type, start)
    if first == date.min:
        raise ValueError(f"there is no {period_type} before {first.isoformat()}")
    return period_start(period_type, first - timedelta(days=1))


def label(period_type: str, start: date) -> str:
    """How a period is shown: 2025-03-14, 2025-W11 or 2025-03."""
    if period_type == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if period_type == "week":
        iso = start.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    return start.isoformat()


def parse_month(text: str) -> date:
    """`2025-03` → date(2025, 3, 1); ValueError with a clear message otherwise."""
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except (ValueError, TypeError, OverflowError):  # OverflowError: a year such as 99999999999
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM") from None


def touched_periods(days: set[date]) -> set[tuple[str, date]]:
    """Every (type, start) period whose figures change when answers of these days change."""
    return {(kind, period_start(kind, d)) for d in days for kind in PERIOD_TYPES}


def covering_ranges(periods: set[tuple[str, date]]) -> list[tuple[date, date]]:
    """Merged, sorted [start, end) day ranges that together hold exactly the days of `periods`."""
    spans = sorted((start, period_end(kind, start)) for kind, start in periods)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _check(period_type: str) -> None:
    if period_type not in PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}: expected one of {', '.join(PERIOD_TYPES)}")
