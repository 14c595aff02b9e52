"""i18n resource files in JSON (also Flutter ``.arb``) and YAML (Rails, i18next,
Symfony): every string value is a document.

The document id is ``<file stem>:<key.path>`` (list items by index). Offsets
are into the value; ``line_base`` puts ``line`` on the value's line in the file,
and ``meta["_file_offset"]`` / ``meta["_col_base"]`` say where the value starts
in the file when it is written without escapes, so SARIF, GitHub annotations and
``mtaudit fix`` can point into (and edit) the file itself.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mtaudit.document import Document
from mtaudit.engine import IGNORE_FIELD
from mtaudit.readers import InputError, ReadOptions, decode, read_bytes, register_reader

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # public, untyped
# A value worth auditing has a letter in it ("%s", "{count}", "" are not prose).
_PROSE = re.compile(r"[^\W\d_]")


class _Lines:
    """Line numbers of offsets in one file, by bisection (files hold many values)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def index(self, offset: int) -> int:
        """0-based line of ``offset``."""
        return bisect.bisect_right(self.starts, offset) - 1


def _document(
    path: Path, keys: list[str], value: str, lines: _Lines, start: int, raw_equal: bool
) -> Document:
    line = lines.index(start)
    line_start = lines.starts[line]
    return Document(
        id=f"{path.stem}:{'.'.join(keys)}",
        text=value,
        path=str(path),
        line_base=line,
        meta={
            "key": ".".join(keys),
            "_file_offset": start if raw_equal else None,
            "_col_base": start - line_start,
        },
    )


class _JsonStrings:
    """A small recursive-descent walk over valid JSON that records where every
    string value sits in the file (the stdlib parser keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[tuple[list[str], str, int, int]] = []

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value(self, i: int, keys: list[str]) -> int:
        text = self.text
        i = self.ws(i)
        c = text[i]
        if c == "{":
            i = self.ws(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = scanstring(text, self.ws(i) + 1)
                i = self.ws(i) + 1  # the colon
                i = self.ws(self.value(i, [*keys, key]))
                if text[i] == "}":
                    return i + 1
                i += 1  # the comma
        if c == "[":
            i = self.ws(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = self.ws(self.value(i, [*keys, str(index)]))
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        if c == '"':
            value, end = scanstring(text, i + 1)
            self.found.append((keys, value, i + 1, end - 1))
            return end
        _, end = _DECODER.raw_decode(text, i)
        return end


def _wanted(keys: list[str], value: str) -> bool:
    # ARB metadata ("@greeting", "@@locale") describes strings; it is not one.
    return bool(_PROSE.search(value)) and not any(k.startswith("@") for k in keys)


@register_reader(".json", ".arb")
def read_json(path: Path, options: ReadOptions) -> Iterator[Document]:
    name = str(path)
    text = decode(read_bytes(path), name)
    if not text.strip():
        raise InputError(name, None, "empty file, nothing to audit")
    try:
        json.loads(text)
        walk = _JsonStrings(text)
        walk.value(0, [])
    except json.JSONDecodeError as exc:
        raise InputError(name, exc.lineno, f"malformed JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(name, None, "JSON nested too deeply") from None
    lines = _Lines(text)
    for keys, value, start, end in walk.found:
        if _wanted(keys, value):
            yield _document(path, keys, value, lines, start, text[start:end] == value)


@register_reader(".yaml", ".yml")
def read_yaml(path: Path, options: ReadOptions) -> Iterator[Document]:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a base dependency
        raise InputError(
            str(path), None, "reading YAML needs PyYAML (pip install pyyaml)"
        ) from None
    name = str(path)
    text = decode(read_bytes(path), name)
    if not text.strip():
        raise InputError(name, None, "empty file, nothing to audit")
    try:
        roots = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(name, line, f"malformed YAML: {problem}") from None
    seen: set[int] = set()
    lines = _Lines(text)
    for root in roots:
        if root is not None:
            yield from _yaml_node(path, text, lines, root, [], seen)


def _yaml_node(
    path: Path, text: str, lines: _Lines, node: Any, keys: list[str], seen: set[int]
) -> Iterator[Document]:
    import yaml

    if id(node) in seen:  # an alias of a node already read
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(getattr(key_node, "value", "?"))
            yield from _yaml_node(path, text, lines, value_node, [*keys, key], seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _yaml_node(path, text, lines, item, [*keys, str(index)], seen)
    elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        value = node.value
        if not _wanted(keys, value):
            return
        start, end = node.start_mark.index, node.end_mark.index
        raw = text[start:end]
        if node.style in ("|", ">"):
            # Block scalar: the text starts on the next line, indented.
            nl = text.find("\n", start)
            body = nl + 1 if nl >= 0 else start
            indent = len(text[body:]) - len(text[body:].lstrip(" "))
            doc = _document(path, keys, value, lines, body + indent, False)
        elif node.style in ('"', "'"):
            doc = _document(path, keys, value, lines, start + 1, raw[1:-1] == value)
        else:
            doc = _document(path, keys, value, lines, start, raw == value)
        codes = _comment_directive(text, lines, lines.index(start))
        if codes is not None:
            doc.meta[IGNORE_FIELD] = codes or "MT"
        yield doc


_YAML_DIRECTIVE = re.compile(r"#\s*mtaudit:\s*ignore\b[ \t]*((?:MT\d{1,3}[ \t,]*)*)", re.IGNORECASE)


def _comment_directive(text: str, lines: _Lines, line: int) -> str | None:
    """Codes of a ``# mtaudit: ignore MT401`` comment trailing the key's line or
    alone on the line above it; None when there is none."""

    def line_text(i: int) -> str:
        lo = lines.starts[i]
        hi = lines.starts[i + 1] if i + 1 < len(lines.starts) else len(text)
        return text[lo:hi]

    candidates = [line_text(line)]
    if line > 0 and line_text(line - 1).lstrip().startswith("#"):
        candidates.append(line_text(line - 1))
    for candidate in candidates:
        m = _YAML_DIRECTIVE.search(candidate)
        if m:
            return ",".join(re.findall(r"MT\d{1,3}", m.group(1), re.IGNORECASE))
    return None
