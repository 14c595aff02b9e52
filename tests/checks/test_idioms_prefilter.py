"""MT201's exact prefilter: it may only skip patterns that cannot match.

``pattern_matches`` (prefilter, then anchors looked up in the sentences that
hold them) must give exactly what the reference algorithm gives (every token of
the document looked up in the anchor index, ``_pattern_matches_by_tokens``).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from mtaudit.checks import idioms
from mtaudit.checks.idioms import Catalog, build_catalog
from mtaudit.document import Document, iter_words, split_sentences
from mtaudit.glossary import Glossaries, Row
from tests.helpers import engine_for

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "fixtures" / "idioms" / "labelled.jsonl"


def _key(matches: list[idioms.Match]) -> list[tuple[object, ...]]:
    return [(m.start, m.end, m.entry, m.suggestions, m.confidence, m.also) for m in matches]


def _same(text: str, lang: str | None = None) -> list[tuple[object, ...]]:
    ctx = engine_for(("MT201",)).context
    fast = idioms.pattern_matches(Document(id="a", text=text, source_lang=lang), ctx)
    slow = idioms._pattern_matches_by_tokens(Document(id="b", text=text, source_lang=lang), ctx)
    assert _key(fast) == _key(slow), text
    return _key(fast)


def _labelled() -> list[str]:
    return [json.loads(line)["text"] for line in LABELLED.read_text().splitlines() if line]


# Edits that move word boundaries, case and sentence ends around a calque.
_EDITS = [
    str.upper,
    str.title,
    lambda s: s.replace(" ", "-"),
    lambda s: s.replace(" ", "\n"),
    lambda s: s.replace(" ", " , "),
    lambda s: s.replace(". ", " "),
    lambda s: s.replace(" the ", " the'"),
    lambda s: s.replace("i", "\u0131"),  # dotless i: IGNORECASE equates it with i
    lambda s: s.replace("s", "\u017f"),  # long s: equated with s
    lambda s: s.replace("I", "\u0130"),  # dotted capital I: lower() adds a character
    lambda s: s.replace("K", "\u212a"),  # Kelvin sign: equated with k
    lambda s: s.replace("a", "á"),
    lambda s: "x" + s,
]


def test_prefilter_agrees_with_the_reference_on_labelled_texts() -> None:
    found = 0
    for text in _labelled():
        for lang in (None, "ru"):
            found += bool(_same(text, lang))
    assert found > 50


def test_prefilter_agrees_with_the_reference_on_edited_texts() -> None:
    rnd = random.Random(7)
    texts = _labelled()
    for _ in range(600):
        text = rnd.choice(texts)
        a = rnd.randrange(len(text) + 1)
        b = min(len(text), a + rnd.randrange(120))
        _same(text[:a] + rnd.choice(_EDITS)(text[a:b]) + text[b:])


@pytest.mark.parametrize(
    "text",
    [
        "Moscow warned that Belgrade cannot keep SITTING ON TWO CHAIRS for ever.",
        "Moscow warned that Belgrade cannot keep sitting-on-two-chairs for ever.",
        "Moscow warned that Belgrade cannot keep sıtting on two chaırs for ever.",
        "Moscow warned that Belgrade cannot keep \u0130t sitting on two chairs.",
        "They keep sitting on two chairs",
        "sitting on two chairs",
        "",
        "   ",
    ],
)
def test_edge_texts(text: str) -> None:
    _same(text)


def test_every_pattern_is_a_candidate_where_it_matches() -> None:
    """The canonical rendering of each pattern, where its regex finds it, passes
    the document-level prefilter."""
    cat = build_catalog(Glossaries().rows("idioms"))
    pf = cat.prefilter
    checked = 0
    for pid, (e_index, p_index) in enumerate(pf.flat):
        pattern = cat.entries[e_index].patterns[p_index]
        for text in (f"They said {pattern.canonical} today.", pattern.canonical.upper()):
            if pattern.regex.search(text):
                words = idioms.word_text(text)
                assert pid in pf.candidates(words, None), pattern.source
                checked += 1
    assert checked > 500


def test_token_at_finds_the_document_tokens() -> None:
    """``_token_at`` names exactly the tokens of ``Document.tokens``, at their starts."""
    for text in [
        *_labelled()[:80],
        "A-b. C'd e\u2019f -g.\n\nH--i (j) k.",
        "x",
        "'a -b c-'d e--f g'",
    ]:
        want = {t.start: t.text.lower() for t in iter_words(text)}
        got = {p: tok for p in range(len(text)) if (tok := idioms._token_at(text, p)) is not None}
        assert got == want


def test_word_text_keeps_offsets() -> None:
    text = "Sıtting ON \u212aNIVES, café\u2019s İt_s 42-x.\n"
    words = idioms.word_text(text)
    assert len(words) == len(text) + 2
    assert words == " sitting on knives  caf  s it_s 42 x   "


def test_fold_covers_ignorecase() -> None:
    """The word text maps every non-ASCII character that re's IGNORECASE equates
    with an ASCII letter or digit (the prefilter's keys) onto that character."""
    chars = "".join(chr(i) for i in range(128, 0x110000) if not 0xD800 <= i < 0xE000)
    for key_char in "abcdefghijklmnopqrstuvwxyz0123456789":
        for c in re.compile(re.escape(key_char), re.IGNORECASE).findall(chars):
            assert idioms.word_text(c) == f" {key_char} ", hex(ord(c))


def _row(literal: str, suggestion: str, lang: str = "xx") -> Row:
    values = {"source": "src", "literal": literal, "suggestion": suggestion, "lang": lang}
    return Row(path=f"idioms/{lang}.tsv", line=3, values=values)


def test_a_custom_catalog_has_its_own_prefilter() -> None:
    """The prefilter belongs to the catalog it was built from: a user catalog
    finds its own patterns, including ones with only short words."""
    custom: Catalog = build_catalog(
        [_row("eat the frog", "do the hardest thing first"), _row("the A and (the) Z", "x")]
    )
    default = build_catalog(Glossaries().rows("idioms"))
    assert custom.prefilter is not default.prefilter
    text = "The mayor decided to eat the frog on Monday, from the a and the z."
    words = idioms.word_text
    assert custom.prefilter.candidates(words(text), None) == [0, 1]
    assert custom.prefilter.candidates(words("Nothing here."), None) == []
    # 'frog' inside another word is not the word 'frog'
    assert custom.prefilter.candidates(words("Frogman eats"), None) == []


def test_model_clauses_skip_only_what_mt202_would_skip() -> None:
    """Clauses overlapping a pattern match are not sent to the model (MT202 skips
    them whatever their similarity); the others are."""
    ctx = engine_for(("MT201",)).context
    text = (
        "Moscow warned that Belgrade cannot keep sitting on two chairs for ever. "
        "The ministry is burning the whole quilt because of one flea."
    )
    doc = Document(id="t", text=text)
    clauses = idioms.candidate_clauses(doc, ctx)
    kept = idioms.model_clauses(doc, ctx)
    known = idioms.pattern_matches(doc, ctx)
    assert known and kept and set(kept) <= set(clauses)
    for clause in clauses:
        if any(k.start < clause.end and clause.start < k.end for k in known):
            assert clause not in kept
    assert any("quilt" in clause.text for clause in kept)


def test_anchor_tokens_inside_a_longer_form_are_found() -> None:
    """An anchor form whose word text spans two words ("well-known") must not hide
    a token of another form that starts inside it ("known")."""
    cat = build_catalog([_row("well-known|known fact (of) life", "x")])
    pf = cat.prefilter
    forms = pf.anchors[0]
    assert {"well-known", "known"} <= forms
    text = "It is a well known fact of life, and a well-known fact of life."
    places = idioms._needle_starts(idioms.word_text(text), pf.anchor_finders[0])
    got = [p for p in places if idioms._token_at(text, p) in forms]
    assert got == [t.start for t in iter_words(text) if t.text.lower() in forms]
    assert got == [text.index("known"), text.index("well-known")]


def test_prefilter_agrees_with_the_reference_on_multi_paragraph_texts() -> None:
    """Several stories in one text: the line and sentence tests and the order of
    the searches (sentence, first anchor token, entry, pattern) as the reference."""
    rnd = random.Random(11)
    texts = _labelled()
    for _ in range(150):
        parts = [rnd.choice(texts) for _ in range(rnd.randrange(2, 6))]
        sep = rnd.choice(["\n\n", "\n", " ", "  \n \n"])
        _same(sep.join(parts), rnd.choice([None, "ru", "de", "fr"]))


def test_candidates_respect_languages_and_keyless_patterns() -> None:
    custom = build_catalog(
        [
            _row("eat the frog", "x", lang="xx"),
            _row("café crème", "y", lang="yy"),  # no ASCII key: always a candidate
            _row("frog and toad", "z", lang="yy|xx"),
        ]
    )
    pf = custom.prefilter
    words = idioms.word_text("They eat the frog and toad.")
    assert pf.candidates(words, None) == [0, 1, 2]
    assert pf.candidates(words, "xx") == [0, 2]
    assert pf.candidates(words, "yy") == [1, 2]
    assert pf.candidates(words, "zz") == []
    assert pf.candidates(idioms.word_text("The toad."), None) == [1]


def test_sentences_are_split_line_by_line() -> None:
    """pattern_matches splits only the lines it needs into sentences: that must give
    the document's sentences inside each line."""
    rnd = random.Random(5)
    texts = _labelled()
    for _ in range(100):
        text = rnd.choice(["\n", "\n\n", " "]).join(rnd.choice(texts) for _ in range(3))
        by_lines = []
        start = 0
        for line in text.split("\n"):
            by_lines.extend(split_sentences(text, start, start + len(line)))
            start += len(line) + 1
        assert by_lines == Document(id="t", text=text).sentences
