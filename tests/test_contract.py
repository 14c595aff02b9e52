"""The JSON report is a stable contract (SPEC §2)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.finding import CATEGORIES
from tests.conftest import SEED

runner = CliRunner()
FINDING_KEYS = {
    "code",
    "category",
    "severity",
    "start",
    "end",
    "line",
    "col",
    "text",
    "message",
    "suggestion",
    "confidence",
}


def _check_report(report: dict, texts: dict[str, str]) -> None:  # type: ignore[type-arg]
    assert report["version"] == 1
    tool = report["tool"]
    for key in ("version", "signature", "checks", "glossaries", "model"):
        assert key in tool
    assert tool["signature"].startswith("mtaudit:")
    for doc in report["documents"]:
        text = texts[doc["id"]]
        assert set(doc) >= {"id", "path", "words", "penalty", "score", "findings"}
        assert doc["words"] == len(text.split())
        assert 0 <= doc["score"] <= 100
        expected = round(max(0.0, 100 - 100 * doc["penalty"] / max(doc["words"], 100)), 1)
        assert doc["score"] == expected
        for f in doc["findings"]:
            assert set(f) == FINDING_KEYS
            assert f["text"] == text[f["start"] : f["end"]]
            assert f["category"] in CATEGORIES
            assert f["severity"] in {"minor", "major", "critical"}
            assert 0.0 <= f["confidence"] <= 1.0
            assert f["code"].startswith("MT") and len(f["code"]) == 5
            # line/col are 1-based and point at start
            lines = text.split("\n")
            assert lines[f["line"] - 1][f["col"] - 1 :].startswith(f["text"].split("\n")[0])
    summary = report["summary"]
    assert summary["documents"] == len(report["documents"])
    assert summary["findings"] == sum(len(d["findings"]) for d in report["documents"])
    assert sum(summary["by_category"].values()) == summary["findings"]


def test_seed_report_contract(seed_text: str) -> None:
    result = runner.invoke(app, ["check", str(SEED), "--fast", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    _check_report(report, {"putin-serbia": seed_text})
    doc = report["documents"][0]
    assert doc["words"] == 519
    # Both tokenization spans of the annotation are found.
    texts = {f["text"] for f in doc["findings"] if f["category"] == "tokenization"}
    assert "“ Taking on Russia ''" in texts
    assert "anti -government" in texts


def test_contract_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffFirst line.\r\nA deal , said he.\r\n".encode())
    result = runner.invoke(app, ["check", str(path), "--fast", "-f", "json", "--select", "MT4"])
    report = json.loads(result.stdout)
    text = "First line.\r\nA deal , said he.\r\n"
    _check_report(report, {"bom": text})
    f = report["documents"][0]["findings"][0]
    assert (f["line"], f["col"]) == (2, 3)


def test_jsonl_objects_match_json_documents(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("A deal , said he.", encoding="utf-8")
    a = json.loads(runner.invoke(app, ["check", str(path), "--fast", "-f", "json"]).stdout)
    b = json.loads(runner.invoke(app, ["check", str(path), "--fast", "-f", "jsonl"]).stdout)
    assert a["documents"][0] == b
