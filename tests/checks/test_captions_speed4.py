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
