"""Sentiment from the encoder fine-tuned with LoRA adapters in its top layers, on Heedful's corpus.

Low-rank adapters (rank `config.rank` in the card) sit on query/key/value and every dense layer of the
top `config.layers` transformer blocks; a linear head reads the mean-pooled, L2-normalised embedding.
Only adapters and head ship (`nlp/weights/sentiment_lora.safetensors`). At load they are merged into a
copy of those top blocks, an `nlp.encoder.Branch` of the plain encoder: one pass runs the shared lower
blocks once, then both the plain top blocks and the adapted copy. The analyzer gives topics, urgency
and themes the plain encoder's embeddings (`LoRASentimentModel.encoder`), a space sentiment training
has not bent, and sentiment the branch's. `nlp predict --task sentiment` skips the plain top blocks.

`nlp.training.lora.train_lora()` fits them deterministically; the card says on what and how well.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.encoder import (
    Branch,
    Encoder,
    EncoderConfig,
    ModelLoadError,
    load_pretrained,
    model_fingerprint,
)
from nlp.inference.sentiment_base import WEIGHTS_DIR, Probabilities, Scores, SentenceSentimentModel, softmax
from nlp.loading import LoadOnce

LORA_FILE = "sentiment_lora.safetensors"
LORA_CARD = "sentiment_lora.json"
# The Linear layers of each transformer block that carry adapters (names inside a BERT layer).
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def lora_weights_present(weights_dir: Path = WEIGHTS_DIR) -> bool:
    return (weights_dir / LORA_FILE).is_file() and (weights_dir / LORA_CARD).is_file()


@dataclass(frozen=True)
class _Merged:
    encoder: Encoder
    head_weight: npt.NDArray[np.float64]
    head_bias: npt.NDArray[np.float64]
    logit_scale: float


class LoRASentimentModel(SentenceSentimentModel):
    """Default model when `nlp/weights/sentiment_lora.*` exist: an encoder copy with merged adapters + head."""

    name = "heedful-sentiment-lora"

    def __init__(
        self,
        weights_dir: Path = WEIGHTS_DIR,
        batch_size: int = 64,
        threads: int | None = None,
        quantize: bool = False,
    ) -> None:
        self.weights_dir = weights_dir
        self.batch_size = batch_size
        self.threads = threads
        self.quantize = quantize
        self.version = ""
        self.card: dict[str, Any] = {}
        self._merged = LoadOnce(self._load)

    def load(self) -> LoRASentimentModel:
        """Load encoder, merge adapters, load head, once; any failure is one ModelLoadError line."""
        self._merged.get()
        return self

    def _load(self) -> _Merged:
        import torch
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            card = json.loads((self.weights_dir / LORA_CARD).read_text(encoding="utf-8"))
            tensors = load_file(str(self.weights_dir / LORA_FILE))
        except (OSError, ValueError, SafetensorError) as exc:
            raise ModelLoadError(f"cannot load LoRA sentiment weights from {self.weights_dir}: {exc}") from exc
        encoder_name = str(card.get("encoder", ""))
        path, tokenizer, model = load_pretrained(encoder_name)
        config = card["config"]
        scale = float(config["alpha"]) / int(config["rank"])
        n_layers = len(model.encoder.layer)
        # Cards from before top-layer adapters have no "layers": their adapters sit in every block.
        start = n_layers - min(int(config.get("layers", n_layers)), n_layers)
        tail = copy.deepcopy(model.encoder.layer[start:])
        try:
            with torch.no_grad():
                for offset, layer in enumerate(tail):
                    for target in TARGETS:
                        lin = layer.get_submodule(target)
                        i = start + offset
                        a, b = tensors[f"{i}.{target}.A"], tensors[f"{i}.{target}.B"]
                        lin.weight += (b @ a) * scale
            head_w = tensors["head.weight"].double().numpy()
            head_b = tensors["head.bias"].double().numpy()
        except (KeyError, RuntimeError) as exc:
            raise ModelLoadError(f"LoRA weights in {self.weights_dir} do not fit the encoder: {exc}") from exc
        digest = hashlib.sha256((self.weights_dir / LORA_FILE).read_bytes()).hexdigest()[:8]
        self.version = f"lora{card.get('version', '0')}+{digest}"
        encoder = Encoder.from_model(
            model,
            tokenizer,
            EncoderConfig(model=encoder_name, batch_size=self.batch_size, threads=self.threads, quantize=self.quantize),
            # The base view is the plain encoder, so its version is the plain one: topics and urgency
            # use the calibration and head fitted for it.
            version=model_fingerprint(path),
            branch=Branch(start=start, layers=tail),
        )
        self.card = card
        return _Merged(encoder, head_w, head_b, float(config["logit_scale"]))

    @property
    def encoder(self) -> Encoder:
        """The plain encoder with the adapted branch; the analyzer shares it with topics and urgency."""
        return self._merged.get().encoder

    def forward(self, sentences: list[str]) -> tuple[Probabilities, Scores]:
        merged = self._merged.get()
        embeddings = merged.encoder.embed_branch(sentences).astype(np.float64)
        probs = softmax((embeddings @ merged.head_weight.T + merged.head_bias) * merged.logit_scale)
        return probs, probs[:, 2] - probs[:, 0]
