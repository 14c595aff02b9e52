"""Plain text: one document per file, id = the file stem (Markdown: ``markup.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from mtaudit.document import Document
from mtaudit.readers import (
    InputError,
    ReadOptions,
    check_document_size,
    decode,
    read_bytes,
    register_reader,
)


@register_reader(".txt", ".text")
def read_text(path: Path, options: ReadOptions) -> Iterator[Document]:
    with contextlib.suppress(OSError):  # read_bytes reports unreadable files
        check_document_size(path.stat().st_size, str(path))
    text = decode(read_bytes(path), str(path))
    if not text.strip():
        raise InputError(str(path), None, "empty file, nothing to audit")
    yield Document(id=path.stem, text=text, path=str(path))
