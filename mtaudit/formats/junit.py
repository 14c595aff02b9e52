"""``junit``: JUnit XML for CI test dashboards (GitLab, Jenkins, Azure): one
testcase per document, one failure per finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from mtaudit.engine import DocumentReport
from mtaudit.formats import Formatter, register_format

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _testcase(parent: ET.Element, report: DocumentReport) -> None:
    doc = report.document
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": xml_safe(doc.path or "-"),
            "name": xml_safe(doc.id),
            "file": xml_safe(doc.path or "-"),
            "time": "0",
        },
    )
    if report.error:
        err = ET.SubElement(case, "error", {"message": xml_safe(report.error), "type": "input"})
        err.text = xml_safe(report.error)
        return
    for f in report.findings:
        where = f"{doc.path or doc.id}:{f.line}:{f.col}"
        failure = ET.SubElement(
            case,
            "failure",
            {
                "message": xml_safe(f"{f.code} {f.message}"),
                "type": f"{f.code} {f.severity.value}",
            },
        )
        lines = [f"{where}: {f.code} [{f.category}, {f.severity.value}] {f.message}"]
        lines.append(f"text: {f.text}")
        if f.suggestion is not None:
            lines.append(f"suggestion: {f.suggestion or '(remove)'}")
        failure.text = xml_safe("\n".join(lines))
    props = ET.SubElement(case, "properties")
    for name, value in (("score", report.score), ("words", doc.words)):
        ET.SubElement(props, "property", {"name": name, "value": str(value)})


@register_format
class JunitFormatter(Formatter):
    name = "junit"
    description = "JUnit XML: one testcase per document, a failure per finding"

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        failures = sum(len(r.findings) for r in reports)
        errors = sum(1 for r in reports if r.error)
        attrs = {
            "name": "mtaudit",
            "tests": str(len(reports)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": "0",
        }
        root = ET.Element("testsuites", attrs)
        suite = ET.SubElement(root, "testsuite", attrs)
        props = ET.SubElement(suite, "properties")
        for name in ("version", "signature"):
            ET.SubElement(props, "property", {"name": name, "value": str(self.run_info.get(name))})
        for report in reports:
            _testcase(suite, report)
        ET.indent(root, space=" ")
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(root, encoding="unicode") + "\n")
