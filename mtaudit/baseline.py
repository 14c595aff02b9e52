"""What counts for the CI gate: stable fingerprints, baselines of accepted
findings, and only the lines changed since a git ref.

A fingerprint hashes the code, the finding's text and a little context around it
(whitespace-normalized), never line numbers, so it survives lines moving and
unrelated edits elsewhere in the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtaudit.document import Document
from mtaudit.engine import DocumentReport
from mtaudit.finding import Finding

BASELINE_VERSION = 1
CONTEXT = 24
_SPACE = re.compile(r"\s+")


class BaselineError(ValueError):
    """A baseline file or a git diff that cannot be used; ``str()`` is one line."""


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def fingerprint(doc: Document, finding: Finding) -> str:
    """A hex digest of code + finding text + nearby text, independent of position."""
    text = doc.text
    # Context from the finding's own line only, so lines added or removed
    # around it leave the fingerprint alone.
    line_start = text.rfind("\n", 0, finding.start) + 1
    line_end = text.find("\n", finding.end)
    line_end = len(text) if line_end < 0 else line_end
    before = _norm(text[max(line_start, finding.start - CONTEXT) : finding.start])
    after = _norm(text[finding.end : min(line_end, finding.end + CONTEXT)])
    key = "\x1f".join((finding.code, _norm(finding.text), before[-16:], after[:16]))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def document_key(doc: Document) -> str:
    """Where a document lives, stable across runs: a cwd-relative POSIX path plus
    the id for files holding many documents."""
    path = doc.path or "-"
    if path != "-":
        try:
            path = os.path.relpath(os.path.abspath(path))
        except ValueError:  # another drive on Windows
            path = os.path.abspath(path)
        path = Path(path).as_posix()
    return f"{path}::{doc.id}"


def report_entries(report: DocumentReport) -> list[dict[str, Any]]:
    doc = report.document
    key = document_key(doc)
    return [
        {
            "document": key,
            "code": f.code,
            "fingerprint": fingerprint(doc, f),
            "line": f.line,
            "text": f.text,
        }
        for f in report.findings
    ]


def write_baseline(reports: Iterable[DocumentReport], stream: Any, version: str) -> int:
    """Write the baseline JSON of every finding; returns how many were written."""
    entries = [e for r in reports for e in report_entries(r)]
    data = {"version": BASELINE_VERSION, "mtaudit": version, "findings": entries}
    stream.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return len(entries)


@dataclass
class Baseline:
    """Accepted findings, counted per (document, code, fingerprint) so that a
    second identical finding in the same place is still new."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
        except json.JSONDecodeError as exc:
            raise BaselineError(
                f"{path}:{exc.lineno}: malformed baseline JSON: {exc.msg}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise BaselineError(f"{path}: not an mtaudit baseline (no 'findings' list)")
        counts: Counter[tuple[str, str, str]] = Counter()
        for i, entry in enumerate(data["findings"]):
            try:
                counts[(entry["document"], entry["code"], entry["fingerprint"])] += 1
            except (KeyError, TypeError):
                raise BaselineError(f"{path}: bad entry #{i + 1} in 'findings'") from None
        return cls(counts)

    def filter(self, report: DocumentReport) -> tuple[DocumentReport, int]:
        """The report without baselined findings, and how many were removed."""
        doc = report.document
        key = document_key(doc)
        left = Counter({k: v for k, v in self.counts.items() if k[0] == key})
        kept: list[Finding] = []
        for f in report.findings:
            k = (key, f.code, fingerprint(doc, f))
            if left[k] > 0:
                left[k] -= 1
            else:
                kept.append(f)
        removed = len(report.findings) - len(kept)
        return _replace_findings(report, kept), removed


def _replace_findings(report: DocumentReport, findings: list[Finding]) -> DocumentReport:
    out = DocumentReport(
        report.document, findings, suppressed=report.suppressed, error=report.error
    )
    for name in ("unused_suppressions",):  # optional fields of newer engines
        if hasattr(report, name):
            setattr(out, name, getattr(report, name))
    return out


# -- only what changed since a git ref ------------------------------------------------

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def parse_hunks(diff: str) -> set[int]:
    """New-file line numbers touched by a ``git diff -U0`` output."""
    lines: set[int] = set()
    for m in _HUNK.finditer(diff):
        start = int(m.group(1))
        count = 1 if m.group(2) is None else int(m.group(2))
        lines.update(range(start, start + count))
    return lines


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise BaselineError("--diff needs git, which is not installed") from None


class ChangedLines:
    """Lines changed since ``ref`` per file (``None`` = the whole file is new)."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self._cache: dict[str, set[int] | None] = {}
        self._checked: set[str] = set()

    def _verify_repo(self, folder: Path) -> None:
        key = str(folder)
        if key in self._checked:
            return
        top = _git(["rev-parse", "--show-toplevel"], folder)
        if top.returncode != 0:
            raise BaselineError(f"--diff {self.ref}: {folder} is not inside a git repository")
        ref = _git(["rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}"], folder)
        if ref.returncode != 0:
            raise BaselineError(f"--diff {self.ref}: unknown git revision")
        self._checked.add(key)

    def lines(self, path: str) -> set[int] | None:
        if path in self._cache:
            return self._cache[path]
        file = Path(path).resolve()
        folder = file.parent
        self._verify_repo(folder)
        tracked = _git(["ls-files", "--error-unmatch", "--", file.name], folder)
        in_ref = _git(["cat-file", "-e", f"{self.ref}:./{file.name}"], folder)
        result: set[int] | None
        if tracked.returncode != 0 or in_ref.returncode != 0:
            result = None  # new since the ref: every line counts
        else:
            diff = _git(
                ["diff", "-U0", "--no-color", "--no-ext-diff", self.ref, "--", file.name], folder
            )
            if diff.returncode != 0:
                raise BaselineError(f"--diff {self.ref}: git diff failed: {diff.stderr.strip()}")
            result = parse_hunks(diff.stdout)
        self._cache[path] = result
        return result

    def filter(self, report: DocumentReport) -> tuple[DocumentReport, int]:
        """Keep findings that touch a changed line; returns the report and how many
        were dropped. Documents without a file path (stdin) are kept whole."""
        doc = report.document
        if not doc.path or doc.path == "-":
            return report, 0
        changed = self.lines(doc.path)
        if changed is None:
            return report, 0
        kept = []
        for f in report.findings:
            last = doc.position(max(f.start, f.end - 1))[0]
            if any(line in changed for line in range(f.line, last + 1)):
                kept.append(f)
        return _replace_findings(report, kept), len(report.findings) - len(kept)


class GateFilter:
    """What ``check --baseline FILE --diff REF`` keeps: findings not in the
    baseline and on lines changed since the ref; counts what it dropped."""

    def __init__(self, baseline: str | None = None, diff_ref: str | None = None) -> None:
        self.baseline = Baseline.load(baseline) if baseline else None
        self.changed = ChangedLines(diff_ref) if diff_ref else None
        self.baselined = 0
        self.outside_diff = 0

    @property
    def active(self) -> bool:
        return self.baseline is not None or self.changed is not None

    def __call__(self, report: DocumentReport) -> DocumentReport:
        if self.changed is not None:
            report, n = self.changed.filter(report)
            self.outside_diff += n
        if self.baseline is not None:
            report, n = self.baseline.filter(report)
            self.baselined += n
        return report

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.baseline is not None:
            out["baselined"] = self.baselined
        if self.changed is not None:
            out["diff_ref"] = self.changed.ref
            out["outside_diff"] = self.outside_diff
        return out
