"""Source-aware checks (MT80x): compare the translation with its source text.

They run only on documents that carry a source (PO/XLIFF units, CSV/JSONL rows
with a source column): numbers and dates that differ, names of the source that
are missing or changed, a target identical to its source, and omissions or
additions seen in the length ratio. Spans point into the target text; what is
missing altogether is reported on the whole target.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit, Severity
from mtaudit.registry import register

# -- numbers ------------------------------------------------------------------

# 1,500 / 1.500 / 1 500 / 1'500 (thousands groups), 3,5 / 3.5 (decimals), 42.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])(\d{1,3}(?:([ ,.\u00a0\u202f\u2009'’])\d{3})(?:\2\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![0-9]|[.,]\d)"
)
# English number words a translation may use for a source's digits.
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1, "billion": 1, "trillion": 1, "dozen": 12, "dozens": 12, "half": 5,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "twice": 2, "double": 2, "triple": 3, "quarter": 25, "hundreds": 100, "thousands": 1000,
    "millions": 1, "billions": 1, "once": 1, "single": 1, "pair": 2, "couple": 2,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b", re.I)
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_RE = re.compile(
    r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_PM = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(?:p\.?\s?m\.?|pm)\b", re.I)
# Values a reader does not miss when they are dropped or spelled out ("a", "the first").
_TRIVIAL = {"0", "1"}


def _key(value: Decimal) -> str:
    """Significant digits only, so 3000万 (30 million) matches "30 million" and 3,5 "3.5"."""
    digits = format(value.normalize(), "f").replace(".", "").replace("-", "").lstrip("0")
    return digits.rstrip("0") or "0"


def _values(raw: str, sep: str | None) -> list[Decimal]:
    """Readings of a number: 1.500 is 1500 in German and 1.5 in English."""
    out: list[Decimal] = []
    try:
        if sep:
            body = raw.replace(sep, "")
            out.append(Decimal(body.replace(",", ".")))
            if sep in ",." and raw.count(sep) == 1 and not re.search(r"[.,]", body):
                out.append(Decimal(raw.replace(sep, ".")))
        else:
            out.append(Decimal(raw.replace(",", ".")))
    except InvalidOperation:
        pass
    return out


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    text: str
    keys: frozenset[str]
    value: Decimal | None = None  # the likeliest reading (thousands groups first)

    @property
    def english(self) -> str:
        """The number as English writes it (1,250 / 3.5)."""
        if self.value is None:
            return self.text
        if self.value == self.value.to_integral_value():
            return f"{int(self.value):,}"
        return format(self.value.normalize(), "f")


def numbers(text: str) -> list[Number]:
    out = []
    for m in _NUMBER.finditer(text):
        values = _values(m.group(1), m.group(2))
        keys = frozenset(_key(v) for v in values)
        if keys:
            out.append(Number(m.start(), m.end(), m.group(), keys, values[0]))
    return out


def target_keys(text: str) -> set[str]:
    """Every number a target expresses: digits, number words, month names, 2 p.m. = 14."""
    keys: set[str] = set()
    for n in numbers(text):
        keys |= n.keys
    for m in _NUMBER_WORD.finditer(text):
        keys.add(_key(Decimal(_WORDS[m.group(1).lower()])))
    for m in _MONTH_RE.finditer(text):
        name = m.group(1).lower()
        month = next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name[:3]))
        keys.add(_key(Decimal(month)))
    for m in _PM.finditer(text):
        hour = int(m.group(1))
        if hour < 12:
            keys.add(_key(Decimal(hour + 12)))
    return keys


# -- dates --------------------------------------------------------------------

_SOURCE_DATES = (
    # (regex, order of groups) — day-month-year is the order of most source languages.
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), "md"),
    (re.compile(r"(?<!\d)(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일"), "ymd"),
    (re.compile(r"(?<!\d)(?<!\d\.)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d|\.\d)"), "ymd"),
    (re.compile(r"(?<!\d)(?<!\d\.)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d|\.\d)"), "dmy"),
)
_TARGET_DATES = (
    (re.compile(_MONTH_RE.pattern + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?"), "Mdy"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE.pattern + r"(?:,?\s+(\d{4}))?"), "dMy"),
    (re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d.])"), "ymd"),
    (re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\d.])"), "xxy"),
)  # fmt: skip


@dataclass(frozen=True)
class Date:
    start: int
    end: int
    text: str
    year: int | None
    month: int
    day: int


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name.lower()[:3]))


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def source_dates(text: str) -> list[Date]:
    out: list[Date] = []
    taken: list[tuple[int, int]] = []
    for regex, order in _SOURCE_DATES:
        for m in regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            g = [int(x) for x in m.groups()]
            if order == "ymd":
                y, mo, d = g[0], g[1], g[2]
            elif order == "md":
                y, mo, d = None, g[0], g[1]
            else:
                y, mo, d = g[2], g[1], g[0]
            if _valid(mo, d):
                out.append(Date(m.start(), m.end(), m.group(), y, mo, d))
                taken.append((m.start(), m.end()))
    return out


def target_dates(text: str) -> list[Date]:
    out: list[Date] = []
    for regex, order in _TARGET_DATES:
        for m in regex.finditer(text):
            g = m.groups()
            if order == "Mdy":
                cands = [(g[2], _month_number(g[0]), g[1])]
            elif order == "dMy":
                cands = [(g[2], _month_number(g[1]), g[0])]
            elif order == "ymd":
                cands = [(g[0], int(g[1]), g[2])]
            else:  # 05/12/2024: either order
                cands = [(g[2], int(g[1]), g[0]), (g[2], int(g[0]), g[1])]
            for y, mo, d in cands:
                if _valid(mo, int(d)):
                    out.append(
                        Date(m.start(), m.end(), m.group(), int(y) if y else None, mo, int(d))
                    )
    return out


def _same_date(a: Date, b: Date) -> bool:
    return a.month == b.month and a.day == b.day and (a.year is None or b.year in (None, a.year))


# -- scripts and length ---------------------------------------------------------

# Median of (English characters / source characters), spaces excluded, per
# source script; measured on MLQE-PE (Latin, Devanagari, Sinhala) and WMT23
# zh-en (Han); the others are typical values. Override with the option
# ``ratios`` of MT805/MT806.
EXPECTED_RATIO = {
    "Latin": 1.0,
    "Cyrillic": 1.0,
    "Greek": 0.95,
    "Han": 3.3,
    "Kana": 2.6,
    "Hangul": 2.6,
    "Arabic": 1.2,
    "Hebrew": 1.3,
    "Devanagari": 1.05,
    "Sinhala": 1.0,
    "Thai": 0.9,
    "other": 1.0,
}
_SCRIPT_NAMES = (
    ("LATIN", "Latin"),
    ("CYRILLIC", "Cyrillic"),
    ("GREEK", "Greek"),
    ("CJK", "Han"),
    ("HIRAGANA", "Kana"),
    ("KATAKANA", "Kana"),
    ("HANGUL", "Hangul"),
    ("ARABIC", "Arabic"),
    ("HEBREW", "Hebrew"),
    ("DEVANAGARI", "Devanagari"),
    ("SINHALA", "Sinhala"),
    ("THAI", "Thai"),
)


def char_script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for prefix, script in _SCRIPT_NAMES:
        if name.startswith(prefix):
            return script
    return "other"


def dominant_script(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            s = char_script(ch)
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "other"
    if counts.get("Kana") and counts.get("Han"):
        return "Kana"  # Japanese mixes kanji and kana
    return max(counts, key=lambda k: counts[k])


def _letters(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _whole(doc: Document) -> tuple[int, int]:
    text = doc.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return start, max(end, start)


def _fold(word: str) -> str:
    from unidecode import unidecode

    return unidecode(word).lower()


# -- the rules ------------------------------------------------------------------


@register("MT801", "number-mismatch", category="adequacy", severity="major", requires=("source",))
def number_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A number of the source that the translation lacks or changed (thousands
    separators, decimal commas and scale words such as 万 or "million" are
    normalized; spelled-out numbers count).

    Why: a wrong figure in a news story or a UI string is a factual error that
    no fluency check can see.

    Bad: Le bilan s'élève à 1 250 morts. → The toll rose to 1,520 dead.
    Good: Le bilan s'élève à 1 250 morts. → The toll rose to 1,250 dead.
    """
    source = doc.source or ""
    in_dates = [(d.start, d.end) for d in source_dates(source)]
    src = [
        n
        for n in numbers(source)
        if not any(s <= n.start < e for s, e in in_dates) and not (n.keys & _TRIVIAL)
    ]
    if not src:
        return
    have = target_keys(doc.text)
    missing = [n for n in src if not (n.keys & have)]
    if not missing:
        return
    src_keys = set().union(*(n.keys for n in numbers(source)))
    t_dates = [(d.start, d.end) for d in target_dates(doc.text)]
    extra = [
        n
        for n in numbers(doc.text)
        if not (n.keys & src_keys)
        and not (n.keys & _TRIVIAL)
        and not any(s <= n.start < e for s, e in t_dates)
    ]
    if extra:
        for n in extra:
            wanted = ", ".join(dict.fromkeys(m.text for m in missing))
            yield Hit(
                n.start,
                n.end,
                f"Number '{n.text}' is not in the source, which has {wanted}",
                suggestion=missing[0].english if len(missing) == 1 == len(extra) else None,
                confidence=0.8,
            )
        return
    start, end = _whole(doc)
    if end <= start:
        return
    for n in dict((n.text, n) for n in missing).values():
        yield Hit(
            start,
            end,
            f"Number '{n.text}' of the source is missing from the translation",
            confidence=0.6,
        )


@register("MT802", "date-mismatch", category="adequacy", severity="major", requires=("source",))
def date_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A date of the source (12.05.2024, 2024年5月12日) that appears in the
    translation with another day, month or year.

    Why: day-month order and calendar formats are easy to garble; a wrong date
    misinforms silently.

    Bad: Die Wahl findet am 12.05.2024 statt. → The election takes place on December 5, 2024.
    Good: Die Wahl findet am 12.05.2024 statt. → The election takes place on May 12, 2024.
    """
    src = source_dates(doc.source or "")
    if not src:
        return
    tgt = target_dates(doc.text)
    if not tgt:
        return  # a date rendered as "yesterday" or dropped: MT801 sees the numbers
    unmatched = [t for t in tgt if not any(_same_date(s, t) or _same_date(t, s) for s in src)]
    missing = [s for s in src if not any(_same_date(s, t) for t in tgt)]
    if not missing:
        return
    seen: set[tuple[int, int]] = set()
    for t in unmatched:
        if (t.start, t.end) in seen:
            continue
        seen.add((t.start, t.end))
        s = missing[0]
        when = f"{s.day} {_MONTHS[s.month - 1].title()}" + (f" {s.year}" if s.year else "")
        yield Hit(
            t.start,
            t.end,
            f"Date '{t.text}' differs from the source date '{s.text}' ({when})",
            confidence=0.8,
        )


_NAME = re.compile(r"(?<![\w'’-])([A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*\w)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…\"“”«»„(\[–—-])\s*$")
# Source languages that capitalize common nouns: a capital says little there.
_NOUN_CAPS = frozenset({"de", "lb"})


def _zipf(word: str, lang: str | None) -> float:
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, lang or "en")
    except LookupError:
        return 0.0


def _has_wordlist(lang: str | None) -> bool:
    from wordfreq import available_languages

    return bool(lang) and lang in available_languages()


def _source_lang(doc: Document, ctx: Context) -> str | None:
    lang = ctx.source_lang or doc.source_lang
    if lang:
        return lang.split("-")[0].lower()

    def detect() -> str | None:
        from langdetect import DetectorFactory, LangDetectException, detect

        DetectorFactory.seed = 0
        try:
            return str(detect(doc.source or ""))
        except LangDetectException:
            return None

    return doc.memo("adequacy:source_lang", detect)


@register("MT803", "name-mismatch", category="adequacy", severity="major", requires=("source",))
def name_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A proper name of a Latin-script source (a capitalized word inside a
    sentence that is rare as a common word) that the translation lacks, or
    writes with its diacritics lost.

    Why: names are the facts of a news story; MT drops, translates or
    transliterates them (Vučić → "Vucic", "Vui").

    Bad: Le président Vučić a démenti. → President Vucic denied it.
    Good: Le président Vučić a démenti. → President Vučić denied it.
    """
    source = doc.source or ""
    if dominant_script(source) != "Latin":
        return
    lang = _source_lang(doc, ctx)
    threshold = float(ctx.option("max_zipf", 2.5))
    target = doc.text
    tgt_words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w'’-]+", target)]
    tgt_exact = {w for _, _, w in tgt_words}
    tgt_fold = {_fold(w): (s, e, w) for s, e, w in tgt_words}
    missing: list[str] = []
    reported: set[str] = set()
    for m in _NAME.finditer(source):
        name = m.group(1)
        if len(name) < 3 or name.isupper() or name in reported:
            continue
        if _SENTENCE_START.search(source, max(0, m.start() - 3), m.start()) or m.start() == 0:
            continue
        if name in tgt_exact:
            continue
        folded = _fold(name)
        if folded in tgt_fold:
            s, e, w = tgt_fold[folded]
            if (
                w.lower() != name.lower()
                and w.isascii()
                and not name.isascii()
                and _zipf(w.lower(), "en") < 3.0  # Croația -> Croatia is the English name
            ):
                reported.add(name)
                yield Hit(
                    s,
                    e,
                    f"Name '{w}' lost its diacritics (source: '{name}')",
                    suggestion=name,
                    confidence=0.75,
                )
            continue
        if lang in _NOUN_CAPS or not _has_wordlist(lang):
            continue  # capitals say little, or inflected names cannot be told from words
        if max(_zipf(name.lower(), lang), _zipf(name.lower(), "en")) >= threshold:
            continue
        if _similar(folded, tgt_fold):
            continue
        reported.add(name)
        missing.append(name)
    if missing:
        start, end = _whole(doc)
        if end > start:
            yield Hit(
                start,
                end,
                "Name(s) of the source missing from the translation: " + ", ".join(missing),
                confidence=0.4,
                severity=Severity.MINOR,  # exonyms and inflected forms make this uncertain
            )


_TRANSLITERABLE = frozenset({"Latin", "Cyrillic", "Greek"})


def _english_word(word: str) -> bool:
    """A word of lemminflect's English dictionary (names are not in it)."""
    import lemminflect

    return bool(lemminflect.getAllLemmas(word.lower()))


@register(
    "MT807", "name-not-in-source", category="adequacy", severity="minor", requires=("source",)
)
def name_not_in_source(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A name in the translation (a capitalized word inside a sentence that is
    rare in English) with no counterpart in a Latin, Cyrillic or Greek source:
    a name the MT replaced or invented.

    Why: neural MT swaps rare names for frequent ones and hallucinates entities;
    the result is fluent and wrong.

    Bad: Selon Kowalczyk, le projet est abandonné. → According to Paroubek, the project is dropped.
    Good: Selon Kowalczyk, le projet est abandonné. → According to Kowalczyk, the project is dropped.
    """
    source = doc.source or ""
    if dominant_script(source) not in _TRANSLITERABLE:
        return
    src_fold = {_fold(w): (0, 0, w) for w in re.findall(r"[\w'’-]+", source)}
    src_text = _fold(source)
    target = doc.text
    seen: set[str] = set()
    for m in _NAME.finditer(target):
        name = re.sub(r"['’]s?$", "", m.group(1))
        if len(name) < 3 or name.isupper() or name in seen:
            continue
        if _SENTENCE_START.search(target, max(0, m.start() - 3), m.start()) or m.start() == 0:
            continue
        if _zipf(name.lower(), "en") >= float(ctx.option("max_zipf", 2.5)) or _english_word(name):
            continue  # a well-known name or an English word in a title ("Fatherland")
        folded = _fold(name)
        if folded in src_fold or folded in src_text or _similar(folded, src_fold):
            continue
        seen.add(name)
        yield Hit(
            m.start(),
            m.start() + len(name),
            f"Name '{name}' has no counterpart in the source",
            confidence=0.5,
        )


def _similar(folded: str, targets: dict[str, tuple[int, int, str]]) -> bool:
    """An inflected, transliterated or exonym form of the name (Putina ~ Putin)."""
    from rapidfuzz import fuzz

    stem = folded[: max(4, len(folded) - 3)]
    for word in targets:
        if len(word) >= 4 and (
            word.startswith(stem) or folded.startswith(word[: max(4, len(word) - 2)])
        ):
            return True
        if min(len(word), len(folded)) <= 5 and word[:3] == folded[:3] and len(word) >= 3:
            return True  # short inflected names: Brno ~ Brně
        if fuzz.ratio(folded, word) >= 80:
            return True
    return False


_WORDISH = re.compile(r"[^\W\d_]{3,}")


@register(
    "MT804", "untranslated-segment", category="adequacy", severity="major", requires=("source",)
)
def untranslated_segment(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A translation identical to its source (apart from spacing and case): the
    segment was never translated.

    Why: copy-through of the source is a common failure of MT and of
    localization pipelines; a monolingual check cannot tell when the source is
    itself Latin-script.

    Bad: Mot de passe oublié ? → Mot de passe oublié ?
    Good: Mot de passe oublié ? → Forgot your password?
    """
    source = doc.source or ""

    def norm(s: str) -> str:
        return " ".join(s.split()).casefold()

    if norm(source) != norm(doc.text):
        return
    words = _WORDISH.findall(doc.text)
    if not any(w.islower() for w in words):
        return  # names, codes, brands ("Google Maps", "OK", "%s")
    if len(words) >= 4 and _source_lang(doc, ctx) == "en":
        return  # an English source copied to English is not an error
    start, end = _whole(doc)
    yield Hit(start, end, "The translation is identical to the source", confidence=0.85)


def _ratio_hit(doc: Document, ctx: Context) -> tuple[str, float] | None:
    """('short' | 'long', observed / expected ratio) when out of range."""
    source = doc.source or ""
    s_len, t_len = _letters(source), _letters(doc.text)
    script = dominant_script(source)
    min_len = int(ctx.option("min_source_chars", 12 if script in ("Han", "Kana", "Hangul") else 30))
    if s_len < min_len or t_len == 0:
        return None
    ratios = {**EXPECTED_RATIO, **ctx.option("ratios", {})}
    rel = (t_len / s_len) / float(ratios.get(script, 1.0))
    if rel < float(ctx.option("min_ratio", 0.5, "MT805")):
        return "short", rel
    if rel > float(ctx.option("max_ratio", 2.0, "MT806")):
        return "long", rel
    return None


@register("MT805", "possible-omission", category="adequacy", severity="major", requires=("source",))
def possible_omission(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A translation much shorter than its source for the source's script (under
    half the expected length): part of the content is probably missing.

    Why: MT drops clauses and sentences silently; the length ratio is the
    cheapest signal of an omission.

    Bad: Le gouvernement a annoncé mardi un plan de relance de 100 milliards d'euros pour soutenir l'industrie. → The government announced.
    Good: Le gouvernement a annoncé mardi un plan de relance de 100 milliards d'euros pour soutenir l'industrie. → On Tuesday the government announced a 100-billion-euro stimulus plan to support industry.
    """
    found = doc.memo("adequacy:ratio", lambda: _ratio_hit(doc, ctx))
    if found and found[0] == "short":
        start, end = _whole(doc)
        conf = min(0.9, 0.5 + 0.5 * (1 - found[1]))
        yield Hit(
            start,
            end,
            f"Translation is {found[1]:.0%} of the length expected from its source: content may be missing",
            confidence=round(conf, 2),
        )


@register("MT806", "possible-addition", category="adequacy", severity="minor", requires=("source",))
def possible_addition(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A translation more than twice as long as expected from its source: the MT
    added content (hallucination, a repeated loop, text from elsewhere).

    Why: additions are rarer than omissions but just as wrong, and loops of
    repeated text are a known failure of neural MT.

    Bad: Le ministre a démissionné hier soir. → The minister resigned last night. The minister resigned last night. The minister resigned last night, the minister resigned.
    Good: Le ministre a démissionné hier soir. → The minister resigned last night.
    """
    found = doc.memo("adequacy:ratio", lambda: _ratio_hit(doc, ctx))
    if found and found[0] == "long":
        start, end = _whole(doc)
        conf = min(0.9, 0.4 + 0.1 * math.log2(found[1]))
        yield Hit(
            start,
            end,
            f"Translation is {found[1]:.1f}× the length expected from its source: content may be added",
            confidence=round(conf, 2),
        )
