"""The fast paths of the name checks (MT1xx) give the answers of the plain code:
the C-level token stream, the match selection, the URL-zone prefilter, the
per-document plan that skips document checks, and the per-index and per-word
caches."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.names_index import (
    _JOIN,
    TOKEN,
    Entity,
    Match,
    NameIndex,
    build_index,
    find_matches,
    fold,
    token_stream,
)
from tests.checks.test_names import CASE_LIST
from tests.helpers import engine_for

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.txt"))

TRICKY = [
    "",
    "   ",
    "abc",
    "1 2 3 4",
    "Vučić-Novi  Sad\n\nNiš St. Name’s ŁÓDŹ ǅemal ß ﬁ e\u0301clair \u00a0 a\n b",
    "a\u0300b \u0300 x\u2010y İzmir ıi Kelvin\u212a",
    "Novi Sadness in Nisava; NIS; novi sad; Niš.\tNovi\u00a0Sad, NOVI-SAD",
    "REUTERS/Jaafar ASHTIYEH / AFP (KOSPI) Kospi 9am_x 3rd",
    "Nguyễn Văn Hùng and Nguyen Van Hung; Kovačević, Kovacevic, KOVAČEVIĆ.",
]


def _texts() -> list[str]:
    out = list(TRICKY)
    out += [text for _, text, _ in CASE_LIST]
    out += [p.read_text(encoding="utf-8") for p in SAMPLES]
    rng = random.Random(3)
    alphabet = "aAbBčČšŠ éÉ-–'’. \n\t,;:()/@1\u0301\u00a0ıİ"
    out += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    return out


# --------------------------------------------------------------------------- token stream


def _reference_stream(text: str) -> tuple[list[tuple[int, int]], list[str], str, dict[int, int]]:
    """The token stream built token by token (the code before the fast path)."""
    tokens: list[tuple[int, int]] = []
    folded: list[str] = []
    parts: list[str] = [" "]
    starts: dict[int, int] = {}
    pos, prev_end = 1, -1
    for m in TOKEN.finditer(text):
        start, end = m.span()
        f = fold(m.group()) or "#"
        if (
            prev_end >= 0
            and (start - prev_end != 1 or text[prev_end] != " ")
            and not _JOIN.fullmatch(text, prev_end, start)
        ):
            parts.append("# ")
            pos += 2
        starts[pos] = len(tokens)
        tokens.append((start, end))
        folded.append(f)
        parts.append(f)
        parts.append(" ")
        pos += len(f) + 1
        prev_end = end
    return tokens, folded, "".join(parts), starts


@pytest.mark.parametrize("text", _texts())
def test_token_stream_matches_the_token_by_token_build(text: str) -> None:
    ts = token_stream(text)
    tokens, folded, stream, starts = _reference_stream(text)
    assert ts.tokens == tokens
    assert ts.folded == folded
    assert ts.stream == stream
    assert ts.stream_starts == starts
    assert ts.words == [text[s:e] for s, e in tokens]
    for offset in range(len(stream) + 1):
        assert ts.token_at(offset) == starts.get(offset)


def test_piece_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtaudit import names_index

    monkeypatch.setattr(names_index, "PIECES_LIMIT", 50)
    names_index._PIECES.clear()
    for text in _texts()[:80]:
        ts = token_stream(text)
        assert ts.stream == _reference_stream(text)[2]
        assert len(names_index._PIECES) <= 50


def _reference_matches(index: NameIndex, text: str) -> list[tuple[int, int, str]]:
    _tokens, _, stream, starts = _reference_stream(text)
    found = []
    for end, key in index.automaton.iter(stream):
        first = starts.get(end - len(key))
        if first is not None:
            found.append((first, first + key.count(" "), key))
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    taken: set[int] = set()
    out = []
    for m in found:
        span = range(m[0], m[1] + 1)
        if any(i in taken for i in span):
            continue
        taken.update(span)
        out.append(m)
    return sorted(out)


def test_find_matches_matches_the_plain_selection() -> None:
    index = build_index(
        [
            Entity("Novi Sad", "place"),
            Entity("Novi", "place"),
            Entity("Sad Novi Sad", "place"),
            Entity("Niš", "place"),
            Entity("Aleksandar Vučić", "person", ("Vucic",)),
            Entity("Goran Kovačević", "person"),
        ]
    )
    for text in [*_texts(), "Novi Sad Novi Sad Novi, Sad Novi Sad Niš Vui Vučić Vucic Kovaevi"]:
        got = find_matches(index, token_stream(text))
        assert all(isinstance(m, Match) for m in got)
        assert [tuple(m) for m in got] == _reference_matches(index, text)


# --------------------------------------------------------------------------- zones


def test_zone_prefilter_lets_every_hint_through() -> None:
    from mtaudit.checks.names import _URL_HINT, _URL_MAYBE, _zones

    rng = random.Random(9)
    alphabet = "wWa.:/@ bz\u0130\u0131\u017f\u212aK1"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    texts += ["see www.x", "WWW.", "a.b", "a.bc", "x.ıİ", "x.ſ\u212a", "mail me@x", "http://x"]
    for text in texts:
        if _URL_HINT.search(text):
            assert "@" in text or "://" in text or _URL_MAYBE.search(text), text
    assert _zones("Visit www.example.com today.") == [(6, 21)]
    assert _zones("It opened at 9 a.m. on Monday.") == []


# --------------------------------------------------------------------------- document plan


def _parts(text: str) -> tuple[tuple[bool, bool, bool], list[object], list[object], list[object]]:
    """The plan and the hits of each document part, run whatever the plan says."""
    from mtaudit.checks import names as N

    engine = engine_for(("MT1",))
    ctx = engine.context
    doc = Document(id="t", text=text)
    index = N._index(ctx)
    ts = token_stream(text)
    zones, datelines = N._zones(text), N._datelines(text)
    glossary, verified, reference = N._glossary_hits(doc, ctx, ts, index, zones, datelines)
    moji = N._mojibake_hits(doc, index)
    hard = [(h.start, h.end) for h in moji + glossary]
    zone_spans = zones + datelines
    plan = N._doc_plan(ts, reference, zone_spans, hard, verified)
    zone_set = N.SpanSet(zone_spans)
    phrase = N._phrase_hits(text, ts, zone_set, N.SpanSet(hard), set(verified))
    taken = hard + verified + [(h.start, h.end) for h in phrase]
    words = N._word_hits(text, ts, index, zone_spans + taken, reference)
    surnames = N._surname_caps(text, ts, index, zone_set, N.SpanSet(taken))
    return plan, list(phrase), list(words), list(surnames)


def _plan_texts() -> list[str]:
    out = [text for _, text, _ in CASE_LIST] + [p.read_text(encoding="utf-8") for p in SAMPLES]
    out += [
        "MADRID (Reuters) - Officials in Madrid said on Monday.",
        "Jaume COLLBONI met Anne HIDALGO. Jaume Collboni spoke.",
        "Mirjana Brđanović spoke. Branovi left, and BRANOVI too.",
        "Kovačević arrived. Kovacevic said. KOVACEVIC left.",
        "Nguyễn Văn Hùng met Nguyen Van Hung in Hanoi.",
        "Volodymyr Zelensky and Zelenskiy; Zelenskyy spoke.",
        "Petrovski and Petrowski met Petrovski again.",
    ]
    rng = random.Random(4)
    word = re.compile(r"[^\W\d_]+")
    for text in list(out):
        for _ in range(3):

            def garble(m: re.Match[str]) -> str:
                w, r = m.group(), rng.random()
                if not w[0].isupper():
                    return w
                if r < 0.1:
                    return w.upper()
                if r < 0.2:
                    return "".join(c for c in w if c.isascii())
                return w

            out.append(word.sub(garble, text))
    return out


@pytest.mark.parametrize("text", _plan_texts())
def test_doc_plan_skips_only_parts_that_find_nothing(text: str) -> None:
    (phrase_ok, words_ok, surname_ok), phrase, words, surnames = _parts(text)
    assert phrase_ok or not phrase
    assert words_ok or not words
    assert surname_ok or not surnames


def test_word_facts_survive_being_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtaudit.checks import names as N

    texts = _plan_texts()[:40]
    before = [N.analyze(Document(id="t", text=t), engine_for(("MT1",)).context) for t in texts]
    monkeypatch.setattr(N, "_FACTS_LIMIT", 30)  # forget all every few documents
    after = [N.analyze(Document(id="t", text=t), engine_for(("MT1",)).context) for t in texts]
    assert after == before
    for i, text in enumerate(texts):  # a new word each time: the facts are bounded
        text = f"{text} Zqxv{'abcdefghij'[i % 10]}{i}"
        N.analyze(Document(id="t", text=text), engine_for(("MT1",)).context)
        assert len(N._SEEN) <= 30 + len(set(token_stream(text).words))


# --------------------------------------------------------------------------- per-index caches


def test_per_index_caches_follow_the_glossary(tmp_path: Path) -> None:
    text = "Serbian politician Dragan Sutanovac spoke; dragan sutanovac left."
    plain = Engine(Config(select=("MT1",), fast=True))
    extra = tmp_path / "house.csv"
    extra.write_text(
        "canonical,type,variants,note\nDragan Šutanovac,person,,Serbian politician\n",
        encoding="utf-8",
    )
    house = Engine(Config(select=("MT1",), fast=True, glossaries=(str(extra),)))
    for _ in range(2):  # the second round answers from the caches
        found = [f.suggestion for f in next(plain.run([Document("d", text)])).findings]
        assert found == []
        found = [f.suggestion for f in next(house.run([Document("d", text)])).findings]
        assert found == ["Šutanovac"]


def test_index_accepted_and_sole_person() -> None:
    index = build_index(
        [
            Entity("Aleksandar Vučić", "person", ("Vucic",)),
            Entity("Vučić", "place"),
            Entity("Goran Kovačević", "person"),
        ]
    )
    for key in ("aleksandar vucic", "vucic", "kovacevic", "nothing"):
        union = set().union(*(f.accepted for f in index.lookup(key)))
        assert index.accepted(key) == union
    assert index.sole_person("kovacevic") == 2
    assert index.sole_person("vucic") == -1  # a person's surname and a place
    assert index.sole_person("nothing") == -1
