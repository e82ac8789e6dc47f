"""CONCEPTS: ids, kinds, own-words summaries with UN sources; the package imports lightly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from migdata.concepts import (
    CATEGORY_CONCEPTS,
    CONCEPTS,
    FLOW_CATEGORIES,
    KINDS,
    STOCK_CATEGORIES,
    TEMPORARY_CATEGORIES,
    Concept,
)

EXPECTED = {
    "flow": {
        "international_migrant",
        "immigration",
        "emigration",
        "returning_citizens",
        "returning_native_born",
        "long_term_migrant",
        "short_term_migrant",
    },
    "stock": {
        "foreign_born",
        "native_born",
        "foreign_citizens",
        "national_citizens",
        "immigrant_stock",
        "emigrant_stock",
        "returned_migrants",
        "returned_native_born_migrants",
    },
    "temporary_mobility": set(TEMPORARY_CATEGORIES),
    "usual_residence_rule": {"usual_residence", "rule_12_months", "rule_6_months"},
}
CURRICULUM = Path(__file__).resolve().parents[2] / "shared" / "curriculum" / "module2.txt"


def test_every_required_concept_with_its_kind() -> None:
    for kind, ids in EXPECTED.items():
        assert {c.id for c in CONCEPTS.values() if c.kind == kind} == ids
    assert set(KINDS) == set(EXPECTED)


def test_concepts_are_well_formed() -> None:
    for key, concept in CONCEPTS.items():
        assert isinstance(concept, Concept)
        assert concept.id == key
        assert concept.name and concept.name[0].isupper()
        assert len(concept.summary) > 40
        assert re.search(r"\b(UN|UNECE|UN DESA)\b", concept.source), key
        assert re.search(r"\b(19|20)\d\d\b", concept.source), key


def test_sources_cover_the_three_un_documents() -> None:
    sources = " ".join(c.source for c in CONCEPTS.values())
    assert "Recommendations on Statistics of International Migration, Revision 1 (1998)" in sources
    assert (
        "Conceptual Frameworks and Concepts and Definitions on International Migration" in sources
    )
    assert "2020 Censuses" in sources
    assert "365 days" in CONCEPTS["rule_12_months"].summary
    assert "183 days" in CONCEPTS["rule_6_months"].summary


def test_six_month_option_is_credited_to_the_un_census_principles_not_to_ces_2020() -> None:
    # Issue 9: the option of most of the last 12 months (six months and a day) is in UN DESA's
    # Principles and Recommendations for Population and Housing Censuses, Rev. 3; the CES 2020
    # recommendations use the 12-month criterion and must not be cited for it.
    six = CONCEPTS["rule_6_months"]
    assert "Principles and Recommendations for Population and Housing Censuses, Revision 3" in (
        six.source)
    assert "2020 Censuses" not in six.source and "CES" not in six.source
    assert "2020 Censuses" in CONCEPTS["rule_12_months"].source


def test_rules_are_described_as_the_code_applies_them() -> None:
    # one continuous stay, judged by its actual length or (if ongoing) its intended duration
    from migdata.concepts import RULES

    for rule_id, rule in (("rule_12_months", "12_months"), ("rule_6_months", "6_months")):
        summary = CONCEPTS[rule_id].summary
        assert "one continuous stay" in summary and "still going on" in summary
        assert f"{RULES[rule]} days" in summary
        assert "at a date" not in summary and "half of the last" not in summary
    assert "not added up" in CONCEPTS["rule_6_months"].summary


def test_long_and_short_term_migrants_of_1998() -> None:
    long_term, short_term = CONCEPTS["long_term_migrant"], CONCEPTS["short_term_migrant"]
    for concept in (long_term, short_term):
        assert "Revision 1 (1998)" in concept.source and "Part One" in concept.source
    assert "at least a year (12 months)" in long_term.summary
    assert "three months or more, but for less than a year" in short_term.summary
    for excluded in ("holidays", "business", "medical treatment"):
        assert excluded in short_term.summary


KIND_OF_OUTPUT = {"stocks": "stock", "flows": "flow", "mobility": "temporary_mobility"}


def test_every_output_label_maps_to_one_concept() -> None:
    import datetime as dt

    from migdata.concepts import Person, Stay, flows, mobility, stocks

    someone = [Person("AZE", {"AZE"}, [Stay("AZE", dt.date(2000, 1, 1))])]
    outputs = {
        "stocks": stocks(someone, "AZE", "2020-01-01"),
        "flows": flows(someone, "AZE", 2020),
        "mobility": mobility(someone, "AZE", 2020),
    }
    labels = [label for out in outputs.values() for label in out.index]
    assert set(CATEGORY_CONCEPTS) == set(labels)
    assert {*STOCK_CATEGORIES, *FLOW_CATEGORIES, *TEMPORARY_CATEGORIES} < set(labels)
    for name, out in outputs.items():
        for label in out.index:
            concept = CONCEPTS[CATEGORY_CONCEPTS[label]]
            kind = "usual_residence_rule" if label == "usual_residents" else KIND_OF_OUTPUT[name]
            assert concept.kind == kind, (label, concept.id)
    # the per-person label differs from the concept id only in number (one person vs the group)
    assert CATEGORY_CONCEPTS["returning_citizen"] == "returning_citizens"
    assert CATEGORY_CONCEPTS["national_citizen"] == "national_citizens"
    # the stock label "international_migrant" is the immigrant stock, not the flow concept
    assert CATEGORY_CONCEPTS["international_migrant"] == "immigrant_stock"
    assert CONCEPTS["international_migrant"].kind == "flow"


def test_summaries_are_not_copied_from_the_curriculum() -> None:
    if not CURRICULUM.is_file():
        pytest.skip(f"curriculum text not present: {CURRICULUM}")
    words = re.findall(r"[a-z]+", CURRICULUM.read_text(encoding="utf-8").lower())
    n = 5  # no run of five words in a row may come from the curriculum
    shingles = {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
    for concept in CONCEPTS.values():
        mine = re.findall(r"[a-z]+", concept.summary.lower())
        copied = [" ".join(mine[i : i + n]) for i in range(len(mine) - n + 1)]
        assert not [s for s in copied if s in shingles], concept.id


def test_import_is_light() -> None:
    code = (
        "import sys, migdata.concepts as c; c.CONCEPTS; "
        "p = c.Person('AZE', {'AZE'}, [c.Stay('AZE', '2000-01-01')]); "
        "assert c.stock_categories(p, 'AZE', '2001-01-01'); c.flow_events(p, 'AZE', 2001); "
        "print(','.join(m for m in ('numpy', 'pandas', 'matplotlib', 'plotly', 'requests') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""  # the per-person rules need none of the heavy libraries
