"""Anonymity thresholds: primary and complementary suppression, attacked with random tables."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from models import Survey
from survey_app.analytics.suppression import Group, suppress
from survey_app.analytics.trends import hidden_ids
from tests.analysts.factories import make_trend
from tests.factories import make_survey

TOTAL = "total"


def _check_group(counts: dict[object, int], members: list[object], total_key: object, hidden: set[object],
                 min_size: int) -> None:
    """What an attacker can compute from a published total is total − visible = the sum over the hidden
    members. That must never isolate one member, and must itself describe at least min_size people."""
    if total_key in hidden:
        return
    hidden_members = [m for m in members if m in hidden]
    if hidden_members:
        assert len(hidden_members) >= 2, "a single hidden cell equals total minus the visible cells"
        assert sum(counts[m] for m in hidden_members) >= min_size


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=10), st.integers(2, 12))
def test_one_dimension_cannot_be_subtracted(members: list[int], min_size: int) -> None:
    counts: dict[object, int] = {f"m{i}": n for i, n in enumerate(members)}
    counts[TOTAL] = sum(members)
    keys = [f"m{i}" for i in range(len(members))]
    hidden = suppress(counts, [Group(TOTAL, tuple(keys))], min_size)
    assert {k for k in keys if counts[k] < min_size} <= hidden  # primary suppression
    assert (TOTAL in hidden) == (counts[TOTAL] < min_size)  # the total is never hidden needlessly
    _check_group(counts, keys, TOTAL, hidden, min_size)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=25), min_size=2, max_size=4), min_size=2, max_size=5),
       st.integers(3, 10))
def test_two_overlapping_dimensions(table: list[list[int]], min_size: int) -> None:
    """Sites (rows) and departments (columns) of one period both add up to the same published total."""
    width = min(len(r) for r in table)
    table = [r[:width] for r in table]
    counts: dict[object, int] = {("site", i): sum(r) for i, r in enumerate(table)}
    counts.update({("dep", j): sum(r[j] for r in table) for j in range(width)})
    counts = {k: v for k, v in counts.items() if v > 0}  # empty segments have no trend row
    counts[TOTAL] = sum(map(sum, table))
    sites = [k for k in counts if isinstance(k, tuple) and k[0] == "site"]
    deps = [k for k in counts if isinstance(k, tuple) and k[0] == "dep"]
    hidden = suppress(counts, [Group(TOTAL, tuple(sites)), Group(TOTAL, tuple(deps))], min_size)
    for group in (sites, deps):
        assert {k for k in group if counts[k] < min_size} <= hidden
        _check_group(counts, group, TOTAL, hidden, min_size)


def test_days_of_a_week_cannot_be_subtracted_from_the_week(db_session: Session) -> None:
    survey: Survey = make_survey(db_session)
    monday = date(2025, 6, 2)
    days = [make_trend(db_session, survey, monday + timedelta(d), period_type="day", responses=n)
            for d, n in enumerate([10, 12, 11, 9, 14, 8, 3])]
    make_trend(db_session, survey, monday, period_type="week", responses=67)
    make_trend(db_session, survey, date(2025, 6, 1), period_type="month", responses=67)
    hidden = hidden_ids(db_session, survey, days)
    assert days[6].id in hidden  # 3 people
    assert days[5].id in hidden  # the next smallest day, or Sunday = week − the other six days
    assert len(hidden) == 2


def test_segment_rows_hide_their_complement(db_session: Session) -> None:
    survey: Survey = make_survey(db_session)
    june = date(2025, 6, 1)
    make_trend(db_session, survey, june, responses=40)
    a = make_trend(db_session, survey, june, segment_type="region", segment_value="north", responses=36)
    b = make_trend(db_session, survey, june, segment_type="region", segment_value="south", responses=4)
    assert hidden_ids(db_session, survey, [a, b]) == {a.id, b.id}
    # With a minimum of 3 the south is large enough and nothing is hidden.
    assert hidden_ids(db_session, survey, [a, b], min_size=3) == set()


def test_people_without_a_segment_value_are_a_cell(db_session: Session) -> None:
    """40 people, 20 in the north, 17 in the south, 3 with no region (public link): showing both regions
    would give those 3 as total − north − south. The smaller region is hidden with them."""
    survey: Survey = make_survey(db_session)
    june = date(2025, 6, 1)
    make_trend(db_session, survey, june, responses=40)
    north = make_trend(db_session, survey, june, segment_type="region", segment_value="north", responses=20)
    south = make_trend(db_session, survey, june, segment_type="region", segment_value="south", responses=17)
    assert hidden_ids(db_session, survey, [north, south]) == {south.id}
    # Once the people without a region are 5 or more, knowing their figures is allowed.
    make_trend(db_session, survey, date(2025, 7, 1), responses=42)
    july = [make_trend(db_session, survey, date(2025, 7, 1), segment_type="region", segment_value=v, responses=n)
            for v, n in (("north", 20), ("south", 17))]
    assert hidden_ids(db_session, survey, july) == set()


def test_days_without_a_segment_value_cannot_be_subtracted_from_the_week(db_session: Session) -> None:
    """The remainder of each day adds up to the week's remainder, like any segment value."""
    survey: Survey = make_survey(db_session)
    monday = date(2025, 6, 2)
    rows = []
    for d in range(7):
        day = monday + timedelta(d)
        make_trend(db_session, survey, day, period_type="day", responses=30 if d else 32)
        rows.append(make_trend(db_session, survey, day, period_type="day", segment_type="channel",
                               segment_value="web", responses=30))
    make_trend(db_session, survey, monday, period_type="week", responses=212)
    week_web = make_trend(db_session, survey, monday, period_type="week", segment_type="channel",
                          segment_value="web", responses=210)
    # Monday's 2 people without a channel are Monday's total − Monday's web row, and the week's too: both
    # web rows are hidden (then Monday's cannot come back as the week's web row minus the other six).
    assert hidden_ids(db_session, survey, [*rows, week_web]) == {rows[0].id, week_web.id}
