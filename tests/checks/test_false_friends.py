"""False friends and word-sense errors (MT701-MT703): catalog, patterns, traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtaudit.checks.false_friends import (
    PatternError,
    WordClass,
    compile_pattern,
    inflect,
    row_problems,
    split_alternatives,
)
from mtaudit.glossary import Row, default_dir, validate_file
from tests.conftest import SEED
from tests.helpers import audit, spans

LABELLED = Path(__file__).parent.parent / "fixtures" / "false_friends" / "labelled.jsonl"
CATALOG = default_dir() / "false_friends"


def ff(text: str, **kw: object) -> list[str]:
    return spans(text, "MT70", **kw)


# -- the seed story -------------------------------------------------------------


def test_seed_story_terminology_spans() -> None:
    if not SEED.exists():
        pytest.skip("shared seed story not available")
    text = SEED.read_text(encoding="utf-8")
    found = {f.text: f for f in audit(text, ("MT7", "MT8"))}
    wanted = {
        "recognized the Financial Times",
        "adjusts a dispute",
        "a simple diagram",
        "the heads of the roof collapse",
        "launched the possibility",
    }
    ours = {t for t, f in found.items() if f.code.startswith(("MT70", "MT8"))}
    assert wanted <= ours
    assert ours == wanted, f"unexpected findings: {ours - wanted}"
    assert found["adjusts a dispute"].suggestion == "settles a dispute"
    assert found["recognized the Financial Times"].suggestion == "admitted to the Financial Times"
    assert found["the heads of the roof collapse"].suggestion == (
        "those responsible for the roof collapse"
    )


# -- positives and their suggestions -------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        (
            "The firm adjusted the dispute out of court.",
            "adjusted the dispute",
            "settled the dispute",
        ),
        ("They hope to adjust the conflict soon.", "adjust the conflict", "settle the conflict"),
        (
            "He recognised to the investigators that he had lied.",
            "recognised to the investigators",
            "admitted to the investigators",
        ),
        (
            "She recognized Reuters on Monday that talks had failed.",
            "recognized Reuters",
            "admitted to Reuters",
        ),
        ("The Chef of the company resigned.", "The Chef of the company", "The head of the company"),
        ("He became an email from his bank.", "became an email", "got an email"),
        ("The noise does not molest me.", "does not molest me", "does not bother me"),
        (
            "Officials assisted at the summit in Rome.",
            "assisted at the summit",
            "attended the summit",
        ),
        (
            "The minister launched the hypothesis of early elections.",
            "launched the hypothesis",
            "raised the hypothesis",
        ),
        (
            "They proceeded to numerous arrests.",
            "proceeded to numerous arrests",
            "carried out numerous arrests",
        ),
        ("The report put in evidence the flaws of the plan.", "put in evidence", "highlighted"),
        ("The striker marked two goals in the match.", "marked two goals", "scored two goals"),
        (
            "Germany disposes over large gas reserves.",
            "disposes over large gas reserves",
            "has large gas reserves",
        ),
        ("A woman was aggressed in the metro, police said.", "was aggressed", "was attacked"),
        (
            "He was taken to the commissariat for questioning by police.",
            "the commissariat",
            "the police station",
        ),
    ],
)
def test_false_friend_found_with_inflected_suggestion(
    text: str, span: str, suggestion: str
) -> None:
    found = audit(text, "MT70")
    assert [f.text for f in found] == [span]
    assert found[0].suggestion == suggestion
    assert found[0].category == "terminology"


def test_codes_by_type() -> None:
    assert audit("Sensible data must be encrypted.", "MT70")[0].code == "MT701"
    text = "Fraud investigators exposed a complex diagram of fake invoices."
    assert audit(text, "MT70")[0].code == "MT702"
    assert audit("The mayor launched the possibility of a referendum.", "MT70")[0].code == "MT703"


# -- traps: correct English that must not be flagged -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Serbia is recognized as a state by most countries.",
        "The internationally recognized government met in Aden.",
        "He recognized the Financial Times reporter at the airport.",
        "The BBC has been recognized for its coverage.",
        "The diagram shows how the scheme works.",
        "A simple diagram explains the wiring.",
        "The team eventually won the match.",
        "The actual damage was much higher than reported.",
        "The actual situation on the ground is unclear.",
        "It would be sensible to wait for the results.",
        "She made a sensible decision.",
        "The heads of state met in Brussels.",
        "The heads of the fire department met the mayor.",
        "The heads of the collapse investigation presented their report.",
        "They launched a new product line and a campaign.",
        "The bank adjusted its forecast for inflation.",
        "Rates were adjusted for inflation.",
        "The volunteers assisted the victims of the earthquake.",
        "He became a lawyer and later a judge.",
        "The chef at the restaurant won a Michelin star.",
        "Fans gathered at the Chicago Tribune building.",
        "The museum's collection has 2,000 objects.",
        "Police confronted the suspect with the evidence.",
        "The fabric of society is fraying.",
        "He read the article in a news magazine.",
        "She loaded a new magazine into her rifle.",
        "The court found no evidence of fraud.",
        "The prime minister appointed her to his cabinet.",
        "The exit poll showed a close race.",
        "The parties reached a compromise after long talks.",
        "He lost a fraction of a second in the final lap.",
        "The lens of the camera was cracked.",
        "The main objective of the mission is to map the seabed.",
        "He was in the right frame of mind.",
        "The Labour party won a strong mandate.",
        "Keep the receipt in case you return the shoes.",
        "The transparent process was praised by observers.",
        "The actual president, not the figurehead, holds real power.",
        "The company will dispose of its waste responsibly.",
        "The day marked a milestone for the team.",
        "Russia's aggression against Ukraine continues.",
        "Carbon emissions rose last year.",
        "Trains faced a delay of 20 minutes.",
        "She is always punctual.",
    ],
)
def test_correct_english_is_not_flagged(text: str) -> None:
    assert ff(text) == []


# -- source language -----------------------------------------------------------


def test_source_lang_narrows_the_catalog() -> None:
    text = "He became a letter from the tax office."  # bekommen: a German false friend
    assert ff(text) == ["became a letter"]
    assert ff(text, source_lang="de") == ["became a letter"]
    assert ff(text, source_lang="fr") == []
    french = "The union adjusted the dispute."
    assert ff(french, source_lang="de") == []
    assert ff(french, source_lang="fr") == ["adjusted the dispute"]


def test_serbo_croatian_languages_share_a_catalog() -> None:
    text = "Protesters unfurled a transparent reading 'Justice'."
    assert ff(text, source_lang="hr") == ["unfurled a transparent"]
    assert ff(text, source_lang="sr") == ["unfurled a transparent"]


def test_any_language_rows_apply_with_every_source_lang() -> None:
    text = "Tourism is 14 percent of the gross internal product."
    assert ff(text, source_lang="ar") == ["gross internal product"]


# -- the catalog -----------------------------------------------------------------


def test_catalog_size_and_languages() -> None:
    langs: dict[str, int] = {}
    for path in sorted(CATALOG.glob("[!_]*.tsv")):
        kind, rows, problems = validate_file(path)
        assert kind.name == "false_friends"
        assert not problems, [str(p) for p in problems]
        if path.stem != "any":
            langs[path.stem] = len(rows)
    assert sum(langs.values()) >= 200
    assert len([n for n in langs.values() if n >= 5]) >= 8


def test_classes_file_is_valid() -> None:
    kind, rows, problems = validate_file(CATALOG / "_classes.tsv")
    assert kind.name == "false_friend_classes"
    assert not problems
    assert {"OUTLET", "DISPUTE", "DISASTER"} <= {r["class"] for r in rows}


def test_no_row_names_the_seed_story() -> None:
    for path in CATALOG.glob("*.tsv"):
        text = path.read_text(encoding="utf-8")
        for banned in ("Vui", "Vučić", "NIS refiner", "Novi Sad station"):
            assert banned not in text, f"{path.name} mentions {banned!r}"


def _row(**values: str) -> Row:
    base = {"source": "x", "wrong": "x", "suggestion": "y"}
    base.update(values)
    return Row("test.tsv", 3, base)


def test_validator_reports_bad_rows() -> None:
    assert row_problems(_row(wrong="adjust (a dispute")) != []
    assert "unknown word class {NOPE}" in row_problems(_row(wrong="adjust {NOPE}"))[0]
    assert "no such group" in row_problems(_row(wrong="adjust a dispute", suggestion="$1"))[0]
    assert "type must be" in row_problems(_row(type="idiom"))[0]
    assert "confidence" in row_problems(_row(confidence="high"))[0]
    assert row_problems(_row(wrong="<adjust/v> ({DISPUTE})", suggestion="<settle> $1")) == []


def test_glossary_validate_cli_reports_file_and_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mtaudit.cli import app

    bad = tmp_path / "xx.tsv"
    bad.write_text(
        "source\twrong\tsuggestion\nfoo\tbar (baz\tqux\nok\t<adjust/v> the row\tfine\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["glossary", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: bad pattern" in result.output


def test_user_catalog_extends_the_defaults(tmp_path: Path) -> None:
    extra = tmp_path / "xx.tsv"
    extra.write_text(
        "source\twrong\tsuggestion\tmeaning\nfalso\t<pretend/v> that\t<claim> that\tclaim\n",
        encoding="utf-8",
    )
    found = audit("He pretends that he won.", "MT70", glossaries=(str(extra),))
    assert [f.suggestion for f in found] == ["claims that"]


# -- pattern machinery -----------------------------------------------------------


def test_inflection_follows_the_matched_form() -> None:
    assert inflect("settle", None, "VBZ") == "settles"
    assert inflect("admit|admits|admitted|admitting|admitted", "v", "VBD") == "admitted"
    assert inflect("scheme", "n", "NNS") == "schemes"
    assert ff("Their complex diagrams of shell companies hid the fraud.") == [
        "Their complex diagrams"
    ]
    found = audit("Police say the complex diagrams of shell companies hid the fraud.", "MT70")
    assert found[0].suggestion == "the complex schemes"


def test_classes_and_tokens_compile() -> None:
    classes = {"D": WordClass(("dispute", "row")), "N": WordClass(("Le Monde",), case=True)}
    rx, token = compile_pattern("<adjust/v> the {D}", classes)
    assert token == ("adjust", "v")
    assert rx.search("they adjusted  the\nrow")
    rx, _ = compile_pattern("told {N}", classes)
    assert rx.search("told Le Monde") and not rx.search("told le monde")
    with pytest.raises(PatternError):
        compile_pattern("{SELF}", {"SELF": WordClass(("{SELF}",))})


def test_split_alternatives_respects_groups() -> None:
    assert split_alternatives("a|b(?:c|d)|[|]x") == ["a", "b(?:c|d)", "[|]x"]


# -- the labelled set ------------------------------------------------------------


def _labelled() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def test_labelled_set_shape() -> None:
    rows = _labelled()
    assert len(rows) >= 40
    assert len({r["lang"] for r in rows}) >= 6
    assert {r["split"] for r in rows} == {"tune", "heldout"}
    assert any(r["label"] for r in rows) and any(not r["label"] for r in rows)


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_labelled_precision_and_recall(split: str) -> None:
    tp = fp = fn = 0
    for r in _labelled():
        if r["split"] != split:
            continue
        text = str(r["text"])
        found = audit(text, "MT70", source_lang=str(r["lang"]))
        span = r["span"]
        if span:
            s = text.index(str(span))
            e = s + len(str(span))
            hits = [f for f in found if f.start < e and s < f.end]
            tp += bool(hits)
            fn += not hits
            fp += len(found) - len(hits)
        else:
            fp += len(found)
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.85
