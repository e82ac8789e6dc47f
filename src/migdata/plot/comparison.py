"""The same quantity from several sources on one chart."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._checks import check_frame, require_columns
from ..errors import InvalidInputError
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
)

__all__ = ["source_comparison"]

# Sources can coincide (WDI republishes WPP): dashes keep an overlaid line visible.
_MPL_DASHES = ("-", "--", ":", "-.")
_PLOTLY_DASHES = ("solid", "dash", "dot", "dashdot")


def source_comparison(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    backend: str = "matplotlib",
) -> Any:
    """Lines of one quantity (net migration, persons) as each source publishes it.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`migdata.indicators.compare_sources`: ``year`` and one column per
        source; its ``attrs`` hold the country, unit and each source's label, which make the
        legend and the caption.
    backend : {"matplotlib", "plotly"}

    Returns
    -------
    Figure
        y axis: the quantity in the table's unit. Years a source lacks (NaN or absent rows) are
        gaps, never joined by a line.
    """
    check_backend(backend)
    labels: dict[str, str] = dict(table.attrs.get("labels", {}))
    if not labels:
        raise InvalidInputError(
            "source_comparison needs the output of migdata.indicators.compare_sources "
            "(its attrs name the sources)"
        )
    require_columns(table, ["year", *labels], "source_comparison(table)")
    attrs = table.attrs
    table = check_frame(table, "source_comparison(table)", years=["year"], signed=list(labels),
                        unique=["year"], hint="keep one row per year")
    table.attrs = attrs
    country = table.attrs.get("country", "")
    quantity = str(table.attrs.get("quantity", "net migration"))
    unit = str(table.attrs.get("unit", "persons"))
    if title is None:
        where = f"{display_name(country)}: " if country else ""
        title = f"{where}{quantity.capitalize()} by source"
    default_note = "Sources differ by definition; see compare_sources(...).attrs['reasons']"
    caption = caption_text(list(labels.values()), note or default_note)
    ylabel = f"{quantity.capitalize()} ({unit})"
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure()
        for i, (sid, label) in enumerate(labels.items()):
            x, y = full_years(table["year"], table[sid], "source_comparison(table)")
            fig.add_trace(
                go.Scatter(
                    x=x, y=y,
                    name=label, mode="lines+markers", connectgaps=False,
                    line={"color": color_for(sid, i), "width": 2.5,
                          "dash": _PLOTLY_DASHES[i % len(_PLOTLY_DASHES)]},
                )
            )
        fig.add_hline(y=0, line_color="#888888", line_width=1)
        return finish_plotly(fig, title=title, xlabel="Year", ylabel=ylabel, caption=caption)
    fig, ax = new_matplotlib_figure()
    for i, (sid, label) in enumerate(labels.items()):
        x, y = full_years(table["year"], table[sid], "source_comparison(table)")
        ax.plot(x, y, label=label,
                color=color_for(sid, i), linewidth=2.2, marker="o", markersize=3.5,
                linestyle=_MPL_DASHES[i % len(_MPL_DASHES)])
    ax.axhline(0, color="#888888", linewidth=0.8)
    group_thousands(ax.yaxis)
    ax.legend(frameon=False)
    return finish_matplotlib(fig, ax, title=title, xlabel="Year", ylabel=ylabel, caption=caption)
