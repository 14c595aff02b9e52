"""``github``: GitHub Actions workflow commands, shown as annotations on the
pull request's diff (``::error file=…,line=…,col=…,title=MT201::message``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mtaudit.engine import DocumentReport
from mtaudit.finding import Finding, Severity
from mtaudit.formats import Formatter, register_format
from mtaudit.formats.sarif import artifact_uri, file_column

COMMANDS = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}
# Low-confidence findings are hints, not warnings.
NOTICE_BELOW = 0.5


def escape_data(text: str) -> str:
    """The message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command_for(f: Finding) -> str:
    return "notice" if f.confidence < NOTICE_BELOW else COMMANDS[f.severity]


def annotation(report: DocumentReport, f: Finding) -> str:
    doc = report.document
    end_line, end_col = doc.position(f.end)
    props = {
        "file": artifact_uri(doc.path, doc.id),
        "line": str(f.line),
        "endLine": str(end_line),
        "title": f"{f.code} ({f.category}, {f.severity.value})",
    }
    if end_line == f.line:  # GitHub accepts columns only on one-line annotations
        props["col"] = str(file_column(doc, f.line, f.col))
        props["endColumn"] = str(file_column(doc, end_line, end_col))
    message = f.message
    if f.suggestion is not None:
        message += f" — suggestion: {f.suggestion or '(remove)'}"
    if doc.path and doc.id != Path(doc.path).stem:  # a record or an i18n key
        message = f"[{doc.id}] {message}"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{command_for(f)} {head}::{escape_data(message)}"


@register_format
class GithubFormatter(Formatter):
    name = "github"
    description = "GitHub Actions annotations (::error file=…,line=…::message)"

    def document(self, report: DocumentReport) -> None:
        doc = report.document
        if report.error:
            file = escape_property(artifact_uri(doc.path, doc.id))
            self.stream.write(f"::error file={file},title=mtaudit::{escape_data(report.error)}\n")
            return
        for f in report.findings:
            self.stream.write(annotation(report, f) + "\n")

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        status = "failed" if summary.get("failed") else "passed"
        text = (
            f"mtaudit: {summary['documents']} document(s), {summary['findings']} finding(s), "
            f"mean score {summary['mean_score']}; gate {status}"
        )
        self.stream.write(f"::notice title=mtaudit::{escape_data(text)}\n")
