"""Urgency: imminent danger is flagged with a reason; past or resolved hazards are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.encoder import Encoder, ModelLoadError
from nlp.inference.urgency import LORA_WEIGHTS, WEIGHTS, UrgencyDetector, UrgencyHead, default_head_path
from nlp.training.urgency import evaluate, read_corpus, split


class ConstantEncoder:
    def embed(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)


def _trigger_head(dim: int = 8) -> UrgencyHead:
    weights = np.zeros(dim + 5, dtype=np.float32)
    weights[dim + 2] = 10.0  # trigger pattern
    weights[dim + 3] = -20.0  # resolved cue
    return UrgencyHead(weights=weights, bias=-5.0, threshold=0.5)


def test_head_drives_decision_and_reason_names_category_and_phrase() -> None:
    detector = UrgencyDetector(ConstantEncoder(), head=_trigger_head())
    urgent, resolved, calm = detector.detect(
        ["Strong smell of gas near boiler 2", "The gas leak last month was fixed, thanks", "Canteen food is fine"]
    )
    assert urgent.urgent and urgent.reason is not None
    assert urgent.reason.startswith("gas leak:") and "smell of gas" in urgent.reason
    assert not resolved.urgent and resolved.reason is None
    assert not calm.urgent and 0.0 <= calm.score < 0.5


@pytest.mark.parametrize("text", ["", "   ", "😀🔥", "\x00\x01" * 10, "word " * 20_000, "Gaz 漏れ утечка"])
def test_bad_input_is_never_an_error(text: str) -> None:
    [result] = UrgencyDetector(ConstantEncoder(), head=_trigger_head()).detect([text])
    assert isinstance(result.urgent, bool)
    if not text.strip() or not any(c.isalnum() for c in text):
        assert result == result.__class__(urgent=False, score=0.0, reason=None)


def test_head_for_another_encoder_fails_fast() -> None:
    with pytest.raises(ModelLoadError, match="retrain"):
        UrgencyDetector(ConstantEncoder(), head=_trigger_head(dim=384)).load()


@pytest.fixture(scope="session")
def detector() -> UrgencyDetector:
    return UrgencyDetector(Encoder().load()).load()


@pytest.mark.slow
def test_examples_from_the_brief(detector: UrgencyDetector) -> None:
    gas, guard, fixed, drill = detector.detect(
        [
            "smell of gas near boiler 2",
            "guard removed from the saw",
            "The gas leak last month was fixed quickly, thanks.",
            "Fire drill went well, everyone out in under four minutes.",
        ]
    )
    assert gas.urgent and gas.reason is not None and gas.reason.startswith("gas leak")
    assert guard.urgent and guard.reason is not None and "guard removed" in guard.reason
    assert not fixed.urgent
    assert not drill.urgent


@pytest.mark.slow
def test_held_out_recall_and_precision_meet_the_target(detector: UrgencyDetector) -> None:
    texts, labels = read_corpus()
    _, held = split(texts, labels)
    metrics = evaluate(detector, [texts[i] for i in held], labels[held])
    assert metrics["recall"] >= 0.9
    assert metrics["precision"] >= 0.7


class _VersionedEncoder(ConstantEncoder):
    def __init__(self, version: str) -> None:
        self.version = version


def test_head_trained_on_another_encoder_version_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "head.npz"
    UrgencyHead(**{**vars(_trigger_head()), "encoder": "base123+lora1+aaaa"}).save(path)
    with pytest.raises(ModelLoadError, match="trained on encoder base123\\+lora1\\+aaaa.*retrain"):
        UrgencyDetector(_VersionedEncoder("base123+lora1+bbbb"), head_path=path).load()
    # int8 is the same weights quantised at load: the fp32 head applies
    assert UrgencyDetector(_VersionedEncoder("base123+lora1+aaaa-int8"), head_path=path).load()


def test_each_encoder_gets_its_own_shipped_head() -> None:
    assert default_head_path(_VersionedEncoder("610915751143")) == WEIGHTS
    assert default_head_path(_VersionedEncoder("610915751143+lora1+167020ef")) == LORA_WEIGHTS
    assert default_head_path(ConstantEncoder()) == WEIGHTS
