"""Any Hugging Face sequence-classification model as the sentiment model (`HEEDFUL_SENTIMENT_MODEL`).

A local folder, the local HF cache, or (with a hub) a hub id. Its 2-, 3- or 5-class label set is mapped
onto negative / neutral / positive (`label_mapping`). It has its own network, so the analyzer runs
topics and urgency on the plain encoder beside it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.emoji import describe, reads_emoji
from nlp.encoder import ModelLoadError, load_pretrained
from nlp.inference.sentiment_base import Probabilities, Scores, SentenceSentimentModel
from nlp.loading import LoadOnce

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


@dataclass(frozen=True)
class _Classifier:
    tokenizer: Any
    model: Any
    mapping: npt.NDArray[np.float64]
    describe_emoji: bool


class TransformersSentimentModel(SentenceSentimentModel):
    """Any sequence-classification model: a local folder, the local HF cache, or (with a hub) a hub id."""

    def __init__(self, model: str, batch_size: int = 64, max_length: int = 256, threads: int | None = None) -> None:
        self.name = model
        self.version = ""
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads
        self._classifier = LoadOnce(self._load)

    def load(self) -> TransformersSentimentModel:
        """Load tokenizer, weights and label mapping now; any failure is one ModelLoadError line."""
        self._classifier.get()
        return self

    def _load(self) -> _Classifier:
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
        self.version = _folder_fingerprint(self.name)
        return _Classifier(tokenizer, model, mapping, describe_emoji=not reads_emoji(tokenizer))

    def forward(self, sentences: list[str]) -> tuple[Probabilities, Scores]:
        classifier = self._classifier.get()
        import torch

        class_probs = np.zeros((len(sentences), len(classifier.mapping)), dtype=np.float64)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = classifier.tokenizer(
                    [describe(sentences[i]) if classifier.describe_emoji else sentences[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                logits = classifier.model(**batch).logits.double()
                class_probs[idx] = torch.softmax(logits, dim=-1).numpy()
        return class_probs @ classifier.mapping[:, :3], class_probs @ classifier.mapping[:, 3]


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
