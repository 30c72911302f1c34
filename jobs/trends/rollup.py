"""Stage 2 of a trend build: add cells into day × segment × topic rows, sum day rows into weeks and
months, then derive the figures (NPS, CSAT, means, intervals) and the change against the previous period.

Weeks and months are always sums of day rows: a rebuild sums the day rows it has just computed, a
refresh the recomputed days plus the other days' rows read back from the table, so folding new
answers into a month reads one day of answers, not the month's. The adding is vectorised (numpy
bincount over factorised keys).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from common import stats
from common.periods import period_start
from jobs.trends.cells import FIELDS, Cells, F, FloatArray
from models.trend import ALL, is_identifier

# (period_type, period_start, segment_type, segment_value, topic): the identity of a trend row.
RowKey = tuple[str, date, str, str, str]
# Segment attributes with these names would collide with the built-in segment types. Attributes that
# name a person (customer_id, email) are no segment either: every row would describe one person.
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
            if v not in (None, "") and str(k) not in RESERVED_SEGMENTS and not is_identifier(str(k))
        })
    for key in sorted({k for attrs in parsed for k in attrs}):
        per_segment, names = _factorize([attrs.get(key) for attrs in parsed])
        dims.append((key, per_segment[cells.resp_segment], names))
    return dims


@dataclass
class Block:
    """Summed trend rows: identity, sums in FIELDS order and analyses per model (columns follow `models`)."""

    keys: list[RowKey]
    values: FloatArray  # (rows, len(FIELDS))
    per_model: FloatArray  # (rows, len(models))
    models: list[tuple[str, str]]

    def __len__(self) -> int:
        return len(self.keys)


def _block(keys: list[RowKey], values: FloatArray, per_model: FloatArray, models: list[tuple[str, str]]) -> Block:
    # Models in one canonical order (newest-looking version first), so the model of a row with tied
    # counts does not depend on the order analyses were read in: a refresh and a rebuild agree.
    order = sorted(range(len(models)), key=lambda j: (models[j][1], models[j][0]), reverse=True)
    return Block(keys, values, per_model[:, order], [models[j] for j in order])


def empty_block() -> Block:
    return Block([], np.zeros((0, len(FIELDS))), np.zeros((0, 0)), [])


def _sum_by(inverse: npt.NDArray[np.int64], n: int, matrix: FloatArray) -> FloatArray:
    out = np.zeros((n, matrix.shape[1]))
    for j in range(matrix.shape[1]):
        out[:, j] = np.bincount(inverse, weights=matrix[:, j], minlength=n)
    return out


def day_rows(cells: Cells) -> Block:
    """Sum cells into day × segment × topic rows."""
    if not len(cells):
        return empty_block()
    values = cells.values
    n_topics, n_models, n_days = len(cells.topics), len(cells.models), len(cells.days)
    analyses = values[:, [F["sentiment_negative"], F["sentiment_neutral"], F["sentiment_positive"]]].sum(axis=1)
    # Analyses per model as extra columns, so they are summed like any other figure.
    cell_models = np.zeros((len(cells), n_models))
    has_model = cells.model >= 0
    cell_models[np.nonzero(has_model)[0], cells.model[has_model]] = analyses[has_model]
    cell_day = cells.resp_day[cells.resp_index]
    keys: list[RowKey] = []
    sums: list[FloatArray] = []
    per_model: list[FloatArray] = []
    for seg_type, resp_codes, seg_names in _segment_dimensions(cells):
        seg_codes = resp_codes[cells.resp_index]
        mask = seg_codes >= 0
        if not mask.any():
            continue
        groups, inverse = np.unique((seg_codes[mask] * n_topics + cells.topic[mask]) * n_days + cell_day[mask],
                                    return_inverse=True)
        inverse = inverse.ravel()
        sums.append(_sum_by(inverse, len(groups), values[mask]))
        per_model.append(_sum_by(inverse, len(groups), cell_models[mask]))
        rest, g_day = np.divmod(groups, n_days)
        seg_of, topic_of = np.divmod(rest, n_topics)
        keys.extend(("day", cells.days[d], seg_type, seg_names[sg], cells.topics[t])
                    for sg, t, d in zip(seg_of.tolist(), topic_of.tolist(), g_day.tolist(), strict=True))
    if not keys:
        return empty_block()
    return _block(keys, np.concatenate(sums), np.concatenate(per_model), list(cells.models))


def stored_block(rows: Sequence[tuple[RowKey, Sequence[float], list[Any] | None]]) -> Block:
    """A block from stored rows: (identity, FIELDS values, model_counts [[name, version, count], ...])."""
    if not rows:
        return empty_block()
    model_index: dict[tuple[str, str], int] = {}
    entries: list[tuple[int, int, float]] = []
    for i, (_, _, counts) in enumerate(rows):
        for name, version, count in counts or ():
            j = model_index.setdefault((name, version), len(model_index))
            entries.append((i, j, float(count)))
    per_model = np.zeros((len(rows), len(model_index)))
    for i, j, count in entries:
        per_model[i, j] = count
    values = np.asarray([r[1] for r in rows], dtype=np.float64).reshape(len(rows), len(FIELDS))
    return _block([r[0] for r in rows], values, per_model, list(model_index))


def concat(blocks: Sequence[Block]) -> Block:
    """One block of the rows of several (their model columns merged)."""
    models = sorted({m for b in blocks for m in b.models})
    index = {m: j for j, m in enumerate(models)}
    per_model = np.zeros((sum(len(b) for b in blocks), len(models)))
    row = 0
    for b in blocks:
        per_model[row:row + len(b), [index[m] for m in b.models]] = b.per_model
        row += len(b)
    keys = [k for b in blocks for k in b.keys]
    values = np.concatenate([b.values for b in blocks]) if blocks else np.zeros((0, len(FIELDS)))
    return _block(keys, values, per_model, models)


def period_rows(days: Block, kind: str, periods: set[tuple[str, date]] | None = None) -> Block:
    """Sum day rows into `kind` (week, month) rows (only `periods` when given).

    Every figure of a row is a sum (counts, Σx, Σx², analyses per model), so a week summed from its day
    rows equals the week computed from its answers; a response belongs to one day, so even distinct
    response counts add up.
    """
    starts: dict[date, date] = {}
    index: dict[RowKey, int] = {}
    codes = np.empty(len(days), dtype=np.int64)
    for i, (_, day, seg_type, seg_value, topic) in enumerate(days.keys):
        start = starts.get(day)
        if start is None:
            start = starts[day] = period_start(kind, day)
        if periods is not None and (kind, start) not in periods:
            codes[i] = -1
            continue
        key: RowKey = (kind, start, seg_type, seg_value, topic)
        code = index.get(key)
        if code is None:
            code = index[key] = len(index)
        codes[i] = code
    mask = codes >= 0
    n = len(index)
    return _block(list(index), _sum_by(codes[mask], n, days.values[mask]),
                  _sum_by(codes[mask], n, days.per_model[mask]), list(days.models))


def block_figures(block: Block) -> dict[RowKey, dict[str, Any]]:
    """The stored columns of every row of a block."""
    out: dict[RowKey, dict[str, Any]] = {}
    totals = block.values.tolist()
    counts = block.per_model.tolist()
    for key, total, per_model in zip(block.keys, totals, counts, strict=True):
        used = [(m, int(c + 0.5)) for m, c in zip(block.models, per_model, strict=True) if c > 0.5]
        # Most analyses wins; on a tie the first in the block's canonical model order.
        best = max(used, key=lambda mc: mc[1]) if used else None
        model = (best[0][0], best[0][1], len(used)) if best is not None else None
        row = figures(total, model)
        row["model_counts"] = [[name, version, c] for (name, version), c in used] if used else None
        out[key] = row
    return out


_INTS = ("responses", "comments", "nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied",
         "ces_n", "rating_n", "sentiment_negative", "sentiment_neutral", "sentiment_positive", "urgent")
_INT_INDEX = tuple((name, F[name]) for name in _INTS)


def figures(total: Sequence[float], model: tuple[str, str, int] | None) -> dict[str, Any]:
    """The stored columns of one row, derived from its sums (a plain list: numpy scalars are slow here)."""
    row: dict[str, Any] = {name: int(total[i] + 0.5) for name, i in _INT_INDEX}
    for name in ("ces_sum", "ces_sumsq", "rating_sum", "rating_sumsq", "sentiment_sum", "sentiment_sumsq"):
        row[name] = float(total[F[name]])
    row["nps"] = row["nps_low"] = row["nps_high"] = None
    if row["nps_n"]:
        est = stats.nps(row["nps_promoters"], row["nps_detractors"], row["nps_n"])
        row["nps"], row["nps_low"], row["nps_high"] = est.nps, est.low, est.high
    row["csat"] = row["csat_low"] = row["csat_high"] = None
    if row["csat_n"]:
        low, high = stats.wilson(row["csat_satisfied"], row["csat_n"])
        row["csat"] = 100.0 * row["csat_satisfied"] / row["csat_n"]
        row["csat_low"], row["csat_high"] = 100.0 * low, 100.0 * high
    for metric in ("ces", "rating"):
        n = row[f"{metric}_n"]
        est_mean = stats.mean_ci(n, row[f"{metric}_sum"], row[f"{metric}_sumsq"]) if n else None
        row[f"{metric}_mean"] = est_mean.mean if est_mean else None
        row[f"{metric}_low"] = est_mean.low if est_mean else None
        row[f"{metric}_high"] = est_mean.high if est_mean else None
    n_sent = row["sentiment_negative"] + row["sentiment_neutral"] + row["sentiment_positive"]
    row["sentiment_mean"] = row["sentiment_low"] = row["sentiment_high"] = None
    if n_sent:
        est_mean = stats.mean_ci(n_sent, row["sentiment_sum"], row["sentiment_sumsq"])
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
