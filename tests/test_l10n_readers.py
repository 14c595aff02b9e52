"""PO and XLIFF readers (translate-toolkit) and source columns in CSV/JSONL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mtaudit.document import Document
from mtaudit.readers import InputError, ReadOptions, read_paths
from tests.helpers import engine_for

FIXTURES = Path(__file__).parent / "fixtures" / "l10n"


def _docs(name: str) -> list[Document]:
    return list(read_paths([str(FIXTURES / name)], ReadOptions()))


def test_po_units_become_documents_with_source() -> None:
    docs = {d.id: d for d in _docs("app.fr.po")}
    login = docs["Mot de passe oublié ?"]
    assert login.text == "Forgot your password?"
    assert login.source == "Mot de passe oublié ?"
    assert login.source_lang == "fr"  # from the X-Source-Language header
    assert login.meta["locations"] == ["src/login.py:12"]
    assert "cart\u0004Livraison gratuite dès 1 500 euros d'achat." in docs  # msgctxt kept


def test_po_skips_header_and_untranslated_keeps_fuzzy_and_plurals() -> None:
    docs = {d.id: d for d in _docs("app.fr.po")}
    assert "Chaîne non traduite" not in docs
    assert "" not in docs
    assert docs["Enregistrer les modifications"].meta["fuzzy"] is True
    assert docs["%d article[0]"].text == "%d item"
    assert docs["%d article[1]"].source == "%d articles"


def test_po_line_numbers_point_into_the_file() -> None:
    docs = {d.id: d for d in _docs("app.fr.po")}
    doc = docs["Les données sensibles sont chiffrées."]
    lines = (FIXTURES / "app.fr.po").read_text(encoding="utf-8").splitlines()
    line, _ = doc.position(0)
    assert "sensibles" in " ".join(lines[line - 2 : line + 1])


def test_xliff_units() -> None:
    docs = {d.id: d for d in _docs("report.de.xlf")}
    assert set(docs) == {"title", "revenue", "staff", "ceo", "mail"}  # no target: skipped
    assert docs["staff"].source == "Die Zahl der Beschäftigten sank auf 1.250."
    assert docs["staff"].text == "The number of employees fell to 1,520."
    assert docs["staff"].source_lang == "de"


def test_malformed_xliff_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlf"
    bad.write_text("<xliff><file><body><trans-unit", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_paths([str(bad)]))
    assert str(bad) in str(err.value)


def test_source_columns_in_csv_and_jsonl() -> None:
    csv_docs = _docs("pairs.csv")
    assert csv_docs[0].source and csv_docs[0].source.startswith("Le bilan")
    json_docs = _docs("pairs.jsonl")
    assert json_docs[0].id == "zh1" and json_docs[0].source and "2024年" in json_docs[0].source


def _codes(name: str) -> dict[str, set[str]]:
    engine = engine_for(("MT7", "MT8"))
    out: dict[str, set[str]] = {}
    for report in engine.run(_docs(name)):
        for f in report.findings:
            assert f.text == report.document.text[f.start : f.end]
        out[report.document.id] = {f.code for f in report.findings}
    return out


def test_checks_on_po_fixture() -> None:
    codes = _codes("app.fr.po")
    assert codes["Mot de passe oublié ?"] == set()
    assert "MT802" in codes["Votre abonnement expire le 12.05.2025."]
    assert "MT801" in codes["cart\u0004Livraison gratuite dès 1 500 euros d'achat."]
    assert "MT803" in codes["Contactez Zoé Lefèvre au service client."]
    assert "MT804" in codes["Paramètres avancés"]
    assert "MT701" in codes["Les données sensibles sont chiffrées."]
    assert not codes["%d article[0]"] and not codes["%d article[1]"]


def test_checks_on_xliff_fixture() -> None:
    codes = _codes("report.de.xlf")
    assert codes["revenue"] == set()  # 3,5 Prozent = 3.5 percent; 12,4 Millionen = 12.4 million
    assert codes["ceo"] == set()
    assert codes["staff"] == {"MT801"}
    assert "MT701" in codes["mail"]  # bekommen -> become


def test_checks_on_pairs() -> None:
    codes = _codes("pairs.csv")
    assert codes["1"] == set()
    assert codes["2"] == {"MT801"}
    assert codes["3"] == set()  # "3 mars" = March 3
    assert "MT804" in codes["4"]
    codes = _codes("pairs.jsonl")
    assert codes["zh1"] == set()
    assert {"MT801", "MT802", "MT805"} <= codes["zh2"]
    assert {"MT801", "MT805"} <= codes["zh3"]


def test_translate_toolkit_is_imported_lazily() -> None:
    code = (
        "import sys; from mtaudit.readers import read_paths, supported_suffixes; "
        f"list(read_paths([{str(FIXTURES / 'pairs.csv')!r}])); "
        "assert '.po' in supported_suffixes() and '.xlf' in supported_suffixes(); "
        "assert 'translate' not in sys.modules, 'translate-toolkit imported too early'; "
        f"list(read_paths([{str(FIXTURES / 'app.fr.po')!r}])); "
        "assert 'translate' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
