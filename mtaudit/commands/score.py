"""``mtaudit score``: reference-based MT metrics (sacrebleu BLEU, chrF, TER).

The hypothesis and reference files hold one segment per line, aligned; more
than one ``--ref`` gives multiple references. Scores are corpus-level, and
per segment with ``--segments``; each metric prints sacrebleu's signature so a
number can be reproduced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mtaudit.cli import app, fail

METRICS = ("bleu", "chrf", "ter")


def _read_lines(path: Path) -> list[str]:
    from mtaudit.readers import InputError, decode, read_bytes

    try:
        text = decode(read_bytes(path), str(path))
    except InputError as exc:
        fail(str(exc))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _metric(name: str, *, sentence: bool = False) -> Any:
    from sacrebleu.metrics import BLEU, CHRF, TER

    if name == "bleu":
        return BLEU(effective_order=True) if sentence else BLEU()
    if name == "chrf":
        return CHRF()
    return TER()


def compute(
    hyps: list[str], refs: list[list[str]], metrics: list[str], segments: bool
) -> dict[str, Any]:
    """Corpus scores with signatures, and optionally per-segment scores."""
    out: dict[str, Any] = {"segments_count": len(hyps), "corpus": {}}
    for name in metrics:
        metric = _metric(name)
        result = metric.corpus_score(hyps, refs)
        out["corpus"][name] = {
            "name": result.name,
            "score": round(float(result.score), 4),
            "signature": str(metric.get_signature()),
            "text": str(result),
        }
    if segments:
        rows: list[dict[str, Any]] = []
        scorers = {name: _metric(name, sentence=True) for name in metrics}
        for i, hyp in enumerate(hyps):
            row: dict[str, Any] = {"line": i + 1}
            for name, metric in scorers.items():
                row[name] = round(float(metric.sentence_score(hyp, [r[i] for r in refs]).score), 4)
            rows.append(row)
        out["segments"] = rows
    return out


@app.command()
def score(
    hyp: Annotated[Path, typer.Option("--hyp", metavar="FILE", help="MT output, one segment per line.")],
    ref: Annotated[
        list[Path], typer.Option("--ref", metavar="FILE", help="Reference translation(s), aligned (repeatable).")
    ],
    metrics: Annotated[
        str, typer.Option("--metrics", "-m", metavar="METRICS", help="Comma-separated: bleu, chrf, ter.")
    ] = "bleu,chrf,ter",
    segments: Annotated[bool, typer.Option("--segments", help="Also score every segment.")] = False,
    format: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")] = "text",
) -> None:
    """Score MT output against references with sacrebleu (BLEU, chrF, TER)."""
    chosen = [m.strip().lower() for m in metrics.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METRICS]
    if unknown or not chosen:
        fail(f"unknown metric {', '.join(unknown) or '(none)'}; choose from {', '.join(METRICS)}")
    if format not in ("text", "json"):
        fail(f"unknown format {format!r} for score; choose text or json")
    hyps = _read_lines(hyp)
    if not hyps:
        fail(f"{hyp}: empty file, nothing to score")
    refs = [_read_lines(r) for r in ref]
    for path, lines in zip(ref, refs, strict=True):
        if len(lines) != len(hyps):
            fail(f"{path}: {len(lines)} lines, but {hyp} has {len(hyps)}; files must be aligned")
    result = compute(hyps, refs, chosen, segments)
    if format == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for entry in result["corpus"].values():
        typer.echo(f"{entry['text']}  {entry['signature']}")
    if segments:
        names = [m for m in chosen]
        typer.echo("line\t" + "\t".join(names))
        for row in result["segments"]:
            typer.echo(f"{row['line']}\t" + "\t".join(f"{row[n]:.2f}" for n in names))
