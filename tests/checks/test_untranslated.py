"""Untranslated fragments (MT501-MT503): positives in several source languages and
the false-positive traps of SPEC §1 (names, glossed quotes, titles, Latin tags,
loanwords, URLs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import audit, spans

CASES = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "fixtures" / "untranslated" / "cases.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


def _overlaps(text: str, needle: str, findings: list) -> bool:  # type: ignore[type-arg]
    start = text.index(needle)
    end = start + len(needle)
    return any(f.start < end and start < f.end for f in findings)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_labelled_case(case: dict) -> None:  # type: ignore[type-arg]
    if case.get("limitation"):
        pytest.xfail(case["limitation"])
    found = audit(case["text"], case["check"])
    for needle in case["flagged"]:
        assert _overlaps(case["text"], needle, found), (needle, [f.text for f in found])
    extra = [
        f.text
        for f in found
        if not any(
            f.start < case["text"].index(n) + len(n) and case["text"].index(n) < f.end
            for n in case["flagged"]
        )
    ]
    assert not extra, extra


def test_whole_sentence_is_critical_and_named() -> None:
    text = "Talks resumed. Le gouvernement n'a pas encore pris de décision sur la réforme."
    (f,) = audit(text, "MT5")
    assert f.code == "MT501" and f.severity.value == "critical"
    assert "French" in f.message
    assert f.text.startswith("Le gouvernement")


def test_run_is_major_and_supersedes_nonword() -> None:
    text = "The government said that le projet est abandonné after the vote."
    found = audit(text, ("MT5", "MT72"))
    assert [(f.code, f.severity.value) for f in found] == [("MT502", "major")]


def test_single_foreign_word_is_reported_as_untranslated_not_nonword() -> None:
    found = audit("The fracaso in Iran cost Carter the election.", ("MT5", "MT72"))
    assert [(f.code, f.text) for f in found] == [("MT502", "fracaso")]
    assert "Spanish" in found[0].message


def test_script_run_and_whole_sentence() -> None:
    assert spans("Pilots flew in небе over Vladivostok.", "MT503") == ["небе"]
    found = audit("No comment. Переговоры продолжатся на следующей неделе.", "MT503")
    assert len(found) == 1 and found[0].severity.value == "critical"
    assert "Cyrillic" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "The angle θ and the constant π appear in the formula.",
        "Vladimir Putin (Владимир Путин) spoke in Moscow.",
        "The word “дружба” (friendship) was painted on the wall.",
        "Mail press@example.org or visit https://example.com/未来 for details.",
    ],
)
def test_script_traps(text: str) -> None:
    assert spans(text, "MT503") == []


@pytest.mark.parametrize(
    "text",
    [
        "The committee acted ad hoc and de facto, inter alia, per se.",
        "A coup d'état is not a fait accompli, and détente is not rapprochement.",
        "Protesters chanted “¡No pasarán!”, meaning “They shall not pass”.",
        "She read «Le Petit Prince» twice.",
        "Follow #JeSuisCharlie and @elysee for updates.",
        "Pedro de la Cruz and Juan de los Santos met Ursula von der Leyen.",
        "Die Welt and Le Figaro reported the story first.",
    ],
)
def test_untranslated_traps(text: str) -> None:
    assert spans(text, "MT5") == []


def test_source_lang_narrows_languages() -> None:
    text = "The chancellor said that es gibt keine Alternative to the plan."
    assert spans(text, "MT502", source_lang="de") == ["es gibt keine"]  # a noun may be a name
    assert spans(text, "MT502", source_lang="ja") == []  # no Latin-script words to test


def test_deterministic() -> None:
    text = "Markets fell. Die Regierung hat die neuen Maßnahmen am Montag beschlossen."
    first = [(f.code, f.start, f.end, f.message) for f in audit(text, "MT5")]
    for _ in range(3):
        assert [(f.code, f.start, f.end, f.message) for f in audit(text, "MT5")] == first
