"""Property-based robustness: arbitrary Unicode through every reader and every
fast check never raises and always yields exact spans."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.formats.json import dumps
from mtaudit.readers import InputError, ReadOptions, read_paths

ENGINE = Engine(Config(fast=True))

# Text that looks like news plus the nasty parts: controls, combining marks,
# right-to-left text, emoji, surrogates, mojibake fragments, quotes and hyphens.
PIECES = st.sampled_from(
    [
        "The ",
        "minister ",
        "Vučić ",
        "VUI ",
        "said ",
        "“ ",
        " ''",
        " , ",
        "anti -",
        "U. S. ",
        "\u0301",
        "\u200f",
        "שלום ",
        "مرحبا ",
        "😀",
        "\ufffd",
        "â€™",
        "Ã©",
        "\x00",
        "\x07",
        "\r\n",
        "\n\n",
        "  ",
        "Getty ",
        "(AFP) - ",
        "12 500 ",
        "3,5 percent ",
        "&quot;",
        "the the ",
        "Reuters ",
        "NATO ",
        "\ufeff",
        "\u202e",
        "1.",
        "?",
        "!",
        "…",
        "«",
        "»",
        "ß",
        "İ",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(PIECES, max_size=60).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join),
)


def _check(doc: Document) -> None:
    report = ENGINE.check(doc)
    for f in report.findings:
        assert 0 <= f.start < f.end <= len(doc.text)
        assert f.text == doc.text[f.start : f.end]
        assert f.line >= 1 and f.col >= 1
    json.loads(dumps(report.to_dict()))  # always serializable, lone surrogates escaped
    assert 0 <= report.score <= 100


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_every_fast_check_on_arbitrary_text(text: str) -> None:
    _check(Document(id="h", text=text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([".txt", ".jsonl", ".csv", ".tsv", ".md"]))
def test_every_reader_on_arbitrary_text(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        if suffix == ".jsonl":
            path.write_text(json.dumps({"id": "x", "text": text}) + "\n", encoding="utf-8")
        elif suffix in {".csv", ".tsv"}:
            import csv

            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter="," if suffix == ".csv" else "\t")
                writer.writerow(["id", "text"])
                writer.writerow(["x", text.replace("\x00", "")])
        else:
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            docs = list(read_paths([str(path)], ReadOptions()))
        except InputError as exc:
            assert str(exc).startswith(str(path))
            return
        for doc in docs:
            _check(doc)


def test_lone_surrogates_are_escaped_in_json() -> None:
    doc = Document(id="s", text='{"x": 1} \ud800 lone')
    text = dumps(ENGINE.check(doc).to_dict())
    text.encode("utf-8")  # would raise on a raw surrogate
    assert "\\ud800" in json.dumps(json.loads(text))


def test_one_megabyte_line() -> None:
    text = ("The minister said , in a long line  of anti -government text. " * 17000)[:1_000_000]
    _check(Document(id="big", text=text))
