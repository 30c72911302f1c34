"""The languages an encoder reads are a property of the configured model: its model card says them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.analyzer import Analyzer
from nlp.encoder import Encoder, EncoderConfig
from nlp.inference.language import KNOWN, model_languages
from nlp.inference.topics import TopicTagger
from nlp.inference.urgency import UrgencyDetector, UrgencyHead
from nlp.settings import NLPSettings
from nlp.taxonomy import Taxonomy, Topic
from nlp.types import Sentiment, SentimentResult

WORDS = "wszystko w porządku dziękuję the soup was cold jedzenie zupa food".split()


def _card(folder: Path, front: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(f"---\n{front}\n---\n# a model\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("front", "languages"),
    [
        ("language: en", {"en"}),
        ("language:\n- en\n- pl\n- de", {"en", "pl", "de"}),
        ("language:\n- multilingual\n- ar", set(KNOWN)),
        ("license: mit", {"en"}),
        ("language: [unclosed", {"en"}),
    ],
)
def test_model_card_declares_the_languages(tmp_path: Path, front: str, languages: set[str]) -> None:
    assert model_languages(_card(tmp_path / "m", front)) == languages


def test_no_card_means_english_only(tmp_path: Path) -> None:
    assert model_languages(tmp_path) == {"en"}
    assert model_languages(None) == {"en"}


def test_the_default_encoder_reads_english_only() -> None:
    assert Encoder().languages == {"en"}


def _tiny_multilingual(folder: Path) -> Path:
    """A one-layer random BERT whose card says it reads English and Polish."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(WORDS), ",", "."]
    tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    _card(folder, "language:\n- en\n- pl")
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class _Neutral:
    name, version = "neutral", "1"

    def predict(self, texts: list[str]) -> list[SentimentResult]:
        return [SentimentResult(overall=Sentiment("neutral", 0.0, 0.5)) for _ in texts]


def test_a_multilingual_encoder_makes_polish_answers_analysed(tmp_path: Path) -> None:
    encoder = Encoder(EncoderConfig(model=str(_tiny_multilingual(tmp_path / "tiny")))).load()
    assert encoder.languages == {"en", "pl"}
    taxonomy = Taxonomy(name="t", topics=[Topic(name="food", description="food and soup")])
    head = UrgencyHead(np.zeros(16 + 5, dtype=np.float32), -5.0, 0.5)
    analyzer = Analyzer(NLPSettings(), encoder=encoder, sentiment=_Neutral(), tagger=TopicTagger(encoder),
                        urgency=UrgencyDetector(encoder, head=head)).load()

    polish, english = analyzer.analyze(["Wszystko w porządku, dziękuję", "the soup was cold"], taxonomy,
                                       hints=["pl", "en"])

    assert (polish.language, polish.not_analysed) == ("pl", None) and polish.topics is not None
    assert (english.language, english.not_analysed) == ("en", None)
    # The same weights with a card that says English only: the Polish answer is marked instead.
    _card(tmp_path / "tiny", "language: en")
    english_only = Encoder(EncoderConfig(model=str(tmp_path / "tiny"))).load()
    analyzer = Analyzer(NLPSettings(), encoder=english_only, sentiment=_Neutral(), tagger=TopicTagger(english_only),
                        urgency=UrgencyDetector(english_only, head=head)).load()
    [marked] = analyzer.analyze(["Wszystko w porządku, dziękuję"], taxonomy, hints=["pl"])
    assert marked.not_analysed == "not analysed: pl" and marked.topics is None
