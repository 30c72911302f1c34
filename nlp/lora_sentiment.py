"""Sentiment from the encoder fine-tuned with LoRA adapters on Heedful's own corpus.

Low-rank adapters (rank `LoRAConfig.rank`) sit on query/key/value and every dense layer of the encoder's
transformer blocks; a linear head reads the mean-pooled, L2-normalised embedding. Only adapters and head
ship (`nlp/weights/sentiment_lora.safetensors`, ~1.3 MB); at load they are merged into a copy of the encoder,
so inference costs exactly one plain encoder pass. The analyzer runs topics and urgency on this same merged
encoder (`LoRASentimentModel.encoder`), so one forward pass per sentence serves every task.

`train_lora()` fits them deterministically on the corpus split of `nlp/train.py`; the shipped weights are
the ones trained on the 80 % split, so the card's held-out numbers describe exactly what ships.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.emoji import describe, reads_emoji
from nlp.encoder import Encoder, EncoderConfig, ModelLoadError, _fingerprint, load_pretrained, resolve_model_path
from nlp.evaluate import classification_report
from nlp.sentiment import LABELS, WEIGHTS_DIR, Probabilities, _SentenceScorer, _softmax, clean_text

LORA_FILE = "sentiment_lora.safetensors"
LORA_CARD = "sentiment_lora.json"
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True)
class LoRAConfig:
    """Hyper-parameters of the adapters; the defaults are what ships."""

    seed: int = 13
    holdout: float = 0.2
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.05
    epochs: int = 3
    batch_size: int = 16
    max_length: int = 96
    learning_rate: float = 5e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    logit_scale: float = 20.0  # embeddings are unit-norm; this lets the head reach confident logits


def lora_weights_present(weights_dir: Path = WEIGHTS_DIR) -> bool:
    return (weights_dir / LORA_FILE).is_file() and (weights_dir / LORA_CARD).is_file()


def _lora_linear_class() -> Any:
    import torch

    class LoRALinear(torch.nn.Module):
        """y = W x + b + (alpha / r) B A x, with W, b frozen."""

        def __init__(self, base: torch.nn.Linear, rank: int, alpha: float, dropout: float) -> None:
            super().__init__()
            self.base = base
            self.A = torch.nn.Parameter(torch.empty(rank, base.in_features))
            torch.nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
            self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank
            self.drop = torch.nn.Dropout(dropout)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.base(x) + (self.drop(x) @ self.A.T @ self.B.T) * self.scale
            return out

    return LoRALinear


def _split(target: str) -> tuple[str, str]:
    parent, attr = target.rsplit(".", 1)
    return parent, attr


def _pool(model: Any, batch: Any) -> Any:
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def _load_base(encoder: str) -> tuple[Any, Any]:
    _, tokenizer, model = load_pretrained(encoder)
    return tokenizer, model


class LoRASentimentModel(_SentenceScorer):
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
        self._encoder: Encoder | None = None
        self._head: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None
        self._scale = 1.0
        self._lock = threading.Lock()

    def load(self) -> LoRASentimentModel:
        """Load encoder, merge adapters, load head, once; any failure is one ModelLoadError line."""
        with self._lock:
            if self._encoder is not None:
                return self
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
            tokenizer, model = _load_base(str(card.get("encoder", "")))
            config = card["config"]
            scale = float(config["alpha"]) / int(config["rank"])
            try:
                with torch.no_grad():
                    for i, layer in enumerate(model.encoder.layer):
                        for target in TARGETS:
                            lin = layer.get_submodule(target)
                            a, b = tensors[f"{i}.{target}.A"], tensors[f"{i}.{target}.B"]
                            lin.weight += (b @ a) * scale
                head_w = tensors["head.weight"].double().numpy()
                head_b = tensors["head.bias"].double().numpy()
            except (KeyError, RuntimeError) as exc:
                raise ModelLoadError(f"LoRA weights in {self.weights_dir} do not fit the encoder: {exc}") from exc
            digest = hashlib.sha256((self.weights_dir / LORA_FILE).read_bytes()).hexdigest()[:8]
            self.version = f"lora{card.get('version', '0')}+{digest}"
            encoder_name = str(card.get("encoder", ""))
            self._encoder = Encoder.from_model(
                model,
                tokenizer,
                EncoderConfig(
                    model=encoder_name, batch_size=self.batch_size, threads=self.threads, quantize=self.quantize
                ),
                # The merged encoder is its own model: its version names the base and the adapters.
                version=f"{_fingerprint(resolve_model_path(encoder_name))}+{self.version}",
            )
            self.card = card
            self._scale = float(config["logit_scale"])
            self._head = (head_w, head_b)
        return self

    @property
    def encoder(self) -> Encoder:
        """The adapter-merged encoder; the analyzer shares it with topics and urgency."""
        self.load()
        assert self._encoder is not None
        return self._encoder

    def _score(self, sentences: list[str]) -> tuple[Probabilities, npt.NDArray[np.float64]]:
        self.load()
        assert self._head is not None
        w, b = self._head
        probs = _softmax((self.encoder.embed(sentences).astype(np.float64) @ w.T + b) * self._scale)
        return probs, probs[:, 2] - probs[:, 0]


def train_lora(
    encoder: str,
    files: list[Path],
    out_dir: Path = WEIGHTS_DIR,
    config: LoRAConfig | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Fit adapters + head on the seeded 80 % split, evaluate on the rest, write weights and card.

    `limit` keeps only the first N training rows (tests); deterministic for a given input and seed.
    """
    import torch

    from nlp.train import load_corpus

    config = config or LoRAConfig()
    started = time.perf_counter()
    corpus = load_corpus(files)
    # One thread: the same float summation order on every machine (bit-identical weights), and no
    # OpenMP spin-waiting when other processes share the two cores.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(encoder, corpus, out_dir, config, limit, started)
    finally:
        torch.set_num_threads(threads)


def _train(
    encoder: str, corpus: Any, out_dir: Path, config: LoRAConfig, limit: int | None, started: float
) -> dict[str, Any]:
    import torch
    from safetensors.torch import save_file

    from nlp.train import stratified_split

    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True)
    tokenizer, model = _load_base(encoder)
    model.eval()  # the base model's dropout stays off; only the adapters' dropout regularises
    for p in model.parameters():
        p.requires_grad_(False)
    lora_cls = _lora_linear_class()
    adapters: dict[str, Any] = {}
    for i, layer in enumerate(model.encoder.layer):
        for target in TARGETS:
            parent_path, attr = _split(target)
            parent = layer.get_submodule(parent_path)
            module = lora_cls(getattr(parent, attr), config.rank, config.alpha, config.dropout)
            setattr(parent, attr, module)
            adapters[f"{i}.{target}"] = module
    head = torch.nn.Linear(int(model.config.hidden_size), len(LABELS))
    # The same emoji words the Encoder gives this tokenizer at inference (nlp.emoji).
    words = not reads_emoji(tokenizer)
    texts = [describe(clean_text(t)) if words else clean_text(t) for t in corpus.texts]
    y = np.array([LABELS.index(lab) for lab in corpus.labels], dtype=np.int64)
    train_idx, test_idx = stratified_split(corpus.labels, config.holdout, config.seed)
    if limit is not None:
        train_idx = train_idx[:limit]
    counts = np.bincount(y[train_idx], minlength=len(LABELS)).astype(np.float64)
    balance = counts.sum() / (len(LABELS) * np.maximum(counts, 1.0))
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32))
    lora_params = [p for m in adapters.values() for p in (m.A, m.B)]
    optimizer = torch.optim.AdamW(
        [
            {"params": lora_params, "lr": config.learning_rate},
            {"params": list(head.parameters()), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    steps = config.epochs * math.ceil(len(train_idx) / config.batch_size)
    warmup = max(1.0, 0.06 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
    )
    generator = torch.Generator().manual_seed(config.seed)
    for module in adapters.values():
        module.train()
    for _ in range(config.epochs):
        perm = torch.randperm(len(train_idx), generator=generator).tolist()
        for start in range(0, len(perm), config.batch_size):
            idx = [train_idx[k] for k in perm[start : start + config.batch_size]]
            batch = tokenizer(
                [texts[k] for k in idx],
                padding=True,
                truncation=True,
                max_length=config.max_length,
                return_tensors="pt",
            )
            loss = loss_fn(head(_pool(model, batch)) * config.logit_scale, torch.from_numpy(y[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    tensors = {f"{k}.A": m.A.detach().contiguous() for k, m in adapters.items()}
    tensors |= {f"{k}.B": m.B.detach().contiguous() for k, m in adapters.items()}
    tensors |= {"head.weight": head.weight.detach().contiguous(), "head.bias": head.bias.detach().contiguous()}
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / LORA_FILE
    save_file(tensors, str(weights_path))
    train_seconds = round(time.perf_counter() - started, 1)
    card: dict[str, Any] = {
        "version": "1",
        "model": LoRASentimentModel.name,
        "architecture": f"encoder + LoRA r={config.rank} on {', '.join(TARGETS)}; mean-pool -> linear head",
        "encoder": encoder,
        "labels": list(LABELS),
        "config": asdict(config),
        "corpus": {
            "files": [p.name for p in corpus.files],
            "sha256": corpus.sha256,
            "rows": len(corpus.texts),
            "train_rows": len(train_idx),
            "labels": dict(sorted(Counter(corpus.labels).items())),
        },
        "weights_sha256": hashlib.sha256(weights_path.read_bytes()).hexdigest(),
        "weights_bytes": weights_path.stat().st_size,
        "train_seconds": train_seconds,
    }
    (out_dir / LORA_CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    scorer = LoRASentimentModel(out_dir).load()
    gold = [corpus.labels[i] for i in test_idx]
    predicted = [r.overall.label for r in scorer.predict([corpus.texts[i] for i in test_idx])]
    report = classification_report(gold, predicted, labels=LABELS)
    card["heldout"] = {"rows": len(test_idx), "accuracy": report.accuracy, "macro_f1": report.macro_f1}
    (out_dir / LORA_CARD).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card
