"""Plain result types that leave `nlp/`. No tensors or arrays cross this boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SentimentLabel = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Sentiment:
    """Sentiment of a piece of text: label, score in [-1, 1], confidence in [0, 1]."""

    label: SentimentLabel
    score: float
    confidence: float


@dataclass(frozen=True)
class SentenceSentiment:
    """One sentence of an answer with its character span and its own sentiment."""

    text: str
    start: int
    end: int
    sentiment: Sentiment


@dataclass(frozen=True)
class SentimentResult:
    """Whole-answer sentiment plus the per-sentence parts it was aggregated from."""

    overall: Sentiment
    sentences: list[SentenceSentiment] = field(default_factory=list)
    mixed: bool = False


@dataclass(frozen=True)
class TopicTag:
    """A taxonomy topic found in an answer; `sentiment` is the aspect sentiment of the sentences naming it."""

    topic: str
    score: float
    sentiment: Sentiment | None = None
    sentence_indexes: tuple[int, ...] = ()


@dataclass(frozen=True)
class TopicResult:
    """Multi-label tags above threshold plus the single best topic (always set when a taxonomy has topics)."""

    tags: list[TopicTag]
    top_topic: str


@dataclass(frozen=True)
class Urgency:
    """Whether an answer describes an imminent danger, with the reason shown to safety officers."""

    urgent: bool
    score: float
    reason: str | None = None


@dataclass(frozen=True)
class Redaction:
    """Text with personal data replaced by placeholders, and what kinds were removed."""

    text: str
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextAnalysis:
    """Everything the pipeline stores for one free-text answer."""

    redacted: Redaction
    sentiment: SentimentResult
    topics: TopicResult | None
    urgency: Urgency
    model_name: str
    model_version: str
    no_text: bool = False
    language: str = ""  # ISO 639-1; "" when no language can be told (emoji only, an unknown script)
    # Why sentiment and topics were not scored ("not analysed: pl"): the encoder cannot read the language.
    not_analysed: str | None = None


@dataclass(frozen=True)
class Theme:
    """An emerging theme: a cluster of answers no taxonomy topic covers, named by its top c-TF-IDF words."""

    label: str
    keywords: list[str]
    member_indexes: list[int]
    size: int
