"""`mtaudit score`: sacrebleu BLEU, chrF and TER through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mtaudit.cli import app

runner = CliRunner()


def _files(tmp_path: Path, hyp: str, ref: str) -> tuple[str, str]:
    h, r = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    h.write_text(hyp, encoding="utf-8")
    r.write_text(ref, encoding="utf-8")
    return str(h), str(r)


HYP = "The cat sat on the mat.\nHe said hello to the neighbours.\n"
REF = "The cat sat on the mat.\nHe greeted the neighbours.\n"


def test_corpus_scores_with_signatures(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, REF)
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r])
    assert result.exit_code == 0, result.output
    assert "BLEU = " in result.output and "chrF2 = " in result.output and "TER = " in result.output
    assert "nrefs:1|case:mixed|eff:no|tok:13a" in result.output
    assert "version:" in result.output


def test_identical_text_scores_perfect(tmp_path: Path) -> None:
    h, r = _files(tmp_path, REF, REF)
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r, "-f", "json"])
    data = json.loads(result.output)
    assert data["corpus"]["bleu"]["score"] == 100.0
    assert data["corpus"]["chrf"]["score"] == 100.0
    assert data["corpus"]["ter"]["score"] == 0.0


def test_segments_and_metric_choice_in_json(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, REF)
    result = runner.invoke(
        app, ["score", "--hyp", h, "--ref", r, "--metrics", "chrf,ter", "--segments", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["corpus"]) == {"chrf", "ter"}
    assert [s["line"] for s in data["segments"]] == [1, 2]
    assert data["segments"][0]["chrf"] == 100.0
    assert data["segments"][1]["ter"] > 0
    assert "bleu" not in data["segments"][0]


def test_segments_in_text(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, REF)
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r, "--segments"])
    assert "line\tbleu\tchrf\tter" in result.output
    assert "\n1\t100.00\t100.00\t0.00" in result.output


def test_multiple_references(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, REF)
    r2 = tmp_path / "ref2.txt"
    r2.write_text(HYP, encoding="utf-8")
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r, "--ref", str(r2), "-f", "json"])
    data = json.loads(result.output)
    assert data["corpus"]["bleu"]["score"] == 100.0
    assert "nrefs:2" in data["corpus"]["bleu"]["signature"]


def test_misaligned_files_are_a_usage_error(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, "Only one line.\n")
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r])
    assert result.exit_code == 2
    assert "must be aligned" in result.output


def test_unknown_metric_and_missing_file(tmp_path: Path) -> None:
    h, r = _files(tmp_path, HYP, REF)
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r, "--metrics", "meteor"])
    assert result.exit_code == 2
    assert "unknown metric meteor" in result.output
    result = runner.invoke(app, ["score", "--hyp", str(tmp_path / "nope.txt"), "--ref", r])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_empty_hypothesis_file(tmp_path: Path) -> None:
    h, r = _files(tmp_path, "", REF)
    result = runner.invoke(app, ["score", "--hyp", h, "--ref", r])
    assert result.exit_code == 2
    assert "empty file" in result.output
