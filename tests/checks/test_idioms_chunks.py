"""MT201's document-level candidates from the lexical chunk table.

``Prefilter.doc_candidates`` asks the chunk table (one answer per whitespace-
separated chunk, remembered across documents) which head tokens and anchor
tokens a document holds. It may only drop patterns that cannot match: every
pattern the reference algorithm finds must be among them; and they are what the
same test gives on the whole document (the chunks' words are the word text's
words, their tokens the document's tokens).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from mtaudit.checks import idioms, nonwords
from mtaudit.checks.idioms import build_catalog
from mtaudit.document import Document
from mtaudit.glossary import Row
from tests.helpers import engine_for

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "fixtures" / "idioms" / "labelled.jsonl"


def _labelled() -> list[str]:
    return [json.loads(line)["text"] for line in LABELLED.read_text().splitlines() if line]


def _row(literal: str, suggestion: str, lang: str = "xx") -> Row:
    values = {"source": "src", "literal": literal, "suggestion": suggestion, "lang": lang}
    return Row(path=f"idioms/{lang}.tsv", line=3, values=values)


def _found_pids(doc: Document, ctx: object) -> set[int]:
    """Flat ids of the patterns the reference algorithm finds in ``doc``."""
    cat = idioms.catalog(ctx)  # type: ignore[arg-type]
    pf = cat.prefilter
    by_pattern = {pair: pid for pid, pair in enumerate(pf.flat)}
    found = set()
    for m in idioms._pattern_matches_by_tokens(doc, ctx):  # type: ignore[arg-type]
        entry = cat.entries[m.entry]
        for p_index, pattern in enumerate(entry.patterns):
            if pattern.regex.fullmatch(doc.text, m.start, m.end):
                found.add(by_pattern[(m.entry, p_index)])
    return found


def _whole_document(pf: idioms.Prefilter, doc: Document) -> list[int]:
    """``doc_candidates`` computed on the whole text at once."""
    firsts, seconds = pf.head_masks(idioms.word_text(doc.text).split(), pf.chunk_heads)
    assumed_first, assumed_second, assumed_anchor = pf.assumed
    anchored = pf.anchored(t.text for t in doc.tokens) | assumed_anchor
    if not anchored:
        return []
    return pf._select(firsts | assumed_first, seconds | assumed_second, None, anchored)


def test_doc_candidates_hold_every_match() -> None:
    ctx = engine_for(("MT201",)).context
    pf = idioms.catalog(ctx).prefilter
    rnd = random.Random(5)
    texts = _labelled()
    edited = [t.upper() for t in texts[:40]] + [t.replace(" ", "\n") for t in texts[:40]]
    mixed = [" ".join(rnd.sample(texts, 3)) for _ in range(40)]
    seen_match = False
    for text in texts + edited + mixed:
        doc = Document(id="t", text=text)
        got = set(pf.doc_candidates(doc, ctx, None))
        assert got == set(_whole_document(pf, doc)), text
        found = _found_pids(Document(id="r", text=text), ctx)
        seen_match = seen_match or bool(found)
        assert found <= got, (text, found - got)
    assert seen_match


def test_doc_candidates_need_an_anchor_token() -> None:
    """The head tokens' words alone are not enough: an anchor token must be a
    token of the document (here 'frog' only inside 'frog-like' and 'frogs')."""
    cat = build_catalog([_row("eat the frog", "x"), _row("frog and toad", "y")])
    pf = cat.prefilter
    ctx = engine_for(("MT201",)).context
    assert pf.doc_candidates(Document(id="a", text="We eat the frog."), ctx, None) == [0]
    text = "We eat frog-like snacks; frogs and toad."
    anchors = pf.anchors
    assert "frog" in anchors[0]
    assert pf.candidates(idioms.word_text(text), None) == [0, 1]
    got = pf.doc_candidates(Document(id="b", text=text), ctx, None)
    assert set(got) <= {0, 1}
    for pid in {0, 1} - set(got):
        assert not any(t.text.lower() in anchors[pid] for t in Document(id="c", text=text).tokens)


def test_each_catalog_has_its_own_chunk_test() -> None:
    """Two catalogs in one run: each prefilter is its own test in the chunk
    table, so neither sees the other's answers."""
    ctx = engine_for(("MT201",)).context
    one = build_catalog([_row("eat the frog", "x")]).prefilter
    two = build_catalog([_row("feed the crocodile", "y")]).prefilter
    doc = Document(id="a", text="They eat the frog and feed the crocodile.")
    assert one.doc_candidates(doc, ctx, None) == [0]
    assert two.doc_candidates(doc, ctx, None) == [0]
    other = Document(id="b", text="They feed the crocodile.")
    assert one.doc_candidates(other, ctx, None) == []
    assert two.doc_candidates(other, ctx, None) == [0]
    assert two.doc_candidates(other, ctx, "zz") == []


def test_common_words_keep_their_chunks_clean_and_their_patterns_found() -> None:
    """A stopword anchor ('in' of 'in_front_of') or head key is not looked for in
    the chunks (its condition is taken as met), so chunks of such words stay
    clean; the pattern is still found."""
    cat = build_catalog([_row("put the cart in_front_of|before the oxen|ox", "x")])
    pf = cat.prefilter
    assert idioms._common("in") and idioms._common("before")
    assert not idioms._common("oxen")
    assert pf.chunk_test("in", ["in"]) == ()
    assert pf.chunk_test("before", ["before"]) == ()
    assert pf.chunk_test("oxen.", ["oxen"]) != ()
    ctx = engine_for(("MT201",)).context
    text = "Critics said the ministry put the cart in front of the oxen."
    assert pf.doc_candidates(Document(id="a", text=text), ctx, None) == [0]
    # the anchor ("in"/"before") is assumed: the rarer head tokens decide
    assert pf.doc_candidates(Document(id="b", text="Oxen pull a cart."), ctx, None) == [0]
    assert pf.doc_candidates(Document(id="d", text="The oxen grazed."), ctx, None) == []
    assert pf.doc_candidates(Document(id="c", text="Put it in front."), ctx, None) == []


def test_chunk_table_judges_repeated_new_chunks_once() -> None:
    """A new chunk repeated in one document is judged once, and the answers per
    test are those of judging every chunk."""
    table = nonwords.ChunkTable()
    calls: list[str] = []

    def caps(chunk: str, tokens: list[str]) -> tuple[str, ...]:
        calls.append(chunk)
        return tuple(t for t in tokens if t[:1].isupper())

    table.register("caps", caps)
    doc = Document(id="a", text="Zorba met Zorba, and Zorba met the sea. the sea")
    assert table.items(doc, "caps") == {"Zorba"}
    assert sorted(calls) == sorted(set(doc.text.split()))
    assert table.items(Document(id="b", text="the sea and Zorba,"), "caps") == {"Zorba"}
    assert table.items(Document(id="c", text="the sea"), "caps") == frozenset()
