"""Project terminology (MT74x): forbidden and non-preferred terms from the user's
glossary, like Vale's substitution rules and Xbench's key terms.

A ``terms`` glossary (``-g terms.csv``, header ``term,preferred,forbidden,note``)
names, per concept, the form to use (``preferred``) and the forms to flag
(``forbidden``, ``|``-separated; when empty, ``term`` itself is flagged if it
differs from ``preferred``). Matching is case-insensitive and covers inflections
of the last word (plural -s/-es, -ed, -ing, via lemminflect); the suggestion is
the preferred term in the same inflection and with the case pattern of the
original ("E-mails" -> "Emails"). A preferred term with capitals inside
("JavaScript") is also checked for its case (MT741). No terms ship by default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mtaudit.checks.nonwords import in_spans, protected_spans
from mtaudit.document import Document
from mtaudit.finding import Hit
from mtaudit.registry import register

if TYPE_CHECKING:
    from mtaudit.engine import Context
    from mtaudit.glossary import Row

_TAGS = ("NNS", "VBZ", "VBD", "VBN", "VBG")  # inflections matched besides the base form


@lru_cache(maxsize=4096)
def inflections(word: str) -> dict[str, str]:
    """Inflected forms of one word -> their Penn tag (the base form maps to "")."""
    forms: dict[str, str] = {word.lower(): ""}
    if not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", word):
        return forms
    from lemminflect import getAllInflections, getAllInflectionsOOV

    lower = word.lower()
    found = getAllInflections(lower)
    if not found:
        found = {**getAllInflectionsOOV(lower, "NOUN"), **getAllInflectionsOOV(lower, "VERB")}
    for tag in _TAGS:
        for form in found.get(tag, ()):
            if form != lower:
                forms.setdefault(form, tag)
    return forms


@lru_cache(maxsize=4096)
def inflect(word: str, tag: str) -> str:
    """``word`` in the inflection ``tag`` (lemminflect, with a regular fallback)."""
    if not tag or not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", word):
        return word
    from lemminflect import getInflection

    forms = getInflection(word.lower(), tag) or getInflection(word.lower(), tag, inflect_oov=True)
    if forms:
        form = forms[0]
        if form.startswith(word.lower()):
            return word + form[len(word) :]  # keep inner capitals ("JavaScripts")
        return _same_case(word, form)
    if tag in {"NNS", "VBZ"}:
        return word + ("es" if re.search(r"(s|x|z|ch|sh)$", word) else "s")
    if tag in {"VBD", "VBN"}:
        return word + ("d" if word.endswith("e") else "ed")
    return (word[:-1] if word.endswith("e") and not word.endswith("ee") else word) + "ing"


def _same_case(model: str, word: str) -> str:
    """``word`` lower-cased by the inflector, given back the capitals of ``model``."""
    if model[:1].isupper() and word[:1].islower():
        return word[:1].upper() + word[1:]
    return word


def match_case(original: str, suggestion: str) -> str:
    """The suggestion written with the case pattern of the original."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if original[:1].isupper() and suggestion[:1].islower():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


@dataclass(frozen=True)
class Entry:
    """One term of the glossary, compiled."""

    term: str
    preferred: str
    note: str
    where: str


@dataclass(frozen=True)
class Compiled:
    forbidden: re.Pattern[str] | None
    # lower-cased matched form -> (entry, tag)
    forms: dict[str, tuple[Entry, str]]
    case_pattern: re.Pattern[str] | None
    case_forms: dict[str, tuple[Entry, str]]


def _variants(phrase: str) -> dict[str, str]:
    """Forms of a (multi-word) phrase whose last word is inflected -> tag."""
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    return {f"{prefix.lower()}{form}": tag for form, tag in inflections(last).items()}


def _pattern(forms: list[str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    alts = sorted({re.escape(f).replace(r"\ ", r"\s+") for f in forms}, key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alts)})(?![\w-])", re.IGNORECASE)


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def compile_terms(rows: list[Row]) -> Compiled:
    forms: dict[str, tuple[Entry, str]] = {}
    case_forms: dict[str, tuple[Entry, str]] = {}
    for row in rows:
        preferred = row["preferred"]
        entry = Entry(row["term"], preferred, row["note"], row.where)
        forbidden = row.split("forbidden")
        if not forbidden and preferred and _key(row["term"]) != _key(preferred):
            forbidden = [row["term"]]
        for bad in forbidden:
            if preferred and _key(bad) == _key(preferred):
                continue  # differs only in case: the case rule covers it
            for form, tag in _variants(bad).items():
                forms.setdefault(form, (entry, tag))
        if preferred and any(c.isupper() for c in preferred[1:]):
            for form, tag in _variants(preferred).items():
                case_forms.setdefault(form, (entry, tag))
    return Compiled(_pattern(list(forms)), forms, _pattern(list(case_forms)), case_forms)


def _compiled(ctx: Context) -> Compiled:
    return ctx.glossaries.compiled(
        "mtaudit.terms", lambda: compile_terms(ctx.glossaries.rows("terms"))
    )


def _suffix(entry: Entry) -> str:
    return f" ({entry.note})" if entry.note else ""


@register("MT740", "forbidden-term", category="terminology", severity="major", requires=("terms",))
def forbidden_term(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A term the project glossary forbids, or a non-preferred synonym of a
    glossary term; the preferred term is suggested in the same inflection and case.

    Why: a project's terminology is a contract with its readers and its other
    translations; MT picks whichever synonym its training data liked best.

    Bad: Send your questions by e-mail; we answer all e-mails within a day.
    Good: Send your questions by email; we answer all emails within a day.
    """
    compiled = _compiled(ctx)
    if compiled.forbidden is None:
        return
    protected = None  # URLs and allowed phrases, found only when a term occurs
    for m in compiled.forbidden.finditer(doc.text):
        if protected is None:
            protected = protected_spans(doc, ctx)
        if protected and in_spans(m.start(), m.end(), protected):
            continue
        found = m.group()
        hit = compiled.forms.get(_key(found))
        if hit is None:
            continue
        entry, tag = hit
        if not entry.preferred:
            yield Hit(m.start(), m.end(), f"Forbidden term {found!r}{_suffix(entry)}")
            continue
        head, _, last = entry.preferred.rpartition(" ")
        suggestion = match_case(found, (f"{head} " if head else "") + inflect(last, tag))
        yield Hit(
            m.start(),
            m.end(),
            f"Use {suggestion!r}, not {found!r}{_suffix(entry)}",
            suggestion=suggestion,
        )


@register("MT741", "term-case", category="terminology", severity="minor", requires=("terms",))
def term_case(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A glossary term written with the wrong capitals ("Javascript" for the
    preferred "JavaScript"); all-capitals text is left alone.

    Why: product and brand names have one spelling, and a glossary that fixes it
    expects every translation to follow.

    Bad: The page needs Javascript to run.
    Good: The page needs JavaScript to run.
    """
    compiled = _compiled(ctx)
    if compiled.case_pattern is None:
        return
    protected = None  # found only when a term occurs
    for m in compiled.case_pattern.finditer(doc.text):
        found = m.group()
        hit = compiled.case_forms.get(_key(found))
        if hit is None:
            continue
        if protected is None:
            protected = protected_spans(doc, ctx)
        if protected and in_spans(m.start(), m.end(), protected):
            continue
        entry, tag = hit
        head, _, last = entry.preferred.rpartition(" ")
        expected = (f"{head} " if head else "") + inflect(last, tag)
        letters = [c for c in found if c.isalpha()]
        if re.sub(r"\s+", " ", found) == expected or all(c.isupper() for c in letters):
            continue
        yield Hit(
            m.start(),
            m.end(),
            f"Write {expected!r} as the glossary does, not {found!r}{_suffix(entry)}",
            suggestion=expected,
        )
