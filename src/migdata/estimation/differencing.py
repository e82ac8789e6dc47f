"""Stock differencing: the change of a bilateral stock read as a net flow.

:func:`flows_from_stock_differences` is plain *stock differencing*: the change of each
birthplace x residence stock read as a net flow. It is not the demographic-accounting estimate
of bilateral flows (Abel 2013), which accounts for births, deaths and stayers and splits moves
between all origins and destinations: that is :func:`migdata.estimation.flows_from_stocks`.
Summary measures of the resulting flow matrix are in :mod:`migdata.indicators`.

References
----------
Abel, G. J. (2013). "Estimating global migration flow tables using place of birth data".
*Demographic Research*, 28(18), 505-546 (why stock differences are only net changes).

The R package *migest* (G. J. Abel) offers stock differencing too; this module implements it
from the paper, not from its code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import (
    as_flag,
    as_periods,
    check_fit,
    require_columns,
    require_nonnegative,
    require_single,
    require_unique,
    require_years,
    year_column,
)
from ..errors import InvalidInputError

__all__ = ["DECREASE_RULES", "ffs_diff", "flows_from_stock_differences"]

#: What :func:`flows_from_stock_differences` can do with a stock that went down.
DECREASE_RULES: dict[str, str] = {
    "keep": "keep the negative difference as it is (a net change, not a flow)",
    "zero": "set it to 0: only increases are read as flows; decreases are ignored",
    "nan": "set it to NaN: a decrease is not an observed flow (return, onward move or death)",
    "return": (
        "read it as a return flow: a positive flow from the destination back to the origin"
    ),
}


def flows_from_stock_differences(
    stock: pd.DataFrame,
    *,
    periods: Sequence[tuple[int, int]] | None = None,
    decreases: str = "keep",
    revision: str | int | None = None,
    sex: str | None = "total",
    value_col: str = "stock",
) -> pd.DataFrame:
    """Estimate flows between two reference dates by differencing bilateral stocks.

    This is stock differencing, not demographic accounting: for bilateral flows between every
    pair of places, with births, deaths and stayers taken into account, use
    :func:`migdata.estimation.flows_from_stocks` (Abel 2013).

    For each birthplace *b* and country of residence *d*, the flow from *b* to *d* over the
    period is taken as ``S(b, d, end) - S(b, d, start)``.

    Assumptions (all strong; state them when you use the result):

    * Nobody in the stock died, and no one moved between two foreign countries: every change
      is a move between the birthplace and the country of residence. Deaths of older migrants
      therefore show up as "negative flows" (Abel 2013).
    * Both stocks come from the same source, revision and definition (foreign-born vs foreign
      citizens, refugees added or not). Mixing revisions is refused.
    * The result is a *net* change over the whole period, not the number of moves: people who
      came and left in between do not appear.

    Parameters
    ----------
    stock : DataFrame
        Tidy stock table with columns year, origin (birthplace), destination (residence) and
        ``value_col``; revision and sex when present.
    periods : sequence of (start, end), optional
        Default: consecutive reference years present.
    decreases : {"keep", "zero", "nan", "return"}
        What to do when a stock went down; see :data:`DECREASE_RULES`. With ``"return"`` the row
        is turned round: ``origin`` becomes the country of residence, ``destination`` the
        birthplace and ``flow`` the (positive) size of the decrease.
    revision, sex
        Narrow the frame to one revision and one sex (never mixed).

    Returns
    -------
    DataFrame
        ``start``, ``end``, ``birthplace``, ``origin``, ``destination``, ``flow`` (persons over the
        period) and ``decrease`` (True where the stock went down). A missing stock at either date
        gives ``NaN``; it is never read as zero.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"year": [2000, 2010] * 2, "origin": ["GEO"] * 4,
    ...                   "destination": ["RUS", "RUS", "GRC", "GRC"],
    ...                   "stock": [100, 130, 50, 40]})
    >>> flows_from_stock_differences(s, decreases="return")[["origin", "destination", "flow"]]
      origin destination  flow
    0    GRC         GEO  10.0
    1    GEO         RUS  30.0
    """
    if not isinstance(decreases, str) or decreases not in DECREASE_RULES:
        raise InvalidInputError(
            f"decreases must be one of {list(DECREASE_RULES)}, got {decreases!r}"
        )
    what = "flows_from_stock_differences(stock)"
    require_columns(stock, ["year", "origin", "destination", value_col], what)
    require_nonnegative(stock, value_col, what, ["year", "origin", "destination"])
    year_column(stock, what)
    rows, _ = require_single(stock, "revision", what, revision)
    rows, _ = require_single(rows, "sex", what, sex, absent="total")
    require_unique(rows, ["year", "origin", "destination"], what)
    native = (rows["origin"] == rows["destination"]).to_numpy()
    if native.any():
        shown = rows.loc[native, ["year", "origin", "destination"]].head(3)
        raise InvalidInputError(
            f"{what} has stocks of people living where they were born, e.g. "
            f"{shown.to_dict('records')}; expected the foreign-born only (origin is the "
            "birthplace, destination the residence: a change of them is no migration)"
        )
    years = sorted(int(y) for y in rows["year"].unique())
    periods = as_periods(periods, years)
    if not periods:
        raise InvalidInputError(f"need at least two reference years; found {years}")
    require_years(rows, [y for p in periods for y in p], what)
    wide = rows.pivot(index=["origin", "destination"], columns="year", values=value_col)  # noqa: PD010
    parts = []
    for start, end in periods:
        if end <= start:
            raise InvalidInputError(f"a period must end after it starts, got ({start}, {end})")
        diff = wide[end].astype("float64") - wide[start].astype("float64")
        part = diff.rename("flow").reset_index()
        part.insert(0, "end", int(end))
        part.insert(0, "start", int(start))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out = out.rename(columns={"origin": "birthplace"})
    out["origin"] = out["birthplace"]
    out["decrease"] = out["flow"] < 0
    if decreases == "zero":
        out.loc[out["decrease"], "flow"] = 0.0
    elif decreases == "nan":
        out.loc[out["decrease"], "flow"] = np.nan
    elif decreases == "return":
        dec = out["decrease"]
        residence = out.loc[dec, "destination"].copy()
        out.loc[dec, "destination"] = out.loc[dec, "birthplace"]
        out.loc[dec, "origin"] = residence
        out.loc[dec, "flow"] = -out.loc[dec, "flow"]
    cols = ["start", "end", "birthplace", "origin", "destination", "flow", "decrease"]
    out = out[cols]
    out.attrs["decreases"] = f"{decreases}: {DECREASE_RULES[decreases]}"
    return out


def ffs_diff(
    stock_start: pd.DataFrame,
    stock_end: pd.DataFrame,
    decrease: str = "return",
    include_native_born: bool = False,
) -> pd.DataFrame:
    """Stock differencing of two square birthplace x residence tables (migest's ``ffs_diff``).

    The change of each stock (birthplace b, residence d) is read as a flow from b to d. With
    ``decrease="return"`` (default) a fall is read as a flow back, from d to b; with ``"zero"``
    falls are dropped. The assumptions are those of :func:`flows_from_stock_differences`
    (nobody died, nobody moved between two foreign countries, net changes only).

    Parameters
    ----------
    stock_start, stock_end : DataFrame
        Square tables, index = place of birth, columns = place of residence, same labels.
    decrease : {"return", "zero"}
    include_native_born : bool
        Difference the native-born cells (the diagonal) too; default ``False`` sets them to 0.

    Returns
    -------
    DataFrame
        Origin x destination flows (index ``origin``, columns ``destination``).

    Examples
    --------
    >>> import pandas as pd
    >>> r = ["GEO", "GRC", "RUS"]
    >>> s1 = pd.DataFrame([[0, 50, 100], [0, 0, 0], [0, 0, 0]], index=r, columns=r)
    >>> s2 = pd.DataFrame([[0, 40, 130], [0, 0, 0], [0, 0, 0]], index=r, columns=r)
    >>> ffs_diff(s1, s2).loc[["GEO", "GRC"], ["GEO", "RUS"]].to_numpy().tolist()
    [[0.0, 30.0], [10.0, 0.0]]
    """
    if decrease not in ("return", "zero"):
        raise InvalidInputError(f"decrease must be 'return' or 'zero', got {decrease!r}")
    as_flag(include_native_born, "include_native_born")
    check_fit(labelled={"stock_start": stock_start, "stock_end": stock_end},
              counts={"stock_start": stock_start, "stock_end": stock_end})
    tables = []
    for name, table in (("stock_start", stock_start), ("stock_end", stock_end)):
        if not isinstance(table, pd.DataFrame) or table.shape[0] != table.shape[1]:
            raise InvalidInputError(
                f"{name} must be a square DataFrame (index = place of birth, columns = place "
                "of residence)"
            )
        if set(table.index) != set(table.columns):
            raise InvalidInputError(f"{name} must have the same places as index and columns")
        tables.append(table)
    places = list(stock_start.index)
    if set(stock_end.index) != set(places):
        raise InvalidInputError("stock_start and stock_end must have the same places")
    try:
        a = stock_start.loc[places, places].to_numpy(dtype="float64", copy=True)
        b = stock_end.loc[places, places].to_numpy(dtype="float64", copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"stock tables must hold numbers: {exc}") from exc
    if np.isnan(a).any() or np.isnan(b).any():
        raise InvalidInputError("stock tables have missing values; a gap is not a zero")
    if not include_native_born:
        np.fill_diagonal(a, 0.0)
        np.fill_diagonal(b, 0.0)
    change = b - a
    flows = np.maximum(change, 0.0)
    if decrease == "return":
        flows = flows + np.maximum(-change.T, 0.0)
    return pd.DataFrame(
        flows, index=pd.Index(places, name="origin"), columns=pd.Index(places, name="destination")
    )
