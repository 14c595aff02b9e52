"""Glossaries: plain CSV/TSV tables that users edit, validated with file:line.

Kinds of glossary (SPEC §4), each recognized by its header row:

- ``entities``: ``canonical,type,variants,note`` — people, places, organizations
  with correct diacritics; ``variants`` lists accepted spellings separated by ``|``;
- ``idioms``: ``idioms/<lang>.tsv`` — source-language idioms and their literal
  English renderings (calques);
- ``false_friends``: ``false_friends/<lang>.tsv`` — false friends and word-sense
  errors with the contexts where they are wrong;
- ``credits``: ``credits.tsv`` — news agencies and photo credits;
- ``terms``: ``term,preferred,forbidden,note`` — a project's own terminology;
- ``allowed``: ``word,type,note`` — words English frequency lists miss (Latin
  tags, loanwords, abbreviations) and the affixes of regular rare words.

The default set ships inside the package and is always on; ``-g FILE`` adds a
user's file (its kind taken from its header), which extends the defaults and
overrides rows with the same key. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mtaudit.scoring import file_hash

T = TypeVar("T")


class GlossaryError(ValueError):
    """A glossary file cannot be read or has a bad row."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Row:
    """One data row of a glossary file, with where it came from."""

    path: str
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "") or ""

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key) or default

    def split(self, key: str) -> list[str]:
        """A multi-valued cell (``a|b|c``) as a list, blanks dropped."""
        return [v.strip() for v in self[key].split("|") if v.strip()]

    @property
    def lang(self) -> str:
        """Source language: the ``lang`` column, else the file stem (``idioms/fr.tsv``)."""
        return (self.values.get("lang") or Path(self.path).stem).strip().lower()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


Validator = Callable[[Row], Iterable[str]]
KeyFn = Callable[[Row], str]


@dataclass(frozen=True)
class Kind:
    """A kind of glossary: its columns, where its default files live, its checks."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    defaults: tuple[str, ...] = ()  # glob patterns under the default glossary folder
    validate: Validator | None = None
    key: KeyFn | None = None  # rows with equal keys are duplicates / overrides
    description: str = ""
    validate_all: Callable[[list[Row]], Iterable[GlossaryError]] | None = None  # cross-row

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def default_dir() -> Path:
    """The glossaries shipped with mtaudit (inside the wheel, or the repo checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "glossaries", here.parent / "glossaries"):
        if candidate.is_dir():
            return candidate
    return here / "glossaries"


def _dialect(path: Path, first_line: str) -> str:
    if path.suffix.lower() == ".tsv" or "\t" in first_line:
        return "\t"
    return ","


def read_table(path: Path | str) -> tuple[list[str], list[Row]]:
    """Read a CSV/TSV glossary: header row, then rows; ``#`` lines are comments."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(str(path), None, f"cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise GlossaryError(str(path), bad_line, "not valid UTF-8") from None
    header: list[str] | None = None
    rows: list[Row] = []
    lines = text.splitlines()
    content = [
        (n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not content:
        raise GlossaryError(str(path), None, "no header row")
    delim = _dialect(path, content[0][1])
    for lineno, line in content:
        try:
            cells = next(csv.reader(io.StringIO(line), delimiter=delim))
        except csv.Error as exc:
            raise GlossaryError(str(path), lineno, f"malformed row: {exc}") from None
        cells = [c.strip() for c in cells]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(extra):
                raise GlossaryError(
                    str(path), lineno, f"{len(cells)} fields, header has {len(header)}"
                )
        values = dict(zip(header, cells, strict=False))
        rows.append(Row(str(path), lineno, values))
    assert header is not None
    return header, rows


def detect_kind(path: Path | str, header: Sequence[str]) -> Kind:
    cols = set(header)
    matches = [k for k in KINDS.values() if set(k.required) <= cols]
    if not matches:
        known = "; ".join(f"{k.name}: {','.join(k.required)}" for k in KINDS.values())
        raise GlossaryError(str(path), 1, f"unknown glossary header {','.join(header)!r} ({known})")
    # The most specific kind wins.
    return max(matches, key=lambda k: len(set(k.required) & cols))


def validate_file(path: Path | str) -> tuple[Kind, list[Row], list[GlossaryError]]:
    """All problems of one file: missing cells, bad values, duplicates."""
    header, rows = read_table(path)
    kind = detect_kind(path, header)
    problems: list[GlossaryError] = []
    seen: dict[str, Row] = {}
    for row in rows:
        for col in kind.required:
            if not row[col]:
                problems.append(GlossaryError(row.path, row.line, f"empty {col!r}"))
        if kind.validate:
            for msg in kind.validate(row):
                problems.append(GlossaryError(row.path, row.line, msg))
        if kind.key:
            key = kind.key(row)
            if key in seen:
                problems.append(
                    GlossaryError(
                        row.path, row.line, f"duplicate of line {seen[key].line}: {key!r}"
                    )
                )
            else:
                seen[key] = row
    if kind.validate_all:
        problems.extend(kind.validate_all(rows))
    return kind, rows, problems


@dataclass
class Glossaries:
    """The glossaries of one run: the defaults plus the user's ``-g`` files.

    Rows are read lazily per kind, and compiled structures (automata, patterns)
    are cached with :meth:`compiled`, so a run pays only for what its checks use.
    """

    extra: Sequence[str] = ()
    use_defaults: bool = True
    _rows: dict[str, list[Row]] = field(default_factory=dict, repr=False)
    _compiled: dict[str, Any] = field(default_factory=dict, repr=False)
    _user_kinds: dict[str, list[Path]] | None = field(default=None, repr=False)

    def default_files(self, kind: Kind) -> list[Path]:
        if not self.use_defaults:
            return []
        base = default_dir()
        files: list[Path] = []
        for pattern in kind.defaults:
            files.extend(sorted(base.glob(pattern)))
        return files

    def user_files(self) -> dict[str, list[Path]]:
        if self._user_kinds is None:
            kinds: dict[str, list[Path]] = {}
            for item in self.extra:
                path = Path(item)
                files = (
                    sorted(p for p in path.rglob("*") if p.suffix in {".csv", ".tsv"})
                    if path.is_dir()
                    else [path]
                )
                for file in files:
                    header, _ = read_table(file)
                    kinds.setdefault(detect_kind(file, header).name, []).append(file)
            self._user_kinds = kinds
        return self._user_kinds

    def files(self, kind_name: str) -> list[Path]:
        kind = KINDS[kind_name]
        return self.default_files(kind) + self.user_files().get(kind_name, [])

    def rows(self, kind_name: str) -> list[Row]:
        """Rows of one kind; a later file's row overrides an earlier one with its key."""
        if kind_name not in self._rows:
            kind = KINDS[kind_name]
            merged: dict[str, Row] = {}
            plain: list[Row] = []
            for file in self.files(kind_name):
                _, rows = read_table(file)
                for row in rows:
                    if any(not row[c] for c in kind.required):
                        continue  # `glossary validate` reports these
                    if kind.key:
                        merged[kind.key(row)] = row
                    else:
                        plain.append(row)
            self._rows[kind_name] = list(merged.values()) + plain
        return self._rows[kind_name]

    def compiled(self, key: str, build: Callable[[], T]) -> T:
        """Cache a structure built from rows (an automaton, a regex) for the run."""
        if key not in self._compiled:
            self._compiled[key] = build()
        value: T = self._compiled[key]
        return value

    def hashes(self) -> dict[str, str]:
        out = {}
        base = default_dir()
        for kind in KINDS.values():
            for file in self.files(kind.name):
                try:
                    name = str(file.relative_to(base))
                except ValueError:
                    name = str(file)
                out[name] = file_hash(file)
        return out


def _split_ok(row: Row, col: str) -> Iterable[str]:
    if "||" in row[col]:
        yield f"empty item in {col!r}"


ENTITY_TYPES = ("person", "place", "organization")


def _validate_entity(row: Row) -> Iterable[str]:
    if row["type"] and row["type"] not in ENTITY_TYPES:
        yield f"type must be one of {', '.join(ENTITY_TYPES)}, not {row['type']!r}"
    yield from _split_ok(row, "variants")
    if row["canonical"] in row.split("variants"):
        yield "a variant repeats the canonical form"


def _entity_conflicts(rows: list[Row]) -> Iterable[GlossaryError]:
    """A spelling that two different entities claim (a variant of one row is the
    canonical form or a variant of another), or canonical forms that differ only
    in case."""
    owner: dict[str, Row] = {}
    cased: dict[str, Row] = {}
    for row in rows:
        canonical = row["canonical"]
        if not canonical:
            continue
        folded = canonical.casefold()
        if folded in cased and cased[folded]["canonical"] != canonical:
            yield GlossaryError(
                row.path,
                row.line,
                f"{canonical!r} differs only in case from line {cased[folded].line}",
            )
        cased.setdefault(folded, row)
        for name in dict.fromkeys([canonical, *row.split("variants")]):
            other = owner.get(name)
            if other is not None and other["canonical"] != canonical:
                yield GlossaryError(
                    row.path,
                    row.line,
                    f"conflict: {name!r} also names {other['canonical']!r} (line {other.line})",
                )
            else:
                owner.setdefault(name, row)


def _validate_idiom(row: Row) -> Iterable[str]:
    """Each literal pattern compiles (see docs/idioms.md); suggestion slots exist."""
    from mtaudit.idiom_patterns import validate_cells

    yield from _split_ok(row, "literal")
    yield from validate_cells(row["literal"], row["suggestion"])


CREDIT_KINDS = (
    "agency",
    "photo",
    "photographer",
    "qualifier",
    "label",
    "caption-label",
    "cue",
    "exclude",
)


def _validate_credit(row: Row) -> Iterable[str]:
    if row["kind"] and row["kind"] not in CREDIT_KINDS:
        yield f"kind must be one of {', '.join(CREDIT_KINDS)}, not {row['kind']!r}"
    yield from _split_ok(row, "variants")


def _validate_terms(row: Row) -> Iterable[str]:
    if not row["preferred"] and not row["forbidden"]:
        yield "a term needs a preferred or a forbidden form"


register_kind(
    Kind(
        "entities",
        required=("canonical", "type"),
        optional=("variants", "note"),
        defaults=("entities/*.csv", "entities/*.tsv", "entities.csv"),
        validate=_validate_entity,
        validate_all=_entity_conflicts,
        key=lambda r: r["canonical"],
        description="people, places and organizations with their correct spelling",
    )
)
register_kind(
    Kind(
        "idioms",
        required=("source", "literal", "suggestion"),
        optional=("meaning", "unless", "lang", "note"),
        defaults=("idioms/*.tsv",),
        validate=_validate_idiom,
        key=lambda r: f"{r.lang}:{r['source']}:{r['literal']}",
        description="literal English calques of source-language idioms",
    )
)
register_kind(
    Kind(
        "false_friends",
        required=("source", "wrong", "suggestion"),
        optional=(
            "type",
            "context",
            "unless",
            "meaning",
            "confidence",
            "scope",
            "keyword",
            "lang",
            "note",
        ),
        defaults=("false_friends/[!_]*.tsv",),
        validate=lambda r: _validate_false_friend(r),
        key=lambda r: f"{r.lang}:{r['source']}:{r['wrong']}:{r['context']}",
        description="false friends and word-sense errors, with the contexts where they are wrong",
    )
)
register_kind(
    Kind(
        "false_friend_classes",
        required=("class", "members"),
        optional=("case", "note"),
        defaults=("false_friends/_classes.tsv",),
        validate=lambda r: _validate_false_friend_class(r),
        key=lambda r: r["class"],
        description="word classes ({OUTLET}, {DISPUTE}) used in false-friend patterns",
    )
)


def _validate_false_friend(row: Row) -> Iterable[str]:
    from mtaudit.checks.false_friends import row_problems  # compiles the row's patterns

    return row_problems(row)


def _validate_false_friend_class(row: Row) -> Iterable[str]:
    from mtaudit.checks.false_friends import class_problems

    return class_problems(row)
register_kind(
    Kind(
        "credits",
        required=("credit", "kind"),
        optional=("variants", "note"),
        defaults=("credits.tsv",),
        validate=_validate_credit,
        key=lambda r: r["credit"],
        description="news agencies and photo credits",
    )
)
register_kind(
    Kind(
        "terms",
        required=("term",),
        optional=("preferred", "forbidden", "note"),
        defaults=("terms/*.csv", "terms/*.tsv"),
        validate=_validate_terms,
        key=lambda r: r["term"].lower(),
        description="a project's preferred and forbidden terms",
    )
)
register_kind(
    Kind(
        "allowed",
        required=("word", "type"),
        optional=("note",),
        defaults=("allowed.tsv", "allowed/*.tsv"),
        key=lambda r: r["word"].lower(),
        description="words and phrases that are correct in English text although a "
        "frequency list does not know them: abbreviations, Latin tags, loanwords",
    )
)
