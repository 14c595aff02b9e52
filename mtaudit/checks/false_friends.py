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
from dataclasses import dataclass
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
    entries: list[Entry] = ctx.glossaries.compiled("false_friends", lambda: build_catalog(ctx))
    lang = ctx.source_lang or doc.source_lang
    wanted = _norm_lang(lang) if lang else None
    text = doc.text
    lowered = text.lower()
    found: dict[tuple[int, int], list[_Candidate]] = {}
    matches: dict[int, list[re.Match[str]]] = {}  # per regex: shared by languages
    for entry in entries:
        if wanted is not None and wanted not in entry.langs and "*" not in entry.langs:
            continue
        if wanted is None and entry.lang_only:
            continue
        if entry.keywords and not any(k in lowered for k in entry.keywords):
            continue  # cheap prefilter: the false friend's own word is absent
        key = id(entry.regex)
        if key not in matches:
            matches[key] = [m for m in entry.regex.finditer(text) if m.end() > m.start()]
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
        if wanted is not None:
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
