"""The polynomial token hashes of the repetition prefilters (round 4): one hash per
core, equal for equal cores, on texts with odd whitespace and punctuation."""

from __future__ import annotations

import pytest

from mtaudit.checks import repetition as rep
from mtaudit.document import Document

TEXTS = [
    "",
    "   ",
    "—",
    "a",
    "The the talks, talks resumed.",
    "a\u00a0the the\x1cx “Hi” — ‘x’ ... u.s. us «a» a",
    "x\ud800 y x\ud800 y",
    "food food food (food) [food] “food”",
    "ΣΟΦΙΑ σοφια ΣΟΦΙΑ",
    "İstanbul istanbul İSTANBUL",
    "of the city of the city of the city\n\nof the city",
    "tab\tsep\x0bvt\x0cff\rcr\u2028ls\u3000ideo\u205fmm end",
    "日本 日本 — … – 日本",
    "a\x01b a\x01b c\x1fd c\x1fd",
    "𝔘 𝔘 word “the” the (the the) the a — — b b",
]


def _key(core: str) -> str:
    for ch in rep._STRIP:
        core = core.replace(ch, "")
    return core


@pytest.mark.parametrize("text", TEXTS)
def test_one_hash_per_core_equal_for_equal_cores(text: str) -> None:
    doc = Document(id="t", text=text)
    hashes = rep._hashes(doc).tolist()
    cores = [t.core for t in rep._tokens(text)]
    assert len(hashes) == len(cores)
    seen: dict[str, int] = {}
    for h, core in zip(hashes, cores, strict=True):
        assert seen.setdefault(_key(core), h) == h


def test_odd_space_chars_are_what_str_split_splits_and_bytes_split_does_not() -> None:
    odd = "".join(
        chr(c) for c in range(0x110000) if chr(c).isspace() and chr(c) not in " \t\n\r\x0b\x0c"
    )
    assert odd == rep._ODD_SPACE_CHARS
    assert all(bytes([b]).split() == [] for b in b" \t\n\r\x0b\x0c")


def test_long_text_falls_back_to_split_hashes() -> None:
    word = "ab" * 10
    text = " ".join([word] * (rep._MAX_VECTOR_BYTES // len(word) + 10))
    doc = Document(id="t", text=text)
    hashes = rep._hashes(doc)
    assert len(hashes) == len(text.split())
    assert len(set(hashes.tolist())) == 1


@pytest.mark.parametrize(
    "text",
    [
        "The minister said the the talks would resume.",
        "Inspectors found traces in the pet food food food food.",
        "He said “the” the plan was fine.",
        "Prices rose\u00a0rose sharply.",
    ],
)
def test_prefilters_keep_the_findings(text: str) -> None:
    doc = Document(id="t", text=text)
    pairs = rep._doubles_by_tokens(Document(id="u", text=text))
    assert [(a.start, b.start) for a, b in rep._doubles(doc)] == [
        (a.start, b.start) for a, b in pairs
    ]
    starts = rep._loop_starts([t.core for t in rep._tokens(text)], 12)
    assert set(starts) <= set(rep._loop_candidates(doc, 12))


@pytest.mark.parametrize("text", TEXTS)
def test_kept_spans_are_the_kept_tokens(text: str) -> None:
    doc = Document(id="t", text=text)
    spans = rep._kept_spans(doc)
    toks = rep._tokens(text)
    if spans is None:  # the slow path: odd characters or lower-casing by context
        assert rep._ODD_CHARS.search(text) or "\u03a3" in text or len(text.lower()) != len(text)
        return
    assert list(zip(*spans, strict=True)) == [(t.start, t.end) for t in toks]


@pytest.mark.parametrize(
    "text",
    [
        "the number of cards was higher than the number of voters",
        "did not comment on the statement the kremlin did not comment on the statement",
        "of the city of the city of the city",
        "food food food",
        "a b a b a b",
        "a b a b",
    ],
)
def test_may_loop_is_false_only_without_a_loop_by_count(text: str) -> None:
    doc = Document(id="t", text=text)
    starts = rep._loop_candidates(doc, 12)
    cores = rep._cores(doc)
    by_count = any(
        (k >= 3 or (k >= 2 and n >= 3))
        for i in starts
        for n in range(1, 13)
        for k in [
            max(
                (
                    k
                    for k in range(1, len(cores) // n + 1)
                    if i + k * n <= len(cores)
                    and all(
                        cores[i + j * n : i + (j + 1) * n] == cores[i : i + n] for j in range(k)
                    )
                ),
                default=0,
            )
        ]
    )
    assert rep._may_loop(doc, starts, 12) == by_count if starts else not by_count


@pytest.mark.parametrize("text", TEXTS)
def test_doubles_as_the_token_scan_finds_them(text: str) -> None:
    found = [(a.start, b.start) for a, b in rep._doubles(Document(id="t", text=text))]
    scan = [(a.start, b.start) for a, b in rep._doubles_by_tokens(Document(id="u", text=text))]
    assert found == scan


@pytest.mark.parametrize("ch", [*rep._ODD_SPACE_CHARS, "\x00", "\x08", "\x0e", "\x1b"])
def test_odd_characters_are_found_from_the_bytes(ch: str) -> None:
    text = f"the “quote” a{ch}b • café"
    doc = Document(id="t", text=text)
    assert rep._odd(doc, text.lower().encode("utf-8")) is True
    clean = Document(id="u", text="the “quote” ab • café\t\n")
    assert rep._odd(clean, clean.text.lower().encode("utf-8")) is False


_PARAGRAPHS = [
    "Rescue teams reached the village on Tuesday after the road was cleared by the army.",
    "Rescue teams reached the village on Tuesday after the road had been cleared by troops.",
    "Officials said more aid would follow on Wednesday, with food and water for the families.",
    "The army sent two helicopters to the valley, where several hundred people were stranded.",
    "",
]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("floor", [70.0, 50.0])
def test_few_pairs_are_the_scorer_pairs(seed: int, floor: float) -> None:
    import random

    from mtaudit.checks.captions import PairScorer

    rnd = random.Random(seed)
    texts = [rnd.choice(_PARAGRAPHS) for _ in range(rnd.randint(1, 8))]
    texts = [t.replace("the", "a") if rnd.random() < 0.3 else t for t in texts]
    assert rep._few_pairs(PairScorer(texts), floor) == PairScorer(texts).pairs(floor)
