"""The second round of caption fast paths give what the plain ones give: one anchor
scan for all the scanned credit kinds, chrF scored in one pass, and the early exit
of the fuzzy candidate search."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import CHRF

from mtaudit.checks import captions as cap
from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.glossary import Row

# Forms of every scanned kind, their neighbours, lower-case forms and their
# literals, prefixes shared by several forms, and non-word first characters.
PIECES = [
    "Getty",
    "Getty Images",
    "Getty Museum",
    "J. Paul Getty",
    "AFP",
    "AFP/Getty Images",
    "AP",
    "APA",
    "The Associated Press",
    "The",
    "Reuters",
    "Reuters/Marko Djurica",
    "EPA-EFE",
    "EFE",
    "dpa",
    "dpa picture alliance",
    "picture",
    "alliance",
    "picture-alliance",
    "epd",
    "Photo:",
    "Photo by",
    "PHOTO:",
    "©",
    "©AP",
    "Image caption",
    "Media caption",
    "Caption:",
    "Image",
    "Courtesy of",
    "Sputnik V",
    "x",
    "said",
]
SEPARATORS = [" ", "", "\n", "  ", "-", "/", ". ", ", ", "(", ")"]
texts = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=0, max_size=25
).map(lambda parts: "".join(w + s for w, s in parts))

CUSTOM = [
    Row("custom.tsv", 1, {"credit": "©AP", "kind": "photo", "variants": "pool photo"}),
    Row("custom.tsv", 2, {"credit": "EFE", "kind": "agency", "variants": "EPA-EFE|dpa"}),
    Row("custom.tsv", 3, {"credit": "Photo by", "kind": "label", "variants": "©"}),
    Row("custom.tsv", 4, {"credit": "Getty Museum", "kind": "exclude", "variants": ""}),
    Row("custom.tsv", 5, {"credit": "Image caption", "kind": "caption-label", "variants": ""}),
]


def _lexicons() -> list[cap.Lexicon]:
    return [cap.lexicon(Context()), cap.build_lexicon(CUSTOM)]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_anchor_scan_finds_what_each_kind_finds(text: str) -> None:
    for lex in _lexicons():
        assert lex.anchors is not None
        starts = lex.starts(text)
        for kind in cap.SCANNED:
            pattern = getattr(lex, kind)
            plain = [m.span() for m in pattern.finditer(text)] if pattern else []
            assert [m.span() for m in lex.scan(kind, text, starts)] == plain
            assert [m.span() for m in lex.scan(kind, text, None)] == plain


def test_lexicon_without_anchors_scans_each_kind() -> None:
    rows = [Row("custom.tsv", 1, {"credit": " Getty", "kind": "photo", "variants": ""})]
    lex = cap.build_lexicon(rows)
    assert lex.anchors is None and lex.starts("x Getty") is None
    assert [m.group() for m in lex.scan("terms", "x Getty", None)] == [" Getty"]


@settings(max_examples=200, deadline=None)
@given(texts)
def test_credits_found_with_and_without_anchors(text: str) -> None:
    for lex in _lexicons():
        plain = cap.replace(lex, anchors=None, anchors_upper=None)
        assert cap.find_credits(text, lex) == cap.find_credits(text, plain)


def _reference_chrf(a: str, b: str) -> float:
    metric = CHRF()
    return float((metric.sentence_score(a, [b]).score + metric.sentence_score(b, [a]).score) / 2)


def test_chrf_is_sacrebleus_to_the_last_bit() -> None:
    rng = random.Random(5)
    words = [
        "the",
        "a",
        "of",
        "police",
        "protest",
        "capital",
        "news",
        "é",
        "ß",
        "x",
        "y",
        "zz",
        "abc",
        "abd",
        "40,000",
        "привет",
        "Ωmega",
    ]
    scorer = cap._ChrF()
    for _ in range(3000):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        b = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.3:
            b = a[: rng.randint(0, len(a))]
        assert scorer.score(a, b) == _reference_chrf(a, b)


def _reference_candidates(norm: Sequence[str], prefilter: float) -> set[tuple[int, int]]:
    """The candidate search as first written: every non-zero cell of the matrix."""
    from rapidfuzz import fuzz, process

    candidates: set[tuple[int, int]] = set()
    first_of: dict[str, int] = {}
    distinct: list[int] = []
    for k, t in enumerate(norm):
        if t in first_of:
            candidates.add((first_of[t], k))
        else:
            first_of[t] = k
            distinct.append(k)
    texts_d = [norm[k] for k in distinct]
    if len(texts_d) < 2:
        return candidates
    matrix = process.cdist(
        texts_d, texts_d, scorer=fuzz.ratio, score_cutoff=prefilter, dtype="uint8"
    )
    best: dict[int, list[tuple[int, int]]] = {}
    rs, cs = matrix.nonzero()
    for r, c, ratio in zip(rs.tolist(), cs.tolist(), matrix[rs, cs].tolist(), strict=True):
        i, j = distinct[c], distinct[r]
        if i < j:
            best.setdefault(j, []).append((ratio, i))
    for j, found in best.items():
        candidates.update((i, j) for _, i in sorted(found, reverse=True)[: cap.TOP_K])
    return candidates


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", "ab", "abc", "abd", "xyz", "the cat", "the hat", "b"])),
    st.sampled_from([0.0, 30.0, 55.0, 90.0, 100.0]),
)
def test_fuzzy_candidates_as_first_written(norm: list[str], prefilter: float) -> None:
    assert cap._fuzzy_candidates(norm, prefilter) == _reference_candidates(norm, prefilter)


def test_analysis_with_the_anchors_of_a_custom_glossary() -> None:
    text = (
        "Crowds gathered on Sunday ©AP Thousands marched past the Getty Museum. "
        "Image caption Protesters rally. Officials met pool photo EFE later."
    )
    lex = cap.build_lexicon(CUSTOM)
    found = []
    for lexicon in (lex, cap.replace(lex, anchors=None, anchors_upper=None)):
        ctx = Context()
        ctx.glossaries.compiled("captions.lexicon", lambda lexicon=lexicon: lexicon)
        a = cap.analyze(Document(id="t", text=text), ctx)
        found.append((a.credits, a.captions, a.segments))
    assert found[0] == found[1]
    assert found[0][0] and any(c.label for c in found[0][1])


CUE_PIECES = [
    "pictured",
    "PICTURED",
    "Attends",
    "attend",
    "walks past",
    "walk",
    "(L-R)",
    "(l-r)",
    ", left,",
    "sits",
    "ſits",
    "\u212aab",
    "İs seen",
    "ıs seen",
    "Σ",
    "is seen",
    "stand guard",
    "standard",
    "the march",
    "“",
    "é",
]
cue_texts = st.lists(
    st.tuples(st.sampled_from(CUE_PIECES), st.sampled_from(SEPARATORS)), min_size=0, max_size=20
).map(lambda parts: "".join(w + s for w, s in parts))


@settings(max_examples=400, deadline=None)
@given(cue_texts)
def test_cue_matches_are_the_cue_patterns(text: str) -> None:
    for lex in (
        cap.lexicon(Context()),
        cap.build_lexicon(
            [Row("c.tsv", 1, {"credit": "kab", "kind": "cue", "variants": "sit|(L)|is seen"})]
        ),
    ):
        assert lex.cues is not None and lex.cue_anchors is not None
        assert [m.span() for m in lex.cue_matches(text)] == [
            m.span() for m in lex.cues.finditer(text)
        ]


def test_lower_casing_keeps_word_characters() -> None:
    """What :meth:`Lexicon.cue_matches` relies on, for every code point."""
    import re

    word = re.compile(r"\w")
    for x in map(chr, range(0x110000)):
        low = x.lower()
        if len(low) == 1:
            assert bool(word.match(x)) == bool(word.match(low))


NORM_PIECES = [*"aAbΣσςİI_ \n\t.,;:'\"“”’—–-…é1²½\x00x$%", "ΑΣ", "Σ ", "ﬁ", "Ab12", "40,000"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(NORM_PIECES), max_size=12).map("".join), max_size=8))
def test_normalize_all_is_normalize_of_each(texts: list[str]) -> None:
    assert cap.normalize_all(texts) == [cap.normalize(t) for t in texts]


STYLE_PIECES = [
    "Protesters",
    "attend",
    "a rally",
    "on Sunday",
    "on May 3",
    "said",
    "walked",
    "the march",
    "I",
    "“quote”",
    ".",
    "?",
    "…",
    " ",
    "(L-R)",
    "pictured",
    "in Belgrade",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(STYLE_PIECES), max_size=14).map(" ".join))
def test_style_bound_never_drops_a_caption_style_sentence(text: str) -> None:
    lex = cap.lexicon(Context())
    for floor in (cap.STYLE_ECHO, 0.66, 0.7):
        if not cap._may_score(text, lex, floor):
            assert cap.caption_style(text, lex) < floor
