"""The shipped default model with the real encoder (slow: loads MiniLM once per session)."""

from __future__ import annotations

import pytest

from nlp.encoder import Encoder
from nlp.inference.sentiment import load_sentiment_model
from nlp.inference.sentiment_head import HeadSentimentModel
from nlp.settings import NLPSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def real_encoder() -> Encoder:
    return Encoder().load()


@pytest.fixture(scope="session")
def default_model(real_encoder: Encoder) -> HeadSentimentModel:
    model = load_sentiment_model(NLPSettings(sentiment_model="default-lr"), encoder=real_encoder)
    assert isinstance(model, HeadSentimentModel)
    return model


def test_clear_cases(default_model: HeadSentimentModel) -> None:
    results = default_model.predict(
        [
            "The staff were lovely and my order arrived early, thank you!",
            "Terrible service, the parcel was broken and nobody answered my emails.",
            "The forklift brakes failed again and someone nearly got crushed.",
        ]
    )
    assert [r.overall.label for r in results] == ["positive", "negative", "negative"]
    assert results[0].overall.score > 0.3 and results[1].overall.score < -0.3


def test_contrast_answer_is_mixed(default_model: HeadSentimentModel) -> None:
    (result,) = default_model.predict(["The food was absolutely delicious, but the waiter was rude and slow."])
    assert [s.sentiment.label for s in result.sentences] == ["positive", "negative"]
    assert result.mixed


def test_long_answer_covers_every_part(default_model: HeadSentimentModel) -> None:
    praise = "The team was helpful and kind. " * 200
    text = praise + "But the final bill was a disgrace and I want a refund."
    (result,) = default_model.predict([text])
    assert result.sentences[-1].end == len(text)
    assert result.sentences[-1].sentiment.label == "negative"


def test_version_records_head_and_encoder(default_model: HeadSentimentModel, real_encoder: Encoder) -> None:
    assert default_model.version.endswith(real_encoder.version)
    assert default_model.card["corpus"]["rows"] >= 2300
