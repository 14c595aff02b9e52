"""Literal idiom calques (MT2xx): source-language idioms rendered word for word.

The catalog lives in ``glossaries/idioms/<lang>.tsv`` (columns ``source``,
``literal``, ``suggestion``, ``meaning``, ``unless``, ``note``); its ``literal``
cells are patterns in the language of :mod:`mtaudit.idiom_patterns` (words match
all their inflections via lemminflect; ``in|on`` alternatives; ``(the)`` optional;
``{obj}`` a 1-4 word slot kept in the suggestion; ``{poss}``/``{refl}``
possessive/reflexive; ``=shot`` an exact form; ``...`` a gap of up to three words;
up to two adverbs may be inserted anywhere). Several renderings in one cell are
separated by `` | ``; ``unless`` lists words that mark a literal reading.

- MT201 matches the patterns (fast mode). Candidates are found with a set of
  anchor word forms, one per pattern, so only sentences holding an anchor are
  searched with that pattern's regular expression.
- MT202 (full mode) embeds candidate clauses that contain a rare content word of
  some catalog rendering and compares them with every rendering; a clause close
  enough to one, and closer to it than to the idiomatic English, is a calque the
  patterns did not cover. The match is narrowed to its best sub-window.

``--source-lang`` (or a document's own ``source_lang``) narrows the catalog to
that language; sr, hr, bs and cnr share ``sh.tsv``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from mtaudit.checks.nonwords import chunk_table
from mtaudit.document import WORD_PATTERN as _DOC_TOKEN
from mtaudit.document import Document, Segment, split_sentences
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.glossary import Row
from mtaudit.idiom_patterns import (
    STOPWORDS,
    Pattern,
    PatternError,
    Token,
    compile_cell,
    compile_pattern,
    render,
    split_cell,
    verb_tag,
)
from mtaudit.registry import register

# Macrolanguages: several language codes share one catalog file.
_LANG_GROUP = {"sr": "sh", "hr": "sh", "bs": "sh", "cnr": "sh", "nb": "no", "nn": "no"}

# A quoted calque in a sentence that talks about words is a gloss, not an error.
_META = re.compile(
    r"\b(?:literally|literal|idioms?|idiomatic|expressions?|proverbs?|sayings?|phrases?|"
    r"translat\w+|means|meaning|(?i:as) (?:they|the \w+|\w+s) (?:say|put it))\b|"
    r"\b[A-Z][a-z]+s?\s+(?:say|call|have a saying)\b|"
    r"\bIn [A-Z][a-z]+(?:ian|ish|ese|ch|ic|an|ek)\b",
)
_QUOTES = "\"“”„«»‘’'"
_QUOTE_SET = frozenset(_QUOTES)
_PREV_WORD = re.compile(r"[\w']+")
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]\"“”„«»—–]|\s-\s")
_WORD = re.compile(r"[^\W_][\w'’-]*")


def norm_lang(code: str | None) -> str | None:
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower())[0]
    return _LANG_GROUP.get(primary, primary)


@dataclass
class Entry:
    """One catalog row, compiled."""

    row: Row
    langs: frozenset[str]
    patterns: list[Pattern]
    suggestions: list[str]
    unless: re.Pattern[str] | None

    @property
    def source(self) -> str:
        return self.row["source"]

    @property
    def meaning(self) -> str:
        return self.row["meaning"]


@dataclass
class Catalog:
    entries: list[Entry]
    anchors: dict[str, list[tuple[int, int]]]  # word form -> (entry, pattern)
    errors: list[str] = field(default_factory=list)
    _prefilter: Prefilter | None = field(default=None, repr=False, compare=False)

    def allows(self, entry: Entry, lang: str | None) -> bool:
        return lang is None or lang in entry.langs

    @property
    def prefilter(self) -> Prefilter:
        """Built on first use, once per catalog (so per glossary set and process)."""
        if self._prefilter is None:
            self._prefilter = build_prefilter(self)
        return self._prefilter


# -- the exact prefilter ------------------------------------------------------------
#
# A pattern's regular expression can only match where each of its required word
# tokens matches one of its forms, case-insensitively, as a whole word: the match
# starts after a non-word character (its look-behind), every later token follows a
# separator, and every token is followed by a separator or the end of the match,
# which is a non-word character (its look-ahead) or the end of a sentence; and
# sentences start and end next to white space or an end of the text, never inside
# a word. So for every required token, some form's longest run of letters and
# digits (its "key"; a form's other characters are ' ’ . - or a space) occurs as a
# whole word inside the sentence searched.
#
# "As a whole word" is tested on the document's *word text* (:func:`word_text`):
# one ASCII character per character of the text, letters lower-cased, digits and
# "_" kept, every other character (punctuation, white space, anything non-ASCII) a
# space, and one more space at each end. Keys are ASCII letters and digits, so a
# key occurs as a whole word at text offset ``i`` only if the needle ``" key "``
# occurs in the word text at offset ``i`` (a non-ASCII letter, a word character,
# becomes a space: that can only let a needle be found where the key is not a
# whole word, never hide one).
#
# Case: ``re.IGNORECASE`` equates exactly four non-ASCII characters with ASCII
# letters (dotted capital I and dotless i with "i", long s with "s", the Kelvin
# sign with "k"; ``test_fold_covers_ignorecase`` checks this over all of Unicode);
# the word text maps them onto those letters. Keys are ASCII only: a token with a
# non-ASCII form is not used to exclude anything.
#
# The steps, each a necessary condition (never a heuristic), cheapest first:
#
# 1. The words of the word text (its space-separated pieces) tell which of the
#    catalog's "head" tokens (the two rarest content tokens of each pattern) have
#    a needle in the document; a pattern stays a candidate when both of its head
#    tokens do. The words are found chunk by chunk of the text (its whitespace-
#    separated pieces, every one of which becomes spaces in the word text), each
#    chunk's answer remembered by the lexical checks' chunk table
#    (:class:`mtaudit.checks.nonwords.ChunkTable`), so a document costs a few
#    look-ups of its rarer chunks instead of a scan of its text.
# 2. The reference algorithm searches a pattern only in a sentence holding an
#    anchor token (a token of ``Document.tokens`` whose lower-cased text is an
#    anchor form): the chunk table also tells which patterns have one in the
#    document at all. Where they are, is found by their needles, each checked
#    (:func:`_token_at`).
# 3. A sentence lies inside one line: the line of some anchor token must hold a
#    needle of every content token. Only then are the sentences computed, and the
#    same test is made on the sentence of each anchor token.

_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# Byte -> byte of the word text: ASCII letters lower-cased, digits and "_" kept,
# anything else a space ("?", which the ASCII encoder puts for non-ASCII, too).
_WORD_BYTES = bytes(
    (c | 0x20 if chr(c).isalpha() else c) if chr(c).isalnum() or c == 0x5F else 0x20
    for c in range(128)
) + bytes([0x20] * 128)
_KEY_PART = re.compile(r"[^\W_]+")
_HEAD_TOKENS = 2  # tokens per pattern in the automaton
_JOINERS = "'’-"  # inside a token of Document.tokens, between word characters


def word_text(text: str) -> str:
    """The word text of ``text`` (see above): ``" " + one ASCII character per
    character of text + " "``, so text offset ``i`` is word-text offset ``i + 1``.
    Built in C: encode (non-ASCII -> "?"), translate bytes, decode."""
    if not text.isascii() and (
        "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text
    ):
        text = text.translate(_FOLD)
    return " " + text.encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii") + " "


def _is_word_char(c: str) -> bool:
    """What ``\\w`` matches in a str pattern."""
    return c.isalnum() or c == "_"


def _token_at(text: str, pos: int) -> str | None:
    """The lower-cased text of the token of ``Document.tokens`` that starts at
    ``pos``, or None when none starts there. A token (``\\w+`` runs joined by single
    ' ’ -) starts at a word character that neither follows a word character nor a
    joiner that follows one (the token before would run on over it)."""
    if pos > 0:
        before = text[pos - 1]
        if _is_word_char(before):
            return None
        if before in _JOINERS and pos > 1 and _is_word_char(text[pos - 2]):
            return None
    m = _DOC_TOKEN.match(text, pos)
    return m.group().lower() if m else None


def _token_keys(tok: Token) -> tuple[str, ...] | None:
    """One key per form of a word token (its longest word part, lower-cased), or
    None when a form has no ASCII key (the token then excludes nothing)."""
    keys: dict[str, None] = {}
    for form in tok.forms:
        parts = _KEY_PART.findall(form.lower())
        if not parts:
            return None
        key = max(parts, key=len)
        if not key.isascii():
            return None
        keys[key] = None
    return tuple(keys)


_COMMON_ZIPF = 6.5  # a word this frequent in English is in most documents


def _common(word: str) -> bool:
    """A word nearly every text holds (a stopword, or one of the most frequent
    English words): looking for it would keep its chunks out of the chunk
    table's clean set and exclude little, so its condition is taken as met
    (which only widens the candidates: the prefilter stays exact)."""
    if word in STOPWORDS:
        return True
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return False
    return zipf_frequency(word, "en") >= _COMMON_ZIPF


def _key_cost(keys: tuple[str, ...]) -> float:
    """How often a token's keys occur in English text (lower is rarer)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return sum(10.0 ** (6 - len(k)) for k in keys)
    return sum(10.0 ** zipf_frequency(k, "en") for k in keys)


def _bits(mask: int) -> list[int]:
    """The positions of the set bits of ``mask``, ascending."""
    out: list[int] = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


@dataclass(eq=False)  # hashed by identity: the key of its test in the chunk table
class Prefilter:
    """Per flat pattern id (the catalog's patterns in order): its (entry, pattern),
    the needles of its content tokens (a tuple per token, the rarest first; empty
    when no token has a key), its lower-cased anchor forms and the regex finding
    their needles (None when a form is not ASCII). Sets of patterns are ints with a
    bit per flat id: per key of a head token, the patterns whose rarest /
    second-rarest token has that key; per language, the patterns of the entries
    allowed for it."""

    flat: list[tuple[int, int]]
    required: list[tuple[tuple[str, ...], ...]]
    anchors: list[frozenset[str]]
    anchor_finders: list[re.Pattern[str] | None]
    heads: dict[str, tuple[int, int]]  # key -> (rarest-token patterns, second-token patterns)
    # What the chunk table looks for: ``heads`` and anchor form -> the patterns it
    # anchors, both without the words nearly every text holds (:func:`_common`),
    # whose conditions are taken as met for the patterns in the ``assumed`` masks
    # (rarest token, second-rarest token, anchor), so that the chunks of those
    # words stay clean.
    chunk_heads: dict[str, tuple[int, int]]
    anchor_masks: dict[str, int]
    assumed: tuple[int, int, int]
    single: int  # patterns with only one content token: no second one to ask for
    always: int  # patterns without a usable key: always candidates
    langs: dict[str, int]  # language -> patterns of the entries allowed for it

    def head_masks(
        self, words: Iterable[str], heads: dict[str, tuple[int, int]] | None = None
    ) -> tuple[int, int]:
        """The patterns whose rarest token, and those whose second-rarest token,
        has a key among ``words`` (the words of a word text) in ``heads``
        (by default all the keys of the head tokens)."""
        firsts = seconds = 0
        for f, s in filter(None, map((self.heads if heads is None else heads).get, words)):
            firsts |= f
            seconds |= s
        return firsts, seconds

    def anchored(self, tokens: Iterable[str]) -> int:
        """The patterns one of whose anchor forms is among ``tokens`` (lower-cased)."""
        found = 0
        for mask in filter(None, map(self.anchor_masks.get, map(str.lower, tokens))):
            found |= mask
        return found

    def chunk_test(self, chunk: str, tokens: list[str]) -> tuple[tuple[int, int, int], ...]:
        """The chunk table's test: the head masks of a chunk of text and the
        patterns anchored by its tokens (``tokens``: those of ``Document.tokens``
        in the chunk), when one of them is not 0."""
        firsts, seconds = self.head_masks(word_text(chunk).split(), self.chunk_heads)
        anchored = self.anchored(tokens)
        return ((firsts, seconds, anchored),) if firsts or seconds or anchored else ()

    def _select(self, firsts: int, seconds: int, lang: str | None, within: int) -> list[int]:
        """Flat ids, ascending, of the patterns among ``within`` allowed for
        ``lang`` whose rarest token is among ``firsts`` and whose second-rarest
        token, when they have one, among ``seconds`` (see :meth:`head_masks`)."""
        found = self.always
        if firsts:
            found |= firsts & (seconds | self.single)
        found &= within
        if lang is not None:
            found &= self.langs.get(lang, 0)
        return _bits(found)

    def candidates(self, words: str, lang: str | None) -> list[int]:
        """Flat ids, ascending, of the patterns allowed for ``lang`` whose head
        tokens all have a needle in ``words`` (a :func:`word_text`)."""
        return self._select(*self.head_masks(words.split()), lang, -1)

    def doc_candidates(self, doc: Document, ctx: Context, lang: str | None) -> list[int]:
        """:meth:`candidates` of the document's word text that have an anchor
        token in the document (the reference searches a pattern only in the
        sentences of its anchor tokens), from the chunk table: the document's
        tokens are those of its chunks (see :func:`mtaudit.checks.nonwords.text_chunks`)."""
        table = chunk_table(ctx)
        table.register(self, self.chunk_test)
        firsts, seconds, anchored = self.assumed
        for f, s, a in table.items(doc, self):
            firsts |= f
            seconds |= s
            anchored |= a
        if not anchored:
            return []
        return self._select(firsts, seconds, lang, anchored)

    def fits(self, pid: int, segment: str) -> bool:
        """Every content token of the pattern has a needle in ``segment`` (the word
        text of a line or sentence, with the spaces around it)."""
        contains = segment.__contains__
        return all(any(map(contains, needles)) for needles in self.required[pid])


def _finder(forms: frozenset[str]) -> re.Pattern[str]:
    """A regex over the word text that matches at the needle of each form (one
    pass in C; the common prefixes of the forms' alternation are factored out by
    the regex compiler). Its match starts at the space before the form's first
    word, so at the text offset of the form; the trailing space is only looked at."""
    words = sorted({word_text(f)[1:-1] for f in forms})
    return re.compile(" (?:" + "|".join(map(re.escape, words)) + ")(?= )")


def build_prefilter(cat: Catalog) -> Prefilter:
    flat: list[tuple[int, int]] = []
    required: list[tuple[tuple[str, ...], ...]] = []
    anchors: list[frozenset[str]] = []
    anchor_finders: list[re.Pattern[str] | None] = []
    finders: dict[frozenset[str], re.Pattern[str]] = {}
    token_ids: dict[tuple[str, ...], int] = {}
    first: dict[int, int] = {}
    second: dict[int, int] = {}
    single = always = 0
    langs: dict[str, int] = {}
    for e_index, entry in enumerate(cat.entries):
        for p_index, pattern in enumerate(entry.patterns):
            pid = len(flat)
            bit = 1 << pid
            flat.append((e_index, p_index))
            for lang in entry.langs:
                langs[lang] = langs.get(lang, 0) | bit
            forms = frozenset(f.lower() for f in pattern.anchors)
            anchors.append(forms)
            ascii_forms = all(f.isascii() for f in forms)
            if ascii_forms and forms not in finders:
                finders[forms] = _finder(forms)
            anchor_finders.append(finders[forms] if ascii_forms else None)
            tokens = [t for t in pattern.tokens if t.kind == "word" and not t.optional]
            keyed = list(dict.fromkeys(k for k in map(_token_keys, tokens) if k is not None))
            # Tokens that are all stopwords occur in nearly every text: checking
            # them would cost time and exclude little.
            content = [k for k in keyed if not set(k) <= STOPWORDS] or keyed
            content.sort(key=lambda k: (_key_cost(k), k))
            needles = tuple(tuple(f" {k} " for k in keys) for keys in content)
            required.append(needles)
            ids = [token_ids.setdefault(n, len(token_ids)) for n in needles[:_HEAD_TOKENS]]
            if not ids:
                always |= bit
                continue
            first[ids[0]] = first.get(ids[0], 0) | bit
            if len(ids) > 1:
                second[ids[1]] = second.get(ids[1], 0) | bit
            else:
                single |= bit
    # A needle is " key ": the patterns to which each key of a head token leads.
    heads: dict[str, tuple[int, int]] = {}
    for token_needles, t_id in token_ids.items():
        for needle in token_needles:
            f, s = heads.get(needle[1:-1], (0, 0))
            heads[needle[1:-1]] = (f | first.get(t_id, 0), s | second.get(t_id, 0))
    chunk_heads: dict[str, tuple[int, int]] = {}
    assumed_first = assumed_second = assumed_anchor = 0
    for key, (f, s) in heads.items():
        if _common(key):
            assumed_first |= f
            assumed_second |= s
        else:
            chunk_heads[key] = (f, s)
    anchor_masks: dict[str, int] = {}
    for pid, forms in enumerate(anchors):
        for form in forms:
            if _common(form):
                assumed_anchor |= 1 << pid
            else:
                anchor_masks[form] = anchor_masks.get(form, 0) | 1 << pid
    return Prefilter(
        flat,
        required,
        anchors,
        anchor_finders,
        heads,
        chunk_heads,
        anchor_masks,
        (assumed_first, assumed_second, assumed_anchor),
        single,
        always,
        langs,
    )


def row_langs(row: Row) -> frozenset[str]:
    langs = {norm_lang(x) for x in re.split(r"[|,\s]+", row.lang) if x}
    return frozenset(x for x in langs if x)


def compile_row(row: Row) -> tuple[list[Pattern], list[str]]:
    """The row's patterns, and a message for each one that does not compile."""
    return compile_cell(row["literal"])


def _unless(row: Row) -> re.Pattern[str] | None:
    """Words that mark a literal reading: a word matches itself and its plural or
    verb endings; ``stem*`` matches any word starting with the stem; ``_`` joins
    the words of a phrase."""
    items = row.split("unless")
    if not items:
        return None
    alts: list[str] = []
    for item in items:
        words = item.replace("_", " ").split()
        body = r"\s+".join(re.escape(w.rstrip("*")) for w in words)
        alts.append(body + (r"\w*" if item.endswith("*") else r"(?:s|es|ed|d|ing)?"))
    return re.compile(rf"\b(?:{'|'.join(alts)})\b", re.IGNORECASE)


def build_catalog(rows: Iterable[Row]) -> Catalog:
    entries: list[Entry] = []
    anchors: dict[str, list[tuple[int, int]]] = {}
    errors: list[str] = []
    for row in rows:
        patterns, problems = compile_row(row)
        errors.extend(f"{row.where}: {p}" for p in problems)
        if not patterns:
            continue
        index = len(entries)
        entries.append(
            Entry(
                row=row,
                langs=row_langs(row),
                patterns=patterns,
                suggestions=split_cell(row["suggestion"]),
                unless=_unless(row),
            )
        )
        for p_index, pattern in enumerate(patterns):
            for form in pattern.anchors:
                anchors.setdefault(form.lower(), []).append((index, p_index))
    return Catalog(entries, anchors, errors)


def catalog(ctx: Context) -> Catalog:
    return ctx.glossaries.compiled(
        "idioms.catalog", lambda: build_catalog(ctx.glossaries.rows("idioms"))
    )


def doc_lang(doc: Document, ctx: Context) -> str | None:
    return norm_lang(doc.source_lang or ctx.source_lang)


@dataclass
class Match:
    start: int
    end: int
    entry: int
    suggestions: list[str]
    confidence: float
    similarity: float | None = None
    also: list[int] = field(default_factory=list)  # other entries matching the same span

    @property
    def suggestion(self) -> str | None:
        return self.suggestions[0] if self.suggestions else None


def _is_gloss(text: str, sentence: Segment, start: int, end: int) -> bool:
    """A quoted phrase in a sentence about words or sayings ('the French say ...')."""
    a, b = sentence.start, sentence.end
    near = (
        text[start - 2 if start - 2 > a else a : start] + text[end : end + 2 if end + 2 < b else b]
    )
    return not _QUOTE_SET.isdisjoint(near) and bool(_META.search(sentence.text))


def _literal_use(entry: Entry, sentence: Segment) -> bool:
    return bool(entry.unless and entry.unless.search(sentence.text))


def _sentence_index(doc: Document) -> tuple[list[Segment], list[int]]:
    sents = doc.sentences
    return sents, [s.start for s in sents]


def pattern_matches(doc: Document, ctx: Context) -> list[Match]:
    """All catalog pattern matches in the document (shared by MT201 and MT202).

    The result is that of the reference algorithm, :func:`_pattern_matches_by_tokens`:
    a pattern is searched in a sentence that holds one of its anchor word forms (a
    token of ``Document.tokens``, lower-cased), in the order of a scan over the
    document's tokens (sentence, first anchor token, entry, pattern), which decides
    ties between entries matching the same span. Faster, by the prefilter's
    necessary conditions (see above): patterns whose head tokens are not all in the
    document, then those without an anchor token, then those whose content tokens
    are not all in the line of one of their anchor tokens are dropped before the
    sentences are even computed; the rest are searched in the sentences of their
    anchor tokens that hold all their content tokens.
    """
    cat = catalog(ctx)
    pf = cat.prefilter
    text = doc.text
    cands = pf.doc_candidates(doc, ctx, doc_lang(doc, ctx))
    if not cands:
        return []
    words = word_text(text)
    places: dict[frozenset[str], list[int]] = {}  # anchor forms -> offsets of needles
    token_at: dict[int, str | None] = {}  # offset -> the token starting there
    lines: dict[int, tuple[int, str]] = {}  # line start -> line end, the line's word text
    # pattern, [(anchor token, start and end of its line)] in the lines that fit
    survivors: list[tuple[int, list[tuple[int, int, int]]]] = []
    rfind, find = text.rfind, text.find
    for pid in cands:
        forms = pf.anchors[pid]
        starts = places.get(forms)
        if starts is None:
            finder = pf.anchor_finders[pid]
            if finder is None:  # a non-ASCII form: look among all the tokens
                starts = [t.start for t in doc.tokens if t.text.lower() in forms]
            else:
                starts = _needle_starts(words, finder)
            places[forms] = starts
        kept: list[tuple[int, int, int]] = []
        verdicts: dict[int, bool] = {}
        for pos in starts:
            line_start = rfind("\n", 0, pos) + 1
            line = lines.get(line_start)
            if line is None:
                line_end = find("\n", pos)
                if line_end < 0:
                    line_end = len(text)
                line = lines[line_start] = (line_end, words[line_start : line_end + 2])
            fit = verdicts.get(line_start)
            if fit is None:
                fit = verdicts[line_start] = pf.fits(pid, line[1])
            if not fit:
                continue
            # the token there, checked only in a line that fits (cheaper first)
            if pos in token_at:
                token = token_at[pos]
            else:
                token = token_at[pos] = _token_at(text, pos)
            if token in forms:
                kept.append((pos, line_start, line[0]))
        if kept:
            survivors.append((pid, kept))
    if not survivors:
        return []
    # The sentences of the lines that fit: split_sentences works line by line, so
    # a line's sentences are those of the whole text inside it (and the document's
    # sentences, needed by no other check so far, are not computed here).
    by_line: dict[int, tuple[list[Segment], list[int]]] = {}
    segments: dict[int, str] = {}  # sentence start -> its word text
    todo: list[tuple[int, int, int, int, Segment]] = []
    for pid, kept in survivors:
        e_index, p_index = pf.flat[pid]
        done: set[int] = set()
        for pos, line_start, line_end in kept:  # ascending: each sentence's first anchor
            split = by_line.get(line_start)
            if split is None:
                line_sents = split_sentences(text, line_start, line_end)
                split = by_line[line_start] = (line_sents, [t.start for t in line_sents])
            index = bisect.bisect_right(split[1], pos) - 1
            if index < 0:
                continue
            sent = split[0][index]
            if sent.start in done:
                continue
            done.add(sent.start)
            segment = segments.get(sent.start)
            if segment is None:
                segment = segments[sent.start] = words[sent.start : sent.end + 2]
            if pf.fits(pid, segment):
                todo.append((sent.start, pos, e_index, p_index, sent))
    todo.sort(key=lambda item: item[:4])  # sentence, first anchor token, entry, pattern
    return _search(doc, cat, [(sent, e, p) for _, _, e, p, sent in todo])


def _needle_starts(words: str, finder: re.Pattern[str]) -> list[int]:
    """Ascending text offsets where ``finder`` (see :func:`_finder`) matches the word
    text ``words``: where a token equal to one of its forms may start. A token of
    ``Document.tokens`` is bounded by non-word characters or joiners, all spaces in
    the word text, so every such token is among them; :func:`_token_at` tells."""
    search = finder.search
    out: list[int] = []
    m = search(words)
    while m is not None:
        pos = m.start()
        out.append(pos)
        m = search(words, pos + 1)  # not after the match: a form may start inside it
    return out


def _pattern_matches_by_tokens(doc: Document, ctx: Context) -> list[Match]:
    """The reference algorithm: every token of the document looked up in the
    anchor index (used when offsets of the lower-cased text would not line up)."""
    cat = catalog(ctx)
    lang = doc_lang(doc, ctx)
    _, starts = _sentence_index(doc)
    todo: dict[tuple[int, int, int], None] = {}
    for tok in doc.tokens:
        hits = cat.anchors.get(tok.text.lower())
        if not hits:
            continue
        s_index = bisect.bisect_right(starts, tok.start) - 1
        if s_index < 0:
            continue
        for e_index, p_index in hits:
            if cat.allows(cat.entries[e_index], lang):
                todo[(s_index, e_index, p_index)] = None
    sents = doc.sentences
    return _search(doc, cat, [(sents[s], e, p) for s, e, p in todo])


def _search(doc: Document, cat: Catalog, todo: list[tuple[Segment, int, int]]) -> list[Match]:
    """Search each (sentence, entry, pattern) in order; drop literal uses and glosses."""
    text = doc.text
    found: list[Match] = []
    entries = cat.entries
    for sent, e_index, p_index in todo:
        entry = entries[e_index]
        unless = entry.unless
        if unless is not None and unless.search(sent.text):
            continue  # a literal use (see _literal_use)
        pattern = entry.patterns[p_index]
        for m in pattern.regex.finditer(text, sent.start, sent.end):
            start, end = m.span()
            if _is_gloss(text, sent, start, end):
                continue
            groups = m.groupdict()
            found.append(
                Match(start, end, e_index, suggest(entry, pattern, m, text, groups), _conf(groups))
            )
    return _non_overlapping(found)


def _conf(groups: dict[str, str | None]) -> float:
    """0.9, or 0.8 when the slots of a match (its groups other than the w<i> words)
    hold more than two words."""
    slot_words = sum(len(v.split()) for k, v in groups.items() if v and not k.startswith("w"))
    return 0.9 if slot_words <= 2 else 0.8


def suggest(
    entry: Entry,
    pattern: Pattern,
    m: re.Match[str],
    text: str,
    groups: dict[str, str | None] | None = None,
) -> list[str]:
    """The entry's suggestions with the calque's slot fillers and verb inflection
    (``groups`` is ``m.groupdict()``, when the caller has it)."""
    if not entry.suggestions:
        return []
    if groups is None:
        groups = m.groupdict()
    slots = {name: value for name in pattern.slots if (value := groups.get(name))}
    tag = None
    w0 = groups.get("w0")
    if pattern.head is not None and w0:
        start = m.start()
        prev = _PREV_WORD.findall(text, max(0, start - 20), start)
        tag = verb_tag(w0, pattern.head.alternatives, prev[-1] if prev else "")
    capital = m.group()[:1].isupper()
    return [render(t, slots, tag, capital and not t[:1].isupper()) for t in entry.suggestions]


def _non_overlapping(matches: list[Match]) -> list[Match]:
    """Most similar (embeddings), then longest, then earliest first; drop matches
    overlapping a kept one."""
    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: (-(m.similarity or 0), -(m.end - m.start), m.start)):
        same = next((k for k in kept if (k.start, k.end) == (m.start, m.end)), None)
        if same is not None:
            if m.entry != same.entry and m.entry not in same.also:
                same.also.append(m.entry)
        elif all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _message(cat: Catalog, m: Match, how: str) -> str:
    entry = cat.entries[m.entry]
    meaning = f" ({entry.meaning})" if entry.meaning else ""
    sources = [entry, *(cat.entries[i] for i in m.also)]
    named = "; ".join(f"{'/'.join(sorted(e.langs))} '{e.source}'" for e in sources[:4])
    say = f": say '{m.suggestions[0]}'" if m.suggestions else ""
    alt = f" or '{m.suggestions[1]}'" if len(m.suggestions) > 1 else ""
    return f"{how} of the idiom {named}{meaning}{say}{alt}"


@register("MT201", "idiom-calque", category="idiom", severity="major")
def idiom_calque(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A source-language idiom translated word for word, found by the idiom
    catalog's patterns.

    Why: literal calques ("sitting on several chairs") are the surest sign of raw
    machine translation; readers stumble over them or misread them, and the
    English idiom says the same thing naturally.

    Bad: Belgrade was accused of shooting Russia in the back.
    Good: Belgrade was accused of stabbing Russia in the back.
    """
    cat = catalog(ctx)
    for m in doc.memo("idioms.patterns", lambda: pattern_matches(doc, ctx)):
        yield Hit(
            m.start,
            m.end,
            _message(cat, m, "Literal calque"),
            suggestion=m.suggestion,
            confidence=m.confidence,
        )


# -- embeddings ------------------------------------------------------------------

DEFAULT_THRESHOLD = 0.55  # tuned on the 'tune' half of tests/fixtures/idioms
MARGIN = 0.03  # the clause must be this much closer to the calque than to the idiom
MAX_CLAUSE_WORDS = 12
WINDOW, STRIDE = 8, 4
RARE_ZIPF = 5.0  # content words more frequent than this do not make a candidate


@dataclass
class Renderings:
    """The catalog's canonical literal renderings and idiomatic suggestions."""

    texts: list[str]
    owner: list[int]  # entry index of each rendering
    suggestion_of: dict[int, str]  # entry index -> first suggestion, slots as 'someone'
    triggers: dict[str, set[int]]  # rare content form -> entries
    english: list[Pattern]  # the catalog's suggestions as patterns: correct English
    english_anchors: dict[str, list[int]]


def _renderings(cat: Catalog) -> Renderings:
    from wordfreq import zipf_frequency

    texts: list[str] = []
    owner: list[int] = []
    suggestion_of: dict[int, str] = {}
    triggers: dict[str, set[int]] = {}
    for e_index, entry in enumerate(cat.entries):
        for pattern in entry.patterns:
            texts.append(pattern.canonical)
            owner.append(e_index)
            for form in pattern.words:
                if "_" in form or form in STOPWORDS or len(form) < 3:
                    continue
                if zipf_frequency(form, "en") <= RARE_ZIPF:
                    triggers.setdefault(form, set()).add(e_index)
        if entry.suggestions:
            s = re.sub(r"\{poss\}", "someone's", entry.suggestions[0])
            suggestion_of[e_index] = re.sub(r"\{[a-z_]+\}", "someone", s)
    english: list[Pattern] = []
    english_anchors: dict[str, list[int]] = {}
    seen: set[str] = set()
    for entry in cat.entries:
        for sugg in entry.suggestions:
            text = re.sub(r"[^\w\s{}'’-]", "", sugg).strip()
            if text in seen or len(text.split()) < 3:
                continue
            seen.add(text)
            try:
                pattern = compile_pattern(text)
            except PatternError:
                continue
            for form in pattern.anchors:
                english_anchors.setdefault(form, []).append(len(english))
            english.append(pattern)
    return Renderings(texts, owner, suggestion_of, triggers, english, english_anchors)


def english_idiom_spans(doc: Document, ctx: Context) -> list[tuple[int, int]]:
    """Where the document uses an idiomatic English expression from the catalog's
    suggestions ("sitting on the fence"): correct English, never a calque."""

    def compute() -> list[tuple[int, int]]:
        rend = renderings(ctx)
        wanted: set[int] = set()
        for tok in doc.tokens:
            wanted.update(rend.english_anchors.get(tok.text.lower(), ()))
        found: list[tuple[int, int]] = []
        for index in wanted:
            found.extend(m.span() for m in rend.english[index].regex.finditer(doc.text))
        return found

    return doc.memo("idioms.english", compute)


def renderings(ctx: Context) -> Renderings:
    return ctx.glossaries.compiled("idioms.renderings", lambda: _renderings(catalog(ctx)))


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str
    sentence: int
    entries: frozenset[int]


def candidate_clauses(doc: Document, ctx: Context) -> list[Clause]:
    """Clauses (or windows of long ones) holding a rare word of an allowed entry."""

    def compute() -> list[Clause]:
        cat = catalog(ctx)
        rend = renderings(ctx)
        lang = doc_lang(doc, ctx)
        text = doc.text
        out: list[Clause] = []
        for s_index, sent in enumerate(doc.sentences):
            pos = sent.start
            pieces: list[tuple[int, int]] = []
            for br in _CLAUSE_BREAK.finditer(text, sent.start, sent.end):
                pieces.append((pos, br.start()))
                pos = br.end()
            pieces.append((pos, sent.end))
            for a, b in pieces:
                words = list(_WORD.finditer(text, a, b))
                if len(words) < 3:
                    continue
                if len(words) <= MAX_CLAUSE_WORDS:
                    spans = [(0, len(words))]
                else:
                    spans = [
                        (i, min(i + WINDOW, len(words)))
                        for i in range(0, len(words) - STRIDE, STRIDE)
                    ]
                for i, j in spans:
                    entries: set[int] = set()
                    for w in words[i:j]:
                        for e in rend.triggers.get(w.group().lower(), ()):
                            if cat.allows(cat.entries[e], lang):
                                entries.add(e)
                    if entries:
                        start, end = words[i].start(), words[j - 1].end()
                        out.append(Clause(start, end, text[start:end], s_index, frozenset(entries)))
        return out

    return doc.memo("idioms.clauses", compute)


def model_clauses(doc: Document, ctx: Context) -> list[Clause]:
    """The candidate clauses worth a model call: those :func:`embedding_matches`
    could report whatever their similarity. A clause overlapping a pattern match
    or an idiomatic English expression, a quoted gloss, or one whose every entry
    is read literally in its sentence is skipped there in any case, so it is not
    encoded (the result is the same, with fewer sentences sent to the model)."""

    def compute() -> list[Clause]:
        clauses = candidate_clauses(doc, ctx)
        if not clauses:
            return []
        cat = catalog(ctx)
        known = doc.memo("idioms.patterns", lambda: pattern_matches(doc, ctx))
        english = english_idiom_spans(doc, ctx)
        sents = doc.sentences
        out: list[Clause] = []
        for clause in clauses:
            sentence = sents[clause.sentence]
            if any(k.start < clause.end and clause.start < k.end for k in known):
                continue
            if any(a < clause.end and clause.start < b for a, b in english):
                continue
            if _is_gloss(doc.text, sentence, clause.start, clause.end):
                continue
            if all(_literal_use(cat.entries[e], sentence) for e in clause.entries):
                continue
            out.append(clause)
        return out

    return doc.memo("idioms.model_clauses", compute)


def prepare_embeddings(docs: Sequence[Document], ctx: Context) -> None:
    """Encode every candidate clause of a batch of documents in one model call."""
    if ctx.embedder is None:
        return
    rend = renderings(ctx)
    texts = [c.text for doc in docs for c in model_clauses(doc, ctx)]
    if texts:
        ctx.embedder.encode(texts + rend.texts + list(rend.suggestion_of.values()))


def _windows(text: str, clause: Clause, size: int, vocab: set[str]) -> list[tuple[int, int, str]]:
    """Sub-windows of a clause around the rendering's length that hold at least
    one of its words (few texts to encode: this runs only for reported clauses)."""
    words = list(_WORD.finditer(text, clause.start, clause.end))
    out: dict[tuple[int, int], str] = {}
    for n in range(max(2, size - 1), size + 3):
        for i in range(0, max(1, len(words) - n + 1)):
            chunk = words[i : i + n]
            if not chunk or not any(w.group().lower() in vocab for w in chunk):
                continue
            a, b = chunk[0].start(), chunk[-1].end()
            out[(a, b)] = text[a:b]
    if not out:
        out[(clause.start, clause.end)] = clause.text
    return [(a, b, t) for (a, b), t in out.items()]


def _fit(text: str, clause: Clause, start: int, end: int, entry: Entry) -> tuple[int, int]:
    """Widen a window over neighbouring words of the entry's renderings (up to
    three words each side), then trim function words from its edges."""
    words = list(_WORD.finditer(text, clause.start, clause.end))
    vocab = {f for p in entry.patterns for f in p.words}
    i = next(k for k, w in enumerate(words) if w.start() >= start)
    j = max(k for k, w in enumerate(words) if w.end() <= end)
    for k in range(j + 1, min(len(words), j + 4)):
        if words[k].group().lower() in vocab:
            j = k
    for k in range(i - 1, max(-1, i - 4), -1):
        if words[k].group().lower() in vocab:
            i = k
    while i < j and words[i].group().lower() in STOPWORDS:
        i += 1
    while j > i and words[j].group().lower() in STOPWORDS:
        j -= 1
    return words[i].start(), words[j].end()


def embedding_matches(doc: Document, ctx: Context) -> list[Match]:
    embedder = ctx.embedder
    if embedder is None:
        return []
    import numpy as np

    cat = catalog(ctx)
    rend = renderings(ctx)
    clauses = model_clauses(doc, ctx)
    if not clauses:
        return []
    threshold = float(ctx.option("threshold", DEFAULT_THRESHOLD))
    known = doc.memo("idioms.patterns", lambda: pattern_matches(doc, ctx))
    owner = np.array(rend.owner)
    sims = embedder.encode([c.text for c in clauses]) @ embedder.encode(rend.texts).T
    sents = doc.sentences
    found: list[Match] = []
    for c_index, clause in enumerate(clauses):
        row = sims[c_index]
        allowed = np.isin(owner, list(clause.entries))
        if not allowed.any():
            continue
        masked = np.where(allowed, row, -1.0)
        best = int(masked.argmax())
        score = float(masked[best])
        if score < threshold:
            continue
        e_index = rend.owner[best]
        entry = cat.entries[e_index]
        if any(k.start < clause.end and clause.start < k.end for k in known):
            continue
        sentence = sents[clause.sentence]
        if any(a < clause.end and clause.start < b for a, b in english_idiom_spans(doc, ctx)):
            continue  # the clause uses a correct English idiom
        if _literal_use(entry, sentence) or _is_gloss(doc.text, sentence, clause.start, clause.end):
            continue
        idiom = rend.suggestion_of.get(e_index)
        if idiom:
            to_idiom = float((embedder.encode([clause.text]) @ embedder.encode([idiom]).T)[0, 0])
            if to_idiom + MARGIN >= score:
                continue  # closer to the English idiom: probably correct English
        # Narrow the span to the sub-window closest to the rendering.
        vocab = {f for p in entry.patterns for f in p.words}
        wins = _windows(doc.text, clause, len(rend.texts[best].split()), vocab)
        w_sims = embedder.encode([w[2] for w in wins]) @ embedder.encode([rend.texts[best]]).T
        w_best = int(np.asarray(w_sims).reshape(-1).argmax())
        start, end = _fit(doc.text, clause, wins[w_best][0], wins[w_best][1], entry)
        confidence = max(0.0, min(1.0, 0.5 + (score - threshold) / (2 * (1 - threshold))))
        plain = [render(t, {}, None, False) for t in entry.suggestions]
        found.append(Match(start, end, e_index, plain, confidence, score))
    return _non_overlapping(found)


@register(
    "MT202",
    "idiom-calque-paraphrase",
    category="idiom",
    severity="major",
    requires=("embeddings",),
    prepare=prepare_embeddings,
)
def idiom_calque_paraphrase(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A clause whose meaning is close to a catalogued literal calque though its
    wording differs, found by sentence-embedding similarity (full mode only).

    Why: machine translation varies its word-for-word renderings ("burning the
    whole quilt because of one flea"), so no pattern list can be complete; the
    embedding model catches the variants that keep the calque's picture.

    Bad: The ministry is burning the whole quilt because of one flea.
    Good: The ministry is cutting off its nose to spite its face.
    """
    cat = catalog(ctx)
    for m in embedding_matches(doc, ctx):
        yield Hit(
            m.start,
            m.end,
            _message(cat, m, f"Probable calque (similarity {m.similarity or 0:.2f})"),
            suggestion=m.suggestion,
            confidence=m.confidence,
        )
