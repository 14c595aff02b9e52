"""The ``mtaudit`` command line (typer).

Heavy libraries (torch, sentence-transformers, pandas) are imported only inside
the commands that need them, so ``--help``, ``rules`` and ``check --fast`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from mtaudit import __version__

if TYPE_CHECKING:
    from mtaudit.config import Config
    from mtaudit.document import Document
    from mtaudit.engine import DocumentReport, Engine

app = typer.Typer(
    name="mtaudit",
    help="Audit machine-translated English for the artifacts a careful editor would mark: "
    "garbled names, literal idioms, caption bleed-through, detokenizer damage, untranslated "
    "fragments, repetition and false friends.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
glossary_app = typer.Typer(help="Validate and show glossary files.", no_args_is_help=True)
app.add_typer(glossary_app, name="glossary")


class Exit(int, Enum):
    OK = 0
    GATE = 1
    USAGE = 2


def fail(message: str, code: int = Exit.USAGE) -> NoReturn:
    """One clear line on stderr, never a traceback."""
    sys.stderr.write(f"mtaudit: error: {message}\n")
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mtaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """mtaudit: a machine-translation quality auditor."""


def _format_help() -> str:
    from mtaudit.formats import format_names

    return "Output format: " + ", ".join(format_names()) + " (see `mtaudit formats`)."


def _split_codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


# Shared options of `check` and `batch`.
GlossaryOpt = Annotated[
    list[str] | None,
    typer.Option("--glossary", "-g", metavar="FILE", help="Extra glossary file or folder (repeatable)."),
]
SelectOpt = Annotated[
    list[str] | None, typer.Option("--select", metavar="CODES", help="Codes or prefixes to run (MT2 = idioms).")
]
IgnoreOpt = Annotated[list[str] | None, typer.Option("--ignore", metavar="CODES", help="Codes or prefixes to skip.")]
FastOpt = Annotated[
    bool | None,
    typer.Option("--fast/--full", help="Skip the embedding model (rule-based checks only)."),
]
SourceLangOpt = Annotated[
    str | None, typer.Option("--source-lang", metavar="LANG", help="Source language code (fr, de, …).")
]
TextFieldOpt = Annotated[str | None, typer.Option("--text-field", metavar="NAME", help="Text column/field.")]
IdFieldOpt = Annotated[str | None, typer.Option("--id-field", metavar="NAME", help="Id column/field.")]
SourceFieldOpt = Annotated[
    str | None, typer.Option("--source-field", metavar="NAME", help="Source-text column/field.")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE", help="Config file (default: mtaudit.toml or pyproject.toml)."),
]
ModelOpt = Annotated[
    str | None, typer.Option("--model", metavar="PATH", help="Path of a sentence-transformers model folder.")
]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", metavar="N", help="Worker processes.")]


def build_config(
    *,
    config_path: Path | None,
    glossary: list[str] | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    fast: bool | None = None,
    source_lang: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    source_field: str | None = None,
    fail_under: float | None = None,
    fail_on: str | None = None,
    model: str | None = None,
    jobs: int | None = None,
) -> Config:
    """Config file < command line; raises ConfigError / ValueError on bad values."""
    from mtaudit.config import ConfigError, load_config
    from mtaudit.finding import Severity

    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: no such config file")
    cfg = load_config(config_path)
    extra_glossaries = tuple(cfg.glossaries) + tuple(glossary or ())
    return cfg.merged(
        glossaries=extra_glossaries or None,
        select=_split_codes(select),
        ignore=_split_codes(ignore),
        fast=fast,
        source_lang=source_lang.lower() if source_lang else None,
        text_field=text_field,
        id_field=id_field,
        source_field=source_field,
        fail_under=fail_under,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        model=model,
        jobs=jobs,
    )


def make_engine(**options: Any) -> tuple[Config, Engine]:
    """Config (file < ``options``) and an Engine, with the user's glossaries and, when
    an embedding check will run, the model checked up front; any problem is one
    ``mtaudit: error:`` line and exit 2. ``options`` are :func:`build_config`'s."""
    from mtaudit.config import ConfigError
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.engine import Engine
    from mtaudit.glossary import GlossaryError

    try:
        cfg = build_config(**options)
        engine = Engine(cfg)
        engine.context.glossaries.user_files()  # validate -g files before any work
        if engine.context.embedder is not None and any(r.needs_embeddings for r in engine.rules):
            engine.context.embedder.check_available()
    except (ConfigError, GlossaryError, ValueError, KeyError, ModelUnavailable) as exc:
        fail(str(exc).strip("'\""))
    return cfg, engine


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Files, folders, or - for stdin.")],
    glossary: GlossaryOpt = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help=_format_help()
        ),
    ] = "text",
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE (atomically).")
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", metavar="SCORE", help="Fail (exit 1) when a document scores below SCORE."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITY",
            help="Fail (exit 1) on a finding of this severity or worse: minor, major, critical.",
        ),
    ] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fast: FastOpt = None,
    source_lang: SourceLangOpt = None,
    text_field: TextFieldOpt = None,
    id_field: IdFieldOpt = None,
    source_field: SourceFieldOpt = None,
    config: ConfigOpt = None,
    model: ModelOpt = None,
    jobs: JobsOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="Baseline file (`mtaudit baseline create`): only findings not in it "
            "are reported and count for the gate.",
        ),
    ] = None,
    diff_ref: Annotated[
        str | None,
        typer.Option(
            "--diff", metavar="REF", help="Only report findings on lines changed since git REF."
        ),
    ] = None,
) -> None:
    """Audit documents and report findings; exit 1 when the gate fails."""
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.engine import gate, summarize
    from mtaudit.formats import get_format
    from mtaudit.glossary import GlossaryError
    from mtaudit.output import open_output
    from mtaudit.readers import InputError, ReadOptions, read_paths

    try:
        formatter_cls = get_format(format)
    except KeyError as exc:
        fail(str(exc).strip("'\""))
    cfg, engine = make_engine(
        config_path=config,
        glossary=glossary,
        select=select,
        ignore=ignore,
        fast=fast,
        source_lang=source_lang,
        text_field=text_field,
        id_field=id_field,
        source_field=source_field,
        fail_under=fail_under,
        fail_on=fail_on,
        model=model,
        jobs=jobs,
    )
    from mtaudit.baseline import BaselineError, GateFilter

    try:
        keep = GateFilter(baseline, diff_ref)
    except BaselineError as exc:
        fail(str(exc))

    options = ReadOptions(
        text_field=cfg.text_field, id_field=cfg.id_field, source_field=cfg.source_field
    )
    reports = []
    try:
        with open_output(output) as stream:
            color = output in (None, "-") and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            formatter = formatter_cls(stream, engine.run_info(), color=color)
            docs = read_paths(paths, options)
            for report in _with_progress(_reports(engine, docs, cfg.jobs), quiet):
                report = keep(report) if keep.active else report
                formatter.document(report)
                reports.append(report)
            failed = gate(reports, cfg)
            summary = summarize(reports, failed)
            summary.update(keep.summary())
            formatter.finish(reports, summary)
        if keep.active:
            sys.stderr.write(f"mtaudit: {_gate_note(keep.summary())}\n")
        for unused in summary.get("unused_suppressions", ()):
            sys.stderr.write(f"mtaudit: warning: unused suppression: {unused}\n")
    except (InputError, GlossaryError, ModelUnavailable, BaselineError) as exc:
        fail(str(exc))
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(Exit.OK) from None
    raise typer.Exit(Exit.GATE if failed else Exit.OK)


def _gate_note(info: dict[str, object]) -> str:
    parts = []
    if "baselined" in info:
        parts.append(f"{info['baselined']} finding(s) in the baseline not reported")
    if "diff_ref" in info:
        parts.append(f"{info['outside_diff']} finding(s) outside lines changed since {info['diff_ref']}")
    return "; ".join(parts)


def _reports(engine: Engine, docs: Iterator[Document], jobs: int) -> Iterator[DocumentReport]:
    """``engine.run``, or with ``--jobs N > 1`` the same run spread over N worker
    processes (reports still in input order)."""
    if jobs <= 1:
        yield from engine.run(docs)
        return
    from mtaudit.batch import ProcessRunner

    with ProcessRunner(engine.config, jobs) as runner:
        yield from runner.map_documents(docs)


def _with_progress(reports: Iterator[DocumentReport], quiet: bool) -> Iterator[DocumentReport]:
    """A progress counter on stderr when it is a terminal."""
    if quiet or not sys.stderr.isatty():
        yield from reports
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.completed} documents"),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    ) as progress:
        task = progress.add_task("audit", total=None)
        for report in reports:
            progress.advance(task)
            yield report


def rules_markdown() -> str:
    """The rule table of the README, generated from the rules' docstrings."""
    from mtaudit.registry import all_rules

    lines = ["| code | name | category | severity | finds |", "|---|---|---|---|---|"]
    for r in all_rules():
        needs = " (needs the model)" if r.needs_embeddings else ""
        needs += " (needs the source)" if r.requires_source else ""
        summary = r.summary.replace("|", "\\|")
        lines.append(f"| {r.code} | {r.name} | {r.category} | {r.severity.value} | {summary}{needs} |")
    return "\n".join(lines) + "\n"


@app.command()
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="A Markdown table.")] = False,
) -> None:
    """List every check: code, name, category, default severity, what it finds."""
    from mtaudit.registry import all_rules

    items = all_rules()
    if markdown:
        typer.echo(rules_markdown(), nl=False)
        return
    if as_json:
        import json

        typer.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "category": r.category,
                        "severity": r.severity.value,
                        "requires": list(r.requires),
                        "summary": r.summary,
                    }
                    for r in items
                ],
                indent=1,
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, box=None, pad_edge=False)
    for col in ("code", "name", "category", "severity", "needs"):
        table.add_column(col, no_wrap=True)
    table.add_column("finds", min_width=40)
    for r in items:
        table.add_row(
            r.code, r.name, r.category, r.severity.value, ",".join(r.requires) or "-", r.summary
        )
    # Piped output is not cut to 80 columns: keep one rule per line for grep.
    Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240).print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(metavar="CODE", help="A rule code, e.g. MT401.")]) -> None:
    """Explain one check: what it finds, why it matters, a bad and a good example."""
    from mtaudit.registry import get_rule

    try:
        rule = get_rule(code)
    except KeyError as exc:
        fail(str(exc).strip("'\""))
    typer.echo(rule.explain())


@app.command()
def formats() -> None:
    """List the output formats."""
    from mtaudit.formats import format_names, get_format

    for name in format_names():
        typer.echo(f"{name:8} {get_format(name).description}")


@glossary_app.command("validate")
def glossary_validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Glossary files or folders.")],
) -> None:
    """Report bad rows (file:line), duplicates and conflicts; exit 1 if any."""
    from mtaudit.glossary import GlossaryError, validate_file

    problems = 0
    targets: list[Path] = []
    for item in files:
        if item.is_dir():
            targets.extend(sorted(p for p in item.rglob("*") if p.suffix in {".csv", ".tsv"}))
        else:
            targets.append(item)
    for path in targets:
        try:
            kind, rows, errors = validate_file(path)
        except GlossaryError as exc:
            typer.echo(str(exc), err=True)
            problems += 1
            continue
        for err in errors:
            typer.echo(str(err), err=True)
        problems += len(errors)
        typer.echo(f"{path}: {kind.name}, {len(rows)} rows, {len(errors)} problem(s)")
    raise typer.Exit(Exit.GATE if problems else Exit.OK)


@glossary_app.command("show")
def glossary_show(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A glossary file.")],
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", help="Rows to show (0 = all).")] = 50,
) -> None:
    """Show a glossary file as a table."""
    from rich.console import Console
    from rich.table import Table

    from mtaudit.glossary import GlossaryError, detect_kind, read_table

    try:
        header, rows = read_table(file)
        kind = detect_kind(file, header)
    except GlossaryError as exc:
        fail(str(exc))
    table = Table(title=f"{file} ({kind.name}, {len(rows)} rows)")
    for col in header:
        table.add_column(col)
    for row in rows[: limit or None]:
        table.add_row(*(row[c] for c in header))
    Console().print(table)


def _load_commands() -> None:
    import importlib
    import pkgutil

    import mtaudit.commands as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


_load_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.stderr.write("mtaudit: interrupted\n")
        sys.exit(130)
