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


def test_extra_rows_join_the_corpus_as_plain_data(tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "data")
    plain = load_corpus(files)
    corpus = load_corpus(files, [("not bad at all", "Positive"), ("  opens at nine ", "neutral")], "corrections")
    assert corpus.texts[-2:] == ["not bad at all", "opens at nine"]
    assert corpus.labels[-2:] == ["positive", "neutral"] and corpus.voices[-2:] == ["corrections", "corrections"]
    assert corpus.texts[:-2] == plain.texts and corpus.sha256 != plain.sha256
    assert load_corpus(files, [("not bad at all", "positive")], "corrections").sha256 != corpus.sha256


@pytest.mark.parametrize(("row", "message"), [
    (("fine", "meh"), "corrections row 2, column label: 'meh' is not one of negative, neutral, positive"),
    (("  ", "neutral"), "corrections row 2, column text: empty text"),
])
def test_a_bad_extra_row_is_named(tmp_path: Path, row: tuple[str, str], message: str) -> None:
    files = write_corpus(tmp_path / "data")
    with pytest.raises(CorpusError) as info:
        load_corpus(files, [("good", "positive"), row], "corrections")
    assert str(info.value) == message
