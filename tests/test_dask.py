"""The Dask engine runs the same per-partition function: results equal the local
engine's row for row. Starts LocalClusters on loopback (deselect: -m 'not dask')."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from mtaudit.batch import audit_dask_frame, audit_frame
from mtaudit.cli import app

pytestmark = pytest.mark.dask
distributed = pytest.importorskip("distributed")

runner = CliRunner()
FAST = ["--fast", "--select", "MT4", "--quiet"]
BAD = (
    "The talks ended without a deal , officials said .\nThousands joined an anti -government march."
)
CLEAN = "The talks ended without a deal, officials said."


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import logging

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard; the scheduler's HTTP endpoint on a free loopback port
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture()
def feed(tmp_path: Path) -> Path:
    lines = []
    for i in range(60):
        text = BAD if i % 4 == 0 else f"{CLEAN} Item {i}."
        lines.append(json.dumps({"id": f"s{i}", "text": text}))
    lines[31] = '{"id": "s31", "text": "unterminated'
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _local(feed: Path, out: Path) -> str:
    result = runner.invoke(app, ["batch", str(feed), str(out), *FAST])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_dask_scheduler_equals_local_row_for_row(client: Any, feed: Path, tmp_path: Path) -> None:
    expected = _local(feed, tmp_path / "local.jsonl")
    out = tmp_path / "dask.jsonl"
    address = client.scheduler.address
    args = ["--engine", "dask", "--scheduler", address, "--chunk-size", "7"]
    result = runner.invoke(app, ["batch", str(feed), str(out), *FAST, *args])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == expected
    rows = [json.loads(line) for line in expected.splitlines()]
    assert len(rows) == 60 and sum(1 for r in rows if r["error"]) == 1


def test_audit_dask_frame_equals_audit_frame(client: Any) -> None:
    import dask.dataframe as dd

    df = pd.DataFrame({"id": [f"d{i}" for i in range(30)], "text": [BAD, CLEAN, None] * 10})
    lazy = audit_dask_frame(dd.from_pandas(df, npartitions=4), fast=True, select="MT4")
    got = lazy.compute()
    expected = audit_frame(df, fast=True, select="MT4")
    pd.testing.assert_frame_equal(got, expected)


def test_dask_local_cluster_from_the_cli(feed: Path, tmp_path: Path) -> None:
    expected = _local(feed, tmp_path / "local.csv")
    out = tmp_path / "dask.csv"
    args = ["--engine", "dask", "--jobs", "2", "--chunk-size", "10"]
    result = runner.invoke(app, ["batch", str(feed), str(out), *FAST, *args])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == expected
