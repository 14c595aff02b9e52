"""Repetition (MT6xx): doubled words, loops, repeated sentences, paragraphs and
passages — positives and traps."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.checks.captions import chrf, similar_pairs
from tests.conftest import SHARED
from tests.helpers import audit, spans


def full_mode(text: str) -> list[str]:
    """Codes found with the model on; one engine (one model load) for all full-mode tests."""
    return [f.code for f in audit(text, ("MT3", "MT6"), fast=False)]


# -- MT601 doubled word --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister said the the talks would resume.", "the the"),
        ("The The talks stalled again.", "The The"),
        ("It was announced on Tuesday Tuesday.", "Tuesday Tuesday"),
        ("The match ended in Italy Italy.", "Italy Italy"),
        ('It is often called an "archipelago "archipelago".', 'archipelago "archipelago'),
        ("Tamim Iqbal scored a half-century half-century.", "half-century half-century"),
        ("He was posted to the town in July 1895 1895.", "1895 1895"),
        ("Police arrested Rybicki on Monday. Rybicki Rybicki denied it.", "Rybicki Rybicki"),
    ],
)
def test_doubled_word(text: str, expected: str) -> None:
    assert spans(text, "MT601") == [expected]


def test_doubled_word_suggestion_and_severity() -> None:
    (f,) = audit("They met in in Paris.", "MT601")
    assert f.suggestion == "in" and f.severity.value == "minor" and f.category == "repetition"


@pytest.mark.parametrize(
    "text",
    [
        "What he had had in mind was a compromise.",
        "He said that that was the only way forward.",
        "What it is is a question of trust.",
        "The resort of Bora Bora reported record arrivals.",
        "Officials in Walla Walla said the harvest was early.",
        "“No, no, no,” shouted the protesters.",
        "It was very, very cold.",
        "Kundalini activates the energy (energy of enlightenment) of the body.",
        "The score was 10\n10 minutes later it changed.",
        "Results: 12 12 14 15 16 18 21 22",
        "They said bye bye to the summer.",
        "The talks went on and on, diplomats said.",
    ],
)
def test_doubled_word_traps(text: str) -> None:
    assert spans(text, "MT601") == []


# -- MT605 loops ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Traces were found in pet food food food food.", "food food food food"),
        ("the capital of the city of the city of the city", "of the city of the city of the city"),
        (
            'It was listed as "non-serious "non-serious "non-serious."',
            '"non-serious "non-serious "non-serious',
        ),
    ],
)
def test_repetition_loop(text: str, expected: str) -> None:
    assert spans(text, "MT605") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "“Never, never, never give up,” she said.",
        "“We will fight, we will fight, we will fight,” he told the crowd.",
        "Prices rose step by step. Little by little the town rebuilt itself.",
        "He knocked: knock. Knock. Knock.",
    ],
)
def test_repetition_loop_traps(text: str) -> None:
    assert spans(text, "MT605") == []


def test_loop_is_not_also_a_doubled_word() -> None:
    assert [f.code for f in audit("The pet food food food food was recalled.", "MT6")] == ["MT605"]


# -- MT602 / MT603 sentences -------------------------------------------------------------


def test_repeated_sentence_second_occurrence() -> None:
    text = (
        "The central bank held rates at 5 percent. Analysts had expected a cut. "
        "The Central Bank held rates at 5 percent!"
    )
    findings = audit(text, "MT602")
    assert [f.text for f in findings] == ["The Central Bank held rates at 5 percent!"]
    assert findings[0].severity.value == "major"


def test_short_repeated_sentences_are_not_flagged() -> None:
    text = "He declined to comment. Prices rose. He declined to comment. Thank you."
    assert spans(text, "MT6") == []


def test_near_repeated_sentence() -> None:
    text = (
        "Hungary's government raised the windfall tax on banks for another year, the finance "
        "ministry said. Bankers warned lending would suffer. The Hungarian government raised "
        "the windfall tax on banks for another year, the ministry of finance said."
    )
    assert spans(text, "MT603") == [
        "The Hungarian government raised the windfall tax on banks for another year, "
        "the ministry of finance said."
    ]


CLEAN_STORY = (
    "The European Central Bank cut its deposit rate by a quarter point to 3.25 percent on "
    "Thursday. ECB President Christine Lagarde said the decision was unanimous. Inflation in "
    "the euro zone fell to 1.7 percent in September, below the bank's 2 percent target. The ECB "
    "has now cut rates three times this year. Markets expect another cut in December. The "
    "Bank of England kept its rate at 5 percent on Thursday. The Federal Reserve cut its rate "
    "by half a point in September."
)


def test_restated_facts_are_not_repetition() -> None:
    assert spans(CLEAN_STORY, "MT6") == []


@pytest.mark.embeddings
def test_restated_facts_full_mode() -> None:
    assert full_mode(CLEAN_STORY) == []


@pytest.mark.embeddings
def test_near_repeat_full_mode() -> None:
    text = (
        "Floods forced thousands of people to leave their homes in southern Poland on Sunday. "
        "The army was deployed to help. "
        "Floods forced thousands of residents to flee their homes in the south of Poland."
    )
    assert full_mode(text) == ["MT603"]


# -- MT604 paragraphs and passages ---------------------------------------------------------

PARAS = (
    "Brazil's central bank raised its benchmark rate by half a point to 11.25 percent, "
    "citing stronger inflation expectations.\n\n"
    "Policymakers said further increases could follow in the coming months.\n\n"
    "Brazil's central bank raised its benchmark rate by half a point to 11.25 percent, "
    "citing higher inflation expectations.\n"
)


def test_repeated_paragraph_reported_once() -> None:
    findings = audit(PARAS, "MT6")
    assert [f.code for f in findings] == ["MT604"]
    assert findings[0].text.startswith("Brazil's central bank") and findings[0].start > 100


def test_repeated_passage() -> None:
    text = (
        "Rescue teams reached the village on Tuesday after the road was cleared. Officials said "
        "more aid would follow on Wednesday. The army sent two helicopters. Rescue teams reached "
        "the village on Tuesday after the road had been cleared. Officials said that more aid "
        "would follow on Wednesday."
    )
    findings = audit(text, "MT6")
    assert [f.code for f in findings] == ["MT604"]
    assert findings[0].text.startswith(
        "Rescue teams reached the village on Tuesday after the road had"
    )


def test_distinct_paragraphs_are_not_flagged() -> None:
    text = CLEAN_STORY.replace(". ", ".\n\n")
    assert spans(text, "MT604") == []


@pytest.mark.embeddings
def test_repeated_paragraph_full_mode() -> None:
    assert full_mode(PARAS) == ["MT604"]


# -- helpers and robustness ------------------------------------------------------------------


def test_chrf_matches_sacrebleu_scale() -> None:
    assert chrf("the same text", "the same text") == pytest.approx(100.0)
    assert chrf("completely different", "nothing alike here") < 30


def test_similar_pairs_windows_long_documents() -> None:
    import random

    rng = random.Random(7)
    vocab = ["".join(rng.choices("bcdfghklmnprstvz", k=6)) for _ in range(3000)]
    texts = [" ".join(rng.choices(vocab, k=9)) for _ in range(1700)]
    texts.append(texts[3] + " x")  # 1700: a near copy too far back to be compared
    texts.append(texts[1650] + " x")  # 1701: close enough
    texts.append(texts[5])  # 1702: verbatim copies pair at any distance (cheap)
    pairs = similar_pairs(texts, min_chrf=90)
    assert (3, 1700) not in pairs
    assert (1650, 1701) in pairs
    assert pairs[(5, 1702)] == 100.0


def test_similar_lines_stay_cheap() -> None:
    texts = [f"Row {i}: price 10{i % 10} euros, volume {i % 7} tonnes." for i in range(600)]
    pairs = similar_pairs(texts, min_chrf=50)
    assert len(pairs) <= 5 * len(texts)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_arbitrary_text_gives_valid_spans(text: str) -> None:
    audit(text, ("MT3", "MT6"))  # audit asserts text == document[start:end]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Getty",
                "AFP",
                "the",
                "The",
                "Reuters/Marko Djurica",
                "Photo:",
                ".",
                "(AP)",
                "—",
                "food",
            ]
        ),
        max_size=40,
    )
)
def test_credit_soup_gives_valid_spans(words: list[str]) -> None:
    audit(" ".join(words), ("MT3", "MT6"))


DEMETR = SHARED / "eval" / "demetr.jsonl"


@pytest.mark.skipif(not DEMETR.exists(), reason="shared eval set not available")
def test_demetr_repeats_detected_originals_clean() -> None:
    rows = [json.loads(line) for line in DEMETR.read_text(encoding="utf-8").splitlines()]
    for pert, floor in (("minor_id1_repeat2", 0.85), ("minor_id2_repeat4", 0.95)):
        items = [r for r in rows if r["perturbation"] == pert][:100]
        hit = sum(bool(audit(r["perturbed"], "MT6")) for r in items)
        false = sum(bool(audit(r["original"], "MT6")) for r in items)
        assert hit / len(items) >= floor, pert
        assert false <= 1, pert
