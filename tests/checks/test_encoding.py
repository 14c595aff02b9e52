"""MT15x: mojibake and broken characters, never correct accented text."""

from __future__ import annotations

import pytest

from mtaudit.mojibake import find_mojibake, looks_like_mojibake, repair
from tests.helpers import audit, spans


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        ("The cafÃ© was closed.", "cafÃ©", "café"),
        ("He said it wasnâ€™t over.", "wasnâ€™t", "wasn’t"),
        ("President ErdoÄŸan spoke.", "ErdoÄŸan", "Erdoğan"),
        ("Talks in KrakÃ³w resumed.", "KrakÃ³w", "Kraków"),
        ("It cost Â£5 million.", "Â£5", "£5"),
        ("Ã‰tat de droit was cited.", "Ã‰tat", "État"),
    ],
)
def test_mojibake_found_and_repaired(text: str, span: str, suggestion: str) -> None:
    found = audit(text, "MT150")
    assert [f.text for f in found] == [span]
    assert found[0].suggestion == suggestion


def test_mojibake_with_lost_bytes_has_no_suggestion() -> None:
    found = audit("Serbian leader VuÄiÄ‡ said no.", "MT150")
    assert [f.text for f in found] == ["VuÄiÄ‡"]
    assert found[0].suggestion is None


@pytest.mark.parametrize(
    "text",
    [
        "Aleksandar Vučić met Recep Tayyip Erdoğan in Łódź and São Paulo.",
        "Kraków, Zürich, Malmö, Reykjavík, Düsseldorf and Besançon.",
        "A naïve résumé of the coup d’état — “quoted” text… 1,000 € and £5.",
        "ÀÉÎÕÜ are capitals; Ñandú and AÑO are Spanish.",
        "Ελλάδα, Россия, 中国 and العربية are correct scripts.",
    ],
)
def test_correct_text_is_not_mojibake(text: str) -> None:
    assert spans(text, "MT15") == []
    assert not looks_like_mojibake(text)


def test_find_mojibake_spans_are_exact() -> None:
    text = "The cafÃ© in KrakÃ³w."
    assert [(text[s:e], fix) for s, e, fix in find_mojibake(text)] == [
        ("cafÃ©", "café"),
        ("KrakÃ³w", "Kraków"),
    ]
    assert repair("plain") is None


def test_replacement_character_covers_the_word() -> None:
    assert spans("Andrzej Dud\ufffd arrived.", "MT151") == ["Dud\ufffd"]
    assert spans("Andrzej Duda arrived.", "MT151") == []


def test_invisible_characters() -> None:
    assert spans("the\u200b talks\x07 resumed", "MT152") == ["\u200b", "\x07"]
    # A leading BOM, emoji joiners and ordinary whitespace are fine.
    assert spans("\ufeffHello\tworld\n", "MT152") == []
    assert spans("family 👨\u200d👩\u200d👧 photo", "MT152") == []


def test_html_entities() -> None:
    assert spans("a &quot;historic&quot; day for AT&amp;T", "MT153") == [
        "&quot;",
        "&quot;",
        "&amp;",
    ]
    assert spans("R&D and AT&T; Q&A &nonsense; fish & chips", "MT153") == []


def test_garbled_word_is_one_finding() -> None:
    # The fragment after the mojibake reads as a French word; it is not reported
    # again as untranslated text or as a non-word.
    found = audit('"We will not let go," said the leader on the Place de la RÃ©publique.')
    assert [(f.code, f.text) for f in found if f.start >= 50] == [("MT150", "RÃ©publique")]


def test_invisible_prefilter_is_exact() -> None:
    """Every character the invisible-character rule reports is unprintable, so a
    printable text (newlines aside) can be skipped."""
    import sys

    from mtaudit.checks.encoding import _INVISIBLE

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if _INVISIBLE.fullmatch(ch):
            assert not ch.isprintable(), hex(code)


def _reference_mojibake(text: str) -> list[tuple[int, int, str | None]]:
    """find_mojibake as first written: every whitespace-delimited token tested."""
    from mtaudit import mojibake as M

    runs: list[list[int]] = []
    for m in M._TOKEN.finditer(text):
        if not M.looks_like_mojibake(m.group()):
            continue
        start, end = m.start(), m.end()
        while start < end and text[start] in M._EDGE:
            start += 1
        while end > start and text[end - 1] in M._EDGE:
            end -= 1
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(s, e, M.repair(text[s:e])) for s, e in runs]


def test_mojibake_search_matches_reference() -> None:
    import random

    from mtaudit.mojibake import find_mojibake

    rng = random.Random(1)
    alphabet = ["Ã", "©", "â", "€", "™", "Ä", "‡", "Â", "\u00a0", "\u0085", " ", "a", "é", ".",
                "(", "\n", "Ô", "…", "\u0081", "’"]  # fmt: skip
    found = 0
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        expected = _reference_mojibake(text)
        assert list(find_mojibake(text)) == expected, repr(text)
        found += len(expected)
    assert found > 1000
