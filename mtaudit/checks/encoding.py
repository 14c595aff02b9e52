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
from mtaudit.mojibake import find_mojibake
from mtaudit.registry import register

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
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\ud800-\udfff]+"
)


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
    if text.replace("\n", "").isprintable():
        return  # every _INVISIBLE character is unprintable (Cc, Cf or Cs)
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
