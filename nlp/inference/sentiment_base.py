"""Sentiment of survey answers, for the whole answer and for each sentence: the flow every model shares.

`SentenceSentimentModel.predict` runs preprocess → forward → postprocess:

* preprocess: every answer is cleaned and split into sentences (contrast clauses such as "… but …"
  apart, long run-ons chunked); nothing is truncated, so a 100 KB answer becomes many chunks;
* forward: all sentences of the batch are scored in one batched pass; this is the only step a model
  writes (`nlp.inference.sentiment_head`, `sentiment_lora`, `sentiment_hf`);
* postprocess: the answer's sentiment is the length-weighted mean of its sentences' class
  probabilities, and an answer with a clearly positive and a clearly negative sentence is "mixed".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nlp.emoji import has_emoji
from nlp.sentences import split_sentences
from nlp.types import SentenceSentiment, Sentiment, SentimentLabel, SentimentResult

__all__ = [
    "LABELS",
    "WEIGHTS_DIR",
    "Probabilities",
    "Scores",
    "Segment",
    "SentenceSentimentModel",
    "SentimentModel",
    "clean_text",
    "softmax",
]

LABELS: tuple[SentimentLabel, SentimentLabel, SentimentLabel] = ("negative", "neutral", "positive")
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
# An answer is "mixed" when one sentence is at least this positive and another at least this negative.
MIXED_MARGIN = 0.5
NO_TEXT = Sentiment(label="neutral", score=0.0, confidence=0.0)

Probabilities = npt.NDArray[np.float64]
Scores = npt.NDArray[np.float64]
# Characters a tokenizer must never see: controls, lone surrogates, private use, unassigned, U+FFFD.
_JUNK_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
_WORDLIKE = re.compile(r"\w", re.UNICODE)


class SentimentModel(Protocol):
    """Anything that scores answers; the analyzer and the CLI depend on this, never on a class."""

    name: str
    version: str

    def predict(self, texts: list[str]) -> list[SentimentResult]: ...


@dataclass(frozen=True)
class Segment:
    """One sentence of one answer: which answer, its text, and where it sits in the cleaned answer."""

    text_index: int
    text: str
    start: int
    end: int


class SentenceSentimentModel:
    """preprocess → forward → postprocess; a model implements `forward` (sentences → probabilities)."""

    name: str = ""
    version: str = ""

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        """Score each answer and its sentences; an empty or unreadable answer gets a neutral, 0-confidence result."""
        segments = self.preprocess(texts)
        if segments:
            probs, scores = self.forward([s.text for s in segments])
        else:
            probs, scores = np.zeros((0, 3)), np.zeros(0)
        return self.postprocess(len(texts), segments, probs, scores)

    def preprocess(self, texts: list[str]) -> list[Segment]:
        """The sentences of every answer, in order; sentences with no word or emoji are dropped."""
        return [seg for i, text in enumerate(texts) for seg in _segments(i, text)]

    def forward(self, sentences: list[str]) -> tuple[Probabilities, Scores]:
        """Return (n, 3) probabilities in LABELS order and (n,) scores in [-1, 1]."""
        raise NotImplementedError

    def postprocess(
        self, n_texts: int, segments: list[Segment], probs: Probabilities, scores: Scores
    ) -> list[SentimentResult]:
        """One result per answer from its sentences' rows of `probs` and `scores`."""
        per_text: list[list[int]] = [[] for _ in range(n_texts)]
        for row, seg in enumerate(segments):
            per_text[seg.text_index].append(row)
        return [_aggregate(segments, rows, probs, scores) for rows in per_text]


def clean_text(text: str) -> str:
    """Replace characters no tokenizer should see with spaces, one for one, so spans stay valid."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to replace, so skip the per-character look-up
    return "".join(
        " " if (unicodedata.category(ch) in _JUNK_CATEGORIES and ch not in "\n\t") or ch == "\ufffd" else ch
        for ch in text
    )


def softmax(logits: npt.NDArray[np.float64]) -> Probabilities:
    """Row-wise softmax, shifted by each row's maximum so large logits do not overflow."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return out


def _segments(index: int, text: str) -> list[Segment]:
    cleaned = clean_text(text)
    return [
        Segment(index, sentence, start, end)
        for sentence, start, end in split_sentences(cleaned)
        if _WORDLIKE.search(sentence) or has_emoji(sentence)  # "👍" alone is an answer
    ]


def _aggregate(segments: list[Segment], rows: list[int], probs: Probabilities, scores: Scores) -> SentimentResult:
    if not rows:
        return SentimentResult(overall=NO_TEXT, sentences=[], mixed=False)
    parts = [
        SentenceSentiment(
            text=segments[r].text,
            start=segments[r].start,
            end=segments[r].end,
            sentiment=_sentiment(probs[r], float(scores[r])),
        )
        for r in rows
    ]
    # Longer sentences carry more of the answer; sqrt keeps one long chunk from drowning short verdicts.
    weights = np.sqrt(np.array([len(segments[r].text) for r in rows], dtype=np.float64))
    weights /= weights.sum()
    overall = _sentiment(weights @ probs[rows], float(weights @ scores[rows]))
    sentence_scores = [p.sentiment.score for p in parts]
    mixed = max(sentence_scores) >= MIXED_MARGIN and min(sentence_scores) <= -MIXED_MARGIN
    return SentimentResult(overall=overall, sentences=parts, mixed=mixed)


def _sentiment(probs: Probabilities, score: float) -> Sentiment:
    best = int(np.argmax(probs))
    # Plain float clamps: np.clip on a scalar costs microseconds, and this runs for every sentence.
    return Sentiment(
        label=LABELS[best],
        score=round(min(max(float(score), -1.0), 1.0), 6),
        confidence=round(min(max(float(probs[best]), 0.0), 1.0), 6),
    )
