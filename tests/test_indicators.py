"""Indicators on small hand-built frames whose results were worked out by hand."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest

import migdata.estimation as est
import migdata.indicators as ind
from migdata.errors import (
    InvalidInputError,
    MissingColumnsError,
    UnknownCountryError,
    UnknownValueError,
)


# --- rates -----------------------------------------------------------------------------------
def _flows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021, 2022],
            "flow": ["immigrants", "emigrants", "immigrants", "emigrants", "immigrants"],
            "persons": [120, 150, 200, 180, 90],
        }
    )


def test_net_migration_is_immigrants_minus_emigrants_and_keeps_gaps() -> None:
    out = ind.net_migration(_flows())
    assert out["year"].tolist() == [2020, 2021, 2022]
    assert out["net_migration"].tolist()[:2] == [-30.0, 20.0]
    # 2022 has no emigrants figure: the net stays missing, not 90.
    assert math.isnan(out["net_migration"].iloc[2])
    assert out["immigrants"].iloc[2] == 90


def test_net_migration_by_sex_keeps_groups_apart_and_refuses_duplicates() -> None:
    f = pd.DataFrame(
        {
            "year": [2020] * 4,
            "sex": ["male", "male", "female", "female"],
            "flow": ["immigrants", "emigrants"] * 2,
            "persons": [10, 4, 7, 9],
        }
    )
    out = ind.net_migration(f).set_index("sex")["net_migration"]
    assert out["male"] == 6 and out["female"] == -2
    with pytest.raises(InvalidInputError, match="several rows"):
        ind.net_migration(f.drop(columns="sex"))


def test_missing_columns_error_names_missing_and_found() -> None:
    bad = _flows().rename(columns={"persons": "count"})
    with pytest.raises(MissingColumnsError) as err:
        ind.net_migration(bad)
    assert "persons" in str(err.value) and "count" in str(err.value)
    with pytest.raises(InvalidInputError, match="DataFrame"):
        ind.net_migration([1, 2])  # type: ignore[arg-type]


def test_mid_year_population_is_mean_of_two_1_january_counts() -> None:
    p = pd.DataFrame(
        {"year": [2020, 2021, 2022, 2023], "population": [1000, 1010, 1030, 1200]}
    )
    out = ind.mid_year_population(p)
    assert out["population"].tolist()[:2] == [1005.0, 1020.0]
    # 2023 needs 1 January 2024, which is absent: NaN, not extrapolated.
    assert math.isnan(out["population"].iloc[3])
    # A break in 2023 (new census base) removes the mean that straddles it.
    broken = ind.mid_year_population(p, series_breaks=[2023])
    assert math.isnan(broken["population"].iloc[2])
    assert broken["population"].iloc[1] == 1020.0
    mid = ind.mid_year_population(p, reference="mid-year")
    assert mid["population"].tolist() == [1000.0, 1010.0, 1030.0, 1200.0]
    with pytest.raises(InvalidInputError, match="reference"):
        ind.mid_year_population(p, reference="31 December")


def test_crude_rates_per_1000() -> None:
    pop = pd.DataFrame({"year": [2020, 2021], "population": [10_000.0, 8_000.0]})
    out = ind.crude_migration_rates(_flows(), pop).set_index("year")
    assert out.loc[2020, "immigration_rate"] == pytest.approx(12.0)
    assert out.loc[2020, "emigration_rate"] == pytest.approx(15.0)
    assert out.loc[2020, "net_migration_rate"] == pytest.approx(-3.0)
    assert out.loc[2021, "net_migration_rate"] == pytest.approx(2.5)
    # 2022 has no population: rate missing, row kept.
    assert math.isnan(out.loc[2022, "immigration_rate"])


def test_net_migration_rate_over_mean_of_two_1_january_populations() -> None:
    # 1 Jan 2020 = 9,900 and 1 Jan 2021 = 10,100 -> mid-2020 = 10,000; 2020 net = 120 - 150 = -30
    # -> -30 / 10,000 * 1,000 = -3.0 per 1,000. 1 Jan 2022 = 7,900 -> mid-2021 = 9,000;
    # 2021: immigrants 200 -> 22.22..., emigrants 180 -> 20.0, net 20 -> 2.22...
    january = pd.DataFrame({"year": [2020, 2021, 2022], "population": [9_900, 10_100, 7_900]})
    mid = ind.mid_year_population(january)
    out = ind.crude_migration_rates(_flows(), mid).set_index("year")
    assert out.loc[2020, "population"] == 10_000.0
    assert out.loc[2020, "net_migration_rate"] == pytest.approx(-3.0)
    assert out.loc[2021, "immigration_rate"] == pytest.approx(200 / 9)
    assert out.loc[2021, "emigration_rate"] == pytest.approx(20.0)
    assert out.loc[2021, "net_migration_rate"] == pytest.approx(20 / 9)
    # 2022 has no 1 January 2023: no mid-year population, no rate (not the 1 January figure)
    assert math.isnan(out.loc[2022, "immigration_rate"])


def test_rates_refuse_split_counts_over_a_total_population() -> None:
    flows = pd.DataFrame(
        {
            "year": [2020] * 4,
            "sex": ["male", "male", "female", "female"],
            "flow": ["immigrants", "emigrants"] * 2,
            "persons": [10, 4, 7, 9],
        }
    )
    pop = pd.DataFrame({"year": [2020], "population": [1000.0]})
    with pytest.raises(InvalidInputError, match="split by sex"):
        ind.crude_migration_rates(flows, pop)
    by_sex = pd.DataFrame(
        {"year": [2020, 2020], "sex": ["male", "female"], "population": [480.0, 520.0]}
    )
    out = ind.crude_migration_rates(flows, by_sex).set_index("sex")
    assert out.loc["male", "net_migration_rate"] == pytest.approx(6 / 480 * 1000)


def test_net_migration_rate_joins_on_country_and_year() -> None:
    net = pd.DataFrame(
        {"country": ["ARM", "GEO"], "year": [2020, 2020], "net_migration": [-300, 50]}
    )
    pop = pd.DataFrame(
        {"country": ["ARM", "GEO"], "year": [2020, 2020], "population": [3000.0, 5000.0]}
    )
    out = ind.net_migration_rate(net, pop).set_index("country")["net_migration_rate"]
    assert out["ARM"] == pytest.approx(-100.0)
    assert out["GEO"] == pytest.approx(10.0)


def test_balancing_equation_residual_and_break() -> None:
    p = pd.DataFrame({"year": [2020, 2021, 2022, 2023], "population": [1000, 990, 1000, 1300]})
    ni = pd.DataFrame({"year": [2020, 2021, 2022], "natural_increase": [5, -2, 4]})
    out = ind.balancing_equation(p, ni, series_breaks=[2023])
    out = out.set_index("year")
    # 2020: change -10, natural increase 5 -> net migration -15
    assert out.loc[2020, "net_migration"] == -15
    # 2021: change +10, natural increase -2 -> +12
    assert out.loc[2021, "net_migration"] == 12
    # 2022 straddles the 2023 break: residual refused (NaN), not 296
    assert math.isnan(out.loc[2022, "net_migration"])
    assert math.isnan(out.loc[2023, "population_end"])
    assert ind.GEOSTAT_POPULATION_BREAKS == (2025,)


# --- stocks ----------------------------------------------------------------------------------
def _stock() -> pd.DataFrame:
    rows = [
        # year, origin, destination, stock
        (1990, "GEO", "RUS", 600.0),
        (1990, "GEO", "UKR", 100.0),
        (1990, "GEO", "GRC", 20.0),
        (2000, "GEO", "RUS", 500.0),
        (2000, "GEO", "UKR", 90.0),
        (2000, "GEO", "GRC", 60.0),
        (2000, "GEO", "ITA", np.nan),
        (2010, "GEO", "RUS", 450.0),
        (2010, "GEO", "UKR", 80.0),
        (2010, "GEO", "GRC", 70.0),
        (2010, "GEO", "ITA", 30.0),
        (2010, "ARM", "RUS", 400.0),
    ]
    df = pd.DataFrame(rows, columns=["year", "origin", "destination", "stock"])
    df["revision"] = 2019
    df["sex"] = "total"
    return df


def test_emigrant_stock_by_destination_shares_and_top() -> None:
    out = ind.emigrant_stock_by_destination(_stock(), "Georgia", year=2010)
    assert out["destination"].tolist() == ["RUS", "UKR", "GRC", "ITA"]
    assert out["share"].sum() == pytest.approx(100.0)
    assert out["share"].iloc[0] == pytest.approx(450 / 630 * 100)
    top = ind.emigrant_stock_by_destination(_stock(), "GEO", year=2010, top=2)
    assert top["destination"].tolist() == ["RUS", "UKR", ind.OTHER]
    assert top["stock"].iloc[-1] == 100.0
    assert pd.isna(top["rank"].iloc[-1]) and top["rank"].iloc[0] == 1


def test_emigrant_stock_keeps_missing_cells_missing() -> None:
    out = ind.emigrant_stock_by_destination(_stock(), "GEO", year=2000)
    table = out.set_index("destination")
    assert math.isnan(table["stock"]["ITA"]) and math.isnan(table["share"]["ITA"])
    assert out.attrs["destinations_missing"] == 1
    assert out["share"].sum() == pytest.approx(100.0)  # of destinations with a figure


def test_stock_errors_unknown_country_absent_country_absent_year() -> None:
    with pytest.raises(UnknownCountryError):
        ind.emigrant_stock_by_destination(_stock(), "Atlantis", year=2010)
    with pytest.raises(UnknownValueError, match="AZE") as err:
        ind.emigrant_stock_by_destination(_stock(), "AZE", year=2010)
    assert "ARM" in str(err.value)
    with pytest.raises(UnknownValueError, match=r"available years: \[1990, 2000, 2010\]"):
        ind.emigrant_stock_by_destination(_stock(), "GEO", year=2019)


def test_revisions_are_never_mixed() -> None:
    two = pd.concat([_stock(), _stock().assign(revision=2020)])
    with pytest.raises(InvalidInputError, match="revision"):
        ind.emigrant_stock_by_destination(two, "GEO", year=2010)
    out = ind.emigrant_stock_by_destination(two, "GEO", year=2010, revision=2020)
    assert out.attrs["revision"] == 2020
    assert len(out) == 4


def test_stock_change_per_period() -> None:
    out = ind.stock_change(_stock(), origin="GEO", destination="RUS")
    assert list(zip(out["start"], out["end"], strict=True)) == [(1990, 2000), (2000, 2010)]
    assert out["change"].tolist() == [-100.0, -50.0]
    assert out["change_per_year"].tolist() == [-10.0, -5.0]
    assert out["percent_change"].iloc[0] == pytest.approx(-100 / 600 * 100)
    whole = ind.stock_change(_stock(), origin="GEO", destination="GRC", periods=[(1990, 2010)])
    assert whole["change"].tolist() == [50.0]
    with pytest.raises(UnknownValueError, match="available years"):
        ind.stock_change(_stock(), origin="GEO", destination="RUS", periods=[(2010, 2019)])
    with pytest.raises(InvalidInputError, match="end after"):
        ind.stock_change(_stock(), origin="GEO", destination="RUS", periods=[(2010, 2000)])


def test_migrant_share_percent() -> None:
    s = pd.DataFrame({"country": ["AAA", "BBB"], "year": [2000, 2000], "stock": [50, 30]})
    p = pd.DataFrame({"country": ["AAA"], "year": [2000], "population": [1000]})
    out = ind.migrant_share(s, p).set_index("country")["migrant_share"]
    assert out["AAA"] == pytest.approx(5.0)
    assert math.isnan(out["BBB"])
    # two populations for AAA 2000 (e.g. two revisions): refused, naming the key
    twice = pd.concat([p, p.assign(population=1200)])
    with pytest.raises(InvalidInputError, match=r"several rows for the same \['country', 'year'\]"):
        ind.migrant_share(s, twice)
    doubled = pd.concat([_three_regions(), _three_regions()])
    with pytest.raises(InvalidInputError, match="several rows"):
        est.flows_from_stock_differences(doubled)


# --- flows from stocks -------------------------------------------------------------------------
def _three_regions() -> pd.DataFrame:
    """Stocks of X-born people in three regions at two dates (worked example)."""
    return pd.DataFrame(
        {
            "year": [2000] * 3 + [2010] * 3,
            "origin": ["X"] * 6,
            "destination": ["R1", "R2", "R3"] * 2,
            "stock": [100, 50, 20, 130, 40, 20],
        }
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("keep", [30.0, -10.0, 0.0]),
        ("zero", [30.0, 0.0, 0.0]),
        ("nan", [30.0, np.nan, 0.0]),
    ],
)
def test_stock_differencing_decrease_rules(rule: str, expected: list[float]) -> None:
    out = est.flows_from_stock_differences(_three_regions(), decreases=rule)
    assert out["destination"].tolist() == ["R1", "R2", "R3"]
    np.testing.assert_array_equal(out["flow"].to_numpy(), np.array(expected))
    assert out["decrease"].tolist() == [False, True, False]
    assert rule in out.attrs["decreases"]


def test_stock_differencing_return_turns_decreases_round() -> None:
    out = est.flows_from_stock_differences(_three_regions(), decreases="return")
    r2 = out[out["decrease"]].iloc[0]
    assert (r2["birthplace"], r2["origin"], r2["destination"], r2["flow"]) == (
        "X",
        "R2",
        "X",
        10.0,
    )
    assert (out["flow"] >= 0).all()
    with pytest.raises(InvalidInputError, match="decreases must be one of"):
        est.flows_from_stock_differences(_three_regions(), decreases="drop")


def test_stock_differencing_missing_stock_gives_nan() -> None:
    s = _three_regions()
    s.loc[5, "stock"] = np.nan
    out = est.flows_from_stock_differences(s, decreases="zero")
    assert math.isnan(out["flow"].iloc[2])
    assert not out["decrease"].iloc[2]


def test_stock_differencing_feeds_the_flow_measures() -> None:
    # GEO-born in RUS fall 100 -> 70 (read as 30 returning RUS -> GEO); RUS-born in GEO rise
    # 20 -> 25 (5 moving RUS -> GEO): two rows for the pair RUS -> GEO.
    s = pd.DataFrame({"year": [2000, 2010] * 2, "origin": ["GEO", "GEO", "RUS", "RUS"],
                      "destination": ["RUS", "RUS", "GEO", "GEO"], "stock": [100, 70, 20, 25]})
    flows = est.flows_from_stock_differences(s, decreases="return")
    with pytest.raises(InvalidInputError, match=r"RUS.*GEO.*sum the rows of each pair"):
        ind.migration_effectiveness_index(flows)
    pairs = flows.groupby(["origin", "destination"], as_index=False)["flow"].sum()
    assert pairs["flow"].tolist() == [35.0]
    assert ind.migration_effectiveness_index(pairs) == 100.0  # all one way
    two = pd.concat([s, s.assign(year=s["year"] + 20)])
    with pytest.raises(InvalidInputError, match="keep one period first"):
        ind.migration_effectiveness_index(est.flows_from_stock_differences(two))


def _matrix() -> pd.DataFrame:
    """3x3 flow matrix worked by hand: out A=30 B=35 C=40; in A=45 B=35 C=25."""
    return pd.DataFrame(
        {
            "origin": ["A", "A", "B", "B", "C", "C", "A"],
            "destination": ["B", "C", "A", "C", "A", "B", "A"],
            "flow": [10, 20, 30, 5, 15, 25, 999],  # A->A is within-region: ignored
        }
    )


def _population() -> pd.DataFrame:
    return pd.DataFrame({"region": ["A", "B", "C"], "population": [1000, 2000, 3000]})


def test_regional_net_migration_by_hand() -> None:
    reg = ind.regional_net_migration(_matrix()).set_index("region")
    assert reg["inflow"].tolist() == [45, 35, 25]
    assert reg["outflow"].tolist() == [30, 35, 40]
    assert reg["net"].tolist() == [15, 0, -15]
    assert reg.loc["A", "effectiveness"] == pytest.approx(20.0)  # 100*15/75
    assert reg.loc["C", "effectiveness"] == pytest.approx(-100 * 15 / 65)


def test_mei_and_anmr_by_hand() -> None:
    # sum|net| = 30, turnover = 210 -> MEI = 14.2857...
    mei = ind.migration_effectiveness_index(_matrix())
    assert mei == pytest.approx(100 * 30 / 210)
    # ANMR = 100 * 0.5 * 30 / 6000 = 0.25 ; CMI = 100 * 105 / 6000 = 1.75
    anmr = ind.aggregate_net_migration_rate(_matrix(), _population())
    cmi = ind.crude_migration_intensity(_matrix(), _population())
    assert anmr == pytest.approx(0.25)
    assert cmi == pytest.approx(1.75)
    assert anmr == pytest.approx(cmi * mei / 100)


def test_mei_is_over_regions_not_pairs() -> None:
    # Cycle A->B->C->A of 10 each: every region gains 10 and loses 10 -> MEI 0, although each
    # pair is one-way (the pairwise version would be 100 * 30 / 30 = 100).
    cycle = pd.DataFrame({"origin": ["A", "B", "C"], "destination": ["B", "C", "A"],
                          "flow": [10, 10, 10]})
    assert ind.migration_effectiveness_index(cycle) == 0.0
    # _matrix by pairs: |10-30| + |20-15| + |5-25| = 45 of 105 moves (42.9) - by regions 14.3.
    assert ind.migration_effectiveness_index(_matrix()) == pytest.approx(100 * 30 / 210)
    # Two regions, 30 one way and 10 back: both versions give 100 * 20 / 40 = 50.
    pair = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    assert ind.migration_effectiveness_index(pair) == pytest.approx(50.0)


def test_mei_extremes_and_gaps() -> None:
    balanced = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [7, 7]})
    one_way = pd.DataFrame({"origin": ["A"], "destination": ["B"], "flow": [7]})
    assert ind.migration_effectiveness_index(balanced) == 0.0
    assert ind.migration_effectiveness_index(one_way) == 100.0
    gap = _matrix().astype({"flow": "float64"})
    gap.loc[0, "flow"] = np.nan
    assert math.isnan(ind.migration_effectiveness_index(gap))
    with pytest.raises(InvalidInputError, match="negative"):
        ind.migration_effectiveness_index(balanced.assign(flow=[-1, 2]))
    with pytest.raises(InvalidInputError, match=r"lacks region\(s\) \['C'\]"):
        ind.aggregate_net_migration_rate(_matrix(), _population().iloc[:2])


# --- docstring examples ------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["indicators.rates", "indicators.stocks",
                                    "indicators.flow_measures", "indicators.compare",
                                    "estimation.differencing"])
def test_docstring_examples_run(module: str) -> None:
    import importlib

    mod = importlib.import_module(f"migdata.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# --- compare_sources on hand-built frames ------------------------------------------------------
def test_compare_sources_with_given_frames_converts_units() -> None:
    wpp = pd.DataFrame(
        {
            "country": ["GEO", "GEO", "GEO"],
            "year": [2020, 2021, 2022],
            "variant": ["estimates", "estimates", "medium projection"],
            "net_migration": [-1.5, 2.25, 9.0],  # thousands
            "net_migration_rate": [-0.4, 0.6, 2.4],
        }
    )
    wdi = pd.DataFrame(
        {
            "country": ["GEO"] * 4,
            "year": [2020, 2021, 2020, 2021],
            "indicator": ["SM.POP.NETM", "SM.POP.NETM", "SP.POP.TOTL", "SP.POP.TOTL"],
            "value": [-1500.0, 2000.0, 3_000_000.0, np.nan],
        }
    )
    frames = {"wpp_net_migration": wpp, "wdi": wdi}
    table = ind.compare_sources("GEO", sources=["wpp", "wdi"], data=frames)
    assert table["year"].tolist() == [2020, 2021]  # the projection is left out
    assert table["wpp"].tolist() == [-1500.0, 2250.0]
    assert table["wdi_minus_wpp"].tolist() == [0.0, -250.0]
    rates = ind.compare_sources("GEO", sources=["wdi", "wpp"], data=frames,
                                quantity="net_migration_rate", years=[2020, 2021])
    assert rates["wdi"].iloc[0] == pytest.approx(-0.5)
    assert math.isnan(rates["wdi"].iloc[1])  # no population: no rate
    assert rates["wpp"].tolist() == [-0.4, 0.6]
    with pytest.raises(InvalidInputError, match="quantity"):
        ind.compare_sources("GEO", sources=["wpp"], data=frames, quantity="stock")
    with pytest.raises(MissingColumnsError, match="net_migration_rate"):
        ind.compare_sources("GEO", sources=["wpp"],
                            data={"wpp_net_migration": wpp.drop(columns="net_migration_rate")})


# --- impossible populations and counts (issue 12) --------------------------------------------


@pytest.mark.parametrize("bad", [0, -1000, math.inf])
def test_zero_negative_or_infinite_population_is_refused_naming_the_row(bad: float) -> None:
    net = pd.DataFrame({"year": [2019, 2020], "net_migration": [-50, 30]})
    pop = pd.DataFrame({"year": [2019, 2020], "population": [10_000, bad]})
    with pytest.raises(InvalidInputError, match=r"row 1 \(year=2020, population="):
        ind.net_migration_rate(net, pop)
    with pytest.raises(InvalidInputError, match="population"):
        ind.mid_year_population(pop)
    with pytest.raises(InvalidInputError, match="population"):
        ind.balancing_equation(pop, pd.DataFrame({"year": [2019], "natural_increase": [5]}))


def test_a_gap_in_the_population_stays_a_gap() -> None:
    net = pd.DataFrame({"year": [2019, 2020], "net_migration": [-50, 30]})
    pop = pd.DataFrame({"year": [2019, 2020], "population": [10_000, np.nan]})
    rates = ind.net_migration_rate(net, pop)["net_migration_rate"].tolist()
    assert rates[0] == -5.0 and math.isnan(rates[1])


def test_migrant_share_refuses_negative_population_and_shares_above_100() -> None:
    stock = pd.DataFrame({"country": ["AAA"], "year": [2000], "stock": [50]})
    with pytest.raises(InvalidInputError, match=r"zero or a negative.*population=-100"):
        ind.migrant_share(stock, stock.assign(population=-100).drop(columns="stock"))
    with pytest.raises(InvalidInputError, match=r"stock exceeds the population.*100%"):
        ind.migrant_share(stock, stock.assign(population=20).drop(columns="stock"))
    with pytest.raises(InvalidInputError, match=r"negative figures.*stock=-5"):
        ind.migrant_share(stock.assign(stock=-5), stock.assign(population=20).drop(columns="stock"))


def test_text_in_a_count_column_is_refused_naming_it() -> None:
    flows = pd.DataFrame({"year": [2020, 2020], "flow": ["immigrants", "emigrants"],
                          "persons": ["1,000", 130]})
    with pytest.raises(InvalidInputError, match=r"not numbers: row 0 .*persons='1,000'"):
        ind.net_migration(flows)


def test_percent_change_from_a_zero_stock_is_nan_with_a_warning() -> None:
    stock = pd.DataFrame({"year": [2000, 2010], "origin": ["GEO"] * 2,
                          "destination": ["RUS"] * 2, "stock": [0, 100]})
    with pytest.warns(UserWarning, match=r"stock is 0 at the start.*'start': 2000"):
        out = ind.stock_change(stock, origin="GEO", destination="RUS")
    assert out["change"].tolist() == [100.0] and math.isnan(out["percent_change"].iloc[0])


def test_flow_measures_refuse_zero_populations_and_infinite_flows() -> None:
    flows = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    pop = pd.DataFrame({"region": ["A", "B"], "population": [1000, 0]})
    with pytest.raises(InvalidInputError, match=r"region='B', population=0"):
        ind.aggregate_net_migration_rate(flows, pop)
    with pytest.raises(InvalidInputError, match="infinite"):
        ind.migration_effectiveness_index(flows.assign(flow=[math.inf, 1]))


def test_absurd_magnitudes_and_na_choices_are_refused() -> None:
    flows = pd.DataFrame({"origin": ["A"], "destination": ["B"], "flow": [1.8e306]})
    with pytest.raises(InvalidInputError, match=r"larger than 1e\+12 persons"):
        ind.regional_net_migration(flows)  # would give an infinite effectiveness
    pop = pd.DataFrame({"year": [2020], "population": [1000]})
    with pytest.raises(InvalidInputError, match="reference must be one of"):
        ind.mid_year_population(pop, reference=pd.NA)
