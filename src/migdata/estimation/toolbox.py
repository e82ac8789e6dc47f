"""Small tools of migest's toolbox, with migest's names and pandas inputs.

* :func:`sum_region` -- in-, out-, turnover and net migration of each region of a flow table;
* :func:`sum_net` -- net migration (in minus out) of each region;
* :func:`sum_bilat` -- each corridor's flow, counter-flow, net flow and interchange;
* :func:`rescale_net` -- net migration figures adjusted to sum to zero;
* :func:`rescale_integer_sum` -- numbers scaled to a total and rounded to integers;
* :func:`ffs_rates` -- flows from stocks by Dennett's or Rogers and von Rabenau's rates.

Each gives the numbers of the function of the same name in the R package migest 2.0.5
(G. J. Abel), checked against migest run in R (tests/test_migest_parity.py); they are written
from its reference pages, not from its code. Where migest breaks a tie at random (the cell that
takes a rounding remainder), these take the first largest cell; the docstrings say when that
differs from migest.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import (
    _require_distinct_text,
    as_choice,
    as_flag,
    as_number,
    check_fit,
    check_flows,
    count_array,
    number_array,
    require_unique,
)
from ..errors import InvalidInputError, MissingColumnsError

__all__ = ["ffs_rates", "rescale_integer_sum", "rescale_net", "sum_bilat", "sum_net", "sum_region"]


def _long_flows(flows: pd.DataFrame, what: str) -> pd.DataFrame:
    """``origin``, ``destination``, ``flow`` from a long table or a square origin x destination
    DataFrame (index = origin, columns = destination)."""
    if not isinstance(flows, pd.DataFrame):
        raise InvalidInputError(
            f"{what} must be a DataFrame (long: origin, destination, flow; or a square "
            f"origin x destination table), got {type(flows).__name__}"
        )
    if {"origin", "destination", "flow"} <= set(flows.columns):
        checked = check_flows(flows, what, allow_gaps=False)
        require_unique(checked, ["origin", "destination"], what,
                       "expected one row per origin and destination (sum them first)")
        out = checked[["origin", "destination", "flow"]].copy()
    elif flows.shape[0] == flows.shape[1] and set(flows.index) == set(flows.columns):
        check_fit(labelled={what: flows}, counts={what: flows})
        # 'aze' and 'AZE' would be two places, as in a long table (check_flows refuses them)
        _require_distinct_text(pd.unique(flows.index.to_numpy(dtype=object)), what,
                               "the index and columns")
        # column by column, origin fastest: the order of R's as.data.frame.table
        wide = flows.rename_axis(index="origin", columns=None).reset_index()
        out = wide.melt(id_vars="origin", var_name="destination", value_name="flow")
    else:
        raise MissingColumnsError(
            f"{what} needs columns origin, destination and flow, or a square table with the "
            f"same places as index and columns; got columns {list(map(str, flows.columns))[:6]}"
        )
    values = pd.to_numeric(out["flow"], errors="coerce")
    if values.isna().any():
        raise InvalidInputError(
            f"{what} has missing or non-numeric flows, e.g. "
            f"{out.loc[values.isna(), ['origin', 'destination']].head(3).to_dict('records')}; "
            "a gap is not a zero"
        )
    out["flow"] = values.astype("float64")
    return out


def sum_region(
    flows: pd.DataFrame,
    *,
    drop_diagonal: bool = True,
    international: bool = False,
    include_net: bool = True,
) -> pd.DataFrame:
    """In-, out-, turnover and net migration of each region (migest's ``sum_region``).

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow``) or square origin x destination.
    drop_diagonal : bool
        Leave out moves within a region (origin = destination).
    international : bool
        Name the columns ``country``, ``emi``, ``imm`` (migest's ``sum_country``).
    include_net : bool
        Add ``net`` (in minus out).

    Returns
    -------
    DataFrame
        ``region``, ``out_mig``, ``in_mig``, ``turn`` (in + out) and ``net``, one row per region
        (origins in sorted order, then destinations that are never an origin).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> sum_region(f).to_dict("list")["net"]
    [-20.0, 20.0]
    """
    as_flag(drop_diagonal, "drop_diagonal")
    as_flag(international, "international")
    as_flag(include_net, "include_net")
    d = _long_flows(flows, "sum_region(flows)")
    if drop_diagonal:
        d.loc[d["origin"] == d["destination"], "flow"] = 0.0
    out_mig = d.groupby("origin", sort=True)["flow"].sum()
    in_mig = d.groupby("destination", sort=True)["flow"].sum()
    regions = list(out_mig.index) + [r for r in in_mig.index if r not in set(out_mig.index)]
    res = pd.DataFrame({"region": regions})
    res["out_mig"] = out_mig.reindex(regions).fillna(0.0).to_numpy()
    res["in_mig"] = in_mig.reindex(regions).fillna(0.0).to_numpy()
    res["turn"] = res["in_mig"] + res["out_mig"]
    if include_net:
        res["net"] = res["in_mig"] - res["out_mig"]
    if international:
        res = res.rename(columns={"region": "country", "out_mig": "emi", "in_mig": "imm"})
    return res


def sum_net(flows: pd.DataFrame) -> pd.Series:
    """Net migration (column total minus row total) of each region (migest's ``sum_net``).

    Parameters
    ----------
    flows : DataFrame
        Square origin x destination table (or long: origin, destination, flow). The diagonal
        cancels out.

    Returns
    -------
    Series
        Net migration by region.
    """
    d = _long_flows(flows, "sum_net(flows)")
    regions = sorted(set(d["origin"]) | set(d["destination"]), key=str)
    inflow = d.groupby("destination")["flow"].sum().reindex(regions, fill_value=0.0)
    outflow = d.groupby("origin")["flow"].sum().reindex(regions, fill_value=0.0)
    return (inflow - outflow).rename("net")


def sum_bilat(flows: pd.DataFrame) -> pd.DataFrame:
    """Flow, counter-flow, net flow and interchange of every corridor (migest's ``sum_bilat``).

    Parameters
    ----------
    flows : DataFrame
        Long (``origin``, ``destination``, ``flow``) or square origin x destination; every
        pair of distinct regions in both directions.

    Returns
    -------
    DataFrame
        ``origin``, ``destination``, ``corridor`` ("A -> B"), ``pair`` ("A - B", the two labels
        in sorted order), ``flow``, ``counter_flow`` (B to A), ``net_flow`` (flow - counter
        flow) and ``interchange`` (flow + counter flow), moves within a region left out.
    """
    d = _long_flows(flows, "sum_bilat(flows)")
    d = d[d["origin"] != d["destination"]].reset_index(drop=True)
    d["origin"] = d["origin"].astype(str)
    d["destination"] = d["destination"].astype(str)
    back = d.set_index(["origin", "destination"])["flow"]
    if back.index.has_duplicates:
        raise InvalidInputError("sum_bilat(flows) has several rows for one corridor; sum them")
    keys = pd.MultiIndex.from_arrays([d["destination"], d["origin"]])
    missing = ~keys.isin(back.index)
    if missing.any():
        lack = d.loc[missing, ["destination", "origin"]].head(3).to_dict("records")
        raise InvalidInputError(
            f"sum_bilat(flows) lacks the counter-flow of some corridors, e.g. {lack}; give both "
            "directions (0 where nobody moved)"
        )
    counter = back.reindex(keys).to_numpy()
    lo = np.where(d["origin"] < d["destination"], d["origin"], d["destination"])
    hi = np.where(d["origin"] < d["destination"], d["destination"], d["origin"])
    return pd.DataFrame(
        {
            "origin": d["origin"],
            "destination": d["destination"],
            "corridor": d["origin"] + " -> " + d["destination"],
            "pair": pd.Series(lo) + " - " + pd.Series(hi),
            "flow": d["flow"],
            "counter_flow": counter,
            "net_flow": d["flow"].to_numpy() - counter,
            "interchange": d["flow"].to_numpy() + counter,
        }
    )


def _numbers_of(x: object, what: str) -> np.ndarray:
    """``x`` as a non-empty 1-D array of its own values (not converted: checked after)."""
    if isinstance(x, str | bytes) or np.ndim(x) != 1 or np.size(x) == 0:
        raise InvalidInputError(f"{what} must be a non-empty 1-D sequence of numbers, got {x!r}")
    return x.to_numpy() if isinstance(x, pd.Series) else np.asarray(x, dtype=object)


def rescale_integer_sum(x: Sequence[float] | np.ndarray | pd.Series, tot: float) -> np.ndarray:
    """Scale ``x`` to sum to ``tot`` and round to integers (migest's ``rescale_integer_sum``).

    The rounded values are ``round(x * tot / sum(x))`` (halves to even, as in R); the
    remainder ``tot - sum`` is added to the first largest element of ``x``. migest adds it to
    an element drawn at random (among the tied largest, or among the first k elements when the
    largest is the k-th), so the two agree whenever the largest element is the first.

    Parameters
    ----------
    x : sequence or Series
        Counts, finite and 0 or more (not all 0); no gaps, booleans or text.
    tot : int
        The total to reach, a whole number of 0 or more.

    Returns
    -------
    ndarray
        Whole numbers summing to ``tot``.

    Raises
    ------
    InvalidInputError
        For any other ``x`` or ``tot``.

    Examples
    --------
    >>> rescale_integer_sum([50, 30, 20], 11).tolist()
    [6.0, 3.0, 2.0]
    """
    tot = as_number(tot, "tot", minimum=0, whole=True)
    arr = count_array(_numbers_of(x, "x"), "x")
    if not np.isfinite(arr).all() or arr.sum() == 0:
        raise InvalidInputError("x must be finite numbers with a non-zero sum")
    out = np.round(arr * (float(tot) / arr.sum()))
    rest = float(tot) - out.sum()
    if rest != 0:
        out[int(np.argmax(arr))] += rest
    return out


def _r_mean(v: np.ndarray) -> float:
    """The mean of ``v`` as R's ``mean()`` of doubles computes it, bit for bit.

    R adds the values one after the other in long double, divides by their number and, when
    that is finite, adds the mean of the residuals (a second pass, also in long double), then
    rounds to a double. numpy's pairwise double sum can land one unit in the last place away,
    which turns a figure of exactly x.5 into x.5000000000000001 and so its rounding.
    """
    v = np.asarray(v, dtype=np.float64).astype(np.longdouble)
    n = np.longdouble(v.size)
    s = np.cumsum(v)[-1] / n  # cumsum: one after the other, as R's loop
    if np.isfinite(np.float64(s)):
        s = s + np.cumsum(v - s)[-1] / n
    return float(np.float64(s))


def rescale_net(
    x: Sequence[float] | np.ndarray | pd.Series,
    method: str = "no-switches",
    w: Sequence[float] | np.ndarray | None = None,
    integer_result: bool = True,
) -> np.ndarray | pd.Series:
    """Adjust net migration figures so that they sum to zero (migest's ``rescale_net``).

    ``"no-switches"`` (default) scales the gains down and the losses up, or the reverse, each
    group by one factor, so that no figure changes sign and the weighted figures ``x * w``
    balance: half the weighted imbalance is taken from each side. ``"switches"`` subtracts the
    mean of ``x * w`` from ``x * w`` (figures may change sign). With ``integer_result`` the
    figures are rounded and what is left of their (unweighted) sum is taken from the first
    largest absolute figure, so that the integers sum to 0.

    migest 2.0.5 means to edit the most extreme figure too, but picks it with R's
    ``sample(m, 1)``: among tied largest figures a random one, and when the largest is the only
    one, at the k-th place, a random one of the first k figures (R's ``sample`` of a single
    number k draws from 1..k). migdata's result is always one of migest's possible results, and
    the same whenever migest has nothing to draw (the largest comes first, or there is no
    remainder). The remainder is usually a rounding remainder (at most half a person per
    figure), but with weights and ``"no-switches"`` the figures balance only when weighted,
    so the whole unweighted sum (it can be hundreds) is taken from one figure, as in migest; a
    ``UserWarning`` says so. A gap (``NaN``) is left out of the sum, where migest stops with an
    error.

    Parameters
    ----------
    x : sequence or Series
        Net migration by region; ``NaN`` stays ``NaN`` (not used in the sums).
    method : {"no-switches", "switches"}
    w : sequence, optional
        Weights (default 1).
    integer_result : bool

    Returns
    -------
    ndarray or Series
        The adjusted figures (a Series, same index, when ``x`` is one).

    Raises
    ------
    InvalidInputError
        ``x`` not finite real numbers (gaps allowed), ``w`` not finite numbers of 0 or more
        of the same length, or an unknown ``method`` or non-boolean ``integer_result``; with
        ``"no-switches"``, ``w`` of 0 on every positive, every negative or every non-zero
        figure (no factor to scale that side by).

    Examples
    --------
    >>> rescale_net([30, -10, -10], integer_result=False).tolist()
    [25.0, -12.5, -12.5]
    """
    as_choice(method, ("no-switches", "switches"), "method")
    as_flag(integer_result, "integer_result")
    arr = number_array(_numbers_of(x, "x"), "x", allow_nan=True)
    weights = (np.ones_like(arr) if w is None
               else number_array(_numbers_of(w, "w"), "w", minimum=0))
    if weights.size != arr.size:
        raise InvalidInputError(f"w has {weights.size} values for {arr.size} figures")
    if method == "no-switches":
        pos = (arr > 0) & ~np.isnan(arr)
        neg = (arr < 0) & ~np.isnan(arr)
        sp, sn = float((arr[pos] * weights[pos]).sum()), float((arr[neg] * weights[neg]).sum())
        half = (sp + sn) / 2
        if sp == 0 and sn == 0 and (pos | neg).any():
            raise InvalidInputError(
                "rescale_net: w is 0 on every non-zero figure, so the weighted figures are all "
                "0 and give no factor to scale the gains and losses by (migest stops with an "
                "error or returns NaN); give some of them a weight above 0")
        if (half > 0 and sp == 0) or (half < 0 and sn == 0):
            raise InvalidInputError("rescale_net: all figures have the same sign")
        for group, total, sign in ((pos, sp, "positive"), (neg, sn, "negative")):
            if group.any() and total == 0 and half != 0:
                raise InvalidInputError(
                    f"rescale_net: w is 0 on every {sign} figure, so they cannot take their "
                    "share of the adjustment (migest divides by 0 and returns Inf); give one "
                    "of them a weight above 0")
        y = arr.copy()
        if pos.any():
            y[pos] = arr[pos] * ((sp - half) / sp)
        if neg.any():
            y[neg] = arr[neg] * ((sn - half) / sn)
    elif method == "switches":
        xw = arr * weights
        y = xw - _r_mean(xw)  # a NaN makes every figure NaN, as in R
    else:
        raise InvalidInputError(
            f"method must be 'no-switches' or 'switches', got {method!r}"
        )
    if integer_result:
        y = np.round(y)
        rest = float(np.nansum(y))
        if rest != 0:
            at = int(np.nanargmax(np.abs(y)))
            if abs(rest) > 0.5 * np.count_nonzero(~np.isnan(y)):
                warnings.warn(
                    f"rescale_net: the rounded figures sum to {rest:g}, more than rounding "
                    f"leaves (the figures balance when weighted by w); integer_result takes "
                    f"all of it from the largest figure, {y[at]:g} -> {y[at] - rest:g}, as "
                    "migest does; use integer_result=False to keep the weighted balance",
                    UserWarning, stacklevel=2,
                )
            y[at] -= rest
    if isinstance(x, pd.Series):
        return pd.Series(y, index=x.index, name=x.name)
    return y


def ffs_rates(
    stock_start: pd.DataFrame,
    stock_end: pd.DataFrame | None = None,
    M: float | None = None,
    method: str = "dennett",
) -> pd.DataFrame:
    """Bilateral flows from stocks by migest's rate methods (migest's ``ffs_rates``).

    ``"dennett"``: a known total of movers ``M`` spread over the corridors in proportion to the
    foreign-born stocks at the start (Dennett 2016): ``M * S_ij / sum S`` off the diagonal.
    ``"rogers-von-rabenau"``: the transition matrix ``G`` that turns the start stocks into the
    end stocks (``stock_start @ G = stock_end``) times each place's start population, diagonal
    set to 0 (Rogers and von Rabenau 1971).

    Parameters
    ----------
    stock_start, stock_end : DataFrame
        Square birthplace x residence stock tables, same labels (``stock_end`` for
        "rogers-von-rabenau" only).
    M : float
        Total movers (for "dennett").
    method : {"dennett", "rogers-von-rabenau"}

    Returns
    -------
    DataFrame
        Origin x destination flows.

    References
    ----------
    Dennett, A. (2016). Estimating flows between geographical locations: get me started in
    spatial interaction modelling. CASA Working Paper 184.

    Rogers, A. and von Rabenau, B. (1971). Estimation of interregional migration streams from
    place-of-birth-by-residence data. *Demography* 8(2), 185-194.
    """
    def square(table: object, what: str) -> np.ndarray:
        if (not isinstance(table, pd.DataFrame) or table.shape[0] != table.shape[1]
                or set(table.index) != set(table.columns)):
            raise InvalidInputError(f"{what} must be a square DataFrame with the same places "
                                    "as index and columns")
        arr = table.loc[list(stock_start.index), list(stock_start.index)].to_numpy(
            dtype="float64", copy=True)
        if not np.isfinite(arr).all():
            raise InvalidInputError(f"{what} has missing values; a gap is not a zero")
        return arr

    as_choice(method, ("dennett", "rogers-von-rabenau"), "method")
    if stock_end is not None and not isinstance(stock_end, pd.DataFrame):
        raise InvalidInputError(
            f"stock_end must be a square DataFrame or None, got {type(stock_end).__name__}"
        )
    check_fit(labelled={"stock_start": stock_start, "stock_end": stock_end},
              counts={"stock_start": stock_start, "stock_end": stock_end})
    places = list(stock_start.index) if isinstance(stock_start, pd.DataFrame) else []
    start = square(stock_start, "stock_start")
    if method == "dennett":
        if M is None:
            raise InvalidInputError("method 'dennett' needs a total of movers M >= 0, got None")
        M = as_number(M, "M (the total of movers)", minimum=0)
        np.fill_diagonal(start, 0.0)
        if start.sum() <= 0:
            raise InvalidInputError("stock_start has no foreign-born: nothing to spread M over")
        flows = float(M) * start / start.sum()
    elif method == "rogers-von-rabenau":
        if stock_end is None:
            raise InvalidInputError("method 'rogers-von-rabenau' needs stock_end")
        end = square(stock_end, "stock_end")
        try:
            g = np.linalg.solve(start, end)
        except np.linalg.LinAlgError as exc:
            raise InvalidInputError(
                f"stock_start is singular; no transition matrix solves it ({exc})"
            ) from exc
        flows = g * start.sum(axis=0)[:, None]
        np.fill_diagonal(flows, 0.0)
    else:
        raise InvalidInputError(
            f"method must be 'dennett' or 'rogers-von-rabenau', got {method!r}"
        )
    return pd.DataFrame(flows, index=pd.Index(places, name="origin"),
                        columns=pd.Index(places, name="destination"))
