"""Labelled rows from outside the team corpus: one line naming the row and the column for a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.training.corpus import CorpusError
from nlp.training.sources import check_rows, load_public_corpus, read_labelled_file


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_its_rows_with_labels_normalised(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.csv", 'text,label\n"Great, thanks",Positive\nlate again,negative\n')
    assert read_labelled_file(path) == [("Great, thanks", "positive"), ("late again", "negative")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,label\nfine,positive\nmeh,happy\n", r"mine\.csv: row 3, column label: 'happy' is not one of"),
        ("text,label\nfine,positive\n  ,negative\n", r"mine\.csv: row 3, column text: empty text"),
        ("comment,label\nfine,positive\n", r"mine\.csv: row 1 \(header\): no text column \(found: comment, label\)"),
        ("text\nfine\n", r"mine\.csv: row 1 \(header\): no label column"),
        ("text,label\n", r"mine\.csv: no rows below the header"),
    ],
)
def test_a_bad_file_is_one_line_naming_row_and_column(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as caught:
        read_labelled_file(_write(tmp_path / "mine.csv", content))
    assert "\n" not in str(caught.value)


def test_a_missing_or_binary_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        read_labelled_file(tmp_path / "absent.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00text")
    with pytest.raises(CorpusError, match="cannot read it as UTF-8"):
        read_labelled_file(tmp_path / "bin.csv")


def test_rows_given_as_data_are_checked_like_a_file() -> None:
    assert check_rows([("ok", "Neutral")]) == [("ok", "neutral")]
    with pytest.raises(CorpusError, match=r"corrections: row 2, column label: 'meh'"):
        check_rows([("ok", "neutral"), ("bad", "meh")], origin="corrections")


def test_public_corpus_keeps_its_authors_split(tmp_path: Path) -> None:
    _write(
        tmp_path / "data.csv",
        "text,label,split,comment_id\nyay,positive,train,a\nugh,negative,test,b\nhm,neutral,dev,c\n",
    )
    public = load_public_corpus(tmp_path)
    assert public.train == [("yay", "positive")] and public.test == [("ugh", "negative")]
    assert public.source["licence"] == "Apache-2.0"
    _write(tmp_path / "data.csv", "text,label,split\nyay,positive,later\n")
    with pytest.raises(CorpusError, match=r"row 2, column split: 'later'"):
        load_public_corpus(tmp_path)
    with pytest.raises(CorpusError, match="no such file"):
        load_public_corpus(tmp_path / "nowhere")
