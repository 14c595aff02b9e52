"""SubRip (.srt) and WebVTT (.vtt) subtitles: one document per file, cue text only.

Like the Markdown reader, the text keeps the file's offsets and lines: cue
numbers, timings, headers, NOTE/STYLE/REGION blocks and inline tags (``<i>``,
``<c.yellow>``, ``{\\an8}``) are overwritten with spaces and masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from mtaudit.document import Document
from mtaudit.engine import MASKED_KEY
from mtaudit.readers import InputError, ReadOptions, decode, read_bytes, register_reader
from mtaudit.readers.markup import Span, blank, merge

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING = re.compile(rf"\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"</?[A-Za-z0-9.:_-]+(?:[ \t][^<>\n]*)?>|<\d[\d:.]*>|\{\\[^}\n]*\}")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def subtitle_masks(text: str) -> tuple[list[Span], list[Span]]:
    """Spans to blank (everything but cue text) and spans to keep but mask."""
    blanks: list[Span] = []
    kept: list[Span] = []
    lines: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, pos + len(line)))
        pos += len(line)
    block: list[Span] = []
    for span in [*lines, (len(text), len(text))]:
        if span[0] < len(text) and text[span[0] : span[1]].strip():
            block.append(span)
            continue
        if block:
            timing = next(
                (i for i, (lo, hi) in enumerate(block[:3]) if _TIMING.match(text, lo, hi)), None
            )
            if timing is None:  # header, NOTE, STYLE, REGION or junk
                blanks.extend(block)
            else:
                blanks.extend(block[: timing + 1])
                for lo, hi in block[timing + 1 :]:
                    blanks.extend((m.start(), m.end()) for m in _TAG.finditer(text, lo, hi))
                    kept.extend((m.start(), m.end()) for m in _ENTITY.finditer(text, lo, hi))
            block = []
    return merge(blanks), merge(kept)


@register_reader(".srt", ".vtt")
def read_subtitles(path: Path, options: ReadOptions) -> Iterator[Document]:
    text = decode(read_bytes(path), str(path))
    blanks, kept = subtitle_masks(text)
    prose = blank(text, blanks)
    if not prose.strip():
        raise InputError(str(path), None, "no subtitle cues with text, nothing to audit")
    yield Document(
        id=path.stem, text=prose, path=str(path), meta={MASKED_KEY: merge([*blanks, *kept])}
    )
