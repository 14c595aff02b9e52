"""Batch auditing of tables: a pandas frame of documents in, a frame of scores out.

:func:`audit_partition` is the one per-partition function: the in-process run,
the ``--jobs N`` process pool and the Dask engine all call it on chunks of rows,
so their results agree row for row. :func:`audit_frame` is the notebook API and
:func:`run_batch` the streaming file-to-file driver behind ``mtaudit batch``.

Every input row gives exactly one output row, in input order: a row that cannot
be audited (malformed JSON, missing or non-string text, undecodable bytes, a
check that crashed) gets a message in the ``error`` column instead of a score.

pandas, pyarrow and dask are imported inside the functions that need them, so
``mtaudit check`` can use the process pool without importing them.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.finding import CATEGORIES
from mtaudit.readers import InputError, iter_files, reader_for, supported_suffixes
from mtaudit.scoring import score as mqm_score

if TYPE_CHECKING:
    import pandas as pd

    from mtaudit.engine import DocumentReport, Engine

csv.field_size_limit(2**31 - 1)

#: Column the streaming readers use to pass a row's read error to the partition
#: function; never written to the output.
READ_ERROR = "__mtaudit_read_error__"
LANG_FIELD = "source_lang"
RESULT_COLUMNS: tuple[str, ...] = (
    "id",
    "score",
    "penalty",
    "words",
    *CATEGORIES,
    "findings",
    "error",
)
RECORD_SUFFIXES = {".csv": ",", ".tsv": "\t"}
JSONL_SUFFIXES = (".jsonl", ".ndjson")
OUTPUT_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
DEFAULT_CHUNK = 64
PARQUET_ROW_GROUP = 8192


# -- engines, built once per process --------------------------------------------------
_ENGINES: list[tuple[Config, Engine]] = []
_EMBEDDERS: dict[str | None, Any] = {}


def engine_for(config: Config) -> Engine:
    """The process's engine for ``config``: built once (glossaries, model), then reused
    by every partition this process audits. Engines share one embedder (and its
    sentence cache) per model path."""
    from mtaudit.embeddings import Embedder
    from mtaudit.engine import Engine

    for cfg, engine in _ENGINES:
        if cfg == config:
            return engine
    embedder = None
    if not config.fast:
        if config.model not in _EMBEDDERS:
            # Batches of 32: long paragraphs' attention buffers stay small (peak RSS),
            # at no cost in sentences/s on CPU. A 20,000-sentence cache (~35 MB) still
            # catches the boilerplate a wire feed repeats, and keeps a million-row run's
            # memory flat where the default 100,000 would grow by ~150 MB.
            _EMBEDDERS[config.model] = Embedder(config.model, batch_size=32, cache_size=20_000)
        embedder = _EMBEDDERS[config.model]
    engine = Engine(config, embedder=embedder)
    _ENGINES.append((config, engine))
    del _ENGINES[:-4]  # a handful of configs at most; keep memory bounded
    return engine


def make_config(config: Config | None = None, **options: Any) -> Config:
    """``config`` (default: built-in defaults, no file search) with keyword overrides.
    ``select``/``ignore``/``glossaries`` accept a comma-separated string or a list."""
    cfg = config or Config()
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(unknown)}")
    for key in ("select", "ignore", "glossaries"):
        value = options.get(key)
        if isinstance(value, str):
            options[key] = tuple(v.strip() for v in value.split(",") if v.strip())
        elif value is not None:
            options[key] = tuple(value)
    return cfg.merged(**options)


# -- the per-partition function ---------------------------------------------------------
def _missing(value: Any) -> bool:
    """None, NaN and pandas' NA."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, float) and math.isnan(value)


def _text_error(value: Any, field_name: str) -> str | None:
    if _missing(value):
        return f"no {field_name!r} value (use --text-field)"
    if not isinstance(value, str):
        return f"field {field_name!r} is not a string ({type(value).__name__})"
    return None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _error_row(doc_id: str, message: str) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in RESULT_COLUMNS}
    row["id"] = doc_id
    row["error"] = message
    return row


#: ``json.dumps(obj, ensure_ascii=False)`` without building an encoder per call.
_dumps = json.JSONEncoder(ensure_ascii=False).encode
#: A finding-free report's category counts (copied into its row).
_NO_COUNTS = dict.fromkeys(CATEGORIES, 0)


def _report_row(report: DocumentReport) -> dict[str, Any]:
    findings = report.findings
    words = report.document.words
    if not findings:  # the common case: a clean document
        row: dict[str, Any] = {
            "id": report.document.id,
            "score": mqm_score(0, words),
            "penalty": 0,  # == scoring.penalty([]) (an int: round(sum([]), 3))
            "words": words,
        }
        row.update(_NO_COUNTS)
        row["findings"] = "[]"  # json.dumps([])
        row["error"] = report.error
        return row
    penalty = report.penalty
    row = {
        "id": report.document.id,
        "score": mqm_score(penalty, words),
        "penalty": penalty,
        "words": words,
    }
    counts = dict.fromkeys(CATEGORIES, 0)
    for f in findings:
        counts[f.category] = counts.get(f.category, 0) + 1
    row.update(counts)
    row["findings"] = _dumps([f.to_dict() for f in findings])
    row["error"] = report.error
    return row


def _run_documents(engine: Engine, docs: list[Document]) -> list[dict[str, Any]]:
    """Reports as rows; a check that crashes on one document makes that row an
    error row instead of losing the chunk."""
    try:
        return [_report_row(r) for r in engine.run(docs)]
    except Exception:
        rows = []
        for doc in docs:
            try:
                rows.append(_report_row(next(engine.run([doc]))))
            except Exception as exc:
                rows.append(_error_row(doc.id, f"internal error: {type(exc).__name__}: {exc}"))
        return rows


def _column(df: pd.DataFrame, name: str | None) -> list[Any]:
    import pandas as pd

    if name and name in df.columns:
        col = df[name]
        if isinstance(col, pd.DataFrame):  # duplicate column names: the first
            col = col.iloc[:, 0]
        return list(col.tolist())
    return [None] * len(df)


def audit_partition(df: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Audit one partition: one result row per input row, same order and index.

    Reads ``config.text_field`` (required), ``config.id_field`` (default: the row's
    index label), ``config.source_field`` and ``source_lang`` when present.
    """
    engine = engine_for(config)
    n = len(df)
    texts = _column(df, config.text_field)
    ids = _column(df, config.id_field)
    sources = _column(df, config.source_field)
    langs = _column(df, LANG_FIELD)
    read_errors = _column(df, READ_ERROR)
    labels = list(df.index)
    rows: list[dict[str, Any] | None] = [None] * n
    docs: list[Document] = []
    where: list[int] = []
    for i in range(n):
        raw_id = ids[i]
        if type(raw_id) is str and raw_id:
            doc_id = raw_id  # == str(raw_id)
        else:
            doc_id = str(labels[i]) if _missing(raw_id) or raw_id == "" else str(raw_id)
        text = texts[i]
        read_error = read_errors[i]
        if read_error is not None or type(text) is not str:
            error = read_error if isinstance(read_error, str) else None
            error = error or _text_error(text, config.text_field)
            if error:
                rows[i] = _error_row(doc_id, error)
                continue
        docs.append(
            Document(
                id=doc_id,
                text=text[1:] if text.startswith("\ufeff") else text,
                source=_opt_str(sources[i]),
                source_lang=_opt_str(langs[i]),
            )
        )
        where.append(i)
    for i, row in zip(where, _run_documents(engine, docs), strict=True):
        rows[i] = row
    return result_frame([r for r in rows if r is not None], index=df.index)


_FLOAT_COLUMNS = frozenset({"score", "penalty"})
_TEXT_COLUMNS = frozenset({"id", "findings", "error"})


def result_frame(rows: Sequence[dict[str, Any]], index: Any = None) -> pd.DataFrame:
    """The fixed output schema: nullable integers, floats, strings.

    The columns are built as arrays of their final type directly (an ``Int64``
    column from its values and its missing-value mask) rather than through
    ``pd.array``'s type inference: the same frame, at a fraction of the cost per
    chunk."""
    import numpy as np
    import pandas as pd

    n = len(rows)
    cols: dict[str, Any] = {}
    for name in RESULT_COLUMNS:
        values = [r[name] for r in rows]
        if name in _FLOAT_COLUMNS:
            cols[name] = np.array([math.nan if v is None else v for v in values], dtype="float64")
        elif name in _TEXT_COLUMNS:
            text = np.empty(n, dtype=object)
            text[:] = values
            cols[name] = pd.arrays.NumpyExtensionArray(text)
        else:
            missing = [v is None for v in values]
            data = [0 if v is None else v for v in values] if any(missing) else values
            cols[name] = pd.arrays.IntegerArray(
                np.array(data, dtype="int64"), np.array(missing, dtype=bool)
            )
    frame = pd.DataFrame(cols, copy=False)
    if index is not None:
        frame.index = index
    return frame


def empty_result() -> pd.DataFrame:
    """A zero-row frame with the output schema (Dask's ``meta``)."""
    return result_frame([])


def audit_frame(
    df: pd.DataFrame,
    *,
    config: Config | None = None,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    **options: Any,
) -> pd.DataFrame:
    """Audit every row of ``df``; the result has the input's index and the columns
    ``id, score, penalty, words, <one count per category>, findings, error``.

    ``options`` override :class:`~mtaudit.config.Config` fields, e.g.
    ``audit_frame(df, fast=True, select="MT4", text_field="body")``. ``jobs > 1``
    audits chunks in worker processes.
    """
    import pandas as pd

    cfg = make_config(config, **options)
    if cfg.text_field not in df.columns:
        raise KeyError(f"no {cfg.text_field!r} column (pass text_field=...)")
    if jobs <= 1 or len(df) <= chunk_size:
        return audit_partition(df, cfg)
    chunks = (df.iloc[i : i + chunk_size] for i in range(0, len(df), chunk_size))
    with ProcessRunner(cfg, jobs) as runner:
        parts = list(runner.map(chunks))
    return pd.concat(parts) if parts else empty_result()


def audit_dask_frame(ddf: Any, *, config: Config | None = None, **options: Any) -> Any:
    """The same audit over a Dask DataFrame, partition by partition (lazy)."""
    cfg = make_config(config, **options)
    return ddf.map_partitions(audit_partition, cfg, meta=empty_result())


# -- runners: in order, bounded -------------------------------------------------------
class _Future(Protocol):
    def result(self) -> Any: ...


def ordered(submit: Callable[[Any], _Future], items: Iterable[Any], depth: int) -> Iterator[Any]:
    """Results of ``submit(item)`` in input order, at most ``depth`` in flight, so
    memory stays bounded however long ``items`` is."""
    pending: deque[_Future] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class Runner(Protocol):
    def map(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]: ...


#: Rows the in-process runner audits per call when the chunks it gets are smaller.
INLINE_ROWS = 256


class InlineRunner:
    """Audits partitions in this process.

    Chunks exist to spread work over workers; in one process they only cost the
    fixed price of a partition call (building its frames). So consecutive small
    chunks with the same columns are audited together, ``INLINE_ROWS`` rows per
    call, and the result is cut back into one frame per chunk, with the chunk's
    own index: the same frames as one call per chunk. Not when a selected check
    has a ``prepare`` step (embedding batches follow the chunks), so that model
    batches stay exactly as they were."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def map(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        if any(rule.prepare is not None for rule in engine_for(self.config).rules):
            for frame in frames:
                yield audit_partition(frame, self.config)
            return
        group: list[pd.DataFrame] = []
        group_key: tuple[list[Any], list[Any]] | None = None
        rows = 0
        for frame in frames:
            key = _columns_key(frame)
            if group and key != group_key:
                yield from self._audit_group(group)
                group, rows = [], 0
            if not group:
                group_key = key
            group.append(frame)
            rows += len(frame)
            if rows >= INLINE_ROWS:
                yield from self._audit_group(group)
                group, rows = [], 0
        if group:
            yield from self._audit_group(group)

    def _audit_group(self, group: list[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        if len(group) == 1:
            yield audit_partition(group[0], self.config)
            return
        import pandas as pd

        result = audit_partition(pd.concat(group), self.config)
        # A chunk's own frame holds an all-missing text column as object None
        # values (no string to infer a string type from); so must its part.
        # (A column without a missing value has no all-missing part, unless a part
        # is empty.)
        empty_part = any(len(frame) == 0 for frame in group)
        missing = {}
        for name in _TEXT_COLUMNS:
            column = result[name]
            if column.dtype != object and (empty_part or column.hasnans):
                missing[name] = column.isna().to_numpy()
        pos = 0
        for frame in group:
            end = pos + len(frame)
            part = result.iloc[pos:end]
            part.index = frame.index
            for name, isna in missing.items():
                if isna[pos:end].all():
                    part[name] = pd.array([None] * len(part), dtype=object)
            pos = end
            yield part

    def __enter__(self) -> InlineRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def warm_up(engine: Engine) -> None:
    """Run the engine once over its rules' own Bad/Good examples, so that what the
    checks build lazily (glossary automata, compiled patterns, the model) is built
    now, at start-up, not inside the first chunk of real rows: a worker that did
    not get a warm-up chunk would otherwise stall its first chunk while the others
    run. Results do not depend on it; a failure here is left to the real run."""
    text = "\n\n".join(f"{r.bad}\n\n{r.good}" for r in engine.rules if r.bad or r.good)
    if not text:
        return
    with contextlib.suppress(Exception):
        for _ in engine.run([Document(id="mtaudit-warm-up", text=text)]):
            pass


def _warm_worker(config: Config) -> None:
    warm_up(engine_for(config))


def _same_columns(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return _columns_key(a) == _columns_key(b)


def _columns_key(frame: pd.DataFrame) -> tuple[list[Any], list[Any]]:
    """What :func:`_same_columns` compares: column names and dtypes."""
    return list(frame.columns), list(frame.dtypes)


def _init_worker(config: Config, threads: int) -> None:
    # One worker per core: keep torch/BLAS from starting a thread per core each.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))
    warm_up(engine_for(config))


ReportParts = tuple[list[Any], int, str | None, list[str]]


def _audit_documents(docs: list[Document], config: Config) -> list[ReportParts]:
    """A worker's reports without their documents: the parent has the documents
    already, so only the findings travel back (not every text a second time)."""
    return [
        (r.findings, r.suppressed, r.error, r.unused_suppressions)
        for r in engine_for(config).run(docs)
    ]


class ProcessRunner:
    """A pool of worker processes, each with its own engine built once."""

    def __init__(self, config: Config, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.config = config
        self.jobs = max(1, jobs)
        threads = max(1, (os.cpu_count() or 1) // self.jobs)
        # spawn, not fork: the parent may hold torch or rich threads.
        self.pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(config, threads),
        )

    @property
    def depth(self) -> int:
        """Chunks in flight: enough queued behind each worker that one slow chunk at
        the head of the line does not leave the other workers idle."""
        return 4 * self.jobs

    def map(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return ordered(
            lambda f: self.pool.submit(audit_partition, f, self.config), frames, self.depth
        )

    def map_documents(
        self, docs: Iterable[Document], chunk_size: int = 32
    ) -> Iterator[DocumentReport]:
        """``Engine.run`` over the pool: reports in input order (``check --jobs``)."""
        from mtaudit.engine import DocumentReport

        submitted: deque[list[Document]] = deque()

        def submit(batch: list[Document]) -> Any:
            submitted.append(batch)
            return self.pool.submit(_audit_documents, batch, self.config)

        for parts in ordered(submit, _chunks(docs, chunk_size), self.depth):
            batch = submitted.popleft()
            for doc, (findings, suppressed, error, unused) in zip(batch, parts, strict=True):
                yield DocumentReport(
                    doc, findings, suppressed=suppressed, error=error, unused_suppressions=unused
                )

    def __enter__(self) -> ProcessRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskRunner:
    """Submits partitions to a Dask distributed cluster: the scheduler at ``address``,
    or a LocalCluster of ``jobs`` single-threaded worker processes on loopback."""

    def __init__(self, config: Config, jobs: int, address: str | None = None) -> None:
        import logging

        from distributed import Client, LocalCluster

        self.config = config
        self.cluster: Any = None
        if address:
            self.client = Client(address, timeout="30s")
        else:
            self.cluster = LocalCluster(
                n_workers=max(1, jobs),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # no dashboard; the scheduler's HTTP endpoint on a free loopback port
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        addresses = list(self.client.scheduler_info().get("workers", {}))
        self.depth = 4 * (len(addresses) or max(1, jobs))  # as ProcessRunner: no idle worker
        # Each worker builds its engine and warms it up now, as a pool worker does
        # (a failure shows again, properly reported, on the first partition).
        with contextlib.suppress(Exception):
            self.client.gather(
                [
                    self.client.submit(
                        _warm_worker, config, workers=[a], allow_other_workers=False, pure=False
                    )
                    for a in addresses
                ]
            )

    def map(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return ordered(
            lambda f: self.client.submit(audit_partition, f, self.config, pure=False),
            frames,
            self.depth,
        )

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- streaming sources ----------------------------------------------------------------
@dataclass
class Source:
    """Chunks of input rows as frames, with how far reading has got (for progress):
    ``done`` of ``total`` in ``unit`` ("bytes" or "rows")."""

    path: Path
    config: Config
    chunk_size: int = DEFAULT_CHUNK
    total: int | None = None
    unit: str = "bytes"
    done: int = 0
    rows: int = 0
    _columns: list[str] = field(default_factory=list)
    _plain_columns: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        cfg = self.config
        self._columns = list(
            dict.fromkeys([cfg.id_field, cfg.text_field, cfg.source_field, LANG_FIELD, READ_ERROR])
        )
        # Five distinct columns, in _record's argument order: a record is its arguments.
        self._plain_columns = len(self._columns) == 5

    def _record(
        self, doc_id: str, text: Any, source: Any = None, lang: Any = None, error: str | None = None
    ) -> list[Any]:
        if self._plain_columns:
            return [doc_id, text, source, lang, error]
        values = {
            self.config.id_field: doc_id,
            self.config.text_field: text,
            self.config.source_field: source,
            LANG_FIELD: lang,
            READ_ERROR: error,
        }
        return [values[c] for c in self._columns]

    def _frame(self, records: list[list[Any]]) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(records, columns=self._columns, dtype=object)
        frame.index = pd.RangeIndex(self.rows, self.rows + len(records))
        self.rows += len(records)
        return frame

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for records in _chunks(self.records(), self.chunk_size):
            yield self._frame(records)

    def open(self) -> None:
        """Check the input and find its size; raises InputError."""

    def records(self) -> Iterator[list[Any]]:  # pragma: no cover - abstract
        raise NotImplementedError


def _clean(text: str) -> str:
    """Undecodable bytes (kept as surrogates) shown as U+FFFD in ids and messages."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class CsvSource(Source):
    """CSV/TSV read with the csv module, line by line. A row with the wrong number
    of fields or bytes that are not UTF-8 becomes an error row in place."""

    def open(self) -> None:
        self.total = self.path.stat().st_size
        with self.path.open("rb") as stream:
            first = stream.readline()
        header = next(
            csv.reader([_strip_bom(first).decode("utf-8", "replace")], **self._dialect()), []
        )
        if not header:
            raise InputError(str(self.path), None, "empty table, no header row")
        if self.config.text_field not in header:
            raise InputError(
                str(self.path),
                1,
                f"no {self.config.text_field!r} column (use --text-field); columns: "
                + ", ".join(header),
            )

    def _dialect(self) -> dict[str, Any]:
        return {"delimiter": RECORD_SUFFIXES.get(self.path.suffix.lower(), ",")}

    def records(self) -> Iterator[list[Any]]:
        name, stem = str(self.path), self.path.stem
        with self.path.open("rb") as stream:
            bad_lines: list[int] = []  # physical lines that are not UTF-8

            def lines() -> Iterator[str]:
                for number, raw in enumerate(stream, 1):
                    self.done += len(raw)
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError:
                        bad_lines.append(number)
                        yield raw.decode("utf-8", "surrogateescape")

            it = lines()
            reader = csv.reader(it, **self._dialect())
            try:
                header = next(reader)
            except StopIteration:
                return
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            width = len(header)
            pos = {h: i for i, h in reversed(list(enumerate(header)))}
            cfg = self.config

            def get(row: list[str], key: str) -> str | None:
                i = pos.get(key)
                return row[i] if i is not None and i < len(row) else None

            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield self._record(
                        f"{stem}:{start}", None, error=f"{name}:{start}: malformed CSV: {exc}"
                    )
                    continue
                if not row:
                    continue  # a blank line is not a row
                raw_id = get(row, cfg.id_field)
                doc_id = _clean(raw_id) if raw_id else f"{stem}:{start}"
                if len(row) != width:
                    message = f"{len(row)} fields, header has {width}"
                elif bad_lines and bad_lines[-1] >= start:
                    message = "not valid UTF-8; convert it to UTF-8 first"
                else:
                    yield self._record(
                        doc_id,
                        get(row, cfg.text_field),
                        get(row, cfg.source_field),
                        get(row, LANG_FIELD),
                    )
                    continue
                yield self._record(doc_id, None, error=f"{name}:{start}: {message}")


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _loads_line(raw: bytes) -> Any:
    """``json.loads(raw)``. A line that starts with ``{`` and a non-zero byte is
    UTF-8 to ``json.detect_encoding``, and ``json.loads`` decodes it with
    ``surrogatepass``: done here directly, skipping the detection (and, the text
    starting with ``{``, the BOM test: straight to the default decoder)."""
    if raw[:1] == b"{" and (len(raw) < 2 or raw[1]):
        return _json_decode(raw.decode("utf-8", "surrogatepass"))
    return json.loads(raw)


#: ``json.loads``'s own decoder for a ``str`` (a ``JSONDecoder`` with the defaults).
_json_decode = json.JSONDecoder().decode


class JsonlSource(Source):
    """JSON Lines, one object per line; a bad line becomes an error row."""

    def open(self) -> None:
        self.total = self.path.stat().st_size

    def records(self) -> Iterator[list[Any]]:
        name, stem, cfg = str(self.path), self.path.stem, self.config
        with self.path.open("rb") as stream:
            for lineno, raw in enumerate(stream, 1):
                self.done += len(raw)
                if not raw or raw.isspace():  # == not raw.strip(), without the copy
                    continue
                default_id = f"{stem}:{lineno}"
                try:
                    record = _loads_line(_strip_bom(raw) if lineno == 1 else raw)
                except UnicodeDecodeError:
                    yield self._record(default_id, None, error=f"{name}:{lineno}: not valid UTF-8")
                    continue
                except json.JSONDecodeError as exc:
                    yield self._record(
                        default_id, None, error=f"{name}:{lineno}: malformed JSON: {exc.msg}"
                    )
                    continue
                if not isinstance(record, dict):
                    yield self._record(
                        default_id, None, error=f"{name}:{lineno}: expected a JSON object"
                    )
                    continue
                raw_id = record.get(cfg.id_field)
                doc_id = default_id if raw_id in (None, "") else str(raw_id)
                if cfg.text_field not in record:
                    yield self._record(
                        doc_id,
                        None,
                        error=f"{name}:{lineno}: no {cfg.text_field!r} field (use --text-field)",
                    )
                    continue
                yield self._record(
                    doc_id,
                    record[cfg.text_field],
                    record.get(cfg.source_field),
                    record.get(LANG_FIELD),
                )


class ParquetSource(Source):
    """Parquet read batch by batch (``ParquetFile.iter_batches``), only the needed columns."""

    def open(self) -> None:
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(self.path)
        except Exception as exc:
            raise InputError(str(self.path), None, f"not a readable Parquet file: {exc}") from None
        names = self._file.schema_arrow.names
        if self.config.text_field not in names:
            raise InputError(
                str(self.path),
                None,
                f"no {self.config.text_field!r} column (use --text-field); columns: "
                + ", ".join(names),
            )
        self._wanted = [c for c in self._columns if c in names]
        self.total = self._file.metadata.num_rows
        self.unit = "rows"

    def records(self) -> Iterator[list[Any]]:
        cfg, stem = self.config, self.path.stem
        row_number = 0
        for batch in self._file.iter_batches(batch_size=self.chunk_size, columns=self._wanted):
            for rec in batch.to_pylist():
                row_number += 1
                self.done += 1
                raw_id = rec.get(cfg.id_field)
                doc_id = f"{stem}:{row_number}" if raw_id in (None, "") else str(raw_id)
                yield self._record(
                    doc_id, rec.get(cfg.text_field), rec.get(cfg.source_field), rec.get(LANG_FIELD)
                )


class DirectorySource(Source):
    """Every file under a directory that mtaudit reads, sorted: a text file is one
    row (id = its stem); a table or JSONL file contributes its rows."""

    def open(self) -> None:
        self._files = list(iter_files(self.path))
        self.total = sum(f.stat().st_size for f in self._files)

    def records(self) -> Iterator[list[Any]]:
        for file in self._files:
            before = self.done
            size = file.stat().st_size
            sub_cls = _record_source_class(file)
            if sub_cls is not None:
                sub = sub_cls(file, self.config, self.chunk_size)
                try:
                    sub.open()
                except InputError as exc:
                    yield self._record(file.stem, None, error=str(exc))
                else:
                    for rec in sub.records():
                        self.done = before + min(sub.done, size) if sub.unit == "bytes" else before
                        yield rec
            else:
                yield from self._documents(file)
            self.done = before + size

    def _documents(self, file: Path) -> Iterator[list[Any]]:
        reader = reader_for(file)
        assert reader is not None
        try:
            docs = list(reader(file, _read_options(self.config)))
        except InputError as exc:
            yield self._record(file.stem, None, error=str(exc))
            return
        for doc in docs:
            yield self._record(doc.id, doc.text, doc.source, doc.source_lang)


def _read_options(config: Config) -> Any:
    from mtaudit.readers import ReadOptions

    return ReadOptions(
        text_field=config.text_field, id_field=config.id_field, source_field=config.source_field
    )


class TextSource(DirectorySource):
    """A single text (or other one-document) file: one row."""

    def open(self) -> None:
        self._files = [self.path]
        self.total = self.path.stat().st_size


def _record_source_class(path: Path) -> type[Source] | None:
    suffix = path.suffix.lower()
    if suffix in RECORD_SUFFIXES:
        return CsvSource
    if suffix in JSONL_SUFFIXES:
        return JsonlSource
    if suffix == ".parquet":
        return ParquetSource
    return None


def open_source(path: str | Path, config: Config, chunk_size: int = DEFAULT_CHUNK) -> Source:
    """A streaming source for a file or directory; InputError when it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(p), None, "no such file or directory")
    source: Source
    if p.is_dir():
        source = DirectorySource(p, config, chunk_size)
    else:
        cls = _record_source_class(p)
        if cls is not None:
            source = cls(p, config, chunk_size)
        elif reader_for(p) is not None:
            source = TextSource(p, config, chunk_size)
        else:
            raise InputError(
                str(p),
                None,
                f"unsupported file type {p.suffix or '(none)'!r}; "
                f"supported: {', '.join(supported_suffixes())}, or a directory",
            )
    try:
        source.open()
    except OSError as exc:
        raise InputError(str(p), None, f"cannot read: {exc.strerror}") from None
    return source


# -- streaming writers ----------------------------------------------------------------
class Writer(Protocol):
    def write(self, frame: pd.DataFrame) -> None: ...


def check_output(path: str | Path) -> str:
    """The output format from the suffix; ValueError for an unsupported one."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(
            f"{path}: unsupported output type {suffix or '(none)'!r}; "
            f"use one of {', '.join(OUTPUT_SUFFIXES)}"
        )
    return suffix


#: Rows a text writer collects before it formats them in one call (pandas pays a
#: fixed cost per call, large next to a chunk of a few dozen rows).
TEXT_WRITE_ROWS = 2048


class _BufferedWriter:
    """Collects chunks and writes them ``TEXT_WRITE_ROWS`` rows at a time; the
    output is the same as writing each chunk as it comes."""

    def __init__(self) -> None:
        self.pending: list[pd.DataFrame] = []
        self.rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        self.pending.append(frame)
        self.rows += len(frame)
        if self.rows >= TEXT_WRITE_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            import pandas as pd

            pending = self.pending
            self._write(pending[0] if len(pending) == 1 else pd.concat(pending))
        self.pending, self.rows = [], 0

    def close(self) -> None:
        self.flush()

    def _write(self, frame: pd.DataFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class _CsvWriter(_BufferedWriter):
    def __init__(self, stream: IO[str], sep: str) -> None:
        super().__init__()
        self.stream, self.sep, self.header = stream, sep, True

    def _write(self, frame: pd.DataFrame) -> None:
        frame.to_csv(
            self.stream, sep=self.sep, header=self.header, index=False, lineterminator="\n"
        )
        self.header = False


class _JsonlWriter(_BufferedWriter):
    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self.stream = stream

    def _write(self, frame: pd.DataFrame) -> None:
        self.stream.write(
            "".join(
                _dumps({k: _json_value(v) for k, v in row.items()}) + "\n"
                for row in frame.to_dict("records")
            )
        )


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__name__ == "NAType":
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


class _ParquetWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"id": pa.string(), "findings": pa.string(), "error": pa.string()}
        types |= {"score": pa.float64(), "penalty": pa.float64()}
        self.schema = pa.schema([(c, types.get(c, pa.int64())) for c in RESULT_COLUMNS])
        self.writer = pq.ParquetWriter(stream, self.schema, compression="zstd")
        self.pending: list[Any] = []
        self.rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        self.pending.append(frame)
        self.rows += len(frame)
        if self.rows >= PARQUET_ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        """Chunks are small; row groups should not be (readers pay per row group).
        The chunks of a row group are converted to Arrow together: one conversion
        per row group instead of one per chunk."""
        import pandas as pd
        import pyarrow as pa

        if self.pending:
            frame = self.pending[0] if len(self.pending) == 1 else pd.concat(self.pending)
            table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
            self.writer.write_table(table)
        self.pending, self.rows = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


@contextlib.contextmanager
def open_writer(path: str | Path) -> Iterator[Writer]:
    """A chunk writer for ``path`` by suffix, written atomically (temp file + rename)."""
    from mtaudit.output import atomic_write

    suffix = check_output(path)
    if suffix == ".parquet":
        with atomic_write(path, "wb") as bstream:
            writer = _ParquetWriter(bstream)
            try:
                yield writer
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.writer.close()
                raise
            writer.close()
    else:
        with atomic_write(path, "w") as stream:
            text_writer: _BufferedWriter
            if suffix in JSONL_SUFFIXES:
                text_writer = _JsonlWriter(stream)
            else:
                text_writer = _CsvWriter(stream, "\t" if suffix == ".tsv" else ",")
            yield text_writer
            text_writer.close()


# -- the driver -----------------------------------------------------------------------
@dataclass
class BatchStats:
    rows: int = 0
    errors: int = 0
    seconds: float = 0.0
    bytes: int = 0


def run_batch(
    source_path: str | Path,
    output_path: str | Path,
    config: Config,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    progress: bool = False,
    runner: Runner | None = None,
) -> BatchStats:
    """Stream ``source_path`` through the audit into ``output_path``.

    Raises InputError (unreadable input) or ValueError (bad output path) before
    any work; the output file appears only when everything succeeded.
    """
    check_output(output_path)
    if Path(output_path).resolve() == Path(source_path).resolve():
        raise ValueError(f"{output_path}: output would overwrite the input")
    source = open_source(source_path, config, max(1, chunk_size))
    stats = BatchStats()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if runner is None:
            if engine == "dask":
                runner = stack.enter_context(DaskRunner(config, jobs, scheduler))
            elif jobs > 1:
                runner = stack.enter_context(ProcessRunner(config, jobs))
            else:
                runner = InlineRunner(config)
        writer = stack.enter_context(open_writer(output_path))
        bar = stack.enter_context(_progress(source, enabled=progress))
        marks: deque[int] = deque()  # how far reading had got when each chunk was cut

        def frames() -> Iterator[pd.DataFrame]:
            for frame in source:
                marks.append(source.done)
                yield frame

        for frame in runner.map(frames()):
            writer.write(frame)
            stats.rows += len(frame)
            stats.errors += int(frame["error"].notna().sum())
            bar(stats.rows, marks.popleft())
    stats.seconds = time.perf_counter() - start
    stats.bytes = source.done if source.unit == "bytes" else 0
    return stats


@contextlib.contextmanager
def _progress(source: Source, *, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr (rows, rows/s, ETA); a no-op when disabled."""
    if not enabled:
        yield lambda rows, done: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]audit"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    ) as bar:
        task = bar.add_task("audit", total=source.total, rows=0, rate="-")

        def update(rows: int, done: int) -> None:
            elapsed = time.perf_counter() - started
            rate = f"{rows / elapsed:,.0f}" if elapsed > 0 else "-"
            bar.update(task, completed=done, rows=f"{rows:,}", rate=rate)

        yield update
        if source.total is not None:
            bar.update(task, completed=source.total)


__all__ = [
    "RESULT_COLUMNS",
    "BatchStats",
    "DaskRunner",
    "InlineRunner",
    "ProcessRunner",
    "audit_dask_frame",
    "audit_frame",
    "audit_partition",
    "engine_for",
    "open_source",
    "open_writer",
    "ordered",
    "result_frame",
    "run_batch",
]
