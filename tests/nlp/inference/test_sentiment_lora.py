"""The LoRA-adapted default sentiment model: shipped weights and selection (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.encoder import ModelLoadError
from nlp.inference.sentiment import load_sentiment_model
from nlp.inference.sentiment_base import WEIGHTS_DIR
from nlp.inference.sentiment_lora import LORA_CARD, LORA_FILE, LoRASentimentModel, lora_weights_present
from nlp.settings import NLPSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shipped() -> LoRASentimentModel:
    assert lora_weights_present(), "nlp/weights/sentiment_lora.* must ship"
    model = load_sentiment_model(NLPSettings())
    assert isinstance(model, LoRASentimentModel)
    return model


def test_shipped_weights_are_small_and_carded(shipped: LoRASentimentModel) -> None:
    assert (WEIGHTS_DIR / LORA_FILE).stat().st_size < 5_000_000
    assert shipped.card["heldout"]["accuracy"] >= 0.8
    assert len(shipped.card["corpus"]["sha256"]) == 64
    assert shipped.version.startswith("lora1+")


def test_shipped_model_clear_cases(shipped: LoRASentimentModel) -> None:
    texts = ["the staff were rude and it arrived late", "great service, thanks", "guard missing on saw 3"]
    labels = [r.overall.label for r in shipped.predict(texts)]
    assert labels == ["negative", "positive", "neutral"]


def test_shipped_model_reads_emoji(shipped: LoRASentimentModel) -> None:
    # MiniLM's vocabulary turns every emoji into [UNK]; nlp.emoji gives them words.
    labels = [r.overall.label for r in shipped.predict(["👍", "👎", "😡", "Works great 👍", "Package smashed 😡"])]
    assert labels == ["positive", "negative", "negative", "positive", "negative"]


def test_empty_and_garbage_text_are_neutral_without_confidence(shipped: LoRASentimentModel) -> None:
    empty, junk, good = shipped.predict(["", "\x00\x01 ...", "Lovely, thank you"])
    for result in (empty, junk):
        assert (result.overall.label, result.overall.confidence, result.sentences) == ("neutral", 0.0, [])
    assert good.overall.label == "positive"


def test_broken_weights_folder_is_one_load_error(tmp_path: Path) -> None:
    (tmp_path / LORA_CARD).write_text("{}", encoding="utf-8")
    (tmp_path / LORA_FILE).write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match="cannot load LoRA sentiment weights"):
        LoRASentimentModel(tmp_path).load()

