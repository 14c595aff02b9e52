"""The HTML report, opened in a real headless Chromium (Debian's ``chromium``).

Skipped when no Chromium is installed, except in CI (``CI=true``), whose set-up
(``.ci/run``) installs it. Set ``MTAUDIT_UPDATE_SCREENSHOT=1`` to refresh
``docs/html-report.png`` from the samples/ report.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import Engine, summarize
from mtaudit.formats.html import render, score_chart

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EVIL = (
    "<script>document.title='PWNED';"
    "document.documentElement.setAttribute('data-pwned','script')</script>\n"
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">\n"
    "The talks ended without a deal , officials said .\n"
    "A “ quoted phrase '' with </pre></mark><b>markup</b> inside.\n"
)
OWN_TEXTS = {
    "talks": "The talks ended without a deal , officials said .\n"
    "Thousands joined an anti -government march in the U. S. capital.\n",
    "clean": "The minister arrived in Łódź on Monday and met Erdoğan's envoy.\n",
}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run should have installed it")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def browse(url: str, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples/ report (or the tests' own texts), plus a hostile document."""
    folder = tmp_path_factory.mktemp("corpus")
    if SAMPLES.is_dir() and any(SAMPLES.glob("*.txt")):
        for src in sorted(SAMPLES.glob("*.txt")):
            shutil.copy(src, folder / src.name)
    else:
        for name, text in OWN_TEXTS.items():
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "hostile.txt").write_text(EVIL, encoding="utf-8")
    out = folder.parent / "report.html"
    result = CliRunner().invoke(
        app, ["check", str(folder), "--fast", "-q", "-f", "html", "-o", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    return out


class _Marks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, str]] = []
        self.root: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = values
        if tag in ("mark", "tr") and "data-f" in values:
            self.items.append({"tag": tag, **values})
        self._in_title = tag == "title" and not self.title  # the page's, not an SVG's

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def parse(dom: str) -> _Marks:
    parser = _Marks()
    parser.feed(dom)
    return parser


def test_report_is_self_contained_and_escaped() -> None:
    engine = Engine(Config(select=("MT4",), fast=True))
    report = next(engine.run([Document(id="<x>", text=EVIL, path="e.txt")]))
    page = render([report], summarize([report], False), {"version": "0", "signature": "s"})
    assert "<script>document.title" not in page
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;" in page
    assert "<img src=x" not in page
    assert page.count("<script>") == 1  # the report's own script only
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no network
    assert "Content-Security-Policy" in page


def test_score_chart_is_inline_svg() -> None:
    svg = score_chart([12.0, 55.5, 99.0, 100.0, 100.0])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 10
    assert ">3</text>" in svg  # 99 and twice 100 in the top bin


def test_page_loads_runs_its_script_and_not_the_documents(
    report_file: Path, tmp_path: Path
) -> None:
    result = browse(report_file.as_uri(), tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    page = parse(result.stdout)
    assert page.root.get("data-mtaudit-ready") == "1", "the report's script did not run"
    assert "data-pwned" not in page.root, "a document's markup ran"
    assert page.title == "mtaudit report"
    assert page.items, "no highlighted findings"
    assert not [i for i in page.items if "off" in i.get("class", "").split()]
    console = [ln for ln in result.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert not console, console
    assert "Refused to" not in result.stderr  # no Content-Security-Policy violation


def test_filters_from_the_url_hash_hide_other_findings(report_file: Path, tmp_path: Path) -> None:
    url = report_file.as_uri() + "#category=tokenization&severity=minor,major"
    result = browse(url, tmp_path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    page = parse(result.stdout)
    assert page.root.get("data-mtaudit-ready") == "1"
    shown = hidden = 0
    for item in page.items:
        pairs = [p.split("|") for p in item["data-f"].split()]
        visible = any(c == "tokenization" and s in ("minor", "major") for c, s in pairs)
        off = "off" in item.get("class", "").split()
        assert off != visible, item
        shown += visible
        hidden += off
    assert shown, "the filter hid everything"
    if any(i["data-f"].split("|")[0] != "tokenization" for i in page.items):
        assert hidden, "the filter hid nothing"


def test_screenshot(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = browse(
        report_file.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1200,1500"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    if os.environ.get("MTAUDIT_UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "html-report.png")
