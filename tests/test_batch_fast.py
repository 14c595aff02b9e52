"""The batch pipeline's fast paths give the same rows as the plain ones: the
in-process runner's grouped partitions, the pool's warm-up and the buffered
writers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from mtaudit.batch import (
    RESULT_COLUMNS,
    InlineRunner,
    ProcessRunner,
    audit_partition,
    engine_for,
    make_config,
    open_source,
    open_writer,
    result_frame,
    warm_up,
)

BAD = "The talks ended without a deal , officials said .\nAn anti -government march."
CLEAN = "The talks ended without a deal, officials said."


def _records(n: int) -> list[str]:
    lines = []
    for i in range(n):
        rec: dict[str, object] = {"id": f"d{i}", "text": BAD if i % 3 == 0 else f"{CLEAN} {i}."}
        if i % 7 == 2:
            rec["text"] = 42  # an error row
        if i % 11 == 4:
            rec["mtaudit_ignore"] = "MT401"
        if i % 13 == 5:
            rec["id"] = ""
        lines.append(json.dumps(rec))
    lines[9] = '{"id": "broken", '
    return lines


def _reference_frame(rows: list[dict[str, object]], index: object = None) -> pd.DataFrame:
    """``result_frame`` as it was built before (pd.array per column)."""
    cols: dict[str, object] = {}
    for name in RESULT_COLUMNS:
        values = [r[name] for r in rows]
        if name in ("score", "penalty"):
            cols[name] = pd.array([math.nan if v is None else v for v in values], dtype="float64")
        elif name in ("id", "findings", "error"):
            cols[name] = pd.array(values, dtype=object)
        else:
            cols[name] = pd.array(values, dtype="Int64")
    frame = pd.DataFrame(cols)
    if index is not None:
        frame.index = index
    return frame


def test_result_frame_is_the_reference_frame() -> None:
    ok = {c: 1 for c in RESULT_COLUMNS} | {"id": "a", "score": 99.5, "penalty": 0.5}
    ok |= {"findings": "[]", "error": None}
    bad = {c: None for c in RESULT_COLUMNS} | {"id": "b", "error": "boom"}
    for rows in ([], [ok], [bad], [ok, bad, ok]):
        for index in (None, pd.RangeIndex(4, 4 + len(rows)), pd.Index([f"k{i}" for i in rows])):
            got, want = result_frame(rows, index), _reference_frame(rows, index)
            pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_inline_runner_groups_chunks_into_the_same_frames(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(_records(70)) + "\n", encoding="utf-8")
    cfg = make_config(fast=True, select="MT4")
    frames = list(open_source(path, cfg, 3))
    want = [audit_partition(f, cfg) for f in frames]
    got = list(InlineRunner(cfg).map(iter(frames)))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w, check_exact=True)
    # frames with other columns are not merged with their neighbours
    other = pd.DataFrame({"text": [BAD, CLEAN]}, index=[100, 101])
    mixed = [frames[0], other, frames[1]]
    got = list(InlineRunner(cfg).map(iter(mixed)))
    for g, f in zip(got, mixed, strict=True):
        pd.testing.assert_frame_equal(g, audit_partition(f, cfg), check_exact=True)


def test_buffered_writers_write_what_chunk_by_chunk_writing_gives(tmp_path: Path) -> None:
    cfg = make_config(fast=True, select="MT4")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(_records(40)) + "\n", encoding="utf-8")
    frames = [audit_partition(f, cfg) for f in open_source(path, cfg, 4)]
    for suffix in (".csv", ".tsv", ".jsonl", ".parquet"):
        out = tmp_path / f"out{suffix}"
        with open_writer(out) as writer:
            for frame in frames:
                writer.write(frame)
        if suffix == ".parquet":
            back = pd.read_parquet(out)
            assert back["id"].tolist() == pd.concat(frames)["id"].tolist()
            continue
        text = out.read_text(encoding="utf-8")
        if suffix == ".jsonl":
            want = "".join(
                json.dumps(
                    {
                        k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v))
                        for k, v in row.items()
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for f in frames
                for row in f.to_dict("records")
            )
        else:
            sep = "\t" if suffix == ".tsv" else ","
            want = "".join(
                f.to_csv(sep=sep, header=i == 0, index=False, lineterminator="\n")
                for i, f in enumerate(frames)
            )
        assert text == want, suffix


def test_warm_up_leaves_results_alone() -> None:
    cfg = make_config(fast=True, select="MT4")
    frame = pd.DataFrame({"text": [BAD, CLEAN]})
    before = audit_partition(frame, cfg)
    warm_up(engine_for(cfg))
    pd.testing.assert_frame_equal(audit_partition(frame, cfg), before, check_exact=True)


def test_process_runner_documents_keep_their_reports() -> None:
    from mtaudit.document import Document

    cfg = make_config(fast=True, select="MT4")
    docs = [Document(id=f"d{i}", text=BAD if i % 2 else CLEAN) for i in range(7)]
    want = [r.to_dict() for r in engine_for(cfg).run(docs)]
    with ProcessRunner(cfg, 2) as runner:
        got = list(runner.map_documents(iter(docs), chunk_size=2))
    assert [r.document for r in got] == docs
    assert [r.to_dict() for r in got] == want


def test_jsonl_lines_parse_as_json_loads_parses_them() -> None:
    from mtaudit.batch import _loads_line

    lines = [
        b'{"a": 1}',
        b"{",
        b'{"t": "caf\\u00e9 \xc3\xa9"}',
        b'{"t": "\xed\xa0\x80"}',  # a lone surrogate, UTF-8 encoded
        b'{"t": "\xff"}',
        b'{\x00"',
        b"[1, 2]",
        b"  {}",
        '{"t": "x"}'.encode("utf-16"),
    ]
    for raw in lines:
        try:
            want: object = json.loads(raw)
        except Exception as exc:
            want = type(exc)
        try:
            got: object = _loads_line(raw)
        except Exception as exc:
            got = type(exc)
        assert got == want, raw
