"""Issue 9 corrections of the Unit 2.4 notebooks and assignment that a test can hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from migdata.datasets import describe, load

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"


def _text(stem: str, kind: str | None = None) -> str:
    nb = nbformat.read(NB / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if kind is None or c.cell_type == kind)


def test_24a_puts_the_ssc_series_beside_wpp_and_says_why_they_differ() -> None:
    text = _text("24a_net_migration_rates")
    assert 'datasets.load("azstat_migration"' in text
    assert "Why the two differ" in text and "demographic model" in text
    assert 'datasets.load("armstat_registered_migration"' in text


def test_24b_names_the_2015_2019_artefact_and_rewards_no_reading_of_it() -> None:
    text = _text("24b_emigration_destinations")
    assert "result of the UN's method of estimation, not a finding about emigrants" in text
    assert "revision=2024" in text and "revision=[2019, 2024]" in text
    # The only question about the 2015-2019 changes expects the artefact as its answer.
    assert '"a result of the UN estimation"' in text
    assert "change.xs(" not in text  # the old question that counted the 'falls' is gone


def test_the_2015_2019_changes_are_identical_within_destination_in_the_data() -> None:
    """The fact 24b teaches: Rev.2019 gives every origin the same 2015-2019 change in Russia."""
    stock = load("un_migrant_stock", origin=["ARM", "AZE", "GEO"], destination="RUS",
                 year=[2015, 2019], sex="total").pivot(index="origin", columns="year",
                                                       values="stock")
    change = stock[2019] / stock[2015] - 1
    assert change.max() - change.min() < 5e-6


def test_24c_uses_rev2024_decades_and_says_naturalisation_removes_nobody() -> None:
    text = _text("24c_emigration_to_russia_by_decade")
    assert "PERIODS = [(1990, 2000), (2000, 2010), (2010, 2020)]" in text
    assert "revision=2024" in text
    assert "citizenship removes nobody" in " ".join(text.split())
    assert "took Russian citizenship later" not in text


def test_24d_shows_2018_2022_sms_permits_and_the_missing_years() -> None:
    text = _text("24d_migrant_definition_azerbaijan")
    assert "LAST_5 = list(range(2018, 2023))" in text
    assert 'datasets.load("az_sms"' in text
    assert "missing_years" in text
    assert "in general" in text.lower()
    assert "cover **non-nationals**" not in text


def test_24e_population_foreign_stock_repeated_values_and_the_2023_note() -> None:
    text = _text("24e_nonformal_population_change_and_data_gaps")
    assert 'datasets.load("azstat_population"' in text
    assert 'datasets.load("az_sms", measure="foreigners_living_in_country")' in text
    assert "revision=2024" in text
    assert "## Lecturer's note: the year 2023" in text
    assert "repeated the value of the previous year" not in text
    assert (ROOT / "autograder" / "lecturer_notes" / "2023.md").is_file()


def test_wpp_repeats_azerbaijans_value_in_years_that_are_not_consecutive() -> None:
    """The fact 24e's explanation rests on: a repeated value is not always the previous year's."""
    wpp = load("wpp_net_migration", country="AZE", variant="estimates").set_index("year")
    values = wpp.loc[2010:, "net_migration"]
    repeated = values[values.duplicated(keep=False)]
    assert len(repeated) >= 3
    assert any(values.get(y - 1) != values[y] for y in repeated.index)


@pytest.mark.parametrize("cell_id", ["r2_text", "r2_answer"])
def test_unit24_never_requires_that_the_ssc_excludes_nationals(cell_id: str) -> None:
    path = ROOT / "assignments/source/unit24_net_migration/unit24_net_migration.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells
                if c["metadata"]["nbgrader"]["grade_id"] == cell_id)
    assert not re.search(r"cover(s)? only non-nationals|does not cover nationals", text)
    assert "in general" in text


def test_press_caveat_follows_the_curriculum() -> None:
    caveats = " ".join(describe("press_figures")["caveats"])
    assert "'in general'" in caveats and "non-nationals only" not in caveats
