"""The fast paths of the repetition checks (MT6xx) give what the plain token loops
give: the cores computed in C, the doubles found by regex, the loop starts, the
paragraph keys built from the sentences', and the texts planned for the model."""

from __future__ import annotations

import re
from collections.abc import Iterator
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
# brackets, line breaks and the characters whose lower case changes length or context.
WORDS = [
    "the",
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
