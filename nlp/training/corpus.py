"""The team-written sentiment corpus: `nlp/data/sentiment_*.csv` (columns text,label,voice,phenomenon).

`LABELLING.md` beside the files says how a row is labelled. `load_corpus` validates every row and
names the file and line of the first bad one; its sha256 covers the bytes of every file, so a model
card can say exactly which corpus it was trained on.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.inference.sentiment_base import LABELS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CORPUS_GLOB = "sentiment_*.csv"


class CorpusError(ValueError):
    """The training corpus is missing, unreadable or has bad rows (message names file and line)."""


@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    labels: list[str]
    voices: list[str]
    files: list[Path]
    sha256: str


def corpus_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted(data_dir.glob(CORPUS_GLOB))


def load_corpus(files: list[Path], extra_rows: Sequence[tuple[str, str]] = (), extra_source: str = "added") -> Corpus:
    """Read and validate the corpus CSVs, then `extra_rows` ((text, label) pairs given as plain data, e.g.
    analysts' corrections, under the voice `extra_source`). The sha256 covers the bytes of every file in
    name order, then every extra row, so a card names exactly what it was trained on."""
    if not files:
        raise CorpusError("no sentiment corpus files found (expected nlp/data/sentiment_*.csv)")
    texts: list[str] = []
    labels: list[str] = []
    voices: list[str] = []
    digest = hashlib.sha256()
    for path in sorted(files):
        try:
            raw = path.read_bytes()
            # StringIO, not str.splitlines: splitlines also breaks on U+0085 and U+2028, which sit
            # inside ordinary text (a mis-decoded "…"), and would cut a row in two.
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{path}: {exc}") from exc
        digest.update(path.name.encode() + b"\0" + raw)
        for line, row in enumerate(rows, start=2):
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip().lower()
            if label not in LABELS:
                raise CorpusError(f"{path.name}:{line}: label {label!r} is not one of {', '.join(LABELS)}")
            if not text:
                raise CorpusError(f"{path.name}:{line}: empty text")
            texts.append(text)
            labels.append(label)
            voices.append((row.get("voice") or path.stem.removeprefix("sentiment_")).strip())
    for n, (text, label) in enumerate(extra_rows, start=1):
        text, label = (text or "").strip(), (label or "").strip().lower()
        if label not in LABELS:
            raise CorpusError(f"{extra_source} row {n}, column label: {label!r} is not one of {', '.join(LABELS)}")
        if not text:
            raise CorpusError(f"{extra_source} row {n}, column text: empty text")
        digest.update(b"\0" + extra_source.encode() + b"\0" + text.encode() + b"\0" + label.encode())
        texts.append(text)
        labels.append(label)
        voices.append(extra_source)
    return Corpus(texts=texts, labels=labels, voices=voices, files=sorted(files), sha256=digest.hexdigest())
