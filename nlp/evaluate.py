"""Classification metrics for sentiment and topics: accuracy, macro-F1, per-class P/R, confusion matrix.

scikit-learn computes them; this module fixes the conventions once so the CLI, training and benchmarks
report numbers the same way: labels as strings in a given order, figures rounded to 4 places, and
macro-F1 averaged over the classes that occur in the gold labels (a class no row has is not a miss).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


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
    from sklearn.metrics import confusion_matrix

    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    classes = list(labels) if labels is not None else sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(list(gold), list(predicted), labels=classes) if gold else np.zeros((len(classes),) * 2)
    confusion = {g: {p: int(matrix[i, j]) for j, p in enumerate(classes)} for i, g in enumerate(classes)}
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    per_class = _per_class(classes, list(gold), list(predicted), labels=classes)
    return Report(
        n=len(gold),
        accuracy=_ratio(correct, len(gold)),
        macro_f1=_macro_f1(per_class),
        labels=classes,
        per_class=per_class,
        confusion=confusion,
    )


def multilabel_report(gold: Sequence[set[str]], predicted: Sequence[set[str]], labels: Sequence[str]) -> Report:
    """Score multi-label predictions per class (one-vs-rest); accuracy is exact-set match."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions")
    classes = list(labels)
    # For multi-label data the "confusion" row of a gold topic counts which topics were predicted for it.
    confusion = {g: {p: 0 for p in classes} for g in classes}
    for gs, ps in zip(gold, predicted, strict=True):
        for g in gs & set(classes):
            for p in ps & set(classes):
                confusion[g][p] += 1
    exact = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    from sklearn.preprocessing import MultiLabelBinarizer

    # Labels outside `classes` are ignored (the binarizer would warn about them).
    binarizer = MultiLabelBinarizer(classes=classes).fit([classes])
    y_true = binarizer.transform([[c for c in g if c in classes] for g in gold])
    y_pred = binarizer.transform([[c for c in p if c in classes] for p in predicted])
    per_class = _per_class(classes, y_true, y_pred, labels=None)
    return Report(
        n=len(gold),
        accuracy=_ratio(exact, len(gold)),
        macro_f1=_macro_f1(per_class),
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


def _per_class(classes: list[str], y_true: Any, y_pred: Any, labels: list[str] | None) -> dict[str, ClassScores]:
    """Per-class precision, recall, F1 and support (0 where undefined), in `classes` order."""
    from sklearn.metrics import precision_recall_fscore_support

    if len(y_true) == 0:
        return {c: ClassScores(precision=0.0, recall=0.0, f1=0.0, support=0) for c in classes}
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0.0
    )
    return {
        c: ClassScores(
            precision=round(float(precision[k]), 4),
            recall=round(float(recall[k]), 4),
            f1=round(float(f1[k]), 4),
            support=int(support[k]),
        )
        for k, c in enumerate(classes)
    }


def _macro_f1(per_class: dict[str, ClassScores]) -> float:
    scored = [s.f1 for s in per_class.values() if s.support > 0]
    return round(sum(scored) / len(scored), 4) if scored else 0.0


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0
