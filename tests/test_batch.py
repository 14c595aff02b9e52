"""`mtaudit batch` and the batch library API: formats, error rows, order, atomicity."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from mtaudit.batch import (
    RESULT_COLUMNS,
    audit_frame,
    audit_partition,
    make_config,
    ordered,
    run_batch,
)
from mtaudit.cli import app
from mtaudit.config import Config
from mtaudit.finding import CATEGORIES

runner = CliRunner()
BAD = (
    "The talks ended without a deal , officials said .\nThousands joined an anti -government march."
)
CLEAN = "The talks ended without a deal, officials said."
FAST = ["--fast", "--select", "MT4", "--quiet"]


def _texts(n: int) -> list[str]:
    return [BAD if i % 3 == 0 else f"{CLEAN} Story number {i}." for i in range(n)]


def _write_jsonl(path: Path, lines: Iterable[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, sep="\t" if path.suffix == ".tsv" else ",", keep_default_na=True)


def _batch(*args: str) -> Any:
    return runner.invoke(app, ["batch", *args])


# -- error rows, order, rows in = rows out ------------------------------------------------
def test_jsonl_bad_lines_become_error_rows_in_place(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(_texts(12))]
    lines[3] = '{"id": "broken", "text": '  # malformed JSON
    lines[5] = json.dumps({"id": "num", "text": 42})  # non-string text
    lines[7] = json.dumps({"id": "none", "body": "no text field"})  # missing field
    lines[9] = json.dumps(["not", "an", "object"])
    lines[10] = json.dumps({"id": "nulltext", "text": None})
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.csv"
    result = _batch(str(src), str(out), *FAST)
    assert result.exit_code == 0, result.output
    df = _read(out)
    assert list(df.columns) == list(RESULT_COLUMNS)
    assert len(df) == 12
    assert list(df["id"]) == [
        "d0", "d1", "d2", "in:4", "d4", "num", "d6", "none", "d8", "in:10", "nulltext", "d11",
    ]  # fmt: skip
    errors = df["error"].fillna("")
    assert "in.jsonl:4: malformed JSON" in errors[3]
    assert "not a string" in errors[5]
    assert "no 'text' field" in errors[7]
    assert "expected a JSON object" in errors[9]
    assert "no 'text' value" in errors[10]
    assert (errors != "").sum() == 5
    good = df[errors == ""]
    assert good["score"].notna().all()
    assert (good.loc[[0, 6], "tokenization"] > 0).all()  # BAD rows are flagged
    assert (good.loc[[1, 2], "tokenization"] == 0).all()
    assert df.loc[errors != "", "score"].isna().all()


def test_csv_malformed_row_mid_file_gives_one_error_row(tmp_path: Path) -> None:
    n = 1200  # several chunks; the bad rows sit in the middle
    src = tmp_path / "big.csv"
    with src.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text"])
        for i, text in enumerate(_texts(n)):
            if i == 600:
                writer.writerow([f"r{i}", text, "an extra field"])
            else:
                writer.writerow([f"r{i}", text])
    # an undecodable byte in row 901's text
    data = src.read_bytes().replace(b"Story number 901.", b"Story number \xff901.")
    src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    result = _batch(str(src), str(out), *FAST, "--chunk-size", "100")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(n)]
    bad = {r["id"]: r["error"] for r in rows if r["error"]}
    assert set(bad) == {"r600", "r901"}
    assert (
        "3 fields, header has 2" in bad["r600"] and "big.csv:802" in bad["r600"]
    )  # BAD rows span two lines
    assert "UTF-8" in bad["r901"]
    assert all(r["score"] is not None for r in rows if not r["error"])
    assert sum(1 for r in rows if not r["error"]) == n - 2


def test_csv_quoted_newlines_and_default_ids(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    with src.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text"])
        writer.writerow([BAD])  # a quoted field over two lines
        writer.writerow([CLEAN])
    out = tmp_path / "o.csv"
    assert _batch(str(src), str(out), *FAST).exit_code == 0
    df = _read(out)
    assert list(df["id"]) == ["t:2", "t:4"]  # stem:line of the row's first line
    assert df["tokenization"].tolist() == [3, 0]


# -- formats -------------------------------------------------------------------------------
def _frame(n: int = 7) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"d{i}" for i in range(n)], "text": _texts(n)})


def _write_input(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        df.to_parquet(path)
    elif path.suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        df.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
    return path


@pytest.mark.parametrize(
    ("src_suffix", "out_suffix"),
    [
        (".csv", ".parquet"),
        (".tsv", ".csv"),
        (".jsonl", ".tsv"),
        (".parquet", ".jsonl"),
        (".parquet", ".parquet"),
        (".jsonl", ".csv"),
    ],
)
def test_formats_round_trip_same_results(tmp_path: Path, src_suffix: str, out_suffix: str) -> None:
    df = _frame()
    src = _write_input(df, tmp_path / f"in{src_suffix}")
    out = tmp_path / f"out{out_suffix}"
    result = _batch(str(src), str(out), *FAST, "--chunk-size", "3")
    assert result.exit_code == 0, result.output
    got = _read(out)
    expected = audit_frame(df, fast=True, select="MT4")
    assert list(got.columns) == list(RESULT_COLUMNS)
    assert list(got["id"]) == list(expected["id"])
    assert list(got["score"]) == list(expected["score"])
    assert list(got["tokenization"]) == list(expected["tokenization"])
    assert [json.loads(f) for f in got["findings"]] == [json.loads(f) for f in expected["findings"]]


def test_directory_of_text_files(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "a.txt").write_text(BAD, encoding="utf-8")
    (folder / "b.md").write_text(CLEAN, encoding="utf-8")
    (folder / "c.txt").write_bytes(b"caf\xe9 au lait")  # Latin-1, not UTF-8
    (folder / "d.txt").write_text("", encoding="utf-8")
    _write_jsonl(folder / "e.jsonl", [json.dumps({"id": "feed1", "text": CLEAN})])
    out = tmp_path / "out.csv"
    result = _batch(str(folder), str(out), *FAST)
    assert result.exit_code == 0, result.output
    df = _read(out)
    assert list(df["id"]) == ["a", "b", "c", "d", "feed1"]
    errors = df["error"].fillna("").tolist()
    assert "not valid UTF-8" in errors[2] and "empty file" in errors[3]
    assert errors[0] == errors[1] == errors[4] == ""
    assert df.loc[0, "tokenization"] == 3


def test_custom_fields(tmp_path: Path) -> None:
    df = pd.DataFrame({"story": ["s1", "s2"], "body": [BAD, CLEAN], "orig": ["x", "y"]})
    src = _write_input(df, tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    args = ["--text-field", "body", "--id-field", "story", "--source-field", "orig"]
    assert _batch(str(src), str(out), *FAST, *args).exit_code == 0
    assert list(_read(out)["id"]) == ["s1", "s2"]


def test_jobs_two_equals_one(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(_texts(40))]
    lines[17] = "{oops"
    src = _write_jsonl(tmp_path / "in.jsonl", lines)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert _batch(str(src), str(one), *FAST).exit_code == 0
    result = _batch(str(src), str(two), *FAST, "--jobs", "2", "--chunk-size", "5")
    assert result.exit_code == 0, result.output
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


# -- usage errors and atomic output -------------------------------------------------------------
@pytest.mark.parametrize(
    ("make_src", "out_name", "extra", "message"),
    [
        (None, "o.csv", [], "no such file"),
        ("in.xyz", "o.csv", [], "unsupported file type"),
        ("in.csv", "o.xlsx", [], "unsupported output type"),
        ("notext.csv", "o.csv", [], "no 'text' column"),
        ("in.csv", "o.csv", ["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs"),
        ("in.csv", "o.csv", ["--select", "MT999"], "unknown rule code"),
        ("in.csv", "in.csv", [], "overwrite the input"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, make_src: str | None, out_name: str, extra: list[str], message: str
) -> None:
    src = tmp_path / (make_src or "missing.csv")
    if make_src == "notext.csv":
        src.write_text("id,body\n1,hello\n", encoding="utf-8")
    elif make_src:
        src.write_text("id,text\n1,hello\n", encoding="utf-8")
    out = tmp_path / out_name
    result = _batch(str(src), str(out), "--fast", "--quiet", *extra)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("mtaudit: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    if out_name != "in.csv":
        assert not out.exists()


class _FailingRunner:
    """Audits the first chunk, then dies, as a crashed worker would."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def map(self, frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for i, frame in enumerate(frames):
            if i == 1:
                raise RuntimeError("worker died")
            yield audit_partition(frame, self.config)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_output_is_atomic(tmp_path: Path, suffix: str) -> None:
    src = _write_input(_frame(10), tmp_path / "in.jsonl")
    out = tmp_path / f"out{suffix}"
    cfg = make_config(fast=True, select="MT4")
    with pytest.raises(RuntimeError):
        run_batch(src, out, cfg, chunk_size=3, runner=_FailingRunner(cfg))
    assert not out.exists()
    out.write_text("previous result", encoding="utf-8")
    with pytest.raises(RuntimeError):
        run_batch(src, out, cfg, chunk_size=3, runner=_FailingRunner(cfg))
    assert out.read_text(encoding="utf-8") == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", out.name]


def test_progress_bar_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write_input(_frame(5), tmp_path / "in.csv")
    cfg = make_config(fast=True, select="MT4")
    stats = run_batch(src, tmp_path / "o.csv", cfg, chunk_size=2, progress=True)
    assert (stats.rows, stats.errors) == (5, 0)
    assert "rows" in capsys.readouterr().err
    result = _batch(str(src), str(tmp_path / "o2.csv"), "--fast", "--select", "MT4")
    assert result.exit_code == 0
    assert "5 rows (0 with errors)" in result.stderr  # not a terminal: a summary, no bar


# -- the library API ----------------------------------------------------------------------
def test_audit_frame_keeps_index_and_flags_bad_rows() -> None:
    df = pd.DataFrame(
        {"body": [BAD, 3.5, CLEAN, None], "ref": ["a", "b", None, "d"]},
        index=[10, 20, 30, 40],
    )
    out = audit_frame(df, fast=True, select=["MT4"], text_field="body", id_field="ref")
    assert list(out.index) == [10, 20, 30, 40]
    assert list(out["id"]) == ["a", "b", "30", "d"]  # missing id: the index label
    assert out["error"].isna().tolist() == [True, False, True, False]
    assert out.loc[10, "tokenization"] == 3
    assert out.loc[30, "score"] == 100.0
    assert str(out["words"].dtype) == "Int64"
    assert set(CATEGORIES) <= set(out.columns)
    findings = json.loads(out.loc[10, "findings"])
    assert {f["code"] for f in findings} == {"MT401", "MT402"}


def test_audit_frame_jobs_and_errors() -> None:
    df = _frame(9)
    assert audit_frame(df, fast=True, select="MT4", jobs=2, chunk_size=2).equals(
        audit_frame(df, fast=True, select="MT4")
    )
    with pytest.raises(KeyError):
        audit_frame(df, fast=True, text_field="nope")
    with pytest.raises(TypeError):
        audit_frame(df, colour="red")


def test_a_crashing_check_gives_an_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtaudit.batch import engine_for

    cfg = make_config(fast=True, select="MT4")
    engine = engine_for(cfg)
    real = engine.check

    def flaky(doc: Any) -> Any:
        if "boom" in doc.text:
            raise ValueError("boom")
        return real(doc)

    monkeypatch.setattr(engine, "check", flaky)
    out = audit_partition(pd.DataFrame({"text": [CLEAN, "boom", BAD]}), cfg)
    assert out["error"].isna().tolist() == [True, False, True]
    assert "internal error: ValueError: boom" in out.loc[1, "error"]
    assert out.loc[2, "tokenization"] == 3


def test_ordered_keeps_order_and_bounds_in_flight() -> None:
    in_flight: list[int] = []

    class Done:
        def __init__(self, value: int) -> None:
            self.value = value
            in_flight.append(value)

        def result(self) -> int:
            in_flight.remove(self.value)
            return self.value * 2

    seen_max = 0

    def submit(x: int) -> Done:
        nonlocal seen_max
        done = Done(x)
        seen_max = max(seen_max, len(in_flight))
        return done

    assert list(ordered(submit, range(10), depth=3)) == [x * 2 for x in range(10)]
    assert seen_max == 3


# -- Parquet for `check`, and `check --jobs` -------------------------------------------------
def test_check_reads_parquet(tmp_path: Path) -> None:
    src = _write_input(_frame(3), tmp_path / "t.parquet")
    result = runner.invoke(app, ["check", str(src), "-f", "json", *FAST])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)["documents"]
    assert [d["id"] for d in docs] == ["d0", "d1", "d2"]
    assert {f["code"] for f in docs[0]["findings"]} == {"MT401", "MT402"}
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    result = runner.invoke(app, ["check", str(bad), "--fast"])
    assert result.exit_code == 2 and "not a readable Parquet file" in result.stderr


def test_check_jobs_same_report(tmp_path: Path) -> None:
    for i, text in enumerate(_texts(6)):
        (tmp_path / f"s{i}.txt").write_text(text, encoding="utf-8")
    one = runner.invoke(app, ["check", str(tmp_path), "-f", "json", *FAST])
    two = runner.invoke(app, ["check", str(tmp_path), "-f", "json", *FAST, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0, two.output
    assert json.loads(one.stdout)["documents"] == json.loads(two.stdout)["documents"]


# -- the embedder cache: de-duplicated, bounded ---------------------------------------------
def test_embedder_cache_deduplicates_and_stays_bounded() -> None:
    import numpy as np

    from mtaudit.embeddings import Embedder

    class FakeModel:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode(self, texts: list[str], **_: Any) -> Any:
            self.seen.extend(texts)
            return np.array([[float(len(t)), 1.0] for t in texts], dtype="float32")

    embedder = Embedder(cache_size=3)
    model = FakeModel()
    embedder._model = model
    out = embedder.encode(["a", "bb", "a", "ccc"])
    assert model.seen == ["a", "bb", "ccc"]  # each distinct sentence encoded once
    assert out.shape == (4, 2) and out[0][0] == out[2][0] == 1.0
    embedder.encode(["bb", "dddd"])  # "a" is now the least recently used: evicted
    assert len(embedder._cache) == 3 and "a" not in embedder._cache
    assert model.seen == ["a", "bb", "ccc", "dddd"]
    big = embedder.encode(["w", "x", "y", "z", "w"])  # more than the cache holds at once
    assert big.shape == (5, 2) and len(embedder._cache) == 3


@pytest.mark.slow
def test_100k_row_csv_with_one_malformed_row(tmp_path: Path) -> None:
    n, bad = 100_000, 54_321
    src = tmp_path / "wire.csv"
    with src.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text"])
        for i in range(n):
            row = [f"r{i}", f"Item {i} was filed , the desk said."]
            writer.writerow([*row, "stray"] if i == bad else row)
    out = tmp_path / "out.parquet"
    cfg = make_config(fast=True, select="MT401")
    stats = run_batch(src, out, cfg, chunk_size=5000)
    assert (stats.rows, stats.errors) == (n, 1)
    df = pd.read_parquet(out, columns=["id", "tokenization", "error"])
    assert len(df) == n and df["id"].tolist()[bad - 1 : bad + 2] == [
        f"r{bad - 1}",
        f"r{bad}",
        f"r{bad + 1}",
    ]
    errors = df[df["error"].notna()]
    assert errors["id"].tolist() == [f"r{bad}"]
    assert int((df["tokenization"] == 1).sum()) == n - 1  # the other 99,999 were audited
