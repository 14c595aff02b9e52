"""Structure tests for the machine-readable formats: SARIF against the official
2.1.0 schema and the sarif-pydantic object model, JUnit with an XML parser,
GitHub workflow commands, CSV with the csv module."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mtaudit.cli import app
from mtaudit.config import Config
from mtaudit.document import Document
from mtaudit.engine import DocumentReport, Engine, summarize
from mtaudit.formats import format_names, get_format
from mtaudit.formats.github import escape_data, escape_property
from mtaudit.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = FIXTURES / "sarif-2.1.0-rtm.5.json"

TEXTS = {
    "talks": "The talks ended without a deal , officials said .\n"
    "Thousands joined an anti -government march.\n",
    "quotes": "He accused the council of “ acting alone '' in the dispute.\n"
    "The president 's plan does n't add up, critics said.\n",
    "clean": "The minister arrived in Łódź on Monday and met Erdoğan's envoy.\n",
    "tricky": 'A value with <script>alert(1)</script>, 100% "quotes", a\ttab , and a comma: yes .\n'
    "He said “ <b>bold</b> & co '' loudly.\n",
}


def _reports(tmp_path: Path) -> list[DocumentReport]:
    engine = Engine(Config(select=("MT4",), fast=True))
    docs = []
    for name, text in TEXTS.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        docs.append(Document(id=name, text=text, path=str(path)))
    return list(engine.run(docs))


def render(name: str, reports: list[DocumentReport], **run: Any) -> str:
    stream = io.StringIO()
    formatter = get_format(name)(stream, {"version": "0", "signature": "sig", **run})
    for r in reports:
        formatter.document(r)
    formatter.finish(reports, summarize(reports, failed=True))
    return stream.getvalue()


@pytest.fixture()
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[DocumentReport]:
    monkeypatch.chdir(tmp_path)
    out = _reports(tmp_path)
    assert sum(len(r.findings) for r in out) >= 6
    return out


def test_every_ci_format_is_registered() -> None:
    assert {"sarif", "junit", "github", "csv", "html"} <= set(format_names())


# -- SARIF --------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(reports: list[DocumentReport]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    log = json.loads(render("sarif", reports))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)


def test_sarif_parses_with_sarif_pydantic(reports: list[DocumentReport]) -> None:
    sarif_pydantic = pytest.importorskip("sarif_pydantic")
    log = sarif_pydantic.Sarif.model_validate_json(render("sarif", reports))
    run = log.runs[0]
    assert run.tool.driver.name == "mtaudit"
    assert len(run.results) == sum(len(r.findings) for r in reports)
    region = run.results[0].locations[0].physical_location.region
    assert region.start_line >= 1 and region.char_length >= 1


def test_sarif_rules_and_results_carry_the_contract(reports: list[DocumentReport]) -> None:
    log = json.loads(render("sarif", reports))
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {r.code for r in all_rules()}
    for rule in all_rules():
        desc = rules[rule.code]
        assert desc["name"] == rule.name
        assert desc["shortDescription"]["text"]
        assert rule.code in desc["help"]["text"]
        assert desc["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    texts = {Path(r.document.path or "").name: r.document.text for r in reports}
    for result in log["runs"][0]["results"]:
        assert result["ruleId"] in rules
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"  # all MT4 findings are minor
        loc = result["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and uri.endswith(".txt")
        region = loc["region"]
        text = texts[uri]
        snippet = text[region["charOffset"] : region["charOffset"] + region["charLength"]]
        assert snippet == region["snippet"]["text"]
        line = text.splitlines()[region["startLine"] - 1]
        assert line[region["startColumn"] - 1 :].startswith(snippet.split("\n")[0])
        assert region["endColumn"] == region["startColumn"] + region["charLength"]
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["mtaudit/v1"])
        for fix in result.get("fixes", []):
            (change,) = fix["artifactChanges"]
            (replacement,) = change["replacements"]
            deleted = replacement["deletedRegion"]
            assert deleted["charOffset"] == region["charOffset"]
            assert replacement["insertedContent"]["text"] == result["properties"]["suggestion"]
    assert any("fixes" in r for r in log["runs"][0]["results"])


def test_sarif_fingerprints_survive_lines_moving(tmp_path: Path) -> None:
    engine = Engine(Config(select=("MT4",), fast=True))
    text = TEXTS["talks"]
    moved = "A new first line.\n\nAnother one.\n" + text

    def prints(body: str) -> list[str]:
        report = next(engine.run([Document(id="d", text=body, path="d.txt")]))
        log = json.loads(render("sarif", [report]))
        return [r["partialFingerprints"]["mtaudit/v1"] for r in log["runs"][0]["results"]]

    before, after = prints(text), prints(moved)
    assert before and before == after
    assert len(set(before)) == len(before)


def test_sarif_of_an_i18n_value_points_into_the_file(tmp_path: Path) -> None:
    from mtaudit.readers import read_paths

    path = tmp_path / "strings.json"
    raw = '{\n  "a": {"b": "Saved , thanks."}\n}\n'
    path.write_text(raw, encoding="utf-8")
    engine = Engine(Config(select=("MT4",), fast=True))
    reports = list(engine.run(read_paths([str(path)])))
    result = json.loads(render("sarif", reports))["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert raw[region["charOffset"] :].startswith("Saved ,")
    assert region["startLine"] == 2
    assert raw.splitlines()[1][region["startColumn"] - 1 :].startswith("Saved ,")


# -- JUnit --------------------------------------------------------------------------


def test_junit_is_xml_with_a_testcase_per_document(reports: list[DocumentReport]) -> None:
    root = ET.fromstring(render("junit", reports))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [r.document.id for r in reports]
    failures = [f for c in cases for f in c.findall("failure")]
    assert len(failures) == sum(len(r.findings) for r in reports)
    assert int(suite.get("failures", "-1")) == len(failures)
    assert int(suite.get("tests", "-1")) == len(reports)
    clean = next(c for c in cases if c.get("name") == "clean")
    assert clean.find("failure") is None
    tricky = next(c for c in cases if c.get("name") == "tricky")
    assert any("<b>bold</b> & co" in (f.text or "") for f in tricky.findall("failure"))


def test_junit_survives_control_characters() -> None:
    engine = Engine(Config(select=("MT4",), fast=True))
    text = "Broken\x01 text , here.\x0b"
    report = next(engine.run([Document(id="ctl\x02", text=text, path="c.txt")]))
    root = ET.fromstring(render("junit", [report]))
    assert root.find("testsuite/testcase/failure") is not None


# -- GitHub -------------------------------------------------------------------------

_COMMAND = re.compile(
    r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:]*)(?:,[A-Za-z]+=[^,:]*)*)::(.*)$"
)


def test_github_annotations_are_well_formed(reports: list[DocumentReport]) -> None:
    lines = render("github", reports).splitlines()
    annotations = [ln for ln in lines if "title=MT" in ln]
    assert len(annotations) == sum(len(r.findings) for r in reports)
    for line in annotations:
        m = _COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        assert props["file"].endswith(".txt")
        assert int(props["line"]) >= 1 and int(props["col"]) >= 1
        assert int(props["endColumn"]) > int(props["col"])
        assert re.match(r"MT4\d\d", props["title"])
        assert "\n" not in m.group(3)
    assert lines[-1].startswith("::notice title=mtaudit::")


def test_github_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_severity_maps_to_commands() -> None:
    from mtaudit.finding import Finding, Severity
    from mtaudit.formats.github import command_for

    def f(sev: Severity, conf: float = 1.0) -> Finding:
        return Finding("MT101", "name", sev, 0, 1, 1, 1, "x", "m", confidence=conf)

    assert command_for(f(Severity.CRITICAL)) == "error"
    assert command_for(f(Severity.MAJOR)) == "error"
    assert command_for(f(Severity.MINOR)) == "warning"
    assert command_for(f(Severity.MAJOR, 0.3)) == "notice"


# -- CSV ----------------------------------------------------------------------------


def test_csv_has_one_row_per_finding(reports: list[DocumentReport]) -> None:
    rows = list(csv.DictReader(io.StringIO(render("csv", reports))))
    assert len(rows) == sum(len(r.findings) for r in reports)
    by_doc = {r.document.id: r for r in reports}
    for row in rows:
        report = by_doc[row["document"]]
        start, end = int(row["start"]), int(row["end"])
        text = report.document.text[start:end]
        assert row["text"] in (text, "'" + text)
        assert row["code"].startswith("MT4") and row["severity"] == "minor"
        assert float(row["score"]) == report.score


def test_csv_neutralizes_spreadsheet_formulas() -> None:
    from mtaudit.formats.csv_format import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("@cmd") == "'@cmd"
    assert cell("-5 degrees") == "-5 degrees"
    assert cell("plain") == "plain"


# -- through the command line -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "csv", "html"])
def test_check_writes_each_format(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "doc.txt").write_text(TEXTS["talks"], encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(
        app, ["check", "doc.txt", "--fast", "--select", "MT4", "-f", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    body = out.read_text(encoding="utf-8")
    assert "MT401" in body
    if fmt == "sarif":
        assert json.loads(body)["runs"][0]["results"]
    if fmt == "junit":
        assert ET.fromstring(body).find("testsuite/testcase/failure") is not None
