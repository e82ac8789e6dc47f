"""Where emigrants live: top-destination bars and a Sankey diagram of emigrant stocks."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._checks import check_frame, require_columns
from .style import (
    OTHER_COLORS,
    caption_text,
    check_backend,
    color_for,
    display_name,
    finish_matplotlib,
    finish_plotly,
    group_thousands,
    new_matplotlib_figure,
    resolve_source,
)

__all__ = ["emigrant_sankey", "top_destinations"]


def _source_of(table: pd.DataFrame, source: str | None) -> str:
    if source is None and "source" not in table.attrs and table.attrs.get("revision"):
        source = (
            "UN DESA Population Division, International Migrant Stock, "
            f"revision {table.attrs['revision']}"
        )
    return resolve_source(source, table.attrs)


def _missing_note(table: pd.DataFrame, *notes: str | None) -> str | None:
    """Caption note joining ``notes`` and, if any, the number of rows without a stock figure.

    A missing stock cannot be drawn; the caption says so, so no row disappears silently.
    """
    n_missing = int(table["stock"].isna().sum())
    missing = (
        f"{n_missing} destination{'s' if n_missing > 1 else ''} without a figure not shown"
        if n_missing else None
    )
    return "; ".join(x for x in (*notes, missing) if x) or None


def _bars(
    labels: list[str], values: list[float], colors: list[str], *, title: str, xlabel: str,
    caption: str, backend: str,
) -> Any:
    if backend == "plotly":
        import plotly.graph_objects as go

        fig = go.Figure(
            go.Bar(x=values, y=labels, orientation="h", marker={"color": colors},
                   hovertemplate="%{y}: %{x:,.0f}<extra></extra>")
        )
        fig.update_yaxes(autorange="reversed")
        return finish_plotly(fig, title=title, xlabel=xlabel, ylabel="", caption=caption)
    fig, ax = new_matplotlib_figure(8.0, 0.45 * len(labels) + 2.0)
    ax.barh(labels, values, color=colors)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    group_thousands(ax.xaxis)
    return finish_matplotlib(fig, ax, title=title, xlabel=xlabel, ylabel="", caption=caption)


def top_destinations(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    backend: str = "matplotlib",
) -> Any:
    """Horizontal bars of the emigrant stock by destination, largest first.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`migdata.indicators.emigrant_stock_by_destination` (``destination``,
        ``stock``; its ``attrs`` give origin, year and revision for the title and caption).
    backend : {"matplotlib", "plotly"}

    Returns
    -------
    Figure
        x axis: emigrant stock in persons.
    """
    check_backend(backend)
    require_columns(table, ["destination", "stock"], "top_destinations(table)")
    checked = check_frame(table, "top_destinations(table)", labels=["destination"],
                          counts=["stock"], unique=["destination"],
                          hint="keep one row per destination")
    rows = checked.dropna(subset=["stock"])
    origin = table.attrs.get("origin")
    year = table.attrs.get("year")
    if title is None:
        who = f"{display_name(origin)}-born" if origin else "Emigrant"
        title = f"{who} emigrant stock by country of residence" + (f", {year}" if year else "")
    caption = caption_text(_source_of(table, source), _missing_note(table, note))
    labels = [display_name(d) for d in rows["destination"]]
    colors = [color_for(str(d), 0) if str(d) in ("ARM", "AZE", "GEO") else OTHER_COLORS[1]
              for d in rows["destination"]]
    return _bars(labels, rows["stock"].astype("float64").tolist(), colors, title=title,
                 xlabel="Emigrant stock (persons)", caption=caption, backend=backend)


def emigrant_sankey(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    backend: str = "plotly",
) -> Any:
    """Sankey diagram from countries of origin to countries of residence of emigrants.

    Parameters
    ----------
    table : DataFrame
        ``destination`` and ``stock``, plus ``origin`` for several origins (e.g. the outputs of
        :func:`migdata.indicators.emigrant_stock_by_destination` for ARM, AZE and GEO concatenated
        with an ``origin`` column); without ``origin`` the table's ``attrs["origin"]`` is used.
    backend : {"plotly", "matplotlib"}
        A Sankey is drawn with plotly only. With ``"matplotlib"`` the **fallback** is a
        horizontal bar chart of the same origin-destination figures, and its caption says so.

    Returns
    -------
    Figure
        Link widths (plotly) or bar lengths (matplotlib) are emigrant stocks in persons.
    """
    check_backend(backend)
    require_columns(table, ["destination", "stock"], "emigrant_sankey(table)")
    keys = ["origin", "destination"] if "origin" in table.columns else ["destination"]
    checked = check_frame(table, "emigrant_sankey(table)", labels=keys, counts=["stock"],
                          unique=keys, hint="keep one row per origin and destination")
    rows = checked.dropna(subset=["stock"]).copy()
    if "origin" not in rows.columns:
        origin = table.attrs.get("origin")
        if not origin:
            require_columns(table, ["origin"], "emigrant_sankey(table)")
        rows["origin"] = origin
    year = table.attrs.get("year")
    if title is None:
        title = "Emigrant stocks by country of residence" + (f", {year}" if year else "")
    cite = _source_of(table, source)
    units = "Widths are emigrant stocks in persons"
    if backend == "matplotlib":
        fallback = "Static fallback: a Sankey diagram needs backend='plotly'; bars show the same "
        fallback += "origin-destination stocks"
        caption = caption_text(cite, _missing_note(table, fallback, note))
        pairs = zip(rows["origin"], rows["destination"], strict=True)
        labels = [f"{display_name(o)} → {display_name(d)}" for o, d in pairs]
        order = list(dict.fromkeys(map(str, rows["origin"])))
        colors = [color_for(str(o), order.index(str(o))) for o in rows["origin"]]
        return _bars(labels, rows["stock"].astype("float64").tolist(), colors, title=title,
                     xlabel="Emigrant stock (persons)", caption=caption, backend="matplotlib")
    import plotly.graph_objects as go

    origins = list(dict.fromkeys(map(str, rows["origin"])))
    dests = list(dict.fromkeys(map(str, rows["destination"])))
    labels = [display_name(o) for o in origins] + [display_name(d) for d in dests]
    node_colors = [color_for(o, i) for i, o in enumerate(origins)] + ["#BBBBBB"] * len(dests)
    src = [origins.index(str(o)) for o in rows["origin"]]
    dst = [len(origins) + dests.index(str(d)) for d in rows["destination"]]
    link_colors = [_fade(color_for(str(o), origins.index(str(o)))) for o in rows["origin"]]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "color": node_colors, "pad": 12, "thickness": 14},
            link={"source": src, "target": dst, "value": rows["stock"].astype("float64").tolist(),
                  "color": link_colors},
            valueformat=",.0f", valuesuffix=" persons",
        )
    )
    caption = caption_text(cite, _missing_note(table, units, note))
    return finish_plotly(fig, title=title, xlabel=None, ylabel=None, caption=caption)


def _fade(hex_color: str, alpha: float = 0.45) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
