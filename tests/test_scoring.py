from __future__ import annotations

from mtaudit.finding import Finding, Severity
from mtaudit.scoring import penalty, score, signature, weight


def _f(severity: Severity, category: str = "name") -> Finding:
    return Finding("MT101", category, severity, 0, 1, 1, 1, "x", "m")


def test_weights() -> None:
    assert weight(_f(Severity.MINOR)) == 1
    assert weight(_f(Severity.MAJOR)) == 5
    assert weight(_f(Severity.CRITICAL)) == 25
    assert weight(_f(Severity.MINOR, "tokenization")) == 0.1
    assert weight(_f(Severity.MAJOR, "tokenization")) == 5


def test_score_formula() -> None:
    assert score(0, 10) == 100
    assert score(5, 100) == 95
    assert score(5, 50) == 95  # short documents count as 100 words
    assert score(10, 200) == 95
    assert score(500, 100) == 0
    assert penalty([_f(Severity.MAJOR), _f(Severity.MINOR, "tokenization")]) == 5.1


def test_signature_is_stable_and_sorted() -> None:
    a = signature(
        version="1", codes=["MT2", "MT1"], glossary_hashes={"a": "1"}, model=None, source_lang=None
    )
    b = signature(
        version="1", codes=["MT1", "MT2"], glossary_hashes={"a": "1"}, model=None, source_lang=None
    )
    assert a == b and a.startswith("mtaudit:1|checks:2@")
