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
    ("ssc", "ru", ["azstat/ssc_series/stored_text/meydan_2018.txt"]),
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
