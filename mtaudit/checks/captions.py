"""Caption and credit bleed-through (MT3xx).

Scraped wire copy carries photo captions into the body: "…rally last month Getty
Thousands of Serbs have joined…". A caption is short text describing a picture,
usually ending in a credit (an agency or photographer, see ``glossaries/credits.tsv``)
and often echoing an earlier sentence. These checks find the whole caption, from its
first word to its credit, and leave alone the credits a reporter wrote on purpose:
datelines ("BELGRADE (Reuters) -"), agencies in prose ("told AFP"), bylines.

The analysis is shared: :func:`analyze` finds credits, the captions they close and
the echo of each caption once per document; :func:`segments` gives the sentences
split at glued credits, which the repetition checks (MT6xx) use too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mtaudit.document import Document, Segment
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.glossary import Row
from mtaudit.registry import register

# -- the credit lexicon ---------------------------------------------------------------

CREDIT_KINDS = ("agency", "photo", "photographer")


@dataclass(frozen=True)
class Lexicon:
    """Patterns compiled from the ``credits`` glossary."""

    terms: re.Pattern[str] | None
    qualifiers: re.Pattern[str] | None
    labels: re.Pattern[str] | None
    caption_labels: re.Pattern[str] | None
    cues: re.Pattern[str] | None
    exclude: re.Pattern[str] | None = None  # names that contain a credit word
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # form -> its row's forms
    # One scan for the starts of all the scanned kinds' forms: see :meth:`starts`.
    anchors: re.Pattern[str] | None = None
    anchors_upper: re.Pattern[str] | None = None  # without the lower-case forms
    lower_literals: tuple[str, ...] = ()  # a literal of each lower-case form
    prefixes: dict[str, frozenset[str]] = field(default_factory=dict)  # kind -> anchors
    cue_anchors: re.Pattern[str] | None = None  # see :meth:`cue_matches`

    def cue_matches(self, text: str) -> list[re.Match[str]]:
        """``cues.finditer(text)``, tried only where a cue's prefix occurs in the
        lower-cased text.

        Why: the case-insensitive cue pattern cannot be scanned for in C (``re``
        finds no leading characters to skip to), so it is tried at every position,
        the costliest part of :func:`caption_style`.

        Exact (``cue_anchors`` exists only for ASCII cues): a character matches an
        ASCII character case-insensitively when their lower-case forms are equal,
        except "ı", "ſ" and "İ" (the last lowers to two characters), which send the
        text the plain way; lower-casing keeps which characters are word characters
        (true of every code point). So a cue matching at ``p`` has its lower-cased
        prefix at ``p`` in the lower-cased text, found there as in :meth:`starts`, and
        the cue pattern itself then decides at those places."""
        if self.cues is None:
            return []
        low = text.lower()
        if (
            self.cue_anchors is None
            or len(low) != len(text)
            or (not text.isascii() and ("ı" in low or "ſ" in low))
        ):
            return list(self.cues.finditer(text))
        out = []
        last = 0
        match = self.cues.match
        for p in map(_MATCH_START, self.cue_anchors.finditer(low)):
            if p >= last:
                m = match(text, p)
                if m:
                    out.append(m)
                    last = m.end()
        return out

    def starts(self, text: str) -> list[tuple[int, str]] | None:
        """Positions in ``text`` where a form of a scanned kind (``SCANNED``) may
        start, each with the anchor found there, for :meth:`scan`; None when the
        lexicon has no anchor pattern.

        Why: each kind's own scan tries its pattern at every character that starts
        one of its forms, a pass over the whole text per kind; one pass finds the
        few positions worth trying for all of them. The anchor pattern holds each
        form's prefix (its first character and the word characters after it), at a
        word start like the form. Lower-case first letters are everywhere in prose,
        capitals are not: when no lower-case form's literal (its longest word) occurs
        in the text, those forms cannot match and the scan leaves them out. An
        anchor that starts with a word character matches only a whole run of them
        (no word character after it), so the anchor found at a position tells which
        kinds' forms can start there (:attr:`prefixes`).

        Exact: a form matching at ``p`` has its prefix at ``p``, and when the prefix
        is a run of word characters the text's run ends with it (the form goes on
        with a non-word character, or ends at a word end); so the anchor pattern
        matches there, with the prefix, unless an earlier anchor match covers ``p``.
        It cannot: an anchor is one non-word character or a run of word characters,
        a form that starts with a word character needs a non-word character before
        it, and one that starts with another character needs that character at
        ``p``."""
        if self.anchors is None:
            return None
        scan = self.anchors_upper
        if scan is None:
            scan = self.anchors
        else:
            for lit in self.lower_literals:
                if lit in text:
                    scan = self.anchors
                    break
        return [(m.start(), m.group()) for m in scan.finditer(text)]

    def scan(
        self, kind: str, text: str, starts: list[tuple[int, str]] | None
    ) -> list[re.Match[str]]:
        """``pattern.finditer(text)`` for the kind's pattern, tried only at
        ``starts`` (from :meth:`starts`, or None to scan the whole text) whose
        anchor is the prefix of one of the kind's forms: every match starts at one
        of them, so the leftmost match at or after the end of the previous one is
        the first of them where the pattern matches."""
        pattern: re.Pattern[str] | None = getattr(self, kind)
        if pattern is None:
            return []
        if starts is None:
            return list(pattern.finditer(text))
        prefixes = self.prefixes[kind]
        out = []
        last = 0
        match = pattern.match
        for p, anchor in starts:
            if anchor in prefixes and p >= last:
                m = match(text, p)
                if m:
                    out.append(m)
                    last = m.end()
        return out


_MATCH_START = re.Match.start

# The kinds found by scanning the whole text (the others are only tried at places).
SCANNED = ("terms", "labels", "exclude", "caption_labels")


def _trie(forms: Iterable[str]) -> str:
    """One regex for many literal forms, as a character trie: Python's ``re`` tries
    the alternatives of a flat alternation one by one at every position."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


_WORD_END = r"(?:(?<=\w)(?!\w|-\w)|(?<!\w))"
_RUN_END = r"(?:(?<=\w)(?!\w)|(?<!\w))"


def _alternation(
    forms: Iterable[str], *, ignore_case: bool = False, word_end: bool = True, run_end: bool = False
) -> re.Pattern[str] | None:
    r"""The forms at word boundaries (where a form starts or ends with a letter or
    digit), longest first; "EPA" does not match inside "EPA-EFE" or "NEPAL".

    Case-sensitive patterns are built so that ``re`` can scan for them in C: the
    pattern opens with one literal character per alternative (the forms' first
    characters), so only positions holding one of them are tried; the word-start
    test follows that character (``(?<!\w.)``: no word character before it), and the
    rest of each form is the trie of the rests. At most one alternative can match at
    a position, so their order is free: the most frequent letters go first, since
    ``re`` tests the leading literals one after the other. Without ``word_end``
    the forms may end inside a word; with ``run_end`` instead, a form ending in a
    word character ends a run of them (for the anchors' prefixes)."""
    unique = {f for f in forms if f}
    if not unique:
        return None
    by_first: dict[str, list[str]] = {}
    for form in unique:
        by_first.setdefault(form[0], []).append(form[1:])
    if ignore_case or any(first.isspace() for first in by_first):
        # The plain pattern: a word-start lookaround before one trie. (Case-insensitive
        # patterns are the caption cues, only run on the few sentences scored for style.)
        end = _WORD_END if word_end else _RUN_END if run_end else ""
        pattern = r"(?:(?=\w)(?<!\w)|(?!\w))(?:" + _trie(unique) + ")" + end
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    alts = []
    for first in sorted(by_first, key=_frequency_rank):
        guard = r"(?<!\w.)" if re.match(r"\w", first) else ""
        alts.append(re.escape(first) + guard + _trie(by_first[first]))
    end = _WORD_END if word_end else _RUN_END if run_end else ""
    return re.compile("(?:" + "|".join(alts) + ")" + end)


# Letters by how often they occur in English text (lower case), then as the first
# letter of capitalized words: the order in which :func:`_alternation` tries them.
_FREQUENT = "etaoinshrdlcumwfgypbvkjxqzTSAMCPBHRDNLWGIFEOJKUVYQXZ"


def _frequency_rank(ch: str) -> int:
    rank = _FREQUENT.find(ch)
    return rank if rank >= 0 else len(_FREQUENT)


def _forms(row: Row) -> list[str]:
    out = [row["credit"], *row.split("variants")]
    return out + [f.upper() for f in out if f.upper() != f]


def build_lexicon(rows: Sequence[Row]) -> Lexicon:
    by_kind: dict[str, list[str]] = {}
    forms: dict[str, tuple[str, ...]] = {}
    for row in rows:
        kind = row["kind"].strip().lower()
        these = _forms(row)
        by_kind.setdefault(kind, []).extend(these)
        if kind in CREDIT_KINDS:
            for form in these:
                forms[form.lower()] = tuple(f for f in these if f.lower() != form.lower())
    scanned = {
        "terms": [f for k in CREDIT_KINDS for f in by_kind.get(k, [])],
        "labels": by_kind.get("label", []),
        "exclude": by_kind.get("exclude", []),
        "caption_labels": by_kind.get("caption-label", []),
    }
    lex = Lexicon(
        terms=_alternation(scanned["terms"]),
        qualifiers=_alternation(by_kind.get("qualifier", [])),
        labels=_alternation(scanned["labels"]),
        caption_labels=_alternation(scanned["caption_labels"]),
        cues=_alternation(by_kind.get("cue", []), ignore_case=True),
        exclude=_alternation(scanned["exclude"]),
        forms=forms,
    )
    cues = [f for f in by_kind.get("cue", []) if f]
    if cues and all(f.isascii() and not f[0].isspace() for f in cues):
        lex = replace(
            lex, cue_anchors=_alternation((_prefix(f.lower()) for f in cues), word_end=False)
        )
    every = [f for kind in SCANNED for f in scanned[kind] if f]
    if not every or any(f[0].isspace() for f in every):
        return lex  # (a form opening with a space matches any whitespace there)
    lower = [f for f in every if f[0].islower()]
    return replace(
        lex,
        anchors=_alternation(map(_prefix, every), word_end=False, run_end=True),
        anchors_upper=(
            _alternation(
                (_prefix(f) for f in every if not f[0].islower()), word_end=False, run_end=True
            )
            if lower
            else None
        ),
        lower_literals=_fewest_literals(max(f.split(" "), key=len) for f in lower),
        prefixes={kind: frozenset(_prefix(f) for f in scanned[kind] if f) for kind in SCANNED},
    )


def _fewest_literals(literals: Iterable[str]) -> tuple[str, ...]:
    """The literals without those that contain another one (if "alliance" does not
    occur, "picture-alliance" does not either)."""
    unique = sorted(set(literals), key=len)
    out: list[str] = []
    for lit in unique:
        if not any(shorter in lit for shorter in out):
            out.append(lit)
    return tuple(out)


def _prefix(form: str) -> str:
    """The form's first character and, when it is a word character, the word
    characters after it: what :meth:`Lexicon.starts` looks for."""
    m = re.match(r"\w+", form)
    return m.group() if m else form[0]


def lexicon(ctx: Context) -> Lexicon:
    return ctx.glossaries.compiled(
        "captions.lexicon", lambda: build_lexicon(ctx.glossaries.rows("credits"))
    )


# -- finding credits ------------------------------------------------------------------

# Words after which an agency name is prose ("told AFP", "according to Reuters",
# "an AFP photographer"): English function words and reporting verbs.
PROSE_BEFORE = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "its",
        "his",
        "her",
        "their",
        "our",
        "your",
        "my",
        "to",
        "told",
        "tell",
        "tells",
        "telling",
        "by",
        "from",
        "with",
        "of",
        "for",
        "and",
        "or",
        "nor",
        "but",
        "at",
        "in",
        "on",
        "into",
        "onto",
        "via",
        "per",
        "as",
        "than",
        "like",
        "about",
        "against",
        "said",
        "says",
        "say",
        "saying",
        "according",
        "citing",
        "cited",
        "quoted",
        "quoting",
        "reported",
        "reports",
        "reporting",
        "contacted",
        "reached",
        "joined",
        "asked",
        "wrote",
        "writes",
        "interviewed",
        "sued",
        "sues",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "while",
        "when",
        "if",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "also",
        "both",
        "either",
        "neither",
        "each",
        "every",
        "all",
        "some",
        "any",
        "no",
        "own",
    ]
)

_NAME_TOKEN = r"[A-Z][\w'’.-]*"
_SLASH_NAME = re.compile(
    r"[ \t]*/[ \t]*((?:[A-ZÀ-Þ][A-ZÀ-Þ'’.-]+(?:[ \t]+|$))+|" + _NAME_TOKEN + r")"
)
_NAME_AFTER = re.compile(
    r"[ \t]+((?:(?:de|da|di|du|del|della|van|von|der|den|la|le|bin|al|ter)[ \t]+){0,2}"
    + _NAME_TOKEN
    + r")"
)
_JOIN = re.compile(r"[ \t]*(?:/|\bvia\b|-|\|)[ \t]*", re.IGNORECASE)
_NAME_BEFORE_SLASH = re.compile(
    r"((?:" + _NAME_TOKEN + r"[ \t]+){0,2}" + _NAME_TOKEN + r")[ \t]*/[ \t]*$"
)
_NAME_BEFORE_VIA = re.compile(
    r"((?:" + _NAME_TOKEN + r"[ \t]+){0,5}" + _NAME_TOKEN + r")[ \t]+via[ \t]+$"
)
_SPACES = re.compile(r"[ \t]+")
_LOWER_AFTER = re.compile(r"[ \t]+([a-z])")
_WORD_AT_END = re.compile(r"([\w'’-]+)$")
_LOWER = re.compile(r"[a-z]")
_QUALIFIER_BEFORE = re.compile(r"([A-Za-z]+)[ \t]*(?:/|\bvia\b)[ \t]*$")
_LABEL_TOKEN = re.compile(r"[ \t]*([^\s]+)")
_CONNECTORS = frozenset(
    [
        "via",
        "for",
        "of",
        "de",
        "del",
        "van",
        "von",
        "der",
        "la",
        "le",
        "du",
        "da",
        "di",
        "y",
        "and",
        "&",
        "/",
        "the",
    ]
)
_DASH_AFTER = re.compile(r"[ \t]*(?:-{1,2}|–|—)")
_POSSESSIVE = re.compile(r"['’]s?\b")
_NAME_PART = re.compile(r"[ \t]+(?:[A-Z]|[IVX]{1,4}|\d+)(?![\w'’.-])")
_BYLINE = re.compile(r"^\s*(?:By|BY|Par|Von)\s+[A-Z]")
_SENT_END = ".!?…"


@dataclass(frozen=True)
class Credit:
    """A credit in the text: ``Getty``, ``(AP Photo/David Zalubowski)``, ``Photo: X, AP``."""

    start: int
    end: int
    term: str  # the lexicon form that anchored it ('' for a label with a bare name)
    strong: bool  # a form only credits take: a label, a slash or via composite, a qualifier
    label: bool = False
    paren: bool = False


def _extend_right(text: str, end: int, lex: Lexicon) -> tuple[int, bool]:
    """Follow ``/Getty Images``, `` via Getty``, ``/Marko Djurica``, `` file``."""
    strong = False
    for _ in range(4):
        j = _JOIN.match(text, end)
        if j and lex.terms:
            t = lex.terms.match(text, j.end())
            if t:
                end, strong = t.end(), True
                continue
        if j and lex.qualifiers:
            q = lex.qualifiers.match(text, j.end())
            if q:
                end, strong = q.end(), True
                continue
        if lex.qualifiers:
            q = _SPACES.match(text[end : end + 3])
            if q:
                qq = lex.qualifiers.match(text, end + q.end())
                if qq:
                    end, strong = qq.end(), True
                    continue
        s = _SLASH_NAME.match(text, end)
        if s:
            name_end = s.end(1)
            if s.group(1)[:2].isupper():  # an ALL-CAPS name: "EPA-EFE/ANDREJ CUKIC"
                name_end = s.start(1) + len(s.group(1).rstrip())
            else:  # a capitalized name: take a second word unless it starts a sentence
                more = _NAME_AFTER.match(text, name_end)
                if more and not _starts_clause(text, more.end()):
                    name_end = more.end()
            end, strong = name_end, True
            continue
        break
    return end, strong


def _ends_in_join(before: str) -> bool:
    """Whether ``before`` ends in "/" or "via" and spaces (or tabs), perhaps with a
    final newline: what the patterns ``_QUALIFIER_BEFORE``, ``_NAME_BEFORE_SLASH``
    and ``_NAME_BEFORE_VIA`` all need (their ``$`` also matches before a final
    newline), tested with string methods before any of them is searched."""
    if before.rstrip(" \t").endswith(("/", "via")):
        return True
    return before.endswith("\n") and before[:-1].rstrip(" \t").endswith(("/", "via"))


def _starts_clause(text: str, pos: int) -> bool:
    """True when a lower-case word follows ``pos``: the previous capitalized word was
    the subject of a new sentence ("…Djurica Thousands of…")."""
    m = _LOWER_AFTER.match(text[pos : pos + 3])
    return bool(m)


def _agency_after_slash(text: str, start: int, end: int, lex: Lexicon) -> int:
    """For a ``Name/Agency`` token whose part after the last slash is a credit term,
    where that term ends ("…/Getty Images"); else -1."""
    slash = text.rfind("/", start, end)
    if slash < 0 or not lex.terms:
        return -1
    t = lex.terms.match(text, slash + 1)
    return t.end() if t and t.end() >= end else -1


def _label_credit(text: str, m: re.Match[str], lex: Lexicon) -> Credit:
    """``Photo: John Locher, AP`` — a label and the names that follow it."""
    pos = m.end()
    last_term_end = -1
    token_ends: list[int] = []
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    while len(token_ends) < 8:
        tok = _LABEL_TOKEN.match(text, pos, line_end)
        if not tok:
            break
        word = tok.group(1)
        if lex.terms:
            t = lex.terms.match(text, tok.start(1))
            if t:
                e, _ = _extend_right(text, t.end(), lex)
                last_term_end = e
                token_ends.append(e)
                pos = e
                if text[e : e + 1] in _SENT_END:
                    break
                continue
        bare = word.strip("(),;:")
        if not bare:
            pos = tok.end()
            continue
        if not (bare[0].isupper() or bare[0] in "©" or bare.lower() in _CONNECTORS or "/" in bare):
            break
        end = tok.end()
        stop = word[-1] in ".;:" and not re.fullmatch(r"[A-Z]\.", word)
        if word[-1] in ".;:,)":
            end -= 1
        token_ends.append(end)
        pos = tok.end()
        agency_end = _agency_after_slash(text, tok.start(1), end, lex)
        if agency_end > 0:  # "Kay Nietfeld/dpa": the agency after the slash closes it
            token_ends[-1] = max(end, agency_end)
            break
        if stop:
            break
    rest = text[m.end() : line_end]
    closing = 0 < len(rest.split()) <= 10 and rest.lstrip()[:1].isupper()
    if closing and ")" not in rest and not re.search(r"[.!?;]\s", rest + " "):
        end = m.end() + len(rest.rstrip())  # a credit closing its paragraph, as written
    elif last_term_end > 0:
        end = last_term_end
    elif token_ends:
        end = token_ends[min(len(token_ends), 3) - 1]
    else:
        end = m.end()
    start = m.start()
    paren = start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")"
    if paren:
        start, end = start - 1, end + 1
    return Credit(start, end, text[m.start() : end], strong=True, label=True, paren=paren)


def find_credits(
    text: str, lex: Lexicon, starts: list[tuple[int, str]] | None = None
) -> list[Credit]:
    """Every credit-like mention in ``text``, bleed or not (see :func:`is_bleed`).
    ``starts``: ``lex.starts(text)`` when the caller has it."""
    out: list[Credit] = []
    if starts is None:
        starts = lex.starts(text)
    if lex.labels:
        out.extend(_label_credit(text, m, lex) for m in lex.scan("labels", text, starts))
    if lex.terms:
        covered = [(c.start, c.end) for c in out]
        if lex.exclude:
            covered += [m.span() for m in lex.scan("exclude", text, starts)]
        last = -1
        for m in lex.scan("terms", text, starts):
            start = m.start()
            if start < last or (covered and any(s <= start < e for s, e in covered)):
                continue
            end, strong = _extend_right(text, m.end(), lex)
            before = text[max(0, start - 80) : start]
            if _ends_in_join(before):
                if lex.qualifiers:
                    q = _QUALIFIER_BEFORE.search(before)
                    if q and lex.qualifiers.fullmatch(q.group(1)):
                        start, strong = start - (len(before) - q.start()), True
                        before = text[max(0, start - 80) : start]
                n = _NAME_BEFORE_SLASH.search(before) or _NAME_BEFORE_VIA.search(before)
            else:
                n = None
            if (n and not lex.terms.search(n.group(1))) or n:
                start, strong = start - (len(before) - n.start()), True
            paren = start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")"
            if paren:
                start, end = start - 1, end + 1
            out.append(Credit(start, end, m.group(), strong=strong, paren=paren))
            last = end
    out.sort(key=lambda c: (c.start, -c.end))
    merged: list[Credit] = []
    for c in out:
        if merged and c.start < merged[-1].end:
            continue
        merged.append(c)
    return merged


def _prev_word(text: str, pos: int) -> tuple[str, str]:
    """The word before ``pos`` on its line and the non-space character before it."""
    i = pos
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    prev_char = text[i - 1] if i > 0 else "\n"
    m = _WORD_AT_END.search(text[max(0, i - 40) : i])
    return (m.group(1) if m else ""), prev_char


def _next_char(text: str, pos: int) -> tuple[str, int]:
    i = pos
    while i < len(text) and text[i] in " \t":
        i += 1
    return (text[i] if i < len(text) else "\n"), i


def _spells_acronym(acronym: str, before: str) -> bool:
    """True when the capitalized words just before spell the acronym's letters."""
    letters = [ch for ch in acronym if ch.isalpha()]
    if not 2 <= len(letters) <= 6 or not acronym.isupper():
        return False
    initials = [w[0] for w in re.findall(r"[A-Z][\w']*", before[-80:])]
    it = iter(initials[-(len(letters) + 3) :])
    return all(any(ch == i for i in it) for ch in letters)


def is_bleed(text: str, c: Credit, lex: Lexicon) -> float:
    """How likely the credit is scraped caption matter (0 = written on purpose).

    (What a test needs is found only when the tests before it have not decided:
    most credits are datelines or prose and return early.)"""
    # A dateline: "BELGRADE (Reuters) -", "PARIS, May 3 (AFP) —".
    dash = not c.label and _DASH_AFTER.match(text, c.end)
    if dash and c.paren:
        return 0.0
    line_start = text.rfind("\n", 0, c.start) + 1
    if dash and not _LOWER.search(text, line_start, c.start):
        return 0.0
    head = text[line_start : c.start]
    # A byline: "By Jane Smith, Reuters".
    if _BYLINE.match(head) and len(head.split()) <= 8:
        return 0.0
    # An agency in prose: "an AFP photographer", "Reuters reported", "AFP's bureau".
    if _POSSESSIVE.match(text, c.end):
        return 0.0
    nxt, _ = _next_char(text, c.end)
    prose_after = nxt.islower() or nxt.isdigit() or (nxt in ",;:" and not c.label)
    if prose_after and not (c.label and nxt.islower() and c.end - c.start > 12):
        return 0.0
    if c.label:
        return 0.95
    if c.paren:
        # "Agence France-Presse (AFP) said" was handled above; "(AFP)" after its
        # own long form is an abbreviation, not a credit.
        window = text[max(line_start, c.start - 60) : c.start]
        longer = [f for f in lex.forms.get(c.term.lower(), ()) if len(f) > len(c.term)]
        if any(re.search(r"(?<!\w)" + re.escape(f) + r"\W*$", window) for f in longer):
            return 0.0
        if _spells_acronym(text[c.start + 1 : c.end - 1], window):
            return 0.0  # "Viet Nam News Agency (VNA)": an abbreviation being defined
        return 0.9 if (nxt.isupper() or nxt == "\n" or nxt in _SENT_END) else 0.0
    prev, prev_char = _prev_word(text, c.start)
    prose = prev.lower() in PROSE_BEFORE
    if prose:
        return 0.0
    glued = prev_char.isalnum() or prev_char in "”\"’')]»"
    at_end = nxt == "\n" or nxt in _SENT_END
    if not c.label and (text[c.end : c.end + 1] in "\"”’'" or prev_char in "\"“‘'"):
        return 0.0  # a quoted name: "“Reuters” reported"
    if not c.label and not head.strip() and nxt != "\n":
        return 0.0  # a source line opening a line: "Xinhua News Agency BEIJING, Feb. 11 -"
    line_end = text.find("\n", c.start)  # (before c.end when the credit spans lines)
    rest = text[c.end : len(text) if line_end < 0 else line_end].split()
    if not c.strong and 1 <= len(rest) <= 2 and all(w[:1].isupper() for w in rest):
        return 0.0  # "… - China Xinhua Network": the end of a name, not a new sentence
    if not c.strong and _NAME_PART.match(text, c.end):
        return 0.0  # "Sputnik V", "Getty Images 2": part of a name
    if glued and not c.strong and nxt in _SENT_END and prev[:1].isupper():
        return 0.45  # "…said Michael Bloomberg." is a name, not a credit
    if glued and (nxt.isupper() or nxt in '“"‘«' or at_end):
        return 0.95 if c.strong else 0.85
    if prev_char in _SENT_END + "\n" and nxt.isupper() and not c.strong:
        # A credit standing between two sentences: "…last month. Getty Thousands…".
        # A capitalized word after it may also be part of a name ("Reuters Breakingviews").
        return 0.6
    if prev_char in _SENT_END + "\n" and (at_end or nxt.isupper()):
        if re.search(r"(?:-|–|—|\bwith)\s*$", text[max(0, c.start - 8) : c.start], re.I):
            return 0.0  # "— AFP" or "With AFP" closing a story: a source line
        return 0.75 if c.strong else 0.55
    if c.strong and not prose:
        return 0.7
    return 0.0


# -- caption style ----------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]*")
_BODY_VERBS = re.compile(
    r"\b(?:said|says|say|told|tells|added|according to|explained|argued|insisted|warned)\b",
    re.IGNORECASE,
)
_PERSONAL = re.compile(r"\b(?:I|we|We|you|You|my|our|Our|us)\b")
_QUOTES = re.compile(r"[“”\"]")
_DATE_TAIL = re.compile(
    r"\b(?:(?:on|in)\s+)?(?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day),?\s+)?"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b(?:on|this|last)\s+(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"
)
# Past-tense markers: body sentences report what happened; captions describe a
# picture in the present tense ("Protesters march…", "The Serbs attend…").
_PAST = re.compile(
    r"\b(?:was|were|had|did|said|told|went|came|made|took|gave|saw|met|won|lost|began|"
    r"became|left|held|led|fell|rose|sent|kept|brought|thought|found)\b|"
    r"(?<!\ba )(?<!\ban )(?<!\bthe )\b[a-z]{3,}ed\b"
)
# "WASHINGTON (AP) —", "PARIS, May 3 (AFP) -", "BERLIN --": a wire dateline.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'’-]{2,}(?:,[^()\n—–]{0,40})?(?:\([^)\n]{1,40}\))?\s*(?:-{1,2}|–|—)\s"
)


_LAST_WORD = re.compile(r"([\w'’]+)\W*$")


def _cues(text: str, lex: Lexicon) -> set[str]:
    """Caption cue words, not counting a verb used as a noun or an infinitive
    ("the march", "to address")."""
    if not lex.cues:
        return set()
    out = set()
    for m in lex.cue_matches(text):
        prev = _LAST_WORD.search(text[max(0, m.start() - 20) : m.start()])
        if prev and prev.group(1).lower() in PROSE_BEFORE and m.group()[:1].isalpha():
            continue
        out.add(m.group().lower())
    return out


def caption_style(text: str, lex: Lexicon) -> float:
    """How much ``text`` reads like a photo caption rather than a body sentence:
    present-tense picture verbs and position markers (from the glossary's ``cue``
    rows), no past tense, short, no quotes or reporting verbs. 0..1."""
    words = _WORD.findall(text)
    n = len(words)
    if n == 0:
        return 0.0
    if _DATELINE.match(text):
        return 0.0
    score = 0.2
    cues = _cues(text, lex)
    if cues:
        score += 0.35 + 0.1 * min(2, len(cues) - 1)
    if n <= 12:
        score += 0.2
    elif n <= 22:
        score += 0.1
    elif n > 35:
        score -= 0.2
    if n >= 3 and not _PAST.search(text):
        score += 0.15
    if text.rstrip()[-1:] not in _SENT_END:
        score += 0.1
    if _DATE_TAIL.search(text):
        score += 0.1
    if _BODY_VERBS.search(text):
        score -= 0.3
    if _QUOTES.search(text):
        score -= 0.2
    if _PERSONAL.search(text):
        score -= 0.2
    if "?" in text:
        score -= 0.3
    return max(0.0, min(1.0, score))


# -- similarity -----------------------------------------------------------------------

_NORM_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    """Case, punctuation and whitespace folded: the key for verbatim repeats.

    The word-character runs of the lower-cased text, joined by single spaces: the
    same as replacing every run of other non-space characters by a space and
    collapsing the whitespace, in one regex pass."""
    return " ".join(_NORM_WORD.findall(text.lower()))


# Punctuation and symbols common in news text (none of them a word character), which
# :func:`normalize_all` turns into spaces with ``str.replace``.
_PUNCTUATION = tuple(
    "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"
    "\u00a1\u00a3\u00a7\u00a9\u00ab\u00ae\u00b0\u00b7\u00bb\u00bf"
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d\u201e"
    "\u2022\u2026\u2032\u2033\u2039\u203a\u20ac\u2122"
)


# What :func:`normalize_all` does to each byte of UTF-8 text: ASCII capitals are
# lowered, the other ASCII word characters (letters, digits, "_") and NUL stay, all
# other ASCII characters become spaces; bytes of multi-byte sequences stay.
_UTF8_NORM = bytes(
    x + 32
    if 0x41 <= x <= 0x5A
    else x
    if x >= 0x80 or x == 0 or chr(x).isalnum() or chr(x) == "_"
    else 0x20
    for x in range(256)
)
_ASCII_BYTES = bytes(range(0x80))
_SPACE_RUNS = re.compile(b"  +")


def normalize_all(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, with a few passes in C over all the texts
    joined by NUL instead of a regex pass over each: the text is encoded as UTF-8;
    each distinct non-ASCII character is replaced by its lower-case form when that
    is a letter or digit and by a space otherwise; one byte table lowers the ASCII
    capitals and turns every other ASCII character but word characters and NUL into
    a space; runs of spaces become one, and the result is split at NUL and each part
    stripped of its outer space.

    Exact: ``normalize`` keeps the runs of word characters (letters, digits, "_")
    of the lower-cased text. Lower-casing maps each character alone except the
    capital sigma (final-sigma rule), which sends the texts to
    :func:`_normalize_each`, as does a character lowering to more than one or to
    one that lowers again (so each character is either a word character after
    lowering, kept lowered, or a separator, made a space, and no replacement
    changes what another one made). UTF-8 is self-synchronizing, so replacing a
    character's bytes replaces that character only, and the bytes left after
    dropping the ASCII ones are the non-ASCII characters. Splitting at NUL gives
    the texts back (the count of parts shows there was no NUL inside a text)."""
    if len(texts) < 4:
        return [normalize(t) for t in texts]
    joined = "\0".join(texts)
    try:
        data = joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _normalize_each(texts)
    if len(data) != len(joined):
        for ch in set(data.translate(None, _ASCII_BYTES).decode("utf-8")):
            low = ch.lower()
            if len(low) != 1 or ch == "\u03a3" or low.lower() != low:
                return _normalize_each(texts)
            if low.isalnum():
                if low != ch:
                    data = data.replace(ch.encode("utf-8"), low.encode("utf-8"))
            else:
                data = data.replace(ch.encode("utf-8"), b" ")
    data = _SPACE_RUNS.sub(b" ", data.translate(_UTF8_NORM))
    parts = data.decode("utf-8").split("\0")
    if len(parts) != len(texts):
        return [normalize(t) for t in texts]
    return [part.strip(" ") for part in parts]


def _normalize_each(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, with one ``lower`` and one ``replace`` per
    punctuation mark for all the texts: as :func:`normalize_all`, but each text's
    words are split at whitespace and checked alone (``isalnum``); a text with
    another character (an unlisted symbol, an underscore) is normalized the plain
    way."""
    joined = "\0".join(texts).lower()
    for mark in _PUNCTUATION:
        joined = joined.replace(mark, " ")
    parts = joined.split("\0")
    if len(parts) != len(texts):
        return [normalize(t) for t in texts]
    out = []
    for text, part in zip(texts, parts, strict=True):
        words = part.split()
        if words and not "".join(words).isalnum():
            out.append(normalize(text))
        else:
            out.append(" ".join(words))
    return out


class _ChrF:
    """sacrebleu's chrF (character 6-grams, beta 2) with each text's n-grams
    extracted once: a document compares every sentence with many others, and
    ``CHRF.sentence_score`` would re-extract them for every pair.

    The n-grams cost ~0.5 kB per character of text, and reuse happens inside a
    document, so the cache is bounded by characters (:attr:`MAX_CHARS`, a few dozen
    stories), not by entries: a 50,000-entry bound let a long full-mode run grow
    past 1 GB."""

    MAX_CHARS = 100_000

    def __init__(self) -> None:
        from sacrebleu.metrics import CHRF

        self.metric = CHRF()
        # The defaults this class computes with (sacrebleu's chrF: no word n-grams,
        # effective-order averaging, whitespace ignored).
        assert not self.metric.word_order and not self.metric.eps_smoothing
        assert not self.metric.whitespace
        self.order = self.metric.char_order
        self.factor = self.metric.beta**2
        self.cache: dict[str, list[Any]] = {}  # text -> see _entry
        import numpy as np

        self.limits = np.array(_ORDER_LIMITS, dtype=np.uint64)  # (not cast to float)
        self.chars = 0

    def ngrams(self, text: str) -> list[tuple[Counter[str], int]]:
        """Each order's n-gram counts and their total, as sacrebleu's
        ``extract_all_char_ngrams`` gives them (whitespace removed): the n-grams of
        order n are those of order n - 1 each extended by the next character, built
        in C by ``map``; the total of order n is ``len - n + 1`` (or 0)."""
        entry = self._entry(text)
        if entry[2] is None:
            line = "".join(text.split())
            size = len(line)
            got = [(Counter(line), size)]
            grams: Iterable[str] = line
            for n in range(2, self.order + 1):
                grams = list(map(str.__add__, grams, line[n - 1 :]))
                got.append((Counter(grams), max(0, size - n + 1)))
            entry[2] = got
        return entry[2]

    def _entry(self, text: str) -> list[Any]:
        """The cache entry of a text: [its length without whitespace, its packed
        n-grams (see :meth:`packed`) or None, its n-gram Counters or None]."""
        entry = self.cache.get(text)
        if entry is None:
            self.chars += len(text)
            if self.chars > self.MAX_CHARS:
                self.cache.clear()
                self.chars = len(text)
            line = "".join(text.split())
            entry = self.cache[text] = [len(line), self.packed(line), None]
        return entry

    def packed(self, line: str) -> tuple[Any, Any, Any] | None:
        """The distinct n-grams of ``line`` (all orders) as sorted integers, their
        counts, and where each order's n-grams begin in them (``ends[n - 1]`` to
        ``ends[n]`` for order n); None when a character is NUL or beyond U+03FF.

        Why: a Counter per order costs a string and a dict entry per n-gram; numpy
        sorts integers in C. Exact: a character below 1024 takes 10 bits, so an
        n-gram of up to 6 of them is one 60-bit integer; with no NUL its first
        character is at least 1, so an n-gram of order n lies in [1024**(n - 1),
        1024**n): the orders cannot collide and sort one after the other, without an
        order tag. All the orders are written into one buffer (no concatenation) and
        counted without ``np.unique``'s Python-level overhead."""
        import numpy as np

        size = len(line)
        if not line.isascii() and (max(line) >= "\u0400"):
            return None
        if "\0" in line or self.order > len(_ORDER_LIMITS):
            return None
        codes = np.frombuffer(line.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        top = min(self.order, size)
        total = top * size - top * (top - 1) // 2
        grams = np.empty(total, dtype=np.uint64)
        grams[:size] = codes
        prev = grams[:size]
        pos = size
        for n in range(2, top + 1):
            out = grams[pos : pos + size - n + 1]
            np.left_shift(prev[:-1], _SHIFT, out=out)
            np.bitwise_or(out, codes[n - 1 :], out=out)
            prev = out
            pos += size - n + 1
        grams.sort()
        first = np.empty(total, dtype=bool)
        first[:1] = True
        np.not_equal(grams[1:], grams[:-1], out=first[1:])
        at = first.nonzero()[0]  # (the methods skip numpy's Python-level wrappers)
        counts = np.empty(at.size, dtype=np.int64)
        np.subtract(at[1:], at[:-1], out=counts[:-1])
        counts[-1:] = total - at[-1:]
        keys = grams[at]
        # ends[n] = how many distinct n-grams have order n or less (0 for n = 0).
        ends = np.zeros(self.order + 1, dtype=np.intp)
        ends[1:] = keys.searchsorted(self.limits[: self.order])
        return keys, counts, ends

    def score(self, a: str, b: str) -> float:
        """Mean of chrF(a | b) and chrF(b | a), 0..100.

        sacrebleu's ``CHRF._compute_f_score`` for both directions, with the same
        float operations in the same order: the precision of one direction is the
        recall of the other, so one pass over the orders gives both."""
        ea, eb = self._entry(a), self._entry(b)
        size_a, size_b = ea[0], eb[0]
        matches: list[int]
        if ea[1] is not None and eb[1] is not None:
            import numpy as np

            (ka, ca, ends), (kb, cb, _) = ea[1], eb[1]
            if not ka.size or not kb.size:
                matches = [0] * self.order
            else:
                # The n-grams of a also in b: where each would sit in b's sorted keys;
                # the matched count of each is the smaller count, 0 when b lacks it.
                at = kb.searchsorted(ka)
                np.minimum(at, kb.size - 1, out=at)
                common = np.minimum(ca, cb[at])
                common *= kb[at] == ka
                # Sums per order: the running total at each order's end.
                running = np.zeros(ka.size + 1, dtype=np.int64)
                common.cumsum(out=running[1:])
                cut = running[ends].tolist()
                matches = [cut[n] - cut[n - 1] for n in range(1, self.order + 1)]
        else:
            matches = []
            for (ca_, _), (cb_, _) in zip(self.ngrams(a), self.ngrams(b), strict=True):
                common_ = ca_.keys() & cb_.keys()  # in C, like the sum below
                matches.append(
                    sum(map(min, map(ca_.__getitem__, common_), map(cb_.__getitem__, common_)))
                )
        sum_ab = sum_ba = 0.0  # sums of match / |a| and of match / |b|
        orders = 0
        for n, match in enumerate(matches, 1):
            na, nb = size_a - n + 1, size_b - n + 1
            if na > 0 and nb > 0:
                sum_ab += match / na
                sum_ba += match / nb
                orders += 1
        if not orders:
            return 0.0
        prec, rec = sum_ab / orders, sum_ba / orders
        return float((self._f(prec, rec) + self._f(rec, prec)) / 2)

    def _f(self, prec: float, rec: float) -> float:
        """The end of ``CHRF._compute_f_score``: F-beta of the averaged precision
        and recall."""
        if prec + rec:
            score = (1 + self.factor) * prec * rec
            score /= (self.factor * prec) + rec
            return 100 * score
        return 0.0


_CODE_BITS = 10  # bits per character in a packed n-gram
_SHIFT = _CODE_BITS  # (a Python int: numpy keeps uint64 for a shift by it)
# 1024**n: the packed n-grams of order n lie below it, those of order n + 1 above.
_ORDER_LIMITS = [1 << (_CODE_BITS * n) for n in range(1, 7)]

_CHRF: list[_ChrF] = []


def chrf(a: str, b: str) -> float:
    """Symmetric chrF (0..100) of two texts, as sacrebleu computes it."""
    if not _CHRF:
        _CHRF.append(_ChrF())
    return _CHRF[0].score(a, b)


PREFILTER = 55.0  # rapidfuzz Indel ratio; unrelated sentences score about 40-50
TOP_K = 5  # candidates kept per sentence
WINDOW = 1000  # in long documents, compare each sentence with this many before it
_BLOCK = 500


def similar_pairs(
    texts: Sequence[str],
    *,
    min_chrf: float,
    prefilter: float = PREFILTER,
    extra: Iterable[tuple[int, int]] = (),
) -> dict[tuple[int, int], float]:
    """Pairs (i, j), i < j, whose chrF is at least ``min_chrf``. rapidfuzz's Indel
    ratio (C, blockwise) prunes the pairs first, so long documents stay cheap;
    ``extra`` adds candidate pairs found otherwise (embedding similarity)."""
    return PairScorer(texts, prefilter=prefilter).pairs(min_chrf, extra)


class PairScorer:
    """:func:`similar_pairs` for one list of texts, asked several times (thresholds
    and ``extra`` pairs differ between the checks): the normalized texts, the
    rapidfuzz candidates and each pair's chrF are computed once, on first use. Every
    answer is what :func:`similar_pairs` gives for the same arguments."""

    def __init__(
        self,
        texts: Sequence[str],
        *,
        prefilter: float = PREFILTER,
        norm: list[str] | None = None,  # normalize() of each text, when known
    ) -> None:
        self.texts = texts
        self.prefilter = prefilter
        self._norm = norm
        self._pool: list[int] | None = None
        self._base: set[tuple[int, int]] | None = None
        self._scores: dict[tuple[int, int], float | None] = {}

    @property
    def norm(self) -> list[str]:
        """``normalize`` of each text."""
        if self._norm is None:
            self._norm = normalize_all(self.texts)
        return self._norm

    def pool(self) -> list[int]:
        """:func:`embedding_candidates` of the texts, computed once."""
        if self._pool is None:
            self._pool = embedding_candidates(self.texts)
        return self._pool

    def _candidates(self) -> set[tuple[int, int]]:
        if self._base is None:
            self._base = _fuzzy_candidates(self.norm, self.prefilter)
        return self._base

    def score(self, i: int, j: int) -> float | None:
        """chrF of a candidate pair (100 for a verbatim one); None when it cannot be a
        pair (an empty text, or one less than half as long as the other)."""
        key = (i, j)
        if key in self._scores:
            return self._scores[key]
        norm = self.norm
        a, b = norm[i], norm[j]
        score: float | None
        if not a or not b:
            score = None
        elif a == b:
            score = 100.0
        else:
            la, lb = len(a), len(b)
            score = None if min(la, lb) / max(la, lb) < 0.5 else chrf(a, b)
        self._scores[key] = score
        return score

    def pairs(
        self, min_chrf: float, extra: Iterable[tuple[int, int]] = ()
    ) -> dict[tuple[int, int], float]:
        out: dict[tuple[int, int], float] = {}
        if len(self.texts) < 2:
            return out
        candidates = self._candidates() | {(min(p), max(p)) for p in extra if p[0] != p[1]}
        norm = self.norm
        for i, j in sorted(candidates):
            score = self.score(i, j)
            if score is None:
                continue
            if score >= min_chrf or norm[i] == norm[j]:  # verbatim: always a pair
                out[(i, j)] = score
        return out


def _fuzzy_candidates(norm: Sequence[str], prefilter: float) -> set[tuple[int, int]]:
    """Verbatim repeats with their first occurrence, and for each later text the
    ``TOP_K`` closest earlier ones by rapidfuzz's Indel ratio (at least
    ``prefilter``, within ``WINDOW``)."""
    candidates: set[tuple[int, int]] = set()
    n = len(norm)
    if n < 2:
        return candidates
    import numpy as np
    from rapidfuzz import fuzz, process

    # Verbatim repeats pair with their first occurrence directly; only distinct
    # texts go through the fuzzy matrix (a text repeated thousands of times would
    # otherwise make every pair a candidate).
    if len(set(norm)) == n:  # no repeat (most documents): every text is distinct
        distinct: Sequence[int] = range(n)
        texts_d = list(norm)
    else:
        first_of: dict[str, int] = {}
        distinct = []
        for k, t in enumerate(norm):
            if t in first_of:
                candidates.add((first_of[t], k))
            else:
                first_of[t] = k
                distinct.append(k)
        texts_d = [norm[k] for k in distinct]
    nd = len(texts_d)
    best: dict[int, list[tuple[int, int]]] = {}  # j -> [(ratio, i)], the closest few
    for lo in range(0, nd, _BLOCK):
        hi = min(nd, lo + _BLOCK)
        first = max(0, lo - WINDOW)
        rows = texts_d[lo:hi]
        # One list for both sides (a single block): rapidfuzz then scores each
        # unordered pair once, the ratio being symmetric.
        single = first == lo
        matrix = process.cdist(
            rows,
            rows if single else texts_d[first:hi],
            scorer=fuzz.ratio,
            score_cutoff=prefilter,
            dtype=np.uint8,  # the dtype object: a string costs a numpy lookup per call
            workers=1,
        )
        rs, cs = matrix.nonzero()
        if single and len(rs) <= len(rows):
            # No pair (most documents). Exact: the matrix of one list is symmetric and
            # its diagonal is all 100 (a text against itself; rapidfuzz takes no
            # cutoff above 100), so every pair adds two non-zero cells to those.
            continue
        ratios = matrix[rs, cs].tolist()
        for r, c, ratio in zip(rs.tolist(), cs.tolist(), ratios, strict=True):
            i, j = distinct[first + c], distinct[lo + r]
            if i < j:
                best.setdefault(j, []).append((ratio, i))
    for j, found in best.items():  # lists of similar lines stay linear, not quadratic
        candidates.update((i, j) for _, i in sorted(found, reverse=True)[:TOP_K])
    return candidates


# -- the document analysis ------------------------------------------------------------


@dataclass(frozen=True)
class Caption:
    """A caption found in the body: ``start`` is its first word, ``end`` the end of
    its credit (or of the caption when it has none)."""

    start: int
    end: int
    credit: Credit | None
    confidence: float
    style: float
    label: bool = False  # introduced by a caption label ("Image caption")

    @property
    def text_end(self) -> int:
        """End of the caption words, before the credit."""
        return self.credit.start if self.credit else self.end


@dataclass
class Analysis:
    credits: list[Credit]
    captions: list[Caption]
    segments: list[Segment]
    caption_of: dict[int, Caption]  # segment index -> caption it is the text of
    plain: bool = False  # the segments are the document's sentences, as they are
    _echoes_found: bool = field(default=False, repr=False)
    _echo_plan: tuple[list[int], list[int]] | None = field(default=None, repr=False)
    echoes: dict[int, tuple[int, float]] = field(default_factory=dict)  # seg -> (orig, score)
    _scorer: PairScorer | None = field(default=None, repr=False)

    def scorer(self) -> PairScorer:
        """Similar pairs among the segments, shared by the caption and repetition checks."""
        if self._scorer is None:
            self._scorer = PairScorer([s.text for s in self.segments])
        return self._scorer


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    return start, end


def _internal_start(text: str, start: int, end: int, lex: Lexicon) -> int:
    """Where a caption glued to the end of a body sentence begins, if the segment is
    too long to be a caption: the capitalized word after an unpunctuated lower-case
    word from which the rest reads most like a caption."""
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= 30:
        return start
    best, best_score = start, 0.0
    for k in range(5, len(words) - 2):
        w, prev = words[k], words[k - 1]
        if not w.group()[0].isupper() or not prev.group()[0].islower():
            continue
        if text[prev.end() : w.start()].strip():
            continue  # punctuation between: a real boundary the splitter would know
        score = caption_style(text[w.start() : end], lex)
        if score > best_score and score >= 0.6:
            best, best_score = w.start(), score
    return best


def _glued_end(text: str, start: int, end: int) -> int:
    """Where a caption without final punctuation runs into the next sentence: the
    first capitalized word after an unpunctuated lower-case content word."""
    words = list(_WORD.finditer(text, start, end))
    for k in range(4, len(words)):
        w, prev = words[k], words[k - 1]
        if not w.group()[0].isupper() or not prev.group()[0].islower():
            continue
        if prev.group().lower() in PROSE_BEFORE or text[prev.end() : w.start()].strip():
            continue
        return prev.end()
    return end


def analyze(doc: Document, ctx: Context) -> Analysis:
    return doc.memo("captions.analysis", lambda: _analyze(doc, ctx))


def _analyze(doc: Document, ctx: Context) -> Analysis:
    text = doc.text
    lex = lexicon(ctx)
    starts = lex.starts(text)
    credits = [c for c in find_credits(text, lex, starts) if c.end > c.start]
    scored = [(c, is_bleed(text, c, lex)) for c in credits]
    bleeding = [(c, p) for c, p in scored if p >= 0.5]
    cuts = sorted({c.end for c, _ in bleeding} | {c.start for c, _ in bleeding})
    # Caption labels ("Image caption …"): the caption runs to the sentence end.
    label_starts: dict[int, int] = {}
    for m in lex.scan("caption_labels", text, starts):
        label_starts[m.start()] = m.end()
    if not cuts and not label_starts:
        # No caption (most stories): the segments are the sentences, which are
        # trimmed already, and there is no echo to look for.
        return Analysis(credits, [], list(doc.sentences), {}, plain=True)
    # Sentences, cut again after each glued credit and before it.
    pieces: list[Segment] = []
    for sent in doc.sentences:
        pos = sent.start
        for cut in cuts:
            if sent.start < cut < sent.end:
                s, e = _trim(text, pos, cut)
                if s < e:
                    pieces.append(Segment(s, e, text[s:e]))
                pos = cut
        s, e = _trim(text, pos, sent.end)
        if s < e:
            pieces.append(Segment(s, e, text[s:e]))
    credit_at = {c.start: (c, p) for c, p in bleeding}
    segments: list[Segment] = []
    captions: list[Caption] = []
    caption_of: dict[int, Caption] = {}
    prev_end = -1
    for piece in pieces:
        hit = credit_at.get(piece.start)
        if hit is None:
            # A label inside a piece starts a caption there.
            inner = [p for p in label_starts if piece.start <= p < piece.end]
            if inner and inner[0] > piece.start:
                s, e = _trim(text, piece.start, inner[0])
                segments.append(Segment(s, e, text[s:e]))
                piece = Segment(inner[0], piece.end, text[inner[0] : piece.end])
            if inner:
                cut = _glued_end(text, piece.start, piece.end)
                if cut < piece.end:
                    rest = Segment(*_trim(text, cut, piece.end), "")
                    piece = Segment(piece.start, cut, text[piece.start : cut])
                    pieces_after = [Segment(rest.start, rest.end, text[rest.start : rest.end])]
                else:
                    pieces_after = []
                segments.append(piece)
                style = caption_style(piece.text, lex)
                cap = Caption(piece.start, piece.end, None, 0.9, style, label=True)
                captions.append(cap)
                caption_of[len(segments) - 1] = cap
                segments.extend(pieces_after)
            else:
                segments.append(piece)
            prev_end = piece.end
            continue
        credit, p = hit
        # The caption is the piece before the credit when nothing ends it first.
        gap = text[prev_end : credit.start] if prev_end >= 0 else ""
        glued = (
            prev_end >= 0
            and segments
            and not gap.strip()
            and text[prev_end - 1 : prev_end] not in _SENT_END
        )
        if glued and segments and segments[-1].end == prev_end:
            cap_seg = segments[-1]
            index = len(segments) - 1
            cap_start = _internal_start(text, cap_seg.start, cap_seg.end, lex)
            if cap_start > cap_seg.start:
                s, e = _trim(text, cap_seg.start, cap_start)
                segments[-1] = Segment(s, e, text[s:e])
                segments.append(Segment(cap_start, cap_seg.end, text[cap_start : cap_seg.end]))
                index = len(segments) - 1
            cap_text = text[cap_start : cap_seg.end]
            style = caption_style(cap_text, lex)
            cap = Caption(cap_start, credit.end, credit, p, style)
            captions.append(cap)
            caption_of[index] = cap
        elif segments and segments[-1].end <= credit.start:
            # "…last month. Getty Thousands…": the sentence before is the caption only
            # if it reads like one; otherwise report the credit alone.
            before = segments[-1]
            style = caption_style(before.text, lex)
            if style >= 0.6 and len(_WORD.findall(before.text)) <= 25:
                cap = Caption(before.start, credit.end, credit, p, style)
                caption_of[len(segments) - 1] = cap
            else:
                cap = Caption(credit.start, credit.end, credit, p, style)
            captions.append(cap)
        else:
            captions.append(Caption(credit.start, credit.end, credit, p, 0.0))
        # The credit itself is not a sentence to compare.
        prev_end = credit.end
        rest_start, rest_end = _trim(text, credit.end, piece.end)
        if rest_start < rest_end:
            segments.append(Segment(rest_start, rest_end, text[rest_start:rest_end]))
            prev_end = rest_end
    return Analysis(credits, captions, segments, caption_of)


ECHO_CHRF = 55.0
ECHO_CHRF_WITH_MODEL = 40.0
ECHO_COSINE = 0.85


def echoes(a: Analysis, ctx: Context) -> dict[int, tuple[int, float]]:
    """``a.echoes``, found on first use (only MT302 reports them)."""
    if not a._echoes_found:
        a._echoes_found = True
        _find_echoes(a, ctx)
    return a.echoes


def _echo_plan(a: Analysis, ctx: Context) -> tuple[list[int], list[int]]:
    """The captions and the sentences whose MiniLM similarity can decide an echo
    (rows and columns of the similarity matrix); computed once per document.

    The model's word counts only for a caption-sentence pair that reaches the loose
    chrF floor (:meth:`PairScorer.pairs` drops the others), and only a pair of one
    caption and one sentence that is not a caption can be an echo; so the matrix
    holds the captions and pool sentences that have such a partner, and every echo
    is the one the whole matrix (captions against the whole pool) would give."""
    if a._echo_plan is None:
        loose = float(ctx.option("echo_chrf_with_model", ECHO_CHRF_WITH_MODEL, "MT302"))
        caps = sorted(a.caption_of)
        pool = sorted(set(a.scorer().pool()) | set(caps))
        if len(caps) * len(pool) > MAX_PLANNED_PAIRS:
            a._echo_plan = (caps, pool)
        else:
            scorer = a.scorer()
            rows: set[int] = set()
            cols: set[int] = set()
            for i in caps:
                for j in pool:
                    if j == i or j in a.caption_of:
                        continue
                    score = scorer.score(min(i, j), max(i, j))
                    if score is not None and score >= loose:
                        rows.add(i)
                        cols.add(j)
            a._echo_plan = (sorted(rows), sorted(cols))
    return a._echo_plan


def _find_echoes(a: Analysis, ctx: Context) -> None:
    """For each caption, the sentence it nearly repeats (chrF, plus MiniLM cosine
    similarity when the model is on)."""
    if not a.caption_of:
        return
    min_chrf = float(ctx.option("echo_chrf", ECHO_CHRF, "MT302"))
    loose = float(ctx.option("echo_chrf_with_model", ECHO_CHRF_WITH_MODEL, "MT302"))
    cosine = float(ctx.option("echo_cosine", ECHO_COSINE, "MT302"))
    cos: dict[tuple[int, int], float] = {}
    if ctx.embedder is not None:
        texts = [s.text for s in a.segments]
        rows, cols = _echo_plan(a, ctx)
        if rows and cols:
            sims = ctx.embedder.similarity([texts[i] for i in rows], [texts[j] for j in cols])
            for row, i in enumerate(rows):
                for col, j in enumerate(cols):
                    if i != j and sims[row][col] >= cosine:
                        cos[(min(i, j), max(i, j))] = float(sims[row][col])
    floor = loose if ctx.embedder is not None else min_chrf
    pairs = a.scorer().pairs(floor, cos)
    for (i, j), score in pairs.items():
        for cap_index, other in ((j, i), (i, j)):
            if cap_index not in a.caption_of or other in a.caption_of:
                continue
            similar = score >= min_chrf or (i, j) in cos
            if similar and (cap_index not in a.echoes or a.echoes[cap_index][1] < score):
                a.echoes[cap_index] = (other, score)


def segments(doc: Document, ctx: Context) -> list[Segment]:
    """Sentences of ``doc``, split at glued credits (shared with MT6xx)."""
    return analyze(doc, ctx).segments


def caption_segments(doc: Document, ctx: Context) -> set[int]:
    """Indices into :func:`segments` of the sentences that are captions."""
    return set(analyze(doc, ctx).caption_of)


_CONTENT = re.compile(r"[^\W\d_]{4,}")
MIN_SHARED_WORDS = 3
_COMMON_IN = 50  # a word in more texts than this says nothing about similarity


def embedding_candidates(texts: Sequence[str], min_shared: int = MIN_SHARED_WORDS) -> list[int]:
    """Indices of the texts that share at least ``min_shared`` content words with
    some other text: the only ones worth sending to the model. A paraphrase or an
    echo keeps names, numbers and key words, so texts that share none of them are
    not near-duplicates, and most sentences of a story never reach the model."""
    words = [frozenset(map(str.lower, _CONTENT.findall(t))) for t in texts]
    where: dict[str, list[int]] = {}
    for k, ws in enumerate(words):
        for w in ws:
            where.setdefault(w, []).append(k)
    out = []
    for k, ws in enumerate(words):
        shared: Counter[int] = Counter()
        for w in ws:
            others = where[w]
            if len(others) <= _COMMON_IN:
                shared.update(others)  # counted in C; k itself is dropped below
        del shared[k]
        if shared and max(shared.values()) >= min_shared:
            out.append(k)
    return out


# Planning which texts go to the model costs a chrF per pool pair; a pool with more
# pairs than this goes to the model whole.
MAX_PLANNED_PAIRS = 2000


def model_members(scorer: PairScorer, pool: Sequence[int], floor: float) -> list[int]:
    """The members of ``pool`` (indices of the scorer's texts) whose embeddings can
    change a result: those with a pool partner that reaches ``floor`` chrF.

    The checks trust MiniLM only for a pair that also reaches the loose chrF floor
    (:meth:`PairScorer.pairs` drops the rest, whatever their cosine), so a text with
    no such partner cannot change a finding and is not encoded; every result is the
    one the similarity over the whole pool gives. Most sentences of a story have no
    partner that close, so few reach the model."""
    if len(pool) * (len(pool) - 1) // 2 > MAX_PLANNED_PAIRS:
        return list(pool)
    keep: set[int] = set()
    for x, i in enumerate(pool):
        for j in pool[x + 1 :]:
            score = scorer.score(i, j) if i < j else scorer.score(j, i)
            if score is not None and score >= floor:
                keep.update((i, j))
    return [k for k in pool if k in keep]


def prepare_embeddings(docs: Sequence[Document], ctx: Context) -> None:
    """Encode, in one model call, the batch's texts whose similarity can decide a
    caption echo (see :func:`_echo_plan`; the cache keeps them for the check)."""
    if ctx.embedder is None:
        return
    texts: list[str] = []
    for doc in docs:
        a = analyze(doc, ctx)
        if a.caption_of:
            rows, cols = _echo_plan(a, ctx)
            if rows and cols:
                texts.extend(a.segments[k].text for k in rows + cols)
    if texts:
        ctx.embedder.encode(texts)


# -- the checks -------------------------------------------------------------------------


def _credit_words(caption: Caption, text: str) -> str:
    return text[caption.credit.start : caption.credit.end] if caption.credit else ""


@register(
    "MT301",
    "credit-bleed",
    category="caption",
    severity="major",
    supersedes=("MT6",),
    prepare=prepare_embeddings,
)
def credit_bleed(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A photo caption and its credit left in the body text, glued to the sentences
    around it ("…rally last month Getty Thousands of…").

    Why: scrapers keep the caption under a picture as running text; the credit
    (Getty, AFP, Reuters/Name) is the tell, and the caption before it is not part of
    the story. Datelines, bylines and agencies named in prose are left alone.

    Bad: Talks stalled again on Friday. Protesters attend a rally in Belgrade on Sunday Getty Thousands of people marched through the capital, according to Reuters.
    Good: Talks stalled again on Friday. Thousands of people marched through the capital, according to Reuters.
    """
    a = analyze(doc, ctx)
    for cap in a.captions:
        if cap.credit is None:
            continue
        credit = _credit_words(cap, doc.text)
        if cap.start < cap.credit.start:
            msg = f"Photo caption with its credit '{credit}' left in the text"
        else:
            msg = f"Photo credit '{credit}' left in the text"
        conf = (
            cap.confidence * (0.75 + 0.25 * cap.style)
            if cap.start < cap.credit.start
            else cap.confidence * 0.9
        )
        yield Hit(cap.start, cap.end, msg, suggestion="", confidence=conf)


@register(
    "MT302",
    "caption-echo",
    category="caption",
    severity="major",
    supersedes=("MT6", "MT301"),
)
def caption_echo(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A photo caption that repeats an earlier sentence with a few words changed,
    marked as a caption by a credit or by caption style.

    Why: captions often restate the lede; left in the body they read as a garbled
    repeat. chrF (and, in full mode, MiniLM similarity) finds the echo, the credit
    or the caption wording says it is a caption. Reported once, as a caption.

    Bad: Police detained dozens of protesters outside parliament on Monday evening. The crowd later dispersed. Police detained dozens of protesters outside the parliament on Monday AFP The government has called for calm.
    Good: Police detained dozens of protesters outside parliament on Monday evening. The crowd later dispersed. The government has called for calm.
    """
    a = analyze(doc, ctx)
    text = doc.text
    lex = lexicon(ctx)
    for index, (orig, score) in sorted(echoes(a, ctx).items()):
        cap = a.caption_of[index]
        line, _ = doc.position(a.segments[orig].start)
        credit = _credit_words(cap, text)
        tail = f", ending in the credit '{credit}'" if credit else ""
        yield Hit(
            cap.start,
            cap.end,
            f"Photo caption echoing the sentence at line {line}{tail}",
            suggestion="",
            confidence=min(1.0, 0.5 + score / 200 + 0.2 * cap.style),
        )
    # A near-repeat without a credit that reads like a caption.
    captioned = set(a.caption_of)
    for (i, j), _score in _style_echoes(a, ctx, lex):
        if j in captioned:
            continue
        seg = a.segments[j]
        line, _ = doc.position(a.segments[i].start)
        yield Hit(
            seg.start,
            seg.end,
            f"Caption-style sentence echoing the sentence at line {line}",
            suggestion="",
            confidence=0.6,
        )


STYLE_ECHO = 0.75  # the caption style a near-repeat needs to be reported as a caption
# The most a sentence ending in sentence punctuation without cue words can score in
# caption_style: 0.2, + 0.2 (short), + 0.15 (no past tense), + 0.1 (a date).
_STYLE_WITHOUT_CUES_ENDED = 0.2 + 0.2 + 0.15 + 0.1


def _may_score(text: str, lex: Lexicon, floor: float) -> bool:
    """False only when :func:`caption_style` of ``text`` is below ``floor``: the text
    ends in sentence punctuation and holds no cue word (the two bonuses a body
    sentence lacks), and the other bonuses together stay below ``floor``. The cue
    test is the cheap part of the score (:meth:`Lexicon.cue_matches`)."""
    if floor <= _STYLE_WITHOUT_CUES_ENDED:
        return True
    return text.rstrip()[-1:] not in _SENT_END or bool(lex.cue_matches(text))


def _style_echoes(a: Analysis, ctx: Context, lex: Lexicon) -> list[tuple[tuple[int, int], float]]:
    """Similar pairs whose later sentence reads like a caption. The pairs come first
    (shared with the other checks, usually none), so only a sentence that is the later
    half of one is scored for caption style."""
    pairs = a.scorer().pairs(float(ctx.option("echo_chrf", ECHO_CHRF, "MT302")))
    if not pairs:
        return []
    style: dict[int, bool] = {}
    out = []
    for p, s in pairs.items():
        j = p[1]
        if j not in style:
            text = a.segments[j].text
            style[j] = _may_score(text, lex, STYLE_ECHO) and caption_style(text, lex) >= STYLE_ECHO
        if style[j]:
            out.append((p, s))
    return out


@register("MT303", "caption-label", category="caption", severity="major", supersedes=("MT6",))
def caption_label(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A caption introduced by a scraper's caption label ("Image caption …",
    "Media caption …") left in the text.

    Why: some sites mark captions with a visible label that scrapers keep; the
    label and the caption after it are not part of the story.

    Bad: The vote was delayed. Image caption Protesters gather outside the assembly. The speaker adjourned the session.
    Good: The vote was delayed. The speaker adjourned the session.
    """
    a = analyze(doc, ctx)
    for cap in a.captions:
        if cap.label:
            yield Hit(
                cap.start,
                cap.end,
                "Photo caption with its label left in the text",
                suggestion="",
                confidence=0.9,
            )


# -- standalone classification (for evaluation and other tools) ----------------------


def is_caption_text(text: str, ctx: Context | None = None) -> float:
    """How likely a standalone text (a scraped block) is a photo caption or credit
    rather than a body sentence, 0..1."""
    ctx = ctx or Context()
    lex = lexicon(ctx)
    stripped = text.strip()
    if not stripped:
        return 0.0
    score = 0.0
    credits = [c for c in find_credits(stripped, lex) if c.end > c.start]
    for c in credits:
        p = is_bleed(stripped, c, lex)
        tail = stripped[c.end :].strip(" .)]")
        if c.label:
            p = max(p, 0.9)
        elif c.strong:
            p = max(p, 0.8)
        elif not tail and p == 0 and _prev_word(stripped, c.start)[0].lower() not in PROSE_BEFORE:
            p = 0.7
        score = max(score, p)
    if _DATELINE.match(stripped):
        return min(score, 0.1)
    if lex.caption_labels and lex.caption_labels.search(stripped):
        score = max(score, 0.9)
    if re.match(r"(?:Image|Photo|Picture|Slide)\s+\d+\s+(?:of|/)\s+\d+", stripped):
        score = max(score, 0.9)
    style = caption_style(stripped, lex)
    return max(score, style * 0.85)
