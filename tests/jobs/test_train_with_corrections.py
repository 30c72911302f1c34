"""`heedful nlp train --with-corrections`: analysts' reviews reach a real (tiny) training run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.orm import Session

from heedful.cli import cli
from heedful.nlp_cli import CORRECTIONS_SOURCE
from migrations.runner import upgrade
from models import AnalysisCorrection, User
from models.db import make_engine
from nlp.training.corpus import load_corpus
from survey_app.analytics.corrections import save_correction
from tests.analysts.factories import make_comment
from tests.factories import make_survey
from tests.nlp.training.corpus_rows import ROWS, write_corpus

WORDS = ("great friendly staff love it good value rude and cold broken on arrival bad food we came monday the shop "
         "opens at nine is there parking no comment not at all fine call me").split()


def _tiny_encoder(folder: Path) -> Path:
    """A one-layer random BERT with a word-level vocabulary: trains in a second on two cores."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(WORDS), "[PHONE]", ",", "."]
    tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture()
def reviewed_database(tmp_path: Path) -> tuple[str, list[tuple[str, str]]]:
    """A migrated database with three reviewed comments (one only confirmed) and one not reviewed."""
    url = f"sqlite:///{tmp_path / 'heedful.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        analyst = User(email="ana@example.org", role="analyst", password_hash="x")
        s.add(analyst)
        survey = make_survey(s, min_comment_group_size=1)
        s.flush()
        reviews = [("not bad at all", "negative", "positive"), ("call me on 0123", "neutral", "neutral"),
                   ("fine", "positive", "neutral")]
        for text, model_label, analyst_label in reviews:
            redacted = "call me on [PHONE]" if "0123" in text else None
            a = make_comment(s, survey, text, sentiment=model_label, redacted=redacted)
            save_correction(s, survey, a.id, analyst, sentiment=analyst_label, urgent=False, topics=[])
        make_comment(s, survey, "great food", sentiment="positive")
    engine.dispose()
    expected = [("not bad at all", "positive"), ("call me on [PHONE]", "neutral"), ("fine", "neutral")]
    return url, expected


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {"HEEDFUL_ENV": "testing", "HEEDFUL_SECRET_KEY": "x", "HEEDFUL_INSTANCE_PATH": str(tmp_path / "inst"),
            "HEEDFUL_DATABASE_URL": url, "HEEDFUL_ENCODER_MODEL": str(_tiny_encoder(tmp_path / "encoder"))}


@pytest.mark.parametrize("method", [pytest.param("lora", marks=pytest.mark.slow), "head"])
def test_corrected_rows_reach_the_trainer(tmp_path: Path, reviewed_database: tuple[str, list[tuple[str, str]]],
                                          method: str) -> None:
    url, expected = reviewed_database
    files = write_corpus(tmp_path / "corpus")
    out = tmp_path / "weights"
    result = CliRunner().invoke(cli, ["nlp", "train", "--with-corrections", "--method", method, "--seed", "3",
                                      "--data-dir", str(files[0].parent), "--out", str(out)],
                                env=_env(tmp_path, url))
    assert result.exit_code == 0, result.output
    assert "adding 3 analyst-reviewed comments" in result.output
    card = json.loads((out / ("sentiment_lora.json" if method == "lora" else "sentiment_head.json")).read_text())
    corpus = card["corpus"]
    assert corpus["rows"] == len(ROWS) + 3
    assert corpus["voices"] == {"customer": len(ROWS), CORRECTIONS_SOURCE: 3}
    # The trainer read exactly these rows: redacted text and the analyst's label, in review order.
    assert corpus["sha256"] == load_corpus(files, expected, CORRECTIONS_SOURCE).sha256
    assert corpus["sha256"] != load_corpus(files).sha256


def test_without_the_flag_nothing_is_read_and_bad_reviews_train_nothing(
    tmp_path: Path, reviewed_database: tuple[str, list[tuple[str, str]]]
) -> None:
    url, _ = reviewed_database
    files = write_corpus(tmp_path / "corpus")
    env = _env(tmp_path, url)
    plain = CliRunner().invoke(cli, ["nlp", "train", "--method", "head", "--data-dir", str(files[0].parent),
                                     "--out", str(tmp_path / "plain")], env=env)
    assert plain.exit_code == 0, plain.output
    card = json.loads((tmp_path / "plain" / "sentiment_head.json").read_text())
    assert card["corpus"]["voices"] == {"customer": len(ROWS)}

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(AnalysisCorrection).where(AnalysisCorrection.id == 2).values(sentiment_label="meh"))
    engine.dispose()
    bad = CliRunner().invoke(cli, ["nlp", "train", "--with-corrections", "--method", "head", "--data-dir",
                                   str(files[0].parent), "--out", str(tmp_path / "bad")], env=env)
    assert bad.exit_code == 1
    assert "correction 2, column sentiment_label: 'meh' is not one of" in bad.output
    assert not (tmp_path / "bad").exists()
