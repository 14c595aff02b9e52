"""Parquet tables: one document per row, read batch by batch (pyarrow imported here
only, when a ``.parquet`` file is first read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mtaudit.document import Document
from mtaudit.readers import InputError, ReadOptions, register_reader
from mtaudit.readers.tables import record_to_document


@register_reader(".parquet")
def read_parquet(path: Path, options: ReadOptions) -> Iterator[Document]:
    """Rows as documents; ``line`` in messages is the 1-based row number."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            str(path), None, "reading Parquet needs pyarrow: pip install 'mtaudit[batch]'"
        ) from None
    name = str(path)
    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(name, None, f"not a readable Parquet file: {exc}") from None
    names = table.schema_arrow.names
    if options.text_field not in names:
        raise InputError(
            name,
            None,
            f"no {options.text_field!r} column (use --text-field); columns: {', '.join(names)}",
        )
    row = 0
    for batch in table.iter_batches(batch_size=1024):
        for record in batch.to_pylist():
            row += 1
            yield record_to_document(record, options, name, row, f"{path.stem}:{row}")
