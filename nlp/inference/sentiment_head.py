"""`default-lr`: the shared encoder's sentence embeddings through a small classifier head.

The head is trained on Heedful's own corpus by `nlp.training.head` and shipped in `nlp/weights/`
(`sentiment_head.npz` and its card). Still selectable when LoRA adapters ship as the default.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder import Encoder, ModelLoadError
from nlp.inference.sentiment_base import LABELS, WEIGHTS_DIR, Probabilities, Scores, SentenceSentimentModel, softmax
from nlp.loading import LoadOnce

HEAD_FILE = "sentiment_head.npz"
CARD_FILE = "sentiment_head.json"
# The encoder + logistic-regression head, still selectable when LoRA weights ship as the default.
DEFAULT_LR_SENTIMENT_MODEL = "default-lr"


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


class HeadSentimentModel(SentenceSentimentModel):
    """The shared encoder's embeddings through the head in `weights_dir`."""

    name = "heedful-sentiment"

    def __init__(self, encoder: Encoder, weights_dir: Path = WEIGHTS_DIR, head: Head | None = None) -> None:
        """`head` injects an in-memory head (training evaluates one before it is written)."""
        self.encoder = encoder
        self.weights_dir = weights_dir
        self.card: dict[str, Any] = {}
        self.version = ""
        self._head = LoadOnce.loaded(head) if head is not None else LoadOnce(self._load)

    def load(self) -> HeadSentimentModel:
        """Load the encoder and the head now; a missing or mismatched head is a ModelLoadError."""
        self._head.get()
        return self

    def _load(self) -> Head:
        head_path = self.weights_dir / HEAD_FILE
        try:
            head = Head.load(head_path)
            card = json.loads((self.weights_dir / CARD_FILE).read_text(encoding="utf-8"))
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
        return head

    def forward(self, sentences: list[str]) -> tuple[Probabilities, Scores]:
        probs = softmax(self._head.get().logits(self.encoder.embed(sentences)))
        return probs, probs[:, 2] - probs[:, 0]
