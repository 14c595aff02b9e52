from __future__ import annotations

from pathlib import Path

import pytest

from mtaudit.config import ConfigError, load_config
from mtaudit.finding import Severity


def test_found_upwards_and_mtaudit_toml_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mtaudit]\nselect = ["MT1"]\nfail-on = "critical"\n', encoding="utf-8"
    )
    (tmp_path / "mtaudit.toml").write_text(
        'fail-on = "major"\nglossaries = ["g/terms.csv"]\n[severity]\ntokenization = "major"\n'
        "[checks.mt102]\nascii-names = true\n",
        encoding="utf-8",
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = load_config(start=sub)
    assert cfg.select == ("MT1",)
    assert cfg.fail_on is Severity.MAJOR
    assert cfg.severity == {"tokenization": Severity.MAJOR}
    assert cfg.options("MT102") == {"ascii_names": True}
    assert cfg.glossaries == (str(tmp_path / "g/terms.csv"),)
    assert cfg.merged(fail_on=Severity.MINOR, select=None).fail_on is Severity.MINOR


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config(start=tmp_path)
    assert cfg.select == () and cfg.fail_on is None


def test_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "mtaudit.toml"
    path.write_text('fail-on = "fatal"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fail-on"):
        load_config(path)
