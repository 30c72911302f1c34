"""Classification metrics for sentiment and topics: accuracy, macro-F1, per-class P/R, confusion matrix.

Plain Python on lists of labels so the CLI, training and benchmarks report numbers the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    """Single-label metrics; `confusion[gold][predicted]` counts rows."""

    n: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    per_class: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classification_report(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] | None = None) -> Report:
    """Score single-label predictions; `labels` fixes the class order (default: sorted gold ∪ predicted)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    classes = list(labels) if labels is not None else sorted(set(gold) | set(predicted))
    confusion = {g: {p: 0 for p in classes} for g in classes}
    for g, p in zip(gold, predicted, strict=True):
        if g in confusion and p in confusion[g]:
            confusion[g][p] += 1
    per_class = {c: _class_scores(c, classes, confusion) for c in classes}
    n = len(gold)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    scored = [s.f1 for c, s in per_class.items() if s.support > 0]
    return Report(
        n=n,
        accuracy=_ratio(correct, n),
        macro_f1=round(sum(scored) / len(scored), 4) if scored else 0.0,
        labels=classes,
        per_class=per_class,
        confusion=confusion,
    )


def multilabel_report(gold: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]) -> Report:
    """Score multi-label predictions per class (one-vs-rest); accuracy is exact-set match."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions")
    classes = list(labels)
    per_class: dict[str, ClassScores] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if c in g and c in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if c not in g and c in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if c in g and c not in p)
        per_class[c] = _scores(tp, fp, fn)
    # For multi-label data the "confusion" row of a gold topic counts which topics were predicted for it.
    confusion = {g: {p: 0 for p in classes} for g in classes}
    for gs, ps in zip(gold, predicted, strict=True):
        for g in gs & set(classes):
            for p in ps & set(classes):
                confusion[g][p] += 1
    scored = [s.f1 for s in per_class.values() if s.support > 0]
    exact = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return Report(
        n=len(gold),
        accuracy=_ratio(exact, len(gold)),
        macro_f1=round(sum(scored) / len(scored), 4) if scored else 0.0,
        labels=classes,
        per_class=per_class,
        confusion=confusion,
    )


def format_report(report: Report) -> str:
    """Render a report as the plain-text block the CLI prints."""
    lines = [f"n            {report.n}", f"accuracy     {report.accuracy:.4f}", f"macro-F1     {report.macro_f1:.4f}"]
    for key, value in report.extra.items():
        lines.append(f"{key:<12} {value}")
    width = max([len(c) for c in report.labels] + [5])
    lines.append("")
    lines.append(f"{'class':<{width}}  precision  recall     f1  support")
    for c in report.labels:
        s = report.per_class[c]
        lines.append(f"{c:<{width}}  {s.precision:9.4f}  {s.recall:6.4f}  {s.f1:5.4f}  {s.support:7d}")
    lines.append("")
    lines.append("confusion (rows = gold, columns = predicted)")
    lines.append(" " * width + "  " + "  ".join(f"{c[:10]:>10}" for c in report.labels))
    for g in report.labels:
        lines.append(f"{g:<{width}}  " + "  ".join(f"{report.confusion[g][p]:>10d}" for p in report.labels))
    return "\n".join(lines)


def _class_scores(c: str, classes: list[str], confusion: dict[str, dict[str, int]]) -> ClassScores:
    tp = confusion[c][c]
    fp = sum(confusion[g][c] for g in classes if g != c)
    fn = sum(confusion[c][p] for p in classes if p != c)
    return _scores(tp, fp, fn)


def _scores(tp: int, fp: int, fn: int) -> ClassScores:
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)  # = 2PR / (P + R), without rounding P and R first
    return ClassScores(precision=_ratio(tp, tp + fp), recall=_ratio(tp, tp + fn), f1=f1, support=tp + fn)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0
