"""Idiom calques (MT201 patterns, MT202 embeddings): catalog, pattern language, traps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtaudit.checks.idioms import build_catalog, norm_lang
from mtaudit.document import Document
from mtaudit.glossary import Glossaries, validate_file
from mtaudit.idiom_patterns import PatternError, compile_pattern, split_cell
from tests.conftest import SEED_GOLD
from tests.helpers import audit, engine_for, spans

ROOT = Path(__file__).resolve().parents[2]
CATALOG = sorted((ROOT / "glossaries" / "idioms").glob("*.tsv"))
LABELLED = ROOT / "tests" / "fixtures" / "idioms" / "labelled.jsonl"


# -- the catalog ----------------------------------------------------------------


def test_catalog_is_large_valid_and_multilingual() -> None:
    total = 0
    for path in CATALOG:
        _, rows, problems = validate_file(path)
        assert not problems, [str(p) for p in problems]
        total += len(rows)
    assert total >= 400
    assert len(CATALOG) >= 10


def test_no_literal_matches_its_own_english_idiom() -> None:
    """A pattern that matches the idiomatic suggestion would flag correct English."""
    cat = build_catalog(Glossaries().rows("idioms"))
    offenders = []
    for entry in cat.entries:
        for sugg in entry.suggestions:
            text = sugg.replace("{obj}", "them").replace("{poss}", "their").replace("{refl}", "")
            for pattern in entry.patterns:
                if pattern.regex.search(text):
                    offenders.append((entry.row.where, pattern.source, sugg))
    assert not offenders


COMMON_ENGLISH = [
    "stabbed in the back",
    "sitting on the fence",
    "on the back foot",
    "musical chairs",
    "kill two birds with one stone",
    "add fuel to the fire",
    "a storm in a teacup",
    "let the cat out of the bag",
    "break the ice",
    "the ball is in your court",
    "turn a blind eye",
    "the last straw",
    "beat around the bush",
    "bite the bullet",
    "a bolt from the blue",
    "put the cart before the horse",
    "throw in the towel",
    "pull someone's leg",
    "a piece of cake",
    "cost an arm and a leg",
    "a skeleton in the closet",
    "neither fish nor fowl",
    "like a fish out of water",
    "burn one's bridges",
    "take the bull by the horns",
    "fall between two stools",
    "sweep it under the carpet",
    "the straw that broke the camel's back",
    "a double-edged sword",
    "play with fire",
    "once in a blue moon",
]


@pytest.mark.parametrize("text", COMMON_ENGLISH)
def test_common_english_idioms_are_not_calques(text: str) -> None:
    assert spans(f"The minister said it was {text}.", "MT201") == []


def test_macrolanguages_share_a_catalog() -> None:
    assert norm_lang("hr") == norm_lang("sr") == norm_lang("bs") == "sh"
    assert norm_lang("pt-BR") == "pt"
    assert norm_lang(None) is None


# -- the pattern language -------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "matched"),
    [
        (
            "shoot {obj} in|on the back",
            "accused of shooting Russia on the back",
            "shooting Russia on the back",
        ),
        (
            "shoot {obj} in|on the back",
            "to shoot the government in the back",
            "shoot the government in the back",
        ),
        (
            "shoot {obj} in|on the back",
            "they shot Russia squarely in the back",
            "shot Russia squarely in the back",
        ),
        ("sit on several|two chairs", "she sat on two chairs", "sat on two chairs"),
        ("(the) deal is in the hat", "the deal is in the hat", "the deal is in the hat"),
        ("(the) deal is in the hat", "deal is in the hat", "deal is in the hat"),
        (
            "take {poss} legs to {poss} neck",
            "he took his legs to his neck",
            "took his legs to his neck",
        ),
        (
            "drill a hole in {poss} belly",
            "drilling a hole in the minister's belly",
            "drilling a hole in the minister's belly",
        ),
        ("=shot in_the_dark", "a shot in the dark", "shot in the dark"),
        (
            "talks ... at eye level",
            "talks with Paris at eye level",
            "talks with Paris at eye level",
        ),
        (
            "two weights (and) two measures",
            "two weights, two measures",
            "two weights, two measures",
        ),
    ],
)
def test_pattern_matches(pattern: str, text: str, matched: str) -> None:
    m = compile_pattern(pattern, check=True).regex.search(text)
    assert m is not None and m.group() == matched


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("shoot {obj} in|on the back", "was shot in the back"),  # the slot needs a word
        ("=shot in_the_dark", "shooting in the dark"),  # exact form only
        ("sit on several chairs", "sitting on the fence"),
        ("sit on several chairs", "sitting onseveral chairs"),
    ],
)
def test_pattern_does_not_match(pattern: str, text: str) -> None:
    assert compile_pattern(pattern).regex.search(text) is None


@pytest.mark.parametrize("bad", ["", "(the", "a||b", "{obj} ...", "... x", "(the) (a)", "x {o-bj}"])
def test_bad_patterns_are_rejected(bad: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(bad, check=True)


def test_cells_split_on_spaced_bar_only() -> None:
    assert split_cell("shoot {obj} in|on the back | fire at {obj} from behind") == [
        "shoot {obj} in|on the back",
        "fire at {obj} from behind",
    ]


def test_glossary_validate_reports_bad_patterns_with_line(tmp_path: Path) -> None:
    path = tmp_path / "xx.tsv"
    path.write_text(
        "source\tliteral\tsuggestion\n"
        "ok\tsit on two chairs\tsit on the fence\n"
        "bad\tsit on (two chairs\tsit on the fence\n"
        "slot\tsit on two chairs\tpush {obj} around\n",
        encoding="utf-8",
    )
    _, _, problems = validate_file(path)
    where = sorted(f"{p.line}: {p.message}" for p in problems)
    assert len(where) == 2
    assert where[0].startswith("3: literal 'sit on (two chairs'")
    assert where[1].startswith("4: suggestion 'push {obj} around'")


# -- MT201 on text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        (
            "Serbia was accused of shooting Russia on the back.",
            "shooting Russia on the back",
            "stabbing Russia in the back",
        ),
        (
            "He shot the government in the back last week.",
            "shot the government in the back",
            "stabbed the government in the back",
        ),
        (
            "Shooting allies in the back is no policy.",
            "Shooting allies in the back",
            "Stabbing allies in the back",
        ),
        (
            "Belgrade keeps sitting on several chairs.",
            "sitting on several chairs",
            "sitting on the fence",
        ),
        (
            "Prices cost the eyes of the head this year.",
            "cost the eyes of the head",
            "cost an arm and a leg",
        ),
        ("The talks fell into the water on Friday.", None, None),
        (
            "Kyiv said Moscow was hanging noodles on the ears of its citizens.",
            "hanging noodles on the ears",
            "pulling the wool over the eyes",
        ),
        (
            "The cabinet made an elephant out of a fly.",
            "made an elephant out of a fly",
            "made a mountain out of a molehill",
        ),
        (
            "The ministry keeps pulling the cat by the tail.",
            "pulling the cat by the tail",
            "dragging their feet",
        ),
        ("Talks are on foot and leg, officials said.", "on foot and leg", "in full swing"),
        (
            "Beijing chose to kill the chicken to scare the monkey.",
            "kill the chicken to scare the monkey",
            None,
        ),
        ("The plan was sewn with white thread.", "sewn with white thread", "transparent"),
        (
            "Warsaw promised pears on the willow.",
            "promised pears on the willow",
            "promised the moon",
        ),
        ("They will talk under four eyes.", "under four eyes", "in private"),
        (
            "The reform shot itself in the knee.",
            "shot itself in the knee",
            "shot itself in the foot",
        ),
    ],
)
def test_calques_are_found_with_suggestions(
    text: str, span: str | None, suggestion: str | None
) -> None:
    found = audit(text, "MT201")
    if span is None:
        return
    assert [f.text for f in found] == [span]
    assert found[0].category == "idiom" and 0 < found[0].confidence <= 1
    if suggestion:
        assert found[0].suggestion == suggestion


TRAPS = [
    "Caesar was stabbed in the back by Brutus.",
    "The team was on the back foot from the start.",
    "The senator is sitting on the fence on tariffs.",
    "The reshuffle was a game of musical chairs.",
    "A protester was shot in the back by police.",
    "Police officers shot the suspect in the back as he fled.",
    "There were three chairs on the stage.",
    "Two children sat on two chairs in the waiting room.",
    'The French say "tirer dans le dos", literally "to shoot someone in the back".',
    'In Russian, "sitting on two chairs" means playing both sides.',
    'As the Dutch put it, "the bullet is through the church".',
    "The chef poured oil on the fire to light the grill.",
    "He put his hand into the fire and was badly burned.",
    "Ankara hit both the horseshoe and the nail, the blacksmith joked.",
    "The deal is in the bag.",
    "It was raining cats and dogs.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_flagged(text: str) -> None:
    assert spans(text, "MT2") == []


def test_source_lang_narrows_the_catalog() -> None:
    text = "Belgrade keeps sitting on two chairs."
    assert spans(text, "MT201", source_lang="de") == []
    assert spans(text, "MT201", source_lang="ru") == ["sitting on two chairs"]
    assert spans(text, "MT201", source_lang="hr") == ["sitting on two chairs"]
    engine = engine_for(("MT201",))
    doc = Document(id="d", text=text, source_lang="de")
    assert next(engine.run([doc])).findings == []


def test_message_names_every_language_with_the_idiom() -> None:
    (finding,) = audit("Belgrade keeps sitting on two chairs.", "MT201")
    assert "ru 'сидеть на двух стульях'" in finding.message
    assert "sh " in finding.message


# -- the seed story ---------------------------------------------------------------


def _gold_idioms() -> list[tuple[int, int]]:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return [(s["start"], s["end"]) for s in gold["spans"] if s["category"] == "idiom"]


def test_seed_story_idioms_fast(seed_text: str) -> None:
    found = audit(seed_text, "MT2")
    assert [(f.start, f.end) for f in found] == _gold_idioms()
    assert all(f.suggestion for f in found)
    assert found[0].suggestion == "stabbing Russia in the back"


@pytest.mark.embeddings
def test_seed_story_idioms_full(seed_text: str) -> None:
    found = audit(seed_text, "MT2", fast=False)
    assert [(f.start, f.end) for f in found] == _gold_idioms()


# -- MT202 ------------------------------------------------------------------------


def test_paraphrase_check_needs_the_model() -> None:
    assert spans("Serbia was accused of firing at Russia from behind.", "MT202") == []


ENGLISH_IDIOMS_IN_CONTEXT = [
    '"We are not sitting on the fence; we are defending our interests," he said.',
    "Some expected the bank to sit on the fence until after the vote.",
]


@pytest.mark.embeddings
@pytest.mark.parametrize("text", TRAPS[:8] + ENGLISH_IDIOMS_IN_CONTEXT)
def test_paraphrase_traps(text: str) -> None:
    assert spans(text, "MT2", fast=False) == []


# -- the labelled set -------------------------------------------------------------


def test_labelled_set_shape() -> None:
    items = [json.loads(x) for x in LABELLED.read_text(encoding="utf-8").splitlines() if x]
    assert len(items) >= 60
    assert {i["split"] for i in items} == {"tune", "heldout"}
    assert len({i["lang"] for i in items if i["lang"]}) >= 10
    for item in items:
        for s in item["spans"]:
            assert item["text"][s["start"] : s["end"]] == s["text"]


def test_patterns_on_tune_split() -> None:
    from tests.fixtures.idioms.evaluate import load, predict, score

    items = load("tune")
    preds, _ = predict(items, fast=True)
    result = score(items, [[(a, b) for a, b, *_ in p] for p in preds])
    assert result.precision >= 0.95 and result.recall >= 0.65, str(result)


@pytest.mark.embeddings
def test_embeddings_add_recall_on_tune_paraphrases() -> None:
    """The tune items written as paraphrases (ids from 106): the patterns miss
    them, MT202 must find some without false alarms on the traps among them."""
    from tests.fixtures.idioms.evaluate import load, predict, score

    items = [i for i in load("tune") if int(i["id"].split("-")[1]) >= 106]
    fast, _ = predict(items, fast=True)
    full, _ = predict(items, fast=False)
    before = score(items, [[(a, b) for a, b, *_ in p] for p in fast])
    after = score(items, [[(a, b) for a, b, *_ in p] for p in full])
    assert after.tp >= before.tp + 4, (str(before), str(after))
    assert after.fp == 0, str(after)
    assert all(0 < c <= 1 for p in full for *_, c in p)
