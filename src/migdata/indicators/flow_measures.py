"""Summary measures of a flow matrix (Bell et al. 2002): regional net migration, migration
effectiveness, crude migration intensity and the aggregate net migration rate.

The full families of summary indices are in :mod:`migdata.indicators.indices`; flows estimated
by stock differencing come from :func:`migdata.estimation.flows_from_stock_differences`.

References
----------
Bell, M., Blake, M., Boyle, P., Duke-Williams, O., Rees, P., Stillwell, J. and Hugo, G. (2002).
"Cross-national comparison of internal migration: issues and measures". *Journal of the Royal
Statistical Society, Series A*, 165(3), 435-464. Section on the "effectiveness" of migration:
the migration effectiveness index and the aggregate net migration rate.

The R package *migest* (G. J. Abel) offers these measures; this module implements them from the
papers, not from its code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import (
    check_frame,
    check_population,
    known_options,
    labels_of,
    require_columns,
    system_population,
)
from ..errors import InvalidInputError

__all__ = [
    "aggregate_net_migration_rate",
    "crude_migration_intensity",
    "migration_effectiveness_index",
    "regional_net_migration",
]


def _flow_table(
    flows: pd.DataFrame, origin_col: str, destination_col: str, flow_col: str, what: str
) -> pd.DataFrame:
    require_columns(flows, [origin_col, destination_col, flow_col], what)
    checked = check_frame(flows, what, labels=[origin_col, destination_col], signed=[flow_col])
    both = pd.concat([flows[origin_col], flows[destination_col]], ignore_index=True)
    labels_of(both.drop_duplicates(), f"{what}: columns {origin_col!r} and {destination_col!r}")
    values = checked[flow_col]  # negative flows are refused below, after repeated pairs
    table = flows[[origin_col, destination_col]].rename(
        columns={origin_col: "origin", destination_col: "destination"}
    )
    table["flow"] = values
    table = table[table["origin"] != table["destination"]]
    repeated = table.duplicated(subset=["origin", "destination"], keep=False)
    if repeated.any():
        pairs = table.loc[repeated, ["origin", "destination"]].drop_duplicates().head(3)
        n_periods = 1
        if {"start", "end"} <= set(flows.columns):
            n_periods = len(flows[["start", "end"]].drop_duplicates())
        if n_periods > 1:
            hint = f"keep one period first (found {n_periods})"
        else:
            hint = (
                "sum the rows of each pair first, e.g. flows.groupby(['origin', 'destination'], "
                "as_index=False)['flow'].sum() (stock differencing gives one row per birthplace)"
            )
        raise InvalidInputError(
            f"{what} has several rows for origin-destination pair(s) "
            f"{pairs.to_dict('records')}; {hint}"
        )
    if (table["flow"] < 0).any():
        raise InvalidInputError(
            f"{what} has negative flows; a flow is a count of moves (use "
            "flows_from_stock_differences(..., decreases='return'|'zero') first)"
        )
    return table


def regional_net_migration(
    flows: pd.DataFrame,
    *,
    origin_col: str = "origin",
    destination_col: str = "destination",
    flow_col: str = "flow",
) -> pd.DataFrame:
    """In-, out- and net migration and the effectiveness of each region of a flow matrix.

    Moves within a region (``origin == destination``) are not migration between regions and are
    left out. A missing flow makes the sums it enters ``NaN``.

    Parameters
    ----------
    flows : DataFrame
        One row per origin-destination pair of regions with a count of moves (persons) during
        one period, e.g. a migration matrix in long form or the output of
        :func:`migdata.estimation.flows_from_stock_differences` summed per pair. Negative flows
        are refused.
    origin_col, destination_col, flow_col : str
        Names of the origin, destination and flow columns.

    Returns
    -------
    DataFrame
        ``region``, ``inflow`` (D_i), ``outflow`` (O_i), ``net`` (D_i - O_i), ``turnover``
        (D_i + O_i) and ``effectiveness`` = 100 * (D_i - O_i) / (D_i + O_i), in percent.
    """
    table = _flow_table(flows, origin_col, destination_col, flow_col, "regional_net_migration")
    regions = sorted(set(table["origin"]) | set(table["destination"]))
    inflow = table.groupby("destination")["flow"].sum(min_count=1).reindex(regions)
    outflow = table.groupby("origin")["flow"].sum(min_count=1).reindex(regions)
    # A region with no row as origin (or destination) has no recorded out- (in-) moves.
    inflow = inflow.where(inflow.index.isin(table["destination"]), 0.0)
    outflow = outflow.where(outflow.index.isin(table["origin"]), 0.0)
    for name, series in (("destination", inflow), ("origin", outflow)):
        has_nan = table[table["flow"].isna()][name].unique()
        series.loc[series.index.isin(has_nan)] = np.nan
    out = pd.DataFrame(
        {"region": regions, "inflow": inflow.to_numpy(), "outflow": outflow.to_numpy()}
    )
    out["net"] = out["inflow"] - out["outflow"]
    out["turnover"] = out["inflow"] + out["outflow"]
    out["effectiveness"] = 100 * out["net"] / out["turnover"]
    return out


def migration_effectiveness_index(flows: pd.DataFrame, **columns: str) -> float:
    """Migration effectiveness index (MEI) of a flow matrix, Bell et al. (2002).

    ``MEI = 100 * sum_i |D_i - O_i| / sum_i (D_i + O_i)``, with D_i the moves into and O_i the
    moves out of region *i* (moves within a region are left out). It ranges from 0 (every
    region gains as many as it loses: migration only reshuffles people) to 100 (every region
    only gains or only loses: migration redistributes the population with full effect). It is
    ``NaN`` if any flow is missing.

    Parameters
    ----------
    flows : DataFrame
        As for :func:`regional_net_migration`.
    **columns : str
        ``origin_col``, ``destination_col``, ``flow_col`` if the columns are named otherwise.

    Returns
    -------
    float
        The index, in percent (0 to 100).

    Notes
    -----
    The denominator counts each move twice (once as an out-move, once as an in-move), and so
    does the numerator: ``sum_i |D_i - O_i| = 2 * sum of the net gains``. The index is
    therefore the share of all moves that the net gains represent.

    This is the *system-wide* index of Bell et al. (2002), computed from each region's net
    balance. The version over pairs of regions, ``100 * sum_{i<j} |M_ij - M_ji| /
    sum_{i<j} (M_ij + M_ji)``, is a different quantity: it equals this one when no region
    both gains from some regions and loses to others (always true with two regions), and is
    larger otherwise. For a cycle A -> B -> C -> A of equal flows every pair is one-way (100)
    but no region gains or loses anything, and this index is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> migration_effectiveness_index(f)
    50.0
    """
    known_options(columns, regional_net_migration, "migration_effectiveness_index",
                  skip=("flows",))
    reg = regional_net_migration(flows, **columns)
    if reg[["inflow", "outflow"]].isna().to_numpy().any():
        return float("nan")
    return float(100 * reg["net"].abs().sum() / reg["turnover"].sum())


def _total_population(
    population: pd.DataFrame, regions: Sequence[str], region_col: str, population_col: str
) -> float:
    """The population at risk of the whole system: the sum over every row of ``population``
    (see :func:`migdata._checks.system_population`, shared with the index families)."""
    require_columns(population, [region_col, population_col], "population")
    pop = check_population(population, "population", region_col=region_col,
                           population_col=population_col)
    return float(system_population(pop, regions, "population").sum())


def crude_migration_intensity(
    flows: pd.DataFrame,
    population: pd.DataFrame,
    *,
    region_col: str = "region",
    population_col: str = "population",
    **columns: str,
) -> float:
    """Crude migration intensity (Bell et al. 2002): moves between regions per 100 people.

    ``CMI = 100 * sum_ij M_ij / sum_i P_i`` (i != j), with ``P_i`` the population at risk of
    each region (as for :func:`aggregate_net_migration_rate`).

    **Population at risk.** The sum runs over every region of ``population``, which defines the
    system, whether or not a flow touches a region: its people were at risk of moving too, and
    Bell et al. (2002) divide by the population of the whole system. Every region of the flows
    must be listed. :func:`~migdata.indicators.intensity_indices` (``cmp``) and
    :func:`~migdata.indicators.impact_indices` (``anmr``) use the same definition, so the
    same inputs give the same figure under both names.

    Parameters
    ----------
    flows : DataFrame
        As for :func:`regional_net_migration`.
    population : DataFrame
        One row per region: ``region_col`` and ``population_col`` (persons).
    region_col, population_col : str
        Column names in ``population``.
    **columns : str
        ``origin_col``, ``destination_col``, ``flow_col`` of ``flows``.

    Returns
    -------
    float
        Percent; ``NaN`` if a flow is missing.

    Raises
    ------
    InvalidInputError
        If a region of the flows has no population row, or a population is missing, zero,
        negative or not a number.
    """
    known_options(columns, regional_net_migration, "crude_migration_intensity",
                  skip=("flows",))
    reg = regional_net_migration(flows, **columns)
    total = _total_population(population, reg["region"].tolist(), region_col, population_col)
    return float(100 * reg["outflow"].sum(min_count=len(reg)) / total)


def aggregate_net_migration_rate(
    flows: pd.DataFrame,
    population: pd.DataFrame,
    *,
    region_col: str = "region",
    population_col: str = "population",
    **columns: str,
) -> float:
    """Aggregate net migration rate (ANMR) of a flow matrix, Bell et al. (2002), in percent.

    ``ANMR = 100 * (1/2) * sum_i |D_i - O_i| / sum_i P_i``: the net gains (equal to the net
    losses, hence the half) per 100 people of the whole system. It equals crude migration
    intensity times MEI / 100, which the tests check. ``P_i`` is the population at risk of
    moving, usually the population at the start or middle of the period, of every region of
    ``population`` (the system; see :func:`crude_migration_intensity`); every region of the
    flows must have one, else an error. A missing flow gives ``NaN``; a missing population
    is an error.

    Parameters
    ----------
    flows, population, region_col, population_col, **columns
        As for :func:`crude_migration_intensity`.

    Returns
    -------
    float
        Percent of the total population.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "flow": [30, 10]})
    >>> p = pd.DataFrame({"region": ["A", "B"], "population": [1000, 1000]})
    >>> aggregate_net_migration_rate(f, p)
    1.0
    """
    known_options(columns, regional_net_migration, "aggregate_net_migration_rate",
                  skip=("flows",))
    reg = regional_net_migration(flows, **columns)
    total = _total_population(population, reg["region"].tolist(), region_col, population_col)
    return float(100 * 0.5 * reg["net"].abs().sum(min_count=len(reg)) / total)
