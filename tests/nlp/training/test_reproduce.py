"""A full retrain from the shipped card's config reproduces the shipped metrics (slow: tens of minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.inference.sentiment_base import WEIGHTS_DIR
from nlp.inference.sentiment_lora import LORA_CARD
from nlp.training.corpus import corpus_files
from nlp.training.lora import LoRAConfig, train_lora

pytestmark = pytest.mark.slow

PUBLIC = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "goemotions_sentiment"


@pytest.mark.xfail(
    strict=True,
    reason="the shipped weights were trained on the previous split (a numpy per-class permutation); since the "
    "split is scikit-learn's (f829ffd) the held-out part has 1,348 rows, not the card's 1,347, so a retrain cannot "
    "reproduce the card until the weights are retrained (issue 17). Strict: it fails once they are, so remove this.",
)
def test_a_full_retrain_reproduces_the_shipped_metrics(tmp_path: Path) -> None:
    shipped = json.loads((WEIGHTS_DIR / LORA_CARD).read_text(encoding="utf-8"))
    public = [s for s in shipped.get("sources", []) if str(s.get("name", "")).startswith("GoEmotions")]
    if public and not PUBLIC.is_dir():
        pytest.skip(f"the shipped model was trained with GoEmotions; put it in {PUBLIC} (see docs/training.md)")
    card = train_lora(
        shipped["encoder"],
        corpus_files(),
        out_dir=tmp_path,
        # Cards from before top-block adapters have no "layers": their adapters sat in all six blocks.
        config=LoRAConfig(**({"layers": 6} | shipped["config"])),
        public_data=PUBLIC if public else None,
    )
    assert card["corpus"]["sha256"] == shipped["corpus"]["sha256"], "the corpus changed since the weights shipped"
    for part in ("heldout", "heldout_public"):
        if part in shipped:
            assert card[part]["rows"] == shipped[part]["rows"]
            # Bit-identical on the machine that trained them; elsewhere float summation order may differ.
            assert card[part]["macro_f1"] == pytest.approx(shipped[part]["macro_f1"], abs=0.005)
            assert card[part]["accuracy"] == pytest.approx(shipped[part]["accuracy"], abs=0.005)
