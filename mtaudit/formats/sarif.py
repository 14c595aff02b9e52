"""``sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure).

Rules carry each code's name, help text and default level; results carry a
physical location (line/column and character offset/length) and a stable
``partialFingerprints`` entry that does not depend on line numbers. When the run
was compared with a baseline (``check --baseline FILE``), every result carries
``baselineState: "new"`` (findings in the baseline are not reported at all), so
dashboards can tell a baselined run's results from a plain run's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mtaudit import __version__
from mtaudit.baseline import fingerprint
from mtaudit.document import Document
from mtaudit.engine import DocumentReport
from mtaudit.finding import Finding, Severity
from mtaudit.formats import Formatter, register_format
from mtaudit.formats.json import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/mtaudit/"
FINGERPRINT_KEY = "mtaudit/v1"
LEVELS = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}
# Readers whose documents are the whole file, so text offsets are file offsets.
WHOLE_FILE_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".srt", ".vtt"}
)


def file_offset(doc: Document) -> int | None:
    """Where the document's text starts in its file, in characters, when known
    (i18n readers record it for values written without escapes)."""
    if "_file_offset" in doc.meta:
        base = doc.meta["_file_offset"]
        return base if isinstance(base, int) else None
    if doc.path and Path(doc.path).suffix.lower() in WHOLE_FILE_SUFFIXES:
        return 0
    return None


def artifact_uri(path: str | None, fallback: str) -> str:
    """A relative POSIX URI for files under the current directory, else absolute."""
    if not path or path == "-":
        return fallback
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full)
    except ValueError:
        rel = full
    if rel.startswith(".."):
        return Path(full).as_uri()
    return Path(rel).as_posix()


def _safe(f: Finding) -> bool:
    from mtaudit.fixer import is_safe

    return is_safe(f)


def file_column(doc: Document, line: int, col: int) -> int:
    """A column in the file: values read out of i18n files start mid-line."""
    base = doc.meta.get("_col_base")
    if isinstance(base, int) and line == doc.line_base + 1:
        return col + base
    return col


def rule_descriptors() -> list[dict[str, Any]]:
    from mtaudit.registry import all_rules

    out = []
    for rule in all_rules():
        help_text = rule.explain()
        out.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary or rule.name},
                "fullDescription": {"text": " ".join(x for x in (rule.summary, rule.why) if x)},
                "help": {
                    "text": help_text,
                    "markdown": f"**{rule.code} {rule.name}** ({rule.category})\n\n"
                    f"{rule.summary}\n\n*Why:* {rule.why}\n\n"
                    f"*Bad:* {rule.bad}\n\n*Good:* {rule.good}",
                },
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {
                    "category": rule.category,
                    "severity": rule.severity.value,
                    "tags": ["mtaudit", rule.category],
                },
            }
        )
    return out


def sarif_result(
    report: DocumentReport,
    f: Finding,
    rule_index: dict[str, int],
    baseline_state: str | None = None,
) -> dict[str, Any]:
    doc = report.document
    end_line, end_col = doc.position(f.end)
    message = f.message
    if f.suggestion is not None:
        message += f" (suggestion: {f.suggestion!r})" if f.suggestion else " (suggestion: remove)"
    region: dict[str, Any] = {
        "startLine": f.line,
        "startColumn": file_column(doc, f.line, f.col),
        "endLine": end_line,
        "endColumn": file_column(doc, end_line, end_col),
    }
    base = file_offset(doc)
    if base is not None:
        region["charOffset"] = base + f.start
        region["charLength"] = f.end - f.start
    region["snippet"] = {"text": f.text}
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(doc.path, doc.id)},
                    "region": region,
                },
                "logicalLocations": [{"name": doc.id, "kind": "object"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(doc, f)},
        "properties": {
            "category": f.category,
            "severity": f.severity.value,
            "confidence": round(f.confidence, 3),
            "document": doc.id,
        },
    }
    if f.code in rule_index:
        result["ruleIndex"] = rule_index[f.code]
    if baseline_state is not None:
        result["baselineState"] = baseline_state
    if base is not None and _safe(f):
        # What `mtaudit fix` would do, for SARIF viewers that apply fixes.
        result["fixes"] = [
            {
                "description": {
                    "text": f"Replace with {f.suggestion!r}" if f.suggestion else "Remove"
                },
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": artifact_uri(doc.path, doc.id)},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "charOffset": base + f.start,
                                    "charLength": f.end - f.start,
                                },
                                "insertedContent": {"text": f.suggestion or ""},
                            }
                        ],
                    }
                ],
            }
        ]
    if f.suggestion is not None:
        result["properties"]["suggestion"] = f.suggestion
    return result


@register_format
class SarifFormatter(Formatter):
    name = "sarif"
    description = "SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)"

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        rules = rule_descriptors()
        rule_index = {r["id"]: i for i, r in enumerate(rules)}
        # Baselined findings are dropped before formatting: what is left is new.
        state = "new" if "baselined" in summary else None
        results = [sarif_result(r, f, rule_index, state) for r in reports for f in r.findings]
        notifications = [
            {
                "level": "error",
                "message": {"text": f"{r.document.path or r.document.id}: {r.error}"},
            }
            for r in reports
            if r.error
        ]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "mtaudit",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFO_URI,
                    "rules": rules,
                }
            },
            "invocations": [
                {
                    "executionSuccessful": not summary.get("errors"),
                    "toolExecutionNotifications": notifications,
                }
            ],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"summary": summary, "signature": self.run_info.get("signature")},
        }
        log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
        self.stream.write(dumps(log, indent=1) + "\n")
