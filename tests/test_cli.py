"""The CLI through typer's runner: commands, options, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.cli import app

runner = CliRunner()
BAD = "The talks ended without a deal , officials said .\nThousands joined an anti -government march.\n"
CLEAN = "The talks ended without a deal, officials said.\n"


@pytest.fixture()
def story(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(BAD, encoding="utf-8")
    return path


def test_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in ("check", "rules", "explain", "glossary"):
        assert cmd in result.stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("mtaudit ")


def test_check_text_output(story: Path) -> None:
    result = runner.invoke(app, ["check", str(story), "--fast", "--select", "MT4"])
    assert result.exit_code == 0, result.stderr
    assert f"{story}:1:" in result.stdout
    assert "MT401" in result.stdout and "MT402" in result.stdout
    assert "suggestion: anti-government" in result.stdout


def test_check_json_output(story: Path) -> None:
    result = runner.invoke(app, ["check", str(story), "--fast", "-f", "json", "--select", "MT4"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["version"] == 1
    doc = report["documents"][0]
    assert doc["id"] == "story"
    assert {f["code"] for f in doc["findings"]} == {"MT401", "MT402"}
    assert report["summary"]["documents"] == 1
    assert report["summary"]["failed"] is False


def test_check_jsonl_streams_one_line_per_document(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(BAD, encoding="utf-8")
    result = runner.invoke(app, ["check", str(tmp_path), "--fast", "-f", "jsonl"])
    lines = result.stdout.strip().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["d0", "d1", "d2"]


def test_select_and_ignore_by_prefix(story: Path) -> None:
    result = runner.invoke(
        app, ["check", str(story), "--fast", "-f", "json", "--select", "MT4", "--ignore", "MT401"]
    )
    codes = {f["code"] for f in json.loads(result.stdout)["documents"][0]["findings"]}
    assert codes == {"MT402"}


def test_fail_on_and_fail_under(story: Path) -> None:
    base = ["check", str(story), "--fast", "--select", "MT4"]
    assert runner.invoke(app, [*base, "--fail-on", "minor"]).exit_code == 1
    assert runner.invoke(app, [*base, "--fail-on", "major"]).exit_code == 0
    assert runner.invoke(app, [*base, "--fail-under", "100"]).exit_code == 1
    assert runner.invoke(app, [*base, "--fail-under", "50"]).exit_code == 0


def test_output_file_is_written(story: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.json"
    result = runner.invoke(app, ["check", str(story), "--fast", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["id"] == "story"
    assert not list(out.parent.glob(".*.tmp"))


def test_stdin() -> None:
    result = runner.invoke(
        app, ["check", "-", "--fast", "-f", "json", "--select", "MT4"], input=BAD
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["id"] == "stdin" and doc["findings"]


def test_jsonl_and_csv_inputs(tmp_path: Path) -> None:
    jl = tmp_path / "feed.jsonl"
    jl.write_text(
        json.dumps({"id": "a1", "text": BAD})
        + "\n"
        + json.dumps({"id": "a2", "text": CLEAN})
        + "\n",
        encoding="utf-8",
    )
    csv = tmp_path / "table.csv"
    csv.write_text('id,body\nc1,"' + BAD.replace('"', '""') + '"\n', encoding="utf-8")
    r1 = runner.invoke(app, ["check", str(jl), "--fast", "-f", "json", "--select", "MT4"])
    ids = [d["id"] for d in json.loads(r1.stdout)["documents"]]
    assert ids == ["a1", "a2"]
    r2 = runner.invoke(
        app, ["check", str(csv), "--fast", "-f", "json", "--text-field", "body", "--select", "MT4"]
    )
    assert json.loads(r2.stdout)["documents"][0]["id"] == "c1"


def test_config_file_is_used_and_cli_overrides(
    story: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mtaudit.toml").write_text(
        'select = ["MT402"]\nfail-on = "minor"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", str(story), "--fast", "-f", "json"])
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.stdout)["documents"][0]["findings"]}
    assert codes == {"MT402"}
    result = runner.invoke(app, ["check", str(story), "--fast", "--select", "MT401", "-f", "json"])
    codes = {f["code"] for f in json.loads(result.stdout)["documents"][0]["findings"]}
    assert codes == {"MT401"}


def test_pyproject_config(story: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mtaudit]\nignore = ["MT401"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", str(story), "--fast", "-f", "json", "--select", "MT4"])
    codes = {f["code"] for f in json.loads(result.stdout)["documents"][0]["findings"]}
    assert codes == {"MT402"}


def test_rules_lists_every_rule() -> None:
    from mtaudit.registry import all_rules

    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule in all_rules():
        assert rule.code in result.stdout
    as_json = json.loads(runner.invoke(app, ["rules", "--json"]).stdout)
    assert {r["code"] for r in as_json} == {r.code for r in all_rules()}


def test_explain() -> None:
    result = runner.invoke(app, ["explain", "mt402"])
    assert result.exit_code == 0
    assert "spaced-hyphen" in result.stdout and "Bad:" in result.stdout and "Good:" in result.stdout


def test_explain_unknown_code() -> None:
    result = runner.invoke(app, ["explain", "MT999"])
    assert result.exit_code == 2
    assert result.stderr.startswith("mtaudit: error: ")


def test_formats_command() -> None:
    result = runner.invoke(app, ["formats"])
    assert "json" in result.stdout and "text" in result.stdout


def test_inline_suppression(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(
        "A deal , said one. <!-- mtaudit: ignore MT401 -->\nA deal , said two.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["check", str(path), "--fast", "-f", "json", "--select", "MT401"])
    found = json.loads(result.stdout)["documents"][0]["findings"]
    assert [f["line"] for f in found] == [2]
