"""The fast segmentation in mtaudit.document gives exactly what the plain
implementations it replaced give (kept here as the reference)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from mtaudit.document import (
    ABBREVIATIONS,
    Document,
    Segment,
    iter_words,
    split_lines,
    split_paragraphs,
    split_sentences,
)

_BOUNDARY = re.compile(r"""[.!?…]+["”’»)\]]*(?=\s+["“‘«(\[]?[A-Z0-9À-ÖØ-Þ])""")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_TOKEN_BEFORE = re.compile(r"([\w.]+)\.?$")
ROOT = Path(__file__).resolve().parent.parent


def ref_trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end, text[start:end]) if start < end else None


def ref_lines(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    end = len(text) if end is None else end
    out: list[Segment] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        seg = ref_trimmed(text, pos, stop)
        if seg:
            out.append(seg)
        pos = stop + 1
    return out


def ref_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    out: list[Segment] = []
    for line in ref_lines(text, start, end):
        pos = line.start
        for m in _BOUNDARY.finditer(text, line.start, line.end):
            if text[m.start()] == ".":
                before = _TOKEN_BEFORE.search(text, max(line.start, m.start() - 12), m.start() + 1)
                token = before.group(1).lower().rstrip(".") if before else ""
                if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                    continue
            seg = ref_trimmed(text, pos, m.end())
            if seg:
                out.append(seg)
            pos = m.end()
        seg = ref_trimmed(text, pos, line.end)
        if seg:
            out.append(seg)
    return out


def ref_paragraphs(text: str) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        seg = ref_trimmed(text, pos, m.start())
        if seg:
            out.append(seg)
        pos = m.end()
    seg = ref_trimmed(text, pos, len(text))
    if seg:
        out.append(seg)
    return out


def ref_words(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    end = len(text) if end is None else end
    return [Segment(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    corpus = ROOT / "tests" / "corpus" / "corpus.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as stream:
            texts += [json.loads(line)["text"] for line in stream if line.strip()]
    rng = random.Random(7)
    alphabet = [
        *"ab Z0é.!?…\"”’»)]([“‘«'-\n\t\u00a0\u2028\u3000\u200b",
        "Mr.",
        "U.S.",
        " J. ",
        "etc.",
        "...",
        " . ",
        "\n\n",
        "co-op",
        "don’t",
        "x_y",
    ]
    for _ in range(4000):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
    return texts


def test_segmentation_matches_the_reference() -> None:
    for text in _texts():
        assert split_sentences(text) == ref_sentences(text), text
        assert split_lines(text) == ref_lines(text), text
        assert split_paragraphs(text) == ref_paragraphs(text), text
        words = iter_words(text)
        assert words == ref_words(text), text
        assert all(type(w) is Segment for w in words)
        for a in range(0, max(0, len(text) - 15), 5):
            assert split_sentences(text, a, a + 15) == ref_sentences(text, a, a + 15), text
            assert iter_words(text, a, a + 15) == ref_words(text, a, a + 15), text


def test_document_properties_are_the_segmentation() -> None:
    text = "Mr. Smith left .\n\nHe said “no.” Then  went home!  "
    doc = Document(id="d", text=text)
    assert doc.sentences == ref_sentences(text)
    assert doc.paragraphs == ref_paragraphs(text)
    assert doc.tokens == ref_words(text)
    assert doc.words == len(text.split())
