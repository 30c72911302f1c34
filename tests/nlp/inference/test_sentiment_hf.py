"""Pluggable sentiment models: a tiny random BERT classifier saved to disk, label sets, load failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nlp.encoder import Encoder, EncoderConfig, ModelLoadError, model_source
from nlp.inference.sentiment import load_sentiment_model
from nlp.inference.sentiment_hf import TransformersSentimentModel
from nlp.settings import NLPSettings

WORDS = "the food was great good bad rude staff service slow fast and but not very ok".split()


def _save_tiny_classifier(folder: Path, id2label: dict[int, str]) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    # transformers 5 builds a fast tokenizer from `vocab` (a `vocab_file` alone leaves only the specials)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "##s", "##ed"]
    tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)
    assert tokenizer.tokenize("rude staff") == ["rude", "staff"]
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


LABEL_SETS = {
    "two": {0: "NEGATIVE", 1: "POSITIVE"},
    "three": {0: "negative", 1: "neutral", 2: "positive"},
    "generic": {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
    "stars": {i: f"{i + 1} star{'s' if i else ''}" for i in range(5)},
}


@pytest.mark.parametrize("kind", LABEL_SETS)
def test_tiny_local_classifier_loads_and_predicts(tmp_path: Path, kind: str) -> None:
    folder = _save_tiny_classifier(tmp_path / kind, LABEL_SETS[kind])
    model = load_sentiment_model(NLPSettings(sentiment_model=str(folder), batch_size=2))
    assert isinstance(model, TransformersSentimentModel)
    assert model.name == str(folder) and len(model.version) == 12
    texts = ["the food was great", "", "rude staff. slow service but good food", "😀", "x" * 5000]
    results = model.predict(texts)
    assert len(results) == len(texts)
    assert results[1].overall.confidence == 0.0 and results[1].sentences == []
    assert [s.text for s in results[3].sentences] == ["😀"]  # an emoji is an answer (nlp.emoji)
    assert len(results[2].sentences) == 3
    for r in results:
        assert -1.0 <= r.overall.score <= 1.0 and 0.0 <= r.overall.confidence <= 1.0
    if kind == "two":
        assert {s.sentiment.label for r in results for s in r.sentences} <= {"negative", "positive"}


def test_batching_does_not_change_results(tmp_path: Path) -> None:
    folder = _save_tiny_classifier(tmp_path / "m", LABEL_SETS["three"])
    texts = ["good food", "the staff was rude and the service slow", "ok", "not very good but fast"]
    one = TransformersSentimentModel(str(folder), batch_size=1).load().predict(texts)
    many = TransformersSentimentModel(str(folder), batch_size=64).load().predict(texts)
    assert [r.overall.score for r in one] == pytest.approx([r.overall.score for r in many], abs=1e-5)


def test_unknown_hub_id_fails_fast_with_one_line() -> None:
    started = time.perf_counter()
    with pytest.raises(ModelLoadError) as err:
        load_sentiment_model(NLPSettings(sentiment_model="nobody-here/no-such-sentiment-model"))
    assert time.perf_counter() - started < 10  # never waits on network retries
    message = str(err.value)
    assert "no-such-sentiment-model" in message and "\n" not in message


def test_broken_folder_fails_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text("{ not json")
    with pytest.raises(ModelLoadError) as err:
        load_sentiment_model(NLPSettings(sentiment_model=str(folder)))
    assert str(folder) in str(err.value) and "\n" not in str(err.value)


def test_unmappable_label_set_fails_at_load(tmp_path: Path) -> None:
    folder = _save_tiny_classifier(tmp_path / "emotions", {0: "joy", 1: "anger", 2: "fear"})
    with pytest.raises(ModelLoadError, match="cannot map labels"):
        load_sentiment_model(NLPSettings(sentiment_model=str(folder)))


def _in_fake_hub_cache(cache: Path, repo_id: str) -> Path:
    """Lay a tiny classifier out the way `huggingface_hub` caches a download of `repo_id`."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    _save_tiny_classifier(repo / "snapshots" / "0123abcd", LABEL_SETS["three"])
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    return repo


def test_hub_id_in_the_local_cache_loads_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    _in_fake_hub_cache(tmp_path, "heedful-test/tiny-sentiment")
    assert model_source("heedful-test/tiny-sentiment") == ("heedful-test/tiny-sentiment", True)
    model = TransformersSentimentModel("heedful-test/tiny-sentiment").load()
    assert len(model.predict(["the food was great"])) == 1


def test_hub_id_offline_and_not_cached_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache, and HF_HUB_OFFLINE is set"):
        model_source("heedful-test/not-downloaded")


@pytest.mark.parametrize("name", ["/no/such/model/folder", "./models/missing", "a/b/c", "name with spaces"])
def test_missing_folder_is_named_as_a_folder_in_one_line(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ModelLoadError) as err:
        load_sentiment_model(NLPSettings(sentiment_model=name))
    assert time.perf_counter() - started < 2  # decided from the name alone, no hub call
    assert str(err.value) == f"cannot load sentiment model: model folder {name!r} does not exist"


def test_unknown_encoder_fails_fast_with_one_line() -> None:
    started = time.perf_counter()
    with pytest.raises(ModelLoadError) as err:
        Encoder(EncoderConfig(model="nobody-here/no-such-encoder")).load()
    assert time.perf_counter() - started < 15  # one hub question, not from_pretrained's minute of retries
    message = str(err.value)
    assert message.startswith("cannot load encoder: model 'nobody-here/no-such-encoder'") and "\n" not in message
