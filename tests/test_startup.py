"""--help, rules and check --fast must not import heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "sentence_transformers", "pandas", "pyarrow", "dask", "translate", "transformers")
PROBE = """
import sys, json
sys.argv = ["mtaudit", *json.loads(sys.argv[1])]
from mtaudit.cli import app
try:
    app()
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
sys.stderr.write("HEAVY=" + json.dumps(heavy) + "\\n")
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["rules"], ["explain", "MT401"], ["check", "--fast", "-f", "json", "{story}"]],
    ids=["help", "rules", "explain", "check-fast"],
)
def test_no_heavy_imports(args: list[str], tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The talks ended without a deal , officials said.", encoding="utf-8")
    args = [a.replace("{story}", str(story)) for a in args]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("HEAVY=")]
    assert line, proc.stderr
    assert json.loads(line[-1][6:]) == [], f"heavy modules imported by {args}"
