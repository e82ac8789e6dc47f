"""Indicators on the bundled real datasets; expected figures are the spot checks of the raw
folder's PROVENANCE.md files and press figures quoted there, not outputs of migdata."""

from __future__ import annotations

import math

import pytest

import migdata.datasets as ds
import migdata.estimation as est
import migdata.indicators as ind
from migdata.errors import InvalidInputError, UnknownCountryError, UnknownValueError

DECADES = [(1990, 2000), (2000, 2010), (2010, 2019)]


@pytest.fixture(scope="module")
def stock():
    return ds.load("un_migrant_stock")


def test_compare_sources_georgia() -> None:
    table = ind.compare_sources("Georgia")
    assert table["year"].min() == 2012 and table["year"].max() == 2025
    row = table.set_index("year")
    # 2023: immigrants 205,857, emigrants 245,064 (Geostat via interpressnews, PROVENANCE.md)
    assert row.loc[2023, "geostat"] == 205_857 - 245_064
    # WDI SM.POP.NETM GEO 2019 = -5412 (spot check 1); WPP gives -5.412 thousand
    assert row.loc[2019, "wdi"] == -5412
    assert row.loc[2019, "wpp"] == pytest.approx(-5412)
    assert row.loc[2019, "wpp_minus_geostat"] == pytest.approx(-5412 - row.loc[2019, "geostat"])
    # WPP estimates end in 2023: 2024 is left missing, never filled
    assert math.isnan(row.loc[2024, "wpp"])
    assert math.isnan(row.loc[2024, "wpp_minus_geostat"])
    reasons = table.attrs["reasons"]
    for phrase in ("border police data", "183 days", "within 12 months", "Rev. 1 (1998)"):
        assert phrase in reasons["geostat"]
    for phrase in ("Modelled", "World Population Prospects 2024", "thousands"):
        assert phrase in reasons["wpp"]
    for phrase in ("SM.POP.NETM", "2025-04-15", "World Population Prospects",
                   "revision is not confirmed", "PROVENANCE.md"):
        assert phrase in reasons["wdi"]
    assert table.attrs["unit"] == "persons"


def test_compare_sources_with_projection_and_errors() -> None:
    table = ind.compare_sources(
        "GEO", sources=["wpp", "wdi"], wpp_variants=("estimates", "medium projection"),
        years=[2024],
    )
    assert table["wpp"].iloc[0] == pytest.approx(1745)
    with pytest.raises(UnknownValueError, match="covers"):
        ind.compare_sources("ARM")  # Geostat is Georgia only
    with pytest.raises(UnknownCountryError):
        ind.compare_sources("Narnia", sources=["wdi"])
    with pytest.raises(UnknownValueError, match="available years"):
        ind.compare_sources("GEO", years=[2030])
    with pytest.raises(UnknownValueError, match="known sources"):
        ind.compare_sources("GEO", sources=["rosstat"])
    notes = ind.source_notes()
    assert notes["source"].tolist() == ["geostat", "wpp", "wdi"]
    assert notes["reason"].str.len().min() > 100


def test_emigrant_stock_toward_russia_per_decade(stock) -> None:
    arm = ind.stock_change(stock, origin="ARM", destination="RUS", periods=DECADES)
    assert arm["start"].tolist() == [1990, 2000, 2010]
    assert arm["end"].tolist() == [2000, 2010, 2019]
    # Armenia-born in Russia: 1990 = 535,266 and 2019 = 527,163 (spot checks 1 and 2)
    assert arm["stock_start"].iloc[0] == 535_266
    assert arm["stock_end"].iloc[-1] == 527_163
    assert arm["change"].sum() == 527_163 - 535_266
    geo = ind.stock_change(stock, origin="Georgia", destination="Russia", periods=DECADES)
    assert geo["stock_end"].iloc[-1] == 450_115  # spot check 4
    aze = ind.stock_change(stock, origin="AZE", destination="RUS", periods=DECADES)
    assert aze["stock_end"].iloc[-1] == 767_159  # spot check 3
    assert arm.attrs["revision"] == 2019


def test_top_destinations_of_georgian_emigrants(stock) -> None:
    top = ind.emigrant_stock_by_destination(stock, "GEO", year=2019, top=5)
    assert top["destination"].iloc[0] == "RUS"
    assert top["stock"].iloc[0] == 450_115
    assert top["share"].sum() == pytest.approx(100.0)
    assert top["destination"].iloc[-1] == ind.OTHER
    with pytest.raises(UnknownValueError, match="available years"):
        ind.emigrant_stock_by_destination(stock, "GEO", year=2020)


def test_stock_differencing_on_real_matrix(stock) -> None:
    geo = stock[stock["origin"] == "GEO"]
    flows = est.flows_from_stock_differences(geo, periods=[(2010, 2019)], decreases="return")
    rus = flows[(flows["birthplace"] == "GEO") & (flows["destination"] == "RUS")]
    assert rus["flow"].iloc[0] == pytest.approx(450_115 - 441_793)


def test_migrant_share_recomputed_matches_published() -> None:
    totals = ds.load("un_migrant_stock_totals")
    arm = ind.migrant_share_from_totals(totals, "ARM", revision=2019).set_index("year")
    assert arm.loc[2019, "stock"] == 190_159  # spot check 8
    assert (arm["migrant_share"] - arm["published_share"]).abs().max() < 1e-6


def test_crude_rates_georgia_with_census_break() -> None:
    flows = ds.load("geostat_migration", sex="total", citizenship="all")
    pop = ind.mid_year_population(
        ds.load("geostat_population"), series_breaks=ind.GEOSTAT_POPULATION_BREAKS,
    )
    rates = ind.crude_migration_rates(flows, pop).set_index("year")
    # population 1 Jan 2023 = 3,736,357 and 1 Jan 2024 = 3,694,608 (Geostat)
    expected = -39_207 / ((3_736_357 + 3_694_608) / 2) * 1000
    assert rates.loc[2023, "net_migration_rate"] == pytest.approx(expected)
    # 2024 straddles the census break of 1 January 2025: no rate
    assert math.isnan(rates.loc[2024, "net_migration_rate"])


def test_wdi_net_migration_rate_uses_mid_year_population() -> None:
    wide = ind.wdi_wide(ds.load("wdi"), {"SM.POP.NETM": "net_migration",
                                          "SP.POP.TOTL": "population"})
    assert set(wide["country"]) == {"ARM", "AZE", "GEO"}
    rates = ind.net_migration_rate(wide, wide).set_index(["country", "year"])
    # net migration GEO 2019 = -5412 (WDI spot check 1); rate = 1000 * net / mid-year population
    geo = rates.loc[("GEO", 2019)]
    assert geo["net_migration"] == -5412
    assert geo["net_migration_rate"] == pytest.approx(-5412 / geo["population"] * 1000)
    # SP.POP.TOTL has no 2024 figure in this vintage: the 2024 rate stays missing
    assert math.isnan(rates.loc[("GEO", 2024), "net_migration_rate"])
    with pytest.raises(UnknownValueError, match="indicators present"):
        ind.wdi_wide(ds.load("wdi"), {"SM.POP.TOTL": "stock"})
    with pytest.raises(UnknownCountryError):
        ind.wdi_wide(ds.load("wdi"), {"SM.POP.NETM": "n"}, countries=["Narnia"])


def test_compare_sources_rates() -> None:
    table = ind.compare_sources("GEO", quantity="net_migration_rate").set_index("year")
    assert table.attrs["unit"] == "per 1,000 mid-year population"
    assert table.loc[2019, "wpp"] == pytest.approx(-1.425)  # WPP 2024 cnmr.txt, Georgia 2019
    expected = -39_207 / ((3_736_357 + 3_694_608) / 2) * 1000
    assert table.loc[2023, "geostat"] == pytest.approx(expected)
    assert 2024 not in table.index  # Geostat rate across the census break is missing
    assert "SP.POP.TOTL" in table.attrs["rate_notes"]["wdi"]


def test_compare_sources_converts_by_the_declared_unit(monkeypatch) -> None:
    fields = ds.describe("wpp_net_migration")["schema"]["fields"]
    assert next(f for f in fields if f["name"] == "net_migration")["unit"] == "thousand persons"
    assert ind.compare_sources("GEO", sources=["wpp"], years=[2019])["wpp"].iloc[0] == -5412
    real_describe = ds.describe

    def relabelled(unit: str):
        def describe(dataset_id: str) -> dict:
            meta = real_describe(dataset_id)
            if dataset_id != "wpp_net_migration":
                return meta
            schema = {"fields": [{**f, "unit": unit} if f["name"] == "net_migration" else f
                                 for f in meta["schema"]["fields"]]}
            return {**meta, "schema": schema}
        return describe

    monkeypatch.setattr(ds, "describe", relabelled("persons"))
    assert ind.compare_sources("GEO", sources=["wpp"], years=[2019])["wpp"].iloc[0] == -5.412
    monkeypatch.setattr(ds, "describe", relabelled("million persons"))
    with pytest.raises(InvalidInputError, match=r"declared in 'million persons'"):
        ind.compare_sources("GEO", sources=["wpp"], years=[2019])
