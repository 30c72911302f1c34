"""What `heedful nlp train` runs: train or adapt the sentiment model, then the heads tied to its encoder.

* `retrain`: LoRA adapters from the team corpus (plus the public corpus and extra rows when given).
  Into the shipped folder, for the default encoder, the shipped urgency head and topic calibrations
  are refitted too. For any other folder or encoder (HEEDFUL_ENCODER_MODEL, e.g. a multilingual one)
  the folder gets that encoder's urgency head, so `HEEDFUL_SENTIMENT_MODEL=DIR` runs end to end.
* `adapt`: the shipped adapters fitted further on a user's labelled files, written to a new folder.

`extra_rows` is plain data (text, label) so callers outside `nlp` (analysts' corrections, read from the
database by `jobs`/`heedful`) can add rows without `nlp` knowing where they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from nlp.encoder import DEFAULT_ENCODER, resolve_model_path
from nlp.inference.sentiment_base import WEIGHTS_DIR
from nlp.inference.sentiment_lora import LoRASentimentModel
from nlp.inference.urgency import HEAD_FILE
from nlp.training.corpus import CorpusError, corpus_files
from nlp.training.lora import AdaptConfig, LoRAConfig, adapt_lora, train_lora
from nlp.training.sources import check_rows, read_labelled_file

Log = Callable[[str], None]


def retrain(
    encoder: str = DEFAULT_ENCODER,
    out_dir: Path = WEIGHTS_DIR,
    data_dir: Path | None = None,
    public_data: Path | None = None,
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
    seed: int | None = None,
    log: Log = print,
) -> dict[str, Any]:
    """Train the LoRA sentiment model into `out_dir` and the heads for its encoder; return its card.

    `extra_rows` join the corpus under the voice `extra_source` (nlp.training.corpus.load_corpus)."""
    config = LoRAConfig() if seed is None else replace(LoRAConfig(), seed=seed)
    files = corpus_files(data_dir) if data_dir is not None else corpus_files()
    card = train_lora(
        encoder,
        files,
        out_dir=out_dir,
        config=config,
        public_data=public_data,
        extra_rows=extra_rows,
        extra_source=extra_source,
    )
    if out_dir.resolve() == WEIGHTS_DIR.resolve() and _is_default(encoder):
        _refit_shipped_heads(log)
    elif not _is_default(encoder):
        # Another encoder: its urgency head goes beside the adapters; topics fit their calibration at load.
        model = LoRASentimentModel(out_dir).load()
        from nlp.training.urgency import train_all

        train_all(log=lambda line: log(f"urgency head {line}"), encoders=[model.encoder], head_path=out_dir / HEAD_FILE)
    return card


def adapt(
    files: Sequence[Path],
    out_dir: Path,
    base_dir: Path = WEIGHTS_DIR,
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
    log: Log = print,
) -> dict[str, Any]:
    """Fit the model in `base_dir` further on the `text,label` rows of `files` (and `extra_rows`); every
    file and row is checked before anything trains (one bad row: one CorpusError line)."""
    if out_dir.resolve() == base_dir.resolve():
        raise CorpusError(f"--out {out_dir} is the model being adapted: choose a new folder")
    rows = [row for path in files for row in read_labelled_file(path)]
    rows += check_rows(extra_rows, origin=extra_source)
    origin = [p.name for p in files] + ([f"{len(extra_rows)} {extra_source} rows"] if extra_rows else [])
    card = adapt_lora(rows, out_dir, base_dir=base_dir, config=AdaptConfig(), origin=origin)
    head = base_dir / HEAD_FILE
    if head.is_file():  # the encoder is the base model's, so is its urgency head
        (out_dir / HEAD_FILE).write_bytes(head.read_bytes())
    return card


def _is_default(encoder: str) -> bool:
    return resolve_model_path(encoder) == resolve_model_path(DEFAULT_ENCODER)


def _refit_shipped_heads(log: Log) -> None:
    """The shipped urgency head and topic calibrations, fitted again to the shipped encoder."""
    from nlp.training.topic_calibration import save_calibrations
    from nlp.training.urgency import shipped_encoders, train_all

    encoders = shipped_encoders()
    train_all(log=lambda line: log(f"urgency head {line}"), encoders=encoders)
    for key, fit in save_calibrations(encoders).items():
        log(f"topic calibration for encoder {key}: {fit}")
