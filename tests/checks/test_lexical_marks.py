"""The one-pass prefilters of the tokenization (MT40x) and encoding (MT15x) checks
are exact: with them, every check reports what it reports when it looks at every
document (random texts over the characters and fragments that matter)."""

from __future__ import annotations

import random
import re

import pytest

from mtaudit.checks import encoding as E
from mtaudit.checks import tokenization as T
from mtaudit.document import Document
from mtaudit.engine import Context

_RULES = [
    T.space_before_punctuation,
    T.spaced_hyphen,
    T.malformed_quotes,
    T.split_contraction,
    T.spaced_abbreviation,
    T.locale_number_format,
    T.irregular_spacing,
    E.mojibake,
    E.replacement_character,
    E.invisible_character,
    E.html_entity,
]
_EVERYTHING = frozenset(
    {"MT401", "MT402", "MT404", "MT405", "MT406", "MT407", "MT150", "MT152"}
    | {"tex", "quotes", "quote_spaced", "quote_low", "quote_after_space"}
)
_FRAGMENTS = [
    "a", "Z", "U", "S", "é", "ô", "Ã", "Ä", "©", "€", "1", "5", "٣", "١٢", "²", "_", " ", " ",
    "  ", "\t", "\n", "-", ",", ".", ". ", ":", "%", "'", "''", "`", "``", "’", "’s", " n't",
    "(", ")", "[", "]", '"', '"', "“", "”", "„", "«", "»", " “", "„a", "?", "..", "ti", "x", "&amp;",
    "\ufffd", "\u200b", "\x07", "\u00a0", "\u2009", "12 500", "3,5", "U. S.", "do", "re",
    "anti -war", "well- known", "up  -ab",
]  # fmt: skip


def _texts(seed: int, n: int = 1500, fragments: list[str] = _FRAGMENTS) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(fragments) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def _report(text: str) -> list[list[tuple[int, int, str, str | None]]]:
    doc = Document(id="t", text=text)
    ctx = Context()
    return [[(h.start, h.end, h.message, h.suggestion) for h in rule(doc, ctx)] for rule in _RULES]


@pytest.mark.parametrize("seed", range(4))
def test_prefilters_are_exact(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(seed)
    with_marks = [_report(t) for t in texts]
    monkeypatch.setattr(T, "marks", lambda doc: _EVERYTHING)
    monkeypatch.setattr(E, "non_ascii_marks", lambda doc: _EVERYTHING)
    monkeypatch.setattr(T, "_STRAIGHT_SPACED", re.compile(""))  # matches everywhere
    for text, found in zip(texts, with_marks, strict=True):
        assert _report(text) == found, text


def test_every_rule_is_covered() -> None:
    """The texts above do make each check report (else the comparison is empty)."""
    texts = _texts(0)
    fired = [any(r) for r in zip(*(map(bool, _report(t)) for t in texts), strict=True)]
    assert all(fired), fired


_STRAIGHT = ["a", "1", "é", "_", "²", " ", "  ", "\t", "\n", '"', '"', '" ', ' "', ".", ",", "x" * 150]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_straight_quote_test_is_exact(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_STRAIGHT_SPACED`` matches exactly when MT403 reports on a text whose only
    quote marks are straight ones."""
    ctx = Context()
    monkeypatch.setattr(T, "_may_have_bad_quotes", lambda doc, text: True)
    for text in _texts(seed + 40, 4000, _STRAIGHT):
        reported = bool(list(T.malformed_quotes(Document(id="t", text=text), ctx)))
        assert (T._STRAIGHT_SPACED.match(text) is not None) == reported, repr(text)


def test_non_ascii_digits_start_at_u0660() -> None:
    """Every decimal digit ``re`` knows outside ASCII is at or after U+0660, so the
    non-ASCII scan sees each one."""
    every = "".join(map(chr, range(0x110000)))
    digits = re.findall(r"\d", every)
    assert all(d.isascii() or d >= E._FIRST_NON_ASCII_DIGIT for d in digits)


def test_non_ascii_scan_class() -> None:
    every = "".join(map(chr, range(0x110000)))
    marked = re.findall(f"[{E._MARK_CHARS}]", every)
    assert re.findall(f"[^{E._NOT_MARK_CHARS}]", every) == marked


def test_marks() -> None:
    def marks(text: str) -> frozenset[str]:
        return T.marks(Document(id="t", text=text))

    assert marks("A clean story, with 12 people and 3.5 percent.") == frozenset()
    assert marks("Peña met Vučić in Łódź – “fine”, he said.") == {"quotes", "quote_after_space"}
    assert marks("a deal , said") == {"MT401"}
    assert marks("U. S. envoy") == {"MT405"}
    assert marks("12 500 and ١٢ ٥٠٠") == {"MT406"}
    assert marks("١٢ ٥٠٠") == {"MT406"}
    assert marks("He said `` no ''") == {"tex"}
    assert marks("“ spaced”") == {"quote_spaced", "quotes"}
    assert marks("cafÃ©\u200b") == {"MT150", "MT152"}
    assert marks('PoznaÅ„, he said "yes"') == {"MT150", "quote_low"}
    assert marks("„yes “no") == {"quote_low", "quote_after_space"}
    assert marks("( x)\tand  y") == {"MT407"}
