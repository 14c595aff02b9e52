"""MT4xx: detokenizer damage, with the traps that must stay quiet."""

from __future__ import annotations

import pytest

from tests.helpers import audit, spans


@pytest.mark.parametrize(
    ("text", "expected", "suggestion"),
    [
        ("The talks ended without a deal , officials said.", "deal ,", "deal,"),
        ("It was found in the food .", "food .", "food."),
        ("Why now ?", "now ?", "now?"),
        ("Prices rose 5 %", "5 %", "5%"),
    ],
)
def test_space_before_punctuation(text: str, expected: str, suggestion: str) -> None:
    found = audit(text, "MT401")
    assert [f.text for f in found] == [expected]
    assert found[0].suggestion == suggestion


@pytest.mark.parametrize(
    "text",
    [
        "He paused . . . then spoke.",
        "He paused ... then spoke.",
        "The vote - a formality - passed.",
        "Prices rose 5%, officials said.",
        "He asked: why? Nobody knew.",
    ],
)
def test_space_before_punctuation_traps(text: str) -> None:
    assert spans(text, "MT401") == []


def test_spaced_hyphen() -> None:
    found = audit("an anti -government demonstration and a well- known figure", "MT402")
    assert [f.text for f in found] == ["anti -government", "well- known"]
    assert [f.suggestion for f in found] == ["anti-government", "well-known"]


@pytest.mark.parametrize(
    "text",
    [
        "pre- and post-war Europe",
        "first- or second-class tickets",
        "temperatures of -5 degrees",
        "The vote - a formality - passed.",
        "an anti-government march",
    ],
)
def test_spaced_hyphen_traps(text: str) -> None:
    assert spans(text, "MT402") == []


def test_malformed_quotes() -> None:
    text = "accused Serbia of “ Taking on Russia '' by providing weapons"
    found = audit(text, "MT403")
    assert [f.text for f in found] == ["“ Taking on Russia ''"]
    assert found[0].suggestion == "“Taking on Russia”"
    assert spans("He said ``no'' twice.", "MT403") == ["``no''"]
    assert spans('He said " no " twice.', "MT403") == ['" no "']


@pytest.mark.parametrize(
    "text",
    [
        "He said “no” and left.",
        'He said "no" and "yes".',
        "The 1990s' rock and the players' union.",
        "“We are ready,” she said. “Are you?”",
    ],
)
def test_quote_traps(text: str) -> None:
    assert spans(text, "MT403") == []


def test_split_contraction() -> None:
    assert spans("The president 's plan does n't add up.", "MT404") == ["president 's", "does n't"]
    assert spans("The president's plan doesn't add up.", "MT404") == []


def test_spaced_abbreviation() -> None:
    assert spans("The U. S. envoy met the U. N. chief.", "MT405") == ["U. S.", "U. N."]
    assert spans("J. K. Rowling and the U.S. envoy.", "MT405") == []


def test_locale_numbers() -> None:
    assert spans("Some 12 500 people attended.", "MT406") == ["12 500"]
    assert spans("Prices rose 3,5 percent.", "MT406") == ["3,5"]
    assert spans("Some 12,500 people; on May 5 200 people came; in 2019 100 died.", "MT406") == []
    assert spans("Groups 1,2 and 3 met.", "MT406") == []


def test_irregular_spacing() -> None:
    assert spans("The test ( FTIR ) found  traces.", "MT407") == ["( FTIR )", "  "]
    assert spans("The test (FTIR) found traces.\n    Indented line.", "MT407") == []
