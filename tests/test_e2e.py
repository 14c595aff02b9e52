"""End-to-end: the installed `mtaudit` command, as users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED

pytestmark = pytest.mark.e2e


def _mtaudit() -> str:
    local = Path(sys.executable).parent / "mtaudit"
    found = str(local) if local.exists() else shutil.which("mtaudit")
    if not found:
        pytest.skip("mtaudit is not installed")
    return found


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [_mtaudit(), *args], capture_output=True, text=True, input=stdin, timeout=600, env=env
    )


def test_version_and_help() -> None:
    assert _run("--version").stdout.startswith("mtaudit ")
    assert "check" in _run("--help").stdout


def test_python_dash_m() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mtaudit", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("mtaudit ")


def test_check_samples_fast() -> None:
    proc = _run("check", str(ROOT / "samples"), "--fast", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["documents"] >= 6
    assert report["summary"]["findings"] > 0


def test_seed_full_mode_json() -> None:
    if not SEED.exists():
        pytest.skip("seed not available")
    proc = _run("check", str(SEED), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    text = SEED.read_text(encoding="utf-8")
    for f in report["documents"][0]["findings"]:
        assert f["text"] == text[f["start"] : f["end"]]


def test_stdin_and_gate_exit_code() -> None:
    proc = _run("check", "-", "--fast", "--fail-on", "minor", stdin="A deal , said he.\n")
    assert proc.returncode == 1
    assert "MT401" in proc.stdout


def test_error_is_one_line() -> None:
    proc = _run("check", "/nonexistent/file.txt")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "mtaudit: error: /nonexistent/file.txt: no such file or directory"
    ]
