"""The Analyzer: redact → sentiment → topics → urgency, batched, with injected parts."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from nlp.analyzer import Analyzer, has_text
from nlp.encoder import Encoder
from nlp.inference.topics import TopicTagger
from nlp.inference.urgency import UrgencyDetector, UrgencyHead
from nlp.sentences import split_sentences
from nlp.settings import NLPSettings
from nlp.taxonomy import Taxonomy, Topic
from nlp.types import SentenceSentiment, Sentiment, SentimentResult

DIM = 64


class HashingEncoder:
    name = "hashing"
    version = "h1"

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


class KeywordSentiment:
    """Stub SentimentModel: 'bad'/'cold' negative, 'great' positive, per sentence."""

    name = "stub-sentiment"
    version = "s1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        self.seen.extend(texts)
        out = []
        for text in texts:
            sentences = [SentenceSentiment(s, a, b, self._one(s)) for s, a, b in split_sentences(text)]
            out.append(SentimentResult(overall=self._one(text), sentences=sentences))
        return out

    @staticmethod
    def _one(text: str) -> Sentiment:
        if re.search(r"bad|cold", text, re.I):
            return Sentiment("negative", -0.8, 0.9)
        if re.search(r"great", text, re.I):
            return Sentiment("positive", 0.8, 0.9)
        return Sentiment("neutral", 0.0, 0.6)


TAXONOMY = Taxonomy(
    "t",
    [
        Topic("food", "food", ["cold soup"], ["soup", "pizza"]),
        Topic("staff", "staff", ["rude staff"], ["staff", "waiter"]),
    ],
)


def _analyzer() -> tuple[Analyzer, KeywordSentiment]:
    encoder = HashingEncoder()
    weights = np.zeros(DIM + 5, dtype=np.float32)
    weights[DIM + 2] = 10.0
    sentiment = KeywordSentiment()
    analyzer = Analyzer(
        NLPSettings(),
        encoder=encoder,
        sentiment=sentiment,
        tagger=TopicTagger(encoder),
        urgency=UrgencyDetector(encoder, head=UrgencyHead(weights, -5.0, 0.5)),
    )
    return analyzer.load(), sentiment


def test_customer_batch_end_to_end() -> None:
    analyzer, sentiment = _analyzer()
    first, second = analyzer.analyze(
        ["The soup was cold. But the waiter was great! Mail me: a@b.com", "smell of gas here"], TAXONOMY
    )
    assert first.redacted.text.endswith("[EMAIL]") and first.redacted.kinds == ("EMAIL",)
    assert all("a@b.com" not in t for t in sentiment.seen)  # models only see redacted text
    assert first.topics is not None
    tags = {t.topic: t for t in first.topics.tags}
    assert tags["food"].sentiment is not None and tags["food"].sentiment.label == "negative"
    assert tags["staff"].sentiment is not None and tags["staff"].sentiment.label == "positive"
    assert second.urgency.urgent is False  # customer audience: never urgent
    assert first.model_name == "stub-sentiment+hashing" and first.model_version == "s1+h1"
    assert analyzer.name == first.model_name


def test_worker_audience_flags_urgency_and_uses_default_taxonomy() -> None:
    analyzer, _ = _analyzer()
    [result] = analyzer.analyze(["smell of gas near boiler 2"], audience="worker")
    assert result.urgency.urgent and result.urgency.reason is not None
    assert result.topics is not None and result.topics.top_topic


BAD = ["", "   ", "?!...", "\x00\x01\x02\xff", "12345 678", "word " * 20_000, "Обслуживание 很好 the soup", "😀🎉"]


def test_bad_inputs_never_fail_the_batch() -> None:
    analyzer, sentiment = _analyzer()
    results = analyzer.analyze(BAD, TAXONOMY, audience="worker")
    assert len(results) == len(BAD)
    assert [r.no_text for r in results] == [True, True, True, True, True, False, False, False]
    for r in results[:5]:
        assert r.topics is None and not r.urgency.urgent and r.sentiment.overall.confidence == 0.0
    # Mostly Russian: the English encoder cannot read it, so it is marked rather than scored as English.
    assert results[6].topics is None and results[6].not_analysed == "not analysed: ru"
    assert results[7].topics is not None  # emoji are read (nlp.emoji), so an emoji-only answer is analysed
    assert max(len(t) for t in sentiment.seen) <= 20_000
    assert analyzer.analyze([], TAXONOMY) == []


def test_groups_analysed_together_equal_each_group_alone() -> None:
    analyzer, _ = _analyzer()
    customer = ["The soup was cold. But the waiter was great!", "", "rude staff"]
    worker = ["smell of gas near boiler 2", "😀"]
    together = analyzer.analyze_many([(customer, TAXONOMY, "customer"), (worker, None, "worker")])
    assert together == [analyzer.analyze(customer, TAXONOMY, "customer"), analyzer.analyze(worker, None, "worker")]
    assert together[1][0].urgency.urgent and not together[0][2].urgency.urgent


def test_unknown_audience_is_rejected() -> None:
    analyzer, _ = _analyzer()
    with pytest.raises(ValueError, match="audience"):
        analyzer.analyze(["x"], audience="patients")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ok", True), ("😀", True), ("👍🏽", True), ("42", False), ("a", False), ("°C ©", False), ("?!", False)],
)
def test_has_text(text: str, expected: bool) -> None:
    assert has_text(text) is expected


@pytest.mark.slow
def test_default_models_run_one_forward_pass_per_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = Analyzer(NLPSettings()).load()
    # The default sentiment model's own encoder (plain, with the adapted branch) is the one topics and urgency use.
    assert analyzer._encoder is getattr(analyzer._sentiment, "encoder", None)
    analyzer.analyze(["warm-up: embeds the worker taxonomy's prototypes"], audience="worker")
    forwarded: list[str] = []
    original = Encoder._forward

    def counting(self: Encoder, texts: list[str], batch_size: int | None, *, base: bool, branch: bool) -> Any:
        forwarded.extend(texts)
        return original(self, texts, batch_size, base=base, branch=branch)

    monkeypatch.setattr(Encoder, "_forward", counting)
    two = "Guard removed from the saw. The floor is wet too."
    results = analyzer.analyze([two, "smell of gas near boiler 2"], audience="worker")
    # Each sentence once; the two-sentence answer itself is composed from them, never encoded again.
    assert sorted(forwarded) == sorted(
        ["Guard removed from the saw.", "The floor is wet too.", "smell of gas near boiler 2"]
    )
    assert results[1].urgency.urgent
    assert results[0].topics is not None and results[0].topics.top_topic == "machinery & guarding"


def test_composed_embedding_is_the_normalised_sum_of_token_states() -> None:
    encoder = _SumEncoder()
    with encoder.batch_cache():
        encoder.embed(["a b", "c"])
        encoder.compose("a b. c", ["a b", "c"])
        [whole] = encoder.embed(["a b. c"])
    assert encoder.calls == [["a b", "c"]]  # the whole answer was not forwarded
    expected = np.array([3.0, 1.0, 0.0]) / np.linalg.norm([3.0, 1.0, 0.0])
    assert np.allclose(whole, expected)


class _SumEncoder(Encoder):
    """Token states are fixed vectors per word, so the expected composition is known by hand."""

    WORDS = {"a": [1.0, 0.0, 0.0], "b": [2.0, 0.0, 0.0], "c": [0.0, 1.0, 0.0]}

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    @property
    def dim(self) -> int:
        return 3

    def _forward(self, texts: list[str], batch_size: int | None, *, base: bool, branch: bool) -> Any:
        self.calls.append(list(texts))
        sums = np.array([np.sum([self.WORDS[w] for w in t.split()], axis=0) for t in texts], dtype=np.float32)
        return sums / np.linalg.norm(sums, axis=1, keepdims=True), sums, np.zeros_like(sums)


@pytest.mark.slow
def test_int8_analyzer_agrees_with_fp32_on_clear_answers() -> None:
    texts = [
        "Fantastic service, thank you so much!",
        "The parcel arrived smashed and nobody answers.",
        "smell of gas near boiler 2",
    ]
    fp32 = Analyzer(NLPSettings()).analyze(texts, audience="worker")
    int8_analyzer = Analyzer(NLPSettings(quantize=True))
    int8 = int8_analyzer.analyze(texts, audience="worker")
    assert int8_analyzer.version.endswith("-int8")  # stored rows say which weights scored them
    assert [r.sentiment.overall.label for r in int8] == [r.sentiment.overall.label for r in fp32]
    assert [r.sentiment.overall.label for r in int8[:2]] == ["positive", "negative"]
    assert int8[2].urgency.urgent  # the fp32-trained urgency head applies to the int8 encoder


class _ReadsPolish(HashingEncoder):
    languages = frozenset({"en", "pl"})


def test_answers_the_encoder_cannot_read_are_marked_not_analysed_and_still_checked_for_danger() -> None:
    analyzer, sentiment = _analyzer()
    polish, english, tamil, gas = analyzer.analyze(
        [
            "Wszystko w porządku, dziękuję",
            "The soup was cold",
            "உணவு நன்றாக இருந்தது",
            "Czuć gaz przy kotłowni, proszę sprawdzić.",
        ],
        TAXONOMY,
        audience="worker",
        hints=["pl", "en", "en", "pl"],
    )
    assert (polish.language, polish.not_analysed, polish.topics) == ("pl", "not analysed: pl", None)
    assert polish.sentiment.overall.confidence == 0.0 and not polish.no_text
    assert (english.language, english.not_analysed) == ("en", None) and english.topics is not None
    assert (tamil.language, tamil.not_analysed) == ("", "not analysed: unknown script")
    assert (gas.urgency.urgent, gas.urgency.reason, gas.not_analysed) == (True, "gas leak", "not analysed: pl")
    assert sentiment.seen == ["The soup was cold"]  # nothing unreadable reached the sentiment model


def test_a_multilingual_encoder_scores_those_answers() -> None:
    encoder = _ReadsPolish()
    analyzer = Analyzer(
        NLPSettings(), encoder=encoder, sentiment=KeywordSentiment(), tagger=TopicTagger(encoder),
        urgency=UrgencyDetector(encoder, head=UrgencyHead(np.zeros(DIM + 5, dtype=np.float32), -5.0, 0.5)),
    ).load()
    [polish] = analyzer.analyze(["Wszystko w porządku, dziękuję"], TAXONOMY, hints=["pl"])
    assert (polish.language, polish.not_analysed) == ("pl", None) and polish.topics is not None


def test_language_hints_must_match_the_texts() -> None:
    analyzer, _ = _analyzer()
    with pytest.raises(ValueError, match="1 language hints for 2 texts"):
        analyzer.analyze(["a b", "c d"], TAXONOMY, hints=["en"])
