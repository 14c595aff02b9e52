"""The CI examples in docs/ci.md and .pre-commit-hooks.yaml are valid: the
workflow files against their published JSON schemas (vendored by the
check-jsonschema package), and every mtaudit option they use exists."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mtaudit.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ci.md"


def yaml_blocks() -> dict[str, Any]:
    """The fenced YAML blocks of docs/ci.md, by the file name in their first line."""
    out = {}
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL):
        first = block.splitlines()[0]
        if first.startswith("# "):
            out[first[2:].strip()] = yaml.safe_load(block)
    return out


def vendored_schema(name: str) -> dict[str, Any]:
    pytest.importorskip("check_jsonschema")
    text = (
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.mark.parametrize(
    ("file", "schema"),
    [
        (".github/workflows/mtaudit.yml", "github-workflows.json"),
        (".gitlab-ci.yml", "gitlab-ci.json"),
    ],
)
def test_ci_examples_match_their_schemas(file: str, schema: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = yaml_blocks()[file]
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    if True in document:
        document["on"] = document.pop(True)
    jsonschema.Draft7Validator(vendored_schema(schema)).validate(document)


def test_github_example_uploads_sarif() -> None:
    steps = yaml_blocks()[".github/workflows/mtaudit.yml"]["jobs"]["mtaudit"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    assert any("--format sarif -o mtaudit.sarif" in s.get("run", "") for s in steps)


def _commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    found = re.findall(r"mtaudit (check[^\n`]*(?:\n +--[^\n`]*)*)", text)
    return [" ".join(c.split()) for c in found] + [
        h["entry"].removeprefix("mtaudit ") for h in hooks
    ]


def test_documented_options_exist() -> None:
    help_text = CliRunner().invoke(app, ["check", "--help"], terminal_width=200).stdout
    commands = _commands()
    assert len(commands) >= 5
    for command in commands:
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", command):
            assert option in help_text, f"{option} in {command!r}"


def test_pre_commit_hook_matches_localized_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "mtaudit" and hook["language"] == "python"
    assert hook["entry"] == "mtaudit check --fast --fail-on major"
    files = re.compile(hook["files"])
    for name in (
        "a.txt",
        "docs/x.md",
        "locales/en.json",
        "config/locales/fr.yml",
        "m.po",
        "t.xliff",
    ):
        assert files.search(name), name
    assert not files.search("setup.py")
    assert re.search(hook["exclude"], "web/package.json")
