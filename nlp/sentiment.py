"""Sentiment of survey answers, for the whole answer and for each sentence.

Every answer is split into sentences (contrast clauses such as "… but …" apart, long run-ons chunked), all
sentences of a batch are scored in one batched pass, and the answer's sentiment is the length-weighted
mean of its sentences' class probabilities. Nothing is truncated: a 100 KB answer becomes many chunks.

Two implementations share that flow and differ only in how a sentence becomes probabilities:

* `HeadSentimentModel` (the default): the shared sentence encoder plus a small classifier head trained
  on Heedful's own corpus by `nlp/train.py`, shipped in `nlp/weights/`.
* `TransformersSentimentModel`: any `AutoModelForSequenceClassification` (HF id in the local cache, or a
  folder) whose 2-, 3- or 5-class label set is mapped onto negative / neutral / positive.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from nlp.emoji import describe, has_emoji, reads_emoji
from nlp.encoder import Encoder, EncoderConfig, ModelLoadError, load_pretrained
from nlp.sentences import split_sentences
from nlp.settings import DEFAULT_SENTIMENT_MODEL, NLPSettings
from nlp.types import SentenceSentiment, Sentiment, SentimentLabel, SentimentResult

__all__ = [
    "LABELS",
    "WEIGHTS_DIR",
    "HeadSentimentModel",
    "ModelLoadError",
    "SentimentModel",
    "TransformersSentimentModel",
    "load_sentiment_model",
]

LABELS: tuple[SentimentLabel, SentimentLabel, SentimentLabel] = ("negative", "neutral", "positive")
WEIGHTS_DIR = Path(__file__).parent / "weights"
HEAD_FILE = "sentiment_head.npz"
# The encoder + logistic-regression head, still selectable when LoRA weights ship as the default.
DEFAULT_LR_SENTIMENT_MODEL = "default-lr"
CARD_FILE = "sentiment_head.json"
# An answer is "mixed" when one sentence is at least this positive and another at least this negative.
MIXED_MARGIN = 0.5
NO_TEXT = Sentiment(label="neutral", score=0.0, confidence=0.0)

Probabilities = npt.NDArray[np.float64]
# Characters a tokenizer must never see: controls, lone surrogates, private use, unassigned, U+FFFD.
_JUNK_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
_WORDLIKE = re.compile(r"\w", re.UNICODE)


class SentimentModel(Protocol):
    """Anything that scores answers; the analyzer and the CLI depend on this, never on a class."""

    name: str
    version: str

    def predict(self, texts: list[str]) -> list[SentimentResult]: ...


@dataclass(frozen=True)
class _Segment:
    text_index: int
    text: str
    start: int
    end: int


class _SentenceScorer:
    """Shared predict(): split, score all sentences in one batch, aggregate per answer."""

    name: str = ""
    version: str = ""

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        """Score each answer and its sentences; an empty or unreadable answer gets a neutral, 0-confidence result."""
        segments = [seg for i, text in enumerate(texts) for seg in _segments(i, text)]
        if segments:
            probs, scores = self._score([s.text for s in segments])
        else:
            probs, scores = np.zeros((0, 3)), np.zeros(0)
        per_text: list[list[int]] = [[] for _ in texts]
        for row, seg in enumerate(segments):
            per_text[seg.text_index].append(row)
        return [_aggregate(segments, rows, probs, scores) for rows in per_text]

    def _score(self, sentences: list[str]) -> tuple[Probabilities, npt.NDArray[np.float64]]:
        """Return (n, 3) probabilities in LABELS order and (n,) scores in [-1, 1]."""
        raise NotImplementedError


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


def _segments(index: int, text: str) -> list[_Segment]:
    cleaned = clean_text(text)
    return [
        _Segment(index, sentence, start, end)
        for sentence, start, end in split_sentences(cleaned)
        if _WORDLIKE.search(sentence) or has_emoji(sentence)  # "👍" alone is an answer
    ]


def _aggregate(
    segments: list[_Segment], rows: list[int], probs: Probabilities, scores: npt.NDArray[np.float64]
) -> SentimentResult:
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


def _softmax(logits: npt.NDArray[np.float64]) -> Probabilities:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return out


# --------------------------------------------------------------------------- default: encoder + head


@dataclass(frozen=True)
class Head:
    """A small MLP (or, with one layer, logistic regression) over sentence embeddings, ReLU between layers."""

    weights: tuple[npt.NDArray[np.float32], ...]
    biases: tuple[npt.NDArray[np.float32], ...]

    def logits(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        h = x.astype(np.float64)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.astype(np.float64).T + b
            if i < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return h

    def save(self, path: Path) -> None:
        arrays = {f"w{i}": w for i, w in enumerate(self.weights)} | {f"b{i}": b for i, b in enumerate(self.biases)}
        np.savez(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> Head:
        with np.load(path) as data:
            n = len([k for k in data.files if k.startswith("w")])
            weights = tuple(np.asarray(data[f"w{i}"], dtype=np.float32) for i in range(n))
            biases = tuple(np.asarray(data[f"b{i}"], dtype=np.float32) for i in range(n))
        if n == 0 or weights[-1].shape[0] != len(LABELS):
            raise ValueError(f"{path.name} is not a {len(LABELS)}-class head")
        return cls(weights=weights, biases=biases)


class HeadSentimentModel(_SentenceScorer):
    """Default model: the shared encoder's embeddings through the head in `nlp/weights/`."""

    name = "heedful-sentiment"

    def __init__(self, encoder: Encoder, weights_dir: Path = WEIGHTS_DIR, head: Head | None = None) -> None:
        """`head` injects an in-memory head (training evaluates one before it is written)."""
        self.encoder = encoder
        self.weights_dir = weights_dir
        self.card: dict[str, Any] = {}
        self._head: Head | None = head
        self._lock = threading.Lock()
        self.version = ""

    def load(self) -> HeadSentimentModel:
        """Load the encoder and the head now; a missing or mismatched head is a ModelLoadError."""
        with self._lock:
            if self._head is not None:
                return self
            head_path = self.weights_dir / HEAD_FILE
            card_path = self.weights_dir / CARD_FILE
            try:
                head = Head.load(head_path)
                card = json.loads(card_path.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError) as exc:
                raise ModelLoadError(f"cannot load sentiment head from {self.weights_dir}: {exc}") from exc
            self.encoder.load()
            if head.weights[0].shape[1] != self.encoder.dim:
                raise ModelLoadError(
                    f"sentiment head expects {head.weights[0].shape[1]}-dim embeddings, "
                    f"encoder {self.encoder.name!r} gives {self.encoder.dim}; retrain with `heedful nlp train`"
                )
            digest = hashlib.sha256(head_path.read_bytes()).hexdigest()[:8]
            self.version = f"{card.get('version', '0')}+{digest}.{self.encoder.version}"
            self.card = card
            self._head = head
        return self

    def _score(self, sentences: list[str]) -> tuple[Probabilities, npt.NDArray[np.float64]]:
        self.load()
        assert self._head is not None
        probs = _softmax(self._head.logits(self.encoder.embed(sentences)))
        return probs, probs[:, 2] - probs[:, 0]


# --------------------------------------------------------------------------- pluggable HF classifiers

_STAR = re.compile(r"^\s*([1-5])\s*stars?\s*$", re.IGNORECASE)


def label_mapping(id2label: dict[int, str]) -> npt.NDArray[np.float64]:
    """Return a (num_labels, 4) matrix: columns neg/neu/pos membership and the class's score in [-1, 1].

    Understands names (negative/neutral/positive, neg/pos, "1 star".."5 stars") and generic LABEL_k
    for 2 (neg, pos), 3 (neg, neu, pos) and 5 (1..5 stars) classes.
    """
    n = len(id2label)
    names = [str(id2label[i]).strip().lower() for i in range(n)]
    rows = [_named_class(name) for name in names]
    if all(r is not None for r in rows):
        return np.array(rows, dtype=np.float64)
    if all(re.fullmatch(r"label_\d+", name) for name in names) and n in _GENERIC:
        return np.array(_GENERIC[n], dtype=np.float64)
    raise ValueError(f"cannot map labels {names} onto negative/neutral/positive")


_NEG, _NEU, _POS = [1.0, 0.0, 0.0, -1.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]
_STARS = [
    [1.0, 0.0, 0.0, -1.0],
    [1.0, 0.0, 0.0, -0.5],
    [0.0, 1.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.5],
    [0.0, 0.0, 1.0, 1.0],
]
_GENERIC = {2: [_NEG, _POS], 3: [_NEG, _NEU, _POS], 5: _STARS}


def _named_class(name: str) -> list[float] | None:
    star = _STAR.match(name)
    if star:
        return _STARS[int(star.group(1)) - 1]
    if name.startswith("neg"):
        return _NEG
    if name.startswith("neu"):
        return _NEU
    if name.startswith("pos"):
        return _POS
    return None


class TransformersSentimentModel(_SentenceScorer):
    """Any sequence-classification model: a local folder, the local HF cache, or (with a hub) a hub id."""

    def __init__(self, model: str, batch_size: int = 64, max_length: int = 256, threads: int | None = None) -> None:
        self.name = model
        self.version = ""
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads
        self._model: Any = None
        self._tokenizer: Any = None
        self._mapping: npt.NDArray[np.float64] = np.zeros((0, 4))
        self._describe_emoji = False
        self._lock = threading.Lock()

    def load(self) -> TransformersSentimentModel:
        """Load tokenizer, weights and label mapping now; any failure is one ModelLoadError line."""
        with self._lock:
            if self._model is not None:
                return self
            import torch
            from transformers import AutoModelForSequenceClassification

            if self.threads:
                torch.set_num_threads(self.threads)
            _, tokenizer, model = load_pretrained(self.name, "sentiment model", AutoModelForSequenceClassification)
            try:
                mapping = label_mapping({int(k): v for k, v in model.config.id2label.items()})
            except ValueError as exc:
                raise ModelLoadError(f"cannot load sentiment model {self.name!r}: {exc}") from exc
            model.eval()
            self._tokenizer, self._model, self._mapping = tokenizer, model, mapping
            self._describe_emoji = not reads_emoji(tokenizer)
            self.version = _folder_fingerprint(self.name)
        return self

    def _score(self, sentences: list[str]) -> tuple[Probabilities, npt.NDArray[np.float64]]:
        self.load()
        import torch

        class_probs = np.zeros((len(sentences), len(self._mapping)), dtype=np.float64)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self._tokenizer(
                    [describe(sentences[i]) if self._describe_emoji else sentences[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = self._model(**batch).logits.double()
                class_probs[idx] = torch.softmax(logits, dim=-1).numpy()
        return class_probs @ self._mapping[:, :3], class_probs @ self._mapping[:, 3]


def _folder_fingerprint(name: str) -> str:
    path = Path(name)
    if not path.is_dir():
        return "hub"
    h = hashlib.sha256()
    for f in sorted(path.glob("*")):
        if f.is_file():
            h.update(f.name.encode())
            h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:12]


def load_sentiment_model(settings: NLPSettings, encoder: Encoder | None = None) -> SentimentModel:
    """Load the configured sentiment model now (fail fast); share `encoder` with the topic tagger."""
    if settings.sentiment_model == DEFAULT_SENTIMENT_MODEL:
        from nlp.lora_sentiment import LoRASentimentModel, lora_weights_present

        if lora_weights_present():
            # An adapter-merged copy of the encoder (`.encoder`); a plain `encoder` passed in stays as it is.
            return LoRASentimentModel(
                batch_size=settings.batch_size, threads=settings.threads, quantize=settings.quantize
            ).load()
    if settings.sentiment_model in (DEFAULT_SENTIMENT_MODEL, DEFAULT_LR_SENTIMENT_MODEL):
        enc = encoder or Encoder(
            EncoderConfig(
                model=settings.encoder,
                batch_size=settings.batch_size,
                threads=settings.threads,
                quantize=settings.quantize,
            )
        )
        return HeadSentimentModel(enc).load()
    return TransformersSentimentModel(
        settings.sentiment_model, batch_size=settings.batch_size, threads=settings.threads
    ).load()
