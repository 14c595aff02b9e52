"""Project terminology (MT740 forbidden term, MT741 term case) from a user's
``term,preferred,forbidden,note`` glossary: inflections, case patterns, traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtaudit.glossary import Glossaries, validate_file
from tests.helpers import audit

EXAMPLE = str(Path(__file__).parents[2] / "glossaries" / "examples" / "terms.csv")


def found(
    text: str, code: str = "MT74", glossary: str = EXAMPLE
) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.text, f.suggestion) for f in audit(text, code, glossaries=(glossary,))]


def test_example_glossary_is_valid_and_not_a_default() -> None:
    kind, rows, problems = validate_file(EXAMPLE)
    assert kind.name == "terms" and rows and not problems
    assert Glossaries().rows("terms") == []  # no terms ship by default


def test_forbidden_form_and_inflections() -> None:
    text = "Send an e-mail; we answer all e-mails. She e-mailed twice and is e-mailing again."
    assert found(text) == [
        ("MT740", "e-mail", "email"),
        ("MT740", "e-mails", "emails"),
        ("MT740", "e-mailed", "emailed"),
        ("MT740", "e-mailing", "emailing"),
    ]


def test_case_pattern_of_the_original_is_kept() -> None:
    assert found("E-mail us. E-MAIL US. Our E-Mails bounce.") == [
        ("MT740", "E-mail", "Email"),
        ("MT740", "E-MAIL", "EMAIL"),
        ("MT740", "E-Mails", "Emails"),
    ]


def test_term_itself_is_flagged_when_no_forbidden_list() -> None:
    text = "They utilized the data, utilizing new tools; Utilize it."
    assert found(text) == [
        ("MT740", "utilized", "used"),
        ("MT740", "utilizing", "using"),
        ("MT740", "Utilize", "Use"),
    ]


def test_multiword_and_forbidden_without_preferred() -> None:
    assert found("Hey guys, open the web site and log-in.") == [
        ("MT740", "guys", None),
        ("MT740", "web site", "website"),
        ("MT740", "log-in", "log in"),
    ]


def test_term_case() -> None:
    assert found("It needs Javascript and javascript.", "MT741") == [
        ("MT741", "Javascript", "JavaScript"),
        ("MT741", "javascript", "JavaScript"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Send your questions by email; we answer all emails within a day.",
        "JavaScript and JAVASCRIPT are both fine here.",
        "Write to desk@e-mail-example.com or see https://example.com/e-mail/help.",
        "The female guyser is not a word we forbid; neither is Kievan Rus.",
        "They use the website to log in.",
    ],
)
def test_traps(text: str) -> None:
    assert found(text) == []


def test_no_glossary_no_findings() -> None:
    assert [f.code for f in audit("Send an e-mail to Kiev.", "MT74")] == []


def test_user_row_overrides(tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = tmp_path / "terms.csv"
    g.write_text(
        "term,preferred,forbidden,note\nheads of state,heads of state,heads of states,\n"
        "towards,toward,,US spelling\n",
        encoding="utf-8",
    )
    assert found("Heads of states walked towards the hall.", glossary=str(g)) == [
        ("MT740", "Heads of states", "Heads of state"),
        ("MT740", "towards", "toward"),
    ]


@pytest.mark.parametrize("code", ["MT740", "MT741"])
def test_rule_examples_with_the_example_glossary(code: str) -> None:
    # No terms ship by default, so the generic Bad/Good test cannot see these rules
    # fire; they run here with the example glossary instead.
    from mtaudit.registry import get_rule

    rule = get_rule(code)
    assert "terms" in rule.requires
    assert [f for f in audit(rule.bad, code, glossaries=(EXAMPLE,)) if f.code == code]
    assert not [f for f in audit(rule.good, code, glossaries=(EXAMPLE,)) if f.code == code]
