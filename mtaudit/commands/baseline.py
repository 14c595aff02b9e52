"""``mtaudit baseline create PATH... -o FILE``: accept today's findings, so that
``check --baseline FILE`` fails the build only on new ones."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mtaudit.cli import (
    ConfigOpt,
    FastOpt,
    GlossaryOpt,
    IdFieldOpt,
    IgnoreOpt,
    ModelOpt,
    SelectOpt,
    SourceFieldOpt,
    SourceLangOpt,
    TextFieldOpt,
    app,
    fail,
    make_engine,
)

baseline_app = typer.Typer(
    help="Baselines: accept existing findings so only new ones fail the build.",
    no_args_is_help=True,
)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("create")
def baseline_create(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Files, folders, or - for stdin.")],
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE", help="Baseline file to write.")
    ],
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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Accepted for symmetry with check.")
    ] = False,
) -> None:
    """Record every current finding (by fingerprint, not line) in FILE."""
    from mtaudit import __version__
    from mtaudit.baseline import write_baseline
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.glossary import GlossaryError
    from mtaudit.output import atomic_write
    from mtaudit.readers import InputError, ReadOptions, read_paths

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
        model=model,
    )
    options = ReadOptions(
        text_field=cfg.text_field, id_field=cfg.id_field, source_field=cfg.source_field
    )
    try:
        reports = list(engine.run(read_paths(paths, options)))
        with atomic_write(output) as stream:
            count = write_baseline(reports, stream, __version__)
    except (InputError, GlossaryError, ModelUnavailable) as exc:
        fail(str(exc))
    sys.stderr.write(
        f"mtaudit: baseline of {count} finding(s) in {len(reports)} document(s) written to {output}\n"
    )
