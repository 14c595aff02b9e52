"""The evaluation harness: metrics on hand-made inputs, the corpus build, the CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from mtaudit import evaluation as ev
from mtaudit.cli import app
from mtaudit.finding import Finding, Severity
from tests.helpers import engine_for

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "corpus.jsonl"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_build", ROOT / "tests/corpus/build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def finding(
    start: int, end: int, category: str = "name", code: str = "MT101", severity: str = "major"
) -> Finding:
    return Finding(
        code=code,
        category=category,
        severity=Severity(severity),
        start=start,
        end=end,
        line=1,
        col=start + 1,
        text="x" * (end - start),
        message="m",
    )


# ---------------------------------------------------------------- metrics


def test_overlap_is_half_open() -> None:
    assert ev.overlaps(0, 5, 4, 8)
    assert not ev.overlaps(0, 5, 5, 8)  # touching is not overlapping
    assert ev.overlaps(3, 4, 0, 10)  # contained
    assert not ev.overlaps(10, 12, 0, 10)


def test_prf_counts_findings_for_precision_and_spans_for_recall() -> None:
    text = "Vui met VUI and Vucic in Novi Sad today and tomorrow."
    doc = ev.LabelledDoc(
        id="d",
        text=text,
        source_lang="sr",
        split="tune",
        spans=[
            ev.GoldSpan("name", 0, 3, "Vui"),
            ev.GoldSpan("name", 8, 11, "VUI"),
            ev.GoldSpan("name", 16, 21, "Vucic"),
        ],
    )
    found = [
        finding(0, 3),  # hit
        finding(1, 3),  # a second finding on the same span: still a correct finding
        finding(8, 11, category="encoding", code="MT150"),  # wrong category: no match
        finding(40, 48),  # no gold span at all
    ]
    result = ev.score_corpus([doc], [found])
    name = result.by_category["name"]
    assert (name.found, name.findings, name.hit, name.gold) == (2, 3, 1, 3)
    assert name.precision == pytest.approx(2 / 3)
    assert name.recall == pytest.approx(1 / 3)
    assert name.f1 == pytest.approx(2 * (2 / 3) * (1 / 3) / (2 / 3 + 1 / 3))
    enc = result.by_category["encoding"]
    assert enc.precision == 0.0 and enc.recall is None
    assert result.by_code["MT101"].hit == 1
    assert len(result.false_positives) == 2
    assert {m["text"] for m in result.missed} == {"VUI", "Vucic"}


def test_also_categories_accept_a_second_category() -> None:
    doc = ev.LabelledDoc(
        "d", "PoznaÅ„ is a city.", "pl", "tune", [ev.GoldSpan("encoding", 0, 7, "x", ("name",))]
    )
    result = ev.score_corpus([doc], [[finding(0, 7, category="name")]])
    assert result.by_category["encoding"].recall == 1.0
    assert result.by_category["name"].precision == 1.0


def test_clean_documents_flagged_share() -> None:
    clean = ev.LabelledDoc("c1", "NATO met in Kraków.", "pl", "heldout")
    clean2 = ev.LabelledDoc("c2", "All is well.", "pl", "heldout")
    result = ev.score_corpus([clean, clean2], [[finding(0, 4)], []])
    assert result.clean_docs == 2
    assert result.clean_flagged == ["c1"]
    assert result.clean_flagged_rate == 0.5
    assert result.by_category["name"].precision == 0.0


def test_f1_edge_cases() -> None:
    assert ev.f1(None, 0.5) is None
    assert ev.f1(0.0, 0.0) == 0.0
    assert ev.f1(1.0, 1.0) == 1.0


def test_kendall_tau_b_known_value() -> None:
    # The example in scipy.stats.kendalltau's documentation (with ties).
    x = [12, 2, 1, 12, 2]
    y = [1, 4, 7, 1, 0]
    assert ev.kendall_tau_b(x, y) == pytest.approx(-0.47140452079103173)
    assert ev.kendall_tau_b([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert ev.kendall_tau_b([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert ev.kendall_tau_b([1, 1, 1], [1, 2, 3]) is None  # constant: undefined
    with pytest.raises(ValueError):
        ev.kendall_tau_b([1, 2], [1])


def test_pairwise_accuracy_counts_ties_as_agreement() -> None:
    # pairs: (0,1) both tie -> agree; (0,2) metric up, human up -> agree;
    # (1,2) metric up, human up -> agree
    assert ev.pairwise_accuracy_eq([0, 0, 1], [0, 0, 2]) == 1.0
    # metric ties where humans do not: 1 of 3 pairs agrees
    assert ev.pairwise_accuracy_eq([0, 0, 0], [0, 0, 2]) == pytest.approx(1 / 3)


def test_spearman_and_ranks() -> None:
    assert ev.ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert ev.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert ev.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert ev.pearson([1, 1, 1], [1, 2, 3]) is None


def test_auroc_known_values() -> None:
    # scikit-learn's roc_auc_score documentation example
    assert ev.auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    assert ev.auroc([1, 1, 1, 1], [False, True, False, True]) == pytest.approx(0.5)  # all ties
    assert ev.auroc([1, 2], [True, True]) is None


def test_grouped_tau_averages_defined_groups() -> None:
    groups = {
        "a": [(1.0, 1.0), (2.0, 2.0)],
        "b": [(1.0, 2.0), (2.0, 1.0)],
        "c": [(0.0, 1.0), (0.0, 2.0)],  # metric constant: skipped
    }
    tau, used = ev.grouped_tau(groups)
    assert used == 2 and tau == pytest.approx(0.0)


def test_penalty_under_alternative_severity_maps() -> None:
    fs = [finding(0, 1, "name", "MT101", "major"), finding(2, 3, "tokenization", "MT401", "minor")]
    assert ev.penalty_of(fs) == pytest.approx(5.1)
    assert ev.penalty_of(fs, {"name": Severity.MINOR}) == pytest.approx(1.1)
    assert ev.penalty_of(fs, {"MT401": Severity.MAJOR}) == pytest.approx(10.0)
    assert ev.penalty_of(fs, zero={"name"}) == pytest.approx(0.1)


def test_calibrate_ranks_maps_by_tau() -> None:
    rows = [{"mqm_score": 0.0}, {"mqm_score": 1.0}, {"mqm_score": 10.0}]
    findings = [
        [],
        [finding(0, 1, "tokenization", "MT401", "minor")],
        [finding(0, 1, "name", "MT101", "major")],
    ]
    out = ev.calibrate(rows, findings)
    names = [c["map"] for c in out]
    assert "default" in names and "name=off" in names
    default = next(c for c in out if c["map"] == "default")
    assert default["tau_b"] == pytest.approx(1.0)
    assert out[0]["tau_b"] >= out[-1]["tau_b"]


def test_compare_floor_reports_drops_beyond_margin() -> None:
    result = ev.CorpusResult()
    result.by_category["name"] = ev.PRF(found=8, findings=10, hit=5, gold=10)  # P .8, R .5
    result.clean_docs, result.clean_flagged = 10, ["a", "b", "c"]
    floor = {
        "clean_flagged_rate": 0.1,
        "categories": {
            "name": {"precision": 0.82, "recall": 0.7},
            "idiom": {"precision": None, "recall": 0.2},
        },
    }
    problems = ev.compare_floor(result, floor, margin=0.05)
    assert any(p.startswith("name recall") for p in problems)
    assert not any(p.startswith("name precision") for p in problems)  # within margin
    assert any(p.startswith("idiom recall") for p in problems)  # category vanished
    assert any(p.startswith("clean documents") for p in problems)


# ---------------------------------------------------------------- the corpus


def test_markup_parser_offsets_and_nesting() -> None:
    build = _build_module()
    text, spans = build.parse_markup(
        "A {caption|pro-{name|VUCIC} rally Getty} and {encoding/name|PoznaÅ„}."
    )
    assert text == "A pro-VUCIC rally Getty and PoznaÅ„."
    for s in spans:
        assert text[s["start"] : s["end"]] == s["text"]
    cats = [(s["category"], s["text"], s.get("also")) for s in spans]
    assert ("caption", "pro-VUCIC rally Getty", None) in cats
    assert ("name", "VUCIC", None) in cats
    assert ("encoding", "PoznaÅ„", ["name"]) in cats
    with pytest.raises(build.MarkupError):
        build.parse_markup("an {idiom|open span")
    with pytest.raises(build.MarkupError):
        build.parse_markup("a {colour|thing}")


def test_corpus_is_built_from_sources_and_meets_the_brief() -> None:
    build = _build_module()
    docs = build.build()
    assert build.dumps(docs) == CORPUS.read_text(encoding="utf-8"), (
        "corpus.jsonl is stale: run python tests/corpus/build.py"
    )
    loaded = ev.load_corpus(CORPUS)
    assert len(loaded) >= 80
    assert sum(d.clean for d in loaded) >= 30
    assert len({d.source_lang for d in loaded}) >= 10
    cats = {s.category for d in loaded for s in d.spans}
    assert cats >= {
        "name",
        "encoding",
        "idiom",
        "caption",
        "tokenization",
        "untranslated",
        "repetition",
        "terminology",
    }
    for split in ("tune", "heldout"):
        part = ev.load_corpus(CORPUS, split)
        assert len(part) >= 30
        assert {s.category for d in part for s in d.spans} == cats
        assert sum(d.clean for d in part) >= 10


def test_load_corpus_rejects_bad_spans(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    row = {
        "id": "x",
        "text": "abc",
        "spans": [{"category": "name", "start": 0, "end": 2, "text": "zz"}],
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match"):
        ev.load_corpus(path)
    with pytest.raises(ValueError, match="unknown split"):
        ev.load_corpus(path, "dev")


# ---------------------------------------------------------------- adapters


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_demetr_adapter_on_a_tiny_set(tmp_path: Path) -> None:
    rows = [
        {
            "id": "demetr:minor_id30_tokenized:1",
            "perturbation": "minor_id30_tokenized",
            "original": "The minister met reporters in Brussels, then left.",
            "perturbed": "The minister met reporters in Brussels , then left .",
            "lang_src": "french",
            "source": "Le ministre ...",
        }
    ]
    res = ev.eval_demetr(engine_for(("MT4",)), _jsonl(tmp_path / "d.jsonl", rows))
    t = res["perturbations"]["minor_id30_tokenized"]
    assert t["n"] == 1
    assert t["detection_rate"] == 1.0
    assert t["paired_fp_rate"] == 0.0
    assert t["prefers_original"] == 1.0


def test_captions_adapter_counts_fp_by_subtype(tmp_path: Path) -> None:
    rows = [
        {"text": "WASHINGTON (AP) — The Senate voted.", "label": "body", "subtype": "dateline"},
        {"text": "Photo: Jane Doe, AP", "label": "caption", "subtype": "credit_only"},
    ]
    res = ev.eval_captions(engine_for(("MT4",)), _jsonl(tmp_path / "c.jsonl", rows))
    assert res["rows"] == 2
    assert res["caption"]["gold"] == 1
    assert set(res["by_subtype"]) == {"body:dateline", "caption:credit_only"}
    assert res["fp_rate_dateline"] == 0.0  # no caption check selected: nothing flagged


def test_wmt_and_mlqe_adapters(tmp_path: Path) -> None:
    wmt = [
        {
            "id": f"w:{i}",
            "doc": "d",
            "seg_id": "1",
            "system": f"s{i}",
            "source": "中文",
            "hyp": hyp,
            "mqm_score": score,
            "errors": [
                {"category": "Fluency/Punctuation", "severity": "Minor", "start": 4, "end": 6}
            ]
            if i == 1
            else [],
        }
        for i, (hyp, score) in enumerate(
            [("It rained today.", 0.0), ("Rain , and more rain , fell on the city .", 0.3)]
        )
    ]
    res = ev.eval_wmt(engine_for(("MT4",)), _jsonl(tmp_path / "w.jsonl", wmt))
    assert res["rows"] == 2
    assert res["mtaudit"]["tau_b"] == pytest.approx(1.0)
    assert res["spans"]["Fluency/Punctuation"]["recall"] >= 0.5
    mlqe = [
        {
            "id": "m1",
            "lp": "ro-en",
            "hyp": "A fine sentence.",
            "label": 1.0,
            "da_mean": 90,
            "hter": 0.0,
        },
        {
            "id": "m2",
            "lp": "ro-en",
            "hyp": "A bad , sentence .",
            "label": -1.0,
            "da_mean": 20,
            "hter": 0.8,
        },
    ]
    res2 = ev.eval_mlqe(engine_for(("MT4",)), _jsonl(tmp_path / "m.jsonl", mlqe))
    assert res2["by_lp"]["ro-en"]["auroc_da_below_50"] == 1.0
    assert res2["by_lp"]["all"]["n"] == 2


# ---------------------------------------------------------------- the CLI


def _tiny_corpus(tmp_path: Path) -> Path:
    text = "BRUSSELS - The minister met reporters in Brussels , then left for Paris.\n"
    start = text.index("Brussels ,")
    rows = [
        {
            "id": "t1",
            "source_lang": "fr",
            "split": "heldout",
            "text": text,
            "spans": [
                {
                    "category": "tokenization",
                    "start": start,
                    "end": start + 10,
                    "text": "Brussels ,",
                }
            ],
        },
        {
            "id": "t2",
            "source_lang": "pl",
            "split": "tune",
            "text": "KRAKÓW, May 3 (PAP) - NATO ministers met in Kraków.\n",
            "spans": [],
        },
    ]
    return _jsonl(tmp_path / "tiny.jsonl", rows)


def test_eval_cli_json_on_a_tiny_corpus(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    md = tmp_path / "quality.md"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--corpus",
            str(corpus),
            "--fast",
            "--no-shared",
            "--select",
            "MT401",
            "--format",
            "json",
            "--markdown",
            str(md),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    tok = report["corpus"]["by_category"]["tokenization"]
    assert tok["recall"] == 1.0 and tok["precision"] == 1.0
    assert report["corpus"]["clean_documents"] == 1
    assert report["corpus"]["by_code"]["MT401"]["matched_gold"] == 1
    assert "shared" not in report
    assert "| tokenization |" in md.read_text(encoding="utf-8")


def test_eval_cli_split_and_text_output(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    result = CliRunner().invoke(
        app, ["eval", "--corpus", str(corpus), "--fast", "--no-shared", "--split", "tune"]
    )
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output
    assert "clean documents with any finding" in result.output


def test_eval_cli_update_floor(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    floor = tmp_path / "floor.json"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--corpus",
            str(corpus),
            "--select",
            "MT401",
            "--update-floor",
            "--floor",
            str(floor),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(floor.read_text(encoding="utf-8"))
    assert data["split"] == "heldout" and data["fast"] is True
    assert data["categories"]["tokenization"] == {"precision": 1.0, "recall": 1.0}


def test_eval_cli_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_split = runner.invoke(app, ["eval", "--split", "dev", "--no-shared"])
    assert bad_split.exit_code == 2
    missing = runner.invoke(app, ["eval", "--corpus", str(tmp_path / "nope.jsonl"), "--no-shared"])
    assert missing.exit_code == 2
    bad_set = runner.invoke(app, ["eval", "--sets", "imagenet", "--no-shared"])
    assert bad_set.exit_code == 2


def test_eval_cli_shared_folder_missing_is_skipped(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--corpus",
            str(corpus),
            "--fast",
            "--shared",
            str(tmp_path / "none"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "shared" not in json.loads(result.stdout)


def test_eval_cli_renders_a_saved_report(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    runner = CliRunner()
    first = runner.invoke(
        app, ["eval", "--corpus", str(corpus), "--fast", "--no-shared", "--format", "json"]
    )
    assert first.exit_code == 0, first.output
    saved = tmp_path / "report.json"
    saved.write_text(first.stdout, encoding="utf-8")
    md = tmp_path / "q.md"
    again = runner.invoke(app, ["eval", "--from-json", str(saved), "--markdown", str(md)])
    assert again.exit_code == 0, again.output
    assert "## Our corpus" in again.output
    assert md.read_text(encoding="utf-8").startswith("# Measured quality")
