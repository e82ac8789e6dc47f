"""Bilateral flows from two bilateral stock tables by demographic accounting (Abel 2013).

Stocks by place of birth (rows) and place of residence (columns) at two dates differ because
people moved, were born and died. For each birthplace the two rows are the margins of an
unobserved table of transitions (residence at the start x residence at the end). The estimate:

1. removes the period's deaths from the start stocks and its births from the end stocks;
2. makes each birthplace's total equal at both dates (``match_birthplace``);
3. assumes as many people as possible did not move (the *stayer* or minimum-migration
   assumption: the diagonal of each transition table is the smaller of the two stocks);
4. spreads the remaining moves over origins and destinations by IPF, in proportion to a seed.

The moves summed over birthplaces are the origin-destination flows (:func:`od_matrix`). They
are *transitions* (where a person lived at the start and at the end), not every move: someone
who left and came back in between is not counted, and neither are children born and moved
within the period. Abel (2013) introduced the method, Abel and Sander (2014) the rescaling of
birthplace totals, Abel (2018) and Abel and Cohen (2019) its refinements.

References
----------
Abel, G. J. (2013). Estimating global migration flow tables using place of birth data.
*Demographic Research* 28(18), 505-546.

Abel, G. J. and Sander, N. (2014). Quantifying global international migration flows.
*Science* 343(6178), 1520-1522.

Abel, G. J. (2018). Estimates of global bilateral migration flows by gender between 1960 and
2015. *International Migration Review* 52(3), 809-852.

Abel, G. J. and Cohen, J. E. (2019). Bilateral international migration flow estimates for 200
countries. *Scientific Data* 6, 82.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import (
    as_flag,
    check_fit,
    check_flows,
)
from .._fitting import DEFAULT_MAX_ITER, _ipf2_layers, _ipf2_table
from ..errors import InvalidInputError, MissingColumnsError

__all__ = ["MATCH_BIRTHPLACE", "MATCH_GLOBAL", "flows_from_stocks", "od_matrix"]

#: What ``match_birthplace`` does when a birthplace's total differs between the two tables
#: (after births and deaths are taken out). The first three carry the names of migest's
#: ``match_birthplace_tot_method`` choices and give its numbers; the others are migdata's own.
MATCH_BIRTHPLACE: dict[str, str] = {
    "rescale": (
        "closed world (Abel and Sander 2014; migest's default): the native-born cells are first "
        "scaled so that the world's stock change equals world births minus deaths "
        "(match_global); then both tables are fitted by IPF to common birthplace totals (the "
        "mean of the two) while each keeps its own residence totals"
    ),
    "open": (
        "migest's 'open': a birthplace's loss is taken from its start stocks spread like its "
        "end stocks, its gain from its end stocks spread like its start stocks; a cell can go "
        "below zero, which gives negative stayers (a UserWarning says so; 'open-dr' or "
        "'open-native' cannot)"
    ),
    "open-dr": (
        "migest's 'open-dr': a birthplace's loss is taken from its start stocks in proportion "
        "to them, its gain from its end stocks in proportion to them"
    ),
    "open-native": (
        "migdata: a birthplace's loss (deaths outside the accounts) is taken from its start "
        "stocks in proportion to them; its gain (births) goes into its native-born cell at the "
        "end, any excess into its other cells in proportion to their size"
    ),
    "open-outside": (
        "migdata: the gain or loss of a birthplace is an extra origin or destination 'outside "
        "the system' in its transition table, and IPF spreads those moves with the others"
    ),
    "none": (
        "no adjustment: each birthplace's total must already be the same in both tables after "
        "births and deaths are taken out, else an error"
    ),
}

#: migest's ``match_global`` choices: when the native-born cells are scaled so that the world's
#: stock change equals births minus deaths ("rescale" only).
MATCH_GLOBAL: dict[str, str] = {
    "before-demo-adjust": (
        "before births and deaths are taken out (migest's default); with integer_native=True "
        "the scaled native-born cells are rounded to integers as migest does"
    ),
    "after-demo-adjust": "after births and deaths are taken out, in proportion, no rounding",
}

_TINY = 1e-9


def _square(stock: object, what: str) -> pd.DataFrame:
    if not isinstance(stock, pd.DataFrame):
        raise InvalidInputError(
            f"{what} must be a square DataFrame (index = place of birth, columns = place of "
            f"residence), got {type(stock).__name__}"
        )
    if stock.shape[0] != stock.shape[1]:
        raise InvalidInputError(
            f"{what} is not square: {stock.shape[0]} birthplaces (rows) x {stock.shape[1]} "
            "residences (columns); every place must be both"
        )
    if stock.index.has_duplicates or stock.columns.has_duplicates:
        raise InvalidInputError(f"{what} repeats a place label in its index or columns")
    if set(stock.index) != set(stock.columns):
        raise InvalidInputError(
            f"{what} has different row and column labels: rows only "
            f"{sorted(map(str, set(stock.index) - set(stock.columns)))[:5]}, columns only "
            f"{sorted(map(str, set(stock.columns) - set(stock.index)))[:5]}"
        )
    return stock


def _values(frame: pd.DataFrame, places: pd.Index, what: str) -> np.ndarray:
    try:
        arr = frame.loc[places, places].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must hold numbers (people): {exc}") from exc
    if np.isnan(arr).any():
        b, r = np.argwhere(np.isnan(arr))[0]
        raise InvalidInputError(
            f"{what} has a missing value (birthplace {places[b]!r}, residence {places[r]!r}); "
            "a gap is not a zero: fill it from a source or drop the place on purpose"
        )
    if (arr < 0).any():
        b, r = np.argwhere(arr < 0)[0]
        raise InvalidInputError(
            f"{what} has a negative stock {arr[b, r]!r} (birthplace {places[b]!r}, residence "
            f"{places[r]!r}); stocks are counts of people"
        )
    return arr


def _by_place(values: object, places: pd.Index, what: str) -> np.ndarray:
    if not isinstance(values, pd.Series):
        raise InvalidInputError(
            f"{what} must be a pandas Series indexed by place of residence, got "
            f"{type(values).__name__}"
        )
    missing = [p for p in places if p not in values.index]
    extra = [p for p in values.index if p not in set(places)]
    if missing or extra:
        raise InvalidInputError(
            f"{what} labels differ from the stock tables: missing {missing[:5]}, "
            f"unexpected {extra[:5]}"
        )
    try:
        arr = values.reindex(places).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must hold numbers (people): {exc}") from exc
    if np.isnan(arr).any():
        raise InvalidInputError(
            f"{what} is missing for {places[np.isnan(arr)].tolist()[:5]}; nothing is filled in"
        )
    if (arr < 0).any():
        raise InvalidInputError(
            f"{what} has negative values for {places[arr < 0].tolist()[:5]} "
            f"({arr[arr < 0][:5].tolist()}); births and deaths are counts"
        )
    return arr


def _birth_matrix(
    births: np.ndarray,
    end: np.ndarray,
    places: pd.Index,
    method: str = "native",
    non_negative: bool = True,
) -> np.ndarray:
    """Births during the period by birthplace (rows) x residence at the end (columns).

    ``"native"`` (migest's default): a baby born in place j is native-born in j, so the births
    go into the native-born cell. With ``non_negative`` a place whose births exceed its
    native-born stock at the end has all its births spread over the whole end column, in
    proportion to the stocks (as migest does). ``"native-first"`` (migdata) fills the
    native-born cell first and spreads only the excess over the other cells of the column.
    ``"proportion"`` spreads every place's births over its end column in proportion to the
    stocks.
    """
    n = births.size
    idx = np.arange(n)
    pop = end.sum(axis=0)
    bad = births > pop + _TINY * np.maximum(pop, 1.0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InvalidInputError(
            f"births in {places[j]!r} ({births[j]!r}) exceed its whole population at the end "
            f"of the period ({pop[j]!r})"
        )
    share = np.divide(end, pop[None, :], out=np.zeros_like(end), where=pop > 0)
    if method == "proportion":
        return share * births[None, :]
    mat = np.zeros((n, n))
    mat[idx, idx] = births
    over = births > np.diag(end)
    if not over.any():
        return mat
    if method == "native" and non_negative:
        mat[:, over] = share[:, over] * births[None, over]
    elif method == "native-first":
        native = np.minimum(births, np.diag(end))
        mat[idx, idx] = native
        others = end.copy()
        others[idx, idx] = 0.0
        room = others.sum(axis=0)
        mat += np.divide(others, room[None, :], out=np.zeros_like(others),
                         where=room > 0) * (births - native)[None, :]
    else:  # "native" without non_negative: migest fails on the negative stock that follows
        j = int(np.argmax(over))
        raise InvalidInputError(
            f"births in {places[j]!r} ({float(births[j]):g}) exceed its native-born population "
            f"at the end ({float(end[j, j]):g}); with birth_non_negative=False that leaves a "
            "negative stock (migest stops there too); use birth_non_negative=True"
        )
    return mat


def _death_matrix(
    deaths: np.ndarray,
    start: np.ndarray,
    places: pd.Index,
    method: str = "proportion",
    end: np.ndarray | None = None,
    births: np.ndarray | None = None,
) -> np.ndarray:
    """Deaths by birthplace (rows) x residence (columns).

    ``"proportion"``: each residence's deaths in proportion to its start stocks.
    ``"accounting"`` (migest): deaths by birthplace are start total + births - end total of
    that birthplace (the births of a place counted as its native-born), and the table with
    those row totals and the deaths by residence as column totals is fitted by IPF to the
    start stocks.
    """
    pop = start.sum(axis=0)
    bad = deaths > pop + _TINY * np.maximum(pop, 1.0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InvalidInputError(
            f"deaths in {places[j]!r} ({float(deaths[j]):g}) exceed its population at the start "
            f"of the period ({float(pop[j]):g})"
        )
    share = np.divide(start, pop[None, :], out=np.zeros_like(start), where=pop > 0)
    if method == "proportion":
        return share * deaths[None, :]
    assert end is not None and births is not None
    by_birthplace = start.sum(axis=1) + births - end.sum(axis=1)
    scale = max(float(np.abs(by_birthplace).sum()), 1.0)
    if (by_birthplace < -_TINY * scale).any():
        i = int(np.argmin(by_birthplace))
        raise InvalidInputError(
            f"death_method='accounting' gives {by_birthplace[i]:.6g} deaths of people born in "
            f"{places[i]!r} (start total + births - end total); deaths cannot be negative "
            "(migest stops there too); use death_method='proportion'"
        )
    by_birthplace = np.maximum(by_birthplace, 0.0)
    if abs(by_birthplace.sum() - deaths.sum()) > 1e-9 * max(deaths.sum(), 1.0):
        raise InvalidInputError(
            f"death_method='accounting': deaths by birthplace sum to {by_birthplace.sum():.6g} "
            f"but deaths by residence to {deaths.sum():.6g}; the world's stock change must "
            "equal births minus deaths"
        )
    a, b, _ = _ipf2_layers(start, by_birthplace[None, :], deaths[None, :], tol=1e-12,
                           max_iter=DEFAULT_MAX_ITER)
    return a[0][:, None] * start * b[0][None, :]


def _rescale_integer_sum(x: np.ndarray, total: float, integer: bool) -> np.ndarray:
    """Scale ``x`` to sum to ``total``; with ``integer`` round, as migest's rescale_integer_sum.

    The rounded values are corrected by the rounding remainder on one cell. migest adds it to a
    cell drawn at random (R's ``sample``: among the tied largest cells, or among the first k
    cells when the largest is the k-th); here it goes to the first largest cell, which is what
    migest does whenever the largest cell is the first.
    """
    scaled = x * (total / x.sum())
    if not integer:
        return scaled
    out = np.round(scaled)
    rest = total - out.sum()
    if rest != 0:
        out[int(np.argmax(x))] += rest
    return out


def _scale_native_global(
    start: np.ndarray,
    end: np.ndarray,
    births: np.ndarray,
    deaths: np.ndarray,
    integer: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Scale the native-born cells so that world stock change = world births - deaths.

    Half the gap is taken from (added to) the native-born at the start and half added to
    (taken from) those at the end, as in migest's ``nb_scale_global``: when the gap modulo 2 is
    strictly between 0 and 0.5, the end's native-born first get one person more; with
    ``integer`` the scaled cells are rounded to integers.
    """
    idx = np.arange(start.shape[0])
    start, end = start.copy(), end.copy()
    gap = (births - deaths).sum() - (end - start).sum()
    tot1, tot2 = np.trace(start), np.trace(end)
    rem = gap % 2
    if np.round(rem) == 0 and rem != 0:
        end[idx, idx] = _rescale_integer_sum(np.diag(end), tot2 + 1, integer)
        gap = (births - deaths).sum() - (end - start).sum()
        tot2 = np.trace(end)
    if gap == 0:
        return start, end
    if not (tot1 - gap / 2 > 0 and tot2 + gap / 2 > 0 and tot1 > 0 and tot2 > 0):
        raise InvalidInputError(
            f"the world's stocks change by {end.sum() - start.sum():.6g} but births minus deaths "
            f"are {births.sum() - deaths.sum():.6g}; the native-born populations are too small "
            "to absorb the difference (use match_birthplace='open-dr')"
        )
    start[idx, idx] = _rescale_integer_sum(np.diag(start), tot1 - gap / 2, integer)
    end[idx, idx] = _rescale_integer_sum(np.diag(end), tot2 + gap / 2, integer)
    return start, end


def _rescale_birthplace(start: np.ndarray, end: np.ndarray, places: pd.Index) -> tuple:
    target = (start.sum(axis=1) + end.sum(axis=1)) / 2
    for table, name in ((start, "start"), (end, "end")):
        empty = (table.sum(axis=1) <= 0) & (target > 0)
        if empty.any():
            raise InvalidInputError(
                f"birthplace {places[int(np.argmax(empty))]!r} has no one in the {name} table "
                "but some in the other; 'rescale' cannot spread people over an empty row "
                "(use match_birthplace='open-dr')"
            )
    seeds = np.stack([start, end])
    rows = np.stack([target, target])
    cols = np.stack([start.sum(axis=0), end.sum(axis=0)])
    # Column totals of each table sum to that table's total; the common row target to their
    # mean. They agree because the native-born cells were scaled first (same world total).
    cols = cols * (rows.sum(axis=1, keepdims=True) / np.maximum(cols.sum(axis=1, keepdims=True),
                                                                1e-300))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        a, b, it = _ipf2_layers(seeds, rows, cols, tol=1e-10, max_iter=DEFAULT_MAX_ITER,
                                strict=False)
        fitted = a[:, :, None] * seeds * b[:, None, :]
    if it >= DEFAULT_MAX_ITER or not np.isfinite(fitted).all():
        # the factors run off where the zeros rule the margins out: fit the table itself
        fitted, _ = _ipf2_table(seeds, rows, cols, tol=1e-10, max_iter=DEFAULT_MAX_ITER)
        gap = np.abs(fitted[0].sum(axis=1) - fitted[1].sum(axis=1))
        i = int(np.argmax(gap))
        warnings.warn(
            "'rescale' cannot give every birthplace the same total in both tables: the stock "
            f"tables' zeros rule it out (e.g. birthplace {places[i]!r}, {gap[i]:.6g} apart). "
            "As in migest, the closest fit is used and the flows only approximate each "
            "place's net migration",
            UserWarning,
            stacklevel=3,
        )
    return fitted[0], fitted[1]


def _spread_rows(table: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Each row of ``table`` scaled to its total (a row of zeros stays zero)."""
    sums = table.sum(axis=1)
    return np.divide(table, sums[:, None], out=np.zeros_like(table),
                     where=sums[:, None] > 0) * totals[:, None]


def _open_migest(start: np.ndarray, end: np.ndarray, method: str, places: pd.Index) -> tuple:
    """migest's two open methods: returns adjusted tables, the gains and the losses."""
    diff = start.sum(axis=1) - end.sum(axis=1)
    gains, losses = np.maximum(-diff, 0.0), np.maximum(diff, 0.0)
    gain_like, loss_like = (start, end) if method == "open" else (end, start)
    for like, amount, what in ((gain_like, gains, "gained"), (loss_like, losses, "lost")):
        empty = (like.sum(axis=1) <= 0) & (amount > 0)
        if empty.any():
            i = int(np.argmax(empty))
            raise InvalidInputError(
                f"birthplace {places[i]!r} {what} {amount[i]:.6g} people but its "
                f"{'start' if like is start else 'end'} row, which '{method}' spreads them "
                "like, is empty (migest returns shares instead of counts here); use "
                "match_birthplace='open-native'"
            )
    in_mat = _spread_rows(gain_like, gains)
    out_mat = _spread_rows(loss_like, losses)
    return start - out_mat, end - in_mat, in_mat, out_mat


def _open_proportional(start: np.ndarray, end: np.ndarray) -> tuple:
    """Take each birthplace's gain or loss out of the tables before the flows are estimated.

    A birthplace group can grow only by births, which happen in its own country: a gain is
    taken from the native-born cell at the end (any excess from the group's other cells in
    proportion to their size). A group shrinks by deaths wherever its members live: a loss is
    taken from the start stocks in proportion to their size.
    """
    n = start.shape[0]
    idx = np.arange(n)
    r1, r2 = start.sum(axis=1), end.sum(axis=1)
    out_moves = np.maximum(r1 - r2, 0.0)  # left the system, by birthplace
    in_moves = np.maximum(r2 - r1, 0.0)  # entered the system
    out_mat = _spread_rows(start, out_moves)
    in_mat = np.zeros_like(end)
    native = np.minimum(in_moves, end[idx, idx])
    in_mat[idx, idx] = native
    rest = in_moves - native
    if (rest > 0).any():
        others = end.copy()
        others[idx, idx] = 0.0
        in_mat += _spread_rows(others, rest)
    return start - out_mat, end - in_mat, out_mat, in_mat


STAYER_ASSUMPTION = (True, False, "seeded")
BIRTH_METHODS = ("native", "proportion", "native-first")
DEATH_METHODS = ("proportion", "accounting")
OUTPUTS = ("flow", "account")


def _choice(value: object, allowed: tuple, what: str) -> None:
    if not any(value is a or (isinstance(a, str) and value == a) for a in allowed):
        raise InvalidInputError(f"{what} must be one of {list(allowed)}, got {value!r}")


def flows_from_stocks(
    stock_start: pd.DataFrame,
    stock_end: pd.DataFrame,
    births: pd.Series | None = None,
    deaths: pd.Series | None = None,
    *,
    match_birthplace: str = "rescale",
    seed: pd.DataFrame | None = None,
    stayer_assumption: bool | str = True,
    match_global: str = "before-demo-adjust",
    integer_native: bool = True,
    birth_method: str = "native",
    birth_non_negative: bool = True,
    death_method: str = "proportion",
    output: str = "flow",
) -> pd.DataFrame:
    """Estimate bilateral migration flows from two bilateral stock tables (Abel 2013).

    The counterpart of migest's ``ffs_demo`` (2.0.5): with the same options it gives migest's
    numbers (tests/test_migest_parity.py checks them against migest run in R), defaults
    included. Differences are listed under Notes.

    Parameters
    ----------
    stock_start, stock_end : DataFrame
        Square tables of people by place of birth (index) and place of residence (columns) at
        the start and the end of the period, same labels. The diagonal is the native-born
        population (total population minus the foreign-born): without it every foreign-born
        person would look like a mover.
    births, deaths : Series, optional
        Births and deaths during the period by place of residence (same labels). Give both or
        neither. Without them the period is treated as having none: with ``"rescale"`` the
        growth of the native-born is then read as migration (a ``UserWarning`` says so).
    match_birthplace : str
        How birthplace totals that differ between the two tables are reconciled (migest's
        ``match_birthplace_tot_method``); see :data:`MATCH_BIRTHPLACE`: ``"rescale"``,
        ``"open"``, ``"open-dr"`` (migest's), ``"open-native"``, ``"open-outside"``,
        ``"none"`` (migdata's).
    seed : DataFrame, optional
        Prior pattern of moves, origin x destination (same labels), non-negative; default 1
        everywhere. As in migest it is used only with ``stayer_assumption=False``; with the
        default ``True`` migest ignores it, and so does this function (with a
        ``UserWarning``). ``stayer_assumption="seeded"`` keeps the stayers *and* uses the seed
        (migdata's own option). migest's example passes a distance matrix as it is; a seed is a
        prior of the flows, so pass a decreasing function of distance.
    stayer_assumption : {True, False, "seeded"}
        ``True`` (default): as many people as possible did not move (each birthplace's
        stayers are the smaller of its two stocks), the rest are spread independently of the
        seed. ``False``: every birthplace's table (stayers included) is fitted by IPF to the
        seed (Azose and Raftery 2019's independent model with the default seed).
        ``"seeded"``: stayers as with ``True``, the moves spread in proportion to ``seed``.
    match_global : {"before-demo-adjust", "after-demo-adjust"}
        With ``"rescale"``: when the native-born cells are scaled so that the world's stock
        change equals births minus deaths; see :data:`MATCH_GLOBAL`.
    integer_native : bool
        With ``match_global="before-demo-adjust"``: round the scaled native-born cells to
        integers, as migest does (default ``True``). ``False`` scales them in proportion
        without rounding. No effect when the world balances.
    birth_method : {"native", "proportion", "native-first"}
        Where the births of a place are taken from the end stocks: its native-born cell
        (migest's default), the whole column in proportion (migest), or the native-born cell
        first and any excess from the other cells of the column (migdata).
    birth_non_negative : bool
        With ``"native"``: a place whose births exceed its native-born stock has its births
        taken from the whole column in proportion (migest's default). ``False`` leaves a
        negative stock, which migest cannot fit either: an error is raised.
    death_method : {"proportion", "accounting"}
        How the deaths of a residence are split by birthplace (migest's ``death_method``).
    output : {"flow", "account"}
        ``"flow"`` (migest's ``return="flow"``): the moves, one row per non-zero flow between
        two different places. ``"account"`` (migest's ``return="account"``): every cell of the
        demographic account, stayers (origin = destination) included, with origins
        ``"birth"`` and ``"outside"`` and destinations ``"death"`` and ``"outside"`` added
        (placed as migest places them).

    Returns
    -------
    DataFrame
        ``birthplace``, ``origin`` (residence at the start), ``destination`` (residence at the
        end) and ``flow`` (persons over the period); the three label columns are categorical
        with every place as a category, so zero flows are recoverable (:func:`od_matrix` uses
        them). ``attrs`` records the method and totals: ``stayers``, ``movers``,
        ``moves_outside`` (for the open methods), ``births`` and ``deaths``.

    Raises
    ------
    InvalidInputError
        Non-square tables, different labels, negative or missing stocks, negative births or
        deaths, deaths or births larger than a population, an unknown option, or (with
        ``"none"``) birthplace totals that differ.

    Warns
    -----
    UserWarning
        A seed given with ``stayer_assumption=True``; negative stayers from ``"open"``;
        ``"rescale"`` without births and deaths when birthplace totals differ.

    Notes
    -----
    Within one birthplace, a place with more people at the start than at the end can only
    send, and one with more at the end can only receive (minimum migration); the moves are
    then proportional to the senders' losses times the receivers' gains. The estimate is a
    lower bound on transitions; it is not a count of moves.

    Deliberate differences from migest 2.0.5: IPF is run to full precision (migest stops at
    mipfp's tolerance 1e-3, so its flows differ in about the fifth significant digit, and where
    that imprecision leaves a birthplace with movers at one date only, mipfp "shifts to
    probabilities" and migest returns shares summing to 1 among the counts; here the counts
    are returned). The remainder of the integer rounding goes to the first largest
    native-born cell, where migest draws the cell at random unless the largest is the first.
    ``"rescale-adjust-zero-fb"`` is not offered: in migest 2.0.5 it stops with an error or
    returns only zeros unless some region has no foreign-born.

    Examples
    --------
    The two-period example of Abel (2013) and Abel and Sander (2014), no births or deaths:

    >>> import pandas as pd
    >>> r = list("ABCD")
    >>> s1 = pd.DataFrame([[1000, 100, 10, 0], [55, 555, 50, 5], [80, 40, 800, 40],
    ...                    [20, 25, 20, 200]], index=r, columns=r)
    >>> s2 = pd.DataFrame([[950, 100, 60, 0], [80, 505, 75, 5], [90, 30, 800, 40],
    ...                    [40, 45, 0, 180]], index=r, columns=r)
    >>> od_matrix(flows_from_stocks(s1, s2)).round(1).to_numpy().tolist()
    [[0.0, 0.0, 50.0, 0.0], [35.0, 0.0, 25.0, 0.0], [10.0, 10.0, 0.0, 0.0], [10.0, 10.0, 0.0, 0.0]]
    """
    for name, value in (("births", births), ("deaths", deaths)):
        if value is not None and not isinstance(value, pd.Series):
            raise InvalidInputError(
                f"{name} must be a pandas Series indexed by place of residence (one figure per "
                f"place), got a {type(value).__name__}"
                + (" (use frame[column] to pass one column)"
                   if isinstance(value, pd.DataFrame) else "")
            )
    check_fit(labelled={"stock_start": stock_start, "stock_end": stock_end, "births": births,
                        "deaths": deaths, "seed": seed},
              counts={"stock_start": stock_start, "stock_end": stock_end, "births": births,
                      "deaths": deaths, "seed": seed})
    if match_birthplace == "rescale-adjust-zero-fb":
        raise InvalidInputError(
            "match_birthplace 'rescale-adjust-zero-fb' is not offered: in migest 2.0.5 it stops "
            "with an error or returns only zeros unless some region has no foreign-born "
            f"(docs/migest.md); use one of {list(MATCH_BIRTHPLACE)}"
        )
    if not isinstance(match_birthplace, str) or match_birthplace not in MATCH_BIRTHPLACE:
        raise InvalidInputError(
            f"match_birthplace must be one of {list(MATCH_BIRTHPLACE)}, got {match_birthplace!r}"
        )
    _choice(stayer_assumption, STAYER_ASSUMPTION, "stayer_assumption")
    _choice(match_global, tuple(MATCH_GLOBAL), "match_global")
    _choice(birth_method, BIRTH_METHODS, "birth_method")
    _choice(death_method, DEATH_METHODS, "death_method")
    _choice(output, OUTPUTS, "output")
    as_flag(integer_native, "integer_native")
    as_flag(birth_non_negative, "birth_non_negative")
    if output == "account" and match_birthplace == "open-outside":
        raise InvalidInputError(
            "output='account' is not available with match_birthplace='open-outside' (its moves "
            "outside are part of the fit); use 'open-dr' or 'open-native'"
        )
    _square(stock_start, "stock_start")
    _square(stock_end, "stock_end")
    places = pd.Index(stock_start.index)
    if set(stock_end.index) != set(places):
        raise InvalidInputError(
            "stock_start and stock_end have different places: only at the start "
            f"{sorted(map(str, set(places) - set(stock_end.index)))[:5]}, only at the end "
            f"{sorted(map(str, set(stock_end.index) - set(places)))[:5]}"
        )
    start = _values(stock_start, places, "stock_start")
    end = _values(stock_end, places, "stock_end")
    if (births is None) != (deaths is None):
        raise InvalidInputError(
            "give both births and deaths, or neither (treating one as zero would bias the "
            "estimate without saying so)"
        )
    n = places.size
    if births is None:
        b = np.zeros(n)
        d = np.zeros(n)
    else:
        b = _by_place(births, places, "births")
        d = _by_place(deaths, places, "deaths")
    if seed is None:
        seed_arr = np.ones((n, n))
    else:
        _square(seed, "seed")
        if set(seed.index) != set(places):
            raise InvalidInputError("seed must have the same places as the stock tables")
        seed_arr = _values(seed, places, "seed")
        if stayer_assumption is True:
            warnings.warn(
                "the seed is not used with stayer_assumption=True (migest ignores it there "
                "too); pass stayer_assumption='seeded' to spread the moves in proportion to it, "
                "or stayer_assumption=False for migest's seeded independent model",
                UserWarning,
                stacklevel=2,
            )

    _death_matrix(d, start, places)  # deaths larger than a population: refuse before anything
    rescale = match_birthplace == "rescale"
    if rescale and births is None:
        r1, r2 = start.sum(axis=1), end.sum(axis=1)
        if np.abs(r1 - r2).sum() > 1e-6 * max(start.sum(), 1.0):
            warnings.warn(
                "birthplace totals differ between the two tables and no births or deaths were "
                "given: 'rescale' then reads natural increase as migration and overstates the "
                "flows; give births and deaths, or use match_birthplace='open-dr'",
                UserWarning,
                stacklevel=2,
            )
    if rescale and match_global == "before-demo-adjust":
        start, end = _scale_native_global(start, end, b, d, integer=integer_native)
    b_mat = _birth_matrix(b, end, places, birth_method, birth_non_negative)
    d_mat = _death_matrix(d, start, places, death_method, end, b)
    start_adj = start - d_mat
    end_adj = end - b_mat
    if rescale and match_global == "after-demo-adjust":
        gap = end_adj.sum() - start_adj.sum()
        idx = np.arange(n)
        for table, sign in ((start_adj, 0.5), (end_adj, -0.5)):
            diag = table[idx, idx]
            if gap != 0 and diag.sum() <= 0:
                raise InvalidInputError(
                    "match_global='after-demo-adjust': no native-born left to absorb the gap "
                    f"of {gap:.6g} between the world's stock change and births minus deaths"
                )
            if gap != 0:
                table[idx, idx] = diag + sign * gap * diag / diag.sum()
    # rounding residue of the subtractions above (never a real negative stock)
    for table in (start_adj, end_adj):
        tiny = (table < 0) & (table > -1e-9 * max(start.sum(), 1.0))
        table[tiny] = 0.0
    if (start_adj < 0).any() or (end_adj < 0).any():
        which = "start" if (start_adj < 0).any() else "end"
        raise InvalidInputError(
            f"taking out births and deaths leaves a negative stock in the {which} table; "
            "check births, deaths and the native-born populations"
        )

    moves_outside: dict[str, float] = {}
    extra_in = extra_out = None
    in_mat = out_mat = np.zeros_like(start)
    if rescale:
        start_adj, end_adj = _rescale_birthplace(start_adj, end_adj, places)
    elif match_birthplace in ("open", "open-dr"):
        start_adj, end_adj, in_mat, out_mat = _open_migest(start_adj, end_adj,
                                                           match_birthplace, places)
        moves_outside = {"left": float(out_mat.sum()), "entered": float(in_mat.sum())}
    elif match_birthplace == "open-native":
        start_adj, end_adj, out_mat, in_mat = _open_proportional(start_adj, end_adj)
        moves_outside = {"left": float(out_mat.sum()), "entered": float(in_mat.sum())}
    elif match_birthplace == "open-outside":
        r1, r2 = start_adj.sum(axis=1), end_adj.sum(axis=1)
        extra_in = np.maximum(r2 - r1, 0.0)  # an extra origin: outside the system
        extra_out = np.maximum(r1 - r2, 0.0)  # an extra destination: outside the system
        moves_outside = {"left": float(extra_out.sum()), "entered": float(extra_in.sum())}
    else:
        r1, r2 = start_adj.sum(axis=1), end_adj.sum(axis=1)
        bad = np.abs(r1 - r2) > 1e-6 * np.maximum(np.maximum(r1, r2), 1.0)
        if bad.any():
            shown = {str(places[i]): (float(r1[i]), float(r2[i])) for i in np.flatnonzero(bad)[:5]}
            raise InvalidInputError(
                "with match_birthplace='none' each birthplace must have the same total at both "
                f"dates after births and deaths; (start, end) totals differ for {shown}"
            )

    if stayer_assumption is False:
        flows3 = _independent_flows(start_adj, end_adj, seed_arr, extra_in, extra_out)
        stayer_cells = flows3[:, np.arange(n), np.arange(n)]
        flows3[:, np.arange(n), np.arange(n)] = 0.0
        code_b, code_o, code_d = np.nonzero(flows3 > 0)
        values = flows3[code_b, code_o, code_d]
        nz = (code_b, code_o, code_d)
    else:
        stayer_cells = np.minimum(start_adj, end_adj)
        use_seed = stayer_assumption == "seeded"
        seed_moves = seed_arr.copy() if use_seed else np.ones((n, n))
        np.fill_diagonal(seed_moves, 0.0)
        nz, values = _moves_with_stayers(start_adj - stayer_cells, end_adj - stayer_cells,
                                         seed_moves, extra_in, extra_out)
    if match_birthplace == "open" and (stayer_cells < 0).any():
        warnings.warn(
            f"migest's 'open' left {int((stayer_cells < 0).sum())} negative stayer count(s) "
            f"(down to {stayer_cells.min():.6g}): it takes a birthplace's losses from its start "
            "stocks spread like its end stocks; match_birthplace='open-dr' or 'open-native' "
            "cannot do that",
            UserWarning,
            stacklevel=2,
        )
    movers = float(values.sum())
    cat = pd.CategoricalDtype(categories=places)
    if output == "account":
        out = _account(places, nz, values, stayer_cells, b_mat, d_mat, in_mat, out_mat)
    else:
        out = pd.DataFrame(
            {
                "birthplace": pd.Categorical.from_codes(nz[0], dtype=cat),
                "origin": pd.Categorical.from_codes(nz[1], dtype=cat),
                "destination": pd.Categorical.from_codes(nz[2], dtype=cat),
                "flow": values,
            }
        )
    out.attrs.update(
        {
            "method": "flows_from_stocks: demographic accounting, stayer assumption, IPF",
            "match_birthplace": f"{match_birthplace}: {MATCH_BIRTHPLACE[match_birthplace]}",
            "stayer_assumption": stayer_assumption,
            "match_global": match_global if rescale else "not used",
            "integer_native": integer_native,
            "birth_method": birth_method,
            "birth_non_negative": birth_non_negative,
            "death_method": death_method,
            "stayers": float(stayer_cells.sum()),
            "movers": movers,
            "moves_outside": moves_outside,
            "births": float(b.sum()) if births is not None else "not given (taken as 0)",
            "deaths": float(d.sum()) if deaths is not None else "not given (taken as 0)",
        }
    )
    return out


def _independent_flows(
    start: np.ndarray,
    end: np.ndarray,
    seed: np.ndarray,
    extra_in: np.ndarray | None,
    extra_out: np.ndarray | None,
) -> np.ndarray:
    """Every birthplace's transition table (stayers included) fitted by IPF to the seed."""
    n = start.shape[0]
    rows, cols = start, end
    seed_use = seed
    if extra_in is not None and extra_out is not None:
        rows = np.concatenate([rows, extra_in[:, None]], axis=1)
        cols = np.concatenate([cols, extra_out[:, None]], axis=1)
        seed_use = np.ones((n + 1, n + 1))
        seed_use[:n, :n] = seed
        seed_use[n, n] = 0.0
    # Where a birthplace's two totals differ (a 'rescale' that could not equalise them), IPF
    # ends on the column (end) margins, as mipfp's does: scale the rows to those totals.
    rs, cs = rows.sum(axis=1), cols.sum(axis=1)
    rows = rows * np.divide(cs, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            a, c, _ = _ipf2_layers(seed_use, rows, cols, tol=1e-12, max_iter=DEFAULT_MAX_ITER)
        except InvalidInputError as exc:
            raise InvalidInputError(
                "with stayer_assumption=False the seed's zeros rule out a birthplace's stock "
                "margins (a zero diagonal leaves no room for stayers); migest returns an "
                "unconverged table there, migdata refuses. Give the seed a positive diagonal. "
                f"({exc})"
            ) from None
    fitted = a[:, :, None] * seed_use[None, :, :] * c[:, None, :]
    return fitted[:, :n, :n]


def _moves_with_stayers(
    rows: np.ndarray,
    cols: np.ndarray,
    seed_use: np.ndarray,
    extra_in: np.ndarray | None,
    extra_out: np.ndarray | None,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Moves by birthplace once the stayers are out: IPF over senders x receivers."""
    n = rows.shape[0]
    if extra_in is not None and extra_out is not None:
        rows = np.concatenate([rows, extra_in[:, None]], axis=1)
        cols = np.concatenate([cols, extra_out[:, None]], axis=1)
        big = np.ones((n + 1, n + 1))
        big[:n, :n] = seed_use
        big[n, n] = 0.0
        seed_use = big
    # Equalise each birthplace's two residual totals exactly (they agree up to rounding).
    rs, cs = rows.sum(axis=1), cols.sum(axis=1)
    cols = cols * np.divide(rs, cs, out=np.zeros_like(rs), where=cs > 0)[:, None]
    # Birthplace by birthplace, IPF only over the places that send (lost people of that
    # birthplace) and those that receive (gained them): the other rows and columns are 0.
    # Small blocks converge in a few matrix-vector steps; a batched matrix product over all
    # birthplaces was slower on a shared 2-core machine (see benchmarks/bench_estimation.py).
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for bp in range(n):
        senders = np.flatnonzero(rows[bp] > 0)
        receivers = np.flatnonzero(cols[bp] > 0)
        if senders.size == 0 or receivers.size == 0:
            continue
        block_seed = seed_use[np.ix_(senders, receivers)]
        a, c, _ = _ipf2_layers(
            block_seed, rows[bp, senders][None, :], cols[bp, receivers][None, :], tol=1e-10
        )
        block = a[0][:, None] * block_seed * c[0][None, :]
        ii, jj = np.nonzero(block > 0)
        origin, destination = senders[ii], receivers[jj]
        inside = (origin < n) & (destination < n)  # drop moves into or out of the system
        parts.append((np.full(int(inside.sum()), bp), origin[inside], destination[inside],
                      block[ii, jj][inside]))
    if parts:
        nz = tuple(np.concatenate([p[k] for p in parts]) for k in range(3))
        values = np.concatenate([p[3] for p in parts])
    else:
        nz = (np.zeros(0, dtype=int),) * 3
        values = np.zeros(0)
    return nz, values  # type: ignore[return-value]


def _account(
    places: pd.Index,
    nz: tuple,
    values: np.ndarray,
    stayers: np.ndarray,
    b_mat: np.ndarray,
    d_mat: np.ndarray,
    in_mat: np.ndarray,
    out_mat: np.ndarray,
) -> pd.DataFrame:
    """The demographic account as migest's ``return="account"`` array, in long form.

    Rows "birth" and "outside" are added to the origins, "death" and "outside" to the
    destinations, placed as migest places them: births at (birth, j, k) = b_mat[j, k],
    deaths at (i, death, k) = d_mat[k, i], the birthplace losses of the open methods at
    (outside, i, k) and their gains at (i, outside, k).
    """
    n = places.size
    acc = np.zeros((n, n + 2, n + 2))  # birthplace x origin x destination
    acc[nz[0], nz[1], nz[2]] = values
    idx = np.arange(n)
    acc[:, idx, idx] = stayers
    acc[:, n, :n] = b_mat.T
    acc[:, n + 1, :n] = out_mat
    acc[:, :n, n] = d_mat
    acc[:, :n, n + 1] = in_mat
    labels = list(places)
    origins = pd.CategoricalDtype(categories=[*labels, "birth", "outside"])
    dests = pd.CategoricalDtype(categories=[*labels, "death", "outside"])
    kk, oo, dd = np.meshgrid(idx, np.arange(n + 2), np.arange(n + 2), indexing="ij")
    return pd.DataFrame(
        {
            "birthplace": pd.Categorical.from_codes(kk.ravel(), dtype=pd.CategoricalDtype(labels)),
            "origin": pd.Categorical.from_codes(oo.ravel(), dtype=origins),
            "destination": pd.Categorical.from_codes(dd.ravel(), dtype=dests),
            "flow": acc.ravel(),
        }
    )


def od_matrix(
    flows: pd.DataFrame,
    *,
    origin_col: str = "origin",
    destination_col: str = "destination",
    flow_col: str = "flow",
) -> pd.DataFrame:
    """Origin x destination matrix of a long flow table, summed over everything else.

    Parameters
    ----------
    flows : DataFrame
        Long flows, e.g. from :func:`flows_from_stocks` (summed over birthplace here).
    origin_col, destination_col, flow_col : str
        Column names.

    Returns
    -------
    DataFrame
        Index ``origin``, columns ``destination``, every place on both (categories included),
        moves within a place (the diagonal) set to 0. A missing flow makes its cell ``NaN``.

    Raises
    ------
    MissingColumnsError, InvalidInputError
        For absent columns or negative flows.
    """
    if not isinstance(flows, pd.DataFrame):
        raise InvalidInputError(f"flows must be a DataFrame, got {type(flows).__name__}")
    missing = [c for c in (origin_col, destination_col, flow_col) if c not in flows.columns]
    if missing:
        raise MissingColumnsError(
            f"od_matrix(flows) lacks column(s) {missing}; found {list(map(str, flows.columns))}"
        )
    checked = check_flows(flows, "od_matrix(flows)", origin_col=origin_col,
                          destination_col=destination_col, flow_col=flow_col)
    values = checked[flow_col]
    labels: list = []
    for col in (origin_col, destination_col):
        s = flows[col]
        cats = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s.unique()
        labels.extend(x for x in cats if x not in set(labels))
    try:
        labels = sorted(labels)
    except TypeError:
        pass
    orig = pd.Categorical(flows[origin_col], categories=labels)
    dest = pd.Categorical(flows[destination_col], categories=labels)
    n = len(labels)
    mat = np.zeros((n, n))
    codes_o, codes_d = np.asarray(orig.codes), np.asarray(dest.codes)
    np.add.at(mat, (codes_o, codes_d), values.to_numpy())
    np.fill_diagonal(mat, 0.0)
    return pd.DataFrame(
        mat,
        index=pd.Index(labels, name="origin"),
        columns=pd.Index(labels, name="destination"),
    )
