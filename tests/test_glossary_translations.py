"""The glossary in Azerbaijani and Russian: every term, with an honest source for its wording."""

from __future__ import annotations

import re

import pytest

from migdata import glossary

KIT = "kit translation, not checked against an official text"


def test_every_term_has_both_names_and_a_source():
    table = glossary.table()
    assert list(table.columns[:5]) == ["id", "name", "name_az", "name_ru", "translation_source"]
    assert set(glossary.translations()) == set(glossary.ids())
    for row in table.itertuples():
        assert row.name_az.strip() and row.name_ru.strip(), row.id
        assert row.translation_source.strip(), row.id
        # Azerbaijani in Latin script, Russian in Cyrillic
        assert not re.search("[А-Яа-я]", row.name_az), row.id
        assert re.search("[А-Яа-я]", row.name_ru), row.id


def test_no_source_is_claimed_without_a_stored_text():
    """A wording is either a kit translation or names the stored text it was seen in."""
    for term_id, names in glossary.translations().items():
        source = names["translation_source"]
        if KIT in source and "az:" not in source and "ru:" not in source:
            continue
        assert re.search(r"[a-z0-9_]+\.txt", source), (term_id, source)


@pytest.mark.parametrize(("term_id", "lang", "files"), [
    ("ssc", "az", ["azstat/ssc_series/stored_text/agora_az_table1.txt"]),
    ("sms", "az", ["az_sms/stored_text/news24az_2019_sms.txt"]),
    ("sms", "ru", ["azstat/ssc_series/stored_text/partial_year_press.txt"]),
    ("mia", "az", ["azstat/ssc_series/stored_text/partial_year_press.txt"]),
    ("mia", "ru", ["azstat/ssc_series/stored_text/partial_year_press.txt"]),
    ("net_migration", "az", ["azstat/ssc_series/stored_text/agora_az_table1.txt"]),
    ("census", "ru", ["azstat/ssc_series/stored_text/massa_18443_2022.txt"]),
])
def test_claimed_wording_is_in_the_stored_text(raw_dir, term_id, lang, files):
    """Each word of the name (its stem: inflection differs) is in the text the source names."""
    names = glossary.translations()[term_id]
    name = re.sub(r"\s*\([^)]*\)\s*$", "", names[f"name_{lang}"])  # drop the abbreviation
    for f in files:
        assert f.rsplit("/", 1)[1] in names["translation_source"]
        text = (raw_dir / "national_statistics" / f).read_text(encoding="utf-8").lower()
        for word in name.split():
            assert word[:5].lower() in text, (term_id, lang, word, f)


def test_show_can_display_the_translations():
    md = glossary.markdown("ssc", "census", languages=True)
    assert "Dövlət Statistika Komitəsi" in md and "Перепись населения" in md
    assert "Wording:" in md
    assert "Azərbaycanca" not in glossary.markdown("ssc")  # unchanged without languages
    shown = glossary.show("ssc", languages=True)
    assert "Госкомстат" in shown.data


def test_ssc_russian_name_is_the_official_one_and_the_press_variant_is_sourced(raw_dir):
    """Issue 21: the official Russian name, with the press variant only named as such."""
    names = glossary.translations()["ssc"]
    assert names["name_ru"].startswith("Государственный статистический комитет")
    source = names["translation_source"]
    assert "press variant" in source and "no official text" in source
    press = (raw_dir / "national_statistics/azstat/ssc_series/stored_text/meydan_2018.txt")
    assert "Государственного комитета по статистике" in press.read_text(encoding="utf-8")
    assert "Госкомстат" in press.read_text(encoding="utf-8")
    assert glossary.entry("ssc").name == "State Statistical Committee (SSC)"


def test_a_population_stock_is_say_never_ehtiyat():
    """'ehtiyat' is a reserve; a stock of people is 'sayı', as in the UN entry's 'miqrant sayı'."""
    table = glossary.table()
    assert not table["name_az"].str.contains("ehtiyat", case=False).any()
    for row in glossary.table(kind="stock").itertuples():
        assert "sayı" in row.name_az, row.id
    assert "miqrant sayı" in glossary.translations()["un_migrant_stock"]["name_az"]
    assert "miqrant sayı" in glossary.translations()["immigrant_stock"]["name_az"]


def test_no_hybrid_abbreviations_in_azerbaijani():
    """No Latin abbreviation with an Azerbaijani case ending, such as 'DESA-nın'."""
    for term_id, names in glossary.translations().items():
        assert not re.search(r"\b[A-Z]{3,}-n[ıiuü]n\b", names["name_az"]), term_id


def test_one_word_for_survey():
    names = glossary.translations()
    for term_id in ("household_survey", "migration_survey"):
        assert "müayinə" in names[term_id]["name_az"].lower(), term_id
        assert "sorğu" not in names[term_id]["name_az"].lower(), term_id
        assert "обследование" in names[term_id]["name_ru"].lower(), term_id


def test_net_migration_rate_as_the_statistics_say_it():
    names = glossary.translations()
    assert names["net_migration_rate"]["name_ru"] == "Коэффициент миграционного прироста"
    assert names["net_migration"]["name_ru"].startswith("Миграционный прирост")
    # the Azerbaijani rate uses the statistics' word for net migration
    assert names["net_migration_rate"]["name_az"].lower().startswith(
        names["net_migration"]["name_az"].split(" (")[0].lower())
    assert "xalis" not in names["net_migration_rate"]["name_az"].lower()


def test_idps_permanent_population_and_sakstat():
    names = glossary.translations()
    assert "ВПЛ" in names["idps"]["name_ru"]
    assert "вынужденный переселенец" in names["idps"]["translation_source"]
    assert "no stored Azerbaijani or Russian legal text" in names["idps"]["translation_source"]
    assert "daimi əhali" in names["usual_residence"]["translation_source"]
    assert "question" in names["usual_residence"]["translation_source"]
    assert "Сакстат" in names["rule_183_days"]["name_ru"]


def test_permanent_population_wording_is_in_the_stored_text(raw_dir):
    text = (raw_dir / "national_statistics/armstat/border_press/stored_text/"
            "population_press.txt").read_text(encoding="utf-8")
    assert "daimi əhali" in text
