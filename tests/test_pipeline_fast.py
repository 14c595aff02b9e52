"""The per-document pipeline's fast paths (sentence boundaries, the abbreviation
cache, memo, suppression and report-row shortcuts) give what the plain code gives."""

from __future__ import annotations

import json
import random

from mtaudit import document
from mtaudit.batch import _NO_COUNTS, _report_row
from mtaudit.document import Document, split_sentences
from mtaudit.engine import Engine, suppressions
from mtaudit.finding import CATEGORIES
from mtaudit.scoring import penalty, score
from tests.test_document_fast import ref_sentences


def _dotty_texts(n: int, seed: int) -> list[str]:
    """Texts dense in what the boundary and abbreviation logic looks at."""
    rng = random.Random(seed)
    alphabet = [
        *"aZ0._ \n\t\u00a0“”\"'?!…",
        "Mr.",
        "mr",
        "U.S",
        "u.s.",
        "Inc.",
        "J.",
        "İ.",
        "\u212a.",
        "abcdefghijk",
        "etc.",
        ". A",
        ".. B",
        "x.y.z",
        " No. 5",
    ]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def test_sentences_match_the_reference_with_a_cold_and_a_warm_cache() -> None:
    texts = _dotty_texts(3000, 11)
    for rounds in range(2):
        document._ABBREVIATED.clear()
        order = texts if rounds == 0 else list(reversed(texts))
        for text in order:
            assert split_sentences(text) == ref_sentences(text), text
            for a in range(0, max(0, len(text) - 9), 3):
                assert split_sentences(text, a, a + 9) == ref_sentences(text, a, a + 9), text
                assert split_sentences(text, a) == ref_sentences(text, a), text


def test_abbreviation_cache_stays_bounded() -> None:
    saved = document._ABBREVIATED_MAX
    document._ABBREVIATED_MAX = 5
    try:
        document._ABBREVIATED.clear()
        for text in _dotty_texts(500, 3):
            assert split_sentences(text) == ref_sentences(text), text
            assert len(document._ABBREVIATED) <= 5
    finally:
        document._ABBREVIATED_MAX = saved


def test_memo_and_properties() -> None:
    doc = Document(id="d", text="One. Two three.\n\nFour")
    calls: list[int] = []

    def compute() -> None:
        calls.append(1)

    assert doc.memo("k", compute) is None
    assert doc.memo("k", compute) is None
    assert calls == [1]  # a None value is cached too
    assert doc.memo("sentences", lambda: split_sentences(doc.text)) is doc.sentences
    assert doc.words == 4 and doc.lower == doc.text.lower()
    assert doc.paragraphs == document.split_paragraphs(doc.text)
    assert doc.tokens == document.iter_words(doc.text)


def test_suppressions_use_the_memoized_lower_text_the_same_way() -> None:
    text = "A sentence , here.\n<!-- MTAudit: ignore MT401 -->\nWord , word."
    plain = Document(id="a", text=text)
    cached = Document(id="b", text=text)
    assert cached.lower
    assert suppressions(plain) == suppressions(cached) != []
    engine = Engine()
    assert [f.to_dict() for f in engine.check(cached).findings] == [
        f.to_dict() for f in engine.check(Document(id="c", text=text)).findings
    ]


def test_report_row_of_a_clean_document_is_the_generic_row() -> None:
    engine = Engine()
    for text in ["A clean sentence.", "A sentence , with a space."]:
        report = engine.check(Document(id="x", text=text))
        row = _report_row(report)
        counts = dict.fromkeys(CATEGORIES, 0)
        for f in report.findings:
            counts[f.category] += 1
        assert row == {
            "id": "x",
            "score": score(penalty(report.findings), report.document.words),
            "penalty": penalty(report.findings),
            "words": report.document.words,
            **counts,
            "findings": json.dumps([f.to_dict() for f in report.findings], ensure_ascii=False),
            "error": None,
        }
        assert type(row["penalty"]) is type(penalty(report.findings))
    assert dict.fromkeys(CATEGORIES, 0) == _NO_COUNTS


def test_directive_prefilter_keeps_every_directive() -> None:
    texts = [
        "Text , here. mtaudit: ignore MT401",
        "Text , here. MTAUDIT:IGNORE-FILE",
        "Text , here. MtAudit:  Ignore mt4",
        "Text , here. mtaudit ignore MT401",  # no colon: not a directive
        "mtaudit: but not ignored",
        "Notes: ignore this. No directive here.",
    ]
    for text in texts:
        doc = Document(id="d", text=text)
        expected = []
        from mtaudit.engine import _INLINE

        if "mtaudit" in text.lower():
            expected = [m.group(0) for m in _INLINE.finditer(text)]
        assert len(suppressions(doc)) == len(expected), text
