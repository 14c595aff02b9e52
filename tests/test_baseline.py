"""The CI gate: baselines, --diff REF, suppressions and unused suppressions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.baseline import Baseline, BaselineError, fingerprint, parse_hunks
from mtaudit.cli import app
from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine, suppressions

BODY = (
    "The talks ended without a deal , officials said.\n"
    "Thousands joined an anti -government march.\n"
    "The minister left early.\n"
)
FAST = ["--fast", "--select", "MT4", "-q"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def findings(*args: str) -> list[dict[str, object]]:
    code, out, err = run("check", *args, *FAST, "-f", "json")
    assert code in (0, 1), err
    return [f for d in json.loads(out)["documents"] for f in d["findings"]]


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "story.txt").write_text(BODY, encoding="utf-8")
    return tmp_path


# -- baseline -----------------------------------------------------------------------


def test_baseline_hides_known_findings_and_survives_lines_moving(repo: Path) -> None:
    code, _, err = run("baseline", "create", "story.txt", "-o", "base.json", *FAST)
    assert code == 0, err
    data = json.loads((repo / "base.json").read_text(encoding="utf-8"))
    assert len(data["findings"]) == 2
    assert all("line" in e and len(e["fingerprint"]) == 32 for e in data["findings"])

    code, out, err = run(
        "check", "story.txt", *FAST, "--baseline", "base.json", "--fail-on", "minor"
    )
    assert code == 0, out
    assert "2 finding(s) in the baseline not reported" in err

    # Lines move: new paragraphs above; the old findings are still known.
    moved = "A new lede.\n\nAnother paragraph here.\n\n" + BODY
    (repo / "story.txt").write_text(moved, encoding="utf-8")
    assert findings("story.txt", "--baseline", "base.json") == []

    # A new artifact is reported and fails the gate.
    (repo / "story.txt").write_text(moved + "Prices rose , again.\n", encoding="utf-8")
    new = findings("story.txt", "--baseline", "base.json")
    assert [f["text"] for f in new] == ["rose ,"]
    code, out, _ = run(
        "check", "story.txt", *FAST, "--baseline", "base.json", "--fail-on", "minor", "-f", "json"
    )
    assert code == 1
    assert json.loads(out)["summary"]["baselined"] == 2


def test_baseline_counts_repeated_identical_findings(repo: Path) -> None:
    (repo / "story.txt").write_text("He left , early.\n", encoding="utf-8")
    assert run("baseline", "create", "story.txt", "-o", "base.json", *FAST)[0] == 0
    (repo / "story.txt").write_text("He left , early.\nHe left , early.\n", encoding="utf-8")
    assert len(findings("story.txt", "--baseline", "base.json")) == 1


def test_fingerprint_ignores_position_but_not_content() -> None:
    engine = Engine(Config(select=("MT4",), fast=True))
    a = Document(id="a", text="x\n\nHe left , early.", path="a.txt")
    b = Document(id="a", text="He left , early.", path="a.txt")
    c = Document(id="a", text="She came , late.", path="a.txt")
    fa, fb, fc = (next(engine.run([d])).findings[0] for d in (a, b, c))
    assert fingerprint(a, fa) == fingerprint(b, fb) != fingerprint(c, fc)


def test_bad_baseline_files_are_clear_errors(repo: Path) -> None:
    code, _, err = run("check", "story.txt", *FAST, "--baseline", "missing.json")
    assert code == 2 and "no such baseline file" in err
    (repo / "bad.json").write_text("{not json", encoding="utf-8")
    code, _, err = run("check", "story.txt", *FAST, "--baseline", "bad.json")
    assert code == 2 and "malformed baseline JSON" in err and "Traceback" not in err
    with pytest.raises(BaselineError):
        (repo / "other.json").write_text('{"findings": [{"x": 1}]}', encoding="utf-8")
        Baseline.load(repo / "other.json")


# -- --diff REF ---------------------------------------------------------------------


def test_parse_hunks() -> None:
    diff = "@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,3 +22,0 @@\n"
    assert parse_hunks(diff) == {3, 11, 12}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_diff_reports_only_changed_lines(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", "story.txt")
    _git(repo, "commit", "-q", "-m", "first")
    changed = BODY.replace("The minister left early.", "The minister left early , again.")
    (repo / "story.txt").write_text(changed, encoding="utf-8")
    (repo / "new.txt").write_text("An untracked file , all new.\n", encoding="utf-8")
    got = findings("story.txt", "new.txt", "--diff", "HEAD")
    assert sorted(f["text"] for f in got) == ["early ,", "file ,"]
    _, out, err = run("check", "story.txt", *FAST, "--diff", "HEAD", "-f", "json")
    assert json.loads(out)["summary"]["outside_diff"] == 2
    assert "outside lines changed since HEAD" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_diff_errors_are_clear(repo: Path) -> None:
    code, _, err = run("check", "story.txt", *FAST, "--diff", "HEAD")
    assert code == 2 and "not inside a git repository" in err
    _git(repo, "init", "-q")
    _git(repo, "add", "story.txt")
    _git(repo, "commit", "-q", "-m", "first")
    code, _, err = run("check", "story.txt", *FAST, "--diff", "no-such-ref")
    assert code == 2 and "unknown git revision" in err


# -- suppressions -------------------------------------------------------------------


def test_trailing_comment_suppresses_its_line(repo: Path) -> None:
    text = "He left , early. # mtaudit: ignore MT401\nShe came , late.\n"
    (repo / "story.txt").write_text(text, encoding="utf-8")
    assert [f["text"] for f in findings("story.txt")] == ["came ,"]


def test_comment_alone_on_a_line_covers_the_next_line(repo: Path) -> None:
    text = "Intro.\n\n<!-- mtaudit: ignore MT401 -->\nHe left , early.\n\nShe came , late.\n"
    (repo / "doc.md").write_text(text, encoding="utf-8")
    assert [f["text"] for f in findings("doc.md")] == ["came ,"]


def test_jsonl_record_field_suppresses(repo: Path) -> None:
    rows = [
        {"id": "a", "text": "He left , early.", "mtaudit_ignore": "MT401"},
        {"id": "b", "text": "He left , early.", "mtaudit_ignore": ["MT402"]},
        {"id": "c", "text": "He left , early."},
    ]
    (repo / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    _, out, err = run("check", "feed.jsonl", *FAST, "-f", "json")
    docs = {d["id"]: d for d in json.loads(out)["documents"]}
    assert len(docs["a"]["findings"]) == 0
    assert len(docs["b"]["findings"]) == 1 and len(docs["c"]["findings"]) == 1
    assert "unused suppression" in err and "mtaudit_ignore" in err


def test_unused_suppressions_are_reported_not_counted(repo: Path) -> None:
    text = "A clean line. <!-- mtaudit: ignore MT402 -->\nHe left , early. <!-- mtaudit: ignore MT401 -->\n"
    (repo / "doc.md").write_text(text, encoding="utf-8")
    _, out, err = run("check", "doc.md", *FAST, "-f", "json")
    report = json.loads(out)
    assert report["summary"]["findings"] == 0
    assert report["summary"]["suppressed"] == 1
    unused = report["summary"]["unused_suppressions"]
    assert len(unused) == 1 and "line 1: MT402" in unused[0]
    assert "warning: unused suppression" in err and "line 1: MT402" in err


def test_suppression_of_an_unselected_rule_is_not_unused() -> None:
    doc = Document(id="d", text="Fine text. <!-- mtaudit: ignore MT2 -->\n")
    engine = Engine(Config(select=("MT4",), fast=True))
    assert next(engine.run([doc])).unused_suppressions == []
    assert [d.codes for d in suppressions(doc)] == [frozenset({"MT2"})]


def test_per_file_ignores_from_config(repo: Path) -> None:
    (repo / "mtaudit.toml").write_text(
        '[per-file-ignores]\n"legal/*" = ["MT401"]\n', encoding="utf-8"
    )
    (repo / "legal").mkdir()
    (repo / "legal" / "terms.txt").write_text("He left , early.\n", encoding="utf-8")
    (repo / "other.txt").write_text("He left , early.\n", encoding="utf-8")
    got = findings("legal", "other.txt")
    assert len(got) == 1


def test_severity_overrides_from_config_drive_the_gate(repo: Path) -> None:
    (repo / "mtaudit.toml").write_text('[severity]\ntokenization = "major"\n', encoding="utf-8")
    code, out, _ = run("check", "story.txt", *FAST, "--fail-on", "major", "-f", "json")
    assert code == 1
    assert {f["severity"] for d in json.loads(out)["documents"] for f in d["findings"]} == {"major"}


def test_sarif_marks_results_new_only_when_a_baseline_was_used(repo: Path) -> None:
    assert run("baseline", "create", "story.txt", "-o", "base.json", *FAST)[0] == 0
    (repo / "story.txt").write_text(BODY + "Prices rose , again.\n", encoding="utf-8")
    code, out, err = run("check", "story.txt", *FAST, "--baseline", "base.json", "-f", "sarif")
    assert code == 0, err
    results = json.loads(out)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] for r in results] == [
        "rose ,"
    ]
    assert [r["baselineState"] for r in results] == ["new"]

    code, out, err = run("check", "story.txt", *FAST, "-f", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert len(results) == 3
    assert all("baselineState" not in r for r in results)
