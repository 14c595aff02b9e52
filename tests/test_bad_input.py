"""SPEC §7: bad input gives one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.cli import app

runner = CliRunner()


def _error(args: list[str], **kw: object) -> str:
    result = runner.invoke(app, args, **kw)  # type: ignore[arg-type]
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mtaudit: error: ")
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def test_missing_path(tmp_path: Path) -> None:
    line = _error(["check", str(tmp_path / "nope.txt"), "--fast"])
    assert "nope.txt" in line and "no such file" in line


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    assert "empty" in _error(["check", str(path), "--fast"])


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in _error(["check", str(path), "--fast"])


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("First line\nCaf\u00e9 in Krak\u00f3w\n".encode("latin-1"))
    line = _error(["check", str(path), "--fast"])
    assert "latin1.txt:2" in line and "UTF-8" in line


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n', encoding="utf-8")
    line = _error(["check", str(path), "--fast", "-f", "json"])
    assert "feed.jsonl:2" in line and "malformed JSON" in line


def test_jsonl_without_text_field(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "a", "body": "x"}\n', encoding="utf-8")
    assert "feed.jsonl:1" in _error(["check", str(path), "--fast"])


def test_malformed_csv_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,"fine"\n2,"a","b","c"\n', encoding="utf-8")
    assert "t.csv:3" in _error(["check", str(path), "--fast"])


@pytest.mark.parametrize("opt", ["--select", "--ignore"])
def test_unknown_code(tmp_path: Path, opt: str) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Hello there.", encoding="utf-8")
    assert "MT999" in _error(["check", str(path), "--fast", opt, "MT999"])


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Hello there.", encoding="utf-8")
    assert "format" in _error(["check", str(path), "--fast", "-f", "yaml-ish"])


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "s.docx"
    path.write_bytes(b"PK\x03\x04")
    assert "unsupported" in _error(["check", str(path), "--fast"])


def test_bad_severity(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Hello there.", encoding="utf-8")
    assert "severity" in _error(["check", str(path), "--fast", "--fail-on", "fatal"])


def test_bad_config_file(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Hello there.", encoding="utf-8")
    cfg = tmp_path / "bad.toml"
    cfg.write_text("select = [\n", encoding="utf-8")
    assert "invalid TOML" in _error(["check", str(path), "--fast", "--config", str(cfg)])
    cfg.write_text("colour = 'red'\n", encoding="utf-8")
    assert "unknown option" in _error(["check", str(path), "--fast", "--config", str(cfg)])


def test_malformed_glossary(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("Hello there.", encoding="utf-8")
    gloss = tmp_path / "g.csv"
    gloss.write_text("what,ever\nx,y\n", encoding="utf-8")
    assert "g.csv" in _error(["check", str(path), "--fast", "-g", str(gloss)])


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    from mtaudit.registry import all_rules

    if not any(r.needs_embeddings for r in all_rules()):
        pytest.skip("no embedding checks registered")
    path = tmp_path / "s.txt"
    path.write_text("Hello there. Hello there again, friends.", encoding="utf-8")
    line = _error(["check", str(path), "--full", "--model", str(tmp_path / "no-model")])
    assert "model" in line


def test_oversized_single_line_document(tmp_path: Path) -> None:
    from mtaudit.readers import MAX_DOCUMENT_BYTES

    path = tmp_path / "dump.txt"
    with path.open("w", encoding="utf-8") as fh:  # one line, over the limit
        chunk = "The minister said the talks would resume. " * 1000
        while fh.tell() <= MAX_DOCUMENT_BYTES:
            fh.write(chunk)
    line = _error(["check", str(path), "--fast"])
    assert "dump.txt" in line and "too large" in line
