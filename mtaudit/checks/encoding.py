"""Encoding damage (MT15x): mojibake, replacement characters, stray control and
invisible characters, and HTML entities left in plain text."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

from mtaudit.document import Document
from mtaudit.engine import Context
from mtaudit.finding import Hit
from mtaudit.mojibake import CONTINUATION, LEAD, find_mojibake
from mtaudit.registry import register

# -- the exact prefilter of non-ASCII marks ----------------------------------------
#
# What the encoding checks look for, and a few things the tokenization checks
# (MT403, MT406) look for, are non-ASCII characters in a given neighbourhood. One
# scan of a non-ASCII text finds which of them occur (an ASCII text has none): the
# scan skips, in C, to the next character of one class that holds every character
# it is about (the mojibake lead letters, the invisible characters, the curly
# quotes and guillemets, and everything from U+0660 on, where the first non-ASCII
# decimal digit is), and a few look-behinds tell which it is. Each mark names
# something a check needs, so a check that finds its mark missing has nothing to
# report:
#
# - MT150: a mojibake lead letter before a continuation character (the signature);
# - MT152: an invisible character (``_INVISIBLE``);
# - MT406: a non-ASCII digit in the shape of a spaced thousands group or of a
#   decimal comma (the tokenization pass covers the ASCII digits);
# - for MT403, curly quotes and guillemets: ``quote_spaced``, an opening one before
#   a space or a closing one after a space; ``quote_low``, „ (then “ closes too);
#   ``quote_after_space``, “ after a space; ``quotes``, any other one.
#
# A position of the text is one character, which is of one class only, except
# for the quotes, where the first of the quote marks above that applies is the
# one taken (MT403 reads them so: each implies that a curly quote is there).

_INVISIBLE_CHARS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)
_FIRST_NON_ASCII_DIGIT = "\u0660"  # ARABIC-INDIC DIGIT ZERO (a test checks the claim)
# The characters the scan stops at: the invisible ones, « », the mojibake leads and
# everything from U+0660 on. ``re`` tests a class of characters up to U+FFFF in
# one step and a class with U+10FFFF in it range by range, so the scan uses the
# complement of the rest (a test checks that the two are the same class).
_MARK_CHARS = f"{_INVISIBLE_CHARS}\u00ab\u00bb{LEAD}{_FIRST_NON_ASCII_DIGIT}-\U0010ffff"
_NOT_MARK_CHARS = "\t\n\r\x20-\x7e\xa0-\xaa\xac-\xba\xbc-\xc1\xf5-\u065f"
_NON_ASCII_MARKS = re.compile(
    f"[^{_NOT_MARK_CHARS}]"
    f"(?:(?<=[{LEAD}])(?=[{CONTINUATION}])(?P<mojibake>)"
    r"|(?<=[“„«])(?=\s)(?P<opening_spaced>)"
    r"|(?<=\s[”»])(?P<closing_spaced>)"
    r"|(?<=„)(?P<low_opening>)"
    r"|(?<=\s“)(?P<opening_after_space>)"
    r"|(?<=[“”«»])(?P<curly>)"
    f"|(?<=[{_INVISIBLE_CHARS}])(?P<invisible>)"
    r"|(?<=\d)(?=[ \u00a0\u202f\u2009]\d\d\d|,\d\d?(?!\d))(?P<number>))"
)
_MARK_OF_GROUP = {
    "mojibake": "MT150",
    "opening_spaced": "quote_spaced",
    "closing_spaced": "quote_spaced",
    "low_opening": "quote_low",
    "opening_after_space": "quote_after_space",
    "curly": "quotes",
    "invisible": "MT152",
    "number": "MT406",
}
_MARKS_KEY = "encoding.non_ascii_marks"
_NO_MARKS: frozenset[str] = frozenset()


def non_ascii_marks(doc: Document) -> frozenset[str]:
    """The marks of the document (see above); computed once per document."""
    cache = doc.cache
    marks: frozenset[str] | None = cache.get(_MARKS_KEY)
    if marks is None:
        text = doc.text
        if text.isascii():
            marks = _NO_MARKS
        else:
            marks = frozenset(
                _MARK_OF_GROUP[m.lastgroup or ""] for m in _NON_ASCII_MARKS.finditer(text)
            )
        cache[_MARKS_KEY] = marks
    return marks


# A garbled word is one finding: its fragments ("RÃ©publique" → "publique") are not
# also untranslated words or non-words.
_FRAGMENTS = ("MT5", "MT72")


@register("MT150", "mojibake", category="encoding", severity="major", supersedes=_FRAGMENTS)
def mojibake(doc: Document, ctx: Context) -> Iterator[Hit]:
    """UTF-8 text decoded with the wrong code page ("â€™", "cafÃ©", "ErdoÄŸan").

    Why: a feed that was decoded as Windows-1252 or Latin-1 prints every accented
    letter, curly quote and dash as two or three junk characters; names become
    unreadable. Correct accented text (Vučić, Łódź, São Paulo) is never flagged.

    Bad: The cafÃ© owner said the deal wasnâ€™t fair.
    Good: The café owner said the deal wasn’t fair.
    """
    if "MT150" not in non_ascii_marks(doc):
        return  # no signature (an ASCII text has none)
    for start, end, fixed in find_mojibake(doc.text):
        if fixed is None:
            message = "Mojibake: mis-decoded UTF-8, and some bytes were lost"
        else:
            message = f"Mojibake: mis-decoded UTF-8 (reads {fixed!r})"
        yield Hit(start, end, message, suggestion=fixed, confidence=0.95 if fixed else 0.8)


_REPLACEMENT = re.compile("\ufffd+")


@register(
    "MT151", "replacement-character", category="encoding", severity="major", supersedes=_FRAGMENTS
)
def replacement_character(doc: Document, ctx: Context) -> Iterator[Hit]:
    """The Unicode replacement character (U+FFFD, shown as �): a character was lost.

    Why: a decoder met bytes it could not read and replaced them; the original
    letter (often part of a name) is gone and must be restored by hand.

    Bad: Prime Minister Donald Tusk met Andrzej Dud� in Warsaw.
    Good: Prime Minister Donald Tusk met Andrzej Duda in Warsaw.
    """
    text = doc.text
    if "\ufffd" not in text:
        return
    for m in _REPLACEMENT.finditer(text):
        # Report the whole damaged word, which is what an editor fixes.
        start, end = m.start(), m.end()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "\ufffd"):
            start -= 1
        while end < len(text) and (text[end].isalnum() or text[end] == "\ufffd"):
            end += 1
        yield Hit(start, end, "Replacement character: a character was lost in decoding")


# C0/C1 controls other than tab/newline/CR, zero-width and bidi formatting marks
# mid-text, and a BOM after the start.
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]+")


@register("MT152", "invisible-character", category="encoding", severity="minor")
def invisible_character(doc: Document, ctx: Context) -> Iterator[Hit]:
    """Control characters, zero-width characters, stray byte-order marks, bidi
    overrides or lone surrogates inside the text.

    Why: they are invisible in review but break search, hyphenation and
    downstream systems, and often mark where text was spliced.

    Bad: The minister\u200b said the\x07 talks would resume.
    Good: The minister said the talks would resume.
    """
    text = doc.text
    if text.isascii():
        if text.replace("\n", "").isprintable():
            return  # every _INVISIBLE character is unprintable (Cc, Cf or Cs)
    elif "MT152" not in non_ascii_marks(doc):
        return
    for m in _INVISIBLE.finditer(text):
        chars = m.group()
        if chars == "\ufeff" and m.start() == 0:
            continue
        # Zero-width joiners are part of emoji and of Indic/Arabic script shaping.
        if chars in {"\u200d", "\u200c"} and _joins_script(text, m.start(), m.end()):
            continue
        names = ", ".join(sorted({_char_name(c) for c in chars}))
        yield Hit(m.start(), m.end(), f"Invisible character(s): {names}", suggestion="")


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control')}"


def _joins_script(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and after.isascii())


_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_MARKUP_SUFFIXES = (".html", ".htm", ".xml", ".xliff", ".xlf", ".svg")


@register("MT153", "html-entity", category="encoding", severity="minor")
def html_entity(doc: Document, ctx: Context) -> Iterator[Hit]:
    """An HTML/XML character entity left in plain text ("&quot;", "&apos;", "&#39;").

    Why: MT tokenizers (Moses) escape quotes and ampersands, and scrapers leave
    entities behind; readers of the story see the raw code.

    Bad: The minister called it a &quot;historic&quot; day for AT&amp;T.
    Good: The minister called it a “historic” day for AT&T.
    """
    if doc.path and doc.path.lower().endswith(_MARKUP_SUFFIXES):
        return  # entities are legitimate markup there
    if "&" not in doc.text:
        return
    for m in _ENTITY.finditer(doc.text):
        value = html.unescape(m.group())
        if value == m.group():
            continue  # not a real entity name
        yield Hit(m.start(), m.end(), f"HTML entity {m.group()} in plain text", suggestion=value)
