"""Localization files: gettext PO and XLIFF (1.2 and 2.0), via translate-toolkit.

One Document per translated unit: the target is the text audited, the source
goes to ``doc.source`` (so the source-aware MT8xx checks run), the id is the
unit's msgctxt/msgid (PO) or unit id (XLIFF). Plural forms become one document
each (``id[1]``). Untranslated and obsolete units and the PO header are
skipped; fuzzy units are kept and marked in ``meta``. translate-toolkit is
imported here only, when such a file is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mtaudit.document import Document
from mtaudit.readers import InputError, ReadOptions, read_bytes, register_reader


def _strings(value: Any) -> list[str]:
    """A unit's source/target as a list (a multistring holds plural forms)."""
    if value is None:
        return []
    strings = getattr(value, "strings", None)
    if strings:
        return [str(s) for s in strings]
    return [str(value)]


def _lang(code: str | None) -> str | None:
    if not code:
        return None
    return code.replace("_", "-").split("-")[0].lower() or None


def _parse(path: Path, data: bytes) -> Any:
    try:
        if path.suffix.lower() == ".po":
            from translate.storage import pypo

            return pypo.pofile.parsestring(data)
        from translate.storage import factory

        return factory.getobject(str(path))
    except ImportError:
        raise InputError(
            str(path), None, "reading PO/XLIFF needs translate-toolkit: pip install 'mtaudit[l10n]'"
        ) from None
    except Exception as exc:  # the toolkit raises many kinds for malformed files
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            str(path), None, f"malformed {path.suffix[1:].upper()} file: {detail}"
        ) from None


def _unit_id(unit: Any, index: int) -> str:
    if hasattr(unit, "getcontext") and hasattr(unit, "msgidcomment"):  # PO
        ctx = unit.getcontext() or ""
        source = _strings(unit.source)
        ident = (source[0] if source else "") or str(index)
        return f"{ctx}\u0004{ident}" if ctx else ident
    return str(unit.getid() or index).split("\u0004")[-1]


@register_reader(".po", ".pot", ".xliff", ".xlf")
def read_l10n(path: Path, options: ReadOptions) -> Iterator[Document]:
    name = str(path)
    store = _parse(path, read_bytes(path))
    src_lang = _lang(store.getsourcelanguage() if hasattr(store, "getsourcelanguage") else None)
    tgt_lang = _lang(store.gettargetlanguage() if hasattr(store, "gettargetlanguage") else None)
    if path.suffix.lower() in (".po", ".pot"):
        header = store.parseheader() if hasattr(store, "parseheader") else {}
        src_lang = _lang(header.get("X-Source-Language")) or (
            None if src_lang in (None, "en") else src_lang
        )
    for index, unit in enumerate(store.units, 1):
        if unit.isheader() or unit.isobsolete() or not unit.istranslatable():
            continue
        targets = _strings(unit.target)
        if not any(t.strip() for t in targets):
            continue
        sources = _strings(unit.source)
        unit_id = _unit_id(unit, index)
        line = getattr(unit, "line_number", None) or 0
        meta: dict[str, Any] = {"unit": index, "fuzzy": bool(unit.isfuzzy())}
        if tgt_lang:
            meta["target_lang"] = tgt_lang
        locations = unit.getlocations() if hasattr(unit, "getlocations") else []
        if locations:
            meta["locations"] = list(locations)
        for n, target in enumerate(targets):
            if not target.strip():
                continue
            source = sources[min(n, len(sources) - 1)] if sources else None
            yield Document(
                id=unit_id if len(targets) == 1 else f"{unit_id}[{n}]",
                text=target,
                path=name,
                source=source or None,
                source_lang=src_lang,
                line_base=max(0, int(line) - 1) if line else 0,
                meta=meta,
            )
