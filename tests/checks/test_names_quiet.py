"""The quiet-document path of the name checks (MT1xx): ``_quiet`` says a document
yields nothing only when the full analysis finds nothing, and its helpers (chunk
tokens, loose multi-word matches, learnt one-edit pairs, per-index word classes)
give the answers of the code they stand for."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.names_index import (
    Entity,
    build_index,
    chunk_words,
    find_matches,
    loose_multi_keys,
    token_stream,
    token_words,
)
from tests.checks.test_names_fast import TRICKY, _plan_texts, _texts
from tests.helpers import engine_for

QUIET_TEXTS = [
    "MADRID (Reuters) - Officials in Madrid said on Monday.",
    "WARSAW, May 3 (AFP) - Poland's president spoke in Warsaw. Getty Images.",
    "KRAKOW - The mayor of Kraków spoke.",
    "ŁÓDŹ - Officials in Łódź said.",
    "The European Commission met. The european commission met again.",
    "the European  Commission and the European\nCommission and European. Commission",
    "Aleksandar Vučić spoke. Vučić left. VUČIĆ - no.",
    "Volodymyr Zelensky and Zelenskiy spoke.",
    "who said metro reading us m lira",
    "Petrovski and Petrowski met Petrovski again.",
    "Marciniak and Marcinak and Marcinjak.",
    "Visit www.kraków.pl or KRAKOW.com; Krakow said.",
    "NOVI SAD, Serbia - Students in Novi Sad marched.",
    "Pedro Sánchez and Pedro Snchez; SÁNCHEZ.",
]


def _analyze(text: str, *, quiet: bool = True, **options: object) -> list[object]:
    from mtaudit.checks import names as N

    ctx = engine_for(("MT1",), **options).context
    doc = Document(id="t", text=text)
    if quiet:
        return list(N.analyze(doc, ctx))
    saved = N._quiet
    N._quiet = lambda *args: False  # type: ignore[assignment]
    try:
        return list(N.analyze(doc, ctx))
    finally:
        N._quiet = saved


def _quiet_texts() -> list[str]:
    out = QUIET_TEXTS + _plan_texts()
    rng = random.Random(11)
    word = re.compile(r"[^\W\d_]+")
    for text in list(QUIET_TEXTS):
        for _ in range(4):

            def garble(m: re.Match[str]) -> str:
                w, r = m.group(), rng.random()
                if r < 0.15:
                    return w.upper()
                if r < 0.3:
                    return "".join(c for c in w if c.isascii())
                if r < 0.4:
                    return w.lower()
                return w

            out.append(word.sub(garble, text))
    return out


def assert_quiet_agrees(text: str) -> None:
    """``_quiet`` says yes only when the full analysis finds nothing (mojibake
    aside, which is looked for separately), and the quiet path gives the full
    analysis's answer."""
    from mtaudit.checks import names as N

    index = N._index(engine_for(("MT1",)).context)
    full = _analyze(text, quiet=False)
    if N._quiet(text, index):
        assert [h for h in full if h.code != "MT104"] == []
    assert _analyze(text) == full


@pytest.mark.parametrize("text", _quiet_texts())
def test_quiet_only_when_the_analysis_finds_nothing(text: str) -> None:
    assert_quiet_agrees(text)


def test_quiet_takes_the_common_cases() -> None:
    from mtaudit.checks import names as N

    index = N._index(engine_for(("MT1",)).context)
    for text in (
        "MADRID (Reuters) - Officials in Madrid said on Monday.",
        "The European Commission met in Brussels; who said so?",
        "Aleksandar Vučić spoke. Vučić left.",
    ):
        assert N._quiet(text, index), text
    for text in (
        "Aleksandar Vucic spoke.",  # diacritics stripped
        "Students in NOVI SAD marched.",  # capitals in running text
        "Volodymyr Zelensky and Zelenskiy spoke.",  # two spellings of one person
    ):
        assert not N._quiet(text, index), text


def test_quiet_with_options() -> None:
    ascii_names = {"MT102": {"ascii-names": True}}
    for text in ("Aleksandar Vucic spoke. Vučić left.", "Kraków and Krakow.", *QUIET_TEXTS):
        assert _analyze(text, checks=ascii_names) == _analyze(text, quiet=False, checks=ascii_names)


def house_engines(tmp_path: Path) -> tuple[Engine, Engine]:
    """MT1 engines without and with a house glossary that adds one two-word
    person name (Dragan Šutanovac)."""
    extra = tmp_path / "house.csv"
    extra.write_text(
        "canonical,type,variants,note\nDragan Šutanovac,person,,Serbian politician\n",
        encoding="utf-8",
    )
    plain = Engine(Config(select=("MT1",), fast=True))
    house = Engine(Config(select=("MT1",), fast=True, glossaries=(str(extra),)))
    return plain, house


def test_quiet_follows_the_glossary(tmp_path: Path) -> None:
    text = "Serbian politician Dragan Sutanovac spoke on Monday."
    plain, house = house_engines(tmp_path)
    for _ in range(2):  # the second round answers from the per-index word classes
        assert next(plain.run([Document("d", text)])).findings == []
        found = [f.suggestion for f in next(house.run([Document("d", text)])).findings]
        assert found == ["Šutanovac"]


def test_word_classes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtaudit.checks import names as N

    texts = _quiet_texts()[:30]
    before = [_analyze(t) for t in texts]
    monkeypatch.setattr(N, "_CLASSES_LIMIT", 20)
    monkeypatch.setattr(N, "_VARIANTS_LIMIT", 50)
    index = N._index(engine_for(("MT1",)).context)
    index.memo.pop("names:word-classes", None)
    after = [_analyze(t) for t in texts]
    assert after == before
    classes = N._word_classes(index)
    assert len(classes.seen) <= 20 + max(len(set(token_words(t))) for t in texts)
    index.memo.pop("names:word-classes", None)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("text", _texts())
def test_chunk_words_are_the_stream_words(text: str) -> None:
    assert chunk_words(text.split()) == token_stream(text).words
    assert token_words(text) == token_stream(text).words


def test_loose_multi_keys_cover_the_real_matches() -> None:
    index = build_index(
        [
            Entity("Novi Sad", "place"),
            Entity("Novi", "place"),
            Entity("Sad Novi Sad", "place"),
            Entity("Niš", "place"),
            Entity("Aleksandar Vučić", "person", ("Vucic",)),
            Entity("St. Louis", "place"),
        ]
    )
    texts = [*_texts(), "Novi Sad Novi Sad Novi, Sad Novi Sad Niš St. Louis st louis Vučić"]
    rng = random.Random(5)
    alphabet = [
        "Novi",
        "Sad",
        "novi",
        "SAD",
        " ",
        "  ",
        ", ",
        ". ",
        "\n",
        "\n\n",
        "-",
        "St",
        "Louis",
    ]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(500)]
    for text in texts:
        loose = loose_multi_keys(index, text.split())
        ts = token_stream(text)
        raw: dict[str, int] = {}
        for _end, key in index.automaton.iter(ts.stream):
            if " " in key:
                raw[key] = raw.get(key, 0) + 1
        for key, n in raw.items():
            assert loose.get(key, 0) >= n, (text, key)
        for m in find_matches(index, ts):
            if m.last > m.first:
                assert m.key in loose


def test_learnt_one_edit_pairs_match_the_pair_search() -> None:
    from mtaudit.checks import names as N

    rng = random.Random(8)
    stems = ["petrovski", "marciniak", "kovacevic", "zelensky", "sutanovac"]
    words = set()
    for stem in stems:
        for _ in range(12):
            w = list(stem)
            op, i = rng.random(), rng.randrange(len(w))
            if op < 0.3:
                w[i] = rng.choice("aeiouwyz")
            elif op < 0.6:
                del w[i]
            elif op < 0.9:
                w.insert(i, rng.choice("aeiouwyz"))
            words.add("".join(w).capitalize())
    N._learn_new(words)
    fuzzy = sorted(N._FUZZY.intersection(words))
    for _ in range(300):
        sample = set(rng.sample(fuzzy, rng.randint(1, min(6, len(fuzzy)))))
        keys = {N.piece(w) for w in sample}
        learnt = any(not N._PARTNERS[k].isdisjoint(keys) for k in keys)
        assert learnt == N._one_edit_pair(keys, keys), keys


def test_tricky_texts_agree() -> None:
    for text in TRICKY:
        assert _analyze(text) == _analyze(text, quiet=False)


def test_covered_by_accepted_counts_only_loose_matches() -> None:
    from mtaudit.checks import names as N

    index = build_index(
        [
            Entity("Bosnia - Herzegovina", "place"),
            Entity("Novi Sad", "place", ("Novi Sad.",)),
        ]
    )
    # an accepted surface with a chunk without a token is no loose match
    text = "Bosnia - Herzegovina and Bosnia Herzegovina."
    loose = loose_multi_keys(index, text.split())
    assert loose == {"bosnia herzegovina": 1}
    assert not N._covered_by_accepted(text, index, "bosnia herzegovina", 1)
    # two accepted surfaces at one place count once
    text = "Novi Sad. Novi-Sad"
    loose = loose_multi_keys(index, text.split())
    assert loose["novi sad"] == 2
    assert not N._covered_by_accepted(text, index, "novi sad", 2)
    assert N._covered_by_accepted("Novi Sad. Novi Sad", index, "novi sad", 2)
    # token boundaries: inside a longer word or after a combining mark is no place
    assert not N._covered_by_accepted("xNovi Sad", index, "novi sad", 1)
    assert not N._covered_by_accepted("e\u0301Novi Sad", index, "novi sad", 1)
    assert not N._covered_by_accepted("Novi Sadx", index, "novi sad", 1)
