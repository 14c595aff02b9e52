"""Configuration: defaults < pyproject ``[tool.mtaudit]`` < ``mtaudit.toml`` < CLI.

Both files are looked for upwards from the current directory; the first directory
holding either one is the project root. Example ``mtaudit.toml``::

    select = ["MT"]
    ignore = ["MT403"]
    glossaries = ["glossaries/house-terms.csv"]
    fail-on = "major"
    source-lang = "fr"

    [severity]            # per-category or per-code overrides
    tokenization = "minor"
    MT301 = "critical"

    [per-file-ignores]
    "docs/legal/*" = ["MT5"]

    [checks.MT102]        # per-rule options
    ascii-names = true
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from mtaudit.finding import Severity


class ConfigError(ValueError):
    """A configuration file or option is invalid."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    glossaries: tuple[str, ...] = ()
    fail_under: float | None = None
    fail_on: Severity | None = None
    fast: bool = False
    source_lang: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    source_field: str = "source"
    model: str | None = None
    jobs: int = 1
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    root: str | None = None

    def options(self, code: str) -> dict[str, Any]:
        """Options of one rule, from ``[checks.MTxxx]``."""
        return self.checks.get(code.upper(), {})

    def merged(self, **overrides: Any) -> Config:
        """A copy with the given (non-None) values replaced: the CLI layer."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **clean)


_FIELDS = {f.name for f in fields(Config)}


def _normalize(raw: dict[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _FIELDS or name == "root":
            raise ConfigError(f"{origin}: unknown option {key!r}")
        try:
            if name in {"select", "ignore", "glossaries"}:
                if isinstance(value, str):
                    value = [v for v in value.split(",") if v.strip()]
                out[name] = tuple(str(v).strip() for v in value)
            elif name == "fail_on":
                out[name] = Severity.parse(value)
            elif name == "fail_under":
                out[name] = float(value)
            elif name == "jobs":
                out[name] = int(value)
            elif name == "fast":
                out[name] = bool(value)
            elif name == "severity":
                out[name] = {str(k): Severity.parse(v) for k, v in dict(value).items()}
            elif name == "per_file_ignores":
                out[name] = {str(k): tuple(v) for k, v in dict(value).items()}
            elif name == "checks":
                out[name] = {
                    str(k).upper(): {o.replace("-", "_"): x for o, x in dict(v).items()}
                    for k, v in dict(value).items()
                }
            else:
                out[name] = value
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{origin}: bad value for {key!r}: {exc}") from None
    return out


def find_config_files(start: Path | None = None) -> list[Path]:
    """The config files of the nearest project directory, lowest priority first."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        found = []
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                data = {}
            if "mtaudit" in data.get("tool", {}):
                found.append(pyproject)
        if (folder / "mtaudit.toml").is_file():
            found.append(folder / "mtaudit.toml")
        if found:
            return found
    return []


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the configuration; ``path`` (``--config``) replaces the upward search."""
    files = [path] if path else find_config_files(start)
    values: dict[str, Any] = {}
    root = None
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: invalid TOML: {exc}") from None
        if file.name == "pyproject.toml":
            data = data.get("tool", {}).get("mtaudit", {})
        values.update(_normalize(data, str(file)))
        root = str(file.parent)
    # Glossary paths in a config file are relative to that file's folder.
    if root and "glossaries" in values:
        values["glossaries"] = tuple(
            str(Path(root, g)) if not Path(g).is_absolute() else g for g in values["glossaries"]
        )
    return Config(root=root, **values)
