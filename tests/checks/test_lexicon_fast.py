"""The per-token verdict caches and the document prefilters of the lexical checks
(MT50x, MT72x): a prefilter says "nothing here" only when the full analysis finds
nothing, and caches kept per glossary give each glossary its own answers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mtaudit.checks import nonwords, untranslated
from mtaudit.document import Document
from tests.helpers import engine_for, spans

_FIXTURES = Path(__file__).parents[1] / "fixtures"
_SAMPLE = (
    "the minister said that nous sommes prêts à négocier avec le gouvernement und die "
    "Regierung hat es abgelehnt fracaso foudn anounced witnss Scholz Habeck Poznań "
    "de la Cruz von der Leyen per se ad hoc e-mail don't Russia's anti-government "
    "https://www.gouvernement.fr/reforme ¿Qué pasa? komisarz sieben Jahre «à bientôt» "
    '"nous sommes prêts" *le projet* Istanbul Met met la dpa Casuing casuing '
    'kur şoku "kur şoku" Sylwester Fatih digna Tusk: São Paulo «Vive la France» '
    "“la dolce vita”, “la vie en rose” and „nous sommes prêts“ Путин 受影响 α"
)
_WORDS = _SAMPLE.split(" ")


def _texts() -> list[str]:
    rng = random.Random(5)
    out = []
    for _ in range(400):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 30))]
        text = ""
        for w in words:
            text += w + rng.choice([" ", " ", " ", ". ", ", ", ".\n", " - "])
            if rng.random() < 0.1:
                text += w.capitalize() + " "
        out.append(text)
    for name in ("untranslated/cases.jsonl",):
        for line in (_FIXTURES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


def _ctx():  # type: ignore[no-untyped-def]
    return engine_for(("MT5", "MT72")).context


def test_token_starts_are_the_tokens() -> None:
    for text in _texts():
        doc = Document(id="t", text=text)
        for word in {t.text for t in doc.tokens}:
            expected = [t.start for t in doc.tokens if t.text == word]
            assert nonwords.token_starts(text, word) == expected, (text, word)


def test_token_starts_on_random_strings() -> None:
    rng = random.Random(3)
    alphabet = ["a", "b", "ab", "-", "'", "’", " ", " ", "é", "1", "_", "."]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        doc = Document(id="t", text=text)
        for word in {t.text for t in doc.tokens} | {"a", "ab", "a-b"}:
            expected = [t.start for t in doc.tokens if t.text == word]
            assert nonwords.token_starts(text, word) == expected, (text, word)


def test_token_texts_are_the_tokens() -> None:
    for text in _texts():
        doc = Document(id="t", text=text)
        assert nonwords.token_texts(doc) == {t.text for t in doc.tokens}


def test_untranslated_prefilter_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the prefilter replaced by "every token may be foreign", the analysis
    finds the same fragments; where the prefilter says no, it finds none."""
    ctx = _ctx()
    texts = _texts()
    fast = [untranslated.analyze(Document(id="t", text=t), ctx) for t in texts]
    assert any(fast)
    monkeypatch.setattr(
        untranslated,
        "foreign_positions",
        lambda doc, ctx: [t.start for t in doc.tokens],
    )
    slow = [untranslated.analyze(Document(id="t", text=t), ctx) for t in texts]
    assert fast == slow


def test_nonword_prefilter_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _ctx()
    texts = _texts()
    fast = [nonwords.analyze(Document(id="t", text=t), ctx) for t in texts]
    assert any(fast)
    monkeypatch.setattr(nonwords, "suspects", lambda doc, ctx: nonwords.token_texts(doc))
    slow = [nonwords.analyze(Document(id="t", text=t), ctx) for t in texts]
    assert fast == slow


def test_verdict_caches_are_per_glossary(tmp_path: Path) -> None:
    """A word the default run flags is allowed by a custom glossary, and the
    default run, asked again afterwards, still flags it."""
    allowed = tmp_path / "allowed.tsv"
    allowed.write_text("word\ttype\tnote\nfracaso\tloanword\t\nwitnss\tloanword\t\n", "utf-8")
    text = "The talks ended in fracaso. A witnss spoke."
    assert spans(text, "MT502") == ["fracaso"]
    assert spans(text, "MT72") == ["fracaso", "witnss"]
    assert spans(text, "MT502", glossaries=(str(allowed),)) == []
    assert spans(text, "MT72", glossaries=(str(allowed),)) == []
    assert spans(text, "MT502") == ["fracaso"]
    assert spans(text, "MT72") == ["fracaso", "witnss"]


def test_verdict_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(untranslated, "CACHE_MAX", 5)
    monkeypatch.setattr(nonwords, "CACHE_MAX", 5)
    ctx = _ctx()
    allowed = nonwords.allowed_words(ctx)
    untranslated._verdicts(ctx).entries.clear()
    untranslated._verdicts(ctx).never_foreign.clear()
    nonwords._verdict_cache(allowed).clear()
    nonwords._clean_tokens(allowed).clear()
    for text in _texts()[:50]:
        doc = Document(id="t", text=text)
        untranslated.analyze(doc, ctx)
        nonwords.analyze(doc, ctx)
        list(untranslated.foreign_script(doc, ctx))
    assert len(untranslated._verdicts(ctx).entries) <= 5
    assert len(untranslated._verdicts(ctx).never_foreign) <= 5
    assert len(nonwords._verdict_cache(allowed)) <= 5
    assert len(nonwords._clean_tokens(allowed)) <= 5
    table = nonwords.chunk_table(ctx)
    assert len(table.clean) <= 5
    assert len(table.chunks) <= 5


def _reference_protected(doc: Document, allowed: nonwords.AllowedWords) -> list[tuple[int, int]]:
    """Protected spans as first written: the full phrase pattern at every token."""
    out = nonwords.links(doc.text)
    if allowed.phrases is not None:
        for tok in doc.tokens:
            if tok.text.lower() in allowed.first_words:
                m = allowed.phrases.match(doc.text, tok.start)
                if m:
                    out.append((m.start(), m.end()))
    return sorted(out)


def test_protected_spans_match_reference() -> None:
    ctx = _ctx()
    allowed = nonwords.allowed_words(ctx)
    phrases = [
        row["word"]
        for row in ctx.glossaries.rows("allowed")
        if row["type"].strip().lower() not in ("prefix", "suffix")
    ]
    rng = random.Random(11)
    texts = _texts()
    for _ in range(500):
        parts = []
        for _ in range(rng.randint(1, 8)):
            p = rng.choice(phrases)
            p = rng.choice(
                [p, p.upper(), p.capitalize(), p.replace(" ", "  "), p.replace("'", "’")]
            )
            parts.append(p + rng.choice([" ", ", ", "-x ", ". ", "s "]))
        texts.append(rng.choice(["", "See ", "a "]) + "".join(parts))
    found = 0
    for text in texts:
        doc = Document(id="t", text=text)
        expected = _reference_protected(doc, allowed)
        assert nonwords.protected_spans(doc, ctx).spans == expected, text
        found += len(expected)
    assert found > 500


def test_quote_marks_keep_every_quotation() -> None:
    """The quote-mark search skips only marks where no quotation can start."""
    rng = random.Random(2)
    alphabet = ["a", "B", " ", '"', "“", "”", "«", "»", "„", "‘", "’", "'", "\n", "x y"]
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        starts = {m.start() for m in untranslated._QUOTE_MARK.finditer(text)}
        for i in range(len(text)):
            if untranslated._QUOTED.match(text, i):
                assert i in starts, (text, i)


def test_chunks_hold_the_tokens() -> None:
    """Tokenizing each whitespace-separated chunk on its own finds the tokens."""
    rng = random.Random(7)
    alphabet = [
        "a",
        "b",
        "ab",
        "-",
        "'",
        "’",
        " ",
        "\n",
        "\t",
        "é",
        "1",
        "_",
        ".",
        "\u00a0",
        "\u2003",
    ]
    texts = _texts() + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(2000)
    ]
    for text in texts:
        doc = Document(id="t", text=text)
        from_chunks = {t for c in nonwords.text_chunks(doc) for t in nonwords._TOKEN.findall(c)}
        assert from_chunks == {t.text for t in doc.tokens}, text


def test_chunk_table_items_per_test() -> None:
    """Each registered test sees every chunk, also after another test joins."""
    table = nonwords.ChunkTable()
    texts = _texts()[:100]

    def upper(chunk: str, tokens: list[str]) -> tuple[str, ...]:
        return tuple(t for t in tokens if t[:1].isupper())

    def digits(chunk: str, tokens: list[str]) -> tuple[str, ...]:
        return tuple(t for t in tokens if any(c.isdigit() for c in t))

    for key, test in (("upper", upper), ("digits", digits)):
        table.register(key, test)
        for text in texts + [t + " 12 x3" for t in texts]:
            doc = Document(id="t", text=text)
            for k, tst in table.tests.items():
                expected = {t for c in text.split() for t in tst(c, nonwords._TOKEN.findall(c))}
                assert table.items(doc, k) == expected, (k, text)


def _reference_exempt(text: str) -> list[tuple[int, int]]:
    """Exempt spans as first written: one eager scan of every quotation."""
    U = untranslated
    out: list[tuple[int, int]] = []
    if "*" in text or "_" in text or "<" in text:
        out.extend((m.start(), m.end()) for m in U._ITALIC.finditer(text))
    last_end = 0
    last_exempt = -1
    for q in U._QUOTE_MARK.finditer(text):
        m = U._QUOTED.match(text, q.start()) if q.start() >= last_end else None
        if m is None:
            continue
        last_end = m.end()
        inner = next(g for g in m.groups() if g is not None)
        words = U._WORDS.findall(inner)
        before = text[max(0, m.start() - 40) : m.start()]
        if (
            len(words) <= 3
            or (len(words) <= 12 and sum(w[:1].isupper() for w in words) >= 0.6 * len(words))
            or U._CUE_BEFORE.search(before)
            or (last_exempt >= 0 and U._LIST_JOIN.fullmatch(text, last_exempt, m.start()))
            or U._glossed(text, m.end())
        ):
            out.append((m.start(), m.end()))
            last_exempt = m.end()
    return sorted(out)


def test_lazy_exempt_spans_match_reference() -> None:
    rng = random.Random(9)
    pieces = [
        "“nous sommes prêts à négocier avec le gouvernement”",
        "“la dolce vita”",
        '"a long quoted sentence with many plain words in it"',
        "«à bientôt»",
        "„Wir schaffen das“",
        "'single quoted words here now'",
        "called",
        "meaning",
        "(we are ready)",
        ", ",
        " and ",
        " or ",
        "; ",
        "\n",
        " ",
        " ",
        "The minister said",
        "*le projet*",
        "_vite_",
        "<i>sic</i>",
        "Le Monde",
        "which means “we are ready”",
    ]
    texts = _texts()
    for _ in range(1500):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
    # without guillemets, quotations are scanned line by line
    lines = [p for p in pieces if "«" not in p] + ["\n\n", ",\n", " and\n", "\n, ", "x\n"]
    for _ in range(2500):
        texts.append("".join(rng.choice(lines) for _ in range(rng.randint(1, 14))))
    for text in texts:
        expected = _reference_exempt(text)
        lazy = untranslated.ExemptSpans(text)
        reference = nonwords.Spans(expected)
        # ask position by position first (lazy decisions), then for everything
        for pos in rng.sample(range(len(text)), min(len(text), 12)) if text else []:
            end = min(len(text), pos + rng.randint(1, 6))
            assert lazy.point(pos) == reference.point(pos), (text, pos)
            assert lazy.covers(pos, end) == reference.covers(pos, end), (text, pos, end)
        assert lazy.spans == expected, text


def test_opening_tokens_hold_every_sentence_start() -> None:
    rng = random.Random(4)
    alphabet = [
        "Ab",
        "c",
        " ",
        "  ",
        ".",
        "!",
        ":",
        ";",
        "\n",
        '"',
        "”",
        "’",
        "(",
        "“",
        "—",
        "-",
        "…",
        "'",
        "x’y",
    ]
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        doc = Document(id="t", text=text)
        opening = untranslated._opening_tokens(text)
        for tok in doc.tokens:
            if nonwords.at_sentence_start(text, tok.start):
                assert tok.text in opening, (text, tok)


def test_script_prefilter_is_exact() -> None:
    """No letter of another script is whitespace, so the chunk test sees all."""
    chars = [
        chr(c)
        for c in range(0x110000)
        if untranslated._SCRIPT_CHAR.match(chr(c)) and chr(c).isspace()
    ]
    assert chars == []
    ctx = _ctx()
    table = nonwords.chunk_table(ctx)
    table.register(untranslated._SCRIPT_KEY, untranslated._script_test)
    for text in [*_texts(), "x Путин y", "受影响", "a\u3000受", "a\ufeff b", "plain text"]:
        doc = Document(id="t", text=text)
        has_script = bool(untranslated._FOREIGN_SCRIPT.search(text))
        assert bool(table.items(doc, untranslated._SCRIPT_KEY)) == has_script, text
