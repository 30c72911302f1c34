"""Tiny random BERT encoders the tests build and save themselves (no hub, a second to make)."""

from __future__ import annotations

from pathlib import Path

# English, German, Polish and Spanish words, so the tokenizer reads all four respondent languages.
MULTILINGUAL_WORDS = (
    "the food was great good bad rude staff service slow fast and but not very ok gas leak smell fixed "
    "das essen war gut schlecht sehr und aber nicht gasgeruch halle "
    "jedzenie było dobre złe bardzo i ale nie wyciek gazu hali wszystko w porządku dziękuję "
    "la comida era buena mala muy y pero no fuga de gas"
).split()


def save_tiny_encoder(folder: Path, layers: int = 3, words: tuple[str, ...] | list[str] = MULTILINGUAL_WORDS,
                      languages: tuple[str, ...] = ()) -> Path:
    """A random BertModel with `layers` blocks and a word-level vocabulary, saved to `folder`; `languages`
    go into its model card's front matter, as a multilingual model on the hub declares them (without a
    card the encoder counts as English-only: nlp.inference.language.model_languages)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    # transformers 5 builds a fast tokenizer from `vocab` (a `vocab_file` alone leaves only the specials)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *dict.fromkeys(words), "##s", "##ed", ".", ","]
    tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    if languages:
        front = "\n".join(["language:", *(f"- {lang}" for lang in languages)])
        (folder / "README.md").write_text(f"---\n{front}\n---\n# tiny test encoder\n", encoding="utf-8")
    return folder
