"""Fit the LoRA adapters and head of the default sentiment model (`nlp.inference.sentiment_lora`).

What it learns from (every source, its licence and row count go into the card):

* the team corpus (`nlp/data/sentiment_*.csv`): a seeded, stratified 80 % trains, 20 % is held out;
* optionally a public corpus (`--public-data DIR`, GoEmotions in the shipped model): a seeded sample of
  its train split, weighted by `public_weight`; its test split is scored for the card. GoEmotions'
  "neutral" means "no emotion", while our guide calls a factual complaint negative, so
  `public_neutral` says whether its neutral rows are used at all. `bench/nlp_recipes.py` measured the
  choices on five held-out sets from four domains: all three classes at half weight scored best on
  their mean (0.695; team only 0.683, all at full weight 0.691, its neutral at 0.3 0.689, positive and
  negative only 0.671, the worst: without GoEmotions' neutral the model calls more things emotional);
* optionally extra labelled rows handed over as data (`extra_rows`, e.g. analysts' corrections).

`adapt_lora` starts from trained adapters instead and fits a user's own rows (plus a replay sample of
the team corpus, so the house conventions are not forgotten): `heedful nlp train --add-data`.

Deterministic: one thread, a seeded split and sample, seeded initialisation and batch order, and
torch's deterministic algorithms, so the same data, seed and encoder give bit-identical adapters.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from nlp.emoji import describe, reads_emoji
from nlp.encoder import load_pretrained
from nlp.evaluate import classification_report
from nlp.inference.sentiment_base import LABELS, WEIGHTS_DIR, clean_text
from nlp.inference.sentiment_lora import LORA_CARD, LORA_FILE, TARGETS, LoRASentimentModel
from nlp.training.corpus import CorpusError, corpus_files, load_corpus
from nlp.training.model_card import corpus_summary, model_card, write_card
from nlp.training.sources import PublicCorpus, check_rows, load_public_corpus
from nlp.training.splits import stratified_split

TEAM_SOURCE = {"name": "Heedful team corpus (nlp/data/sentiment_*.csv)", "licence": "the project's own licence"}


@dataclass(frozen=True)
class LoRAConfig:
    """Hyper-parameters of the adapters and the data mix; the defaults are the chosen recipe (docs/training.md)."""

    seed: int = 13
    holdout: float = 0.2
    layers: int = 2  # top transformer blocks that get adapters; the blocks below are shared with topics
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.05
    epochs: int = 2
    batch_size: int = 16
    max_length: int = 96
    learning_rate: float = 5e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    logit_scale: float = 20.0  # embeddings are unit-norm; this lets the head reach confident logits
    public_rows: int = 2_000  # rows sampled from the public corpus's train split (with --public-data)
    public_weight: float = 0.5  # loss weight of a public row; a team row weighs 1 (bench/nlp_recipes.py)
    public_neutral: bool = True  # use the public corpus's neutral rows ("no emotion")
    public_test_rows: int = 1_000  # rows of its test split scored for the card (a seeded sample)


@dataclass(frozen=True)
class AdaptConfig:
    """How `adapt_lora` fits a user's rows on top of trained adapters."""

    seed: int = 13
    epochs: int = 3
    learning_rate: float = 3e-4
    head_learning_rate: float = 1e-3
    replay_rows: int = 1_000  # team-corpus rows trained alongside, so its conventions stay


@dataclass
class _Rows:
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, rows: Sequence[tuple[str, str]], weight: float) -> None:
        for text, label in rows:
            self.texts.append(text)
            self.labels.append(LABELS.index(label))
            self.weights.append(weight)


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
    files: list[Path] | None = None,
    out_dir: Path = WEIGHTS_DIR,
    config: LoRAConfig | None = None,
    limit: int | None = None,
    public_data: Path | None = None,
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
) -> dict[str, Any]:
    """Fit adapters + head, evaluate on the held-out parts, write weights and card; return the card.

    `files` default to the team corpus; `limit` keeps only the first N team training rows (tests);
    `extra_rows` are (text, label) pairs that join the corpus under the voice `extra_source` (see
    load_corpus: checked first, one bad row is one CorpusError line and nothing is trained).
    """
    config = config or LoRAConfig()
    started = time.perf_counter()
    corpus = load_corpus(files if files is not None else corpus_files(), extra_rows, extra_source)
    public = load_public_corpus(public_data) if public_data is not None else None
    train_idx, test_idx = stratified_split(corpus.labels, config.holdout, config.seed)
    if limit is not None:
        train_idx = train_idx[:limit]
    rows = _Rows()
    rows.add([(corpus.texts[i], corpus.labels[i]) for i in train_idx], 1.0)
    sources: list[dict[str, Any]] = [dict(TEAM_SOURCE, rows=len(corpus.texts), train_rows=len(train_idx))]
    public_test: list[tuple[str, str]] = []
    if public is not None:
        sample = _public_sample(public, config)
        rows.add(sample, config.public_weight)
        public_test = _sample(public.test, config.public_test_rows, config.seed)
        sources.append(
            dict(public.source, rows=len(public.train) + len(public.test), train_rows=len(sample),
                 labels=dict(sorted(Counter(lab for _, lab in sample).items())))
        )
    if extra_rows:
        sources.append({"name": f"{extra_source} rows (extra_rows, in the corpus split)", "rows": len(extra_rows)})
    tensors = _fit(encoder, rows, config, init=None)
    return _write(
        tensors,
        out_dir,
        card_fields={
            "encoder": encoder,
            "config": config,
            "corpus": corpus_summary(corpus, train_rows=len(train_idx)),
            "sources": sources,
            "started": started,
        },
        heldout=[(corpus.texts[i], corpus.labels[i]) for i in test_idx],
        public_test=public_test,
    )


def adapt_lora(
    rows: Sequence[tuple[str, str]],
    out_dir: Path,
    base_dir: Path = WEIGHTS_DIR,
    config: AdaptConfig | None = None,
    origin: Sequence[str] = (),
) -> dict[str, Any]:
    """Fit the adapters in `base_dir` further on `rows` (+ a replay of the team corpus); write to `out_dir`.

    `origin` names where the rows came from (file names) for the card. Rows are checked first.
    """
    config = config or AdaptConfig()
    started = time.perf_counter()
    checked = check_rows(rows)
    try:
        base_card = json.loads((base_dir / LORA_CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"cannot read the model to adapt in {base_dir}: {exc}") from exc
    from safetensors.torch import load_file

    init = load_file(str(base_dir / LORA_FILE))
    base_config = base_card["config"]
    shape = {k: v for k, v in base_config.items() if k in LoRAConfig.__dataclass_fields__}
    lora_config = replace(
        LoRAConfig(),
        **shape
        | {
            "seed": config.seed,
            "epochs": config.epochs,
            "learning_rate": config.learning_rate,
            "head_learning_rate": config.head_learning_rate,
        },
    )
    if "layers" not in base_config:  # adapters in every block (cards before top-layer adapters)
        lora_config = replace(lora_config, layers=len({k.split(".")[0] for k in init if not k.startswith("head")}))
    corpus = load_corpus(corpus_files())
    train_idx, test_idx = stratified_split(corpus.labels, lora_config.holdout, lora_config.seed)
    replay = _sample([(corpus.texts[i], corpus.labels[i]) for i in train_idx], config.replay_rows, config.seed)
    data = _Rows()
    data.add(checked, 1.0)
    data.add(replay, 1.0)
    tensors = _fit(str(base_card["encoder"]), data, lora_config, init=init)
    sources = [
        {
            "name": f"adapted from {base_card.get('model', 'model')} in {base_dir}",
            "weights_sha256": base_card.get("weights_sha256", ""),
        },
        *base_card.get("sources", []),
        {"name": "added rows: " + (", ".join(origin) or "extra rows"), "licence": "the user's", "rows": len(checked)},
        {"name": "replay of the team corpus training split", "rows": len(replay)},
    ]
    return _write(
        tensors,
        out_dir,
        card_fields={
            "encoder": str(base_card["encoder"]),
            "config": lora_config,
            "corpus": corpus_summary(corpus, train_rows=len(replay)),
            "sources": sources,
            "started": started,
            "adapt": {**vars(config), "added_rows": len(checked), "files": list(origin)},
        },
        heldout=[(corpus.texts[i], corpus.labels[i]) for i in test_idx],
        public_test=[],
    )


def _public_sample(public: PublicCorpus, config: LoRAConfig) -> list[tuple[str, str]]:
    rows = [r for r in public.train if config.public_neutral or r[1] != "neutral"]
    return _sample(rows, config.public_rows, config.seed)


def _sample(rows: Sequence[tuple[str, str]], n: int, seed: int) -> list[tuple[str, str]]:
    """A seeded sample of `n` rows (all when there are fewer), in their original order."""
    if n >= len(rows):
        return list(rows)
    keep = sorted(random.Random(seed).sample(range(len(rows)), n))
    return [rows[i] for i in keep]


def _fit(encoder: str, rows: _Rows, config: LoRAConfig, init: dict[str, Any] | None) -> dict[str, Any]:
    """Adapters + head fitted on `rows` (one thread, deterministic); `init` continues from trained ones."""
    import torch

    # One thread: the same float summation order on every machine (bit-identical weights), and no
    # OpenMP spin-waiting when other processes share the two cores.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _fit_one_thread(encoder, rows, config, init)
    finally:
        torch.set_num_threads(threads)


def _fit_one_thread(encoder: str, rows: _Rows, config: LoRAConfig, init: dict[str, Any] | None) -> dict[str, Any]:
    import torch

    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True)
    _, tokenizer, model = load_pretrained(encoder)
    model.eval()  # the base model's dropout stays off; only the adapters' dropout regularises
    for p in model.parameters():
        p.requires_grad_(False)
    lora_cls = _lora_linear_class()
    adapters: dict[str, Any] = {}
    n_layers = len(model.encoder.layer)
    start = n_layers - min(max(config.layers, 1), n_layers)
    for i in range(start, n_layers):
        layer = model.encoder.layer[i]
        for target in TARGETS:
            parent_path, attr = target.rsplit(".", 1)
            parent = layer.get_submodule(parent_path)
            module = lora_cls(getattr(parent, attr), config.rank, config.alpha, config.dropout)
            setattr(parent, attr, module)
            adapters[f"{i}.{target}"] = module
    head = torch.nn.Linear(int(model.config.hidden_size), len(LABELS))
    if init is not None:
        with torch.no_grad():
            for key, module in adapters.items():
                module.A.copy_(init[f"{key}.A"])
                module.B.copy_(init[f"{key}.B"])
            head.weight.copy_(init["head.weight"])
            head.bias.copy_(init["head.bias"])
    # The same emoji words the Encoder gives this tokenizer at inference (nlp.emoji).
    words = not reads_emoji(tokenizer)
    texts = [describe(clean_text(t)) if words else clean_text(t) for t in rows.texts]
    y = np.array(rows.labels, dtype=np.int64)
    w = np.array(rows.weights, dtype=np.float32)
    counts = np.bincount(y, weights=w, minlength=len(LABELS)).astype(np.float64)
    balance = counts.sum() / (len(LABELS) * np.maximum(counts, 1.0))
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(balance, dtype=torch.float32), reduction="none")
    lora_params = [p for m in adapters.values() for p in (m.A, m.B)]
    optimizer = torch.optim.AdamW(
        [
            {"params": lora_params, "lr": config.learning_rate},
            {"params": list(head.parameters()), "lr": config.head_learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    steps = config.epochs * math.ceil(len(texts) / config.batch_size)
    warmup = max(1.0, 0.06 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
    )
    generator = torch.Generator().manual_seed(config.seed)
    for module in adapters.values():
        module.train()
    for _ in range(config.epochs):
        perm = torch.randperm(len(texts), generator=generator).tolist()
        for first in range(0, len(perm), config.batch_size):
            idx = perm[first : first + config.batch_size]
            batch = tokenizer(
                [texts[k] for k in idx],
                padding=True,
                truncation=True,
                max_length=config.max_length,
                return_tensors="pt",
            )
            per_row = loss_fn(head(_pool(model, batch)) * config.logit_scale, torch.from_numpy(y[idx]))
            loss = (per_row * torch.from_numpy(w[idx])).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    tensors = {f"{k}.A": m.A.detach().contiguous() for k, m in adapters.items()}
    tensors |= {f"{k}.B": m.B.detach().contiguous() for k, m in adapters.items()}
    tensors |= {"head.weight": head.weight.detach().contiguous(), "head.bias": head.bias.detach().contiguous()}
    return tensors


def _write(
    tensors: dict[str, Any],
    out_dir: Path,
    card_fields: dict[str, Any],
    heldout: list[tuple[str, str]],
    public_test: list[tuple[str, str]],
) -> dict[str, Any]:
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / LORA_FILE
    save_file(tensors, str(weights_path))
    fields = dict(card_fields)
    # The card names the blocks actually adapted: an encoder with fewer blocks than `layers` asks for
    # (the tiny test encoders have one) gets them all, and a loader reading `layers` must find them.
    adapted = len({key.split(".")[0] for key in tensors if not key.startswith("head")})
    config = replace(fields.pop("config"), layers=adapted)
    extra = {"adapt": fields.pop("adapt")} if "adapt" in fields else {}
    card = model_card(
        model=LoRASentimentModel.name,
        architecture=(
            f"encoder + LoRA r={config.rank} on {', '.join(TARGETS)} of the top {config.layers} blocks; "
            "mean-pool -> linear head"
        ),
        encoder=fields.pop("encoder"),
        config=config,
        corpus=fields.pop("corpus"),
        weights=weights_path,
        started=fields.pop("started"),
        sources=fields.pop("sources"),
        **extra,
    )
    # The card goes first: the model reads its config (layers, rank, alpha, logit scale) to evaluate itself.
    write_card(card, out_dir / LORA_CARD)
    scorer = LoRASentimentModel(out_dir).load()
    card["heldout"] = _scores(scorer, heldout)
    if public_test:
        card["heldout_public"] = _scores(scorer, public_test)
    write_card(card, out_dir / LORA_CARD)
    return card


def _scores(model: LoRASentimentModel, rows: list[tuple[str, str]]) -> dict[str, Any]:
    gold = [label for _, label in rows]
    predicted = [r.overall.label for r in model.predict([text for text, _ in rows])]
    report = classification_report(gold, predicted, labels=LABELS)
    return {"rows": len(rows), "accuracy": report.accuracy, "macro_f1": report.macro_f1}
