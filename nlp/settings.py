"""NLP configuration: which models to load and how to run them, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common import env as parse
from nlp.encoder import DEFAULT_ENCODER

DEFAULT_SENTIMENT_MODEL = "default"


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
            encoder=parse.read(env, "HEEDFUL_ENCODER_MODEL", parse.text, defaults.encoder, blank_is_unset=False),
            sentiment_model=parse.read(env, "HEEDFUL_SENTIMENT_MODEL", parse.text, defaults.sentiment_model,
                                       blank_is_unset=False),
            batch_size=parse.read(env, "HEEDFUL_NLP_BATCH_SIZE", parse.whole_number(1), defaults.batch_size),
            threads=parse.read(env, "HEEDFUL_NLP_THREADS", parse.whole_number(1), defaults.threads),
            topic_threshold=parse.read(env, "HEEDFUL_TOPIC_THRESHOLD", parse.fraction, defaults.topic_threshold),
            quantize=parse.read(env, "HEEDFUL_NLP_QUANTIZE", parse.boolean, defaults.quantize),
        )
