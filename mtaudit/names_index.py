"""Name matching for the MT1xx checks: folding, the entity index and its automaton.

Text and glossary forms are compared on a *folded token stream*: every run of
letters becomes its ASCII, lower-case transliteration (unidecode), tokens are
joined by single spaces, and a ``#`` separates tokens that a name cannot span
(sentence punctuation, blank lines). One Aho-Corasick automaton (pyahocorasick)
over the folded forms of every glossary entry finds all candidate mentions in a
single pass, whatever the glossary's size; each token is folded once per
distinct spelling (cached).

Forms indexed per entity:

- ``name``: the canonical form and each accepted variant;
- ``lost``: the canonical form with its non-ASCII letters deleted ("Vučić" →
  "Vui"), only when that form is distinctive (at least three letters, not a
  common English word, not another entity's name);
- ``surname`` / ``surname-lost``: the last word of a person's name and its
  letters-lost form, so surname-only mentions resolve to the full entity.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

TOKEN = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+")
# What may sit between two words of one name: a space, a hyphen, an apostrophe,
# a line break (not a blank line), "St. ".
_JOIN = re.compile(r"[ \t\u00a0]*(?:\n[ \t]*)?|[-‐'’]|\. ")

COMMON_ZIPF = 3.0  # words at least this frequent in English are "common words"


@lru_cache(maxsize=262144)
def fold(token: str) -> str:
    """ASCII lower-case transliteration of one token, letters and digits only."""
    from unidecode import unidecode

    out = token.lower() if token.isascii() else unidecode(token).lower()
    if not out.isalnum():
        out = "".join(ch for ch in out if ch.isalnum())
    return out


def fold_phrase(text: str) -> str:
    """Folded form of a whole name: its tokens folded and joined by spaces."""
    if text.isalpha():
        return fold(text)
    return " ".join(f for f in (fold(m.group()) for m in TOKEN.finditer(text)) if f)


def strip_marks(text: str) -> str:
    """The text with diacritics removed but case kept ("Vučić" → "Vucic")."""
    from unidecode import unidecode

    return unidecode(text)


def delete_non_ascii_letters(text: str) -> str:
    """What a broken pipeline leaves of a name: non-ASCII letters deleted."""
    return "".join(ch for ch in text if ch.isascii() or not ch.isalpha())


def has_non_ascii_letters(text: str) -> bool:
    return not text.isascii() and any(not ch.isascii() and ch.isalpha() for ch in text)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return dict(get_frequency_dict("en"))


@lru_cache(maxsize=262144)
def zipf(word: str) -> float:
    """English word frequency of a lower-case word on wordfreq's Zipf scale (0 when
    unknown); a plain dictionary lookup, fast enough for every glossary form."""
    freq = _frequencies().get(word, 0.0)
    return round(math.log10(freq) + 9, 2) if freq > 0 else 0.0


def is_common_word(folded: str) -> bool:
    """A folded single word that English uses as an ordinary word."""
    return " " not in folded and zipf(folded) >= COMMON_ZIPF


def normalize_name(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@dataclass(frozen=True)
class Entity:
    canonical: str
    type: str
    variants: tuple[str, ...] = ()
    note: str = ""
    where: str = ""

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset((self.canonical, *self.variants))

    @property
    def label(self) -> str:
        return self.canonical


class Form(NamedTuple):
    """One indexed way of writing (or garbling) an entity."""

    entity: int
    kind: str  # name | lost | surname | surname-lost
    target: str  # the correct surface this form stands for
    accepted: frozenset[str]  # surfaces that are correct for this form


@dataclass
class NameIndex:
    entities: list[Entity] = field(default_factory=list)
    forms: dict[str, list[Form]] = field(default_factory=dict)
    automaton: Any = None

    def lookup(self, key: str) -> list[Form]:
        return self.forms.get(key, [])

    name_keys: set[str] = field(default_factory=set)  # keys of correct forms
    _accepted: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _person: dict[str, int] = field(default_factory=dict, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # for the checks
    _multi: Any = field(default=None, repr=False)
    _keysets: Any = field(default=None, repr=False)

    def _key_sets(self) -> tuple[frozenset[str], frozenset[str], dict[str, Any], dict[str, str]]:
        """(single-word keys, anchors, anchor -> [(multi-word key, its words)],
        multi-word key -> its anchor), built on first use. A multi-word key's
        anchor is its rarest word in English (lowest ``zipf``, then first in
        order): few documents have it, so few keys are candidates."""
        if self._keysets is None:
            singles = []
            by_anchor: dict[str, list[tuple[str, frozenset[str]]]] = {}
            anchor_of: dict[str, str] = {}
            for key in self.forms:
                words = key.split(" ")
                if len(words) == 1:
                    singles.append(key)
                    continue
                anchor = min(words, key=lambda w: (zipf(w), w))
                by_anchor.setdefault(anchor, []).append((key, frozenset(words)))
                anchor_of[key] = anchor
            self._keysets = (frozenset(singles), frozenset(by_anchor), by_anchor, anchor_of)
        return self._keysets

    def single_keys(self, words: set[str]) -> frozenset[str]:
        """The single-word keys among ``words`` (folded tokens)."""
        return self._key_sets()[0].intersection(words)

    def multi_candidates(self, words: set[str]) -> list[str]:
        """The multi-word keys all of whose words are among ``words`` (folded
        tokens): a superset of the multi-word keys that a stream of those tokens
        contains, found with set operations on the distinct words (an automaton
        walk over a whole text costs more)."""
        _, anchors, by_anchor, _ = self._key_sets()
        out: list[str] = []
        for anchor in anchors.intersection(words):
            for key, key_words in by_anchor[anchor]:
                if key_words.issubset(words):
                    out.append(key)
        return out

    def multi_words(self) -> frozenset[str]:
        """The words of the multi-word keys."""
        words = self.memo.get("names:multi-words")
        if words is None:
            words = frozenset(w for k in self._key_sets()[3] for w in k.split(" "))
            self.memo["names:multi-words"] = words
        return words

    def multi_anchor(self, key: str) -> str:
        """The anchor word of a multi-word key (see ``_key_sets``)."""
        return self._key_sets()[3][key]

    def multi_automaton(self) -> Any:
        """An automaton of the multi-word keys alone (built on first use), or None."""
        if self._multi is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for key in self.forms:
                if " " in key:
                    automaton.add_word(f" {key} ", key)
            if len(automaton):
                automaton.make_automaton()
            self._multi = automaton if len(automaton) else False
        return self._multi or None

    def sole_person(self, key: str) -> int:
        """The entity of ``key`` when all its forms are one person's, else -1
        (memoized per key)."""
        out = self._person.get(key)
        if out is None:
            entities = {f.entity for f in self.lookup(key)}
            out = -1
            if len(entities) == 1:
                (entity,) = entities
                if self.entities[entity].type == "person":
                    out = entity
            self._person[key] = out
        return out

    def accepted(self, key: str) -> frozenset[str]:
        """Every surface accepted by some form of ``key`` (memoized per key):
        ``surface in index.accepted(key)`` is ``any(surface in f.accepted for f
        in index.lookup(key))``."""
        out = self._accepted.get(key)
        if out is None:
            out = frozenset().union(*(f.accepted for f in self.lookup(key)))
            self._accepted[key] = out
        return out


def _surname(entity: Entity) -> str | None:
    words = entity.canonical.split()
    if entity.type != "person" or len(words) < 2:
        return None
    last = words[-1]
    return last if len(TOKEN.findall(last)) == 1 else None


@lru_cache(maxsize=65536)
def _word_losses(word: str) -> tuple[str, ...]:
    """A word with any non-empty subset of its non-ASCII letters deleted ("Núñez" →
    "Nez", "Nuez", "Nnez"), the others transliterated; at most 7 forms."""
    marks = [k for k, ch in enumerate(word) if not ch.isascii() and ch.isalpha()]
    if not marks:
        return ()
    if len(marks) > 2:
        return (fold_phrase(delete_non_ascii_letters(word)),)
    out = []
    for mask in range(1, 1 << len(marks)):
        gone = {marks[b] for b in range(len(marks)) if mask >> b & 1}
        out.append(fold_phrase("".join(ch for k, ch in enumerate(word) if k not in gone)))
    return tuple(dict.fromkeys(out))


def _lost_forms(surface: str, limit: int = 8) -> list[str]:
    """Folded forms of ``surface`` with non-ASCII letters deleted from one or more
    of its words ("Péter Szijjrt", "Alberto Nuez Feijóo")."""
    words = surface.split()
    folded = [fold_phrase(w) for w in words]
    if not any(not w.isascii() for w in words):
        return []
    options = [[f, *_word_losses(w)] for w, f in zip(words, folded, strict=True)]
    total = 1
    for opt in options:
        total *= len(opt)
    if total > limit:  # long names: all-or-nothing per word
        options = [
            [f, fold_phrase(delete_non_ascii_letters(w))] if len(o) > 1 else [f]
            for w, f, o in zip(words, folded, options, strict=True)
        ]
    whole = " ".join(f for f in folded if f)
    out: list[str] = []
    for combo in itertools.product(*options):
        key = " ".join(c for c in combo if c)
        if key != whole and key not in out:
            out.append(key)
    return out


def build_index(entities: Iterable[Entity]) -> NameIndex:
    """Index entities by folded form and compile the Aho-Corasick automaton."""
    import gc

    gc_was_on = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects, no cycles
    try:
        return _build_index(list(entities))
    finally:
        if gc_was_on:
            gc.enable()


def _build_index(entities: list[Entity]) -> NameIndex:
    import ahocorasick

    index = NameIndex(entities=entities)
    forms: dict[str, list[Form]] = {}

    def add(key: str, form: Form) -> None:
        if key:
            forms.setdefault(key, []).append(form)

    lost_candidates: list[tuple[str, Form]] = []
    for i, ent in enumerate(index.entities):
        accepted = ent.accepted
        for surface in accepted:
            add(fold_phrase(surface), Form(i, "name", ent.canonical, accepted))
        for surface in (ent.canonical, *ent.variants):
            for lost in _lost_forms(surface):
                lost_candidates.append((lost, Form(i, "lost", ent.canonical, accepted)))
        # "Tayyip Erdoğan", "Lula da Silva": a long person name without its first word(s)
        words = ent.canonical.split()
        if ent.type == "person" and len(words) >= 3:
            for k in range(1, len(words) - 1):
                tail = " ".join(words[k:])
                if not words[k][0].isupper():
                    continue
                tail_ok = frozenset({tail})
                add(fold_phrase(tail), Form(i, "name", tail, tail_ok))
                for lost in _lost_forms(tail):
                    lost_candidates.append((lost, Form(i, "lost", tail, tail_ok)))
        surname = _surname(ent)
        if surname:
            short = frozenset(
                {surname}
                | {v for v in ent.variants if len(TOKEN.findall(v)) == 1}
                | {v.split()[-1] for v in ent.variants if " " in v}
            )
            add(fold(surname), Form(i, "surname", surname, short))
            for lost in _lost_forms(surname):
                lost_candidates.append((lost, Form(i, "surname-lost", surname, short)))
    names = {k for k, fs in forms.items() if any(f.kind in ("name", "surname") for f in fs)}
    for key, form in lost_candidates:
        letters = key.replace(" ", "")
        last = key.split()[-1] if key else ""
        if len(letters) < 3 or key in names:
            continue
        if " " not in key and (len(key) < 3 or is_common_word(key)):
            continue
        if " " in key and len(last) < 2:
            continue
        add(key, form)
    index.forms = forms
    index.name_keys = {k for k, fs in forms.items() if any(f.kind == "name" for f in fs)}
    automaton = ahocorasick.Automaton()
    for key in forms:
        automaton.add_word(f" {key} ", key)
    if forms:
        automaton.make_automaton()
    index.automaton = automaton
    return index


def entities_from_rows(rows: Sequence[Any]) -> list[Entity]:
    """Entities from glossary rows (:class:`mtaudit.glossary.Row`)."""
    out = []
    for row in rows:
        canonical = normalize_name(row["canonical"])
        if not canonical:
            continue
        variants = tuple(normalize_name(v) for v in row.split("variants") if v != canonical)
        out.append(Entity(canonical, row["type"].strip().lower(), variants, row["note"], row.where))
    return out


# The token regex with a capture group: ``split`` returns the separators at even
# positions and the tokens at odd ones, in one C-level pass.
_SPLIT = re.compile(f"({TOKEN.pattern})")
# Without combining marks in the text a token is just a run of letters, which
# ``re`` scans much faster than the nested pattern above.
_SPLIT_PLAIN = re.compile(r"([^\W\d_]+)")
_MARK = re.compile("[\u0300-\u036f]")


@lru_cache(maxsize=65536)
def fold_token(token: str) -> str:
    """A token's place in the stream: its folded form, or ``#`` when nothing is left."""
    return fold(token) or "#"


@lru_cache(maxsize=65536)
def _glue(sep: str) -> str:
    """What the stream puts between two tokens for the text ``sep`` between them:
    a space when a name may span it (see ``_JOIN``), else a ``#`` barrier."""
    return " " if sep == " " or _JOIN.fullmatch(sep) else " # "


_LETTER = re.compile(r"[^\W\d_]")


def _piece(part: str) -> str:
    """A token's folded form or a separator's glue. A token starts with a letter,
    a separator has none, so one cache (``_PIECES``) serves both."""
    return fold_token(part) if _LETTER.match(part) else _glue(part)


PIECES_LIMIT = 200_000


class _Pieces(dict[str, str]):
    """``_piece`` memoized in a plain dict, so that ``map(piece, parts)`` runs
    ``dict.__getitem__`` in C on hits; bounded (cleared at ``PIECES_LIMIT`` entries)."""

    def __missing__(self, part: str) -> str:
        if len(self) >= PIECES_LIMIT:
            self.clear()
        value = self[part] = _piece(part)
        return value


_PIECES = _Pieces()
piece = _PIECES.__getitem__  # folded form of a token (``fold_token``), glue of a separator


class TokenStream:
    """The folded token stream of one text and the way back to its offsets.

    Built with C-level passes only (``re.split``, ``map`` over cached per-token
    and per-separator functions, ``itertools.accumulate``); the stream-offset map
    used by :func:`find_matches` is built on first use.
    """

    __slots__ = (
        "_offsets",
        "_parts",
        "_tokens",
        "ends",
        "folded",
        "starts",
        "stream",
        "text",
        "words",
    )

    def __init__(self, text: str) -> None:
        splitter = _SPLIT if not text.isascii() and _MARK.search(text) else _SPLIT_PLAIN
        parts = splitter.split(text)  # [sep, token, sep, token, ..., sep]
        self.text = text
        words: list[str] = parts[1::2]
        self.words = words  # the text of each token
        bounds = list(itertools.accumulate(map(len, parts)))
        # token k is parts[2k+1]: it starts where parts[2k] ends
        starts: list[int] = bounds[0:-1:2]
        ends: list[int] = bounds[1::2]
        self.starts = starts  # sorted, like the ends: tokens do not overlap
        self.ends = ends
        self._tokens: list[tuple[int, int]] | None = None
        # tokens and separators in one map: folded token, glue, folded token, ...
        seq = list(map(piece, parts[1:-1]))
        self.folded: list[str] = seq[0::2]
        if words:
            seq.append(" ")
        self._parts = seq
        self.stream = " " + "".join(seq)
        self._offsets: list[int] | None = None

    @property
    def tokens(self) -> list[tuple[int, int]]:
        """(start, end) of each token (built on first use)."""
        if self._tokens is None:
            self._tokens = list(zip(self.starts, self.ends, strict=False))
        return self._tokens

    def offsets(self) -> list[int]:
        """The stream offset of each token (built on first use)."""
        offsets = self._offsets
        if offsets is None:
            offsets = list(itertools.accumulate(map(len, self._parts), initial=1))[0:-1:2]
            self._offsets = offsets
        return offsets

    def token_at(self, offset: int) -> int | None:
        """The index of the token that starts at ``offset`` in the stream, if any."""
        offsets = self.offsets()
        i = bisect_left(offsets, offset)
        return i if i < len(offsets) and offsets[i] == offset else None

    @property
    def stream_starts(self) -> dict[int, int]:
        """Stream offset of a token -> token index."""
        self.token_at(0)
        assert self._offsets is not None
        return dict(zip(self._offsets, range(len(self._offsets)), strict=False))


def token_stream(text: str) -> TokenStream:
    return TokenStream(text)


# A token never spans white space, so the tokens of a text are those of its
# white-space separated chunks (``str.split``) in order. Chunks repeat across
# documents like words do: their tokens and loose stream are cached per chunk, in
# plain dicts read by ``map`` (C-level on hits), bounded like ``_PIECES``.


class _ChunkTokens(dict[str, tuple[str, ...]]):
    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= PIECES_LIMIT:
            self.clear()
        value = self[chunk] = tuple(m.group() for m in TOKEN.finditer(chunk))
        return value


class _ChunkStream(dict[str, str]):
    def __missing__(self, chunk: str) -> str:
        if len(self) >= PIECES_LIMIT:
            self.clear()
        # a chunk without a token stands between two tokens with white space on
        # both sides: never a join (see ``_JOIN``), so a barrier
        value = self[chunk] = " ".join(map(piece, _CHUNK_TOKENS[chunk])) or "#"
        return value


_CHUNK_TOKENS = _ChunkTokens()
_CHUNK_STREAM = _ChunkStream()
chunk_tokens = _CHUNK_TOKENS.__getitem__  # the tokens of one white-space chunk


def chunk_words(chunks: list[str]) -> list[str]:
    """The tokens of a text (``TokenStream(text).words``) from its white-space
    chunks (``text.split()``), without offsets or stream."""
    return list(itertools.chain.from_iterable(map(_CHUNK_TOKENS.__getitem__, chunks)))


def token_words(text: str) -> list[str]:
    """The tokens of ``text``, as :attr:`TokenStream.words`."""
    return chunk_words(text.split())


def loose_multi_keys(
    index: NameIndex, chunks: list[str], words: set[str] | None = None
) -> dict[str, int]:
    """Multi-word keys found in the *loose* stream of a text given as its white-space
    chunks: its folded tokens with every separator a join but the chunks without a
    token, with their match counts (overlapping matches counted, as an automaton
    would). ``words``: the folded tokens of the chunks, if known.
    The loose stream has the tokens of the real one (:class:`TokenStream`) and no
    barrier, so every raw multi-word match of :func:`find_matches` is among these,
    counted once per token sequence. Only the keys whose words all occur
    (:meth:`NameIndex.multi_candidates`) are looked for, with ``str.find``."""
    if words is None:
        words = set(map(piece, chunk_words(chunks)))
    keys = index.multi_candidates(words)
    out: dict[str, int] = {}
    if not keys:
        return out
    stream = " " + " ".join(map(_CHUNK_STREAM.__getitem__, chunks)) + " "
    find = stream.find
    for key in keys:
        pattern = f" {key} "
        i = find(pattern)
        count = 0
        while i >= 0:
            count += 1
            i = find(pattern, i + 1)
        if count:
            out[key] = count
    return out


class Match(NamedTuple):
    first: int  # token indexes, inclusive
    last: int
    key: str


def find_matches(
    index: NameIndex, ts: TokenStream, multi_keys: Iterable[str] | None = None
) -> list[Match]:
    """Longest non-overlapping glossary matches on token boundaries.

    Longest first, then leftmost: sorting (-words, first, key) tuples gives that
    order, as two matches with the same first token and length are one key.

    The stream is " " + units joined by single spaces, each unit a folded token
    (alphanumeric, or ``#`` when nothing is left) or a ``#`` barrier, and a key
    is alphanumeric words joined by spaces. So a single-word key matches exactly
    at the tokens whose folded form it is (found with C-level ``map`` and
    ``compress``, no automaton and no offsets), and only multi-word keys need the
    stream: each of a superset of those present (``multi_keys`` when the caller
    knows one, e.g. those of :func:`loose_multi_keys`, else
    :meth:`NameIndex.multi_candidates`) is looked for with ``str.find``: no
    automaton walk over the whole stream, which is slow when its trie is not in
    the CPU cache (as when all rules run)."""
    if not index.forms:
        return []
    folded = ts.folded
    present = set(folded)
    keys = index.single_keys(present)
    singles = list(itertools.compress(range(len(folded)), map(keys.__contains__, folded)))
    if multi_keys is None:
        multi_keys = index.multi_candidates(present)
    stream = ts.stream
    hits: list[tuple[int, str]] = []  # (stream offset of the first word, key)
    find = stream.find
    for key in multi_keys:
        pattern = f" {key} "
        i = find(pattern)
        while i >= 0:
            hits.append((i + 1, key))
            i = find(pattern, i + 1)
    if not hits:
        # single words only: one token has one folded form, so no two overlap
        return [Match(i, i, folded[i]) for i in singles]
    found: list[tuple[int, int, str]] = []
    if "#" in folded:  # a token that folds to nothing: see below
        offsets = ts.offsets()
        n = len(offsets)
        for start, key in hits:
            first = bisect_left(offsets, start)
            if first < n and offsets[first] == start:
                found.append((-key.count(" "), first, key))
    else:
        # Every unit follows one space and a hit starts a unit (a key starts with
        # a letter or digit), so the units before a hit are the spaces before it
        # less one; the ``#`` units among them are barriers, as no token folds
        # to ``#``: the rest are the tokens before the hit.
        count = stream.count
        for start, key in hits:
            first = count(" ", 0, start) - 1 - count("#", 0, start)
            found.append((-key.count(" "), first, key))
    found.sort()
    taken: set[int] = set()
    out = []
    for neg, first, key in found:
        span = range(first, first - neg + 1)
        if not taken.isdisjoint(span):
            continue
        taken.update(span)
        out.append(Match(first, first - neg, key))
    out.extend(Match(i, i, folded[i]) for i in singles if i not in taken)
    out.sort()  # by first token: the matches do not overlap
    return out
