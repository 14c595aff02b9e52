"""Output formats as plug-ins, registered by name.

A formatter receives the run's provenance, then each document's report as it is
made (so ``jsonl`` can stream), then the summary. The CLI's ``--format`` choices
come from this registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import IO, Any, ClassVar

from mtaudit.engine import DocumentReport


class Formatter:
    """Base class: override :meth:`document` and/or :meth:`finish`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: True when the format is meant for a terminal (colour, progress on stderr).
    human: ClassVar[bool] = False

    def __init__(self, stream: IO[str], run_info: dict[str, Any], *, color: bool = False) -> None:
        self.stream = stream
        self.run_info = run_info
        self.color = color

    def document(self, report: DocumentReport) -> None:
        """Called once per document, in input order."""

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        """Called once at the end with every report and the summary."""


_FORMATS: dict[str, type[Formatter]] = {}


def register_format(cls: type[Formatter]) -> type[Formatter]:
    if not cls.name:
        raise ValueError("a formatter needs a name")
    _FORMATS[cls.name] = cls
    return cls


def _load() -> None:
    import mtaudit.formats as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


def format_names() -> list[str]:
    _load()
    return sorted(_FORMATS)


def get_format(name: str) -> type[Formatter]:
    _load()
    try:
        return _FORMATS[name]
    except KeyError:
        raise KeyError(
            f"unknown format {name!r}; choose from {', '.join(sorted(_FORMATS))}"
        ) from None


FormatterFactory = Callable[..., Formatter]
