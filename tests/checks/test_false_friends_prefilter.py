"""MT70x's exact prefilter: keywords, pattern runs and skeletons may only skip
rows whose pattern cannot match.

``analyze`` must give exactly what the reference algorithm gives (every allowed
row whose keyword occurs is searched with its full pattern).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from mtaudit.checks import false_friends as ff
from mtaudit.checks.false_friends import (
    WordClass,
    _Candidate,
    _folded,
    _norm_lang,
    _skeleton,
    build_index,
    compile_row,
)
from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.glossary import Row
from tests.helpers import engine_for

LABELLED = Path(__file__).parent.parent / "fixtures" / "false_friends" / "labelled.jsonl"


def _reference(doc: Document, ctx: Context) -> list[tuple[str, Hit]]:
    """The algorithm without the prefilter (as before it was added)."""
    entries = ff.catalog_index(ctx).entries
    lang = ctx.source_lang or doc.source_lang
    wanted = _norm_lang(lang) if lang else None
    text = doc.text
    lowered = text.lower()
    found: dict[tuple[int, int], list[_Candidate]] = {}
    matches: dict[int, list[re.Match[str]]] = {}
    for entry in entries:
        if wanted is not None and wanted not in entry.langs and "*" not in entry.langs:
            continue
        if wanted is None and entry.lang_only:
            continue
        if entry.keywords and not any(k in lowered for k in entry.keywords):
            continue
        key = id(entry.regex)
        if key not in matches:
            matches[key] = [m for m in entry.regex.finditer(text) if m.end() > m.start()]
        for m in matches[key]:
            if entry.context or entry.unless:
                sent = doc.sentence_at(m.start())
                scope = sent.text if sent else text
                if entry.context and not entry.context.search(scope):
                    continue
                if entry.unless and entry.unless.search(scope):
                    continue
            found.setdefault((m.start(), m.end()), []).append(
                _Candidate(m.start(), m.end(), entry, ff.render(entry, m, text))
            )
    return ff._select(found, text, wanted is not None)


def _same(text: str, lang: str | None = None) -> bool:
    ctx = engine_for(("MT701", "MT702", "MT703")).context
    fast = ff.analyze(Document(id="a", text=text, source_lang=lang), ctx)
    slow = _reference(Document(id="b", text=text, source_lang=lang), ctx)
    assert fast == slow, text
    return bool(fast)


def _texts() -> list[str]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["text"]) for line in lines if line]


_EDITS = [
    str.upper,
    str.title,
    lambda s: s.replace(" ", "\n"),
    lambda s: s.replace(" ", "  "),
    lambda s: s.replace(". ", " "),
    lambda s: s.replace("i", "\u0131"),  # dotless i: IGNORECASE equates it with i
    lambda s: s.replace("s", "\u017f"),  # long s: equated with s
    lambda s: s.replace("I", "\u0130"),  # dotted capital I: lower() adds a character
    lambda s: s.replace("k", "\u212a"),  # Kelvin sign: equated with k
    lambda s: s.replace("a", "á"),
    lambda s: s.replace(" ", "-"),
]


def test_prefilter_agrees_with_the_reference_on_labelled_texts() -> None:
    found = 0
    for text in _texts():
        for lang in (None, "fr", "sr", "de", "es"):
            found += _same(text, lang)
    assert found > 40


def test_prefilter_agrees_with_the_reference_on_edited_texts() -> None:
    rnd = random.Random(5)
    texts = _texts()
    for _ in range(500):
        text = rnd.choice(texts)
        a = rnd.randrange(len(text) + 1)
        b = min(len(text), a + rnd.randrange(150))
        _same(text[:a] + rnd.choice(_EDITS)(text[a:b]) + text[b:], rnd.choice([None, "fr", "sr"]))


def _possible(regex: re.Pattern[str], text: str, whole: bool = True) -> bool:
    skeleton = _skeleton(regex, whole)
    assert skeleton is not None, regex.pattern
    folded = _folded(text)
    return skeleton.possible(folded, folded[::-1], ff._occurrences(folded, skeleton))


@pytest.mark.parametrize(
    ("pattern", "matching", "other"),
    [
        (
            r"(?<![\w-])(?:rents?\s+(?:rates?|on\s+loans))(?![\w-])",
            "The RENT ON LOANS",
            "rent a car",
        ),
        (r"(?:old-age|state)\s+rents", "state  rents rose", "state rent rose"),
        (r"(?:a|the)\s+heads?\s+of\s+[\w'’-]+\s+collapse", "the heads of bridge’s collapse", "x"),
        (r"kilometer(?=\s+(?:race|run))", "a 5 \u212ailometer race", "a kilometer away"),
        (r"(?<=the )cla[sſ]s\b", "the cla\u017fs", "the class-room"),
        (r"(?-i:EU)\s+funds", "eu funds and EU funds", "us funds"),
        (r"stra(?:ß|ss)e\s+sign", "STRASSE sign", "strasse"),
        (r"[^,]+,\s*eventually", "then, eventually", "eventually"),
        (r"(?:would|could)\s+eventually", "It COULD EVENTUALLY", "would possibly"),
        (r"\bsemestr[^\W\d]\b", "the semestrı", "semestr1"),
        (r"ΣΟΦΟΣ\s+man", "σοφος man", "sofos man"),
    ],
)
def test_skeleton_passes_wherever_its_pattern_matches(
    pattern: str, matching: str, other: str
) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    assert regex.search(matching)
    assert _possible(regex, matching)
    if not regex.search(other):
        assert not _possible(regex, other)


def test_every_catalog_pattern_skeleton_passes_on_its_labelled_matches() -> None:
    ctx = engine_for(("MT701",)).context
    index = ff.catalog_index(ctx)
    checked = 0
    for text in _texts():
        for entry, needs in zip(index.entries, index.needs, strict=True):
            if not entry.regex.search(text) or not needs:
                continue
            skeleton = index.skeletons[needs[0]]
            folded = _folded(text)
            spans = ff._occurrences(folded, skeleton)
            assert skeleton.possible(folded, folded[::-1], spans), entry.row.where
            checked += 1
    assert checked > 40


def test_patterns_without_a_long_run_have_no_skeleton() -> None:
    assert _skeleton(re.compile(r"(a|b)\1", re.IGNORECASE)) is None
    assert _skeleton(re.compile(r"\w+\s+by\s+\w+", re.IGNORECASE)) is None  # run too short


def _row(wrong: str, keyword: str = "", context: str = "") -> Row:
    values = {
        "source": "x",
        "wrong": wrong,
        "suggestion": "y",
        "keyword": keyword,
        "context": context,
        "lang": "xx",
    }
    return Row(path="false_friends/xx.tsv", line=2, values=values)


def test_a_custom_catalog_has_its_own_index() -> None:
    """Rows without keywords, with back-references (no skeleton) or a context
    are tried exactly when their pattern can match."""
    classes = {"W": WordClass(("[\\w'’-]+",))}
    entries = [
        compile_row(_row("<adjust/v> the dispute"), classes),
        compile_row(_row(r"(\w+) and \1 again", keyword="again"), classes),
        compile_row(_row("sensible data", context=r"\bprivacy\b"), classes),
    ]
    index = build_index(entries)
    text = "They Adjusted  the dispute; more and more again."
    assert index.candidates(text, text.lower(), None) == [0, 1]
    text = "Sensible data, said the privacy office."
    assert index.candidates(text, text.lower(), None) == [2]
    text = "Sensible data, said the office."
    assert index.candidates(text, text.lower(), None) == []
