"""Mojibake: UTF-8 text decoded as Windows-1252 or Latin-1 ("VuÄiÄ‡", "â€™").

Shared by the encoding checks (MT15x) and the name checks (MT1xx). Detection
looks for the byte signature of a UTF-8 lead byte shown as a Latin-1/cp1252
letter followed by continuation bytes shown as cp1252 punctuation or C1 controls
— a sequence correct text almost never contains — and confirms with ftfy. Repair
uses ftfy, then a strict cp1252/Latin-1 round trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

# Lead bytes 0xC2-0xF4 as Latin-1/cp1252 characters, then 1-3 continuation bytes
# (0x80-0xBF) as cp1252 characters (€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ and U+00A0-U+00BF)
# or C1 controls (Latin-1).
LEAD = "\u00c2-\u00f4"
CONTINUATION = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_SIGNATURE = re.compile(f"[{LEAD}][{CONTINUATION}]{{1,3}}")
# Lead-byte characters that survive a partial repair when a byte was lost.
_LEFTOVER = re.compile("[\u00c3\u00c4\u00c5\u00d0\u00d1\u00e2]")
_TOKEN = re.compile(r"\S+")
_EDGE = ".,;:!?()[]{}\"'"


def looks_like_mojibake(text: str) -> bool:
    """True when ``text`` carries the byte signature of mis-decoded UTF-8."""
    match = None if text.isascii() else _SIGNATURE.search(text)
    if not match:
        return False
    # "Â£5" and "Ã©" are signatures; a lone "Â " (NBSP shown) counts too, but a
    # correct "Ô…" (an ellipsis after a capital O-circumflex) would be a fluke.
    return _confirmed(match.group())


@lru_cache(maxsize=4096)
def _confirmed(seq: str) -> bool:
    for codec in ("windows-1252", "latin-1"):
        try:
            raw = _encode(seq, codec)
        except UnicodeEncodeError:
            continue
        try:
            raw.decode("utf-8")
            return True
        except UnicodeDecodeError as exc:
            # A sequence cut short (a byte lost in transit) still counts when the
            # lead byte and at least one continuation byte agree.
            if exc.start > 0 or exc.reason == "unexpected end of data":
                return True
    return False


def _encode(text: str, codec: str) -> bytes:
    if codec == "windows-1252":
        # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined; decoders pass them
        # through as C1 controls, so map those back to their bytes.
        return b"".join(
            bytes([ord(ch)]) if 0x80 <= ord(ch) <= 0x9F else ch.encode("windows-1252")
            for ch in text
        )
    return text.encode(codec)


@lru_cache(maxsize=4096)
def repair(text: str) -> str | None:
    """The text with its mojibake undone, or None when it cannot be repaired
    with confidence (bytes were lost, or nothing is wrong)."""
    import ftfy

    candidates = [ftfy.fix_encoding(text)]
    for codec in ("windows-1252", "latin-1"):
        try:
            candidates.append(_encode(text, codec).decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    for fixed in candidates:
        if fixed == text or "\ufffd" in fixed or _SIGNATURE.search(fixed):
            continue
        if _LEFTOVER.search(fixed) and _LEFTOVER.search(text):
            continue  # a partial repair: some bytes were lost on the way
        return fixed
    return None


def _signature_tokens(text: str) -> Iterator[tuple[int, int]]:
    """The whitespace-delimited tokens, in order, that hold the start of a
    signature match of the whole text: a superset of the tokens whose own
    search finds a signature. (A token's signature starts with a lead
    character, which is never whitespace nor a continuation character, so no
    earlier match of the whole text can swallow it, and from there the text
    matches at least what the token does.)"""
    end = -1
    for m in _SIGNATURE.finditer(text):
        if m.start() < end:
            continue  # in the token just given
        start = m.start()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        token = _TOKEN.match(text, start)
        if token is None:  # not reached: the lead character is not whitespace
            continue
        end = token.end()
        yield start, end


def find_mojibake(text: str) -> Iterator[tuple[int, int, str | None]]:
    """Spans of whitespace-delimited tokens that contain mojibake, with the repair
    (or None). Surrounding ASCII punctuation is kept out of the span."""
    if text.isascii() or not _SIGNATURE.search(text):  # the signature is not ASCII
        return
    runs: list[list[int]] = []
    for start, end in _signature_tokens(text):
        if not looks_like_mojibake(text[start:end]):
            continue
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        # Adjacent garbled words form one span.
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1][1] = end
        else:
            runs.append([start, end])
    for start, end in runs:
        yield start, end, repair(text[start:end])
