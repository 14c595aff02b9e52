"""The lean MiniLM encoder (mtaudit.minilm) and the Embedder's precision switch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtaudit.embeddings import PRECISION_ENV, Embedder

TEXTS = [
    "The talks ended without a deal, officials said.",
    "Prime Minister Ana Brnabić met the delegation in Belgrade on Tuesday.",
    "",
    "   ",
    "Café naïve résumé — “quoted” 東京 😀 \u200b tab\there",
    "He poured oil on the fire.",
    "word " * 400,  # longer than max_seq_length: truncated the same way
    *(f"Sentence number {i} about the budget of {1990 + i}." for i in range(40)),
]


def _model_path() -> str:
    from mtaudit.embeddings import packaged_model_path

    return packaged_model_path()


@pytest.mark.embeddings
@pytest.mark.parametrize("batch_size", [1, 7, 32])
def test_lean_encoder_is_bit_identical_to_sentence_transformers(batch_size: int) -> None:
    import numpy as np

    lean = Embedder(batch_size=batch_size, precision="float32")
    st = Embedder(batch_size=batch_size, precision="float32", backend="sentence-transformers")
    assert type(lean._load()).__name__ == "LeanEncoder"
    assert type(st._load()).__name__ == "SentenceTransformer"
    a, b = lean.encode(TEXTS), st.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == b.dtype
    assert np.array_equal(a, b)


@pytest.mark.embeddings
def test_bfloat16_stays_close_to_float32() -> None:
    import numpy as np

    full = Embedder(precision="float32").encode(TEXTS)
    half = Embedder(precision="bfloat16").encode(TEXTS)
    assert half.dtype == np.float32
    assert float((full * half).sum(axis=1).min()) > 0.999
    assert float(np.abs(full @ full.T - half @ half.T).max()) < 0.01


@pytest.mark.embeddings
def test_other_folder_layouts_fall_back_to_sentence_transformers(tmp_path: Path) -> None:
    from mtaudit import minilm

    path = _model_path()
    assert minilm.supported(path)
    copy = tmp_path / "model"
    shutil.copytree(path, copy)
    assert minilm.supported(str(copy))
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    assert not minilm.supported(str(copy))  # CLS pooling: not ours to imitate
    assert not minilm.supported(str(tmp_path))  # not a model folder at all
    embedder = Embedder(str(copy))
    assert type(embedder._load()).__name__ == "SentenceTransformer"
    assert embedder.encode(["A short test sentence."]).shape == (1, 384)


def test_precision_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRECISION_ENV, raising=False)
    assert Embedder().precision == "float32"
    assert Embedder(precision="bfloat16").precision == "bfloat16"
    monkeypatch.setenv(PRECISION_ENV, "auto")
    assert Embedder().precision == "auto"
    assert Embedder(precision="float32").precision == "float32"  # the argument wins
    with pytest.raises(ValueError, match="precision"):
        Embedder(precision="int4")
    with pytest.raises(ValueError, match="backend"):
        Embedder(backend="onnx")


def test_embedder_stays_lazy() -> None:
    """Building an Embedder and checking the model is there imports no torch."""
    code = (
        "import sys\n"
        "from mtaudit.embeddings import Embedder\n"
        "e = Embedder(precision='auto')\n"
        "try:\n"
        "    e.check_available()\n"
        "except Exception:\n"
        "    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
