"""Summary indices of a migration system: intensity, impact, connectivity and distance.

The four families follow Bell et al. (2002) and the works they cite, with the definitions of
the index functions of the R package migest 2.0.5 (``index_intensity``, ``index_impact``,
``index_connectivity``, ``index_distance``), so that results agree with it; the Gini and
coefficient-of-variation measures are those of the R package migration.indices, which migest
calls, and reproduce its published test values (Plane and Mulligan's hypothetical matrices).
The code is written from those definitions, not copied.

Flows are a long table (origin, destination, flow). A pair absent from the table is a zero
flow; a missing (NaN) or negative flow is an error. Moves within a region (origin ==
destination) are not migration between regions and are left out.

References
----------
Bell, M., Blake, M., Boyle, P., Duke-Williams, O., Rees, P., Stillwell, J. and Hugo, G. (2002).
Cross-national comparison of internal migration: issues and measures. *JRSS A* 165(3), 435-464.

Courgeau, D. (1973). Migrants et migrations. *Population* 28(1), 95-129.

Plane, D. and Mulligan, G. F. (1997). Measuring spatial focusing in a migration system.
*Demography* 34(2), 251-262.

Rogers, A. and Raymer, J. (1998). The spatial focus of US interstate migration flows.
*International Journal of Population Geography* 4(1), 63-80.

Rogers, A. and Sweeney, S. (1998). Measuring the spatial focus of migration patterns.
*Professional Geographer* 50(2), 232-242.

United Nations (1983). *Methods of Measuring Internal Migration* (index of preference, index of
velocity).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import (
    as_count,
    as_flag,
    as_number,
    check_flows,
    check_population,
    number_array,
    numeric_column,
    require_columns,
    require_nonnegative,
    system_population,
)
from .._fitting import _ipf2_layers
from ..errors import InvalidInputError

__all__ = [
    "connectivity_indices",
    "distance_indices",
    "impact_indices",
    "index_age",
    "intensity_indices",
]


def _matrix(
    flows: pd.DataFrame,
    what: str,
    regions: list | None = None,
    value_col: str = "flow",
) -> tuple[list, np.ndarray]:
    """Square origin x destination array (diagonal 0) from a long table."""
    require_columns(flows, ["origin", "destination", value_col], what)
    if flows.empty:
        raise InvalidInputError(
            f"{what} has no rows; expected at least one row of origin, destination and "
            f"{value_col} (a system without moves lists its pairs with {value_col} 0)"
        )
    table = flows[["origin", "destination", value_col]]
    if table[["origin", "destination"]].isna().any().any():
        raise InvalidInputError(f"{what} has rows without an origin or a destination")
    values = pd.to_numeric(table[value_col], errors="coerce")
    if values.isna().any():
        bad = table.loc[values.isna(), ["origin", "destination"]].head(3).to_dict("records")
        raise InvalidInputError(
            f"{what} has missing or non-numeric {value_col} values, e.g. for {bad}; an index "
            "cannot be computed over a gap"
        )
    if (values < 0).any():
        bad = table.loc[values < 0, ["origin", "destination"]].head(3).to_dict("records")
        raise InvalidInputError(f"{what} has negative {value_col} values, e.g. for {bad}")
    repeated = table.duplicated(subset=["origin", "destination"], keep=False)
    if repeated.any():
        pairs = table.loc[repeated, ["origin", "destination"]].drop_duplicates().head(3)
        raise InvalidInputError(
            f"{what} has several rows for pair(s) {pairs.to_dict('records')}; sum them first "
            "(e.g. over birthplace with migdata.estimation.od_matrix)"
        )
    if regions is None:
        found = pd.unique(pd.concat([table["origin"], table["destination"]], ignore_index=True))
        try:
            regions = sorted(found)
        except TypeError:
            regions = list(found)
    pos = {r: i for i, r in enumerate(regions)}
    seen = {str(x) for x in table["origin"]} | {str(x) for x in table["destination"]}
    unknown = sorted(seen - {str(r) for r in regions})
    if unknown:
        raise InvalidInputError(f"{what} has regions {unknown[:5]} that are not in the system")
    mat = np.zeros((len(regions), len(regions)))
    mat[table["origin"].map(pos).to_numpy(), table["destination"].map(pos).to_numpy()] = (
        values.to_numpy(dtype="float64")
    )
    np.fill_diagonal(mat, 0.0)
    return list(regions), mat


def _population(population: pd.DataFrame, regions: list, what: str) -> np.ndarray:
    require_columns(population, ["region", "population"], what)
    pop = population.set_index("region")["population"]
    if pop.index.has_duplicates:
        raise InvalidInputError(f"{what} has several rows for one region")
    missing = [r for r in regions if r not in pop.index]
    if missing:
        raise InvalidInputError(
            f"{what} lacks region(s) {missing[:5]} that appear in the flows"
        )
    values = pd.to_numeric(pop.reindex(regions), errors="coerce").to_numpy(dtype="float64")
    if np.isnan(values).any() or (values <= 0).any():
        bad = [r for r, v in zip(regions, values, strict=True) if not v > 0]
        raise InvalidInputError(f"{what} needs a positive population for {bad[:5]}")
    return values


def _checked(flows: pd.DataFrame, population: pd.DataFrame, name: str) -> pd.DataFrame:
    """Entry checks shared by the indices that need a population (migdata._checks)."""
    flows = check_flows(flows, f"{name}(flows)", allow_gaps=False)
    pop = check_population(population, f"{name}(population)")
    system_population(pop, pd.concat([flows["origin"], flows["destination"]]).unique(),
                      f"{name}(population)")
    return flows


def intensity_indices(flows: pd.DataFrame, population: pd.DataFrame) -> pd.Series:
    """Crude migration probability and Courgeau's k (Bell et al. 2002; Courgeau 1973).

    * ``cmp`` = 100 x moves between regions / total population (per 100 people);
    * ``courgeau_k`` = cmp / ln(n^2), with n the number of regions, so that systems divided
      into different numbers of regions can be compared.

    Parameters
    ----------
    flows : DataFrame
        ``origin``, ``destination``, ``flow``.
    population : DataFrame
        ``region``, ``population``: every region of the system (the number of rows is n).

    Returns
    -------
    Series
        ``cmp`` and ``courgeau_k``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> p = pd.DataFrame({"region": ["A", "B"], "population": [1000, 1000]})
    >>> intensity_indices(f, p).round(4).to_dict()
    {'cmp': 2.0, 'courgeau_k': 1.4427}
    """
    flows = _checked(flows, population, "intensity_indices")
    require_columns(population, ["region", "population"], "intensity_indices(population)")
    if population.empty:
        raise InvalidInputError(
            "intensity_indices(population) has no rows; expected one row of region and "
            "population for every region of the system"
        )
    regions = list(pd.unique(population["region"]))
    _, mat = _matrix(flows, "intensity_indices(flows)", regions=regions)
    pop = _population(population, regions, "intensity_indices(population)")
    cmp = 100 * mat.sum() / pop.sum()
    n = len(regions)
    k = cmp / np.log(n**2) if n > 1 else np.nan
    return pd.Series({"cmp": float(cmp), "courgeau_k": float(k)}, name="value")


def impact_indices(flows: pd.DataFrame, population: pd.DataFrame) -> pd.Series:
    """Migration effectiveness, aggregate net migration rate, preference and velocity.

    With ``D_i`` and ``O_i`` the in- and out-migrants of region i, ``M`` all moves, ``P_i``
    the populations and ``s_i = P_i / sum P``:

    * ``effectiveness`` = 100 sum|D_i - O_i| / sum(D_i + O_i) (0 to 100);
    * ``anmr`` = 100 x (1/2) sum|D_i - O_i| / sum P_i (per 100 people);
    * ``preference`` = sum_ij M_ij / (M s_i s_j): flows against those expected if migrants
      chose origins and destinations in proportion to population (UN 1983);
    * ``velocity`` = sum_ij M_ij sum(P) / (P_i P_j) (UN 1983).

    Parameters
    ----------
    flows : DataFrame
        ``origin``, ``destination``, ``flow``.
    population : DataFrame
        ``region``, ``population``: every region of the system, including regions no flow
        touches (their people were at risk of moving too). This is the population at risk
        of :func:`intensity_indices`, :func:`~migdata.indicators.crude_migration_intensity`
        and :func:`~migdata.indicators.aggregate_net_migration_rate` as well, so ``anmr``
        here equals the latter for the same inputs.

    Returns
    -------
    Series
        ``effectiveness``, ``anmr``, ``preference``, ``velocity``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> p = pd.DataFrame({"region": ["A", "B"], "population": [1000, 1000]})
    >>> impact_indices(f, p).round(4).to_dict()
    {'effectiveness': 50.0, 'anmr': 1.0, 'preference': 4.0, 'velocity': 0.08}
    """
    flows = _checked(flows, population, "impact_indices")
    # the system is every region of the population table (as for intensity_indices)
    regions, mat = _matrix(flows, "impact_indices(flows)",
                           regions=list(pd.unique(population["region"])))
    pop = _population(population, regions, "impact_indices(population)")
    inflow, outflow = mat.sum(axis=0), mat.sum(axis=1)
    net, turnover = inflow - outflow, inflow + outflow
    total = mat.sum()
    share = pop / pop.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        effectiveness = 100 * np.abs(net).sum() / turnover.sum()
        preference = (mat / (total * np.outer(share, share))).sum()
    anmr = 100 * 0.5 * np.abs(net).sum() / pop.sum()
    velocity = (mat / np.outer(pop, pop) * pop.sum()).sum()
    return pd.Series(
        {
            "effectiveness": float(effectiveness),
            "anmr": float(anmr),
            "preference": float(preference),
            "velocity": float(velocity),
        },
        name="value",
    )


def _pair_abs_sum(values: np.ndarray) -> np.ndarray:
    """Sum of |x_a - x_b| over ordered pairs, along the last axis (sorted-rank formula)."""
    x = np.sort(values, axis=-1)
    m = x.shape[-1]
    ranks = 2 * np.arange(1, m + 1) - m - 1
    return 2 * (x * ranks).sum(axis=-1)


def _off_diagonal(mat: np.ndarray) -> np.ndarray:
    n = mat.shape[0]
    mask = ~np.eye(n, dtype=bool)
    return mat[mask].reshape(n, n - 1)


def _quasi_independence(observed: np.ndarray, log_seed: np.ndarray | None = None) -> np.ndarray:
    """Poisson log-linear fit ``flow ~ origin + destination (+ offset)`` off the diagonal.

    Its maximum-likelihood fit has the observed row and column totals, so IPF finds it.
    """
    n = observed.shape[0]
    seed = np.ones((n, n)) if log_seed is None else np.exp(log_seed)
    np.fill_diagonal(seed, 0.0)
    rows, cols = observed.sum(axis=1), observed.sum(axis=0)
    a, b, _ = _ipf2_layers(
        seed, rows[None, :], cols[None, :], tol=1e-12, max_iter=5_000, strict=False
    )
    return a[0][:, None] * seed * b[0][None, :]


def _glm_independence(observed: np.ndarray) -> np.ndarray:
    """The fitted flows of the Poisson regression ``flow ~ origin + destination`` off the
    diagonal, fitted as R's ``glm`` does (iteratively reweighted least squares from
    ``mu = y + 0.1``, QR of the weighted design, stopping when the deviance changes by less
    than 1e-8 relative, at most 25 iterations: see :func:`_decay`).

    Where the maximum-likelihood fit has zero cells (zero flows that the model must follow,
    e.g. 3 regions with a region nobody leaves), the exact fit is only reached in the limit:
    IPF approaches it slowly, R's glm stops with fitted flows numerically 0 at its deviance
    criterion; this gives R's numbers there too. Tables of more than ``_QR_MAX`` regions are
    fitted by IPF (:func:`_quasi_independence`).
    """
    n = observed.shape[0]
    if n > _QR_MAX:
        return _quasi_independence(observed)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    y = observed[ii, jj]
    if y.sum() <= 0:
        return _quasi_independence(observed)
    design = np.zeros((ii.size, 2 * n - 1))
    design[:, 0] = 1.0
    rows = np.arange(ii.size)
    design[rows[ii > 0], ii[ii > 0]] = 1.0
    design[rows[jj > 0], n - 1 + jj[jj > 0]] = 1.0
    eps = np.finfo(float).eps

    def deviance(mu: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
        return float(2.0 * term.sum())

    with np.errstate(all="ignore"):
        mu = y + 0.1
        eta = np.log(mu)
        dev_old = deviance(mu)
        for _ in range(25):
            dmu = np.maximum(np.exp(eta), eps)
            z = eta + (y - mu) / dmu
            sw = np.sqrt(dmu * dmu / mu)
            q, r = np.linalg.qr(design * sw[:, None])
            coef = np.linalg.lstsq(r, q.T @ (z * sw), rcond=None)[0]
            if not np.all(np.isfinite(coef)):
                return _quasi_independence(observed)
            eta = design @ coef
            mu = np.maximum(np.exp(eta), eps)
            dev = deviance(mu)
            if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
                break
            dev_old = dev
    fitted = np.zeros((n, n))
    fitted[ii, jj] = mu
    return fitted


def connectivity_indices(flows: pd.DataFrame, *, gini_corrected: bool = True) -> pd.Series:
    """Connectivity, inequality and spatial-focusing indices of a flow matrix.

    With n regions, the N = n(n-1) flows between distinct regions ``f``, and ``F = sum f``:

    * ``connectivity``: share of the N flows that are not zero (Bell et al. 2002);
    * ``inequality_equal``: (1/2) sum |f/F - 1/N|, distance from equal flows;
    * ``inequality_sim``: (1/2) sum |f/F - e/sum e|, with e the Poisson independence fit
      ``round(flow) ~ origin + destination`` (off the diagonal), fitted as R's ``glm`` does
      (so where zero flows put the exact fit at the boundary, e's zero cells are R's tiny
      values);
    * ``gini_total``: sum over ordered pairs of flows |f_a - f_b| / (2 (N - 1) F), or
      2 N F with ``gini_corrected=False`` (Plane and Mulligan 1997; Bell et al. 2002);
    * ``gini_orig_standardized`` / ``gini_dest_standardized``: the part of that sum that
      compares flows from the same origin (to the same destination), as a share of the
      uncorrected total (0 to 1);
    * ``mwg_orig``, ``mwg_dest``, ``mwg_mean``: migration-weighted Gini indices. Each
      region's out-field Gini ``G_i = sum_{j,h} |M_ij - M_ih| / (2 (n-2) O_i)`` is weighted by
      the region's share of *in*-migrants and the sum divided by n; the in-field Gini by the
      share of *out*-migrants, likewise. These weights are those of migration.indices (which
      migest uses) and reproduce its published values; a region with no out- (in-) migrants
      makes the index ``NaN``, as there;
    * ``cv``: ``sqrt(sum((m - mean m)^2) / (L (L - 1)) / mean m)`` over all L = n^2 cells of
      the matrix (diagonal included as 0), as in migest;
    * ``acv``: aggregated coefficient of variation (Rogers and Sweeney 1998): the
      in-migrant-weighted mean of each column's coefficient of variation (population standard
      deviation over the n-1 flows) plus the out-migrant-weighted mean of each row's;
      ``NaN`` with 2 regions (one flow per row and column has no spread to measure; migest
      gives ``NA``), and where a row or column has no flow.

    Parameters
    ----------
    flows : DataFrame
        ``origin``, ``destination``, ``flow``, with a row for every pair of distinct regions
        (``flow`` 0 where nobody moved: a pair without a row is a gap and is refused); at least
        three regions for the Gini field indices.
    gini_corrected : bool
        Use Bell et al.'s corrected denominator for ``gini_total`` (migest's default).

    Returns
    -------
    Series
        The eleven indices, in the order above.
    """
    as_flag(gini_corrected, "gini_corrected")
    flows = check_flows(flows, "connectivity_indices(flows)", allow_gaps=False, complete=True)
    regions, mat = _matrix(flows, "connectivity_indices(flows)")
    n = len(regions)
    if n < 2:
        raise InvalidInputError("connectivity_indices needs at least two regions")
    off = _off_diagonal(mat)
    f = off.ravel()
    big_n = f.size
    total = f.sum()
    connectivity = np.count_nonzero(f > 0) / big_n
    with np.errstate(divide="ignore", invalid="ignore"):
        inequality_equal = 0.5 * np.abs(f / total - f.mean() / total).sum()
        fitted = _off_diagonal(_glm_independence(np.round(mat))).ravel()
        inequality_sim = 0.5 * np.abs(f / total - fitted / fitted.sum()).sum()
        all_pairs = _pair_abs_sum(f)
        denominator = 2 * (big_n - 1) if gini_corrected else 2 * big_n
        gini_total = all_pairs / (denominator * total)
        row_pairs = _pair_abs_sum(off)
        col_pairs = _pair_abs_sum(_off_diagonal(mat.T))
        gini_orig_std = row_pairs.sum() / all_pairs
        gini_dest_std = col_pairs.sum() / all_pairs
        rowsum, colsum = mat.sum(axis=1), mat.sum(axis=0)
        g_out = row_pairs / (2 * (n - 2) * rowsum)
        g_in = col_pairs / (2 * (n - 2) * colsum)
        mwg_orig = (g_out * colsum / total).sum() / n
        mwg_dest = (g_in * rowsum / total).sum() / n
        cells = mat.ravel()
        size = cells.size
        cv = np.sqrt(((cells - cells.mean()) ** 2).sum() / (size * (size - 1)) / cells.mean())
        cv_out = off.std(axis=1) / off.mean(axis=1)
        cv_in = _off_diagonal(mat.T).std(axis=1) / _off_diagonal(mat.T).mean(axis=1)
        acv = (colsum / total * cv_in).sum() + (rowsum / total * cv_out).sum()
    if n < 3:
        acv = np.nan  # one flow per row and column: its spread is not defined (migest: NA)
    return pd.Series(
        {
            "connectivity": float(connectivity),
            "inequality_equal": float(inequality_equal),
            "inequality_sim": float(inequality_sim),
            "gini_total": float(gini_total),
            "gini_orig_standardized": float(gini_orig_std),
            "gini_dest_standardized": float(gini_dest_std),
            "mwg_orig": float(mwg_orig),
            "mwg_dest": float(mwg_dest),
            "mwg_mean": float((mwg_orig + mwg_dest) / 2),
            "cv": float(cv),
            "acv": float(acv),
        },
        name="value",
    )


def _weighted_median(x: np.ndarray, w: np.ndarray, ties: str = "input-order") -> float:
    """Weighted median, interpolating linearly between the mid-points of the weights.

    Without ties this is matrixStats::weightedMedian's default (what migest's index_distance
    uses). With tied values matrixStats' answer depends on the order its (unstable) quicksort
    leaves them in: in R ``weightedMedian(c(8.6, 1.3, 1.3), c(5, 5, 4))`` is 2.03 but
    ``weightedMedian(c(8.6, 1.3, 1.3), c(5, 4, 5))`` is 1.3. ``ties="input-order"`` keeps tied
    values in the order given (R's answer whenever its sort does the same); ``"merge"`` merges
    them into one value with their summed weight, which does not depend on the order.
    """
    keep = w > 0
    x, w = x[keep], w[keep]
    if x.size == 0:
        return float("nan")
    if ties == "merge":
        x, where = np.unique(x, return_inverse=True)
        w = np.bincount(where, weights=w)
    else:
        order = np.argsort(x, kind="stable")
        x, w = x[order], w[order]
    mid = (np.cumsum(w) - w / 2) / w.sum()
    return float(np.interp(0.5, mid, x))


#: Largest number of regions whose decay is fitted by QR of the weighted design (as R);
#: larger tables use the weighted normal equations built from row, column and pair sums.
_QR_MAX = 15


def _aliased(log_d: np.ndarray) -> bool:
    """True when log(distance) is a sum of an origin and a destination effect off the diagonal.

    Then the Poisson regression ``flow ~ origin + destination + log(distance)`` cannot tell
    the distance effect from the regions' effects (R's glm reports the coefficient as NA);
    e.g. any 3 regions with symmetric distances.
    """
    n = log_d.shape[0]
    if n > _QR_MAX:  # large tables: backfit row and column means off the diagonal
        off = ~np.eye(n, dtype=bool)
        y = np.where(off, log_d, 0.0)
        resid = np.where(off, y - y[off].mean(), 0.0)
        scale = max(float(np.linalg.norm(resid)), 1e-300)
        for _ in range(500):
            before = resid.copy()
            resid = np.where(off, resid - (resid.sum(axis=1) / (n - 1))[:, None], 0.0)
            resid = np.where(off, resid - (resid.sum(axis=0) / (n - 1))[None, :], 0.0)
            if np.linalg.norm(resid - before) <= 1e-13 * scale:
                break
        return bool(np.linalg.norm(resid) <= 1e-7 * scale)
    ii, jj = np.nonzero(~np.eye(n, dtype=bool))
    design = np.zeros((ii.size, 2 * n - 1))
    design[:, 0] = 1.0
    for k in range(1, n):
        design[:, k] = ii == k
        design[:, n - 1 + k] = jj == k
    y = log_d[ii, jj]
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return bool(np.linalg.norm(resid) <= 1e-7 * max(np.linalg.norm(y - y.mean()), 1e-300))


def _decay(observed: np.ndarray, log_d: np.ndarray) -> float:
    """Coefficient of log(distance) in the Poisson fit ``flow ~ origin + destination + log d``.

    Fitted as R's ``glm`` does (documentation of ``glm.control`` and of iteratively reweighted
    least squares, McCullagh and Nelder 1989, section 2.5): start from ``mu = y + 0.1``, solve
    the weighted least-squares problem of the working response ``eta + (y - mu) / mu`` with
    weights ``mu`` (log link), and stop when the deviance changes by less than ``1e-8``
    relative (``|dev - dev_old| / (|dev| + 0.1)``) or after 25 iterations. The weighted
    normal equations are built from the table's structure (row, column and pair sums), so a
    large table costs no dense design matrix.

    Where zero flows leave no finite maximum-likelihood estimate for some effects (a region
    nobody leaves or enters), R's glm stops with fitted rates numerically 0 and still reports
    a decay; this function gives that same number with one ``UserWarning``.
    """
    n = observed.shape[0]
    off = ~np.eye(n, dtype=bool)
    y = np.where(off, observed, 0.0)
    if y.sum() <= 0:
        return float("nan")
    if _aliased(log_d):
        warnings.warn(
            "distance decay is not identifiable: log(distance) is the sum of an origin and a "
            "destination effect for these regions (e.g. 3 regions with symmetric distances), so "
            "the regression cannot separate it from them; decay is NaN (R's glm gives NA)",
            UserWarning,
            stacklevel=3,
        )
        return float("nan")
    logs = np.where(off, log_d, 0.0)
    p = 2 * n  # intercept, n-1 origins, n-1 destinations, log distance

    def deviance(mu: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
        return float(2.0 * term[off].sum())

    ii, jj = np.nonzero(off)
    design = np.zeros((ii.size, p))
    if n <= _QR_MAX:  # small tables: QR of the weighted design, as R's glm (better conditioned)
        design[:, 0] = 1.0
        design[np.arange(ii.size)[ii > 0], ii[ii > 0]] = 1.0
        design[np.arange(ii.size)[jj > 0], n - 1 + jj[jj > 0]] = 1.0
        design[:, p - 1] = logs[ii, jj]

    def solve(w: np.ndarray, wz: np.ndarray) -> np.ndarray | None:
        if n <= _QR_MAX:
            sw = np.sqrt(w[ii, jj])
            q, r = np.linalg.qr(design * sw[:, None])
            x = np.linalg.solve(r, q.T @ (wz[ii, jj] / sw))
            return x if np.all(np.isfinite(x)) else None
        wl = w * logs
        a = np.zeros((p, p))
        b = np.zeros(p)
        rs, cs = w.sum(axis=1), w.sum(axis=0)
        a[0, 0] = w.sum()
        a[0, 1:n] = a[1:n, 0] = rs[1:]
        a[0, n:p - 1] = a[n:p - 1, 0] = cs[1:]
        a[0, p - 1] = a[p - 1, 0] = wl.sum()
        a[1:n, 1:n] = np.diag(rs[1:])
        a[n:p - 1, n:p - 1] = np.diag(cs[1:])
        a[1:n, n:p - 1] = w[1:, 1:]
        a[n:p - 1, 1:n] = w[1:, 1:].T
        a[1:n, p - 1] = a[p - 1, 1:n] = wl.sum(axis=1)[1:]
        a[n:p - 1, p - 1] = a[p - 1, n:p - 1] = wl.sum(axis=0)[1:]
        a[p - 1, p - 1] = (wl * logs).sum()
        b[0] = wz.sum()
        b[1:n] = wz.sum(axis=1)[1:]
        b[n:p - 1] = wz.sum(axis=0)[1:]
        b[p - 1] = (wz * logs).sum()
        d = np.sqrt(np.diag(a))
        if not np.all(np.isfinite(d)) or (d <= 0).any():
            return None
        scaled = a / np.outer(d, d)
        try:
            x = np.linalg.solve(scaled, b / d)
        except np.linalg.LinAlgError:
            x = np.linalg.lstsq(scaled, b / d, rcond=None)[0]
        return x / d

    def linear(coef: np.ndarray) -> np.ndarray:
        o = np.concatenate([[0.0], coef[1:n]])
        de = np.concatenate([[0.0], coef[n:p - 1]])
        return coef[0] + o[:, None] + de[None, :] + coef[p - 1] * logs

    with np.errstate(all="ignore"):
        mu = np.where(off, y + 0.1, 1.0)
        eta = np.log(mu)
        dev_old = deviance(mu)
        coef_old: np.ndarray | None = None
        converged = False
        coef = np.zeros(p)
        eps = np.finfo(float).eps
        for _ in range(25):
            dmu = np.maximum(np.exp(eta), eps)  # d mu / d eta, floored as R's log link
            z = eta + (y - mu) / dmu
            w = np.where(off, dmu * dmu / mu, 0.0)
            new = solve(w, w * z)
            if new is None or not np.all(np.isfinite(new)):
                break
            coef = new
            eta = linear(coef)
            mu = np.where(off, np.maximum(np.exp(eta), eps), 1.0)
            dev = deviance(mu)
            halvings = 0
            while (not np.isfinite(dev) or not np.all(np.isfinite(mu[off]))
                   or (mu[off] <= 0).any()) and coef_old is not None and halvings < 30:
                coef = (coef + coef_old) / 2
                eta = linear(coef)
                mu = np.where(off, np.maximum(np.exp(eta), eps), 1.0)
                dev = deviance(mu)
                halvings += 1
            if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
                converged = True
                break
            dev_old, coef_old = dev, coef
        decay = float(coef[p - 1])
        tiny = bool((mu[off] < 10 * np.finfo(float).eps).any())
    if not np.isfinite(decay):
        warnings.warn(
            "distance decay: the Poisson fit found no finite estimate (zero flows); decay is NaN",
            UserWarning,
            stacklevel=3,
        )
        return float("nan")
    if not converged:
        warnings.warn(
            "distance decay: the Poisson fit did not converge in 25 iterations (as R's glm "
            "warns); decay is the value after 25 iterations, not a maximum-likelihood estimate",
            UserWarning,
            stacklevel=3,
        )
    elif tiny:
        warnings.warn(
            "distance decay: fitted flows numerically 0 (a region nobody leaves or enters has "
            "no finite origin or destination effect); decay is the value R's glm reports there",
            UserWarning,
            stacklevel=3,
        )
    return decay


def distance_indices(
    flows: pd.DataFrame, distances: pd.DataFrame, *, median_ties: str = "input-order"
) -> pd.Series:
    """Mean and median migration distance and the distance-decay parameter (Bell et al. 2002).

    * ``mean``: flow-weighted mean distance of the moves between regions;
    * ``median``: flow-weighted median distance (interpolated between the mid-points of the
      cumulative weights, as matrixStats::weightedMedian, which migest uses; see
      ``median_ties``);
    * ``decay``: the coefficient of ``log(distance)`` in the Poisson regression
      ``round(flow) ~ origin + destination + log(distance)`` over the pairs of distinct
      regions (usually negative: fewer moves over longer distances), fitted by the same
      iteratively reweighted least squares as R's ``glm``. ``NaN`` with a ``UserWarning``
      when it is not identifiable (R's glm gives NA there); R's value with one
      ``UserWarning`` when zero flows send some fitted flows numerically to 0 (as R warns).

    Parameters
    ----------
    flows : DataFrame
        ``origin``, ``destination``, ``flow``, with a row for every pair of distinct regions
        (0 where nobody moved; a pair without a row is refused).
    distances : DataFrame
        ``origin``, ``destination``, ``distance`` (> 0) for every pair of distinct regions of
        the flows.
    median_ties : {"input-order", "merge"}
        Tied distances (a symmetric table always has them): ``"input-order"`` keeps them in
        the order of the pairs (origin, then destination, sorted), which gives R's answer
        whenever matrixStats' quicksort leaves them in that order (most cases, not all: its
        answer depends on how its sort orders tied values); ``"merge"`` merges tied distances
        into one with their summed flows, an answer that does not depend on any order.

    Returns
    -------
    Series
        ``mean``, ``median``, ``decay``.
    """
    if median_ties not in ("input-order", "merge"):
        raise InvalidInputError(
            f"median_ties must be 'input-order' or 'merge', got {median_ties!r}"
        )
    flows = check_flows(flows, "distance_indices(flows)", allow_gaps=False, complete=True)
    regions, mat = _matrix(flows, "distance_indices(flows)")
    require_columns(distances, ["origin", "destination", "distance"], "distance_indices(distances)")
    distances = check_flows(distances, "distance_indices(distances)", flow_col="distance",
                            allow_gaps=False, persons=False)
    known = {str(r) for r in regions}
    rows = distances[
        distances["origin"].astype(str).isin(known)
        & distances["destination"].astype(str).isin(known)
        & (distances["origin"] != distances["destination"])
    ]
    _, dist = _matrix(rows, "distance_indices(distances)", regions=regions, value_col="distance")
    n = len(regions)
    off = ~np.eye(n, dtype=bool)
    have = np.zeros((n, n), dtype=bool)
    pos = {r: i for i, r in enumerate(regions)}
    have[rows["origin"].map(pos).to_numpy(), rows["destination"].map(pos).to_numpy()] = True
    lacking = np.argwhere(off & ~have)
    if lacking.size:
        pairs = [(regions[i], regions[j]) for i, j in lacking[:5]]
        raise InvalidInputError(f"distance_indices(distances) lacks pairs {pairs}")
    if (dist[off] <= 0).any():
        raise InvalidInputError("distances between distinct regions must be > 0 (log is taken)")
    x, w = dist[off], mat[off]
    mean = float((x * w).sum() / w.sum()) if w.sum() > 0 else float("nan")
    log_d = np.zeros_like(dist)
    log_d[off] = np.log(dist[off])
    return pd.Series(
        {
            "mean": mean,
            "median": _weighted_median(x, w, median_ties),
            "decay": _decay(np.round(mat), log_d),
        },
        name="value",
    )


def index_age(
    data: pd.DataFrame | None = None,
    age: object = None,
    mi: object = None,
    *,
    age_min: float = 5,
    age_max: float = 65,
    breadth: int = 5,
    age_col: str = "age",
    mi_col: str = "mi",
    peak_window: str = "migest",
) -> pd.Series:
    """Summary indices of a migration age profile (migest's ``index_age``).

    With ``m`` the migration intensities in per cent and ``nmi = m / sum(m)``:

    * ``gmr``: gross migraproduction rate, ``sum(m) / 100`` (Rogers 1975);
    * ``peak_mi``: the highest intensity at ages strictly between ``age_min`` and ``age_max``;
      ``peak_age``: the age of the highest intensity (all ages) (Bell et al. 2002);
    * ``peak_breadth``, ``peak_share``: the intensities, and their share of all migration in
      per cent, in the window of ``breadth`` groups either side of the peak (Bell and
      Muhidin 2009);
    * ``murc``, ``mdrc``: the ages of the maximum upward and downward change of ``nmi`` from
      the previous age (within the study ages), and ``asymmetry = murc / mdrc`` (Bernard,
      Bell and Charles-Edwards 2014).

    Parameters
    ----------
    data : DataFrame, optional
        Ages and intensities in ``age_col`` and ``mi_col``, one row per single year of age, in
        age order. Or give ``age`` and ``mi``.
    age, mi : sequence, optional
        Used when ``data`` is None.
    age_min, age_max : float
        Study ages for ``peak_mi``, ``murc`` and ``mdrc`` (strictly between).
    breadth : int
        Half-width of the peak window.
    peak_window : {"migest", "age"}
        ``"migest"`` (default): as migest, the window is rows ``peak_age - breadth`` to
        ``peak_age + breadth`` counted from 1, which covers the ages ``peak_age - breadth``
        to ``peak_age + breadth`` only when the first row is age 1; with ages from 0 it is
        shifted one year down (a ``UserWarning`` says so). ``"age"``: the ages within
        ``breadth`` of the peak, whatever the first age.

    Returns
    -------
    Series
        ``gmr``, ``peak_mi``, ``peak_age``, ``peak_breadth``, ``peak_share``, ``murc``,
        ``mdrc``, ``asymmetry``.

    References
    ----------
    Rogers, A. (1975). *Introduction to Multiregional Mathematical Demography*. Wiley.

    Bell, M. and Muhidin, S. (2009). *Cross-national comparisons of internal migration*. Human
    Development Research Paper 2009/30, UNDP.

    Bernard, A., Bell, M. and Charles-Edwards, E. (2014). Improved measures for the
    cross-national comparison of age profiles of internal migration. *Population Studies*
    68(2), 179-195.
    """
    if peak_window not in ("migest", "age"):
        raise InvalidInputError(f"peak_window must be 'migest' or 'age', got {peak_window!r}")
    breadth = as_count(breadth, "breadth", minimum=0)
    age_min = as_number(age_min, "age_min")
    age_max = as_number(age_max, "age_max")
    if data is not None:
        require_columns(data, [age_col, mi_col], "index_age(data)")
        a = numeric_column(data, age_col, "index_age(data)").to_numpy()
        m = 100 * require_nonnegative(data, mi_col, "index_age(data)").to_numpy()
        ages_of = f"index_age(data): column {age_col!r}"
        if np.isnan(a).any() or np.isnan(m).any():
            raise InvalidInputError(
                f"index_age(data): columns {age_col!r} and {mi_col!r} have gaps; a gap is not "
                "a zero (give every age and its intensity)"
            )
    elif age is None or mi is None:
        raise InvalidInputError("index_age needs data, or both age and mi")
    else:
        a = number_array(age, "age")
        m = 100 * number_array(mi, "mi", minimum=0)
        ages_of = "age"
    if a.ndim == 1 and a.size > 1 and not (np.diff(a) > 0).all():
        raise InvalidInputError(
            f"{ages_of} must hold ages in increasing order, each once (one row per age), got "
            f"{[float(v) for v in a[:6]]}..."
        )
    if a.ndim != 1 or a.shape != m.shape or a.size < 2:
        raise InvalidInputError("index_age: age and mi must be 1-D, of the same length (>= 2)")
    if not (np.isfinite(a).all() and np.isfinite(m).all()) or (m < 0).any() or m.sum() <= 0:
        raise InvalidInputError(
            "index_age: intensities must be finite, >= 0 and not all 0 (a gap is not a zero)"
        )
    nmi = m / m.sum()
    change = np.concatenate([[0.0], np.diff(nmi)])
    study = (a > age_min) & (a < age_max)
    if not study.any():
        raise InvalidInputError(f"index_age: no ages strictly between {age_min} and {age_max}")
    peak_age = float(a[int(np.argmax(nmi))])
    if peak_window == "migest":
        lo, hi = round(peak_age) - breadth, round(peak_age) + breadth
        if lo < 0:
            raise InvalidInputError(
                f"index_age: the peak window starts at row {lo}, before the first row (migest "
                "stops with an error there too); lower breadth or use peak_window='age'"
            )
        rows = np.arange(max(lo, 1), hi + 1) - 1
        inside = rows < a.size
        window = rows[inside]
        if not np.array_equal(a[window], window + 1.0):
            warnings.warn(
                "index_age: as in migest, the peak window is taken by row number, not by age; "
                f"here it covers ages {a[window].min():g} to {a[window].max():g} around a peak "
                f"at {peak_age:g}; peak_window='age' takes the ages within {breadth} of the peak",
                UserWarning,
                stacklevel=2,
            )
        if not inside.all():  # R reads beyond the last row as NA
            breadth_sum = share = float("nan")
        else:
            breadth_sum, share = float(m[window].sum()), float(100 * nmi[window].sum())
    else:
        window_mask = np.abs(a - peak_age) <= breadth
        breadth_sum, share = float(m[window_mask].sum()), float(100 * nmi[window_mask].sum())
    up, down = change[study].max(), change[study].min()
    murc = float(a[int(np.argmax(change == up))])
    mdrc = float(a[int(np.argmax(change == down))])
    return pd.Series(
        {
            "gmr": float(m.sum() / 100),
            "peak_mi": float(m[study].max()),
            "peak_age": peak_age,
            "peak_breadth": breadth_sum,
            "peak_share": share,
            "murc": murc,
            "mdrc": mdrc,
            "asymmetry": murc / mdrc if mdrc != 0 else float("nan"),
        },
        name="value",
    )
