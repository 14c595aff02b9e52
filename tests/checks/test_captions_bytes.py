"""The fourth round's fast paths of the caption checks (MT3xx) give what the plain
ones give: the byte-level :func:`normalize_all` and the packed chrF n-grams."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.checks import captions as cap

# Characters whose lower-casing or word-ness is unusual: capitals beyond ASCII,
# the capital sigma, the dotted capital I (two characters lowered), the Kelvin sign
# (lowers to ASCII), a titlecase digraph, non-ASCII spaces and punctuation, a lone
# surrogate, ASCII separators that are whitespace, NUL and the underscore.
NORM_PIECES = [
    *"aAzZ09_ \n\t\r\x0b\x0c\x1c\x1f.,;:'\"!?-/()[]{}",
    *"ΣσςİıÉéČčŁłÄßẞ\u212a\u01c5\u01c4\u03f4ﬁ²½",
    "\u00a0",
    "\u2009",
    "\u2028",
    "“",
    "”",
    "’",
    "—",
    "…",
    "€",
    "\u0307",
    "\ud800",
    "\x00",
    "Ab12",
    "40,000",
    "Vučić",
    "ŁÓDŹ",
]


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(NORM_PIECES), max_size=10).map("".join), min_size=4, max_size=9
    )
)
def test_normalize_all_is_normalize_of_each(texts: list[str]) -> None:
    assert cap.normalize_all(texts) == [cap.normalize(t) for t in texts]


def test_normalize_all_every_code_point() -> None:
    """Each code point alone and between words, in lists long enough for the fast
    path."""
    for start in range(0, 0x110000, 4096):
        chars = [chr(x) for x in range(start, min(start + 4096, 0x110000))]
        texts = [f"Ab{c}cD {c}" for c in chars]
        for k in range(0, len(texts), 64):
            chunk = texts[k : k + 64]
            assert cap.normalize_all(chunk) == [cap.normalize(t) for t in chunk]


def _reference_chrf(a: str, b: str) -> float:
    """sacrebleu's sentence chrF both ways, averaged (the definition)."""
    from sacrebleu.metrics import CHRF

    metric = CHRF()
    return (metric.sentence_score(a, [b]).score + metric.sentence_score(b, [a]).score) / 2


def _counter_score(a: str, b: str) -> float:
    """:meth:`_ChrF.score` by the Counter path alone (no packed n-grams)."""
    scorer = cap._ChrF()
    scorer.packed = lambda line: None  # type: ignore[method-assign]
    return scorer.score(a, b)


CHRF_PIECES = [*"ab a\u03ff\u0400é\x01", "ab", "the ", "cat", "  ", "\u03ffa"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(CHRF_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(CHRF_PIECES), max_size=40).map("".join),
)
def test_packed_chrf_is_the_counter_chrf(a: str, b: str) -> None:
    assert cap._ChrF().score(a, b) == _counter_score(a, b)


def test_packed_chrf_matches_sacrebleu() -> None:
    pairs = [
        ("Police detained dozens of protesters", "Police detained dozens of protesters outside"),
        ("a", "a"),
        ("abcdef", "abcdefg"),
        ("\u03ff" * 7, "\u03ff" * 6),  # the largest codes: n-grams next to the order limits
        ("", "abc"),
        ("ab cd", "cd ab"),
    ]
    for a, b in pairs:
        assert abs(cap._ChrF().score(a, b) - _reference_chrf(a, b)) < 1e-9


def test_packed_orders_are_ranges() -> None:
    """The packed n-grams of order n sit between ``ends[n - 1]`` and ``ends[n]``."""
    chrf = cap._ChrF()
    line = "thecatsatonthemat\u03ff\u03ff\u03ff\u03ff\u03ff\u03ff"
    packed = chrf.packed(line)
    assert packed is not None
    keys, counts, ends = packed
    for n in range(1, 7):
        grams = Counter(line[i : i + n] for i in range(len(line) - n + 1))
        assert int(ends[n] - ends[n - 1]) == len(grams)
        assert sorted(counts[ends[n - 1] : ends[n]].tolist()) == sorted(grams.values())
    assert chrf.packed("a\x00b") is None and chrf.packed("a\u0400") is None
    assert re.fullmatch(r"\d+", str(int(keys[-1])))


# Forms whose prefixes are shared between kinds, are words' beginnings ("The" in
# "Theater"), hold digits and underscores, open with a non-word character, or go on
# with a hyphen or a slash after their first run of word characters.
TRICKY = [
    ("The Canadian Press", "agency", "CP|THE CANADIAN PRESS"),
    ("Theater Photo", "exclude", ""),
    ("EPA-EFE", "agency", "EPA|EPA_2|A1 Photo"),
    ("Photo:", "label", "©|Photo by|(c)"),
    ("Photo credit", "caption-label", "Image caption"),
    ("AFP/Getty", "photo", "Getty|getty images|dpa"),
    ("Getty Museum", "exclude", "EPA-EFE Museum"),
]
TRICKY_PIECES = [
    "The",
    "Theater",
    "Theater Photo",
    "The Canadian Press",
    "THE CANADIAN PRESS",
    "CP",
    "CPU",
    "EPA",
    "EPA-EFE",
    "EPA_2",
    "EPA_23",
    "A1 Photo",
    "A12",
    "Photo:",
    "Photo by",
    "Photos",
    "©",
    "(c)",
    "Image caption",
    "AFP/Getty",
    "Getty",
    "Getty Museum",
    "getty images",
    "dpa",
    "dpa2",
    "x",
    "é",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(TRICKY_PIECES), st.sampled_from([" ", "", "-", "/", "\n", ". "])),
        max_size=14,
    ).map(lambda parts: "".join(w + s for w, s in parts))
)
def test_anchor_scan_with_prefixes_finds_what_each_kind_finds(text: str) -> None:
    from mtaudit.glossary import Row

    lex = cap.build_lexicon(
        [
            Row("t.tsv", k, {"credit": c, "kind": kind, "variants": v})
            for k, (c, kind, v) in enumerate(TRICKY, 1)
        ]
    )
    assert lex.anchors is not None
    starts = lex.starts(text)
    assert starts is not None
    for p, anchor in starts:
        assert text.startswith(anchor, p)
        if re.match(r"\w", anchor):  # a whole run of word characters
            assert not re.match(r"\w", text[p + len(anchor) : p + len(anchor) + 1])
    for kind in cap.SCANNED:
        pattern = getattr(lex, kind)
        plain = [m.span() for m in pattern.finditer(text)] if pattern else []
        assert [m.span() for m in lex.scan(kind, text, starts)] == plain
    no_anchors = cap.replace(lex, anchors=None, anchors_upper=None)
    assert cap.find_credits(text, lex) == cap.find_credits(text, no_anchors)
