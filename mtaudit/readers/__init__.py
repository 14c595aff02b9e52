"""Readers turn files into Documents; one module per format, registered by suffix.

A reader is ``read(path, options) -> Iterator[Document]``. It raises
:class:`InputError` (with file and line) for input it cannot use; the CLI turns
that into ``mtaudit: error: FILE:LINE: what is wrong`` and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mtaudit.document import Document


class InputError(ValueError):
    """Input that cannot be audited; ``str()`` is the one-line message."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ReadOptions:
    text_field: str = "text"
    id_field: str = "id"
    source_field: str = "source"
    lang_field: str = "source_lang"


ReaderFn = Callable[[Path, ReadOptions], Iterator[Document]]
_READERS: dict[str, ReaderFn] = {}
# Reader modules imported on first use, so optional dependencies stay optional.
_MODULES = ("text", "tables")
_LAZY: dict[str, str] = {}


def register_reader(*suffixes: str) -> Callable[[ReaderFn], ReaderFn]:
    def decorate(func: ReaderFn) -> ReaderFn:
        for suffix in suffixes:
            _READERS[suffix.lower()] = func
        return func

    return decorate


def register_lazy(module: str, *suffixes: str) -> None:
    """Declare that ``mtaudit.readers.<module>`` reads these suffixes, without importing it."""
    for suffix in suffixes:
        _LAZY[suffix.lower()] = module


register_lazy("parquet", ".parquet")
register_lazy("markup", ".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".xhtml")
register_lazy("i18n", ".json", ".arb", ".yaml", ".yml")
register_lazy("subtitles", ".srt", ".vtt")
register_lazy("l10n", ".po", ".pot", ".xliff", ".xlf")


def _load() -> None:
    for name in _MODULES:
        importlib.import_module(f"mtaudit.readers.{name}")


def reader_for(path: Path) -> ReaderFn | None:
    _load()
    suffix = path.suffix.lower()
    if suffix not in _READERS and suffix in _LAZY:
        importlib.import_module(f"mtaudit.readers.{_LAZY[suffix]}")
    return _READERS.get(suffix)


def supported_suffixes() -> list[str]:
    _load()
    return sorted(set(_READERS) | set(_LAZY))


#: The largest single document audited. Checks that compare sentences pairwise
#: make one giant "document" (a whole dump on one line) slow for little value;
#: larger input is refused with a clear message (split it into stories).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def check_document_size(size: int, path: str, line: int | None = None) -> None:
    """Refuse a single document larger than :data:`MAX_DOCUMENT_BYTES`."""
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(
            path,
            line,
            f"document too large ({size / 2**20:.1f} MB; the limit for one document is "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB): split it into stories or records",
        )


def decode(data: bytes, path: str) -> str:
    """UTF-8 text with a leading BOM removed; binary and non-UTF-8 input is an error."""
    if b"\x00" in data[:8192]:
        raise InputError(path, None, "binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); convert it to UTF-8 first"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), None, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError(str(path), None, "is a directory") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror}") from None


def iter_files(path: Path) -> Iterator[Path]:
    """Files under a directory that some reader handles, sorted, hidden ones skipped."""
    for child in sorted(path.rglob("*")):
        rel = child.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if child.is_file() and reader_for(child) is not None:
            yield child


def read_paths(paths: Iterable[str], options: ReadOptions | None = None) -> Iterator[Document]:
    """Documents from files, directories (recursive) and ``-`` (stdin), lazily."""
    options = options or ReadOptions()
    for item in paths:
        if item == "-":
            data = sys.stdin.buffer.read()
            text = decode(data, "<stdin>")
            yield Document(id="stdin", text=text, path="-")
            continue
        path = Path(item)
        if path.is_dir():
            yield from _read_dir(path, options)
        elif not path.exists():
            raise InputError(item, None, "no such file or directory")
        else:
            reader = reader_for(path)
            if reader is None:
                raise InputError(
                    item,
                    None,
                    f"unsupported file type {path.suffix or '(none)'!r}; "
                    f"supported: {', '.join(supported_suffixes())}",
                )
            yield from reader(path, options)


def _read_dir(path: Path, options: ReadOptions) -> Iterator[Document]:
    for file in iter_files(path):
        reader = reader_for(file)
        assert reader is not None
        yield from reader(file, options)
