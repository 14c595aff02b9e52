"""Markdown and HTML: one document per file, only the prose is audited.

Offsets and lines stay true to the original file: the document's text is the
file's text with everything that is not prose (front matter, code blocks and
spans, tags, URLs, script/style) overwritten by spaces of the same length,
newlines kept. Those spans, plus HTML comments and character references (kept
as written so ``mtaudit: ignore`` directives still work), are listed in
``Document.meta`` so the engine drops findings that start or end inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from mtaudit.document import Document
from mtaudit.engine import MASKED_KEY
from mtaudit.readers import InputError, ReadOptions, decode, read_bytes, register_reader

Span = tuple[int, int]


def blank(text: str, spans: Iterable[Span]) -> str:
    """``text`` with each span overwritten by spaces, newlines kept."""
    chars = list(text)
    for lo, hi in spans:
        for i in range(lo, hi):
            if chars[i] not in "\r\n":
                chars[i] = " "
    return "".join(chars)


def merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for lo, hi in sorted(s for s in spans if s[1] > s[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


# -- Markdown -----------------------------------------------------------------------

_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\r?\n.*?^\1[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REF_DEF = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^<>\s]*>")
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]]+")


def _line_spans(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def markdown_masks(text: str) -> tuple[list[Span], list[Span]]:
    """Spans to blank (code, front matter, markup) and spans to keep but mask
    (comments, which may hold ``mtaudit: ignore`` directives)."""
    blanks: list[Span] = []
    front = _FRONT.match(text)
    if front:
        blanks.append((0, front.end()))
    lines = _line_spans(text)
    fence: str | None = None
    fence_start = 0
    prev_blank = True
    prev_text = ""
    for lo, hi in lines:
        if front and lo < front.end():
            continue
        line = text[lo:hi].rstrip("\r\n")
        if fence is not None:
            m = _FENCE.match(line)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if m and closes and not line[m.end() :].strip():
                blanks.append((fence_start, hi))
                fence = None
                prev_blank, prev_text = True, ""
            continue
        m = _FENCE.match(line)
        if m:
            fence, fence_start = m.group(1), lo
            continue
        is_blank = not line.strip()
        indented = line.startswith(("    ", "\t")) and not is_blank
        if indented and prev_blank and not _LIST_ITEM.match(prev_text):
            blanks.append((lo, hi))  # an indented code block line
            continue
        if not is_blank:
            prev_text = line if not line.startswith((" ", "\t")) else prev_text
        prev_blank = is_blank
    if fence is not None:  # unclosed fence: code to the end, as CommonMark says
        blanks.append((fence_start, len(text)))
    blanked = merge(blanks)
    rest = blank(text, blanked)
    kept: list[Span] = [(m.start(), m.end()) for m in _COMMENT.finditer(rest)]
    no_comments = blank(rest, kept)
    for pattern in (_INLINE_CODE, _AUTOLINK, _TAG, _LINK_TARGET, _REF_DEF, _BARE_URL):
        for m in pattern.finditer(no_comments):
            blanks.append((m.start(), m.end()))
        no_comments = blank(
            no_comments, [(m.start(), m.end()) for m in pattern.finditer(no_comments)]
        )
    return merge(blanks), kept


def markdown_document(text: str, path: str, doc_id: str) -> Document:
    blanks, kept = markdown_masks(text)
    return Document(
        id=doc_id,
        text=blank(text, blanks),
        path=path,
        meta={MASKED_KEY: merge([*blanks, *kept])},
    )


@register_reader(".md", ".markdown", ".mdown", ".mkd")
def read_markdown(path: Path, options: ReadOptions) -> Iterator[Document]:
    text = decode(read_bytes(path), str(path))
    if not text.strip():
        raise InputError(str(path), None, "empty file, nothing to audit")
    yield markdown_document(text, str(path), path.stem)


# -- HTML ---------------------------------------------------------------------------

# Elements whose content is not prose to audit.
SKIP_ELEMENTS = frozenset(
    {"script", "style", "code", "pre", "kbd", "samp", "var", "template", "svg", "math", "noscript"}
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class _TextNodes(HTMLParser):
    """Collects the offsets of text nodes outside skipped elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.stack: list[tuple[str, bool]] = []  # (tag, skips its content)
        self.keep: list[Span] = []
        self.masked_kept: list[Span] = []

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    @property
    def skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        values = dict(attrs)
        skip = (
            tag in SKIP_ELEMENTS
            or (values.get("translate") or "").lower() == "no"
            or "notranslate" in (values.get("class") or "").split()
        )
        self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data and not self.skipping:
            start = self._at()
            if self.text.startswith(data, start):
                self.keep.append((start, start + len(data)))

    def _reference(self, raw_len: int) -> None:
        if not self.skipping:
            start = self._at()
            self.keep.append((start, start + raw_len))
            self.masked_kept.append((start, start + raw_len))

    def handle_entityref(self, name: str) -> None:
        end = self._at() + len(name) + 1
        self._reference(len(name) + 1 + (1 if self.text[end : end + 1] == ";" else 0))

    def handle_charref(self, name: str) -> None:
        end = self._at() + len(name) + 2
        self._reference(len(name) + 2 + (1 if self.text[end : end + 1] == ";" else 0))

    def handle_comment(self, data: str) -> None:
        start = self._at()
        end = self.text.find("-->", start)
        end = len(self.text) if end < 0 else end + 3
        self.keep.append((start, end))
        self.masked_kept.append((start, end))


def html_document(text: str, path: str, doc_id: str) -> Document:
    parser = _TextNodes(text)
    parser.feed(text)
    parser.close()
    keep = merge(parser.keep)
    blanks: list[Span] = []
    pos = 0
    for lo, hi in keep:
        if lo > pos:
            blanks.append((pos, lo))
        pos = hi
    if pos < len(text):
        blanks.append((pos, len(text)))
    return Document(
        id=doc_id,
        text=blank(text, blanks),
        path=path,
        meta={MASKED_KEY: merge([*blanks, *parser.masked_kept])},
    )


@register_reader(".html", ".htm", ".xhtml")
def read_html(path: Path, options: ReadOptions) -> Iterator[Document]:
    text = decode(read_bytes(path), str(path))
    if not text.strip():
        raise InputError(str(path), None, "empty file, nothing to audit")
    yield html_document(text, str(path), path.stem)
