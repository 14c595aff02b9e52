"""The fast searches of the tokenization checks find exactly what the plain
reference patterns find (random texts over the characters that matter)."""

from __future__ import annotations

import random
import re

import pytest

from mtaudit.checks import tokenization as T

_SPACE_PUNCT_REF = re.compile(r"(\w[\w'’)\]]*)([ \t]+)([,.;:!?%])(?=[\s\"”’)\]]|$)(?!\.\.)")
_SPACED_HYPHEN_REF = re.compile(
    r"\b([A-Za-z]{2,})(?: -(?=[a-z]{2,}\b)| +-(?=[a-z]{2,}\b)|- +(?=[a-z]{2,}\b))"
)
_ALPHABET = ["a", "b", "Z", "é", "1", "_", " ", " ", "  ", "\t", "-", ",", ".", ":", "%", "'", "’",
             ")", "]", "(", '"', "”", "\n", "?", "..", "an", "ti", "x"]  # fmt: skip


_HYPHEN_ALPHABET = ["ab", "an", "ti", "x", "Zé", "1", "_", " ", " ", "  ", "-", "-", "\n", "."]


def _texts(seed: int, n: int = 3000, alphabet: list[str] = _ALPHABET) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(3))
def test_space_punct_matches_reference(seed: int) -> None:
    for text in _texts(seed):
        expected = [
            (m.start(1), m.end(3), m.group(1), m.group(3)) for m in _SPACE_PUNCT_REF.finditer(text)
        ]
        assert list(T._space_punct(text)) == expected, text


@pytest.mark.parametrize("seed", range(3))
def test_spaced_hyphens_match_reference(seed: int) -> None:
    for text in _texts(seed + 10, alphabet=_HYPHEN_ALPHABET):
        expected = [(m.start(1), m.end(1)) for m in _SPACED_HYPHEN_REF.finditer(text)]
        assert list(T._spaced_hyphens(text)) == expected, text


def test_prefilters_keep_findings() -> None:
    """Each prefilter lets through the documents its rule reports on."""
    from mtaudit.document import Document
    from mtaudit.engine import Context

    cases = {
        T.split_contraction: ["The president 's plan", "It does n't", "They ’re here"],
        T.spaced_abbreviation: ["The U. S. envoy", "The U.S. A. team", "U.S.S. R. troops"],
        T.locale_number_format: ["Some 12 500 people", "rose 3,5 percent", "12\u202f500 fans"],
        T.irregular_spacing: ["found  traces", "the\ttest", "( FTIR )", "[ sic]", "(FTIR )"],
        T.space_before_punctuation: ["a deal , said", "done\t.", "up 5 %"],
        T.spaced_hyphen: ["an anti -government march", "well- known", "anti  -war"],
    }
    for rule, texts in cases.items():
        for text in texts:
            assert list(rule(Document(id="t", text=text), Context())), (rule.__name__, text)


_CONTRACTION_REF = re.compile(r"\b(\w+) ('s|’s|n't|n’t|'re|’re|'ve|’ve|'ll|’ll|'d|’d|'m|’m)\b")
_CLITIC_ALPHABET = ["do", "a", "é", "1", "_", " ", " ", "'", "’", "s", "n't", "'s", "’re", "d", "-"]


@pytest.mark.parametrize("seed", range(3))
def test_contractions_match_reference(seed: int) -> None:
    for text in _texts(seed + 20, alphabet=_CLITIC_ALPHABET):
        expected = [
            (m.start(), m.end(), m.group(1), m.group(2)) for m in _CONTRACTION_REF.finditer(text)
        ]
        assert list(T._contractions(text)) == expected, text
