"""Topic tagging: calibration, multi-label tags, aspect sentiment, and never raising on bad input."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import numpy.typing as npt
import pytest

from nlp.encoder import Encoder
from nlp.inference.topics import DEFAULT_CALIBRATION, TopicTagger, _result, aspect_sentiment, fit_calibration
from nlp.sentences import split_sentences
from nlp.taxonomy import Taxonomy, Topic, default_taxonomy
from nlp.types import SentenceSentiment, Sentiment, SentimentResult

DIM = 256


class HashingEncoder:
    """Deterministic bag-of-words encoder: texts sharing words get similar unit vectors."""

    calls = 0

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        HashingEncoder.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


TAXONOMY = Taxonomy(
    name="t",
    topics=[
        Topic("food", "food meals dishes taste", ["the pizza was cold", "tasty pasta"], ["pizza", "pasta"]),
        Topic("service", "staff waiter service", ["the waiter was rude", "friendly staff"], ["waiter"]),
        Topic("price", "price cost value money", ["too expensive", "good value"], ["expensive"]),
    ],
)


def _sentiment_for(text: str, labels: list[str]) -> SentimentResult:
    score = {"positive": 0.8, "negative": -0.8, "neutral": 0.0}
    sentences = [
        SentenceSentiment(s, a, b, Sentiment(label, score[label], 0.9))  # type: ignore[arg-type]
        for (s, a, b), label in zip(split_sentences(text), labels, strict=True)
    ]
    return SentimentResult(overall=Sentiment("neutral", 0.0, 0.5), sentences=sentences, mixed=True)


def test_multi_label_tags_carry_the_sentiment_of_their_sentences() -> None:
    text = "The pizza was cold. But the waiter was lovely."
    sentiment = _sentiment_for(text, ["negative", "positive"])
    [result] = TopicTagger(HashingEncoder()).tag([text], TAXONOMY, [sentiment])
    tags = {t.topic: t for t in result.tags}
    assert set(tags) == {"food", "service"}
    assert tags["food"].sentence_indexes == (0,)
    assert tags["food"].sentiment is not None and tags["food"].sentiment.label == "negative"
    assert tags["service"].sentiment is not None and tags["service"].sentiment.label == "positive"
    assert result.top_topic in {"food", "service"}
    assert all(0.5 <= t.score <= 1.0 for t in result.tags)


def test_top_topic_is_filled_even_below_threshold() -> None:
    [result] = TopicTagger(HashingEncoder(), threshold=0.99).tag(["staff were ok I guess"], TAXONOMY)
    assert result.tags == []
    assert result.top_topic == "service"


def test_top_topic_is_the_subject_of_most_sentences_not_the_whole_alone() -> None:
    # rows: the whole answer, then its three sentences; columns: topics a, b
    probs = np.array([[0.60, 0.55], [0.20, 0.70], [0.30, 0.65], [0.25, 0.60]], dtype=np.float32)
    assert _result(probs, ["a", "b"], 0.5, None).top_topic == "b"
    # one sentence that is mostly about a does not outweigh a whole answer about b
    probs = np.array([[0.30, 0.80], [0.90, 0.40], [0.10, 0.70], [0.20, 0.75]], dtype=np.float32)
    assert _result(probs, ["a", "b"], 0.5, None).top_topic == "b"
    # a one-sentence answer: the whole decides
    probs = np.array([[0.62, 0.61], [0.62, 0.61]], dtype=np.float32)
    assert _result(probs, ["a", "b"], 0.5, None).top_topic == "a"


def test_taxonomy_threshold_overrides_tagger_threshold() -> None:
    strict = Taxonomy("t", TAXONOMY.topics, threshold=0.999)
    [loose] = TopicTagger(HashingEncoder(), threshold=0.0).tag(["tasty pizza"], TAXONOMY)
    [tight] = TopicTagger(HashingEncoder(), threshold=0.0).tag(["tasty pizza"], strict)
    assert len(loose.tags) == 3
    assert tight.tags == []


def test_one_encoder_call_per_batch_and_prototypes_cached() -> None:
    tagger = TopicTagger(HashingEncoder())
    tagger.tag(["a"], TAXONOMY)
    before = HashingEncoder.calls
    tagger.tag(["The pizza was cold. The waiter was rude.", "too expensive", "too expensive"], TAXONOMY)
    assert HashingEncoder.calls - before == 1


BAD_INPUTS = ["", "   \n\t", "😀🎉👍", "word " * 20_000, "\x00\x01\xff\ufffd" * 50, "Обслуживание 很好 the pizza مرحبا"]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=["empty", "space", "emoji", "100kb", "binary", "mixed"])
def test_bad_input_gives_a_defined_result(text: str) -> None:
    [result] = TopicTagger(HashingEncoder()).tag([text], TAXONOMY)
    if not text.strip():
        assert result.tags == [] and result.top_topic == ""
    else:
        assert result.top_topic in TAXONOMY.topic_names


def test_empty_taxonomy_and_misaligned_sentiments() -> None:
    tagger = TopicTagger(HashingEncoder())
    assert tagger.tag(["pizza"], Taxonomy("empty", []))[0].top_topic == ""
    with pytest.raises(ValueError, match="sentiments"):
        tagger.tag(["a", "b"], TAXONOMY, [_sentiment_for("a", ["neutral"])])


def test_aspect_sentiment_weights_by_confidence() -> None:
    result = SentimentResult(
        overall=Sentiment("neutral", 0.0, 0.3),
        sentences=[
            SentenceSentiment("a", 0, 1, Sentiment("negative", -0.9, 0.9)),
            SentenceSentiment("b", 2, 3, Sentiment("positive", 0.5, 0.3)),
        ],
    )
    agg = aspect_sentiment(result, [0, 1])
    assert agg.label == "negative"
    assert agg.score == pytest.approx((-0.9 * 0.9 + 0.5 * 0.3) / 1.2, abs=1e-3)
    assert aspect_sentiment(result, []) == result.overall
    assert aspect_sentiment(result, [7]) == result.overall


@pytest.fixture(scope="session")
def real_encoder() -> Encoder:
    return Encoder().load()


@pytest.mark.slow
def test_real_encoder_tags_customer_answers(real_encoder: Encoder) -> None:
    tagger = TopicTagger(real_encoder)
    results = tagger.tag(
        [
            "My parcel arrived a week late and the box was crushed.",
            "I was charged twice and the app kept crashing at checkout.",
            "asdf",
        ],
        default_taxonomy("customer"),
    )
    assert results[0].top_topic == "delivery"
    tagged = {t.topic for t in results[1].tags}
    assert {"billing & payments", "website & app"} <= tagged
    assert results[2].top_topic  # always filled for text


@pytest.mark.slow
def test_shipped_calibration_matches_a_refit(real_encoder: Encoder) -> None:
    refit = fit_calibration(real_encoder, [default_taxonomy("customer"), default_taxonomy("worker")])
    assert refit.w_margin == pytest.approx(DEFAULT_CALIBRATION.w_margin, rel=0.1)
    assert refit.w_sim == pytest.approx(DEFAULT_CALIBRATION.w_sim, rel=0.1)
    assert refit.bias == pytest.approx(DEFAULT_CALIBRATION.bias, rel=0.1)
    assert refit.keyword_precision == pytest.approx(DEFAULT_CALIBRATION.keyword_precision, abs=0.02)
