"""Benchmark the name checks (MT1xx) with a large entity glossary.

Builds a synthetic glossary of ``--entries`` names (Latin letters with
diacritics, like Central European and Turkish names) on top of the default
glossary, and ``--mb`` megabytes of wire-like documents that mention some of
them, correctly and garbled. Then runs ``--fast`` name checks over all documents
and prints entries, MB, seconds and MB/s. No timing asserts: a report, not a test.

    .venv/bin/python bench/bench_names.py --entries 50000 --mb 10
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.names_index import delete_non_ascii_letters, strip_marks

_SYLLABLES = (
    *("ka", "ro", "vi", "če", "ša", "lo", "mi", "ně", "zu", "ba", "de", "ló", "gy"),
    *("ő", "ić", "ov", "ski", "ła", "nd", "rę", "tá", "gü", "ş", "ır", "ko", "pe"),
)
_FILLER = re.findall(
    r"\w+",
    "the government said on Monday that talks with officials would continue next week "
    "while opposition parties called for an early election and protesters marched "
    "through the capital demanding reforms to the budget and the energy sector",
)


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

    return f"{word()} {word()}"


def make_glossary(path: Path, entries: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < entries:
        name = _name(rng)
        if name not in seen:
            seen.add(name)
            names.append(name)
    with path.open("w", encoding="utf-8") as out:
        out.write("canonical,type,variants,note\n")
        for name in names:
            out.write(f"{name},person,,synthetic\n")
    return names


def make_documents(names: list[str], megabytes: float, rng: random.Random) -> list[Document]:
    docs: list[Document] = []
    total = 0
    target = int(megabytes * 1_000_000)
    while total < target:
        parts: list[str] = []
        for _ in range(40):
            sentence = rng.sample(_FILLER, 12)
            name = rng.choice(names)
            roll = rng.random()
            if roll < 0.05:
                name = delete_non_ascii_letters(name)
            elif roll < 0.10:
                name = strip_marks(name)
            elif roll < 0.12:
                name = name.upper()
            sentence.insert(rng.randint(1, 10), name)
            parts.append(" ".join(sentence).capitalize() + ".")
        text = " ".join(parts)
        docs.append(Document(id=f"d{len(docs)}", text=text))
        total += len(text.encode("utf-8"))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        glossary = Path(tmp) / "synthetic.csv"
        names = make_glossary(glossary, args.entries, rng)
        docs = make_documents(names, args.mb, rng)
        size = sum(len(d.text.encode("utf-8")) for d in docs) / 1_000_000
        engine = Engine(Config(select=("MT1",), fast=True, glossaries=(str(glossary),)))
        t0 = time.perf_counter()
        entries = len(engine.context.glossaries.rows("entities"))
        from mtaudit.checks.names import _index  # build the automaton once, timed apart

        _index(engine.context)
        t1 = time.perf_counter()
        findings = sum(len(r.findings) for r in engine.run(docs))
        t2 = time.perf_counter()
    print(f"entries   {entries:,} (glossary + default)")
    print(f"documents {len(docs):,}")
    print(f"MB        {size:.1f}")
    print(f"index     {t1 - t0:.2f} s (load + Aho-Corasick build)")
    print(f"check     {t2 - t1:.2f} s")
    print(f"MB/s      {size / (t2 - t1):.2f}")
    print(f"findings  {findings:,}")


if __name__ == "__main__":
    main()
