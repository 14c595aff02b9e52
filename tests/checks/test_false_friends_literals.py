"""Start literals of the false-friend patterns (round 4): the pattern is tried only
where one of them occurs, with the same matches as ``finditer``."""

from __future__ import annotations

import random
import re

import pytest

from mtaudit.checks import false_friends as ff
from tests.checks.test_false_friends_prefilter import _EDITS, _texts
from tests.helpers import engine_for


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (
            r"(?<![\w-])(?:(would|could)\s+)eventually|eventually\b",
            ("could", "eventually", "would"),
        ),
        (r"\bsensible\s+data", ("sensible",)),
        (r"(?:actual)+ly", ("actual",)),
        (r"(?=x)?abc", None),  # an optional lookahead: not looked into
        (r"(?:the)?\s+actual", None),  # optional start
        (r"[ab]ctual", None),  # a class
        (r"an?\s+actual", None),  # too short
        (r"édition", None),  # outside ASCII
        (r"(?:abc|\w+)", None),  # one alternative without a literal
        (r"\b", None),  # empty
    ],
)
def test_start_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert ff._start_literals(re.compile(pattern, re.IGNORECASE)) == literals


def _same(regex: re.Pattern[str], starts: tuple[str, ...] | None, text: str) -> int:
    expected = [(m.span(), m.groups()) for m in regex.finditer(text) if m.end() > m.start()]
    got = [(m.span(), m.groups()) for m in ff._find_all(regex, text, ff._folded(text), starts)]
    assert got == expected, (regex.pattern, text)
    return len(got)


def test_find_all_is_finditer_for_every_catalog_pattern() -> None:
    index = ff.catalog_index(engine_for(("MT701",)).context)
    assert sum(s is not None for s in index.starts) > len(index.entries) // 3
    rnd = random.Random(11)
    texts = _texts()
    edited = []
    for _ in range(150):
        text = rnd.choice(texts)
        a = rnd.randrange(len(text) + 1)
        b = min(len(text), a + rnd.randrange(150))
        edited.append(text[:a] + rnd.choice(_EDITS)(text[a:b]) + text[b:])
    found = 0
    seen: set[int] = set()
    for entry, starts in zip(index.entries, index.starts, strict=True):
        if id(entry.regex) in seen:
            continue
        seen.add(id(entry.regex))
        for text in texts + edited:
            found += _same(entry.regex, starts, text)
    assert found > 40


def test_find_all_keeps_finditer_order_and_overlaps() -> None:
    regex = re.compile(r"(?<![\w-])(?:abc\s+abc|abc)", re.IGNORECASE)
    starts = ff._start_literals(regex)
    assert starts == ("abc",)
    for text in ["abc abc abc", "xabc ABC", "abc-abc abcabc", "\u0130abc abc", "ABC\nabc"]:
        _same(regex, starts, text)
