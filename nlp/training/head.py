"""Train the `default-lr` sentiment head (`nlp/weights/sentiment_head.*`) from Heedful's own corpus.

`heedful nlp train --method head` runs `train()`: read the corpus (`nlp.training.corpus`), embed every
row once with the frozen shared encoder, fit a multinomial logistic regression (scikit-learn, L2,
classes balanced) and write the head (`sentiment_head.npz`) plus its card.

Reproducibility: the split is seeded and stratified and lbfgs is deterministic, so retraining on the
same corpus and encoder gives the same metrics and, on the same machine, the same weight checksum.
Metrics are measured on a 20 % held-out split; the shipped head is then refitted on all rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder import Encoder
from nlp.evaluate import classification_report
from nlp.inference.sentiment_base import LABELS, WEIGHTS_DIR, clean_text
from nlp.inference.sentiment_head import CARD_FILE, HEAD_FILE, Head, HeadSentimentModel
from nlp.training.corpus import Corpus, corpus_files, load_corpus
from nlp.training.model_card import corpus_summary, model_card, write_card
from nlp.training.splits import stratified_split


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of the head; the defaults are what ships."""

    seed: int = 13
    holdout: float = 0.2
    c: float = 1.0  # inverse L2 strength (scikit-learn's C)
    max_iter: int = 1000
    class_balance: bool = True


def fit_head(x: npt.NDArray[np.float32], y: npt.NDArray[np.int64], config: TrainConfig) -> Head:
    """Multinomial logistic regression on the embeddings; deterministic for a given input."""
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=config.c,
        max_iter=config.max_iter,
        class_weight="balanced" if config.class_balance else None,
    )
    missing = [LABELS[k] for k in range(len(LABELS)) if not (y == k).any()]
    if missing:
        raise ValueError(f"no training rows labelled {', '.join(missing)}")
    classifier.fit(np.asarray(x, dtype=np.float64), y)
    # Three classes: one row of coefficients per class, in LABELS order (classes_ is 0, 1, 2).
    return Head(weights=(classifier.coef_.astype(np.float32),), biases=(classifier.intercept_.astype(np.float32),))


def train(
    encoder: Encoder,
    files: list[Path] | None = None,
    out_dir: Path = WEIGHTS_DIR,
    config: TrainConfig | None = None,
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
) -> dict[str, Any]:
    """Train, evaluate on the held-out split, refit on everything, write head + card; return the card.

    `extra_rows` are (text, label) pairs trained on beside the corpus files (see load_corpus)."""
    config = config or TrainConfig()
    started = time.perf_counter()
    corpus = load_corpus(files if files is not None else corpus_files(), extra_rows, extra_source)
    y = np.array([LABELS.index(lab) for lab in corpus.labels], dtype=np.int64)
    x = encoder.embed([clean_text(t) for t in corpus.texts])
    train_idx, test_idx = stratified_split(corpus.labels, config.holdout, config.seed)

    probe = fit_head(x[train_idx], y[train_idx], config)
    heldout = _heldout_metrics(probe, encoder, corpus, x, test_idx, out_dir)
    head = fit_head(x, y, config)

    out_dir.mkdir(parents=True, exist_ok=True)
    head_path = out_dir / HEAD_FILE
    head.save(head_path)
    card = model_card(
        model=HeadSentimentModel.name,
        architecture="frozen encoder mean-pooled embedding -> logistic regression",
        encoder=encoder.name,
        config=config,
        corpus=corpus_summary(corpus),
        weights=head_path,
        started=started,
        encoder_version=encoder.version,
        heldout=heldout,
    )
    write_card(card, out_dir / CARD_FILE)
    return card


def _heldout_metrics(
    head: Head, encoder: Encoder, corpus: Corpus, x: npt.NDArray[np.float32], test_idx: list[int], out_dir: Path
) -> dict[str, Any]:
    """Held-out scores of the whole-row head and of the shipped predict() path (sentence aggregation)."""
    gold = [corpus.labels[i] for i in test_idx]
    logits = head.logits(x[test_idx])
    whole = [LABELS[int(k)] for k in logits.argmax(axis=1)]
    model = HeadSentimentModel(encoder, out_dir, head=head)
    predicted = [r.overall.label for r in model.predict([corpus.texts[i] for i in test_idx])]
    report = classification_report(gold, predicted, labels=LABELS)
    by_voice = {
        voice: classification_report(
            [g for g, i in zip(gold, test_idx, strict=True) if corpus.voices[i] == voice],
            [p for p, i in zip(predicted, test_idx, strict=True) if corpus.voices[i] == voice],
            labels=LABELS,
        ).macro_f1
        for voice in sorted(set(corpus.voices))
    }
    return {
        "rows": len(test_idx),
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "macro_f1_by_voice": by_voice,
        "whole_text_accuracy": classification_report(gold, whole, labels=LABELS).accuracy,
    }
