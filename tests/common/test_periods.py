"""Calendar periods: starts, exclusive ends, the period before, labels, and the ends of the calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.periods import (
    PERIOD_TYPES,
    covering_ranges,
    label,
    parse_month,
    period_end,
    period_start,
    previous_start,
    touched_periods,
)


@pytest.mark.parametrize(
    ("period_type", "day", "start", "end"),
    [
        ("day", date(2025, 3, 14), date(2025, 3, 14), date(2025, 3, 15)),
        ("week", date(2025, 3, 14), date(2025, 3, 10), date(2025, 3, 17)),  # a Friday: week from Monday
        ("week", date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 17)),
        ("week", date(2025, 1, 1), date(2024, 12, 30), date(2025, 1, 6)),  # ISO week across the year
        ("month", date(2025, 3, 14), date(2025, 3, 1), date(2025, 4, 1)),
        ("month", date(2024, 2, 29), date(2024, 2, 1), date(2024, 3, 1)),
        ("month", date(2025, 12, 31), date(2025, 12, 1), date(2026, 1, 1)),  # December rolls the year
    ],
)
def test_start_and_exclusive_end(period_type: str, day: date, start: date, end: date) -> None:
    assert period_start(period_type, day) == start
    assert period_end(period_type, start) == end


@pytest.mark.parametrize(
    ("period_type", "start", "before"),
    [
        ("day", date(2025, 3, 1), date(2025, 2, 28)),
        ("week", date(2025, 1, 6), date(2024, 12, 30)),
        ("month", date(2025, 1, 1), date(2024, 12, 1)),
        ("month", date(2025, 3, 31), date(2025, 2, 1)),  # any day of the month, not only its first
    ],
)
def test_previous_start(period_type: str, start: date, before: date) -> None:
    assert previous_start(period_type, start) == before


def test_the_ends_of_the_calendar_give_an_answer_or_a_clear_error() -> None:
    assert period_end("month", date(9999, 12, 1)) == date.max
    assert period_end("week", date(9999, 12, 27)) == date.max
    assert period_end("day", date.max) == date.max
    assert period_end("month", date(9999, 11, 1)) == date(9999, 12, 1)
    assert period_start("week", date.min) == date.min  # 0001-01-01 is a Monday
    for period_type in PERIOD_TYPES:
        with pytest.raises(ValueError, match="there is no .* before 0001-01-01"):
            previous_start(period_type, date.min)


def test_unknown_period_type_is_refused() -> None:
    for call in (lambda: period_start("year", date(2025, 1, 1)), lambda: period_end("year", date(2025, 1, 1))):
        with pytest.raises(ValueError, match="unknown period type 'year'"):
            call()


@given(st.sampled_from(PERIOD_TYPES), st.dates(min_value=date(1, 2, 1), max_value=date(9999, 11, 30)))
def test_periods_tile_the_calendar(period_type: str, day: date) -> None:
    start = period_start(period_type, day)
    end = period_end(period_type, start)
    assert start <= day < end
    assert period_start(period_type, end) == end  # the next period starts where this one ends
    assert period_end(period_type, previous_start(period_type, start)) == start
    assert period_start(period_type, end - timedelta(days=1)) == start


def test_labels_and_months() -> None:
    assert label("day", date(2025, 3, 14)) == "2025-03-14"
    assert label("week", date(2024, 12, 30)) == "2025-W01"
    assert label("month", date(2025, 3, 1)) == "2025-03"
    assert label("month", date(987, 3, 1)) == "0987-03"
    assert parse_month("2025-03") == date(2025, 3, 1)
    assert parse_month(label("month", date(987, 3, 1))) == date(987, 3, 1)
    for bad in ("2025-13", "2025", "March", "2025-03-01", ""):
        with pytest.raises(ValueError, match="is not a month in the form YYYY-MM"):
            parse_month(bad)


def test_touched_periods_and_the_day_ranges_that_cover_them() -> None:
    days = {date(2025, 3, 31), date(2025, 4, 1)}
    touched = touched_periods(days)
    assert touched == {("day", date(2025, 3, 31)), ("day", date(2025, 4, 1)), ("week", date(2025, 3, 31)),
                       ("month", date(2025, 3, 1)), ("month", date(2025, 4, 1))}
    # Adjacent and overlapping spans merge into one range: March and April back to back.
    assert covering_ranges(touched) == [(date(2025, 3, 1), date(2025, 5, 1))]
    assert covering_ranges({("day", date(2025, 1, 1)), ("day", date(2025, 1, 3))}) == [
        (date(2025, 1, 1), date(2025, 1, 2)), (date(2025, 1, 3), date(2025, 1, 4))]
    assert covering_ranges(set()) == []
