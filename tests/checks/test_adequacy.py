"""Source-aware checks (MT801-MT806): they compare the target with its source."""

from __future__ import annotations

from typing import Any

import pytest

from mtaudit.checks.adequacy import dominant_script, numbers, source_dates, target_dates
from mtaudit.document import Document
from mtaudit.finding import Finding
from tests.helpers import engine_for


def check(source: str | None, target: str, select: str = "MT8", **kw: Any) -> list[Finding]:
    engine = engine_for((select,), **kw)
    report = next(engine.run([Document(id="t", text=target, source=source)]))
    for f in report.findings:
        assert f.text == target[f.start : f.end]
    return report.findings


def codes(source: str | None, target: str, **kw: Any) -> list[str]:
    return [f.code for f in check(source, target, **kw)]


def test_without_a_source_nothing_runs() -> None:
    assert codes(None, "The toll rose to 1,520 dead.") == []


# -- MT801 numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Le bilan s'élève à 1 250 morts.", "The toll rose to 1,250 dead."),
        ("Die Zahl sank auf 1.250.", "The number fell to 1,250."),
        ("Les prix ont augmenté de 3,5 %.", "Prices rose 3.5%."),
        ("Le plan coûte 2,5 milliards d'euros.", "The plan costs 2.5 billion euros."),
        ("约3000万人受影响。", "About 30 million people were affected."),
        ("Il y avait 3 enfants et 12 adultes.", "There were three children and twelve adults."),
        ("La réunion commence à 14h30.", "The meeting starts at 2:30 p.m."),
        ("Le 3e jour, ils sont partis.", "On the third day, they left."),
        ("Kosztowało to 1 000 000 zł.", "It cost 1,000,000 zlotys."),
        ("COVID-19 a tué 500 personnes.", "COVID-19 killed 500 people."),
    ],
)
def test_numbers_that_agree(source: str, target: str) -> None:
    assert codes(source, target, select="MT801") == []


def test_changed_number_is_flagged_on_the_target_number() -> None:
    found = check("Le bilan s'élève à 1 250 morts.", "The toll rose to 1,520 dead.", "MT801")
    assert [(f.text, f.suggestion) for f in found] == [("1,520", "1,250")]


def test_missing_number_is_flagged_on_the_whole_target() -> None:
    found = check(
        "Plus de 4500 personnes ont été évacuées.", "Many people were evacuated.", "MT801"
    )
    assert len(found) == 1
    assert found[0].text == "Many people were evacuated."
    assert "4500" in found[0].message


def test_one_and_zero_are_not_demanded() -> None:
    assert codes("Il a 1 fils.", "He has a son.", select="MT801") == []


# -- MT802 dates ----------------------------------------------------------------------


def test_date_day_month_swapped() -> None:
    found = check(
        "Die Wahl findet am 12.05.2024 statt.", "The election is on December 5, 2024.", "MT802"
    )
    assert [f.text for f in found] == ["December 5, 2024"]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Die Wahl findet am 12.05.2024 statt.", "The election is on 12 May 2024."),
        ("会议于2024年5月12日举行。", "The meeting was held on May 12, 2024."),
        ("Le vote a eu lieu le 2024-03-01.", "The vote took place on March 1, 2024."),
        ("Die Wahl findet am 12.05.2024 statt.", "The election is next Sunday."),
    ],
)
def test_dates_that_agree_or_are_not_comparable(source: str, target: str) -> None:
    assert codes(source, target, select="MT802") == []


def test_date_parsers() -> None:
    (d,) = source_dates("le 12.05.2024.")
    assert (d.year, d.month, d.day) == (2024, 5, 12)
    assert {(t.month, t.day) for t in target_dates("on 5 May and June 3rd, 2024")} == {
        (5, 5),
        (6, 3),
    }


# -- MT803 names ----------------------------------------------------------------------


def test_name_lost_diacritics() -> None:
    found = check("Le président Vučić a démenti.", "President Vucic denied it.", "MT803")
    assert [(f.text, f.suggestion) for f in found] == [("Vucic", "Vučić")]


def test_name_missing() -> None:
    found = check(
        "Selon Kowalczyk, le projet est abandonné.",
        "According to him, the project is dropped.",
        "MT803",
    )
    assert len(found) == 1 and "Kowalczyk" in found[0].message


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Le président Vučić a démenti.", "President Vučić denied it."),
        ("Il est arrivé à Moscou hier.", "He arrived in Moscow yesterday."),  # exonym
        ("Spotkanie z Putinem odbyło się wczoraj.", "The meeting with Putin took place yesterday."),
        (
            "Die Bundesregierung hat das Gesetz gebilligt.",
            "The federal government approved the law.",
        ),
        ("Selon l'OTAN, la situation est grave.", "According to NATO, the situation is serious."),
        ("会议在北京举行。", "The meeting was held in Beijing."),  # not Latin-script
    ],
)
def test_names_that_are_fine(source: str, target: str) -> None:
    assert codes(source, target, select="MT803") == []


# -- MT804 identical --------------------------------------------------------------------


def test_identical_target() -> None:
    assert codes("Mot de passe oublié ?", "Mot de passe oublié ?", select="MT804") == ["MT804"]
    assert codes("Paramètres  avancés", "paramètres avancés", select="MT804") == ["MT804"]


@pytest.mark.parametrize("text", ["Google Maps", "OK", "%s", "API", "Novi Sad"])
def test_identical_names_and_codes_are_fine(text: str) -> None:
    assert codes(text, text, select="MT804") == []


def test_identical_english_source_is_fine() -> None:
    text = "The meeting was held in the capital yesterday."
    assert codes(text, text, select="MT804") == []


# -- MT805 / MT806 length ratio -----------------------------------------------------------


LONG_FR = (
    "Le gouvernement a annoncé mardi un plan de relance de cent milliards d'euros pour "
    "soutenir l'industrie et l'emploi dans les régions les plus touchées."
)


def test_omission_by_length() -> None:
    assert codes(LONG_FR, "The government announced a plan.", select="MT805") == ["MT805"]


def test_omission_in_chinese_uses_the_script_ratio() -> None:
    source = "受强降雨影响，当地政府已紧急转移安置群众三万余人，并启动防汛二级应急响应。"
    assert codes(source, "Affected by heavy rain.", select="MT805") == ["MT805"]
    full = (
        "Affected by heavy rainfall, the local government has urgently relocated more than "
        "30,000 people and launched a level-two emergency response for flood control."
    )
    assert codes(source, full, select="MT80") == []


def test_addition_by_length() -> None:
    source = "Le ministre a démissionné hier soir."
    target = "The minister resigned last night. " * 4
    assert codes(source, target.strip(), select="MT806") == ["MT806"]


def test_short_sources_are_not_judged_by_length() -> None:
    assert codes("Oui.", "Yes, of course, absolutely.", select="MT80") == []


def test_ratio_options() -> None:
    target = "On Tuesday the government announced a plan to support industry and jobs in regions."
    assert codes(LONG_FR, target, select="MT805") == []
    strict = {"checks": {"MT805": {"min_ratio": 0.9}}}
    assert codes(LONG_FR, target, select="MT805", **strict) == ["MT805"]


def test_scripts() -> None:
    assert dominant_script("Привет, мир") == "Cyrillic"
    assert dominant_script("東京に行きます") == "Kana"
    assert dominant_script("北京") == "Han"
    assert dominant_script("नेपाल") == "Devanagari"
    assert dominant_script("Zürich") == "Latin"


def test_number_parsing() -> None:
    assert [n.english for n in numbers("1 250 et 3,5 et 1.000.000")] == [
        "1,250",
        "3.5",
        "1,000,000",
    ]


# -- MT807 names of the target that the source lacks ------------------------------------


def test_replaced_name_is_flagged() -> None:
    found = check(
        "Selon Kowalczyk, le projet est abandonné.",
        "According to Paroubek, the project is dropped.",
        "MT807",
    )
    assert [f.text for f in found] == ["Paroubek"]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (
            "Selon Kowalczyk, le projet est abandonné.",
            "According to Kowalczyk, the project is dropped.",
        ),
        ("Uber jezdil v Brně.", "Uber drove in Brno."),  # inflected source form
        ("Путин приехал в Москву.", "Putin arrived in Moscow."),  # transliterated Cyrillic
        ("Il a servi la patrie.", "He served the Fatherland."),  # an English word, capitalized
        ("Spotkanie z Putinem odbyło się wczoraj.", "The meeting with Putin's aides took place."),
        ("会议在北京举行。", "The meeting was held in Zhongnanhai."),  # not transliterable
    ],
)
def test_names_with_a_counterpart(source: str, target: str) -> None:
    assert codes(source, target, select="MT807") == []
