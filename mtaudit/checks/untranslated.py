"""Untranslated fragments (MT5xx): sentences, clauses, runs of words or single
words left in the source language.

Three kinds of evidence, cheapest first:

- script: letters of a non-Latin script (Cyrillic, CJK, Arabic, Hebrew, Greek,
  Devanagari, Thai, Hangul, kana, …) inside Latin-script English (MT503);
- words: each word is weighed with wordfreq in English and in the likely source
  languages; a run of three or more words that are far more frequent in one
  source language than in English ("nous sommes prêts", "und die Regierung"), or
  a single word that English does not know but a source language uses often
  ("komisarz", "fracaso"), is a fragment (MT502);
- langdetect (seeded, so runs are reproducible) confirms long runs and whole
  sentences before they are reported, and names their language (MT501 when the
  whole sentence is foreign).

Names (capitalized words inside a sentence, the entity glossary), URLs, e-mails,
hashtags, Latin tags and loanwords (the ``allowed`` glossary), italics, short
quoted terms, titles of works and quoted foreign phrases followed by a gloss are
not fragments.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mtaudit.checks.nonwords import (
    Spans,
    allowed_words,
    at_sentence_start,
    chunk_table,
    en_zipf,
    is_latin_word,
    known_words,
    links,
    protected_spans,
    strip_accents,
    token_starts,
)
from mtaudit.document import WORD_PATTERN, Document, Segment, iter_words
from mtaudit.finding import Hit, Severity
from mtaudit.registry import register

if TYPE_CHECKING:
    from mtaudit.engine import Context

# Latin-script languages of wordfreq that MT commonly translates from; the
# ``languages`` option of MT502 or --source-lang narrows the list.
LATIN_LANGS = tuple(
    "fr de es it pt pl cs ro nl tr sv hu sk sl sh da nb fi id ms ca lt lv vi fil".split()  # noqa: SIM905
)
DEFAULT_LANGS = LATIN_LANGS[:12]  # the most common sources of MT into English news
FOREIGN_MIN_ZIPF = 3.0  # a foreign word must be at least this common in its language
FOREIGN_MARGIN = 1.5  # ... and this much more common there than in English
SINGLE_EN_MAX = 2.0  # below: (nearly) unknown in English
KNOWN_EN = 3.0  # a lone foreign word must be rarer than this in English ...
LONE_MARGIN = 2.5  # ... and this much more frequent in its source language
DEEP_MIN_ZIPF = 2.3  # with --source-lang: how rare a source word may be
UNKNOWN_FOREIGN_MIN_ZIPF = 2.3  # a word English never uses, seen this often in a source language
NOUN_MIN_ZIPF = 4.0  # capitalized nouns of languages that capitalize nouns (German)
NOUN_LANGS = ("de",)
RUN_MIN_WORDS = 3  # words in a run of function words
SENTENCE_SHARE = 0.7  # share of a sentence's words that makes it a whole-sentence fragment
MAX_BRIDGE = 2  # names/numbers allowed inside a run
LANGDETECT_MIN_WORDS = 4
RUN_LANG_MARGIN = 1.0  # a run's words must be this much more frequent in its language
RUN_LANG_SHARE = 0.75  # ... for this share of the run
PARTICLE_MAX = 3  # letters of a name particle (de, la, von, der, van, bin, al)

LANG_NAMES = {
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sh": "Serbo-Croatian",
    "hr": "Croatian",
    "ro": "Romanian",
    "nl": "Dutch",
    "tr": "Turkish",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian",
    "no": "Norwegian",
    "fi": "Finnish",
    "hu": "Hungarian",
    "id": "Indonesian",
    "ms": "Malay",
    "ca": "Catalan",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "et": "Estonian",
    "vi": "Vietnamese",
    "fil": "Filipino",
    "tl": "Tagalog",
    "af": "Afrikaans",
    "so": "Somali",
    "sw": "Swahili",
    "cy": "Welsh",
    "sq": "Albanian",
}

# --- language evidence -----------------------------------------------------------


@lru_cache(maxsize=8)
def _lexicon(langs: tuple[str, ...]) -> dict[str, int | tuple[int, ...]]:
    """word -> its frequencies in the given languages, packed as ints
    (language index * 1000 + Zipf * 100), from wordfreq's small lists (Zipf >= 3):
    one compact table instead of a full frequency dictionary per language."""
    from wordfreq import get_frequency_list

    # With one or two known source languages, afford the best (large) lists down to
    # Zipf 2.3 (rarer inflected forms: "warstwami", "disciplinée").
    deep = len(langs) <= 2
    floor = round((9.0 - (DEEP_MIN_ZIPF if deep else FOREIGN_MIN_ZIPF)) * 100)
    table: dict[str, int | tuple[int, ...]] = {}
    for index, lang in enumerate(langs):
        buckets = get_frequency_list(lang, wordlist="best" if deep else "small")
        for i, bucket in enumerate(buckets[: floor + 1]):
            code = index * 1000 + (900 - i)
            for word in bucket:
                old = table.get(word)
                if old is None:
                    table[word] = code
                elif isinstance(old, int):
                    table[word] = (old, code)
                else:
                    table[word] = (*old, code)
    return table


def _frequencies(word: str, langs: tuple[str, ...]) -> list[tuple[str, float]]:
    entry = _lexicon(langs).get(word)
    if entry is None:
        return []
    codes = (entry,) if isinstance(entry, int) else entry
    return [(langs[c // 1000], (c % 1000) / 100) for c in codes]


@lru_cache(maxsize=131_072)
def foreign_evidence(word: str, langs: tuple[str, ...]) -> tuple[str, float]:
    """The source language in which a lower-case word is most frequent, and its Zipf."""
    if not langs:
        return "", 0.0
    return max(_frequencies(word, langs), key=lambda x: x[1], default=("", 0.0))


@lru_cache(maxsize=1)
def _detector() -> Callable[[str], list[tuple[str, float]]]:
    """langdetect, seeded so that every run gives the same answer."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def detect(text: str) -> list[tuple[str, float]]:
        try:
            return [(str(r.lang), float(r.prob)) for r in detect_langs(text)]
        except LangDetectException:
            return []

    return detect


@lru_cache(maxsize=4096)
def detect_language(text: str) -> tuple[str, float]:
    """The most likely language of ``text`` and its probability (langdetect)."""
    found = _detector()(text)
    return found[0] if found else ("", 0.0)


def languages(ctx: Context) -> tuple[str, ...]:
    """Source languages to test words against: --source-lang, the ``languages``
    option, or the default set of Latin-script languages."""
    configured = ctx.option("languages", None, code="MT502")
    return _languages(ctx.source_lang, tuple(configured) if configured else None)


@lru_cache(maxsize=64)
def _languages(source_lang: str | None, configured: tuple[str, ...] | None) -> tuple[str, ...]:
    from wordfreq import available_languages

    known = available_languages("best")
    lang = (source_lang or "").lower().split("-")[0]
    if lang:
        lang = {"hr": "sh", "sr": "sh", "bs": "sh", "no": "nb", "tl": "fil"}.get(lang, lang)
        return (lang,) if lang in LATIN_LANGS and lang in known else ()
    if configured:
        return tuple(x for x in configured if x in known and x in LATIN_LANGS)
    return tuple(x for x in DEFAULT_LANGS if x in known)


@lru_cache(maxsize=8)
def english_words(langs: tuple[str, ...]) -> frozenset[str]:
    """Common English words that are not more at home in a source language: the
    fast path of the word classifier."""
    out = []
    for word in known_words():
        if len(word) < 2:
            continue
        fz = foreign_evidence(word, langs)[1]
        if fz - en_zipf(word) < FOREIGN_MARGIN:
            out.append(word)
    return frozenset(out)


# --- quotes, italics and glosses ---------------------------------------------------

_QUOTED = re.compile(
    r"“([^”\n]{1,400})”|«\s?([^»\n]{1,400}?)\s?»|„([^“”\n]{1,400})[“”]"
    r"|(?<![\w\"])\"([^\"\n]{1,400})\"(?!\w)"
    r"|(?<![\w‘’'])[‘']([^‘’'\n]{1,200}?)[’'](?![A-Za-z])"
)
_LIST_JOIN = re.compile(r"\s*(?:,|;|and|or|,\s*and|,\s*or)\s*")
# Where a _QUOTED match may start: its opening mark, except a straight quote after
# a word character or another straight quote, or a single quote after a word
# character or a quote (apostrophes), which _QUOTED's own look-behinds reject.
_QUOTE_MARK = re.compile(r"[“«„\"‘'](?<![\w\"]\")(?<![\w‘’'][‘'])")
_ITALIC = re.compile(
    r"<(i|em|cite)>(.{1,400}?)</\1>|(?<![\w*])\*([^*\n]{1,200})\*(?![\w*])|(?<![\w_])_([^_\n]{1,200})_(?!\w)",
    re.IGNORECASE,
)
_CUE_BEFORE = re.compile(
    r"(?:so-called|called|known as|term|word|words|phrase|expression|slogan|motto|"
    r"dubbed|titled|entitled|nicknamed|named|chanting|chanted|shouting|shouted|"
    r"reading|read|bearing|inscribed|emblazoned with|"
    r"in [A-Z][a-z]+|[A-Z][a-z]+ (?:word|phrase|term|expression))\s*[:,]?\s*$"
)
_GLOSS_AFTER = re.compile(
    r"^[\s,.;:—–-]*(?:\(|\[|meaning|which means|which translates|translated as|"
    r"translates as|literally|i\.e\.|or,? in English|in English)",
    re.IGNORECASE,
)
_GLOSS_ANYWHERE = re.compile(
    r"\b(?:meaning|which means|translat\w+ as|literally|in English)\b", re.IGNORECASE
)
_SAID = re.compile(
    r"^\s*[,.]?\s*(?:\w+\s+){0,4}?(?:said|says|say|wrote|writes|added|declared|told \w+|asked)\b"
    r"[^\n.]{0,40}?[,—–:-]\s*",
    re.IGNORECASE,
)


def _english_share(text: str) -> float:
    words = [w.lower() for w in _WORDS.findall(text) if w.isalpha()]
    if not words:
        return 0.0
    return sum(en_zipf(w) >= 4.0 for w in words) / len(words)


def _glossed(text: str, end: int) -> bool:
    """A translation follows the quoted phrase that ends at ``end``."""
    after = text[end : end + 200]
    para = after.split("\n", 1)[0]
    if _GLOSS_AFTER.match(para):
        return True
    said = _SAID.match(para)
    rest = para[said.end() :] if said else para
    if _GLOSS_AFTER.match(rest):
        return True
    head = rest[:80]
    if _GLOSS_ANYWHERE.search(head):
        return True
    m = re.match(r"[\s,.;:—–-]*[“\"‘«']([^”\"’»'\n]{3,200})", rest)
    return bool(m and _english_share(m.group(1)) >= 0.5)


_WORDS = re.compile(r"\w+(?:['’\-]\w+)*")


_JOINER_CHARS = re.compile(r"[\s,;andor]*")  # what a _LIST_JOIN match is made of


class ExemptSpans:
    """Italics, short quoted terms, quoted titles and glossed quotations of one
    text, asked position by position (``covers``/``point`` as on :class:`Spans`).

    Work is done only where a position is asked about, since most positions
    asked about lie in no quotation and the exemption test (cue words,
    glosses) is the costly part. Without guillemets (``«\\s?`` may take a line
    break into a quotation) no quotation holds a line break, so the quotation
    scan starts afresh at each line start and only the line asked about is
    scanned. A quotation is exempt by its own content and context, or as the
    next item of a list whose previous quotation is exempt; the quotation
    exempt last before it can only be the one just before it, because any
    quotation in between puts a quote mark in the text that the list joiner
    must match in full. So the lazy answers are those of the eager scan
    (:meth:`spans`)."""

    __slots__ = ("_exempt", "_italics", "_lines", "_text", "_whole")

    def __init__(self, text: str) -> None:
        self._text = text
        italics: list[tuple[int, int]] = []
        if "*" in text or "_" in text or "<" in text:
            italics.extend((m.start(), m.end()) for m in _ITALIC.finditer(text))
        self._italics = Spans(italics)
        self._whole = "«" in text  # scan the text as one line
        # line start -> the quotations of the line and their starts
        self._lines: dict[int, tuple[list[re.Match[str]], list[int]]] = {}
        self._exempt: dict[int, bool] = {}  # quotation start -> exempt

    def _line(self, pos: int) -> tuple[int, list[re.Match[str]], list[int]]:
        """The start and the quotations of the line that holds ``pos``."""
        text = self._text
        if self._whole:
            ls, le = 0, len(text)
        else:
            ls = text.rfind("\n", 0, pos) + 1
            le = text.find("\n", pos)
            if le < 0:
                le = len(text)
        found = self._lines.get(ls)
        if found is None:
            quotes: list[re.Match[str]] = []
            last_end = ls
            for q in _QUOTE_MARK.finditer(text, ls, le):
                if q.start() < last_end:
                    continue
                m = _QUOTED.match(text, q.start(), le)
                if m is not None:
                    quotes.append(m)
                    last_end = m.end()
            found = self._lines[ls] = (quotes, [m.start() for m in quotes])
        return ls, found[0], found[1]

    def _previous(
        self, ls: int, k: int, quotes: list[re.Match[str]]
    ) -> tuple[int, int, list[re.Match[str]]] | None:
        """The quotation before quotation ``k`` of the line at ``ls``, when only
        list-joiner characters (and line breaks) might stand between them."""
        if k > 0:
            return ls, k - 1, quotes
        text = self._text
        end = quotes[k].start()
        while ls > 0 and _JOINER_CHARS.fullmatch(text, ls, end):
            end = ls - 1  # the line break ending the line before
            ls, before, _ = self._line(end)
            if before:
                return ls, len(before) - 1, before
        return None

    def _own(self, m: re.Match[str]) -> bool:
        """The quotation is exempt by its own words and context."""
        text = self._text
        inner = next(g for g in m.groups() if g is not None)
        words = _WORDS.findall(inner)
        before = text[max(0, m.start() - 40) : m.start()]
        return bool(
            len(words) <= 3
            or (len(words) <= 12 and sum(w[:1].isupper() for w in words) >= 0.6 * len(words))
            or _CUE_BEFORE.search(before)
            or _glossed(text, m.end())
        )

    def _is_exempt(self, ls: int, k: int, quotes: list[re.Match[str]]) -> bool:
        exempt = self._exempt
        chain = []  # quotations exempt exactly when the one before them is
        while True:
            m = quotes[k]
            found = exempt.get(m.start())
            if found is not None:
                break
            if self._own(m):
                found = True
                break
            # the next item of a list of quoted slogans or titles
            prev = self._previous(ls, k, quotes)
            if prev is not None and _LIST_JOIN.fullmatch(
                self._text, prev[2][prev[1]].end(), m.start()
            ):
                chain.append(m.start())
                ls, k, quotes = prev
                continue
            found = False
            break
        exempt[m.start()] = found
        for start in chain:
            exempt[start] = found
        return found

    def point(self, pos: int) -> bool:
        """``pos`` lies inside an exempt span."""
        if self._italics.point(pos):
            return True
        ls, quotes, starts = self._line(pos)
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and pos < quotes[k].end() and self._is_exempt(ls, k, quotes)

    def covers(self, start: int, end: int) -> bool:
        """As :meth:`Spans.covers`: ``start`` and ``end - 1`` lie in exempt spans."""
        return self.point(start) and self.point(end - 1)

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Every exempt span, sorted."""
        out = list(self._italics.spans)
        pos = 0
        text = self._text
        while pos <= len(text):
            ls, quotes, _ = self._line(pos)
            out.extend(
                (m.start(), m.end()) for k, m in enumerate(quotes) if self._is_exempt(ls, k, quotes)
            )
            if self._whole:
                break
            nl = text.find("\n", pos)
            if nl < 0:
                break
            pos = nl + 1
        return sorted(out)


def exempt_spans(doc: Document) -> ExemptSpans:
    """Italics, short quoted terms, quoted titles and glossed quotations."""
    return doc.memo("mtaudit.untranslated.exempt", lambda: ExemptSpans(doc.text))


# --- word runs ----------------------------------------------------------------------

FOREIGN, ENGLISH, NEUTRAL = "foreign", "english", "neutral"


@dataclass(frozen=True)
class Fragment:
    start: int
    end: int
    lang: str
    words: int
    whole_sentence: bool
    confidence: float


@dataclass(frozen=True)
class Word:
    kind: str  # FOREIGN, ENGLISH or NEUTRAL
    lang: str = ""
    zipf: float = 0.0  # in ``lang``
    en: float = 0.0
    lone: bool = False  # foreign enough to be reported on its own
    initial: bool = False  # capitalized at the start of a sentence (maybe a name)


_NEUTRAL = Word(NEUTRAL)
_ENGLISH = Word(ENGLISH)


def _lone(word: str, en: float, fz: float) -> bool:
    """One foreign word: unknown in English but used in a source language, or far
    more frequent there than in English."""
    if len(word) < 4:
        return False
    return (en == 0 and fz >= UNKNOWN_FOREIGN_MIN_ZIPF) or (
        en < KNOWN_EN and fz >= FOREIGN_MIN_ZIPF and fz - en >= LONE_MARGIN
    )


class _Entry:
    """The verdict on one token text, as far as it does not depend on where the
    token stands: ``mid`` inside a sentence, ``initial`` at its start.
    ``skippable``: a protected or exempt span turns the word NEUTRAL (words in
    the English fast-path set, too short or not Latin letters are judged before
    that test, as ``_classify`` always did)."""

    __slots__ = ("initial", "maybe_foreign", "mid", "skippable")

    def __init__(self, mid: Word, initial: Word, skippable: bool) -> None:
        self.mid = mid
        self.initial = initial
        self.skippable = skippable
        self.maybe_foreign = mid.kind == FOREIGN or initial.kind == FOREIGN


def _entry(
    token: str,
    langs: tuple[str, ...],
    noun_langs: frozenset[str],
    allowed: frozenset[str],
    english: frozenset[str],
) -> _Entry:
    """The position-independent part of the word classifier."""
    if len(token) < 2:
        return _Entry(_NEUTRAL, _NEUTRAL, False)  # single letters belong to too many languages
    if token in english:
        return _Entry(_ENGLISH, _ENGLISH, False)
    word = token.replace("’", "'")
    if len(word) < 2 or not word.isalpha() or not is_latin_word(word):
        return _Entry(_NEUTRAL, _NEUTRAL, False)
    lower = word.lower()
    if lower in allowed or (not lower.isascii() and strip_accents(lower) in allowed):
        return _Entry(_ENGLISH, _ENGLISH, True)
    en = en_zipf(lower)
    if word[:1].isupper():
        if word[1:] != word[1:].lower():
            return _Entry(_NEUTRAL, _NEUTRAL, True)  # an acronym or a brand
        # Inside a sentence: a name, unless a language that capitalizes its nouns
        # uses it often.
        lang, fz = foreign_evidence(lower, langs)
        if lang in noun_langs and en < SINGLE_EN_MAX and fz >= NOUN_MIN_ZIPF:
            mid = Word(FOREIGN, lang, fz, en, lone=fz - en >= LONE_MARGIN)
        else:
            mid = _NEUTRAL
        return _Entry(mid, _judge_lower(lower, en, langs, True), True)
    word_class = _judge_lower(lower, en, langs, False)
    return _Entry(word_class, word_class, True)


def _judge_lower(lower: str, en: float, langs: tuple[str, ...], initial: bool) -> Word:
    lang, fz = foreign_evidence(lower, langs)
    if fz >= FOREIGN_MIN_ZIPF and fz - en >= FOREIGN_MARGIN:
        return Word(FOREIGN, lang, fz, en, lone=_lone(lower, en, fz), initial=initial)
    if en == 0 and _lone(lower, en, fz):
        return Word(FOREIGN, lang, fz, en, lone=True, initial=initial)
    if en >= SINGLE_EN_MAX:
        return Word(ENGLISH, "", 0.0, en)
    return _NEUTRAL  # unknown everywhere: a non-word, not a fragment


CACHE_MAX = 150_000  # distinct token texts remembered per configuration


class _Verdicts:
    """Per-token-text verdicts for one configuration (source languages, noun
    languages, allowed glossary, English fast-path set), shared by all documents
    of a run: word frequencies follow Zipf's law, so after a few documents
    nearly every token is a dictionary hit. ``never_foreign`` holds the token
    texts that are not FOREIGN wherever they stand, for C-level set differences.
    Bounded: cleared when it grows past ``CACHE_MAX`` entries."""

    __slots__ = (
        "allowed",
        "chunks",
        "english",
        "entries",
        "langs",
        "never_foreign",
        "noun_langs",
    )

    def __init__(
        self,
        langs: tuple[str, ...],
        noun_langs: frozenset[str],
        allowed: frozenset[str],
        english: frozenset[str],
    ) -> None:
        self.langs = langs
        self.noun_langs = noun_langs
        self.allowed = allowed
        self.english = english
        self.entries: dict[str, _Entry] = {}
        self.never_foreign: set[str] = set()

    def maybe_foreign(self, token: str) -> bool:
        """``token`` is FOREIGN somewhere (in the middle or at the start of a sentence)."""
        if token in self.english or token in self.never_foreign:
            return False
        return self.get(token).maybe_foreign

    def chunk_test(self, chunk: str, tokens: list[str]) -> tuple[str, ...]:
        """The tokens of a chunk that may be FOREIGN somewhere (for the chunk table)."""
        return tuple(filter(self.maybe_foreign, tokens))

    def get(self, token: str) -> _Entry:
        entry = self.entries.get(token)
        if entry is None:
            if len(self.entries) >= CACHE_MAX:
                self.entries.clear()
                self.never_foreign.clear()
            entry = _entry(token, self.langs, self.noun_langs, self.allowed, self.english)
            self.entries[token] = entry
            if not entry.maybe_foreign:
                self.never_foreign.add(token)
        return entry


def _verdicts(ctx: Context) -> _Verdicts:
    """The verdict cache of this configuration, kept with the compiled glossaries
    (so a different ``allowed`` glossary never sees another's verdicts)."""
    langs = languages(ctx)
    noun_langs = frozenset(ctx.option("noun_languages", NOUN_LANGS, code="MT502"))
    by_config: dict[tuple[tuple[str, ...], frozenset[str]], _Verdicts] = ctx.glossaries.compiled(
        "mtaudit.untranslated.verdicts", dict
    )
    found = by_config.get((langs, noun_langs))
    if found is None:
        found = _Verdicts(langs, noun_langs, allowed_words(ctx).words, english_words(langs))
        by_config[(langs, noun_langs)] = found
    return found


def _classify(
    tok: Segment,
    text: str,
    langs: tuple[str, ...],
    noun_langs: frozenset[str],
    allowed: frozenset[str],
    skip: Callable[[int, int], bool],
    english: frozenset[str],
) -> Word:
    """The class of one token in its place (uncached reference of the analysis)."""
    entry = _entry(tok.text, langs, noun_langs, allowed, english)
    return _place(entry, tok, text, skip)


def _place(entry: _Entry, tok: Segment, text: str, skip: Callable[[int, int], bool]) -> Word:
    if entry.mid is entry.initial:
        word = entry.mid
    elif entry.skippable and skip(tok.start, tok.end):
        return _NEUTRAL
    else:
        return entry.initial if at_sentence_start(text, tok.start) else entry.mid
    if word.kind != NEUTRAL and entry.skippable and skip(tok.start, tok.end):
        return _NEUTRAL
    return word


def _lone_somewhere(entry: _Entry) -> bool:
    """The token may be a ``lone`` FOREIGN word (a member of a two-word run)."""
    return (entry.mid.kind == FOREIGN and entry.mid.lone) or (
        entry.initial.kind == FOREIGN and entry.initial.lone
    )


def _alone_somewhere(entry: _Entry) -> bool:
    """The token may be reported as a run of its own: lone and not ``initial``."""
    mid, initial = entry.mid, entry.initial
    return (mid.kind == FOREIGN and mid.lone and not mid.initial) or (
        initial.kind == FOREIGN and initial.lone and not initial.initial
    )


# Where a token may open a sentence (a superset of ``at_sentence_start``): after
# sentence punctuation, a colon or a line end, any closing marks, then any spaces,
# opening marks and dashes; or at the start of the text. A match ends at the end
# of a token and the next one starts at a mark no token holds, so no token that
# opens a sentence is missed.
_AFTER_MARK = r"[\s\"“‘«(\[—–-]*(\w++(?:['’\-]\w++)*+)"
_START_TOKEN = re.compile(r"[.!?…:;\n][\"”’»)\]]*" + _AFTER_MARK)
_FIRST_TOKEN = re.compile(_AFTER_MARK)


def _opening_tokens(text: str) -> set[str]:
    """The texts of the tokens that may stand at a sentence start (a superset)."""
    out = set(_START_TOKEN.findall(text))
    first = _FIRST_TOKEN.match(text)
    if first:
        out.add(first.group(1))
    return out


def foreign_positions(doc: Document, ctx: Context) -> list[int]:
    """Sorted offsets that may hold a FOREIGN token, or [] when the document
    cannot have a fragment: the exact prefilter of :func:`analyze`.

    Only tokens that are letters only can be FOREIGN, and each is one of the
    document's token texts (found chunk by chunk, see :class:`ChunkTable`);
    one that is FOREIGN only when it opens a sentence counts only where it does.
    Protected and exempt spans make words NEUTRAL (so they are dropped here,
    once the cheaper tests have not ruled the document out); name particles and
    sentence ends only make words NEUTRAL or split runs. So every run ``_runs``
    builds lies inside a *chain* of the remaining positions: neighbours with at
    most ``MAX_BRIDGE`` tokens between them, none of which is in the English
    fast-path set (always ENGLISH, which ends a run). ``_runs`` reports a run
    of ``RUN_MIN_WORDS`` or more words, of two ``lone`` words, or of one lone
    word that is not ``initial``; so a document needs a chain of three, or a
    chain of two lone candidates, or a chain holding one candidate that may be
    reported alone."""
    verdicts = _verdicts(ctx)
    table = chunk_table(ctx)
    table.register(verdicts, verdicts.chunk_test)
    words = table.items(doc, verdicts)
    if not words:
        return []
    get = verdicts.get
    text = doc.text
    mid: list[tuple[str, _Entry]] = []  # FOREIGN anywhere
    initial: list[tuple[str, _Entry]] = []  # FOREIGN only at a sentence start
    for w in words:
        entry = get(w)
        (mid if entry.mid.kind == FOREIGN else initial).append((w, entry))
    if initial:
        opening = _opening_tokens(text)
        initial = [(w, e) for w, e in initial if w in opening]
    found: list[tuple[int, int, _Entry]] = []  # (start, end, entry)
    for w, entry in mid:
        found.extend((pos, pos + len(w), entry) for pos in token_starts(text, w))
    for w, entry in initial:
        found.extend(
            (pos, pos + len(w), entry)
            for pos in token_starts(text, w)
            if at_sentence_start(text, pos)
        )
    found.sort(key=_first)
    english = verdicts.english
    if not _may_fire(text, found, english):
        return []
    # Words in exempt or protected spans are NEUTRAL (exempt spans first: they
    # are decided lazily, quotation by quotation, the cheaper test).
    exempt = exempt_spans(doc)
    found = [x for x in found if not exempt.covers(x[0], x[1])]
    if not _may_fire(text, found, english):
        return []
    protected = protected_spans(doc, ctx)
    if protected:
        found = [x for x in found if not protected.covers(x[0], x[1])]
        if not _may_fire(text, found, english):
            return []
    return [pos for pos, _, _ in found]


def _first(x: tuple[int, int, _Entry]) -> int:
    return x[0]


def _may_fire(text: str, found: list[tuple[int, int, _Entry]], english: frozenset[str]) -> bool:
    """Some chain of the (sorted) candidate tokens may make a fragment."""
    chain: list[_Entry] = []
    last_end = -1
    for start, end, entry in found:
        if chain:
            between = WORD_PATTERN.findall(text, last_end, start)
            if len(between) > MAX_BRIDGE or not english.isdisjoint(between):
                if _chain_may_fire(chain):
                    return True
                chain = []
        chain.append(entry)
        last_end = end
    return bool(chain) and _chain_may_fire(chain)


def _chain_may_fire(chain: list[_Entry]) -> bool:
    """``_runs`` may report a fragment made of (some of) these neighbours."""
    if len(chain) >= RUN_MIN_WORDS:
        return True
    if len(chain) == 2 and all(map(_lone_somewhere, chain)):
        return True
    return any(map(_alone_somewhere, chain))


def _language_of(langs: list[str]) -> str:
    return Counter(langs).most_common(1)[0][0] if langs else ""


def analyze(doc: Document, ctx: Context) -> list[Fragment]:
    """Runs of source-language words in ``doc`` (whole sentences flagged)."""

    def compute() -> list[Fragment]:
        out: list[Fragment] = []
        positions = foreign_positions(doc, ctx)
        if not positions:
            return out  # most documents: too few words that could be foreign
        text = doc.text
        verdicts = _verdicts(ctx)
        langs = verdicts.langs
        get = verdicts.get
        english = verdicts.english

        def skip(start: int, end: int) -> bool:
            # found only when a word asks (most words in the sentences judged
            # are in the English fast-path set)
            return protected_spans(doc, ctx).covers(start, end) or exempt_spans(doc).covers(
                start, end
            )

        for sent in doc.sentences:
            k = bisect.bisect_left(positions, sent.start)
            if k == len(positions) or positions[k] >= sent.end:
                continue  # no foreign word in this sentence
            # The document's tokens that start in the sentence: no token crosses
            # a sentence boundary, which is whitespace or a line end.
            tokens = iter_words(text, sent.start, sent.end)
            classes = [
                _ENGLISH if t.text in english else _place(get(t.text), t, text, skip)
                for t in tokens
            ]
            if any(c.kind == FOREIGN for c in classes):
                out.extend(_runs(text, sent, tokens, classes, langs))
        return out

    return doc.memo("mtaudit.untranslated.runs", compute)


def _run_language(words: list[str], langs: tuple[str, ...]) -> tuple[str, int]:
    """The one source language most of a run's words belong to, and how many."""
    best = ("", 0)
    for lang in langs:
        support = 0
        for word in words:
            z = dict(_frequencies(word, langs)).get(lang, 0.0)
            if z >= FOREIGN_MIN_ZIPF and z - en_zipf(word) >= RUN_LANG_MARGIN:
                support += 1
        if support > best[1]:
            best = (lang, support)
    return best


def _name_particles(tokens: Sequence[Segment], classes: list[Word]) -> None:
    """Short lower-case words leading into a name ("de la Cruz", "von der Leyen")
    belong to the name, not to a fragment."""
    n = len(tokens)
    i = 0
    while i < n:
        j = i
        while (
            j < n
            and classes[j].kind == FOREIGN
            and len(tokens[j].text) <= PARTICLE_MAX
            and tokens[j].text.islower()
        ):
            j += 1
        if j > i and j < n and classes[j].kind == NEUTRAL and tokens[j].text[:1].isupper():
            for k in range(i, j):
                classes[k] = _NEUTRAL
        i = j + 1 if j > i else i + 1


def _runs(
    text: str,
    sent: Segment,
    tokens: Sequence[Segment],
    classes: list[Word],
    langs: tuple[str, ...],
) -> Iterator[Fragment]:
    _name_particles(tokens, classes)
    judged = sum(1 for c in classes if c.kind != NEUTRAL)
    i, n = 0, len(tokens)
    while i < n:
        if classes[i].kind != FOREIGN:
            i += 1
            continue
        members = [i]
        j, gap = i + 1, 0
        while j < n and gap <= MAX_BRIDGE:
            kind = classes[j].kind
            if kind == ENGLISH:
                break
            if kind == FOREIGN:
                members.append(j)
                gap = 0
            else:
                gap += 1
            j += 1
        i = members[-1] + 1
        start, end = tokens[members[0]].start, tokens[members[-1]].end
        lang = _language_of([classes[k].lang for k in members])
        count = len(members)
        whole = judged >= LANGDETECT_MIN_WORDS and count >= SENTENCE_SHARE * judged
        if count >= RUN_MIN_WORDS:
            # One language, not a mix of words that are each frequent somewhere.
            words = [tokens[k].text.lower() for k in members]
            run_lang, support = _run_language(words, langs)
            if support < max(RUN_MIN_WORDS, RUN_LANG_SHARE * count):
                continue
            lang = run_lang
        if count >= LANGDETECT_MIN_WORDS:
            detected, prob = detect_language(text[start:end] if not whole else sent.text)
            if detected == "en" and prob >= 0.5:
                continue
            if detected and detected != "en" and prob >= 0.8:
                lang = detected
            confidence = 0.9
        elif count >= RUN_MIN_WORDS:
            confidence = 0.75
        elif all(classes[k].lone for k in members) and (
            count == 2 or (count == 1 and not classes[members[0]].initial)
        ):
            # one or two words no English text uses; a lone capitalized word
            # opening a sentence is more likely a name
            confidence = 0.6
        else:
            continue
        if whole:
            start, end = sent.start, sent.end
        yield Fragment(start, end, lang, count, whole, confidence)


def _name(lang: str) -> str:
    return LANG_NAMES.get(lang, lang or "the source language")


@register(
    "MT501",
    "untranslated-sentence",
    category="untranslated",
    severity="critical",
    supersedes=("MT502", "MT72"),
)
def untranslated_sentence(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A whole sentence left in the source language.

    Why: an untranslated sentence is lost to the English reader; MQM counts
    non-translation as the heaviest error (WMT weighs it 25).

    Bad: The minister arrived on Monday. Nous sommes prêts à négocier avec le gouvernement.
    Good: The minister arrived on Monday. We are ready to negotiate with the government.
    """
    for frag in analyze(doc, ctx):
        if frag.whole_sentence:
            yield Hit(
                frag.start,
                frag.end,
                f"Sentence left untranslated ({_name(frag.lang)})",
                confidence=frag.confidence,
            )


@register(
    "MT502", "untranslated-words", category="untranslated", severity="major", supersedes=("MT72",)
)
def untranslated_words(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A clause, a run of words or a single word left in the source language inside
    an English sentence.

    Why: MT systems copy words they cannot translate ("the fracaso in Iran",
    "signed her for sieben years"); the reader loses exactly that meaning.

    Bad: The government said that le projet est abandonné after the vote.
    Good: The government said that the project was abandoned after the vote.
    """
    for frag in analyze(doc, ctx):
        if frag.whole_sentence:
            continue
        what = "Word" if frag.words == 1 else "Words"
        yield Hit(
            frag.start,
            frag.end,
            f"{what} left untranslated ({_name(frag.lang)})",
            confidence=frag.confidence,
        )


# --- other scripts -----------------------------------------------------------------

_SCRIPT_CHARS = (
    "\u0370-\u03ff\u1f00-\u1fff"  # Greek
    "\u0400-\u052f\u2de0-\u2dff\ua640-\ua69f"  # Cyrillic
    "\u0530-\u058f"  # Armenian
    "\u0590-\u05ff"  # Hebrew
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"  # Arabic
    "\u0700-\u074f"  # Syriac
    "\u0780-\u07bf"  # Thaana
    "\u0900-\u0dff"  # Indic scripts
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u10a0-\u10ff"  # Georgian
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u1200-\u139f"  # Ethiopic
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # kana
    "\u3100-\u312f"  # Bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # CJK ideographs
)
_FOREIGN_SCRIPT = re.compile(
    rf"[{_SCRIPT_CHARS}](?:[{_SCRIPT_CHARS}\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20·'’-]*[{_SCRIPT_CHARS}])?"
)
_SCRIPT_CHAR = re.compile(f"[{_SCRIPT_CHARS}]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]+")
_SCRIPT_NAMES = {
    "CJK": "Chinese characters",
    "HIRAGANA": "Japanese kana",
    "KATAKANA": "Japanese kana",
    "HALFWIDTH": "Japanese kana",
    "HANGUL": "Korean (Hangul)",
}


_SCRIPT_KEY = "mtaudit.untranslated.script"


def _script_test(chunk: str, tokens: list[str]) -> tuple[str, ...]:
    """The chunk, when it holds a letter of another script (none of which is
    whitespace, so every one of them lies in some chunk of the text)."""
    return (chunk,) if _SCRIPT_CHAR.search(chunk) else ()


def _script(ch: str) -> str:
    first = unicodedata.name(ch, "UNKNOWN").split()[0]
    return _SCRIPT_NAMES.get(first, first.title() + " script")


def _name_gloss(text: str, start: int, end: int) -> bool:
    """ "Vladimir Putin (Владимир Путин)": the original spelling of a name."""
    before = text[max(0, start - 60) : start]
    after = text[end : end + 3]
    return bool(re.search(r"[A-Z][\w'’.-]*\s*[(\[]\s*$", before) and re.match(r"\s*[)\],;]", after))


@register("MT503", "foreign-script", category="untranslated", severity="major")
def foreign_script(doc: Document, ctx: Context) -> Iterator[Hit]:
    """Letters of another script (Chinese, Cyrillic, Arabic, Greek, Devanagari, …)
    inside English text.

    Why: MT systems copy source words they cannot translate as they are; in
    Latin-script English they are unreadable to most readers. A whole sentence in
    another script is critical.

    Bad: Crystals were found in the urine of 受影响 pets.
    Good: Crystals were found in the urine of affected pets.
    """
    text = doc.text
    if text.isascii():
        return  # no letter of another script is ASCII
    table = chunk_table(ctx)
    table.register(_SCRIPT_KEY, _script_test)
    if not table.items(doc, _SCRIPT_KEY):
        return  # no chunk of the text holds a letter of another script
    non_prose = Spans(links(text, handles=False))
    exempt = exempt_spans(doc)
    done_sentences: set[int] = set()
    for m in _FOREIGN_SCRIPT.finditer(text):
        start, end = m.start(), m.end()
        if _GREEK.fullmatch(m.group()) and len(m.group()) <= 2:
            continue  # α, β, μ, Δ: symbols in English text
        if non_prose.covers(start, end) or exempt.covers(start, end):
            continue
        if _name_gloss(text, start, end):
            continue
        sent = doc.sentence_at(start)
        if sent is not None and sent.start not in done_sentences:
            letters = sum(map(str.isalpha, sent.text))
            # _FOREIGN_SCRIPT matches a single character when it is a script character
            foreign = sum(map(str.isalpha, _SCRIPT_CHAR.findall(sent.text)))
            if letters and foreign >= 0.5 * letters:
                done_sentences.add(sent.start)
                yield Hit(
                    sent.start,
                    sent.end,
                    f"Sentence in {_script(m.group()[0])}, not English",
                    confidence=0.95,
                    severity=Severity.CRITICAL,
                )
                continue
        if sent is not None and sent.start in done_sentences:
            continue
        yield Hit(
            start,
            end,
            f"{_script(m.group()[0])} left in English text: {m.group()!r}",
            confidence=0.9,
        )
