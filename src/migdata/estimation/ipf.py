"""Iterative proportional fitting (IPF) and flows that match given net migration totals.

IPF finds the table closest to a *seed* (a prior pattern) in the Kullback-Leibler sense whose
margins equal given totals (Deming and Stephan 1940). In migration estimation the seed carries
what is known of the pattern (distances, an older table, or 1 everywhere) and the margins carry
what is counted (in- and out-migrants, stocks). Willekens (1999) and Raymer, Abel and Smith
(2007) present it as the fitting of a log-linear model; this module implements it from those
descriptions with numpy, fitting many layers (e.g. one table per birthplace) at once.

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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._checks import as_count, check_fit, signed_series
from .._fitting import DEFAULT_MAX_ITER, DEFAULT_TOL, _divide, _ipf2_layers
from ..errors import InvalidInputError

__all__ = ["flows_from_net", "ipf", "ipf3", "ipf_nway"]



def _as_float_array(values: Any, what: str, ndim: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must be numeric, got {type(values).__name__}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise InvalidInputError(f"{what} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{what} has missing or infinite values; fill none in silently")
    if (arr < 0).any():
        where = np.argwhere(arr < 0)[0].tolist()
        raise InvalidInputError(
            f"{what} has negative values (e.g. {arr[tuple(where)]!r} at position {where}); "
            "counts and seeds must be >= 0"
        )
    return arr


#: Relative difference of margins' grand totals accepted as rounding (438 vs 437.999999 after
#: rounding to 6 decimals); such margins are fitted after scaling the later margin to the
#: first one's grand total, so they are met to within this difference.
TOTAL_ROUNDING = 1e-6


def _check_total(
    row_sum: np.ndarray, col_sum: np.ndarray, what: str, tol: float = 1e-9
) -> None:
    # Margins whose grand totals differ by more than rounding cannot both be met: say so
    # here rather than after max_iter iterations (when the seed would be blamed).
    scale = np.maximum(np.maximum(row_sum, col_sum), 1.0)
    bad = np.abs(row_sum - col_sum) > max(TOTAL_ROUNDING, min(1e-9, tol)) * scale
    if np.any(bad):
        first = int(np.argmax(bad))
        raise InvalidInputError(
            f"{what}: row totals sum to {float(np.ravel(row_sum)[first])!r} but column totals to "
            f"{float(np.ravel(col_sum)[first])!r}; IPF needs margins with the same grand total"
        )



def ipf(
    seed: pd.DataFrame | np.ndarray | None,
    row_totals: pd.Series | Sequence[float] | np.ndarray | None,
    col_totals: pd.Series | Sequence[float] | np.ndarray | None,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> pd.DataFrame | np.ndarray:
    """Two-way iterative proportional fitting: the table nearest ``seed`` with the given margins.

    The fit is ``x_ij = a_i * seed_ij * b_j`` with ``a`` and ``b`` found by alternately scaling
    rows and columns to their totals; it is the maximum-likelihood fit of the log-linear model
    ``log x_ij = alpha_i + beta_j + log seed_ij`` (Willekens 1999). Cells where the seed is 0
    stay 0 (structural zeros, e.g. a zero diagonal for "no move within a place").

    Parameters
    ----------
    seed : DataFrame, 2-D array or None
        Prior pattern, non-negative. ``None`` means 1 in every cell (independence).
    row_totals, col_totals : Series, 1-D array or None
        Margins to meet; with a DataFrame seed, Series are aligned on its index and columns
        (every label must be present). Both must have the same grand total (up to rounding:
        1e-6 relative; the column totals are then scaled to the row total). One of them may
        be ``None`` (migest's ``ipf2`` with only ``row_tot`` or ``col_tot``): the seed's rows
        (columns) are then scaled to the totals given, and a seed is needed.
    tol : float
        Largest margin error allowed, relative to the grand total (above 0, below 1). The
        margins' grand totals must agree within it.
    max_iter : int
        Iterations before giving up with an error.

    Returns
    -------
    DataFrame or ndarray
        The fitted table, same type and labels as ``seed`` (a DataFrame labelled by the totals'
        index when ``seed`` is None and the totals are Series).

    Raises
    ------
    InvalidInputError
        Negative or missing values, wrong shapes, labels missing, different grand totals, or
        margins the seed's zeros make impossible.

    Examples
    --------
    >>> import numpy as np
    >>> ipf(np.ones((2, 2)), [30, 70], [40, 60]).round(2).tolist()
    [[12.0, 18.0], [28.0, 42.0]]
    """
    check_fit(tol=tol, max_iter=max_iter,
              labelled={"seed": seed, "row_totals": row_totals, "col_totals": col_totals},
              counts={"seed": seed, "row_totals": row_totals, "col_totals": col_totals})
    if row_totals is None or col_totals is None:
        return _ipf_one_margin(seed, row_totals, col_totals)
    rows_index = row_totals.index if isinstance(row_totals, pd.Series) else None
    cols_index = col_totals.index if isinstance(col_totals, pd.Series) else None
    if isinstance(seed, pd.DataFrame):
        if isinstance(row_totals, pd.Series):
            row_totals = _aligned(row_totals, seed.index, "row_totals")
        if isinstance(col_totals, pd.Series):
            col_totals = _aligned(col_totals, seed.columns, "col_totals")
    rows = _as_float_array(row_totals, "row_totals", 1)
    cols = _as_float_array(col_totals, "col_totals", 1)
    if seed is None:
        seed_arr = np.ones((rows.size, cols.size))
    else:
        seed_arr = _as_float_array(seed, "seed", 2)
    if seed_arr.shape != (rows.size, cols.size):
        raise InvalidInputError(
            f"seed has shape {seed_arr.shape} but there are {rows.size} row totals and "
            f"{cols.size} column totals"
        )
    _check_total(np.array([rows.sum()]), np.array([cols.sum()]), "ipf", tol)
    if cols.sum() > 0:  # totals equal up to rounding: meet the row totals' grand total
        cols = cols * (rows.sum() / cols.sum())
    a, b, _ = _ipf2_layers(seed_arr, rows[None, :], cols[None, :], tol=tol, max_iter=max_iter)
    fit = a[0][:, None] * seed_arr * b[0][None, :]
    if isinstance(seed, pd.DataFrame):
        return pd.DataFrame(fit, index=seed.index, columns=seed.columns)
    if seed is None and rows_index is not None and cols_index is not None:
        return pd.DataFrame(fit, index=rows_index, columns=cols_index)
    return fit


def _ipf_one_margin(
    seed: pd.DataFrame | np.ndarray | None,
    row_totals: pd.Series | Sequence[float] | np.ndarray | None,
    col_totals: pd.Series | Sequence[float] | np.ndarray | None,
) -> pd.DataFrame | np.ndarray:
    """Scale the seed's rows or columns to one set of totals (a one-margin IPF, exact)."""
    if row_totals is None and col_totals is None:
        raise InvalidInputError("ipf needs row_totals, col_totals or both; got neither")
    if seed is None:
        raise InvalidInputError(
            "ipf with only one set of totals needs a seed (the other dimension's size and "
            "pattern come from it)"
        )
    by_row = row_totals is not None
    totals = row_totals if by_row else col_totals
    if isinstance(seed, pd.DataFrame) and isinstance(totals, pd.Series):
        labels = seed.index if by_row else seed.columns
        totals = _aligned(totals, labels, "row_totals" if by_row else "col_totals")
    target = _as_float_array(totals, "row_totals" if by_row else "col_totals", 1)
    seed_arr = _as_float_array(seed, "seed", 2)
    axis = 1 if by_row else 0
    if seed_arr.shape[1 - axis] != target.size:
        raise InvalidInputError(
            f"seed has shape {seed_arr.shape} but {target.size} "
            f"{'row' if by_row else 'column'} totals were given"
        )
    current = seed_arr.sum(axis=axis)
    stuck = (current <= 0) & (target > 0)
    if stuck.any():
        raise InvalidInputError(
            f"the seed's {'row' if by_row else 'column'} {int(np.argmax(stuck))} is all zero but "
            "its total is not; no scaling can reach it"
        )
    factor = _divide(target, current)
    fit = seed_arr * (factor[:, None] if by_row else factor[None, :])
    if isinstance(seed, pd.DataFrame):
        return pd.DataFrame(fit, index=seed.index, columns=seed.columns)
    return fit


def _aligned(series: pd.Series, labels: pd.Index, what: str) -> pd.Series:
    missing = [x for x in labels if x not in series.index]
    extra = [x for x in series.index if x not in set(labels)]
    if missing or extra:
        raise InvalidInputError(
            f"{what} labels do not match the seed: missing {missing[:5]}, unexpected {extra[:5]}"
        )
    return series.reindex(labels)


def ipf_nway(
    seed: np.ndarray,
    margins: Mapping[tuple[int, ...], np.ndarray],
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> np.ndarray:
    """IPF of an array of any dimension to any set of marginal tables.

    Parameters
    ----------
    seed : ndarray
        Prior, non-negative, of any number of dimensions.
    margins : mapping of tuple of int to ndarray
        Axes kept by the margin -> the target sums over the other axes, with the kept axes in
        increasing order; e.g. ``{(0, 2): m_ik, (1, 2): m_jk}`` for a three-way table with the
        origin-by-birthplace and destination-by-birthplace margins.

    Returns
    -------
    ndarray
        The fitted array: ``seed`` times one factor per margin (the log-linear model with those
        interaction terms), meeting every margin.

    Raises
    ------
    InvalidInputError
        Shapes that do not fit, negative values, margins with different grand totals or that
        cannot all be met.
    """
    if not isinstance(margins, Mapping):
        raise InvalidInputError(
            f"margins must map axes to totals, e.g. {{(0,): rows, (1,): cols}}, got {margins!r}"
        )
    check_fit(tol=tol, max_iter=max_iter, counts={
        "seed": seed, **{f"margin {axes}": m for axes, m in margins.items()}})
    if seed is None:
        raise InvalidInputError("ipf_nway needs a seed array (e.g. np.ones(shape)), got None")
    _check_axes(margins, np.ndim(seed))
    fit = _as_float_array(seed, "seed").copy()
    if not margins:
        raise InvalidInputError("ipf_nway needs at least one margin")
    targets: list[tuple[tuple[int, ...], tuple[int, ...], np.ndarray]] = []
    grand = None
    for axes, margin in margins.items():
        axes = tuple(sorted(int(a) for a in axes))
        if any(a < 0 or a >= fit.ndim for a in axes):
            raise InvalidInputError(f"margin axes {axes} do not exist in a {fit.ndim}-d seed")
        target = _as_float_array(margin, f"margin {axes}")
        expected = tuple(fit.shape[a] for a in axes)
        if target.shape != expected:
            raise InvalidInputError(
                f"margin {axes} has shape {target.shape}; the seed needs {expected}"
            )
        total = float(target.sum())
        if grand is None:
            grand = total
        else:
            _check_total(np.array([grand]), np.array([total]), f"margin {axes}", tol)
            if total > 0:  # equal up to rounding: meet the first margin's grand total
                target = target * (grand / total)
        other = tuple(a for a in range(fit.ndim) if a not in axes)
        targets.append((axes, other, target))
    scale = max(grand or 0.0, 1e-300)
    # Margins sharing axes (ik and jk share k) must agree on them; a difference up to
    # rounding is accepted and the fit then meets each margin to within that difference.
    conflict = 0.0
    for n_a, (axes_a, _, t_a) in enumerate(targets):
        for axes_b, _, t_b in targets[n_a + 1:]:
            common = tuple(a for a in axes_a if a in axes_b)
            if not common:
                continue
            sub_a = t_a.sum(axis=tuple(q for q, a in enumerate(axes_a) if a not in common))
            sub_b = t_b.sum(axis=tuple(q for q, a in enumerate(axes_b) if a not in common))
            diff = float(np.abs(sub_a - sub_b).max(initial=0.0)) / scale
            if diff > TOTAL_ROUNDING:
                raise InvalidInputError(
                    f"margins {axes_a} and {axes_b} disagree on their common axes {common} "
                    f"(relative difference {diff:.3g}); IPF needs margins that agree"
                )
            conflict = max(conflict, diff)
    stop = max(tol, 2 * conflict)
    for _ in range(max_iter):
        for _axes, other, target in targets:
            current = fit.sum(axis=other)
            factor = _divide(target, current)
            fit *= np.expand_dims(factor, other)
        gap = max(
            float(np.abs(fit.sum(axis=other) - target).max(initial=0.0))
            for _, other, target in targets
        )
        if gap / scale <= stop:
            return fit
    raise InvalidInputError(
        f"IPF did not meet the margins within {max_iter} iterations (relative gap "
        f"{gap / scale:.3g}); the margins conflict or the seed's zeros rule them out"
    )


def _check_axes(margins: Mapping[Any, Any], ndim: int) -> None:
    """Each key of ``margins`` a tuple of distinct whole-number axes of the seed, and each
    margin with one dimension per kept axis (``{0: m}``, ``{(True,): m}``, ``{"0": m}`` or
    ``{(0, 0): m}`` are refused, not guessed)."""
    for axes, margin in margins.items():
        if not isinstance(axes, tuple) or not axes or any(
                isinstance(a, bool | np.bool_) or not isinstance(a, int | np.integer)
                for a in axes):
            raise InvalidInputError(
                f"margins: the key {axes!r} is not a tuple of axis numbers; expected e.g. (0,) "
                f"or (0, 2) for a {ndim}-d seed"
            )
        if len(set(axes)) != len(axes) or any(not 0 <= a < ndim for a in axes):
            raise InvalidInputError(
                f"margins: the key {axes!r} must name distinct axes from 0 to {ndim - 1} of "
                f"the {ndim}-d seed"
            )
        if np.ndim(margin) != len(axes):
            raise InvalidInputError(
                f"margins: the margin for axes {axes!r} has {np.ndim(margin)} dimension(s); "
                f"expected {len(axes)} (one per kept axis)"
            )


def ipf3(
    seed: np.ndarray | None = None,
    *,
    shape: tuple[int, int, int] | None = None,
    ij: np.ndarray | None = None,
    ik: np.ndarray | None = None,
    jk: np.ndarray | None = None,
    i: np.ndarray | None = None,
    j: np.ndarray | None = None,
    k: np.ndarray | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> np.ndarray:
    """Three-way IPF with any of the two-way (``ij``, ``ik``, ``jk``) and one-way margins.

    A thin front to :func:`ipf_nway`. With ``ik`` (origin by birthplace, say) and ``jk``
    (destination by birthplace) it fits a flow table per layer ``k``, which is what the
    flows-from-stocks estimate needs (Abel 2013). ``seed=None`` means 1 everywhere; then
    ``shape`` or the margins give the size.

    Examples
    --------
    >>> import numpy as np
    >>> fit = ipf3(ik=np.array([[10., 0.], [5., 5.]]), jk=np.array([[4., 2.], [11., 3.]]))
    >>> fit.sum(axis=1).round(6).tolist()
    [[10.0, 0.0], [5.0, 5.0]]
    """
    check_fit(tol=tol, max_iter=max_iter, counts={
        "seed": seed, "ij": ij, "ik": ik, "jk": jk, "i": i, "j": j, "k": k})
    if shape is not None:
        if not isinstance(shape, tuple | list) or len(shape) != 3:
            raise InvalidInputError(
                f"shape must be three whole numbers (n_i, n_j, n_k), got {shape!r}")
        shape = tuple(as_count(n, "shape: each size") for n in shape)
    margins = {(0, 1): ij, (0, 2): ik, (1, 2): jk, (0,): i, (1,): j, (2,): k}
    given = {axes: np.asarray(m, dtype="float64") for axes, m in margins.items() if m is not None}
    if seed is None:
        dims: dict[int, int] = {}
        for axes, m in given.items():
            for axis, size in zip(axes, m.shape, strict=False):
                dims[axis] = size
        if shape is not None:
            dims = dict(enumerate(shape))
        if sorted(dims) != [0, 1, 2]:
            raise InvalidInputError(
                "ipf3 without a seed needs shape=(n_i, n_j, n_k) or margins covering all 3 axes"
            )
        seed = np.ones((dims[0], dims[1], dims[2]))
    return ipf_nway(seed, given, tol=tol, max_iter=max_iter)


def flows_from_net(
    net: pd.Series,
    seed: pd.DataFrame | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = DEFAULT_MAX_ITER,
) -> pd.DataFrame:
    """Origin-destination flows whose net totals equal ``net``, as close as possible to ``seed``.

    Among all tables with ``inflow_i - outflow_i = net_i`` for every region, this returns the
    one nearest the seed in the Kullback-Leibler sense. Its form is
    ``x_ij = seed_ij * c_j / c_i`` (one factor per region); each ``c_i`` solves the quadratic
    ``X_i c_i^2 - net_i c_i - Y_i = 0`` with ``X_i = sum_k seed_ki / c_k`` and
    ``Y_i = sum_k seed_ik c_k``, and the factors are updated until the nets are met. The seed
    fixes the level of the flows: nets alone say nothing about how many people moved.

    Parameters
    ----------
    net : Series
        Net migration by region (in minus out), summing to zero (a closed system).
    seed : DataFrame, optional
        Prior flows (origin x destination, same labels as ``net``); default 1 off the diagonal.
        The diagonal is ignored (set to 0). A region with a non-zero net needs some non-zero
        seed in its row or column.
    tol : float, default 1e-10
        Largest gap between the table's nets and ``net``, relative to ``sum |net|`` (to the
        seed's total when every net is 0), or the rounding of the flows' own sums if larger.
    max_iter : int
        Newton iterations at most.

    Returns
    -------
    DataFrame
        Origin x destination flows, zero diagonal.

    Notes
    -----
    The same model and numbers as migest's ``cm_net`` where ``cm_net`` meets the nets. It
    does not always: with 2 regions whose two flows are both non-zero ``cm_net`` returns
    ``m`` unchanged (where only the flow the nets need is non-zero it meets them, as this
    function does), and some tables with zeros stop short of the nets (0.24% in the outside
    trial of issue 23); this function meets them (or raises where the seed's zeros rule them
    out).

    Raises
    ------
    InvalidInputError
        Nets that do not sum to zero, labels that differ, negative seeds.

    Examples
    --------
    >>> import pandas as pd
    >>> f = flows_from_net(pd.Series({"A": 30.0, "B": -10.0, "C": -20.0}))
    >>> (f.sum(axis=0) - f.sum(axis=1)).round(6).tolist()
    [30.0, -10.0, -20.0]
    """
    if not isinstance(net, pd.Series):
        raise InvalidInputError(f"net must be a pandas Series by region, got {type(net).__name__}")
    signed_series(net, "net")
    if net.size < 2:
        raise InvalidInputError(
            f"net has {net.size} region(s); expected the nets of 2 or more regions")
    check_fit(tol=tol, max_iter=max_iter, labelled={"seed": seed}, counts={"seed": seed})
    nets = _as_float_array_signed(net.to_numpy(), "net")
    n = nets.size
    total = float(np.abs(nets).sum())
    if abs(float(nets.sum())) > 1e-9 * total:
        raise InvalidInputError(
            f"net totals sum to {float(nets.sum())!r}, not 0: in a closed system every arrival is "
            "someone else's departure"
        )
    if seed is None:
        s = np.ones((n, n))
    else:
        if not isinstance(seed, pd.DataFrame):
            raise InvalidInputError("seed must be a DataFrame labelled like net (or None)")
        _same_labels(seed.index, net.index, "seed rows", "net")
        _same_labels(seed.columns, net.index, "seed columns", "net")
        s = _as_float_array(seed.loc[net.index, net.index].to_numpy(), "seed", 2)
    s = s.copy()
    np.fill_diagonal(s, 0.0)
    cannot_receive = (nets > 0) & (s.sum(axis=0) <= 0)
    cannot_send = (nets < 0) & (s.sum(axis=1) <= 0)
    if cannot_receive.any() or cannot_send.any():
        stuck = [str(x) for x in net.index[cannot_receive | cannot_send][:5]]
        raise InvalidInputError(
            f"the seed has no flows into or out of region(s) {stuck} whose net total is not 0 "
            "(a gain needs a non-zero seed in its column, a loss one in its row)"
        )
    # tol is relative to the nets' size (to the seed's when every net is 0), so nets in
    # thousandths of a person are met as closely as nets in millions; a gap within the rounding
    # of the flows' own sums is the closest floating point allows
    scale = total if total > 0 else max(float(s.sum()), np.finfo(float).tiny)
    # Newton's method on the convex function F(u) = sum_ij s_ij exp(u_j - u_i) - sum_i net_i u_i
    # (u = log c): its gradient is inflow - outflow - net, so its minimum meets the nets. Fast
    # and stable for nets of any size (the region's nets are tens of thousands of persons).
    u = np.zeros(n)
    gap = float("inf")

    def objective(v: np.ndarray) -> float:
        with np.errstate(over="ignore"):
            return float((s * np.exp(v[None, :] - v[:, None])).sum() - nets @ v)

    value = objective(u)
    for _ in range(max_iter):
        flows = s * np.exp(u[None, :] - u[:, None])
        grad = flows.sum(axis=0) - flows.sum(axis=1) - nets
        gap = float(np.abs(grad).max())
        if gap <= tol * scale or gap <= 64 * np.finfo(float).eps * float(flows.sum()):
            return pd.DataFrame(flows, index=net.index, columns=net.index)
        both = flows + flows.T
        hess = np.diag(both.sum(axis=1)) - both
        hess[0, :] = 0.0  # u_0 = 0: the factors are defined up to a common multiple
        hess[0, 0] = 1.0
        rhs = -grad
        rhs[0] = 0.0
        try:
            step = np.linalg.solve(hess, rhs)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, rhs, rcond=None)[0]
        t = 1.0
        while True:  # backtracking: never let F grow
            trial = objective(u + t * step)
            if np.isfinite(trial) and trial <= value + 1e-4 * t * float(grad @ step):
                break
            if np.isfinite(trial) and trial <= value + 1e-12 * abs(value):
                # F's change is below its rounding (large flows): keep a step that shrinks the gap
                moved = s * np.exp((u + t * step)[None, :] - (u + t * step)[:, None])
                if np.abs(moved.sum(axis=0) - moved.sum(axis=1) - nets).max() < gap:
                    break
            t /= 2
            if t < 1e-12:
                break
        if t < 1e-12:
            break
        u, value = u + t * step, trial
    raise InvalidInputError(
        f"flows_from_net did not meet the net totals within {max_iter} iterations "
        f"(largest gap {gap:.3g} persons): the seed's zeros rule these nets out. Choose a seed "
        "with a non-zero flow wherever people can move (e.g. 1 off the diagonal, or an older "
        "flow table or 1 / distance), on the scale of the flows expected"
    )


def _as_float_array_signed(values: Any, what: str) -> np.ndarray:
    arr = np.asarray(values, dtype="float64")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{what} has missing or infinite values")
    return arr


def _same_labels(a: pd.Index, b: pd.Index, what_a: str, what_b: str) -> None:
    if set(a) != set(b) or len(a) != len(b):
        raise InvalidInputError(
            f"{what_a} and {what_b} must have the same labels: only in {what_a} "
            f"{sorted(map(str, set(a) - set(b)))[:5]}, only in {what_b} "
            f"{sorted(map(str, set(b) - set(a)))[:5]}"
        )
