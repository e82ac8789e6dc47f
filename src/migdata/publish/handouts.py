"""Printable handouts for the Unit 2.4 tasks (non-formal path 2.4.2, and 2.4.1 groups).

``python -m migdata.publish.handouts --out build/handouts`` (``make handouts``) writes one
self-contained HTML page per task of :data:`migdata.publish.tasks.TASKS`, laid out for A4 paper:
the task and its questions, key terms in English, Azerbaijani and Russian, the data tables with
their units and sources (a gap prints as "no data"), and the caveats. Open it in a browser and
print (or save as PDF); ``--pdf`` prints PDFs with Chromium (Playwright) as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from .tasks import TASKS, DataTable, Task, figure_columns, handout_view, source_text

__all__ = ["CSS", "build", "chart_svg", "handout_html", "main", "print_pdfs"]

NO_DATA = "no data"

#: Print layout: A4, serif body, tables that do not split rows across pages.
CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.35;
       color: #000; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 4pt 0; }
h2 { font-size: 12.5pt; margin: 14pt 0 4pt 0; border-bottom: 1px solid #444; }
h3 { font-size: 11pt; margin: 10pt 0 3pt 0; }
.meta { color: #333; font-size: 9.5pt; }
table { border-collapse: collapse; margin: 4pt 0; font-size: 9.5pt; }
th, td { border: 1px solid #777; padding: 2pt 5pt; vertical-align: top;
         overflow-wrap: normal; word-break: normal; hyphens: manual; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.gap { text-align: center; color: #555; font-style: italic; }
tr { page-break-inside: avoid; }
.table-block { page-break-inside: avoid; }
.source { font-size: 8.5pt; color: #333; margin: 2pt 0 8pt 0; }
ol li { margin-bottom: 3pt; }
figure.chart { margin: 0 0 10pt 0; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { font-size: 8.5pt; color: #333; }
.notes { min-height: 40mm; border: 1px dashed #888; padding: 4pt; color: #666; }
@media screen { body { padding: 12px; } }
"""


def _fmt(v: Any) -> tuple[str, str]:
    """A cell's text and class: numbers with thousands separators, gaps as 'no data'."""
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return NO_DATA, "gap"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) >= 1000):
        return f"{int(v):,}", "num"
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip("."), "num"
    if hasattr(v, "item"):
        return _fmt(v.item())
    return html.escape(str(v)), ""


def _decimals(values: Any) -> int | None:
    """The decimals a column of figures is printed with: the most any of its figures needs
    (at most 3), so that every figure of a column has the same precision ("-14.180", "75.000",
    "-15.745", never "-14.18", "75", "-15.745"); None for a column of whole numbers."""
    import pandas as pd

    figures = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
               and not pd.isna(v)]
    if not figures or all(f.is_integer() for f in figures):
        return None
    return max(len(f"{f:.3f}".rstrip("0").split(".")[1]) for f in figures)


def _fmt_column(v: Any, decimals: int | None) -> tuple[str, str]:
    """A cell's text and class, with the column's precision (see :func:`_decimals`)."""
    import pandas as pd

    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return NO_DATA, "gap"
    if isinstance(v, int | float) and not isinstance(v, bool):
        if decimals is None:
            return f"{round(v):,}", "num"
        return f"{v:,.{decimals}f}", "num"
    return html.escape(str(v)), ""


def _label(label: object) -> str:
    """A label in words: a country code as the country's name, underscores as spaces."""
    from ..countries import country_name

    text = str(label)
    if len(text) == 3 and text.isupper():
        try:
            return country_name(text)
        except Exception:  # not a country code: the label as it is
            return text
    return text.replace("_", " ")


def _words(label: object) -> str:
    """A column or row label for print, in words (see :func:`_label`), HTML-escaped."""
    return html.escape(_label(label))


def _filter_text(filters: dict[str, Any]) -> str:
    """The rows a table shows, in words: "country: Armenia, Azerbaijan, Georgia; sex: total"."""
    parts = []
    for key, value in filters.items():
        values = value if isinstance(value, list | tuple | set) else [value]
        parts.append(f"{str(key).replace('_', ' ')}: " + ", ".join(_label(v) for v in values))
    return "; ".join(parts) or "all rows"


def _unit_text(table: DataTable) -> str:
    unit = figure_columns(table.dataset).get(table.value, "")
    return unit or "see the table"


def chart_svg(table: DataTable, view: Any = None) -> str:
    """An inline SVG line chart of a table indexed by year ("" for other tables).

    One line per column; a missing figure leaves a gap in the line (never a 0); years of a
    projection variant are drawn with hollow markers and no line.
    """
    import io

    import pandas as pd
    from matplotlib.figure import Figure

    view = handout_view(table) if view is None else view
    names = list(view.index.names)
    if names[0] != "year" or len(view) < 3:
        return ""
    keys = [k if isinstance(k, tuple) else (k,) for k in view.index]
    years = [int(k[0]) for k in keys]
    if len(set(years)) != len(years):
        return ""
    projected = [any("projection" in str(v) for v in k[1:]) for k in keys]
    numeric = view.apply(pd.to_numeric, errors="coerce").astype(float)
    fig = Figure(figsize=(6.4, 2.5))
    ax = fig.subplots()
    for column in numeric.columns:
        values = numeric[column].tolist()
        observed = [(y, v) for y, v, p in zip(years, values, projected, strict=True) if not p]
        line = ax.plot([y for y, _ in observed], [v for _, v in observed], marker="o",
                       markersize=3, linewidth=1.5, label=_label(column))[0]
        future = [(y, v) for y, v, p in zip(years, values, projected, strict=True) if p]
        if future:
            ax.plot([y for y, _ in future], [v for _, v in future], marker="o", markersize=5,
                    fillstyle="none", linestyle="none", color=line.get_color())
    low, high = numeric.min().min(), numeric.max().max()
    if low < 0 < high:
        ax.axhline(0, color="#777", linewidth=0.8)
    ax.set_title(table.title, fontsize=9, loc="left")
    ax.set_xlabel("year", fontsize=8)
    ax.set_ylabel(_unit_text(table), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    from matplotlib.ticker import FuncFormatter

    # figures as on the tables: 10,000,000, not "1e7"; "−5", not "-5.0"
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 or float(v).is_integer() else f"{v:g}"))
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    if len(numeric.columns) > 1 or str(numeric.columns[0]) != str(table.value):
        ax.legend(fontsize=7, frameon=False, ncol=min(len(numeric.columns), 4))
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text (searchable, sharp)
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    caption = (f"Chart of the table above. Source: {source_text(table.dataset)}. A gap in a "
               "line: no data" + ("; hollow markers: projection" if any(projected) else "")
               + ".")
    return f'<figure class="chart">{svg}<figcaption>{caption}</figcaption></figure>'


def _table_html(table: DataTable) -> str:
    view = handout_view(table)
    index_names = [str(n) for n in view.index.names]
    cols = [str(c) for c in view.columns]
    head = "".join(f"<th>{_words(n)}</th>" for n in index_names)
    head += "".join(f"<th>{_words(c)}</th>" for c in cols)
    rows = []
    decimals = [_decimals(view[c].tolist()) for c in view.columns]
    for key, values in view.iterrows():
        keys = key if isinstance(key, tuple) else (key,)
        cells = "".join(f"<th>{_words(k)}</th>" for k in keys)
        for v, places in zip(values, decimals, strict=True):
            text, cls = _fmt_column(v, places)
            cells += f'<td class="{cls}">{text}</td>'
        rows.append(f"<tr>{cells}</tr>")
    filters = {**table.filters, **table.handout_filters}
    shown = _filter_text(filters)
    return (
        f'<div class="table-block"><h3>{html.escape(table.title)}</h3>\n'
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows)
        + "\n</tbody></table>\n"
        f'<p class="source"><b>Unit:</b> {html.escape(_unit_text(table))} '
        f"({html.escape(_label(table.value))}). "
        f"<b>Source:</b> {html.escape(source_text(table.dataset))}. "
        f"<b>Dataset of the kit:</b> {table.dataset} (rows: {html.escape(shown)}). "
        + (f"<b>Note:</b> {html.escape(table.note)}" if table.note else "")
        + "</p></div>\n" + chart_svg(table, view)
    )


def handout_html(task: Task) -> str:
    """The handout of one task: a complete HTML page with its own print style sheet."""
    from .. import datasets, glossary
    from ..classroom.display import in_words

    terms = glossary.table(task.terms)
    term_rows = "\n".join(
        f"<tr><td><b>{html.escape(r.name)}</b></td><td>{html.escape(r.name_az)}</td>"
        f"<td>{html.escape(r.name_ru)}</td><td>{html.escape(r.summary)}</td></tr>"
        for r in terms.itertuples()
    )
    caveats = []
    for dataset in dict.fromkeys(t.dataset for t in task.tables):
        for caveat in datasets.describe(dataset).get("caveats", []):
            caveats.append(f"<li><b>{dataset}</b>: {html.escape(in_words(caveat))}</li>")
    path_text = ("presentation task for students (2.4.1)" if task.path == "2.4.1"
                 else "non-formal education case study (2.4.2)")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(task.title)}: handout</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(task.title)}</h1>
<p class="meta">Migration Curriculum, {html.escape(task.curriculum)}: {path_text}.
The same task with Python: <code>notebooks/{html.escape(task.notebook)}</code>. The data are also
in the workbook <code>{html.escape(task.id)}.xlsx</code> (every row, with units and sources).
Printed from the migdata kit on {dt.date.today().isoformat()}.</p>

<h2>Questions</h2>
<ol>{"".join(f"<li>{html.escape(q)}</li>" for q in task.questions)}</ol>

<h2>Key terms (English · Azərbaycanca · Русский)</h2>
<table><thead><tr><th>term</th><th>Azərbaycanca</th><th>Русский</th><th>meaning</th></tr>
</thead><tbody>
{term_rows}
</tbody></table>
<p class="source">Meanings in the kit's own words (see the glossary for their sources). The
Azerbaijani and Russian names are mostly kit translations, not checked against official texts;
the glossary says which wording was seen in a stored text.</p>

<h2>Data</h2>
<p>"{NO_DATA}" means the source gives no figure: do not replace it by 0 or by a guess.</p>
{"".join(_table_html(t) for t in task.tables)}

<h2>Notes on the data</h2>
<ul>{"".join(caveats)}</ul>

<h2>Our notes</h2>
<div class="notes">Group / names: </div>
</body></html>
"""


def print_pdfs(pages: list[Path], *, executable: str = "/usr/bin/chromium") -> list[Path]:
    """Print handouts to PDF (A4) with headless Chromium through Playwright; returns the PDFs."""
    from playwright.sync_api import sync_playwright

    pdfs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            for path in pages:
                page.goto(Path(path).resolve().as_uri())
                target = Path(path).with_suffix(".pdf")
                page.pdf(path=str(target), format="A4", prefer_css_page_size=True,
                         print_background=True)
                pdfs.append(target)
        finally:
            browser.close()
    return pdfs


def build(out: Path, tasks: list[str] | None = None, *, pdf: bool = False) -> list[Path]:
    """Write the handouts of ``tasks`` (default all of :data:`TASKS`) to ``out``.

    Returns the HTML files (and, with ``pdf=True``, the PDFs after them).

    Raises
    ------
    InvalidInputError
        For an unknown task id; the message lists the ids.
    """
    chosen = tasks or list(TASKS)
    unknown = [t for t in chosen if t not in TASKS]
    if unknown:
        raise InvalidInputError(f"unknown task(s) {unknown}; known tasks: {list(TASKS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for t in chosen:
        target = out / f"{t}.html"
        target.write_text(handout_html(TASKS[t]), encoding="utf-8")
        pages.append(target)
    return pages + (print_pdfs(pages) if pdf else [])


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.handouts --out build/handouts [--pdf]``."""
    parser = argparse.ArgumentParser(
        prog="python -m migdata.publish.handouts",
        description="Write a printable handout (HTML, optionally PDF) per Unit 2.4 task.")
    parser.add_argument("--out", type=Path, default=Path("build/handouts"))
    parser.add_argument("--task", action="append", help=f"only this task, one of {list(TASKS)}")
    parser.add_argument("--pdf", action="store_true",
                        help="also print PDFs with Chromium (/usr/bin/chromium, Playwright)")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out, args.task, pdf=args.pdf)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(f"  {p}")
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
