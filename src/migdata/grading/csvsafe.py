"""CSV cells that a spreadsheet shows as text, never runs as a formula.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula, and a leading tab or carriage return can hide such a beginning; a formula can fetch a web
address or start a program when the lecturer opens the file. A student's name, id or answer that
reaches an export could carry one. Every CSV the grading kit writes passes its cells through
:func:`safe_cell`: text with such a beginning gets a leading apostrophe (the spreadsheet shows the
text as typed, and does not evaluate it), numbers stay numbers, and text that is a plain number
(``-3.5``, ``+4``, ``-1e3``) stays as it is, because a spreadsheet reads it as that number and not
as a formula. The files are written readable by their owner alone (:func:`open_private`).
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

__all__ = ["DANGEROUS_STARTS", "open_private", "safe_cell", "safe_frame", "safe_row"]

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""Beginnings of a cell that make a spreadsheet read it as a formula (or hide one)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
# full-width forms that some spreadsheets fold to the ASCII signs
_WIDE = {"\uff1d": "=", "\uff0b": "+", "\uff0d": "-", "\uff20": "@"}


def safe_cell(value: Any) -> Any:
    """One cell as it may be written to a CSV file.

    Parameters
    ----------
    value
        Anything a CSV writer takes.

    Returns
    -------
    object
        ``value`` itself for numbers (``int``, ``float``, ``bool``, NumPy numbers), ``None`` and
        text that cannot start a formula or that is a plain number; otherwise the text with an
        apostrophe in front (``"=HYPERLINK(...)"`` becomes ``"'=HYPERLINK(...)"``).

    Examples
    --------
    >>> safe_cell("=1+1"), safe_cell(-3.5), safe_cell("-3.5"), safe_cell("@SUM(A1)")
    ("'=1+1", -3.5, '-3.5', "'@SUM(A1)")
    """
    if value is None or isinstance(value, numbers.Number):
        return value
    if not isinstance(value, str):
        return value
    head = value.lstrip(" ")
    if not head:
        return value
    first = _WIDE.get(head[0], head[0])
    if first not in DANGEROUS_STARTS:
        return value
    if _PLAIN_NUMBER.fullmatch(value.strip()):
        return value
    return "'" + value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` on every cell of one row."""
    return [safe_cell(v) for v in values]


def safe_frame(table):
    """A copy of a ``pandas.DataFrame`` with :func:`safe_cell` on every text cell.

    Numeric columns are not touched; column names pass through :func:`safe_cell` too.
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def open_private(path: str | Path) -> IO[str]:
    """Open a CSV file for writing that only its owner can read (mode 0600), UTF-8, ``newline=''``.

    Grade exports, worksheets and rosters list students; on a shared machine (a hub) nobody else
    should read them. An existing file is truncated and its mode set to 0600 too.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:  # e.g. a file system without Unix modes: the file is still written
        pass
    return open(fd, "w", encoding="utf-8", newline="")
