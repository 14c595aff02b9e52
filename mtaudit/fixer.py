"""``mtaudit fix``: apply the suggestions that are safe to apply unattended.

Safe means a whitelist of codes, each with a minimum confidence: names restored
from the glossary (MT1xx), mojibake repair (MT15x), caption and credit removal
(MT3xx whose suggestion is to delete the span) and detokenizer spacing and quote
repair (MT4xx). Idioms, false friends, repetition and anything needing judgement
are never touched. Edits are applied right to left on non-overlapping spans,
only where the file still holds exactly the finding's text; the file is then
checked again until nothing safe is left (so a second run changes nothing).
"""

from __future__ import annotations

import difflib
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mtaudit.engine import Engine
from mtaudit.finding import Finding
from mtaudit.readers import InputError, ReadOptions, decode, read_bytes, reader_for

# code prefix -> minimum confidence; the longest matching prefix decides.
SAFE: dict[str, float] = {
    "MT1": 0.9,  # garbled / stripped names restored from the glossary
    "MT103": 0.85,  # case-mangled glossary names: same letters, only the case changes
    "MT15": 0.8,  # mojibake repaired by re-decoding, invisible characters removed
    "MT3": 0.8,  # leaked photo captions and credits: removal only
    "MT401": 0.9,  # space before punctuation
    "MT402": 0.9,  # spaced hyphen in a compound
    "MT403": 0.9,  # quotes with inner spaces or TeX quote marks
    "MT404": 0.9,  # split contraction
    "MT405": 0.9,  # spaced abbreviation (U. S.)
    "MT406": 0.9,  # thousands split by (thin) spaces; decimal commas stay manual
    "MT407": 0.9,  # double spaces, spaces inside brackets
}
# Families where a suggestion of "" (delete the span) is the only safe fix.
REMOVAL_ONLY = ("MT3",)
# Documents whose offsets are offsets into the file.
WHOLE_FILE_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".srt", ".vtt"}
)
MAX_PASSES = 6


def min_confidence(code: str) -> float | None:
    """The confidence a finding of ``code`` needs to be fixed, or None if never."""
    best = max((p for p in SAFE if code.startswith(p)), key=len, default=None)
    return None if best is None else SAFE[best]


def is_safe(finding: Finding) -> bool:
    threshold = min_confidence(finding.code)
    if threshold is None or finding.suggestion is None or finding.confidence < threshold:
        return False
    if finding.code.startswith(REMOVAL_ONLY):
        return finding.suggestion == ""
    return finding.suggestion != finding.text


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str
    finding: Finding


def _json_safe(text: str) -> bool:
    return json.dumps(text, ensure_ascii=False)[1:-1] == text


def plan(
    text: str, placed: Iterable[tuple[int, Finding]], *, json_value: bool = False
) -> list[Edit]:
    """Non-overlapping edits for safe findings, best confidence first. ``placed``
    pairs each finding with the file offset of its document's text."""
    candidates = []
    for base, f in placed:
        if not is_safe(f):
            continue
        start, end = base + f.start, base + f.end
        if text[start:end] != f.text:
            continue  # the file does not hold what the check saw: leave it
        replacement = f.suggestion or ""
        if json_value and not _json_safe(replacement):
            continue
        if not replacement:
            # Deleting a span between two spaces (or before punctuation) takes
            # one neighbouring space with it.
            before = text[start - 1 : start]
            after = text[end : end + 1]
            if before == " " and (after in {" ", "\n", ""} or after in ",.;:!?"):
                start -= 1
            elif after == " " and before in {"", "\n"}:
                end += 1
        candidates.append(Edit(start, end, replacement, f))
    candidates.sort(key=lambda e: (-e.finding.confidence, e.start, e.end))
    chosen: list[Edit] = []
    for e in candidates:
        if all(e.end <= c.start or c.end <= e.start for c in chosen):
            chosen.append(e)
    return sorted(chosen, key=lambda e: e.start)


def apply(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits right to left, so earlier offsets stay valid."""
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.replacement + text[e.end :]
    return text


@dataclass
class FileFix:
    path: Path
    original: str
    fixed: str
    applied: list[Finding] = field(default_factory=list)
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        name = self.path.as_posix()
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.fixed.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


def fixable(path: Path) -> bool:
    return path.suffix.lower() in WHOLE_FILE_SUFFIXES or path.suffix.lower() == ".json"


def _placed_findings(
    engine: Engine, path: Path, options: ReadOptions, shown_as: Path
) -> list[tuple[int, Finding]]:
    reader = reader_for(path)
    if reader is None:
        raise InputError(str(path), None, "unsupported file type")
    whole = path.suffix.lower() in WHOLE_FILE_SUFFIXES
    out: list[tuple[int, Finding]] = []
    docs = list(reader(path, options))
    for doc in docs:  # per-file ignores match the real path, not a scratch copy
        doc.path = str(shown_as)
    for report in engine.run(docs):
        meta_base = report.document.meta.get("_file_offset", 0 if whole else None)
        if not isinstance(meta_base, int):
            continue  # a value with escapes: offsets do not map onto the file
        out.extend((meta_base, f) for f in report.findings)
    return out


def fix_file(engine: Engine, path: Path, options: ReadOptions | None = None) -> FileFix:
    """Fix one file in memory (nothing is written) until no safe fix is left."""
    options = options or ReadOptions()
    raw = read_bytes(path)
    original = decode(raw, str(path))
    result = FileFix(path, original, original, bom=raw.startswith(b"\xef\xbb\xbf"))
    if not fixable(path):
        return result
    json_value = path.suffix.lower() == ".json"
    with tempfile.TemporaryDirectory(prefix="mtaudit-fix-") as tmp:
        current = path
        for _ in range(MAX_PASSES):
            edits = plan(
                result.fixed,
                _placed_findings(engine, current, options, path),
                json_value=json_value,
            )
            if not edits:
                break
            result.fixed = apply(result.fixed, edits)
            result.applied.extend(e.finding for e in edits)
            current = Path(tmp, path.name)
            current.write_text(result.fixed, encoding="utf-8", newline="")
    return result
