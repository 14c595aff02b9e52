"""Documents and their segments (sentences, paragraphs, words) as spans.

Every span is a pair of Python ``str`` offsets into ``Document.text``, end
exclusive, so a finding built from a span always satisfies
``text == document.text[start:end]``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")


class Segment(NamedTuple):
    """A span of a document's text."""

    start: int
    end: int
    text: str


# Abbreviations after which a period does not end a sentence (compared lower-cased,
# without the final period).
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "messrs",
        "mme",
        "mlle",
        "mgr",
        "fr",
        "no",
        "nos",
        "vs",
        "etc",
        "inc",
        "ltd",
        "corp",
        "co",
        "bros",
        "dept",
        "est",
        "approx",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "al",
        "ave",
        "blvd",
        "mt",
        "ft",
    ]
)

_TERMINALS = ".!?…"
_BOUNDARY = re.compile(r"""[.!?…]+["”’»)\]]*(?=\s+["“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
# _BOUNDARY for a whole region at once: the lookahead's whitespace may not be a newline
# (a boundary needs its next sentence on the same line) and is captured (group 1 ends
# where the next sentence starts).
_CUT = re.compile(r"""[.!?…]+["”’»)\]]*(?=([^\S\n]+)["“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
_CUT_DOT = re.compile(r"""\.[.!?…]*["”’»)\]]*(?=([^\S\n]+)["“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
# A trimmed non-empty line: from its first to its last non-whitespace character.
_LINE = re.compile(r"\S(?:[^\n]*\S)?")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
# Possessive quantifiers: the same matches as r"\w+(?:['’\-]\w+)*" (a greedy \w+ that
# gives characters back can only end the match earlier, which the leftmost-longest
# first attempt never needs), without the engine saving backtracking points.
_WORD = re.compile(r"\w++(?:['’\-]\w++)*+")
#: The tokenizer behind :attr:`Document.tokens`, for checks that scan a part of the text
#: and must split it exactly as the tokens are split.
WORD_PATTERN = _WORD
_TOKEN_BEFORE = re.compile(r"([\w.]+)\.?$")
_MATCH_START, _MATCH_END, _MATCH_GROUP = re.Match.start, re.Match.end, re.Match.group
_new_tuple = tuple.__new__
_MISSING: Any = object()


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    # str.strip() and str.isspace() share one definition of whitespace.
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return None
    if len(stripped) == len(raw):
        return _new_tuple(Segment, (start, end, raw))
    start += len(raw) - len(raw.lstrip())
    return _new_tuple(Segment, (start, start + len(stripped), stripped))


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Non-empty lines of ``text[start:end]``, trimmed."""
    end = len(text) if end is None else end
    return _segments(_LINE.finditer(text, start, end))


def _segments(matches: Iterable[re.Match[str]]) -> list[Segment]:
    """``[Segment(m.start(), m.end(), m.group()) for m in matches]``, built in C."""
    ms = list(matches)
    return list(
        map(
            _new_tuple,
            repeat(Segment),
            zip(map(_MATCH_START, ms), map(_MATCH_END, ms), map(_MATCH_GROUP, ms), strict=True),
        )
    )


def _terminal_marks(text: str, start: int, end: int) -> list[int]:
    """Sorted offsets of the characters a sentence boundary can start with."""
    marks: list[int] = []
    find = text.find
    for ch in _TERMINALS:
        i = find(ch, start, end)
        while i >= 0:
            marks.append(i)
            i = find(ch, i + 1, end)
    marks.sort()
    return marks


#: ``_abbreviated`` verdicts by the (up to) 7 characters before the period; cleared
#: when full, so memory stays bounded.
_ABBREVIATED: dict[str, bool] = {}
_ABBREVIATED_MAX = 100_000


def _is_abbreviation(text: str, start: int, at: int) -> bool:
    """Is the period at ``at`` one after an abbreviation or a single-letter initial
    (so not a sentence end)? ``start`` bounds the look-back."""
    before = _TOKEN_BEFORE.search(text, max(start, at - 12), at + 1)
    token = before.group(1).lower().rstrip(".") if before else ""
    return token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _abbreviated(text: str, start: int, at: int) -> bool:
    """``_is_abbreviation``, memoized by ``text[max(start, at - 7):at]``.

    The verdict depends only on the run of word characters and periods that ends
    at the period (``[\\w.]+``, at most 12 characters back, not before ``start``).
    When the character before the period is not a period, the run's final period
    is the only one ``rstrip`` removes, so a run of 7 or more characters gives a
    token of 7 or more (``lower`` never shortens a string): longer than every
    abbreviation, not an initial, whatever precedes it. A shorter run lies within
    the 7 characters (bounded there by a character outside the run or by
    ``start``). Either way the key decides the verdict.
    """
    if at > start and text[at - 1] == ".":
        return _is_abbreviation(text, start, at)
    key = text[max(start, at - 7) : at]
    verdict = _ABBREVIATED.get(key)
    if verdict is None:
        verdict = _is_abbreviation(text, start, at)
        if len(_ABBREVIATED) >= _ABBREVIATED_MAX:
            _ABBREVIATED.clear()
        _ABBREVIATED[key] = verdict
    return verdict


def _boundaries(text: str, start: int, end: int) -> Iterable[re.Match[str]]:
    """``_CUT.finditer(text, start, end)``, found faster.

    A pattern that starts with a character class makes the regex engine test the
    class at every position; one that starts with a literal lets it skip ahead
    to the next occurrence. Most texts have no ``!``, ``?`` or ``…``: then every
    match starts with a period, and ``_CUT_DOT`` (``_CUT`` with a literal first
    period) finds the same matches. Otherwise the candidates are located with
    ``str.find`` and ``_CUT`` is tried only there, skipping those inside an
    earlier match (where ``finditer`` resumes).
    """
    if "!" not in text and "?" not in text and "…" not in text:
        return _CUT_DOT.finditer(text, start, end)
    out: list[re.Match[str]] = []
    match = _CUT.match
    scan = start
    for at in _terminal_marks(text, start, end):
        if at < scan:
            continue
        m = match(text, at, end)
        if m is not None:
            out.append(m)
            scan = m.end()
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of ``text[start:end]``: lines first, then terminal punctuation.

    A period after a known abbreviation or a single capital initial does not end
    a sentence. Good enough for wire copy; no model needed.

    The result is that of splitting each trimmed line at the ends of the
    ``_BOUNDARY`` matches of ``_BOUNDARY.finditer`` over that line (minus those
    after an abbreviation) and trimming the pieces; computed with two regex scans
    of the whole region and no per-piece Python code:

    * the trimmed non-empty lines are exactly the matches of ``_LINE`` (``\\S`` is
      the complement of the whitespace ``str.strip`` removes);
    * a boundary match cannot cross a line (its characters are not whitespace and
      its lookahead needs a capital after non-newline whitespace on the same
      line), so one ``_CUT.finditer`` over the region finds the same matches as one
      ``_BOUNDARY.finditer`` per line, and it resumes after each match as that does;
    * a kept boundary ends a sentence at ``m.end()`` (a non-space character before
      it) and the next sentence starts at ``m.end(1)``, after the whitespace run the
      lookahead captured (a non-space character follows), both strictly inside
      the line, so the sorted starts and the sorted ends pair up sentence by sentence;
    * the abbreviation test looks back at most 12 characters for a run of word
      characters and periods; such a run cannot reach past the line start (a
      whitespace character or the region start), so the region start bounds it
      as the line start did.
    """
    end = len(text) if end is None else end
    lines = list(_LINE.finditer(text, start, end))
    if not lines:
        return []
    starts = list(map(_MATCH_START, lines))
    ends = list(map(_MATCH_END, lines))
    cut = False
    known = _ABBREVIATED.get
    for m in _boundaries(text, start, end):
        at = m.start()
        if text[at] == ".":
            # _abbreviated(text, start, at), its cache hit inlined
            if at > start and text[at - 1] != ".":
                verdict = known(text[max(start, at - 7) : at])
                if verdict is None:
                    verdict = _abbreviated(text, start, at)
            else:
                verdict = _abbreviated(text, start, at)
            if verdict:
                continue
        ends.append(m.end())
        starts.append(m.end(1))
        cut = True
    if not cut:
        return _segments(lines)  # one sentence per line
    starts.sort()
    ends.sort()
    return list(
        map(
            _new_tuple,
            repeat(Segment),
            zip(starts, ends, map(text.__getitem__, map(slice, starts, ends)), strict=True),
        )
    )


def split_paragraphs(text: str) -> list[Segment]:
    """Blocks of text separated by blank lines."""
    out: list[Segment] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        seg = _trimmed(text, pos, m.start())
        if seg:
            out.append(seg)
        pos = m.end()
    seg = _trimmed(text, pos, len(text))
    if seg:
        out.append(seg)
    return out


def iter_words(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Word tokens (letters, digits, inner apostrophes and hyphens)."""
    end = len(text) if end is None else end
    # Built in C (map/zip over the match objects, ``tuple.__new__`` for the
    # Segments): the same list as ``[Segment(m.start(), m.end(), m.group()) ...]``.
    ms = list(_WORD.finditer(text, start, end))
    return list(
        map(
            _new_tuple,
            repeat(Segment),
            zip(map(_MATCH_START, ms), map(_MATCH_END, ms), map(_MATCH_GROUP, ms), strict=True),
        )
    )


@dataclass
class Document:
    """A text to audit, with optional source text and metadata.

    ``cache`` holds analyses shared by several checks of one run (sentence
    embeddings, name mentions); use :meth:`memo` to fill it.
    """

    id: str
    text: str
    path: str | None = None
    source: str | None = None
    source_lang: str | None = None
    line_base: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        # One dict lookup on a hit (the common case: ~50 calls per document).
        value = self.cache.get(key, _MISSING)
        if value is _MISSING:
            value = self.cache[key] = compute()
        return value

    # The properties below are ``memo`` with the compute inlined (no closure per
    # access); their values are never None, so ``get`` tells a hit from a miss.
    @property
    def words(self) -> int:
        """Whitespace-separated tokens, the unit of the score's denominator."""
        value = self.cache.get("words")
        if value is None:
            value = self.cache["words"] = len(self.text.split())
        return value

    @property
    def sentences(self) -> list[Segment]:
        value = self.cache.get("sentences")
        if value is None:
            value = self.cache["sentences"] = split_sentences(self.text)
        return value

    @property
    def paragraphs(self) -> list[Segment]:
        value = self.cache.get("paragraphs")
        if value is None:
            value = self.cache["paragraphs"] = split_paragraphs(self.text)
        return value

    @property
    def tokens(self) -> list[Segment]:
        value = self.cache.get("tokens")
        if value is None:
            value = self.cache["tokens"] = iter_words(self.text)
        return value

    @property
    def lower(self) -> str:
        """The text lower-cased, computed once for the checks that search it."""
        value = self.cache.get("lower")
        if value is None:
            value = self.cache["lower"] = self.text.lower()
        return value

    def _line_starts(self) -> list[int]:
        starts = self.cache.get("line_starts")
        if starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self.cache["line_starts"] = starts
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        starts = self._line_starts()
        index = bisect.bisect_right(starts, offset) - 1
        return self.line_base + index + 1, offset - starts[index] + 1

    def sentence_at(self, offset: int) -> Segment | None:
        """The sentence that contains ``offset``, if any."""
        sents = self.sentences
        starts = self.memo("sentence_starts", lambda: [s.start for s in sents])
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and sents[index].start <= offset < max(sents[index].end, offset + 1):
            return sents[index]
        return None
