"""Record formats: JSON Lines and CSV/TSV, one document per record.

The text comes from ``--text-field`` (default ``text``), the id from
``--id-field`` (default ``id``; else ``<stem>:<line>``), and an optional source
text from ``source``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mtaudit.document import Document
from mtaudit.readers import (
    MAX_DOCUMENT_BYTES,
    InputError,
    ReadOptions,
    check_document_size,
    decode,
    read_bytes,
    register_reader,
)

csv.field_size_limit(2**31 - 1)


def record_to_document(
    record: Mapping[str, Any], options: ReadOptions, path: str, line: int, default_id: str
) -> Document:
    """One record (a JSON object or a CSV row) as a Document, or an InputError."""
    if options.text_field not in record:
        raise InputError(path, line, f"no {options.text_field!r} field (use --text-field)")
    text = record[options.text_field]
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(path, line, f"field {options.text_field!r} is not a string")
    if len(text) > MAX_DOCUMENT_BYTES // 4:  # cheap pre-test before encoding
        check_document_size(len(text.encode("utf-8", "surrogatepass")), path, line)
    raw_id = record.get(options.id_field)
    doc_id = str(raw_id) if raw_id not in (None, "") else default_id
    source = record.get(options.source_field)
    lang = record.get(options.lang_field)
    meta = {
        k: v
        for k, v in record.items()
        if k not in {options.text_field, options.id_field, options.source_field}
    }
    return Document(
        id=doc_id,
        text=text[1:] if text.startswith("\ufeff") else text,
        path=path,
        source=source if isinstance(source, str) and source else None,
        source_lang=lang if isinstance(lang, str) and lang else None,
        line_base=0,
        meta=meta,
    )


@register_reader(".jsonl", ".ndjson")
def read_jsonl(path: Path, options: ReadOptions) -> Iterator[Document]:
    name = str(path)
    with path.open("rb") as stream:
        for lineno, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                line = decode(raw, name)
            except InputError as exc:
                raise InputError(name, lineno, exc.message) from None
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(name, lineno, f"malformed JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise InputError(name, lineno, "expected a JSON object per line")
            yield record_to_document(record, options, name, lineno, f"{path.stem}:{lineno}")


@register_reader(".csv", ".tsv")
def read_csv(path: Path, options: ReadOptions) -> Iterator[Document]:
    name = str(path)
    text = decode(read_bytes(path), name)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if not reader.fieldnames:
            raise InputError(name, None, "empty table, no header row")
        for row in reader:
            lineno = reader.line_num
            if None in row:
                raise InputError(
                    name,
                    lineno,
                    f"{len(reader.fieldnames) + len(row[None])} fields, header has {len(reader.fieldnames)}",
                )
            yield record_to_document(row, options, name, lineno, f"{path.stem}:{lineno}")
    except csv.Error as exc:
        raise InputError(name, reader.line_num, f"malformed CSV: {exc}") from None
