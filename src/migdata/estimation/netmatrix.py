"""Flow tables from net migration totals or margins, with the names of migest's estimators.

* :func:`net_matrix_entropy` -- the table nearest a prior ``m`` in the Kullback-Leibler sense
  whose nets are ``net_tot`` (the same model as :func:`~migdata.estimation.flows_from_net`);
* :func:`net_matrix_lp` -- migest's linear programme (see the warning there);
* :func:`net_matrix_optim` -- migest's bounded quasi-Newton fit of the nets started at ``m``;
* :func:`flows_from_net_l1`, :func:`flows_from_net_l2` -- migdata's own: the table nearest
  ``m`` in absolute or squared deviation whose nets are ``net_tot`` (what migest's reference pages
  say ``net_matrix_lp`` and ``net_matrix_optim`` do);
* :func:`cm2`, :func:`cm3` -- conditional maximisation of the log-linear model with origin and
  destination effects and an offset (Willekens 1999; Raymer, Abel and Smith 2007);
* :func:`cm_net_tot` -- the same with net migration totals and a grand total, and
  :func:`flows_from_net_total`, migdata's own fit of that model where migest's iteration fails.

Each function named after migest's gives the numbers of migest 2.0.5 (G. J. Abel), checked
against migest run in R (``tests/test_migest_netmatrix.py``). They are written from the papers,
migest's reference pages and what each of its functions optimises (its source was read for
that, and run for the numbers); no migest code is copied. They return a :class:`MigestFit`,
the counterpart of migest's result list.

References
----------
Willekens, F. (1999). Modeling approaches to the indirect estimation of migration flows: from
entropy to EM. *Mathematical Population Studies* 7(3), 239-278.

Raymer, J., Abel, G. J. and Smith, P. W. F. (2007). Combining census and registration data to
estimate detailed elderly migration flows in England and Wales. *JRSS A* 170(4), 891-908.

Byrd, R. H., Lu, P., Nocedal, J. and Zhu, C. (1995). A limited memory algorithm for bound
constrained optimization. *SIAM Journal on Scientific Computing* 16(5), 1190-1208.

Byrd, R. H., Nocedal, J. and Schnabel, R. B. (1994). Representations of quasi-Newton matrices
and their use in limited memory methods. *Mathematical Programming* 63, 129-156.

More, J. J. and Thuente, D. J. (1994). Line search algorithms with guaranteed sufficient
decrease. *ACM Transactions on Mathematical Software* 20(3), 286-307.

Morales, J. L. and Nocedal, J. (2011). Remark on "Algorithm 778: L-BFGS-B". *ACM Transactions
on Mathematical Software* 38(1), 7.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    as_count,
    as_flag,
    as_number,
    as_tolerance,
    check_fit,
    count_array,
    labels_of,
    number_array,
)
from ..errors import InvalidInputError, MigdataError, MissingDependencyError

__all__ = [
    "MigestFit",
    "cm2",
    "cm3",
    "cm_net_tot",
    "flows_from_net_l1",
    "flows_from_net_l2",
    "flows_from_net_total",
    "net_matrix_entropy",
    "net_matrix_lp",
    "net_matrix_optim",
]

#: The floor migest's ``net_matrix_entropy`` puts under the prior's cells (a zero prior cell
#: outside ``zero_mask`` may still carry a flow).
ENTROPY_FLOOR = 1e-10

Table = pd.DataFrame | np.ndarray | Sequence[Sequence[float]]
Vector = pd.Series | np.ndarray | Sequence[float]


@dataclass(frozen=True)
class MigestFit:
    """The result of a migest-named estimator (migest returns the same items in a list).

    Attributes
    ----------
    n : DataFrame or ndarray
        The estimated flows: origin x destination (a 3-d array origin x destination x type for
        :func:`cm3`), labelled like the inputs.
    theta : dict
        The fitted parameters (``alpha``, ``beta``, ``lambda``) where the method has them.
    value : float or None
        The objective reported by migest's function of the same name, where it reports one.
    convergence : bool
        Whether the solver or the iteration met its stopping rule.
    iterations : int
        Iterations used (1 for the linear and conic programmes, as in migest).
    message : str
        The solver's message.
    """

    n: pd.DataFrame | np.ndarray
    theta: dict[str, np.ndarray] = field(default_factory=dict)
    value: float | None = None
    convergence: bool = True
    iterations: int = 1
    message: str = ""


# ---------------------------------------------------------------- inputs


def _square(m: Any, what: str) -> tuple[np.ndarray, pd.Index | None]:
    """A square table of counts and its labels (rows = origins, columns = destinations)."""
    if isinstance(m, pd.DataFrame):
        check_fit(labelled={what: m}, counts={what: m})
        if m.shape[0] != m.shape[1] or set(m.index) != set(m.columns):
            raise InvalidInputError(
                f"{what} must be square with the same regions as rows and columns, got "
                f"{m.shape[0]} rows {list(map(str, m.index[:5]))} and {m.shape[1]} columns "
                f"{list(map(str, m.columns[:5]))}"
            )
        return count_array(m.loc[:, m.index], what), m.index
    arr = count_array(m, what)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InvalidInputError(f"{what} must be a square table (origin x destination), got "
                                f"shape {arr.shape}")
    return arr, None


def _vector(values: Any, what: str, labels: pd.Index | None, n: int | None,
            *, counts: bool) -> tuple[np.ndarray, pd.Index | None]:
    """Totals by region as floats, in the order of ``labels`` when both are labelled."""
    if isinstance(values, pd.DataFrame):
        raise InvalidInputError(f"{what} must be a Series or a list of numbers, got a DataFrame")
    if isinstance(values, pd.Series):
        labels_of(values.index, what)
        if labels is not None:
            if set(values.index) != set(labels) or len(values) != len(labels):
                raise InvalidInputError(
                    f"{what} and the table must have the same regions: only in {what} "
                    f"{sorted(map(str, set(values.index) - set(labels)))[:5]}, only in the "
                    f"table {sorted(map(str, set(labels) - set(values.index)))[:5]}"
                )
            values = values.loc[labels]
        else:
            labels = values.index
    arr = count_array(values, what) if counts else number_array(values, what)
    if arr.ndim != 1:
        raise InvalidInputError(f"{what} must be one number per region, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise InvalidInputError(f"{what} has {arr.size} value(s) but the table has {n} "
                                "regions; expected one per region")
    return arr, labels


def _mask(zero_mask: Any, n: int, labels: pd.Index | None) -> np.ndarray:
    """``zero_mask`` as a boolean n x n array; the default forbids the diagonal (no self-moves)."""
    if zero_mask is None:
        return np.eye(n, dtype=bool)
    if isinstance(zero_mask, pd.DataFrame):
        if labels is not None:
            if set(zero_mask.index) != set(labels) or set(zero_mask.columns) != set(labels):
                raise InvalidInputError("zero_mask must have the same regions as m on both axes")
            zero_mask = zero_mask.loc[labels, labels]
        zero_mask = zero_mask.to_numpy()
    arr = np.asarray(zero_mask)
    if arr.dtype.kind != "b":
        raise InvalidInputError(
            f"zero_mask must hold True (no flow allowed) or False, got values of type {arr.dtype}"
        )
    if arr.shape != (n, n):
        raise InvalidInputError(f"zero_mask must be {n} x {n} like m, got shape {arr.shape}")
    return arr


def _nets_sum_to_zero(nets: np.ndarray, tol: float) -> None:
    if abs(float(nets.sum())) > tol:
        raise InvalidInputError(
            f"net_tot sums to {float(nets.sum())!r}, not 0 (to within tol={tol:g}): every "
            "arrival in a closed system is someone else's departure; rescale_net can make "
            "net figures sum to 0"
        )


def _frame(values: np.ndarray, labels: pd.Index | None) -> pd.DataFrame:
    index = labels if labels is not None else pd.RangeIndex(values.shape[0])
    return pd.DataFrame(values, index=index.copy(), columns=index.copy())


def _nets_of(flows: np.ndarray) -> np.ndarray:
    return flows.sum(axis=0) - flows.sum(axis=1)


def _incidence(cells: np.ndarray, n: int) -> np.ndarray:
    """Rows: regions; columns: the cells (i, j); +1 at the destination j, -1 at the origin i,
    so ``A @ flows`` is inflow minus outflow (0 for a diagonal cell)."""
    a = np.zeros((n, len(cells)))
    k = np.arange(len(cells))
    np.add.at(a, (cells[:, 1], k), 1.0)
    np.add.at(a, (cells[:, 0], k), -1.0)
    return a


def _two_regions_or_more(n: int, what: str) -> None:
    """Refuse a table of fewer than 2 regions: it has no flow between regions to estimate."""
    if n < 2:
        raise InvalidInputError(f"{what} has {n} region(s); flows between regions need 2 or more")


def _net_inputs(net_tot: Any, m: Any, zero_mask: Any, tol: Any, what_m: str = "m"
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None, float]:
    tol = as_number(tol, "tol", minimum=0.0)
    seed, labels = _square(m, what_m)
    _two_regions_or_more(seed.shape[0], what_m)
    nets, labels = _vector(net_tot, "net_tot", labels, seed.shape[0], counts=False)
    mask = _mask(zero_mask, seed.shape[0], labels)
    if (mask | np.eye(seed.shape[0], dtype=bool)).all():
        raise InvalidInputError(
            "zero_mask is True in every cell off the diagonal: it forbids every move between "
            "regions, so there is no flow to estimate; set False where people may move")
    return seed, nets, mask, labels, tol


def _scale_of(nets: np.ndarray, prior: np.ndarray) -> float:
    """The data's scale, for tolerances: sum |net|, or the prior's total when every net is 0
    (a tolerance in persons would be meaningless for figures in thousandths or in millions)."""
    scale = float(np.abs(nets).sum()) or float(np.abs(prior).sum())
    return scale if scale > 0 else 1.0


def _least_total(nets: np.ndarray, mask: np.ndarray) -> float | None:
    """The least total of a table of flows >= 0 on the cells ``mask`` allows with these nets,
    or None where there is no such table."""
    linprog = _scipy_optimize().linprog
    n = nets.size
    cells = np.argwhere(~mask & ~np.eye(n, dtype=bool))
    if not len(cells):
        return None if np.any(nets) else 0.0
    # solved for nets of size 1: HiGHS's tolerances are absolute (1e-7), so nets of 1e-8
    # persons would pass as met by a table of zeros
    size = float(np.abs(nets - nets.mean()).sum()) or 1.0
    res = linprog(np.ones(len(cells)), A_eq=_incidence(cells, n),
                  b_eq=(nets - nets.mean()) / size, bounds=(0, None), method="highs")
    return float(res.fun) * size if res.status == 0 else None


def _most_total(nets: np.ndarray, mask: np.ndarray) -> float | None:
    """The greatest total of a table of flows >= 0 on the cells off the diagonal ``mask``
    allows with these nets, or None where it has none (a cycle of allowed cells can carry any
    number of people round). Call it only where some table has these nets."""
    linprog = _scipy_optimize().linprog
    n = nets.size
    cells = np.argwhere(~mask & ~np.eye(n, dtype=bool))
    if not len(cells):
        return 0.0
    size = float(np.abs(nets - nets.mean()).sum()) or 1.0
    res = linprog(-np.ones(len(cells)), A_eq=_incidence(cells, n),
                  b_eq=(nets - nets.mean()) / size, bounds=(0, None), method="highs")
    return -float(res.fun) * size if res.status == 0 else None


def _feasible(nets: np.ndarray, mask: np.ndarray) -> bool:
    """Whether some table of flows >= 0 on the cells ``mask`` allows has these nets."""
    return _least_total(nets, mask) is not None


# ---------------------------------------------------------------- net totals


def net_matrix_entropy(
    net_tot: Vector,
    m: Table,
    zero_mask: pd.DataFrame | np.ndarray | None = None,
    tol: float = 1e-6,
) -> MigestFit:
    """Flows whose nets are ``net_tot``, nearest the prior ``m`` in Kullback-Leibler divergence.

    Minimises ``sum_ij y_ij log(y_ij / m_ij) - y_ij + m_ij`` subject to
    ``sum_j y_ji - sum_j y_ij = net_i`` for every region, ``y >= 0`` and ``y = 0`` where
    ``zero_mask`` is True. As in migest's ``net_matrix_entropy``, a prior cell below 1e-10
    outside the mask counts as 1e-10, so it may carry a (small) flow. The minimum has the form
    ``y_ij = m_ij c_j / c_i`` (one factor per region), the model of
    :func:`~migdata.estimation.flows_from_net` (migest's ``cm_net``); it is found by Newton's
    method and the nets are met to 1e-11 of ``sum |net_tot|`` (of the prior's total where
    every net is 0) or to the rounding of the flows' sums. migest solves the same
    convex programme with CVXR and ECOS, to ECOS's precision, whose tolerances (about 1e-8)
    are absolute, not relative to the figures: tables in persons agree to about 1e-6 of their
    size, but with figures of 1e-8 persons migest's table missed the nets by up to 1.2% and its
    cells differed from migdata's by up to 7% in the outside re-trial of issue 23 (while it
    reported convergence), where migdata meets them to 1e-11 of their size.

    Where ECOS does not reach its own tolerance (status "optimal_inaccurate" or
    "solver_error") migest 2.0.5 returns a table of zeros with ``convergence = FALSE``, which
    misses every net; migdata always returns the optimum, with ``convergence=True``. Which
    problems ECOS fails on cannot be told in advance; in the outside trial of issue 23 they
    were: a region with a non-zero net and no prior flow to move through (migdata warns),
    every table whose nets summed (in absolute value) to 3.5 million persons or more but one
    (migest's own example times 1e5 or 1e6; migdata warns from 1 million, where ECOS may
    start to fail), and some tables of thousandths of a person (nets all 0, or a
    ``zero_mask``). A prior of zeros is one: every cell counts as 1e-10, so nets of -1e6 and
    1e6 need factors 1e16 apart; migest returns zeros (convergence FALSE), migdata the table
    (before the re-trial of issue 23 its Newton step overshot there and it refused the nets,
    blaming ``zero_mask``).

    Parameters
    ----------
    net_tot : Series or sequence of float
        Net migration (in minus out) by region, summing to 0 (to within ``tol``).
    m : DataFrame or 2-d array
        Prior flows, origin x destination, 0 or more; labels (when a DataFrame) name the regions.
    zero_mask : DataFrame or 2-d array of bool, optional
        True where no flow may be; default the diagonal.
    tol : float, default 1e-6
        How far from 0 the sum of ``net_tot`` may be (migest's ``tol``).

    Returns
    -------
    MigestFit
        ``n`` the flows; ``value`` the sum of squared gaps between the table's nets and
        ``net_tot`` (as migest reports); ``iterations`` 1.

    Warns
    -----
    UserWarning
        Where migest is likely to return a table of zeros: a region with a non-zero net and no
        prior flow to move through, or nets summing (in absolute value) to 1 million or more.

    Raises
    ------
    InvalidInputError
        Nets that do not sum to 0 (migest stops too), tables of another size, negative priors,
        a ``zero_mask`` that leaves a region with a non-zero net no cell to move through (only
        a mask can: without one every cell off the diagonal counts as 1e-10 at the least).
    MigdataError
        Should Newton's method stop short of nets some table meets (not seen in any trial).

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]])
    >>> fit = net_matrix_entropy([30, 40, -15, -55], m)
    >>> (fit.n.sum(axis=0) - fit.n.sum(axis=1)).round(6).tolist()
    [30.0, 40.0, -15.0, -55.0]
    """
    seed, nets, mask, labels, tol = _net_inputs(net_tot, m, zero_mask, tol)
    _nets_sum_to_zero(nets, tol)
    n = seed.shape[0]
    prior = np.where(mask, 0.0, np.maximum(seed, ENTROPY_FLOOR))
    off = ~np.eye(n, dtype=bool)
    floor_only = [i for i in range(n)
                  if (nets[i] < 0 and not (seed[i] * ~mask[i] * off[i] > 0).any())
                  or (nets[i] > 0 and not (seed[:, i] * ~mask[:, i] * off[:, i] > 0).any())]
    y = _kl_projection(prior, nets - nets.mean())
    if float(np.abs(nets).sum()) >= 1e6:
        warnings.warn(
            f"net_tot sums (in absolute value) to {float(np.abs(nets).sum()):.4g} persons: at "
            "this scale migest's solver (ECOS) often stops 'optimal_inaccurate' or "
            "'solver_error' and migest 2.0.5 then returns a table of zeros (convergence "
            "FALSE); migdata returns the optimum, which meets the nets",
            UserWarning, stacklevel=2)
    if floor_only:
        where = [str(labels[i]) if labels is not None else str(i) for i in floor_only]
        warnings.warn(
            f"m has no flow out of (net < 0) or into (net > 0) region(s) {where[:5]}: their "
            f"moves go through cells whose prior is 0, counted as {ENTROPY_FLOOR:g} as in "
            "migest, and are spread in proportion to the other regions' factors. migest's "
            "solver may report 'optimal_inaccurate' here and return a table of zeros",
            UserWarning, stacklevel=2)
    value = float(((_nets_of(y) - nets) ** 2).sum())
    return MigestFit(n=_frame(y, labels), value=value, convergence=True, iterations=1,
                     message="optimal")


#: The largest change of a log factor in one Newton step of :func:`_kl_projection`. Far from
#: the optimum (a prior of 1e-10 and nets of millions) Newton's step on the exponential model
#: is out of all proportion (1e15 in log c); the line search could not shorten it enough.
#: exp(16) is about 9e6: any ratio of factors is reached in a few capped steps.
KL_MAX_STEP = 16.0


def _kl_projection(prior: np.ndarray, nets: np.ndarray, tol: float = 1e-11,
                   max_iter: int = 500, what: str = "zero_mask") -> np.ndarray:
    """The table ``prior_ij c_j / c_i`` whose nets are ``nets`` (Newton's method on log c).

    It minimises the Kullback-Leibler divergence from ``prior`` under the nets: F(u) =
    sum_ij prior_ij exp(u_j - u_i) - nets . u is convex with gradient inflow - outflow - nets.
    A step is kept when it lowers F or, where F's change is below its rounding, the gap.
    ``tol`` is relative to sum |net| (to the prior's total where every net is 0), so nets in
    thousandths of a person are met as closely as nets in millions. The Newton system is
    solved with the Hessian scaled to a unit diagonal (cells from 1e-10 to 1e10 in one table
    leave it well conditioned), and a step changes no log factor by more than
    :data:`KL_MAX_STEP`, so no scale of the nets or the prior is out of reach.
    ``what`` names the input whose zeros are blamed when no table of flows >= 0 on its
    non-zero cells has these nets."""
    n = nets.size
    off = ~np.eye(n, dtype=bool)
    s = np.where(off, prior, 0.0)
    scale = _scale_of(nets, s)
    u = np.zeros(n)

    def parts(v: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        with np.errstate(over="ignore", invalid="ignore"):
            flows = s * np.exp(v[None, :] - v[:, None])
            value = float(flows.sum() - nets @ v)
            grad = flows.sum(axis=0) - flows.sum(axis=1) - nets
        return flows, value, grad

    flows, value, grad = parts(u)
    gap = float(np.abs(grad).max())
    for _ in range(max_iter + 1):
        # met to tol of the data's scale, or to the rounding of the flows' own sums
        if gap <= tol * scale or gap <= 64 * np.finfo(float).eps * float(flows.sum()):
            out = flows.copy()
            out[~off] = np.diag(prior)  # the diagonal does not enter the nets: the prior's
            return out
        both = flows + flows.T
        lap = np.diag(both.sum(axis=1)) - both  # the Hessian: a weighted graph Laplacian
        d = np.sqrt(np.diag(lap))
        d[d <= 0] = 1.0  # a region no flow touches (its net is 0): any factor will do
        # the Laplacian is singular along the constant vector (the factors are defined up to
        # a common multiple); scaled, that vector is d: add d d' / d.d, which fixes the
        # multiple and leaves every other direction alone
        scaled = lap / d[:, None] / d[None, :] + np.outer(d, d) / float(d @ d)
        step = np.linalg.lstsq(scaled, -grad / d, rcond=None)[0] / d
        step -= step.mean()
        widest = float(np.abs(step).max())
        if widest > KL_MAX_STEP:
            step *= KL_MAX_STEP / widest
        t = 1.0
        while t > 1e-14:
            f_t, v_t, g_t = parts(u + t * step)
            gap_t = float(np.abs(g_t).max()) if np.isfinite(v_t) else np.inf
            if np.isfinite(v_t) and (v_t <= value + 1e-4 * t * float(grad @ step) or (
                    v_t <= value + 1e-12 * abs(value) and gap_t < gap)):
                break
            t /= 2
        if t <= 1e-14:
            break
        u, flows, value, grad, gap = u + t * step, f_t, v_t, g_t, gap_t
    try:
        feasible = _feasible(nets, ~(s > 0))
    except MissingDependencyError:
        feasible = None
    if feasible is False:
        raise InvalidInputError(
            f"no table of flows >= 0 meets these nets (largest gap {gap:.3g} persons): the "
            f"zeros of {what} leave a region with a non-zero net no cell to move through"
        )
    raise MigdataError(
        f"the Newton iteration stopped {gap:.3g} persons short of the nets "
        "(largest gap)" + ("" if feasible is None else ", though a table with these nets "
                           "exists") + "; please report the nets and the prior"
    )


def _scipy_optimize() -> Any:
    """scipy.optimize, or an error saying how to install it (the ``research`` extra)."""
    try:
        import scipy.optimize
    except ImportError as exc:
        raise MissingDependencyError(
            "this estimator solves a linear or bounded optimisation with scipy, which is not "
            "installed: pip install 'migdata[research]' (or pip install scipy)"
        ) from exc
    return scipy.optimize


def _lp_minimum_flows(nets: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, Any]:
    linprog = _scipy_optimize().linprog

    n = nets.size
    cells = np.argwhere(~mask)
    a = _incidence(cells, n)
    k = len(cells)
    # nets within tol of summing to 0: spread the remainder (an LP's equalities must agree)
    res = linprog(np.ones(2 * k), A_eq=np.hstack([a, -a]), b_eq=nets - nets.mean(),
                  bounds=(0, None),
                  method="highs")
    if res.status != 0:
        return np.full((n, n), np.nan), res
    plus, minus = res.x[:k].copy(), res.x[k:].copy()
    # A flow of -x from i to j is a flow of x from j to i at the same cost: write it there
    # when that cell is allowed, so the table is of persons (>= 0) wherever it can be.
    where = {tuple(c): idx for idx, c in enumerate(cells.tolist())}
    for idx, (i, j) in enumerate(cells.tolist()):
        back = where.get((j, i))
        if back is not None and minus[idx] > 0 and i != j:
            plus[back] += minus[idx]
            minus[idx] = 0.0
    flows = np.zeros((n, n))
    flows[cells[:, 0], cells[:, 1]] = plus - minus
    return flows, res


def net_matrix_lp(
    net_tot: Vector,
    m: Table,
    zero_mask: pd.DataFrame | np.ndarray | None = None,
    tol: float = 1e-6,
) -> MigestFit:
    """migest's ``net_matrix_lp``: the smallest flows (in their sum) that give ``net_tot``.

    .. warning:: migest's reference page says this minimises the absolute deviation from the
       prior ``m``, but migest 2.0.5's linear programme leaves ``m`` out of its objective: it
       minimises ``sum_ij |y_ij|`` over signed flows subject to the nets, so the answer moves
       each region's gain straight from the regions that lose, whatever ``m`` says (``m`` is
       used only for the reported ``value``). migdata keeps that result here, with a
       ``UserWarning``; :func:`flows_from_net_l1` minimises ``sum_ij |y_ij - m_ij|`` with
       ``y >= 0``, as the reference page describes.

    The optimum is seldom unique: many tables have the least total. What is determined is the
    total of the flows (``fit.n.abs().sum().sum()``, the LP's objective) and the nets; the
    table itself is the vertex the solver stops at (HiGHS here, lpSolve in migest), so cells
    may differ from migest's. A negative flow from i to j is written as a positive flow from j
    to i where that cell is allowed (same objective), so the flows are 0 or more unless the
    mask rules the reverse cell out: then, as in migest, the table keeps a negative flow (a
    move the mask forbids), with a second ``UserWarning``.

    Parameters
    ----------
    net_tot : Series or sequence of float
        Net migration (in minus out) by region, summing to 0 (to within ``tol``).
    m : DataFrame or 2-d array
        Prior flows; only its size, labels and (for ``value``) cells are used, as in migest.
    zero_mask : DataFrame or 2-d array of bool, optional
        True where no flow may be; default the diagonal.
    tol : float, default 1e-6
        How far from 0 the sum of ``net_tot`` may be.

    Returns
    -------
    MigestFit
        ``n`` the flows; ``value`` ``sum_ij |y_ij - m_ij|`` with ``m`` set to 0 under the mask,
        computed as migest computes its ``value`` but for migdata's table: it depends on which
        optimal table the solver stops at, so it differs from migest's wherever the cells do
        (14 of 50 random cases in the outside trial of issue 23).

    Raises
    ------
    InvalidInputError
        Nets that do not sum to 0; a mask under which no table has these nets (migest warns
        and returns NA).

    Examples
    --------
    >>> import warnings
    >>> m = [[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fit = net_matrix_lp([30, 40, -15, -55], m)
    >>> float(fit.n.to_numpy().sum())
    70.0
    """
    seed, nets, mask, labels, tol = _net_inputs(net_tot, m, zero_mask, tol)
    _nets_sum_to_zero(nets, tol)
    flows, res = _lp_minimum_flows(nets, mask)
    if res.status != 0:
        raise InvalidInputError(
            f"no table has these nets under zero_mask ({res.message}); migest's net_matrix_lp "
            "warns and returns NA here"
        )
    warnings.warn(
        "net_matrix_lp follows migest 2.0.5, whose linear programme ignores m: it returns the "
        "smallest flows that give the nets, not the table nearest m; flows_from_net_l1 "
        "minimises the absolute deviation from m", UserWarning, stacklevel=2)
    if (flows < 0).any():
        i, j = (int(k) for k in np.argwhere(flows < 0)[0])
        a, b = ((repr(labels[i]), repr(labels[j])) if labels is not None else (str(i), str(j)))
        warnings.warn(
            f"net_matrix_lp (as migest 2.0.5) returns negative flows, e.g. {flows[i, j]:g} from "
            f"{a} to {b}: a move from {b} to {a}, which zero_mask "
            "forbids; flows_from_net_l1 keeps every flow >= 0 and the mask",
            UserWarning, stacklevel=2)
    prior = np.where(mask, 0.0, seed)
    return MigestFit(n=_frame(flows, labels), value=float(np.abs(flows - prior).sum()),
                     convergence=True, iterations=1, message="Converged")


def flows_from_net_l1(
    net: Vector,
    seed: Table,
    zero_mask: pd.DataFrame | np.ndarray | None = None,
) -> pd.DataFrame:
    """Flows whose nets are ``net``, nearest ``seed`` in the sum of absolute deviations.

    Minimises ``sum_ij |y_ij - seed_ij|`` subject to ``sum_j y_ji - sum_j y_ij = net_i``,
    ``y >= 0`` and ``y = 0`` where ``zero_mask`` is True (default the diagonal): what migest's
    reference page says ``net_matrix_lp`` does. Solved as a linear programme (HiGHS): each cell
    may rise by ``p_ij >= 0`` or fall by ``0 <= q_ij <= seed_ij``, and ``sum p + q`` is
    minimised. The least deviation is determined; the table need not be (other tables may reach
    it too), as always with absolute deviations.

    Parameters
    ----------
    net : Series or sequence of float
        Net migration by region, summing to 0 (to 1e-9 of their size).
    seed : DataFrame or 2-d array
        Prior flows, 0 or more.
    zero_mask : DataFrame or 2-d array of bool, optional
        True where no flow may be; default the diagonal.

    Returns
    -------
    DataFrame
        Origin x destination flows, 0 or more.

    Raises
    ------
    InvalidInputError
        Nets that do not sum to 0; a mask under which no table has these nets.

    Examples
    --------
    >>> m = [[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]]
    >>> y = flows_from_net_l1([30, 40, -15, -55], m)
    >>> (y.sum(axis=0) - y.sum(axis=1)).round(6).tolist()
    [30.0, 40.0, -15.0, -55.0]
    """
    linprog = _scipy_optimize().linprog

    prior, nets, mask, labels, _ = _net_inputs(net, seed, zero_mask, 0.0, "seed")
    _nets_sum_to_zero(nets, 1e-9 * max(float(np.abs(nets).sum()), 1.0))
    n = prior.shape[0]
    prior = np.where(mask, 0.0, prior)
    cells = np.argwhere(~mask)
    a = _incidence(cells, n)
    base = prior[cells[:, 0], cells[:, 1]]
    k = len(cells)
    bounds = [(0.0, None)] * k + [(0.0, float(b)) for b in base]
    res = linprog(np.ones(2 * k), A_eq=np.hstack([a, -a]), b_eq=nets - a @ base,
                  bounds=bounds, method="highs")
    if res.status != 0:
        raise InvalidInputError(f"no table of flows >= 0 has these nets under zero_mask "
                                f"({res.message})")
    y = np.zeros((n, n))
    y[cells[:, 0], cells[:, 1]] = np.maximum(base + res.x[:k] - res.x[k:], 0.0)
    return _frame(y, labels)


def _l2_projection(prior: np.ndarray, nets: np.ndarray, mask: np.ndarray,
                   tol: float, max_iter: int) -> np.ndarray:
    """min 1/2 sum (y - prior)^2 s.t. nets, y >= 0, mask: semismooth Newton on the dual.

    With multipliers u by region, y_ij = max(0, prior_ij + u_j - u_i); the dual function
    F(u) = 1/2 sum y^2 - nets . u is convex with gradient (inflow - outflow - nets), so its
    minimum meets the nets and the y it gives is the projection (Karush-Kuhn-Tucker)."""
    n = nets.size
    cells = np.argwhere(~mask & ~np.eye(n, dtype=bool))
    oi, dj = cells[:, 0], cells[:, 1]
    base = prior[oi, dj]
    scale = max(float(np.abs(nets).sum()), float(base.sum()), 1.0)
    u = np.zeros(n)

    def parts(v: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        y = np.maximum(base + v[dj] - v[oi], 0.0)
        grad = np.bincount(dj, y, n) - np.bincount(oi, y, n) - nets
        return y, float(0.5 * (y ** 2).sum() - nets @ v), grad

    y, value, grad = parts(u)
    for _ in range(max_iter):
        gap = float(np.abs(grad).max())
        if gap <= tol * scale:
            out = prior.copy()
            out[mask] = 0.0
            out[oi, dj] = y
            return out
        act = (base + u[dj] - u[oi]) > 0
        hess = np.zeros((n, n))
        np.add.at(hess, (dj[act], dj[act]), 1.0)
        np.add.at(hess, (oi[act], oi[act]), 1.0)
        np.add.at(hess, (dj[act], oi[act]), -1.0)
        np.add.at(hess, (oi[act], dj[act]), -1.0)
        hess += 1.0 / n  # the multipliers are defined up to a common constant
        hess += np.eye(n) * (1e-9 + min(gap, 1.0) * 1e-3)
        step = np.linalg.solve(hess, -grad)
        t = 1.0
        while True:
            y_t, v_t, g_t = parts(u + t * step)
            if v_t <= value + 1e-4 * t * float(grad @ step) or t < 1e-14 or (
                    v_t <= value + 1e-12 * abs(value) and np.abs(g_t).max() < gap):
                break
            t /= 2
        if t < 1e-14:
            break
        u, y, value, grad = u + t * step, y_t, v_t, g_t
    raise InvalidInputError(
        f"no table of flows >= 0 meets these nets under zero_mask to {tol:g} of their size "
        f"(largest gap {float(np.abs(grad).max()):.3g}): a region with a non-zero net needs "
        "cells it may move through"
    )


def flows_from_net_l2(
    net: Vector,
    seed: Table,
    zero_mask: pd.DataFrame | np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 500,
) -> pd.DataFrame:
    """Flows whose nets are ``net``, nearest ``seed`` in the sum of squared deviations.

    Minimises ``sum_ij (y_ij - seed_ij)^2`` subject to ``sum_j y_ji - sum_j y_ij = net_i``,
    ``y >= 0`` and ``y = 0`` where ``zero_mask`` is True (default the diagonal): what migest's
    reference page says ``net_matrix_optim`` does. The solution is unique: each allowed cell is
    ``max(0, seed_ij + u_j - u_i)`` with one multiplier ``u`` per region, found by a
    semismooth Newton method. Without flows driven to 0 every cell moves by the same
    ``u_j - u_i``, so small and large flows change by the same number of persons (unlike the
    proportional :func:`~migdata.estimation.flows_from_net`).

    Parameters
    ----------
    net : Series or sequence of float
        Net migration by region, summing to 0 (to 1e-9 of their size).
    seed : DataFrame or 2-d array
        Prior flows, 0 or more.
    zero_mask : DataFrame or 2-d array of bool, optional
        True where no flow may be; default the diagonal (the diagonal never enters the nets and
        is returned as 0 unless allowed, then as the seed's).
    tol : float, default 1e-12
        Largest gap between the table's nets and ``net``, relative to ``sum |net|`` or the
        seed's total, whichever is larger.
    max_iter : int, default 500
        Newton iterations at most.

    Returns
    -------
    DataFrame
        Origin x destination flows, 0 or more.

    Raises
    ------
    InvalidInputError
        Nets that do not sum to 0; a mask under which no table has these nets.

    Examples
    --------
    >>> y = flows_from_net_l2([30, -10, -20], [[0, 5, 5], [5, 0, 5], [5, 5, 0]])
    >>> (y.sum(axis=0) - y.sum(axis=1)).round(9).tolist()
    [30.0, -10.0, -20.0]
    """
    tol = as_tolerance(tol)
    max_iter = as_count(max_iter, "max_iter")
    prior, nets, mask, labels, _ = _net_inputs(net, seed, zero_mask, 0.0, "seed")
    _nets_sum_to_zero(nets, 1e-9 * max(float(np.abs(nets).sum()), 1.0))
    return _frame(_l2_projection(prior, nets, mask, tol, max_iter), labels)


# ---------------------------------------------------------------- L-BFGS-B as in R's optim


def _cubic_step(stx: float, fx: float, dx: float, sty: float, fy: float, dy: float,
                stp: float, fp: float, dp: float, brackt: bool, lo: float, hi: float
                ) -> tuple[float, float, float, float, float, float, float, bool]:
    """One safeguarded step of More and Thuente's (1994) line search: the next trial step from
    the interval (stx, sty) and the new point (stp, fp, dp); returns the updated interval."""
    sgnd = dp * np.sign(dx)

    def cubic(a: float, fa: float, da: float, b: float, fb: float, db: float
              ) -> tuple[float, float]:
        theta = 3.0 * (fa - fb) / (b - a) + da + db
        s = max(abs(theta), abs(da), abs(db))
        gamma = s * np.sqrt(max(0.0, (theta / s) ** 2 - (da / s) * (db / s)))
        return float(theta), float(gamma)

    if fp > fx:  # a higher value: the minimum is bracketed
        theta, gamma = cubic(stx, fx, dx, stp, fp, dp)
        gamma = -gamma if stp < stx else gamma
        r = ((gamma - dx) + theta) / (((gamma - dx) + gamma) + dp)
        stpc = stx + r * (stp - stx)
        stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
        stpf = stpc if abs(stpc - stx) < abs(stpq - stx) else stpc + (stpq - stpc) / 2.0
        brackt = True
    elif sgnd < 0:  # derivatives of opposite sign: bracketed
        theta, gamma = cubic(stx, fx, dx, stp, fp, dp)
        gamma = -gamma if stp > stx else gamma
        r = ((gamma - dp) + theta) / (((gamma - dp) + gamma) + dx)
        stpc = stp + r * (stx - stp)
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
        brackt = True
    elif abs(dp) < abs(dx):  # the derivative falls in magnitude
        theta, gamma = cubic(stx, fx, dx, stp, fp, dp)
        gamma = -gamma if stp > stx else gamma
        r = ((gamma - dp) + theta) / ((gamma + (dx - dp)) + gamma)
        if r < 0 and gamma != 0:
            stpc = stp + r * (stx - stp)
        else:
            stpc = hi if stp > stx else lo
        stpq = stp + (dp / (dp - dx)) * (stx - stp)
        if brackt:
            stpf = stpc if abs(stpc - stp) < abs(stpq - stp) else stpq
            edge = stp + 0.66 * (sty - stp)
            stpf = min(edge, stpf) if stp > stx else max(edge, stpf)
        else:
            stpf = stpc if abs(stpc - stp) > abs(stpq - stp) else stpq
            stpf = max(lo, min(hi, stpf))
    elif brackt:  # the derivative does not fall: step from the other end
        theta, gamma = cubic(stp, fp, dp, sty, fy, dy)
        gamma = -gamma if stp > sty else gamma
        r = ((gamma - dp) + theta) / (((gamma - dp) + gamma) + dy)
        stpf = stp + r * (sty - stp)
    else:
        stpf = hi if stp > stx else lo
    if fp > fx:
        sty, fy, dy = stp, fp, dp
    else:
        if sgnd < 0:
            sty, fy, dy = stx, fx, dx
        stx, fx, dx = stp, fp, dp
    return stx, fx, dx, sty, fy, dy, float(stpf), brackt


class _LineSearch:
    """More and Thuente's line search for the strong Wolfe conditions (sufficient decrease
    ``ftol``, curvature ``gtol``, interval width ``xtol``), fed one trial (f, f') at a time."""

    def __init__(self, f: float, g: float, stp: float, stpmax: float,
                 ftol: float = 1e-3, gtol: float = 0.9, xtol: float = 0.1) -> None:
        self.ftol, self.gtol, self.xtol, self.stpmax = ftol, gtol, xtol, stpmax
        self.brackt, self.stage = False, 1
        self.finit, self.ginit, self.gtest = f, g, ftol * g
        self.width = stpmax
        self.width1 = 2.0 * stpmax
        self.stx, self.fx, self.gx = 0.0, f, g
        self.sty, self.fy, self.gy = 0.0, f, g
        self.stmin, self.stmax = 0.0, 5.0 * stp

    def next(self, stp: float, f: float, g: float) -> tuple[bool, float]:
        """(done, the next trial step); done when the step is accepted or cannot improve."""
        ftest = self.finit + stp * self.gtest
        if self.stage == 1 and f <= ftest and g >= 0:
            self.stage = 2
        done = (
            (self.brackt and (stp <= self.stmin or stp >= self.stmax))
            or (self.brackt and self.stmax - self.stmin <= self.xtol * self.stmax)
            or (stp == self.stpmax and f <= ftest and g <= self.gtest)
            or (stp == 0.0 and (f > ftest or g >= self.gtest))
            or (f <= ftest and abs(g) <= self.gtol * (-self.ginit)))
        if done:
            return True, stp
        if self.stage == 1 and f <= self.fx and f > ftest:
            gt = self.gtest  # the modified function f - ftol * f'(0) * step
            stx, fxm, gxm, sty, fym, gym, stp, self.brackt = _cubic_step(
                self.stx, self.fx - self.stx * gt, self.gx - gt, self.sty,
                self.fy - self.sty * gt, self.gy - gt, stp, f - stp * gt, g - gt,
                self.brackt, self.stmin, self.stmax)
            self.stx, self.sty = stx, sty
            self.fx, self.fy, self.gx, self.gy = fxm + stx * gt, fym + sty * gt, gxm + gt, gym + gt
        else:
            (self.stx, self.fx, self.gx, self.sty, self.fy, self.gy, stp,
             self.brackt) = _cubic_step(self.stx, self.fx, self.gx, self.sty, self.fy, self.gy,
                                        stp, f, g, self.brackt, self.stmin, self.stmax)
        if self.brackt:
            if abs(self.sty - self.stx) >= 0.66 * self.width1:
                stp = self.stx + 0.5 * (self.sty - self.stx)
            self.width1, self.width = self.width, abs(self.sty - self.stx)
            self.stmin, self.stmax = min(self.stx, self.sty), max(self.stx, self.sty)
        else:
            self.stmin = stp + 1.1 * (stp - self.stx)
            self.stmax = stp + 4.0 * (stp - self.stx)
        stp = min(max(stp, 0.0), self.stpmax)
        if self.brackt and (stp <= self.stmin or stp >= self.stmax
                            or self.stmax - self.stmin <= self.xtol * self.stmax):
            stp = self.stx
        return False, stp


def _lbfgsb_nonnegative(fun: Any, grad: Any, start: np.ndarray, memory: int, factr: float,
                        pgtol: float, maxit: int) -> tuple[np.ndarray, float, int, bool, str]:
    """Minimise ``fun`` over ``x >= 0`` by L-BFGS-B as R's ``optim`` runs it.

    The limited-memory BFGS model in compact form (Byrd, Nocedal and Schnabel 1994), its
    generalized Cauchy point along the projected gradient path, minimisation over the free
    variables, and More and Thuente's line search, with the rule of the code before version 3.0
    (Byrd et al. 1995) that R uses: where the subspace step would take a variable below 0 the
    whole step is shortened until it reaches 0 (version 3.0, in scipy, projects it instead).
    Stops as R does: projected gradient below ``pgtol``, a relative fall of the objective
    below ``factr`` times the machine epsilon, or ``maxit`` iterations. Returns x, f, the
    evaluations, whether it converged and R's message."""
    eps = float(np.finfo(float).eps)
    x = np.maximum(np.asarray(start, float), 0.0)
    n = x.size
    f, g = float(fun(x)), grad(x)
    nfev = 1
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    theta = 1.0

    def projected(xv: np.ndarray, gv: np.ndarray) -> float:
        return float(np.abs(np.where(gv >= 0, np.minimum(xv, gv), gv)).max())

    if projected(x, g) <= pgtol:
        return x, f, nfev, True, "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"
    it = 0
    while True:
        if pairs:
            s_m = np.array([p[0] for p in pairs]).T
            y_m = np.array([p[1] for p in pairs]).T
            w = np.hstack([y_m, theta * s_m])
            sy = s_m.T @ y_m
            low = np.tril(sy, -1)
            m_inv = np.block([[-np.diag(np.diag(sy)), low.T], [low, theta * (s_m.T @ s_m)]])
            m_mid = np.linalg.inv(m_inv)
        else:
            w, m_inv, m_mid = np.zeros((n, 0)), np.zeros((0, 0)), np.zeros((0, 0))
        # the generalized Cauchy point: the first minimum of the model along P(x - t g)
        at_bound = (x <= 0) & (g >= 0)
        d = np.where(at_bound, 0.0, -g)
        fixed = at_bound.copy()
        cross = np.flatnonzero(d < 0)
        t_cross = x[cross] / -d[cross]
        order = np.argsort(t_cross, kind="stable")
        moving_up = bool(np.any(d > 0))
        p = w.T @ d
        c = np.zeros(w.shape[1])
        gd, dd, dz = float(g @ d), float(d @ d), 0.0
        xcp = x.copy()
        if dd > 0:
            f2 = theta * dd - float(p @ m_mid @ p)
            dtm = dd / f2
            tsum = t_prev = 0.0
            left = len(order)
            for k in order:
                i = int(cross[k])
                dt = float(t_cross[k]) - t_prev
                if dtm < dt:
                    break
                tsum += dt
                left -= 1
                di, zi = float(d[i]), -float(x[i])
                dz += dt * dd - di * zi
                c = c + dt * p
                gd -= float(g[i]) * di
                dd -= di * di
                p = p - di * w[i]
                d[i] = 0.0
                xcp[i] = 0.0
                fixed[i] = True
                t_prev = float(t_cross[k])
                if left == 0 and len(cross) == n:
                    dtm = 0.0
                    break
                f1 = gd + theta * dz - float(p @ m_mid @ c)
                f2 = theta * dd - float(p @ m_mid @ p)
                dtm = 0.0 if (left == 0 and not moving_up) or f2 <= 0 else -f1 / f2
            dtm = max(0.0, dtm)
            tsum += dtm
            xcp[~fixed] = x[~fixed] + tsum * d[~fixed]
            c = c + dtm * p
        # minimise the model over the free variables from the Cauchy point
        free = np.flatnonzero(~fixed)
        xbar = xcp.copy()
        if pairs and free.size:
            z = xcp - x
            r = -(g[free] + theta * z[free] - w[free] @ (m_mid @ c))
            wf = w[free]
            # (theta I - W M W')^-1 on the free variables, by the Sherman-Morrison-Woodbury
            # formula (a 2m x 2m system)
            inner = np.linalg.solve(m_inv - wf.T @ wf / theta, wf.T @ r)
            step = r / theta + wf @ inner / theta ** 2
            down = step < 0
            ratio = np.full(free.size, np.inf)
            ratio[down] = np.where(xcp[free][down] <= 0, 0.0, -xcp[free][down] / step[down])
            alpha = 1.0
            if down.any() and ratio.min() < 1.0:
                hit = int(np.argmin(ratio))
                alpha = float(ratio[hit])
                xbar[free[hit]] = 0.0
                step[hit] = 0.0
            xbar[free] = xbar[free] + alpha * step
        # line search from x towards xbar
        dvec = xbar - x
        if it == 0:
            stpmax = 1.0
            stp = min(1.0 / float(np.sqrt(dvec @ dvec)), stpmax)
        else:
            stpmax = 1e10
            for i in np.flatnonzero(dvec < 0):
                if x[i] <= 0:
                    stpmax = 0.0
                elif dvec[i] * stpmax < -x[i]:
                    stpmax = -float(x[i]) / float(dvec[i])
            stp = 1.0
        f_old, g_old, x_old = f, g, x
        gd_old = float(g @ dvec)
        accepted = gd_old < 0
        if accepted:
            search = _LineSearch(f, gd_old, stp, stpmax)
            for _ in range(20):
                x_t = xbar.copy() if stp == 1.0 else stp * dvec + x_old
                f_t, g_t = float(fun(x_t)), grad(x_t)
                nfev += 1
                gd_t = float(g_t @ dvec)
                done, stp_next = search.next(stp, f_t, gd_t)
                if done:
                    x, f, g = x_t, f_t, g_t
                    break
                stp = stp_next
            else:
                accepted = False
        if not accepted:
            x, f, g = x_old, f_old, g_old
            if not pairs:
                return x, f, nfev, False, "ABNORMAL_TERMINATION_IN_LNSRCH"
            pairs, theta = [], 1.0  # forget the model and start again
            continue
        it += 1
        if it > maxit:
            return x, f, nfev, False, "NEW_X"
        if projected(x, g) <= pgtol:
            return x, f, nfev, True, "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"
        if f_old - f <= eps * factr * max(abs(f_old), abs(f), 1.0):
            return x, f, nfev, True, "CONVERGENCE: REL_REDUCTION_OF_F <= FACTR*EPSMCH"
        curv = (gd_t - gd_old) * stp
        if curv <= eps * (-gd_old * stp):
            continue  # no curvature along the step: keep the model
        y_new = g - g_old
        pairs = [*pairs, (x - x_old, y_new)][-memory:]
        theta = float(y_new @ y_new) / curv


def net_matrix_optim(
    net_tot: Vector,
    m: Table,
    zero_mask: pd.DataFrame | np.ndarray | None = None,
    maxit: int = 500,
    tol: float = 1e-6,
) -> MigestFit:
    """migest's ``net_matrix_optim``: flows adjusted from ``m`` until their nets are ``net_tot``.

    As in migest 2.0.5, the squared gap between the table's nets and ``net_tot``,
    ``sum_i (sum_j y_ji - sum_j y_ij - net_i)^2``, is minimised over the allowed cells with
    ``y >= 0`` by the bounded limited-memory quasi-Newton method L-BFGS-B (Byrd et al. 1995;
    R's ``optim``), started at ``m``, with R's settings: 5 correction pairs, stopping when the
    objective falls by less than ``tol`` (relative) or the projected gradient is below ``tol``,
    at most ``maxit`` iterations, and R's central-difference gradient (step 1e-3, one-sided at
    the bound 0), which is exact for this quadratic except next to the bound.

    Each step moves along differences of the regions' gaps, so while no flow reaches 0 the
    iterates stay on ``m + (u_j - u_i)`` and the answer is the least-squares table that
    migest's reference page describes (:func:`flows_from_net_l2`), to the solver's tolerance.
    Where a flow would go below 0 the bound stops it and the answer is only *some* table with
    these nets, which depends on the solver's path: then a ``UserWarning`` says so and names
    :func:`flows_from_net_l2`. The nets are met to about ``sqrt(tol)`` persons, not exactly.

    Once a flow reaches its bound the path depends on the L-BFGS-B code too: R's ``optim``
    runs the code from before version 3.0, which shortens a subspace step that would take a
    flow below 0 until the flow is 0, where version 3.0 (scipy's) projects it (Morales and
    Nocedal 2011). migdata runs its own L-BFGS-B with R's rules (no scipy needed), so it stops
    where migest does (in the outside trial of issue 23, scipy's version stopped 1.4% of the
    largest flow away). With large flows R's difference-quotient gradient carries rounding
    noise that migdata's exact one does not, and the difference grows with the flows' size:
    in the outside re-trial of issue 23 cells differed by up to 2.5e-8 of the largest flow with
    flows up to 1e5, 7e-6 near 1e6, 7.5e-5 near 1e8 and 1.3e-3 near 1e9 (2 million persons);
    both tables meet the nets.

    migest returns whatever the solver stops at, also where no table has the nets (a
    ``zero_mask`` that leaves a losing region no way out) or where the solver stops before
    meeting them (figures in thousandths of a person, where ``tol`` is large beside them):
    migdata returns the same numbers with a ``UserWarning`` giving the largest gap.

    Parameters
    ----------
    net_tot : Series or sequence of float
        Net migration by region, summing to 0 (to within ``tol``).
    m : DataFrame or 2-d array
        Prior flows (the starting table), 0 or more.
    zero_mask : DataFrame or 2-d array of bool, optional
        True where no flow may be; default the diagonal.
    maxit : int, default 500
        Iterations at most.
    tol : float, default 1e-6
        The relative fall of the objective and the projected gradient at which to stop; also
        how far from 0 the sum of ``net_tot`` may be.

    Returns
    -------
    MigestFit
        ``n`` the flows; ``value`` the squared gap of the nets; ``iterations`` the objective's
        evaluations; ``convergence`` and ``message`` the solver's.

    Raises
    ------
    InvalidInputError
        Nets that do not sum to 0, tables of another size or of fewer than 2 regions, negative
        priors, a ``zero_mask`` that forbids every move.

    Warns
    -----
    UserWarning
        The table is not the least-squares one; the nets are missed by more than 1e-4 of
        ``sum |net_tot|`` (no table under ``zero_mask`` has them, or the solver stopped early); the
        solver did not converge.

    Examples
    --------
    >>> fit = net_matrix_optim([3, -1, -2], [[0, 50, 50], [50, 0, 50], [50, 50, 0]])
    >>> fit.n.round(3).to_numpy().tolist()
    [[0.0, 49.333, 49.167], [50.667, 0.0, 49.833], [50.833, 50.167, 0.0]]
    """
    maxit = as_count(maxit, "maxit")
    seed, nets, mask, labels, tol = _net_inputs(net_tot, m, zero_mask, tol)
    _nets_sum_to_zero(nets, tol)
    n = seed.shape[0]
    cells = np.argwhere(~mask.T)[:, ::-1]  # R's order, column by column
    a = _incidence(cells, n)
    curvature = 2.0 * (a ** 2).sum(axis=0)  # the loss is exactly quadratic along each cell
    h = 1e-3  # R's optim: ndeps

    def loss(x: np.ndarray) -> float:
        gap = a @ x - nets
        return float(gap @ gap)

    def gradient(x: np.ndarray) -> np.ndarray:
        # R's difference quotient (f(x + h) - f(x - d)) / (h + d) with d = min(h, x) (the
        # lower point clipped to the bound 0): the exact gradient + curvature * (h - d) / 2
        exact = 2.0 * a.T @ (a @ x - nets)
        return exact + 0.5 * curvature * (h - np.minimum(h, np.maximum(x, 0.0)))

    start = seed[cells[:, 0], cells[:, 1]].astype(float)
    x, value, evaluations, converged, message = _lbfgsb_nonnegative(
        loss, gradient, start, memory=5, factr=tol / float(np.finfo(float).eps), pgtol=tol,
        maxit=maxit)
    y = np.zeros((n, n))
    # a step t * d + x may end a hair below 0 by rounding (e.g. -7e-21): a flow is 0 or more
    y[cells[:, 0], cells[:, 1]] = np.maximum(x, 0.0)
    if not converged:
        warnings.warn(f"net_matrix_optim did not converge ({message}); the nets may be "
                      "missed", UserWarning, stacklevel=2)
    else:
        try:
            nearest = _l2_projection(np.where(mask, 0.0, seed), nets, mask, 1e-12, 500)
        except InvalidInputError:
            nearest = None
        off = ~np.eye(n, dtype=bool)
        spread = max(float(np.abs(nets).max()), 1.0)
        if nearest is not None and np.abs(y - nearest)[off].max() > 1e-3 * spread:
            warnings.warn(
                "net_matrix_optim (as migest 2.0.5) stopped at a table with these nets that is "
                "not the one nearest m in squares: the bound y >= 0 bends the solver's path "
                "(largest cell difference from the least-squares table "
                f"{float(np.abs(y - nearest)[off].max()):.3g}); "
                "flows_from_net_l2 gives the least-squares table", UserWarning, stacklevel=2)
    gap = float(np.abs(_nets_of(y) - nets).max())
    if gap > 1e-4 * _scale_of(nets, np.where(mask, 0.0, seed)):
        try:
            why = ("no table of flows >= 0 under zero_mask has these nets"
                   if not _feasible(nets, mask) else
                   "the solver stopped before meeting them (tol is large beside these figures)")
        except MissingDependencyError:  # the check is a linear programme (scipy)
            why = "zero_mask may rule them out, or the solver stopped before meeting them"
        warnings.warn(
            f"net_matrix_optim (as migest 2.0.5) returns a table that misses the nets by up to "
            f"{gap:.3g}: {why}; migest returns this table too, without a warning",
            UserWarning, stacklevel=2)
    return MigestFit(n=_frame(y, labels), value=value, convergence=converged,
                     iterations=evaluations, message=message)


# ---------------------------------------------------------------- conditional maximisation


def _margins(row_tot: Any, col_tot: Any, m: Any, ndim: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None, pd.Index | None]:
    """Row and column totals and the offset, labelled from a DataFrame ``m`` or the Series."""
    rows = cols = None
    offset: np.ndarray | None = None
    if isinstance(m, pd.DataFrame):
        check_fit(labelled={"m": m}, counts={"m": m})
        rows, cols = m.index, m.columns
        offset = count_array(m, "m")
    elif m is not None:
        offset = count_array(m, "m")
    if offset is not None and offset.ndim != ndim:
        raise InvalidInputError(f"m must have {ndim} dimensions, got shape {offset.shape}")
    r, rows = _vector(row_tot, "row_tot", rows, None if offset is None else offset.shape[0],
                      counts=True)
    c, cols = _vector(col_tot, "col_tot", cols, None if offset is None else offset.shape[1],
                      counts=True)
    if offset is None:
        offset = np.ones((r.size, c.size))
    # migest compares the rounded sums
    if round(float(r.sum())) != round(float(c.sum())):
        raise InvalidInputError(
            f"row_tot sums to {float(r.sum())!r} but col_tot to {float(c.sum())!r}; the row "
            "and column totals must have the same sum"
        )
    return r, c, offset, rows, cols


def _cm_loop(row: np.ndarray, col: np.ndarray, offset: np.ndarray, tol: float, maxit: int,
             name: str) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Alternate alpha_i = row_i / sum_j beta_j m_ij and beta_j = col_j / sum_i alpha_i m_ij
    from 1 until no parameter moves by more than ``tol`` (or ``maxit`` is reached)."""
    alpha, beta = np.ones(offset.shape[0]), np.ones(offset.shape[1])
    it, d_max = 1, 2 * tol
    with np.errstate(divide="ignore", invalid="ignore"):
        while d_max > tol and it < maxit:
            new_alpha = row / (offset @ beta)
            new_beta = col / (new_alpha @ offset)
            d_max = float(np.max(np.abs(np.concatenate([alpha - new_alpha, beta - new_beta]))))
            alpha, beta = new_alpha, new_beta
            it += 1
            if not np.isfinite(d_max):
                break
    if not (np.isfinite(alpha).all() and np.isfinite(beta).all()):
        if not (row.any() or col.any()):
            raise InvalidInputError(
                f"{name}: row_tot and col_tot are all 0, so there are no flows to fit (migest "
                "returns NaN here); the table of such totals is all zeros")
        bad_r = np.flatnonzero((offset.sum(axis=1) == 0) & (row > 0))
        bad_c = np.flatnonzero((offset.sum(axis=0) == 0) & (col > 0))
        empty_r = np.flatnonzero(offset.sum(axis=1) == 0)
        empty_c = np.flatnonzero(offset.sum(axis=0) == 0)
        if not (bad_r.size or bad_c.size or empty_r.size or empty_c.size):
            # no empty row or column: zero totals leave a column (row) whose non-zero offset
            # cells all lie in rows (columns) of total 0
            with np.errstate(invalid="ignore"):
                fin_a = np.where(np.isfinite(alpha), alpha, 0.0)
                fin_b = np.where(np.isfinite(beta), beta, 0.0)
            empty_c = np.flatnonzero((fin_a @ offset == 0) & (col > 0))
            empty_r = np.flatnonzero((offset @ fin_b == 0) & (row > 0))
            raise InvalidInputError(
                f"{name}: the offset m has non-zero cells in row(s) {empty_r.tolist()} and "
                f"column(s) {empty_c.tolist()} (by position) only where the other margin's "
                "totals are 0, so their totals cannot be reached; migest returns NaN here")
        raise InvalidInputError(
            f"{name}: the offset m has no cell in row(s) {bad_r.tolist() or empty_r.tolist()} "
            f"or column(s) {bad_c.tolist() or empty_c.tolist()} (by position) to hold the "
            "totals; migest returns NaN here. Give those rows and columns a non-zero offset "
            "or drop the regions"
        )
    converged = bool(d_max <= tol)
    if not converged:
        warnings.warn(
            f"{name} stopped after maxit={maxit} iterations with parameters still moving by "
            f"{d_max:.3g} (above tol={tol:g}), as migest does; the margins may be missed. "
            "Raise maxit, or use ipf, which fits to full precision", UserWarning, stacklevel=3)
    return alpha, beta, it, converged


def cm2(
    row_tot: Vector,
    col_tot: Vector,
    m: Table | None = None,
    tol: float = 1e-6,
    maxit: int = 500,
) -> MigestFit:
    """Flows with given origin and destination totals by conditional maximisation (``cm2``).

    Fits ``y_ij = alpha_i beta_j m_ij`` (Willekens 1999) by updating the origin parameters
    ``alpha_i = row_tot_i / sum_j beta_j m_ij`` and the destination parameters
    ``beta_j = col_tot_j / sum_i alpha_i m_ij`` in turn, from 1, until no parameter moves by
    more than ``tol`` or ``maxit`` is reached (migest counts the start, so at most
    ``maxit - 1`` rounds). This is IPF (:func:`~migdata.estimation.ipf`) written with the
    parameters; it stops where migest's does, so the column totals are met exactly and the row
    totals to about ``tol``. A ``UserWarning`` says when ``maxit`` stops it first.

    Parameters
    ----------
    row_tot, col_tot : Series or sequence of float
        Origin (row) and destination (column) totals; their sums must round to the same whole
        number (migest's check).
    m : DataFrame or 2-d array, optional
        The offset (auxiliary flows), rows x columns; default 1 everywhere (independence).
    tol : float, default 1e-6
        Stop when no parameter moves by more than this.
    maxit : int, default 500
        migest's iteration limit.

    Returns
    -------
    MigestFit
        ``n`` the flows; ``theta`` ``{"alpha": ..., "beta": ...}``.

    Raises
    ------
    InvalidInputError
        Totals of different sums, sizes that differ, negative values, a row or column of ``m``
        of zeros (migest returns NaN).

    Examples
    --------
    >>> fit = cm2([18, 20], [16, 22], [[5, 2], [1, 7]])
    >>> fit.n.round(3).to_numpy().tolist()
    [[13.25, 4.75], [2.75, 17.25]]
    """
    tol = as_number(tol, "tol", minimum=0.0)
    maxit = as_count(maxit, "maxit")
    r, c, offset, rows, cols = _margins(row_tot, col_tot, m, 2)
    alpha, beta, it, ok = _cm_loop(r, c, offset, tol, maxit, "cm2")
    fitted = alpha[:, None] * beta[None, :] * offset
    out = pd.DataFrame(fitted,
                       index=rows.copy() if rows is not None else pd.RangeIndex(r.size),
                       columns=cols.copy() if cols is not None else pd.RangeIndex(c.size))
    return MigestFit(n=out, theta={"alpha": alpha, "beta": beta}, convergence=ok,
                     iterations=it, message="converged" if ok else "maxit reached")


def cm3(
    row_tot: Vector,
    col_tot: Vector,
    m: np.ndarray,
    tol: float = 1e-6,
    maxit: int = 500,
) -> MigestFit:
    """Flows by origin, destination and type with given origin and destination totals
    (migest's ``cm3``).

    Fits ``y_ijk = alpha_i beta_j m_ijk`` (Abel 2005; Raymer, Abel and Smith 2007): the
    conditional maximisation of :func:`cm2` on the offset summed over the types, the fitted
    factors then applied to every type, so each type keeps its share of every origin-destination
    cell. Stops as migest's does (no parameter moving by more than ``tol``, or ``maxit``).

    Parameters
    ----------
    row_tot, col_tot : Series or sequence of float
        Origin and destination totals over all types; their sums must round to the same whole
        number.
    m : 3-d array
        The offset, origin x destination x type (migest's array ``[orig, dest, type]``).
    tol : float, default 1e-6
        Stop when no parameter moves by more than this.
    maxit : int, default 500
        migest's iteration limit.

    Returns
    -------
    MigestFit
        ``n`` a 3-d array origin x destination x type; ``theta`` ``alpha`` and ``beta``.

    Raises
    ------
    InvalidInputError
        Totals of different sums, sizes that differ, negative values, an origin or destination
        with a zero offset (migest returns NaN).

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[[5, 4], [2, 5]], [[1, 2], [7, 9]]], dtype=float)
    >>> fit = cm3([36, 40], [32, 44], m)
    >>> fit.n.sum(axis=(1, 2)).round(3).tolist()
    [36.0, 40.0]
    """
    tol = as_number(tol, "tol", minimum=0.0)
    maxit = as_count(maxit, "maxit")
    if m is None:
        raise InvalidInputError("cm3 needs the offset m, a 3-d array origin x destination x type")
    r, c, offset, _, _ = _margins(row_tot, col_tot, m, 3)
    alpha, beta, it, ok = _cm_loop(r, c, offset.sum(axis=2), tol, maxit, "cm3")
    fitted = alpha[:, None, None] * beta[None, :, None] * offset
    return MigestFit(n=fitted, theta={"alpha": alpha, "beta": beta}, convergence=ok,
                     iterations=it, message="converged" if ok else "maxit reached")


def _positive_root(a: float, b: float, c: float) -> float:
    """The positive root of a x^2 + b x + c = 0, or 1 where there is none (migest's rule)."""
    if not (np.isfinite(a) and a != 0):
        return 1.0
    disc = b * b - 4 * a * c
    if not np.isfinite(disc) or disc < 0:
        return 1.0
    roots = [(-b + np.sqrt(disc)) / (2 * a), (-b - np.sqrt(disc)) / (2 * a)] if disc > 0 \
        else [-b / (2 * a)]
    positive = [x for x in roots if x > 0]
    if len(positive) != 1 or not np.isfinite(positive[0]):
        return 1.0
    return float(positive[0])


def cm_net_tot(
    net_tot: Vector,
    tot: float,
    m: Table | None = None,
    tol: float = 1e-6,
    maxit: int = 500,
    alpha0: Vector | None = None,
    lambda0: float = 1.0,
    alpha_constrained: bool = True,
) -> MigestFit:
    """Flows with given net totals and a given grand total (migest's ``cm_net_tot``).

    Fits ``y_ij = lambda alpha_i m_ij / alpha_j``: one factor per region, which scales its
    out-flows up and its in-flows down, and ``lambda``, which scales the whole table (diagonal
    included) to ``tot``. The conditional maximisation sets each ``alpha_i`` (all from the
    previous round's values; the first held at ``alpha0[0]`` when ``alpha_constrained``) to the
    positive root of ``a x^2 + net_i x - c = 0`` with ``a = lambda sum_j m_ij / alpha_j`` and
    ``c = lambda sum_j alpha_j m_ji`` (which makes region i's net ``net_i``), or to 1 where
    there is no positive root, and ``lambda`` to ``tot`` over the previous round's table; it
    stops when no parameter moves by more than ``tol``, or after ``maxit`` rounds, as migest's
    does.

    Parameters
    ----------
    net_tot : Series or sequence of float
        Net migration by region, summing to 0.
    tot : float
        The grand total of the table, diagonal included.
    m : DataFrame or 2-d array, optional
        The offset, origin x destination; default 1 everywhere (the diagonal too, as in migest).
    tol : float, default 1e-6
        Stop when no parameter moves by more than this.
    maxit : int, default 500
        Rounds at most.
    alpha0 : sequence of float, optional
        Starting factors; default 1.
    lambda0 : float, default 1
        Starting scale.
    alpha_constrained : bool, default True
        Hold the first factor at its start (the factors are defined up to a common multiple).

    Returns
    -------
    MigestFit
        ``n`` the flows; ``theta`` ``{"alpha": ..., "lambda": ...}``.

    Raises
    ------
    InvalidInputError
        Sizes that differ, fewer than 2 regions (as the other net functions), negative
        offsets, a negative total.

    Warns
    -----
    UserWarning
        Nets that do not sum to 0 (migest prints a message and fits anyway: with
        ``alpha_constrained`` the first region's net takes the difference, so it is missed);
        ``maxit`` reached before ``tol``.

    Examples
    --------
    >>> m = [[0, 100, 30, 70], [50, 0, 45, 5], [60, 35, 0, 40], [20, 25, 20, 0]]
    >>> fit = cm_net_tot([-100, 125, -75, 50], 600, m)
    >>> round(float(fit.n.to_numpy().sum()), 3)
    600.0
    """
    tol = as_number(tol, "tol", minimum=0.0)
    maxit = as_count(maxit, "maxit")
    tot = as_number(tot, "tot", minimum=0.0)
    lambda0 = as_number(lambda0, "lambda0")
    alpha_constrained = as_flag(alpha_constrained, "alpha_constrained")
    if m is None:
        nets, labels = _vector(net_tot, "net_tot", None, None, counts=False)
        offset = np.ones((nets.size, nets.size))
    else:
        offset, labels = _square(m, "m")
        _two_regions_or_more(offset.shape[0], "m")
        nets, labels = _vector(net_tot, "net_tot", labels, offset.shape[0], counts=False)
    size = nets.size
    _two_regions_or_more(size, "net_tot")
    if alpha0 is None:
        alpha = np.ones(size)
    else:
        alpha = number_array(alpha0, "alpha0")
        if alpha.shape != (size,) or (alpha <= 0).any():
            raise InvalidInputError(f"alpha0 must be {size} numbers above 0, got {alpha0!r}")
        alpha = alpha.astype(float).copy()
    scale = max(float(np.abs(nets).sum()), 1.0)
    if abs(float(nets.sum())) > 1e-9 * scale:
        warnings.warn(
            f"net_tot sums to {float(nets.sum())!r}, not 0: no table meets every net; as in "
            "migest the fit goes on and "
            + ("the first region's net takes the difference" if alpha_constrained
               else "it will not converge"), UserWarning, stacklevel=2)
    lam = lambda0
    first = 1 if alpha_constrained else 0
    it, d_max = 0, 2 * tol
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while d_max > tol and it < maxit:
            old, lam_old = alpha.copy(), lam
            outs = offset @ (1.0 / old) * lam_old      # sum_j m_ij / alpha_j
            ins = old @ offset * lam_old               # sum_j alpha_j m_ji
            for i in range(first, size):
                alpha[i] = _positive_root(float(outs[i]), float(nets[i]), -float(ins[i]))
            lam = tot / float((old[:, None] * offset / old[None, :]).sum())
            d_max = float(np.max(np.abs(np.append(old - alpha, lam_old - lam))))
            it += 1
            if not np.isfinite(d_max):
                break
    flows = lam * alpha[:, None] * offset / alpha[None, :]
    if not np.isfinite(flows).all():
        raise InvalidInputError("cm_net_tot: the fit broke down (a zero table total or offset); "
                                "give m non-zero cells")
    converged = bool(d_max <= tol)
    if not converged:
        warnings.warn(
            f"cm_net_tot stopped after maxit={maxit} rounds with parameters still moving by "
            f"{d_max:.3g} (above tol={tol:g}), as migest does; the nets or the total may be "
            "missed", UserWarning, stacklevel=2)
    return MigestFit(n=_frame(flows, labels), theta={"alpha": alpha, "lambda": np.array([lam])},
                     convergence=converged, iterations=it,
                     message="converged" if converged else "maxit reached")


def flows_from_net_total(
    net: Vector,
    total: float,
    seed: Table | None = None,
    *,
    tol: float = 1e-10,
) -> pd.DataFrame:
    """Flows with given net totals and grand total, nearest ``seed`` (the model of ``cm_net_tot``).

    The table ``y_ij = lambda seed_ij c_j / c_i`` whose nets are ``net`` and whose cells sum to
    ``total``: the maximum-likelihood fit of migest's ``cm_net_tot`` model, and the table
    nearest ``seed`` in the Kullback-Leibler sense with those nets and that total. For each
    scale ``lambda`` the factors ``c`` come from Newton's method (as
    :func:`net_matrix_entropy`); the table's total grows with ``lambda``, which is found by
    bracketing and bisection on ``log lambda``. migest's ``cm_net_tot`` iteration reaches the
    same table where it converges; where it does not (e.g. its own example nets with the
    default ``m``, where it returns a table of zeros), this one still does.

    Parameters
    ----------
    net : Series or sequence of float
        Net migration by region, summing to 0 (to 1e-9 of their size).
    total : float
        The table's grand total (the seed's diagonal included, as in ``cm_net_tot``).
    seed : DataFrame or 2-d array, optional
        Prior flows, 0 or more; default 1 off the diagonal and 0 on it. Unlike
        ``cm_net_tot``'s default (1 everywhere) the diagonal counts only when the seed has it.
    tol : float, default 1e-10
        Largest gap of the nets (relative to ``sum |net|``) and of the total (relative to
        ``total``).

    Returns
    -------
    DataFrame
        Origin x destination flows.

    Raises
    ------
    InvalidInputError
        Fewer than 2 regions (as the other net functions); nets that do not sum to 0; a
        total below what the nets need (their positive sum, or more where the seed's zeros
        force longer routes), or above what they allow (a seed without a diagonal whose
        non-zero cells form no cycle); a seed whose zeros rule out the nets.

    Examples
    --------
    >>> y = flows_from_net_total([-100, 125, -75, 50], 600)
    >>> round(float(y.to_numpy().sum()), 6), (y.sum(axis=0) - y.sum(axis=1)).round(6).tolist()
    (600.0, [-100.0, 125.0, -75.0, 50.0])
    """
    tol = as_tolerance(tol)
    total = as_number(total, "total", minimum=0.0)
    if seed is None:
        nets, labels = _vector(net, "net", None, None, counts=False)
        prior = 1.0 - np.eye(nets.size)
    else:
        prior, labels = _square(seed, "seed")
        _two_regions_or_more(prior.shape[0], "seed")
        nets, labels = _vector(net, "net", labels, prior.shape[0], counts=False)
    _two_regions_or_more(nets.size, "net")
    _nets_sum_to_zero(nets, 1e-9 * max(float(np.abs(nets).sum()), 1.0))
    nets = nets - nets.mean()
    if prior.sum() <= 0:
        raise InvalidInputError("seed has no non-zero cell; the flows need one to scale")

    def fit(loglam: float) -> np.ndarray:
        return _kl_projection(np.exp(loglam) * prior, nets, tol=min(tol, 1e-11), what="seed")

    def excess(loglam: float) -> float:
        return float(fit(loglam).sum()) - total

    off = ~np.eye(nets.size, dtype=bool)
    least = _least_total(nets, ~(off & (prior > 0)))
    if least is None:
        raise InvalidInputError("the seed's zeros rule these nets out: no table of flows >= 0 "
                                "on the seed's non-zero cells has them (a region with a "
                                "non-zero net needs non-zero seed cells to move through, in "
                                "the right direction)")
    if total <= least * (1 + 1e-9):
        raise InvalidInputError(
            f"total {total!r} is not above what these nets need ({least:.6g}"
            " persons at the least, given the seed's zeros): every gain must arrive from "
            "somewhere, and a table of this model keeps every non-zero seed cell above 0"
        )
    most = None if np.diag(prior).any() else _most_total(nets, ~(off & (prior > 0)))
    if most is not None and total >= most * (1 - 1e-9):
        raise InvalidInputError(
            f"total {total!r} is not below what these nets allow ({most:.6g} persons at the "
            "most, given the seed's zeros): the seed has no diagonal and its non-zero cells "
            "form no cycle, so the nets bound every flow; give the seed its diagonal (people "
            "who stay) or non-zero cells both ways"
        )
    lo = hi = float(np.log(max(total, 1e-300) / prior.sum()))
    while excess(hi) < 0:
        hi += 2.0
    while excess(lo) > 0:
        lo -= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if excess(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-15 * max(1.0, abs(mid)):
            break
    y = fit(0.5 * (lo + hi))
    if abs(float(y.sum()) - total) > max(tol * max(total, 1.0), 1e-9):
        # the total is linear in lambda at fixed factors: finish with one exact rescale step
        y = fit(0.5 * (lo + hi) + float(np.log(total / y.sum())))
    return _frame(y, labels)
