"""The model card written beside every trained weights file: what was trained, on what, how well.

One shape for every trainer (the LoRA adapters and the logistic-regression head), so a reader and the
tests find the same keys: model, architecture, encoder, labels, config, corpus (files, sha256, rows,
labels), held-out metrics, the weights' sha256 and size, and the training time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nlp.inference.sentiment_base import LABELS
from nlp.training.corpus import Corpus

CARD_VERSION = "1"


def corpus_summary(corpus: Corpus, train_rows: int | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "files": [p.name for p in corpus.files],
        "sha256": corpus.sha256,
        "rows": len(corpus.texts),
        "labels": dict(sorted(Counter(corpus.labels).items())),
        "voices": dict(sorted(Counter(corpus.voices).items())),
    }
    if train_rows is not None:
        summary["train_rows"] = train_rows
    return summary


def model_card(
    *,
    model: str,
    architecture: str,
    encoder: str,
    config: Any,
    corpus: dict[str, Any],
    weights: Path,
    started: float,
    **extra: Any,
) -> dict[str, Any]:
    """The card of weights just written to `weights`; `config` is the trainer's config dataclass."""
    return {
        "version": CARD_VERSION,
        "model": model,
        "architecture": architecture,
        "encoder": encoder,
        "labels": list(LABELS),
        "config": asdict(config),
        "corpus": corpus,
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "weights_bytes": weights.stat().st_size,
        "train_seconds": round(time.perf_counter() - started, 1),
        **extra,
    }


def write_card(card: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
