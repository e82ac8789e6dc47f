"""The national figures (SSC, SMS, Armenia's border press) checked against the stored excerpts.

These checks do not use the extraction scripts of the raw folders: every curated figure is looked
up in the verbatim excerpts (``stored_text/``) that the raw folders keep, and the figures are
checked against each other (arrivals - departures = the printed balance, population changes that
the same articles print). A figure that was typed, estimated or filled in would fail here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from migdata.datasets import describe, load

FOLDERS = {
    "azstat_migration": "national_statistics/azstat/ssc_series",
    "azstat_population": "national_statistics/azstat/ssc_series",
    "az_sms": "national_statistics/az_sms",
    "armstat_border_press": "national_statistics/armstat/border_press",
}


def _norm(text: str) -> str:
    """Compare texts without caring about spacing, case or the two ways to write 'ə'."""
    text = unicodedata.normalize("NFKC", text).replace("ә", "ə").replace("Ә", "Ə")
    return " ".join(text.split()).casefold()


def _excerpts(raw_dir: Path, folder: str) -> str:
    files = sorted((raw_dir / folder / "stored_text").glob("*.txt"))
    assert files, folder
    return " || ".join(_norm(p.read_text(encoding="utf-8")) for p in files)


def _digits(text: str) -> str:
    """The digits of a number, without leading zeros or trailing zeros ('-0,400' -> '4')."""
    return re.sub(r"\D", "", text).lstrip("0").rstrip("0")


@pytest.mark.parametrize("dataset_id", sorted(FOLDERS))
def test_every_figure_is_printed_in_a_stored_excerpt(raw_dir: Path, dataset_id: str) -> None:
    text = _excerpts(raw_dir, FOLDERS[dataset_id])
    frame = load(dataset_id)
    for row in frame.to_dict("records"):
        where = (dataset_id, row["source_file"], row["source_row"])
        printed = _norm(row["value_as_printed"])
        assert printed and printed in text, where
        locator = _norm(row["locator"])
        quoted = re.search(r"row '([^']+)'", locator)  # Agora: "Cədvəl 1, row '1991 66,300 ...'"
        if quoted:
            assert quoted.group(1) in text and printed in quoted.group(1), where
        elif locator.startswith("table "):  # the azakademiya table: row and column named
            year = re.search(r"row (\d{4})", locator).group(1)
            assert re.search(rf"{year} {re.escape(printed)} ", text), where
        else:  # a sentence of the article, which holds the printed figure
            for part in re.split(r"\[\.\.\.\]", locator):
                assert part.strip() in text, where
            assert printed in locator, where


@pytest.mark.parametrize("dataset_id", sorted(FOLDERS))
def test_every_value_is_the_printed_figure(dataset_id: str) -> None:
    """value has the printed digits; a plain count in persons is exactly the printed number."""
    frame = load(dataset_id)
    for row in frame.to_dict("records"):
        where = (dataset_id, row["source_file"], row["source_row"], row["value_as_printed"])
        printed, value = row["value_as_printed"], row["value"]
        if pd.isna(value):  # words not parsed into a number: the gap stays a gap
            assert re.search(r"[^\d\s,.\-+]", printed), where
            continue
        assert _digits(printed) == _digits(f"{abs(value):f}"), where
        assert (value < 0) == printed.strip().startswith(("-", "–")), where
        scaled = re.search(r"million|milyon|млн|միլիոն|тыс|հազար|min\b", printed, re.I)
        unit = row["unit"].lower()
        if unit.startswith("persons") and not scaled:
            assert value == int(re.sub(r"[^\d-]", "", printed)), where


def test_agora_balance_is_arrivals_minus_departures_every_year() -> None:
    agora = load("azstat_migration", quality="secondary").pivot(  # noqa: PD010 (no duplicates)
        index="year", columns="measure", values="value")
    assert list(agora.index) == list(range(1991, 2023))
    diff = (agora["arrived_for_permanent_residence"]
            - agora["departed_for_permanent_residence"])
    assert (diff == agora["migration_increase_as_printed"]).all()


def test_press_figures_against_agoras_hundreds_and_the_documented_disagreement() -> None:
    """Each exact press figure rounds to Agora's hundreds, except 2019 departures (1,654 vs
    1,600), a disagreement that the caveats name."""
    frame = load("azstat_migration")
    agora = frame[frame["quality"] == "secondary"].set_index(["year", "measure"])["value"]
    press = frame[(frame["quality"] == "press") & ~frame["partial_year"]
                  & frame["year"].notna()
                  & frame["measure"].isin(["arrived_for_permanent_residence",
                                           "departed_for_permanent_residence"])]
    mismatches = set()
    for row in press.itertuples():
        persons = row.value * (1000 if row.unit.startswith("thousand") else 1)
        if round(persons, -2) != agora[(row.year, row.measure)]:
            mismatches.add((int(row.year), row.measure))
    assert mismatches == {(2019, "departed_for_permanent_residence")}
    caveats = " ".join(describe("azstat_migration")["caveats"])
    assert "1,654" in caveats and "1,600" in caveats


def test_population_changes_printed_in_the_same_articles() -> None:
    """The articles print the yearly change too; the quoted populations agree with it."""
    pop = load("azstat_population", unit="persons", measure="population").dropna(subset=["value"])
    by_date = pop.set_index("period")["value"]
    # metbuat.az: +53 625 in 2023 to 10 180 770 on 1 January 2024
    assert by_date["2024-01-01"] - by_date["2023-01-01 (recalculated on the 2019 census)"] == 53625
    # report.az: +115.9 thousand in 2014 to 9,593 million at the beginning of 2015
    assert by_date["2015-01-01"] - by_date["2014-01-01 ('by 2014')"] == 115900


def test_end_of_2010_population_is_not_read_as_1_january_2010() -> None:
    pop = load("azstat_population", year=2010)
    end_2010 = pop[pop["period"].str.contains("end of year")]["value"].iloc[0]
    table = pop[pop["unit"] == "thousand persons"]["value"].iloc[0]  # 1 January 2010
    assert end_2010 != table * 1000
    # ... it is the 1 January 2011 figure of the table (9,111.1 thousand), rounded to thousands
    assert end_2010 == round(load("azstat_population", year=2011)["value"].iloc[0] * 1000, -3)
    assert any("end of 2010" in c for c in describe("azstat_population")["caveats"])


def test_flags_of_the_national_rows() -> None:
    """Partial years only where the period is shorter than a year; rounded where printed so."""
    for dataset_id in FOLDERS:
        frame = load(dataset_id)
        partial = frame[frame["partial_year"]]
        assert partial["period"].str.contains(r"\.\.|January-", regex=True).all(), dataset_id
        whole = frame[~frame["partial_year"]]
        assert not whole["period"].str.contains(r"-\d\d\.\.\d\d", regex=True).any(), dataset_id
        thousands = frame[frame["unit"].str.startswith("thousand")]
        assert thousands["rounded"].all(), dataset_id
    assert (load("azstat_migration", quality="secondary")["rounded"]).all()
    assert set(load("az_sms", source_type="primary")["publisher"]) == {
        "State Migration Service (own website)"}


def test_indicators_and_estimation_refuse_a_mix_of_revisions() -> None:
    from migdata.errors import InvalidInputError
    from migdata.estimation import flows_from_stock_differences
    from migdata.estimation.tables import bilateral_stock_table

    both = load("un_migrant_stock", origin="AZE", destination="RUS", sex="total",
                revision=[2019, 2024])
    assert set(both["revision"]) == {2019, 2024}
    with pytest.raises(InvalidInputError, match="revision"):
        flows_from_stock_differences(both)
    region = load("un_migrant_stock", origin=["ARM", "AZE", "GEO"],
                  destination=["ARM", "AZE", "GEO"], sex="total", year=2015,
                  revision=[2019, 2024])
    population = pd.DataFrame({"country": ["ARM", "AZE", "GEO"],
                               "population": [2_900_000, 9_600_000, 3_700_000]})
    with pytest.raises(InvalidInputError, match="revision"):
        bilateral_stock_table(region, population, year=2015)
    # Asked for without a revision, every destination gives Revision 2019 only, also where
    # Revision 2024 is complete (Azerbaijan as destination).
    assert set(load("un_migrant_stock", destination="AZE")["revision"]) == {2019}
