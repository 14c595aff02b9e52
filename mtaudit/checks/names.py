"""Garbled proper names (MT1xx): letters lost, diacritics stripped, capitals in
running text, mojibake, and one entity spelled several ways in one document.

Names come from the entity glossaries (``glossaries/entities/``, plus ``-g``
files) and from the document itself: the analysis runs once per document
(``doc.memo``) and every MT1xx rule reports its share of it. Glossary evidence
wins over document evidence, and a span gets at most one name finding.

Most documents have nothing to report: ``_quiet`` proves that from the distinct
words (C-level set tests against per-word and per-glossary facts), the multi-word
glossary matches and the datelines, before any token stream is built.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit, Severity
from mtaudit.names_index import (
    TOKEN,
    Form,
    Match,
    NameIndex,
    TokenStream,
    build_index,
    chunk_tokens,
    delete_non_ascii_letters,
    entities_from_rows,
    find_matches,
    fold,
    fold_phrase,
    has_non_ascii_letters,
    is_common_word,
    loose_multi_keys,
    piece,
    strip_marks,
    token_stream,
    token_words,
    zipf,
)
from mtaudit.registry import register

# Where a URL, an e-mail address, a handle or a domain name may be: cheap to find,
# then checked on the whole whitespace-delimited chunk.
_URL_HINT = re.compile(r"://|@|\bwww\.|\w\.[a-z]{2,}\b", re.IGNORECASE)
_URLISH = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|@\w+"
    r"|[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|int|info|io|co|uk|de|fr|rs|hr|pl|cz|ru|ro|hu|tr|br|es|it|pt|vn)(?:/\S*)?",
    re.IGNORECASE,
)
# "BELGRADE (Reuters) -", "PARIS, May 3 (AFP) -", "NOVI SAD, Serbia —": at the
# start of a line. ``_DATELINE`` is the MULTILINE pattern; ``_datelines`` runs it
# as ``_DATELINE_FIRST`` at offset 0 plus ``_DATELINE_NEXT`` after each "\n": the
# literal "\n" lets ``re`` jump between line starts in C instead of trying the
# pattern at every offset, and since no match spans a "\n" the matches are the same.
_DATELINE_BODY = (
    r"[ \t]*([A-ZÀ-ÖØ-ÞĀ-Ž][A-ZÀ-ÖØ-ÞĀ-Ž.'’ -]*[A-ZÀ-ÖØ-ÞĀ-Ž.])"
    r"(?:,[^\n()–—]{0,40}?)?[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?[-–—:]"
)
_DATELINE = re.compile("^" + _DATELINE_BODY, re.MULTILINE)
_DATELINE_FIRST = re.compile(_DATELINE_BODY)
_DATELINE_NEXT = re.compile("\n" + _DATELINE_BODY)
_POSSESSIVE = re.compile(r"['’]s\b|(?<=[sS])['’](?!\w)")


@dataclass(frozen=True)
class NameHit:
    code: str
    start: int
    end: int
    message: str
    suggestion: str | None
    confidence: float
    severity: Severity | None = None


# --------------------------------------------------------------------------- index


def _index(ctx: Context) -> NameIndex:
    glossaries = ctx.glossaries
    return glossaries.compiled(
        "names:index", lambda: build_index(entities_from_rows(glossaries.rows("entities")))
    )


def _credits(ctx: Context) -> frozenset[str]:
    """Folded names of agencies and photo credits ("REUTERS/..." is a credit)."""
    glossaries = ctx.glossaries

    def build() -> frozenset[str]:
        try:
            rows = glossaries.rows("credits")
        except KeyError:
            return frozenset()
        out = set()
        for row in rows:
            for name in (row["credit"], *row.split("variants")):
                out.add(fold_phrase(name))
        return frozenset(out)

    return glossaries.compiled("names:credits", build)


# --------------------------------------------------------------------------- context


# Every ``_URL_HINT`` match contains "://", "@", "www." or a dot followed by two
# letters of ``[a-z]`` under IGNORECASE, which also matches "İ", "ı", "ſ" and the
# Kelvin sign. A text with none of them has no zones. Written case-sensitively
# and starting with the literal dot, so that ``re`` scans for it in C.
_URL_MAYBE = re.compile(r"\.(?:(?<=[wW]{3}\.)|[a-zA-Z\u0130\u0131\u017f\u212a]{2})")


def _zones(text: str) -> list[tuple[int, int]]:
    """URLs, e-mail addresses, handles and domain names: never names to check."""
    out: list[tuple[int, int]] = []
    if "@" not in text and "://" not in text and not _URL_MAYBE.search(text):
        return out
    for hint in _URL_HINT.finditer(text):
        if out and hint.start() < out[-1][1]:
            continue
        start = max(text.rfind(c, 0, hint.start()) for c in ' \t\n(<"“') + 1
        ends = [i for i in (text.find(c, hint.end()) for c in ' \t\n)>"”') if i >= 0]
        end = min(ends) if ends else len(text)
        for m in _URLISH.finditer(text, start, end):
            out.append(m.span())
    return out


_LAST_DATELINES: list[object] = [None, []]  # the last text and its datelines


def _datelines(text: str) -> list[tuple[int, int]]:
    """The spans of the dateline places (``_DATELINE`` group 1), in order; the last
    text's answer is kept (``_quiet`` and :func:`analyze` both ask). Not to be
    mutated by callers."""
    last = _LAST_DATELINES
    if last[0] is text:
        return last[1]  # type: ignore[return-value]
    first = _DATELINE_FIRST.match(text)
    out = [first.span(1)] if first else []
    if "\n" in text:
        out.extend(m.span(1) for m in _DATELINE_NEXT.finditer(text))
    last[0], last[1] = text, out
    return out


class SpanSet:
    """Spans answering "does anything overlap [start, end)?" in O(log n)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts: list[int] = [s for s, _ in ordered]
        # running maximum of the ends (offsets are never negative)
        self.max_end: list[int] = list(itertools.accumulate((e for _, e in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans that start before `end`
        return i > 0 and self.max_end[i - 1] > start


def _inside(spans: SpanSet, start: int, end: int) -> bool:
    return spans.overlaps(start, end)


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _is_headline(text: str, start: int, end: int) -> bool:
    """The span sits on a line (or in a run of words) written in capitals."""
    ls, le = _line_bounds(text, start)
    letters = "".join(filter(str.isalpha, text[ls:le]))  # C-level passes over the line
    if len(letters) >= 8 and sum(map(str.isupper, letters)) / len(letters) >= 0.7:
        return True
    # three or more capitalized words in a row around the span: a caps run
    before = text[max(ls, start - 60) : start].split()[-2:]
    after = text[end : min(le, end + 60)].split()[:2]
    caps = [w for w in (*before, *after) if sum(map(str.isalpha, w)) >= 2 and w.isupper()]
    return len(caps) >= 2


def _in_compound(text: str, start: int, end: int) -> bool:
    """Part of a hyphenated compound name ("Sanchez-Rivera"), not a name alone."""
    if end + 1 < len(text) and text[end] in "-‐" and text[end + 1].isupper():
        return True
    if start >= 2 and text[start - 1] in "-‐" and text[start - 2].isalpha():
        k = start - 2
        while k > 0 and text[k - 1].isalpha():
            k -= 1
        return text[k].isupper()
    return False


def _credit_or_abbreviation(text: str, start: int, end: int) -> bool:
    """Capitals that are right: a photo credit ("REUTERS/Name", "Jaafar ASHTIYEH /
    AFP") or an abbreviation given in brackets ("Kospi Index (KOSPI)")."""
    after = text[end : end + 3].lstrip(" ")
    if after.startswith("/"):
        return True
    return text[start - 1 : start] == "(" and text[end : end + 1] == ")"


def _lone_name(text: str, start: int, end: int, key: str) -> bool:
    """A one-word mention that can only be this entity: not a name English often
    uses for other people ("Sanchez", "Leon"), not followed by another
    capitalized word ("Leon Panetta") and not after a given name ("Ana Sanchez")."""
    if zipf(key) >= 3.5:
        return False
    m = re.match(r" (\w)", text[end : end + 2])
    if m and m.group(1).isupper():
        return False
    before = re.search(r"(\w+) $", text[max(0, start - 40) : start])
    if before:
        word = before.group(1)
        if word[0].isupper() and not word.isupper() and zipf(word.lower()) < 4.0:
            return False
    return True


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\"“‘'(«":
        j -= 1
    return j < 0 or text[j] in "\n.!?:…"


def _possessive_end(text: str, end: int) -> tuple[int, str]:
    m = _POSSESSIVE.match(text, end)
    return (m.end(), m.group()) if m else (end, "")


def _spelling_hits(
    text: str, spans: list[tuple[int, int]], surface: str, confidence: float
) -> list[NameHit]:
    """MT105 hits for the mentions at ``spans``, spelled elsewhere as ``surface``."""
    out = []
    for start, end in spans:
        end2, poss = _possessive_end(text, end)
        out.append(
            NameHit(
                "MT105",
                start,
                end2,
                f"Inconsistent spelling: {text[start:end]!r}, elsewhere {surface!r}",
                surface + poss,
                confidence,
                Severity.MINOR,
            )
        )
    return out


def _all_caps(s: str) -> bool:
    """Every cased letter is a capital (and there is one)."""
    return s.isupper()


def _caps_pattern_ok(surface: str, target: str) -> bool:
    """The mention is capitalized like a name (or written in capitals)."""
    if _all_caps(surface):
        return True
    s_words = re.findall(r"[^\W\d_]+", surface)
    t_words = re.findall(r"[^\W\d_]+", target)
    if not s_words or not t_words or s_words[0][0].isupper() != t_words[0][0].isupper():
        return False
    if len(s_words) != len(t_words):
        return s_words[-1][0].isupper()
    return all(not t[0].isupper() or s[0].isupper() for s, t in zip(s_words, t_words, strict=True))


def _lost_caps_ok(surface: str, target: str) -> bool:
    """Capitalization of a letters-lost mention: a word may start with a small
    letter only where the target word's (deleted) first letter was non-ASCII."""
    if _all_caps(surface):
        return True
    s_words = re.findall(r"[^\W\d_]+", surface)
    t_words = [w for w in target.split() if delete_non_ascii_letters(w)]
    if not s_words or len(s_words) != len(t_words):
        return bool(s_words) and s_words[-1][0].isupper()
    return all(
        not t[0].isupper() or s[0].isupper() or (not t[0].isascii() and s[0].islower())
        for s, t in zip(s_words, t_words, strict=True)
    )


def _word_in_caps(surface: str, target: str) -> bool:
    """One word of a multi-word name in capitals ("Anne HIDALGO")."""
    s_words = TOKEN.findall(surface)
    t_words = TOKEN.findall(target)
    return len(s_words) == len(t_words) and any(
        len(s) >= 2 and _all_caps(s) and not _all_caps(t)
        for s, t in zip(s_words, t_words, strict=True)
    )


def _over_marked(surface: str, target: str) -> bool:
    """The mention carries marks the glossary form lacks ("İzmir" for "Izmir"): a
    native spelling, not a stripped one."""
    if surface.isascii():
        return False
    if len(surface) != len(target):
        return True
    return any(
        not s.isascii() and s.isalpha() and t.isascii()
        for s, t in zip(surface, target, strict=True)
    )


def _narrow(text: str, ts: TokenStream, m: Match, target: str) -> tuple[int, int, str]:
    """Only the words that differ: "Aleksandar Vui" → "Vui" / "Vučić"."""
    words = [ts.tokens[i] for i in range(m.first, m.last + 1)]
    t_words = [w.span() for w in TOKEN.finditer(target)]
    start, end = words[0][0], words[-1][1]
    if len(words) != len(t_words) or len(words) < 2:
        return start, end, target
    diff = [
        k
        for k, ((s, e), (ts_, te)) in enumerate(zip(words, t_words, strict=True))
        if text[s:e] != target[ts_:te]
    ]
    if not diff:
        return start, end, target
    a, b = diff[0], diff[-1]
    return words[a][0], words[b][1], target[t_words[a][0] : t_words[b][1]]


def _cased(target: str, headline: bool) -> str:
    return target.upper() if headline else target


# --------------------------------------------------------------------------- glossary


class _Mention(NamedTuple):
    match: Match
    start: int
    end: int
    surface: str
    forms: list[Form]


def _glossary_hits(
    doc: Document,
    ctx: Context,
    ts: TokenStream,
    index: NameIndex,
    zone_spans: list[tuple[int, int]],
    dateline_spans: list[tuple[int, int]],
    multi_keys: Iterable[str] | None = None,
) -> tuple[list[NameHit], list[tuple[int, int]], dict[str, str]]:
    """Glossary mentions: the hits, the spans verified as names and the reference
    surnames (folded -> surface) of glossary people spelled right. ``multi_keys``:
    a superset of the multi-word keys in the text, if known (see :func:`find_matches`)."""
    text = doc.text
    zones = SpanSet(zone_spans)
    datelines = SpanSet(dateline_spans)
    ascii_ok = bool(ctx.option("ascii-names", False, code="MT102"))
    credits = _credits(ctx)
    mentions: list[_Mention] = []
    starts, ends, lookup = ts.starts, ts.ends, index.lookup
    for m in find_matches(index, ts, multi_keys):
        start, end = starts[m.first], ends[m.last]
        if zone_spans and _inside(zones, start, end):
            continue
        mentions.append(_Mention(m, start, end, text[start:end], lookup(m.key)))

    # Which entities the document supports: a multi-word mention, or mentions
    # written in two different ways. Only needed once a mention is not verified
    # at once (most documents spell every glossary name right): built then.
    seen: dict[int, set[str]] = defaultdict(set)
    full: set[int] = set()

    def count_support() -> None:
        for men in mentions:
            for form in men.forms:
                seen[form.entity].add(men.match.key)
                if men.match.last > men.match.first and form.kind in ("name", "lost"):
                    full.add(form.entity)

    def supported(entity: int, key: str) -> bool:
        return entity in full or len(seen[entity] - {key}) > 0

    hits: list[NameHit] = []
    verified: list[tuple[int, int]] = []
    counted = False
    accepted = index.accepted
    for men in mentions:
        surface, forms = men.surface, men.forms
        if surface in accepted(men.match.key) or _in_compound(text, men.start, men.end):
            verified.append((men.start, men.end))
            continue
        if ascii_ok and any(
            strip_marks(surface) in {strip_marks(a) for a in f.accepted} for f in forms
        ):
            verified.append((men.start, men.end))
            continue
        if not _caps_fit(index, men.match.key, surface):
            continue  # the loop below would skip every form
        if not counted:
            count_support()
            counted = True
        caps = _all_caps(surface)
        in_dateline = _inside(datelines, men.start, men.end)
        headline = caps and (in_dateline or _is_headline(text, men.start, men.end))
        single = men.match.first == men.match.last
        common = single and zipf(men.match.key) >= 4.0  # "Male", "Split", "Nice"
        short_caps = caps and single and len(surface) <= 4
        ranked = sorted(forms, key=lambda f: not supported(f.entity, men.match.key))
        for form in ranked:
            lost_kind = form.kind in ("lost", "surname-lost")
            if lost_kind and not _lost_caps_ok(surface, form.target):
                continue
            if not lost_kind and not _caps_pattern_ok(surface, form.target):
                continue
            entity = index.entities[form.entity]
            support = supported(form.entity, men.match.key)
            if entity.type == "person":
                n_start, n_end, n_target = _narrow(text, ts, men.match, form.target)
            else:
                n_start, n_end, n_target = men.start, men.end, form.target
            end, poss = _possessive_end(text, n_end)
            suggestion = _cased(n_target, headline) + poss
            whole = f"'{entity.canonical}'"
            if form.kind in ("lost", "surname-lost"):
                # a lone short remnant ("Vui") needs another mention of the entity;
                # a long one that is no English word ("Gdask") stands on its own
                distinctive = (
                    len(men.match.key) >= 5 and zipf(men.match.key) == 0 and surface[0].isupper()
                )
                if (single or short_caps) and not support and not (distinctive and not caps):
                    continue
                if in_dateline and not support:
                    continue
                conf = 0.93 if support else 0.7
                hits.append(
                    NameHit(
                        "MT101",
                        n_start,
                        end,
                        f"Garbled name: {surface!r} looks like {whole} with letters lost",
                        suggestion,
                        conf,
                    )
                )
                verified.append((men.start, men.end))
                break
            # same folded form: diacritics and/or case differ
            marks_differ = strip_marks(surface) != surface or has_non_ascii_letters(form.target)
            same_marks = surface.casefold() == form.target.casefold() or any(
                surface.casefold() == a.casefold() for a in form.accepted
            )
            if not same_marks and marks_differ:
                if _over_marked(surface, form.target):
                    verified.append((men.start, men.end))
                    break
                if ascii_ok or in_dateline or (headline and not support):
                    break  # capitals headlines often drop marks; flag them only
                    # when the document spells the name properly elsewhere
                if common and (not support or _sentence_initial(text, men.start)):
                    break
                if short_caps and not support:
                    break
                if (
                    single
                    and not support
                    and not _lone_name(text, men.start, men.end, men.match.key)
                ):
                    break
                what = "diacritics stripped" if surface.isascii() else "wrong diacritics"
                conf = 0.9 if support else 0.8
                if common or short_caps:
                    conf -= 0.2
                hits.append(
                    NameHit(
                        "MT102",
                        n_start,
                        end,
                        f"Name with {what}: {surface!r} is written {form.target!r}"
                        + (f" ({entity.canonical})" if form.target != entity.canonical else ""),
                        suggestion,
                        conf,
                    )
                )
                verified.append((men.start, men.end))
                break
            mixed = (
                not caps
                and not single
                and _word_in_caps(surface, form.target)
                and not _is_headline(text, men.start, men.end)
            )
            if (caps and not headline) or mixed:
                if short_caps and not support:
                    break
                if common and not support:
                    break  # "READING" may be emphasis of the word
                if any(_all_caps(a) for a in form.accepted):
                    break
                if men.match.key in credits or _credit_or_abbreviation(text, men.start, men.end):
                    break  # a photo credit: "REUTERS/Name"
                hits.append(
                    NameHit(
                        "MT103",
                        n_start,
                        end,
                        f"Name in capitals in running text: {surface!r} should be {form.target!r}",
                        n_target + poss,
                        0.85 if support or not single else 0.75,
                    )
                )
                verified.append((men.start, men.end))
                break
            acronym = next((a for a in form.accepted if _all_caps(a) and len(a) <= 3), None)
            if (
                acronym
                and not caps
                and surface.casefold() == acronym.casefold()
                and not common
                and not _sentence_initial(text, men.start)
            ):
                hits.append(
                    NameHit(
                        "MT103",
                        men.start,
                        men.end,
                        f"Acronym written as a word: {surface!r} should be {acronym!r}",
                        acronym,
                        0.7,
                    )
                )
            verified.append((men.start, men.end))
            break
    hits.extend(_variant_mix(text, ts, mentions, index))
    # surnames of glossary people the document spells correctly; a verified span
    # is a mention: its words are its tokens, their folded forms its key
    reference: dict[str, str] = {}
    if verified:
        by_span = {(men.start, men.end): men for men in mentions}
        for span in verified:
            men = by_span[span]
            last = ts.words[men.match.last]
            if len(last) >= 7 and any(index.entities[f.entity].type == "person" for f in men.forms):
                reference[ts.folded[men.match.last]] = last
    return hits, verified, reference


def _caps_fit(index: NameIndex, key: str, surface: str) -> bool:
    """Some form of ``key`` passes the capitalization test the glossary loop starts
    with (``_lost_caps_ok`` / ``_caps_pattern_ok``); else the mention yields nothing
    ("who" for WHO, "metro"). Depends on the key's forms and the surface only:
    memoized per index, bounded."""
    memo = index.memo
    verdict = memo.get((key, surface))
    if verdict is None:
        verdict = any(
            _lost_caps_ok(surface, f.target)
            if f.kind in ("lost", "surname-lost")
            else _caps_pattern_ok(surface, f.target)
            for f in index.lookup(key)
        )
        if len(memo) >= 100_000:
            memo.clear()
        memo[(key, surface)] = verdict
    return verdict


def _variant_mix(
    text: str, ts: TokenStream, mentions: list[_Mention], index: NameIndex
) -> list[NameHit]:
    """Two accepted spellings of one person's surname in one document ("Zelensky"
    and "Zelenskiy"): the minority form (on a tie, the non-canonical one) is flagged."""
    person, accepted = index.sole_person, index.accepted
    # A mention's folded last token is the last word of its key: without a person
    # whose mentions' keys end in two different words, nothing can be flagged.
    lasts: dict[int, str] = {}
    for key in {men.match.key for men in mentions}:
        entity = person(key)
        if (
            entity >= 0
            and lasts.setdefault(entity, key.rsplit(" ", 1)[-1]) != key.rsplit(" ", 1)[-1]
        ):
            break
    else:
        return []
    from rapidfuzz.distance import Levenshtein

    by_entity: dict[int, list[tuple[str, _Mention]]] = defaultdict(list)
    for men in mentions:
        entity = person(men.match.key)  # "The Venetian Macao" and "Galaxy Macau" are
        if entity < 0 or men.surface not in accepted(men.match.key):  # both right
            continue
        # the last word of the mention is its last token
        by_entity[entity].append((ts.words[men.match.last], men))
    if all(
        len({ts.folded[men.match.last] for _, men in items}) < 2 for items in by_entity.values()
    ):
        return []  # no person written with two surnames (folded last tokens are fold(last))
    out: list[NameHit] = []
    for items in by_entity.values():
        counts = Counter(fold(last) for last, _ in items)
        if len(counts) < 2:
            continue
        order = [fold(last) for last, _ in items]
        canon = fold(TOKEN.findall(index.entities[items[0][1].forms[0].entity].canonical)[-1])
        best = max(counts, key=lambda k: (counts[k], k == canon, -order.index(k)))
        best_text = next(last for last, _ in items if fold(last) == best)
        for last, men in items:
            key = fold(last)
            if key == best or len(key) < 5 or Levenshtein.distance(key, best) > 2:
                continue
            start = men.end - len(last)
            end, poss = _possessive_end(text, men.end)
            out.append(
                NameHit(
                    "MT105",
                    start,
                    end,
                    f"Inconsistent spelling: {last!r}, elsewhere {best_text!r} "
                    f"({index.entities[men.forms[0].entity].canonical})",
                    best_text + poss,
                    0.6,
                    Severity.MINOR,
                )
            )
    return out


# --------------------------------------------------------------------------- document


def _runs(text: str, ts: TokenStream) -> list[tuple[int, int]]:
    """Runs of two or more capitalized words joined by spaces (multi-word names),
    as token index ranges; a leading common word ("The", "In") is dropped."""
    out: list[tuple[int, int]] = []
    starts, ends, words, folded = ts.starts, ts.ends, ts.words, ts.folded
    i, n = 0, len(words)
    while i < n:
        j = i
        while j + 1 < n and words[j + 1][0].isupper() and text[ends[j] : starts[j + 1]] == " ":
            j += 1
        if words[i][0].isupper():
            first = i
            while first < j and zipf(folded[first]) >= 5.0:
                first += 1
            if j > first:
                out.append((first, j))
        i = j + 1
    return out


def _phrase_hits(
    text: str,
    ts: TokenStream,
    zones: SpanSet,
    taken: SpanSet,
    verified: set[tuple[int, int]],
) -> list[NameHit]:
    """A multi-word name written with its diacritics in one place and without
    them in another ("Nguyễn Văn Hùng" / "Nguyen Van Hung")."""
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for a, b in _runs(text, ts):
        start, end = ts.tokens[a][0], ts.tokens[b][1]
        if _inside(zones, start, end) or _inside(taken, start, end) or (start, end) in verified:
            continue
        groups[" ".join(ts.folded[a : b + 1])].append((start, end))
    hits: list[NameHit] = []
    for spans in groups.values():
        forms = Counter(text[s:e] for s, e in spans)
        if len(forms) < 2:
            continue
        best = max(forms, key=lambda f: (sum(1 for c in f if ord(c) > 127), forms[f]))
        if not has_non_ascii_letters(best):
            continue
        for s, e in spans:
            word = text[s:e]
            if word == best or _all_caps(word):
                continue
            end2, poss = _possessive_end(text, e)
            hits.append(
                NameHit(
                    "MT105",
                    s,
                    end2,
                    f"Inconsistent spelling: {word!r}, elsewhere {best!r}",
                    best + poss,
                    0.8,
                )
            )
    return hits


# ----------------------------------------------------------- word facts and plan
#
# Facts about a word that depend on nothing but the word (no glossary, no
# position), learnt once per distinct spelling and kept in module-level sets so
# that a document's words are classified by C-level set intersections. Bounded:
# everything is forgotten when more than _FACTS_LIMIT words have been seen.

_FACTS_LIMIT = 200_000
_SEEN: set[str] = set()
_CAP: set[str] = set()  # first letter a capital: runs and word groups use these
_CAP_MARKED: set[str] = set()  # ... with non-ASCII letters
_CAPS_VOWEL5: set[str] = set()  # in capitals, 5+ letters, a vowel: a `_surname_caps` surname
_FUZZY: set[str] = set()  # capitalized, 3+ letters, a rare folded form of 6+ letters
_LOST_KEY: dict[str, str] = {}  # capitalized marked word -> key of its letters-lost remnant
_BY_PIECE: dict[str, set[str]] = {}  # folded form -> the words seen with it
# The fuzzy keys (folded forms of _FUZZY words) one edit apart, as `_one_edit_pair`
# finds them: every pair is found through a shared "variant" (the key itself or
# the key less one letter), as two words one edit apart always share one.
_PARTNERS: dict[str, set[str]] = {}  # fuzzy key -> the fuzzy keys one edit from it
_VARIANTS: dict[str, list[str]] = {}  # variant -> the fuzzy keys that have it
_VARIANTS_LIMIT = 1_000_000
_NONE: frozenset[str] = frozenset()
# ``piece(word)`` is ``fold_token(word)`` for a token, from a plain-dict cache.


def _one_edit(a: str, b: str) -> bool:
    """The pair test of :func:`_one_edit_pair`."""
    from rapidfuzz.distance import Levenshtein

    if a == b or a[0] != b[0] or abs(len(a) - len(b)) > 1:
        return False
    if a.startswith(b) or b.startswith(a):
        return False
    return Levenshtein.distance(a, b, score_cutoff=1) <= 1


def _add_fuzzy_key(key: str) -> None:
    if key in _PARTNERS:
        return
    partners = _PARTNERS[key] = set()
    candidates: set[str] = set()
    for variant in {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}:
        keys = _VARIANTS.setdefault(variant, [])
        candidates.update(keys)
        keys.append(key)
    for other in candidates:
        if _one_edit(key, other):
            partners.add(other)
            _PARTNERS[other].add(key)


def _learn(words: Iterable[str]) -> None:
    for w in words:
        _SEEN.add(w)
        p = piece(w)
        same = _BY_PIECE.get(p)
        if same is None:
            _BY_PIECE[p] = {w}
        else:
            same.add(w)
        if len(w) >= 5 and _all_caps(w) and any(c in "AEIOUY" for c in strip_marks(w)):
            _CAPS_VOWEL5.add(w)
        if not w[0].isupper():
            continue
        _CAP.add(w)
        key = fold(w) or "#"  # as in the token stream
        if len(w) >= 3 and len(key) >= 6 and not is_common_word(key) and zipf(key) < 2.5:
            _FUZZY.add(w)
            _add_fuzzy_key(key)
        if has_non_ascii_letters(w):
            _CAP_MARKED.add(w)
            lost = fold(delete_non_ascii_letters(w))
            if lost != key and len(lost) >= 3 and not is_common_word(lost):
                _LOST_KEY[w] = lost


def _learn_new(distinct: set[str]) -> None:
    """Learn the facts of the words of ``distinct`` not seen yet (bounded)."""
    new = distinct.difference(_SEEN)
    if new:
        if len(_SEEN) + len(new) > _FACTS_LIMIT or len(_VARIANTS) > _VARIANTS_LIMIT:
            # forget all, learn this document's
            for facts in (_SEEN, _CAP, _CAP_MARKED, _CAPS_VOWEL5, _FUZZY, _LOST_KEY, _BY_PIECE):
                facts.clear()
            _PARTNERS.clear()
            _VARIANTS.clear()
            new = distinct
        _learn(new)


def _doc_plan(
    ts: TokenStream,
    reference: dict[str, str],
    zone_spans: list[tuple[int, int]],
    hard: list[tuple[int, int]],
    verified: list[tuple[int, int]],
    distinct: set[str] | None = None,
) -> tuple[bool, bool, bool]:
    """Which parts of :func:`_doc_hits` can report anything: (phrases, words,
    surnames in capitals). Exact in the safe direction: each test is a necessary
    condition of its part reporting a hit, computed on the distinct words of the
    tokens that part may look at, or a superset of them (each part skips tokens
    under some of the spans; the plan removes only spans the part surely skips).

    - phrases (runs outside zones and ``hard``) need two capitalized runs with one
      folded form but different spellings, the best one with non-ASCII letters:
      two capitalized words with one folded form, and a capitalized marked word;
    - word groups (tokens outside zones, ``hard`` and ``verified``) need two
      spellings of one folded form (MT103/MT105), or a marked capitalized word
      whose letters-lost key is some word's folded form, or a fuzzy candidate one
      edit from a reference surname or from another candidate;
    - a surname in capitals (outside the same spans) needs a ``_CAPS_VOWEL5`` word.

    ``distinct``: the distinct words of ``ts`` with their facts learnt (as
    :func:`_quiet` leaves them), else computed here.
    """
    if distinct is None:
        distinct = set(ts.words)
        _learn_new(distinct)
    caps = list(_CAP.intersection(distinct))
    folds = list(map(piece, caps))
    collide = len(set(folds)) < len(caps)
    surnames = _CAPS_VOWEL5.intersection(distinct)
    others = _plan_others(distinct, reference)
    if not (collide or others or surnames):
        return False, False, False  # nothing can fire even with every word counted
    if not others:
        # Only two spellings of one folded form ("MADRID" in the dateline, "Madrid"
        # verified by the glossary) or a word in capitals: do they survive where
        # each part looks?
        skip = SpanSet(zone_spans + hard)
        phrase_ok = words_ok = False
        if collide:
            dup = {f for f, n in Counter(folds).items() if n > 1}
            alive = [w for w, f in zip(caps, folds, strict=True) if f in dup]
            alive = [w for w in alive if _alive(ts, w, skip)]
            phrase_ok = len(set(map(piece, alive))) < len(alive) and any(
                _alive(ts, w, skip) for w in _CAP_MARKED.intersection(distinct)
            )
        skip = SpanSet(zone_spans + hard + verified)
        if collide:
            alive = [w for w in alive if _alive(ts, w, skip)]
            words_ok = len(set(map(piece, alive))) < len(alive)
        surname_ok = any(_alive(ts, w, skip) for w in surnames)
        return phrase_ok, words_ok, surname_ok
    phrase_words = _words_outside(ts, zone_spans + hard) if zone_spans or hard else distinct
    phrase_ok = _collide(phrase_words) and not _CAP_MARKED.isdisjoint(phrase_words)
    words = _words_outside(ts, zone_spans + hard + verified) if verified else phrase_words
    words_ok, surname_ok = _plan_words(words, ts, reference)
    return phrase_ok, words_ok, surname_ok


def _plan_words(words: set[str], ts: TokenStream, reference: dict[str, str]) -> tuple[bool, bool]:
    """(word groups, surnames in capitals) of :func:`_doc_plan` on ``words``."""
    words_ok = _collide(words) or _plan_others(words, reference)
    return words_ok, not _CAPS_VOWEL5.isdisjoint(words)


def _plan_others(words: set[str], reference: dict[str, str]) -> bool:
    """The word-group tests of :func:`_doc_plan` other than two spellings of one
    folded form: letters lost against a marked word, one-edit fuzzy pairs."""
    marked = _CAP_MARKED.intersection(words)
    for w in marked:  # a word of ``words`` folds to the letters-lost key of another
        lost = _LOST_KEY.get(w)
        if lost is not None and not _BY_PIECE.get(lost, _NONE).isdisjoint(words):
            return True
    fuzzy = _FUZZY.intersection(words)
    if fuzzy:
        keys = set(map(piece, fuzzy))
        if any(not _PARTNERS[k].isdisjoint(keys) for k in keys):
            return True  # ``_one_edit_pair(keys, keys)``, from the learnt pairs
        return bool(reference) and _one_edit_pair(keys, set(reference))
    return False


def _alive(ts: TokenStream, word: str, skip: SpanSet) -> bool:
    """Some token of ``word`` overlaps none of the ``skip`` spans."""
    words, starts, ends = ts.words, ts.starts, ts.ends
    i = -1
    try:
        while True:
            i = words.index(word, i + 1)  # a C-level scan to the next occurrence
            if not skip.overlaps(starts[i], ends[i]):
                return True
    except ValueError:
        return False


def _words_outside(ts: TokenStream, spans: list[tuple[int, int]]) -> set[str]:
    """The distinct words of the tokens that overlap none of ``spans``."""
    words = ts.words
    if not spans:
        return set(words)
    starts, ends = ts.starts, ts.ends
    out: set[str] = set()
    prev = 0
    for s, e in sorted(spans):
        lo = bisect.bisect_right(ends, s)  # as in _covered
        hi = bisect.bisect_left(starts, e)
        if lo < hi:
            if lo > prev:
                out.update(words[prev:lo])
            prev = max(prev, hi)
    out.update(words[prev:])
    return out


def _collide(words: set[str]) -> bool:
    """Two capitalized words with one folded form ("Madrid", "MADRID")."""
    caps = _CAP.intersection(words)
    return len(set(map(piece, caps))) < len(caps)


def _one_edit_pair(keys: set[str], others: set[str]) -> bool:
    """A key and another key (or ``others`` item) that :func:`_fuzzy_hits` would
    compare and find one edit apart: same first letter, lengths at most one
    apart, neither a prefix of the other, Levenshtein distance 1."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for b in others:
        by_first[b[0]].append(b)
    for a in keys:
        for b in by_first.get(a[0], ()):
            if a == b or abs(len(a) - len(b)) > 1:
                continue
            if a.startswith(b) or b.startswith(a):
                continue
            from rapidfuzz.distance import Levenshtein

            if Levenshtein.distance(a, b, score_cutoff=1) <= 1:
                return True
    return False


def _covered(ts: TokenStream, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Indexes of the tokens that overlap any of ``spans`` (the same test as
    :meth:`SpanSet.overlaps`, token by token), by bisection on the sorted token
    starts and ends instead of one test per token."""
    out: set[int] = set()
    starts, ends = ts.starts, ts.ends
    for s, e in spans:
        lo = bisect.bisect_right(ends, s)  # first token that ends after s
        hi = bisect.bisect_left(starts, e)  # tokens before hi start before e
        if lo < hi:
            out.update(range(lo, hi))
    return out


def _doc_hits(
    doc: Document,
    ts: TokenStream,
    index: NameIndex,
    hard: list[tuple[int, int]],
    verified: list[tuple[int, int]],
    reference: dict[str, str],
    zone_spans: list[tuple[int, int]],
    distinct: set[str] | None = None,
) -> list[NameHit]:
    """Inconsistent spellings of one name inside the document, glossary or not.

    ``zone_spans`` are the URL zones and datelines. :func:`_doc_plan` says, from
    the distinct words alone, which parts can report anything; the others are
    skipped (most documents: all of them)."""
    phrase_ok, words_ok, surname_ok = _doc_plan(ts, reference, zone_spans, hard, verified, distinct)
    if not (phrase_ok or words_ok or surname_ok):
        return []
    text = doc.text
    zones = SpanSet(zone_spans)
    hits: list[NameHit] = (
        _phrase_hits(text, ts, zones, SpanSet(hard), set(verified)) if phrase_ok else []
    )
    taken_spans = hard + verified + [(h.start, h.end) for h in hits]
    if words_ok:
        hits.extend(_word_hits(text, ts, index, zone_spans + taken_spans, reference))
    if surname_ok:
        hits.extend(_surname_caps(text, ts, index, zones, SpanSet(taken_spans)))
    return hits


def _word_hits(
    text: str,
    ts: TokenStream,
    index: NameIndex,
    skip_spans: list[tuple[int, int]],
    reference: dict[str, str],
) -> list[NameHit]:
    """One word spelled in several ways: capitals (MT103), marks (MT105), letters
    lost against an accented spelling (MT105), one-letter variants (fuzzy)."""
    hits: list[NameHit] = []
    skip = _covered(ts, skip_spans)
    groups: dict[str, list[int]] = defaultdict(list)
    lower: dict[str, list[int]] = defaultdict(list)
    folded = ts.folded
    for i, word in enumerate(ts.words):
        if len(word) < 3 or i in skip:
            continue
        (groups if word[0].isupper() else lower)[folded[i]].append(i)
    names = index.name_keys

    def best_form(idxs: list[int]) -> tuple[str, Counter[str]]:
        counts = Counter(text[slice(*ts.tokens[i])] for i in idxs)

        def rank(form: str) -> tuple[int, int, int]:
            marks = sum(1 for c in form if not c.isascii() and c.isalpha())
            return (marks, int(not _all_caps(form)), counts[form])

        return max(counts, key=rank), counts

    bests: dict[str, str] = {}
    words = ts.words
    for key, idxs in groups.items():
        if len(idxs) == 1 or len({words[i] for i in idxs}) == 1:
            bests[key] = words[idxs[0]]  # one spelling: best_form would pick it
            continue
        best, counts = best_form(idxs)
        bests[key] = best
        if len(counts) < 2 or _all_caps(best):
            continue
        for i in idxs:
            start, end = ts.tokens[i]
            word = text[start:end]
            if word == best or (word.casefold() == best.casefold() and not _all_caps(word)):
                continue
            end2, poss = _possessive_end(text, end)
            if word.casefold() == best.casefold():
                # capitals where the document elsewhere writes the name normally
                if len(word) <= 4 or is_common_word(key) or _is_headline(text, start, end):
                    continue
                if _credit_or_abbreviation(text, start, end):
                    continue
                hits.append(
                    NameHit(
                        "MT103",
                        start,
                        end2,
                        f"Name in capitals in running text: {word!r} is written {best!r} elsewhere",
                        best + poss,
                        0.7,
                    )
                )
            elif strip_marks(word).casefold() == strip_marks(best).casefold():
                if _all_caps(word) and len(word) <= 4:
                    continue
                headline = _all_caps(word) and _is_headline(text, start, end)
                hits.append(
                    NameHit(
                        "MT105",
                        start,
                        end2,
                        f"Inconsistent spelling: {word!r}, elsewhere {best!r}",
                        _cased(best, headline) + poss,
                        0.8 if has_non_ascii_letters(best) else 0.6,
                    )
                )
    # letters lost against an accented spelling elsewhere in the document
    for key, best in bests.items():
        if not has_non_ascii_letters(best):
            continue
        remnant = delete_non_ascii_letters(best)
        lost = fold(remnant)
        if lost == key or len(lost) < 3 or is_common_word(lost) or lost in names:
            continue
        # a name that lost its first letter starts with a small letter ("uri")
        where = groups.get(lost, []) + (lower.get(lost, []) if remnant[:1].islower() else [])
        for i in where:
            start, end = ts.tokens[i]
            end2, poss = _possessive_end(text, end)
            word = text[start:end]
            headline = _all_caps(word) and _is_headline(text, start, end)
            hits.append(
                NameHit(
                    "MT105",
                    start,
                    end2,
                    f"Inconsistent spelling: {word!r} looks like {best!r} with letters lost",
                    _cased(best, headline) + poss,
                    0.75,
                )
            )
    hits.extend(_fuzzy_hits(text, ts, groups, bests, names, reference))
    return hits


def _surname_caps(
    text: str,
    ts: TokenStream,
    index: NameIndex,
    zones: SpanSet,
    taken: SpanSet,
) -> list[NameHit]:
    """A given name followed by a surname in capitals ("Jaume COLLBONI"): the
    French and Spanish "Prénom NOM" convention copied into English text."""
    out: list[NameHit] = []
    words = ts.words
    surnames = _CAPS_VOWEL5.intersection(words)
    # the words that can be `last` below: in capitals, five letters, a vowel
    for i in [k - 1 for k, w in enumerate(words) if w in surnames and k > 0]:
        (_s1, e1), (s2, e2) = ts.tokens[i], ts.tokens[i + 1]
        first, last = words[i], words[i + 1]
        if text[e1:s2] != " " or len(first) < 2:
            continue
        if not (first[0].isupper() and first[1:].islower()) or zipf(ts.folded[i]) >= 4.0:
            continue
        if _credit_or_abbreviation(text, s2, e2):
            continue
        if _inside(zones, s2, e2) or _inside(taken, s2, e2):
            continue
        if any(_all_caps(a) for f in index.lookup(ts.folded[i + 1]) for a in f.accepted):
            continue
        if _is_headline(text, s2, e2):
            continue
        end, poss = _possessive_end(text, e2)
        title = "-".join(p[:1] + p[1:].lower() for p in last.split("-"))
        out.append(
            NameHit(
                "MT103",
                s2,
                end,
                f"Surname in capitals in running text: {first} {last}",
                title + poss,
                0.6,
            )
        )
    return out


def _fuzzy_hits(
    text: str,
    ts: TokenStream,
    groups: dict[str, list[int]],
    bests: dict[str, str],
    names: set[str],
    reference: dict[str, str],
) -> list[NameHit]:
    """One-letter variants of a longer name (rapidfuzz): the minority form, or the
    form that differs from a glossary name the document also uses, is flagged."""
    from rapidfuzz.distance import Levenshtein

    keys = [
        k
        for k in groups
        if len(k) >= 6 and not is_common_word(k) and zipf(k) < 2.5 and not _all_caps(bests[k])
    ]
    out: list[NameHit] = []
    for k in keys if reference else ():
        if k in names:
            continue
        for r, surface in reference.items():
            if r[0] != k[0] or abs(len(r) - len(k)) > 1 or r.startswith(k) or k.startswith(r):
                continue
            if Levenshtein.distance(k, r, score_cutoff=1) > 1:
                continue
            out.extend(_spelling_hits(text, [ts.tokens[i] for i in groups[k]], surface, 0.6))
            break
    if len(keys) < 2:
        return out
    buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for k in sorted(keys):
        buckets[(k[0], len(k))].append(k)
    pairs = (
        (a, b)
        for (first, size), bucket in buckets.items()
        for a_i, a in enumerate(bucket)
        for b in bucket[a_i + 1 :] + buckets.get((first, size + 1), [])
    )
    for a, b in pairs:
        if a.startswith(b) or b.startswith(a):
            continue  # Serbia / Serbian: a derived word, not a misspelling
        if Levenshtein.distance(a, b, score_cutoff=1) > 1:
            continue
        if a in names and b in names:
            continue
        na, nb = len(groups[a]), len(groups[b])
        if na == nb:
            continue
        minority, majority = (a, b) if na < nb else (b, a)
        if minority in names:
            continue
        out.extend(
            _spelling_hits(text, [ts.tokens[i] for i in groups[minority]], bests[majority], 0.5)
        )
    return out


# --------------------------------------------------------------------------- mojibake


def _mojibake_hits(doc: Document, index: NameIndex) -> list[NameHit]:
    from mtaudit.mojibake import find_mojibake

    out = []
    for start, end, fixed in find_mojibake(doc.text):
        if not fixed:
            continue
        words = [w for w in re.findall(r"[^\W\d_]+", fixed) if w]
        if not words or not words[0][0].isupper():
            continue
        following = [fold(w) for w in TOKEN.findall(doc.text[end : end + 40])[:2]]
        phrase = [fold(w) for w in words]
        known = any(
            index.lookup(" ".join(phrase + following[:k])) for k in range(len(following) + 1)
        ) or bool(index.lookup(phrase[-1]))
        if not known and fixed not in doc.text:
            continue  # an encoding error in an ordinary word: the MT15x checks report it
        out.append(
            NameHit(
                "MT104",
                start,
                end,
                f"Name garbled by an encoding error: {doc.text[start:end]!r} is {fixed!r}",
                fixed,
                0.95 if known else 0.85,
            )
        )
    return out


# --------------------------------------------------------------------------- quiet documents
#
# Most documents yield no name finding: every glossary mention is spelled as the
# glossary accepts it (or is an ordinary word like "who" that no form fits), and
# no word is written two ways. ``_quiet`` proves that from the distinct words of
# the document, its multi-word glossary matches on a loose stream and its
# datelines, without the token stream, offsets or mention loop. Every test below
# is a necessary condition of some finding, computed on a superset of what the
# analysis looks at; when one fails the full analysis runs.

_CLASSES_LIMIT = 200_000


class _WordClasses:
    """Per glossary index: what a single-word mention written ``w`` can do, learnt
    once per distinct word. ``keyword``: the word's folded form is a glossary key;
    ``accepted``: ... and the word is an accepted surface of that key (verified);
    ``check``: ... neither accepted nor ruled out by the capitalization test
    (``_caps_fit``), so the mention loop has work to do; ``dateline_safe``: a
    ``check`` word in capitals whose key has no letters-lost form, which yields
    nothing inside a dateline (see ``_quiet``); ``person``: a keyword whose key
    has a person's form; ``multi_word``: the word's folded form is a word of some
    multi-word key. Bounded: cleared past
    ``_CLASSES_LIMIT`` words."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index
        self.seen: set[str] = set()
        self.keyword: set[str] = set()
        self.accepted: set[str] = set()
        self.check: set[str] = set()
        self.dateline_safe: set[str] = set()
        self.person: set[str] = set()  # keywords whose key has a person's form
        self.multi_word: set[str] = set()  # folds to a word of a multi-word key
        self._keys: dict[str, tuple[str, bool, int]] = {}

    def key_facts(self, key: str) -> tuple[str, bool, int]:
        """(last word, some form is a person's, ``sole_person``) of a key."""
        facts = self._keys.get(key)
        if facts is None:
            index = self.index
            person = any(index.entities[f.entity].type == "person" for f in index.lookup(key))
            facts = (key.rsplit(" ", 1)[-1], person, index.sole_person(key))
            if len(self._keys) >= _CLASSES_LIMIT:
                self._keys.clear()
            self._keys[key] = facts
        return facts

    def learn(self, distinct: set[str]) -> None:
        new = distinct.difference(self.seen)
        if not new:
            return
        if len(self.seen) + len(new) > _CLASSES_LIMIT:
            for words in (self.seen, self.keyword, self.accepted, self.check, self.dateline_safe):
                words.clear()
            self.person.clear()
            self.multi_word.clear()
            new = set(distinct)
        index = self.index
        multi_words = index.multi_words()
        for w in new:
            self.seen.add(w)
            key = piece(w)
            if key in multi_words:
                self.multi_word.add(w)
            forms = index.lookup(key)
            if not forms:
                continue
            self.keyword.add(w)
            if self.key_facts(key)[1]:
                self.person.add(w)
            if w in index.accepted(key):
                self.accepted.add(w)
            elif _caps_fit(index, key, w):
                self.check.add(w)
                if _all_caps(w) and all(f.kind in ("name", "surname") for f in forms):
                    self.dateline_safe.add(w)


def _word_classes(index: NameIndex) -> _WordClasses:
    classes = index.memo.get("names:word-classes")
    if classes is None:  # (``index.memo`` may have been cleared: learn again)
        classes = index.memo["names:word-classes"] = _WordClasses(index)
    return classes


_TOKEN_CHAR = re.compile(r"[^\W\d_]|[\u0300-\u036f]")


def _covered_by_accepted(text: str, index: NameIndex, key: str, count: int) -> bool:
    """At least ``count`` token sequences of ``text`` written as an accepted surface
    of the multi-word ``key`` that folds to ``key`` word for word, each of whose
    white-space chunks holds a token. Each such place is a match of ``key`` on the
    loose stream (``loose_multi_keys``); when there are as many as the loose
    stream has, every match of ``key`` is one of them, hence a verified mention.
    Places are told apart by the offset of their first token."""
    memo = index.memo
    surfaces = memo.get(("names:fold-surfaces", key))
    if surfaces is None:
        n_words = key.count(" ") + 1
        surfaces = []
        for a in index.accepted(key):
            tokens = list(TOKEN.finditer(a))
            if (
                fold_phrase(a) == key
                and len(tokens) == n_words
                and all(map(chunk_tokens, a.split()))
            ):
                surfaces.append((a, tokens[0].start()))
        memo[("names:fold-surfaces", key)] = surfaces
    firsts: set[int] = set()
    boundary = _TOKEN_CHAR.match
    for a, lead in surfaces:
        i = text.find(a)
        while i >= 0:
            j = i + len(a)
            if (i == 0 or not boundary(text, i - 1)) and not boundary(text, j):
                firsts.add(i + lead)
                if len(firsts) >= count:
                    return True
            i = text.find(a, i + 1)
    return False


def _quiet(
    text: str,
    index: NameIndex,
    distinct_out: list[set[str]] | None = None,
    multi_out: list[list[str]] | None = None,
) -> bool:
    """True only when :func:`analyze` (mojibake aside) surely returns nothing:

    - glossary: every single-word mention is a word of ``_WordClasses.accepted``
      or ruled out by capitalization, or a ``dateline_safe`` word found only
      inside datelines (a capitals name in a dateline is left alone, whatever
      the support); every multi-word match on the loose stream (a superset of the
      real matches) is an accepted spelling (``_covered_by_accepted``);
    - variant mix: no person has two folded last words among the matched keys;
    - document part: the tests of :func:`_doc_plan` on the distinct words, with a
      superset of the reference surnames (the last word of every matched key of a
      person) and, as alive, every word except those found only in datelines and
      (for the word groups and surnames) accepted glossary words, whose every
      occurrence lies in a verified mention."""
    chunks = text.split()
    distinct = set(itertools.chain.from_iterable(map(chunk_tokens, chunks)))
    _learn_new(distinct)
    if distinct_out is not None:
        distinct_out.append(distinct)  # the words of the token stream, facts learnt
    classes = _word_classes(index)
    classes.learn(distinct)
    dateline_words: list[str] | None = None

    def only_in_datelines(word: str) -> bool:
        """Every token ``word`` lies in a dateline: the text holds ``word`` (even
        inside other words) no more often than the datelines have it as a token."""
        nonlocal dateline_words
        if dateline_words is None:  # built on first use
            dateline_words = [w for s, e in _datelines(text) for w in token_words(text[s:e])]
        n = dateline_words.count(word)
        return n > 0 and text.count(word) == n

    check = classes.check.intersection(distinct)
    if check and (
        not classes.dateline_safe.issuperset(check) or not all(map(only_in_datelines, check))
    ):
        return False
    # the folded words that can be part of a multi-word key: enough for the
    # candidates (every word of a candidate is one), fewer to fold
    words = set(map(piece, classes.multi_word.intersection(distinct)))
    candidates = index.multi_candidates(words)
    if multi_out is not None:
        multi_out.append(candidates)  # a superset of the multi-word keys of the text
    multi: list[str] = []  # the multi-word keys on the loose stream
    loose: dict[str, int] | None = None  # their match counts, built only if needed
    for key in candidates:
        # Each loose match of ``key`` has its own token of each word of the key,
        # an occurrence in the text of a distinct word that folds to it: for
        # every word of the key, the sum of their counts bounds the matches. As
        # many accepted places as the least bound make the key covered whatever
        # its count (and present: a place is a match).
        bound = min(
            sum(map(text.count, _BY_PIECE.get(word, _NONE).intersection(distinct)))
            for word in key.split(" ")
        )
        if bound and _covered_by_accepted(text, index, key, bound):
            multi.append(key)
            continue
        if loose is None:
            loose = loose_multi_keys(index, chunks, words)
        count = loose.get(key, 0)
        if count:
            if not _covered_by_accepted(text, index, key, count):
                return False
            multi.append(key)
    # the matched keys with a person's form: reference surnames and variant mixes
    reference: dict[str, str] = {}
    lasts: dict[int, str] = {}
    person_keys = itertools.chain(map(piece, classes.person.intersection(distinct)), multi)
    for last, person, entity in map(classes.key_facts, person_keys):
        if person:
            reference[last] = ""
        if entity >= 0 and lasts.setdefault(entity, last) != last:
            return False  # a person written with two surnames: ``_variant_mix``
    if _plan_others(distinct, reference):
        return False
    caps = list(_CAP.intersection(distinct))
    folds = list(map(piece, caps))
    collide = len(set(folds)) < len(caps)
    surnames = _CAPS_VOWEL5.intersection(distinct)
    if not (collide or surnames):
        return True
    alive_cache: dict[str, bool] = {}

    def alive(word: str) -> bool:
        out = alive_cache.get(word)
        if out is None:
            out = alive_cache[word] = not only_in_datelines(word)
        return out

    accepted = classes.accepted
    if collide:
        dup = {f for f, n in Counter(folds).items() if n > 1}
        alive1 = [w for w, f in zip(caps, folds, strict=True) if f in dup and alive(w)]
        if len(set(map(piece, alive1))) < len(alive1) and any(
            map(alive, _CAP_MARKED.intersection(distinct))
        ):
            return False  # phrases
        alive2 = [w for w in alive1 if w not in accepted]
        if len(set(map(piece, alive2))) < len(alive2):
            return False  # word groups
    return not any(alive(w) for w in surnames if w not in accepted)


# --------------------------------------------------------------------------- analysis


def analyze(doc: Document, ctx: Context) -> list[NameHit]:
    index = _index(ctx)
    moji = _mojibake_hits(doc, index)
    words: list[set[str]] = []
    multi: list[list[str]] = []
    if not moji and _quiet(doc.text, index, words, multi):
        return []
    ts = token_stream(doc.text)
    zone_spans = _zones(doc.text)
    dateline_spans = _datelines(doc.text)
    glossary, verified, reference = _glossary_hits(
        doc, ctx, ts, index, zone_spans, dateline_spans, multi[0] if multi else None
    )
    hard = [(h.start, h.end) for h in moji + glossary]
    hits = (
        moji
        + glossary
        + _doc_hits(
            doc,
            ts,
            index,
            hard,
            verified,
            reference,
            zone_spans + dateline_spans,
            words[0] if words else None,
        )
    )
    # one finding per span: the first (glossary-backed) wins
    out: list[NameHit] = []
    for h in hits:
        if any(o.start < h.end and h.start < o.end for o in out):
            continue
        out.append(h)
    return out


def _report(doc: Document, ctx: Context, code: str) -> Iterator[Hit]:
    for h in doc.memo("names", lambda: analyze(doc, ctx)):
        if h.code == code:
            yield Hit(h.start, h.end, h.message, h.suggestion, h.confidence, h.severity)


@register("MT101", "name-letters-lost", category="name", severity="major", supersedes=("MT105",))
def letters_lost(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A name with its non-ASCII letters deleted ("Vui" for "Vučić").

    Why: pipelines that cannot encode a letter sometimes drop it, leaving a name
    that is wrong and unsearchable; readers cannot tell who is meant.

    Bad: Turkish President Recep Tayyip Erdoan spoke in Ankara; Erdoan said more.
    Good: Turkish President Recep Tayyip Erdoğan spoke in Ankara; Erdoğan said more.
    """
    yield from _report(doc, ctx, "MT101")


@register(
    "MT102", "name-diacritics-stripped", category="name", severity="minor", supersedes=("MT105",)
)
def diacritics_stripped(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A name written without the diacritics the entity glossary gives it ("Vucic").

    Why: house style for names from Latin-script languages keeps their letters;
    a stripped name is a different spelling. Desks that print ASCII names set
    ``ascii-names = true`` under ``[checks.MT102]``.

    Bad: Turkish President Recep Tayyip Erdogan spoke in Ankara.
    Good: Turkish President Recep Tayyip Erdoğan spoke in Ankara.
    """
    yield from _report(doc, ctx, "MT102")


@register("MT103", "name-case-mangled", category="name", severity="major", supersedes=("MT105",))
def case_mangled(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A name written in capitals in running text, where it is not an acronym.

    Why: MT systems copy the capitals of headlines and captions into the body
    ("NOVI SAD"), which reads as shouting or as an acronym. Acronyms (NATO, EU),
    all-caps headlines and datelines are left alone.

    Bad: Students marched through NOVI SAD on Saturday.
    Good: Students marched through Novi Sad on Saturday, NATO said.
    """
    yield from _report(doc, ctx, "MT103")


@register("MT104", "name-mojibake", category="name", severity="major", supersedes=("MT105", "MT15"))
def name_mojibake(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A name garbled by an encoding round trip ("VuÄiÄ‡" for "Vučić").

    Why: UTF-8 read as Windows-1252 or Latin-1 turns every accented letter into
    two or three symbols; the repaired name is suggested.

    Bad: Former German chancellor Gerhard SchrÃ¶der spoke on Sunday.
    Good: Former German chancellor Gerhard Schröder spoke on Sunday.
    """
    yield from _report(doc, ctx, "MT104")


@register("MT105", "name-inconsistent-spelling", category="name", severity="minor")
def inconsistent_spelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """One name spelled in different ways in the same document ("Kovačević",
    "Kovacevic"), the minority or stripped forms flagged, glossary or not.

    Why: a reader cannot tell whether two spellings are one person; MT output
    often keeps diacritics in one sentence and loses them in the next.

    Bad: Goran Kovačević arrived on Monday. Kovacevic said the talks went well.
    Good: Goran Kovačević arrived on Monday. Kovačević said the talks went well.
    """
    yield from _report(doc, ctx, "MT105")
