"""The course glossary links notebook terms to the UN concepts and the course terms."""

from __future__ import annotations

import pytest

from migdata import glossary
from migdata.concepts import CONCEPTS
from migdata.errors import UnknownValueError


def test_glossary_holds_every_concept_and_course_term_once() -> None:
    ids = glossary.ids()
    assert len(ids) == len(set(ids))
    assert set(CONCEPTS) <= set(ids) and set(glossary.TERMS) <= set(ids)
    assert not set(CONCEPTS) & set(glossary.TERMS)  # one place for each definition


def test_entries_have_meaning_and_source() -> None:
    for term_id in glossary.ids():
        e = glossary.entry(term_id)
        assert e.id == term_id and e.name and len(e.summary) > 40 and e.source


def test_table_and_markdown() -> None:
    t = glossary.table(["census", "foreign_born"])
    assert t["id"].tolist() == ["census", "foreign_born"]
    assert set(glossary.table(kind="institution")["id"]) == {
        "sms", "umis", "sbs", "iamas", "ssc", "mia",
        # the other state bodies that the curriculum's Module 5 names (issue 9)
        "mfa", "mlspp", "scridp", "diaspora_committee",
    }
    text = glossary.markdown("sms", "immigration")
    assert "**State Migration Service (SMS)**" in text and "Source:" in text


def test_unknown_term_or_kind_lists_what_exists() -> None:
    with pytest.raises(UnknownValueError, match=r"unknown glossary term .migrnt.*census"):
        glossary.entry("migrnt")
    with pytest.raises(UnknownValueError, match="unknown glossary kind 'flows'"):
        glossary.table(kind="flows")


def test_course_terms_stay_out_of_the_un_concept_tables() -> None:
    # Unit 2.1 shows glossary.table(kind="flow" / "stock" / "temporary_mobility") as the UN lists;
    # a course term of one of those kinds (e.g. IDPs as a "stock") would appear there by mistake.
    un_lists = {"flow", "stock", "temporary_mobility"}
    assert un_lists <= {c.kind for c in CONCEPTS.values()}
    assert not {t.kind for t in glossary.TERMS.values()} & un_lists
    assert glossary.table(["idps"])["kind"].tolist() == ["population_group"]


# ---- issue 9: nothing false about Azerbaijan's institutions or the residence rules -----------


def test_geostat_rule_is_not_equated_with_the_kits_six_month_rule() -> None:
    text = glossary.entry("rule_183_days").summary
    assert "added up over all trips" in text and "one continuous stay" in text
    assert "It is the 'most of the last 12 months' option" not in text
    assert "2020 Censuses" not in glossary.entry("rule_183_days").source


def test_ssc_nuance_follows_module_2() -> None:
    ssc = glossary.entry("ssc").summary
    assert "in general" in ssc and "Ministry of Internal Affairs and the SMS" in ssc
    for term in glossary.TERMS.values():
        assert "non-nationals only" not in term.summary, term.id
        assert "does not cover nationals" not in term.summary, term.id


def test_sms_records_citizenship_matters_of_citizens() -> None:
    for term_id in ("sms", "umis"):
        text = glossary.entry(term_id).summary
        assert "citizens of Azerbaijan" in text
        for matter in ("acquisition", "restoration", "determination", "loss", "dual citizenship"):
            assert matter in text, (term_id, matter)
    assert "citizenship matters for foreigners" not in glossary.entry("sms").summary


def test_mia_registration_role_is_credited_to_module_5_not_module_2() -> None:
    mia = glossary.entry("mia")
    assert "Module 5" in mia.source and "press" in mia.source
    assert "Module 2" in mia.summary and "Module 5" in mia.summary
    assert glossary.entry("stay_registration").source.count("Migration Code") == 1
    assert "15 days" in glossary.entry("stay_registration").summary
    for term_id in ("mfa", "mlspp", "scridp", "diaspora_committee"):
        assert "Module 5" in glossary.entry(term_id).source


def test_immigrant_stock_has_one_meaning() -> None:
    # the concepts engine's immigrant stock (international migrants resident) keeps the name;
    # UN DESA's estimate (foreign-born or foreign citizens, plus refugees) has its own name
    named = [i for i in glossary.ids() if "immigrant stock" in glossary.entry(i).name.lower()]
    assert named == ["immigrant_stock"]
    un = glossary.entry("un_migrant_stock")
    assert "refugees" in un.summary and "immigrant stock" not in un.name.lower()
    assert "refugee" not in CONCEPTS["immigrant_stock"].summary.split(";")[0]
