"""IPF with totals over blocks or stripes of a flow table, and the block and stripe tools.

Flows between places are often known for groups of places before they are known for the
places: the migrants between regions (a *block* of the place-by-place table: the origins of one
region by the destinations of another) or from each place into each region (a *stripe*: one
row by a group of columns, or a group of rows by one column). With the place totals (in- and
out-migrants) these are margins of the log-linear model

    log y_pq = log alpha_p + log beta_q + log lambda_g(p,q) + log m_pq

where ``g(p, q)`` is the block or stripe holding cell ``(p, q)`` and ``m`` a prior (1 by
default). Iterative proportional fitting (Deming and Stephan 1940) finds its maximum-likelihood
fit by scaling the columns, the rows and the blocks in turn to their totals (Willekens 1999;
Raymer, Abel and Smith 2007 fit such models to migration tables).

The functions carry the names, arguments, defaults and stopping rule of the R package migest's
``ipf2_block``, ``ipf2_stripe``, ``block_matrix``, ``stripe_matrix`` and ``block_sum`` (issue
23); migest was only run to get reference numbers (docs/migest.md), none of its code is here.

References
----------
Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Annals of Mathematical Statistics* 11(4).

Willekens, F. (1999). Modeling approaches to the indirect estimation of migration flows: from
entropy to EM. *Mathematical Population Studies* 7(3), 239-278.

Raymer, J., Abel, G. J. and Smith, P. W. F. (2007). Combining census and registration data to
estimate detailed elderly migration flows in England and Wales. *JRSS A* 170(4), 891-908.
"""

from __future__ import annotations

import string
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    as_count,
    as_flag,
    as_number,
    count_array,
    labels_of,
    number_array,
    require_sequence,
)
from .._fitting import _divide
from ..errors import InvalidInputError

__all__ = ["block_matrix", "block_sum", "ipf2_block", "ipf2_stripe", "stripe_matrix"]

#: migest's defaults for ``ipf2_block`` and ``ipf2_stripe``: the largest absolute margin
#: error (in persons, not relative) and the number of iterations.
MIGEST_TOL = 1e-05
MIGEST_MAXIT = 500


# ------------------------------------------------------------------ building the id matrices


def _sizes(value: Any, what: str) -> list[int]:
    sizes = require_sequence(value, what, "[2, 3, 4]") if not isinstance(
        value, int | np.integer) or isinstance(value, bool) else [value]
    if not sizes:
        raise InvalidInputError(f"{what} must hold at least one size, got {value!r}")
    return [as_count(v, f"{what}: each size") for v in sizes]


def _values(x: Any, n: int, what: str) -> np.ndarray:
    arr = number_array(x, "x").ravel()
    if arr.size != n:
        raise InvalidInputError(f"x must hold {n} values for {what}, got {arr.size}")
    if np.asarray(x).dtype.kind in "iu":
        return arr.astype("int64")
    return arr


def _dimnames(dimnames: Any, sizes: list[int], what: str, *,
              prefixes: bool) -> tuple[list[Any], list[Any]]:
    """Row and column labels: migest's (A1, A2, B1, ...), a pair of label lists, or (with
    ``prefixes``) one text prefix per group, numbered within the group."""
    total = sum(sizes)
    if dimnames is None:
        if len(sizes) > len(string.ascii_uppercase):
            raise InvalidInputError(
                f"{what}: {len(sizes)} groups are more than the 26 letters that name them; "
                "give dimnames"
            )
        names: list[Any] = list(string.ascii_uppercase[:len(sizes)])
    elif (isinstance(dimnames, tuple | list) and len(dimnames) == 2
            and all(isinstance(d, Sequence | pd.Index | np.ndarray) and not isinstance(d, str)
                    for d in dimnames)):
        rows, cols = (list(labels_of(d, f"{what}: dimnames")) for d in dimnames)
        for labels, side in ((rows, "row"), (cols, "column")):
            if len(labels) != total:
                raise InvalidInputError(
                    f"{what}: dimnames has {len(labels)} {side} labels for {total} {side}s")
        return rows, cols
    else:
        names = require_sequence(dimnames, f"{what}: dimnames", "[['a', 'b'], ['a', 'b']]")
        if not prefixes or len(names) != len(sizes) or not all(
                isinstance(v, str) for v in names):
            raise InvalidInputError(
                f"{what}: dimnames must be a pair of label lists (rows, columns) with "
                f"{total} labels each" + (f", or {len(sizes)} text prefixes, one per group"
                                          if prefixes else "") + f"; got {dimnames!r}")
    labels = [f"{p}{k}" for p, size in zip(names, sizes, strict=True)
              for k in range(1, size + 1)]
    return labels, list(labels)


def block_matrix(
    x: Any, b: Sequence[int], byrow: bool = False, dimnames: Any = None
) -> pd.DataFrame:
    """A square table cut into blocks of different sizes, each block filled with one value.

    migest's ``block_matrix``: group ``i`` has ``b[i]`` rows and as many columns; block
    ``(i, j)`` (the rows of group ``i`` by the columns of group ``j``) holds one value of ``x``.
    With ``x = 1, 2, ...`` it numbers the blocks, the ``block`` argument of :func:`ipf2_block`.

    Parameters
    ----------
    x : sequence of numbers
        One value per block, ``len(b) ** 2`` of them, taken block column by block column
        (``byrow=False``, as R fills a matrix) or block row by block row (``byrow=True``).
    b : sequence of int
        The size of each group (whole numbers of at least 1).
    byrow : bool
        Fill the blocks row by row instead of column by column.
    dimnames : pair of label lists, optional
        Row and column labels. By default migest's: a letter per group numbered within it
        (``A1, A2, B1, ...``; at most 26 groups).

    Returns
    -------
    DataFrame
        ``sum(b)`` by ``sum(b)``; whole numbers stay whole numbers.

    Raises
    ------
    InvalidInputError
        Sizes that are not whole numbers of at least 1, a number of values other than
        ``len(b) ** 2`` (migest fills the rest with NA or drops the extra), labels that do not fit.

    Examples
    --------
    >>> block_matrix(x=[1, 2, 3, 4], b=[1, 2]).to_numpy().tolist()
    [[1, 3, 3], [2, 4, 4], [2, 4, 4]]
    """
    sizes = _sizes(b, "b")
    byrow = as_flag(byrow, "byrow")
    n = len(sizes)
    vals = _values(x, n * n, f"{n} x {n} blocks")
    blocks = vals.reshape((n, n), order="C" if byrow else "F")
    group = np.repeat(np.arange(n), sizes)
    rows, cols = _dimnames(dimnames, sizes, "block_matrix", prefixes=False)
    return pd.DataFrame(blocks[np.ix_(group, group)], index=rows, columns=cols)


def stripe_matrix(
    x: Any, s: Sequence[int], byrow: bool = False, dimnames: Any = None
) -> pd.DataFrame:
    """A square table cut into stripes: each row split by groups of columns, or each column
    by groups of rows, each stripe filled with one value.

    migest's ``stripe_matrix``. With ``byrow=True`` stripe ``(p, j)`` is row ``p`` by the
    columns of group ``j`` (e.g. the migrants from one place into each region); with
    ``byrow=False`` it is the rows of group ``i`` by column ``q`` (from each region into one
    place). With ``x = 1, 2, ...`` it numbers the stripes, the ``stripe`` argument of
    :func:`ipf2_stripe`.

    Parameters
    ----------
    x : sequence of numbers
        One value per stripe, ``sum(s) * len(s)`` of them: row by row, the groups within each
        row (``byrow=True``), or column by column, the groups within each column.
    s : sequence of int
        The size of each group (whole numbers of at least 1).
    byrow : bool
        Stripes within rows (``True``) or within columns (``False``, migest's default).
    dimnames : pair of label lists, or one text prefix per group, optional
        Row and column labels; prefixes are numbered within the group (``["A", "B"]`` gives
        ``A1, A2, B1, ...``, migest's default).

    Returns
    -------
    DataFrame
        ``sum(s)`` by ``sum(s)``; whole numbers stay whole numbers.

    Raises
    ------
    InvalidInputError
        Sizes that are not whole numbers of at least 1, a number of values other than
        ``sum(s) * len(s)``, labels that do not fit.

    Examples
    --------
    >>> stripe_matrix(x=[1, 2, 3, 4, 5, 6], s=[1, 2], byrow=True).to_numpy().tolist()
    [[1, 2, 2], [3, 4, 4], [5, 6, 6]]
    """
    sizes = _sizes(s, "s")
    byrow = as_flag(byrow, "byrow")
    n, total = len(sizes), sum(sizes)
    vals = _values(x, n * total, f"{total} rows or columns by {n} groups").reshape(total, n)
    group = np.repeat(np.arange(n), sizes)
    table = vals[:, group] if byrow else vals[:, group].T
    rows, cols = _dimnames(dimnames, sizes, "stripe_matrix", prefixes=True)
    return pd.DataFrame(table, index=rows, columns=cols)


# ---------------------------------------------------------------------------- block sums


def _ids(block: Any, what: str) -> np.ndarray:
    """An id matrix: a 2-D table of whole numbers of at least 1 (block or stripe numbers)."""
    if block is None:
        raise InvalidInputError(
            f"{what} is needed: a table numbering the cells' groups 1, 2, ... (e.g. from "
            "block_matrix or stripe_matrix with x = 1, 2, ...)"
        )
    arr = number_array(block, what)
    if arr.ndim != 2:
        raise InvalidInputError(f"{what} must be a 2-D table of group numbers, got shape "
                                f"{arr.shape}")
    if arr.size == 0:
        raise InvalidInputError(f"{what} is empty")
    bad = (arr != np.round(arr)) | (arr < 1)
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        raise InvalidInputError(
            f"{what} holds {float(arr[where])!r} at position {where}; expected group numbers "
            "1, 2, ... (whole numbers of at least 1)"
        )
    return arr.astype("int64")


def block_sum(block: int, m: Any, block_id: Any) -> float:
    """The sum of the cells of ``m`` whose number in ``block_id`` is ``block``.

    migest's ``block_sum``.

    Parameters
    ----------
    block : int
        The block (or stripe) number.
    m : DataFrame or 2-D array
        The table to sum.
    block_id : DataFrame or 2-D array
        Same shape as ``m``: the number of each cell's block (e.g. :func:`block_matrix` with
        ``x = 1, 2, ...``).

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        Shapes that differ, a block number that is in no cell (migest returns 0: a number
        asked for that is not there is more likely a slip than an empty block).

    Examples
    --------
    >>> ids = block_matrix(x=[1, 2, 3, 4], b=[1, 2])
    >>> block_sum(4, np.arange(9).reshape(3, 3), ids)
    24.0
    """
    ids = _ids(block_id, "block_id")
    values = number_array(m, "m")
    if values.shape != ids.shape:
        raise InvalidInputError(
            f"m has shape {values.shape} but block_id {ids.shape}; they must be the same"
        )
    k = as_count(block, "block")
    cells = ids == k
    if not cells.any():
        raise InvalidInputError(
            f"block {k} is in no cell of block_id (its numbers run from {int(ids.min())} to "
            f"{int(ids.max())})"
        )
    return float(values[cells].sum())


# ------------------------------------------------------------------------------------- IPF


def _fit_inputs(
    m: Any, ids: np.ndarray, id_table: Any, row_tot: Any, col_tot: Any, group_tot: Any,
    what: str, tot_name: str, tol: Any, maxit: Any, verbose: Any, byrow: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray, float, int, bool,
           list[Any]]:
    tol = as_number(tol, "tol")
    if not tol > 0:
        raise InvalidInputError(f"tol must be above 0 (the largest margin error accepted, in "
                                f"persons), got {tol!r}")
    maxit = as_count(maxit, "maxit")
    verbose = as_flag(verbose, "verbose")
    shape = ids.shape
    if m is None:
        seed = np.ones(shape)
    else:
        seed = count_array(m, "m")
        if seed.shape != shape:
            raise InvalidInputError(f"m has shape {seed.shape} but {what} {shape}; they must "
                                    "be the same")
    if isinstance(m, pd.DataFrame):
        labels = [labels_of(m.index, "m (its rows)"), labels_of(m.columns, "m (its columns)")]
        source = "m's"
    elif isinstance(id_table, pd.DataFrame):
        labels = [labels_of(id_table.index, f"{what} (its rows)"),
                  labels_of(id_table.columns, f"{what} (its columns)")]
        source = f"{what}'s"
    else:
        labels, source = [None, None], ""

    def margin(value: Any, name: str, axis: int) -> np.ndarray | None:
        if value is None:
            return None
        if isinstance(value, pd.Series):
            given = labels_of(value.index, f"{name} (its index)")
            want = labels[axis]
            if want is None:
                labels[axis] = given  # no labelled table: the totals label the fit
            else:
                missing = [v for v in want if v not in set(given)]
                extra = [v for v in given if v not in set(want)]
                if missing or extra:
                    raise InvalidInputError(
                        f"{name} labels do not match {source} "
                        f"{'rows' if axis == 0 else 'columns'}: missing {missing[:5]}, "
                        f"unexpected {extra[:5]}; label them alike, or give a list to take "
                        "the totals in order")
                value = value.reindex(want)
        arr = count_array(value, name)
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.ravel()
        if arr.ndim != 1 or arr.size != shape[axis]:
            raise InvalidInputError(
                f"{name} must hold {shape[axis]} totals (one per "
                f"{'row' if axis == 0 else 'column'}), got shape {arr.shape}")
        return arr

    rows = margin(row_tot, "row_tot", 0)
    cols = margin(col_tot, "col_tot", 1)
    if group_tot is None:
        raise InvalidInputError(f"{tot_name} is needed: the total of each group of cells "
                                f"numbered in {what}")
    totals = count_array(group_tot, tot_name)
    if totals.ndim == 2:
        totals = totals.ravel(order="C" if byrow else "F")
    elif totals.ndim != 1:
        raise InvalidInputError(f"{tot_name} must be a table or a list of totals, got shape "
                                f"{totals.shape}")
    k = int(ids.max())
    if totals.size != k:
        raise InvalidInputError(
            f"{tot_name} holds {totals.size} totals but {what} numbers {k} groups (1 to {k})")
    absent = np.setdiff1d(np.arange(1, k + 1), np.unique(ids))
    stranded = [int(a) for a in absent if totals[a - 1] > 0]
    if stranded:
        raise InvalidInputError(
            f"{what} has no cell numbered {stranded[0]} but {tot_name} gives it "
            f"{totals[stranded[0] - 1]!r} persons")
    sums = {"row_tot": rows, "col_tot": cols, tot_name: totals}
    given = [(n, float(v.sum())) for n, v in sums.items() if v is not None]
    for name, total in given[1:]:
        # migest refuses row and column totals whose rounded grand totals differ
        if round(total) != round(given[0][1]):
            raise InvalidInputError(
                f"{given[0][0]} sums to {given[0][1]!r} but {name} to {total!r}; the totals "
                "must have the same grand total")
    for axis, index in enumerate(labels):
        if index is not None and len(index) != shape[axis]:
            raise InvalidInputError(f"{source or 'the totals'} labels do not fit the "
                                    f"{shape} table")
    return seed, rows, cols, totals, tol, maxit, verbose, labels


def _fit(
    seed: np.ndarray, rows: np.ndarray | None, cols: np.ndarray | None, ids: np.ndarray,
    totals: np.ndarray, tol: float, maxit: int, verbose: bool, name: str,
) -> tuple[np.ndarray, int, float]:
    """migest's loop: columns, rows, groups scaled in turn; the gap of an iteration is the
    largest absolute margin error before that iteration's scalings."""
    mu = seed.copy()
    index = ids - 1
    k = totals.size
    it, d_max = 0, 2 * tol
    while d_max > tol and it < maxit:
        gaps = []
        if cols is not None:
            now = mu.sum(axis=0)
            gaps.append(cols - now)
            mu *= _divide(cols, now)[None, :]
        if rows is not None:
            now = mu.sum(axis=1)
            gaps.append(rows - now)
            mu *= _divide(rows, now)[:, None]
        now = np.bincount(index.ravel(), weights=mu.ravel(), minlength=k)
        gaps.append(totals - now)
        mu *= _divide(totals, now)[index]
        it += 1
        d_max = float(np.abs(np.concatenate(gaps)).max())
        if verbose:
            print(it, d_max)
    if d_max > tol:
        warnings.warn(
            f"{name} stopped after maxit={maxit} iterations with a margin {d_max:.3g} persons "
            f"from its total (tol={tol:g}); the table is migest's, where its iterations stop, "
            "and does not meet the totals: raise maxit, or check that the totals agree with "
            "each other and that m is not 0 where they need persons",
            UserWarning, stacklevel=3)
    return mu, it, d_max


def _table(mu: np.ndarray, labels: list[Any], it: int, d_max: float) -> pd.DataFrame:
    out = pd.DataFrame(mu, index=labels[0], columns=labels[1])
    out.attrs["it"] = it
    out.attrs["tol"] = d_max
    return out


def ipf2_block(
    row_tot: Any = None,
    col_tot: Any = None,
    block_tot: Any = None,
    block: Any = None,
    m: Any = None,
    tol: float = MIGEST_TOL,
    maxit: int = MIGEST_MAXIT,
    verbose: bool = False,
) -> pd.DataFrame:
    """IPF of a flow table to its row and column totals and the totals of its blocks.

    migest's ``ipf2_block``: the fit of ``log y_pq = log alpha_p + log beta_q +
    log lambda_g + log m_pq`` with one ``lambda`` per block ``g`` (say the migrants between
    two regions, the places being the rows and columns). Each iteration scales the columns, the
    rows and then the blocks to their totals; it stops when no total was missed by more than
    ``tol`` persons at the start of an iteration, or after ``maxit`` iterations.

    Parameters
    ----------
    row_tot, col_tot : sequence, array or Series, optional
        Out- and in-migrants of each place; either may be ``None`` (not fitted). A Series is
        aligned on the labels of ``m`` (or, when only it is a DataFrame, of the group table),
        and refused if they differ; a list or array is taken in order.
    block_tot : 2-D table or sequence
        The block totals: the ``k``-th value is the total of the cells numbered ``k`` in
        ``block``. A table is read column by column (as R's ``c()`` does), which matches the
        numbering of :func:`block_matrix` with ``x = 1, 2, ...`` and ``byrow=False``.
    block : DataFrame or 2-D array
        The number of each cell's block, 1 to the number of blocks.
    m : DataFrame or 2-D array, optional
        The prior (1 everywhere by default); a cell where it is 0 stays 0.
    tol : float
        Largest absolute margin error accepted, in persons (migest's default 1e-05).
    maxit : int
        Iterations at most (migest's default 500).
    verbose : bool
        Print the iteration and its largest margin error (migest's default prints; migdata's
        does not).

    Returns
    -------
    DataFrame
        The fitted table, labelled like ``m`` (or ``block``, or the totals' Series).
        ``attrs["it"]`` holds the iterations and ``attrs["tol"]`` the largest margin error of
        the last one (migest's ``it`` and ``tol``).

    Raises
    ------
    InvalidInputError
        Negative or missing figures, shapes that differ, totals labelled unlike the table, no
        ``block_tot`` (without blocks, :func:`~migdata.estimation.ipf` fits rows and columns),
        a block number without a total or a total without cells, totals whose rounded grand
        totals differ (migest checks rows and columns only; block totals that differ leave its
        iterations unconverged).

    Warns
    -----
    UserWarning
        When ``maxit`` iterations leave a margin more than ``tol`` from its total: migest's
        table is returned as migest returns it, silently.

    Notes
    -----
    Same numbers as migest 2.0.5 (docs/migest.md). Two deliberate differences: migest stops
    with an error when ``col_tot`` is ``None`` (``t(NULL)``), migdata fits the rows and blocks;
    and migest scales the blocks as if they were numbered column by column, so a ``block``
    numbered otherwise (e.g. ``block_matrix(..., byrow=True)``) gets the wrong blocks scaled,
    where migdata scales each block by its own number.

    Examples
    --------
    >>> ids = block_matrix(x=[1, 2, 3, 4], b=[1, 2])
    >>> fit = ipf2_block(row_tot=[4, 8, 6], col_tot=[5, 6, 7], block_tot=[1, 4, 3, 10],
    ...                  block=ids)
    >>> fit.sum(axis=1).round(4).tolist(), fit.attrs["it"] > 1
    ([4.0, 8.0, 6.0], True)
    """
    ids = _ids(block, "block")
    seed, rows, cols, totals, tol, maxit, verbose, labels = _fit_inputs(
        m, ids, block, row_tot, col_tot, block_tot, "block", "block_tot", tol, maxit, verbose,
        byrow=False)
    mu, it, d_max = _fit(seed, rows, cols, ids, totals, tol, maxit, verbose, "ipf2_block")
    return _table(mu, labels, it, d_max)


def ipf2_stripe(
    row_tot: Any = None,
    col_tot: Any = None,
    stripe_tot: Any = None,
    stripe: Any = None,
    m: Any = None,
    tol: float = MIGEST_TOL,
    maxit: int = MIGEST_MAXIT,
    verbose: bool = False,
) -> pd.DataFrame:
    """IPF of a flow table to its row and column totals and the totals of its stripes.

    migest's ``ipf2_stripe``: as :func:`ipf2_block`, with stripes (one row by a group of
    columns, or a group of rows by one column; see :func:`stripe_matrix`) in place of blocks:
    e.g. the migrants from each place into each region.

    Parameters
    ----------
    row_tot, col_tot : sequence, array or Series, optional
        Out- and in-migrants of each place; either may be ``None`` (not fitted). A Series is
        aligned on the labels of ``m`` (or, when only it is a DataFrame, of the group table),
        and refused if they differ; a list or array is taken in order.
    stripe_tot : 2-D table or sequence
        The stripe totals: the ``k``-th value is the total of the cells numbered ``k`` in
        ``stripe``. A table is read as migest reads it: stripes within rows (the first column
        of ``stripe`` holds a different number in every row) give a table of rows by column
        groups, read row by row; stripes within columns a table of row groups by columns, read
        column by column. Both match :func:`stripe_matrix` with ``x = 1, 2, ...``.
    stripe : DataFrame or 2-D array
        The number of each cell's stripe, 1 to the number of stripes.
    m : DataFrame or 2-D array, optional
        The prior (1 everywhere by default); a cell where it is 0 stays 0.
    tol : float
        Largest absolute margin error accepted, in persons (migest's default 1e-05).
    maxit : int
        Iterations at most (migest's default 500).
    verbose : bool
        Print the iteration and its largest margin error (migest's default prints; migdata's
        does not).

    Returns
    -------
    DataFrame
        The fitted table, labelled like ``m`` (or ``stripe``, or the totals' Series).
        ``attrs["it"]`` and ``attrs["tol"]`` as in :func:`ipf2_block`.

    Raises
    ------
    InvalidInputError
        As :func:`ipf2_block`.

    Warns
    -----
    UserWarning
        When ``maxit`` iterations leave a margin more than ``tol`` from its total.

    Notes
    -----
    Same numbers as migest 2.0.5 (docs/migest.md), for stripes numbered as
    :func:`stripe_matrix` numbers them; migest scales stripes numbered otherwise as if they
    were, migdata scales each stripe by its own number.

    Examples
    --------
    >>> ids = stripe_matrix(x=[1, 2, 3, 4, 5, 6], s=[1, 2], byrow=True)
    >>> fit = ipf2_stripe(col_tot=[6, 6, 6], stripe_tot=[[2, 4], [2, 4], [2, 4]],
    ...                   stripe=ids)
    >>> fit.round(4).to_numpy().tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    ids = _ids(stripe, "stripe")
    # migest's reading: stripes within rows when the first column numbers every row apart
    byrow = len(np.unique(ids[:, 0])) == ids.shape[0]
    seed, rows, cols, totals, tol, maxit, verbose, labels = _fit_inputs(
        m, ids, stripe, row_tot, col_tot, stripe_tot, "stripe", "stripe_tot", tol, maxit,
        verbose, byrow=byrow)
    mu, it, d_max = _fit(seed, rows, cols, ids, totals, tol, maxit, verbose, "ipf2_stripe")
    return _table(mu, labels, it, d_max)

