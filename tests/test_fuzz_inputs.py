"""Bad input of every kind, for every public function of estimation, indicators, concepts, plot
and sources (issue 24): each call must end in a :mod:`migdata.errors` error that names what
is wrong, never in a value and never in a foreign exception.

Every function has a *case*: a small valid call (which must succeed and meet the function's
invariants) and the *targets* in its inputs (a column, a matrix, a series, the fields of the
records an API answers, an option) with their role. A role says which damage is invalid:

* ``count`` (persons, flows, stocks): infinite, negative, boolean, complex, text and absurdly
  large numbers; ``population`` adds zero; ``signed`` (net figures) allows negatives;
* ``year``: a year held as text ("2020" among 2020s), a fractional year, a boolean, a missing
  year;
* ``label`` (places, regions, categories): a missing label, an int among text labels, a label
  repeated so that one key has two rows;
* ``option``: a value of the wrong type (``series_breaks="2025"``, ``on="year"``...).

A result for such input is a **silent wrong answer**; a TypeError, KeyError... is a **crash**;
a migdata error whose message names neither the argument nor the value is **misleading**.

The hypothesis tests draw (case, target, damage, row) and are bounded and derandomized. The
census below runs every (case, target, damage) once at row 0 and counts the outcomes:

    PYTHONPATH=src python tests/test_fuzz_inputs.py
"""

from __future__ import annotations

import math
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdata import estimation, indicators, plot
from migdata.errors import MigdataError

FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

# ------------------------------------------------------------------ damage by role

COUNT_DAMAGE: dict[str, Any] = {
    "inf": math.inf,
    "-inf": -math.inf,
    "negative": -130,
    "bool": True,
    "complex": complex(3, 4),
    "text number": "12",
    "huge": 1e300,
}
SIGNED_DAMAGE = {k: v for k, v in COUNT_DAMAGE.items() if k != "negative"}
POPULATION_DAMAGE = {**COUNT_DAMAGE, "zero": 0}
#: Survival ratios: above 0 (a ratio above 1 is allowed: a second census may count a cohort
#: better than the first, as in migest's net_sr).
SHARE_DAMAGE = {"inf": math.inf, "bool": True, "complex": complex(0.5, 1), "text number": "0.9",
                "zero": 0.0}
YEAR_DAMAGE: dict[str, Any] = {
    "text year": "<text>",  # the row's own year as text: "2020" among 2020s
    "fractional year": 2019.7,
    "bool year": True,
    "missing year": None,
}
#: A date that may be fractional (a census on 1 October is 2014.75): the other year damage.
TIME_DAMAGE = {k: v for k, v in YEAR_DAMAGE.items() if k != "fractional year"} | {
    "inf": math.inf}
LABEL_DAMAGE: dict[str, Any] = {
    "missing label": None,
    "nan label": math.nan,
    "int label": 7,
    "repeated label": "<repeat>",  # the label of the next row: one key, two rows
}
#: Damage that applies to a whole column at once.
COLUMN_DAMAGE = {"count": ["text column", "bool column"], "population": ["text column"],
                 "signed": ["text column"], "year": ["text column"], "time": ["text column"]}
DAMAGE = {"count": COUNT_DAMAGE, "population": POPULATION_DAMAGE, "signed": SIGNED_DAMAGE,
          "year": YEAR_DAMAGE, "label": LABEL_DAMAGE, "share": SHARE_DAMAGE,
          "time": TIME_DAMAGE}


@dataclass
class Case:
    """One public function: a valid call and the parts of its input that may be damaged."""

    name: str
    call: Callable[..., Any]
    inputs: dict[str, Any]
    #: (input name, column / "cells" / "values" / "index" / record field) -> role
    roles: dict[tuple[str, str], str] = field(default_factory=dict)
    #: option name -> bad values (each must be refused)
    options: dict[str, list[Any]] = field(default_factory=dict)
    #: inputs in which a duplicated row is two figures for one key (refused)
    keyed: tuple[str, ...] = ()
    check: Callable[[Any], None] | None = None
    #: input name -> the word an error about it must contain (default: the name itself)
    says: dict[str, str] = field(default_factory=dict)
    #: damage with a documented, visible outcome instead of an error: (column, kind) -> check
    accepts: dict[tuple[str, str], Callable[[Any], bool]] = field(default_factory=dict)


def _no_inf(result: Any) -> None:
    if isinstance(result, pd.DataFrame):
        values = result.select_dtypes("number").to_numpy(dtype=float)
    elif isinstance(result, pd.Series):
        values = pd.to_numeric(result, errors="coerce").to_numpy(dtype=float)
    elif isinstance(result, np.ndarray):
        values = result.astype(float)
    elif isinstance(result, float | int):
        values = np.array([result], dtype=float)
    else:
        return
    assert not np.isinf(values).any(), f"infinite value in {result!r}"


def _close_figures() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


# ------------------------------------------------------------------ the valid inputs


def _flows_long() -> pd.DataFrame:
    pairs = [(o, d) for o in "ABC" for d in "ABC" if o != d]
    return pd.DataFrame({"origin": [p[0] for p in pairs], "destination": [p[1] for p in pairs],
                         "flow": [30.0, 10.0, 20.0, 5.0, 8.0, 12.0]})


def _regions() -> pd.DataFrame:
    return pd.DataFrame({"region": ["A", "B", "C"], "population": [1000.0, 2000.0, 1500.0]})


def _stock_matrix(values: list[list[float]]) -> pd.DataFrame:
    r = ["A", "B", "C"]
    return pd.DataFrame(values, index=r, columns=r, dtype="float64")


def _wdi_records() -> list[dict[str, Any]]:
    return [
        {"countryiso3code": "ARM", "country": {"id": "AM", "value": "Armenia"},
         "indicator": {"id": "SM.POP.NETM", "value": "Net migration"},
         "date": str(year), "value": value}
        for year, value in ((2019, -14330), (2020, -13046), (2021, 10000))
    ]


def _unhcr_records() -> list[dict[str, Any]]:
    return [
        {"year": year, "coo_iso": "SYR", "coo_name": "Syria", "coa_iso": "ARM",
         "coa_name": "Armenia", "refugees": refugees, "asylum_seekers": 5}
        for year, refugees in ((2019, 14000), (2020, 13000), (2021, 12000))
    ]


def _portal_records() -> list[dict[str, Any]]:
    return [
        {"iso3": "ARM", "locationId": 51, "location": "Armenia", "timeLabel": str(year),
         "variant": "Median", "sex": "Both sexes", "indicatorId": 65,
         "indicator": "Net migrants", "value": value}
        for year, value in ((2019, -14.3), (2020, -13.0), (2021, 10.0))
    ]


def _fetch(source: str) -> Callable[..., Any]:
    """Call the live parser of ``source`` on recorded-style answers (never the network)."""

    def run(records: list[dict[str, Any]]) -> pd.DataFrame:
        from migdata.sources import un_data_portal, unhcr, worldbank

        if source == "wdi":
            payload = [{"page": 1, "pages": 1, "per_page": 1000, "lastupdated": "2025-04-15"},
                       records]
            with mock.patch.object(worldbank, "get_json", return_value=payload):
                return worldbank.fetch_wdi(None, ["ARM"], ["SM.POP.NETM"], progress=False)
        if source == "unhcr":
            answers = [{"items": records, "maxPages": 1}, {"items": [], "maxPages": 1}]
            with mock.patch.object(unhcr, "get_json", side_effect=answers):
                return unhcr.fetch_unhcr(None, ["ARM"], progress=False)
        payload = {"data": records, "nextPage": None, "pages": 1}
        with mock.patch.object(un_data_portal, "get_json", return_value=payload), \
                mock.patch.dict("os.environ", {"UN_DATA_PORTAL_TOKEN": "t"}):
            return un_data_portal.fetch_un_data_portal(None, ["ARM"], [65], progress=False)

    return run


def _totals() -> pd.DataFrame:
    from migdata.datasets import load

    totals = load("un_migrant_stock_totals", country="ARM", sex="total", year=[2010, 2019],
                  revision=2019)
    return totals[totals["measure"].isin(["migrant_stock", "population"])].reset_index(drop=True)


def _stays() -> pd.DataFrame:
    from migdata.concepts import Person, Stay, to_frame

    people = [
        Person("AZE", ("AZE",), (Stay("AZE", "2015-01-01", "2019-12-31"),
                                 Stay("RUS", "2020-01-01", None)), id="p1"),
        Person("RUS", ("RUS",), (Stay("RUS", "2015-01-01", "2018-06-30"),
                                 Stay("AZE", "2018-07-01", None)), id="p2"),
    ]
    return to_frame(people)


nets3 = pd.Series({"A": 30.0, "B": -10.0, "C": -20.0})
prior3 = pd.DataFrame([[0.0, 5.0, 5.0], [5.0, 0.0, 5.0], [5.0, 5.0, 0.0]], index=list("ABC"),
                      columns=list("ABC"))


def _meets_nets3(out: Any) -> None:
    table = out.n if hasattr(out, "n") else out
    _assert(np.allclose(table.sum(axis=0) - table.sum(axis=1), nets3, atol=1e-3), table)


def cases() -> list[Case]:
    ind, est = indicators, estimation
    flows_y = pd.DataFrame({"year": [2019, 2019, 2020, 2020],
                            "flow": ["immigrants", "emigrants"] * 2,
                            "persons": [100.0, 30.0, 120.0, 40.0]})
    pop_y = pd.DataFrame({"year": [2019, 2020, 2021], "population": [1000.0, 1010.0, 1030.0]})
    net_y = pd.DataFrame({"year": [2019, 2020], "net_migration": [-50.0, 20.0]})
    stock_d = pd.DataFrame({"year": [2019] * 3, "origin": ["AZE"] * 3,
                            "destination": ["RUS", "TUR", "GEO"],
                            "stock": [700_000.0, 50_000.0, 10_000.0]})
    stock_t = pd.DataFrame({"year": [2000, 2010, 2019], "origin": ["AZE"] * 3,
                            "destination": ["RUS"] * 3, "stock": [800e3, 700e3, 750e3]})
    stock_2 = pd.DataFrame({"year": [2000, 2000, 2010, 2010], "origin": ["GEO"] * 4,
                            "destination": ["RUS", "TUR"] * 2,
                            "stock": [500.0, 50.0, 450.0, 80.0]})
    un_block = pd.DataFrame({"year": [2015] * 4, "origin": ["ARM", "AZE", "GEO", "AZE"],
                             "destination": ["AZE", "ARM", "ARM", "GEO"],
                             "stock": [1000.0, 2000.0, 300.0, 400.0]})
    pop_c = pd.DataFrame({"country": ["ARM", "AZE", "GEO"],
                          "population": [3e6, 9e6, 4e6]})
    share_s = pd.DataFrame({"country": ["AAA", "AAA"], "year": [2000, 2010],
                            "stock": [50.0, 60.0]})
    share_p = pd.DataFrame({"country": ["AAA", "AAA"], "year": [2000, 2010],
                            "population": [1000.0, 1100.0]})
    wdi = pd.DataFrame({"country": ["ARM"] * 4, "indicator": ["SM.POP.NETM"] * 2
                        + ["SP.POP.TOTL"] * 2, "year": [2019, 2020] * 2,
                        "value": [-14330.0, -13046.0, 2962500.0, 2961500.0]})
    distances = _flows_long().rename(columns={"flow": "distance"})
    s1 = _stock_matrix([[1000, 100, 10], [55, 555, 50], [80, 40, 800]])
    s2 = _stock_matrix([[950, 100, 60], [80, 505, 75], [90, 30, 800]])
    ages = [0, 10, 20]
    p1 = pd.Series([1000.0, 900.0, 800.0], index=ages)
    p2 = pd.Series([1100.0, 1000.0, 850.0], index=ages)
    surv = pd.Series([0.99, 0.98], index=[0, 10])
    census = pd.DataFrame({"year": [2002, 2014], "population": [4_371_500.0, 3_713_800.0]})
    events = pd.DataFrame({"start": [2002], "end": [2014], "births": [620_000.0],
                           "deaths": [590_000.0]})
    ts = pd.DataFrame({"country": ["ARM"] * 3, "year": [2019, 2020, 2021],
                       "net_migration_rate": [-4.8, -4.4, 3.0]})
    dest = pd.DataFrame({"destination": ["RUS", "TUR", "GEO"],
                         "stock": [700_000.0, 50_000.0, 10_000.0]})
    sankey = dest.assign(origin="AZE")
    balance = pd.DataFrame({"year": [2019, 2020], "population_change": [10.0, 20.0],
                            "natural_increase": [5.0, 8.0], "net_migration": [5.0, 12.0]})
    comparison = pd.DataFrame({"year": [2019, 2020], "wdi": [-14330.0, -13046.0]})
    comparison.attrs.update({"labels": {"wdi": "World Bank WDI"}, "country": "ARM",
                             "quantity": "net migration", "unit": "persons"})
    flows_lbl = _flows_long()
    cohorts = pd.DataFrame({"pop0": [math.nan, 1000.0, 900.0, 800.0],
                            "pop1": [300.0, 1100.0, 850.0, 790.0],
                            "sr": [math.nan, 0.99, 1.02, 0.97]})
    age_years = np.arange(0, 80)
    age_profile = pd.DataFrame({"age": age_years, "mi": 0.01 + 0.05 * np.exp(
        -((age_years - 24.0) / 8.0) ** 2)})

    def net_is_difference(out: pd.DataFrame) -> None:
        assert out["net_migration"].tolist() == [70.0, 80.0]

    return [
        # ---- indicators
        Case("net_migration", lambda flows, **o: ind.net_migration(flows, **o), {"flows": flows_y},
             {("flows", "year"): "year", ("flows", "persons"): "count",
              ("flows", "flow"): "label"},
             {"by": ["year"]}, keyed=("flows",), check=net_is_difference),
        Case("mid_year_population", lambda population, **o: ind.mid_year_population(
            population, **o), {"population": pop_y},
             {("population", "year"): "year", ("population", "population"): "population"},
             {"series_breaks": ["2020", 2020.5, True], "reference": [5, "july"],
              "by": ["year"]}, keyed=("population",)),
        Case("rates_per_1000", lambda counts, population, **o: ind.rates_per_1000(
            counts, population, **{"columns": ["net_migration"], **o}),
             {"counts": net_y, "population": pop_y},
             {("counts", "year"): "year", ("counts", "net_migration"): "signed",
              ("population", "year"): "year", ("population", "population"): "population"},
             {"on": ["year"], "columns": [[5], 5]}, keyed=("counts", "population")),
        Case("net_migration_rate", lambda net, population, **o: ind.net_migration_rate(
            net, population, **o), {"net": net_y, "population": pop_y},
             {("net", "year"): "year", ("net", "net_migration"): "signed",
              ("population", "year"): "year", ("population", "population"): "population"},
             {"on": ["year"]}, keyed=("net", "population")),
        Case("crude_migration_rates", lambda flows, population, **o: ind.crude_migration_rates(
            flows, population, **o), {"flows": flows_y, "population": pop_y},
             {("flows", "year"): "year", ("flows", "persons"): "count",
              ("population", "population"): "population", ("population", "year"): "year"},
             {"on": ["year"]}, keyed=("flows", "population")),
        Case("indicators.balancing_equation", lambda population, natural, **o:
             ind.balancing_equation(population, natural, **o),
             {"population": pop_y, "natural": net_y.rename(
                 columns={"net_migration": "natural_increase"})},
             {("population", "year"): "year", ("population", "population"): "population",
              ("natural", "year"): "year", ("natural", "natural_increase"): "signed"},
             {"series_breaks": ["2020"], "on": ["year"]}, keyed=("population", "natural")),
        Case("wdi_wide", lambda wdi, **o: ind.wdi_wide(
            wdi, {"SM.POP.NETM": "net", "SP.POP.TOTL": "pop"}, **{"countries": ["ARM"], **o}),
             {"wdi": wdi},
             {("wdi", "year"): "year", ("wdi", "value"): "signed"},
             {"countries": [5]}, keyed=("wdi",)),
        Case("emigrant_stock_by_destination", lambda stock, **o:
             ind.emigrant_stock_by_destination(stock, "AZE", **{"year": 2019, **o}),
             {"stock": stock_d},
             {("stock", "year"): "year", ("stock", "stock"): "count",
              ("stock", "destination"): "label"},
             {"year": ["2019", 2019.5, True], "top": ["2", True, 1.5]}, keyed=("stock",),
             check=lambda out: _assert(abs(out["share"].sum() - 100) < 1e-9, out)),
        Case("stock_change", lambda stock, **o: ind.stock_change(
            stock, origin="AZE", destination="RUS", **o), {"stock": stock_t},
             {("stock", "year"): "year", ("stock", "stock"): "count"},
             {"periods": ["2000", [(2000, "2010")], [(2000.5, 2010)]]}, keyed=("stock",)),
        Case("migrant_share", lambda stock, population, **o: ind.migrant_share(
            stock, population, **o), {"stock": share_s, "population": share_p},
             {("stock", "year"): "year", ("stock", "stock"): "count",
              ("stock", "country"): "label", ("population", "country"): "label",
              ("population", "year"): "year", ("population", "population"): "population"},
             {"on": ["year"]}, keyed=("stock", "population")),
        Case("migrant_share_from_totals", lambda totals, **o: ind.migrant_share_from_totals(
            totals, "ARM", **o), {"totals": _totals()},
             {("totals", "year"): "year", ("totals", "value"): "count"},
             {"sex": [5]}, keyed=("totals",),
             check=lambda out: _assert(out["migrant_share"].between(0, 100).all(), out)),
        Case("regional_net_migration", lambda flows: ind.regional_net_migration(flows),
             {"flows": flows_lbl},
             {("flows", "flow"): "count", ("flows", "origin"): "label",
              ("flows", "destination"): "label"}, keyed=("flows",)),
        Case("migration_effectiveness_index",
             lambda flows: ind.migration_effectiveness_index(flows), {"flows": flows_lbl},
             {("flows", "flow"): "count", ("flows", "origin"): "label",
              ("flows", "destination"): "label"}, keyed=("flows",),
             check=lambda v: _assert(0 <= v <= 100, v)),
        *[
            Case(name, (lambda f: lambda flows, population: f(flows, population))(func),
                 {"flows": flows_lbl, "population": _regions()},
                 {("flows", "flow"): "count", ("flows", "origin"): "label",
                  ("flows", "destination"): "label", ("population", "region"): "label",
                  ("population", "population"): "population"}, keyed=("flows", "population"))
            for name, func in (("crude_migration_intensity", ind.crude_migration_intensity),
                               ("aggregate_net_migration_rate",
                                ind.aggregate_net_migration_rate),
                               ("intensity_indices", ind.intensity_indices),
                               ("impact_indices", ind.impact_indices))
        ],
        Case("connectivity_indices", lambda flows, **o: ind.connectivity_indices(flows, **o),
             {"flows": flows_lbl},
             {("flows", "flow"): "count", ("flows", "origin"): "label",
              ("flows", "destination"): "label"},
             {"gini_corrected": ["yes", 1]}, keyed=("flows",)),
        Case("distance_indices", lambda flows, distances: ind.distance_indices(
            flows, distances), {"flows": flows_lbl, "distances": distances},
             {("flows", "flow"): "count", ("flows", "origin"): "label",
              ("distances", "distance"): "count", ("distances", "origin"): "label"},
             keyed=("flows", "distances")),
        Case("compare_sources", lambda wdi, **o: ind.compare_sources(
            "ARM", **{"sources": ["wdi"], "years": [2019, 2020], **o}, data={"wdi": wdi}),
             {"wdi": wdi.assign(country_name="Armenia", is_aggregate=False,
                                vintage="2025-04-15")},
             {("wdi", "year"): "year", ("wdi", "value"): "signed"},
             {"years": ["2019", [2019.5], [True]], "sources": [[5], 5]}, keyed=("wdi",)),
        # ---- estimation
        Case("flows_from_stocks", lambda s1, s2, **o: est.flows_from_stocks(s1, s2, **o),
             {"s1": s1, "s2": s2},
             {("s1", "cells"): "count", ("s2", "cells"): "count", ("s1", "index"): "label"},
             {"match_birthplace": [5, "Open"], "stayer_assumption": ["True", 1, "Seeded"],
              "match_global": [5, "before"], "integer_native": ["yes", 1],
              "birth_method": [5, "Native"], "birth_non_negative": ["yes", 0],
              "death_method": [5, None], "output": [5, "Flow"]},
             says={"s1": "stock_start", "s2": "stock_end"},
             check=lambda out: _assert(out["flow"].ge(0).all(), out)),
        Case("od_matrix", lambda flows: est.od_matrix(flows), {"flows": flows_lbl.assign(
            origin=pd.Categorical(flows_lbl["origin"]))},
             {("flows", "flow"): "count", ("flows", "origin"): "label"}),
        Case("ipf", lambda seed, rows, cols, **o: est.ipf(seed, rows, cols, **o),
             {"seed": np.ones((2, 2)), "rows": np.array([30.0, 70.0]),
              "cols": np.array([40.0, 60.0])},
             {("seed", "cells"): "count", ("rows", "values"): "count",
              ("cols", "values"): "count"},
             {"tol": ["1e-6", -1.0, math.nan], "max_iter": [2.5, "10", True, 0]},
             says={"rows": "row_totals", "cols": "col_totals"}),
        Case("ipf(labelled)", lambda seed, rows, cols: est.ipf(seed, rows, cols),
             {"seed": _stock_matrix([[1, 1, 1]] * 3), "rows": pd.Series(
                 [30.0, 40.0, 30.0], index=list("ABC")),
              "cols": pd.Series([20.0, 50.0, 30.0], index=list("ABC"))},
             {("rows", "index"): "label", ("cols", "index"): "label",
              ("seed", "index"): "label"}, says={"rows": "row_totals", "cols": "col_totals"}),
        Case("ipf3", lambda ik, jk: est.ipf3(ik=ik, jk=jk),
             {"ik": np.array([[10.0, 0.0], [5.0, 5.0]]), "jk": np.array([[4.0, 2.0],
                                                                        [11.0, 3.0]])},
             {("ik", "cells"): "count", ("jk", "cells"): "count"}),  # named ik, jk
        Case("ipf_nway", lambda seed, rows, cols: est.ipf_nway(
            seed, {(0,): rows, (1,): cols}),
             {"seed": np.ones((2, 2)), "rows": np.array([30.0, 70.0]),
              "cols": np.array([40.0, 60.0])},
             {("seed", "cells"): "count", ("rows", "values"): "count",
              ("cols", "values"): "count"}, says={"rows": "margin (0,)", "cols": "margin (1,)"}),
        Case("flows_from_net", lambda net, **o: est.flows_from_net(net, **o),
             {"net": pd.Series({"A": 30.0, "B": -10.0, "C": -20.0})},
             {("net", "values"): "signed", ("net", "index"): "label"},
             {"tol": ["1e-6"], "max_iter": [2.5]}),
        Case("flows_from_stock_differences", lambda stock, **o:
             est.flows_from_stock_differences(stock, **o), {"stock": stock_2},
             {("stock", "year"): "year", ("stock", "stock"): "count"},
             {"decreases": [5, "Keep"], "periods": ["2000", [(2000.5, 2010)]]},
             keyed=("stock",)),
        Case("bilateral_stock_table", lambda stock, population, **o:
             est.bilateral_stock_table(stock, population, **{"year": 2015, **o}),
             {"stock": un_block, "population": pop_c},
             {("stock", "year"): "year", ("stock", "stock"): "count",
              ("stock", "origin"): "label", ("population", "population"): "population",
              ("population", "country"): "label"},
             {"year": ["2015", 2015.5, True]}, keyed=("stock", "population"),
             check=lambda t: _assert(np.allclose(t.sum(axis=0), [3e6, 9e6, 4e6]), t),
             # a birthplace without an ISO3 code is a row of its own, never native-born
             accepts={("origin", k): _unknown_row for k in ("missing label", "nan label")}),
        Case("estimation.balancing_equation", lambda population, events, **o:
             est.balancing_equation(population, events, **o),
             {"population": census, "events": events},
             {("population", "year"): "time", ("population", "population"): "population",
              ("events", "births"): "count", ("events", "deaths"): "count"},
             {"by": ["year"], "periods": ["2002", [(2002, "2014")]]},
             keyed=("population", "events")),
        Case("survival_ratio_net_migration", lambda p1, p2, s:
             est.survival_ratio_net_migration(p1, p2, s), {"p1": p1, "p2": p2, "s": surv},
             {("p1", "values"): "count", ("p2", "values"): "count",
              ("s", "values"): "share", ("p1", "index"): "label"},
             says={"p1": "population_start", "p2": "population_end", "s": "survival"}),
        # ---- migest's toolbox (issue 23)
        *[
            Case(name, (lambda f: lambda flows: f(flows))(func), {"flows": flows_lbl},
                 {("flows", "flow"): "count", ("flows", "origin"): "label",
                  ("flows", "destination"): "label"}, keyed=("flows",), check=check)
            for name, func, check in (
                ("sum_region", est.sum_region, lambda out: _assert(
                    np.allclose(out["turn"], out["in_mig"] + out["out_mig"])
                    and abs(out["net"].sum()) < 1e-9, out)),
                ("sum_net", est.sum_net, lambda out: _assert(abs(out.sum()) < 1e-9, out)),
                ("sum_bilat", est.sum_bilat, lambda out: _assert(
                    np.allclose(out["interchange"], out["flow"] + out["counter_flow"]), out)))
        ],
        *[
            Case(name, (lambda f: lambda flows: f(flows))(func), {"flows": flows_lbl},
                 {("flows", "flow"): "count", ("flows", "origin"): "label",
                  ("flows", "destination"): "label"}, keyed=("flows",), check=check)
            for name, func, check in (
                ("sum_unilat", est.sum_unilat, lambda out: _assert(
                    np.allclose(out["turn"], out["imm"] + out["emi"])
                    and abs(out["net"].sum()) < 1e-9, out)),
                ("sum_unilateral", est.sum_unilateral, lambda out: _assert(
                    list(out.columns) == ["country", "emi", "imm", "turn", "net"], out)),
                ("sum_lump", lambda f: est.sum_lump(f, threshold=1e6), lambda out: _assert(
                    out["origin"].tolist() == ["other"] and out["flow"].iloc[0] > 0, out)))
        ],
        Case("sum_lump(options)", lambda flows, **o: est.sum_lump(flows, **o),
             {"flows": flows_lbl}, {},
             {"threshold": ["10", None, True], "lump": ["inflow", 3, []],
              "other_level": [None, 3, ""], "complete": ["yes", 1], "fill": ["0", None],
              "return_matrix": ["no", 0]}),
        Case("sum_expand", lambda flows, **o: est.sum_expand(
            flows, **{"orig_area": ["X", "X", "Y"], "dest_area": ["X", "X", "Y"], **o}),
             {"flows": s1}, {("flows", "cells"): "count", ("flows", "index"): "label"},
             {"orig_area": ["X", ["X"], {"zz": "X"}, ["X", None, "Y"]],
              "dest_area": [3, ["X", "X", "Y", "Z"]], "area_first": ["yes", 1],
              "guess_order": [None], "return_matrix": ["no"]},
             check=lambda out: _assert(
                 np.isclose(out["flow"].sum(), 4 * float(s1.to_numpy().sum())), out)),
        Case("dict_ims", lambda: est.dict_ims(), {}, check=lambda out: _assert(
            len(out) == 235 and out["iso3n"].is_unique, out)),
        Case("sum_region(options)", lambda flows, **o: est.sum_region(flows, **o),
             {"flows": flows_lbl}, {},
             {"drop_diagonal": ["yes", 1], "international": ["no", 0],
              "include_net": [None, "True"]}),
        Case("sum_net(square)", lambda flows: est.sum_net(flows), {"flows": s1},
             {("flows", "cells"): "count", ("flows", "index"): "label"},
             check=lambda out: _assert(abs(out.sum()) < 1e-9, out)),
        Case("rescale_net", lambda x, **o: est.rescale_net(x, **o),
             {"x": pd.Series([30.0, -10.0, -12.0], index=list("ABC"))},
             {("x", "values"): "signed"},
             {"method": [5, "Switches"], "integer_result": ["yes", 1], "w": ["1", [1.0],
                                                                             [1.0, True, 1.0]]},
             check=lambda out: _assert(abs(out.sum()) < 1e-9, out)),
        Case("rescale_integer_sum", lambda x, **o: est.rescale_integer_sum(
            x, **{"tot": 11, **o}), {"x": np.array([50.0, 30.0, 20.0])},
             {("x", "values"): "count"},
             {"tot": ["11", True, math.inf, -3, 10.5, None]},
             check=lambda out: _assert(out.sum() == 11 and (out == out.round()).all(), out)),
        # ---- migest's estimators from net totals, cm2, cm3, cm_net_tot (issue 23)
        *[
            Case(name, (lambda f: lambda net_tot, m, **o: f(net_tot, m, **o))(func),
                 {"net_tot": nets3, "m": prior3},
                 {("net_tot", "values"): "signed", ("net_tot", "index"): "label",
                  ("m", "cells"): "count", ("m", "index"): "label"},
                 {"tol": ["1e-6", -1.0], "zero_mask": [np.ones((3, 3)), "diag"], **extra},
                 check=_meets_nets3)
            for name, func, extra in (
                ("net_matrix_entropy", est.net_matrix_entropy, {}),
                ("net_matrix_lp", est.net_matrix_lp, {}),
                ("net_matrix_optim", est.net_matrix_optim, {"maxit": [2.5, "500", 0]}))
        ],
        *[
            Case(name, (lambda f: lambda net, seed, **o: f(net, seed, **o))(func),
                 {"net": nets3, "seed": prior3},
                 {("net", "values"): "signed", ("net", "index"): "label",
                  ("seed", "cells"): "count", ("seed", "index"): "label"},
                 {"zero_mask": [np.ones((3, 3)), "diag"], **extra}, check=_meets_nets3)
            for name, func, extra in (
                ("flows_from_net_l1", est.flows_from_net_l1, {}),
                ("flows_from_net_l2", est.flows_from_net_l2,
                 {"tol": ["1e-6", 2.0], "max_iter": [2.5, 0]}))
        ],
        Case("flows_from_net_total", lambda net, seed, **o: est.flows_from_net_total(
            net, **{"total": 60.0, **o}, seed=seed), {"net": nets3, "seed": prior3},
             {("net", "values"): "signed", ("net", "index"): "label",
              ("seed", "cells"): "count", ("seed", "index"): "label"},
             {"total": ["60", -5.0, math.nan, 1.0], "tol": ["1e-6", 2.0]},
             check=lambda out: _assert(abs(out.to_numpy().sum() - 60) < 1e-6, out)),
        Case("cm_net_tot", lambda net_tot, m, **o: est.cm_net_tot(
            net_tot, **{"tot": 60.0, **o}, m=m), {"net_tot": nets3, "m": prior3},
             {("net_tot", "values"): "signed", ("net_tot", "index"): "label",
              ("m", "cells"): "count", ("m", "index"): "label"},
             {"tot": ["60", -1.0], "alpha0": [[1.0, 0.0, 1.0], "1"], "lambda0": ["1"],
              "alpha_constrained": ["yes", 1], "maxit": [0], "tol": ["1e-6"]},
             check=_meets_nets3),
        Case("cm2", lambda row_tot, col_tot, m, **o: est.cm2(row_tot, col_tot, m, **o),
             {"row_tot": pd.Series({"A": 18.0, "B": 20.0}),
              "col_tot": pd.Series({"A": 16.0, "B": 22.0}),
              "m": pd.DataFrame([[5.0, 2.0], [1.0, 7.0]], index=["A", "B"],
                                columns=["A", "B"])},
             {("row_tot", "values"): "count", ("col_tot", "values"): "count",
              ("row_tot", "index"): "label", ("m", "cells"): "count",
              ("m", "index"): "label"},
             {"tol": ["1e-6", -1.0], "maxit": [2.5, 0]},
             check=lambda fit: _assert(np.allclose(fit.n.sum(axis=0), [16, 22]), fit)),
        Case("cm3", lambda row_tot, col_tot, m, **o: est.cm3(row_tot, col_tot, m, **o),
             {"row_tot": np.array([36.0, 40.0]), "col_tot": np.array([32.0, 44.0]),
              "m": np.array([[[5.0, 4.0], [2.0, 5.0]], [[1.0, 2.0], [7.0, 9.0]]])},
             {("row_tot", "values"): "count", ("col_tot", "values"): "count",
              ("m", "cells"): "count"},
             {"tol": ["1e-6"], "maxit": [2.5]},
             check=lambda fit: _assert(np.allclose(fit.n.sum(axis=(0, 2)), [32, 44]), fit)),
        Case("ffs_diff", lambda s1, s2, **o: est.ffs_diff(s1, s2, **o), {"s1": s1, "s2": s2},
             {("s1", "cells"): "count", ("s2", "cells"): "count", ("s1", "index"): "label"},
             {"decrease": [5, "Return"], "include_native_born": ["yes", 1]},
             says={"s1": "stock_start", "s2": "stock_end"},
             check=lambda out: _assert((out.to_numpy() >= 0).all(), out)),
        Case("ffs_rates", lambda s1, **o: est.ffs_rates(s1, **{"M": 100.0, **o}), {"s1": s1},
             {("s1", "cells"): "count", ("s1", "index"): "label"},
             {"M": ["100", True, math.inf, -1.0], "method": [5, "Dennett"],
              "stock_end": [5]},
             says={"s1": "stock_start"},
             check=lambda out: _assert(abs(out.to_numpy().sum() - 100) < 1e-9, out)),
        Case("ffs_rates(rogers-von-rabenau)", lambda s1, s2: est.ffs_rates(
            s1, s2, method="rogers-von-rabenau"), {"s1": s1, "s2": s2},
             {("s1", "cells"): "count", ("s2", "cells"): "count", ("s2", "index"): "label"},
             says={"s1": "stock_start", "s2": "stock_end"}),
        Case("net_sr", lambda data, **o: est.net_sr(data, **o), {"data": cohorts},
             {("data", "pop0"): "count", ("data", "pop1"): "count", ("data", "sr"): "share"},
             {"net_children": ["yes", 1], "maternal_exposure": ["0.25", [True], [math.inf]],
              "maternal_age_id": ["4", [1.5], [True]], "pop0_col": [5, ["pop0"]],
              "maternal_col": [5]},
             check=lambda out: _assert(np.allclose(
                 out["net_average"], (out["net_forward"] + out["net_reverse"]) / 2,
                 equal_nan=True), out)),
        Case("index_age", lambda data, **o: ind.index_age(data, **o), {"data": age_profile},
             {("data", "mi"): "count", ("data", "age"): "time"},
             {"peak_window": [5, "Age"], "breadth": ["5", 2.5, True, -1],
              "age_min": ["5", True, math.inf, math.nan], "age_max": ["65", False],
              "age_col": [5], "mi_col": [["mi"]]},
             check=lambda out: _assert(np.isfinite(out.drop(["peak_breadth", "peak_share"]))
                                       .all(), out)),
        Case("index_age(age, mi)", lambda age, mi: ind.index_age(age=age, mi=mi),
             {"age": age_profile["age"].to_numpy(), "mi": age_profile["mi"].to_numpy()},
             {("mi", "values"): "count", ("age", "values"): "time"}),
        # ---- migest's block and stripe IPF, net_vs, index_age_rc (issue 23)
        Case("block_matrix", lambda x, **o: est.block_matrix(x, **{"b": [1, 2], **o}),
             {"x": np.array([1.0, 2.0, 3.0, 4.0])}, {("x", "values"): "signed"},
             {"b": ["2", [1, 0], [1.5], True, []], "byrow": ["yes", 1],
              "dimnames": [5, ["A"], [["a"], ["b"]]]},
             check=lambda out: _assert(out.to_numpy().tolist() == [[1, 3, 3], [2, 4, 4],
                                                                   [2, 4, 4]], out)),
        Case("stripe_matrix", lambda x, **o: est.stripe_matrix(x, **{"s": [1, 2], **o}),
             {"x": np.arange(1.0, 7.0)}, {("x", "values"): "signed"},
             {"s": ["2", [0, 1], None], "byrow": ["no", 0], "dimnames": [5, [1, 2]]},
             check=lambda out: _assert(out.shape == (3, 3) and out.iloc[0, 0] == 1, out)),
        Case("block_sum", lambda m, block_id, **o: est.block_sum(
            o.get("block", 4), m, block_id), {"m": np.arange(9.0).reshape(3, 3),
                                              "block_id": _block_ids()},
             {("m", "cells"): "signed", ("block_id", "cells"): "count"},
             {"block": ["4", 2.5, True, 0]},
             check=lambda out: _assert(out == 24.0, out)),
        Case("ipf2_block", lambda row_tot, block_tot, m, **o: est.ipf2_block(
            row_tot=row_tot, block_tot=block_tot, m=m,
            **{"col_tot": [5.0, 6.0, 7.0], "block": _block_ids(), **o}),
             {"row_tot": np.array([4.0, 8.0, 6.0]), "block_tot": np.array([1.0, 4.0, 3.0, 10.0]),
              "m": pd.DataFrame(np.ones((3, 3)), index=list("ABC"), columns=list("ABC"))},
             {("row_tot", "values"): "count", ("block_tot", "values"): "count",
              ("m", "cells"): "count"},
             {"tol": ["1e-5", 0, -1.0, math.nan, None], "maxit": [0, 2.5, "500"],
              "verbose": ["no", 1], "col_tot": [[5.0, 6.0]]},
             check=lambda out: _assert(np.allclose(out.sum(axis=1), [4, 8, 6], atol=1e-4)
                                       and out.attrs["it"] > 1, out)),
        Case("ipf2_stripe", lambda col_tot, stripe_tot, **o: est.ipf2_stripe(
            col_tot=col_tot, stripe_tot=stripe_tot, **{"stripe": est.stripe_matrix(
                x=list(range(1, 7)), s=[1, 2], byrow=True), **o}),
             {"col_tot": np.array([6.0, 6.0, 6.0]),
              "stripe_tot": np.array([[2.0, 4.0], [2.0, 4.0], [2.0, 4.0]])},
             {("col_tot", "values"): "count", ("stripe_tot", "values"): "count"},
             {"tol": [0, "1"], "maxit": [True], "stripe": [np.ones(3), [[0, 1], [1, 1]]]},
             check=lambda out: _assert(np.allclose(out.to_numpy(), 2.0), out)),
        Case("net_vs", lambda data, **o: est.net_vs(data, **o),
             {"data": pd.DataFrame({"region": ["X", "Y"], "pop0": [1000.0, 500.0],
                                    "pop1": [1100.0, 450.0], "births": [60.0, 10.0],
                                    "deaths": [20.0, 15.0]})},
             {("data", "pop0"): "count", ("data", "pop1"): "count",
              ("data", "births"): "count", ("data", "deaths"): "count"},
             {"pop0_col": [5, ["pop0"], "pop_0"], "deaths_col": [None]},
             check=lambda out: _assert(out["net"].tolist() == [60.0, -45.0], out)),
        Case("index_age_rc", lambda pars, **o: ind.index_age_rc(pars, **o),
             {"pars": pd.Series({"a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.1,
                                 "mu2": 20.0, "lambda2": 0.4})},
             {("pars", "values"): "share"}, {"long": ["yes", 1]},
             check=lambda out: _assert(out["value"].round(6).tolist() == [
                 20.0, 0.333333, 3.0, 4.0, 1.0], out)),
        # ---- plot
        Case("rates_timeseries", lambda data, **o: plot.rates_timeseries(
            data, source="test", **o), {"data": ts},
             {("data", "year"): "year", ("data", "net_migration_rate"): "signed",
              ("data", "country"): "label"}, {"backend": ["svg", 5]}, keyed=("data",)),
        Case("top_destinations", lambda table: plot.top_destinations(table, source="test"),
             {"table": dest}, {("table", "stock"): "count", ("table", "destination"): "label"},
             keyed=("table",)),
        Case("emigrant_sankey", lambda table: plot.emigrant_sankey(
            table, source="test", backend="matplotlib"), {"table": sankey},
             {("table", "stock"): "count", ("table", "destination"): "label"},
             keyed=("table",)),
        Case("source_comparison", lambda table: plot.source_comparison(table),
             {"table": comparison},
             {("table", "year"): "year", ("table", "wdi"): "signed"}, keyed=("table",)),
        Case("balancing_decomposition", lambda table: plot.balancing_decomposition(
            table, source="test"), {"table": balance},
             {("table", "year"): "year", ("table", "net_migration"): "signed",
              ("table", "natural_increase"): "signed"}, keyed=("table",)),
        *[
            Case(name, (lambda f: lambda flows, **o: f(flows, source="test", **o))(func),
                 {"flows": flows_lbl},
                 {("flows", "flow"): "count", ("flows", "origin"): "label",
                  ("flows", "destination"): "label"},
                 {"order": ["ABC", ["A", "B"], ["A", "B", "C", "D"], 5],
                  "colors": ["red", ["red"], {"A": "red"}, ["red", "green", "not a colour"]],
                  "gap_degree": ["4", -1, 200, True], "unit": [0, "1000", math.nan],
                  "axis": ["yes", 1], "labels": [["a", "b", "c"], {"A": 5}],
                  "transparency": [2, "0.5"], "backend": ["plotly", 5]}
                 if name != "chord_layout" else
                 {"order": ["ABC", ["A", "B"]], "colors": ["red", ["red"]],
                  "gap_degree": ["4", 200]},
                 keyed=("flows",), check=check)
            for name, func, check in (
                ("mig_chord", plot.mig_chord, lambda fig: _assert(len(
                    [p for p in fig.axes[0].patches if p.get_gid() == "migdata-chord-link"]) == 6,
                    fig)),
                ("chord_diagram", plot.chord_diagram, None),
                ("chord_layout", lambda flows, source, **o: plot.chord_layout(flows, **o),
                 lambda lay: _assert(abs((lay.sectors["start"] - lay.sectors["end"]).sum()
                                         - (360 - 3 * 4.0)) < 1e-9, lay)))
        ],
        Case("mig_chord(square)", lambda flows: plot.mig_chord(flows, source="test"),
             {"flows": s1}, {("flows", "cells"): "count", ("flows", "index"): "label"}),
        Case("caption_text", lambda **o: plot.caption_text(**{"source": "WDI", **o}), {},
             {}, {"source": [5, None, [5], "", ["WDI", 3]], "note": [5]}),
        Case("source_notes", lambda **o: ind.source_notes(**o), {}, {},
             {"sources": [5, [5], ["x"]]}),
        # ---- concepts
        Case("concepts.flows", lambda stays, **o: _concepts("flows", stays, **o),
             {"stays": _stays().assign(person_id=["7", "7", "p2", "p2"])},
             {("stays", "person_id"): "label"}, {"year": ["2020", 2019.7, True]}),
        Case("concepts.stocks", lambda stays, **o: _concepts("stocks", stays, **o),
             {"stays": _stays().assign(person_id=["7", "7", "p2", "p2"])},
             {("stays", "person_id"): "label"},
             {"rule": [12, "12 months"]}),
        # ---- sources (recorded-style answers, no network)
        Case("refresh(wdi)", _fetch("wdi"), {"records": _wdi_records()},
             {("records", "value"): "signed", ("records", "date"): "year",
              ("records", "countryiso3code"): "label"}, keyed=("records",)),
        Case("refresh(unhcr)", _fetch("unhcr"), {"records": _unhcr_records()},
             {("records", "refugees"): "count", ("records", "year"): "year",
              ("records", "coo_iso"): "label"}, keyed=("records",)),
        Case("refresh(un_data_portal)", _fetch("un_data_portal"),
             {"records": _portal_records()},
             {("records", "value"): "signed", ("records", "timeLabel"): "year",
              ("records", "iso3"): "label"}, keyed=("records",)),
    ]


def _block_ids() -> pd.DataFrame:
    return estimation.block_matrix(x=[1, 2, 3, 4], b=[1, 2])


def _unknown_row(table: pd.DataFrame) -> bool:
    UNKNOWN_BIRTHPLACE = getattr(estimation, "UNKNOWN_BIRTHPLACE", None)
    if UNKNOWN_BIRTHPLACE not in table.index:
        return False
    return (table.loc[UNKNOWN_BIRTHPLACE].sum() > 0
            and np.allclose(table.sum(axis=0).iloc[:3], [3e6, 9e6, 4e6]))


def _assert(condition: bool, shown: Any) -> None:
    assert condition, shown


def _concepts(func: str, stays: pd.DataFrame, **options: Any) -> Any:
    from migdata import concepts

    if func == "flows":
        return concepts.flows(stays, "AZE", options.get("year", 2020))
    return concepts.stocks(stays, "AZE", "2021-01-01", **options)


CASES = {case.name: case for case in cases()}


# ------------------------------------------------------------------ damaging an input


def _damaged_value(kind: str, role: str, original: Any) -> Any:
    value = DAMAGE[role][kind]
    if isinstance(value, str) and value == "<text>":
        if isinstance(original, str):
            raise LookupError("already text")  # e.g. the World Bank sends years as text
        return str(original)
    return value


def damage(case: Case, target: tuple[str, str], kind: str, row: int) -> dict[str, Any]:
    """A copy of the case's inputs with one damage applied; raises LookupError if n/a."""
    inputs = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in case.inputs.items()}
    name, part = target
    role = case.roles[target] if target in case.roles else "keyed"
    obj = inputs[name]
    if kind == "duplicate row":
        if isinstance(obj, pd.DataFrame):
            inputs[name] = pd.concat([obj, obj.iloc[[row % len(obj)]]], ignore_index=True)
        else:
            inputs[name] = [*obj, dict(obj[row % len(obj)])]
        return inputs
    if kind == "conflicting row":
        if not isinstance(obj, list):
            raise LookupError(kind)
        twin = dict(obj[row % len(obj)])
        for key in ("value", "refugees"):
            if key in twin:
                twin[key] = 999
        inputs[name] = [*obj, twin]
        return inputs
    if kind in ("text column", "bool column"):
        if not isinstance(obj, pd.DataFrame):
            raise LookupError(kind)
        column = obj[part]
        obj[part] = column.astype(str) if kind == "text column" else column.astype(bool)
        return inputs
    if isinstance(obj, list):  # API records
        i = row % len(obj)
        record = dict(obj[i])
        original = record[part]
        if kind == "repeated label":
            value = obj[(i + 1) % len(obj)][part]
            if value == original:
                raise LookupError(kind)
        else:
            value = _damaged_value(kind, role, original)
        record[part] = value
        obj[i] = record
        return inputs
    if part == "index":
        labels = list(obj.index)
        i = row % len(labels)
        labels[i] = (labels[(i + 1) % len(labels)] if kind == "repeated label"
                     else _damaged_value(kind, role, labels[i]))
        obj.index = pd.Index(labels, dtype=object)
        return inputs
    if part in ("cells", "values"):
        if isinstance(obj, np.ndarray):
            flat = obj.astype(object).ravel()
            flat[row % flat.size] = _damaged_value(kind, role, flat[row % flat.size])
            inputs[name] = flat.reshape(obj.shape)
            return inputs
        if isinstance(obj, pd.Series):
            obj = obj.astype(object)
            obj.iloc[row % len(obj)] = _damaged_value(kind, role, obj.iloc[row % len(obj)])
            inputs[name] = obj
            return inputs
        obj = obj.astype(object)
        i = row % obj.size
        obj.iloc[i // obj.shape[1], i % obj.shape[1]] = _damaged_value(
            kind, role, obj.iloc[i // obj.shape[1], i % obj.shape[1]])
        inputs[name] = obj
        return inputs
    # a column of a long frame
    i = row % len(obj)
    if kind == "repeated label":
        # the whole key of the next row (every column that is not a figure): one key, two
        # rows with different figures
        j = (i + 1) % len(obj)
        if obj[part].iloc[j] == obj[part].iloc[i]:
            raise LookupError(kind)
        figures = {c for (n, c), r in case.roles.items() if n == name
                   and r in ("count", "signed", "population", "share")}
        key = [c for c in obj.columns if c not in figures]
        obj = obj.astype(dict.fromkeys(key, object))
        for column in key:
            obj.iloc[i, obj.columns.get_loc(column)] = obj[column].iloc[j]
        inputs[name] = obj
        return inputs
    value = _damaged_value(kind, role, obj[part].iloc[i])
    if isinstance(obj[part].dtype, pd.CategoricalDtype):
        obj[part] = obj[part].cat.add_categories([value]) if value is not None and not (
            isinstance(value, float) and math.isnan(value)) else obj[part]
    else:
        obj = obj.astype({part: object})
    obj.iloc[i, obj.columns.get_loc(part)] = value
    inputs[name] = obj
    return inputs


def damages(case: Case) -> list[tuple[tuple[str, str], str]]:
    """Every (target, damage kind) of a case."""
    out = []
    for target, role in case.roles.items():
        for kind in DAMAGE[role]:
            if kind == "repeated label" and target[1] not in ("index",) and (
                    target[0] not in case.keyed):
                continue
            out.append((target, kind))
        for kind in COLUMN_DAMAGE.get(role, []):
            if not isinstance(case.inputs[target[0]], pd.DataFrame) or target[1] == "cells":
                continue
            out.append((target, kind))
    for name in case.keyed:
        out.append(((name, ""), "duplicate row"))
        if isinstance(case.inputs[name], list):
            out.append(((name, ""), "conflicting row"))
    for option, values in case.options.items():
        for i, _ in enumerate(values):
            out.append(((option, str(i)), "option"))
    return out


def run(case: Case, target: tuple[str, str], kind: str, row: int = 0) -> tuple[str, str]:
    """Outcome of one damaged call: ("ok" | "silent" | "crash" | "misleading", detail)."""
    if kind == "option":
        option, i = target
        value = case.options[option][int(i)]
        inputs, options, named = dict(case.inputs), {option: value}, (option, repr(value))
    else:
        try:
            inputs = damage(case, target, kind, row)
        except LookupError:
            return "ok", "not applicable"
        options, named = {}, tuple(case.says.get(t, t) for t in target if t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = case.call(**inputs, **options)
        except MigdataError as error:
            message = str(error)
            names = {*named, "index", "label"} if "index" in named else set(named)
            if kind in ("duplicate row", "conflicting row", "repeated label"):
                names |= {"several", "repeat", "twice", "duplicate", "more than once",
                          "same"}
            if not any(str(n).lower() in message.lower() for n in names if n):
                return "misleading", f"{type(error).__name__}: {message[:300]}"
            return "ok", message
        except Exception as error:  # that is the finding
            return "crash", f"{type(error).__name__}: {str(error)[:300]}"
        finally:
            if case.name in _PLOTS:
                _close_figures()
    if (target[1], kind) in case.accepts and case.accepts[(target[1], kind)](result):
        return "ok", "documented outcome"
    if kind == "duplicate row" and isinstance(case.inputs[target[0]], list):
        # a record repeated identically (overlapping pages) may be dropped: same answer
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if result.equals(case.call(**case.inputs)):
                return "ok", "identical record dropped"
    return "silent", f"returned {str(result)[:200]!r}"


_PLOTS = {"rates_timeseries", "top_destinations", "emigrant_sankey", "source_comparison",
          "balancing_decomposition"}


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_valid_call_works_and_meets_its_invariants(name: str) -> None:
    case = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = case.call(**case.inputs)
    if name in _PLOTS:
        _close_figures()
    _no_inf(result)
    if case.check is not None:
        case.check(result)


ALL_DAMAGES = [(name, target, kind) for name, case in CASES.items()
               for target, kind in damages(case)]


@FUZZ
@given(which=st.sampled_from(ALL_DAMAGES), row=st.integers(0, 5))
def test_damaged_input_gets_a_migdata_error_naming_it(
    which: tuple[str, tuple[str, str], str], row: int
) -> None:
    name, target, kind = which
    outcome, detail = run(CASES[name], target, kind, row)
    assert outcome == "ok", f"{name} {target} {kind}: {outcome}: {detail}"


def test_every_public_function_has_a_case() -> None:
    """A new public function gets a case here, or the property tests do not cover it."""
    from migdata import concepts, sources

    covered = {n.split(".")[-1].split("(")[0] for n in CASES}
    covered |= {"refresh"}
    public = {n for module in (indicators, estimation, plot)
              for n in module.__all__ if callable(getattr(module, n))
              and not isinstance(getattr(module, n), type)}
    assert public - covered == set()
    assert "refresh" in sources.__all__ and {"flows", "stocks"} <= set(concepts.__all__)


# ------------------------------------------------------------------ the issue's examples


def test_the_issue_examples_are_refused() -> None:
    from migdata.errors import InvalidInputError

    flows = pd.DataFrame({"year": [2020, 2020], "flow": ["immigrants", "emigrants"],
                          "persons": [100, -130]})
    with pytest.raises(InvalidInputError, match="negative"):  # was net +230
        indicators.net_migration(flows)
    with pytest.raises(InvalidInputError, match="Immigrants "):  # was a whole year dropped
        indicators.net_migration(flows.assign(flow=["Immigrants ", "emigrants"], persons=1))
    population = pd.DataFrame({"year": [2024, 2025, 2026], "population": [1e6, 1e6, 1e6]})
    with pytest.raises(InvalidInputError, match="series_breaks"):  # was 2, 0, 2, 5
        indicators.mid_year_population(population, series_breaks="2025")
    net = pd.DataFrame({"year": [2024], "net_migration": [5.0]})
    with pytest.raises(InvalidInputError, match="on must be a list"):  # was y, e, a, r
        indicators.net_migration_rate(net, population, on="year")
    with pytest.raises(InvalidInputError, match="not numbers"):  # "2024" vs 2024: was all NaN
        indicators.net_migration_rate(net.astype({"year": str}), population)
    od = pd.DataFrame({"origin": pd.Categorical(["A", None, "B"]),
                       "destination": ["B", "A", "C"], "flow": [1.0, 100.0, 2.0]})
    with pytest.raises(InvalidInputError, match="missing labels"):  # was booked C -> A
        estimation.od_matrix(od)
    with pytest.raises(InvalidInputError, match="repeats the label"):  # was a margin doubled
        estimation.ipf(None, pd.Series([1.0, 1.0], index=["A", "A"]), pd.Series(
            [1.0, 1.0], index=["A", "B"]))
    with pytest.raises(InvalidInputError, match="true/false"):
        estimation.ipf(np.ones((2, 2)), np.array([True, True]), np.array([1.0, 1.0]))


def test_one_population_at_risk_under_every_name() -> None:
    """A region no flow touches is still at risk of moving: the same figure under each name."""
    flows = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    population = pd.DataFrame({"region": ["A", "B", "C"], "population": [1000, 1000, 8000]})
    cmi = indicators.crude_migration_intensity(flows, population)
    assert cmi == pytest.approx(indicators.intensity_indices(flows, population)["cmp"])
    assert cmi == pytest.approx(100 * 40 / 10_000)  # all three regions, not only A and B
    anmr = indicators.aggregate_net_migration_rate(flows, population)
    assert anmr == pytest.approx(indicators.impact_indices(flows, population)["anmr"])
    assert anmr == pytest.approx(100 * 0.5 * 40 / 10_000)


def test_unknown_birthplaces_are_a_row_of_their_own_in_the_bundled_un_data() -> None:
    """22,245 people born in the Channel Islands (no ISO3 code) live in the UK in 2019: they
    are not native-born Britons."""
    from migdata.datasets import load
    from migdata.errors import InvalidInputError

    stock = load("un_migrant_stock", destination=["GBR", "FRA"], sex="total", year=2019)
    population = pd.DataFrame({"country": ["GBR", "FRA"], "population": [66.8e6, 67.2e6]})
    table = estimation.bilateral_stock_table(stock, population, 2019)
    assert table.loc[estimation.UNKNOWN_BIRTHPLACE, "GBR"] == 22_245
    assert table.attrs["unknown_birthplace"]["GBR"] == 22_245
    foreign = stock.loc[stock["destination"] == "GBR", "stock"].astype(float).sum()
    assert table.loc["GBR", "GBR"] == pytest.approx(66.8e6 - foreign)
    assert table.sum(axis=0)["GBR"] == pytest.approx(66.8e6
                                                      - _born_elsewhere(stock, "GBR", table))
    with pytest.raises(InvalidInputError, match="unknown birthplace"):
        estimation.bilateral_stock_table(stock, population, 2019, unknown_birthplace="raise")


def _born_elsewhere(stock: pd.DataFrame, place: str, table: pd.DataFrame) -> float:
    """People living in ``place`` born in a place with an ISO3 code that is not in the table."""
    rows = stock[(stock["destination"] == place) & stock["origin"].notna()
                 & ~stock["origin"].isin(table.index)]
    return float(rows["stock"].astype(float).sum())


def test_flows_from_net_meets_the_regions_real_nets_with_its_defaults() -> None:
    """Nets of tens of thousands (WDI SM.POP.NETM, 2019) converge with the default seed."""
    from migdata.datasets import load

    wdi = load("wdi", country=["ARM", "AZE", "GEO"], indicator="SM.POP.NETM", year=2019)
    nets = wdi.set_index("country")["value"].astype(float)
    nets["RUS"] = -nets.sum()  # close the system
    assert nets.abs().max() > 10_000
    flows = estimation.flows_from_net(nets)
    met = flows.sum(axis=0) - flows.sum(axis=1)
    assert np.allclose(met.to_numpy(), nets.to_numpy(), atol=1e-4)
    assert (flows.to_numpy() >= 0).all()


# ------------------------------------------------------------------ the outside fuzz findings

#: stock without a sex or revision column (outside fuzz A1)
_NO_SEX = pd.DataFrame({"year": [2000, 2010], "origin": ["GEO"] * 2,
                        "destination": ["RUS"] * 2, "stock": [100, 130]})
#: a complete three-region flow table (outside fuzz A3, B5)
_FLOWS3 = pd.DataFrame({"origin": list("AABBCC"), "destination": list("BCACAB"),
                        "flow": [30, 10, 5, 5, 1, 1]})
_NETS3 = pd.Series({"A": 30.0, "B": -10.0, "C": -20.0})
_POP3 = pd.DataFrame({"region": list("ABC"), "population": [1000, 2000, 3000]})
_WDI = pd.DataFrame({"country": ["GEO", "GEO"], "year": [2020, 2020],
                     "indicator": ["SM.POP.NETM", "SP.POP.TOTL"], "value": [-1000.0, 3.7e6]})


_RATES = pd.DataFrame({"country": ["GEO", "GEO"], "year": [2020, 2021],
                       "net_migration_rate": [1.0, 2.0]})
_SQ = pd.DataFrame([[10.0, 1.0], [1.0, 10.0]], index=["A", "B"], columns=["A", "B"])


def _concepts_module() -> Any:
    from migdata import concepts

    return concepts


def _pop_records(value: float) -> list[dict[str, Any]]:
    return [dict(r, indicator={"id": "SP.POP.TOTL", "value": "Population"}, value=value)
            for r in _wdi_records()]


def _wdi(records: list[dict[str, Any]], start: int | None = None,
         lastupdated: str | None = "2025-04-15") -> pd.DataFrame:
    payload = [{"page": 1, "pages": 1, "per_page": 1000, "lastupdated": lastupdated}, records]
    return _wdi_payload(payload, start=start,
                        indicators=[records[0]["indicator"]["id"]] if records else None)


def _wdi_payload(payload: Any, start: int | None = None,
                 indicators: list[str] | None = None) -> pd.DataFrame:
    from migdata.sources import worldbank

    with mock.patch.object(worldbank, "get_json", return_value=payload):
        return worldbank.fetch_wdi(None, ["ARM"], indicators or ["SM.POP.NETM"], start=start,
                                   progress=False)


def _refresh(**options: Any) -> pd.DataFrame:
    """refresh() with a bad option: refused before anything is asked of the network."""
    from migdata import sources

    with mock.patch("migdata.sources.http.make_session", side_effect=AssertionError("network")):
        return sources.refresh("wdi", countries=["ARM"], **options)


def _check(condition: bool) -> None:
    """For a finding whose right answer is a value (a gap left NaN): a migdata error saying
    "checked" when it holds, so that the table below treats it like the others."""
    from migdata.errors import InvalidInputError

    if condition:
        raise InvalidInputError("checked")

#: finding -> (a call the outside tester found wrong, a regex its migdata error must match).
#: Every call must end in a migdata error; before the fixes each gave a value or a foreign
#: exception (or, for the C items, a misleading message).
OUTSIDE: dict[str, tuple[Callable[[], Any], str]] = {
    "A1 stock_change sex": (lambda: indicators.stock_change(
        _NO_SEX, origin="GEO", destination="RUS", sex="female"), "no column 'sex'.*female"),
    "A1 emigrant_stock sex": (lambda: indicators.emigrant_stock_by_destination(
        _NO_SEX, origin="GEO", year=2010, sex="female"), "no column 'sex'"),
    "A1 differences revision": (lambda: estimation.flows_from_stock_differences(
        _NO_SEX, revision=2024), "no column 'revision'.*2024"),
    "A1 bilateral_stock_table sex": (lambda: estimation.bilateral_stock_table(
        _NO_SEX.assign(year=2019).iloc[:1], pd.DataFrame({
            "country": ["GEO", "RUS"], "population": [3.7e6, 1.4e8]}), 2019, sex="xyz"),
        "no column 'sex'.*'xyz'"),
    "A1 migrant_share_from_totals sex": (lambda: indicators.migrant_share_from_totals(
        _totals().drop(columns=["sex"]), country="ARM", sex="female", revision=2019),
        "no column 'sex'.*'female'"),
    "A3 connectivity gap": (lambda: indicators.connectivity_indices(_FLOWS3.iloc[1:]),
                            "no row for 1 pair.*'A'->'B'"),
    "A5 ipf bool in list": (lambda: estimation.ipf(None, [True, 99], [40, 60]),
                            "row_totals holds True"),
    "A6 flows_from_net tol": (lambda: estimation.flows_from_net(_NETS3, tol=1e3),
                              "tol must be.*below 1.*1000"),
    "A6 ipf tol": (lambda: estimation.ipf(np.array([[1.0, 9], [9, 1]]), [30, 70], [40, 60],
                                          tol=5, max_iter=1), "tol must be.*got 5"),
    "A16 ipf_nway bool key": (lambda: estimation.ipf_nway(np.ones((2, 2)), {
        (True,): np.array([1.0, 3.0])}), r"key \(True,\)"),
    "A16 ipf_nway text key": (lambda: estimation.ipf_nway(np.ones((2, 2)), {
        "0": np.array([1.0, 3.0])}), "key '0'"),
    "B1 ipf tol None": (lambda: estimation.ipf(np.ones((2, 2)), [30, 70], [40, 60], tol=None),
                        "tol must be.*None"),
    "B1 ipf max_iter None": (lambda: estimation.ipf(np.ones((2, 2)), [30, 70], [40, 60],
                                                    max_iter=None), "max_iter.*None"),
    "B1 flows_from_net tol None": (lambda: estimation.flows_from_net(_NETS3, tol=None),
                                   "tol must be"),
    "B2 ipf3 negative shape": (lambda: estimation.ipf3(shape=(2, -2, 2)), "shape.*-2"),
    "B3 ipf_nway repeated axis": (lambda: estimation.ipf_nway(np.ones((2, 2)), {
        (0, 0): np.ones((2, 2))}), r"key \(0, 0\).*distinct"),
    "B3 ipf_nway int key": (lambda: estimation.ipf_nway(np.ones((2, 2)), {
        0: np.array([1.0, 3.0])}), "key 0 is not a tuple"),
    "B4 flows_from_net empty": (lambda: estimation.flows_from_net(pd.Series([], dtype=float)),
                                "net has 0 region"),
    "B5 categorical regions": (lambda: indicators.connectivity_indices(pd.DataFrame({
        "origin": pd.Categorical(["A", "B"], categories=list("ABC")),
        "destination": ["B", "A"], "flow": [30, 10]}).iloc[:1]), "no row for 1 pair"),
    "C1 ipf totals differ": (lambda: estimation.ipf(np.ones((2, 2)), [30, 70],
                                                    [40, 60.001]), "totals sum to"),
    "C2 negative distance": (lambda: indicators.distance_indices(
        _FLOWS3, _FLOWS3.rename(columns={"flow": "distance"}).assign(distance=-1.0)),
        "'distance' holds negative values"),
    "A4 no person-years over a gap": (lambda: _check(estimation.balancing_equation(
        pd.DataFrame({"year": [2002, 2014], "population": [4371500, 3713800]}),
        pd.DataFrame({"start": [2002], "end": [2014], "births": [1], "deaths": [1]}),
        periods=[(2002, 2010)])["person_years"].isna().all()), "checked"),
    "A8 od_matrix spaces": (lambda: estimation.od_matrix(pd.DataFrame({
        "origin": ["A", "A ", "B"], "destination": ["B", "B", "A"], "flow": [1.0, 3, 2]})),
        "'A' and 'A ' differ only by spaces"),
    "A8 od_matrix spaces across columns": (lambda: estimation.od_matrix(pd.DataFrame({
        "origin": ["A", "B"], "destination": ["B ", "A"], "flow": [1.0, 2]})),
        "'B' and 'B ' differ only by spaces"),
    "A9 wdi_wide one name twice": (lambda: indicators.wdi_wide(_WDI, {
        "SM.POP.NETM": "x", "SP.POP.TOTL": "x"}), r"same column name \['x'\]"),
    "A10 rates suffix empty": (lambda: indicators.rates_per_1000(
        pd.DataFrame({"year": [2020], "births": [10.0]}),
        pd.DataFrame({"year": [2020], "population": [1000.0]}), columns=["births"], suffix=""),
        "suffix must be non-empty"),
    "B6 effectiveness unknown option": (lambda: indicators.migration_effectiveness_index(
        _FLOWS3, foo="x"), r"unknown option.*\['foo'\]"),
    "B6 intensity unknown option": (lambda: indicators.crude_migration_intensity(
        _FLOWS3, _POP3, foo="x"), "unknown option"),
    "B6 crude rates unknown option": (lambda: indicators.crude_migration_rates(
        _FLOWS3, _POP3, foo=1), "unknown option"),
    "B7 wdi_wide name 'country'": (lambda: indicators.wdi_wide(_WDI, {
        "SM.POP.NETM": "country"}), "not 'country' or 'year'.*'country'"),
    "B7 wdi_wide name 'year'": (lambda: indicators.wdi_wide(_WDI, {"SM.POP.NETM": "year"}),
                                "got 'year'"),
    "C4 net_migration_rate names itself": (lambda: indicators.net_migration_rate(
        pd.DataFrame({"year": [2020], "net_migration": [5.0]}),
        pd.DataFrame({"year": [2020], "population": [0.0]})),
        r"^net_migration_rate\(population\)"),
    "A7 unknown wpp variant": (lambda: indicators.compare_sources(
        "GEO", sources=["wpp"], wpp_variants=["foo"]), r"wpp_variants: \['foo'\]"),
    "A11 non-ISO destination": (lambda: indicators.emigrant_stock_by_destination(pd.DataFrame({
        "year": [2010] * 3, "origin": ["GEO"] * 3, "destination": ["RUS", "UKR", "XXX"],
        "stock": [100.0, 50, 300]}), origin="GEO", year=2010), r"\['XXX'\].*not ISO3"),
    "A12 zero population": (lambda: estimation.bilateral_stock_table(
        pd.DataFrame({"year": [2019], "origin": ["GEO"], "destination": ["RUS"],
                      "stock": [100.0]}),
        pd.DataFrame({"country": ["GEO", "RUS"], "population": [0.0, 1.4e8]}), 2019),
        "positive population.*country='GEO'"),
    "A13 native stock in differences": (lambda: estimation.flows_from_stock_differences(
        _NO_SEX.assign(destination="GEO")), "living where they were born"),
    "A14 one label for both flows": (lambda: indicators.net_migration(pd.DataFrame({
        "year": [2000, 2000], "flow": ["immigrants", "emigrants"], "persons": [1, 2]}),
        emigrants="immigrants"), "both 'immigrants'"),
    "A15 negative age": (lambda: estimation.survival_ratio_net_migration(
        pd.Series({-10: 100.0, 0: 90}), pd.Series({-10: 100.0, 0: 90}),
        pd.Series({-10: 0.9, 0: 0.9})), r"age\(s\) \[-10\]"),
    "A17 unbalanced bars": (lambda: plot.balancing_decomposition(pd.DataFrame({
        "year": [2000], "population_change": [100.0], "natural_increase": [1.0],
        "net_migration": [3.0]}), source="test"), "population change 100 is not"),
    "A19 WDI country not asked": (lambda: _wdi([dict(r, countryiso3code="RUS")
                                                for r in _wdi_records()]), r"country \['RUS'\]"),
    "A19 WDI year not asked": (lambda: _wdi(_wdi_records(), start=2020),
                               r"year\(s\) \[2019\]"),
    "A19 WDI negative population": (lambda: _wdi(_pop_records(-5)), "0 or more"),
    "A19 WDI fractional population": (lambda: _wdi(_pop_records(3.5)), "not a whole"),
    "A19 WDI vintage null": (lambda: _wdi(_wdi_records(), lastupdated=None), "lastupdated"),
    "A19 UNHCR pair not asked": (lambda: _fetch("unhcr")([dict(
        _unhcr_records()[0], coo_iso="USA", coa_iso="CAN")]), "neither origin nor asylum"),
    "A19 portal indicator not asked": (lambda: _fetch("un_data_portal")([dict(
        r, indicatorId=999) for r in _portal_records()]), r"indicator_id \['999'\]"),
    "A19 portal iso3 and M49 disagree": (lambda: _fetch("un_data_portal")([dict(
        r, locationId=268) for r in _portal_records()]), "iso3 and locationId disagree"),
    "A19 refresh fallback text": (lambda: _refresh(fallback="no"), "fallback must be True"),
    "A19 refresh progress text": (lambda: _refresh(progress="no"), "progress must be True"),
    "A19 compare_sources data list": (lambda: indicators.compare_sources(
        "GEO", sources=["wpp"], data=[1]), "data must map"),
    "B8 to_frame(None)": (lambda: _concepts_module().to_frame(None), "list of Person"),
    "B9 chart source a number": (lambda: plot.rates_timeseries(_RATES, source=5),
                                 "source must name.*got 5"),
    "B14 WDI message text": (lambda: _wdi_payload([{"message": "oops"}]), "rejected.*oops"),
    "B14 WDI list of text": (lambda: _wdi_payload(["a", "b"]), "expected \\[page info"),
    "B15 WDI records not a list": (lambda: _wdi_payload([{"pages": 1}, 5]),
                                   "expected \\[page info"),
    "C3 boolean rate": (lambda: plot.rates_timeseries(_RATES.assign(
        net_migration_rate=[True, False]), source="test"), "true/false values; expected numbers$"),
    "C5 plain numbers": (lambda: estimation.flows_from_stocks(
        _SQ, _SQ, births=pd.Series({"A": 0.0, "B": 0.0}), deaths=pd.Series({"A": 50.0, "B": 0.0})),
        r"deaths in 'A' \(50\) exceed its population at the start of the period \(11\)"),
    "C9 births as a frame": (lambda: estimation.flows_from_stocks(
        _SQ, _SQ, births=pd.Series({"A": 0.0, "B": 0.0}).to_frame(),
        deaths=pd.Series({"A": 0.0, "B": 0.0})), "births must be a pandas Series.*DataFrame"),
    "C8 ipf bool total": (lambda: estimation.ipf(np.ones((2, 2)), [True, 70], [40, 60]),
                          "holds True.*true/false"),
}


def _outside(key: str) -> tuple[str, str]:
    """The outcome of one outside finding: ok, silent (a value), crash or misleading."""
    call, pattern = OUTSIDE[key]
    import re

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except MigdataError as exc:
        if re.search(pattern, str(exc)):
            return "ok", ""
        return "misleading", str(exc)
    except Exception as exc:  # a foreign exception is the finding
        return "crash", f"{type(exc).__name__}: {exc}"
    return "silent", repr(result)[:150]


@pytest.mark.parametrize("key", list(OUTSIDE))
def test_outside_fuzz_finding_is_refused(key: str) -> None:
    outcome, detail = _outside(key)
    assert outcome == "ok", f"{key}: {outcome}: {detail}"


def census() -> Counter[str]:
    """Every (case, target, damage) once, at row 0: counts by outcome, and the findings."""
    counts: Counter[str] = Counter()
    for name, target, kind in ALL_DAMAGES:
        outcome, detail = run(CASES[name], target, kind)
        counts[outcome] += 1
        if outcome != "ok":
            print(f"{outcome:10} {name:32} {'/'.join(target):28} {kind:16} {detail[:150]}")
    return counts


if __name__ == "__main__":
    totals = census()
    print(dict(totals), f"of {len(ALL_DAMAGES)} damaged calls")
    outside: Counter[str] = Counter()
    for key in OUTSIDE:
        outcome, detail = _outside(key)
        outside[outcome] += 1
        if outcome != "ok":
            print(f"{outcome:10} {key:32} {detail[:150]}")
    print(dict(outside), f"of {len(OUTSIDE)} outside fuzz findings")
    sys.exit(0)


# ------------------------------------------------------------------ outside parity trial (issue 23)


@pytest.mark.parametrize("func", ["net_matrix_entropy", "net_matrix_lp", "net_matrix_optim",
                                  "flows_from_net_l1", "flows_from_net_l2"])
@pytest.mark.parametrize("shape, mask, match", [
    ((0, 0), None, "0 region"),
    ((1, 1), None, "1 region"),
    ((4, 4), "all", "forbids every move"),
])
def test_net_functions_refuse_tables_without_moves_clearly(func, shape, mask, match) -> None:
    """Trial F4: an empty or 1 x 1 table, or a zero_mask that forbids every cell, ended in
    scipy's or numpy's ValueError."""
    from migdata.errors import InvalidInputError

    n = shape[0]
    m = np.ones(shape) - np.eye(n)
    zero_mask = np.ones(shape, dtype=bool) if mask == "all" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidInputError, match=match):
            getattr(estimation, func)(np.zeros(n), m, zero_mask)


def test_rescale_net_refuses_weights_of_zero_on_every_figure_of_one_sign() -> None:
    """Trial F4: w = 0 on all negative figures ended in a ZeroDivisionError (migest: Inf)."""
    from migdata.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="w is 0 on every negative figure"):
        estimation.rescale_net([30, -10, -10], w=[1, 0, 0], integer_result=False)
    with pytest.raises(InvalidInputError, match="w is 0 on every positive figure"):
        estimation.rescale_net([30, 10, -10], w=[0, 0, 1], integer_result=False)
    # a zero weight on some, not all, figures of a sign is fine
    out = estimation.rescale_net([30, -10, -10], w=[1, 1, 0], integer_result=False)
    assert np.isfinite(out).all()


# ------------------------------------------------------------------ outside parity re-trial (re23)


@pytest.mark.parametrize("integer_result", [True, False])
@pytest.mark.parametrize("w", [[0, 0, 0], [0, 0, 5]])
def test_rescale_net_refuses_weights_of_zero_on_every_non_zero_figure(w, integer_result) -> None:
    """Re-trial F1: w = 0 on every non-zero figure ended in a ZeroDivisionError (migest: an
    error or NaN)."""
    from migdata.errors import InvalidInputError

    x = [30, -10, -10] if w[2] == 0 else [30, -30, 0]
    with pytest.raises(InvalidInputError, match="w is 0 on every non-zero figure"):
        estimation.rescale_net(x, w=w, integer_result=integer_result)


@pytest.mark.parametrize("func", ["cm_net_tot", "flows_from_net_total"])
@pytest.mark.parametrize("n, seed", [(0, "zeros"), (0, None), (1, "zeros"), (1, "five"),
                                     (1, None)])
def test_net_total_functions_refuse_fewer_than_two_regions(func, n, seed) -> None:
    """Re-trial F2: cm_net_tot ended in a ZeroDivisionError for a 0 x 0 or 1 x 1 table of 0s,
    and it and flows_from_net_total put the whole total on the diagonal of a 1 x 1 table, where
    the other net functions refuse it."""
    from migdata.errors import InvalidInputError

    m = None if seed is None else (np.zeros((n, n)) if seed == "zeros" else np.full((n, n), 5.0))
    with pytest.raises(InvalidInputError, match=f"{n} region"):
        getattr(estimation, func)(np.zeros(n), 10.0, m)
