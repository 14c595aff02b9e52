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
    fail,
    make_engine,
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
        Path, typer.Option("--corpus", metavar="FILE", help="Labelled corpus (JSONL with gold spans).")
    ] = DEFAULT_CORPUS,
    split: Annotated[
        str, typer.Option("--split", metavar="SPLIT", help="Corpus part: tune, heldout or all.")
    ] = "all",
    shared: Annotated[
        Path | None,
        typer.Option(
            "--shared", metavar="DIR", help="Folder with the public sets (default ../shared/eval if present)."
        ),
    ] = None,
    no_corpus: Annotated[
        bool, typer.Option("--no-corpus", help="Only the public sets, not our corpus.")
    ] = False,
    no_shared: Annotated[
        bool, typer.Option("--no-shared", help="Only our corpus, not the public sets.")
    ] = False,
    sets: Annotated[
        str | None,
        typer.Option("--sets", metavar="SETS", help="Public sets to run: demetr,captions,wmt,mlqe (default all)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N items per public set (per group).")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")] = "text",
    markdown: Annotated[
        Path | None, typer.Option("--markdown", metavar="FILE", help="Also write the tables to this file.")
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
        Path, typer.Option("--floor", metavar="FILE", help="Quality-floor file for --update-floor.")
    ] = DEFAULT_FLOOR,
    from_json: Annotated[
        Path | None,
        typer.Option("--from-json", metavar="FILE", help="Render a saved `--format json` report; run nothing."),
    ] = None,
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
    from mtaudit.embeddings import ModelUnavailable
    from mtaudit.glossary import GlossaryError

    if split not in ev.SPLITS:
        fail(f"unknown split {split!r} (expected tune, heldout or all)")
    if format not in ("text", "json"):
        fail(f"unknown format {format!r} for eval (expected text or json)")
    chosen_sets = [s.strip() for s in sets.split(",") if s.strip()] if sets else None
    for name in chosen_sets or ():
        if name not in ev.SHARED_SETS:
            fail(f"unknown set {name!r} (expected {', '.join(ev.SHARED_SETS)})")
    if from_json is not None:
        try:
            saved = json.loads(from_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"{from_json}: cannot read report: {exc}")
        _emit(saved, format, markdown)
        return
    if update_floor:
        fast, split, no_shared = True, "heldout", True
    _, engine = make_engine(
        config_path=config, glossary=glossary, select=select, ignore=ignore, fast=fast, model=model
    )
    instruments = ev.instrument(engine)

    t0 = time.perf_counter()
    report: dict[str, Any] = {"version": 1, "info": engine.run_info(), "split": split}
    try:
        if no_corpus and not update_floor:
            pass
        elif corpus.is_file():
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
            mlqe_path = folder / ev.SHARED_SETS["mlqe"][0]
            wmt_run = mlqe_run = None
            for name in names:
                if calibrate and name == "wmt" and wmt_path.is_file():
                    wmt_run = ev.run_wmt(engine, wmt_path, limit)
                    report["shared"]["wmt"] = ev.wmt_result(wmt_run)
                elif calibrate and name == "mlqe" and mlqe_path.is_file():
                    mlqe_run = ev.run_mlqe(engine, mlqe_path, limit)
                    report["shared"]["mlqe"] = ev.mlqe_result(mlqe_run)
                else:
                    for key, res in ev.eval_shared(engine, folder, limit, [name]):
                        report["shared"][key] = res
            if calibrate and wmt_run is not None:
                check = (mlqe_run.rows, mlqe_run.findings) if mlqe_run else None
                report["calibration"] = ev.calibrate(wmt_run.rows, wmt_run.findings, check=check)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    except (GlossaryError, ModelUnavailable) as exc:
        fail(str(exc))
    report["seconds"] = round(time.perf_counter() - t0, 1)
    report["check_seconds"] = {k: round(v, 3) for k, v in sorted(instruments.seconds.items())}
    if instruments.errors:
        report["check_errors"] = {
            code: {"count": n, "first": instruments.first_error[code][:200]}
            for code, n in sorted(instruments.errors.items())
        }
        _note(f"checks crashed during eval: {', '.join(sorted(instruments.errors))}")

    if update_floor:
        _write_floor(floor, report)

    _emit(report, format, markdown)


def _emit(report: dict[str, Any], format: str, markdown: Path | None) -> None:
    from mtaudit import evaluation as ev

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


_PREAMBLE = """\
# Measured quality

This page is generated: `make eval` (or `mtaudit eval --markdown docs/quality.md`)
rewrites it. Numbers below are from the run described in the first line (mode,
checks, signature).

## How it is measured

- **Our corpus** (`tests/corpus/`): English MT-style wire stories written for this
  project, with gold spans in the report's categories, marked up inline in
  `tests/corpus/src/*.md` (`{idiom|that is not my beer}`) and built into
  `corpus.jsonl` by `python tests/corpus/build.py` (offsets are computed, never typed).
  About half the documents are clean and full of false-positive traps (accented
  names, acronyms, wire datelines, agencies in prose, correct English idioms,
  glossed foreign phrases, "had had", thousands separators).
- **Matching**: a finding matches a gold span of its category when the two overlap
  (a span may accept a second category, e.g. mojibake inside a name counts as
  `encoding` or `name`). Precision is counted per finding, recall per gold span. A
  code's recall is the share of its category's gold spans that it found.
- **Splits**: documents are split into `tune` and `heldout` (alternating within each
  main category, ordered by source language). Thresholds, glossary rows and
  severities may be fitted on `tune` only; **nothing may be fitted on `heldout`**,
  which is what the CI quality floor (`tests/quality_floor.json`, fast mode) guards.
- **Public sets** (`../shared/eval/`, development data, not a secret test set):
  DEMETR detection per perturbation (share of perturbed sentences with a finding in
  the relevant categories, the same on the unperturbed original = paired false
  positives, and how often the perturbed one gets the higher penalty); captions
  (a text is detected if any caption finding fires); WMT23 zh→en MQM (Kendall τ-b
  and WMT's acc-eq between mtaudit's penalty and the human MQM score, with a
  words-count baseline, plus character-level span precision/recall for the MQM
  categories mtaudit targets); MLQE-PE (Spearman/Kendall with -DA z-score and with
  HTER, AUROC for DA < 50).
- **Calibration**: `mtaudit eval --calibrate` recomputes the WMT penalty under
  alternative severity maps (the config's `[severity]` semantics: a category or code
  mapped to minor/major/critical, or left out) from one run's findings and ranks them
  by τ-b. To adopt a map, put it in `[tool.mtaudit.severity]` (or the category's
  default severity in the check) and compare `mtaudit eval --sets wmt` before/after.

"""


def _markdown_page(report: dict[str, Any], body: str) -> str:
    return _PREAMBLE + "## Results\n\n" + body
