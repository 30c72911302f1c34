"""The opt-in int8 path: which layers are quantised."""

from __future__ import annotations

import warnings

from nlp.encoder import _quantize


def test_int8_keeps_the_first_transformer_layer_in_fp32() -> None:
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=3, num_attention_heads=2, intermediate_size=32)
    model = BertModel(config).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = _quantize(model)
    kinds = {name: type(m) for name, m in quantized.named_modules() if name.endswith("intermediate.dense")}
    assert kinds["encoder.layer.0.intermediate.dense"] is torch.nn.Linear
    for name in ("encoder.layer.1.intermediate.dense", "encoder.layer.2.intermediate.dense"):
        assert kinds[name] is torch.ao.nn.quantized.dynamic.Linear
    ids = torch.tensor([[2, 5, 7, 3]])
    with torch.inference_mode():
        fp32, int8 = model(input_ids=ids).last_hidden_state, quantized(input_ids=ids).last_hidden_state
    assert torch.allclose(fp32, int8, atol=0.1)  # close, not equal: the later layers are rounded
