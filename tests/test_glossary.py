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
    assert set(glossary.table(kind="institution")["id"]) == {"sms", "umis", "sbs", "iamas", "ssc",
                                                             "mia"}
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
