"""`heedful nlp predict|evaluate|train` through click's CliRunner with stub models."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import nlp.cli
from nlp.cli import nlp_cli
from nlp.types import Sentiment, SentimentResult, TopicResult, TopicTag


class StubSentiment:
    name = "stub"
    version = "1"

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        out = []
        for t in texts:
            score = 0.8 if "good" in t else -0.6 if "bad" in t else 0.0
            label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
            out.append(SentimentResult(overall=Sentiment(label, score, 0.9)))  # type: ignore[arg-type]
        return out


class StubTagger:
    def tag(self, texts: list[str], taxonomy: Any, sentiments: Any = None) -> list[TopicResult]:
        return [
            TopicResult(tags=[TopicTag("food", 0.9), TopicTag("staff", 0.5)] if "food" in t else [], top_topic="food")
            for t in texts
        ]


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp.cli, "_load_sentiment", lambda settings: StubSentiment())
    monkeypatch.setattr(nlp.cli, "_load_topics", lambda settings, path: (StubTagger(), _Tax()))


class _Tax:
    topics = [type("T", (), {"name": n})() for n in ("food", "staff", "price")]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


TEXTS = ["good food, really", "", "bad, bad service\nsecond line", 'quote " and, comma', "plain", "good"]


def test_predict_sentiment_keeps_order_count_and_columns(stubbed: None, tmp_path: Path) -> None:
    src = _csv(tmp_path / "in.csv", ["id", "text"], [[str(i), t] for i, t in enumerate(TEXTS)])
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(nlp_cli, ["predict", "--task", "sentiment", "--data", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert list(rows[0]) == ["text", "label", "score", "confidence", "language"]
    assert [r["text"] for r in rows] == TEXTS
    assert rows[1]["language"] == "" and rows[2]["language"] == "en"
    assert [r["label"] for r in rows] == ["positive", "neutral", "negative", "neutral", "neutral", "positive"]
    assert rows[0]["score"] == "0.8000"


class _RulesOnlyEncoder:
    """Reads no language, so the urgency rules decide every row (no model to load in a unit test)."""

    languages: frozenset[str] = frozenset()

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)


def test_predict_urgency_writes_text_urgent_reason_language_in_input_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import numpy as np

    from nlp.inference.urgency import UrgencyDetector, UrgencyHead

    head = UrgencyHead(weights=np.zeros(13, dtype=np.float32), bias=-10.0, threshold=0.5)
    monkeypatch.setattr(nlp.cli, "_load_urgency", lambda settings: UrgencyDetector(_RulesOnlyEncoder(), head=head))
    texts = ["Czuć gaz przy kotłowni, proszę sprawdzić.", "Nothing to report.", "", "Notausgang ist zugestellt!"]
    src = _csv(tmp_path / "in.csv", ["text"], [[t] for t in texts])
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(nlp_cli, ["predict", "--task", "urgency", "--data", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert list(rows[0]) == ["text", "urgent", "reason", "language"]
    assert [(r["text"], r["urgent"], r["reason"], r["language"]) for r in rows] == [
        (texts[0], "1", "gas leak", "pl"),
        (texts[1], "0", "", "en"),
        (texts[2], "0", "", ""),
        (texts[3], "1", "blocked fire exit", "de"),
    ]


def test_predict_topics_joins_tags_and_always_fills_top_topic(stubbed: None, tmp_path: Path) -> None:
    src = _csv(tmp_path / "in.csv", ["text"], [["the food"], ["nothing"]])
    tax = tmp_path / "t.yaml"
    tax.write_text("topics: []\n")
    out = tmp_path / "out.csv"
    args = ["predict", "--task", "topics", "--taxonomy", str(tax), "--data", str(src), "--out", str(out)]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 0, result.output
    assert _read(out) == [
        {"text": "the food", "topics": "food|staff", "top_topic": "food"},
        {"text": "nothing", "topics": "", "top_topic": "food"},
    ]


def test_topics_without_taxonomy_is_a_usage_error(tmp_path: Path) -> None:
    src = _csv(tmp_path / "in.csv", ["text"], [["x"]])
    args = ["predict", "--task", "topics", "--data", str(src), "--out", str(tmp_path / "o.csv")]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 2 and "--taxonomy" in result.output


def test_evaluate_three_class_prints_metrics(stubbed: None, tmp_path: Path) -> None:
    gold = _csv(
        tmp_path / "gold.csv",
        ["text", "label"],
        [["good", "positive"], ["bad", "negative"], ["meh", "neutral"], ["good?", "negative"]],
    )
    result = CliRunner().invoke(nlp_cli, ["evaluate", "--task", "sentiment", "--data", str(gold)])
    assert result.exit_code == 0, result.output
    for needle in ["n            4", "accuracy     0.7500", "macro-F1", "confusion", "texts_per_s", "3-class"]:
        assert needle in result.output


def test_evaluate_binary_gold_json(stubbed: None, tmp_path: Path) -> None:
    rows = [["good", "positive"], ["bad", "negative"], ["x", "negative"]]
    gold = _csv(tmp_path / "gold.csv", ["text", "label"], rows)
    result = CliRunner().invoke(nlp_cli, ["evaluate", "--task", "sentiment", "--data", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["labels"] == ["negative", "positive"] and report["n"] == 3
    # "x" scores 0.0: P(pos) == P(neg) counts as positive, so 2 of 3 are right.
    assert report["accuracy"] == pytest.approx(0.6667)
    assert report["confusion"]["negative"] == {"negative": 1, "positive": 1}
    assert report["per_class"]["positive"]["recall"] == 1.0


def test_evaluate_topics_multilabel(stubbed: None, tmp_path: Path) -> None:
    gold = _csv(tmp_path / "gold.csv", ["text", "labels"], [["the food", "food|staff"], ["cheap", "price"]])
    tax = tmp_path / "t.yaml"
    tax.write_text("topics: []\n")
    args = ["evaluate", "--task", "topics", "--taxonomy", str(tax), "--data", str(gold), "--json"]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["accuracy"] == 0.5 and report["per_class"]["price"]["recall"] == 0.0


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\ncaf\xe9 tr\xe8s bon\n".encode("latin-1"))
    return {
        "missing": (tmp_path / "nope.csv", "cannot read"),
        "no_text": (_csv(tmp_path / "cols.csv", ["comment"], [["x"]]), "has no text"),
        "latin1": (latin, "not UTF-8"),
        "empty": (_csv(tmp_path / "empty.csv", [], []), "has no text"),
    }


@pytest.mark.parametrize("case", ["missing", "no_text", "latin1", "empty"])
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_bad_csv_is_one_clear_line(stubbed: None, tmp_path: Path, case: str, command: str) -> None:
    path, needle = _bad_inputs(tmp_path)[case]
    args = [command, "--task", "sentiment", "--data", str(path)]
    if command == "predict":
        args += ["--out", str(tmp_path / "o.csv")]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 1
    assert needle in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_unknown_gold_label_is_an_error(stubbed: None, tmp_path: Path) -> None:
    gold = _csv(tmp_path / "gold.csv", ["text", "label"], [["good", "great"]])
    result = CliRunner().invoke(nlp_cli, ["evaluate", "--task", "sentiment", "--data", str(gold)])
    assert result.exit_code == 1 and "unknown sentiment labels 'great'" in result.output


def test_bad_environment_is_one_line(stubbed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEEDFUL_NLP_BATCH_SIZE", "many")
    src = _csv(tmp_path / "in.csv", ["text"], [["x"]])
    args = ["predict", "--task", "sentiment", "--data", str(src), "--out", str(tmp_path / "o.csv")]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 1 and "HEEDFUL_NLP_BATCH_SIZE" in result.output


def test_unloadable_model_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEEDFUL_SENTIMENT_MODEL", str(tmp_path / "missing-model"))
    src = _csv(tmp_path / "in.csv", ["text"], [["x"]])
    args = ["predict", "--task", "sentiment", "--data", str(src), "--out", str(tmp_path / "o.csv")]
    result = CliRunner().invoke(nlp_cli, args)
    assert result.exit_code == 1 and "cannot load sentiment model" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(("out_args", "retrains_urgency"), [([], True), (["--out", "elsewhere"], False)])
def test_lora_train_into_the_shipped_folder_retrains_the_urgency_heads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, out_args: list[str], retrains_urgency: bool
) -> None:
    """...and refits the topic calibrations: both belong to the shipped encoder, which the model shares.

    Into another folder with the default encoder, the shipped head and calibrations already fit."""
    import nlp.training.retrain
    import nlp.training.topic_calibration
    import nlp.training.urgency

    card = {
        "sources": [{"name": "team"}],
        "corpus": {"train_rows": 3},
        "train_seconds": 0.1,
        "heldout": {"accuracy": 1.0, "macro_f1": 1.0},
        "weights_sha256": "0" * 64,
    }
    monkeypatch.setattr(nlp.training.retrain, "train_lora", lambda *a, **k: card)
    calls: list[str] = []
    monkeypatch.setattr(nlp.training.urgency, "train_all",
                        lambda log, encoders: calls.append(f"urgency {'+'.join(encoders)}") or {})
    monkeypatch.setattr(nlp.training.urgency, "shipped_encoders", lambda: ["plain"])
    monkeypatch.setattr(nlp.training.topic_calibration, "save_calibrations",
                        lambda encoders: calls.append(f"calibration {'+'.join(encoders)}") or {})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(nlp_cli, ["train", *out_args])
    assert result.exit_code == 0, result.output
    assert calls == (["urgency plain", "calibration plain"] if retrains_urgency else [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,label\ngood,positive\nmeh,happy\n", "row 3, column label: 'happy'"),
        ("text,label\n,positive\n", "row 2, column text: empty text"),
        ("txt,label\ngood,positive\n", "row 1 (header): no text column"),
    ],
)
def test_add_data_with_a_bad_row_is_one_line_and_trains_nothing(tmp_path: Path, content: str, message: str) -> None:
    good = _csv(tmp_path / "good.csv", ["text", "label"], [["fine", "positive"]])
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "adapted"
    result = CliRunner().invoke(nlp_cli, ["train", "--add-data", str(good), "--add-data", str(bad), "--out", str(out)])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {bad}: {message}")
    assert not out.exists()  # nothing trained, nothing written


def test_add_data_needs_a_new_folder(tmp_path: Path) -> None:
    good = _csv(tmp_path / "good.csv", ["text", "label"], [["fine", "positive"]])
    result = CliRunner().invoke(nlp_cli, ["train", "--add-data", str(good)])
    assert result.exit_code == 2 and "--add-data needs --out DIR" in result.output
