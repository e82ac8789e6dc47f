"""The numerical core of two-way iterative proportional fitting, shared by :mod:`migdata.estimation`
(flows) and :mod:`migdata.indicators.indices` (the quasi-independence fit of the connectivity
indices). It sits below both so that the measures never import the estimation package.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidInputError

#: Relative tolerance on the margins (difference / total) at which IPF stops.
DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 10_000


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast_shapes(num.shape, den.shape))
    np.divide(num, den, out=out, where=den > 0)
    return out


def _ipf2_layers(
    seed: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    strict: bool = True,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Row and column factors of a two-way IPF, for ``k`` layers at once.

    ``seed`` is ``(n, m)`` (shared by every layer) or ``(k, n, m)``; ``rows`` ``(k, n)`` and
    ``cols`` ``(k, m)``. The fitted layer ``l`` is ``a[l, :, None] * seed * b[l, None, :]``.
    Returns ``a``, ``b`` and the number of iterations. Raises if the margins cannot be met,
    unless ``strict`` is False: then the last iterate is returned (a fit on the boundary, where
    some cells tend to 0, is only approached, as by any Poisson regression routine).
    """
    k = rows.shape[0]
    shared = seed.ndim == 2
    a = np.ones_like(rows)
    b = np.ones_like(cols)
    totals = np.maximum(rows.sum(axis=1), 1e-300)
    # Layers are fitted together; each leaves the active set once its margins are met.
    active = np.arange(k)
    gap = np.zeros(k)
    # a seed whose zeros rule the margins out drives factors to overflow: no numpy warnings
    # (one clear error below instead)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for it in range(1, max_iter + 1):
            ra, ca, b_act = rows[active], cols[active], b[active]
            if shared:
                a_act = _divide(ra, b_act @ seed.T)
                col_fit = a_act @ seed
            else:
                s_act = seed[active]
                # batched matrix-vector products (BLAS), faster than einsum
                a_act = _divide(ra, (s_act @ b_act[:, :, None])[:, :, 0])
                col_fit = (a_act[:, None, :] @ s_act)[:, 0, :]
            b_act = _divide(ca, col_fit)
            if shared:
                row_fit = a_act * (b_act @ seed.T)
            else:
                row_fit = a_act * (s_act @ b_act[:, :, None])[:, :, 0]
            scale = totals[active]
            row_gap = np.abs(row_fit - ra).max(axis=1, initial=0.0) / scale
            col_gap = np.abs(b_act * col_fit - ca).max(axis=1, initial=0.0) / scale
            a[active], b[active] = a_act, b_act
            gap[active] = np.maximum(row_gap, col_gap)
            done = (row_gap <= tol) & (col_gap <= max(tol, 1e-9))
            active = active[~done]
            if active.size == 0:
                return a, b, it
    if not strict:
        return a, b, max_iter
    worst = int(active[np.argmax(gap[active])])
    raise InvalidInputError(
        f"IPF did not meet the margins within {max_iter} iterations (layer {worst} of {k}, "
        f"relative gap {float(gap[worst]):.3g}): some totals cannot be reached because the "
        "seed is zero where they would need flows"
    )


def _ipf2_table(
    seed: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> tuple[np.ndarray, int]:
    """Two-way IPF on the table itself, ``k`` layers at once (``seed`` ``(k, n, m)``).

    For margins that the seed's zeros make impossible the row and column factors of
    :func:`_ipf2_layers` run off to infinity and zero; the table itself stays bounded and tends
    to the limit of IPF (the last step fits the columns, as mipfp's does). Stops when no cell
    changes by more than ``tol`` times the layer's total in an iteration; returns the table and
    the number of iterations.
    """
    fit = seed.astype("float64").copy()
    scale = np.maximum(rows.sum(axis=1), 1e-300)[:, None, None]
    for it in range(1, max_iter + 1):
        before = fit.copy()
        fit *= _divide(rows, fit.sum(axis=2))[:, :, None]
        fit *= _divide(cols, fit.sum(axis=1))[:, None, :]
        if (np.abs(fit - before) / scale).max(initial=0.0) <= tol:
            return fit, it
    return fit, max_iter
