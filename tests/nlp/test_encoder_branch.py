"""Encoder branches: the top blocks twice, the lower blocks once; each view is what a whole model gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.encoder import Branch, Encoder, EncoderConfig, load_pretrained
from tests.nlp.tiny_models import save_tiny_encoder

TEXTS = ["the food was great", "rude staff, slow service", "wyciek gazu w hali", "das essen war gut"]


def _encoder_with_branch(folder: Path, start: int) -> tuple[Encoder, Any]:
    """(encoder whose branch is a perturbed copy of the blocks from `start`, a whole model with those blocks)."""
    import torch

    _, tokenizer, model = load_pretrained(str(folder))
    tail = copy.deepcopy(model.encoder.layer[start:])
    torch.manual_seed(1)
    with torch.no_grad():
        for layer in tail:  # a different model from `start` on, as merged adapters make it
            layer.intermediate.dense.weight += 0.5 * torch.randn_like(layer.intermediate.dense.weight)
    branched_whole = copy.deepcopy(model)
    for k, layer in enumerate(tail):
        branched_whole.encoder.layer[start + k] = copy.deepcopy(layer)
    encoder = Encoder.from_model(model, tokenizer, EncoderConfig(model=str(folder)), "v", branch=Branch(start, tail))
    return encoder, (tokenizer, branched_whole)


def _whole_model_embeddings(tokenizer: Any, model: Any) -> np.ndarray:  # type: ignore[type-arg]
    whole = Encoder.from_model(model, tokenizer, EncoderConfig(), "w")
    return whole.embed(TEXTS)


@pytest.mark.parametrize("start", [0, 2])
def test_each_view_matches_a_whole_model(tmp_path: Path, start: int) -> None:
    folder = save_tiny_encoder(tmp_path / "enc", layers=3)
    plain = Encoder(EncoderConfig(model=str(folder))).load()
    encoder, (tokenizer, branched_whole) = _encoder_with_branch(folder, start)
    np.testing.assert_allclose(encoder.embed(TEXTS), plain.embed(TEXTS), atol=1e-5)
    whole = _whole_model_embeddings(tokenizer, branched_whole)
    np.testing.assert_allclose(encoder.embed_branch(TEXTS), whole, atol=1e-5)
    assert not np.allclose(encoder.embed_branch(TEXTS), encoder.embed(TEXTS), atol=1e-3)


def test_one_pass_in_a_batch_cache_serves_both_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = save_tiny_encoder(tmp_path / "enc", layers=3)
    encoder, _ = _encoder_with_branch(folder, 2)
    calls: list[tuple[bool, bool]] = []
    forward = Encoder._forward

    def counting(self: Encoder, texts: list[str], batch_size: int | None, *, base: bool, branch: bool) -> Any:
        calls.append((base, branch))
        return forward(self, texts, batch_size, base=base, branch=branch)

    monkeypatch.setattr(Encoder, "_forward", counting)
    with encoder.batch_cache():
        branch_view = encoder.embed_branch(TEXTS)
        base_view = encoder.embed(TEXTS)
    assert calls == [(True, True)]  # the base view came from the same pass
    calls.clear()
    np.testing.assert_allclose(encoder.embed(TEXTS), base_view, atol=1e-6)
    np.testing.assert_allclose(encoder.embed_branch(TEXTS), branch_view, atol=1e-6)
    assert calls == [(True, False), (False, True)]  # outside a cache, only what is asked for


def test_an_encoder_without_a_branch_says_so(tmp_path: Path) -> None:
    plain = Encoder(EncoderConfig(model=str(save_tiny_encoder(tmp_path / "enc")))).load()
    with pytest.raises(ValueError, match="has no branch"):
        plain.embed_branch(TEXTS)
