"""Net migration from vital statistics: migest's ``net_vs``.

Over an interval, a population changes by its births, its deaths and its net migration; with
the first three counted, net migration is the residual (the demographic balancing equation;
Bogue, Hinze and White 1982, the "vital statistics method"):

    net = (pop1 - pop0) - (births - deaths)

:func:`migdata.estimation.balancing_equation` does the same over any interval and grouping of
tidy tables; :func:`net_vs` keeps migest's layout: one row per population, the four figures in
columns, three columns added.

References
----------
Bogue, D. J., Hinze, K. and White, M. (1982). *Techniques of Estimating Net Migration*.
Community and Family Study Center, University of Chicago.
"""

from __future__ import annotations

import pandas as pd

from .._checks import require_columns, require_frame, require_nonnegative
from ..errors import InvalidInputError

__all__ = ["net_vs"]


def net_vs(
    data: pd.DataFrame,
    pop0_col: str = "pop0",
    pop1_col: str = "pop1",
    births_col: str = "births",
    deaths_col: str = "deaths",
) -> pd.DataFrame:
    """Net migration of each row from its populations, births and deaths (migest's ``net_vs``).

    Parameters
    ----------
    data : DataFrame
        One row per population (a region, or a sex and race as in migest's Alabama example),
        with its population at the start and at the end of the interval and its births and
        deaths during it.
    pop0_col, pop1_col, births_col, deaths_col : str
        Column names (migest documents ``"pop0"`` and ``"pop1"`` as defaults but has none:
        without them it stops; migdata takes the documented ones).

    Returns
    -------
    DataFrame
        ``data`` with three columns added (or replaced): ``pop_change`` (``pop1 - pop0``),
        ``natural_inc`` (``births - deaths``) and ``net`` (``pop_change - natural_inc``). A
        row with a gap in any of the four figures has no ``net`` (``NaN``; a gap is not 0).

    Raises
    ------
    InvalidInputError
        Not a DataFrame, column names that are not text, figures that are not numbers of
        persons (negative, text, infinite).
    MissingColumnsError
        A named column is absent.

    Examples
    --------
    >>> d = pd.DataFrame({"pop0": [1000], "pop1": [1100], "births": [60], "deaths": [20]})
    >>> net_vs(d)[["pop_change", "natural_inc", "net"]].to_numpy().tolist()
    [[100.0, 40.0, 60.0]]
    """
    require_frame(data, "net_vs: data")
    names = {"pop0_col": pop0_col, "pop1_col": pop1_col, "births_col": births_col,
             "deaths_col": deaths_col}
    for arg, value in names.items():
        if not isinstance(value, str):
            raise InvalidInputError(f"net_vs: {arg} must be a column name (text), got {value!r}")
    require_columns(data, list(names.values()), "net_vs: data")
    pop0, pop1, births, deaths = (require_nonnegative(data, c, "net_vs: data")
                                  for c in names.values())
    out = data.copy()
    out["pop_change"] = pop1 - pop0
    out["natural_inc"] = births - deaths
    out["net"] = out["pop_change"] - out["natural_inc"]
    return out
