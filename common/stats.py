"""The statistics behind a trend row. Formulas are documented in docs/pipeline.md.

Shares use the Wilson score interval; NPS uses the normal interval of a difference of two
multinomial proportions; means use Student's t. Changes between periods are tested with pooled
two-sample z-tests (NPS, CSAT) and a Welch-style z on means (sentiment); |z| > 1.96 is significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from scipy.stats import norm
from scipy.stats import t as student_t

Z95 = float(norm.ppf(0.975))  # 1.95996…


_CANCEL = 1e-9


@cache  # a rebuild asks for the same few df thousands of times; ppf costs ~50 µs each
def t95(df: int) -> float:
    """The two-sided 95% Student t quantile t(0.975, df), exact for every df (it tends to Z95)."""
    if df < 1:
        raise ValueError("t quantile needs at least one degree of freedom")
    return float(student_t.ppf(0.975, df))


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for a proportion, in [0, 1]."""
    if n <= 0:
        raise ValueError("wilson interval needs n > 0")
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # Clamp rounding noise so the interval always contains p (it does mathematically).
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


@dataclass(frozen=True)
class NpsEstimate:
    nps: float  # -100..100
    low: float
    high: float
    se: float  # standard error, NPS points


def nps(promoters: int, detractors: int, n: int) -> NpsEstimate:
    """NPS = 100·(P − D)/n; SE from the multinomial variance Var(p−d) = (p + d − (p − d)²)/n."""
    if n <= 0:
        raise ValueError("NPS needs n > 0")
    p, d = promoters / n, detractors / n
    value = 100.0 * (p - d)
    se = 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return NpsEstimate(value, max(-100.0, value - Z95 * se), min(100.0, value + Z95 * se), se)


@dataclass(frozen=True)
class MeanEstimate:
    mean: float
    low: float | None  # None when n < 2: no spread to estimate
    high: float | None


def mean_ci(n: int, total: float, total_sq: float) -> MeanEstimate:
    """Mean with a 95% t interval from the running sums Σx and Σx²."""
    if n <= 0:
        raise ValueError("a mean needs n > 0")
    mean = total / n
    if n < 2:
        return MeanEstimate(mean, None, None)
    spread = total_sq - n * mean * mean
    # Σx² − n·mean² cancels: equal values leave rounding noise whose size depends on the order the sums
    # were added in (a week summed from stored days or from fresh ones). Noise is not spread: a
    # zero-variance period must stay zero (no interval width, no z test) however it was summed.
    var = spread / (n - 1) if spread > _CANCEL * total_sq else 0.0
    half = t95(n - 1) * math.sqrt(var / n)
    return MeanEstimate(mean, mean - half, mean + half)


def mean_se(n: int, low: float | None, high: float | None) -> float | None:
    """Recover the standard error from a stored t interval (so stored rows can be tested later)."""
    if n < 2 or low is None or high is None:
        return None
    return (high - low) / (2 * t95(n - 1))


def two_proportion_z(k1: int, n1: int, k0: int, n0: int) -> float | None:
    """Pooled two-proportion z statistic of period 1 against period 0 (None when undefined)."""
    if n1 <= 0 or n0 <= 0:
        return None
    pooled = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return None if se == 0 else (k1 / n1 - k0 / n0) / se


def nps_z(prom1: int, det1: int, n1: int, prom0: int, det0: int, n0: int) -> float | None:
    """z for the NPS change, with the multinomial variance pooled under 'no change'."""
    if n1 <= 0 or n0 <= 0:
        return None
    p = (prom1 + prom0) / (n1 + n0)
    d = (det1 + det0) / (n1 + n0)
    var = max(p + d - (p - d) ** 2, 0.0)
    se = math.sqrt(var * (1 / n1 + 1 / n0))
    if se == 0:
        return None
    return ((prom1 - det1) / n1 - (prom0 - det0) / n0) / se


def mean_z(mean1: float, se1: float | None, mean0: float, se0: float | None) -> float | None:
    if se1 is None or se0 is None:
        return None
    se = math.sqrt(se1 * se1 + se0 * se0)
    return None if se == 0 else (mean1 - mean0) / se


def significant(z: float | None) -> bool:
    return z is not None and abs(z) > Z95
