"""`heedful nlp train` for another encoder (a tiny multilingual one the test builds), and --add-data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp.analyzer import Analyzer
from nlp.cli import nlp_cli
from nlp.inference.sentiment_lora import LORA_CARD, LORA_FILE
from nlp.inference.urgency import HEAD_FILE, UrgencyHead
from nlp.settings import NLPSettings
from tests.nlp.tiny_models import save_tiny_encoder
from tests.nlp.training.corpus_rows import ROWS, write_corpus

pytestmark = pytest.mark.slow  # trains a tiny model, then adapts it with a replay of the team corpus

POLISH = ["Wszystko w porządku, dziękuję", "Wyciek gazu w hali", "jedzenie było bardzo złe"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(tiny multilingual encoder, the sentiment model `nlp train` made for it)."""
    root = tmp_path_factory.mktemp("multilingual")
    encoder = save_tiny_encoder(root / "encoder", layers=3, languages=("en", "pl"))
    data = root / "data"
    write_corpus(data, [*ROWS, ("dziękuję, bardzo dobre", "positive"), ("wyciek gazu", "negative")])
    env = {"HEEDFUL_ENCODER_MODEL": str(encoder)}
    result = CliRunner().invoke(nlp_cli, ["train", "--data-dir", str(data), "--out", str(root / "model")], env=env)
    assert result.exit_code == 0, result.output
    return encoder, root / "model"


def test_train_makes_every_head_for_the_configured_encoder(tiny_model: tuple[Path, Path]) -> None:
    encoder, model = tiny_model
    card = json.loads((model / LORA_CARD).read_text())
    assert card["encoder"] == str(encoder) and (model / LORA_FILE).is_file()
    assert card["corpus"]["rows"] == len(ROWS) + 2 and card["sources"][0]["name"].startswith("Heedful team corpus")
    head = UrgencyHead.load(model / HEAD_FILE)
    assert head.weights.shape == (16 + 5,)  # this encoder's width, not MiniLM's 384


def test_the_trained_folder_scores_answers_end_to_end(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    encoder, model = tiny_model
    env = {"HEEDFUL_ENCODER_MODEL": str(encoder), "HEEDFUL_SENTIMENT_MODEL": str(model)}
    data = tmp_path / "in.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["text"], *[[t] for t in POLISH]])
    out = tmp_path / "out.csv"
    command = ["predict", "--task", "sentiment", "--data", str(data), "--out", str(out)]
    result = CliRunner().invoke(nlp_cli, command, env=env)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["text"] for r in rows] == POLISH and {r["label"] for r in rows} <= {"negative", "neutral", "positive"}
    analyzer = Analyzer(NLPSettings(encoder=str(encoder), sentiment_model=str(model))).load()
    results = analyzer.analyze(POLISH, audience="worker")
    assert len(results) == 3 and all(r.topics is not None and r.topics.top_topic for r in results)


def test_add_data_adapts_the_trained_model_into_a_new_folder(tiny_model: tuple[Path, Path], tmp_path: Path) -> None:
    from nlp.training.retrain import adapt

    _, model = tiny_model
    mine = tmp_path / "mine.csv"
    mine.write_text("text,label\nwyciek gazu w hali,negative\ndziękuję bardzo,positive\n", encoding="utf-8")
    card = adapt([mine], tmp_path / "adapted", base_dir=model)
    assert card["adapt"]["added_rows"] == 2 and card["adapt"]["files"] == ["mine.csv"]
    assert (tmp_path / "adapted" / HEAD_FILE).read_bytes() == (model / HEAD_FILE).read_bytes()
    assert json.loads((tmp_path / "adapted" / LORA_CARD).read_text())["weights_sha256"] != json.loads(
        (model / LORA_CARD).read_text()
    )["weights_sha256"]
