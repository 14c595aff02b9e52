"""Measured quality: metrics, dataset adapters and reports for ``mtaudit eval``.

Four kinds of labelled data are read here:

- our own corpus (``tests/corpus/corpus.jsonl``): documents with gold spans in the
  report's categories; a finding matches a gold span of its category when the two
  overlap. Precision is counted per finding, recall per gold span.
- DEMETR (``demetr.jsonl``): original / perturbed sentence pairs;
- scraped captions vs. article-body sentences (``captions.jsonl``);
- WMT23 zh→en MQM (``wmt_mqm_zhen.jsonl``) and MLQE-PE DA (``mlqepe_da_xxen.jsonl``):
  human quality judgements that mtaudit's penalty should track.

Kendall τ-b, Spearman and AUROC are a few lines each here (scipy is not a
dependency); numpy, which sacrebleu already requires, counts the pairs.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtaudit.document import Document
from mtaudit.finding import CATEGORIES, Finding, Severity
from mtaudit.scoring import MINOR_PUNCTUATION_WEIGHT, PUNCTUATION_CATEGORIES, WEIGHTS

if TYPE_CHECKING:
    from mtaudit.engine import DocumentReport, Engine

SPLITS = ("tune", "heldout", "all")

# --------------------------------------------------------------------------- metrics


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open spans [a_start, a_end) and [b_start, b_end) share a character."""
    return a_start < b_end and b_start < a_end


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass
class PRF:
    """Counts for precision (per finding) and recall (per gold span)."""

    found: int = 0  # findings that match a gold span
    findings: int = 0
    hit: int = 0  # gold spans matched by a finding
    gold: int = 0

    @property
    def precision(self) -> float | None:
        return ratio(self.found, self.findings)

    @property
    def recall(self) -> float | None:
        return ratio(self.hit, self.gold)

    @property
    def f1(self) -> float | None:
        return f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
            "findings": self.findings,
            "matched_findings": self.found,
            "gold": self.gold,
            "matched_gold": self.hit,
        }


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


@dataclass(frozen=True)
class PairCounts:
    """How the n·(n-1)/2 pairs of two rankings relate."""

    concordant: int
    discordant: int
    ties_x: int  # tied in x only
    ties_y: int  # tied in y only
    ties_both: int

    @property
    def total(self) -> int:
        return self.concordant + self.discordant + self.ties_x + self.ties_y + self.ties_both


def pair_counts(xs: Sequence[float], ys: Sequence[float]) -> PairCounts:
    """Count concordant, discordant and tied pairs (numpy, one row at a time, so
    memory stays O(n) and a few thousand items take well under a second)."""
    import numpy as np

    if len(xs) != len(ys):
        raise ValueError("rank correlation: sequences differ in length")
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    c = d = tx = ty = tb = 0
    for i in range(len(x) - 1):
        dx = np.sign(x[i + 1 :] - x[i])
        dy = np.sign(y[i + 1 :] - y[i])
        prod = dx * dy
        c += int((prod > 0).sum())
        d += int((prod < 0).sum())
        zx, zy = dx == 0, dy == 0
        tb += int((zx & zy).sum())
        tx += int((zx & ~zy).sum())
        ty += int((zy & ~zx).sum())
    return PairCounts(c, d, tx, ty, tb)


def kendall_tau_b(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Kendall's τ-b (ties in either variable corrected); None when undefined."""
    p = pair_counts(xs, ys)
    den = math.sqrt(
        (p.concordant + p.discordant + p.ties_x) * (p.concordant + p.discordant + p.ties_y)
    )
    return (p.concordant - p.discordant) / den if den else None


def pairwise_accuracy_eq(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """WMT23 "acc-eq" (Deutsch et al. 2023): the share of pairs whose order (or tie)
    the metric ``xs`` gets the same as the humans ``ys``."""
    p = pair_counts(xs, ys)
    return (p.concordant + p.ties_both) / p.total if p.total else None


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties get the mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            out[order[k]] = mean_rank
        i = j + 1
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else None


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    return pearson(ranks(xs), ranks(ys))


def auroc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    """Area under the ROC curve: the chance that a random positive scores above a
    random negative (ties count half), via the Mann-Whitney U statistic."""
    n_pos = sum(1 for p in positives if p)
    n_neg = len(positives) - n_pos
    if not n_pos or not n_neg:
        return None
    r = ranks(scores)
    rank_sum = sum(rk for rk, p in zip(r, positives, strict=True) if p)
    u = rank_sum - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)


def grouped_tau(
    groups: Mapping[str, Sequence[tuple[float, float]]],
) -> tuple[float | None, int]:
    """Mean τ-b over groups (e.g. all systems' outputs for one source segment),
    skipping groups where it is undefined; returns (mean, groups used)."""
    taus = []
    for pairs in groups.values():
        tau = kendall_tau_b([p[0] for p in pairs], [p[1] for p in pairs])
        if tau is not None:
            taus.append(tau)
    return (sum(taus) / len(taus) if taus else None), len(taus)


# ------------------------------------------------------------------ penalty variants


SeverityMap = Mapping[str, Severity]


def finding_weight(finding: Finding, overrides: SeverityMap | None = None) -> float:
    """The scoring weight of a finding, optionally under a different severity map
    (keys are codes or categories, like the config's ``[severity]`` table)."""
    severity = finding.severity
    if overrides:
        severity = overrides.get(finding.code) or overrides.get(finding.category) or severity
    if severity is Severity.MINOR and finding.category in PUNCTUATION_CATEGORIES:
        return MINOR_PUNCTUATION_WEIGHT
    return WEIGHTS[severity]


def penalty_of(
    findings: Iterable[Finding],
    overrides: SeverityMap | None = None,
    zero: Iterable[str] = (),
) -> float:
    zero = set(zero)
    return sum(
        finding_weight(f, overrides)
        for f in findings
        if f.category not in zero and f.code not in zero
    )


# ------------------------------------------------------------------- our corpus


@dataclass(frozen=True)
class GoldSpan:
    """A labelled artifact. ``also`` lists further categories whose findings count
    as a correct detection (mojibake inside a name may be reported as either)."""

    category: str
    start: int
    end: int
    text: str
    also: tuple[str, ...] = ()

    def accepts(self, category: str) -> bool:
        return category == self.category or category in self.also


@dataclass
class LabelledDoc:
    id: str
    text: str
    source_lang: str | None
    split: str
    spans: list[GoldSpan] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.spans

    def document(self) -> Document:
        return Document(id=self.id, text=self.text, source_lang=self.source_lang)


def load_corpus(path: Path, split: str = "all") -> list[LabelledDoc]:
    """Read a labelled JSONL corpus; ``split`` is tune, heldout or all."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (expected tune, heldout or all)")
    docs = []
    with path.open(encoding="utf-8") as stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                spans = [
                    GoldSpan(
                        category=s["category"],
                        start=int(s["start"]),
                        end=int(s["end"]),
                        text=s.get("text", row["text"][s["start"] : s["end"]]),
                        also=tuple(s.get("also", ())),
                    )
                    for s in row.get("spans", [])
                ]
                doc = LabelledDoc(
                    id=str(row["id"]),
                    text=row["text"],
                    source_lang=row.get("source_lang"),
                    split=row.get("split", "tune"),
                    spans=spans,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{lineno}: bad corpus row: {exc}") from None
            for s in spans:
                if doc.text[s.start : s.end] != s.text or s.category not in CATEGORIES:
                    raise ValueError(f"{path}:{lineno}: gold span {s.text!r} does not match text")
            if split in ("all", doc.split):
                docs.append(doc)
    return docs


@dataclass
class CorpusResult:
    documents: int = 0
    words: int = 0
    seconds: float = 0.0
    by_category: dict[str, PRF] = field(default_factory=dict)
    by_code: dict[str, PRF] = field(default_factory=dict)
    overall: PRF = field(default_factory=PRF)
    clean_docs: int = 0
    clean_flagged: list[str] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clean_flagged_rate(self) -> float | None:
        return ratio(len(self.clean_flagged), self.clean_docs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "overall": self.overall.to_dict(),
            "by_category": {k: v.to_dict() for k, v in sorted(self.by_category.items())},
            "by_code": {k: v.to_dict() for k, v in sorted(self.by_code.items())},
            "clean_documents": self.clean_docs,
            "clean_flagged": len(self.clean_flagged),
            "clean_flagged_rate": _round(self.clean_flagged_rate),
            "clean_flagged_ids": self.clean_flagged,
            "false_positives": self.false_positives,
            "missed": self.missed,
        }


def score_corpus(
    docs: Sequence[LabelledDoc], findings: Sequence[Sequence[Finding]]
) -> CorpusResult:
    """Match findings to gold spans; ``findings[i]`` belongs to ``docs[i]``."""
    result = CorpusResult(documents=len(docs))
    cats = result.by_category
    codes = result.by_code
    for doc, found in zip(docs, findings, strict=True):
        result.words += len(doc.text.split())
        if doc.clean:
            result.clean_docs += 1
            if found:
                result.clean_flagged.append(doc.id)
        for span in doc.spans:
            cats.setdefault(span.category, PRF()).gold += 1
            result.overall.gold += 1
            matched = [
                f
                for f in found
                if span.accepts(f.category) and overlaps(f.start, f.end, span.start, span.end)
            ]
            if matched:
                cats[span.category].hit += 1
                result.overall.hit += 1
            else:
                result.missed.append(
                    {"id": doc.id, "category": span.category, "text": span.text[:80]}
                )
            for code in {f.code for f in matched}:
                codes.setdefault(code, PRF()).hit += 1
        for f in found:
            ok = any(
                s.accepts(f.category) and overlaps(f.start, f.end, s.start, s.end)
                for s in doc.spans
            )
            for prf in (
                cats.setdefault(f.category, PRF()),
                codes.setdefault(f.code, PRF()),
                result.overall,
            ):
                prf.findings += 1
                prf.found += ok
            if not ok:
                result.false_positives.append(
                    {"id": doc.id, "code": f.code, "category": f.category, "text": f.text[:80]}
                )
    # A code's recall is over the gold spans of its category.
    for code, prf in codes.items():
        category = _code_category(code, findings)
        prf.gold = cats[category].gold if category in cats else 0
    return result


def _code_category(code: str, findings: Sequence[Sequence[Finding]]) -> str:
    for found in findings:
        for f in found:
            if f.code == code:
                return f.category
    return ""


# ------------------------------------------------------------------ running checks


@dataclass
class Instruments:
    """Per-code time (seconds) and crashes seen while evaluating."""

    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)


def instrument(engine: Engine) -> Instruments:
    """Wrap the engine's checks (and their batch ``prepare``) so the time each code
    takes is summed, and a check that crashes on one document is counted and skipped
    for that document instead of ending the whole evaluation (checks are being built
    while the harness measures them)."""
    import dataclasses

    out = Instruments()

    def record(code: str, t0: float) -> None:
        out.seconds[code] = out.seconds.get(code, 0.0) + time.perf_counter() - t0

    def crashed(code: str, exc: Exception) -> None:
        out.errors[code] = out.errors.get(code, 0) + 1
        out.first_error.setdefault(code, f"{type(exc).__name__}: {exc}")

    def timed_check(code: str, func: Any) -> Any:
        def run(doc: Document, ctx: Any) -> list[Any]:
            t0 = time.perf_counter()
            try:
                return list(func(doc, ctx))
            except Exception as exc:
                crashed(code, exc)
                return []
            finally:
                record(code, t0)

        return run

    def timed_prepare(code: str, func: Any) -> Any:
        def run(docs: Sequence[Document], ctx: Any) -> None:
            t0 = time.perf_counter()
            try:
                func(docs, ctx)
            except Exception as exc:
                crashed(code, exc)
            finally:
                record(code, t0)

        return run

    engine.rules = [
        dataclasses.replace(
            rule,
            func=timed_check(rule.code, rule.func),
            prepare=timed_prepare(rule.code, rule.prepare) if rule.prepare else None,
        )
        for rule in engine.rules
    ]
    return out


@dataclass
class Run:
    """Findings for a list of documents, and how long the checks took."""

    findings: list[list[Finding]]
    seconds: float


def run_checks(engine: Engine, documents: Sequence[Document], batch_size: int = 64) -> Run:
    t0 = time.perf_counter()
    reports: list[DocumentReport] = list(engine.run(documents, batch_size=batch_size))
    return Run([r.findings for r in reports], time.perf_counter() - t0)


def eval_corpus(engine: Engine, path: Path, split: str = "all") -> CorpusResult:
    docs = load_corpus(path, split)
    run = run_checks(engine, [d.document() for d in docs])
    result = score_corpus(docs, run.findings)
    result.seconds = run.seconds
    return result


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                rows.append(json.loads(line))
    return _take(rows, limit)


def _take(rows: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    return rows[:limit] if limit else rows


# ---------------------------------------------------------------------- DEMETR

# The finding categories that count as detecting each perturbation; None = any.
DEMETR_RELEVANT: dict[str, frozenset[str] | None] = {
    "critical_id4_codemix": frozenset({"untranslated"}),
    "minor_id30_tokenized": frozenset({"tokenization"}),
    "critical_id9_ne_replaced": frozenset({"name", "adequacy"}),
    "minor_id1_repeat2": frozenset({"repetition"}),
    "minor_id2_repeat4": frozenset({"repetition"}),
    "critical_id6_addition": None,
    "minor_id29_punc_addition": frozenset({"tokenization"}),
    "minor_id28_final_punc_removed": frozenset({"tokenization"}),
    "minor_id14_word_swap": None,
    "critical_id20_shuffled": None,
    "minor_id26_misspelled": frozenset({"terminology", "name"}),
    "minor_id27_char_removed": frozenset({"terminology", "name"}),
    "minor_id31_full_lower": frozenset({"name"}),
    "minor_id32_first_lower": frozenset({"name", "tokenization"}),
}
STRETCH = frozenset({"critical_id9_ne_replaced", "critical_id6_addition", "minor_id14_word_swap"})

_LANG_NAMES = {
    "polish": "pl",
    "czech": "cs",
    "russian": "ru",
    "german": "de",
    "french": "fr",
    "italian": "it",
    "spanish": "es",
    "japanese": "ja",
    "chinese": "zh",
    "hindi": "hi",
}


def lang_code(name: str | None) -> str | None:
    if not name:
        return None
    return _LANG_NAMES.get(name.split("_")[0].lower(), name[:2].lower())


def _relevant(found: Sequence[Finding], cats: frozenset[str] | None) -> bool:
    return any(cats is None or f.category in cats for f in found)


def eval_demetr(engine: Engine, path: Path, limit: int | None = None) -> dict[str, Any]:
    rows = read_jsonl(path)
    if limit:  # keep every perturbation: take the first N of each
        per: dict[str, int] = {}
        kept = []
        for row in rows:
            per[row["perturbation"]] = per.get(row["perturbation"], 0) + 1
            if per[row["perturbation"]] <= limit:
                kept.append(row)
        rows = kept
    docs: list[Document] = []
    for row in rows:
        lang = lang_code(row.get("lang_src"))
        for side in ("original", "perturbed"):
            docs.append(
                Document(
                    id=f"{row['id']}:{side}",
                    text=row[side],
                    source=row.get("source"),
                    source_lang=lang,
                )
            )
    run = run_checks(engine, docs)
    table: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        original, perturbed = run.findings[2 * i], run.findings[2 * i + 1]
        name = row["perturbation"]
        cats = DEMETR_RELEVANT.get(name)
        t = table.setdefault(
            name, {"n": 0, "detected": 0, "original_flagged": 0, "prefers_original": 0, "any": 0}
        )
        t["n"] += 1
        t["detected"] += _relevant(perturbed, cats)
        t["original_flagged"] += _relevant(original, cats)
        t["any"] += bool(perturbed)
        t["prefers_original"] += penalty_of(perturbed) > penalty_of(original)
    out = {}
    for name, t in sorted(table.items()):
        n = t["n"]
        cats = DEMETR_RELEVANT.get(name)
        out[name] = {
            "n": n,
            "relevant": sorted(cats) if cats else "any",
            "detection_rate": _round(t["detected"] / n),
            "paired_fp_rate": _round(t["original_flagged"] / n),
            "prefers_original": _round(t["prefers_original"] / n),
            "any_finding_rate": _round(t["any"] / n),
            "stretch": name in STRETCH,
        }
    return {"rows": len(rows), "seconds": round(run.seconds, 2), "perturbations": out}


# ---------------------------------------------------------------------- captions


def eval_captions(engine: Engine, path: Path, limit: int | None = None) -> dict[str, Any]:
    rows = read_jsonl(path, limit)
    docs = [Document(id=f"caption:{i}", text=row["text"]) for i, row in enumerate(rows)]
    run = run_checks(engine, docs)
    prf = PRF()
    by_subtype: dict[str, list[int]] = {}
    for row, found in zip(rows, run.findings, strict=True):
        flagged = any(f.category == "caption" for f in found)
        positive = row["label"] == "caption"
        prf.findings += flagged
        prf.found += flagged and positive
        prf.gold += positive
        prf.hit += flagged and positive
        counts = by_subtype.setdefault(f"{row['label']}:{row.get('subtype', '')}", [0, 0])
        counts[0] += 1
        counts[1] += flagged
    subtypes = {
        key: {"n": n, "flagged": k, "flagged_rate": _round(k / n)}
        for key, (n, k) in sorted(by_subtype.items())
    }
    return {
        "rows": len(rows),
        "seconds": round(run.seconds, 2),
        "caption": prf.to_dict(),
        "by_subtype": subtypes,
        "fp_rate_dateline": subtypes.get("body:dateline", {}).get("flagged_rate"),
        "fp_rate_agency_mention": subtypes.get("body:agency_mention", {}).get("flagged_rate"),
        "fp_rate_plain": subtypes.get("body:plain", {}).get("flagged_rate"),
    }


# ---------------------------------------------------------------------- WMT MQM

# MQM categories with a matching mtaudit category, for character-level span P/R.
WMT_SPAN_CATEGORIES: dict[str, frozenset[str]] = {
    "Locale convention/Name format": frozenset({"name", "encoding"}),
    "Accuracy/Source language fragment": frozenset({"untranslated"}),
    "Fluency/Punctuation": frozenset({"tokenization"}),
    "Non-translation!": frozenset({"repetition", "untranslated"}),
    "Fluency/Spelling": frozenset({"terminology", "name"}),
}


def _chars(spans: Iterable[tuple[int, int]]) -> set[int]:
    out: set[int] = set()
    for a, b in spans:
        out.update(range(a, b))
    return out


def span_prf(
    rows: Sequence[dict[str, Any]], findings: Sequence[Sequence[Finding]]
) -> dict[str, dict[str, Any]]:
    """Character-level P/R/F1 of mtaudit's spans against the raters' union."""
    out = {}
    for mqm_cat, ours in WMT_SPAN_CATEGORIES.items():
        tp = pred = gold = 0
        for row, found in zip(rows, findings, strict=True):
            g = _chars(
                (e["start"], e["end"])
                for e in row.get("errors", [])
                if e.get("category") == mqm_cat and "start" in e and e.get("end") is not None
            )
            p = _chars((f.start, f.end) for f in found if f.category in ours)
            tp += len(g & p)
            pred += len(p)
            gold += len(g)
        precision, recall = ratio(tp, pred), ratio(tp, gold)
        out[mqm_cat] = {
            "ours": sorted(ours),
            "precision": _round(precision),
            "recall": _round(recall),
            "f1": _round(f1(precision, recall)),
            "gold_chars": gold,
            "flagged_chars": pred,
        }
    return out


@dataclass
class WmtRun:
    rows: list[dict[str, Any]]
    findings: list[list[Finding]]
    seconds: float


def run_wmt(engine: Engine, path: Path, limit: int | None = None) -> WmtRun:
    rows = read_jsonl(path, limit)
    docs = [
        Document(id=row["id"], text=row["hyp"], source=row.get("source"), source_lang="zh")
        for row in rows
    ]
    run = run_checks(engine, docs)
    return WmtRun(rows, run.findings, run.seconds)


def wmt_correlations(rows: Sequence[dict[str, Any]], penalties: Sequence[float]) -> dict[str, Any]:
    human = [float(r["mqm_score"]) for r in rows]
    groups: dict[str, list[tuple[float, float]]] = {}
    for r, p in zip(rows, penalties, strict=True):
        groups.setdefault(f"{r.get('doc')}:{r.get('seg_id')}", []).append(
            (p, float(r["mqm_score"]))
        )
    grouped, n_groups = grouped_tau(groups)
    return {
        "tau_b": _round(kendall_tau_b(penalties, human)),
        "acc_eq": _round(pairwise_accuracy_eq(penalties, human)),
        "tau_b_grouped_by_segment": _round(grouped),
        "segments": n_groups,
        "flagged_share": _round(sum(1 for p in penalties if p > 0) / len(penalties))
        if penalties
        else None,
    }


def system_pearson(rows: Sequence[dict[str, Any]], penalties: Sequence[float]) -> float | None:
    per: dict[str, list[tuple[float, float]]] = {}
    for r, p in zip(rows, penalties, strict=True):
        per.setdefault(str(r.get("system")), []).append((p, float(r["mqm_score"])))
    ours = [sum(x for x, _ in v) / len(v) for v in per.values()]
    human = [sum(y for _, y in v) / len(v) for v in per.values()]
    return pearson(ours, human)


def eval_wmt(engine: Engine, path: Path, limit: int | None = None) -> dict[str, Any]:
    return wmt_result(run_wmt(engine, path, limit))


def wmt_result(run: WmtRun) -> dict[str, Any]:
    penalties = [penalty_of(f) for f in run.findings]
    lengths = [float(len(r["hyp"].split())) for r in run.rows]
    return {
        "rows": len(run.rows),
        "seconds": round(run.seconds, 2),
        "mtaudit": wmt_correlations(run.rows, penalties),
        "length_baseline": wmt_correlations(run.rows, lengths),
        "system_pearson": _round(system_pearson(run.rows, penalties)),
        "spans": span_prf(run.rows, run.findings),
        "reference": {"human_inter_rater_tau": 0.35, "length_baseline_tau": "0.23-0.26"},
    }


# ------------------------------------------------------------------ calibration


def candidate_maps(categories: Iterable[str]) -> dict[str, tuple[dict[str, Severity], set[str]]]:
    """Alternative severity maps to compare: the defaults, everything minor/major,
    and each category one step down / up / left out of the penalty."""
    cats = sorted(set(categories))
    out: dict[str, tuple[dict[str, Severity], set[str]]] = {
        "default": ({}, set()),
        "all-minor": (dict.fromkeys(cats, Severity.MINOR), set()),
        "all-major": (dict.fromkeys(cats, Severity.MAJOR), set()),
    }
    for cat in cats:
        out[f"{cat}=minor"] = ({cat: Severity.MINOR}, set())
        out[f"{cat}=major"] = ({cat: Severity.MAJOR}, set())
        out[f"{cat}=critical"] = ({cat: Severity.CRITICAL}, set())
        out[f"{cat}=off"] = ({}, {cat})
    return out


def calibrate(
    rows: Sequence[dict[str, Any]],
    findings: Sequence[Sequence[Finding]],
    maps: Mapping[str, tuple[Mapping[str, Severity], set[str]]] | None = None,
    check: tuple[Sequence[dict[str, Any]], Sequence[Sequence[Finding]]] | None = None,
) -> list[dict[str, Any]]:
    """τ-b and acc-eq against MQM for each candidate severity map, best first.

    Penalties are recomputed from one run's findings, so this is cheap; the maps use
    the config's ``[severity]`` semantics (code or category → severity). ``check`` is
    a second, independent set (MLQE-PE rows and findings): its Spearman correlation
    with -DA is reported beside, so a map is not chosen on WMT alone.
    """
    if maps is None:
        maps = candidate_maps(f.category for fs in findings for f in fs)
    human = [float(r["mqm_score"]) for r in rows]
    out = []
    for name, (overrides, zero) in maps.items():
        pens = [penalty_of(f, overrides, zero) for f in findings]
        item: dict[str, Any] = {
            "map": name,
            "tau_b": _round(kendall_tau_b(pens, human)),
            "acc_eq": _round(pairwise_accuracy_eq(pens, human)),
        }
        if check is not None:
            check_rows, check_findings = check
            check_pens = [penalty_of(f, overrides, zero) for f in check_findings]
            item["mlqe_spearman"] = _round(
                spearman(check_pens, [-float(r["label"]) for r in check_rows])
            )
        out.append(item)
    out.sort(key=lambda d: -(d["tau_b"] if isinstance(d["tau_b"], float) else -2.0))
    return out


# ---------------------------------------------------------------------- MLQE-PE


def eval_mlqe(engine: Engine, path: Path, limit: int | None = None) -> dict[str, Any]:
    return mlqe_result(run_mlqe(engine, path, limit))


def run_mlqe(engine: Engine, path: Path, limit: int | None = None) -> WmtRun:
    rows = read_jsonl(path)
    if limit:
        per: dict[str, int] = {}
        kept = []
        for row in rows:
            per[row["lp"]] = per.get(row["lp"], 0) + 1
            if per[row["lp"]] <= limit:
                kept.append(row)
        rows = kept
    docs = [
        Document(id=row["id"], text=row["hyp"], source=row.get("source"), source_lang=row["lp"][:2])
        for row in rows
    ]
    run = run_checks(engine, docs)
    return WmtRun(rows, run.findings, run.seconds)


def mlqe_result(run: WmtRun) -> dict[str, Any]:
    rows = run.rows
    by_lp: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for row, found in zip(rows, run.findings, strict=True):
        by_lp.setdefault(row["lp"], []).append((row, penalty_of(found)))
    by_lp["all"] = [item for lp in sorted(by_lp) for item in by_lp[lp]]
    out = {}
    for lp, items in by_lp.items():
        pens = [p for _, p in items]
        neg_label = [-float(r["label"]) for r, _ in items]
        hter = [float(r["hter"]) for r, _ in items]
        bad = [float(r["da_mean"]) < 50 for r, _ in items]
        out[lp] = {
            "n": len(items),
            "spearman_neg_label": _round(spearman(pens, neg_label)),
            "kendall_neg_label": _round(kendall_tau_b(pens, neg_label)),
            "spearman_hter": _round(spearman(pens, hter)),
            "auroc_da_below_50": _round(auroc(pens, bad)),
            "flagged_share": _round(sum(1 for p in pens if p > 0) / len(pens)),
        }
    return {"rows": len(rows), "seconds": round(run.seconds, 2), "by_lp": out}


# ---------------------------------------------------------------------- shared sets

SHARED_SETS: dict[str, tuple[str, Callable[[Engine, Path, int | None], dict[str, Any]]]] = {
    "demetr": ("demetr.jsonl", eval_demetr),
    "captions": ("captions.jsonl", eval_captions),
    "wmt": ("wmt_mqm_zhen.jsonl", eval_wmt),
    "mlqe": ("mlqepe_da_xxen.jsonl", eval_mlqe),
}


def eval_shared(
    engine: Engine, folder: Path, limit: int | None = None, sets: Iterable[str] | None = None
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Each public set in ``folder`` that exists: (name, result or None if absent)."""
    for name in sets or SHARED_SETS:
        filename, func = SHARED_SETS[name]
        path = folder / filename
        yield name, (func(engine, path, limit) if path.is_file() else None)


# ---------------------------------------------------------------------- the floor


def floor_from(result: CorpusResult) -> dict[str, dict[str, float | None]]:
    return {
        cat: {"precision": _round(prf.precision), "recall": _round(prf.recall)}
        for cat, prf in sorted(result.by_category.items())
    }


def compare_floor(result: CorpusResult, floor: Mapping[str, Any], margin: float) -> list[str]:
    """Human-readable regressions: a category's precision or recall more than
    ``margin`` below the recorded floor, or more clean documents flagged."""
    problems = []
    for cat, want in floor.get("categories", {}).items():
        prf = result.by_category.get(cat, PRF())
        for metric in ("precision", "recall"):
            old = want.get(metric)
            new = getattr(prf, metric)
            if old is None:
                continue
            if new is None:
                if metric == "precision":
                    continue  # no findings at all: recall catches it
                new = 0.0
            if new < old - margin:
                problems.append(f"{cat} {metric} {new:.3f} < floor {old:.3f} - {margin}")
    old_clean = floor.get("clean_flagged_rate")
    new_clean = result.clean_flagged_rate
    if old_clean is not None and new_clean is not None and new_clean > old_clean + margin:
        problems.append(
            f"clean documents flagged {new_clean:.3f} > floor {old_clean:.3f} + {margin}"
        )
    return problems


# ---------------------------------------------------------------------- rendering


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _prf_rows(table: Mapping[str, Mapping[str, Any]]) -> list[list[Any]]:
    return [
        [k, v["precision"], v["recall"], v["f1"], v["findings"], v["gold"]]
        for k, v in table.items()
    ]


def render_markdown(report: Mapping[str, Any]) -> str:
    """The whole evaluation as Markdown (also what the terminal shows)."""
    parts = []
    info = report.get("info", {})
    parts.append(
        f"Mode: {'fast (rule-based only)' if info.get('fast') else 'full (with embeddings)'}; "
        f"checks: {len(info.get('checks', []))}; signature `{info.get('signature', '')}`"
    )
    corpus = report.get("corpus")
    if corpus:
        parts.append(
            f"## Our corpus ({report.get('split')} split): {corpus['documents']} documents, "
            f"{corpus['words']} words, {corpus['seconds']} s"
        )
        o = corpus["overall"]
        parts.append(
            f"Overall: precision {_fmt(o['precision'])}, recall {_fmt(o['recall'])}, "
            f"F1 {_fmt(o['f1'])}; clean documents with any finding: "
            f"{corpus['clean_flagged']}/{corpus['clean_documents']} "
            f"({_fmt(corpus['clean_flagged_rate'])})"
        )
        header = ["category", "precision", "recall", "F1", "findings", "gold"]
        parts.append(md_table(header, _prf_rows(corpus["by_category"])))
        parts.append("Per code (recall is over the gold spans of the code's category):")
        parts.append(md_table(["code", *header[1:]], _prf_rows(corpus["by_code"])))
    shared = report.get("shared", {})
    for name, res in shared.items():
        if res is None:
            parts.append(f"## {name}: not found, skipped")
            continue
        parts.append(_render_shared(name, res))
    cal = report.get("calibration")
    if cal:
        parts.append("## Calibration: Kendall τ-b vs. WMT MQM per severity map")
        parts.append(
            "Each map is applied to one run's findings (config `[severity]` semantics); "
            "MLQE-PE Spearman with -DA is an independent check on the same map."
        )
        parts.append(
            md_table(
                ["map", "WMT τ-b", "WMT acc-eq", "MLQE Spearman"],
                [[c["map"], c["tau_b"], c["acc_eq"], c.get("mlqe_spearman")] for c in cal],
            )
        )
    timings = report.get("check_seconds")
    if timings:
        slow = sorted(timings.items(), key=lambda kv: -kv[1])
        parts.append("Time per check over everything above (seconds, slowest first):")
        parts.append(md_table(["code", "seconds"], [[k, round(v, 2)] for k, v in slow]))
    errors = report.get("check_errors")
    if errors:
        parts.append("Checks that crashed (the document was scored without them):")
        parts.append(
            md_table(
                ["code", "crashes", "first error"],
                [[k, v["count"], v["first"]] for k, v in errors.items()],
            )
        )
    parts.append(f"Total time: {report.get('seconds')} s")
    return "\n\n".join(parts) + "\n"


def _render_shared(name: str, res: Mapping[str, Any]) -> str:
    parts = []
    if name == "demetr":
        parts.append(f"## DEMETR: {res['rows']} pairs, {res['seconds']} s")
        rows = [
            [
                k + (" (stretch)" if v["stretch"] else ""),
                ",".join(v["relevant"]) if isinstance(v["relevant"], list) else v["relevant"],
                v["detection_rate"],
                v["paired_fp_rate"],
                v["prefers_original"],
            ]
            for k, v in res["perturbations"].items()
        ]
        parts.append(
            md_table(
                ["perturbation", "relevant", "detected", "paired FP", "prefers original"], rows
            )
        )
    elif name == "captions":
        c = res["caption"]
        parts.append(f"## Captions: {res['rows']} texts, {res['seconds']} s")
        parts.append(
            f"Caption detection (any caption finding): precision {_fmt(c['precision'])}, "
            f"recall {_fmt(c['recall'])}, F1 {_fmt(c['f1'])}. False-positive rate on "
            f"datelines {_fmt(res['fp_rate_dateline'])}, agency mentions "
            f"{_fmt(res['fp_rate_agency_mention'])}, plain body {_fmt(res['fp_rate_plain'])}."
        )
        parts.append(
            md_table(
                ["label:subtype", "n", "flagged", "rate"],
                [
                    [k, v["n"], v["flagged"], v["flagged_rate"]]
                    for k, v in res["by_subtype"].items()
                ],
            )
        )
    elif name == "wmt":
        m, b = res["mtaudit"], res["length_baseline"]
        parts.append(f"## WMT23 zh→en MQM: {res['rows']} segments, {res['seconds']} s")
        parts.append(
            md_table(
                ["scorer", "τ-b", "acc-eq", "τ-b within segment", "flagged share"],
                [
                    [
                        "mtaudit penalty",
                        m["tau_b"],
                        m["acc_eq"],
                        m["tau_b_grouped_by_segment"],
                        m["flagged_share"],
                    ],
                    [
                        "length (words)",
                        b["tau_b"],
                        b["acc_eq"],
                        b["tau_b_grouped_by_segment"],
                        b["flagged_share"],
                    ],
                    ["human inter-rater (reference)", 0.35, None, None, None],
                ],
            )
        )
        parts.append(
            f"System-level Pearson (mean penalty vs. mean MQM): {_fmt(res['system_pearson'])}"
        )
        parts.append("Character-level span P/R against the raters' spans:")
        parts.append(
            md_table(
                ["MQM category", "our categories", "precision", "recall", "F1", "gold chars"],
                [
                    [k, ",".join(v["ours"]), v["precision"], v["recall"], v["f1"], v["gold_chars"]]
                    for k, v in res["spans"].items()
                ],
            )
        )
    elif name == "mlqe":
        parts.append(f"## MLQE-PE (DA, xx→en): {res['rows']} sentences, {res['seconds']} s")
        parts.append(
            md_table(
                [
                    "lp",
                    "n",
                    "Spearman(-label)",
                    "Kendall(-label)",
                    "Spearman(HTER)",
                    "AUROC da<50",
                    "flagged",
                ],
                [
                    [
                        k,
                        v["n"],
                        v["spearman_neg_label"],
                        v["kendall_neg_label"],
                        v["spearman_hter"],
                        v["auroc_da_below_50"],
                        v["flagged_share"],
                    ]
                    for k, v in res["by_lp"].items()
                ],
            )
        )
    return "\n\n".join(parts)
