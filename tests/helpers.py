"""Shared test helpers: run one rule (or all) over a text."""

from __future__ import annotations

from typing import Any

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine
from mtaudit.finding import Finding

_ENGINES: dict[tuple[Any, ...], Engine] = {}


def engine_for(select: tuple[str, ...] = (), *, fast: bool = True, **options: Any) -> Engine:
    """A cached engine (glossaries and the model load once per test session)."""
    key = (select, fast, tuple(sorted((k, repr(v)) for k, v in options.items())))
    if key not in _ENGINES:
        _ENGINES[key] = Engine(Config(select=select, fast=fast, **options))
    return _ENGINES[key]


def audit(
    text: str, select: str | tuple[str, ...] = (), *, fast: bool = True, **options: Any
) -> list[Finding]:
    """Findings of the selected rules on ``text``, with the span invariant checked."""
    sel = (select,) if isinstance(select, str) else tuple(select)
    engine = engine_for(sel, fast=fast, **options)
    doc = Document(id="t", text=text)
    report = next(engine.run([doc]))
    for f in report.findings:
        assert f.text == text[f.start : f.end], f
    return report.findings


def spans(text: str, select: str | tuple[str, ...] = (), **kw: Any) -> list[str]:
    """The text of each finding, in order."""
    return [f.text for f in audit(text, select, **kw)]
