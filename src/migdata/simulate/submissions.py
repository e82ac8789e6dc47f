"""Synthetic submissions for dry runs, tests and the autograding benchmark.

A lecturer can rehearse the whole grading cycle before the class hands anything in: these
helpers write, into ``submitted/<student>/<assignment>/``, notebooks built from the released
student version, with some or all answer cells filled in from the instructor version (or with
given answer texts), or broken on purpose in the ways real hand-ins go wrong (code cells of the
student's own that loop, crash or kill, invalid JSON, a renamed file, edited tests). The grader
never runs a student's code, so code cells only show that they change nothing. Every notebook
written here is labelled synthetic in its metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat

from migdata.errors import InvalidInputError

__all__ = ["KINDS", "solution_sources", "write_submission"]

KINDS = (
    "solution",
    "answers",
    "untouched",
    "partial",
    "infinite_loop",
    "kernel_dies",
    "kills_grader",
    "invalid_json",
    "renamed",
    "tampered",
    "missing",
)
"""The kinds of synthetic submission :func:`write_submission` can write."""

_REGION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def solution_sources(source_notebook: Path) -> dict[str, str]:
    """Model answers of an instructor notebook, by nbgrader ``grade_id``.

    Parameters
    ----------
    source_notebook
        An nbgrader instructor (source) notebook.

    Returns
    -------
    dict of str to str
        For every solution cell, its source with the ``### BEGIN/END SOLUTION`` lines removed.
    """
    nb = nbformat.read(source_notebook, as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = _REGION.sub("", cell.source).strip("\n")
    return answers


def _fill_texts(nb: nbformat.NotebookNode, texts: dict[str, str]) -> None:
    """Write answer texts below the headers of the answer cells they answer."""
    from ..answers import parse_header

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        header = parse_header(cell.source.lstrip().partition("\n")[0])
        if header is not None and header.qid in texts:
            cell.source = cell.source.lstrip().partition("\n")[0] + "\n" + texts[header.qid]


def _fill(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def write_submission(
    course_root: Path,
    assignment: str,
    student: str,
    kind: str,
    *,
    answered: Iterable[str] | None = None,
    timestamp: datetime | None = None,
    texts: dict[str, str] | None = None,
) -> Path:
    """Write one synthetic submission of ``assignment`` for ``student``.

    Parameters
    ----------
    course_root
        The nbgrader course directory (holding ``release/`` and, for the answers, the source).
    assignment
        Assignment id; it must have been generated (``release/<assignment>/`` exists).
    student
        Student id.
    kind
        One of :data:`KINDS`: ``solution`` (every answer from the instructor version),
        ``answers`` (the answer texts given in ``texts``, by question id), ``untouched``
        (the released notebook as handed out), ``partial`` (only the answer cells named in
        ``answered``), ``infinite_loop``, ``kernel_dies`` and ``kills_grader`` (the solution
        with a code cell of the student's own after the first cell: an endless loop,
        ``os._exit(1)``, or a kill of the process that runs the kernel; the grader never runs
        it), ``invalid_json`` (a truncated file), ``renamed``
        (the solution under another file name), ``tampered`` (untouched answers, every test cell
        replaced by ``pass``) and ``missing`` (nothing is written).
    answered
        For ``partial`` (required, at least one): the ``grade_id`` of the answer cells to fill
        in. Other kinds ignore it.
    timestamp
        Submission time written to ``timestamp.txt`` (default: now, UTC).
    texts
        For ``answers``: question id -> the answer text written below the answer cell's header
        (other answer cells stay empty).

    Returns
    -------
    pathlib.Path
        The submission folder ``submitted/<student>/<assignment>``.
    """
    if kind not in KINDS:
        raise InvalidInputError(f"unknown submission kind {kind!r}; expected one of {KINDS}")
    if kind == "partial" and not answered:
        raise InvalidInputError(
            f"a 'partial' submission needs answered=[...] naming the answer cells to fill in, got "
            f"{answered!r}; use kind 'untouched' for a notebook with no answers"
        )
    course_root = Path(course_root)
    release = course_root / "release" / assignment
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise InvalidInputError(
            f"no released notebooks in {release}; run `migdata-course generate {assignment}` first"
        )
    from ..grading.config import load_course  # local import: config pulls in nbgrader

    source_dir = Path(load_course(course_root).source_directory) / assignment
    dest = course_root / "submitted" / student / assignment
    if kind == "missing":
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    for released in notebooks:
        nb = nbformat.read(released, as_version=4)
        nb.metadata["migdata_synthetic"] = f"synthetic submission of kind {kind!r}"
        model = solution_sources(source_dir / released.name)
        if kind in ("solution", "infinite_loop", "kernel_dies", "kills_grader", "renamed"):
            _fill(nb, model)
        elif kind == "partial":
            chosen = set(answered or ())
            unknown = chosen - set(model)
            if unknown:
                raise InvalidInputError(
                    f"answer cells {sorted(unknown)} are not in {released.name}; "
                    f"expected some of {sorted(model)}"
                )
            _fill(nb, {k: v for k, v in model.items() if k in chosen})
        elif kind == "answers":
            _fill_texts(nb, texts or {})
        if kind in ("infinite_loop", "kernel_dies", "kills_grader"):
            if kind == "infinite_loop":
                trap = "while True:\n    pass\n"
            elif kind == "kernel_dies":
                trap = "import os\nos._exit(1)\n"
            else:
                trap = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
            nb.cells.insert(1, nbformat.v4.new_code_cell(trap))
        if kind == "tampered":
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade") and not meta.get("solution"):
                    cell.source = "pass"
        name = released.name if kind != "renamed" else f"{released.stem} (1).ipynb"
        text = nbformat.writes(nb)
        if kind == "invalid_json":
            text = text[: len(text) // 2]
        (dest / name).write_text(text, encoding="utf-8")
    moment = timestamp or datetime.now(UTC)
    # UTC as nbgrader writes it; another offset joined to the time (nbgrader reads a spaced
    # '+04' as an offset of 4 seconds)
    stamp = (moment.strftime("%Y-%m-%d %H:%M:%S.%f %Z")
             if moment.tzinfo is None or moment.utcoffset() == timedelta(0)
             else moment.isoformat(sep=" ", timespec="microseconds"))
    (dest / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return dest
