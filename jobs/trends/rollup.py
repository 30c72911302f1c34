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
from jobs.trends.cells import Cells, F
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


def _segment_dimensions(cells: Cells) -> list[tuple[str, npt.NDArray[np.int64], list[Any]]]:
    """(segment type, per-response value code (-1 = not in this segment), value names)."""
    n = len(cells.resp_day)
    dims: list[tuple[str, npt.NDArray[np.int64], list[Any]]] = [(ALL, np.zeros(n, dtype=np.int64), [ALL])]
    for seg_type, ids in (("site", cells.resp_site), ("department", cells.resp_department)):
        values, inverse = np.unique(ids, return_inverse=True)
        names = [str(v) for v in values.tolist()]
        codes = inverse.astype(np.int64)
        if values.size and values[0] == -1:  # no site/department: not part of that segment type
            codes = codes - 1
            names = names[1:]
        dims.append((seg_type, codes, names))
    parsed: list[dict[str, str]] = []
    for text in cells.segments:
        raw = json.loads(text) if text else {}
        parsed.append({
            str(k)[:MAX_SEGMENT_TYPE]: str(v)[:MAX_SEGMENT_VALUE]
            for k, v in (raw.items() if isinstance(raw, dict) else [])
            if v not in (None, "") and str(k) not in RESERVED_SEGMENTS
        })
    for key in sorted({k for attrs in parsed for k in attrs}):
        per_segment, names = _factorize([attrs.get(key) for attrs in parsed])
        dims.append((key, per_segment[cells.resp_segment], names))
    return dims


def _group_sum(
    keys: npt.NDArray[np.int64], values: npt.NDArray[np.float64], per_model: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Sum rows of `values` and `per_model` that share a key (keys come back sorted)."""
    groups, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.ravel()
    n = len(groups)
    summed = np.column_stack(
        [np.bincount(inverse, weights=values[:, j], minlength=n) for j in range(values.shape[1])]
    ).astype(np.float64, copy=False)
    models = np.column_stack(
        [np.bincount(inverse, weights=per_model[:, j], minlength=n) for j in range(per_model.shape[1])]
    ).astype(np.float64, copy=False)
    return groups, summed, models


def rollup(
    cells: Cells, periods: set[tuple[str, date]] | None = None
) -> tuple[dict[RowKey, list[float]], dict[RowKey, tuple[str, str, int]]]:
    """Sum cells into rows (only `periods` when given). Returns sums and, per row, (model, version, #models).

    Cells are first summed per day × segment × topic; weeks and months are then summed from those
    day groups, which are far fewer than cells.
    """
    sums: dict[RowKey, list[float]] = {}
    models: dict[RowKey, tuple[str, str, int]] = {}
    if not len(cells):
        return sums, models
    values = cells.values
    n_topics, n_models, n_days = len(cells.topics), max(len(cells.models), 1), len(cells.days)
    analyses = values[:, [F["sentiment_negative"], F["sentiment_neutral"], F["sentiment_positive"]]].sum(axis=1)
    # Analyses per model as extra columns, so they are summed like any other figure.
    cell_models = np.zeros((len(cells), n_models))
    has_model = cells.model >= 0
    cell_models[np.nonzero(has_model)[0], cells.model[has_model]] = analyses[has_model]
    cell_day = cells.resp_day[cells.resp_index]
    starts = {kind: _factorize([period_start(kind, d) for d in cells.days]) for kind in PERIOD_KINDS}
    for seg_type, resp_codes, seg_names in _segment_dimensions(cells):
        seg_codes = resp_codes[cells.resp_index]
        mask = seg_codes >= 0
        if not mask.any():
            continue
        day_keys = (seg_codes[mask] * n_topics + cells.topic[mask]) * n_days + cell_day[mask]
        day_groups, day_values, day_models = _group_sum(day_keys, values[mask], cell_models[mask])
        g_rest, g_day = np.divmod(day_groups, n_days)
        for kind in PERIOD_KINDS:
            start_of_day, start_values = starts[kind]
            if kind == "day":
                groups, block, per_model, n_starts = day_groups, day_values, day_models, n_days
            else:
                n_starts = len(start_values)
                groups, block, per_model = _group_sum(g_rest * n_starts + start_of_day[g_day], day_values, day_models)
            rest, start_codes = np.divmod(groups, n_starts)
            seg_of, topic_of = np.divmod(rest, n_topics)
            start_list = start_codes.tolist() if kind != "day" else None
            block_rows = block.tolist()
            best = per_model.argmax(axis=1).tolist()
            used = np.count_nonzero(per_model > 0, axis=1).tolist()
            for g, (seg_code, topic_code) in enumerate(zip(seg_of.tolist(), topic_of.tolist(), strict=True)):
                start = cells.days[start_codes[g]] if start_list is None else start_values[start_list[g]]
                if periods is not None and (kind, start) not in periods:
                    continue
                key: RowKey = (kind, start, seg_type, seg_names[seg_code], cells.topics[topic_code])
                sums[key] = block_rows[g]
                if used[g]:
                    name, version = cells.models[best[g]]
                    models[key] = (name, version, used[g])
    return sums, models


_INTS = ("responses", "comments", "nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied",
         "ces_n", "rating_n", "sentiment_negative", "sentiment_neutral", "sentiment_positive", "urgent")
_INT_INDEX = tuple((name, F[name]) for name in _INTS)


def figures(total: Sequence[float], model: tuple[str, str, int] | None) -> dict[str, Any]:
    """The stored columns of one row, derived from its sums (a plain list: numpy scalars are slow here)."""
    row: dict[str, Any] = {name: int(total[i] + 0.5) for name, i in _INT_INDEX}
    ces_sum, rating_sum = float(total[F["ces_sum"]]), float(total[F["rating_sum"]])
    sentiment_sum = float(total[F["sentiment_sum"]])
    row["ces_sum"], row["rating_sum"], row["sentiment_sum"] = ces_sum, rating_sum, sentiment_sum
    row["nps"] = row["nps_low"] = row["nps_high"] = None
    if row["nps_n"]:
        est = stats.nps(row["nps_promoters"], row["nps_detractors"], row["nps_n"])
        row["nps"], row["nps_low"], row["nps_high"] = est.nps, est.low, est.high
    row["csat"] = row["csat_low"] = row["csat_high"] = None
    if row["csat_n"]:
        low, high = stats.wilson(row["csat_satisfied"], row["csat_n"])
        row["csat"] = 100.0 * row["csat_satisfied"] / row["csat_n"]
        row["csat_low"], row["csat_high"] = 100.0 * low, 100.0 * high
    row["ces_mean"] = ces_sum / row["ces_n"] if row["ces_n"] else None
    row["rating_mean"] = rating_sum / row["rating_n"] if row["rating_n"] else None
    n_sent = row["sentiment_negative"] + row["sentiment_neutral"] + row["sentiment_positive"]
    row["sentiment_mean"] = row["sentiment_low"] = row["sentiment_high"] = None
    if n_sent:
        est_mean = stats.mean_ci(n_sent, sentiment_sum, float(total[F["sentiment_sumsq"]]))
        row["sentiment_mean"], row["sentiment_low"], row["sentiment_high"] = est_mean.mean, est_mean.low, est_mean.high
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
