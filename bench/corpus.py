"""A synthetic wire corpus for the benchmark, built from the stories in ``samples/``.

Each generated story starts from one source story (rotating through them) and is
varied so that no two are alike and the embedding cache cannot flatter the numbers:
the body paragraphs are shuffled, sentences inside a paragraph are shuffled now and
then, a sentence may be swapped for one from another story, numbers are replaced
by random ones of the same length, and capitalised names are swapped for other
names seen in the corpus.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtaudit.document import split_paragraphs, split_sentences  # noqa: E402

_NUMBER = re.compile(r"\d+")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}\b")


def _source_files(clean: bool = False) -> list[Path]:
    for folder in (ROOT / "samples", ROOT.parent / "shared" / "seed"):
        files = sorted(folder.glob("*-clean.txt" if clean else "*.txt")) if folder.is_dir() else []
        files = [f for f in files if f.read_text(encoding="utf-8").strip()]
        if files:
            return files
    if clean:
        raise SystemExit("bench: no clean stories (samples/*-clean.txt)")
    raise SystemExit("bench: no stories found in samples/ or ../shared/seed/")


def source_texts(clean: bool = False) -> list[str]:
    """The stories to vary: ``samples/*.txt`` (else the shared seed story); with
    ``clean``, only the samples that hold no MT error (``samples/*-clean.txt``)."""
    return [f.read_text(encoding="utf-8") for f in _source_files(clean)]


def source_label() -> str:
    files = _source_files()
    return f"{len(files)} stories in {files[0].parent.relative_to(ROOT.parent)}/"


@dataclass
class Stats:
    documents: int = 0
    sentences: int = 0
    bytes: int = 0


class StoryMaker:
    def __init__(self, texts: list[str], seed: int = 13) -> None:
        self.rng = random.Random(seed)
        self.stories = [
            [[s.text for s in split_sentences(p.text)] for p in split_paragraphs(t)] for t in texts
        ]
        self.pool = [s for story in self.stories for para in story for s in para]
        self.names = sorted({m.group(0) for t in texts for m in _NAME.finditer(t)}) or ["Smith"]

    def _vary(self, sentence: str) -> str:
        rng = self.rng
        sentence = _NUMBER.sub(
            lambda m: (
                str(rng.randrange(10 ** (len(m.group(0)) - 1), 10 ** len(m.group(0))))
                if len(m.group(0)) < 6
                else m.group(0)
            ),
            sentence,
        )
        return _NAME.sub(
            lambda m: rng.choice(self.names) if rng.random() < 0.3 else m.group(0), sentence
        )

    def story(self, index: int) -> str:
        rng = self.rng
        base = self.stories[index % len(self.stories)]
        lede, body = base[0], list(base[1:])
        rng.shuffle(body)
        paragraphs = []
        for para in [lede, *body]:
            sentences = list(para)
            if len(sentences) > 1 and rng.random() < 0.3:
                rng.shuffle(sentences)
            sentences = [rng.choice(self.pool) if rng.random() < 0.1 else s for s in sentences]
            paragraphs.append(" ".join(self._vary(s) for s in sentences))
        return "\n\n".join(paragraphs) + "\n"


def stories(target_bytes: int, seed: int = 13, clean: bool = False) -> Iterator[tuple[str, str]]:
    """(id, text) pairs until ``target_bytes`` of UTF-8 text."""
    maker = StoryMaker(source_texts(clean), seed)
    total, i = 0, 0
    while total < target_bytes:
        text = maker.story(i)
        total += len(text.encode("utf-8"))
        yield f"story-{i:06d}", text
        i += 1


def _po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def build(
    folder: Path, megabytes: float, seed: int = 13, clean: bool = False
) -> tuple[dict[str, Path], Stats]:
    """Write the same text as JSONL (for mtaudit), PO (for pofilter, one unit per
    sentence, msgid = msgstr) and plain text (for the regex floor). ``clean`` varies
    only the error-free samples."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"{megabytes:g}mb" + ("-clean" if clean else "")
    paths = {
        "jsonl": folder / f"wire-{tag}.jsonl",
        "po": folder / f"wire-{tag}.po",
        "txt": folder / f"wire-{tag}.txt",
    }
    stats = Stats()
    with (
        paths["jsonl"].open("w", encoding="utf-8") as jl,
        paths["po"].open("w", encoding="utf-8") as po,
        paths["txt"].open("w", encoding="utf-8") as txt,
    ):
        po.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        for doc_id, text in stories(int(megabytes * 1_000_000), seed, clean):
            jl.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            txt.write(text + "\n")
            sentences = split_sentences(text)
            for n, s in enumerate(sentences):
                esc = _po_escape(s.text)
                po.write(f'#: {doc_id}:{n}\nmsgid "{esc}"\nmsgstr "{esc}"\n\n')
            stats.documents += 1
            stats.sentences += len(sentences)
            stats.bytes += len(text.encode("utf-8"))
    return paths, stats


def malformed_csv(path: Path, rows: int = 100_000, bad_row: int | None = None) -> int:
    """A CSV of ``rows`` short stories with one malformed row (an extra field) in the
    middle; returns the bad row's index."""
    bad = rows // 2 if bad_row is None else bad_row
    maker = StoryMaker(source_texts())
    paragraphs = [" ".join(p) for story in maker.stories for p in story]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text"])
        for i in range(rows):
            text = maker._vary(paragraphs[i % len(paragraphs)])
            writer.writerow([f"row-{i}", text, "stray field"] if i == bad else [f"row-{i}", text])
    return bad
