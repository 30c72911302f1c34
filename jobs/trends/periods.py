"""Calendar periods of a trend row: the day, the ISO week (starting Monday) and the month."""

from __future__ import annotations

from datetime import date, timedelta

PERIOD_KINDS = ("day", "week", "month")


def period_start(kind: str, day: date) -> date:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def next_start(kind: str, start: date) -> date:
    if kind == "day":
        return start + timedelta(days=1)
    if kind == "week":
        return start + timedelta(days=7)
    if kind == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def previous_start(kind: str, start: date) -> date:
    if kind == "month":
        return (start - timedelta(days=1)).replace(day=1)
    return start - timedelta(days=1 if kind == "day" else 7)


def touched_periods(days: set[date]) -> set[tuple[str, date]]:
    """Every period whose figures change when answers of these days change."""
    return {(kind, period_start(kind, d)) for d in days for kind in PERIOD_KINDS}


def covering_ranges(periods: set[tuple[str, date]]) -> list[tuple[date, date]]:
    """Merged [start, end) day ranges whose answers are needed to recompute the periods."""
    spans = sorted((start, next_start(kind, start)) for kind, start in periods)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
