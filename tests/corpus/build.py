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
``heldout`` by a deterministic greedy stratification (categories, language).

usage: python tests/corpus/build.py [--check]
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from mtaudit.finding import CATEGORIES as FINDING_CATEGORIES

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
OUT = HERE / "corpus.jsonl"
CATEGORIES = frozenset(FINDING_CATEGORIES)  # the JSON contract's categories
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


def _categories(doc: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in doc["spans"]:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    return counts


def assign_splits(docs: list[dict[str, Any]]) -> None:
    """Split into ``tune`` and ``heldout``, stratified by category and language.

    Greedy and deterministic: documents with the rarest categories go first; each
    goes to the half where it leaves the gold-span counts per category (then the
    clean-document count, the language count and the document count) most even.
    A ``split`` given in the header is kept.
    """
    totals: dict[str, int] = {}
    for doc in docs:
        for cat, n in _categories(doc).items():
            totals[cat] = totals.get(cat, 0) + n

    def rarity(doc: dict[str, Any]) -> tuple[float, str]:
        cats = _categories(doc)
        rarest = min((totals[c] for c in cats), default=10**6)
        return (rarest, hashlib.sha1(doc["id"].encode()).hexdigest())

    halves = ("tune", "heldout")
    spans = {h: dict.fromkeys(totals, 0) for h in halves}
    langs: dict[str, dict[str, int]] = {h: {} for h in halves}
    count = dict.fromkeys(halves, 0)
    clean = dict.fromkeys(halves, 0)

    def add(doc: dict[str, Any], half: str) -> None:
        for cat, n in _categories(doc).items():
            spans[half][cat] += n
        lang = doc["source_lang"]
        langs[half][lang] = langs[half].get(lang, 0) + 1
        count[half] += 1
        clean[half] += not doc["spans"]

    fixed = [d for d in docs if d["split"]]
    for doc in fixed:
        add(doc, doc["split"])
    for doc in sorted((d for d in docs if not d["split"]), key=rarity):
        best = None
        for half in halves:
            other = halves[1 - halves.index(half)]
            cats = _categories(doc)
            span_gap = sum(abs(spans[half][c] + cats.get(c, 0) - spans[other][c]) for c in totals)
            clean_gap = abs(clean[half] + (not doc["spans"]) - clean[other])
            lang = doc["source_lang"]
            lang_gap = langs[half].get(lang, 0) + 1 - langs[other].get(lang, 0)
            key = (span_gap, clean_gap, lang_gap, count[half] - count[other], halves.index(half))
            if best is None or key < best[0]:
                best = (key, half)
        assert best is not None
        doc["split"] = best[1]
        add(doc, best[1])


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
