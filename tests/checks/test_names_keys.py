"""The fourth speed round of the name checks (MT1xx): multi-word glossary keys
found from the distinct words (candidates by anchor word, ``str.find``) instead
of an automaton walk, single-word keys from the folded tokens, the quiet path's
word-count bound on loose matches, and datelines found from line starts. Each is
compared with the code it stands for."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mtaudit.document import Document
from mtaudit.names_index import (
    TOKEN,
    Entity,
    NameIndex,
    build_index,
    find_matches,
    fold_token,
    loose_multi_keys,
    token_stream,
)
from tests.checks.test_names_fast import _plan_texts, _reference_matches, _texts
from tests.checks.test_names_quiet import QUIET_TEXTS, assert_quiet_agrees, house_engines
from tests.helpers import engine_for

ENTITIES = [
    Entity("Novi Sad", "place"),
    Entity("Novi", "place"),
    Entity("Sad Novi Sad", "place"),
    Entity("Niš", "place"),
    Entity("Aleksandar Vučić", "person", ("Vucic",)),
    Entity("St. Louis", "place"),
    Entity("Albin Kurti", "person"),
    Entity("European Investment Bank", "organization"),
]


def _small_index() -> NameIndex:
    return build_index(ENTITIES)


def _real_index() -> NameIndex:
    from mtaudit.checks import names as N

    return N._index(engine_for(("MT1",)).context)


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "Novi", "Sad", "novi", "SAD", "Niš", "Nis", "Albin", "Kurti", "KURTI",
        "European", "Investment", "Bank", "bank", "St", "Louis", "Vučić", "Vui",
        " ", "  ", ", ", ". ", "\n", "\n\n", "-", " - ", "'s ", "(", ")",
    ]  # fmt: skip
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 24))) for _ in range(n)]


def _texts4() -> list[str]:
    return [*_texts(), *_random_texts(7, 400), *QUIET_TEXTS]


def _loose_reference(index: NameIndex, text: str) -> dict[str, int]:
    """Multi-word key counts on the loose stream, by the multi-word automaton (the
    code before this round)."""
    chunks = [" ".join(map(fold_token, TOKEN.findall(c))) or "#" for c in text.split()]
    automaton = index.multi_automaton()
    out: dict[str, int] = {}
    if automaton is None:
        return out
    for _end, key in automaton.iter(" " + " ".join(chunks) + " "):
        out[key] = out.get(key, 0) + 1
    return out


@pytest.mark.parametrize("which", ["small", "real"])
def test_find_matches_with_any_multi_key_superset(which: str) -> None:
    index = _small_index() if which == "small" else _real_index()
    multi = [k for k in index.forms if " " in k]
    for text in _texts4():
        want = _reference_matches(index, text)
        ts = token_stream(text)
        got = [(m.first, m.last, m.key) for m in find_matches(index, ts)]
        assert got == want, text
        loose = list(loose_multi_keys(index, text.split()))
        assert [(m.first, m.last, m.key) for m in find_matches(index, ts, loose)] == want
        if which == "small":  # every multi-word key: a superset too
            assert [(m.first, m.last, m.key) for m in find_matches(index, ts, multi)] == want


@pytest.mark.parametrize("which", ["small", "real"])
def test_loose_multi_keys_count_like_the_automaton(which: str) -> None:
    index = _small_index() if which == "small" else _real_index()
    for text in _texts4():
        assert loose_multi_keys(index, text.split()) == _loose_reference(index, text), text


def test_multi_candidates_are_the_keys_whose_words_all_occur() -> None:
    for index in (_small_index(), _real_index()):
        multi = [k for k in index.forms if " " in k]
        rng = random.Random(2)
        words_pool = sorted({w for k in multi for w in k.split()})
        for _ in range(200):
            words = set(rng.sample(words_pool, min(len(words_pool), rng.randint(0, 40))))
            if multi and rng.random() < 0.5:
                words.update(rng.choice(multi).split())
            want = sorted(k for k in multi if set(k.split()) <= words)
            assert sorted(index.multi_candidates(words)) == want
        words = {"nis", "novi", "sad", "#", "belgrade", "kurti"}
        want_single = {w for w in words if w in index.forms}
        assert index.single_keys(words) == want_single


def test_key_sets_follow_the_index() -> None:
    a = build_index([Entity("Novi Sad", "place")])
    b = build_index([Entity("Albin Kurti", "person")])
    words = {"novi", "sad", "albin", "kurti"}
    assert a.multi_candidates(words) == ["novi sad"]
    assert b.multi_candidates(words) == ["albin kurti"]
    assert build_index([]).multi_candidates(words) == []
    assert find_matches(build_index([]), token_stream("Novi Sad")) == []


DATELINE_TEXTS = [
    "",
    "BELGRADE (Reuters) - Officials said.",
    "  NOVI SAD, Serbia — Students marched.\nPARIS, May 3 (AFP) - More.",
    "Text first.\nWARSAW - second line\n\n  \tKRAKÓW: third\r\nLONDON - after CR",
    "said NATO: no dateline mid-line\nBERLIN -",
    "\nBRUSSELS (AP) -\n\nROME -\nx ROME -",
    "A.B. - x\n'T - y\nÉ.-\nZ -",
]


@pytest.mark.parametrize("text", DATELINE_TEXTS + _plan_texts() + _texts()[:200])
def test_datelines_match_the_multiline_pattern(text: str) -> None:
    from mtaudit.checks import names as N

    want = [m.span(1) for m in N._DATELINE.finditer(text)]
    assert N._datelines(text) == want
    assert N._datelines(text) == want  # the kept answer
    assert N._datelines(text + " ") == [m.span(1) for m in N._DATELINE.finditer(text + " ")]


BOUND_TEXTS = [
    # the word-count bound proves the key covered
    "Prime Minister Albin Kurti spoke. Albin Kurti left.",
    # a word of the key also alone: the bound fails, the loose count decides
    "Albin Kurti spoke. Kurti left. Albin said more.",
    "Albin and Kurti met; Albin Kurti spoke.",
    # a match that is not an accepted spelling
    "Albin Kurti spoke. ALBIN KURTI left.",
    "Albin Kurti spoke. Albin KURTI left. Kurti said.",
    "Aleksandar Vučić spoke. Aleksandar Vucic left. Vucic said.",
    "The European Investment Bank lent. The bank said. European Investment Bank.",
    "The European Investment Bank lent. European investment bank.",
    "Novi Sad, Novi - Sad, Novi Sad",
]


@pytest.mark.parametrize("text", BOUND_TEXTS)
def test_quiet_bound_agrees_with_the_full_analysis(text: str) -> None:
    assert_quiet_agrees(text)


def test_quiet_takes_covered_multi_word_names() -> None:
    from mtaudit.checks import names as N

    index = N._index(engine_for(("MT1",)).context)
    assert N._quiet("Prime Minister Albin Kurti spoke. Albin Kurti left.", index)


def test_custom_glossary_multi_word_names(tmp_path: Path) -> None:
    text = "Dragan Sutanovac spoke. Dragan Šutanovac left."
    plain, house = house_engines(tmp_path)
    for _ in range(2):  # the second round answers from the per-index caches
        found = [(f.code, f.suggestion) for f in next(plain.run([Document("d", text)])).findings]
        assert found == [("MT105", "Dragan Šutanovac")]  # document evidence only
        found = [(f.code, f.suggestion) for f in next(house.run([Document("d", text)])).findings]
        assert found == [("MT102", "Šutanovac")]  # the house glossary's two-word name


def test_word_classes_multi_word_facts() -> None:
    from mtaudit.checks import names as N
    from mtaudit.names_index import piece

    index = build_index(ENTITIES)
    classes = N._word_classes(index)
    words = {"Novi", "NOVI", "Sad", "sad", "Kurti", "Albin", "Bank", "bank", "Niš", "Nis", "the"}
    classes.learn(words)
    multi_words = index.multi_words()
    assert multi_words == {w for k in index.forms if " " in k for w in k.split()}
    assert classes.multi_word == {w for w in words if piece(w) in multi_words}
    assert "Niš" not in classes.multi_word and "bank" in classes.multi_word
