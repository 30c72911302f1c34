"""Emoji become words for tokenizers that cannot read them (nlp.emoji)."""

from __future__ import annotations

import pytest

from nlp.emoji import _PICTOGRAPHS, GLOSSARY, count_emoji, describe, has_emoji, reads_emoji


def test_every_glossary_entry_is_recognised_as_an_emoji() -> None:
    missed = [e for e in GLOSSARY if not _PICTOGRAPHS.fullmatch(e)]
    assert missed == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Works great 👍", "Works great thumbs up"),
        ("👎 overpriced", "thumbs down overpriced"),
        ("👍🏽", "thumbs up"),  # skin tone dropped
        ("❤️ it", "love it"),  # presentation selector dropped
        ("Smoke 🔥 near boiler 2", "Smoke fire near boiler 2"),  # literal on the shop floor
        ("😡😡", "angry angry"),
        ("🦒", "giraffe face"),  # not in the glossary: its Unicode name
    ],
)
def test_describe(text: str, expected: str) -> None:
    assert " ".join(describe(text).split()) == expected


@pytest.mark.parametrize("text", ["", "plain ascii", "40°C in bay 3 © ™ → ½", "Очень хорошо, 很好"])
def test_text_without_emoji_is_unchanged(text: str) -> None:
    assert describe(text) == text and not has_emoji(text) and count_emoji(text) == 0


def test_reads_emoji_follows_the_tokenizer() -> None:
    from transformers import AutoTokenizer, BertTokenizerFast

    from nlp.encoder import default_encoder_path

    assert not reads_emoji(AutoTokenizer.from_pretrained(str(default_encoder_path())))  # MiniLM: [UNK]
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "great", "👍"])}
    assert reads_emoji(BertTokenizerFast(vocab=vocab))
