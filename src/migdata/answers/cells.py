"""Answer cells: where a student writes an answer, as plain text, and how it is found again.

An answer cell is a code cell whose first line is a header and whose other lines are the
student's answer, written as a person writes it (no quotes, no ``name = value``)::

    %%answer A1 number
    62 144

The header names the question (``A1``) and the form of the answer (see
:data:`migdata.answers.forms.FORMS`); a ``choice`` header may list the option letters
(``%%answer Q4 choice A B C D``). In the student's kernel the header runs the kit's ``%%answer``
cell magic (:mod:`migdata.classroom.answering`), which reads the text and says at once whether its
form is right; the text itself is never run as Python.

The grader reads the same text from the saved notebook file, as JSON, with
:func:`answers_in`: it never runs the notebook. Whatever the file holds (other JSON types
anywhere, very long cells, repeated questions), :func:`answers_in` returns what it can read and
never raises for the notebook's content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .forms import FORMS, MAX_CHARS

__all__ = ["HEADER", "AnswerText", "Header", "answers_in", "cell_text", "header_line",
           "parse_header", "split_answer"]

HEADER = "%%answer"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


@dataclass(frozen=True)
class Header:
    """A parsed answer-cell header: question id, form and (for choices) the option letters."""

    qid: str
    form: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerText:
    """The answer text of one question as saved in a notebook, and where it was found."""

    qid: str
    form: str
    text: str
    cell_index: int
    grade_id: str | None = None
    notes: list[str] = field(default_factory=list)


def header_line(qid: str, form: str, options: tuple[str, ...] | list[str] = ()) -> str:
    """The header line of an answer cell (``%%answer A1 number``)."""
    if not _ID.match(qid):
        raise ValueError(f"question id must be 1-40 letters, digits, '.', '_' or '-', got {qid!r}")
    if form not in FORMS:
        raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    return " ".join([HEADER, qid, form, *options])


def parse_header(line: object) -> Header | None:
    """The header of an answer cell, or None if ``line`` is not one."""
    if not isinstance(line, str):
        return None
    words = line.strip().split()
    if len(words) < 3 or words[0] != HEADER or not _ID.match(words[1]) or words[2] not in FORMS:
        return None
    options = tuple(w.upper() for w in words[3:] if re.fullmatch(r"[A-Za-z]", w))
    return Header(words[1], words[2], options)


def cell_text(cell: object) -> str | None:
    """The source of a notebook cell as one string, or None if the cell is not a cell."""
    if not isinstance(cell, Mapping):
        return None
    source = cell.get("source")
    if isinstance(source, str):
        return source[: 4 * MAX_CHARS]
    if isinstance(source, list) and all(isinstance(s, str) for s in source[:10_000]):
        text, size = [], 0
        for part in source[:10_000]:
            text.append(part)
            size += len(part)
            if size > 4 * MAX_CHARS:
                break
        return "".join(text)[: 4 * MAX_CHARS]
    return None


def split_answer(source: str) -> tuple[Header | None, str]:
    """Split an answer cell's source into its header and the answer text below it."""
    first, _, rest = source.partition("\n")
    header = parse_header(first)
    if header is None:
        return None, source
    return header, rest.strip()


def answers_in(notebook: object) -> dict[str, AnswerText]:
    """Every answer found in a notebook read as JSON, by question id.

    Parameters
    ----------
    notebook : object
        The parsed JSON of a notebook file (any JSON value: nothing is assumed of it).

    Returns
    -------
    dict of str -> AnswerText
        One entry per question id, from the first answer cell that names it; a later cell
        naming the same question is noted in ``notes`` and not read. A code cell of any kind
        that is not an answer cell is ignored (it is never run).
    """
    found: dict[str, AnswerText] = {}
    cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
    if not isinstance(cells, list):
        return found
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if text is None or not text.lstrip().startswith(HEADER):
            continue
        header, body = split_answer(text.lstrip())
        if header is None:
            continue
        metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, Mapping) else None
        if header.qid in found:
            found[header.qid].notes.append(f"question {header.qid} answered again in cell "
                                           f"{index + 1}: only the first answer is read")
            continue
        found[header.qid] = AnswerText(header.qid, header.form, body, index,
                                       grade_id if isinstance(grade_id, str) else None)
    return found
