"""Repetition (MT6xx): doubled words, repeated or nearly repeated sentences and
paragraphs, and runaway loops.

Sentences are the caption-aware segments of :mod:`mtaudit.checks.captions` (split at
glued photo credits), so a caption that echoes the lede is compared as a sentence of
its own; the caption checks supersede these findings where they overlap, and the
occurrence reported is the caption one when one of the two is a caption.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import islice
from operator import attrgetter
from typing import Any, NamedTuple

from mtaudit.checks.captions import (
    TOP_K,
    PairScorer,
    analyze,
    caption_segments,
    model_members,
    normalize,
    segments,
)
from mtaudit.document import Document, Segment
from mtaudit.engine import Context
from mtaudit.finding import Hit, Severity
from mtaudit.registry import register

# English words that are correctly written twice in a row ("what he had had",
# "he said that that was…", "what it is is…") or doubled for emphasis.
ALLOWED_DOUBLES = frozenset(
    [
        "had",
        "that",
        "is",
        "do",
        "did",
        "very",
        "no",
        "yes",
        "so",
        "bye",
        "ha",
        "ho",
        "hey",
        "knock",
        "tut",
        "many",
        "much",
        "really",
        "chop",
        "hush",
        "boo",
        "wow",
    ]
)
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "that",
        "this",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "its",
        "as",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "not",
    ]
)
# A capitalized double ("Italy Italy") is flagged only when the word is common
# English (wordfreq Zipf scale) or written single elsewhere in the document: rare
# ones are names ("Bora Bora", "Sirhan Sirhan").
NAME_ZIPF = 3.5

_TOKEN = re.compile(r"\S+")
_EDGE = "\"'“”‘’«»()[]{}"
# punctuation that ends a clause: "no, no" and "said. Said" are not doubles
_CLAUSE_END = ",.;:!?…—–-"


class _Tok(NamedTuple):
    start: int
    end: int
    core: str  # lower-cased, without surrounding quotes, brackets and punctuation
    word: str  # the token without surrounding punctuation, as written
    closes: bool  # ends with clause punctuation


_STRIP = _EDGE + _CLAUSE_END


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    append = out.append
    for m in _TOKEN.finditer(text):
        raw = m.group()
        word = raw.strip(_STRIP)
        if not word:
            continue
        if word is raw:  # nothing stripped (CPython returns the same object): no punctuation
            append(_Tok(m.start(), m.end(), word.lower(), word, False))
            continue
        stripped = raw.rstrip(_EDGE)
        closes = bool(stripped) and stripped[-1] in _CLAUSE_END and not word.endswith(stripped[-1])
        append(_Tok(m.start(), m.end(), word.lower(), word, closes))
    return out


def _doc_tokens(doc: Document) -> list[_Tok]:
    return doc.memo("repetition.tokens", lambda: _tokens(doc.text))


# A run of surrounding punctuation at either end of a whitespace token: what
# ``str.strip(_STRIP)`` removes. It starts with a character class, so ``re`` scans
# for it in C.
_E = "[" + re.escape(_STRIP) + "]"
_EDGE_RUN = re.compile(rf"{_E}(?:{_E}*(?!\S)|(?<!\S.){_E}*)")


def _lower(doc: Document) -> str:
    return doc.lower  # shared with the other checks that search the lower-cased text


def _cores(doc: Document) -> list[str]:
    """``[t.core for t in _tokens(doc.text)]``, computed in C: the text lower-cased
    once, the edge punctuation of every token removed by one regex pass, then split.

    Lower-casing the whole text equals lower-casing each token except for the
    context-sensitive final sigma, so a text with a capital sigma takes the token path.
    A token of punctuation only loses all its characters and drops out of the split,
    as :func:`_tokens` drops it."""

    def compute() -> list[str]:
        text = doc.text
        if "\u03a3" in text:
            return [t.core for t in _doc_tokens(doc)]
        return _EDGE_RUN.sub("", _lower(doc)).split()

    return doc.memo("repetition.cores", compute)


# The edge punctuation outside ASCII (deleted from the text before encoding it) and
# inside it (deleted from the UTF-8 bytes), for :func:`_edge_deleted`.
_WIDE_STRIP = tuple(c for c in _STRIP if ord(c) > 127)
_ASCII_STRIP = "".join(c for c in _STRIP if ord(c) < 128).encode("ascii")
# The characters ``str.split`` (and ``\s``) takes for whitespace that
# ``bytes.split`` does not (it splits at `` \t\n\r\x0b\x0c`` only); checked by the
# tests against ``str.isspace`` over all code points.
_ODD_SPACE_CHARS = (
    "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ODD_SPACE = re.compile("[" + _ODD_SPACE_CHARS + "]")


# Control characters that neither ``str.split`` nor ``bytes.split`` takes for
# whitespace, and the odd whitespace: a text with one takes the slower hashes.
_ODD_CHARS = re.compile("[\x00-\x08\x0e-\x1b" + _ODD_SPACE_CHARS + "]")


# For a first test on UTF-8 bytes: every byte but the control characters of
# _ODD_CHARS (deleted, whatever is left is one), and the first two bytes of the
# UTF-8 form of each other character of _ODD_CHARS.
_NOT_ODD_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1F))
_ODD_LEADS = tuple(sorted({c.encode("utf-8")[:2] for c in _ODD_SPACE_CHARS if ord(c) > 127}))


def _odd(doc: Document, data: bytes | None = None) -> bool:
    """Whether the text has a character of :data:`_ODD_CHARS` (decided once per
    document; the lower-cased text has the same ones: none of them has a case).
    ``data``: the UTF-8 bytes of the text with some characters outside
    :data:`_ODD_CHARS` deleted, when at hand; bytes without an odd control byte and
    without the first two bytes of another odd character prove there is none (most
    texts), else the text is searched."""
    found = doc.cache.get("repetition.odd")
    if found is None:
        if (
            data is not None
            and not data.translate(None, _NOT_ODD_CONTROL)
            and not any(lead in data for lead in _ODD_LEADS)
        ):
            doc.cache["repetition.odd"] = False
            return False
        found = doc.cache["repetition.odd"] = _ODD_CHARS.search(doc.text) is not None
    return bool(found)


# Texts longer than this hash their tokens one by one (bounded memory per document).
_MAX_VECTOR_BYTES = 1 << 20
_BYTE_KEYS: list[Any] = []


def _byte_keys() -> Any:
    """A fixed pseudo-random ``uint64`` per byte value (splitmix64 of the value)."""
    if not _BYTE_KEYS:
        import numpy as np

        keys = []
        for value in range(256):
            z = (value * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % 2**64
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
            keys.append(z ^ (z >> 31))
        _BYTE_KEYS.append(np.array(keys, np.uint64))
    return _BYTE_KEYS[0]


def _edge_deleted(doc: Document) -> bytes | None:
    """The lower-cased text with every edge punctuation character deleted (inside
    tokens too), as UTF-8 bytes whose ASCII whitespace is the text's whitespace;
    None for a text with a capital sigma (lower-cased by context, so not per token).

    Its whitespace-separated byte runs are one per core of :func:`_cores`, in order,
    each the core with its edge characters deleted: a whitespace token is edge
    punctuation, a core, edge punctuation, so deleting every edge character leaves a
    function of the core, and nothing exactly when the token is punctuation alone
    (the tokens :func:`_tokens` drops). Deleting characters neither adds nor removes
    whitespace, UTF-8 encodes characters outside ASCII as bytes >= 0x80 (never ASCII
    whitespace), and the whitespace that ``bytes.split`` does not know is made a
    space first. So equal cores give equal runs."""
    if "\u03a3" in doc.text:
        return None
    low = _lower(doc)
    for ch in _WIDE_STRIP:
        if ch in low:
            low = low.replace(ch, "")
    data = low.encode("utf-8", "surrogatepass")
    if _odd(doc, data) and _ODD_SPACE.search(low):
        data = _ODD_SPACE.sub(" ", low).encode("utf-8", "surrogatepass")
    return data.translate(None, _ASCII_STRIP)


def _hashes(doc: Document) -> Any:
    """One ``int64`` hash per core of :func:`_cores`, in order, equal for equal cores
    (computed from the core's bytes in :func:`_edge_deleted`), as a numpy array: the
    prefilters below compare tokens as integers, many at once in C. A test that
    finds no equal hashes where a finding needs equal cores proves there is none;
    unequal cores with equal hashes only send a document on to the exact test (on
    the cores).

    The common path takes no Python step per token: a run's hash is the sum
    (wrapping ``uint64``) of a fixed random key per byte (:func:`_byte_keys`), a
    difference of two prefix sums at the run's edges, where a byte ``<= 32`` is
    whitespace (exact once :data:`_ODD_CHARS` finds no other control character).
    Equal runs have equal sums; runs with the same bytes in another order collide,
    which only adds a candidate."""

    def compute() -> Any:
        import numpy as np

        raw = _edge_deleted(doc)
        if raw is None or len(raw) > _MAX_VECTOR_BYTES or _odd(doc):
            keys = _cores(doc) if raw is None else raw.split()
            return np.fromiter(map(hash, keys), np.int64, len(keys))
        b = np.frombuffer(b" " + raw + b" ", np.uint8)  # a space at both ends
        space = b <= 32
        edges = np.flatnonzero(space[1:] != space[:-1])  # before a run, at its end
        prefix = _byte_keys().take(b).cumsum()
        hashed = prefix[edges[1::2]] - prefix[edges[::2]]
        return hashed.view(np.int64)

    return doc.memo("repetition.hashes", compute)


def _neighbours(doc: Document) -> Any:
    """Boolean array: whether core ``i`` and core ``i + 1`` can be equal (their
    hashes are); all False proves no two neighbouring cores are equal."""

    def compute() -> Any:
        h = _hashes(doc)
        return h[1:] == h[:-1]

    return doc.memo("repetition.neighbours", compute)


def _common(word: str) -> bool:
    from wordfreq import zipf_frequency

    return bool(zipf_frequency(word.lower(), "en") >= NAME_ZIPF)


def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    """Only spaces between two tokens, and no clause punctuation after the first."""
    return not a.closes and text[a.end : b.start].strip(" \t") == ""


def _tok(text: str, start: int, end: int) -> _Tok:
    """The token ``text[start:end]``, as :func:`_tokens` builds it."""
    raw = text[start:end]
    word = raw.strip(_STRIP)
    stripped = raw.rstrip(_EDGE)
    closes = bool(stripped) and stripped[-1] in _CLAUSE_END and not word.endswith(stripped[-1])
    return _Tok(start, end, word.lower(), word, closes)


# Two neighbouring tokens with the same core and only spaces or tabs between them, at
# the whitespace before the first (the text is given with a space in front). The
# lookahead keeps the matches overlapping, so each token of a run starts one.
_DOUBLE = re.compile(
    rf"\s(?=({_E}*([^\s{re.escape(_STRIP)}](?:\S*[^\s{re.escape(_STRIP)}])?){_E}*)"
    rf"[ \t]+({_E}*\2{_E}*)(?!\S))"
)


def _neighbour_core(text: str, start: int, end: int, step: int) -> str | None:
    """The core of the token next to ``text[start:end]`` (``step`` -1: before it, 1:
    after it) when only spaces or tabs separate them and the earlier of the two does
    not close a clause (:func:`_gap_ok`); else None."""
    n = len(text)
    if step < 0:
        j = start
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        if j == start or j == 0 or text[j - 1].isspace():
            return None
        i = j
        while i > 0 and not text[i - 1].isspace():
            i -= 1
        prev = _tok(text, i, j)
        return None if prev.closes else prev.core
    j = end
    while j < n and text[j] in " \t":
        j += 1
    if j in (end, n) or text[j].isspace():
        return None
    i = j
    while i < n and not text[i].isspace():
        i += 1
    return _tok(text, j, i).core


_NOT_EDGE: list[Any] = []


def _not_edge() -> Any:
    """Per code point up to U+FFFF: 1 unless it is edge punctuation (``_STRIP``)."""
    if not _NOT_EDGE:
        import numpy as np

        table = np.ones(0x10000, np.int32)
        table[[ord(c) for c in _STRIP]] = 0
        _NOT_EDGE.append(table)
    return _NOT_EDGE[0]


def _kept_spans(doc: Document) -> tuple[list[int], list[int]] | None:
    """Start and end offsets of the tokens :func:`_tokens` keeps (one per core of
    :func:`_cores`, in order), from one numpy pass over the code points of the
    lower-cased text; None where the offsets would not carry over to the text (a
    lower-cased text of another length, a capital sigma) or a control character or
    odd whitespace would need the slow test (:data:`_ODD_CHARS`: without them a code
    point ``<= 32`` is whitespace and every whitespace is one).

    A token is a run of non-whitespace code points, kept when one of them is not
    edge punctuation (all of which are below U+10000; code points above map to
    U+FFFF, not edge punctuation)."""
    text = doc.text
    low = _lower(doc)
    if len(low) != len(text) or "\u03a3" in text or _odd(doc):
        return None
    import numpy as np

    cp = np.frombuffer((" " + low + " ").encode("utf-32-le", "surrogatepass"), np.uint32)
    space = cp <= 32
    edges = np.flatnonzero(space[1:] != space[:-1])  # a run starts after, ends at
    starts, ends = edges[::2], edges[1::2]  # offsets in ``low`` (the padding shifts by one)
    solid = _not_edge().take(np.minimum(cp, 0xFFFF)).cumsum()
    kept = solid[ends] > solid[starts]
    return starts[kept].tolist(), ends[kept].tolist()


def _doubles(doc: Document) -> list[tuple[_Tok, _Tok]]:
    """Pairs of neighbouring tokens that are the same word (not part of a run of three).

    Neighbouring equal cores are tested for all tokens at once (:func:`_neighbours`);
    only a document that has some goes on. There the token offsets are taken
    (:func:`_kept_spans`), and :data:`_DOUBLE` is tried at the whitespace before
    each token whose core equals the next one's (the only places where it can
    match: it needs the token after the whitespace and the next whitespace token to
    have the same core, and a token of punctuation alone has none), which gives the
    pairs with their offsets, in text order, as a scan of the whole text would.
    Its tokens are whitespace tokens, and :func:`_tokens` drops only tokens of
    punctuation alone; such a token between two words, or next to a pair, fails the
    spaces-only test of :func:`_gap_ok` either way, so the neighbours it looks at
    (:func:`_neighbour_core`) are the ones :func:`_tokens` would give."""
    same = _neighbours(doc)
    if not same.any():
        return []
    spans = _kept_spans(doc)
    if spans is None:
        return _doubles_by_tokens(doc)
    starts, ends = spans
    text = doc.text
    low = _lower(doc)
    padded = " " + low
    out = []
    for i in same.nonzero()[0].tolist():
        if low[starts[i] : ends[i]].strip(_STRIP) != low[starts[i + 1] : ends[i + 1]].strip(_STRIP):
            continue  # only a hash collision
        m = _DOUBLE.match(padded, starts[i])  # at the whitespace before the token
        if m is None:
            continue
        a = _tok(text, m.start(1) - 1, m.end(1) - 1)
        b = _tok(text, m.start(3) - 1, m.end(3) - 1)
        if a.closes:
            continue
        if text[b.start] in "([" and text[a.start] not in "([":
            continue  # "energy (energy of enlightenment)": a gloss in brackets
        if _neighbour_core(text, a.start, a.end, -1) == a.core:
            continue  # a run of three or more: MT605
        if not b.closes and _neighbour_core(text, b.start, b.end, 1) == b.core:
            continue
        out.append((a, b))
    return out


def _doubles_by_tokens(doc: Document) -> list[tuple[_Tok, _Tok]]:
    toks = _doc_tokens(doc)
    text = doc.text
    out = []
    for k in range(1, len(toks)):
        a, b = toks[k - 1], toks[k]
        if a.core != b.core or not _gap_ok(text, a, b):
            continue
        if text[b.start] in "([" and text[a.start] not in "([":
            continue  # "energy (energy of enlightenment)": a gloss in brackets
        if k >= 2 and toks[k - 2].core == a.core and _gap_ok(text, toks[k - 2], a):
            continue  # a run of three or more: MT605
        if k + 1 < len(toks) and toks[k + 1].core == b.core and _gap_ok(text, b, toks[k + 1]):
            continue
        out.append((a, b))
    return out


@register("MT601", "doubled-word", category="repetition", severity="minor")
def doubled_word(doc: Document, ctx: Context) -> Iterator[Hit]:
    """The same word twice in a row ("the the").

    Why: MT decoders and careless post-editing double words; readers trip on them.
    Grammatical doubles ("had had", "that that") and names ("Bora Bora") are left
    alone; three or more copies are a loop (MT605).

    Bad: The minister said the the talks would resume on Monday.
    Good: The minister said the talks would resume on Monday, and what he had had in mind was clear.
    """
    doubles = _doubles(doc)
    if not doubles:
        return
    text = doc.text
    allowed = ALLOWED_DOUBLES | {w.lower() for w in ctx.option("allow", [])}
    for a, b in doubles:
        word = a.core
        if word in allowed or not any(c.isalnum() for c in word):
            continue
        if word.isdigit() and len(word) < 2:
            continue
        if b.word[:1].isupper() and len(word) <= 3 and word not in FUNCTION_WORDS:
            continue  # "Li Li", "Xi Xi": reduplicated given names
        if b.word[:1].isupper() and not _common(word):
            others = len(re.findall(r"(?<!\w)" + re.escape(a.word) + r"(?!\w)", text))
            if others <= 2:
                continue  # only ever written doubled: a name like "Bora Bora"
        if a.word.isupper() and len(a.word) > 1 and b.word.isupper() and not a.word.isdigit():
            continue  # "NO NO" in a headline, or a repeated acronym in a table
        if word[:1].isdigit():
            line_start, line_end = text.rfind("\n", 0, a.start) + 1, text.find("\n", a.start)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            if len(re.findall(r"\d+", line)) >= 6:
                continue  # a table row
        conf = 0.95 if word in FUNCTION_WORDS else (0.7 if b.word[:1].isupper() else 0.85)
        start = a.start + text[a.start : a.end].find(a.word)
        end = b.start + text[b.start : b.end].find(b.word) + len(b.word)
        yield Hit(start, end, f"Doubled word '{a.word}'", suggestion=a.word, confidence=conf)


def _in_quote(text: str, pos: int) -> bool:
    """Inside a quotation on this line (emphasis in speech is left alone)."""
    line = text[text.rfind("\n", 0, pos) + 1 : pos + 1]  # with the token's own opening quote
    return line.count("“") > line.count("”") or line.count('"') % 2 == 1


@register("MT605", "repetition-loop", category="repetition", severity="major")
def repetition_loop(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A word or phrase repeated three or more times in a row ("food food food",
    "of the city of the city of the city").

    Why: neural MT can fall into a loop and repeat the end of its output; WMT
    annotators mark it as a non-translation. Repetition for emphasis in a quote
    ("never, never, never") is punctuated and left alone.

    Bad: Inspectors found traces in the pet food food food food.
    Good: Inspectors found traces in the pet food. “Never, never, never,” she said.
    """
    max_n = int(ctx.option("max_phrase", 12))
    starts = _loop_candidates(doc, max_n)
    if not starts or not _may_loop(doc, starts, max_n):
        return
    text = doc.text
    low = _cores(doc)
    ntok = len(low)
    toks: _LazyTokens | None = None
    i = 0
    for i0 in starts:
        if i0 < i:
            continue  # inside a loop already reported
        i = i0
        found = None
        for n in range(1, max_n + 1):
            if i + 2 * n > ntok:
                break
            if low[i] != low[i + n]:
                continue  # cheap test before comparing whole phrases
            k = 1
            while i + (k + 1) * n <= ntok and low[i + k * n : i + (k + 1) * n] == low[i : i + n]:
                k += 1
            if k < 3 and (k < 2 or n < 3):
                continue  # no report below can hold (a double is MT601's)
            if toks is None:
                toks = _LazyTokens(text)
            last = i + k * n - 1
            if "\n" in text[toks[i].start : toks[last].end]:
                continue
            plain = all(_gap_ok(text, toks[x], toks[x + 1]) for x in range(i, last))
            long_phrase = n >= 4 and k >= 3 and not _in_quote(text, toks[i].start)
            if (k >= 3 and plain) or k >= 5 or long_phrase or (k == 2 and n >= 3 and plain):
                found = (n, k, last)
                break
        if found is None:
            i += 1
            continue
        assert toks is not None
        n, k, last = found
        phrase = text[toks[i].start : toks[i + n - 1].end]
        end = toks[last].start + text[toks[last].start : toks[last].end].find(toks[last].word)
        end += len(toks[last].word)
        yield Hit(
            toks[i].start,
            end,
            f"'{phrase}' repeated {k} times in a row",
            suggestion=phrase,
            confidence=0.95 if k >= 3 else 0.8,
        )
        i += n * k


def _may_loop(doc: Document, starts: list[int], max_n: int) -> bool:
    """Whether the search of :func:`repetition_loop` can report a loop at one of the
    candidate ``starts``; False proves it reports none, without the cores.

    The same count test as the search (``k`` copies of an ``n``-token phrase in a
    row, enough for a report: ``k >= 3``, or ``k >= 2`` when ``n >= 3``), on the
    token hashes (:func:`_hashes`): equal cores have equal hashes, so the copies
    counted on the hashes are at least those on the cores. Natural repeats near each
    other ("the number of ... than the number of") are candidates but no copies in
    a row, and stop here."""
    h = _hashes(doc).tolist()
    ntok = len(h)
    for i in starts:
        for n in range(1, max_n + 1):
            if i + 2 * n > ntok:
                break
            if h[i] != h[i + n] or h[i : i + n] != h[i + n : i + 2 * n]:
                continue
            if n >= 3 or (i + 3 * n <= ntok and h[i + 2 * n : i + 3 * n] == h[i : i + n]):
                return True
    return False


# A whitespace token with a character that is not edge punctuation: the tokens that
# :func:`_tokens` keeps (it drops those of punctuation alone), as matches.
_KEPT_TOKEN = re.compile(rf"\S*[^\s{re.escape(_STRIP)}]\S*")


class _LazyTokens:
    """``_tokens(text)[k]``, built on first use: the token matches are taken (in C)
    only up to the highest index asked for, and only the tokens asked for are
    built. A loop candidate needs a few tokens near it, not the whole list."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches: list[re.Match[str]] = []
        self.rest = _KEPT_TOKEN.finditer(text)
        self.built: dict[int, _Tok] = {}

    def __getitem__(self, k: int) -> _Tok:
        tok = self.built.get(k)
        if tok is None:
            matches = self.matches
            if k >= len(matches):
                matches.extend(islice(self.rest, k + 1 - len(matches)))
            m = matches[k]
            tok = self.built[k] = _tok(self.text, m.start(), m.end())
        return tok


_LOOP_PATTERNS: dict[int, re.Pattern[str] | None] = {}


def _loop_pattern(max_n: int) -> re.Pattern[str] | None:
    """Where a phrase of ``n <= max_n`` tokens starts a loop that
    :func:`repetition_loop` can report, over a string with one character per token:
    a phrase of one or two tokens needs three copies in a row, a longer one two."""
    if max_n not in _LOOP_PATTERNS:
        alts = []
        if max_n >= 1:
            alts.append(r"(.)\1\1")
        if max_n >= 2:
            alts.append(r"(..)\2\2")
        if max_n >= 3:
            alts.append(rf"(.{{3,{max_n}}})\3")
        _LOOP_PATTERNS[max_n] = re.compile("(?s)(?=" + "|".join(alts) + ")") if alts else None
    return _LOOP_PATTERNS[max_n]


def _loop_starts(low: list[str], max_n: int) -> list[int]:
    """The token indices where the loop search of :func:`repetition_loop` can find a
    loop, ascending; at every other index it finds none (a report needs ``k >= 3``
    copies of a phrase of one or two tokens, or ``k >= 2`` of a longer one).

    Exact, and in C: each token becomes one character (equal tokens, equal
    characters: the index of the token's last occurrence), and a regex with
    backreferences finds the repeats."""
    pattern = _loop_pattern(max_n)
    if pattern is None or len(low) < 3:
        return []
    if len(low) >= 0x110000:  # more tokens than code points: test every index
        return list(range(len(low)))
    last = dict(zip(low, range(len(low)), strict=True))
    coded = "".join(map(chr, map(last.__getitem__, low)))
    return [m.start() for m in pattern.finditer(coded)]


# Phrase lengths up to this are tested on the hashes (a length-by-token matrix of
# booleans, so at most this many bytes per token); a larger ``max_phrase`` option
# takes the regex of :func:`_loop_starts`.
_MAX_VECTOR_N = 16
# Odd multipliers that mix three token hashes into one trigram key (int64, wrapping).
_MIX_1 = 0x5BD1E995
_MIX_2 = 0x27D4EB2F


def _loop_candidates(doc: Document, max_n: int) -> list[int]:
    """Token indices that include every index of :func:`_loop_starts` (a superset:
    the search at an index where no loop starts finds none), ascending; usually
    none, and then found without a Python loop over the tokens.

    A loop that :func:`repetition_loop` can report at ``i`` is three equal tokens
    (``c[i] == c[i+1] == c[i+2]``), or a phrase of ``n`` tokens (``2 <= n <=
    max_n``) repeated right after itself (three copies when ``n == 2``). Either way
    the three tokens at ``i`` come again ``n`` tokens later (for ``n == 2`` the
    copies overlap: ``a b a`` at ``i`` and at ``i + 2``). So an index is a candidate
    when its neighbours' hashes are equal twice over, or when its trigram key (the
    three hashes mixed) equals the key ``d`` tokens on, for some ``2 <= d <=
    max_n``. Equal tokens give equal hashes and keys, so no loop start is missed;
    unequal ones that collide only add a candidate."""
    if max_n > _MAX_VECTOR_N:
        return _loop_starts(_cores(doc), max_n)
    h = _hashes(doc)
    size = len(h)
    if max_n < 1 or size < 3:
        return []
    import numpy as np

    same = _neighbours(doc)
    # n == 1: three equal tokens in a row (only where two neighbours are equal at all)
    runs = same[:-1] & same[1:] if same.any() else None
    later = None
    if max_n >= 2:
        m = size - 2
        # The trigram keys, followed by padding (a padding value equal to a key only
        # adds a candidate); row ``d - 2`` of ``ahead`` is ``keys[d:d + m]``, d = 2..max_n,
        # a strided view of the same memory.
        padded = np.zeros(m + max_n, np.int64)
        keys = padded[:m]
        np.multiply(h[:-2], _MIX_1, out=keys)
        keys += h[1:-1] * _MIX_2
        keys += h[2:]
        step = padded.itemsize
        ahead = np.ndarray((max_n - 1, m), np.int64, padded, offset=2 * step, strides=(step, step))
        later = keys == ahead
        if not later.any():
            later = None
    if later is None:
        if runs is None or not runs.any():
            return []
        cand = runs
    else:
        cand = later.any(axis=0)
        if runs is not None:
            cand |= runs
    return cand.nonzero()[0].tolist()


def _word_count(norm: str) -> int:
    """``len(norm.split())`` of a :func:`normalize` key (words joined by single
    spaces, as :func:`_paragraph_norms` builds them too), without the list."""
    return norm.count(" ") + 1 if norm else 0


def _report_index(i: int, j: int, captions: set[int]) -> tuple[int, int]:
    """(reported, original): the later occurrence, unless the earlier is a caption."""
    return (i, j) if i in captions and j not in captions else (j, i)


@register("MT602", "repeated-sentence", category="repetition", severity="major")
def repeated_sentence(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A sentence repeated verbatim (ignoring case, punctuation and spacing); the
    second occurrence is the finding.

    Why: segment duplication in MT pipelines and scraping repeats whole sentences;
    one of them has to go.

    Bad: The central bank held rates at 5 percent. Analysts had expected a cut. The Central Bank held rates at 5 percent!
    Good: The central bank held rates at 5 percent. Analysts had expected a cut.
    """
    norm = analyze(doc, ctx).scorer().norm
    if len(set(norm)) == len(norm):
        return  # no sentence repeats another verbatim (the common case)
    segs = segments(doc, ctx)
    captions = caption_segments(doc, ctx)
    min_words = int(ctx.option("min_words", 5))
    first: dict[str, int] = {}
    for k, key in enumerate(norm):
        if len(key.split()) < min_words:
            continue
        if key in first:
            rep, orig = _report_index(first[key], k, captions)
            line, _ = doc.position(segs[orig].start)
            yield Hit(
                segs[rep].start,
                segs[rep].end,
                f"Sentence repeats the one at line {line}",
                suggestion="",
                confidence=0.95,
            )
        else:
            first[key] = k


# Embedding similarity is an all-pairs matrix: skipped above this many segments.
MAX_EMBED = 3000
NEAR_CHRF = 60.0
NEAR_CHRF_WITH_MODEL = 45.0
NEAR_COSINE = 0.9


def _near_pairs(doc: Document, ctx: Context) -> dict[tuple[int, int], float]:
    """Similar sentence pairs (i < j) with their chrF, verbatim ones included;
    computed once per document (options under MT603)."""
    return doc.memo("repetition.pairs", lambda: _compute_pairs(doc, ctx))


def _compute_pairs(doc: Document, ctx: Context) -> dict[tuple[int, int], float]:
    code = "MT603"
    min_chrf = float(ctx.option("chrf", NEAR_CHRF, code))
    loose = float(ctx.option("chrf_with_model", NEAR_CHRF_WITH_MODEL, code))
    cosine = float(ctx.option("cosine", NEAR_COSINE, code))
    floor = loose if ctx.embedder is not None else min_chrf
    scorer = analyze(doc, ctx).scorer()
    sims: dict[tuple[int, int], float] | None = None
    extra: list[tuple[int, int]] = []
    if ctx.embedder is not None:
        sims, extra = _model_pairs(_sentence_members(doc, ctx), scorer.texts, ctx, cosine)
    pairs = scorer.pairs(floor, extra)
    if sims is not None:
        pairs = {p: s for p, s in pairs.items() if s >= min_chrf or sims.get(p, 0.0) >= cosine}
    return pairs


def _sentence_members(doc: Document, ctx: Context) -> list[int]:
    """The segments whose embeddings can decide a near-repeat (see
    :func:`~mtaudit.checks.captions.model_members`), once per document."""

    def compute() -> list[int]:
        scorer = analyze(doc, ctx).scorer()
        loose = float(ctx.option("chrf_with_model", NEAR_CHRF_WITH_MODEL, "MT603"))
        return _members(scorer, loose)

    return doc.memo("repetition.sentence_members", compute)


def _members(scorer: PairScorer, floor: float) -> list[int]:
    pool = scorer.pool()
    if not 1 < len(pool) <= MAX_EMBED:
        return []
    return model_members(scorer, pool, floor)


def _model_pairs(
    members: list[int], texts: Sequence[str], ctx: Context, cosine: float
) -> tuple[dict[tuple[int, int], float], list[tuple[int, int]]]:
    """Cosine similarity of the texts whose embeddings can decide a pair (those
    sharing content words with another, see :func:`embedding_candidates`, and close
    enough in chrF to one of them, see :func:`model_members`), and the pairs at or
    above ``cosine``. Pairs of other texts cannot reach the chrF floor the checks
    also ask for, so their similarity is not needed."""
    assert ctx.embedder is not None
    if len(members) < 2:
        return {}, []
    chosen = [texts[k] for k in members]
    matrix = ctx.embedder.similarity(chosen, chosen)
    sims = {
        (members[a], members[b]): float(matrix[a][b])
        for a in range(len(members))
        for b in range(a + 1, len(members))
    }
    return sims, [p for p, v in sims.items() if v >= cosine]


def _prepare(docs: Sequence[Document], ctx: Context) -> None:
    """Encode, in one model call, the batch's sentences and paragraphs whose
    similarity can decide a near-repeat (the cache keeps them for the checks)."""
    if ctx.embedder is None:
        return
    texts: list[str] = []
    for doc in docs:
        scorer = analyze(doc, ctx).scorer()
        texts.extend(scorer.texts[k] for k in _sentence_members(doc, ctx))
        paragraphs = _paragraph_pairs_input(doc, ctx)
        if paragraphs is not None:
            _, para_scorer, members = paragraphs
            texts.extend(para_scorer.texts[k] for k in members)
    if texts:
        ctx.embedder.encode(texts)


@register(
    "MT603",
    "near-repeated-sentence",
    category="repetition",
    severity="major",
    prepare=_prepare,
)
def near_repeated_sentence(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A sentence that nearly repeats an earlier one, with a few words changed
    (chrF; in full mode MiniLM similarity also counts).

    Why: scraped and machine-translated copy often restates a sentence in slightly
    different words (a caption, a teaser, a duplicated segment); readers see the
    story say the same thing twice.

    Bad: The storm cut power to 40,000 homes across the region on Sunday night. Crews worked through the night. The storm cut power to 40,000 homes in the region on Sunday.
    Good: The storm cut power to 40,000 homes across the region on Sunday night. Crews worked through the night.
    """
    pairs = _near_pairs(doc, ctx)
    if not pairs:
        return
    segs = segments(doc, ctx)
    captions = caption_segments(doc, ctx)
    min_words = int(ctx.option("min_words", 6))
    norm = analyze(doc, ctx).scorer().norm
    for (i, j), score in sorted(pairs.items()):
        if norm[i] == norm[j]:
            continue  # verbatim: MT602
        if len(norm[i].split()) < min_words or len(norm[j].split()) < min_words:
            continue
        rep, orig = _report_index(i, j, captions)
        line, _ = doc.position(segs[orig].start)
        yield Hit(
            segs[rep].start,
            segs[rep].end,
            f"Sentence nearly repeats the one at line {line} (chrF {score:.0f})",
            suggestion="",
            confidence=min(0.95, 0.4 + score / 200),
        )


PARA_CHRF = 70.0
PARA_CHRF_WITH_MODEL = 50.0
PARA_COSINE = 0.95


@register(
    "MT604",
    "repeated-paragraph",
    category="repetition",
    severity="major",
    supersedes=("MT602", "MT603", "MT601"),
    prepare=_prepare,
)
def repeated_paragraph(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A paragraph, or a passage of two or more sentences, repeated verbatim or
    nearly (chrF in --fast; MiniLM similarity, batched over the run, in full mode);
    the later copy is the finding.

    Why: feeds and CMS exports duplicate blocks; a near-duplicate passage is a
    second rendering of the same source text, reported once rather than sentence
    by sentence.

    Bad: Rescue teams reached the village on Tuesday after the road was cleared. Officials said more aid would follow on Wednesday. The army sent two helicopters. Rescue teams reached the village on Tuesday after the road had been cleared. Officials said that more aid would follow on Wednesday.
    Good: Rescue teams reached the village on Tuesday after the road was cleared. Officials said more aid would follow on Wednesday. The army sent two helicopters.
    """
    yield from _repeated_passages(doc, ctx)
    yield from _repeated_paragraphs(doc, ctx)


def _repeated_passages(doc: Document, ctx: Context) -> Iterator[Hit]:
    pairs = _near_pairs(doc, ctx)
    if len(pairs) < 2:
        return  # a passage is two pairs or more
    segs = segments(doc, ctx)
    captions = caption_segments(doc, ctx)
    covered: set[int] = set()
    for i, j in sorted(pairs):
        if j in covered or (i - 1, j - 1) in pairs:
            continue  # inside a passage already seen
        m = 1
        while (i + m, j + m) in pairs and i + m < j and j + m not in captions:
            m += 1
        if m < 2 or j in captions or i + m > j:
            continue
        covered.update(range(j, j + m))
        line, _ = doc.position(segs[i].start)
        yield Hit(
            segs[j].start,
            segs[j + m - 1].end,
            f"Passage of {m} sentences repeats the one at line {line}",
            suggestion="",
            confidence=0.9,
        )


_segment_start = attrgetter("start")


def _paragraph_norms(doc: Document, ctx: Context) -> list[str]:
    """``normalize`` of each paragraph, from the sentences' (already normalized for
    the sentence checks).

    Exact when the segments are the plain sentences: a paragraph's characters
    outside its sentences are whitespace (sentences are split within lines, lines
    within paragraphs), and normalizing neither looks across whitespace (words are
    runs of word characters; lower-casing's only context, the final sigma, stops at
    a space), so a paragraph's normalized text is its sentences' normalized texts
    joined by spaces. Segments cut at captions' credits leave text between them
    (the credits); :func:`_joined_norm` adds it and checks the cuts."""
    paras = doc.paragraphs
    a = analyze(doc, ctx)
    sents, norm = a.segments, a.scorer().norm
    starts = list(map(_segment_start, sents))
    if a.plain:
        out = []
        for para in paras:
            lo = bisect_left(starts, para.start)
            hi = bisect_left(starts, para.end, lo)
            out.append(" ".join(filter(None, norm[lo:hi])))
        return out
    text = doc.text
    low = _lower(doc)
    if len(low) != len(text) or "\u03a3" in text:  # lower-casing is not per character
        return [normalize(p.text) for p in paras]
    out = []
    for para in paras:
        lo = bisect_left(starts, para.start)
        hi = bisect_left(starts, para.end, lo)
        joined = _joined_norm(text, low, para, sents[lo:hi], norm[lo:hi])
        out.append(normalize(para.text) if joined is None else joined)
    return out


def _is_word_char(ch: str) -> bool:
    """Whether ``\\w`` matches the character (letters, digits, underscore)."""
    return ch.isalnum() or ch == "_"


def _joined_norm(
    text: str, low: str, para: Segment, segs: Sequence[Segment], keys: Sequence[str]
) -> str | None:
    """``normalize(para.text)`` from the normalized ``keys`` of the segments that
    start in the paragraph (in order) and the text between them; None where that is
    not exact (segments out of order or leaving the paragraph, or a word running
    across a cut between a segment and its neighbour).

    ``low`` is ``text.lower()`` with one character per character (no final sigma),
    so lower-casing a slice is slicing ``low``; the words of the paragraph are then
    those of its pieces in order, as long as no run of word characters crosses from
    one piece into the next."""
    parts: list[str] = []
    pos = para.start
    for seg, key in zip(segs, keys, strict=True):
        if seg.start < pos or seg.end > para.end:
            return None
        if seg.start > pos:
            gap = low[pos : seg.start]
            if not gap.isspace():
                if pos > para.start and _is_word_char(low[pos - 1]) and _is_word_char(gap[0]):
                    return None
                if _is_word_char(gap[-1]) and _is_word_char(low[seg.start]):
                    return None
                words = normalize(text[pos : seg.start])
                if words:
                    parts.append(words)
        elif pos > para.start and _is_word_char(low[pos - 1]) and _is_word_char(low[pos]):
            return None  # two segments glued inside a word
        if key:
            parts.append(key)
        pos = seg.end
    if pos < para.end:
        gap = low[pos : para.end]
        if not gap.isspace():
            if pos > para.start and _is_word_char(low[pos - 1]) and _is_word_char(gap[0]):
                return None
            words = normalize(text[pos : para.end])
            if words:
                parts.append(words)
    return " ".join(parts)


def _paragraph_pairs_input(
    doc: Document, ctx: Context
) -> tuple[list[int], PairScorer, list[int]] | None:
    """The paragraphs long enough to compare (indices), their pair scorer and, in
    full mode, the ones whose embeddings can decide a pair; None when fewer than two
    are long enough. Once per document (options under MT604)."""

    def compute() -> tuple[list[int], PairScorer, list[int]] | None:
        paras = doc.paragraphs
        if len(paras) < 2:
            return None
        min_words = int(ctx.option("min_words", 12, "MT604"))
        norms = _paragraph_norms(doc, ctx)
        keep = [k for k, n in enumerate(norms) if _word_count(n) >= min_words]
        if len(keep) < 2:
            return None
        scorer = PairScorer([paras[k].text for k in keep], norm=[norms[k] for k in keep])
        members: list[int] = []
        if ctx.embedder is not None:
            loose = float(ctx.option("chrf_with_model", PARA_CHRF_WITH_MODEL, "MT604"))
            members = _members(scorer, loose)
        return keep, scorer, members

    return doc.memo("repetition.paragraphs", compute)


def _few_pairs(scorer: PairScorer, floor: float) -> dict[tuple[int, int], float]:
    """``scorer.pairs(floor)``, for a few texts without rapidfuzz's matrix: its
    per-call cost is most of the work for the handful of paragraphs of a story.

    Exact for at most ``TOP_K + 1`` texts: the candidates of
    :func:`~mtaudit.checks.captions._fuzzy_candidates` are then each repeated text
    with its first occurrence, and every pair of distinct texts whose Indel ratio
    reaches the prefilter (each text has at most ``TOP_K`` earlier ones, so none is
    cut, and all are inside the window). ``fuzz.ratio`` with the same cutoff is
    what the matrix computes per cell (0 below it, and a ratio of at least the
    cutoff stays non-zero in its ``uint8``). Then the same scores and the same
    choice as :meth:`PairScorer.pairs`, in the same order."""
    norm = scorer.norm
    if len(norm) > TOP_K + 1:
        return scorer.pairs(floor)
    from rapidfuzz import fuzz

    ratio, cutoff = fuzz.ratio, scorer.prefilter
    candidates: list[tuple[int, int]] = []
    first_of: dict[str, int] = {}  # distinct texts, in order
    for j, text in enumerate(norm):
        if text in first_of:
            candidates.append((first_of[text], j))
            continue
        candidates.extend(
            (i, j) for i in first_of.values() if ratio(norm[i], text, score_cutoff=cutoff)
        )
        first_of[text] = j
    out: dict[tuple[int, int], float] = {}
    for i, j in sorted(candidates):
        score = scorer.score(i, j)
        if score is not None and (score >= floor or norm[i] == norm[j]):
            out[(i, j)] = score
    return out


def _repeated_paragraphs(doc: Document, ctx: Context) -> Iterator[Hit]:
    paras = doc.paragraphs
    if len(paras) < 2:
        return
    analyze(doc, ctx)  # share the memo with the sentence checks
    found = _paragraph_pairs_input(doc, ctx)
    if found is None:
        return
    keep, scorer, members = found
    texts = scorer.texts
    min_chrf = float(ctx.option("chrf", PARA_CHRF, "MT604"))
    loose = float(ctx.option("chrf_with_model", PARA_CHRF_WITH_MODEL, "MT604"))
    cosine = float(ctx.option("cosine", PARA_COSINE, "MT604"))
    floor = loose if ctx.embedder is not None else min_chrf
    sims: dict[tuple[int, int], float] | None = None
    extra: list[tuple[int, int]] = []
    if ctx.embedder is not None:
        sims, extra = _model_pairs(members, texts, ctx, cosine)
    pairs = _few_pairs(scorer, floor) if not extra else scorer.pairs(floor, extra)
    norm = scorer.norm
    reported: set[int] = set()
    for (i, j), score in sorted(pairs.items()):
        if j in reported:
            continue
        verbatim = norm[i] == norm[j]
        if not verbatim and score < min_chrf and (sims is None or sims.get((i, j), 0.0) < cosine):
            continue
        reported.add(j)
        para = paras[keep[j]]
        line, _ = doc.position(paras[keep[i]].start)
        how = "repeats" if verbatim else "nearly repeats"
        yield Hit(
            para.start,
            para.end,
            f"Paragraph {how} the one at line {line}",
            suggestion="",
            confidence=0.95 if verbatim else min(0.9, 0.4 + score / 200),
            severity=Severity.MAJOR,
        )
