"""``mtaudit fix``: only safe suggestions, non-overlapping, verified, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.config import Config
from mtaudit.engine import Engine
from mtaudit.finding import Finding, Severity
from mtaudit.fixer import apply, fix_file, is_safe, min_confidence, plan

DAMAGED = (
    "The talks ended without a deal , officials said .\n"
    "Thousands joined an anti -government march in the U. S. capital.\n"
    "He called it “ a betrayal '' and said the president 's plan does n't add up.\n"
    "The test ( FTIR ) found  traces.\n"
    "Prices rose 3,5 percent and some 12 500 people marched.\n"
)
REPAIRED = (
    "The talks ended without a deal, officials said.\n"
    "Thousands joined an anti-government march in the U.S. capital.\n"
    "He called it “a betrayal” and said the president's plan doesn't add up.\n"
    "The test (FTIR) found traces.\n"
    "Prices rose 3,5 percent and some 12 500 people marched.\n"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def finding(
    code: str, start: int, end: int, text: str, suggestion: str | None, conf: float = 1.0
) -> Finding:
    return Finding(code, "x", Severity.MAJOR, start, end, 1, start + 1, text, "m", suggestion, conf)


@pytest.fixture()
def engine() -> Engine:
    return Engine(Config(fast=True))


def test_fix_repairs_tokenization_and_leaves_judgement_calls(
    tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "story.txt"
    path.write_text(DAMAGED, encoding="utf-8")
    result = fix_file(engine, path)
    assert result.fixed == REPAIRED  # the decimal comma and "12 500" (low confidence) stay
    assert path.read_text(encoding="utf-8") == DAMAGED  # nothing written
    assert {f.code for f in result.applied} >= {
        "MT401",
        "MT402",
        "MT403",
        "MT404",
        "MT405",
        "MT407",
    }


def test_fix_in_place_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("story.txt").write_text(DAMAGED, encoding="utf-8")
    code, out, err = run("fix", "story.txt", "--in-place")
    assert code == 0, err
    assert out == ""
    assert Path("story.txt").read_text(encoding="utf-8") == REPAIRED
    code, out, err = run("fix", "story.txt", "--diff")
    assert code == 0 and out == ""
    assert "0 fix(es)" in err
    # and check agrees: no tokenization finding that fix would apply is left
    code, out, _ = run("check", "story.txt", "--fast", "--select", "MT4", "-f", "json")
    left = [f for d in json.loads(out)["documents"] for f in d["findings"]]
    assert {f["code"] for f in left} == {"MT406"}


def test_fix_diff_previews_without_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("story.txt").write_text(DAMAGED, encoding="utf-8")
    code, out, err = run("fix", "story.txt", "--diff")
    assert code == 1, err  # pending fixes fail the preview, like ruff --diff
    assert out.startswith("--- a/story.txt\n+++ b/story.txt\n")
    assert "-The talks ended without a deal , officials said .\n" in out
    assert "+The talks ended without a deal, officials said.\n" in out
    assert Path("story.txt").read_text(encoding="utf-8") == DAMAGED
    assert run("fix", "story.txt", "--diff", "--in-place")[0] == 2


def test_fix_keeps_bom_and_crlf(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbfHe left , early.\r\nShe came .\r\n")
    code, _, err = run("fix", str(path), "--in-place")
    assert code == 0, err
    assert path.read_bytes() == b"\xef\xbb\xbfHe left, early.\r\nShe came.\r\n"


def test_fix_in_place_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("He left , early.\n", encoding="utf-8")
    path.chmod(0o644)
    assert run("fix", str(path), "--in-place")[0] == 0
    assert path.read_text(encoding="utf-8") == "He left, early.\n"
    assert path.stat().st_mode & 0o777 == 0o644


def test_markdown_code_is_never_touched(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "doc.md"
    path.write_text(
        "Text , here.\n\n```\ncode , here .\n```\n\nUse `a , b` now .\n", encoding="utf-8"
    )
    assert (
        fix_file(engine, path).fixed
        == "Text, here.\n\n```\ncode , here .\n```\n\nUse `a , b` now.\n"
    )


def test_json_values_are_fixed_in_place(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "en.json"
    path.write_text(
        '{"a": {"b": "Saved , thanks ."}, "c": "Say \\"hi\\" , now ."}\n', encoding="utf-8"
    )
    fixed = fix_file(engine, path).fixed
    assert json.loads(fixed)["a"]["b"] == "Saved, thanks."
    assert json.loads(fixed)["c"] == 'Say "hi" , now .'  # escapes: offsets do not map, untouched


# -- the whitelist and the planner ----------------------------------------------------


def test_whitelist_covers_the_safe_families_only() -> None:
    assert min_confidence("MT101") == 0.9
    assert min_confidence("MT150") == 0.8
    assert min_confidence("MT301") is not None
    assert min_confidence("MT401") is not None
    for unsafe in ("MT201", "MT503", "MT602", "MT701", "MT801"):
        assert min_confidence(unsafe) is None
    assert is_safe(finding("MT101", 0, 3, "Vui", "Vučić", 0.93))
    assert not is_safe(finding("MT101", 0, 3, "Vui", "Vučić", 0.7))  # not sure enough
    assert not is_safe(finding("MT101", 0, 3, "Vui", None, 0.99))  # nothing to apply
    assert is_safe(finding("MT301", 0, 5, "Getty", "", 0.95))
    assert not is_safe(finding("MT301", 0, 5, "Getty", "Getty Images", 0.95))  # removal only
    assert not is_safe(finding("MT201", 0, 5, "x y z", "a b c", 1.0))


def test_plan_picks_non_overlapping_edits_and_verifies_text() -> None:
    text = "Aleksandar Vui met the press Getty and left , early."

    def at(code: str, span: str, suggestion: str, conf: float) -> Finding:
        start = text.index(span)
        return finding(code, start, start + len(span), span, suggestion, conf)

    found = [
        at("MT101", "Vui", "Vučić", 0.93),
        at("MT105", "Vui met", "Vučić met", 0.91),  # overlaps a surer edit: loses
        at("MT301", "Getty", "", 0.95),
        at("MT401", "left ,", "left,", 1.0),
        finding("MT401", 0, 4, "XXXX", "Y", 1.0),  # the text is not what was seen
    ]
    edits = plan(text, [(0, f) for f in found])
    assert [e.finding.code for e in edits] == ["MT101", "MT301", "MT401"]
    assert apply(text, edits) == "Aleksandar Vučić met the press and left, early."


def test_removal_at_line_start_takes_the_following_space() -> None:
    text = "Getty Thousands marched."
    edits = plan(text, [(0, finding("MT301", 0, 5, "Getty", "", 0.95))])
    assert apply(text, edits) == "Thousands marched."


def test_unsupported_files_are_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "a , b"}\n', encoding="utf-8")
    code, _, err = run("fix", str(path))
    assert code == 2 and "fix supports" in err


def test_seed_story_names_spacing_and_captions(tmp_path: Path, seed_text: str) -> None:
    """On the reference story, fix applies every safe suggestion (names from the
    glossary, captions, spacing and quotes), and check on the result finds none of
    them again; what needs an editor's judgement (idioms, false friends) stays."""
    from mtaudit.readers import read_paths

    original = tmp_path / "original.txt"
    original.write_text(seed_text, encoding="utf-8")
    path = tmp_path / "story.txt"
    path.write_text(seed_text, encoding="utf-8")
    code, _, err = run("fix", str(path), "--in-place")
    assert code == 0, err
    engine = Engine(Config(fast=True))
    assert fix_file(engine, path).applied == []  # idempotent

    before = next(engine.run(read_paths([str(original)]))).findings
    after = next(engine.run(read_paths([str(path)]))).findings
    fixed = [f for f in before if is_safe(f)]
    assert {f.category for f in fixed} >= {"tokenization"}
    assert not [f for f in after if is_safe(f)]
    left_after = sorted((f.code, f.text) for f in after if f.code.startswith(("MT2", "MT7")))
    left_before = sorted((f.code, f.text) for f in before if f.code.startswith(("MT2", "MT7")))
    assert set(left_after) <= set(left_before)  # untouched, unless inside a removed caption
    assert len(left_after) >= len(left_before) - 1
