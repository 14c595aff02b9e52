"""Non-words (MT72x): tokens that are not English words, names or known abbreviations.

A word list says what English is: wordfreq's English frequencies (Zipf scale, 0 =
never seen), plus the entity glossary (names) and the ``allowed`` glossary (Latin
tags, loanwords, abbreviations, and the English prefixes and productive suffixes
that build rare but regular words such as "antigovernmental"). A token that the
list does not know, and that is not a name, an acronym, a number or part of a URL,
is a non-word; when a frequent English word is one edit away it is a misspelling
and that word is the suggestion.

This module also holds the lexicon shared with the untranslated-fragment checks
(:mod:`mtaudit.checks.untranslated`): cached frequency look-ups, the masks for
URLs and allowed phrases, and the suggestion search. wordfreq and rapidfuzz are
imported lazily, the vocabulary is built once per process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Hashable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, filterfalse, repeat
from typing import TYPE_CHECKING, Any, cast

from mtaudit.document import WORD_PATTERN, Document, Segment
from mtaudit.finding import Hit, Severity
from mtaudit.registry import register

if TYPE_CHECKING:
    from mtaudit.engine import Context

# --- the English lexicon ---------------------------------------------------------

VOCAB_SIZE = 100_000  # frequent English words searched for suggestions
KNOWN_ZIPF = 3.0  # at or above: an ordinary English word
RARE_ZIPF = 3.0  # below: rare enough that a frequent word one edit away wins
MISSPELLING_GAP = 2.0  # the suggestion must be this much more frequent (Zipf)
SUGGEST_MIN_ZIPF = 3.0  # only suggest words an editor would recognize
INFLECTED_STEM_ZIPF = 1.5  # an inflected form of a word this frequent is a word
_INFLECTIONS = frozenset({"s", "es", "ed", "ing", "ings", "er", "ers"})
INITIAL_MAX_RANK = 1000
COMMON_ZIPF = 4.0
RARE_EDIT_GAP = 3.0  # ... unless the edit is a swap of two neighbouring letters  # a capitalized unknown opening a sentence: only very common targets

_APOS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_POSSESSIVE = re.compile(r"(?:'s|')$")


@lru_cache(maxsize=262_144)
def en_zipf(word: str) -> float:
    """Zipf frequency of a lower-case word in English (0 = unknown)."""
    known = known_words().get(word)
    if known is not None:
        return known
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=1)
def _vocab() -> tuple[dict[tuple[int, str, int], list[str]], dict[str, int]]:
    """Suggestable English words (frequent, letters only) and their frequency rank,
    bucketed by (position of the letter, letter, length) so that a search only
    compares words that share the first or the second letter."""
    from wordfreq import top_n_list

    known = known_words()
    buckets: dict[tuple[int, str, int], list[str]] = {}
    rank: dict[str, int] = {}
    for i, word in enumerate(top_n_list("en", VOCAB_SIZE)):
        if len(word) > 1 and word.isalpha() and word in known:
            rank[word] = i
            buckets.setdefault((0, word[0], len(word)), []).append(word)
            buckets.setdefault((1, word[1], len(word)), []).append(word)
    return buckets, rank


def _candidates(word: str, limit: int) -> set[str]:
    """Words that may be within ``limit`` edits: those sharing the first letter, or
    whose first/second letter is the word's first/second (a typo at the start)."""
    buckets, _ = _vocab()
    out: set[str] = set()
    n = len(word)
    keys = {(0, word[0]), (1, word[0]), (0, word[1]), (1, word[1])}
    for length in range(n - limit, n + limit + 1):
        for pos, letter in keys:
            out.update(buckets.get((pos, letter, length), ()))
    return out


@lru_cache(maxsize=65_536)
def suggest(word: str, max_distance: int = 2) -> tuple[str, int] | None:
    """The most frequent English word within ``max_distance`` edits (optimal string
    alignment: insert, delete, substitute, swap two neighbours), or None.

    Two edits are only trusted for longer words and common targets, and never
    when the target is a prefix of the word (``antigen`` + ``al`` is a different
    word, not a typo of ``antigen``)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    if len(word) < 2:
        return None
    _, rank = _vocab()
    limit = max_distance if len(word) >= 7 else 1
    best: tuple[int, int, str] | None = None
    for cand, dist, _ in process.extract(
        word, list(_candidates(word, limit)), scorer=OSA.distance, score_cutoff=limit, limit=None
    ):
        if dist == 0:
            continue
        if dist >= 2 and (word.startswith(cand) or cand.startswith(word)):
            continue
        key = (int(dist), rank[cand], cand)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    if best[0] >= 2 and best[1] > 20_000:
        return None  # a distant, rare suggestion is a guess, not a correction
    return best[2], best[0]


_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff'’]+")


def is_latin_word(word: str) -> bool:
    """Letters of the Latin script only (with diacritics), apostrophes allowed."""
    return _LATIN_WORD.fullmatch(word) is not None


@lru_cache(maxsize=1)
def known_words() -> dict[str, float]:
    """English words at least as frequent as ``KNOWN_ZIPF``, with their Zipf
    frequency: the fast path of every token check."""
    from wordfreq import get_frequency_list

    last = round((9.0 - KNOWN_ZIPF) * 100)
    return {
        w: 9.0 - i / 100
        for i, bucket in enumerate(get_frequency_list("en")[: last + 1])
        for w in bucket
    }


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class AllowedWords:
    """The ``allowed`` and ``entities`` glossaries, compiled for token checks."""

    words: frozenset[str]  # lower-case single words of the allowed glossary
    names: frozenset[str]  # lower-case words of entity names (people, places, bodies)
    phrases: re.Pattern[str] | None  # multi-word allowed phrases, case-insensitive
    first_words: frozenset[str]  # their first words, lower-cased: where to try them
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    # The alternatives of ``phrases`` in order, each with the lower-cased first
    # word it starts with ("" when that word is not ASCII): see phrase_matcher.
    phrase_alternatives: tuple[tuple[str, str], ...] = ()


def _phrase_alternatives(phrases: set[str]) -> list[tuple[str, str]]:
    """(first word, alternative) of the phrase pattern, in pattern order."""
    alts: dict[str, str] = {}
    for p in phrases:
        for form in {p, strip_accents(p)}:
            alt = re.escape(form).replace("'", r"\s?['’]\s?").replace(r"\ ", r"\s+")
            first = re.match(r"\w+", form)
            key = first.group().lower() if first and first.group().isascii() else ""
            alts[alt] = key
    return sorted(alts.items(), key=lambda kv: len(kv[0]), reverse=True)


def _phrase_pattern(phrases: set[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    body = "|".join(alt for alt, _ in _phrase_alternatives(phrases))
    return re.compile(rf"(?:{body})(?![\w-])", re.IGNORECASE)


def _alternatives_pattern(alts: list[str]) -> re.Pattern[str] | None:
    if not alts:
        return None
    return re.compile(rf"(?:{'|'.join(alts)})(?![\w-])", re.IGNORECASE)


def allowed_words(ctx: Context) -> AllowedWords:
    def build() -> AllowedWords:
        words: set[str] = set()
        phrases: set[str] = set()
        prefixes: list[str] = []
        suffixes: list[str] = []
        for row in ctx.glossaries.rows("allowed"):
            word, kind = row["word"].strip(), row["type"].strip().lower()
            if kind == "prefix":
                prefixes.append(word.strip("-").lower())
            elif kind == "suffix":
                suffixes.append(word.strip("-").lower())
            elif re.search(r"[\s.]", word.strip(".")) or "'" in word or "’" in word:
                phrases.add(word)
            else:
                words.add(word.strip(".").lower())
                words.add(strip_accents(word.strip(".")).lower())
                if word.endswith(".") or "-" in word:
                    phrases.add(word)
        names: set[str] = set()
        for row in ctx.glossaries.rows("entities"):
            for name in [row["canonical"], *row.split("variants")]:
                names.update(re.findall(r"\w+", name.lower()))
        firsts = set()
        for phrase in phrases:
            first = re.match(r"\w+", phrase)
            if first:
                firsts.update({first.group().lower(), strip_accents(first.group()).lower()})
        return AllowedWords(
            frozenset(words),
            frozenset(names),
            _phrase_pattern(phrases),
            frozenset(firsts),
            tuple(sorted(set(prefixes), key=len, reverse=True)),
            tuple(sorted(set(suffixes), key=len, reverse=True)),
            tuple((key, alt) for alt, key in _phrase_alternatives(phrases)),
        )

    return ctx.glossaries.compiled("mtaudit.lexicon.allowed", build)


class Spans:
    """Sorted character spans with a constant-time "is this inside one?" test."""

    __slots__ = ("_mask", "spans")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self.spans = sorted(spans or [])
        self._mask: bytearray | None = None

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __add__(self, other: Spans) -> Spans:
        return Spans(self.spans + other.spans)

    def _built(self) -> bytearray:
        mask = self._mask
        if mask is None:
            mask = bytearray(max(e for _, e in self.spans) + 1)
            for s, e in self.spans:
                mask[s:e] = b"\x01" * (e - s)
            self._mask = mask
        return mask

    def covers(self, start: int, end: int) -> bool:
        """Both ``start`` and ``end - 1`` lie inside spans (not necessarily the same)."""
        if not self.spans:
            return False
        mask = self._built()
        return end - 1 < len(mask) and mask[start] == 1 and mask[end - 1] == 1

    def point(self, pos: int) -> bool:
        """``pos`` lies inside a span: ``covers(start, end)`` is
        ``point(start) and point(end - 1)``."""
        if not self.spans:
            return False
        mask = self._built()
        return pos < len(mask) and mask[pos] == 1


def in_spans(start: int, end: int, spans: Spans) -> bool:
    return spans.covers(start, end)


# URLs, e-mail addresses, hashtags and @handles: not prose. Each pattern runs only
# when its marker occurs in the text (most documents have none).
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_MAIL_LOCAL = re.compile(r"[\w.+-]{1,64}$")
_MAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])[@#]\w+")
_DOMAIN_HINT = re.compile(
    r"\w\.(?:com|org|net|gov|edu|int|info|io|co|uk|de|fr|ru|cn|jp|eu)\b", re.I
)
# Every _DOMAIN_HINT match holds one of these; starting with the literal dot, the
# search skips through the text in C instead of trying every word character.
_MAYBE_DOMAIN = re.compile(r"\.(?:com|org|net|gov|edu|int|info|io|co|uk|de|fr|ru|cn|jp|eu)\b", re.I)
_DOMAIN_LEFT = re.compile(r"[\w.-]+$")
_NON_SPACE = re.compile(r"(?:/\S*)?")


def links(text: str, handles: bool = True) -> list[tuple[int, int]]:
    """URLs, e-mail addresses, domain names and (with ``handles``) @handles, #tags."""
    out: list[tuple[int, int]] = []
    if "://" in text or "www." in text:
        out.extend((m.start(), m.end()) for m in _URL.finditer(text))
    at = text.find("@")
    while at >= 0:
        local = _MAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _MAIL_DOMAIN.match(text, at)
        if local and domain:
            out.append((local.start(), domain.end()))
        at = text.find("@", at + 1)
    if handles and ("@" in text or "#" in text):
        out.extend((m.start(), m.end()) for m in _HANDLE.finditer(text))
    for m in _DOMAIN_HINT.finditer(text) if _MAYBE_DOMAIN.search(text) else ():
        left = _DOMAIN_LEFT.search(text, max(0, m.start() - 100), m.start() + 1)
        right = _NON_SPACE.match(text, m.end())
        start = left.start() if left else m.start()
        end = right.end() if right else m.end()
        if not out or out[-1][1] < end:
            out.append((start, end))
    return out


@lru_cache(maxsize=8192)
def _token_pattern(token: str) -> re.Pattern[str]:
    """``token`` where ``doc.tokens`` has it: no word character, nor a joiner after
    a word character, leads into it, and none leads out of it. The literal comes
    first so that the search skips through the text in C."""
    n = len(token)
    return re.compile(
        rf"{re.escape(token)}(?<!\w.{{{n}}})(?<!\w['’\-].{{{n}}})(?!\w)(?!['’\-]\w)", re.DOTALL
    )


def token_starts(text: str, token: str) -> list[int]:
    """Where ``doc.tokens`` has a token equal to ``token`` (a match of
    ``\\w+(?:['’-]\\w+)*``), without tokenizing the whole text."""
    return [m.start() for m in _token_pattern(token).finditer(text)]


def phrase_matcher(allowed: AllowedWords, first: str) -> re.Pattern[str] | None:
    """``allowed.phrases`` cut down to the alternatives that can match at an
    ASCII token whose lower case is ``first``, in the same order (so the match
    is the same): an alternative starts with its phrase's first word, followed
    by a non-word character, so only phrases whose first word is the token
    (case-insensitively, which for ASCII is ``lower()``) can match, plus those
    whose first word is not ASCII, kept to be safe. Cached per glossary."""
    cache = _caches(allowed).phrase_patterns
    if first not in cache:
        if len(cache) >= CACHE_MAX:
            cache.clear()
        cache[first] = _alternatives_pattern(
            [alt for key, alt in allowed.phrase_alternatives if key in (first, "")]
        )
    return cache[first]


def protected_spans(doc: Document, ctx: Context) -> Spans:
    """Spans not to judge as words: URLs, e-mails, handles, allowed phrases."""

    def compute() -> Spans:
        text = doc.text
        out = links(text)
        allowed = allowed_words(ctx)
        if allowed.phrases is not None:
            # the tokens whose lower case is the first word of an allowed phrase
            caches = _caches(allowed)
            table = chunk_table(ctx)
            table.register(caches.phrase_key, caches.phrase_test)
            for word in table.items(doc, caches.phrase_key):
                lower = word.lower()
                pattern = phrase_matcher(allowed, lower) if word.isascii() else allowed.phrases
                if pattern is None:
                    continue
                # one C-level map over the occurrences ("a", "in" are frequent)
                for m in map(pattern.match, repeat(text), token_starts(text, word)):
                    if m:
                        out.append((m.start(), m.end()))
        return Spans(out)

    return doc.memo("mtaudit.lexicon.protected", compute)


_SENT_START = re.compile(r"(?:^|[.!?…:;\n]|[.!?…][\"”’»)\]]+)[\s\"“‘«(\[—–-]*$")


def at_sentence_start(text: str, start: int) -> bool:
    """True when only sentence punctuation, quotes or brackets precede ``start``."""
    return bool(_SENT_START.search(text, max(0, start - 6), start)) or start == 0


def explained_by_morphology(word: str, allowed: AllowedWords) -> bool:
    """A rare but regular word: known prefix + word, or word + productive suffix."""
    for prefix in allowed.prefixes:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3 and en_zipf(rest) >= KNOWN_ZIPF:
            return True
    for suffix in allowed.suffixes:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            # An inflection of any known word is a word ("korunas"); a derivation
            # needs a common stem.
            low = suffix in _INFLECTIONS and len(stem) >= 4
            floor = INFLECTED_STEM_ZIPF if low else KNOWN_ZIPF
            for base in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else ""):
                if base and en_zipf(base) >= floor:
                    return True
            if stem.endswith("i") and en_zipf(stem[:-1] + "y") >= floor:
                return True
    return False


# --- the analysis shared by MT720/MT721 --------------------------------------------


@dataclass(frozen=True)
class Odd:
    """A token that is not an English word."""

    start: int
    end: int
    word: str
    suggestion: str | None
    distance: int
    zipf: float


def _match_case(original: str, suggestion: str) -> str:
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def _rank(word: str) -> int:
    return _vocab()[1].get(word, VOCAB_SIZE)


def _swapped(a: str, b: str) -> bool:
    """``a`` is ``b`` with two neighbouring letters swapped ("tihs"/"this")."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def _judge(
    text: str, start: int, end: int, allowed: AllowedWords, names: Container[str]
) -> Odd | None:
    """The token ``text[start:end]`` judged in its place (see :func:`_verdict`)."""
    return _place(text, start, end, names, _verdict(text[start:end], allowed))


def _place(
    text: str, start: int, end: int, names: Container[str], verdict: _Verdict | None
) -> Odd | None:
    """Apply the tests that depend on the token's neighbours to its verdict."""
    if verdict is None:
        return None
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if not (before.isspace() or before in _EDGE) or not (after.isspace() or after in _EDGE):
        return None  # glued to symbols ("Ã‰lisabeth"): the encoding checks' business
    word = verdict.word
    found = verdict.mid
    if word[:1].isupper():
        if not at_sentence_start(text, start) or word in names:
            return None  # a name
        found = verdict.initial
    if found is None:
        return None
    suggestion, distance, zipf = found
    return Odd(start, start + len(word), text[start:end], suggestion, distance, zipf)


@dataclass(frozen=True)
class _Verdict:
    """What a token text is, wherever it stands: ``mid`` for a lower-case word,
    ``initial`` for a capitalized one at a sentence start (elsewhere it is a
    name); each (suggestion, distance, zipf) or None (a word)."""

    word: str  # the token without a possessive ending
    mid: tuple[str | None, int, float] | None
    initial: tuple[str | None, int, float] | None


def _verdict(raw: str, allowed: AllowedWords) -> _Verdict | None:
    """The position-independent verdict on a token text, cached per compiled
    ``allowed`` glossary (bounded). None: a word wherever it stands."""
    cache = _verdict_cache(allowed)
    try:
        return cache[raw]
    except KeyError:
        pass
    if len(cache) >= CACHE_MAX:
        cache.clear()
    found = cache[raw] = _judge_text(raw, allowed)
    return found


CACHE_MAX = 150_000


class _Caches:
    """The caches of one compiled ``allowed`` glossary object (a custom glossary
    never sees answers made with another); each bounded by ``CACHE_MAX``."""

    __slots__ = (
        "allowed",
        "clean",
        "phrase_key",
        "phrase_patterns",
        "suspect_key",
        "verdicts",
    )

    def __init__(self, allowed: AllowedWords) -> None:
        self.allowed = allowed
        self.verdicts: dict[str, _Verdict | None] = {}  # token or hyphen part -> verdict
        self.clean: set[str] = set()  # token texts that are words wherever they stand
        self.phrase_patterns: dict[str, re.Pattern[str] | None] = {}  # see phrase_matcher
        # keys of this glossary's tests in the chunk table
        self.suspect_key = ("mtaudit.nonwords.suspects", self)
        self.phrase_key = ("mtaudit.lexicon.phrases", self)

    def suspect_test(self, chunk: str, tokens: list[str]) -> tuple[str, ...]:
        """The tokens of a chunk that may be non-words (see :func:`suspects`)."""
        return tuple(t for t in tokens if _is_suspect(self, t))

    def phrase_test(self, chunk: str, tokens: list[str]) -> tuple[str, ...]:
        """The tokens of a chunk that may open an allowed phrase."""
        firsts = self.allowed.first_words
        return tuple(t for t in tokens if t.lower() in firsts)


_CACHES: dict[int, _Caches] = {}


def _caches(allowed: AllowedWords) -> _Caches:
    found = _CACHES.get(id(allowed))
    if found is None or found.allowed is not allowed:
        if len(_CACHES) >= 8:
            _CACHES.clear()
        found = _CACHES[id(allowed)] = _Caches(allowed)
    return found


def _verdict_cache(allowed: AllowedWords) -> dict[str, _Verdict | None]:
    """Token or hyphen-part text -> its verdict."""
    return _caches(allowed).verdicts


def _clean_tokens(allowed: AllowedWords) -> set[str]:
    """Token texts that are words wherever they stand (see :func:`suspects`)."""
    return _caches(allowed).clean


def _judge_text(raw: str, allowed: AllowedWords) -> _Verdict | None:
    word = _POSSESSIVE.sub("", raw.translate(_APOS))
    if len(word) < 3 or not is_latin_word(word):
        return None
    lower = word.lower()
    if lower in allowed.words or lower in allowed.names:
        return None
    if not lower.isascii() and strip_accents(lower) in allowed.words:
        return None
    if word[1:] != word[1:].lower():
        return None  # an acronym or a brand ("NATO", "iPhone", "teamLab")
    if word[:1].isupper():
        # Capitalized: a name inside a sentence, judged only at a sentence start.
        initial = _judge_word(word, lower, allowed, True)
        return None if initial is None else _Verdict(word, None, initial)
    mid = _judge_word(word, lower, allowed, False)
    return None if mid is None else _Verdict(word, mid, None)


def _judge_word(
    word: str, lower: str, allowed: AllowedWords, initial: bool
) -> tuple[str | None, int, float] | None:
    """A (suggestion, distance, zipf) for a non-word, None for a word. ``initial``:
    capitalized at a sentence start (maybe a name: stricter)."""
    zipf = en_zipf(lower)
    if zipf >= KNOWN_ZIPF:
        return None
    if zipf > 0:
        if zipf >= RARE_ZIPF:
            return None
        hit = suggest(lower, 1)
        if hit is None:
            return None
        # A rare real word ("embers", "stoles") is often one edit from a common
        # one; swapped neighbours ("thier") are typos, other edits need a wider gap.
        gap = MISSPELLING_GAP if _swapped(lower, hit[0]) else RARE_EDIT_GAP
        if en_zipf(hit[0]) < zipf + gap:
            return None
        if initial and not (_swapped(lower, hit[0]) and _rank(hit[0]) <= INITIAL_MAX_RANK):
            return None  # a name opening the sentence ("Parly", "Werth")
        return _match_case(word, hit[0]), hit[1], zipf
    if explained_by_morphology(lower, allowed):
        close = suggest(lower, 1)
        if close is None or en_zipf(close[0]) < COMMON_ZIPF:
            return None  # unless a common word is one typo away ("casuing")
    hit = suggest(lower, 2)
    if initial and (hit is None or hit[1] > 1 or _rank(hit[0]) > INITIAL_MAX_RANK):
        return None  # a capitalized unknown opening a sentence is most often a name
    if hit is None:
        return None, 0, zipf
    return _match_case(word, hit[0]), hit[1], zipf


_DIGIT = re.compile(r"[\d_]")
_EDGE = frozenset(".,;:!?\"'()[]{}-–—/…“”‘’«»*<>")


def token_texts(doc: Document) -> frozenset[str]:
    """The distinct texts of ``doc.tokens`` (same pattern), without building the
    token list."""
    return doc.memo("mtaudit.lexicon.token_texts", lambda: frozenset(_TOKEN.findall(doc.text)))


_TOKEN = WORD_PATTERN  # the pattern of mtaudit.document.iter_words


def text_chunks(doc: Document) -> frozenset[str]:
    """The distinct whitespace-separated chunks of ``doc.text``: what the
    per-document prefilters look up in their caches (one ``str.split`` in C,
    about half the cost of tokenizing). A token (``\\w+(?:['’-]\\w+)*``)
    holds no whitespace, so it lies inside one chunk, and tokenizing the chunk
    on its own finds exactly the document's tokens there: the token set of the
    document is the union of its chunks' token sets."""
    return doc.memo("mtaudit.lexicon.chunks", lambda: frozenset(doc.text.split()))


ChunkTest = Callable[[str, list[str]], tuple[Hashable, ...]]
_Row = tuple[tuple[object, tuple[Hashable, ...]], ...]  # (test key, items) per test finding any
_NO_ITEMS: frozenset[Any] = frozenset()


class ChunkTable:
    """What each of several per-chunk tests finds in a chunk of text (a
    whitespace-separated piece, see :func:`text_chunks`), remembered per chunk
    text for all the lexical checks of a run (and the idiom prefilter): chunks
    follow Zipf's law like words, so after a few documents nearly every chunk is
    known, and the chunks in which no test finds anything (most of them) are
    dropped for all tests at once by one C-level filter over its split text per document.
    The remaining chunks are looked up once per document for all tests
    together (:meth:`found_in`).

    A test maps a chunk and its tokens to the items it finds there (tokens that
    may be foreign, non-words, ...); it must be a fixed function of the chunk,
    so each configuration registers its own test under its own key. Registering
    a new test forgets what was known about every chunk. Bounded: each memory is
    cleared when it grows past ``CACHE_MAX`` entries."""

    __slots__ = ("chunks", "clean", "generation", "tests")

    def __init__(self) -> None:
        self.tests: dict[object, ChunkTest] = {}
        self.clean: set[str] = set()  # chunks in which no registered test finds anything
        # chunk -> (test key, items) of every test that finds something there
        self.chunks: dict[str, _Row] = {}
        self.generation = 0

    def register(self, key: object, test: ChunkTest) -> None:
        if key not in self.tests:
            self.tests[key] = test
            self.clean.clear()
            self.chunks.clear()
            self.generation += 1

    def items(self, doc: Document, key: object) -> frozenset[Any]:
        """The distinct items the (registered) test ``key`` finds in ``doc``."""
        return self.found_in(doc).get(key, _NO_ITEMS)

    def found_in(self, doc: Document) -> dict[object, frozenset[Any]]:
        """Test key -> the distinct items it finds in ``doc`` (tests that find
        nothing are left out), for every registered test at once; computed once
        per document and generation of tests."""
        return doc.memo(
            f"mtaudit.lexicon.found.{id(self)}.{self.generation}", lambda: self._collect(doc)
        )

    def _collect(self, doc: Document) -> dict[object, frozenset[Any]]:
        # The distinct chunks not known to be clean: a C-level filter over the
        # split text (cheaper than building the set of all the chunks first),
        # then their known findings by one C-level map.
        rest = set(filterfalse(self.clean.__contains__, doc.text.split()))
        rows: list[_Row | None] = list(map(self.chunks.get, rest))
        if None in rows:  # chunks never seen: judged now (by every test)
            judge = self._judge
            rows = [
                judge(chunk) if row is None else row for chunk, row in zip(rest, rows, strict=True)
            ]
        gathered: dict[object, list[tuple[Hashable, ...]]] = {}
        for key, items in chain.from_iterable(cast("list[_Row]", rows)):
            found = gathered.get(key)
            if found is None:
                gathered[key] = [items]
            else:
                found.append(items)
        return {key: frozenset(chain.from_iterable(found)) for key, found in gathered.items()}

    def _judge(self, chunk: str) -> _Row:
        """Run every test on a chunk not seen before (by all of them)."""
        tokens = _TOKEN.findall(chunk)
        pairs = tuple(
            (key, items) for key, test in self.tests.items() if (items := test(chunk, tokens))
        )
        if pairs:
            if len(self.chunks) >= CACHE_MAX:
                self.chunks.clear()
            self.chunks[chunk] = pairs
        else:
            if len(self.clean) >= CACHE_MAX:
                self.clean.clear()
            self.clean.add(chunk)
        return pairs


def chunk_table(ctx: Context) -> ChunkTable:
    """The chunk table of this run (kept with the compiled glossaries)."""
    return ctx.glossaries.compiled("mtaudit.lexicon.chunks", ChunkTable)


def _units(token: str) -> Iterator[str]:
    """What :func:`analyze` judges in a token: the token, or its hyphen parts."""
    if "-" in token:
        yield from (part for part in token.split("-") if part)
    else:
        yield token


def suspects(doc: Document, ctx: Context) -> list[str]:
    """Token texts that may be non-words somewhere: exact prefilter of
    :func:`analyze`. Every other token is a word wherever it stands, because the
    position-dependent tests (neighbouring symbols, names, sentence starts,
    protected spans) can only clear a token, never flag one."""

    def compute() -> list[str]:
        caches = _caches(allowed_words(ctx))
        table = chunk_table(ctx)
        key = caches.suspect_key
        table.register(key, caches.suspect_test)
        return list(table.items(doc, key))

    return doc.memo("mtaudit.nonwords.suspects", compute)


def _is_suspect(caches: _Caches, token: str) -> bool:
    """A token text that may be a non-word somewhere (the per-token test of
    :func:`suspects`); the others are remembered in ``caches.clean``."""
    clean = caches.clean
    if token in clean or token in known_set():
        return False
    if not _DIGIT.search(token) and any(
        _verdict(u, caches.allowed) is not None for u in _units(token)
    ):
        return True
    if len(clean) >= CACHE_MAX:
        clean.clear()
    clean.add(token)
    return False


@lru_cache(maxsize=1)
def known_set() -> frozenset[str]:
    """The keys of :func:`known_words`, for C-level set differences."""
    return frozenset(known_words())


class _Names:
    """Capitalized words seen mid-sentence (names wherever they occur): a word is
    one when some token equal to it does not stand at a sentence start. Answered
    per word asked, from the word's own occurrences."""

    __slots__ = ("_known", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._known: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        # A word that is no token of the text has no occurrences: not a name.
        if not isinstance(word, str) or not word[:1].isupper():
            return False
        found = self._known.get(word)
        if found is None:
            text = self._text
            found = self._known[word] = any(
                not at_sentence_start(text, start) for start in token_starts(text, word)
            )
        return found


def analyze(doc: Document, ctx: Context) -> list[Odd]:
    """Every token of ``doc`` that is not an English word, name or abbreviation."""

    def compute() -> list[Odd]:
        from mtaudit.checks.untranslated import exempt_spans

        out: list[Odd] = []
        suspect = suspects(doc, ctx)
        if not suspect:
            return out  # most documents: every token is a word wherever it stands
        text = doc.text
        allowed = allowed_words(ctx)
        # Quoted terms, titles, glossed foreign phrases and italics are deliberate.
        exempt = exempt_spans(doc)

        def covered(pos: int) -> bool:
            # inside an exempt or a protected span (found only when asked)
            return exempt.point(pos) or protected_spans(doc, ctx).point(pos)

        names = _Names(text)
        # Only the suspects' tokens, in text order (every other token is a word).
        tokens = sorted(
            Segment(start, start + len(word), word)
            for word in suspect
            for start in token_starts(text, word)
        )
        for tok in tokens:
            if tok.text[:1].isupper() and tok.text in names:
                continue  # a name
            if covered(tok.start) and covered(tok.end - 1):
                continue
            if "-" in tok.text:
                if tok.text[:1].isupper() and not at_sentence_start(text, tok.start):
                    continue  # a hyphenated name ("Mohenjo-daro")
                pos = tok.start
                for part in tok.text.split("-"):
                    if part:
                        odd = _judge(text, pos, pos + len(part), allowed, names)
                        if odd:
                            out.append(odd)
                    pos += len(part) + 1
                continue
            odd = _judge(text, tok.start, tok.end, allowed, names)
            if odd:
                out.append(odd)
        return out

    return doc.memo("mtaudit.nonwords", compute)


@register("MT720", "misspelling", category="terminology", severity="minor")
def misspelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A misspelled word: not English (or very rare), one or two edits away from a
    frequent English word, which is suggested.

    Why: MT output and post-editing leave typos and dropped letters ("foudn",
    "witnss", "anounced") that a spelling pass must catch before publication.

    Bad: Traces of melamine were foudn in the samples.
    Good: Traces of melamine were found in the samples.
    """
    for odd in analyze(doc, ctx):
        if odd.suggestion is None:
            continue
        yield Hit(
            odd.start,
            odd.end,
            f"Misspelling: {odd.word!r} is not an English word; did you mean {odd.suggestion!r}?",
            suggestion=odd.suggestion,
            confidence=0.85 if odd.distance == 1 else 0.6,
        )


@register("MT721", "non-word", category="terminology", severity="major")
def non_word(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A word that is not English, not a name and not a known abbreviation, with no
    close English word to suggest.

    Why: MT systems invent words when they mangle a rare source word
    ("antigenal" for antigovernmental); the reader cannot recover the meaning, so
    the sentence needs a translator's look.

    Bad: The prime minister resigned amid growing antigenal protests.
    Good: The prime minister resigned amid growing anti-government protests.
    """
    for odd in analyze(doc, ctx):
        if odd.suggestion is not None:
            continue
        yield Hit(
            odd.start,
            odd.end,
            f"Not an English word: {odd.word!r} (not in the English word list, "
            "the name glossary or the allowed words)",
            confidence=0.6,
            severity=Severity.MAJOR,
        )
