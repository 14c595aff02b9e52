"""The quality floor: heldout precision/recall per category must not regress.

``tests/quality_floor.json`` holds the last measured figures (heldout split, fast
mode). This test re-measures them and fails when a category's precision or recall
falls more than the recorded margin below, or when more clean documents get flagged.
After a real improvement, raise the floor with ``mtaudit eval --update-floor``.
"""

from __future__ import annotations

import json
from pathlib import Path

from mtaudit import evaluation as ev
from mtaudit.config import load_config
from mtaudit.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
FLOOR = ROOT / "tests" / "quality_floor.json"
CORPUS = ROOT / "tests" / "corpus" / "corpus.jsonl"


def test_heldout_quality_stays_above_the_floor() -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    assert floor["split"] == "heldout" and floor["fast"] is True
    engine = Engine(load_config(start=ROOT).merged(fast=True))
    result = ev.eval_corpus(engine, CORPUS, "heldout")
    problems = ev.compare_floor(result, floor, float(floor.get("margin", 0.05)))
    assert not problems, "quality fell below tests/quality_floor.json:\n" + "\n".join(problems)
