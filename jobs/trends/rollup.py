"""Stage 2 of a trend build: add day-level cells into period × segment × topic rows, then derive the
figures (NPS, CSAT, means, intervals) and the change against the previous period.

The adding is vectorised (numpy bincount over factorised keys), so a million answers roll up in well
under a second once stage 1 has summed them into cells.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from jobs.trends import stats
from jobs.trends.cells import FIELDS, Cells, F
from jobs.trends.periods import PERIOD_KINDS, period_start
from models.trend import ALL

# (period_type, period_start, segment_type, segment_value, topic): the identity of a trend row.
RowKey = tuple[str, date, str, str, str]
# Segment attributes with these names would collide with the built-in segment types.
RESERVED_SEGMENTS = {"site", "department", ALL}
MAX_SEGMENT_TYPE = 40
MAX_SEGMENT_VALUE = 120


def _factorize(items: Sequence[Hashable | None]) -> tuple[npt.NDArray[np.int64], list[Any]]:
    index: dict[Hashable, int] = {}
    codes = np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        if item is None:
            codes[i] = -1
            continue
        code = index.get(item)
        if code is None:
            code = index[item] = len(index)
        codes[i] = code
    return codes, list(index)


def _segment_dimensions(cells: Cells) -> list[tuple[str, list[str | None]]]:
    n = len(cells)
    dims: list[tuple[str, list[str | None]]] = [(ALL, [ALL] * n)]
    dims.append(("site", [None if s is None else str(s) for s in cells.sites]))
    dims.append(("department", [None if d is None else str(d) for d in cells.departments]))
    parsed: dict[str | None, dict[str, str]] = {}
    for text in set(cells.segments):
        raw = json.loads(text) if text else {}
        parsed[text] = {
            str(k)[:MAX_SEGMENT_TYPE]: str(v)[:MAX_SEGMENT_VALUE]
            for k, v in (raw.items() if isinstance(raw, dict) else [])
            if v not in (None, "") and str(k) not in RESERVED_SEGMENTS
        }
    keys = sorted({k for attrs in parsed.values() for k in attrs})
    for key in keys:
        dims.append((key, [parsed[text].get(key) for text in cells.segments]))
    return dims


def rollup(
    cells: Cells, periods: set[tuple[str, date]] | None = None
) -> tuple[dict[RowKey, npt.NDArray[np.float64]], dict[RowKey, tuple[str, str, int]]]:
    """Sum cells into rows (only `periods` when given). Returns sums and, per row, (model, version, #models)."""
    sums: dict[RowKey, npt.NDArray[np.float64]] = {}
    models: dict[RowKey, tuple[str, str, int]] = {}
    if not len(cells):
        return sums, models
    values = np.asarray(cells.values, dtype=np.float64)
    topic_codes, topic_names = _factorize(cells.topics)
    model_codes, model_names = _factorize(cells.models)
    analyses = values[:, [F["sentiment_negative"], F["sentiment_neutral"], F["sentiment_positive"]]].sum(axis=1)
    day_codes, day_values = _factorize(cells.days)
    n_topics, n_models = len(topic_names), max(len(model_names), 1)
    dims = _segment_dimensions(cells)
    for kind in PERIOD_KINDS:
        starts = [period_start(kind, d) for d in day_values]
        start_of_day, start_values = _factorize(starts)
        start_codes = np.asarray(start_of_day, dtype=np.int64)[day_codes]
        wanted_starts = None
        if periods is not None:
            wanted_starts = np.array([(kind, s) in periods for s in start_values], dtype=bool)
        for seg_type, seg_values in dims:
            seg_codes, seg_names = _factorize(seg_values)
            mask = seg_codes >= 0
            if wanted_starts is not None:
                mask &= wanted_starts[start_codes]
            if not mask.any():
                continue
            combined = (start_codes[mask] * len(seg_names) + seg_codes[mask]) * n_topics + topic_codes[mask]
            groups, inverse = np.unique(combined, return_inverse=True)
            block = np.column_stack(
                [np.bincount(inverse, weights=values[mask, j], minlength=len(groups)) for j in range(len(FIELDS))]
            )
            mcodes = model_codes[mask]
            has_model = mcodes >= 0
            per_model = np.bincount(
                inverse[has_model] * n_models + mcodes[has_model], weights=analyses[mask][has_model],
                minlength=len(groups) * n_models,
            ).reshape(len(groups), n_models)
            for g, code in enumerate(groups.tolist()):
                topic_code = code % n_topics
                rest = code // n_topics
                key: RowKey = (kind, start_values[rest // len(seg_names)], seg_type,
                               seg_names[rest % len(seg_names)], topic_names[topic_code])
                sums[key] = block[g]
                used = per_model[g]
                if used.any():
                    best = int(np.argmax(used))
                    name, version = model_names[best]
                    models[key] = (name, version, int(np.count_nonzero(used)))
    return sums, models


def figures(total: npt.NDArray[np.float64], model: tuple[str, str, int] | None) -> dict[str, Any]:
    """The stored columns of one row, derived from its sums."""
    v = {name: total[i] for i, name in enumerate(FIELDS)}
    ints = ("responses", "comments", "nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied",
            "ces_n", "rating_n", "sentiment_negative", "sentiment_neutral", "sentiment_positive", "urgent")
    row: dict[str, Any] = {name: int(round(v[name])) for name in ints}
    row.update(ces_sum=float(v["ces_sum"]), rating_sum=float(v["rating_sum"]), sentiment_sum=float(v["sentiment_sum"]))
    row["nps"] = row["nps_low"] = row["nps_high"] = None
    if row["nps_n"]:
        est = stats.nps(row["nps_promoters"], row["nps_detractors"], row["nps_n"])
        row.update(nps=est.nps, nps_low=est.low, nps_high=est.high)
    row["csat"] = row["csat_low"] = row["csat_high"] = None
    if row["csat_n"]:
        low, high = stats.wilson(row["csat_satisfied"], row["csat_n"])
        row.update(csat=100.0 * row["csat_satisfied"] / row["csat_n"], csat_low=100.0 * low, csat_high=100.0 * high)
    row["ces_mean"] = row["ces_sum"] / row["ces_n"] if row["ces_n"] else None
    row["rating_mean"] = row["rating_sum"] / row["rating_n"] if row["rating_n"] else None
    n_sent = row["sentiment_negative"] + row["sentiment_neutral"] + row["sentiment_positive"]
    row["sentiment_mean"] = row["sentiment_low"] = row["sentiment_high"] = None
    if n_sent:
        est_mean = stats.mean_ci(n_sent, float(v["sentiment_sum"]), float(v["sentiment_sumsq"]))
        row.update(sentiment_mean=est_mean.mean, sentiment_low=est_mean.low, sentiment_high=est_mean.high)
    row["model_name"] = row["model_version"] = None
    if model is not None:
        name, version, count = model
        row["model_name"] = name[:200]
        # A period scored partly by an older model (backfill not finished) says so.
        row["model_version"] = (version if count == 1 else f"{version} (+{count - 1} older)")[:80]
    return row


def sentiment_n(row: dict[str, Any]) -> int:
    return int(row["sentiment_negative"] + row["sentiment_neutral"] + row["sentiment_positive"])


def change(row: dict[str, Any], prev: dict[str, Any] | None) -> dict[str, Any]:
    """Change against the previous period's row and whether any change is significant (|z| > 1.96)."""
    out: dict[str, Any] = {"nps_change": None, "csat_change": None, "sentiment_change": None,
                           "significant": False}
    if prev is None:
        return out
    z: list[float | None] = []
    if row["nps"] is not None and prev["nps"] is not None:
        out["nps_change"] = row["nps"] - prev["nps"]
        z.append(stats.nps_z(row["nps_promoters"], row["nps_detractors"], row["nps_n"],
                             prev["nps_promoters"], prev["nps_detractors"], prev["nps_n"]))
    if row["csat"] is not None and prev["csat"] is not None:
        out["csat_change"] = row["csat"] - prev["csat"]
        z.append(stats.two_proportion_z(row["csat_satisfied"], row["csat_n"], prev["csat_satisfied"], prev["csat_n"]))
    if row["sentiment_mean"] is not None and prev["sentiment_mean"] is not None:
        out["sentiment_change"] = row["sentiment_mean"] - prev["sentiment_mean"]
        z.append(stats.mean_z(
            row["sentiment_mean"], stats.mean_se(sentiment_n(row), row["sentiment_low"], row["sentiment_high"]),
            prev["sentiment_mean"], stats.mean_se(sentiment_n(prev), prev["sentiment_low"], prev["sentiment_high"]),
        ))
    out["significant"] = any(stats.significant(x) for x in z)
    return out
