"""Run the selected checks over documents: findings, suppression, scores."""

from __future__ import annotations

import bisect
import fnmatch
import operator
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtaudit import __version__
from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.embeddings import MODEL_NAME, Embedder
from mtaudit.finding import Finding, Hit, Severity
from mtaudit.glossary import Glossaries
from mtaudit.registry import Rule, select_rules
from mtaudit.scoring import penalty as total_penalty
from mtaudit.scoring import score as mqm_score
from mtaudit.scoring import signature

_INLINE = re.compile(r"mtaudit:\s*ignore(-file)?\b[ \t]*((?:MT\d{1,3}[ \t,]*)*)", re.IGNORECASE)
# A part of every _INLINE match (same flags), led by a literal the regex engine can
# skip to: no match of it, no directive.
_DIRECTIVE_HINT = re.compile(r":\s*ignore", re.IGNORECASE)


@dataclass
class Context:
    """What a check may use besides the document: options, glossaries, the model."""

    config: Config = field(default_factory=Config)
    glossaries: Glossaries = field(default_factory=Glossaries)
    embedder: Embedder | None = None
    rule: Rule | None = None

    @property
    def source_lang(self) -> str | None:
        return self.config.source_lang

    @property
    def fast(self) -> bool:
        return self.embedder is None

    def options(self, code: str | None = None) -> dict[str, Any]:
        code = code or (self.rule.code if self.rule else "")
        return self.config.options(code)

    def option(self, name: str, default: Any, code: str | None = None) -> Any:
        if not self.config.checks:
            return default  # no [checks.*] options at all (the usual case)
        return self.options(code).get(name, default)


@dataclass
class DocumentReport:
    document: Document
    findings: list[Finding]
    suppressed: int = 0
    error: str | None = None
    #: ``mtaudit: ignore`` directives that matched no finding ("line N: MT301").
    unused_suppressions: list[str] = field(default_factory=list)

    @property
    def penalty(self) -> float:
        return total_penalty(self.findings)

    @property
    def score(self) -> float:
        return mqm_score(self.penalty, self.document.words)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.document.id,
            "path": self.document.path,
            "words": self.document.words,
            "penalty": self.penalty,
            "score": self.score,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error:
            out["error"] = self.error
        return out


#: A record field (JSONL/CSV column, kept in ``Document.meta``) listing codes to
#: ignore in that record, e.g. ``"mtaudit_ignore": "MT301,MT4"``.
IGNORE_FIELD = "mtaudit_ignore"
#: ``Document.meta`` key of spans a reader blanked out (markup, code, timings):
#: findings starting or ending inside them are not about the prose.
MASKED_KEY = "_mtaudit_masked"
_COMMENT_BEFORE = {"", "<!--", "#", "//", "/*", "{#", "%", ";", "--", "{/*"}
_COMMENT_AFTER = {"", "-->", "*/", "#}", "*/}"}
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Directive:
    """One suppression: the codes it ignores and the lines it covers (empty =
    the whole document). ``line`` is where it is written (0 = a record field)."""

    line: int
    codes: frozenset[str]
    lines: frozenset[int] = frozenset()

    def matches(self, finding: Finding) -> bool:
        return (not self.lines or finding.line in self.lines) and any(
            finding.code.startswith(p) for p in self.codes
        )

    def describe(self) -> str:
        where = f"line {self.line}" if self.line else f"field {IGNORE_FIELD!r}"
        return f"{where}: {','.join(sorted(self.codes))}"


def _codes(text: str) -> frozenset[str]:
    return frozenset(c.upper() for c in re.findall(r"MT\d{1,3}", text, re.IGNORECASE))


def suppressions(doc: Document) -> list[Directive]:
    """Every suppression of a document: ``mtaudit: ignore MT301`` covers its own
    line (and the next line when the directive stands alone on its line, e.g. a
    Markdown/HTML comment above a paragraph), ``mtaudit: ignore-file MT3`` the
    whole document, and a record's ``mtaudit_ignore`` field the whole record. A
    directive without codes ignores everything."""
    out: list[Directive] = []
    field_value = doc.meta.get(IGNORE_FIELD) if doc.meta else None
    if isinstance(field_value, (list, tuple)):
        field_value = ",".join(str(v) for v in field_value)
    if isinstance(field_value, str) and field_value.strip():
        out.append(Directive(0, _codes(field_value) or frozenset({"MT"})))
    text = doc.text
    if _DIRECTIVE_HINT.search(text) is None:
        return out  # no directive can match: the common case, found in one fast scan
    # The lower-cased text a check memoized, when there is one.
    lowered = doc.cache.get("lower")
    if "mtaudit" not in (text.lower() if lowered is None else lowered):
        return out
    for m in _INLINE.finditer(text):
        codes = _codes(m.group(2)) or frozenset({"MT"})
        line = doc.position(m.start())[0]
        if m.group(1):
            out.append(Directive(line, codes))
            continue
        covered = {line}
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if (
            text[line_start : m.start()].strip() in _COMMENT_BEFORE
            and text[m.end() : line_end].strip() in _COMMENT_AFTER
        ):
            pos = line_end + 1
            while pos < len(text):
                nl = text.find("\n", pos)
                nl = len(text) if nl < 0 else nl
                if text[pos:nl].strip():
                    covered.add(doc.position(pos)[0])
                    break
                pos = nl + 1
        out.append(Directive(line, codes, frozenset(covered)))
    return out


def _masked(findings: list[Finding], spans: Sequence[tuple[int, int]]) -> list[Finding]:
    """Drop findings that start or end inside a masked span, or that are only
    whitespace next to one (the blanks a reader left where markup was)."""
    if not spans:
        return findings
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    starts = [lo for lo, _ in merged]

    def touching(lo: int, hi: int) -> bool:
        """Does [lo, hi) overlap a masked span? (Disjoint and sorted, so only the
        last span starting before ``hi`` can.)"""
        i = bisect.bisect_left(starts, hi) - 1
        return i >= 0 and merged[i][1] > lo

    def prose_words(f: Finding) -> int:
        """Words of the finding outside masked spans."""
        i = bisect.bisect_left(starts, f.start)
        pos, words = f.start, 0
        while i < len(merged) and merged[i][0] < f.end:
            words += len(_WORDS.findall(f.text, pos - f.start, merged[i][0] - f.start))
            pos = merged[i][1]
            i += 1
        return words + len(_WORDS.findall(f.text, max(0, pos - f.start)))

    out = []
    for f in findings:
        if touching(f.start, f.start + 1) or touching(f.end - 1, f.end):
            continue
        if not f.text.strip() and touching(f.start - 1, f.end + 1):
            continue
        if touching(f.start, f.end) and prose_words(f) < 3:
            continue  # a short finding across blanked markup is about the blanks
        out.append(f)
    return out


class Engine:
    """Runs checks. Build one per run; it caches glossaries and the model."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        embedder: Embedder | None = None,
        profile: bool = False,
    ) -> None:
        self.config = config or Config()
        # profile=True: seconds spent per rule code (check + prepare), for `make bench`.
        self.timings: dict[str, float] | None = {} if profile else None
        self.rules: list[Rule] = select_rules(
            self.config.select, self.config.ignore, fast=self.config.fast
        )
        self.selected = {r.code for r in self.rules}
        self._plan_cache: tuple[list[Rule], list[tuple[Rule, Any, bool]]] | None = None
        if embedder is None and not self.config.fast:
            embedder = Embedder(self.config.model)  # loads on first encode only
        self.context = Context(
            config=self.config,
            glossaries=Glossaries(self.config.glossaries),
            embedder=None if self.config.fast else embedder,
        )

    # -- provenance ---------------------------------------------------------------
    def signature(self) -> str:
        return signature(
            version=__version__,
            codes=self.selected,
            glossary_hashes=self.context.glossaries.hashes(),
            model=None
            if self.config.fast
            else (self.context.embedder.name if self.context.embedder else MODEL_NAME),
            source_lang=self.config.source_lang,
        )

    def run_info(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "signature": self.signature(),
            "checks": sorted(self.selected),
            "glossaries": self.context.glossaries.hashes(),
            "model": None
            if self.config.fast
            else (self.context.embedder.name if self.context.embedder else None),
            "fast": self.config.fast,
            "source_lang": self.config.source_lang,
        }

    # -- running ------------------------------------------------------------------
    def _severity(self, code: str, category: str, default: Severity) -> Severity:
        overrides = self.config.severity
        return overrides.get(code) or overrides.get(category) or default

    def _to_finding(self, doc: Document, rule: Rule, hit: Hit) -> Finding | None:
        text = doc.text
        start = max(0, min(hit.start, len(text)))
        end = max(start, min(hit.end, len(text)))
        if end == start:
            return None
        line, col = doc.position(start)
        severity = hit.severity or rule.severity
        overrides = self.config.severity
        if overrides:
            severity = overrides.get(rule.code) or overrides.get(rule.category) or severity
        # Positional, in field order (cheaper than keywords for a frozen dataclass).
        return Finding(
            rule.code,
            rule.category,
            severity,
            start,
            end,
            line,
            col,
            text[start:end],
            hit.message,
            hit.suggestion,
            min(1.0, max(0.0, hit.confidence)),
        )

    def _file_ignores(self, doc: Document) -> set[str]:
        if not doc.path or not self.config.per_file_ignores:
            return set()
        out: set[str] = set()
        for pattern, codes in self.config.per_file_ignores.items():
            if fnmatch.fnmatch(doc.path, pattern) or fnmatch.fnmatch(doc.path, f"*/{pattern}"):
                out.update(c.upper() for c in codes)
        return out

    def prepare(self, docs: Sequence[Document]) -> None:
        """Give batch-capable checks all documents at once (one model call)."""
        for rule in self.rules:
            if rule.prepare is not None:
                self.context.rule = rule
                began = time.perf_counter()
                rule.prepare(docs, self.context)
                self._timed(rule.code, began)
        self.context.rule = None

    def _timed(self, code: str, began: float) -> None:
        if self.timings is not None:
            self.timings[code] = self.timings.get(code, 0.0) + time.perf_counter() - began

    def _plan(self) -> list[tuple[Rule, Any, bool]]:
        """(rule, check function, needs a source) per rule, built once per rule list
        (``self.rules`` may be replaced, e.g. by the evaluation's timing wrappers)."""
        rules = self.rules
        cached = self._plan_cache
        if cached is None or cached[0] is not rules or len(cached[1]) != len(rules):
            cached = (rules, [(r, r.func, r.requires_source) for r in rules])
            self._plan_cache = cached
        return cached[1]

    def check(self, doc: Document) -> DocumentReport:
        findings: list[Finding] = []
        append = findings.append
        ctx = self.context
        to_finding = self._to_finding
        timings = self.timings
        has_source = bool(doc.source)
        for rule, func, needs_source in self._plan():
            if needs_source and not has_source:
                continue
            ctx.rule = rule
            if timings is None:
                for hit in func(doc, ctx):
                    finding = to_finding(doc, rule, hit)
                    if finding is not None:
                        append(finding)
            else:
                began = time.perf_counter()
                for hit in func(doc, ctx):
                    finding = to_finding(doc, rule, hit)
                    if finding is not None:
                        append(finding)
                self._timed(rule.code, began)
        ctx.rule = None
        if findings:
            if len(findings) > 1:
                findings = resolve_overlaps(findings, self.rules)
            masked = doc.meta.get(MASKED_KEY) if doc.meta else None
            if masked:
                findings = _masked(findings, masked)
        file_codes = self._file_ignores(doc) if doc.path else None
        directives = suppressions(doc)
        unused: list[str] = []
        if not directives and not file_codes:
            kept = findings  # the common case: nothing to suppress
        else:
            used: set[int] = set()
            kept = []
            for f in findings:
                hits = [i for i, d in enumerate(directives) if d.matches(f)]
                used.update(hits)
                if not hits and not any(f.code.startswith(p) for p in file_codes or ()):
                    kept.append(f)
            unused = [
                d.describe()
                for i, d in enumerate(directives)
                if i not in used and any(c.startswith(tuple(d.codes)) for c in self.selected)
            ]
        if len(kept) > 1:
            kept.sort(key=_finding_order)
        # Analyses are per run of one document; free memory. The word count (the
        # score's denominator, asked for again when the report is scored) stays.
        cache = doc.cache
        if cache:
            words = cache.get("words")
            cache.clear()
            if words is not None:
                cache["words"] = words
        return DocumentReport(
            doc, kept, suppressed=len(findings) - len(kept), unused_suppressions=unused
        )

    def run(self, docs: Iterable[Document], batch_size: int = 64) -> Iterator[DocumentReport]:
        """Check documents in batches so embedding checks see many at once."""
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run_batch(batch)
                batch = []
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, batch: list[Document]) -> Iterator[DocumentReport]:
        self.prepare(batch)
        for doc in batch:
            yield self.check(doc)


def _finding_order(f: Finding) -> tuple[int, int, str]:
    return (f.start, f.end, f.code)


_SUPERSEDING: list[tuple[Sequence[Rule], list[Rule], dict[str, tuple[str, ...]]]] = []


def _superseding(rules: Sequence[Rule]) -> dict[str, tuple[str, ...]]:
    """``{code: supersedes}`` of the rules that declare it; computed once per rule
    list (the list and a copy of it are kept, so a list changed in place is seen)."""
    for seen, copy, table in _SUPERSEDING:
        if seen is rules and len(copy) == len(rules) and all(map(operator.is_, copy, rules)):
            return table
    table = {r.code: r.supersedes for r in rules if r.supersedes}
    _SUPERSEDING[:] = [(rules, list(rules), table)]
    return table


def resolve_overlaps(findings: list[Finding], rules: Sequence[Rule]) -> list[Finding]:
    """Drop exact duplicates, and findings superseded by an overlapping finding of a
    rule that declares ``supersedes`` (one artifact, one finding)."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for f in findings:
        key = (f.code, f.start, f.end)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    superseding = _superseding(rules)
    if not superseding:
        return unique
    winners = [f for f in unique if f.code in superseding]
    out = []
    for f in unique:
        beaten = any(
            w is not f
            and f.code.startswith(tuple(superseding[w.code]))
            and f.start < w.end
            and w.start < f.end
            for w in winners
        )
        if not beaten:
            out.append(f)
    return out


def summarize(reports: Sequence[DocumentReport], failed: bool) -> dict[str, Any]:
    by_category: dict[str, int] = {}
    by_severity: dict[str, int] = {}
    for r in reports:
        for f in r.findings:
            by_category[f.category] = by_category.get(f.category, 0) + 1
            by_severity[f.severity.value] = by_severity.get(f.severity.value, 0) + 1
    scores = [r.score for r in reports if not r.error]
    return {
        "documents": len(reports),
        "findings": sum(len(r.findings) for r in reports),
        "by_category": dict(sorted(by_category.items())),
        "by_severity": by_severity,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "min_score": min(scores) if scores else None,
        "errors": sum(1 for r in reports if r.error),
        "suppressed": sum(r.suppressed for r in reports),
        "unused_suppressions": [
            f"{r.document.path or r.document.id}[{r.document.id}] {u}"
            for r in reports
            for u in r.unused_suppressions
        ],
        "failed": failed,
    }


def gate(reports: Sequence[DocumentReport], config: Config) -> bool:
    """True when the build fails: a score under ``fail_under`` or a finding at or
    above ``fail_on``."""
    for r in reports:
        if config.fail_under is not None and r.score < config.fail_under:
            return True
        if config.fail_on is not None and any(
            f.severity.rank >= config.fail_on.rank for f in r.findings
        ):
            return True
    return False
