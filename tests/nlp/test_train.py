"""Training the sentiment head: corpus validation, determinism, the card, and the shipped weights."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment import CARD_FILE, HEAD_FILE, WEIGHTS_DIR, Head, HeadSentimentModel
from nlp.train import CorpusError, TrainConfig, corpus_files, fit_head, load_corpus, stratified_split, train
from tests.nlp.test_sentiment import StubEncoder

HEADER = "text,label,voice,phenomenon\n"
ROWS = [
    ("great friendly staff", "positive"),
    ("love it, good", "positive"),
    ("good value", "positive"),
    ("great", "positive"),
    ("rude and cold", "negative"),
    ("broken on arrival", "negative"),
    ("bad bad", "negative"),
    ("cold food", "negative"),
    ("we came on monday", "neutral"),
    ("the shop opens at nine", "neutral"),
    ("is there parking", "neutral"),
    ("no comment", "neutral"),
]


def _corpus(folder: Path, rows: list[tuple[str, str]] = ROWS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sentiment_customer.csv"
    path.write_text(HEADER + "".join(f'"{t}",{lab},customer,plain\n' for t, lab in rows), encoding="utf-8")
    return [path]


def test_corpus_errors_name_file_and_line(tmp_path: Path) -> None:
    files = _corpus(tmp_path, [*ROWS[:2], ("fine", "happy")])
    with pytest.raises(CorpusError, match=r"sentiment_customer\.csv:4: label 'happy'"):
        load_corpus(files)
    with pytest.raises(CorpusError, match="no sentiment corpus files"):
        load_corpus([])


def test_corpus_rows_keep_unicode_line_separators_and_quoted_newlines(tmp_path: Path) -> None:
    # U+0085 is what a mis-decoded "…" becomes; str.splitlines would have cut the row there.
    path = tmp_path / "sentiment_customer.csv"
    path.write_text(
        HEADER + 'The script is\x85was there a script?,negative,customer,plain\n'
        '"two\nlines \u2028 here",neutral,customer,plain\n',
        encoding="utf-8",
        newline="",
    )
    corpus = load_corpus([path])
    assert corpus.texts == ["The script is\x85was there a script?", "two\nlines \u2028 here"]
    assert corpus.labels == ["negative", "neutral"]


def test_corpus_checksum_covers_the_bytes(tmp_path: Path) -> None:
    files = _corpus(tmp_path / "a")
    first = load_corpus(files).sha256
    files[0].write_text(files[0].read_text() + '"one more",neutral,customer,plain\n')
    assert load_corpus(files).sha256 != first


def test_split_is_seeded_stratified_and_disjoint() -> None:
    labels = ["positive"] * 10 + ["negative"] * 10 + ["neutral"] * 5
    train_idx, test_idx = stratified_split(labels, 0.2, seed=3)
    assert (train_idx, test_idx) == stratified_split(labels, 0.2, seed=3)
    assert not set(train_idx) & set(test_idx) and len(train_idx) + len(test_idx) == 25
    assert sorted(labels[i] for i in test_idx) == ["negative", "negative", "neutral", "positive", "positive"]
    assert stratified_split(labels, 0.2, seed=4)[1] != test_idx


def test_fit_head_is_deterministic_and_learns() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 6)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1).astype(np.int64)
    config = TrainConfig(epochs=120)
    a, b = fit_head(x, y, config), fit_head(x, y, config)
    assert all(np.array_equal(p, q) for p, q in zip(a.weights + a.biases, b.weights + b.biases, strict=True))
    assert (a.logits(x).argmax(1) == y).mean() > 0.9
    mlp = fit_head(x, y, TrainConfig(hidden=8, epochs=20, learning_rate=0.02))
    assert [w.shape for w in mlp.weights] == [(8, 6), (3, 8)]


def test_train_writes_head_and_card_reproducibly(tmp_path: Path) -> None:
    files = _corpus(tmp_path / "data")
    card = train(StubEncoder(), files=files, out_dir=tmp_path / "w1", config=TrainConfig(holdout=0.25, epochs=120))  # type: ignore[arg-type]
    again = train(StubEncoder(), files=files, out_dir=tmp_path / "w2", config=TrainConfig(holdout=0.25, epochs=120))  # type: ignore[arg-type]
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


def test_shipped_weights_are_small_and_match_the_corpus() -> None:
    card = json.loads((WEIGHTS_DIR / CARD_FILE).read_text())
    total = sum(f.stat().st_size for f in WEIGHTS_DIR.iterdir() if f.is_file())
    assert total < 5 * 1024 * 1024
    assert card["corpus"]["sha256"] == load_corpus(corpus_files()).sha256, "corpus changed: run `heedful nlp train`"
    assert hashlib.sha256((WEIGHTS_DIR / HEAD_FILE).read_bytes()).hexdigest() == card["weights_sha256"]
    head = Head.load(WEIGHTS_DIR / HEAD_FILE)
    assert head.weights[0].shape[1] == 384 and card["corpus"]["rows"] >= 2300
