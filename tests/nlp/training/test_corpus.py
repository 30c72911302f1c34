"""The sentiment corpus: every bad row is named by file and line; the checksum covers the bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.training.corpus import CorpusError, load_corpus
from tests.nlp.training.corpus_rows import HEADER, ROWS, write_corpus


def test_corpus_errors_name_file_and_line(tmp_path: Path) -> None:
    files = write_corpus(tmp_path, [*ROWS[:2], ("fine", "happy")])
    with pytest.raises(CorpusError, match=r"sentiment_customer\.csv:4: label 'happy'"):
        load_corpus(files)
    with pytest.raises(CorpusError, match="no sentiment corpus files"):
        load_corpus([])


def test_corpus_rows_keep_unicode_line_separators_and_quoted_newlines(tmp_path: Path) -> None:
    # U+0085 is what a mis-decoded "…" becomes; str.splitlines would have cut the row there.
    path = tmp_path / "sentiment_customer.csv"
    path.write_text(
        HEADER + 'The script is\x85was there a script?,negative,customer,plain\n'
        '"two\nlines \u2028 here",neutral,customer,plain\n',
        encoding="utf-8",
        newline="",
    )
    corpus = load_corpus([path])
    assert corpus.texts == ["The script is\x85was there a script?", "two\nlines \u2028 here"]
    assert corpus.labels == ["negative", "neutral"]


def test_corpus_checksum_covers_the_bytes(tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "a")
    first = load_corpus(files).sha256
    files[0].write_text(files[0].read_text() + '"one more",neutral,customer,plain\n')
    assert load_corpus(files).sha256 != first
