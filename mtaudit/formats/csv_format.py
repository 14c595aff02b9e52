"""``csv``: one row per finding, for spreadsheets and pandas."""

from __future__ import annotations

import csv
from typing import Any

from mtaudit.engine import DocumentReport
from mtaudit.formats import Formatter, register_format

COLUMNS = (
    "path",
    "document",
    "code",
    "category",
    "severity",
    "line",
    "col",
    "start",
    "end",
    "text",
    "message",
    "suggestion",
    "confidence",
    "score",
)
# A cell a spreadsheet would run as a formula (CSV injection); "-5" stays a number.
_FORMULA = ("=", "+", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and (
        value.startswith(_FORMULA) or (value.startswith("-") and not value[1:2].isdigit())
    ):
        return "'" + value
    return value


@register_format
class CsvFormatter(Formatter):
    name = "csv"
    description = "one CSV row per finding (path, document, code, …, suggestion)"

    def __init__(self, stream: Any, run_info: dict[str, Any], *, color: bool = False) -> None:
        super().__init__(stream, run_info, color=color)
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(COLUMNS)

    def document(self, report: DocumentReport) -> None:
        doc = report.document
        for f in report.findings:
            row = (
                doc.path or "-",
                doc.id,
                f.code,
                f.category,
                f.severity.value,
                f.line,
                f.col,
                f.start,
                f.end,
                f.text,
                f.message,
                "" if f.suggestion is None else (f.suggestion or "(remove)"),
                round(f.confidence, 3),
                report.score,
            )
            self.writer.writerow([cell(v) for v in row])
