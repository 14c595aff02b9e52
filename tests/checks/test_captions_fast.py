"""The fast paths of the caption checks (MT3xx) give what the plain ones give: the
credit regexes scanned in C, the string test before the name-before-credit
regexes, the analysis without captions, and the captions planned for the model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.checks import captions as cap
from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.glossary import Row

# Credit words, their neighbours, and characters that match Latin letters only
# case-insensitively (Kelvin sign, long s, dotted and dotless i).
PIECES = [
    "Getty",
    "Getty Images",
    "GETTY",
    "getty",
    "AFP",
    "AFP/Getty Images",
    "Reuters",
    "Reuters/Marko Djurica",
    "EPA-EFE",
    "NEPAL",
    "dpa",
    "Photo:",
    "PHOTO:",
    "Image caption",
    "pictured",
    "PICTURED",
    "ſit",
    "\u212aab",
    "İ",
    "ı",
    "(L-R)",
    ", left,",
    "attends",
    "Attends",
    "via",
    "/",
    "Pool",
    "file",
    "-",
    "x",
    "Getty Museum",
    "said",
]
SEPARATORS = [" ", " ", "", "\n", "  ", "-", "/", ". ", ", "]
texts = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), min_size=0, max_size=25
).map(lambda parts: "".join(w + s for w, s in parts))


def _reference_alternation(
    forms: Iterable[str], *, ignore_case: bool = False
) -> re.Pattern[str] | None:
    """The pattern as first written: word-start lookarounds before one trie."""
    unique = {f for f in forms if f}
    if not unique:
        return None
    pattern = (
        r"(?:(?=\w)(?<!\w)|(?!\w))" + "(?:" + cap._trie(unique) + r")(?:(?<=\w)(?!\w|-\w)|(?<!\w))"
    )
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


FORMS = {
    "terms": (
        [
            "Getty",
            "Getty Images",
            "GETTY IMAGES",
            "AFP",
            "AFP/Getty Images",
            "EPA",
            "EPA-EFE",
            "dpa",
            "Reuters",
        ],
        False,
    ),
    "cues": (
        [
            "pictured",
            "attend",
            "attends",
            "(L-R)",
            ", left,",
            "sit",
            "kab",
            "in this photo",
            "is seen",
        ],
        True,
    ),
    "labels": (["Photo:", "Photo by", "©", "Credit…"], False),
}


@settings(max_examples=300, deadline=None)
@given(texts)
def test_alternation_finds_what_the_plain_pattern_finds(text: str) -> None:
    for forms, ignore_case in FORMS.values():
        fast = cap._alternation(forms, ignore_case=ignore_case)
        plain = _reference_alternation(forms, ignore_case=ignore_case)
        assert fast is not None and plain is not None
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for pos in range(len(text)):
            a, b = fast.match(text, pos), plain.match(text, pos)
            assert (a and a.span()) == (b and b.span())


@settings(max_examples=300, deadline=None)
@given(texts)
def test_join_test_before_the_name_regexes(text: str) -> None:
    for before in (text, text + " ", text + " via ", text + "/\n", text + " via\n", text[-80:]):
        if not cap._ends_in_join(before):
            assert cap._QUALIFIER_BEFORE.search(before) is None
            assert cap._NAME_BEFORE_SLASH.search(before) is None
            assert cap._NAME_BEFORE_VIA.search(before) is None


@settings(max_examples=200, deadline=None)
@given(texts)
def test_analysis_without_captions_has_the_sentences(text: str) -> None:
    doc = Document(id="t", text=text)
    a = cap.analyze(doc, Context())
    if a.plain:
        assert not a.captions and not a.caption_of
        assert a.segments == doc.sentences


def test_custom_credit_glossary_is_its_own_lexicon() -> None:
    rows = [
        Row("custom.tsv", 1, {"credit": "Kelvinfoto", "kind": "photo", "variants": ""}),
        Row("custom.tsv", 2, {"credit": "sehen", "kind": "cue", "variants": ""}),
    ]
    lex = cap.build_lexicon(rows)
    assert lex.terms is not None and lex.cues is not None
    assert [m.group() for m in lex.terms.finditer("A Kelvinfoto KELVINFOTO xKelvinfoto")] == [
        "Kelvinfoto",
        "KELVINFOTO",
    ]
    assert [m.group() for m in lex.cues.finditer("SEHEN ſehen xsehen")] == ["SEHEN", "ſehen"]


class FakeEmbedder:
    """Cosine 1 for every pair: the model would vouch for anything it is asked."""

    name = "fake"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> Any:
        self.encoded.extend(texts)
        return np.ones((len(texts), 4)) / 2

    def similarity(self, a: list[str], b: list[str]) -> Any:
        return self.encode(a) @ self.encode(b).T


ECHO = (
    "Police detained dozens of protesters outside parliament on Monday evening. "
    "The crowd later dispersed. "
    "Police detained dozens of protesters outside the parliament on Monday AFP "
    "The government has called for calm. "
    "Lawmakers met on Tuesday to discuss the budget for next year."
)


def test_echo_plan_holds_only_captions_and_sentences_that_can_echo() -> None:
    embedder = FakeEmbedder()
    ctx = Context(embedder=embedder)  # type: ignore[arg-type]
    doc = Document(id="t", text=ECHO)
    a = cap.analyze(doc, ctx)
    assert a.caption_of
    rows, cols = cap._echo_plan(a, ctx)
    assert rows == sorted(a.caption_of)
    texts = [s.text for s in a.segments]
    assert any(texts[j].startswith("Police detained") for j in cols)
    assert not any(texts[j].startswith("Lawmakers") for j in cols)
    found = cap.echoes(a, ctx)
    # The same echoes as with every caption against the whole pool.
    whole = cap.Analysis(a.credits, a.captions, a.segments, a.caption_of)
    pool = sorted(set(whole.scorer().pool()) | set(a.caption_of))
    whole._echo_plan = (sorted(a.caption_of), pool)
    assert cap.echoes(whole, ctx) == found
    cap.prepare_embeddings([Document(id="u", text=ECHO)], ctx)
    assert not any(t.startswith("Lawmakers") for t in embedder.encoded)


def test_chrf_ngram_cache_is_bounded_by_characters() -> None:
    """A long full-mode run must not grow memory: the n-gram cache holds at most
    MAX_CHARS characters of text, and scores do not depend on what it holds."""
    scorer = cap._ChrF()
    a, b = "Police said the fire started overnight.", "Police said a fire began overnight."
    first = scorer.score(a, b)
    for i in range(3 * scorer.MAX_CHARS // 40):
        scorer.ngrams(f"Sentence number {i} about nothing in particular.")
        assert scorer.chars <= scorer.MAX_CHARS
        assert sum(map(len, scorer.cache)) == scorer.chars
    assert scorer.score(a, b) == first
