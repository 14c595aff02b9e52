"""``mtaudit batch IN OUT``: stream a table or folder of documents into a table of scores."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from mtaudit.cli import (
    ConfigOpt,
    FastOpt,
    GlossaryOpt,
    IdFieldOpt,
    IgnoreOpt,
    JobsOpt,
    ModelOpt,
    SelectOpt,
    SourceFieldOpt,
    SourceLangOpt,
    TextFieldOpt,
    app,
    build_config,
    fail,
)


class BatchEngine(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="IN", help="CSV, TSV, JSONL or Parquet table, or a directory of documents."
        ),
    ],
    output: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="Result table: .csv, .tsv, .jsonl or .parquet."),
    ],
    engine: Annotated[
        BatchEngine,
        typer.Option("--engine", help="local (processes on this machine) or dask (a cluster)."),
    ] = BatchEngine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address (tcp://host:port); default: a local cluster.",
        ),
    ] = None,
    jobs: JobsOpt = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Rows per chunk sent to a worker.")
    ] = 64,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    glossary: GlossaryOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fast: FastOpt = None,
    source_lang: SourceLangOpt = None,
    text_field: TextFieldOpt = None,
    id_field: IdFieldOpt = None,
    source_field: SourceFieldOpt = None,
    config: ConfigOpt = None,
    model: ModelOpt = None,
) -> None:
    """Audit every row of IN and write one result row per input row to OUT, in order:
    id, score, penalty, words, a count per category, the findings as JSON, and an
    error for rows that could not be audited."""
    from mtaudit.batch import check_output, run_batch
    from mtaudit.config import ConfigError
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.engine import Engine
    from mtaudit.glossary import GlossaryError
    from mtaudit.readers import InputError

    if scheduler and engine is not BatchEngine.dask:
        fail("--scheduler needs --engine dask")
    try:
        cfg = build_config(
            config_path=config,
            glossary=glossary,
            select=select,
            ignore=ignore,
            fast=fast,
            source_lang=source_lang,
            text_field=text_field,
            id_field=id_field,
            source_field=source_field,
            model=model,
            jobs=jobs,
        )
        check_output(output)
        if cfg.jobs < 1:
            raise ValueError("--jobs must be at least 1")
        Engine(cfg).context.glossaries.user_files()  # bad rules or glossaries: fail now
    except (ConfigError, GlossaryError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))
    try:
        stats = run_batch(
            source,
            output,
            cfg,
            engine=engine.value,
            scheduler=scheduler,
            jobs=cfg.jobs,
            chunk_size=chunk_size,
            progress=not quiet and sys.stderr.isatty(),
        )
    except (InputError, GlossaryError, ModelUnavailable, ValueError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or output}: {exc.strerror or exc}")
    if not quiet:
        rate = stats.rows / stats.seconds if stats.seconds else 0.0
        typer.echo(
            f"{stats.rows} rows ({stats.errors} with errors) -> {output} "
            f"in {stats.seconds:.1f}s ({rate:,.0f} rows/s)",
            err=True,
        )
