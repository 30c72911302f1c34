"""NLP configuration: which models to load and how to run them, read once from the environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from nlp.encoder import DEFAULT_ENCODER

DEFAULT_SENTIMENT_MODEL = "default"

_T = TypeVar("_T")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class NLPSettings:
    """Model ids, batch size and threads for `nlp/`; `sentiment_model` is "default" or any HF id/folder."""

    encoder: str = DEFAULT_ENCODER
    sentiment_model: str = DEFAULT_SENTIMENT_MODEL
    batch_size: int = 64
    threads: int | None = None
    topic_threshold: float | None = None
    quantize: bool = False

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        if self.topic_threshold is not None and not 0.0 <= self.topic_threshold <= 1.0:
            raise ValueError(f"topic_threshold must be in [0, 1], got {self.topic_threshold}")
        if not self.encoder.strip():
            raise ValueError("encoder must not be empty")
        if not self.sentiment_model.strip():
            raise ValueError("sentiment_model must not be empty")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NLPSettings:
        """Build settings from HEEDFUL_* variables; a bad value raises ValueError naming the variable."""
        defaults = cls()
        return cls(
            encoder=_read(env, "HEEDFUL_ENCODER_MODEL", _non_empty, defaults.encoder),
            sentiment_model=_read(env, "HEEDFUL_SENTIMENT_MODEL", _non_empty, defaults.sentiment_model),
            batch_size=_read(env, "HEEDFUL_NLP_BATCH_SIZE", _positive_int, defaults.batch_size),
            threads=_read(env, "HEEDFUL_NLP_THREADS", _positive_int, defaults.threads),
            topic_threshold=_read(env, "HEEDFUL_TOPIC_THRESHOLD", _unit_float, defaults.topic_threshold),
            quantize=_read(env, "HEEDFUL_NLP_QUANTIZE", _boolean, defaults.quantize),
        )


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], _T], default: _T) -> _T:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: {exc}") from None


def _non_empty(raw: str) -> str:
    if not raw:
        raise ValueError("must not be empty")
    return raw


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("expected a whole number") from None
    if value < 1:
        raise ValueError("must be >= 1")
    return value


def _unit_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("expected a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")
