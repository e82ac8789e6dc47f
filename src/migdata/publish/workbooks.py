"""Excel workbooks for the Unit 2.4 tasks, so a group can work with no Python.

``python -m migdata.publish.workbooks --out build/workbooks`` (``make workbooks``) writes one
``.xlsx`` per task of :data:`migdata.publish.tasks.TASKS` (openpyxl):

- ``Read me``: the task, its questions, how to read the sheets, key terms in English,
  Azerbaijani and Russian;
- one sheet per data table: every row of the dataset slice, each figure next to its unit and
  its source (the publisher's table and the row of the raw file); a gap is written ``no data``,
  never 0;
- ``Sources``: each dataset's sources, vintage and licence;
- ``Caveats``: what each dataset cannot tell, from its catalogue entry.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from .tasks import TASKS, DataTable, Task, figure_columns, source_text, table_data

__all__ = ["NO_DATA", "build", "main", "write_workbook"]

#: What a cell holds where the source gives no figure.
NO_DATA = "no data"
_SEE_UNIT = "see the unit column"


def _value(v: Any) -> Any:
    """A cell value: numbers as numbers, gaps as :data:`NO_DATA`, the rest as text."""
    if v is None:
        return NO_DATA
    try:
        import pandas as pd

        if pd.isna(v):
            return NO_DATA
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return v
    return str(v)


def _row_source(dataset: str, row: dict[str, Any]) -> str:
    """Where one row comes from: the source URL or raw file and row given in the dataset."""
    parts = []
    for key in ("source_url", "source_file", "source_cell", "cell", "source_row",
                "net_migration_source_row", "source_col"):
        if key in row and row[key] is not None and str(row[key]) not in ("", "nan", "<NA>"):
            parts.append(f"{key.replace('_', ' ')}: {row[key]}")
    return f"dataset {dataset}" + (f" ({'; '.join(parts)})" if parts else "")


def _data_sheet(wb: Any, table: DataTable) -> int:
    """Write one data table to its own sheet; returns the number of figures written."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(table.key[:31])
    data = table_data(table)
    units = figure_columns(table.dataset)
    ws["A1"] = table.title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"Source: {source_text(table.dataset)}"
    ws["A3"] = (f"Dataset: {table.dataset} (migdata.datasets.load('{table.dataset}')). "
                + table.note + f" Empty figures are written '{NO_DATA}'.")
    columns = list(data.columns)
    header = [*columns, *(f"{c} (unit)" for c in units), "source"]
    ws.append([])
    ws.append(header)
    for cell in ws[5]:
        cell.font = Font(bold=True)
    figures = 0
    for record in data.to_dict("records"):
        row = [_value(record[c]) for c in columns]
        for unit in units.values():
            if unit == _SEE_UNIT:
                unit = str(record.get("unit", "")) or _SEE_UNIT
            row.append(unit)
            figures += 1
        row.append(f"{source_text(table.dataset)}; {_row_source(table.dataset, record)}")
        ws.append(row)
    ws.freeze_panes = "A6"
    ws.auto_filter.ref = f"A5:{get_column_letter(len(header))}{ws.max_row}"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 2, 12), 40)
    return figures


def write_workbook(task: Task, path: Path) -> Path:
    """Write the workbook of one task to ``path`` (``.xlsx``) and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .. import datasets, glossary

    wb = Workbook()
    ws = wb.active
    ws.title = "Read me"
    ws.column_dimensions["A"].width = 34
    for col in "BCD":
        ws.column_dimensions[col].width = 45
    lines: list[list[Any]] = [
        [task.title],
        [f"Migration Curriculum {task.curriculum}. Path: {task.path} "
         + ("(presentation, students)" if task.path == "2.4.1" else "(non-formal education)")],
        [f"The same task with Python: notebooks/{task.notebook} of the migdata kit."],
        [],
        ["Questions to work on"],
        *([f"{i}. {q}"] for i, q in enumerate(task.questions, start=1)),
        [],
        ["How to read this workbook"],
        ["Each data sheet holds one table: one row per record of the dataset, every figure "
         "with its unit (columns ending '(unit)') and its source (column 'source'). Sheets "
         "'Sources' and 'Caveats' say where the data come from and what they cannot tell."],
        [f"'{NO_DATA}' means the source gives no figure. Never replace it by 0 or by a "
         "guess. Filters (the arrows in the header row) help to select a country or a year."],
        [],
        ["Key terms", "Azərbaycanca", "По-русски", "Meaning (kit's own words) and source"],
    ]
    names = glossary.table(task.terms)
    for row in names.itertuples():
        lines.append([row.name, row.name_az, row.name_ru,
                      f"{row.summary} Source: {row.source}. Azerbaijani/Russian wording: "
                      f"{row.translation_source}."])
    lines += [[], ["Data sheets"]]
    lines += [[t.key[:31], t.title] for t in task.tables]
    for line in lines:
        ws.append(line)
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws["A"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if cell.value in ("Questions to work on", "How to read this workbook", "Key terms",
                          "Data sheets"):
            cell.font = Font(bold=True)
    for col in "BCD":
        for cell in ws[col]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for table in task.tables:
        _data_sheet(wb, table)

    sources = wb.create_sheet("Sources")
    sources.append(["dataset", "title", "source", "link", "vintage", "licence"])
    caveats = wb.create_sheet("Caveats")
    caveats.append(["dataset", "caveat"])
    for table in task.tables:
        if table.note:
            caveats.append([table.dataset, f"{table.title}: {table.note}"])
    for dataset in dict.fromkeys(t.dataset for t in task.tables):
        meta = datasets.describe(dataset)
        licence = "; ".join(lic.get("title", lic.get("name", "")) for lic in meta["licenses"])
        for src in meta.get("sources", []):
            sources.append([dataset, meta["title"], src.get("title", ""), src.get("path", ""),
                            meta.get("vintage", ""), licence])
        for caveat in meta.get("caveats", []):
            caveats.append([dataset, caveat])
    for sheet, widths in ((sources, (22, 50, 70, 50, 30, 50)), (caveats, (22, 120))):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for i, w in enumerate(widths):
            sheet.column_dimensions["ABCDEF"[i]].width = w
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build(out: Path, tasks: list[str] | None = None) -> list[Path]:
    """Write the workbooks of ``tasks`` (default all of :data:`TASKS`) to ``out``.

    Raises
    ------
    InvalidInputError
        For an unknown task id; the message lists the ids.
    """
    from tqdm import tqdm

    chosen = tasks or list(TASKS)
    unknown = [t for t in chosen if t not in TASKS]
    if unknown:
        raise InvalidInputError(f"unknown task(s) {unknown}; known tasks: {list(TASKS)}")
    return [write_workbook(TASKS[t], Path(out) / f"{t}.xlsx")
            for t in tqdm(chosen, desc="writing workbooks", unit="workbook")]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m migdata.publish.workbooks --out build/workbooks``."""
    parser = argparse.ArgumentParser(
        prog="python -m migdata.publish.workbooks",
        description="Write an Excel workbook per Unit 2.4 task (data, units, sources, caveats).")
    parser.add_argument("--out", type=Path, default=Path("build/workbooks"))
    parser.add_argument("--task", action="append", help=f"only this task, one of {list(TASKS)}")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out, args.task)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for p in paths:
        print(f"  {p}")
    print(f"wrote {len(paths)} workbooks to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
