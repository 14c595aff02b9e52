"""``html``: one self-contained report page (inline CSS, JS and SVG; no network).

The worst documents come first; each document's text is shown with its findings
highlighted inline (hover or focus for the message and suggestion), and filters
by category and severity narrow what is highlighted. Every piece of document
text goes through :func:`html.escape`, and a Content-Security-Policy allows only
the report's own script (by hash), so markup inside a document never runs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import resources
from typing import Any

from mtaudit.engine import DocumentReport
from mtaudit.finding import CATEGORIES, Finding
from mtaudit.formats import Formatter, register_format

MAX_DOCUMENTS = 500
SEVERITIES = ("critical", "major", "minor")
BINS = 10


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _asset(name: str) -> str:
    return resources.files("mtaudit.formats").joinpath(name).read_text(encoding="utf-8")


def score_chart(scores: Sequence[float]) -> str:
    """An inline SVG histogram of document scores in ten-point bins."""
    counts = [0] * BINS
    for s in scores:
        counts[min(BINS - 1, max(0, int(s // (100 / BINS))))] += 1
    width, height, pad, base = 560, 190, 30, 160
    bar = (width - 2 * pad) / BINS
    top = max(counts) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Score distribution" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" class="axis"/>',
    ]
    for i, n in enumerate(counts):
        h = round(130 * n / top, 1)
        x = round(pad + i * bar + 3, 1)
        hue = round(120 * i / (BINS - 1))
        label = f"{i * 10}–{i * 10 + 10}"
        parts.append(
            f'<rect x="{x}" y="{base - h}" width="{round(bar - 6, 1)}" height="{h}" '
            f'fill="hsl({hue},65%,48%)"><title>score {label}: {n} document(s)</title></rect>'
        )
        if n:
            parts.append(
                f'<text x="{round(x + (bar - 6) / 2, 1)}" y="{base - h - 4}" '
                f'class="count">{n}</text>'
            )
        parts.append(
            f'<text x="{round(x + (bar - 6) / 2, 1)}" y="{base + 16}" class="tick">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _tip(f: Finding) -> str:
    tip = f"{f.code} · {f.category} · {f.severity.value}\n{f.message}"
    if f.suggestion is not None:
        tip += f"\nSuggestion: {f.suggestion or '(remove)'}"
    return tip


def highlighted(text: str, findings: Sequence[Finding]) -> str:
    """The text, escaped, with each finding's span wrapped in a <mark>. Overlapping
    findings split the text into pieces; a piece lists every finding over it."""
    cuts = {0, len(text)}
    for f in findings:
        cuts.update((f.start, f.end))
    points = sorted(cuts)
    out: list[str] = []
    for lo, hi in itertools.pairwise(points):
        piece = esc(text[lo:hi])
        over = [f for f in findings if f.start < hi and lo < f.end]
        if not over:
            out.append(piece)
            continue
        worst = max(over, key=lambda f: f.severity.rank)
        pairs = " ".join(f"{f.category}|{f.severity.value}" for f in over)
        tip = "\n\n".join(_tip(f) for f in over)
        out.append(
            f'<mark class="f sev-{worst.severity.value}" tabindex="0" '
            f'data-f="{esc(pairs)}" data-tip="{esc(tip)}">{piece}</mark>'
        )
    return "".join(out)


def _finding_rows(findings: Sequence[Finding]) -> str:
    rows = []
    for f in findings:
        sugg = "" if f.suggestion is None else (f.suggestion or "(remove)")
        rows.append(
            f'<tr class="row" data-f="{esc(f.category)}|{f.severity.value}">'
            f"<td>{f.line}:{f.col}</td><td><code>{esc(f.code)}</code></td>"
            f"<td>{esc(f.category)}</td>"
            f'<td><span class="sev sev-{f.severity.value}">{f.severity.value}</span></td>'
            f'<td class="quote">{esc(f.text)}</td><td>{esc(f.message)}</td>'
            f'<td class="quote">{esc(sugg)}</td></tr>'
        )
    return "".join(rows)


def document_section(index: int, report: DocumentReport) -> str:
    doc = report.document
    n = len(report.findings)
    head = (
        f'<h2><span class="score s{int(report.score // 10) * 10}">{report.score:g}</span> '
        f"{esc(doc.id)}</h2>"
        f'<p class="meta">{esc(doc.path or "-")} · {doc.words} words · penalty '
        f"{report.penalty:g} · {n} finding(s)</p>"
    )
    if report.error:
        body = f'<p class="error">{esc(report.error)}</p>'
    else:
        body = f'<pre class="text">{highlighted(doc.text, report.findings)}</pre>'
        if n:
            body += (
                '<table class="findings"><thead><tr><th>where</th><th>code</th>'
                "<th>category</th><th>severity</th><th>text</th><th>message</th>"
                f"<th>suggestion</th></tr></thead><tbody>{_finding_rows(report.findings)}"
                "</tbody></table>"
            )
    if not n and not report.error:
        body = f"<details><summary>clean: show text</summary>{body}</details>"
    return f'<article class="doc" id="doc-{index}" data-findings="{n}">{head}{body}</article>'


def _checkboxes(kind: str, values: Sequence[str], counts: dict[str, int]) -> str:
    boxes = []
    for v in values:
        boxes.append(
            f'<label class="chip"><input type="checkbox" data-kind="{kind}" value="{esc(v)}" '
            f"checked> {esc(v)} <small>{counts.get(v, 0)}</small></label>"
        )
    return f"<fieldset><legend>{kind}</legend>{''.join(boxes)}</fieldset>"


def render(
    reports: Sequence[DocumentReport], summary: dict[str, Any], run_info: dict[str, Any]
) -> str:
    ordered = sorted(
        enumerate(reports), key=lambda p: (p[1].error is None, p[1].score, -len(p[1].findings))
    )
    shown = ordered[:MAX_DOCUMENTS]
    scores = [r.score for r in reports if not r.error]
    cats = summary.get("by_category", {})
    sevs = summary.get("by_severity", {})
    present = [c for c in CATEGORIES if cats.get(c)] + sorted(set(cats) - set(CATEGORIES))
    status = "FAILED" if summary.get("failed") else "passed"
    cards = [
        ("documents", summary.get("documents")),
        ("findings", summary.get("findings")),
        ("mean score", summary.get("mean_score")),
        ("lowest score", summary.get("min_score")),
        ("gate", status),
    ]
    for key in ("baselined", "suppressed", "outside_diff"):
        if summary.get(key):
            cards.append((key.replace("_", " "), summary[key]))
    card_html = "".join(
        f'<div class="card{" bad" if k == "gate" and v == "FAILED" else ""}">'
        f"<b>{esc(v if v is not None else '–')}</b><span>{esc(k)}</span></div>"
        for k, v in cards
    )
    by_cat = (
        "".join(f"<tr><td>{esc(c)}</td><td>{cats.get(c, 0)}</td></tr>" for c in present)
        or '<tr><td colspan="2">no findings</td></tr>'
    )
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    more = (
        f'<p class="note">Showing the {MAX_DOCUMENTS} worst of {len(reports)} documents.</p>'
        if len(reports) > MAX_DOCUMENTS
        else ""
    )
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = "".join(document_section(i, r) for i, r in shown)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mtaudit report</title>
<style>{_asset("report.css")}</style></head>
<body>
<header><h1>mtaudit report</h1>
<p class="meta">mtaudit {esc(run_info.get("version", ""))} · {esc(made)} ·
<code>{esc(run_info.get("signature", ""))}</code></p></header>
<section class="summary"><div class="cards">{card_html}</div>
<div class="panels"><div class="panel"><h3>Score distribution</h3>{score_chart(scores)}</div>
<div class="panel"><h3>Findings by category</h3><table class="bycat">{by_cat}</table></div></div>
</section>
<nav class="filters" aria-label="filters">{_checkboxes("category", present, cats)}
{_checkboxes("severity", list(SEVERITIES), sevs)}
<label class="chip"><input type="checkbox" id="only-findings"> hide documents without shown findings</label>
</nav>
<main>{more}{sections}</main>
<footer>Hover or focus a highlight for the message and the suggestion. Worst documents first.</footer>
<script>{script}</script>
</body></html>
"""


@register_format
class HtmlFormatter(Formatter):
    name = "html"
    description = "one self-contained HTML page: summary, chart, highlighted documents, filters"

    def finish(self, reports: list[DocumentReport], summary: dict[str, Any]) -> None:
        self.stream.write(render(reports, summary, self.run_info))
