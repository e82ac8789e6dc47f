"""The demographic balancing equation as a chart: natural increase + net migration = change."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._checks import check_frame, require_columns
from ..errors import InvalidInputError
from .style import (
    caption_text,
    check_backend,
    finish_matplotlib,
    finish_plotly,
    group_thousands,
    new_matplotlib_figure,
    resolve_source,
)

__all__ = ["balancing_decomposition"]

_PARTS = (
    ("natural_increase", "Natural increase", "#009E73"),
    ("net_migration", "Net migration (residual)", "#D55E00"),
)


def balancing_decomposition(
    table: pd.DataFrame,
    *,
    title: str = "Population change = natural increase + net migration",
    source: str | None = None,
    note: str | None = None,
    backend: str = "matplotlib",
) -> Any:
    """Stacked bars of natural increase and net migration, with the population change on top.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`migdata.indicators.balancing_equation` (``year``,
        ``natural_increase``, ``net_migration``, ``population_change``).
    source : str, optional
        Caption source (the population and the natural-increase series); default
        ``table.attrs["source"]``.
    backend : {"matplotlib", "plotly"}

    Returns
    -------
    Figure
        y axis in persons. Positive parts stack upward and negative parts downward; the markers
        show the population change. Years with a missing term (e.g. across a census break)
        have no bar for it.
    """
    check_backend(backend)
    cols = ["year", "population_change", *(p[0] for p in _PARTS)]
    require_columns(table, cols, "balancing_decomposition(table)")
    attrs = table.attrs
    table = check_frame(table, "balancing_decomposition(table)", years=["year"],
                        signed=cols[1:], unique=["year"], hint="keep one row per year")
    _require_balance(table)
    table.attrs = attrs
    caption = caption_text(
        resolve_source(source, table.attrs),
        note or "Net migration is the residual of the balancing equation",
    )
    ylabel = "Persons per year"
    years = table["year"].to_numpy()
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        for col, label, color in _PARTS:
            fig.add_trace(go.Bar(x=years.tolist(), y=table[col].astype("float64").tolist(),
                                 name=label, marker={"color": color}))
        fig.add_trace(
            go.Scatter(x=years.tolist(), y=table["population_change"].astype("float64").tolist(),
                       name="Population change", mode="markers",
                       marker={"color": "#222222", "symbol": "diamond", "size": 9})
        )
        fig.update_layout(barmode="relative")
        return finish_plotly(fig, title=title, xlabel="Year", ylabel=ylabel, caption=caption)
    fig, ax = new_matplotlib_figure()
    pos = np.zeros(len(table))
    neg = np.zeros(len(table))
    for col, label, color in _PARTS:
        values = table[col].astype("float64").to_numpy()
        filled = np.nan_to_num(values)  # only for stacking offsets; NaN bars are not drawn
        bottom = np.where(filled >= 0, pos, neg)
        ax.bar(years, values, bottom=bottom, color=color, label=label, width=0.7)
        pos = pos + np.where(filled > 0, filled, 0)
        neg = neg + np.where(filled < 0, filled, 0)
    ax.plot(years, table["population_change"].astype("float64").to_numpy(), linestyle="none",
            marker="D", color="#222222", label="Population change")
    ax.axhline(0, color="#888888", linewidth=0.8)
    group_thousands(ax.yaxis)
    ax.legend(frameon=False)
    return finish_matplotlib(fig, ax, title=title, xlabel="Year", ylabel=ylabel, caption=caption)


def _require_balance(table: pd.DataFrame) -> None:
    """Refuse a year whose parts do not add up (population change = natural increase + net
    migration): the bars would show an equation that does not hold. Gaps stay gaps."""
    pc = table["population_change"].to_numpy(dtype="float64")
    ni = table["natural_increase"].to_numpy(dtype="float64")
    nm = table["net_migration"].to_numpy(dtype="float64")
    scale = np.maximum.reduce([np.abs(pc), np.abs(ni), np.abs(nm), np.ones_like(pc)])
    with np.errstate(invalid="ignore"):
        bad = np.abs(pc - (ni + nm)) > 1e-6 * scale
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"balancing_decomposition(table): in year {int(table['year'].iloc[i])} the "
            f"population change {pc[i]:g} is not natural increase {ni[i]:g} + net migration "
            f"{nm[i]:g} = {ni[i] + nm[i]:g}; expected the three columns of one balancing "
            "equation (e.g. from migdata.indicators.balancing_equation)"
        )
