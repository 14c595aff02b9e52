"""``text``: the human report, with rich — location, code, severity, message,
the text in context with the span highlighted, and the suggestion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from mtaudit.engine import DocumentReport
from mtaudit.finding import Finding, Severity
from mtaudit.formats import Formatter, register_format
from mtaudit.formats.sarif import file_column

COLORS = {Severity.MINOR: "cyan", Severity.MAJOR: "yellow", Severity.CRITICAL: "bold red"}
CONTEXT = 40


def context_line(text: str, finding: Finding, width: int = CONTEXT) -> Text:
    """The finding's span with up to ``width`` characters either side, on one line."""
    lo = max(0, finding.start - width)
    hi = min(len(text), finding.end + width)
    before = text[lo : finding.start].replace("\n", " ")
    inside = text[finding.start : finding.end].replace("\n", " ")
    after = text[finding.end : hi].replace("\n", " ")
    out = Text("    ")
    out.append(("…" if lo > 0 else "") + before, style="dim")
    out.append(inside, style="bold underline")
    out.append(after + ("…" if hi < len(text) else ""), style="dim")
    return out


@register_format
class TextFormatter(Formatter):
    name = "text"
    description = "human-readable report (rich), the default"
    human = True

    def __init__(self, stream: Any, run_info: dict[str, Any], *, color: bool = False) -> None:
        super().__init__(stream, run_info, color=color)
        self.console = Console(
            file=stream,
            force_terminal=color,
            no_color=not color,
            highlight=False,
            soft_wrap=True,
            width=200 if not color else None,
        )

    def document(self, report: DocumentReport) -> None:
        doc = report.document
        where = doc.path if doc.path and doc.path != "-" else doc.id
        if doc.path and doc.path != "-" and doc.id != Path(doc.path).stem:
            where = f"{doc.path}[{doc.id}]"  # a record, a PO unit or an i18n key
        if report.error:
            self.console.print(f"[bold red]{escape(where)}: error: {escape(report.error)}[/]")
            return
        for f in report.findings:
            color = COLORS[f.severity]
            self.console.print(
                f"[bold]{escape(where)}:{f.line}:{file_column(doc, f.line, f.col)}[/] "
                f"[{color}]{f.code}[/] "
                f"[{color}]{f.severity.value}[/] {escape(f.message)}"
            )
            self.console.print(context_line(doc.text, f))
            if f.suggestion is not None:
                shown = f.suggestion if f.suggestion else "(remove)"
                self.console.print(f"    [green]suggestion:[/] {escape(shown)}")
        if report.findings:
            self.console.print(
                f"  [dim]{escape(doc.id)}: score {report.score} "
                f"(penalty {report.penalty}, {doc.words} words)[/]\n"
            )

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        cats = ", ".join(f"{k} {v}" for k, v in summary["by_category"].items()) or "none"
        status = "[bold red]FAILED[/]" if summary["failed"] else "[bold green]passed[/]"
        self.console.print(
            f"{summary['documents']} document(s), {summary['findings']} finding(s) ({cats}); "
            f"mean score {summary['mean_score']}; {status}"
        )
