"""Sentiment flow with a stub encoder: sentence split, aggregation, mixed, garbage input, head files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.encoder import ModelLoadError
from nlp.inference.sentiment_base import MIXED_MARGIN, clean_text
from nlp.inference.sentiment_head import CARD_FILE, HEAD_FILE, Head, HeadSentimentModel
from nlp.inference.sentiment_hf import label_mapping

GOOD = {"good", "great", "friendly", "love"}
BAD = {"bad", "rude", "broken", "cold"}


class StubEncoder:
    """Counts good and bad words: feature 0 = good, 1 = bad, 2 = bias. Records what it was asked to embed."""

    name = "stub"
    version = "stub-1"
    dim = 3

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def load(self) -> StubEncoder:
        return self

    def embed(self, texts: list[str], batch_size: int | None = None) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 3), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            out[i] = [sum(w in GOOD for w in words), sum(w in BAD for w in words), 1.0]
        return out


# logits: negative = 4*bad, neutral = 1, positive = 4*good
STUB_HEAD = Head(
    weights=(np.array([[0, 4, 0], [0, 0, 1], [4, 0, 0]], dtype=np.float32),),
    biases=(np.zeros(3, dtype=np.float32),),
)


@pytest.fixture
def encoder() -> StubEncoder:
    return StubEncoder()


@pytest.fixture
def model(encoder: StubEncoder, tmp_path: Path) -> HeadSentimentModel:
    STUB_HEAD.save(tmp_path / HEAD_FILE)
    (tmp_path / CARD_FILE).write_text(json.dumps({"version": "7"}))
    return HeadSentimentModel(encoder, tmp_path).load()  # type: ignore[arg-type]


def test_one_result_per_text_in_input_order(model: HeadSentimentModel) -> None:
    results = model.predict(["great and friendly", "rude and cold", "we arrived at noon"])
    assert [r.overall.label for r in results] == ["positive", "negative", "neutral"]
    assert results[0].overall.score > 0.9 and results[1].overall.score < -0.9
    assert abs(results[2].overall.score) < 1e-6


def test_sentences_carry_spans_and_their_own_sentiment(model: HeadSentimentModel) -> None:
    text = "The food was great. The waiter was rude!  We left at ten."
    (result,) = model.predict([text])
    assert [s.sentiment.label for s in result.sentences] == ["positive", "negative", "neutral"]
    for s in result.sentences:
        assert text[s.start : s.end] == s.text


def test_contrast_clause_is_scored_apart_and_flagged_mixed(model: HeadSentimentModel) -> None:
    (result,) = model.predict(["the food was great but the staff was rude"])
    assert len(result.sentences) == 2
    assert result.mixed
    assert max(s.sentiment.score for s in result.sentences) >= MIXED_MARGIN


def test_agreeing_sentences_are_not_mixed(model: HeadSentimentModel) -> None:
    (result,) = model.predict(["Great food. Friendly staff."])
    assert not result.mixed and result.overall.label == "positive"


def test_all_sentences_of_a_batch_go_to_the_encoder_in_one_call(
    model: HeadSentimentModel, encoder: StubEncoder
) -> None:
    model.predict(["One good. Two bad.", "Three.", ""])
    assert encoder.calls == [["One good.", "Two bad.", "Three."]]


def test_overall_is_a_length_weighted_mean_of_sentences(model: HeadSentimentModel) -> None:
    (result,) = model.predict(["good. This long sentence is entirely flat in tone and goes on."])
    pos, flat = result.sentences
    assert pos.sentiment.score > result.overall.score > flat.sentiment.score


def test_long_answer_is_chunked_not_truncated(model: HeadSentimentModel, encoder: StubEncoder) -> None:
    text = ("word " * 20_000) + "rude broken cold bad"  # ~100 KB, the only verdict at the very end
    (result,) = model.predict([text])
    assert len(result.sentences) > 100
    assert result.sentences[-1].end == len(text)
    assert result.sentences[-1].sentiment.label == "negative"
    assert sum(len(t) for t in encoder.calls[0]) >= len(text.replace(" ", "")) * 0.9


GARBAGE = [
    "",
    "   \n\t ",
    "😀😀🔥",
    "\x00\x01\x02\x7f",
    "\ufffd\ufffd",
    "\udcff\udcfe lone surrogates",
    bytes(range(256)).decode("latin-1"),
    "Очень хорошо, 很好, très bien 👍",
    "a" * 100_000,
]


@pytest.mark.parametrize("text", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_never_fails_the_batch(model: HeadSentimentModel, text: str) -> None:
    results = model.predict(["great", text, "rude"])
    assert [results[0].overall.label, results[2].overall.label] == ["positive", "negative"]
    middle = results[1]
    assert -1.0 <= middle.overall.score <= 1.0 and 0.0 <= middle.overall.confidence <= 1.0
    for s in middle.sentences:
        assert "\udcff" not in s.text and "\x00" not in s.text


@pytest.mark.parametrize("text", ["", "  ", "° © ™", "\x00\x01", "!!! ???"])
def test_no_text_is_neutral_with_zero_confidence(model: HeadSentimentModel, text: str) -> None:
    (result,) = model.predict([text])
    assert result.overall.label == "neutral"
    assert result.overall.confidence == 0.0 and result.sentences == [] and not result.mixed


def test_empty_batch(model: HeadSentimentModel) -> None:
    assert model.predict([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=5))
def test_any_unicode_gives_bounded_results(texts: list[str]) -> None:
    model = HeadSentimentModel(StubEncoder(), head=STUB_HEAD)  # type: ignore[arg-type]
    results = model.predict(texts)
    assert len(results) == len(texts)
    for r in results:
        assert r.overall.label in {"negative", "neutral", "positive"}
        assert -1.0 <= r.overall.score <= 1.0 and 0.0 <= r.overall.confidence <= 1.0


def test_clean_text_keeps_length_so_spans_stay_valid() -> None:
    raw = "ok\x00fine\udcff\ufffd"
    cleaned = clean_text(raw)
    assert len(cleaned) == len(raw) and cleaned == "ok fine  "


def test_version_names_head_and_encoder(model: HeadSentimentModel) -> None:
    assert model.version.startswith("7+") and model.version.endswith(".stub-1")


def test_head_round_trips_through_npz(tmp_path: Path) -> None:
    mlp = Head(
        weights=(np.ones((4, 3), dtype=np.float32), np.full((3, 4), 0.5, dtype=np.float32)),
        biases=(np.zeros(4, dtype=np.float32), np.arange(3, dtype=np.float32)),
    )
    mlp.save(tmp_path / "h.npz")
    again = Head.load(tmp_path / "h.npz")
    x = np.array([[1.0, -2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(again.logits(x), mlp.logits(x))
    np.testing.assert_allclose(mlp.logits(x), [[4.0, 5.0, 6.0]])  # ReLU(2,2,2,2) @ 0.5 + bias


def test_missing_head_is_a_load_error(encoder: StubEncoder, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot load sentiment head"):
        HeadSentimentModel(encoder, tmp_path / "nowhere").load()  # type: ignore[arg-type]


def test_head_for_another_encoder_is_a_load_error(encoder: StubEncoder, tmp_path: Path) -> None:
    Head(weights=(np.zeros((3, 8), dtype=np.float32),), biases=(np.zeros(3, dtype=np.float32),)).save(
        tmp_path / HEAD_FILE
    )
    (tmp_path / CARD_FILE).write_text("{}")
    with pytest.raises(ModelLoadError, match="8-dim"):
        HeadSentimentModel(encoder, tmp_path).load()  # type: ignore[arg-type]


def _mapped(id2label: dict[int, str]) -> list[list[float]]:
    result: Any = label_mapping(id2label).tolist()
    return result


def test_label_mapping_names_and_generic_labels() -> None:
    assert _mapped({0: "NEGATIVE", 1: "POSITIVE"}) == [[1, 0, 0, -1], [0, 0, 1, 1]]
    assert _mapped({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == [[1, 0, 0, -1], [0, 1, 0, 0], [0, 0, 1, 1]]
    assert _mapped({0: "positive", 1: "neutral", 2: "negative"})[0] == [0, 0, 1, 1]
    stars = _mapped({i: f"{i + 1} star{'s' if i else ''}" for i in range(5)})
    assert [row[3] for row in stars] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert [row[:3].index(1.0) for row in stars] == [0, 0, 1, 2, 2]


@pytest.mark.parametrize("id2label", [{0: "joy", 1: "anger"}, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3"}])
def test_label_mapping_rejects_unknown_label_sets(id2label: dict[int, str]) -> None:
    with pytest.raises(ValueError, match="cannot map labels"):
        label_mapping(id2label)
