"""The one look of every migdata chart: palette, fonts, caption and units, for both backends.

matplotlib and plotly are imported inside the functions that draw, never at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidInputError

__all__ = [
    "BACKENDS",
    "COUNTRY_COLORS",
    "FONT_FAMILY",
    "OTHER_COLORS",
    "SOURCE_COLORS",
    "caption_text",
    "check_backend",
    "color_for",
    "display_name",
    "finish_matplotlib",
    "finish_plotly",
    "full_years",
    "group_thousands",
    "new_matplotlib_figure",
    "resolve_source",
]

BACKENDS = ("matplotlib", "plotly")

#: Colours of the three countries (Okabe-Ito palette, readable with colour-vision deficiency).
COUNTRY_COLORS: dict[str, str] = {"ARM": "#E69F00", "AZE": "#0072B2", "GEO": "#D55E00"}
#: Colours of the data sources in comparison charts.
SOURCE_COLORS: dict[str, str] = {"geostat": "#D55E00", "wpp": "#009E73", "wdi": "#56B4E9"}
#: Colours for anything else, in order.
OTHER_COLORS: tuple[str, ...] = (
    "#009E73", "#56B4E9", "#CC79A7", "#F0E442", "#0072B2", "#E69F00", "#D55E00", "#999999",
)
#: Font family used by both backends (DejaVu Sans ships with matplotlib).
FONT_FAMILY = "DejaVu Sans"
_PLOTLY_FONT = "DejaVu Sans, Arial, sans-serif"
_TEXT = "#222222"
_CAPTION = "#555555"
_GRID = "#DDDDDD"
TITLE_SIZE = 13
LABEL_SIZE = 10
CAPTION_SIZE = 8


def check_backend(backend: str) -> str:
    """Return ``backend`` or raise :class:`InvalidInputError` naming the choices.

    plotly is an optional extra (``pip install 'migdata[plotly]'``, not in a student's ``make
    lab``): asking for it without it installed raises the same error, saying what to install.
    """
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
    if backend == "plotly":
        try:
            import plotly  # noqa: F401
        except ImportError as exc:
            raise InvalidInputError(
                "backend='plotly' needs plotly, which is not installed: "
                "pip install 'migdata[plotly]' (or use backend='matplotlib')"
            ) from exc
    return backend


def color_for(key: str, index: int = 0) -> str:
    """Colour of a country (ISO3) or source id; otherwise the ``index``-th spare colour."""
    if key in COUNTRY_COLORS:
        return COUNTRY_COLORS[key]
    if key in SOURCE_COLORS:
        return SOURCE_COLORS[key]
    return OTHER_COLORS[index % len(OTHER_COLORS)]


def display_name(code: object) -> str:
    """English name of an ISO3 code for a label; any other text as it is.

    Labels such as :data:`migdata.indicators.OTHER` or a regional code pass through unchanged.
    """
    from ..countries import country_name

    try:
        return country_name(str(code))
    except ValueError:
        return str(code)


def caption_text(source: str | Sequence[str], note: str | None = None) -> str:
    """The caption line every chart carries: ``"Source: A; B. Note."``.

    Parameters
    ----------
    source : str or sequence of str
        The source(s) of the data drawn, with publisher and vintage where known.
    note : str, optional
        A further remark (units, definitions, gaps), added as one sentence.

    Returns
    -------
    str
        The caption text.
    """
    names = [source] if isinstance(source, str) else (
        list(source) if isinstance(source, Sequence) else [])
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidInputError(
            f"source must name the source of the data drawn (a text such as 'World Bank WDI, "
            f"2025-04-15' or a list of them), got {source!r}"
        )
    if note is not None and not isinstance(note, str):
        raise InvalidInputError(f"note must be a text or None, got {note!r}")
    text = "Source: " + "; ".join(names) + "."
    if note:
        text += " " + note.rstrip(".") + "."
    return text


def resolve_source(source: str | Sequence[str] | None, attrs: Mapping[str, Any]) -> str:
    """The source to cite: the argument, else the table's ``attrs["source"]``, else an error."""
    if source is None:
        source = attrs.get("source")
    if not source:
        raise InvalidInputError(
            "every chart names its data source: pass source='...' (e.g. "
            "'World Bank WDI, SM.POP.NETM, 2025-04-15')"
        )
    names = [source] if isinstance(source, str) else (
        list(source) if isinstance(source, Sequence) else [])
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidInputError(
            f"source must name the source of the data drawn (a text such as 'World Bank WDI, "
            f"2025-04-15' or a list of them), got {source!r}"
        )
    return "; ".join(names)


def new_matplotlib_figure(width: float = 8.0, height: float = 4.8) -> tuple[Any, Any]:
    """A pyplot figure and axes in the kit's style (white, light horizontal grid)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=LABEL_SIZE - 1, colors=_TEXT)
    return fig, ax


def finish_matplotlib(
    fig: Any, ax: Any, *, title: str, xlabel: str, ylabel: str, caption: str
) -> Any:
    """Apply title, axis labels (with units) and the source caption to a matplotlib figure."""
    ax.set_title(title, loc="left", fontsize=TITLE_SIZE, fontfamily=FONT_FAMILY, color=_TEXT)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE, fontfamily=FONT_FAMILY, color=_TEXT)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE, fontfamily=FONT_FAMILY, color=_TEXT)
    if xlabel == "Year":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.text(
        0.01, 0.01, caption, fontsize=CAPTION_SIZE, color=_CAPTION, fontfamily=FONT_FAMILY,
        ha="left", va="bottom", wrap=True, gid="migdata-caption",
    )
    return fig


def finish_plotly(
    fig: Any, *, title: str, xlabel: str | None, ylabel: str | None, caption: str
) -> Any:
    """Apply title, axis labels (with units), fonts and the source caption to a plotly figure."""
    fig.update_layout(
        template="simple_white",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": TITLE_SIZE + 4}},
        font={"family": _PLOTLY_FONT, "size": LABEL_SIZE + 2, "color": _TEXT},
        margin={"l": 70, "r": 30, "t": 60, "b": 110},
        legend={"title": {"text": ""}},
    )
    if xlabel is not None:
        fig.update_xaxes(title_text=xlabel)
    if ylabel is not None:
        fig.update_yaxes(title_text=ylabel, showgrid=True, gridcolor=_GRID)
    fig.add_annotation(
        text=caption, name="migdata-caption", xref="paper", yref="paper", x=0, y=-0.22,
        xanchor="left", yanchor="top", showarrow=False, align="left",
        font={"size": CAPTION_SIZE + 3, "color": _CAPTION},
    )
    return fig


def group_thousands(axis: Any) -> None:
    """Tick labels of a matplotlib axis with thousands separators (``-12,345``).

    Labels get as many decimals as the tick step needs, so rates stepping by 0.5 read ``-1.5``,
    ``-1.0``, not a repeated ``-2``, ``-1``; a tick at zero never reads ``-0``.
    """
    from itertools import pairwise

    from matplotlib.ticker import Formatter

    class _Grouped(Formatter):
        decimals = 0

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            steps = [b - a for a, b in pairwise(sorted({float(v) for v in locs})) if b > a]
            step = min(steps) if steps else 1.0
            self.decimals = next(
                (d for d in range(7) if abs(step * 10**d - round(step * 10**d)) < 1e-6), 6
            )

        def __call__(self, x: float, pos: int | None = None) -> str:
            value = round(x, self.decimals)
            return f"{(value if value != 0 else 0.0):,.{self.decimals}f}"

    axis.set_major_formatter(_Grouped())


def full_years(
    years: Any, values: Any, what: str = "the chart data"
) -> tuple[list[int], list[float]]:
    """Series on every year from the first to the last, ``NaN`` where a year is absent.

    Drawing only the years present would join the points on each side of a missing year and
    so draw an interpolation; with the absent years as ``NaN`` both backends leave a gap.

    Raises
    ------
    InvalidInputError
        If a year occurs more than once (e.g. rows by sex not filtered out): one line cannot
        show two values for a year, and keeping one of them would drop the other silently.
    """
    import pandas as pd

    series = pd.Series(list(values), index=[int(y) for y in years], dtype="float64")
    if series.empty:
        return [], []
    repeated = sorted({int(y) for y in series.index[series.index.duplicated()]})
    if repeated:
        raise InvalidInputError(
            f"{what} has several rows for year(s) {repeated}; keep one row per year "
            "(e.g. filter sex='total') before drawing"
        )
    span = range(int(series.index.min()), int(series.index.max()) + 1)
    series = series.reindex(span)
    return list(span), series.tolist()
