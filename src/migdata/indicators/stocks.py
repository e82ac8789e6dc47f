"""Migrant stock measures: emigrant stock by destination, shares, top-N, change over time,
migrant share of the population.

The input is the UN DESA origin-by-destination matrix as a tidy frame
(``migdata.datasets.load("un_migrant_stock")``: revision, year, origin, destination, sex, stock,
ISO3 codes). A stock counts people *living* in the destination who were *born* (or, for some
countries, are citizens of) the origin, on a reference date; it is not a flow.

Figures of different UN revisions (2019, 2020...) are never combined: a frame holding several
revisions must be narrowed with ``revision=``. Missing cells stay ``NaN``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import (
    as_names,
    as_periods,
    as_year,
    check_frame,
    join,
    key_columns,
    label_column,
    numeric_column,
    require_columns,
    require_nonnegative,
    require_positive,
    require_single,
    require_unique,
    require_years,
    select_country,
)
from ..countries import to_iso3
from ..errors import InvalidInputError

__all__ = [
    "OTHER",
    "emigrant_stock_by_destination",
    "migrant_share",
    "migrant_share_from_totals",
    "stock_change",
]

#: Label of the row that sums the destinations outside the top N.
OTHER = "Other destinations"

#: Revisions whose curated rows cover only some destinations of an origin (see the caveats of
#: ``describe("un_migrant_stock")``): totals and shares over destinations would be wrong.
PARTIAL_REVISIONS = {"2024": "Revision 2024 is a partial extract: Armenia, Azerbaijan and "
                     "Georgia appear as origins in only a few destinations"}

_STOCK_COLUMNS = ("year", "origin", "destination", "stock")


def _narrow(
    stock: pd.DataFrame, what: str, revision: str | int | None, sex: str | None
) -> tuple[pd.DataFrame, object]:
    require_columns(stock, _STOCK_COLUMNS, what)
    if sex is not None and not isinstance(sex, str):
        raise InvalidInputError(f"sex must be a value of the sex column such as 'total' or "
                                f"None, got {sex!r}")
    stock = check_frame(stock, what, years=["year"], counts=["stock"])
    rows, rev = require_single(stock, "revision", what, revision)
    rows, _ = require_single(rows, "sex", what, sex, absent="total")
    require_unique(rows, ["year", "origin", "destination"], what,
                   "each origin, destination and year needs one figure (filter sex, revision)")
    return rows, rev


def emigrant_stock_by_destination(
    stock: pd.DataFrame,
    origin: str,
    *,
    year: int,
    revision: str | int | None = None,
    sex: str | None = "total",
    top: int | None = None,
) -> pd.DataFrame:
    """Where the emigrants of one country live: stock by country of destination, with shares.

    Parameters
    ----------
    stock : DataFrame
        Tidy origin-by-destination stock table (columns year, origin, destination, stock; and
        revision, sex when present).
    origin : str
        Country of origin (any form :func:`migdata.countries.to_iso3` accepts).
    year : int
        Reference year (must be present).
    revision : str or int, optional
        UN revision to use; required when the frame holds more than one.
    sex : str, optional
        Value of the ``sex`` column to keep (default ``"total"``).
    top : int, optional
        Keep the ``top`` largest destinations and add one row :data:`OTHER` summing the rest.

    Returns
    -------
    DataFrame
        Columns ``destination``, ``stock`` (persons), ``share`` (percent of the emigrant stock
        with a known destination country) and ``rank`` (1 = largest), sorted by stock, largest
        first.
        ``attrs`` records origin, year, revision and the number of destinations with a missing
        figure.

    Notes
    -----
    The share's denominator is the sum over destination *countries* that have a figure.
    Destinations whose cell is missing keep ``NaN`` stock and share (they are not treated as
    zero) and are not in the denominator; with ``top`` they are left out of the ranking and
    only counted in ``attrs["destinations_missing"]``. Unknown destinations and regional
    aggregates are not rows of the country-to-country table, so they are not counted either.

    Raises
    ------
    UnknownCountryError
        If ``origin`` is not a country.
    UnknownValueError
        If the origin or year is absent (the message lists what is available).
    InvalidInputError
        If the frame mixes revisions, or the revision is a partial extract
        (:data:`PARTIAL_REVISIONS`).
    """
    what = "emigrant_stock_by_destination(stock)"
    rows, rev = _narrow(stock, what, revision, sex)
    if str(rev) in PARTIAL_REVISIONS:
        raise InvalidInputError(
            f"{what}: {PARTIAL_REVISIONS[str(rev)]}, so shares of the emigrant stock cannot be "
            f"computed from revision {rev}; use revision=2019, or compare single "
            "origin-destination pairs with stock_change()"
        )
    rows = select_country(rows, origin, "origin", what)
    year = as_year(year, "year")
    require_years(rows, [year], what)
    rows = rows[rows["year"] == year]
    label_column(rows, "destination", what, ["year", "origin", "destination"])
    _require_country_codes(rows["destination"], what, "destination")
    rows = rows[rows["destination"] != rows["origin"]]
    out = (
        rows[["destination", "stock"]]
        .astype({"stock": "float64"})
        .sort_values("stock", ascending=False, na_position="last", ignore_index=True)
    )
    total = out["stock"].sum(min_count=1)
    n_missing = int(out["stock"].isna().sum())
    if top is not None:
        if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
            raise InvalidInputError(f"top must be a positive integer, got {top!r}")
        known = out.dropna(subset=["stock"])
        head, rest = known.iloc[:top], known.iloc[top:]
        if len(rest):
            other = pd.DataFrame({"destination": [OTHER], "stock": [rest["stock"].sum()]})
            head = pd.concat([head, other], ignore_index=True)
        out = head
    out["share"] = out["stock"] / total * 100
    out["rank"] = range(1, len(out) + 1)
    if top is not None and len(out) and out["destination"].iloc[-1] == OTHER:
        out.loc[out.index[-1], "rank"] = pd.NA
    out["rank"] = out["rank"].astype("Int64")
    out.attrs.update(
        {
            "origin": to_iso3(origin),
            "year": int(year),
            "revision": rev,
            "sex": sex,
            "destinations_missing": n_missing,
            "unit": "persons",
        }
    )
    return out


def _require_country_codes(labels: pd.Series, what: str, column: str) -> None:
    """Refuse a label that is not an ISO3 country code ("XXX", "World", an unknown place): the
    shares are of the stock in destination countries, so such a row cannot be counted."""
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    bad = sorted({str(v) for v in labels.dropna().unique() if v not in codes})
    if bad:
        raise InvalidInputError(
            f"{what}: column {column!r} holds {bad[:5]}, which are not ISO3 country codes; "
            "expected destination countries only (drop unknown places and aggregates first: "
            "they are not counted in the shares)"
        )


def stock_change(
    stock: pd.DataFrame,
    *,
    origin: str,
    destination: str,
    periods: Sequence[tuple[int, int]] | None = None,
    revision: str | int | None = None,
    sex: str | None = "total",
) -> pd.DataFrame:
    """Change of one origin-destination stock between reference years, per period.

    Parameters
    ----------
    stock : DataFrame
        Tidy origin-by-destination stock table.
    origin, destination : str
        Countries (any form :func:`migdata.countries.to_iso3` accepts).
    periods : sequence of (start, end), optional
        E.g. ``[(1990, 2000), (2000, 2010), (2010, 2019)]``. Default: each pair of consecutive
        reference years present.
    revision, sex
        As in :func:`emigrant_stock_by_destination`.

    Returns
    -------
    DataFrame
        ``start``, ``end``, ``stock_start``, ``stock_end``, ``change`` (persons),
        ``change_per_year`` (change divided by the number of years) and ``percent_change``.
        A missing stock gives ``NaN``; no value is interpolated.

    Raises
    ------
    UnknownValueError
        If a year of a period is absent (the message lists the available years).
    """
    what = "stock_change(stock)"
    rows, rev = _narrow(stock, what, revision, sex)
    rows = select_country(rows, origin, "origin", what)
    rows = select_country(rows, destination, "destination", what)
    series = rows.groupby("year")["stock"].agg(lambda s: s.astype("float64").sum(min_count=1))
    years = sorted(int(y) for y in series.index)
    periods = as_periods(periods, years)
    for a, b in periods:
        if b <= a:
            raise InvalidInputError(f"a period must end after it starts, got ({a}, {b})")
    require_years(rows, [y for p in periods for y in p], what)
    out = pd.DataFrame(periods, columns=["start", "end"])
    out["stock_start"] = out["start"].map(series).astype("float64")
    out["stock_end"] = out["end"].map(series).astype("float64")
    out["change"] = out["stock_end"] - out["stock_start"]
    out["change_per_year"] = out["change"] / (out["end"] - out["start"])
    from_zero = (out["stock_start"] == 0).to_numpy()
    out["percent_change"] = out["change"] / out["stock_start"].where(~from_zero) * 100
    if from_zero.any():
        starts = out.loc[from_zero, ["start", "end"]].to_dict("records")
        warnings.warn(
            f"stock_change: the stock is 0 at the start of period(s) {starts}; a percent change "
            "from 0 does not exist, so percent_change is NaN there (change is still given)",
            UserWarning,
            stacklevel=2,
        )
    out.attrs.update(
        {"origin": to_iso3(origin), "destination": to_iso3(destination), "revision": rev}
    )
    return out


def migrant_share(
    stock: pd.DataFrame,
    population: pd.DataFrame,
    *,
    stock_col: str = "stock",
    population_col: str = "population",
    on: Sequence[str] | None = None,
) -> pd.DataFrame:
    """International migrant stock as a percentage of the total population.

    Both figures must refer to the same date and the same unit (persons): convert a population
    published in thousands first. ``share = 100 * stock / population``.

    Parameters
    ----------
    stock : DataFrame
        Migrant stock (persons) in ``stock_col`` with join columns such as country and year.
    population : DataFrame
        Total population (persons) in ``population_col``, one row per join key.
    stock_col, population_col : str
        Column names.
    on : sequence of str, optional
        Join columns; default: those of country, year and revision present in both.

    Returns
    -------
    DataFrame
        ``stock`` joined with ``population_col`` and a ``migrant_share`` column (percent). Rows
        without a population get ``NaN``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"country": ["AAA"], "year": [2000], "stock": [50]})
    >>> p = pd.DataFrame({"country": ["AAA"], "year": [2000], "population": [1000]})
    >>> migrant_share(s, p)["migrant_share"].tolist()
    [5.0]
    """
    require_columns(stock, [stock_col], "migrant_share(stock)")
    require_columns(population, [population_col], "migrant_share(population)")
    on = as_names(on, "on", "['country', 'year']")
    if on is None:
        on = [c for c in ("country", "year", "revision") if c in stock and c in population]
    if not on:
        raise InvalidInputError("migrant_share needs join columns such as country and year")
    require_columns(stock, on, "migrant_share(stock)")
    require_columns(population, on, "migrant_share(population)")
    stock = key_columns(stock, on, "migrant_share(stock)")
    population = key_columns(population, on, "migrant_share(population)")
    require_unique(population, on, "migrant_share(population)")
    stock_keys = [*on, *(c for c in ("sex", "variant", "revision") if c in stock.columns
                         and c not in on)]
    require_unique(stock, stock_keys, "migrant_share(stock)")
    stocks = require_nonnegative(stock, stock_col, "migrant_share(stock)", on)
    pop = population[[*on]].assign(
        **{population_col: require_positive(population, population_col,
                                            "migrant_share(population)", on)}
    )
    out = stock.drop(columns=[population_col], errors="ignore").assign(_stock=stocks)
    out = join(out, pop, on, "migrant_share", how="left", validate="many_to_one")
    share = out["_stock"] / out[population_col] * 100
    impossible = (share > 100).to_numpy()
    if impossible.any():
        rows = out.loc[impossible, [*on, stock_col, population_col]].head(3).to_dict("records")
        raise InvalidInputError(
            f"migrant_share: the stock exceeds the population in {int(impossible.sum())} "
            f"row(s), e.g. {rows}; a share above 100% is impossible (check that both are in "
            "persons, for the same country and date)"
        )
    out["migrant_share"] = share
    return out.drop(columns=["_stock"])


def migrant_share_from_totals(
    totals: pd.DataFrame,
    country: str,
    *,
    revision: str | int | None = None,
    sex: str = "total",
) -> pd.DataFrame:
    """Migrant share of the population from the UN totals table, next to the published share.

    Reads ``migdata.datasets.load("un_migrant_stock_totals")`` (revision, year, country,
    measure, sex, value, unit): the measure ``migrant_stock`` (persons) and ``population``
    (published in **thousands**, multiplied by 1,000 here), and recomputes the share with
    :func:`migrant_share`. The UN's own ``migrant_stock_pct_population`` is kept as
    ``published_share`` so the two can be checked against each other.

    Parameters
    ----------
    totals : DataFrame
        The ``un_migrant_stock_totals`` dataset (or rows of it).
    country : str
        Country (any form :func:`migdata.countries.to_iso3` accepts).
    revision : str or int, optional
        UN revision; required when ``totals`` holds more than one.
    sex : str
        Value of the ``sex`` column to keep (default ``"total"``).

    Returns
    -------
    DataFrame
        ``year``, ``stock``, ``population`` (persons), ``migrant_share`` and
        ``published_share`` (percent). Missing figures stay ``NaN``.
    """
    what = "migrant_share_from_totals(totals)"
    require_columns(totals, ["year", "country", "measure", "value", "unit"], what)
    if not isinstance(sex, str):
        raise InvalidInputError(f"sex must be a value of the sex column such as 'total', "
                                f"got {sex!r}")
    rows, rev = require_single(totals, "revision", what, revision)
    rows, _ = require_single(rows, "sex", what, sex, absent="total")
    rows = select_country(rows, country, "country", what)
    rows = rows[rows["measure"].isin(["migrant_stock", "population",
                                      "migrant_stock_pct_population"])]
    rows = check_frame(rows, what, years=["year"], counts=["value"], labels=["measure"],
                       unique=["year", "measure"], hint="filter sex and revision first")
    is_population = (rows["measure"] == "population").to_numpy()
    numeric_column(rows, "value", what, ["year", "measure"])
    if (rows.loc[is_population, "value"] == 0).any():
        bad = rows.loc[is_population & (rows["value"] == 0).to_numpy(), ["year", "value"]]
        raise InvalidInputError(
            f"{what}: column 'value' holds a population of 0 for {bad.to_dict('records')}; a "
            "share of 0 persons does not exist"
        )

    def measure(name: str, unit: str) -> pd.Series:
        part = rows[rows["measure"] == name]
        units = set(part["unit"])
        if units - {unit}:
            raise InvalidInputError(f"{what}: {name} is in {sorted(units)}, expected {unit!r}")
        return part.set_index("year")["value"].astype("float64")

    stock = measure("migrant_stock", "persons").rename("stock")
    population = (measure("population", "thousand persons") * 1000).rename("population")
    published = measure("migrant_stock_pct_population", "percent").rename("published_share")
    left = stock.reset_index()
    out = migrant_share(left, population.reset_index(), on=["year"])
    out = out.merge(published.reset_index(), on="year", how="left")
    out.attrs.update({"country": to_iso3(country), "revision": rev})
    return out
