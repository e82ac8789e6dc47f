"""Residual estimates of net migration: the balancing equation and survival ratios.

Both infer net migration from what is left once natural change is accounted for. They give
*net* figures only, and every error of the other terms ends up in them.

References
----------
United Nations (1970). *Methods of Measuring Internal Migration*. Manual VI, Population Studies
47, chapter III (national growth rate and survival ratio methods: forward, reverse and average).

Siegel, J. S. and Swanson, D. A. (eds.) (2004). *The Methods and Materials of Demography*,
2nd ed., chapter 19 (residual methods of estimating net migration).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import pairwise
from numbers import Real

import numpy as np
import pandas as pd

from .._checks import (
    as_count,
    as_flag,
    as_names,
    as_number,
    check_frame,
    count_series,
    labels_of,
    numeric_column,
    require_columns,
    require_sequence,
    require_unique,
    signed_series,
)
from ..errors import InvalidInputError, MissingColumnsError

__all__ = ["balancing_equation", "net_sr", "survival_ratio_net_migration"]


def _period_events(
    events: pd.DataFrame,
    by: list[str],
    keys: pd.DataFrame,
    time_col: str,
    cols: list[str],
) -> pd.DataFrame:
    """Births and deaths of each (group, start, end), from interval or annual records."""
    if {"start", "end"} <= set(events.columns):
        require_columns(events, [*by, "start", "end", *cols], "balancing_equation(events)")
        require_unique(events, [*by, "start", "end"], "balancing_equation(events)")
        ev = events[[*by, "start", "end", *cols]].astype({c: "float64" for c in cols})
        return keys.merge(ev, on=[*by, "start", "end"], how="left")
    require_columns(events, [*by, time_col, *cols], "balancing_equation(events)")
    require_unique(events, [*by, time_col], "balancing_equation(events)")
    annual = events[[*by, time_col, *cols]].astype({c: "float64" for c in cols})
    rows = []
    grouped = dict(iter(annual.groupby(by, sort=False))) if by else {(): annual}
    for rec in keys.itertuples(index=False):
        key = tuple(getattr(rec, c) for c in by)
        group = grouped.get(key if len(key) != 1 else key[0])
        if group is None and len(key) == 1:
            group = grouped.get(key)
        s, e = rec.start, rec.end
        wanted = np.arange(int(np.ceil(s)), int(np.ceil(e)))
        values = {c: np.nan for c in cols}
        if group is not None and wanted.size and float(s).is_integer() and float(e).is_integer():
            inside = group[group[time_col].isin(wanted)]
            if len(inside) == wanted.size:
                values = {c: inside[c].sum(min_count=wanted.size) for c in cols}
        rows.append({**dict(zip(by, key, strict=True)), "start": s, "end": e, **values})
    return pd.DataFrame(rows, columns=[*by, "start", "end", *cols])


def _times(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Dates as finite numbers (fractional census dates allowed), none missing."""
    times = numeric_column(frame, column, what, [column])
    if times.isna().any():
        raise InvalidInputError(
            f"{what}: column {column!r} has missing dates in rows "
            f"{frame.index[times.isna()].tolist()[:5]}; every figure needs its date"
        )
    return times


def _checked_events(
    events: pd.DataFrame, by: list[str], time_col: str, cols: list[str]
) -> pd.DataFrame:
    what = "balancing_equation(events)"
    if {"start", "end"} <= set(events.columns):
        require_columns(events, [*by, "start", "end", *cols], what)
        out = check_frame(events, what, labels=by, counts=cols)
        for column in ("start", "end"):
            out[column] = _times(events, column, what)
        return out
    require_columns(events, [*by, time_col, *cols], what)
    return check_frame(events, what, labels=by, counts=cols, years=[time_col])


def _periods(periods: object) -> list[tuple[float, float]]:
    """Pairs of finite numbers (dates); a string or anything else is refused, showing it."""
    if isinstance(periods, str | bytes) or not isinstance(periods, Iterable):
        raise InvalidInputError(
            f"periods must be pairs of dates such as [(2002, 2014)], got {periods!r}"
        )
    out = []
    for pair in periods:
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InvalidInputError(
                f"periods must be pairs of dates such as [(2002, 2014)], got {pair!r} in "
                f"{periods!r}"
            )
        for value in pair:
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(
                    float(value)):
                raise InvalidInputError(
                    f"periods: {value!r} in {pair!r} is not a date such as 2014 or 2014.75"
                )
        out.append((float(pair[0]), float(pair[1])))
    return out


def balancing_equation(
    population: pd.DataFrame,
    events: pd.DataFrame,
    *,
    by: Sequence[str] | None = None,
    periods: Sequence[tuple[float, float]] | None = None,
    time_col: str = "year",
    population_col: str = "population",
    births_col: str = "births",
    deaths_col: str = "deaths",
) -> pd.DataFrame:
    """Net migration over any interval, for any grouping, from the balancing equation.

    ``P(end) = P(start) + births - deaths + net migration``, so over the interval
    ``net migration = P(end) - P(start) - (births - deaths)``. The interval can be a calendar
    year or the years between two censuses.

    Parameters
    ----------
    population : DataFrame
        Populations at dates: ``by`` columns, ``time_col`` (the date, e.g. a census year; may be
        fractional) and ``population_col`` (persons).
    events : DataFrame
        Births and deaths, either per interval (columns ``start`` and ``end`` matching the
        periods) or per calendar year (``time_col``; the interval ``[start, end)`` sums the
        years ``start`` .. ``end - 1``, and a missing year makes the sum ``NaN``). Columns
        ``births_col`` and ``deaths_col``.
    by : sequence of str, optional
        Grouping columns (country, sex, region...). Default: none.
    periods : sequence of (start, end), optional
        Intervals; default: consecutive dates of each group's population.

    Returns
    -------
    DataFrame
        ``by`` columns, ``start``, ``end``, ``length`` (years), ``population_start``,
        ``population_end``, ``population_change``, ``births``, ``deaths``,
        ``natural_increase``, ``net_migration`` (persons over the interval),
        ``person_years`` (exposure, assuming constant exponential growth) and
        ``net_migration_rate`` (per 1,000 person-years). Missing terms give ``NaN``.

    Raises
    ------
    MissingColumnsError, InvalidInputError
        Absent columns, repeated rows, periods that end before they start, negative births,
        deaths or populations.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2002, 2014], "population": [4_371_500, 3_713_800]})
    >>> e = pd.DataFrame({"start": [2002], "end": [2014], "births": [620_000],
    ...                   "deaths": [590_000]})
    >>> balancing_equation(p, e)["net_migration"].tolist()
    [-687700.0]
    """
    by = as_names(by, "by", "['country']") or []
    what = "balancing_equation(population)"
    require_columns(population, [*by, time_col, population_col], what)
    population = check_frame(population, what, labels=by, positive=[population_col])
    population[time_col] = _times(population, time_col, what)
    require_unique(population, [*by, time_col], what)
    if not isinstance(events, pd.DataFrame):
        raise InvalidInputError("events must be a DataFrame of births and deaths")
    events = _checked_events(events, by, time_col, [births_col, deaths_col])
    if periods is not None:
        periods = _periods(periods)
    pop = population[[*by, time_col, population_col]].copy()
    pop[population_col] = pop[population_col].astype("float64")
    keys_rows = []
    groups = pop.groupby(by, sort=True) if by else [((), pop)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        times = sorted(group[time_col].astype("float64").unique())
        pairs = list(periods) if periods is not None else list(pairwise(times))
        for s, e in pairs:
            if float(e) <= float(s):
                raise InvalidInputError(f"a period must end after it starts, got ({s}, {e})")
            keys_rows.append({**dict(zip(by, key, strict=True)), "start": s, "end": e})
    keys = pd.DataFrame(keys_rows, columns=[*by, "start", "end"])
    keys["start"] = keys["start"].astype("float64")
    keys["end"] = keys["end"].astype("float64")
    ev = events.copy()
    for col in ("start", "end", time_col):
        if col in ev.columns:
            ev[col] = ev[col].astype("float64")
    out = _period_events(ev, by, keys, time_col, [births_col, deaths_col])
    for col in (births_col, deaths_col):
        if (out[col] < 0).any():
            bad = out.loc[out[col] < 0, [*by, "start", "end", col]].head(3).to_dict("records")
            raise InvalidInputError(f"negative {col} in events, e.g. {bad}; they are counts")
    out = out.rename(columns={births_col: "births", deaths_col: "deaths"})
    popf = pop.rename(columns={population_col: "_p"})
    popf[time_col] = popf[time_col].astype("float64")
    out = out.merge(
        popf.rename(columns={time_col: "start", "_p": "population_start"}),
        on=[*by, "start"], how="left",
    ).merge(
        popf.rename(columns={time_col: "end", "_p": "population_end"}),
        on=[*by, "end"], how="left",
    )
    out["length"] = out["end"] - out["start"]
    out["population_change"] = out["population_end"] - out["population_start"]
    out["natural_increase"] = out["births"] - out["deaths"]
    out["net_migration"] = out["population_change"] - out["natural_increase"]
    p1, p2 = out["population_start"], out["population_end"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(p2 / p1)
        py = np.where(np.abs(p2 - p1) > 1e-12 * p1, (p2 - p1) / ratio, p1) * out["length"]
    # A population missing at either end is a gap in the exposure too (not p1 * length).
    py = np.where(p1.isna() | p2.isna(), np.nan, py)
    out["person_years"] = py
    out["net_migration_rate"] = 1000 * out["net_migration"] / out["person_years"]
    cols = [*by, "start", "end", "length", "population_start", "population_end",
            "population_change", "births", "deaths", "natural_increase", "net_migration",
            "person_years", "net_migration_rate"]
    return out[cols].sort_values([*by, "start"], ignore_index=True)


def survival_ratio_net_migration(
    population_start: pd.Series,
    population_end: pd.Series,
    survival: pd.Series,
) -> pd.DataFrame:
    """Net migration of each cohort by the forward, reverse and average survival-ratio methods.

    The interval must equal the width of the age groups, so that people aged ``x`` at the
    start are aged ``x + n`` at the end. With ``S_x`` the probability that a person aged ``x``
    at the start is alive at the end (life-table or census survival ratio):

    * forward: ``M = P_end(x+n) - S_x * P_start(x)`` (migrants counted at the end);
    * reverse: ``M = P_end(x+n) / S_x - P_start(x)`` (migrants counted at the start);
    * average: the mean of the two.

    Forward assumes migrants who died in the interval are not counted; reverse counts them;
    the truth is usually in between (United Nations 1970, Manual VI).

    Parameters
    ----------
    population_start, population_end : Series
        Population by age group, indexed by the lower age of equal-width groups (e.g.
        0, 10, 20, ...), the same ages in both.
    survival : Series
        ``S_x`` indexed by the age at the start (> 0), for every cohort estimated. Census
        survival ratios can exceed 1 when the second census counts a cohort better than the
        first (migest's Alabama and Manila examples); they are accepted.

    Returns
    -------
    DataFrame
        ``age_start``, ``age_end``, ``population_start``, ``population_end``, ``survival``,
        ``expected`` (``S_x * P_start(x)``), ``forward``, ``reverse``, ``average``. The
        youngest group at the end (born during the interval) and the oldest at the start
        (no older group to move into) have no cohort and are not rows.

    Raises
    ------
    InvalidInputError
        Ages that differ or are not equally spaced, survival ratios not above 0, negative or
        missing populations.

    Examples
    --------
    >>> import pandas as pd
    >>> p1 = pd.Series({0: 1000.0, 10: 900.0, 20: 800.0})
    >>> p2 = pd.Series({0: 1100.0, 10: 1000.0, 20: 850.0})
    >>> s = pd.Series({0: 0.99, 10: 0.98})
    >>> survival_ratio_net_migration(p1, p2, s)[["forward", "reverse"]].round(2).values.tolist()
    [[10.0, 10.1], [-32.0, -32.65]]
    """
    for name, s in (("population_start", population_start), ("population_end", population_end),
                    ("survival", survival)):
        if not isinstance(s, pd.Series):
            raise InvalidInputError(
                f"{name} must be a Series indexed by age, got {type(s).__name__}"
            )
        ages = labels_of(s.index, f"{name} (its ages)")
        if not all(isinstance(a, Real) and not isinstance(a, bool) for a in ages):
            raise InvalidInputError(
                f"{name} must be indexed by ages (numbers such as 0, 10, 20), got "
                f"{ages.tolist()[:6]}"
            )
        young = [a for a in ages if not (math.isfinite(a) and a >= 0)]
        if young:
            raise InvalidInputError(
                f"{name} has the age(s) {young[:5]}; expected ages of 0 or more (the lower age "
                "of each group, such as 0, 10, 20)"
            )
        if name == "survival":
            survival = signed_series(s, name)
        elif name == "population_start":
            population_start = count_series(s, name)
        else:
            population_end = count_series(s, name)
        if s.isna().any():
            raise InvalidInputError(
                f"{name} has missing values at ages {s.index[s.isna()].tolist()}"
            )
    if not population_start.index.equals(population_end.index):
        raise InvalidInputError(
            "population_start and population_end must have the same age groups: "
            f"{population_start.index.tolist()} vs {population_end.index.tolist()}"
        )
    ages = np.asarray(population_start.index, dtype="float64")
    if ages.size < 2:
        raise InvalidInputError("need at least two age groups")
    steps = np.diff(ages)
    if not np.allclose(steps, steps[0]) or steps[0] <= 0:
        raise InvalidInputError(
            f"age groups must be increasing and of equal width (the interval); got {ages.tolist()}"
        )
    for name, s in (("population_start", population_start), ("population_end", population_end)):
        if (s < 0).any():
            raise InvalidInputError(f"{name} has negative values at ages {s.index[s < 0].tolist()}")
    cohorts = population_start.index[:-1]
    missing = [a for a in cohorts if a not in survival.index]
    if missing:
        raise InvalidInputError(f"survival lacks ratios for ages {missing}")
    s = survival.reindex(cohorts).astype("float64")
    if (s <= 0).any():
        raise InvalidInputError(f"survival ratios must be > 0; got {s[s <= 0].to_dict()}")
    p1 = population_start.iloc[:-1].astype("float64").to_numpy()
    p2 = population_end.iloc[1:].astype("float64").to_numpy()
    sv = s.to_numpy()
    forward = p2 - sv * p1
    reverse = p2 / sv - p1
    return pd.DataFrame(
        {
            "age_start": list(cohorts),
            "age_end": list(population_end.index[1:]),
            "population_start": p1,
            "population_end": p2,
            "survival": sv,
            "expected": sv * p1,
            "forward": forward,
            "reverse": reverse,
            "average": (forward + reverse) / 2,
        }
    )


_ = MissingColumnsError  # re-exported errors are raised through require_columns


def net_sr(
    data: pd.DataFrame,
    pop0_col: str = "pop0",
    pop1_col: str = "pop1",
    survival_ratio_col: str = "sr",
    *,
    net_children: bool = False,
    maternal_exposure: Sequence[float] = (0.25, 0.75),
    maternal_age_id: Sequence[int] = (4, 5, 6, 7, 8, 9),
    maternal_col: str | None = None,
) -> pd.DataFrame:
    """Net migration by cohort from survival ratios, laid out as migest's ``net_sr``.

    Each row is one cohort: its population at the start (``pop0_col``), at the end
    (``pop1_col``) and its survival ratio (``survival_ratio_col``), already aligned (the
    start population of the cohort that is in the row's age group at the end). Forward
    ``pop1 - sr * pop0``, reverse ``pop1 / sr - pop0`` and their average, as
    :func:`survival_ratio_net_migration`. Census survival ratios may exceed 1 (coverage
    differs between censuses, e.g. UN 1992 table 6 for Manila); any positive ratio is taken.

    Parameters
    ----------
    data : DataFrame
        One row per cohort (age group at the end), in age order.
    pop0_col, pop1_col, survival_ratio_col : str
        Column names. Rows without a start population or ratio (the children born during the
        interval) have no estimate.
    net_children : bool
        Estimate the net migration of the first ``len(maternal_exposure)`` rows (children
        born during the interval) from that of their mothers (Bogue, Hinze and White 1982):
        for child group ``i`` (``i = 1, 2, ...``), its exposure times the ratio of the
        children to the women of the maternal rows shifted by ``i - 1`` rows times those
        women's net migration.
    maternal_exposure : sequence of float
        Share of the interval each child group was exposed to its mothers' migration.
    maternal_age_id : sequence of int
        Row numbers (1-based, as in migest) of the maternal age groups for the first child
        group.
    maternal_col : str, optional
        Column of the maternal population (default ``pop1_col``, as in migest).

    Returns
    -------
    DataFrame
        ``data`` with ``net_forward``, ``net_reverse`` and ``net_average`` added.

    Notes
    -----
    Deliberate difference from migest: a row without an estimate keeps ``NaN`` (a gap stays
    a gap); migest writes 0 there.

    References
    ----------
    Bogue, D. J., Hinze, K. and White, M. (1982). *Techniques of Estimating Net Migration*.
    Community and Family Study Center, University of Chicago.

    United Nations (1992). *Preparing Migration Data for Subnational Population
    Projections*, table 6.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pop0": [1000.0, 900.0], "pop1": [1100.0, 850.0], "sr": [0.99, 1.02]})
    >>> net_sr(d)[["net_forward", "net_reverse"]].round(2).to_numpy().tolist()
    [[110.0, 111.11], [-68.0, -66.67]]
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidInputError(f"data must be a DataFrame, got {type(data).__name__}")
    maternal_col = pop1_col if maternal_col is None else maternal_col
    for option, name in (("pop0_col", pop0_col), ("pop1_col", pop1_col),
                         ("survival_ratio_col", survival_ratio_col),
                         ("maternal_col", maternal_col)):
        if not isinstance(name, str):
            raise InvalidInputError(f"{option} must be a column name, got {name!r}")
    as_flag(net_children, "net_children")
    exposures = [as_number(v, "maternal_exposure: each share", minimum=0) for v in
                 require_sequence(maternal_exposure, "maternal_exposure", "[0.25, 0.75]")]
    if any(v > 1 for v in exposures):
        raise InvalidInputError(
            f"maternal_exposure must hold shares of the interval (0 to 1), got "
            f"{list(maternal_exposure)!r}"
        )
    age_ids = require_sequence(maternal_age_id, "maternal_age_id", "[4, 5, 6, 7, 8, 9]")
    for v in age_ids:
        as_count(v, "maternal_age_id: each row number (from 1)")
    require_columns(data, [pop0_col, pop1_col, survival_ratio_col, maternal_col], "net_sr(data)")
    checked = check_frame(data, "net_sr(data)",
                          counts=list(dict.fromkeys([pop0_col, pop1_col, maternal_col])))
    values = {col: checked[col].to_numpy(dtype="float64")
              for col in (pop0_col, pop1_col, maternal_col)}
    values[survival_ratio_col] = numeric_column(data, survival_ratio_col, "net_sr(data)").to_numpy(
        dtype="float64")
    pop0, pop1, sr = values[pop0_col], values[pop1_col], values[survival_ratio_col]
    if (sr <= 0).any():
        raise InvalidInputError(
            f"survival ratios must be > 0; got {sr[sr <= 0].tolist()[:5]} in "
            f"{survival_ratio_col!r}"
        )
    forward = pop1 - pop0 * sr
    reverse = pop1 / sr - pop0
    nets = np.stack([forward, reverse, (forward + reverse) / 2], axis=1)
    if net_children:
        mothers = np.asarray(age_ids, dtype=int) - 1
        exposure = np.asarray(exposures, dtype="float64")
        mat_pop = values[maternal_col]
        if mothers.size == 0 or mothers.min() < 0 or mothers.max() + exposure.size > len(data):
            raise InvalidInputError(
                f"maternal_age_id {list(maternal_age_id)} (shifted by up to "
                f"{exposure.size - 1} rows) does not fit the {len(data)} rows of data"
            )
        for i in range(exposure.size):
            rows = mothers + i
            if np.isnan(nets[rows]).any() or np.isnan(mat_pop[rows]).any():
                raise InvalidInputError(
                    f"net_children: the maternal rows {(rows + 1).tolist()} lack an estimate "
                    "or a maternal population"
                )
            nets[i] = exposure[i] * mat_pop[i] / mat_pop[rows].sum() * nets[rows].sum(axis=0)
    out = data.copy()
    out["net_forward"], out["net_reverse"], out["net_average"] = nets.T
    return out
