"""``mtaudit eval``: measured quality on our labelled corpus and the public sets."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from mtaudit.cli import (
    ConfigOpt,
    FastOpt,
    GlossaryOpt,
    IgnoreOpt,
    ModelOpt,
    SelectOpt,
    app,
    build_config,
    fail,
)

DEFAULT_CORPUS = Path("tests/corpus/corpus.jsonl")
DEFAULT_FLOOR = Path("tests/quality_floor.json")
FLOOR_MARGIN = 0.05


def _shared_folder(shared: Path | None) -> Path | None:
    """The folder holding the public sets: ``DIR`` or ``DIR/eval``; by default
    ``../shared/eval`` beside the project when it exists."""
    candidates = [shared] if shared is not None else [Path("../shared"), Path("/work/shared")]
    for base in candidates:
        for folder in (base / "eval", base):
            if (folder / "wmt_mqm_zhen.jsonl").is_file() or (folder / "demetr.jsonl").is_file():
                return folder
    return None


@app.command("eval")
def eval_command(
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Labelled corpus (JSONL with gold spans).")
    ] = DEFAULT_CORPUS,
    split: Annotated[
        str, typer.Option("--split", help="Corpus part: tune, heldout or all.")
    ] = "all",
    shared: Annotated[
        Path | None,
        typer.Option(
            "--shared", help="Folder with the public sets (default ../shared/eval if present)."
        ),
    ] = None,
    no_shared: Annotated[
        bool, typer.Option("--no-shared", help="Only our corpus, not the public sets.")
    ] = False,
    sets: Annotated[
        str | None,
        typer.Option("--sets", help="Public sets to run: demetr,captions,wmt,mlqe (default all)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most N items per public set (per group).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the tables to this file.")
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option("--calibrate", help="Report WMT τ for alternative severity maps."),
    ] = False,
    update_floor: Annotated[
        bool,
        typer.Option(
            "--update-floor",
            help="Measure the heldout split in fast mode and rewrite the quality floor.",
        ),
    ] = False,
    floor: Annotated[
        Path, typer.Option("--floor", help="Quality-floor file for --update-floor.")
    ] = DEFAULT_FLOOR,
    glossary: GlossaryOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    fast: FastOpt = None,
    config: ConfigOpt = None,
    model: ModelOpt = None,
) -> None:
    """Measure precision/recall per category and code on a labelled corpus, and
    correlation with human judgements on the public sets."""
    from mtaudit import evaluation as ev
    from mtaudit.config import ConfigError
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.engine import Engine
    from mtaudit.glossary import GlossaryError

    if split not in ev.SPLITS:
        fail(f"unknown split {split!r} (expected tune, heldout or all)")
    if format not in ("text", "json"):
        fail(f"unknown format {format!r} for eval (expected text or json)")
    chosen_sets = [s.strip() for s in sets.split(",") if s.strip()] if sets else None
    for name in chosen_sets or ():
        if name not in ev.SHARED_SETS:
            fail(f"unknown set {name!r} (expected {', '.join(ev.SHARED_SETS)})")
    if update_floor:
        fast, split, no_shared = True, "heldout", True
    try:
        cfg = build_config(
            config_path=config,
            glossary=glossary,
            select=select,
            ignore=ignore,
            fast=fast,
            model=model,
        )
        engine = Engine(cfg)
        engine.context.glossaries.user_files()
    except (ConfigError, GlossaryError, ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))

    t0 = time.perf_counter()
    report: dict[str, Any] = {"version": 1, "info": engine.run_info(), "split": split}
    try:
        if corpus.is_file():
            report["corpus"] = ev.eval_corpus(engine, corpus, split).to_dict()
        elif corpus != DEFAULT_CORPUS or update_floor:
            fail(f"{corpus}: no such corpus file")
        folder = None if no_shared else _shared_folder(shared)
        if shared is not None and folder is None and not no_shared:
            _note(f"no public sets in {shared}; skipped")
        if folder is not None:
            report["shared_folder"] = str(folder)
            report["shared"] = {}
            names = chosen_sets or list(ev.SHARED_SETS)
            wmt_path = folder / ev.SHARED_SETS["wmt"][0]
            for name in names:
                if name == "wmt" and calibrate and wmt_path.is_file():
                    run = ev.run_wmt(engine, wmt_path, limit)
                    report["shared"]["wmt"] = ev.wmt_result(run)
                    report["calibration"] = ev.calibrate(run.rows, run.findings)
                    continue
                for key, res in ev.eval_shared(engine, folder, limit, [name]):
                    report["shared"][key] = res
    except (ValueError, OSError) as exc:
        fail(str(exc))
    except (GlossaryError, ModelUnavailable) as exc:
        fail(str(exc))
    report["seconds"] = round(time.perf_counter() - t0, 1)

    if update_floor:
        _write_floor(floor, report)

    text = ev.render_markdown(report)
    if markdown is not None:
        from mtaudit.output import atomic_write

        with atomic_write(markdown) as stream:
            stream.write(_markdown_page(report, text))
    if format == "json":
        typer.echo(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        typer.echo(text)


def _note(message: str) -> None:
    sys.stderr.write(f"mtaudit: {message}\n")


def _write_floor(path: Path, report: dict[str, Any]) -> None:
    from mtaudit.output import atomic_write

    corpus = report["corpus"]
    data = {
        "about": "Last measured per-category precision/recall on the heldout split, fast "
        "mode. tests/test_quality_floor.py fails when a value falls more than `margin` "
        "below. Rewrite with `mtaudit eval --update-floor`.",
        "split": "heldout",
        "fast": True,
        "margin": FLOOR_MARGIN,
        "checks": report["info"].get("checks", []),
        "clean_flagged_rate": corpus["clean_flagged_rate"],
        "categories": {
            cat: {"precision": v["precision"], "recall": v["recall"]}
            for cat, v in corpus["by_category"].items()
        },
    }
    with atomic_write(path) as stream:
        stream.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    _note(f"quality floor written to {path}")


def _markdown_page(report: dict[str, Any], body: str) -> str:
    return (
        "# Measured quality\n\n"
        "Generated by `mtaudit eval --markdown docs/quality.md` "
        "(see the end of this page for how to read it).\n\n" + body
    )
