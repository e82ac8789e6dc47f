"""Readable output for the course notebooks: Markdown, caveats, full tables, interactive charts.

The course's learners are not programmers. Everything a notebook shows them goes through this
module, so that

- explanations, caveats and reasons are rendered Markdown (:func:`md`, :func:`caveats`), never
  monospace text printed by ``print``;
- tables show their full text, wrapped and never cut with "...", whole numbers with thousands
  separators (``62,144``, never ``62144.0``), shares as ``51.0%`` and gaps as ``no data``
  (:func:`table`, :func:`format_frame`);
- a chart can be explored with pickers for country, source and years (:func:`explore`, with
  ipywidgets; it needs no internet), while the notebook keeps a static chart for the HTML site and
  for print.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"country": ["Azerbaijan", "Georgia"], "persons": [62144.0, None],
...                       "share": [0.5103, float("nan")]})
>>> print(format_frame(frame, percent=["share"]).to_string(index=False))
   country persons   share
Azerbaijan  62,144   51.0%
   Georgia no data no data
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import pandas as pd

from ..errors import InvalidInputError

__all__ = ["NO_DATA", "Diagram", "Explorer", "Table", "caveats", "explore", "flow_diagram",
           "format_frame", "in_words", "md", "table", "words"]

NO_DATA = "no data"

# Text wraps between words; only a word longer than a whole line (a URL) is broken.
_CELL_STYLE = ("white-space: normal; overflow-wrap: break-word; word-break: normal; "
               "vertical-align: top; padding: 0.3em 0.6em; max-width: 36em;")
_TEXT_STYLE = _CELL_STYLE + " text-align: left;"
_NUMBER_STYLE = _CELL_STYLE + " text-align: right; white-space: nowrap;"
_HEAD_STYLE = "white-space: normal; vertical-align: bottom; padding: 0.3em 0.6em;"


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def md(text: str) -> None:
    """Render ``text`` as Markdown in the notebook.

    Use it for explanations, caveats and reasons that depend on computed values; never ``print``
    prose. The text is dedented and stripped, so a triple-quoted string may be indented like the
    code around it.

    Parameters
    ----------
    text : str
        Markdown.

    Raises
    ------
    InvalidInputError
        If ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"md(text) needs text (a string), got {text!r}")
    from IPython.display import Markdown

    _display(Markdown(textwrap.dedent(text).strip()))


def caveats_markdown(dataset_id: str) -> str:
    """The Markdown that :func:`caveats` renders: title, source, version and a list of caveats."""
    from ..datasets import describe

    meta = describe(dataset_id)
    publishers = dict.fromkeys(s.get("publisher", "") for s in meta.get("sources", []))
    source = "; ".join(p for p in publishers if p) or "not stated"
    lines = [
        f"**Notes on the data: *{meta['title']}***",
        "",
        f"Source: {source}. Version: {meta.get('vintage') or 'not stated'}. "
        f"Short name in the kit: *{dataset_id}*.",
        "",
    ]
    items = list(meta.get("caveats", []))
    lines += ([f"- {in_words(caveat)}" for caveat in items] if items
              else ["- No notes are recorded."])
    return "\n".join(lines)


def caveats(dataset_id: str) -> None:
    """Render the caveats of a bundled dataset as a Markdown list, with its title and source.

    Parameters
    ----------
    dataset_id : str
        A dataset id (see :func:`migdata.datasets.list_datasets`).

    Raises
    ------
    UnknownDatasetError
        If the id is not a bundled dataset; the message lists the ids.
    """
    from IPython.display import Markdown

    _display(Markdown(caveats_markdown(dataset_id)))


# A code label: lower-case words joined by underscores ("returning_native_born", "12_months").
_CODE_LABEL = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")
#: Code labels said differently from their words with spaces.
_WORDS = {
    "12_months": "12-month rule",
    "6_months": "6-month rule",
    "183_days": "183-day rule",
    "country_m49": "country code (UN M49)",
    "is_aggregate": "region or group of countries",
    "stock_undesa_ims2024": "UN DESA migrant stock, Revision 2024",
    "data_source": "source of the data",
    "percent_change": "change (%)",
    "change_per_year": "change per year",
    "stock_start": "stock at the start",
    "stock_end": "stock at the end",
}
#: Words written with a capital or a hyphen when a code label is said in words.
_SPELLING = {"wdi": "WDI", "wpp": "WPP", "unhcr": "UNHCR", "un": "UN", "sms": "SMS",
             "ssc": "SSC", "sbs": "SBS", "mia": "MIA", "idmc": "IDMC", "idps": "IDPs",
             "geostat": "Geostat", "armstat": "Armstat", "undesa": "UN DESA", "id": "number"}


def words(label: object) -> object:
    """A code label said in words, for what a student reads; anything else unchanged.

    Tables show names, not code: ``returning_native_born`` reads "returning native-born",
    ``12_months`` "12-month rule", ``wdi_minus_geostat`` "WDI minus Geostat". Only labels made
    of lower-case words joined by underscores are changed; the short names of the kit's
    datasets (``geostat_migration``), which the notebooks use as names, stay as they are.

    Examples
    --------
    >>> words("returning_native_born"), words("12_months"), words("Azerbaijan")
    ('returning native-born', '12-month rule', 'Azerbaijan')
    """
    if not isinstance(label, str) or not _CODE_LABEL.fullmatch(label):
        return label
    if label in _WORDS:
        return _WORDS[label]
    if label in _dataset_ids():
        return label
    text = " ".join(_SPELLING.get(w, w) for w in label.split("_"))
    for a, b in (("native born", "native-born"), ("foreign born", "foreign-born"),
                 ("as printed", "(as printed)")):
        text = text.replace(a, b)
    return text


_CODE_TOKEN = re.compile(r"(?<![\w./'`])[a-z0-9]+(?:_[a-z0-9]+)+(?![\w/'`(]|\.\w)")
_LOAD_CALL = re.compile(r"(?:migdata\.)?(?:datasets\.)?load\(\s*['\"](\w+)['\"][^)]*\)")


def in_words(text: str) -> str:
    """Text with each code label in it said in words (see :func:`words`), and each call that
    loads a dataset said as the dataset's name ("load('un_migrant_stock')" -> "the dataset
    un_migrant_stock").

    Examples
    --------
    >>> in_words("returning_native_born, national_citizen")
    'returning native-born, national citizen'
    """
    text = _LOAD_CALL.sub(lambda m: f"the dataset {m.group(1)}", text)
    return _CODE_TOKEN.sub(lambda m: str(words(m.group())), text)


def _dataset_ids() -> frozenset[str]:
    from ..datasets import list_datasets

    global _DATASET_IDS
    if _DATASET_IDS is None:
        try:
            _DATASET_IDS = frozenset(list_datasets()["id"])
        except Exception:  # pragma: no cover - the catalogue is part of the package
            _DATASET_IDS = frozenset()
    return _DATASET_IDS


_DATASET_IDS: frozenset[str] | None = None


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Real) and not isinstance(value, bool | Integral):
        return math.isnan(float(value))
    try:
        return bool(pd.isna(value)) if not isinstance(value, str | bytes) else False
    except (TypeError, ValueError):
        return False


# A column of years is recognised by its name, never by its values: "year", "period", "decade",
# "calendar year", "year of minimum"... A name that only mentions a year ("change per year",
# "refugees (end of year)", "years between") holds quantities, which keep their separators.
_YEAR_NAME = re.compile(
    r"(?:(?!per\b|each\b|a\b|end\b)[a-z]+ )?(?:year|period|decade)s?(?: (?:of|in|from|to) [a-z ]+)?"
)


def _is_yearlike(name: object) -> bool:
    text = " ".join(map(str, name)) if isinstance(name, tuple) else str(name)
    text = " ".join(re.sub(r"[_\-]", " ", text.casefold()).split())
    return _YEAR_NAME.fullmatch(text) is not None


def _column_formatter(
    values: pd.Series, *, name: object, percent: bool, decimals: int, plain: bool
) -> Callable[[object], str]:
    numeric = [v for v in values if not _is_missing(v)
               and isinstance(v, Real) and not isinstance(v, bool)]
    all_numeric = len(numeric) == sum(1 for v in values if not _is_missing(v))
    whole = all_numeric and all(float(v).is_integer() for v in numeric)
    sep = "" if plain or _is_yearlike(name) else ","

    def fmt(value: object) -> str:
        if _is_missing(value):
            return NO_DATA
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Real) and all_numeric:
            number = float(value)
            if percent:
                return f"{number * 100:.{decimals}f}%"
            if whole:
                return f"{round(number):{sep}d}"
            return f"{number:{sep}.{decimals}f}"
        if isinstance(value, Real) and not isinstance(value, bool):
            number = float(value)
            return f"{int(number):{sep}d}" if number.is_integer() else f"{number:{sep}.{decimals}f}"
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%d")
        if isinstance(value, list | tuple | set):
            return ", ".join(in_words(str(v)) for v in value)
        return in_words(str(value))

    return fmt


def _check_columns(frame: pd.DataFrame, names: Iterable[object], what: str) -> list[object]:
    names = [names] if isinstance(names, str) else list(names)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"{what} names columns the table does not have: {missing}; "
            f"its columns are {list(frame.columns)}"
        )
    return names


def _show_index(frame: pd.DataFrame, index: bool) -> bool:
    if not index:
        return False
    default = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 \
        and frame.index.step == 1 and frame.index.name is None
    return not default


def _with_index(frame: pd.DataFrame, index: bool) -> pd.DataFrame:
    """The frame with its row labels as first column(s) when they are shown."""
    if not _show_index(frame, index):
        return frame
    frame = frame.copy()
    frame.index.names = ["" if n is None else n for n in frame.index.names]
    return frame.reset_index(allow_duplicates=True)


def format_frame(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] | str = (),
    decimals: int = 1,
    index: bool = True,
    plain: Sequence[str] | str = (),
) -> pd.DataFrame:
    """The table as text, cell by cell, the way :func:`table` shows it.

    Parameters
    ----------
    frame : DataFrame
        The table.
    percent : column name or names
        Columns holding fractions (0-1), shown as percentages (``0.5103`` -> ``51.0%``).
    decimals : int, default 1
        Decimals of percentages and of numbers that are not whole.
    index : bool, default True
        Keep the row labels (the index) as the first column(s), unless they are the default
        numbering 0, 1, 2...
    plain : column name or names
        Whole-number columns shown without thousands separators. Columns named as years
        ("year", "period", "decade", "calendar year", "year of minimum"...) are always plain
        (2014, not 2,014); a name that only mentions a year ("change per year", "refugees (end
        of year)") keeps the separators (1,339, not 1339).

    Returns
    -------
    DataFrame
        Every cell a string. Whole numbers have thousands separators (``62,144``, never
        ``62144.0``), gaps (missing values) read ``no data``; text is never shortened.

    Raises
    ------
    InvalidInputError
        If ``frame`` is not a DataFrame, a named column does not exist, or ``decimals`` is not a
        whole number from 0 to 10.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInputError(f"table(frame) needs a pandas DataFrame, got {frame!r:.80}")
    if isinstance(decimals, bool) or not isinstance(decimals, Integral) or not 0 <= decimals <= 10:
        raise InvalidInputError(f"decimals must be a whole number from 0 to 10, got {decimals!r}")
    percent_cols = _check_columns(frame, percent, "percent")
    plain_cols = _check_columns(frame, plain, "plain")
    frame = _with_index(frame, index)
    out = pd.DataFrame(index=range(len(frame)))
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        fmt = _column_formatter(
            column.astype(object), name=name, percent=name in percent_cols,
            decimals=int(decimals), plain=name in plain_cols,
        )
        label = (" / ".join(str(words(n)) for n in name) if isinstance(name, tuple)
                 else str(words(name)))
        out.insert(position, label if label not in out.columns else f"{label} ({position})",
                   [fmt(v) for v in column.astype(object)])
    return out


class Table:
    """A formatted table that renders as HTML in JupyterLab and as plain text elsewhere.

    Made by :func:`table`; ``text`` holds the cells as strings (see :func:`format_frame`).
    """

    def __init__(self, text: pd.DataFrame, numeric: Sequence[bool], caption: str | None) -> None:
        self.text = text
        self.numeric = list(numeric)
        self.caption = caption

    def min_width(self) -> int:
        """About the narrowest the table can be, in pixels, without a sideways scroll: each
        column as wide as its longest word (text wraps) or its longest figure (never wraps)."""
        def width(column: object, numeric: bool) -> int:
            head = max((len(w) for w in str(column).split()), default=0)
            cells = self.text[column] if column in self.text.columns else []
            if numeric:
                body = max((len(str(v)) for v in cells), default=0)
            else:  # text wraps; a long text wraps at about 22 characters
                body = max((min(len(str(v)), 22) for v in cells), default=0)
                body = max(body, max((len(w) for v in cells for w in str(v).split()),
                                     default=0))
            return int(max(head, body) * 7.6) + 22
        return sum(width(c, n) for c, n in zip(self.text.columns, self.numeric, strict=True))

    def _repr_html_(self) -> str:
        # A table wider than the page turns: each row becomes a block of "column: value"
        # lines (a CSS container query on the box; no sideways scroll at 1024 px).
        key = f"migdata-t{id(self):x}"
        turn = (f"<style>.{key} {{ container-type: inline-size; }} "
                f"@container (max-width: {self.min_width()}px) {{ "
                f".{key} table, .{key} tbody, .{key} tr, .{key} td {{ display: block; "
                f"width: auto !important; text-align: left !important; }} "
                f".{key} thead {{ display: none; }} "
                f".{key} tr {{ border-top: 1px solid #bbb; padding: 0.3em 0; }} "
                f".{key} td {{ padding: 0.1em 0.6em !important; white-space: normal !important; }}"
                f" .{key} td::before {{ content: attr(data-label) \": \"; font-weight: bold; }}"
                f' .{key} td[data-label=""]::before {{ content: none; }}'
                " }</style>")
        parts = [f'<div class="migdata-table-box {key}">', turn]
        if self.caption:  # above the table, as wide as the output (a <caption> is as narrow as it)
            parts.append('<p class="migdata-caption" style="font-weight: bold; '
                         f'margin: 0 0 0.4em 0;">{html.escape(self.caption)}</p>')
        parts.append('<table class="migdata-table" style="border-collapse: collapse; '
                     'table-layout: auto; width: auto; margin-left: 0;">')
        head = "".join(f'<th style="{_HEAD_STYLE} text-align: {"right" if num else "left"};">'
                       f"{html.escape(str(col))}</th>"
                       for col, num in zip(self.text.columns, self.numeric, strict=True))
        parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
        labels = [html.escape(str(col), quote=True) for col in self.text.columns]
        for row in self.text.itertuples(index=False):
            cells = "".join(
                f'<td data-label="{label}" style="{_NUMBER_STYLE if num else _TEXT_STYLE}">'
                f"{html.escape(cell)}</td>"
                for cell, num, label in zip(row, self.numeric, labels, strict=True)
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody></table></div>")
        return "".join(parts)

    def __repr__(self) -> str:
        body = self.text.to_string(index=False) if len(self.text.columns) else "(no columns)"
        return f"{self.caption}\n{body}" if self.caption else body


def make_table(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] | str = (),
    decimals: int = 1,
    caption: str | None = None,
    index: bool = True,
    plain: Sequence[str] | str = (),
) -> Table:
    """The :class:`Table` that :func:`table` displays (same parameters)."""
    text = format_frame(frame, percent=percent, decimals=decimals, index=index, plain=plain)
    source = _with_index(frame.to_frame() if isinstance(frame, pd.Series) else frame, index)
    numeric = [pd.api.types.is_numeric_dtype(source.iloc[:, i])
               and not pd.api.types.is_bool_dtype(source.iloc[:, i])
               for i in range(len(source.columns))]
    if caption is not None and not isinstance(caption, str):
        raise InvalidInputError(f"caption must be text, got {caption!r}")
    return Table(text, numeric, caption)


def table(
    frame: pd.DataFrame,
    *,
    percent: Sequence[str] | str = (),
    decimals: int = 1,
    caption: str | None = None,
    index: bool = True,
    plain: Sequence[str] | str = (),
) -> None:
    """Show a table in full: wrapped text, whole numbers with separators, gaps as "no data".

    Parameters
    ----------
    frame : DataFrame
        The table to show.
    percent : column name or names
        Columns holding fractions (0-1), shown as ``51.0%``.
    decimals : int, default 1
        Decimals of percentages and of numbers that are not whole.
    caption : str, optional
        A title shown above the table.
    index : bool, default True
        Show the row labels, unless they are the default numbering 0, 1, 2...
    plain : column name or names
        Whole-number columns without thousands separators (year columns are always plain).

    Raises
    ------
    InvalidInputError
        As for :func:`format_frame`, or if ``caption`` is not text.

    See Also
    --------
    format_frame : the cells as text, without displaying them.
    """
    _display(make_table(frame, percent=percent, decimals=decimals, caption=caption,
                        index=index, plain=plain))


# --------------------------------------------------------------------------------------------
# Interactive exploration


def _options(values: Iterable[object]) -> list[object]:
    return sorted({v for v in values if not _is_missing(v)}, key=str)


class Explorer:
    """Pickers for country, source and years that redraw a chart and a table.

    Made by :func:`explore`. ``widget`` is the ipywidgets box shown in the notebook;
    :meth:`selection` is the part of the data the pickers select, :meth:`figure` its chart and
    :meth:`redraw` puts both below the pickers (``chart``, a PNG image, and ``table``, HTML).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        value: str,
        country: str,
        year: str,
        source: str | None,
        title: str,
        units: str,
        percent: bool,
        countries: Sequence[str] | None,
        years: tuple[int, int] | None = None,
        cite: str | None = None,
    ) -> None:
        import ipywidgets as widgets

        self.data, self.value, self.country_col, self.year_col = data, value, country, year
        self.source_col, self.title, self.units, self.percent = source, title, units, percent
        self.cite = cite
        from ..plot.style import display_name

        codes = _options(data[country])
        self.country = widgets.SelectMultiple(
            options=[(display_name(c), c) for c in codes],
            value=tuple(c for c in (countries or codes) if c in codes),
            description="Countries", rows=min(6, max(2, len(codes))),
        )
        self.source = None
        if source is not None:
            sources = _options(data[source])
            self.source = widgets.Dropdown(options=sources, value=sources[0],
                                           description="Source")
        known = [int(y) for y in _options(data[year])]
        if not known:
            raise InvalidInputError(f"explore(data) has no years in column {year!r}")
        first, last = min(known), max(known)
        if years is not None:
            if len(years) != 2 or not first <= years[0] <= years[1] <= last:
                raise InvalidInputError(
                    f"years must be (first, last) within {first}-{last}, got {years!r}")
            first_shown, last_shown = int(years[0]), int(years[1])
        else:
            first_shown, last_shown = first, last
        self.years = widgets.IntRangeSlider(
            value=(first_shown, last_shown), min=first, max=last, step=1,
            description="Years", continuous_update=False,
            layout=widgets.Layout(width="30em"),  # room for the readout "1990 – 2023"
        )
        # The chart is a PNG image and the table HTML, both plain widget values: no output capture,
        # so the explorer behaves the same in JupyterLab and in a notebook run by nbclient.
        self.chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.table = widgets.HTML()
        pickers = [self.country, *([self.source] if self.source else []), self.years]
        for picker in pickers:
            picker.observe(lambda _change: self.redraw(), names="value")
        self.widget = widgets.VBox([widgets.HBox(pickers[:-1]), self.years, self.chart,
                                    self.table])

    def selection(self) -> pd.DataFrame:
        """The rows the pickers select: chosen countries, source and years, sorted."""
        data = self.data
        keep = data[self.country_col].isin(self.country.value)
        if self.source is not None and self.source_col is not None:
            keep &= data[self.source_col] == self.source.value
        low, high = self.years.value
        keep &= data[self.year_col].between(low, high)
        chosen = data.loc[keep, [self.country_col, self.year_col, self.value]]
        chosen = chosen.sort_values([self.country_col, self.year_col]).reset_index(drop=True)
        chosen.attrs = dict(self.data.attrs)
        return chosen

    def wide(self) -> pd.DataFrame:
        """The selection as a table: one row per year, one column per country (by name)."""
        from ..plot.style import display_name

        chosen = self.selection()
        wide = chosen.pivot_table(index=self.year_col, columns=self.country_col,
                                  values=self.value, aggfunc="first", dropna=False)
        wide.columns = [display_name(c) for c in wide.columns]
        wide.columns.name = None
        return wide

    def caption_source(self) -> str:
        """Where the figures come from: the chosen source, ``cite``, or the data's own record."""
        if self.source is not None:
            return str(self.source.value)
        if self.cite:
            return self.cite
        if self.data.attrs.get("source"):
            return str(self.data.attrs["source"])
        dataset = self.data.attrs.get("dataset")
        if dataset:
            from ..datasets import describe

            meta = describe(str(dataset))
            publishers = dict.fromkeys(s.get("publisher", "") for s in meta.get("sources", []))
            return ", ".join([*(p for p in publishers if p), str(meta.get("vintage", ""))])
        raise InvalidInputError(
            "explore(data) needs the source of the figures for the captions: give cite=..., "
            "a source column, or data.attrs['source']")

    def figure(self) -> Any:
        """The chart of the selection (matplotlib), or None when nothing is selected."""
        from ..plot import rates_timeseries

        chosen = self.selection()
        if chosen.empty:
            return None
        return rates_timeseries(
            chosen, value_col=self.value, units=self.units, title=self.title,
            source=self.caption_source(), country_col=self.country_col, year_col=self.year_col,
        )

    def redraw(self) -> None:
        """Draw the chart and the table of the current selection below the pickers."""
        import io

        import matplotlib.pyplot as plt

        fig = self.figure()
        if fig is None:
            self.chart.layout.display = "none"
            self.table.value = "<p><b>Nothing selected: choose at least one country.</b></p>"
            return
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        self.chart.value = buffer.getvalue()
        self.chart.layout.display = None
        wide = self.wide()
        self.table.value = make_table(
            wide, percent=list(wide.columns) if self.percent else (),
            caption=f"{self.title} ({self.units}); source: {self.caption_source()}",
        )._repr_html_()


def explore(
    data: pd.DataFrame,
    *,
    value: str,
    title: str,
    units: str,
    country: str = "country",
    year: str = "year",
    source: str | None = None,
    percent: bool = False,
    countries: Sequence[str] | None = None,
    years: tuple[int, int] | None = None,
    cite: str | None = None,
    show: bool = True,
) -> Explorer:
    """Pickers (countries, source, years) that redraw a line chart and a table of ``data``.

    Everything runs in the notebook's kernel and in JupyterLab's bundled widget manager: no
    internet is needed. The pickers do not show on the static HTML site or in print, so the
    notebook should show a static chart of the same data as well.

    Parameters
    ----------
    data : DataFrame
        Long table: one row per country, year (and source), with the figure in ``value``.
        ``data.attrs["source"]`` names the source when there is no ``source`` column.
    value, title, units : str
        The column drawn, the chart's title and its unit (e.g. "per 1,000 population").
    country, year : str
        Columns of the ISO3 country code and of the year.
    source : str, optional
        Column naming the source of each row; a picker then chooses one source.
    percent : bool, default False
        ``value`` holds fractions (0-1): the table shows them as percentages.
    countries : list of str, optional
        Countries selected at the start (default: all).
    years : (int, int), optional
        First and last year selected at the start (default: all years of the data).
    cite : str, optional
        The source named in the captions when there is no ``source`` column. Default:
        ``data.attrs["source"]``, else the publisher and version of ``data.attrs["dataset"]``
        (set by :func:`migdata.datasets.load`).
    show : bool, default True
        Display the pickers and draw the first chart now.

    Returns
    -------
    Explorer
        Its ``widget`` is the box of pickers and output; changing a picker redraws.

    Raises
    ------
    InvalidInputError
        If a named column is missing, there is no year, or the source of the figures is unknown.
    """
    if not isinstance(data, pd.DataFrame):
        raise InvalidInputError(f"explore(data) needs a pandas DataFrame, got {data!r}")
    _check_columns(data, [c for c in (value, country, year, source) if c is not None], "explore")
    explorer = Explorer(data, value=value, country=country, year=year, source=source, title=title,
                        units=units, percent=percent, countries=countries, years=years,
                        cite=cite)
    explorer.caption_source()  # fails now, not at the first redraw, if the source is unknown
    if show:
        _display(explorer.widget)
        explorer.redraw()
    return explorer


class Diagram:
    """An SVG picture that renders in JupyterLab, on the HTML site and in print (text stays text).

    Made by :func:`flow_diagram`; ``svg`` holds the markup.
    """

    def __init__(self, svg: str, description: str) -> None:
        self.svg = svg
        self.description = description

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        # inline, so that the text is text in the page (JupyterLab shows a bare SVG output as
        # an image) and screen readers read its title and description
        return f'<div class="migdata-diagram-box">{self.svg}</div>'

    def __repr__(self) -> str:
        return self.description


#: Size of the text of a diagram, in its own units. A diagram is 782 units wide and shown at most
#: 782 pixels wide, so its text is 17 px on a wide page and at least 12 px on an output area of
#: 552 px or more (JupyterLab's is 573 px at 1024 px with the file browser open: 12.5 px).
DIAGRAM_FONT = 17


def flow_diagram(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    kinds: dict[str, tuple[str, str]],
    styles: dict[str, str],
    title: str,
    source: str,
    warn: str | None = None,
) -> Diagram:
    """A data-flow diagram drawn as SVG: boxes on a grid, arrows between them, a legend.

    Parameters
    ----------
    nodes : DataFrame
        Indexed by box id, with columns ``label`` (lines split by "\\n"), ``col`` (0, 1, 2) and
        ``row`` (from 0, may be fractional) and ``group`` (a key of ``kinds``).
    edges : DataFrame
        Columns ``source``, ``target`` (box ids), ``label`` and ``basis`` (a key of ``styles``).
    kinds : dict
        Group -> (fill colour, name in the legend).
    styles : dict
        Basis -> "solid", "dashed" or "dotted"; arrows whose basis is ``warn`` are red.
    title, source : str
        The title above and the source line below.
    warn : str, optional
        The basis drawn in red (an open question).

    Returns
    -------
    Diagram
        Renders as SVG (``_repr_svg_``), with a ``<title>`` and a description for screen readers.

    Raises
    ------
    InvalidInputError
        If a column is missing, an arrow names an unknown box or a group/basis is unknown.
    """
    for frame, cols, what in ((nodes, ("label", "col", "row", "group"), "nodes"),
                              (edges, ("source", "target", "label", "basis"), "edges")):
        _check_columns(frame, cols, what)
    unknown = sorted(set(edges["source"]).union(edges["target"]) - set(nodes.index))
    if unknown:
        raise InvalidInputError(f"edges name boxes that are not in nodes: {unknown}; "
                                f"the boxes are {list(nodes.index)}")
    bad = sorted(set(nodes["group"]) - set(kinds)) + sorted(set(edges["basis"]) - set(styles))
    if bad:
        raise InvalidInputError(f"unknown group or basis {bad}; known: {list(kinds)}, "
                                f"{list(styles)}")
    esc = html.escape
    f = DIAGRAM_FONT
    box_w, gap, margin = 206, 76, 6
    line_h = f + 3
    box_h = 4 * line_h + 8
    row_h = box_h + 26
    top = 2 * f + 20

    def centre(n: pd.Series) -> tuple[float, float]:
        return (margin + box_w / 2 + float(n["col"]) * (box_w + gap),
                top + box_h / 2 + float(n["row"]) * row_h)

    def clip(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float]:
        """Where the line from the centre (x0, y0) towards (x1, y1) leaves the box."""
        dx, dy = x1 - x0, y1 - y0
        sx = (box_w / 2 + 4) / abs(dx) if dx else math.inf
        sy = (box_h / 2 + 4) / abs(dy) if dy else math.inf
        s = min(sx, sy, 1.0)
        return x0 + dx * s, y0 + dy * s

    width = margin * 2 + 3 * box_w + 2 * gap
    bottom = top + (float(nodes["row"].max()) + 1) * row_h
    dash = {"solid": "", "dashed": ' stroke-dasharray="8 5"', "dotted": ' stroke-dasharray="2 5"'}
    parts = []
    for _, n in nodes.iterrows():
        x, y = centre(n)
        lines = str(n["label"]).split("\n")
        parts.append(f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w}" '
                     f'height="{box_h}" rx="8" fill="{kinds[n["group"]][0]}" stroke="#444" />')
        first = y - (len(lines) - 1) * line_h / 2
        tspans = "".join(f'<tspan x="{x:.1f}" y="{first + i * line_h:.1f}">{esc(t)}</tspan>'
                         for i, t in enumerate(lines))
        parts.append(f'<text class="box" text-anchor="middle" dominant-baseline="middle">'
                     f"{tspans}</text>")
    labels = []
    for _, e in edges.iterrows():
        ax, ay = centre(nodes.loc[e["source"]])
        bx, by = centre(nodes.loc[e["target"]])
        x0, y0 = clip(ax, ay, bx, by)
        x1, y1 = clip(bx, by, ax, ay)
        red = warn is not None and e["basis"] == warn
        colour = "#b2182b" if red else "#555"
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                     f'stroke="{colour}" stroke-width="2"{dash[styles[e["basis"]]]} '
                     f'marker-end="url(#{"head-red" if red else "head"})" />')
        if e["label"]:
            lines = str(e["label"]).split("\n")
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            if abs(y1 - y0) < 0.3 * abs(x1 - x0):  # a flat arrow: its label sits above it
                my -= (len(lines) - 1) * (f + 1) / 2 + f / 2 + 4
            first = my - (len(lines) - 1) * (f + 1) / 2
            tspans = "".join(f'<tspan x="{mx:.1f}" y="{first + i * (f + 1):.1f}">{esc(t)}</tspan>'
                             for i, t in enumerate(lines))
            labels.append(f'<text class="edge" text-anchor="middle" dominant-baseline="middle" '
                          f'fill="{colour}">{tspans}</text>')
    legend_y = bottom + 8
    legend = []
    for i, (colour, name) in enumerate(kinds.values()):
        x = margin + (i % 2) * (width / 2)
        y = legend_y + (i // 2) * (f + 10)
        legend.append(f'<rect x="{x}" y="{y}" width="{f}" height="{f}" fill="{colour}" '
                      f'stroke="#444" /><text class="legend" x="{x + f + 8}" y="{y + f / 2}" '
                      f'dominant-baseline="middle">{esc(name)}</text>')
    rows = (len(kinds) + 1) // 2
    for i, (basis, style) in enumerate(styles.items()):
        y = legend_y + (rows + i) * (f + 10) + f / 2
        red = warn is not None and basis == warn
        colour = "#b2182b" if red else "#555"
        legend.append(f'<line x1="{margin}" y1="{y}" x2="{margin + 40}" y2="{y}" '
                      f'stroke="{colour}" stroke-width="2"{dash[style]} />'
                      f'<text class="legend" x="{margin + 50}" y="{y}" '
                      f'dominant-baseline="middle">arrow: {esc(basis)}</text>')
    source_lines = textwrap.wrap(source, 80, break_long_words=False)
    source_y = legend_y + (rows + len(styles)) * (f + 10) + f
    height = source_y + len(source_lines) * (f + 3) + 8
    description = (f"{title}. Boxes: " + "; ".join(
        f"{' '.join(str(n['label']).split())} ({kinds[n['group']][1]})"
        for _, n in nodes.iterrows())
        + ". Arrows: " + "; ".join(
        f"{' '.join(str(nodes.loc[e['source'], 'label']).split())} to "
        f"{' '.join(str(nodes.loc[e['target'], 'label']).split())}"
        + (f" ({' '.join(str(e['label']).split())})" if e["label"] else "")
        + f", {e['basis']}" for _, e in edges.iterrows()) + f". Source: {source}.")
    head = ('<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="{colour}" /></marker>')
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="migdata-diagram" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width: {width:.0f}px; height: auto; font-family: sans-serif;" '
        f'aria-labelledby="d-title d-desc">'
        f'<title id="d-title">{esc(title)}</title><desc id="d-desc">{esc(description)}</desc>'
        f"<defs>{head.format(id='head', colour='#555')}"
        f"{head.format(id='head-red', colour='#b2182b')}</defs>"
        f"<style>text {{ font-size: {f}px; fill: #222; }} text.edge {{ font-style: italic; "
        f"paint-order: stroke; stroke: white; stroke-width: 5px; stroke-linejoin: round; }}"
        f" text.title {{ font-size: {f + 2}px; font-weight: bold; }}</style>"
        f'<rect width="100%" height="100%" fill="white" />'
        f'<text class="title" x="{margin}" y="{f + 6}">{esc(title)}</text>'
        + "".join(parts)
        + "".join(labels)
        + "".join(legend)
        + "".join(f'<text class="source" x="{margin}" y="{source_y + i * (f + 3):.0f}" '
                  f'fill="#555">{esc(line)}</text>' for i, line in enumerate(source_lines))
        + "</svg>"
    )
    return Diagram(svg, description)
