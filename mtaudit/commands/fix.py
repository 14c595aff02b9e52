"""``mtaudit fix PATH... [--diff | --in-place]``: apply the safe suggestions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mtaudit.cli import (
    ConfigOpt,
    GlossaryOpt,
    IgnoreOpt,
    SelectOpt,
    SourceLangOpt,
    app,
    fail,
    make_engine,
)


@app.command()
def fix(
    paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Files or folders to fix.")],
    diff: Annotated[
        bool, typer.Option(
            "--diff",
            help="Print a unified diff of the fixes (the default); exit 1 when any is pending.",
        )
    ] = False,
    in_place: Annotated[
        bool, typer.Option("--in-place", "-i", help="Write the fixes back (atomically).")
    ] = False,
    glossary: GlossaryOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    source_lang: SourceLangOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Apply only safe fixes: names restored from the glossary, mojibake repair,
    caption/credit removal, detokenizer spacing and quotes. Idempotent.

    Exit status: 0 when nothing is left to fix (or --in-place applied it), 1 when
    the --diff preview shows pending fixes, 2 on bad input."""
    from mtaudit.fixer import fix_file, fixable
    from mtaudit.glossary import GlossaryError
    from mtaudit.output import atomic_write
    from mtaudit.readers import InputError, iter_files, reader_for

    if diff and in_place:
        fail("use either --diff or --in-place, not both")
    # Rule-based checks only: every safe fix comes from one.
    _, engine = make_engine(
        config_path=config,
        glossary=glossary,
        select=select,
        ignore=ignore,
        fast=True,
        source_lang=source_lang,
    )

    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if item == "-":
            fail("fix works on files; stdin is not supported")
        if path.is_dir():
            files.extend(f for f in iter_files(path) if fixable(f))
        elif not path.exists():
            fail(f"{item}: no such file or directory")
        elif reader_for(path) is None or not fixable(path):
            fail(f"{item}: fix supports .txt, .md, .html, .srt, .vtt and .json files")
        else:
            files.append(path)

    total = changed = 0
    try:
        for path in files:
            result = fix_file(engine, path)
            if not result.changed:
                continue
            changed += 1
            total += len(result.applied)
            if in_place:
                mode = path.stat().st_mode & 0o7777
                with atomic_write(path, "wb") as stream:
                    data = result.fixed.encode("utf-8", "surrogatepass")
                    stream.write((b"\xef\xbb\xbf" if result.bom else b"") + data)
                path.chmod(mode)  # the temp file was created 0600
            else:
                sys.stdout.write(result.diff())
    except (InputError, GlossaryError) as exc:
        fail(str(exc))
    verb = "applied" if in_place else "would apply"
    sys.stderr.write(f"mtaudit: {verb} {total} fix(es) in {changed} of {len(files)} file(s)\n")
    if total and not in_place:
        # Like ``ruff check --diff`` and ``black --check``: a preview with pending
        # fixes fails, so ``mtaudit fix --diff`` can gate CI.
        raise typer.Exit(1)
