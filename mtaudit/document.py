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

_BOUNDARY = re.compile(r"""[.!?…]+["”’»)\]]*(?=\s+["“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_TOKEN_BEFORE = re.compile(r"([\w.]+)\.?$")


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end, text[start:end]) if start < end else None


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Non-empty lines of ``text[start:end]``, trimmed."""
    end = len(text) if end is None else end
    out: list[Segment] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        seg = _trimmed(text, pos, stop)
        if seg:
            out.append(seg)
        pos = stop + 1
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Sentences of ``text[start:end]``: lines first, then terminal punctuation.

    A period after a known abbreviation or a single capital initial does not end
    a sentence. Good enough for wire copy; no model needed.
    """
    out: list[Segment] = []
    for line in split_lines(text, start, end):
        pos = line.start
        for m in _BOUNDARY.finditer(text, line.start, line.end):
            if text[m.start()] == ".":
                before = _TOKEN_BEFORE.search(text, max(line.start, m.start() - 12), m.start() + 1)
                token = before.group(1).lower().rstrip(".") if before else ""
                if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                    continue
            seg = _trimmed(text, pos, m.end())
            if seg:
                out.append(seg)
            pos = m.end()
        seg = _trimmed(text, pos, line.end)
        if seg:
            out.append(seg)
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
    return [Segment(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


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
