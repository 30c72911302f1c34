"""Fit the LoRA adapters and head of the default sentiment model (`nlp.inference.sentiment_lora`).

Deterministic: one thread, a seeded split, seeded initialisation and batch order, and torch's
deterministic algorithms, so the same corpus, seed and encoder give bit-identical adapters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.emoji import describe, reads_emoji
from nlp.encoder import load_pretrained
from nlp.evaluate import classification_report
from nlp.inference.sentiment_base import LABELS, WEIGHTS_DIR, clean_text
from nlp.inference.sentiment_lora import LORA_CARD, LORA_FILE, TARGETS, LoRASentimentModel
from nlp.training.corpus import Corpus, load_corpus
from nlp.training.model_card import corpus_summary, model_card, write_card
from nlp.training.splits import stratified_split


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


def _pool(model: Any, batch: Any) -> Any:
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def train_lora(
    encoder: str,
    files: list[Path],
    out_dir: Path = WEIGHTS_DIR,
    config: LoRAConfig | None = None,
    limit: int | None = None,
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
) -> dict[str, Any]:
    """Fit adapters + head on the seeded 80 % split, evaluate on the rest, write weights and card.

    `limit` keeps only the first N training rows (tests); deterministic for a given input and seed.
    `extra_rows` are (text, label) pairs trained on beside the corpus files (see load_corpus).
    """
    import torch

    config = config or LoRAConfig()
    started = time.perf_counter()
    corpus = load_corpus(files, extra_rows, extra_source)
    # One thread: the same float summation order on every machine (bit-identical weights), and no
    # OpenMP spin-waiting when other processes share the two cores.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(encoder, corpus, out_dir, config, limit, started)
    finally:
        torch.set_num_threads(threads)


def _train(
    encoder: str, corpus: Corpus, out_dir: Path, config: LoRAConfig, limit: int | None, started: float
) -> dict[str, Any]:
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True)
    _, tokenizer, model = load_pretrained(encoder)
    model.eval()  # the base model's dropout stays off; only the adapters' dropout regularises
    for p in model.parameters():
        p.requires_grad_(False)
    lora_cls = _lora_linear_class()
    adapters: dict[str, Any] = {}
    for i, layer in enumerate(model.encoder.layer):
        for target in TARGETS:
            parent_path, attr = target.rsplit(".", 1)
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
    card = model_card(
        model=LoRASentimentModel.name,
        architecture=f"encoder + LoRA r={config.rank} on {', '.join(TARGETS)}; mean-pool -> linear head",
        encoder=encoder,
        config=config,
        corpus=corpus_summary(corpus, train_rows=len(train_idx)),
        weights=weights_path,
        started=started,
    )
    # The card goes first: the model reads its config (rank, alpha, logit scale) to evaluate itself.
    write_card(card, out_dir / LORA_CARD)
    scorer = LoRASentimentModel(out_dir).load()
    gold = [corpus.labels[i] for i in test_idx]
    predicted = [r.overall.label for r in scorer.predict([corpus.texts[i] for i in test_idx])]
    report = classification_report(gold, predicted, labels=LABELS)
    card["heldout"] = {"rows": len(test_idx), "accuracy": report.accuracy, "macro_f1": report.macro_f1}
    write_card(card, out_dir / LORA_CARD)
    return card
