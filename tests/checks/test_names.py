"""MT101-MT105: garbled names found with the right suggestion; correct names,
acronyms, common words, headlines, datelines and URLs left alone."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.glossary import validate_file
from mtaudit.names_index import Entity, build_index, find_matches, fold, token_stream
from tests.conftest import SEED_GOLD
from tests.helpers import audit

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "names" / "cases.txt"
_MARK = re.compile(r"\{\{(.+?)\|(MT\d+)\|(.+?)\}\}")


def load_cases(path: Path = CASES) -> list[tuple[str, str, list[tuple[int, int, str, str]]]]:
    """(id, text, gold spans (start, end, code, suggestion)) from the marked-up file."""
    cases: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("=== "):
            cases.append((line.split()[1], []))
        elif cases:
            cases[-1][1].append(line)
        # lines before the first case are the file's comments
    out = []
    for cid, lines in cases:
        raw = "".join(lines).rstrip("\n")
        text, gold, pos = "", [], 0
        for m in _MARK.finditer(raw):
            text += raw[pos : m.start()]
            start = len(text)
            text += m.group(1)
            gold.append((start, len(text), m.group(2), m.group(3)))
            pos = m.end()
        out.append((cid, text + raw[pos:], gold))
    return out


CASE_LIST = load_cases()


def names(text: str, **options: object) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.text, f.suggestion) for f in audit(text, "MT1", **options)]


# --------------------------------------------------------------------------- corpus


def test_corpus_is_big_enough() -> None:
    assert len(CASE_LIST) >= 25
    assert sum(1 for _, _, gold in CASE_LIST if not gold) >= 8  # clean trap texts


@pytest.mark.parametrize(("cid", "text", "gold"), CASE_LIST, ids=[c[0] for c in CASE_LIST])
def test_labelled_case(cid: str, text: str, gold: list[tuple[int, int, str, str]]) -> None:
    found = audit(text, "MT1")
    got = [(f.start, f.end, f.code, f.suggestion) for f in found]
    want = [(s, e, c, sug) for s, e, c, sug in gold]
    # a possessive 's belongs to the finding's span
    got = [(s, e - 2 if text[e - 2 : e] in ("'s", "’s") else e, c, sug) for s, e, c, sug in got]
    want = [(s, e - 2 if text[e - 2 : e] in ("'s", "’s") else e, c, sug) for s, e, c, sug in want]
    assert got == want


def test_corpus_precision_recall_per_check() -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for _, text, gold in CASE_LIST:
        found = audit(text, "MT1")
        for f in found:
            if any(s < f.end and f.start < e and c == f.code for s, e, c, _ in gold):
                tp[f.code] += 1
            else:
                fp[f.code] += 1
        for s, e, c, _ in gold:
            if not any(f.start < e and s < f.end and f.code == c for f in found):
                fn[c] += 1
    for code in ("MT101", "MT102", "MT103", "MT104", "MT105"):
        assert tp[code] > 0, code
        assert tp[code] / (tp[code] + fp[code]) >= 0.9, code
        assert tp[code] / (tp[code] + fn[code]) >= 0.9, code


# --------------------------------------------------------------------------- seed


def test_seed_story_names(seed_text: str) -> None:
    gold = [s for s in json.loads(SEED_GOLD.read_text())["spans"] if s["category"] == "name"]
    found = audit(seed_text, "MT1")
    assert len(gold) == 9
    for g in gold:
        hits = [f for f in found if f.start < g["end"] and g["start"] < f.end]
        assert len(hits) == 1, g
        assert hits[0].suggestion in {"Vučić", "Vučić's", "Novi Sad"}, hits[0]
    assert len(found) == len(gold), [f.text for f in found]


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talks with Recep Tayyip Erdoan ended.", ("MT101", "Erdoan", "Erdoğan")),
        ("Viktor Orbn spoke. ORBN'S allies cheered.", ("MT101", "Orbn", "Orbán")),
        ("Turkish President Recep Tayyip Erdogan spoke.", ("MT102", "Erdogan", "Erdoğan")),
        ("Students gathered in Krakow on Monday.", ("MT102", "Krakow", "Kraków")),
        ("He met Andrzej Duda in WARSAW after the vote.", ("MT103", "WARSAW", "Warsaw")),
        ("Former chancellor Gerhard SchrÃ¶der spoke.", ("MT104", "SchrÃ¶der", "Schröder")),
    ],
)
def test_finds_garbled_name(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in names(text)


def test_possessive_keeps_its_apostrophe() -> None:
    text = "Aleksandar Vučić arrived. Vucic’s allies and VUCIC's critics argued."
    found = names(text)
    assert ("MT102", "Vucic’s", "Vučić’s") in found
    assert ("MT102", "VUCIC's", "Vučić's") in found


def test_headline_capitals_keep_their_case_in_the_suggestion() -> None:
    text = "ERDOGAN WINS RUNOFF IN TURKEY\nRecep Tayyip Erdoğan won the vote."
    assert names(text) == [("MT102", "ERDOGAN", "ERDOĞAN")]


def test_ascii_names_house_style() -> None:
    text = "Turkish President Recep Tayyip Erdogan spoke in Ankara."
    assert names(text, checks={"MT102": {"ascii-names": True}}) == []
    # letters lost is still an error under an ASCII house style
    text = "Turkish President Recep Tayyip Erdoan spoke in Ankara."
    assert names(text, checks={"MT102": {"ascii-names": True}})[0][0] == "MT101"


def test_inconsistent_spelling_outside_any_glossary() -> None:
    text = "Goran Kovačević, a local official, spoke. Kovacevic later said no."
    assert names(text) == [("MT105", "Kovacevic", "Kovačević")]


def test_case_mangled_against_the_document() -> None:
    text = "Dragoljub Miletić met reporters. Later MILETIĆ said nothing."
    assert names(text) == [("MT103", "MILETIĆ", "Miletić")]


# --------------------------------------------------------------------------- traps


@pytest.mark.parametrize(
    "text",
    [
        "Aleksandar Vučić met Recep Tayyip Erdoğan in Łódź and São Paulo.",
        "Kraków, Zürich, Zurich, Montreal, Düsseldorf and Novi Sad were named.",
        "NATO, the EU, the UN, the IMF, the SVR and NIS commented.",
        "Nice weather drew crowds. Reading is popular, Bath salts sold, and Split peas too.",
        "Mobile phones were banned and male voters were split in Male and Nice.",
        "BELGRADE (Reuters) - Serbia said on Monday it would not join sanctions.",
        "NOVI SAD, Serbia (Reuters) - Students marched again.",
        "PARIS, May 3 (AFP) - Emmanuel Macron spoke.",
        "TURKEY'S ERDOGAN CALLS SNAP ELECTION IN ISTANBUL SPEECH",
        "See https://www.vucic.rs/krakow or mail erdogan@tccb.gov.tr for details.",
        "Pedro Sánchez and Pedro Sanchez-Rivera are different people, said Sanchez-Rivera.",
        "Vietnam's To Lam met Pham Minh Chinh in Hanoi and Da Nang.",
        "Lula met Luiz Inácio Lula da Silva's aides in Brasília.",
        "The Serbian president spoke. Serbian officials and Serbia's army agreed.",
        "Palestinians pledged new measures. Jaafar ASHTIYEH / AFP",
        "South Korea's Kospi Index (KOSPI) fell 0.5%, and the Kospi later recovered.",
        "The Venetian Macao and Galaxy Macau reopened.",
        "Leon Panetta spoke. Colon cancer rates rose. Ana Sanchez and Jose Martinez agreed.",
    ],
)
def test_trap_not_flagged(text: str) -> None:
    assert names(text) == []


def test_letters_lost_needs_support_for_a_short_form() -> None:
    # a three-letter remnant with no other mention of the entity could be anything
    assert names("The Vui family runs a shop in Hanoi.") == []


# --------------------------------------------------------------------------- index


def test_automaton_matches_on_word_boundaries_only() -> None:
    index = build_index([Entity("Novi Sad", "place"), Entity("Niš", "place")])
    ts = token_stream("Novi Sadness in Nisava; NIS; novi sad; Niš.")
    keys = [m.key for m in find_matches(index, ts)]
    assert keys == ["nis", "novi sad", "nis"]  # "Nisava" and "Sadness" are not names


def test_fold() -> None:
    assert fold("Vučić") == "vucic"
    assert fold("ŁÓDŹ") == "lodz"
    assert fold("İzmir") == "izmir"


# --------------------------------------------------------------------------- glossary


def test_default_glossary_is_valid_and_large() -> None:
    from mtaudit.glossary import default_dir

    path = default_dir() / "entities" / "default.csv"
    kind, rows, problems = validate_file(path)
    assert kind.name == "entities"
    assert problems == []
    assert len(rows) >= 5000
    countries = {r["canonical"] for r in rows if r["note"] == "country or territory"}
    assert len(countries) >= 80
    by_name = {r["canonical"]: r for r in rows}
    for name in ("Aleksandar Vučić", "Recep Tayyip Erdoğan", "Novi Sad", "Łódź", "São Paulo"):
        assert name in by_name
    for name in ("Kraków", "Zürich", "Viktor Orbán", "Andrzej Duda", "Tehran", "Tokyo"):
        assert name in by_name
    # geonames' scholarly macrons never become the canonical form
    # (Latvian writes macrons itself: Jūrmala)
    assert not any(
        ch in r["canonical"]
        for r in rows
        for ch in "āīūēōṭḥṣẓ"
        if r["type"] == "place" and "Latvia" not in r["note"]
    )


def test_user_glossary_extends_the_default(tmp_path: Path) -> None:
    extra = tmp_path / "house.csv"
    extra.write_text(
        "canonical,type,variants,note\nDragan Šutanovac,person,,Serbian politician\n",
        encoding="utf-8",
    )
    engine = Engine(Config(select=("MT1",), fast=True, glossaries=(str(extra),)))
    doc = Document("d", "Serbian politician Dragan Sutanovac spoke in Belgrade.")
    report = next(engine.run([doc]))
    assert [(f.code, f.suggestion) for f in report.findings] == [("MT102", "Šutanovac")]


def test_validate_reports_conflicts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "canonical,type,variants,note\n"
        "Niš,place,,city\n"
        "Niš,place,,again\n"
        "Nis Petrol,organization,NIS,company\n"
        "Naftna Industrija Srbije,organization,NIS,company\n"
        "Someone,persn,,bad type\n",
        encoding="utf-8",
    )
    _, _, problems = validate_file(bad)
    messages = [(p.line, p.message) for p in problems]
    assert any(line == 3 and "duplicate" in msg for line, msg in messages)
    assert any(line == 5 and "NIS" in msg for line, msg in messages)
    assert any(line == 6 and "type" in msg for line, msg in messages)
