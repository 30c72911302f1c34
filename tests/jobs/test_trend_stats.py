"""The trend statistics: known values, and properties that must hold for any counts (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common import stats


def test_known_values() -> None:
    est = stats.nps(50, 20, 100)
    assert est.nps == pytest.approx(30.0)
    assert est.se == pytest.approx(100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100))
    assert (est.low, est.high) == pytest.approx((30 - 1.96 * est.se, 30 + 1.96 * est.se), abs=0.01)
    assert stats.wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    m = stats.mean_ci(3, 6.0, 14.0)  # 1, 2, 3
    assert (m.mean, m.low, m.high) == pytest.approx((2.0, 2 - 4.3026527 / math.sqrt(3), 2 + 4.3026527 / math.sqrt(3)))
    assert stats.mean_ci(1, 0.5, 0.25).low is None


@given(st.integers(1, 5000).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, n)).flatmap(
        lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.integers(0, t[0] - t[1])))))
def test_nps_in_range_and_ci_contains_it(counts: tuple[int, int, int]) -> None:
    n, promoters, detractors = counts
    est = stats.nps(promoters, detractors, n)
    assert -100.0 <= est.low <= est.nps <= est.high <= 100.0


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_wilson_contains_the_share(counts: tuple[int, int]) -> None:
    n, k = counts
    low, high = stats.wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=200))
def test_mean_ci_contains_the_mean(xs: list[float]) -> None:
    est = stats.mean_ci(len(xs), sum(xs), sum(x * x for x in xs))
    assert est.mean == pytest.approx(sum(xs) / len(xs))
    if len(xs) >= 2:
        assert est.low is not None and est.high is not None
        assert est.low <= est.mean <= est.high
        se = stats.mean_se(len(xs), est.low, est.high)
        assert se is not None and se >= 0


def test_z_tests_flag_big_changes_only() -> None:
    assert stats.significant(stats.nps_z(0, 30, 30, 30, 0, 30))  # all detractors after all promoters
    assert not stats.significant(stats.nps_z(5, 3, 10, 4, 3, 10))
    assert stats.two_proportion_z(10, 100, 50, 100) is not None
    assert stats.significant(stats.two_proportion_z(10, 100, 50, 100))
    assert stats.nps_z(1, 0, 1, 1, 0, 1) is None  # no variance at all: no test
    assert not stats.significant(None)


def test_t_quantiles_are_students() -> None:
    # Published two-sided 95% values; beyond the old 30-row table the quantile keeps shrinking to z.
    assert [round(stats.t95(df), 3) for df in (1, 2, 10, 30, 60, 120)] == [12.706, 4.303, 2.228, 2.042, 2.0, 1.98]
    assert stats.t95(100_000) == pytest.approx(stats.Z95, abs=1e-4) and stats.Z95 == pytest.approx(1.959964)
    with pytest.raises(ValueError, match="degree of freedom"):
        stats.t95(0)
