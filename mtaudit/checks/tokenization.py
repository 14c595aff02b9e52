"""Detokenizer damage (MT4xx): spacing and quote artifacts that MT pipelines leave
when they join tokens back into text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtaudit.checks.encoding import non_ascii_marks
from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.registry import register

# -- the family's exact prefilter ----------------------------------------------------
#
# Every artifact these checks report sits at a rare ASCII mark in a given
# neighbourhood: a punctuation mark after a space (MT401), a hyphen next to a
# space before a lower-case word (MT402), TeX quote marks (MT403), an apostrophe
# after a space (MT404), "X. Y." (MT405), a digit before a spaced group of three
# digits or a decimal comma (MT406), a space inside a bracket or a tab (MT407).
# One pass over the text finds which of them occur. Each branch of ``_MARKS``
# starts with its own literal character, so that ``re`` skips to the next
# candidate character in C and picks the branch by that character; the rest of
# a branch is look-arounds, so a match is that one character and every position
# is looked at. Where two branches share a character their conditions exclude
# each other (the character before a period is a space or a capital letter; an
# apostrophe is followed by a clitic or by another apostrophe), so no mark is
# hidden by another. A check whose mark is missing has nothing to report; when it
# is there, the check runs as before. Two marks come from elsewhere: a double
# space (MT407, ``in``) and, in non-ASCII text, what ``non_ascii_marks`` finds
# (non-ASCII digits for MT406, curly quotes for MT403).

_SPACE_BEFORE = r"(?<=[ \t]{c})(?=[\s\"”’)\]]|$)(?!\.\.)"  # _SPACED_PUNCT, after its mark
_CLITIC_AFTER = r"(?:(?<= {c})(?=(?:s|re|ve|ll|d|m)\b)|(?<= n{c})(?=t\b))"  # _CLITIC_TAIL
_MARK_BRANCHES: dict[str, list[tuple[str, str]]] = {}  # character -> (condition, mark)


def _mark(chars: str, condition: str, mark: str) -> None:
    for c in chars:
        _MARK_BRANCHES.setdefault(c, []).append((condition.format(c=re.escape(c)), mark))


_mark(",.;:!?%", _SPACE_BEFORE, "MT401")
_mark(".", r"(?<=[A-Z]\.)(?= [A-Z]\.)", "MT405")  # _SPACED_INITIALS
_mark("0123456789", r"(?=[ \u00a0\u202f\u2009]\d\d\d|,\d\d?(?!\d))", "MT406")  # _MAYBE_LOCALE
_mark("-", r"(?:(?<= -)(?=[a-z]{{2,}}\b)|(?= +[a-z]{{2,}}\b))", "MT402")  # _SPACED_HYPHEN_AT
_mark("'’", _CLITIC_AFTER, "MT404")
_mark("`'", "(?={c})", "tex")  # `` and '' (MT403)
_mark("([", "(?= )", "MT407")
_mark(")]", "(?<= {c})", "MT407")
_mark("\t", "", "MT407")
_MARK_GROUPS: dict[str, str] = {}


def _branch(char: str, conditions: list[tuple[str, str]]) -> str:
    alternatives = []
    for condition, mark in conditions:
        name = f"m{len(_MARK_GROUPS)}"
        _MARK_GROUPS[name] = mark
        alternatives.append(f"{condition}(?P<{name}>)")
    return re.escape(char) + "(?:" + "|".join(alternatives) + ")"


_MARKS = re.compile("|".join(_branch(c, conds) for c, conds in _MARK_BRANCHES.items()))
_MARKS_KEY = "tokenization.marks"


def marks(doc: Document) -> frozenset[str]:
    """What the checks of this family may find in the document (see above):
    check codes, and for MT403 ``tex`` and the quote marks of ``non_ascii_marks``;
    computed once per document."""
    cache = doc.cache
    found: frozenset[str] | None = cache.get(_MARKS_KEY)
    if found is None:
        text = doc.text
        names = {m.lastgroup for m in _MARKS.finditer(text)}
        out = {_MARK_GROUPS[n] for n in names if n}
        if "  " in text:
            out.add("MT407")
        found = frozenset(out) | non_ascii_marks(doc)
        cache[_MARKS_KEY] = found
    return found


# "food ." / "said , adding" / "Really ?" — not "..." (ellipsis) nor " - " (dash).
# The reference pattern is
#   (\w[\w'’)\]]*)([ \t]+)([,.;:!?%])(?=[\s\"”’)\]]|$)(?!\.\.)
# but a pattern that starts with a word run is tried at every letter of the text
# (and rescans the rest of the word each time). The search looks for the mark
# with a space or tab before it (marks are rarer than letters or spaces) and
# walks back over the spaces and the word run: the reference match is the one
# that starts at the first word character of the maximal run of [\w'’)\]]
# before the spaces (a run cannot cross a previous match, which ends in a mark).
_SPACED_PUNCT = re.compile(r"[,.;:!?%](?<=[ \t].)(?=[\s\"”’)\]]|$)(?!\.\.)", re.DOTALL)
_RUN_MARKS = frozenset("_'’)]")
_ELLIPSIS_AFTER = re.compile(r"\.\.")


def _word_before(text: str, end: int) -> int:
    """Start of group 1 of the reference pattern for spaces starting at ``end``:
    the first word character of the run of [\\w'’)\\]] ending there, or -1."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _RUN_MARKS):
        start -= 1
    while start < end and not (text[start].isalnum() or text[start] == "_"):
        start += 1  # leading quotes and brackets are not part of the word
    return start if start < end else -1


def _space_punct(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, word, punctuation) of every "word ," in ``text``: the spans of
    the reference pattern's groups 1 and 3."""
    for m in _SPACED_PUNCT.finditer(text):
        spaces = m.start() - 1
        while spaces > 0 and text[spaces - 1] in " \t":
            spaces -= 1
        start = _word_before(text, spaces)
        if start >= 0:
            yield start, m.end(), text[start:spaces], m.group()


@register("MT401", "space-before-punctuation", category="tokenization", severity="minor")
def space_before_punctuation(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A space between a word and the comma, period, colon, semicolon, question or
    exclamation mark or percent sign that follows it.

    Why: tokenized MT output ("food .") survives detokenization as a stray space,
    which readers notice at once and which no English style allows.

    Bad: The talks ended without a deal , officials said .
    Good: The talks ended without a deal, officials said.
    """
    if "MT401" not in marks(doc):
        return
    text = doc.text
    for start, end, word, punct in _space_punct(text):
        if punct == "." and (
            _ELLIPSIS_AFTER.match(text, end - 1) or text.startswith(". .", end - 1)
        ):
            continue  # an ellipsis, closed or spaced
        if punct == ":" and end < len(text) and text[end].isdigit():
            continue  # a time or ratio written with spaces is rare but not this artifact
        yield Hit(start, end, f"Space before {punct!r}", suggestion=word + punct)


# "anti -government", "well- known" (but not "pre- and post-war", "-5 degrees", " - ").
# The reference pattern is
#   \b([A-Za-z]{2,})(?: -(?=[a-z]{2,}\b)| +-(?=[a-z]{2,}\b)|- +(?=[a-z]{2,}\b))
# Searching it tries every word of the text; the search looks for the rare tail
# (the hyphen with its spaces, before a lower-case word) and checks the word
# before it: the reference match starts at the start of the run of word
# characters that ends at the tail, when that run is two or more ASCII letters.
# The hyphen of a tail, found by its literal: " +-" (then only the hyphen is
# matched) or "- +"; the lower-case word must follow.
_SPACED_HYPHEN_AT = re.compile(r"-(?:(?<= -)(?=[a-z]{2,}\b)| +(?=[a-z]{2,}\b))")
_ASCII_LETTERS = re.compile(r"[A-Za-z]{2,}")
_SUSPENDED = re.compile(r"\s*(and|or|to|und|nor|as well as)\b")


def _word_start(text: str, end: int) -> int:
    """Start of the run of word characters (``\\w``) that ends at ``end``."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start


def _spaced_hyphens(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of group 1 of the reference pattern, match by match."""
    if " -" not in text and "- " not in text:
        return
    for m in _SPACED_HYPHEN_AT.finditer(text):
        end = m.start()
        if m.end() == end + 1:  # " +-": the tail starts with the spaces
            while end > 0 and text[end - 1] == " ":
                end -= 1
        start = _word_start(text, end)
        if _ASCII_LETTERS.fullmatch(text, start, end):
            yield start, end


@register("MT402", "spaced-hyphen", category="tokenization", severity="minor")
def spaced_hyphen(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A hyphenated word split by a space on one side of the hyphen.

    Why: detokenizers attach a hyphen to the wrong neighbour ("anti -government"),
    leaving a compound that reads as a minus sign or a dash.

    Bad: Thousands joined an anti -government march.
    Good: Thousands joined an anti-government march.
    """
    if "MT402" not in marks(doc):
        return
    text = doc.text
    for start, end1 in _spaced_hyphens(text):
        hyphen_end = text.index("-", end1) + 1
        if text[end1] == "-" and _SUSPENDED.match(text, hyphen_end):
            continue  # "pre- and post-war": a suspended hyphen is correct
        word = re.match(r"\s*([a-z]+)", text[hyphen_end:])
        if not word:
            continue
        end = hyphen_end + word.end()
        yield Hit(
            start,
            end,
            "Space next to a hyphen inside a compound word",
            suggestion=f"{text[start:end1]}-{word.group(1)}",
        )


_OPENERS = {"“": "”", "``": "''", '"': '"', "„": "“”", "«": "»"}
_QUOTE_TOKEN = re.compile(r"“|”|``|''|\"|„|«|»")
_MAX_QUOTE = 400


def _quote_pairs(text: str) -> Iterator[tuple[int, int, str, str, int, int]]:
    """Pairs (open_start, open_end, opener, closer, close_start, close_end) on one
    line, matched left to right."""
    pos = 0
    n = len(text)
    while pos < n:
        m = _QUOTE_TOKEN.search(text, pos)
        if not m:
            return
        tok = m.group()
        if tok not in _OPENERS or (tok == '"' and m.start() > 0 and text[m.start() - 1].isalnum()):
            pos = m.end()
            continue
        closers = _OPENERS[tok]
        limit = min(n, m.end() + _MAX_QUOTE)
        nl = text.find("\n", m.end(), limit)
        if nl >= 0:
            limit = nl
        found = None
        for c in _QUOTE_TOKEN.finditer(text, m.end(), limit):
            ctok = c.group()
            if ctok in closers or (tok in {"“", "``"} and ctok in {"”", "''", '"'}):
                found = c
                break
            if ctok in _OPENERS and ctok == tok and tok != '"':
                break  # a new opener before any closer: unbalanced, give up
        if found is None:
            pos = m.end()
            continue
        yield m.start(), m.end(), tok, found.group(), found.start(), found.end()
        pos = found.end()


# Straight quote marks only: ``_quote_pairs`` pairs a mark that does not follow a
# letter or digit with the next mark on its line, at most 400 characters on, and
# goes on after the pair (or after the mark, when it has no partner). The check
# reports a pair of straight marks only when both ends of its non-blank inside are
# spaces. ``_STRAIGHT_SPACED`` walks the same way in one possessive pass (each step
# is what ``_quote_pairs`` does with one mark, in its order) and matches only where
# it reaches such a pair: an exact test, in C, that the check has something to say.
_SPACED_INSIDE = r'(?=\s)(?=\s*+[^\s"])(?=[^"\n]*+(?<=\s)")'
_STRAIGHT_SPACED = re.compile(
    r'(?:[^"]++'  # text up to the next mark
    r'|(?<=[^\W_])"'  # after a letter or digit (``str.isalnum``): no opener
    r'|"(?![^"\n]{0,399}+")'  # no partner on its line within reach
    r'|"(?!' + _SPACED_INSIDE + r')[^"\n]*+"'  # a pair not spaced inside
    r')*+"' + _SPACED_INSIDE
)


_CURLY = frozenset({"quotes", "quote_after_space"})  # “ ” « » (see non_ascii_marks)


def _may_have_bad_quotes(doc: Document, text: str) -> bool:
    """False only when ``malformed_quotes`` has nothing to report. Its quote marks
    are “ ” `` '' " „ « »: with TeX marks, or a curly quote or guillemet next to a
    space on its inner side (after „, “ closes as well), look. Otherwise only
    straight marks can make a pair spaced inside (“ and `` also close with "): with
    none, nothing to report; with “ ” « » too, look; else test, as if straight
    marks were the only ones (a „ then has no partner, and ``_quote_pairs`` passes
    over it)."""
    found = marks(doc)
    if "tex" in found or "quote_spaced" in found:
        return True
    if "quote_low" in found and "quote_after_space" in found:
        return True  # a “ after a space may close a „
    if '"' not in text:
        return False
    if not _CURLY.isdisjoint(found):
        return True
    return _STRAIGHT_SPACED.match(text) is not None


@register("MT403", "malformed-quotes", category="tokenization", severity="minor")
def malformed_quotes(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A quotation with spaces just inside its quote marks, or with TeX-style
    ``` `` ``` / ``''`` quote marks.

    Why: tokenizers split quote marks off the words and some emit Penn-Treebank
    quotes; the detokenized result (“ Taking on Russia '') looks broken in print.

    Bad: He accused Serbia of “ Taking on Russia '' in the war.
    Good: He accused Serbia of “Taking on Russia” in the war.
    """
    text = doc.text
    if not _may_have_bad_quotes(doc, text):
        return
    for o_start, o_end, opener, closer, c_start, c_end in _quote_pairs(text):
        inner = text[o_end:c_start]
        if not inner.strip():
            continue
        spaced_open = inner[:1].isspace()
        spaced_close = inner[-1:].isspace()
        tex = opener == "``" or closer == "''"
        if opener == '"' and closer == '"' and spaced_open != spaced_close:
            continue  # straight quotes: one-sided space is usually pairing noise
        if not (spaced_open or spaced_close or tex):
            continue
        curly = opener in {"“", "``"} or closer in {"”", "''"}
        left, right = ("“", "”") if curly else (opener, closer)
        what = "TeX-style quote marks" if tex else "spaces inside quote marks"
        yield Hit(
            o_start, c_end, f"Quotation with {what}", suggestion=f"{left}{inner.strip()}{right}"
        )


# The reference pattern is \b(\w+) (CLITIC)\b; the search looks for the rare
# " CLITIC" and takes the word characters before it: group 1 of the reference
# is the whole run of word characters before the space, unless that run began
# inside the previous match.
_CLITIC_TAIL = re.compile(r" ('s|’s|n't|n’t|'re|’re|'ve|’ve|'ll|’ll|'d|’d|'m|’m)\b")


def _contractions(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, word, clitic) of every match of the reference pattern."""
    last_end = 0
    for m in _CLITIC_TAIL.finditer(text):
        start = _word_start(text, m.start())
        if start == m.start() or start < last_end:
            continue
        last_end = m.end()
        yield start, m.end(), text[start : m.start()], m.group(1)


_NEG = re.compile(r"\b(\w+)(n't|n’t)")  # "do n't" is tokenized as "do" + "n't"


@register("MT404", "split-contraction", category="tokenization", severity="minor")
def split_contraction(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A possessive or contraction split from its word ("Russia 's", "do n't").

    Why: Penn-Treebank tokenization splits clitics; a detokenizer that misses them
    leaves "the president 's plan".

    Bad: The president 's plan does n't add up.
    Good: The president's plan doesn't add up.
    """
    if "MT404" not in marks(doc):
        return
    text = doc.text
    for start, end, word, clitic in _contractions(text):
        yield Hit(start, end, f"Clitic {clitic!r} split from its word", suggestion=word + clitic)


# Dotted abbreviations that are always written closed in English.
_DOTTED = re.compile(r"\b(U|E|D|A|P|I)\. ?(S|K|N|U|C|M|E)\.(?: ?(A|S|R)\.)?(?: ?(R)\.)?")
_CLOSED = {"U.S.", "U.K.", "U.N.", "E.U.", "U.S.A.", "U.S.S.R.", "D.C.", "A.M.", "P.M."}


@register("MT405", "spaced-abbreviation", category="tokenization", severity="minor")
def spaced_abbreviation(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A dotted abbreviation split by spaces ("U. S.", "U. N.").

    Why: a tokenizer that splits on periods leaves the letters apart; English
    writes U.S., U.K., U.N. closed. Personal initials ("J. K. Rowling") are
    left alone.

    Bad: The U. S. envoy met the U. N. chief.
    Good: The U.S. envoy met the U.N. chief.
    """
    if "MT405" not in marks(doc):
        return  # a reported match contains a space, so two of its letters stand as "X. Y."
    text = doc.text
    for m in _DOTTED.finditer(text):
        span = m.group()
        if " " not in span:
            continue
        closed = span.replace(" ", "")
        if closed.upper() not in _CLOSED:
            continue
        yield Hit(m.start(), m.end(), f"Abbreviation {closed} split by spaces", suggestion=closed)


_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
_SPLIT_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ \u00a0\u202f\u2009]\d{3})+)(?![\d,.]\d)")
_AFTER_MONTH = re.compile(_MONTHS + r"\.?\s*$")
# The prefilter (MT406 in ``marks``): a spaced thousands group has a digit, a space
# and three digits; a decimal comma has one or two digits after the comma, then no
# digit.
_DECIMAL_COMMA = re.compile(
    r"(?<![\d,.])(\d{1,3}),(\d{1,2})(?=\s*(?:%|per ?cent\b|million\b|billion\b|trillion\b|bn\b|km\b|kilometres\b|kilometers\b|degrees\b|euros?\b|dollars?\b|points\b))"
)


@register("MT406", "locale-number-format", category="tokenization", severity="minor")
def locale_number_format(doc: Document, ctx: Context) -> Iterator[Hit]:
    """A number in the source language's format: thousands split by spaces
    ("1 000"), or a decimal comma before a unit ("3,5 percent").

    Why: English writes 1,000 and 3.5; a decimal comma reads as a list and a
    spaced number reads as two numbers.

    Bad: Some 12 500 people attended and prices rose 3,5 percent.
    Good: Some 12,500 people attended and prices rose 3.5 percent.
    """
    if "MT406" not in marks(doc):
        return  # no digit before a spaced group of three digits or a decimal comma
    text = doc.text
    for m in _SPLIT_THOUSANDS.finditer(text):
        if _AFTER_MONTH.search(text, max(0, m.start() - 12), m.start()):
            continue  # "May 5 200 people" is a date followed by a count
        groups = re.split(r"[ \u00a0\u202f\u2009]", m.group())
        if len(groups) == 2 and groups[0] in {"19", "20"} and len(groups[1]) == 3:
            continue
        thin = any(c in m.group() for c in "\u00a0\u202f\u2009")
        yield Hit(
            m.start(),
            m.end(),
            "Thousands separated by spaces, not commas",
            suggestion=",".join(groups),
            confidence=0.9 if thin else 0.6,
        )
    for m in _DECIMAL_COMMA.finditer(text):
        yield Hit(
            m.start(),
            m.end(),
            "Decimal comma in English text",
            suggestion=f"{m.group(1)}.{m.group(2)}",
            confidence=0.8,
        )


_DOUBLE_SPACE = re.compile(r"(?<=[\w,;:)”\"'])( {2,}| ?\t+ ?)(?=[\w(“\"'])")
_SPACED_BRACKETS = re.compile(
    r"([(\[]) +([^()\[\]\n]{1,80}?) +([)\]])|([(\[]) +([^()\[\]\n]{1,80}?)([)\]])|([(\[])([^()\[\]\n]{1,80}?) +([)\]])"
)


@register("MT407", "irregular-spacing", category="tokenization", severity="minor")
def irregular_spacing(doc: Document, ctx: Context) -> Iterator[Hit]:
    """Two or more spaces between words, or spaces just inside brackets ("( FTIR )").

    Why: both come from joining tokens with spaces; typesetting keeps one space
    between words and none inside brackets.

    Bad: The test ( FTIR ) found  traces of melamine.
    Good: The test (FTIR) found traces of melamine.
    """
    if "MT407" not in marks(doc):
        return  # no double space, tab, or space inside a bracket
    text = doc.text
    double = "  " in text or "\t" in text  # what every _DOUBLE_SPACE match holds
    for m in _DOUBLE_SPACE.finditer(text) if double else ():
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not text[line_start : m.start()].strip():
            continue  # indentation
        yield Hit(m.start(), m.end(), "More than one space between words", suggestion=" ")
    # Every _SPACED_BRACKETS match has a space just inside one of its brackets.
    spaced = "( " in text or "[ " in text or " )" in text or " ]" in text
    for m in _SPACED_BRACKETS.finditer(text) if spaced else ():
        g = [x for x in m.groups() if x is not None]
        opener, inner, closer = g[0], g[1], g[-1]
        yield Hit(
            m.start(),
            m.end(),
            "Space just inside brackets",
            suggestion=f"{opener}{inner.strip()}{closer}",
        )
