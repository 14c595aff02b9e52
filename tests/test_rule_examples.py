"""Every rule documents itself and its Bad/Good examples run (proselint-style)."""

from __future__ import annotations

import pytest

from mtaudit.registry import all_rules
from tests.conftest import ROOT
from tests.helpers import audit

RULES = all_rules()
OWNERS = [r for r in RULES if r.summary and not r.summary.startswith("Reported by")]


def test_codes_unique_and_wellformed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)), "rule names must be unique"


FAMILIES = {
    "name": "MT1",
    "encoding": "MT15",
    "idiom": "MT2",
    "caption": "MT3",
    "tokenization": "MT4",
    "untranslated": "MT5",
    "repetition": "MT6",
    "terminology": "MT7",
    "adequacy": "MT8",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.summary, f"{rule.code} has no summary"
    assert rule.why, f"{rule.code} has no Why"
    assert rule.bad and rule.good, f"{rule.code} needs Bad and Good examples"
    assert rule.code.startswith(FAMILIES[rule.category]), f"{rule.code} is outside its family"


def _example_rules(embeddings: bool) -> list:  # type: ignore[type-arg]
    return [
        pytest.param(r, id=r.code, marks=[pytest.mark.embeddings] if r.needs_embeddings else [])
        for r in RULES
        if r.needs_embeddings == embeddings and not r.requires_source
    ]


# Rules that need a user glossary run their examples with the shipped example file.
EXAMPLE_GLOSSARIES = {"terms": str(ROOT / "glossaries" / "examples" / "terms.csv")}


@pytest.mark.parametrize("rule", _example_rules(False) + _example_rules(True))
def test_bad_example_is_flagged_good_is_not(rule) -> None:  # type: ignore[no-untyped-def]
    fast = not rule.needs_embeddings
    extra = tuple(EXAMPLE_GLOSSARIES[r] for r in rule.requires if r in EXAMPLE_GLOSSARIES)
    kw = {"glossaries": extra} if extra else {}
    bad = [f for f in audit(rule.bad, rule.code, fast=fast, **kw) if f.code == rule.code]
    assert bad, f"{rule.code}: Bad example not flagged: {rule.bad!r}"
    good = [f for f in audit(rule.good, rule.code, fast=fast, **kw) if f.code == rule.code]
    assert not good, f"{rule.code}: Good example flagged: {[f.text for f in good]}"
