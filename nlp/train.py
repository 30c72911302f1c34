"""Train the default sentiment head (`nlp/weights/`) from Heedful's own corpus, deterministically.

`heedful nlp train` runs `train()`: read `nlp/data/sentiment_*.csv` (columns text,label,voice,phenomenon),
embed every row once with the frozen shared encoder, fit a small classifier head with full-batch
gradient descent under a fixed seed, and write the head (`sentiment_head.npz`) plus a card
(`sentiment_head.json`) with the hyper-parameters, the corpus sha256 and held-out metrics.

Reproducibility: the split is a seeded stratified permutation, training is full-batch (no shuffling), torch
runs with deterministic algorithms, and the weights are rounded to float32. Retraining on the same corpus
and encoder gives the same metrics and, on the same machine and torch version, the same weight checksum.
Metrics are measured on a 20 % held-out split; the shipped head is then refitted on all rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder import Encoder
from nlp.evaluate import classification_report
from nlp.sentiment import CARD_FILE, HEAD_FILE, LABELS, WEIGHTS_DIR, Head, HeadSentimentModel, clean_text

DATA_DIR = Path(__file__).parent / "data"
CORPUS_GLOB = "sentiment_*.csv"
CARD_VERSION = "1"


class CorpusError(ValueError):
    """The training corpus is missing, unreadable or has bad rows (message names file and line)."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of the head; the defaults are what ships."""

    seed: int = 13
    holdout: float = 0.2
    hidden: int = 0  # 0: multinomial logistic regression; >0: one hidden ReLU layer of this width
    epochs: int = 300
    learning_rate: float = 0.05
    weight_decay: float = 1e-4
    class_balance: bool = True


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    labels: list[str]
    voices: list[str]
    files: list[Path]
    sha256: str


def corpus_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted(data_dir.glob(CORPUS_GLOB))


def load_corpus(files: list[Path]) -> Corpus:
    """Read and validate the corpus CSVs; the sha256 covers the bytes of every file in name order."""
    if not files:
        raise CorpusError("no sentiment corpus files found (expected nlp/data/sentiment_*.csv)")
    texts: list[str] = []
    labels: list[str] = []
    voices: list[str] = []
    digest = hashlib.sha256()
    for path in sorted(files):
        try:
            raw = path.read_bytes()
            # StringIO, not str.splitlines: splitlines also breaks on U+0085 and U+2028, which sit
            # inside ordinary text (a mis-decoded "…"), and would cut a row in two.
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{path}: {exc}") from exc
        digest.update(path.name.encode() + b"\0" + raw)
        for line, row in enumerate(rows, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip().lower()
            if label not in LABELS:
                raise CorpusError(f"{path.name}:{line}: label {label!r} is not one of {', '.join(LABELS)}")
            if not text:
                raise CorpusError(f"{path.name}:{line}: empty text")
            texts.append(text)
            labels.append(label)
            voices.append((row.get("voice") or path.stem.removeprefix("sentiment_")).strip())
    return Corpus(texts=texts, labels=labels, voices=voices, files=sorted(files), sha256=digest.hexdigest())


def stratified_split(labels: list[str], holdout: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded per-class permutation; returns (train indexes, held-out indexes), both sorted."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(set(labels)):
        idx = np.array([i for i, lab in enumerate(labels) if lab == label])
        rng.shuffle(idx)
        cut = int(round(len(idx) * holdout))
        test.extend(int(i) for i in idx[:cut])
        train.extend(int(i) for i in idx[cut:])
    return sorted(train), sorted(test)


def fit_head(x: npt.NDArray[np.float32], y: npt.NDArray[np.int64], config: TrainConfig) -> Head:
    """Full-batch Adam on cross-entropy (+ L2), seeded; deterministic for a given input."""
    import torch

    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True)
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(y.astype(np.int64))
    dims = [x.shape[1]] + ([config.hidden] if config.hidden else []) + [len(LABELS)]
    layers = [torch.nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:], strict=True)]
    params = [p for layer in layers for p in layer.parameters()]
    counts = np.bincount(y, minlength=len(LABELS)).astype(np.float64)
    balance = counts.sum() / (len(LABELS) * np.maximum(counts, 1.0)) if config.class_balance else np.ones(3)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32))
    optimizer = torch.optim.Adam(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    for _ in range(config.epochs):
        optimizer.zero_grad()
        h = xt
        for i, layer in enumerate(layers):
            h = layer(h)
            if i < len(layers) - 1:
                h = torch.relu(h)
        loss = loss_fn(h, yt)
        loss.backward()
        optimizer.step()
    return Head(
        weights=tuple(layer.weight.detach().numpy().astype(np.float32).copy() for layer in layers),
        biases=tuple(layer.bias.detach().numpy().astype(np.float32).copy() for layer in layers),
    )


def train(
    encoder: Encoder,
    files: list[Path] | None = None,
    out_dir: Path = WEIGHTS_DIR,
    config: TrainConfig | None = None,
) -> dict[str, Any]:
    """Train, evaluate on the held-out split, refit on everything, write head + card; return the card."""
    config = config or TrainConfig()
    started = time.perf_counter()
    corpus = load_corpus(files if files is not None else corpus_files())
    y = np.array([LABELS.index(lab) for lab in corpus.labels], dtype=np.int64)
    x = encoder.embed([clean_text(t) for t in corpus.texts])
    train_idx, test_idx = stratified_split(corpus.labels, config.holdout, config.seed)

    probe = fit_head(x[train_idx], y[train_idx], config)
    heldout = _heldout_metrics(probe, encoder, corpus, x, test_idx, out_dir)
    head = fit_head(x, y, config)

    out_dir.mkdir(parents=True, exist_ok=True)
    head_path = out_dir / HEAD_FILE
    head.save(head_path)
    card = {
        "version": CARD_VERSION,
        "model": "heedful-sentiment",
        "architecture": "frozen encoder mean-pooled embedding -> "
        + ("logistic regression" if not config.hidden else f"MLP({config.hidden}, ReLU)"),
        "encoder": encoder.name,
        "encoder_version": encoder.version,
        "labels": list(LABELS),
        "config": asdict(config),
        "corpus": {
            "files": [p.name for p in corpus.files],
            "sha256": corpus.sha256,
            "rows": len(corpus.texts),
            "labels": dict(sorted(Counter(corpus.labels).items())),
            "voices": dict(sorted(Counter(corpus.voices).items())),
        },
        "heldout": heldout,
        "weights_sha256": hashlib.sha256(head_path.read_bytes()).hexdigest(),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    (out_dir / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
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
