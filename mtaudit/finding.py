"""Findings as data: what a check reports, and the severity scale."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How much a finding hurts a publication, MQM-style."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {value!r} (expected minor, major or critical)"
            ) from None


_RANK = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}
#: ``severity.value`` by a dict lookup (an enum's ``.value`` goes through a descriptor).
_SEVERITY_VALUE = {s: s.value for s in Severity}

CATEGORIES = (
    "name",
    "encoding",
    "idiom",
    "caption",
    "tokenization",
    "untranslated",
    "repetition",
    "terminology",
    "adequacy",
)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check yields: a span and what is wrong with it.

    The engine turns a hit into a :class:`Finding` by adding the rule's code,
    category and severity and the span's text, line and column. ``severity``
    overrides the rule's default for this hit.
    """

    start: int
    end: int
    message: str
    suggestion: str | None = None
    confidence: float = 1.0
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One artifact in one document. ``text == document[start:end]`` always."""

    code: str
    category: str
    severity: Severity
    start: int
    end: int
    line: int
    col: int
    text: str
    message: str
    suggestion: str | None = None
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The one serializer: the JSON contract's finding object."""
        return {
            "code": self.code,
            "category": self.category,
            "severity": _SEVERITY_VALUE[self.severity],
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "col": self.col,
            "text": self.text,
            "message": self.message,
            "suggestion": self.suggestion,
            "confidence": round(self.confidence, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            code=data["code"],
            category=data["category"],
            severity=Severity.parse(data["severity"]),
            start=int(data["start"]),
            end=int(data["end"]),
            line=int(data["line"]),
            col=int(data["col"]),
            text=data["text"],
            message=data["message"],
            suggestion=data.get("suggestion"),
            confidence=float(data.get("confidence", 1.0)),
        )
