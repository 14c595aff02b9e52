"""False friends and word-sense errors (MT70x), from per-language catalogs.

The catalog (``glossaries/false_friends/<lang>.tsv``) holds one row per false
friend: the source-language word, an English pattern (``wrong``) that matches
only the contexts where the English word is wrong, and the suggestion. Pattern
syntax, on top of Python regular expressions (matched case-insensitively):

- ``{CLASS}``: a word class from ``_classes.tsv`` (``{OUTLET}``, ``{DISPUTE}``);
- ``<lemma>``: any inflection of an English word (``<adjust>`` = adjust, adjusts,
  adjusted, adjusting); ``<lemma/v>`` or ``<lemma/n>`` for verb or noun forms only;
  ``<get|gets|got|getting|gotten>`` lists the forms (VB, VBZ, VBD, VBG, VBN) itself;
- a space matches any run of whitespace.

The suggestion is a template for the whole match: ``$1`` … ``$9`` are the
pattern's own groups and ``<lemma>`` is inflected like the pattern's first
``<…>`` token (``<adjust> ($1)`` → ``<settle> $1``: "adjusts a dispute" →
"settles a dispute"). Optional columns: ``type`` (friend | sense | collocation,
picks the rule), ``context`` / ``unless`` (a pattern the sentence must / must not
contain), ``meaning``, ``confidence``, ``scope`` (``lang`` = only when the
source language is known to be this one), ``keyword`` (lower-case substrings of
which one must occur: a fast prefilter), ``lang`` (``sr|hr|bs``, ``*`` for any
source language; default: the file name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.glossary import Row, default_dir, read_table
from mtaudit.registry import register

_CLASS_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_TOKEN = re.compile(r"<([A-Za-z][A-Za-z' |-]*?)(?:/([nv]))?>")
_BACKREF = re.compile(r"\$(\d)")
_TYPES = {"friend": "MT701", "sense": "MT702", "collocation": "MT703"}
_SCOPES = ("all", "lang")
_VERB_TAGS = ("VB", "VBZ", "VBD", "VBG", "VBN")
_NOUN_TAGS = ("NN", "NNS")
# Which reading of an ambiguous form ("put", "become") to inflect the suggestion
# like; base form after "to" and modals, else the past (wire copy is past tense).
_TAG_ORDER = ("VBZ", "VBG", "VBD", "VB", "VBN", "VBP", "NNS", "NN")
_BASE_BEFORE = re.compile(
    r"\b(?:to|will|would|can|could|shall|should|may|might|must|do|does|did|not|n't|cannot)\s+$",
    re.IGNORECASE,
)
# Source languages that share one catalog (Serbian, Croatian, Bosnian, Montenegrin).
_LANG_GROUPS = {"sh": "sr", "hr": "sr", "bs": "sr", "cnr": "sr", "sr": "sr"}
_MAX_CLASS_DEPTH = 6


class PatternError(ValueError):
    """A catalog pattern that cannot be compiled."""


def _norm_lang(code: str) -> str:
    code = code.strip().lower().split("-")[0].split("_")[0]
    return _LANG_GROUPS.get(code, code)


# -- inflection -----------------------------------------------------------------


def _explicit_forms(spec: str, pos: str | None) -> dict[str, tuple[str, ...]]:
    forms = [f.strip() for f in spec.split("|")]
    tags = _NOUN_TAGS if pos == "n" else _VERB_TAGS
    out: dict[str, tuple[str, ...]] = {}
    for tag, form in zip(tags, forms, strict=False):
        if form:
            out[tag] = (form,)
    return out


@lru_cache(maxsize=4096)
def _inflections(spec: str, pos: str | None) -> dict[str, tuple[str, ...]]:
    """tag -> forms of an English lemma (lemminflect), or the forms listed in ``spec``."""
    if "|" in spec:
        return _explicit_forms(spec, pos)
    import lemminflect  # English morphology tables; loaded on first use

    upos = {"n": "NOUN", "v": "VERB"}.get(pos or "")
    table = dict(lemminflect.getAllInflections(spec, upos=upos))
    if not table:
        table = dict(lemminflect.getAllInflectionsOOV(spec, upos=upos or "VERB"))
    base = "NN" if pos == "n" else "VB"
    table.setdefault(base, (spec,))
    if " " in spec or "-" in spec:
        table = {base: (spec,)}
    return table


def _variants(form: str) -> set[str]:
    """A form and its British spelling (recognize -> recognise)."""
    out = {form}
    if "iz" in form:
        out.add(form.replace("iz", "is"))
    return out


def _form_tags(spec: str, pos: str | None) -> dict[str, list[str]]:
    """lower-cased form -> tags it can stand for."""
    out: dict[str, list[str]] = {}
    for tag, forms in _inflections(spec, pos).items():
        for form in forms:
            for variant in _variants(form.lower()):
                out.setdefault(variant, []).append(tag)
    return out


def inflect(spec: str, pos: str | None, tag: str | None) -> str:
    """The form of ``spec`` for ``tag`` (falls back to the lemma)."""
    if tag is None:
        return spec.split("|")[0]
    table = _inflections(spec, pos)
    if tag in table:
        return table[tag][0]
    if tag in ("VBN", "VBP") and ("VBD" if tag == "VBN" else "VB") in table:
        return table["VBD" if tag == "VBN" else "VB"][0]
    if tag.startswith("NN"):
        noun = _inflections(spec, "n")
        if tag in noun:
            return noun[tag][0]
    if tag.startswith("VB"):
        verb = _inflections(spec, "v")
        if tag in verb:
            return verb[tag][0]
    return spec.split("|")[0]


# -- pattern compilation -----------------------------------------------------------


@dataclass(frozen=True)
class WordClass:
    members: tuple[str, ...]
    case: bool = False  # case-sensitive members (proper names)


def split_alternatives(text: str) -> list[str]:
    """Split a regex on its top-level ``|`` (not inside groups or [...])."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_classes(rows: Iterable[Row]) -> dict[str, WordClass]:
    out: dict[str, WordClass] = {}
    for row in rows:
        name = row["class"].strip().strip("{}").upper()
        out[name] = WordClass(
            tuple(split_alternatives(row["members"])),
            case=row["case"].lower() in {"yes", "true", "1"},
        )
    return out


def expand(pattern: str, classes: Mapping[str, WordClass], depth: int = 0) -> str:
    """Replace ``{CLASS}`` references with their alternatives, recursively."""
    if depth > _MAX_CLASS_DEPTH:
        raise PatternError("word classes nested too deeply (a class refers to itself?)")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in classes:
            raise PatternError(f"unknown word class {{{name}}}")
        wc = classes[name]
        body = "|".join(expand(x, classes, depth + 1) for x in wc.members)
        return f"(?-i:{body})" if wc.case else f"(?:{body})"

    return _CLASS_REF.sub(sub, pattern)


def _tokens(pattern: str, first_name: str | None) -> tuple[str, tuple[str, str | None] | None]:
    """Replace ``<lemma>`` tokens with their forms; the first becomes a named group."""
    first: tuple[str, str | None] | None = None

    def sub(m: re.Match[str]) -> str:
        nonlocal first
        spec, pos = m.group(1).strip(), m.group(2)
        forms = sorted(_form_tags(spec, pos), key=len, reverse=True)
        alt = "|".join(re.escape(f).replace(r"\ ", " ") for f in forms)
        if first is None and first_name:
            first = (spec, pos)
            return f"(?P<{first_name}>{alt})"
        return f"(?:{alt})"

    return _TOKEN.sub(sub, pattern), first


def _flexible_spaces(body: str) -> str:
    """A space matches any whitespace run, except inside look-behinds (fixed width)."""
    out: list[str] = []
    stack: list[bool] = []  # for each open group: is it a look-behind?
    in_class = False
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            out.append(body[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            stack.append(body.startswith(("(?<=", "(?<!"), i))
        elif c == ")" and stack:
            stack.pop()
        elif c == " " and not any(stack):
            out.append(r"\s+")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def compile_pattern(
    pattern: str, classes: Mapping[str, WordClass], *, whole_words: bool = True
) -> tuple[re.Pattern[str], tuple[str, str | None] | None]:
    body, first = _tokens(expand(pattern, classes), "ff" if whole_words else None)
    body = _flexible_spaces(body)
    if whole_words:
        body = rf"(?<![\w-])(?:{body})(?![\w-])"
    try:
        return re.compile(body, re.IGNORECASE), first
    except re.error as exc:
        raise PatternError(f"bad pattern: {exc}") from None


# -- the catalog ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One compiled catalog row."""

    row: Row
    code: str
    langs: frozenset[str]
    regex: re.Pattern[str]
    token: tuple[str, str | None] | None
    context: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    confidence: float
    lang_only: bool
    keywords: tuple[str, ...] = ()

    def user_group(self, n: int) -> int:
        """Index of the pattern author's n-th group (the token's group is ours)."""
        ff = self.regex.groupindex.get("ff")
        return n if ff is None or n < ff else n + 1


def _langs(row: Row) -> frozenset[str]:
    """Source languages of a row; ``*`` (or the file ``any.tsv``) means every language."""
    langs = {_norm_lang(x) for x in row.lang.split("|") if x.strip()}
    return frozenset("*" if x in ("*", "any") else x for x in langs)


_Compiled = tuple[re.Pattern[str], tuple[str, str | None] | None]


def compile_row(
    row: Row,
    classes: Mapping[str, WordClass],
    cache: dict[tuple[str, bool], _Compiled] | None = None,
) -> Entry:
    kind = (row["type"] or "friend").strip().lower()
    if kind not in _TYPES:
        raise PatternError(f"type must be one of {', '.join(_TYPES)}, not {kind!r}")
    scope = (row["scope"] or "all").strip().lower()
    if scope not in _SCOPES:
        raise PatternError(f"scope must be one of {', '.join(_SCOPES)}, not {scope!r}")
    try:
        confidence = float(row["confidence"] or 0.8)
    except ValueError:
        raise PatternError(f"confidence is not a number: {row['confidence']!r}") from None
    if not 0 < confidence <= 1:
        raise PatternError("confidence must be in (0, 1]")
    cache = {} if cache is None else cache

    def compiled(pattern: str, whole: bool) -> _Compiled:
        if (pattern, whole) not in cache:
            cache[pattern, whole] = compile_pattern(pattern, classes, whole_words=whole)
        return cache[pattern, whole]

    regex, token = compiled(row["wrong"], True)
    context = compiled(row["context"], False)[0] if row["context"] else None
    unless = compiled(row["unless"], False)[0] if row["unless"] else None
    entry = Entry(
        row=row,
        code=_TYPES[kind],
        langs=_langs(row),
        regex=regex,
        token=token,
        context=context,
        unless=unless,
        confidence=confidence,
        lang_only=scope == "lang",
        keywords=tuple(k.lower() for k in row.split("keyword")),
    )
    for ref in _BACKREF.findall(row["suggestion"]):
        n = int(ref)
        if n < 1 or entry.user_group(n) > regex.groups:
            raise PatternError(f"suggestion refers to ${n}, the pattern has no such group")
    for m in _TOKEN.finditer(row["suggestion"]):
        _inflections(m.group(1).strip(), m.group(2))
    if regex.match(""):
        raise PatternError("pattern matches the empty string")
    return entry


@lru_cache(maxsize=1)
def _default_classes() -> dict[str, WordClass]:
    path = default_dir() / "false_friends" / "_classes.tsv"
    if not path.exists():
        return {}
    return parse_classes(read_table(path)[1])


def row_problems(row: Row, classes: Mapping[str, WordClass] | None = None) -> list[str]:
    """What is wrong with a catalog row (for ``mtaudit glossary validate``)."""
    try:
        compile_row(row, _default_classes() if classes is None else classes)
    except PatternError as exc:
        return [str(exc)]
    return []


def class_problems(row: Row) -> list[str]:
    problems = []
    for member in split_alternatives(row["members"]):
        try:
            re.compile(_CLASS_REF.sub("x", member))
        except re.error as exc:
            problems.append(f"bad member {member!r}: {exc}")
    return problems


def build_catalog(ctx: Context) -> list[Entry]:
    glossaries = ctx.glossaries
    classes = parse_classes(glossaries.rows("false_friend_classes"))
    entries = []
    cache: dict[tuple[str, bool], _Compiled] = {}  # one pattern serves many languages
    for row in glossaries.rows("false_friends"):
        try:
            entries.append(compile_row(row, classes, cache))
        except PatternError:
            continue  # `mtaudit glossary validate` reports it with file:line
    return entries


# -- the exact prefilter ------------------------------------------------------------
#
# Two necessary conditions decide which rows of the catalog are tried on a
# document, so that the common path is one pass over the text:
#
# - a row with ``keyword`` cells is skipped unless one of them occurs in the
#   lower-cased text (the catalog's own prefilter);
# - every match of a row's pattern (and of its ``context`` pattern) passes through
#   its longest run of literal characters. From ``re``'s parse of the pattern we
#   build two weaker regular expressions around that run (a "skeleton"): the run
#   and what follows it, and the run and what precedes it, written backwards.
#   Both are matched only where the run occurs, the second on the reversed text
#   at the run's end. A skeleton is weaker than its pattern: look-behinds and
#   negative look-aheads are dropped, classes are widened where folding the case
#   could not be exact, and matching runs on the folded text, so wherever the
#   pattern matches, both halves match at that occurrence of the run.
#
# One Aho-Corasick pass finds the keywords and the runs. Case: patterns match
# case-insensitively; ``re`` equates a few non-ASCII characters with ASCII letters
# (dotted capital I and dotless i with "i", long s with "s", the Kelvin sign with
# "k"), so those are folded, and only ASCII characters make literals.

_FOLD_CHARS = "\u0130\u0131\u017f"  # İ ı ſ (the Kelvin sign lower-cases to k)
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})
_MIN_RUN = 3  # shorter runs occur in nearly every text: no skeleton
_ANY = "(?s:.)"


def _folded(text: str) -> str:
    """``text`` lower-cased, with the characters IGNORECASE equates to an ASCII
    letter mapped onto it; one character for one."""
    if any(c in text for c in _FOLD_CHARS):
        text = text.translate(_FOLD)
    return text.lower()


def _sre() -> tuple[Any, Any]:
    """``re``'s parser and its constants (private modules, stable since 3.5)."""
    import importlib

    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        return importlib.import_module("sre_parse"), importlib.import_module("sre_constants")


@dataclass(frozen=True)
class Skeleton:
    """Weaker forms of a pattern, for the folded text: every match of the pattern
    contains an occurrence of one of ``runs`` at which ``right`` matches (from the
    run's start on) and ``left`` matches the reversed text (from the run's end on)."""

    runs: tuple[str, ...]
    right: re.Pattern[str]
    left: re.Pattern[str]

    def possible(self, folded: str, backwards: str, spans: list[tuple[int, int]]) -> bool:
        """Whether the pattern can match, given where the runs occur."""
        n = len(folded)
        return any(
            self.right.match(folded, a) and self.left.match(backwards, n - b) for a, b in spans
        )


class _Unsupported(Exception):
    """A back-reference or conditional: no skeleton through it."""


@dataclass
class _Option:
    score: int  # length of the shortest run it starts from
    runs: set[str]
    right: str
    right_done: bool  # reaches the end of its sequence (a parent may append)
    left: str  # reversed
    left_done: bool  # reaches the start of its sequence


class _SkeletonBuilder:
    def __init__(self, boundaries: bool) -> None:
        _, c = _sre()
        self.c = c
        self.boundaries = boundaries
        self.depth = 0  # repeats around the item being written
        try:
            from re._casefix import _EXTRA_CASES

            self.extra: dict[int, tuple[int, ...]] | None = _EXTRA_CASES
        except ImportError:  # Python 3.10: non-ASCII letters match any character
            self.extra = None
        self.repeats = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))
        self.atomic = getattr(c, "ATOMIC_GROUP", None)
        self.categories = {
            c.CATEGORY_DIGIT: r"\d",
            c.CATEGORY_NOT_DIGIT: r"\D",
            c.CATEGORY_SPACE: r"\s",
            c.CATEGORY_NOT_SPACE: r"\S",
            c.CATEGORY_WORD: r"\w",
            c.CATEGORY_NOT_WORD: r"\W",
        }

    def is_char(self, op: Any, av: Any) -> bool:
        return op is self.c.LITERAL and av < 128

    # -- writing a (weaker) regular expression, forwards or backwards --

    def folds(self, code: int) -> set[str] | None:
        """The folded forms of the characters IGNORECASE equates with ``code``:
        those whose lower case is its lower case, or one of ``re``'s extra
        equivalents of it (dotless i for i, long s for s, final sigma for sigma,
        ...); None when that cannot be told (then: any character)."""
        low = chr(code).lower()
        if len(low) != 1:
            return None
        if code < 128:
            return {low}  # what folds to an ASCII letter is folded to it
        if self.extra is None:
            return None
        same = {low, *map(chr, self.extra.get(ord(low), ()))}
        return {x.translate(_FOLD) for x in same}

    def any(self) -> str:
        # "any character" inside a repeat could make the skeleton backtrack far
        # more than its pattern: stop the skeleton there instead
        if self.depth:
            raise _Unsupported("any character in a repeat")
        return _ANY

    def char(self, code: int) -> str:
        forms = self.folds(code)
        if forms is None:
            return self.any()
        if len(forms) == 1:
            return re.escape(next(iter(forms)))
        return "[" + "".join(re.escape(x) for x in sorted(forms)) + "]"

    def klass(self, items: Any) -> str:
        """The class's members folded; negated only when they are all ASCII (an
        ASCII letter is equated exactly with what folds to it)."""
        c = self.c
        chars: set[str] = set()
        parts: list[str] = []
        negate = ""
        ascii_only = True
        for op, av in items:
            forms: set[str] | None = set()
            if op is c.NEGATE:
                negate = "^"
            elif op is c.LITERAL:
                forms = self.folds(av)
                ascii_only = ascii_only and av < 128
            elif op is c.RANGE and av[1] - av[0] <= 256:
                ascii_only = ascii_only and av[1] < 128
                for code in range(av[0], av[1] + 1):
                    more = self.folds(code)
                    if more is None or forms is None:
                        forms = None
                    else:
                        forms |= more
            elif op is c.CATEGORY and av in self.categories:
                parts.append(self.categories[av])
            else:
                forms = None
            if forms is None:
                return self.any()
            chars |= forms
        if negate and not ascii_only:
            return self.any()
        body = "".join(parts) + "".join(re.escape(x) for x in sorted(chars))
        return f"[{negate}{body}]"

    def item(self, op: Any, av: Any, rev: bool) -> str:
        c = self.c
        if op is c.LITERAL:
            return self.char(av)
        if op is c.NOT_LITERAL:
            return f"[^{re.escape(chr(av).lower())}]" if av < 128 else self.any()
        if op is c.ANY:
            return self.any()
        if op is c.IN:
            return self.klass(av)
        if op in self.repeats:
            high = "" if av[1] == c.MAXREPEAT else str(av[1])
            self.depth += 1
            try:
                body = self.seq(av[2], rev)
            finally:
                self.depth -= 1
            return f"(?:{body}){{{av[0]},{high}}}"
        if op is c.SUBPATTERN:
            return f"(?:{self.seq(av[-1], rev)})"
        if op is self.atomic:
            return f"(?:{self.seq(av, rev)})"
        if op is c.BRANCH:
            return "(?:" + "|".join(self.seq(alt, rev) for alt in av[1]) + ")"
        if op is c.AT:
            # word characters stay word characters when folded; other anchors (and
            # all of them in a pattern matched in a sentence, whose ends are not
            # the text's) are dropped: zero width, the expression only gets weaker
            if not self.boundaries:
                return ""
            return {c.AT_BOUNDARY: r"\b", c.AT_NON_BOUNDARY: r"\B"}.get(av, "")
        if op is c.ASSERT:
            # a look-ahead stays one; a look-behind is one read backwards
            if (av[0] == 1) != rev:
                return f"(?={self.seq(av[1], rev)})"
            return ""
        if op is c.ASSERT_NOT:
            return ""  # dropping a condition only makes the expression weaker
        raise _Unsupported(op)

    def seq(self, items: Any, rev: bool) -> str:
        items = list(items)
        return "".join(self.item(op, av, rev) for op, av in (items[::-1] if rev else items))

    def prefix(self, items: list[Any], rev: bool) -> tuple[str, bool]:
        """As many items as can be written (in reading order; ``items`` already
        reversed when ``rev``), and whether that was all of them."""
        out: list[str] = []
        for op, av in items:
            try:
                out.append(self.item(op, av, rev))
            except _Unsupported:
                return "".join(out), False
        return "".join(out), True

    # -- choosing the run --

    def best(self, items: Any) -> _Option | None:
        c = self.c
        items = list(items)
        options: list[_Option] = []
        for i, (op, av) in enumerate(items):
            child: _Option | None = None
            if self.is_char(op, av):
                if i and self.is_char(*items[i - 1]):
                    continue  # inside a run
                j = i
                while j < len(items) and self.is_char(*items[j]):
                    j += 1
                run = "".join(chr(a).lower() for _, a in items[i:j])
                right, right_done = self.prefix(items[i:], False)
                left, left_done = self.prefix(items[:j][::-1], True)
                options.append(_Option(j - i, {run}, right, right_done, left, left_done))
                continue
            if op is c.SUBPATTERN:
                child = self.best(av[-1])
            elif op is self.atomic:
                child = self.best(av)
            elif op is c.BRANCH:
                alts = [self.best(alt) for alt in av[1]]
                if all(alts):
                    found = [a for a in alts if a is not None]
                    child = _Option(
                        min(a.score for a in found),
                        set().union(*(a.runs for a in found)),
                        "(?:" + "|".join(a.right for a in found) + ")",
                        all(a.right_done for a in found),
                        "(?:" + "|".join(a.left for a in found) + ")",
                        all(a.left_done for a in found),
                    )
            elif (op in self.repeats and av[0] >= 1) or op is c.ASSERT:
                inner = self.best(av[-1])
                if inner is not None:  # matched somewhere, not next to its neighbours
                    options.append(
                        _Option(inner.score, inner.runs, inner.right, False, inner.left, False)
                    )
                continue
            if child is None:
                continue
            if child.right_done:
                rest, child.right_done = self.prefix(items[i + 1 :], False)
                child.right += rest
            if child.left_done:
                rest, child.left_done = self.prefix(items[:i][::-1], True)
                child.left += rest
            options.append(child)
        return max(options, key=lambda o: o.score) if options else None


def _skeleton(regex: re.Pattern[str], whole_text: bool = True) -> Skeleton | None:
    """The skeleton of a pattern, or None (no long enough run on every path).
    ``whole_text``: the pattern is searched in the whole text (not a sentence)."""
    sre_p, _ = _sre()
    try:
        tree = sre_p.parse(regex.pattern, regex.flags)
        found = _SkeletonBuilder(whole_text).best(tree)
        if found is None or found.score < _MIN_RUN:
            return None
        return Skeleton(tuple(sorted(found.runs)), re.compile(found.right), re.compile(found.left))
    except Exception:  # anything unexpected: no skeleton, the row is always tried
        return None


@dataclass
class Index:
    """The catalog's entries with what the prefilter needs; built once per
    glossary set (``ctx.glossaries.compiled``)."""

    entries: list[Entry]
    automaton: Any  # ahocorasick: keyword or pattern run -> (entries, length, skeletons)
    unkeyed: frozenset[int]  # entries without keywords: always tried
    skeletons: list[Skeleton]
    indexed: list[bool]  # per skeleton: its runs are in the automaton (else looked up)
    needs: list[tuple[int, ...]]  # per entry: its pattern's and context's skeletons
    # per entry: literals one of which starts every match of its pattern (folded), or None
    starts: list[tuple[str, ...] | None] = field(default_factory=list)
    _allowed: dict[str | None, frozenset[int]] = field(default_factory=dict, repr=False)

    def allowed(self, wanted: str | None) -> frozenset[int]:
        """Entries that apply to a source language (None: unknown)."""
        if wanted not in self._allowed:
            self._allowed[wanted] = frozenset(
                i
                for i, e in enumerate(self.entries)
                if (wanted is None and not e.lang_only)
                or (wanted is not None and (wanted in e.langs or "*" in e.langs))
            )
        return self._allowed[wanted]

    def candidates(self, text: str, lowered: str, wanted: str | None) -> list[int]:
        """Entries, in catalog order, whose pattern may match ``text``: allowed for
        the language, a keyword present (in ``lowered``, ``text.lower()``), and
        each skeleton possible."""
        folded = lowered
        if "\u0130" in text or "\u0131" in text or "\u017f" in text:  # _FOLD_CHARS
            folded = text.translate(_FOLD).lower()
        keyed_ids: set[int] = set()
        spans: dict[int, list[tuple[int, int]]] = {}
        automaton = self.automaton
        if automaton is not None:
            for end, (keyed, size, skeletons) in automaton.iter(folded):
                if skeletons:
                    span = (end + 1 - size, end + 1)
                    for s in skeletons:
                        if s in spans:
                            spans[s].append(span)
                        else:
                            spans[s] = [span]
                if keyed:
                    keyed_ids.update(keyed)
            if folded is not lowered:  # keywords are matched in lower() itself
                keyed_ids.clear()
                for _, (keyed, _, _) in automaton.iter(lowered):
                    keyed_ids.update(keyed)
        ids = (keyed_ids | self.unkeyed) & self.allowed(wanted)
        if not ids:
            return []
        # Skeleton.possible, with the reversed text made only when a right half
        # matches (most occurrences of a run fail there)
        possible: dict[int, bool] = {}
        backwards = ""
        n = len(folded)
        needs, all_skeletons, indexed = self.needs, self.skeletons, self.indexed
        out: list[int] = []
        for i in sorted(ids):
            for s in needs[i]:
                ok = possible.get(s)
                if ok is None:
                    skeleton = all_skeletons[s]
                    found = spans.get(s) if indexed[s] else _occurrences(folded, skeleton)
                    ok = False
                    if found:
                        right, left = skeleton.right.match, skeleton.left.match
                        for a, b in found:
                            if right(folded, a):
                                backwards = backwards or folded[::-1]
                                if left(backwards, n - b):
                                    ok = True
                                    break
                    possible[s] = ok
                if not ok:
                    break
            else:
                out.append(i)
        return out


def _occurrences(folded: str, skeleton: Skeleton) -> list[tuple[int, int]]:
    """Where the skeleton's runs occur (for the few skeletons not in the automaton:
    a row's context is looked at only when its pattern may match)."""
    out: list[tuple[int, int]] = []
    for run in skeleton.runs:
        pos = folded.find(run)
        while pos >= 0:
            out.append((pos, pos + len(run)))
            pos = folded.find(run, pos + 1)
    return out


def build_index(entries: list[Entry]) -> Index:
    import ahocorasick

    keyed: dict[str, list[int]] = {}
    triggers: dict[str, list[int]] = {}
    unkeyed: set[int] = set()
    skeletons: list[Skeleton] = []
    indexed: list[bool] = []
    of_regex: dict[tuple[int, bool], int | None] = {}  # rows share compiled patterns
    needs: list[tuple[int, ...]] = []
    for i, entry in enumerate(entries):
        for k in entry.keywords:
            keyed.setdefault(k, []).append(i)
        if not entry.keywords:
            unkeyed.add(i)
        own: list[int] = []
        for regex, whole in ((entry.regex, True), (entry.context, False)):
            if regex is None:
                continue
            if (id(regex), whole) not in of_regex:
                skeleton = _skeleton(regex, whole)
                of_regex[id(regex), whole] = None if skeleton is None else len(skeletons)
                if skeleton is not None:
                    if whole:  # the context's words are common: looked up when needed
                        for run in skeleton.runs:
                            triggers.setdefault(run, []).append(len(skeletons))
                    skeletons.append(skeleton)
                    indexed.append(whole)
            s = of_regex[id(regex), whole]
            if s is not None:
                own.append(s)
        needs.append(tuple(own))
    automaton = None
    if keyed or triggers:
        automaton = ahocorasick.Automaton()
        for key in keyed.keys() | triggers.keys():
            value = (tuple(keyed.get(key, ())), len(key), tuple(triggers.get(key, ())))
            automaton.add_word(key, value)
        automaton.make_automaton()
    of_pattern: dict[int, tuple[str, ...] | None] = {}
    for entry in entries:
        if id(entry.regex) not in of_pattern:
            of_pattern[id(entry.regex)] = _start_literals(entry.regex)
    starts = [of_pattern[id(e.regex)] for e in entries]
    return Index(entries, automaton, frozenset(unkeyed), skeletons, indexed, needs, starts=starts)


def _start_literals(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals (folded, see :func:`_folded`) one of which every match of the
    pattern starts with, each at least ``_MIN_RUN`` long; None when that cannot be
    told. Zero-width assertions at the start are passed over (they consume
    nothing), a group or a repeat of at least one is looked into, and a branch gives
    the literals of all its alternatives; anything else (a class, an optional part,
    a character outside ASCII) gives None."""
    sre_p, c = _sre()
    zero_width = (c.AT, c.ASSERT, c.ASSERT_NOT)
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))
    atomic = getattr(c, "ATOMIC_GROUP", None)

    def first(items: Any) -> set[str] | None:
        items = list(items)
        i = 0
        while i < len(items) and items[i][0] in zero_width:
            i += 1
        if i == len(items):
            return None
        op, av = items[i]
        if op is c.LITERAL and av < 128:
            j = i
            while j < len(items) and items[j][0] is c.LITERAL and items[j][1] < 128:
                j += 1
            return {"".join(chr(code) for _, code in items[i:j]).lower()}
        if op is c.SUBPATTERN:
            return first(av[-1])
        if op is atomic:
            return first(av)
        if op in repeats and av[0] >= 1:
            return first(av[-1])
        if op is c.BRANCH:
            out: set[str] = set()
            for alt in av[1]:
                found = first(alt)
                if found is None:
                    return None
                out |= found
            return out
        return None

    try:
        found = first(sre_p.parse(regex.pattern, regex.flags))
    except Exception:  # anything unexpected: the pattern is searched as it is
        return None
    if not found or min(map(len, found)) < _MIN_RUN:
        return None
    return tuple(sorted(found))


def _find_all(
    regex: re.Pattern[str], text: str, folded: str, starts: tuple[str, ...] | None
) -> list[re.Match[str]]:
    """``[m for m in regex.finditer(text) if m.end() > m.start()]``, trying the
    pattern only where one of its start literals (:func:`_start_literals`) occurs in
    the folded text (one character for one of ``text``).

    Exact: ``finditer`` takes, from the end of the last match on, the leftmost
    position where the pattern matches; a match starts with one of the literals, so
    it starts where one occurs, and ``match`` at those positions in order finds the
    same one (``match`` with a position sees the text before it, as ``search``
    does). Every match has a literal's length, so none is empty."""
    if starts is None or len(folded) != len(text):
        return [m for m in regex.finditer(text) if m.end() > m.start()]
    found: set[int] = set()
    for literal in starts:
        pos = folded.find(literal)
        while pos >= 0:
            found.add(pos)
            pos = folded.find(literal, pos + 1)
    out: list[re.Match[str]] = []
    end = 0
    match = regex.match
    for pos in sorted(found):
        if pos >= end:
            m = match(text, pos)
            if m is not None:
                out.append(m)
                end = m.end()
    return out


def catalog_index(ctx: Context) -> Index:
    return ctx.glossaries.compiled(
        "false_friends.index",
        lambda: build_index(ctx.glossaries.compiled("false_friends", lambda: build_catalog(ctx))),
    )


# -- matching -------------------------------------------------------------------


def _tag_for(entry: Entry, m: re.Match[str], text: str) -> str | None:
    if entry.token is None or m.group("ff") is None:
        return None
    tags = _form_tags(*entry.token).get(m.group("ff").lower(), [])
    if not tags:
        return None
    if "VB" in tags and _BASE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        return "VB"
    return min(tags, key=lambda t: _TAG_ORDER.index(t) if t in _TAG_ORDER else 99)


def render(entry: Entry, m: re.Match[str], text: str) -> str:
    """The suggestion for one match: groups filled in, tokens inflected, case kept."""
    tag = _tag_for(entry, m, text)

    def group(g: re.Match[str]) -> str:
        return m.group(entry.user_group(int(g.group(1)))) or ""

    def token(t: re.Match[str]) -> str:
        return inflect(t.group(1).strip(), t.group(2), tag)

    out = _TOKEN.sub(token, _BACKREF.sub(group, entry.row["suggestion"]))
    out = re.sub(r"\s+", " ", out).strip()
    matched = m.group()
    if matched[:1].isupper() and out[:1].islower():
        out = out[:1].upper() + out[1:]
    return out


def _message(entry: Entry, sources: list[Entry], text: str) -> str:
    words = ", ".join(
        dict.fromkeys(f"{e.row['source']} ({'/'.join(sorted(e.langs))})" for e in sources)
    )
    meaning = entry.row["meaning"]
    gloss = f" = “{meaning}”" if meaning else ""
    if entry.code == "MT701":
        return f"False friend: '{text}' renders {words}{gloss}"
    if entry.code == "MT702":
        return f"Word-sense error: '{text}' takes the wrong sense of {words}{gloss}"
    return f"Literal collocation: '{text}' calques {words}{gloss}"


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    entry: Entry
    suggestion: str


def analyze(doc: Document, ctx: Context) -> list[tuple[str, Hit]]:
    """All MT70x hits of a document, overlaps resolved (longest, most confident)."""
    index = catalog_index(ctx)
    entries = index.entries
    lang = ctx.source_lang or doc.source_lang
    wanted = _norm_lang(lang) if lang else None
    text = doc.text
    lowered = doc.lower
    candidates = index.candidates(text, lowered, wanted)
    if not candidates:
        return []
    folded = _folded(text) if any(c in text for c in _FOLD_CHARS) else lowered
    starts = index.starts
    found: dict[tuple[int, int], list[_Candidate]] = {}
    matches: dict[int, list[re.Match[str]]] = {}  # per regex: shared by languages
    for i in candidates:
        entry = entries[i]
        key = id(entry.regex)
        if key not in matches:
            matches[key] = _find_all(entry.regex, text, folded, starts[i])
        for m in matches[key]:
            if entry.context or entry.unless:
                sent = doc.sentence_at(m.start())
                scope = sent.text if sent else text
                if entry.context and not entry.context.search(scope):
                    continue
                if entry.unless and entry.unless.search(scope):
                    continue
            found.setdefault((m.start(), m.end()), []).append(
                _Candidate(m.start(), m.end(), entry, render(entry, m, text))
            )
    return _select(found, text, wanted is not None)


def _select(
    found: dict[tuple[int, int], list[_Candidate]], text: str, lang_known: bool
) -> list[tuple[str, Hit]]:
    """One hit per span, overlaps resolved: longest span first, then the most confident
    entry; a known source language adds 0.05 confidence."""
    ranked = sorted(
        found.values(),
        key=lambda cs: (-(cs[0].end - cs[0].start), -max(c.entry.confidence for c in cs)),
    )
    taken: list[tuple[int, int]] = []
    out: list[tuple[str, Hit]] = []
    for cands in ranked:
        best = max(cands, key=lambda c: c.entry.confidence)
        if any(best.start < e and s < best.end for s, e in taken):
            continue
        taken.append((best.start, best.end))
        confidence = best.entry.confidence
        if lang_known:
            confidence = min(1.0, confidence + 0.05)
        span = text[best.start : best.end]
        hit = Hit(
            best.start,
            best.end,
            _message(best.entry, [c.entry for c in cands], span),
            suggestion=best.suggestion if best.suggestion != span else None,
            confidence=round(confidence, 3),
        )
        out.append((best.entry.code, hit))
    out.sort(key=lambda ch: ch[1].start)
    return out


def _hits(doc: Document, ctx: Context, code: str) -> Iterator[Hit]:
    for hit_code, hit in doc.memo("false_friends", lambda: analyze(doc, ctx)):
        if hit_code == code:
            yield hit


@register("MT701", "false-friend", category="terminology", severity="major")
def false_friend(doc: Document, ctx: Context) -> Iterator[Hit]:
    """An English word that looks like the source word but means something else
    ("sensible data" for sensitive, "adjusts a dispute" for settles), in a context
    where the English meaning cannot be the intended one.

    Why: false friends are the most common word-level MT error between related
    languages; the sentence reads fluently but says something else.

    Bad: The minister said the government would adjust the dispute with the unions.
    Good: The minister said the government would settle the dispute with the unions.
    """
    yield from _hits(doc, ctx, "MT701")


@register("MT702", "word-sense-error", category="terminology", severity="major")
def word_sense_error(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A real English word in the wrong one of its source word's senses ("the heads
    of the collapse" for those responsible, "a simple diagram" for a scheme in a
    fraud story).

    Why: the source word has two senses and the MT system picked the one that
    makes no sense here; readers are misled or stumble.

    Bad: Protesters demand that the heads of the bridge collapse be tried.
    Good: Protesters demand that those responsible for the bridge collapse be tried.
    """
    yield from _hits(doc, ctx, "MT702")


@register("MT703", "literal-collocation", category="terminology", severity="minor")
def literal_collocation(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A verb-noun or prepositional phrase translated word for word ("launched the
    possibility", "in the frame of"), where English uses another collocation.

    Why: the meaning survives but the phrase marks the text as translated; editors
    replace it with the English collocation.

    Bad: The mayor launched the possibility of a referendum.
    Good: The mayor raised the possibility of a referendum.
    """
    yield from _hits(doc, ctx, "MT703")


def catalog_stats(ctx: Context) -> dict[str, Any]:
    """Entries per language (for docs and tests)."""
    entries: list[Entry] = ctx.glossaries.compiled("false_friends", lambda: build_catalog(ctx))
    stats: dict[str, int] = {}
    for e in entries:
        for lang in e.langs:
            stats[lang] = stats.get(lang, 0) + 1
    return {"entries": len(entries), "by_lang": stats}
