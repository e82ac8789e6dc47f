"""Statements that the Unit 2.4 texts make about figures, checked against the bundled data.

The notebooks compute most statements; these are the ones written as plain text (Markdown, model
answers, the lecturer's note). If the data change, the text must change with them.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd

from migdata.datasets import load

ROOT = Path(__file__).resolve().parents[1]


def _text(stem: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return " ".join(" ".join(c.source for c in nb.cells).split())


def _model_answer(grade_id: str) -> str:
    path = ROOT / "assignments/source/unit24_net_migration/unit24_net_migration.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return " ".join("".join(next(c["source"] for c in cells
                                 if c["metadata"]["nbgrader"]["grade_id"] == grade_id)).split())


def _wpp_persons(country: str) -> pd.Series:
    wpp = load("wpp_net_migration", country=country, variant="estimates").set_index("year")
    return wpp["net_migration"] * 1000


def test_24a_opposite_signs_are_the_years_the_summary_names() -> None:
    ssc = load("azstat_migration", quality="secondary",
               measure="migration_increase_as_printed").set_index("year")["value"]
    wpp = _wpp_persons("AZE")
    years = [y for y in range(2014, 2024) if y in ssc.index and y in wpp.index]
    opposite = [y for y in years if (ssc[y] > 0) != (wpp[y] > 0)]
    assert opposite == [2017, 2018]
    close = [y for y in years if abs(ssc[y] - wpp[y]) < 100]
    assert close  # "in some years it is close to the UN model's figure"
    text = _text("24a_net_migration_rates")
    assert "in 2017 and 2018 the two have opposite signs" in text
    assert "often differs from the UN model in size and sign" not in text


def test_24b_revision_2024_is_lower_from_2015_not_from_2010() -> None:
    both = load("un_migrant_stock", origin=["ARM", "AZE", "GEO"], destination="RUS",
                sex="total", revision=[2019, 2024])
    rev = both.pivot_table(index=["origin", "year"], columns="revision", values="stock")
    for origin in ("ARM", "AZE", "GEO"):
        assert rev.loc[(origin, 2015), 2024] < 0.9 * rev.loc[(origin, 2015), 2019], origin
        series = rev[2024].loc[origin].dropna()
        assert series[2015] > series[2020] > series[2024], origin
    # Georgia-born in Russia, 2010: Revision 2024 is slightly HIGHER than Revision 2019.
    assert rev.loc[("GEO", 2010), 2024] > rev.loc[("GEO", 2010), 2019]
    text = _text("24b_emigration_destinations")
    assert "from 2010 its stocks in Russia are lower" not in text
    assert "from 2015 its stocks in Russia are much lower" in text
    assert "Nagorno-Karabakh recorded in Armenia (from 2020)" not in text


def test_24c_third_decade_revisions_disagree_on_the_direction() -> None:
    """Issue 21: Revision 2019 shows a rise for 2010-2019, Revision 2024 a fall for 2010-2020;
    the notebook reads the direction from the table instead of calling both "falls"."""
    stock = load("un_migrant_stock", origin=["ARM", "AZE", "GEO"], destination="RUS",
                 sex="total", revision=[2019, 2024]).pivot_table(
        index="origin", columns=["revision", "year"], values="stock")
    old = stock[(2019, 2019)] / stock[(2019, 2010)] - 1
    new = stock[(2024, 2020)] / stock[(2024, 2010)] - 1
    assert (old > 0).all() and (new < 0).all()
    text = _text("24c_emigration_to_russia_by_decade")
    assert "larger falls" not in text
    assert "def direction(changes)" in text and "disagree even on the direction" in text


def test_24d_permit_years_and_the_2019_disagreement() -> None:
    prp = load("az_sms", measure="permanent_residence_permits_issued")
    assert sorted(prp["period"]) == ["2013", "2015", "2018-01..06"]
    text = _text("24d_migrant_definition_azerbaijan")
    assert "only for 2013, 2015 and the first half of 2018" in text
    press = load("azstat_migration", year=2019, quality="press",
                 measure="departed_for_permanent_residence")["value"].tolist()
    agora = load("azstat_migration", year=2019, quality="secondary",
                 measure="departed_for_permanent_residence")["value"].tolist()
    assert press == [1654] and agora == [1600]
    assert "the two sources do not agree" in text
    assert "passes 15 days" in text and "Module 5" in text


def test_24e_statements_about_the_foreign_population() -> None:
    un = load("un_migrant_stock", destination="AZE", sex="total", revision=2024).pivot_table(
        index="origin", columns="year", values="stock")
    assert un[2024].idxmax() == "ARM"  # the largest group by birth
    sms = load("az_sms", measure="foreigners_living_in_country").set_index("partner_iso3")["value"]
    assert "ARM" not in sms.index  # ... has no SMS counterpart
    assert sms["RUS"] > un.loc["RUS", 2020]  # more Russian citizens than Russia-born
    text = _text("24e_nonformal_population_change_and_data_gaps")
    assert "born in Armenia) has no SMS counterpart" in text
    assert "the SMS counts more citizens of Russia than the UN counts people born in Russia" in text


def test_2023_statements_of_the_lecturers_note() -> None:
    aze, arm = _wpp_persons("AZE"), _wpp_persons("ARM")
    assert aze.loc[2014:2023].idxmin() == 2023 and round(aze[2023] / 1000) == -84
    assert arm[2023] > 0
    refugees = load("unhcr_population", asylum="ARM", origin="AZE", measure="refugees",
                    year=[2022, 2023]).set_index("year")["persons"]
    assert refugees[2023] > 2 * refugees[2022]
    pop = load("azstat_population", unit="persons", measure="population").dropna(subset=["value"])
    pop = pop.set_index("period")["value"]
    assert pop["2024-01-01"] > pop["2023-01-01 (recalculated on the 2019 census)"]
    note = (ROOT / "autograder/lecturer_notes/2023.md").read_text(encoding="utf-8")
    assert "the lowest value of its 2014-2023 series" in note
    assert "registered population" not in note  # the SSC's figure is not a register count
    assert "registers their" not in note and "registers their" not in _text(
        "24e_nonformal_population_change_and_data_gaps")


def test_unit24_model_answer_describes_the_rates_shown() -> None:
    wdi = load("wdi", country=["ARM", "AZE", "GEO"], year=list(range(2014, 2024)))
    net = wdi[wdi["indicator"] == "SM.POP.NETM"].pivot_table(
        index="year", columns="country", values="value")
    pop = wdi[wdi["indicator"] == "SP.POP.TOTL"].pivot_table(
        index="year", columns="country", values="value")
    rate = net / pop * 1000
    assert (rate.loc[2014:2021, ["ARM", "GEO"]] < 0).all().all()
    assert sorted(rate.index[rate["AZE"] < 0]) == [2017, 2018, 2023]
    assert (rate.loc[2022] > 0).all()
    assert round(rate.loc[2014, "GEO"], 1) == -4.3 and round(rate.loc[2021, "GEO"], 1) == -0.7
    assert round(rate.loc[2021, "ARM"], 1) == -6.6
    answer = _model_answer("a3_answer")
    assert "all three countries lost population" not in answer
    assert "Georgia from −4.3 in 2014 to −0.7 in 2020–2021" in answer
