"""The README and `mtaudit explain` stay true to the code."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from mtaudit.cli import app, rules_markdown
from mtaudit.registry import all_rules
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make demo" in head and "make test" in head


def test_readme_rule_table_is_generated_from_the_code() -> None:
    block = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", README, re.S)
    assert block, "README needs the generated rule table"
    assert block.group(1) == rules_markdown(), "run: python scripts/update_readme.py"


def test_every_rule_explains_itself() -> None:
    runner = CliRunner()
    for rule in all_rules():
        result = runner.invoke(app, ["explain", rule.code])
        assert result.exit_code == 0
        assert rule.name in result.stdout and "Bad:" in result.stdout


def test_readme_documents_the_score_formula() -> None:
    assert "100 * penalty / max(words, 100)" in README
