"""Labelled rows from outside the team corpus: the public corpus, a user's own files, plain extra rows.

* `load_public_corpus(DIR)`: `DIR/data.csv` with columns text,label,split (label negative|neutral|
  positive; split train|dev|test). Heedful's shipped model is trained with GoEmotions in that shape
  (`docs/training.md` says where to get it and how it is made); its licence and citation go in the card.
* `read_labelled_file(F)`: a user's `text,label` CSV for `heedful nlp train --add-data`. The first bad
  row stops everything with one line naming the file, the row and the column.
* `check_rows(rows)`: the same checks for rows handed over as plain data (analysts' corrections).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.inference.sentiment_base import LABELS
from nlp.training.corpus import CorpusError

PUBLIC_FILE = "data.csv"
PUBLIC_COLUMNS = ("text", "label", "split")


@dataclass(frozen=True)
class PublicCorpus:
    """One public corpus, split as its authors split it; `source` goes into the model card."""

    train: list[tuple[str, str]]
    test: list[tuple[str, str]]
    source: dict[str, str]


# What the card says about a public corpus in GoEmotions' shape; another corpus may bring a SOURCE.md.
GOEMOTIONS = {
    "name": "GoEmotions, three-class sentiment mapping",
    "licence": "Apache-2.0",
    "citation": "Demszky et al. (2020), GoEmotions: A Dataset of Fine-Grained Emotions, ACL 2020",
    "origin": "https://github.com/google-research/google-research/tree/master/goemotions",
}


def load_public_corpus(folder: Path) -> PublicCorpus:
    """Read `folder/data.csv`; a missing file, header or bad row is one CorpusError line."""
    rows = _read_csv(folder / PUBLIC_FILE, PUBLIC_COLUMNS)
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str]] = []
    for line, row in rows:
        text, label = _checked(folder / PUBLIC_FILE, line, row)
        split = row["split"].strip().lower()
        if split == "train":
            train.append((text, label))
        elif split == "test":
            test.append((text, label))
        elif split != "dev":
            raise CorpusError(f"{folder / PUBLIC_FILE}: row {line}, column split: {split!r} is not train, dev or test")
    if not train:
        raise CorpusError(f"{folder / PUBLIC_FILE}: no rows with split 'train'")
    return PublicCorpus(train=train, test=test, source=dict(GOEMOTIONS, folder=folder.name))


def read_labelled_file(path: Path) -> list[tuple[str, str]]:
    """A user's `text,label` rows; any bad row is one CorpusError line naming the row and the column."""
    rows = [_checked(path, line, row) for line, row in _read_csv(path, ("text", "label"))]
    if not rows:
        raise CorpusError(f"{path}: no rows below the header")
    return rows


def check_rows(rows: Sequence[tuple[str, str]], origin: str = "extra rows") -> list[tuple[str, str]]:
    """Labelled rows given as data, checked as a file would be (row numbers count from 1)."""
    return [_checked(Path(origin), i, {"text": t, "label": lab}) for i, (t, lab) in enumerate(rows, start=1)]


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read it as UTF-8 ({exc})") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(name or "").strip() for name in reader.fieldnames or []]
        missing = [c for c in required if c not in header]
        if missing:
            found = ", ".join(header) or "nothing"
            raise CorpusError(f"{path}: row 1 (header): no {', '.join(missing)} column (found: {found})")
        # Row 1 is the header, so the first data row is row 2, as a spreadsheet numbers it.
        return [
            (line, {(k or "").strip(): v if isinstance(v, str) else "" for k, v in row.items()})
            for line, row in enumerate(reader, start=2)
        ]
    except csv.Error as exc:
        raise CorpusError(f"{path}: not a valid CSV ({exc})") from None


def _checked(path: Path, line: int, row: dict[str, str]) -> tuple[str, str]:
    text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip().lower()
    if not text:
        raise CorpusError(f"{path}: row {line}, column text: empty text")
    if label not in LABELS:
        raise CorpusError(f"{path}: row {line}, column label: {label!r} is not one of {', '.join(LABELS)}")
    return text, label
