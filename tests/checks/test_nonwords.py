"""Non-words (MT720 misspelling, MT721 non-word) with their traps: British
spellings, rare but real words, inflections, names, compounds, abbreviations."""

from __future__ import annotations

import pytest

from tests.helpers import audit, spans


@pytest.mark.parametrize(
    ("text", "word", "suggestion"),
    [
        ("Melamine was foudn in the samples.", "foudn", "found"),
        ("Any witnss evidence was lost.", "witnss", "witness"),
        ("He spoke abotu the plan.", "abotu", "about"),
        ("She said thier plan failed.", "thier", "their"),
        ("The minister anounced a new plan.", "anounced", "announced"),
        ("Duting the 1980s he worked in television.", "Duting", "During"),
    ],
)
def test_misspelling_with_suggestion(text: str, word: str, suggestion: str) -> None:
    found = audit(text, "MT72")
    assert [(f.code, f.text, f.suggestion) for f in found] == [("MT720", word, suggestion)]
    assert found[0].severity.value == "minor"


def test_garbled_word_without_close_suggestion() -> None:
    found = audit("He resigned amid increasing antigenal demonstrations.", "MT72")
    assert [(f.code, f.text, f.suggestion) for f in found] == [("MT721", "antigenal", None)]
    assert found[0].severity.value == "major"


@pytest.mark.parametrize(
    "text",
    [
        "The programme's organisers apologised for the colour of the centre.",
        "Antigovernmental rhetoric and counter-sanctions dominated the post-election debate.",
        "The refiner's ombudsman cited kleptocrats and apparatchiks.",
        "Vejvoda told Gazprom Neft that Vučić and Erdoğan had met NATO officials.",
        "Werth said the talks would resume; Parly agreed.",
        "Output rose to 9.5 mln bpd, e.g. in Q3, per OPEC+ and the IEA.",
        "Write to info@agency-example.org or see www.example.com/reports today.",
        "The loan was repaid in korunas and zlotys.",
        "Embers glowed as the priests put on their stoles.",
        "Excavations at Mohenjo-daro revealed flush toilets.",
        "Brandt's so-called “Ostpolitik” and the *Kulturkampf* are history.",
    ],
)
def test_traps_not_flagged(text: str) -> None:
    assert spans(text, "MT72") == []


def test_case_of_suggestion_follows_original() -> None:
    found = audit("He left early. Abotu the plan, he said nothing.", "MT720")
    assert [(f.text, f.suggestion) for f in found] == [("Abotu", "About")]


def test_entity_glossary_words_are_not_nonwords(tmp_path) -> None:  # type: ignore[no-untyped-def]
    glossary = tmp_path / "people.csv"
    glossary.write_text("canonical,type,variants,note\nZbrlqvi,person,,invented\n", "utf-8")
    text = "The poet zbrlqvi wrote a verse."
    assert spans(text, "MT72") == ["zbrlqvi"]
    assert spans(text, "MT72", glossaries=(str(glossary),)) == []
