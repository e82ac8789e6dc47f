"""Time series of rates (or counts) for several countries."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._checks import check_frame, require_columns
from .style import (
    caption_text,
    check_backend,
    color_for,
    display_name,
    finish_matplotlib,
    finish_plotly,
    full_years,
    group_thousands,
    new_matplotlib_figure,
    resolve_source,
)

__all__ = ["rates_timeseries"]


def rates_timeseries(
    data: pd.DataFrame,
    *,
    value_col: str = "net_migration_rate",
    units: str = "per 1,000 mid-year population",
    title: str = "Net migration rate",
    source: str | None = None,
    note: str | None = None,
    country_col: str = "country",
    year_col: str = "year",
    backend: str = "matplotlib",
) -> Any:
    """One line per country over the years, in the kit's colours (ARM, AZE, GEO).

    Parameters
    ----------
    data : DataFrame
        Columns ``country_col`` (ISO3), ``year_col`` and ``value_col``, e.g. the output of
        :func:`migdata.indicators.net_migration_rate`.
    value_col, units, title
        What is drawn; ``units`` goes into the y-axis label.
    source : str, optional
        Caption source; default ``data.attrs["source"]`` (one is required).
    backend : {"matplotlib", "plotly"}

    Returns
    -------
    matplotlib.figure.Figure or plotly.graph_objects.Figure
        Missing years (NaN or absent rows) are gaps in the line: nothing is interpolated.
    """
    check_backend(backend)
    require_columns(data, [country_col, year_col, value_col], "rates_timeseries(data)")
    attrs = data.attrs
    data = check_frame(data, "rates_timeseries(data)", labels=[country_col], years=[year_col],
                       rates=[value_col])  # repeated years: full_years names them
    data.attrs = attrs
    cite = resolve_source(source, data.attrs)
    caption = caption_text(cite, note)
    ylabel = f"{title} ({units})"
    series = []
    for i, (code, part) in enumerate(data.groupby(country_col, sort=True)):
        part = part.sort_values(year_col)
        label = display_name(code)
        x, y = full_years(part[year_col], part[value_col], f"rates_timeseries(data) for {code}")
        series.append((label, color_for(str(code), i), x, y))
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        for label, color, x, y in series:
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, name=label, mode="lines+markers",
                    line={"color": color, "width": 2.5}, connectgaps=False,
                )
            )
        fig.add_hline(y=0, line_color="#888888", line_width=1)
        return finish_plotly(fig, title=title, xlabel="Year", ylabel=ylabel, caption=caption)
    fig, ax = new_matplotlib_figure()
    for label, color, x, y in series:
        ax.plot(x, y, label=label, color=color,
                linewidth=2.2, marker="o", markersize=3)
    ax.axhline(0, color="#888888", linewidth=0.8)
    group_thousands(ax.yaxis)
    ax.legend(frameon=False)
    return finish_matplotlib(fig, ax, title=title, xlabel="Year", ylabel=ylabel, caption=caption)
