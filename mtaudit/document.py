"""Documents and their segments (sentences, paragraphs, words) as spans.

Every span is a pair of Python ``str`` offsets into ``Document.text``, end
exclusive, so a finding built from a span always satisfies
``text == document.text[start:end]``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
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


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    # str.strip() and str.isspace() share one definition of whitespace.
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return None
    if len(stripped) == len(raw):
        return Segment(start, end, raw)
    start += len(raw) - len(raw.lstrip())
    return Segment(start, start + len(stripped), stripped)


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Non-empty lines of ``text[start:end]``, trimmed."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    pos = start
    find = text.find
    while pos < end:
        nl = find("\n", pos, end)
        stop = end if nl < 0 else nl
        seg = _trimmed(text, pos, stop)
        if seg:
            out.append(seg)
        pos = stop + 1
    return out


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


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of ``text[start:end]``: lines first, then terminal punctuation.

    A period after a known abbreviation or a single capital initial does not end
    a sentence. Good enough for wire copy; no model needed.

    The boundaries are those of ``_BOUNDARY.finditer`` over each line, found faster:
    a match can only start at a terminal character (located with ``str.find``), so
    the regex is tried only there, skipping characters an earlier match consumed.
    """
    out: list[Segment] = []
    append = out.append
    lines = split_lines(text, start, end)
    if not lines:
        return out
    marks = _terminal_marks(text, lines[0].start, lines[-1].end)
    k, nmarks = 0, len(marks)
    match = _BOUNDARY.match
    for line in lines:
        ls, le = line.start, line.end
        while k < nmarks and marks[k] < ls:
            k += 1
        pos = scan = ls
        while k < nmarks and marks[k] < le:
            at = marks[k]
            k += 1
            if at < scan:
                continue  # inside the previous match (finditer resumes after it)
            m = match(text, at, le)
            if m is None:
                continue
            scan = m_end = m.end()
            if text[at] == ".":
                before = _TOKEN_BEFORE.search(text, max(ls, at - 12), at + 1)
                token = before.group(1).lower().rstrip(".") if before else ""
                if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                    continue
            seg = _trimmed(text, pos, m_end)
            if seg:
                append(seg)
            pos = m_end
        if pos == ls:
            append(line)  # no boundary: the (trimmed) line is one sentence
            continue
        seg = _trimmed(text, pos, le)
        if seg:
            append(seg)
    return out


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
        if key not in self.cache:
            self.cache[key] = compute()
        value: T = self.cache[key]
        return value

    @property
    def words(self) -> int:
        """Whitespace-separated tokens, the unit of the score's denominator."""
        return self.memo("words", lambda: len(self.text.split()))

    @property
    def sentences(self) -> list[Segment]:
        return self.memo("sentences", lambda: split_sentences(self.text))

    @property
    def paragraphs(self) -> list[Segment]:
        return self.memo("paragraphs", lambda: split_paragraphs(self.text))

    @property
    def tokens(self) -> list[Segment]:
        return self.memo("tokens", lambda: iter_words(self.text))

    @property
    def lower(self) -> str:
        """The text lower-cased, computed once for the checks that search it."""
        return self.memo("lower", self.text.lower)

    def _line_starts(self) -> list[int]:
        def compute() -> list[int]:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            return starts

        return self.memo("line_starts", compute)

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
