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

from .._checks import check_fit, check_flows
from .._fitting import DEFAULT_MAX_ITER, _ipf2_layers
from ..errors import InvalidInputError, MissingColumnsError

__all__ = ["MATCH_BIRTHPLACE", "flows_from_stocks", "od_matrix"]

#: What ``match_birthplace`` does when a birthplace's total differs between the two tables
#: (after births and deaths are taken out).
MATCH_BIRTHPLACE: dict[str, str] = {
    "rescale": (
        "closed world (Abel and Sander 2014): first the native-born populations are scaled so "
        "that the world's stock change equals world births minus deaths; then both tables are "
        "fitted by IPF to common birthplace totals (the mean of the two) while each keeps its "
        "own residence totals, so the flows reproduce every country's net migration"
    ),
    "open": (
        "open system: a birthplace group that shrank lost people to outside the system (deaths), "
        "from each residence in proportion to its start stock; one that grew gained them from "
        "outside (births), into its native-born cell (any excess into its other cells in "
        "proportion to their size); those moves are taken out before the flows are estimated "
        "and reported in attrs['moves_outside']"
    ),
    "open-dr": (
        "open system as in Abel (2013, Demographic Research): the gain or loss of a birthplace is "
        "an extra origin or destination 'outside the system' in its transition table, and IPF "
        "spreads those moves together with the others"
    ),
    "none": (
        "no adjustment: each birthplace's total must already be the same in both tables after "
        "births and deaths are taken out, else an error"
    ),
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


def _birth_matrix(births: np.ndarray, end: np.ndarray, places: pd.Index) -> np.ndarray:
    """Births by birthplace x residence at the end: in the native-born cell where possible.

    A baby born during the period in place j is native-born in j. If a place's births exceed
    its native-born stock at the end (possible with inconsistent sources), the excess is taken
    from the other stocks of that residence in proportion to their size, so that no stock goes
    negative.
    """
    n = births.size
    mat = np.zeros((n, n))
    native = np.diag(end).copy()
    direct = np.minimum(births, native)
    mat[np.arange(n), np.arange(n)] = direct
    excess = births - direct
    if (excess > 0).any():
        others = end.copy()
        np.fill_diagonal(others, 0.0)
        room = others.sum(axis=0)
        bad = excess > room + _TINY * np.maximum(room, 1.0)
        if bad.any():
            j = int(np.argmax(bad))
            raise InvalidInputError(
                f"births in {places[j]!r} ({float(births[j]):g}) exceed its whole population at "
                f"the end of the period ({float(end[:, j].sum()):g})"
            )
        share = np.divide(others, room[None, :], out=np.zeros_like(others), where=room > 0)
        mat += share * excess[None, :]
    return mat


def _death_matrix(deaths: np.ndarray, start: np.ndarray, places: pd.Index) -> np.ndarray:
    """Deaths by birthplace x residence: each residence's deaths in proportion to its stocks."""
    pop = start.sum(axis=0)
    bad = deaths > pop + _TINY * np.maximum(pop, 1.0)
    if bad.any():
        j = int(np.argmax(bad))
        raise InvalidInputError(
            f"deaths in {places[j]!r} ({float(deaths[j]):g}) exceed its population at the start "
            f"of the period ({float(pop[j]):g})"
        )
    share = np.divide(start, pop[None, :], out=np.zeros_like(start), where=pop > 0)
    return share * deaths[None, :]


def _scale_native_global(
    start: np.ndarray, end: np.ndarray, births: np.ndarray, deaths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scale the native-born cells so that world stock change = world births - deaths."""
    gap = (end.sum() - start.sum()) - (births.sum() - deaths.sum())
    if abs(gap) <= _TINY * max(end.sum(), 1.0):
        return start, end
    d1, d2 = np.trace(start), np.trace(end)
    f1 = 1 + (gap / 2) / d1 if d1 > 0 else np.nan
    f2 = 1 - (gap / 2) / d2 if d2 > 0 else np.nan
    if not (f1 > 0 and f2 > 0):
        raise InvalidInputError(
            f"the world's stocks change by {end.sum() - start.sum():.6g} but births minus deaths "
            f"are {births.sum() - deaths.sum():.6g}; the native-born populations are too small "
            "to absorb the difference (use match_birthplace='open')"
        )
    start, end = start.copy(), end.copy()
    idx = np.arange(start.shape[0])
    start[idx, idx] *= f1
    end[idx, idx] *= f2
    return start, end


def _rescale_birthplace(start: np.ndarray, end: np.ndarray, places: pd.Index) -> tuple:
    target = (start.sum(axis=1) + end.sum(axis=1)) / 2
    for table, name in ((start, "start"), (end, "end")):
        empty = (table.sum(axis=1) <= 0) & (target > 0)
        if empty.any():
            raise InvalidInputError(
                f"birthplace {places[int(np.argmax(empty))]!r} has no one in the {name} table "
                "but some in the other; 'rescale' cannot spread people over an empty row "
                "(use match_birthplace='open')"
            )
    seeds = np.stack([start, end])
    rows = np.stack([target, target])
    cols = np.stack([start.sum(axis=0), end.sum(axis=0)])
    # Column totals of each table sum to that table's total; the common row target to their
    # mean. They agree because the native-born cells were scaled first (same world total).
    cols = cols * (rows.sum(axis=1, keepdims=True) / np.maximum(cols.sum(axis=1, keepdims=True),
                                                                1e-300))
    a, b, _ = _ipf2_layers(seeds, rows, cols, tol=1e-10, max_iter=DEFAULT_MAX_ITER)
    fitted = a[:, :, None] * seeds * b[:, None, :]
    return fitted[0], fitted[1]


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
    out_mat = np.divide(start, r1[:, None], out=np.zeros_like(start), where=r1[:, None] > 0)
    out_mat *= out_moves[:, None]
    in_mat = np.zeros_like(end)
    native = np.minimum(in_moves, end[idx, idx])
    in_mat[idx, idx] = native
    rest = in_moves - native
    if (rest > 0).any():
        others = end.copy()
        others[idx, idx] = 0.0
        room = others.sum(axis=1)
        in_mat += np.divide(others, room[:, None], out=np.zeros_like(others),
                            where=room[:, None] > 0) * rest[:, None]
    return start - out_mat, end - in_mat, out_mat, in_mat


def flows_from_stocks(
    stock_start: pd.DataFrame,
    stock_end: pd.DataFrame,
    births: pd.Series | None = None,
    deaths: pd.Series | None = None,
    *,
    match_birthplace: str = "rescale",
    seed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Estimate bilateral migration flows from two bilateral stock tables (Abel 2013).

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
        growth of the native-born is then read as migration (a ``UserWarning`` says so);
        ``"open"`` instead reads each birthplace's change of total as moves into or out of
        the system, i.e. as natural change where its members live.
    match_birthplace : {"rescale", "open", "open-dr", "none"}
        How birthplace totals that differ between the two tables are reconciled; see
        :data:`MATCH_BIRTHPLACE` (the choices of ``match_birthplace_tot_method`` in migest).
    seed : DataFrame, optional
        Prior pattern of moves, origin x destination (same labels), non-negative: larger values
        attract more of the moves that the stocks leave to spread (e.g. ``1 / distance``, or an
        older flow table). Default 1 everywhere. The diagonal is not used. (migest's own
        example passes a distance matrix as it is; here the seed is a prior of the flows, so
        pass a decreasing function of distance.)

    Returns
    -------
    DataFrame
        ``birthplace``, ``origin`` (residence at the start), ``destination`` (residence at the
        end) and ``flow`` (persons over the period), one row per non-zero estimate; the three
        label columns are categorical with every place as a category, so zero flows are
        recoverable (:func:`od_matrix` uses them). ``attrs`` records the method and totals:
        ``stayers``, ``movers``, ``moves_outside`` (for the open methods), ``births`` and
        ``deaths``.

    Raises
    ------
    InvalidInputError
        Non-square tables, different labels, negative or missing stocks, negative births or
        deaths, deaths larger than a population, an unknown ``match_birthplace``, or (with
        ``"none"``) birthplace totals that differ.

    Notes
    -----
    Within one birthplace, a place with more people at the start than at the end can only
    send, and one with more at the end can only receive (minimum migration); with a uniform
    seed the moves are then proportional to the senders' losses times the receivers' gains.
    The estimate is a lower bound on transitions; it is not a count of moves.

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
    if not isinstance(match_birthplace, str) or match_birthplace not in MATCH_BIRTHPLACE:
        raise InvalidInputError(
            f"match_birthplace must be one of {list(MATCH_BIRTHPLACE)}, got {match_birthplace!r}"
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
    seed_arr = seed_arr.copy()
    np.fill_diagonal(seed_arr, 0.0)

    _death_matrix(d, start, places)  # deaths larger than a population: refuse before anything
    if match_birthplace == "rescale" and births is None:
        r1, r2 = start.sum(axis=1), end.sum(axis=1)
        if np.abs(r1 - r2).sum() > 1e-6 * max(start.sum(), 1.0):
            warnings.warn(
                "birthplace totals differ between the two tables and no births or deaths were "
                "given: 'rescale' then reads natural increase as migration and overstates the "
                "flows; give births and deaths, or use match_birthplace='open'",
                UserWarning,
                stacklevel=2,
            )
    if match_birthplace == "rescale":
        start, end = _scale_native_global(start, end, b, d)
    start_adj = start - _death_matrix(d, start, places)
    end_adj = end - _birth_matrix(b, end, places)
    start_adj = np.maximum(start_adj, 0.0)
    end_adj = np.maximum(end_adj, 0.0)

    moves_outside: dict[str, float] = {}
    extra_in = extra_out = None
    if match_birthplace == "rescale":
        start_adj, end_adj = _rescale_birthplace(start_adj, end_adj, places)
    elif match_birthplace == "open":
        start_adj, end_adj, out_mat, in_mat = _open_proportional(start_adj, end_adj)
        moves_outside = {"left": float(out_mat.sum()), "entered": float(in_mat.sum())}
    elif match_birthplace == "open-dr":
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

    stayers = np.minimum(start_adj, end_adj)
    rows = start_adj - stayers
    cols = end_adj - stayers
    if extra_in is not None and extra_out is not None:
        rows = np.concatenate([rows, extra_in[:, None]], axis=1)
        cols = np.concatenate([cols, extra_out[:, None]], axis=1)
        big = np.ones((n + 1, n + 1))
        big[:n, :n] = seed_arr
        big[n, n] = 0.0
        seed_use = big
    else:
        seed_use = seed_arr
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
    movers = float(values.sum())
    cat = pd.CategoricalDtype(categories=places)
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
            "stayers": float(stayers.sum()),
            "movers": movers,
            "moves_outside": moves_outside,
            "births": float(b.sum()) if births is not None else "not given (taken as 0)",
            "deaths": float(d.sum()) if deaths is not None else "not given (taken as 0)",
        }
    )
    return out


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
