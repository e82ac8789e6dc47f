"""Net migration, crude rates per 1,000 mid-year population and the demographic balancing equation.

Every function takes the tidy frames of :mod:`migdata.datasets` (or frames shaped like them) and
returns a new DataFrame; the inputs are never modified. Gaps are never filled: a missing
figure stays ``NaN`` and so does anything computed from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import (
    as_names,
    as_years,
    join,
    key_columns,
    known_options,
    label_column,
    numeric_column,
    require_columns,
    require_frame,
    require_known_labels,
    require_positive,
    require_unique,
    year_column,
)
from ..countries import to_iso3
from ..errors import InvalidInputError, UnknownValueError

__all__ = [
    "GEOSTAT_POPULATION_BREAKS",
    "balancing_equation",
    "crude_migration_rates",
    "mid_year_population",
    "net_migration",
    "net_migration_rate",
    "rates_per_1000",
    "wdi_wide",
]

#: Years whose 1 January population of Georgia (Geostat) is not comparable with the year
#: before: 2025 onward rests on the 2024 census, 2024 and earlier on pre-census estimates.
GEOSTAT_POPULATION_BREAKS: tuple[int, ...] = (2025,)

_KEY_CANDIDATES = ("country", "year", "sex", "citizenship", "variant", "revision")
_REFERENCES = ("1 January", "mid-year")


def _keys(data: pd.DataFrame, by: Sequence[str] | None, exclude: Iterable[str]) -> list[str]:
    require_frame(data, "the input table")
    if by is not None:
        return as_names(by, "by", "['country', 'year']") or []
    skip = set(exclude)
    return [c for c in _KEY_CANDIDATES if c in data.columns and c not in skip]


def _unique_or_error(data: pd.DataFrame, keys: list[str], what: str) -> None:
    require_unique(
        data, keys, what, "filter it first (e.g. sex='total') or name the identifying columns "
        "with by=[...]",
    )


def _with_next_year(frame: pd.DataFrame, groups: list[str], value: str, name: str) -> pd.DataFrame:
    """``frame`` with column ``name``: ``value`` of the same group in the following year.

    The last year of a group, or a year whose successor is absent, gets ``NaN``.
    """
    following = frame[[*groups, "year", value]].assign(year=frame["year"] - 1)
    return frame.merge(following.rename(columns={value: name}), on=[*groups, "year"], how="left")


def _straddles_break(years: pd.Series, series_breaks: Iterable[int]) -> pd.Series:
    """True for year *Y-1* of each break *Y*: its 1 January pair mixes two population bases."""
    return years.isin({int(y) - 1 for y in series_breaks})


def net_migration(
    flows: pd.DataFrame,
    *,
    flow_col: str = "flow",
    value_col: str = "persons",
    immigrants: str = "immigrants",
    emigrants: str = "emigrants",
    by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Net migration as immigrants minus emigrants, from a tidy flow table.

    Parameters
    ----------
    flows : DataFrame
        Long table with one row per flow and group, e.g.
        ``migdata.datasets.load("geostat_migration")`` (year, flow, sex, citizenship, persons).
    flow_col, value_col : str
        Column naming the direction of the flow and column holding the count.
    immigrants, emigrants : str
        The two values of ``flow_col`` to subtract.
    by : sequence of str, optional
        Columns identifying a group. Default: those of country, year, sex, citizenship,
        variant and revision present in ``flows``.

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``immigrants``, ``emigrants`` and ``net_migration`` (same unit as
        ``value_col``). A group lacking one of the two flows gets ``NaN``: nothing is filled in.

    Raises
    ------
    MissingColumnsError
        If a needed column is absent.
    InvalidInputError
        If a group has several rows for one flow (filter first, e.g. by sex).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"year": [2020, 2020], "flow": ["immigrants", "emigrants"],
    ...                   "persons": [100, 130]})
    >>> net_migration(f)["net_migration"].tolist()
    [-30.0]
    """
    keys = _keys(flows, by, exclude=(flow_col, value_col))
    require_columns(flows, [*keys, flow_col, value_col], "net_migration(flows)")
    if not keys:
        raise InvalidInputError("net_migration needs at least one identifying column, e.g. year")
    what = "net_migration(flows)"
    for name, label in (("immigrants", immigrants), ("emigrants", emigrants)):
        if not isinstance(label, str) or not label:
            raise InvalidInputError(
                f"{name} must be the text label of those rows in column {flow_col!r}, got "
                f"{label!r}")
    if immigrants == emigrants:
        raise InvalidInputError(
            f"immigrants and emigrants are both {immigrants!r}; expected two different labels "
            f"of column {flow_col!r} (one flow cannot be both)")
    label_column(flows, flow_col, what, [*keys, flow_col])
    require_known_labels(flows[flow_col], [immigrants, emigrants], what, flow_col)
    rows = flows[flows[flow_col].isin([immigrants, emigrants])]
    rows = key_columns(rows, keys, what)
    rows[value_col] = numeric_column(rows, value_col, what, [*keys, flow_col], persons=True)
    if (rows[value_col] < 0).any():
        bad = rows.loc[rows[value_col] < 0, [*keys, flow_col, value_col]].head(3)
        raise InvalidInputError(
            f"{what}: column {value_col!r} counts persons but holds negative figures, e.g. "
            f"{bad.to_dict('records')}; immigrants and emigrants are 0 or more"
        )
    _unique_or_error(rows, [*keys, flow_col], what)
    wide = rows.pivot(index=keys, columns=flow_col, values=value_col)  # noqa: PD010
    wide = wide.reindex(columns=[immigrants, emigrants]).astype("float64")
    wide.columns = ["immigrants", "emigrants"]
    wide["net_migration"] = wide["immigrants"] - wide["emigrants"]
    return wide.reset_index().rename_axis(columns=None)


def mid_year_population(
    population: pd.DataFrame,
    *,
    reference: str = "1 January",
    value_col: str = "population",
    by: Sequence[str] | None = None,
    series_breaks: Iterable[int] = (),
) -> pd.DataFrame:
    """The mid-year population used as the denominator of crude rates.

    Parameters
    ----------
    population : DataFrame
        Columns ``year`` and ``value_col``, plus optional group columns (country, sex...).
    reference : {"1 January", "mid-year"}
        What the source counts. With ``"1 January"`` (e.g. Geostat), the mid-year population of
        year *t* is the **mean of the 1 January populations of t and t+1**, the usual
        approximation of the person-years lived in *t*; the last year has no *t+1* and gets
        ``NaN``. With ``"mid-year"`` (e.g. World Bank WDI ``SP.POP.TOTL``, which is a mid-year
        estimate) the values are used as they are.
    value_col : str
        Column with the population in persons (``population`` in ``geostat_population``).
    by : sequence of str, optional
        Group columns; default: country, sex... present in the frame.
    series_breaks : iterable of int
        Years *Y* whose 1 January figure is not comparable with that of *Y-1* (a new census
        base). The mean straddling a break (year *Y-1*) is set to ``NaN`` rather than mixing
        two bases. For Georgia use :data:`GEOSTAT_POPULATION_BREAKS`.

    Returns
    -------
    DataFrame
        Group columns, ``year``, ``population`` (mid-year, persons) and ``reference`` (text saying
        how it was obtained). Missing years stay missing; nothing is interpolated.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2020, 2021, 2022], "population": [1000, 1010, 1030]})
    >>> mid_year_population(p)["population"].tolist()
    [1005.0, 1020.0, nan]
    """
    if not isinstance(reference, str) or reference not in _REFERENCES:
        raise InvalidInputError(f"reference must be one of {list(_REFERENCES)}, got {reference!r}")
    series_breaks = as_years(series_breaks, "series_breaks")
    groups = [k for k in _keys(population, by, exclude=("year", value_col)) if k != "year"]
    require_columns(population, [*groups, "year", value_col], "mid_year_population(population)")
    population = key_columns(population, [*groups, "year"], "mid_year_population(population)")
    _unique_or_error(population, [*groups, "year"], "mid_year_population(population)")
    what = "mid_year_population(population)"
    frame = population[[*groups, "year", value_col]].rename(columns={value_col: "_value"})
    frame["year"] = year_column(population, what)
    frame["_value"] = require_positive(population, value_col, what, [*groups, "year"])
    if reference == "mid-year":
        out = frame.rename(columns={"_value": "population"})
        out["reference"] = "mid-year estimate as published"
        return out.sort_values([*groups, "year"], ignore_index=True)
    out = _with_next_year(frame, groups, "_value", "_next")
    out["population"] = (out["_value"] + out["_next"]) / 2
    out.loc[_straddles_break(out["year"], series_breaks), "population"] = np.nan
    out["reference"] = "mean of 1 January of the year and of the next year"
    out = out.drop(columns=["_value", "_next"])
    return out.sort_values([*groups, "year"], ignore_index=True)


def rates_per_1000(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    columns: Sequence[str],
    population_col: str = "population",
    on: Sequence[str] | None = None,
    suffix: str = "_rate",
) -> pd.DataFrame:
    """Divide event counts by a population and multiply by 1,000.

    Parameters
    ----------
    counts : DataFrame
        Counts for a year (events during the year), e.g. from :func:`net_migration`.
    population : DataFrame
        Mid-year population (persons) in ``population_col``, e.g. from
        :func:`mid_year_population`. A rate uses the population exposed during the year, so give a
        mid-year figure, not a 1 January one.
    columns : sequence of str
        Count columns to turn into rates; each gets a new column ``<name><suffix>``.
    on : sequence of str, optional
        Join columns; default: those of country, year and sex present in both frames.

    Returns
    -------
    DataFrame
        ``counts`` with ``population`` and the rate columns (per 1,000):
        ``<name>_rate = 1000 * <name> / population``. A ``population`` column already in
        ``counts`` is replaced by the one from ``population``. Rows without a matching
        population get ``NaN`` rates; none is dropped.

    Raises
    ------
    InvalidInputError
        If a population is zero, negative or infinite (a rate per 0 persons does not exist;
        the message names the rows), or a count is not a finite number.
    """
    return _rates_per_1000(counts, population, columns=columns, population_col=population_col,
                           on=on, suffix=suffix, name="rates_per_1000")


def _rates_per_1000(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    columns: Sequence[str],
    population_col: str,
    on: Sequence[str] | None,
    suffix: str,
    name: str,
) -> pd.DataFrame:
    """:func:`rates_per_1000`, its errors naming the public function ``name`` called."""
    if isinstance(columns, str):
        columns = [columns]
    require_columns(counts, columns, f"{name}(counts)")
    columns = list(columns)
    if not isinstance(suffix, str) or not suffix:
        raise InvalidInputError(
            f"suffix must be non-empty text such as '_rate', got {suffix!r}: the rate would "
            "overwrite the count")
    clash = [f"{c}{suffix}" for c in columns
             if f"{c}{suffix}" in counts.columns or f"{c}{suffix}" == "population"]
    if clash:
        raise InvalidInputError(
            f"{name}: the rate column(s) {clash} already exist in counts; choose another suffix "
            "(a column is never overwritten)")
    require_columns(population, [population_col], f"{name}(population)")
    on = as_names(on, "on")
    if on is None:
        on = [c for c in ("country", "year", "sex") if c in counts and c in population]
    if not on:
        raise InvalidInputError(f"{name} needs a join column such as year in both frames")
    require_columns(counts, on, f"{name}(counts)")
    require_columns(population, on, f"{name}(population)")
    counts = key_columns(counts, on, f"{name}(counts)")
    population = key_columns(population, on, f"{name}(population)")
    _unique_or_error(population, on, f"{name}(population)")
    count_keys = [*on, *(c for c in _KEY_CANDIDATES[2:] if c in counts.columns and c not in on)]
    _unique_or_error(counts, count_keys, f"{name}(counts)")
    for column, whole in (("sex", "total"), ("citizenship", "all")):
        if column in counts.columns and column not in on:
            parts = sorted(set(counts[column].dropna().astype(str)) - {whole})
            if parts:
                raise InvalidInputError(
                    f"counts are split by {column} ({parts}) but the population is not: keep "
                    f"{column}={whole!r} rows, or give a population with a {column} column"
                )
    positive = require_positive(population, population_col, f"{name}(population)", on)
    for col in columns:
        numeric_column(counts, col, f"{name}(counts)", on, persons=True)
    pop = population[[*on]].assign(population=positive)
    left = counts.drop(columns=["population"], errors="ignore")
    out = join(left, pop, on, name, how="left", validate="many_to_one")
    for col in columns:
        values = pd.to_numeric(out[col].astype(object), errors="coerce").astype("float64")
        out[f"{col}{suffix}"] = values / out["population"] * 1000
    return out


def net_migration_rate(
    net: pd.DataFrame,
    population: pd.DataFrame,
    *,
    net_col: str = "net_migration",
    population_col: str = "population",
    on: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Net migration rate per 1,000 mid-year population.

    ``net_migration_rate = 1000 * net_migration / mid-year population``. The denominator must be
    a mid-year population: WDI ``SP.POP.TOTL`` is one as published; for a source giving
    1 January populations (Geostat) use :func:`mid_year_population`, which averages two
    consecutive 1 January figures.

    Parameters
    ----------
    net : DataFrame
        Net migration (persons) in ``net_col``, e.g. from :func:`net_migration`.
    population : DataFrame
        Mid-year population (persons) in ``population_col``.
    net_col, population_col : str
        Column names.
    on : sequence of str, optional
        Join columns; default: those of country, year and sex present in both frames.

    Returns
    -------
    DataFrame
        ``net`` with ``population`` and ``net_migration_rate`` (per 1,000). Missing inputs give
        ``NaN``.

    Examples
    --------
    >>> import pandas as pd
    >>> n = pd.DataFrame({"year": [2020], "net_migration": [-50]})
    >>> p = pd.DataFrame({"year": [2020], "population": [10_000]})
    >>> net_migration_rate(n, p)["net_migration_rate"].tolist()
    [-5.0]
    """
    out = _rates_per_1000(net, population, columns=[net_col], population_col=population_col,
                          on=on, suffix="_rate", name="net_migration_rate")
    return out.rename(columns={f"{net_col}_rate": "net_migration_rate"})


def crude_migration_rates(
    flows: pd.DataFrame,
    population: pd.DataFrame,
    *,
    on: Sequence[str] | None = None,
    **net_migration_kwargs: object,
) -> pd.DataFrame:
    """Crude immigration, emigration and net migration rates per 1,000 mid-year population.

    For year *t*, with *P(t)* the mid-year population (the person-years lived in *t*):

    * ``immigration_rate = 1000 * immigrants(t) / P(t)``
    * ``emigration_rate = 1000 * emigrants(t) / P(t)``
    * ``net_migration_rate = 1000 * (immigrants(t) - emigrants(t)) / P(t)``, which equals
      ``immigration_rate - emigration_rate``.

    The counts are events during the year; the denominator is the population exposed during
    that year, so a 1 January population must first be turned into a mid-year one with
    :func:`mid_year_population` (mean of 1 January *t* and 1 January *t+1*). Counts and
    population must cover the same territory and people: counts split by sex or citizenship
    need a population split the same way (else an error).

    Parameters
    ----------
    flows : DataFrame
        Long flow table as for :func:`net_migration` (keyword arguments are passed on to it).
    population : DataFrame
        Mid-year population in a ``population`` column (see :func:`mid_year_population`).

    Returns
    -------
    DataFrame
        Group columns, immigrants, emigrants, net_migration, population, immigration_rate,
        emigration_rate and net_migration_rate (per 1,000 mid-year population).
    """
    known_options(net_migration_kwargs, net_migration, "crude_migration_rates",
                  skip=("flows",))
    wide = net_migration(flows, **net_migration_kwargs)  # type: ignore[arg-type]
    out = _rates_per_1000(
        wide, population, columns=["immigrants", "emigrants", "net_migration"],
        population_col="population", on=on, suffix="_rate", name="crude_migration_rates",
    )
    return out.rename(
        columns={"immigrants_rate": "immigration_rate", "emigrants_rate": "emigration_rate"}
    )


def balancing_equation(
    population: pd.DataFrame,
    natural_increase: pd.DataFrame,
    *,
    value_col: str = "population",
    natural_increase_col: str = "natural_increase",
    on: Sequence[str] | None = None,
    series_breaks: Iterable[int] = (),
) -> pd.DataFrame:
    """Net migration as the residual of the demographic balancing equation.

    ``P(t+1) = P(t) + births - deaths + net migration``, so for calendar year *t*
    ``net migration = [P(1 Jan t+1) - P(1 Jan t)] - natural increase(t)``.

    Caveats, to read before using the residual:

    * The residual collects every error of the other terms: census corrections, registration
      delays, under-registered births or deaths and changes of territory all end up in it.
    * A population series with a break (a new census base, such as Geostat's 1 January 2025
      figure built on the 2024 census while 2024 and earlier rest on pre-census estimates)
      produces a residual that mostly measures the revision. Pass the break years in
      ``series_breaks``: the residual across a break is set to ``NaN``.
    * No natural-increase series is bundled with migdata: the caller supplies it (births minus
      deaths for the same territory and years) from the national statistical office.

    Parameters
    ----------
    population : DataFrame
        1 January populations: ``year`` and ``value_col`` (persons), optional group columns,
        e.g. ``migdata.datasets.load("geostat_population")``.
    natural_increase : DataFrame
        ``year`` and ``natural_increase_col`` (births minus deaths during the year, persons).
    on : sequence of str, optional
        Join columns; default: country and year where present in both.
    series_breaks : iterable of int
        Years *Y* whose 1 January population is not comparable with that of *Y-1*.

    Returns
    -------
    DataFrame
        Group columns, ``year``, ``population_start`` (1 Jan t), ``population_end``
        (1 Jan t+1), ``population_change``, ``natural_increase`` and ``net_migration``
        (the residual). Missing terms give ``NaN``; nothing is filled in.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2020, 2021], "population": [1000, 1012]})
    >>> ni = pd.DataFrame({"year": [2020], "natural_increase": [5]})
    >>> balancing_equation(p, ni)["net_migration"].tolist()   # 2021 has no 1 Jan 2022
    [7.0, nan]
    """
    series_breaks = as_years(series_breaks, "series_breaks")
    on = as_names(on, "on")
    groups = [k for k in _keys(population, None, exclude=("year", value_col)) if k != "year"]
    require_columns(population, [*groups, "year", value_col], "balancing_equation(population)")
    population = key_columns(population, [*groups, "year"], "balancing_equation(population)")
    require_columns(
        natural_increase, ["year", natural_increase_col], "balancing_equation(natural_increase)"
    )
    _unique_or_error(population, [*groups, "year"], "balancing_equation(population)")
    frame = population[[*groups, "year", value_col]].copy()
    frame["year"] = year_column(population, "balancing_equation(population)")
    frame = frame.rename(columns={value_col: "population_start"})
    frame["population_start"] = require_positive(
        population, value_col, "balancing_equation(population)", [*groups, "year"]
    )
    out = _with_next_year(frame, groups, "population_start", "population_end")
    out["population_change"] = out["population_end"] - out["population_start"]
    out.loc[_straddles_break(out["year"], series_breaks), "population_change"] = np.nan
    if on is None:
        on = [c for c in ("country", "year") if c in out and c in natural_increase]
    require_columns(natural_increase, on, "balancing_equation(natural_increase)")
    natural_increase = key_columns(natural_increase, on, "balancing_equation(natural_increase)")
    ni = natural_increase[[*on, natural_increase_col]].copy()
    ni["year"] = year_column(natural_increase, "balancing_equation(natural_increase)")
    ni[natural_increase_col] = numeric_column(
        natural_increase, natural_increase_col, "balancing_equation(natural_increase)", on,
        persons=True,
    )
    _unique_or_error(ni, on, "balancing_equation(natural_increase)")
    ni = ni.rename(columns={natural_increase_col: "natural_increase"})
    out = join(out, ni, on, "balancing_equation", how="left", validate="one_to_one")
    out["natural_increase"] = out["natural_increase"].astype("float64")
    out["net_migration"] = out["population_change"] - out["natural_increase"]
    return out.sort_values([*groups, "year"], ignore_index=True)


def wdi_wide(
    wdi: pd.DataFrame,
    indicators: Mapping[str, str],
    *,
    countries: Iterable[str] | None = ("ARM", "AZE", "GEO"),
) -> pd.DataFrame:
    """WDI indicators as named columns, one row per country and year.

    Parameters
    ----------
    wdi : DataFrame
        ``migdata.datasets.load("wdi")`` (country, year, indicator, value) or a refreshed copy.
    indicators : mapping of str to str
        WDI code -> column name, e.g. ``{"SM.POP.NETM": "net_migration",
        "SP.POP.TOTL": "population"}``. SP.POP.TOTL is a mid-year estimate, the right
        denominator for :func:`net_migration_rate`.
    countries : iterable of str, optional
        Countries to keep (any form :func:`migdata.countries.to_iso3` accepts); None keeps all.

    Returns
    -------
    DataFrame
        ``country``, ``year`` and one column per indicator. A country-year lacking an indicator
        has ``NaN`` there.

    Raises
    ------
    UnknownCountryError, UnknownValueError
        For a name that is not a country, or a country or indicator code absent from the data.
    """
    what = "wdi_wide(wdi)"
    require_columns(wdi, ["country", "year", "indicator", "value"], what)
    if not isinstance(indicators, Mapping) or not indicators:
        raise InvalidInputError(
            f"indicators must map WDI codes to column names, e.g. {{'SM.POP.NETM': "
            f"'net_migration'}}, got {indicators!r}"
        )
    names = list(indicators.values())
    for name in names:
        if not isinstance(name, str) or not name or name in ("country", "year"):
            raise InvalidInputError(
                f"indicators: each WDI code needs a column name of its own (text, not 'country' "
                f"or 'year'), got {name!r} in {dict(indicators)!r}"
            )
    if len(set(names)) < len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise InvalidInputError(
            f"indicators gives two WDI codes the same column name {repeated}; expected one "
            f"name per code, got {dict(indicators)!r}"
        )
    if isinstance(countries, str):
        countries = [countries]
    if countries is not None and not isinstance(countries, Iterable):
        raise InvalidInputError(f"countries must be a list of countries or None, got {countries!r}")
    present = set(wdi["indicator"].dropna().unique())
    missing = [code for code in indicators if code not in present]
    if missing:
        raise UnknownValueError(
            f"{what} has no indicator {missing}; indicators present: {sorted(present)}"
        )
    rows = wdi[wdi["indicator"].isin(list(indicators))]
    rows = key_columns(rows, ["country", "year", "indicator"], what)
    if countries is not None:
        codes = [to_iso3(c) for c in countries]
        absent = [c for c in codes if c not in set(rows["country"])]
        if absent:
            raise UnknownValueError(f"{what} has no rows for country {absent}")
        rows = rows[rows["country"].isin(codes)]
    _unique_or_error(rows, ["country", "year", "indicator"], what)
    rows = rows.assign(value=numeric_column(rows, "value", what, ["country", "year", "indicator"]))
    people = rows["indicator"].astype(str).str.match(r"S[MP]\.POP\.")  # counts of persons
    numeric_column(rows[people], "value", what, ["country", "year", "indicator"], persons=True)
    wide = rows.pivot(index=["country", "year"], columns="indicator", values="value")  # noqa: PD010
    wide = wide.reindex(columns=list(indicators)).rename(columns=dict(indicators))
    return wide.astype("float64").reset_index().rename_axis(columns=None)
