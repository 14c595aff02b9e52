"""A lean encoder for sentence-transformers BERT folders (MiniLM), in plain torch.

Imported only by :mod:`mtaudit.embeddings` when the model is first used. Why it
exists: ``import sentence_transformers`` also imports transformers, scikit-learn,
scipy, sympy, pandas and more, about 280 MB of resident memory in every worker
process before the 90 MB model is even loaded. This module needs only torch,
``tokenizers`` and ``safetensors`` (all dependencies of sentence-transformers).

The result is the same to the bit: the forward pass is the same sequence of torch
operations as transformers' ``BertModel`` with SDPA attention (a boolean padding
mask, or none when nothing is padded), followed by sentence-transformers' mean
``Pooling`` and ``Normalize``; texts are tokenized by the folder's own
``tokenizer.json`` with the same truncation, and batched in the same
longest-first order, so every matrix product has the same shape and operands.
``tests/test_embeddings_lean.py`` compares the two on hundreds of texts.

Only the plain layout is accepted (:func:`supported`); anything else (another
architecture, prompts, other pooling, ``--model`` folders of other kinds) is
loaded by sentence-transformers as before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

_LAYER_PARTS = {
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attn_out",
    "attention.output.LayerNorm": "attn_norm",
    "intermediate.dense": "inter",
    "output.dense": "out",
    "output.LayerNorm": "out_norm",
}
_EMBEDDING_PARTS = {
    "embeddings.word_embeddings": "word",
    "embeddings.position_embeddings": "position",
    "embeddings.token_type_embeddings": "token_type",
    "embeddings.LayerNorm": "norm",
}
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _json(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _layout(path: str) -> dict[str, Any] | None:
    """The folder's settings if it is a plain BERT + mean pooling folder, else None."""
    try:
        modules = _json(os.path.join(path, "modules.json"))
        config = _json(os.path.join(path, "config.json"))
        st_config = _json(os.path.join(path, "sentence_bert_config.json"))
        types = [m["type"] for m in modules]
        if types[:2] != [_TRANSFORMER, _POOLING] or modules[0].get("path", "") != "":
            return None
        if types[2:] not in ([], [_NORMALIZE]):
            return None
        pooling = _json(os.path.join(path, modules[1]["path"], "config.json"))
        extra = os.path.join(path, "config_sentence_transformers.json")
        prompts = _json(extra) if os.path.exists(extra) else {}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v is True]
    plain = (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and not config.get("is_decoder", False)
        and not config.get("add_cross_attention", False)
        and config.get("chunk_size_feed_forward", 0) == 0
        and modes == ["pooling_mode_mean_tokens"]
        and pooling.get("include_prompt", True) is True
        and not st_config.get("do_lower_case", False)
        and not prompts.get("prompts")
        and not prompts.get("default_prompt_name")
        and os.path.exists(os.path.join(path, "tokenizer.json"))
        and os.path.exists(os.path.join(path, "model.safetensors"))
    )
    if not plain:
        return None
    max_len = min(
        int(st_config.get("max_seq_length") or config["max_position_embeddings"]),
        int(config["max_position_embeddings"]),
    )
    return {"config": config, "max_seq_length": max_len, "normalize": len(types) == 3}


def supported(path: str) -> bool:
    """Whether :class:`LeanEncoder` can load this folder (else use sentence-transformers)."""
    return _layout(path) is not None


class _Layer(nn.Module):
    """One BERT layer: self-attention and feed-forward, each with residual + LayerNorm."""

    def __init__(self, hidden: int, intermediate: int, heads: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.inter = nn.Linear(hidden, intermediate)
        self.out = nn.Linear(intermediate, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        b, n, hidden = x.shape
        size = hidden // self.heads
        shape = (b, n, self.heads, size)
        q = self.query(x).view(shape).transpose(1, 2)
        k = self.key(x).view(shape).transpose(1, 2)
        v = self.value(x).view(shape).transpose(1, 2)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=size**-0.5)
        a = a.transpose(1, 2).contiguous().reshape(b, n, hidden).contiguous()
        x = self.attn_norm(self.attn_out(a) + x)
        return self.out_norm(self.out(F.gelu(self.inter(x))) + x)


class _Bf16Linear(nn.Module):
    """A Linear layer computed in bfloat16 (weights stored so, input cast on the way in),
    its output back in float32: what ``torch.autocast`` does to a Linear layer, without
    re-casting the weights on every call. Attention, LayerNorm, GELU and pooling stay
    in float32."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        self.weight = nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
        bias = linear.bias.detach().to(torch.bfloat16) if linear.bias is not None else None
        self.bias = nn.Parameter(bias, requires_grad=False) if bias is not None else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x.to(torch.bfloat16), self.weight, self.bias).float()


class _Bert(nn.Module):
    """BERT encoder + mean pooling (no pooler head: sentence-transformers ignores it)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden, eps = config["hidden_size"], config["layer_norm_eps"]
        self.word = nn.Embedding(config["vocab_size"], hidden)
        self.position = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type = nn.Embedding(config["type_vocab_size"], hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(hidden, config["intermediate_size"], config["num_attention_heads"], eps)
            for _ in range(config["num_hidden_layers"])
        )

    def forward(
        self, ids: torch.Tensor, type_ids: torch.Tensor, attention: torch.Tensor
    ) -> torch.Tensor:
        b, n = ids.shape
        x = self.word(ids) + self.token_type(type_ids)
        x = self.norm(x + self.position.weight[:n].unsqueeze(0))
        # transformers passes SDPA no mask when nothing is padded, else a boolean
        # (batch, 1, query, key) view of the padding mask.
        mask = (
            None if bool(attention.all()) else attention.bool()[:, None, None, :].expand(b, 1, n, n)
        )
        for layer in self.layers:
            x = layer(x, mask)
        weights = attention.unsqueeze(-1).to(x.dtype)
        total = (x * weights).sum(dim=1, dtype=x.dtype)
        return total / torch.clamp(weights.sum(dim=1, dtype=x.dtype), min=1e-9)


def _state_dict(path: str) -> dict[str, torch.Tensor]:
    """The safetensors weights under this module's parameter names."""
    from safetensors.torch import load_file

    out: dict[str, torch.Tensor] = {}
    for key, tensor in load_file(os.path.join(path, "model.safetensors")).items():
        key = key.removeprefix("bert.")
        module, _, param = key.rpartition(".")
        if module in _EMBEDDING_PARTS:
            out[f"{_EMBEDDING_PARTS[module]}.{param}"] = tensor
        elif module.startswith("encoder.layer."):
            index, _, part = module[len("encoder.layer.") :].partition(".")
            if part in _LAYER_PARTS:
                out[f"layers.{index}.{_LAYER_PARTS[part]}.{param}"] = tensor
    return out


class LeanEncoder:
    """``SentenceTransformer.encode`` for a plain BERT folder, without sentence-transformers."""

    def __init__(self, path: str) -> None:
        layout = _layout(path)
        if layout is None:
            raise ValueError(f"not a plain BERT sentence-transformers folder: {path}")
        import tokenizers

        with torch.device("meta"):  # no throw-away random weights: the real ones are assigned
            model = _Bert(layout["config"])
        model.load_state_dict(_state_dict(path), strict=True, assign=True)
        self.model = model.eval()
        self.normalize = layout["normalize"]
        self.dim = int(layout["config"]["hidden_size"])
        tokenizer = tokenizers.Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        tokenizer.enable_truncation(layout["max_seq_length"])  # longest_first, as transformers
        pad = layout["config"].get("pad_token_id", 0) or 0
        tokenizer.enable_padding(pad_id=pad, pad_token=tokenizer.id_to_token(pad) or "[PAD]")
        self.tokenizer = tokenizer

    def to_bfloat16(self) -> None:
        """Run the Linear layers (~85% of the time) in bfloat16; see ``Embedder``."""
        for layer in self.model.layers:
            for name, child in list(layer.named_children()):
                if isinstance(child, nn.Linear):
                    setattr(layer, name, _Bf16Linear(child))

    @torch.inference_mode()
    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        normalize_embeddings: bool = False,
        **_: Any,
    ) -> np.ndarray:
        """Embeddings as a float32 array, one row per text, in input order."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # sentence-transformers' order: longest (in characters) first, its exact argsort.
        order = np.argsort([-len(t) for t in texts])
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = torch.tensor([e.ids for e in encodings])
            type_ids = torch.tensor([e.type_ids for e in encodings])
            attention = torch.tensor([e.attention_mask for e in encodings])
            vectors = self.model(ids, type_ids, attention)
            if self.normalize:  # the folder's Normalize module
                vectors = F.normalize(vectors, p=2, dim=-1)
            if normalize_embeddings:  # encode(normalize_embeddings=True), again, as ST does
                vectors = F.normalize(vectors, p=2, dim=1)
            out[rows] = vectors.numpy()
        return out
