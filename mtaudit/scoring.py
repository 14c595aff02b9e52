"""MQM-style scoring and the reproducibility signature.

Each finding weighs minor 1, major 5, critical 25; a minor tokenization finding
(spacing and punctuation) weighs 0.1. ``penalty`` is the sum of the weights and::

    score = max(0, 100 - 100 * penalty / max(words, 100))

so a 100-word story with one major finding scores 95, and a story can never score
below 0. ``words`` counts whitespace-separated tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from mtaudit.finding import Finding, Severity

WEIGHTS: Mapping[Severity, float] = {
    Severity.MINOR: 1.0,
    Severity.MAJOR: 5.0,
    Severity.CRITICAL: 25.0,
}
MINOR_PUNCTUATION_WEIGHT = 0.1
PUNCTUATION_CATEGORIES = frozenset({"tokenization"})
MIN_WORDS = 100


def weight(finding: Finding) -> float:
    if finding.severity is Severity.MINOR and finding.category in PUNCTUATION_CATEGORIES:
        return MINOR_PUNCTUATION_WEIGHT
    return WEIGHTS[finding.severity]


def penalty(findings: Iterable[Finding]) -> float:
    return round(sum(weight(f) for f in findings), 3)


def score(penalty_value: float, words: int) -> float:
    return round(max(0.0, 100.0 - 100.0 * penalty_value / max(words, MIN_WORDS)), 1)


def file_hash(path: Path) -> str:
    """Short content hash of a glossary file, for the signature."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def signature(
    *,
    version: str,
    codes: Iterable[str],
    glossary_hashes: Mapping[str, str],
    model: str | None,
    source_lang: str | None,
) -> str:
    """A sacrebleu-style one-line description of how a score was made."""
    codes = sorted(codes)
    code_hash = hashlib.sha256(",".join(codes).encode()).hexdigest()[:8]
    gloss = hashlib.sha256(
        ",".join(f"{k}={v}" for k, v in sorted(glossary_hashes.items())).encode()
    ).hexdigest()[:8]
    return (
        f"mtaudit:{version}|checks:{len(codes)}@{code_hash}|glossaries:{gloss}"
        f"|model:{model or 'none'}|src:{source_lang or 'any'}|score:mqm-1-5-25-0.1"
    )
