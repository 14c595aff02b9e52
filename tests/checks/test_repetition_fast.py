"""The fast paths of the repetition checks (MT6xx) give what the plain token loops
give: the cores computed in C, the doubles found by regex, the loop starts, the
paragraph keys built from the sentences', and the texts planned for the model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.checks import repetition as rep
from mtaudit.checks.captions import PairScorer, analyze, normalize
from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.registry import get_rule

# Words and separators that make doubles, runs, loops, punctuation-only tokens, quotes,
# brackets, line breaks, words inside other words and the characters whose lower case
# changes length or context.
WORDS = [
    "the",
    "then",
    "a",
    "aa",
    "The",
    "THE",
    "food",
    "of",
    "city",
    "no,",
    "no",
    "(energy",
    "energy",
    "“No",
    "no”",
    "—",
    "-",
    "...",
    "x.",
    "x",
    "1895",
    "İstanbul",
    "istanbul",
    "ΟΔΟΣ",
    "οδος",
    "Bora",
    "'quoted'",
    "«a»",
]
SEPARATORS = [" ", " ", " ", "  ", "\t", "\n", " \n ", "\u00a0"]

texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=0, max_size=40
).map(lambda parts: "".join(w + s for w, s in parts))


def _repeat_some(text: str, data: st.DataObject) -> str:
    """Copy a stretch of tokens two to four times, so loops are common."""
    toks = text.split(" ")
    if len(toks) < 2:
        return text
    i = data.draw(st.integers(0, len(toks) - 1))
    n = data.draw(st.integers(1, 4))
    k = data.draw(st.integers(1, 3))
    return " ".join(toks[:i] + toks[i : i + n] * k + toks[i:])


def _reference_loop(doc: Document, ctx: Context) -> Iterator[Hit]:
    """MT605 as first written: every token index, every phrase length."""
    text = doc.text
    toks = rep._tokens(text)
    low = [t.core for t in toks]
    max_n = int(ctx.option("max_phrase", 12, "MT605"))
    i = 0
    while i < len(toks):
        found = None
        for n in range(1, max_n + 1):
            if i + 2 * n > len(toks):
                break
            if low[i] != low[i + n]:
                continue
            k = 1
            while (
                i + (k + 1) * n <= len(toks) and low[i + k * n : i + (k + 1) * n] == low[i : i + n]
            ):
                k += 1
            if k < 2:
                continue
            last = i + k * n - 1
            if "\n" in text[toks[i].start : toks[last].end]:
                continue
            plain = all(rep._gap_ok(text, toks[x], toks[x + 1]) for x in range(i, last))
            long_phrase = n >= 4 and k >= 3 and not rep._in_quote(text, toks[i].start)
            if (k >= 3 and plain) or k >= 5 or long_phrase or (k == 2 and n >= 3 and plain):
                found = (n, k, last)
                break
        if found is None:
            i += 1
            continue
        n, k, last = found
        phrase = text[toks[i].start : toks[i + n - 1].end]
        end = toks[last].start + text[toks[last].start : toks[last].end].find(toks[last].word)
        end += len(toks[last].word)
        yield Hit(
            toks[i].start,
            end,
            f"'{phrase}' repeated {k} times in a row",
            suggestion=phrase,
            confidence=0.95 if k >= 3 else 0.8,
        )
        i += n * k


def _ctx(**options: Any) -> Context:
    ctx = Context(config=Config(checks={"MT605": options}))
    ctx.rule = get_rule("MT605")
    return ctx


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_cores_doubles_and_loops_match_the_token_loops(text: str, data: st.DataObject) -> None:
    text = _repeat_some(text, data)
    doc = Document(id="t", text=text)
    assert rep._cores(doc) == [t.core for t in rep._tokens(text)]
    assert rep._doubles(doc) == rep._doubles_by_tokens(Document(id="t", text=text))
    for max_n in (1, 2, 3, 12):
        ctx = _ctx(max_phrase=max_n)
        got = list(rep.repetition_loop(Document(id="t", text=text), ctx))
        assert got == list(_reference_loop(Document(id="t", text=text), ctx))


def test_loop_starts_are_where_a_loop_can_start() -> None:
    low = ["a", "b", "a", "b", "a", "b", "c", "c", "c", "d", "e", "f", "d", "e", "f"]
    assert rep._loop_starts(low, 12) == [0, 6, 9]
    assert rep._loop_starts(low, 2) == [0, 6]
    assert rep._loop_starts(low, 0) == []
    assert rep._loop_starts(["x", "y"], 12) == []


def test_doubles_with_a_sigma_or_dotted_capital_take_the_token_path() -> None:
    for text in ("ΟΔΟΣ ΟΔΟΣ was closed.", "İstanbul İstanbul was quiet.", "the the İ"):
        doc = Document(id="t", text=text)
        assert rep._doubles(doc) == rep._doubles_by_tokens(Document(id="t", text=text))
        assert rep._doubles(doc)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_paragraph_keys_from_sentences(text: str) -> None:
    doc = Document(id="t", text=text.replace("\n", "\n\n"))
    assert rep._paragraph_norms(doc, Context()) == [normalize(p.text) for p in doc.paragraphs]


class FakeEmbedder:
    """Deterministic unit vectors from a hash of the text: similar texts are not
    close, but the same pairs get the same cosine however the texts are batched."""

    name = "fake"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> Any:
        self.encoded.extend(texts)
        rows = []
        for t in texts:
            rng = np.random.default_rng(abs(hash(t)) % 2**32)
            v = rng.normal(size=8)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows).reshape(len(texts), 8)

    def similarity(self, a: list[str], b: list[str]) -> Any:
        return self.encode(a) @ self.encode(b).T


class AllAlike(FakeEmbedder):
    """Every pair at cosine 1: the model vouches for everything it is asked about."""

    def similarity(self, a: list[str], b: list[str]) -> Any:
        self.encode(a + b)
        return np.ones((len(a), len(b)))


STORY = (
    "The storm cut power to 40,000 homes across the region on Sunday night.\n\n"
    "Crews worked through the night to restore the lines.\n\n"
    "The storm cut power to homes in the region, officials said on Sunday.\n\n"
    "Schools stayed closed on Monday as crews cleared fallen trees from roads.\n\n"
    "Officials said schools would stay closed on Monday while crews cleared roads.\n\n"
    "A spokesman for the utility declined to comment."
)


def test_model_gets_only_texts_that_can_decide_a_pair() -> None:
    ctx = Context(embedder=AllAlike())  # type: ignore[arg-type]
    doc = Document(id="t", text=STORY)
    scorer = analyze(doc, ctx).scorer()
    members = rep._sentence_members(doc, ctx)
    pool = scorer.pool()
    assert set(members) <= set(pool)
    loose = rep.NEAR_CHRF_WITH_MODEL
    for i in pool:
        close = any((scorer.score(min(i, j), max(i, j)) or 0) >= loose for j in pool if j != i)
        assert (i in members) == close
    # The pairs with the planned texts are the pairs with the whole pool.
    whole = _pairs_with_members(doc, ctx, pool)
    assert rep._compute_pairs(doc, ctx) == whole


def _pairs_with_members(doc: Document, ctx: Context, members: list[int]) -> dict[Any, float]:
    scorer = analyze(doc, ctx).scorer()
    sims, extra = rep._model_pairs(members, scorer.texts, ctx, rep.NEAR_COSINE)
    pairs = scorer.pairs(rep.NEAR_CHRF_WITH_MODEL, extra)
    return {p: s for p, s in pairs.items() if s >= rep.NEAR_CHRF or sims.get(p, 0.0) >= 0.9}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(STORY.split("\n\n")), min_size=2, max_size=8), st.data())
def test_planned_model_pairs_equal_whole_pool_pairs(paras: list[str], data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from([FakeEmbedder, AllAlike]))
    text = "\n\n".join(
        re.sub(r"\bthe\b", data.draw(st.sampled_from(["the", "a", "that"])), p) for p in paras
    )
    ctx = Context(embedder=kind())  # type: ignore[arg-type]
    doc = Document(id="t", text=text)
    scorer = analyze(doc, ctx).scorer()
    assert rep._compute_pairs(doc, ctx) == _pairs_with_members(doc, ctx, scorer.pool())
    found = rep._paragraph_pairs_input(doc, ctx)
    if found is not None:
        _, para_scorer, members = found
        assert set(members) <= set(para_scorer.pool())


def test_prepare_encodes_the_planned_texts_once() -> None:
    embedder = AllAlike()
    ctx = Context(embedder=embedder)  # type: ignore[arg-type]
    docs = [Document(id="a", text=STORY), Document(id="b", text="One line only.")]
    rep._prepare(docs, ctx)
    planned = {analyze(docs[0], ctx).segments[k].text for k in rep._sentence_members(docs[0], ctx)}
    assert planned and planned <= set(embedder.encoded)
    assert "A spokesman for the utility declined to comment." not in embedder.encoded


def test_pair_scorer_keeps_similar_pairs_answers() -> None:
    texts = [s for p in STORY.split("\n\n") for s in (p, p.upper())] + ["", "Crews."]
    scorer = PairScorer(texts)
    for floor in (30.0, 45.0, 60.0, 101.0):
        assert scorer.pairs(floor) == PairScorer(texts).pairs(floor)
        assert all(
            s >= floor or scorer.norm[i] == scorer.norm[j]
            for (i, j), s in scorer.pairs(floor).items()
        )
    extra = [(0, 5), (5, 0), (3, 3)]
    assert scorer.pairs(45.0, extra) == PairScorer(texts).pairs(45.0, extra)


# -- the hash prefilters and the paragraph keys of captioned documents ------------------


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_loop_candidates_include_every_loop_start(text: str, data: st.DataObject) -> None:
    text = _repeat_some(_repeat_some(text, data), data)
    doc = Document(id="t", text=text)
    low = rep._cores(doc)
    for max_n in (0, 1, 2, 3, 5, 12, rep._MAX_VECTOR_N, rep._MAX_VECTOR_N + 8):
        starts = rep._loop_starts(low, max_n)
        candidates = rep._loop_candidates(doc, max_n)
        assert candidates == sorted(set(candidates))
        assert set(starts) <= set(candidates)


def test_loop_candidates_are_few_in_plain_prose() -> None:
    doc = Document(id="t", text=STORY)
    assert rep._loop_candidates(doc, 12) == []
    loop = Document(id="t", text="prices of the city of the city rose and food food food")
    assert rep._loop_candidates(loop, 12) == rep._loop_starts(rep._cores(loop), 12) == [1, 9]


def test_doubles_find_short_words_inside_longer_ones() -> None:
    text = "A banana a a day, (a a) and “a” a. Aa aa aaa a\ta  a"
    doc = Document(id="t", text=text)
    assert rep._doubles(doc) == rep._doubles_by_tokens(Document(id="t", text=text))
    assert len(rep._doubles(doc)) == 4  # "aa aa" is found from "a" and from "aa": once


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_hash_collisions_change_no_finding(text: str, data: st.DataObject) -> None:
    """Every token hashing alike (all collide) only sends the document to the exact
    tests: doubles and loops come out the same."""
    text = _repeat_some(text, data)
    ctx = _ctx(max_phrase=12)
    expected_doubles = rep._doubles_by_tokens(Document(id="t", text=text))
    expected_loops = list(_reference_loop(Document(id="t", text=text), ctx))
    doc = Document(id="t", text=text)
    doc.cache["repetition.hashes"] = np.zeros(len(rep._cores(doc)), np.int64)
    assert rep._doubles(doc) == expected_doubles
    assert list(rep.repetition_loop(doc, ctx)) == expected_loops


CAPTIONED = [
    "Workers gather outside the plant AFP via Getty Images The deal was announced on Friday.",
    "The Serbs attend a pro-government rally last month Getty Thousands have joined a march.",
    "The vote passed. Photograph: Oleksandr Gimanov/AFP/Getty Images The law takes effect soon.",
    "Officials said the bridge would reopen next year after repairs. Getty The minister resigned.",
    "Image caption Police at the scene on Monday. Rescue teams reached the village.",
    "The plant AFP/Getty ImagesThe deal was done.",
    "ΟΔΟΣ ΣΤΑΣΗ Getty Images The road was closed.",
    "İstanbul rally Getty Images The vote passed.",
    "Crews worked through the night.",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(CAPTIONED), min_size=1, max_size=6), st.data())
def test_paragraph_keys_of_captioned_documents(paras: list[str], data: st.DataObject) -> None:
    seps = [data.draw(st.sampled_from(["\n\n", "\n\n\n", " \n\n"])) for _ in paras]
    text = "".join(p + s for p, s in zip(paras, seps, strict=True))
    doc = Document(id="t", text=text)
    assert rep._paragraph_norms(doc, Context()) == [normalize(p.text) for p in doc.paragraphs]


def test_captioned_document_takes_the_segment_path() -> None:
    text = "\n\n".join(CAPTIONED[:4])
    doc = Document(id="t", text=text)
    assert not analyze(doc, Context()).plain
    assert rep._paragraph_norms(doc, Context()) == [normalize(p.text) for p in doc.paragraphs]


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_joined_norm_is_exact_or_declines(text: str, data: st.DataObject) -> None:
    """Any cut of a paragraph into segments (inside words too, with gaps between
    them) gives its normalized text, or None where a word crosses a cut."""
    from mtaudit.document import Segment

    text = text.strip()
    if not text:
        return
    para = Segment(0, len(text), text)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=8))))
    bounds = [0, *cuts, len(text)]
    segs = []
    for a, b in pairwise(bounds):
        if a < b and data.draw(st.booleans()):  # a segment, else text between segments
            segs.append(Segment(a, b, text[a:b]))
    keys = [normalize(s.text) for s in segs]
    low = text.lower()
    if len(low) != len(text) or "\u03a3" in text:
        return
    got = rep._joined_norm(text, low, para, segs, keys)
    assert got is None or got == normalize(text)


def test_joined_norm_declines_only_a_word_cut_in_two() -> None:
    from mtaudit.document import Segment

    text = "Police at the scene AFP/Getty ImagesThe deal was done."
    para = Segment(0, len(text), text)
    cut = text.index("AFP")
    glued = text.index("The deal")
    segs = [Segment(0, cut - 1, text[: cut - 1]), Segment(glued, len(text), text[glued:])]
    keys = [normalize(s.text) for s in segs]
    assert rep._joined_norm(text, text.lower(), para, segs, keys) is None  # "imagesthe"
    spaced = text.replace("ImagesThe", "Images The")
    segs = [
        Segment(0, cut - 1, spaced[: cut - 1]),
        Segment(glued + 1, len(spaced), spaced[glued + 1 :]),
    ]
    para = Segment(0, len(spaced), spaced)
    got = rep._joined_norm(spaced, spaced.lower(), para, segs, [normalize(s.text) for s in segs])
    assert got == normalize(spaced)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_lazy_tokens_are_the_tokens(text: str) -> None:
    toks = rep._tokens(text)
    lazy = rep._LazyTokens(text)
    for k in [*range(len(toks) - 1, -1, -3), *range(len(toks))]:
        assert lazy[k] == toks[k]
