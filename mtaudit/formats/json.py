"""``json``: one object with every document and the summary; ``jsonl``: one
document object per line, for streams."""

from __future__ import annotations

import json
import re
from typing import Any

from mtaudit.engine import DocumentReport
from mtaudit.formats import Formatter, register_format

REPORT_VERSION = 1


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """JSON with readable non-ASCII text; lone surrogates (which UTF-8 cannot
    carry) are written as ``\\udXXX`` escapes, so the output is always valid."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@register_format
class JsonFormatter(Formatter):
    name = "json"
    description = "one JSON object: documents, findings, summary and provenance"

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        report = {
            "version": REPORT_VERSION,
            "tool": self.run_info,
            "documents": [r.to_dict() for r in reports],
            "summary": summary,
        }
        self.stream.write(dumps(report, indent=1) + "\n")


@register_format
class JsonlFormatter(Formatter):
    name = "jsonl"
    description = "one JSON object per document per line (streamable)"

    def document(self, report: DocumentReport) -> None:
        self.stream.write(dumps(report.to_dict()) + "\n")
