"""Build ``corpus.jsonl`` from the marked-up sources in ``src/``.

Source format (``src/<anything>.md``, several documents per file)::

    === id: de-01 | lang: de
    BERLIN - The minister said {idiom|that is not my beer} and {name|Sder} left.

    === id: de-02 | lang: de | split: heldout
    A clean story ...

A gold span is ``{category|text}``; ``{encoding/name|PoznaÅ„}`` labels it
``encoding`` and also accepts ``name`` findings as a correct detection. Spans may
nest (a caption holding a garbled name). Offsets are computed here, never by hand.
Without a ``split`` in the header, documents are split into ``tune`` and
``heldout`` by alternating within strata (main category, then language).

usage: python tests/corpus/build.py [--check]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "corpus.jsonl"
CATEGORIES = {
    "name",
    "encoding",
    "idiom",
    "caption",
    "tokenization",
    "untranslated",
    "repetition",
    "terminology",
    "adequacy",
}
_HEADER = re.compile(r"^=== (.*)$")
_OPEN = re.compile(r"\{([a-z]+(?:/[a-z]+)*)\|")


class MarkupError(ValueError):
    pass


def parse_markup(marked: str, where: str = "") -> tuple[str, list[dict[str, Any]]]:
    """Plain text and gold spans from ``{category|text}`` markup."""
    out: list[str] = []
    length = 0
    stack: list[tuple[list[str], int]] = []
    spans: list[dict[str, Any]] = []
    i = 0
    while i < len(marked):
        m = _OPEN.match(marked, i)
        if m:
            cats = m.group(1).split("/")
            for c in cats:
                if c not in CATEGORIES:
                    raise MarkupError(f"{where}: unknown category {c!r}")
            stack.append((cats, length))
            i = m.end()
            continue
        ch = marked[i]
        if ch == "}":
            if not stack:
                raise MarkupError(f"{where}: unbalanced '}}' near {marked[max(0, i - 30) : i]!r}")
            cats, start = stack.pop()
            text = "".join(out)[start:length]
            if not text.strip() or text != text.strip():
                raise MarkupError(f"{where}: empty or padded span {text!r}")
            span: dict[str, Any] = {
                "category": cats[0],
                "start": start,
                "end": length,
                "text": text,
            }
            if len(cats) > 1:
                span["also"] = cats[1:]
            spans.append(span)
            i += 1
            continue
        if ch == "{":
            raise MarkupError(f"{where}: stray '{{' near {marked[i : i + 30]!r}")
        out.append(ch)
        length += 1
        i += 1
    if stack:
        raise MarkupError(f"{where}: unclosed span")
    spans.sort(key=lambda s: (s["start"], s["end"]))
    return "".join(out), spans


def parse_file(path: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    header: dict[str, str] | None = None
    body: list[str] = []

    def flush() -> None:
        if header is None:
            return
        where = f"{path.name}:{header.get('id')}"
        text, spans = parse_markup("\n".join(body).strip("\n") + "\n", where)
        if "id" not in header or "lang" not in header:
            raise MarkupError(f"{where}: header needs id and lang")
        docs.append(
            {
                "id": header["id"],
                "source_lang": header["lang"],
                "split": header.get("split"),
                "text": text,
                "spans": spans,
            }
        )

    for line in path.read_text(encoding="utf-8").splitlines():
        m = _HEADER.match(line)
        if m:
            flush()
            header = {}
            for part in m.group(1).split("|"):
                key, _, value = part.partition(":")
                header[key.strip()] = value.strip()
            body = []
        elif header is not None:
            body.append(line)
    flush()
    return docs


def _main_category(doc: dict[str, Any]) -> str:
    if not doc["spans"]:
        return "clean"
    counts: dict[str, int] = {}
    for s in doc["spans"]:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    return min(counts, key=lambda c: (-counts[c], c))


def assign_splits(docs: list[dict[str, Any]]) -> None:
    """Alternate tune/heldout within each main-category stratum, ordered by language
    and a stable hash, so both halves see every category and most languages."""
    strata: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        strata.setdefault(_main_category(doc), []).append(doc)
    flip = 0
    for key in sorted(strata):
        group = sorted(
            strata[key],
            key=lambda d: (d["source_lang"], hashlib.sha1(d["id"].encode()).hexdigest()),
        )
        for doc in group:
            if not doc["split"]:
                doc["split"] = ("tune", "heldout")[flip % 2]
                flip += 1


def build() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(SRC.glob("*.md")):
        docs.extend(parse_file(path))
    ids = [d["id"] for d in docs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise MarkupError(f"duplicate ids: {sorted(dupes)}")
    assign_splits(docs)
    docs.sort(key=lambda d: d["id"])
    return docs


def dumps(docs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)


def main(argv: list[str]) -> int:
    try:
        docs = build()
    except MarkupError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    text = dumps(docs)
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("corpus.jsonl is out of date: run python tests/corpus/build.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    clean = sum(1 for d in docs if not d["spans"])
    langs = sorted({d["source_lang"] for d in docs})
    cats: dict[str, int] = {}
    for d in docs:
        for s in d["spans"]:
            cats[s["category"]] = cats.get(s["category"], 0) + 1
    short = [d["id"] for d in docs if not 80 <= len(d["text"].split()) <= 300]
    print(
        f"{len(docs)} documents ({clean} clean) in {len(langs)} languages {langs}; "
        f"spans {dict(sorted(cats.items()))}; "
        f"tune {sum(d['split'] == 'tune' for d in docs)}, "
        f"heldout {sum(d['split'] == 'heldout' for d in docs)}"
    )
    if short:
        print(f"outside 80-300 words: {short}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
