"""The pattern language of the idiom catalog (``glossaries/idioms/<lang>.tsv``).

A pattern describes the literal English rendering of a source idiom, as word
tokens separated by spaces::

    shoot {obj} in|on the back

===================  ==========================================================
``shoot``            the word and all its inflections (shoots, shooting, shot),
                     from the ``lemminflect`` lexicon; write the dictionary form
``=shot``            exactly this form, no inflection
``in|on``            alternatives; ``_`` joins words inside one: ``in_front_of``
``(the|a)``          optional: the token may be absent
``{obj}``            a slot: one to four words (``Russia``, ``the government``),
                     kept in the suggestion; any name works (``{obj}``, ``{x}``)
``{poss}``           a possessive: my, his, their, one's, the, Russia's, ...
``{refl}``           a reflexive pronoun: himself, themselves, ...
``({obj})``          an optional slot
``...``              a gap of zero to three words
===================  ==========================================================

Between any two tokens up to two adverbs may be inserted ("shoot Russia
*squarely* in the back"). Matching ignores case. A match's span runs from its
first matched word to its last, slot fillers included.

The ``suggestion`` column is idiomatic English using the same slots
(``stab {obj} in the back``); when the calque's first word is an inflected verb
(``shooting``), the suggestion's first word gets the same inflection
(``stabbing Russia in the back``). Several suggestions are separated by ``|``;
the first is the one offered as a fix.

Why ``lemminflect``: it is a maintained inflection lexicon (with rules for
unknown words) that gives every surface form of a dictionary word offline, so
patterns are expanded once into plain regular expressions and matching needs no
tagger at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

SLOT_WORDS = 4
GAP_WORDS = 3
MAX_INSERTED = 2

# Words MT leaves between the parts of a calque without breaking it.
_ADVERBS = r"\w+ly|just|even|also|still|already|now|then|again|all|not|never|so|too|very|quite"
_INSERT = rf"(?:(?:{_ADVERBS})\s+){{0,{MAX_INSERTED}}}"
_SEP = r"(?:,?\s+|\s*-\s*)"
_WORD = r"[^\W_][\w'’.-]*"
_POSS = (
    r"(?:my|your|his|her|its|our|their|one's|one’s|the|a|an|someone's|someone’s|"
    r"(?:the\s+)?[^\W_][\w.-]*(?:['’]s|s['’]))"
)
_REFL = r"(?:myself|yourself|himself|herself|itself|ourselves|yourselves|themselves|oneself)"
_TOKEN = re.compile(r"^(\()?(.+?)(\))?$")
_SLOT = re.compile(r"^\{([a-z_]+)\}$")


class PatternError(ValueError):
    """A pattern that cannot be compiled."""


@cache
def _inflect(word: str) -> tuple[str, ...]:
    """All surface forms of ``word`` (itself first)."""
    from lemminflect import getAllInflections, getAllLemmas

    forms: dict[str, None] = {word: None}
    table = getAllInflections(word)
    if not table:  # an inflected form was written: expand from its lemmas
        for lemmas in getAllLemmas(word).values():
            for lemma in lemmas:
                forms[lemma] = None
                table.update(getAllInflections(lemma))
    for values in table.values():
        for v in values:
            forms[v.lower()] = None
    return tuple(forms)


@cache
def verb_tags(word: str) -> dict[str, tuple[str, ...]]:
    """Penn verb tags -> forms of a verb lemma, or {} when it is not a verb."""
    from lemminflect import getAllInflections

    return dict(getAllInflections(word.lower(), upos="VERB"))


@cache
def inflect_verb(lemma: str, tag: str) -> str:
    from lemminflect import getInflection

    forms = getInflection(lemma, tag=tag)
    return forms[0] if forms else lemma


@dataclass
class Token:
    """One token of a pattern."""

    kind: str  # word | slot | gap
    alternatives: tuple[str, ...] = ()  # word: base forms as written
    forms: tuple[str, ...] = ()  # word: all surface forms
    slot: str = ""
    optional: bool = False
    exact: bool = False


@dataclass
class Pattern:
    """A compiled literal rendering; its regular expression is built on first use
    (most patterns of a large catalog never meet their anchor word in a run)."""

    source: str
    tokens: list[Token]
    regex_text: str
    slots: tuple[str, ...]
    anchors: tuple[str, ...]  # surface forms of the most specific required word
    head: Token | None  # the first word token, when it is required
    canonical: str  # a plain English rendering, for the embedding model
    words: frozenset[str] = field(default_factory=frozenset)  # all content forms

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.regex_text, re.IGNORECASE)


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "into",
        "onto",
        "from",
        "by",
        "with",
        "for",
        "and",
        "or",
        "but",
        "not",
        "no",
        "nor",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "it",
        "its",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "one",
        "one's",
        "someone",
        "someone's",
        "oneself",
        "that",
        "this",
        "these",
        "those",
        "as",
        "than",
        "over",
        "under",
        "up",
        "down",
        "out",
        "off",
        "about",
        "between",
        "through",
        "before",
        "after",
        "without",
        "all",
        "some",
        "any",
        "each",
        "every",
    ]
)


def _escape_word(word: str) -> str:
    return r"\s+".join(re.escape(part) for part in word.split("_"))


def parse(text: str) -> list[Token]:
    """Tokens of a pattern, or :class:`PatternError`."""
    tokens: list[Token] = []
    raw = text.split()
    if not raw:
        raise PatternError("empty pattern")
    for item in raw:
        m = _TOKEN.match(item)
        assert m is not None
        opened, body, closed = m.group(1), m.group(2), m.group(3)
        if bool(opened) != bool(closed):
            raise PatternError(f"unbalanced parentheses in {item!r}")
        optional = bool(opened)
        if body == "...":
            if optional:
                raise PatternError("a gap '...' is already optional")
            tokens.append(Token("gap"))
            continue
        slot = _SLOT.match(body)
        if slot:
            tokens.append(Token("slot", slot=slot.group(1), optional=optional))
            continue
        if any(c in body for c in "{}()[]"):
            raise PatternError(f"bad token {item!r}")
        alts = [a for a in body.split("|")]
        if any(not a for a in alts):
            raise PatternError(f"empty alternative in {item!r}")
        exact = all(a.startswith("=") for a in alts)
        bases = tuple(a.lstrip("=").lower() for a in alts)
        if not all(re.fullmatch(r"[\w'’.-]+", b) for b in bases):
            raise PatternError(f"bad word in {item!r}")
        forms: dict[str, None] = {}
        for alt, base in zip(alts, bases, strict=True):
            if alt.startswith("=") or "_" in base or "'" in base or "’" in base:
                forms[base] = None
            else:
                forms.update(dict.fromkeys(_inflect(base)))
        tokens.append(
            Token("word", alternatives=bases, forms=tuple(forms), optional=optional, exact=exact)
        )
    if all(t.kind != "word" or t.optional for t in tokens):
        raise PatternError("a pattern needs at least one required word")
    if tokens[0].kind == "gap" or tokens[-1].kind == "gap":
        raise PatternError("a pattern cannot start or end with '...'")
    return tokens


def _token_regex(tok: Token, index: int, named: bool = True) -> str:
    if tok.kind == "slot":
        if tok.slot == "poss":
            body = _POSS
        elif tok.slot == "refl":
            body = _REFL
        else:
            body = rf"{_WORD}(?:\s+{_WORD}){{0,{SLOT_WORDS - 1}}}?"
        return rf"(?P<{tok.slot}>{body})" if named else rf"(?:{body})"
    forms = sorted(tok.forms, key=len, reverse=True)
    alt = "|".join(_escape_word(f) for f in forms)
    return rf"(?P<w{index}>{alt})"


def compile_pattern(text: str, *, check: bool = False) -> Pattern:
    tokens = parse(text)
    slots = list(dict.fromkeys(t.slot for t in tokens if t.kind == "slot"))
    parts: list[str] = []
    first = True
    seen: set[str] = set()
    for i, tok in enumerate(tokens):
        body = _token_regex(tok, i, named=tok.slot not in seen)
        seen.add(tok.slot)
        if tok.kind == "gap":
            parts.append(rf"(?:{_SEP}{_WORD}){{0,{GAP_WORDS}}}?")
            continue
        if first:
            piece = rf"(?:{body}{_SEP}{_INSERT})?" if tok.optional else body
            parts.append(piece)
            if not tok.optional:
                first = False
            continue
        piece = rf"(?:{_SEP}{_INSERT}{body})" + ("?" if tok.optional else "")
        parts.append(piece)
    regex_text = r"(?<![\w'’-])" + "".join(parts) + r"(?![\w'’-])"
    if check:
        try:
            re.compile(regex_text, re.IGNORECASE)
        except re.error as exc:
            raise PatternError(f"cannot compile: {exc}") from None
    required = [t for t in tokens if t.kind == "word" and not t.optional]
    content = [t for t in required if not set(t.alternatives) <= STOPWORDS] or required
    anchor = max(content, key=lambda t: (min(len(a) for a in t.alternatives), -len(t.forms)))
    head = tokens[0] if tokens[0].kind == "word" and not tokens[0].optional else None
    words = frozenset(f for t in tokens if t.kind == "word" for f in t.forms if f not in STOPWORDS)
    return Pattern(
        source=text,
        tokens=tokens,
        regex_text=regex_text,
        slots=tuple(slots),
        anchors=tuple(f.split("_")[0] for f in anchor.forms),
        head=head,
        canonical=canonical(tokens),
        words=words,
    )


def canonical(tokens: list[Token]) -> str:
    """A plain rendering: first alternatives, required tokens, slots as 'someone'."""
    out: list[str] = []
    for tok in tokens:
        if tok.optional or tok.kind == "gap":
            continue
        if tok.kind == "slot":
            out.append({"poss": "someone's", "refl": "oneself"}.get(tok.slot, "someone"))
        else:
            out.append(tok.alternatives[0].replace("_", " "))
    return " ".join(out)


_BE_HAVE = frozenset(
    [
        "be",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "am",
        "'s",
        "'re",
        "have",
        "has",
        "had",
        "having",
        "get",
        "got",
        "gets",
        "getting",
    ]
)


def verb_tag(surface: str, lemma_words: tuple[str, ...], before: str) -> str | None:
    """The Penn tag of a matched verb form (None when it is the base form or no verb).

    ``before`` is the word preceding the match, to tell a participle ("was shot")
    from a past tense ("shot").
    """
    return _verb_tag(surface.lower(), lemma_words, before.lower() in _BE_HAVE)


@lru_cache(maxsize=8192)  # keys: forms of the catalog's words, so few
def _verb_tag(low: str, lemma_words: tuple[str, ...], after_be_have: bool) -> str | None:
    for lemma in lemma_words:
        table = verb_tags(lemma)
        tags = [t for t, forms in table.items() if low in forms]
        if not tags or "VB" in tags or "VBP" in tags:
            continue
        if "VBD" in tags and "VBN" in tags:
            return "VBN" if after_be_have else "VBD"
        for tag in ("VBG", "VBZ", "VBD", "VBN"):
            if tag in tags:
                return tag
    return None


_ANY_SLOT = re.compile(r"\{[a-z_]+\}")
_SPACES = re.compile(r"\s{2,}")


def render(template: str, slots: dict[str, str], tag: str | None, capital: bool) -> str:
    """Fill a suggestion template with slot text and the calque's verb inflection."""
    text = template
    for name, value in slots.items():
        text = text.replace("{" + name + "}", value)
    text = text.replace("{poss}", "their").replace("{refl}", "themselves")
    if "{" in text:
        text = _ANY_SLOT.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if tag:
        first, _, rest = text.partition(" ")
        if verb_tags(first):
            text = inflect_verb(first.lower(), tag) + (" " + rest if rest else "")
    if capital and text:
        text = text[0].upper() + text[1:]
    return text


def template_slots(template: str) -> set[str]:
    return set(re.findall(r"\{([a-z_]+)\}", template))


_CELL_SEP = re.compile(r"\s+\|\s+")


def split_cell(cell: str) -> list[str]:
    """Several renderings (or suggestions) in one cell are separated by ' | '."""
    return [part.strip() for part in _CELL_SEP.split(cell or "") if part.strip()]


def compile_cell(cell: str, *, check: bool = False) -> tuple[list[Pattern], list[str]]:
    """The patterns of a ``literal`` cell, and a message for each bad one."""
    patterns: list[Pattern] = []
    errors: list[str] = []
    for text in split_cell(cell):
        try:
            patterns.append(compile_pattern(text, check=check))
        except PatternError as exc:
            errors.append(f"literal {text!r}: {exc}")
    return patterns, errors


def validate_cells(literal: str, suggestion: str) -> list[str]:
    """Problems of one catalog row: patterns that do not compile, suggestion slots
    that no literal pattern fills."""
    patterns, errors = compile_cell(literal, check=True)
    filled = {s for p in patterns for s in p.slots}
    for sugg in split_cell(suggestion):
        missing = template_slots(sugg) - filled - {"poss", "refl"}
        if patterns and missing:
            errors.append(f"suggestion {sugg!r} uses slots no literal has: {sorted(missing)}")
    return errors
