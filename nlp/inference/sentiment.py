"""Which sentiment model runs: `load_sentiment_model` reads the settings and loads it now (fail fast).

* `default` (the shipped default): LoRA adapters merged into the encoder (`sentiment_lora`), or,
  when no adapters ship, the encoder plus the logistic-regression head (`sentiment_head`);
* `default-lr`: the encoder plus the head;
* a folder written by `heedful nlp train --out DIR` (or `--add-data`): that folder's LoRA model;
* anything else: a Hugging Face sequence-classification model (`sentiment_hf`).
"""

from __future__ import annotations

from pathlib import Path

from nlp.encoder import Encoder, EncoderConfig
from nlp.inference.sentiment_base import SentimentModel
from nlp.inference.sentiment_head import DEFAULT_LR_SENTIMENT_MODEL, HeadSentimentModel
from nlp.inference.sentiment_hf import TransformersSentimentModel
from nlp.inference.sentiment_lora import LoRASentimentModel, lora_weights_present
from nlp.settings import DEFAULT_SENTIMENT_MODEL, NLPSettings


def load_sentiment_model(settings: NLPSettings, encoder: Encoder | None = None) -> SentimentModel:
    """Load the configured sentiment model now (fail fast); share `encoder` with the topic tagger."""
    if settings.sentiment_model == DEFAULT_SENTIMENT_MODEL and lora_weights_present():
        # An adapter-merged copy of the encoder (`.encoder`); a plain `encoder` passed in stays as it is.
        return LoRASentimentModel(
            batch_size=settings.batch_size, threads=settings.threads, quantize=settings.quantize
        ).load()
    if settings.sentiment_model in (DEFAULT_SENTIMENT_MODEL, DEFAULT_LR_SENTIMENT_MODEL):
        enc = encoder or Encoder(
            EncoderConfig(
                model=settings.encoder,
                batch_size=settings.batch_size,
                threads=settings.threads,
                quantize=settings.quantize,
            )
        )
        return HeadSentimentModel(enc).load()
    folder = Path(settings.sentiment_model).expanduser()
    if folder.is_dir() and lora_weights_present(folder):
        return LoRASentimentModel(
            folder, batch_size=settings.batch_size, threads=settings.threads, quantize=settings.quantize
        ).load()
    return TransformersSentimentModel(
        settings.sentiment_model, batch_size=settings.batch_size, threads=settings.threads
    ).load()
