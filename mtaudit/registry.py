"""The rule registry: every check declares its code, name, category and severity.

A check is a function ``check(doc, ctx) -> Iterable[Hit]`` decorated with
:func:`register`. Its docstring is the rule's documentation, in a fixed order::

    One line: what it finds.

    Why: why it matters to an editor.

    Bad: a text the check flags.
    Good: the same text corrected, which the check leaves alone.

``mtaudit explain`` and the README's rule table are generated from it, and the
test suite runs every Bad/Good pair.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtaudit.finding import CATEGORIES, Hit, Severity

if TYPE_CHECKING:
    from mtaudit.document import Document
    from mtaudit.engine import Context

CheckFn = Callable[["Document", "Context"], Iterable[Hit]]
PrepareFn = Callable[[Sequence["Document"], "Context"], None]

_CODE = re.compile(r"^MT\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    """A registered check and its documentation."""

    code: str
    name: str
    category: str
    severity: Severity
    func: CheckFn
    requires: tuple[str, ...] = ()
    prepare: PrepareFn | None = None
    supersedes: tuple[str, ...] = ()
    summary: str = ""
    why: str = ""
    bad: str = ""
    good: str = ""
    module: str = field(default="", compare=False)

    @property
    def needs_embeddings(self) -> bool:
        return "embeddings" in self.requires

    @property
    def requires_source(self) -> bool:
        return "source" in self.requires

    def explain(self) -> str:
        return (
            f"{self.code} {self.name} ({self.category}, default severity {self.severity.value})"
            f"\n\n{self.summary}\n\nWhy: {self.why}\n\nBad:  {self.bad}\nGood: {self.good}"
            + ("\n\nRequires: " + ", ".join(self.requires) if self.requires else "")
        )


_RULES: dict[str, Rule] = {}


def _parse_doc(doc: str) -> dict[str, str]:
    """Split a check docstring into summary / why / bad / good."""
    parts = {"summary": "", "why": "", "bad": "", "good": ""}
    key = "summary"
    lines: dict[str, list[str]] = {k: [] for k in parts}
    for raw in (doc or "").strip().splitlines():
        line = raw.strip()
        m = re.match(r"^(Why|Bad|Good):\s*(.*)$", line)
        if m:
            key = m.group(1).lower()
            line = m.group(2)
        lines[key].append(line)
    for k, v in lines.items():
        parts[k] = " ".join(x for x in v if x).strip()
    return parts


def register(
    code: str,
    name: str,
    *,
    category: str,
    severity: str | Severity = Severity.MINOR,
    requires: Sequence[str] = (),
    prepare: PrepareFn | None = None,
    supersedes: Sequence[str] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under ``code``.

    ``supersedes`` lists code prefixes whose findings this rule's findings replace
    where they overlap (a caption that echoes the lede is reported once, as a
    caption). ``requires`` names what the check needs: ``embeddings`` (skipped by
    ``--fast``) or ``source`` (runs only on documents with a source text).
    Several rules that share one analysis compute it once with ``doc.memo``.
    """

    if not _CODE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    if not _NAME.match(name):
        raise ValueError(f"rule name must be kebab-case: {name!r}")
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def decorate(func: CheckFn) -> CheckFn:
        doc = _parse_doc(func.__doc__ or "")
        rule = Rule(
            code=code,
            name=name,
            category=category,
            severity=Severity.parse(severity),
            func=func,
            requires=tuple(requires),
            prepare=prepare,
            supersedes=tuple(supersedes),
            module=func.__module__,
            **doc,
        )
        _add(rule)
        return func

    return decorate


def _add(rule: Rule) -> None:
    existing = _RULES.get(rule.code)
    if existing is not None and existing.func is not rule.func and existing.module != rule.module:
        raise ValueError(f"duplicate rule code {rule.code} ({existing.module}, {rule.module})")
    _RULES[rule.code] = rule


def load_checks() -> None:
    """Import every module under ``mtaudit.checks`` so their rules register."""
    import mtaudit.checks as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


def all_rules() -> list[Rule]:
    load_checks()
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(code: str) -> Rule:
    load_checks()
    try:
        return _RULES[code.upper()]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}") from None


def _validate_prefixes(prefixes: Iterable[str], known: Iterable[str]) -> list[str]:
    known = list(known)
    out = []
    for raw in prefixes:
        p = raw.strip().upper()
        if not p:
            continue
        if p == "ALL":
            out.append("MT")
            continue
        if not p.startswith("MT") or not any(c.startswith(p) for c in known):
            raise ValueError(f"unknown rule code or prefix {raw.strip()!r} (see `mtaudit rules`)")
        out.append(p)
    return out


def select_rules(
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    *,
    fast: bool = False,
    options: dict[str, Any] | None = None,
) -> list[Rule]:
    """Rules chosen by code prefixes, ruff-style: the longest matching prefix wins.

    ``fast`` leaves out rules that need the embedding model. Raises ``ValueError``
    for a code or prefix that matches no rule.
    """
    rules = all_rules()
    codes = [r.code for r in rules]
    sel = _validate_prefixes(select, codes) or ["MT"]
    ign = _validate_prefixes(ignore, codes)
    chosen = []
    for rule in rules:
        best_sel = max((len(p) for p in sel if rule.code.startswith(p)), default=-1)
        best_ign = max((len(p) for p in ign if rule.code.startswith(p)), default=-1)
        if best_sel < 0 or best_ign >= best_sel:
            continue
        if fast and rule.needs_embeddings:
            continue
        chosen.append(rule)
    return chosen
