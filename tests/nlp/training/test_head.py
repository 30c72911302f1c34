"""Training the sentiment head: determinism, the card, and the shipped weights."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from nlp.encoder import Encoder
from nlp.inference.sentiment_base import WEIGHTS_DIR
from nlp.inference.sentiment_head import CARD_FILE, HEAD_FILE, Head, HeadSentimentModel
from nlp.training.corpus import corpus_files, load_corpus
from nlp.training.head import TrainConfig, fit_head, train
from tests.nlp.inference.test_sentiment import StubEncoder
from tests.nlp.training.corpus_rows import ROWS, write_corpus


def test_fit_head_is_deterministic_and_learns() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 6)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1).astype(np.int64)
    a, b = fit_head(x, y, TrainConfig()), fit_head(x, y, TrainConfig())
    assert all(np.array_equal(p, q) for p, q in zip(a.weights + a.biases, b.weights + b.biases, strict=True))
    assert (a.logits(x).argmax(1) == y).mean() > 0.9
    assert [w.shape for w in a.weights] == [(3, 6)]


def test_fit_head_needs_every_label() -> None:
    x = np.eye(4, dtype=np.float32)
    with pytest.raises(ValueError, match="no training rows labelled neutral"):
        fit_head(x, np.array([0, 2, 0, 2]), TrainConfig())


def test_train_writes_head_and_card_reproducibly(tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "data")
    card = train(StubEncoder(), files=files, out_dir=tmp_path / "w1", config=TrainConfig(holdout=0.25))  # type: ignore[arg-type]
    again = train(StubEncoder(), files=files, out_dir=tmp_path / "w2", config=TrainConfig(holdout=0.25))  # type: ignore[arg-type]
    assert card["weights_sha256"] == again["weights_sha256"]
    assert card["heldout"] == again["heldout"]
    assert card["corpus"]["sha256"] == load_corpus(files).sha256 and card["corpus"]["rows"] == len(ROWS)
    assert card["heldout"]["rows"] == 3 and card["heldout"]["accuracy"] == 1.0
    written = tmp_path / "w1" / HEAD_FILE
    assert hashlib.sha256(written.read_bytes()).hexdigest() == card["weights_sha256"]
    assert json.loads((tmp_path / "w1" / CARD_FILE).read_text()) == card
    model = HeadSentimentModel(StubEncoder(), tmp_path / "w1").load()  # type: ignore[arg-type]
    assert [r.overall.label for r in model.predict(["so good", "so rude", "at noon"])] == [
        "positive",
        "negative",
        "neutral",
    ]


def test_shipped_weights_are_small_and_match_thewrite_corpus() -> None:
    card = json.loads((WEIGHTS_DIR / CARD_FILE).read_text())
    total = sum(f.stat().st_size for f in WEIGHTS_DIR.iterdir() if f.is_file())
    assert total < 5 * 1024 * 1024
    assert card["corpus"]["sha256"] == load_corpus(corpus_files()).sha256, "corpus changed: run `heedful nlp train`"
    assert hashlib.sha256((WEIGHTS_DIR / HEAD_FILE).read_bytes()).hexdigest() == card["weights_sha256"]
    head = Head.load(WEIGHTS_DIR / HEAD_FILE)
    assert head.weights[0].shape[1] == 384 and card["corpus"]["rows"] >= 2300


@pytest.mark.slow
def test_retraining_is_deterministic(tmp_path: Path) -> None:
    """Same corpus, seed and encoder give the same metrics and weight checksum (on a 240-row slice for speed)."""
    source = corpus_files()[0]
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    subset = tmp_path / "data" / "sentiment_slice.csv"
    subset.parent.mkdir()
    with subset.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *rows[1::6][:240]])
    encoder = Encoder().load()
    cards = [train(encoder, files=[subset], out_dir=tmp_path / f"w{i}", config=TrainConfig()) for i in range(2)]
    assert cards[0]["weights_sha256"] == cards[1]["weights_sha256"]
    assert cards[0]["heldout"] == cards[1]["heldout"]
    assert cards[0]["heldout"]["accuracy"] > 0.5
