"""A report for the lecturer on what a hand-in holds besides its answers (no score depends on it).

The grader never runs a student's code (:mod:`migdata.grading.submissions` builds the graded
notebook from the released notebook and the answer texts only), so nothing a student writes can
change how the tests run. What this module reports is only worth a look: code cells the student
added (not run: they earn nothing and cost nothing), locked cells edited in the student's copy
(the grader used the released ones), answer cells deleted or given twice. It reads the notebook
as JSON and never raises for its content.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answers import HEADER, parse_header
from ..answers.cells import cell_text

__all__ = ["review"]


def _gid(cell: object) -> str | None:
    if not isinstance(cell, Mapping):
        return None
    metadata = cell.get("metadata")
    nbg = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    gid = nbg.get("grade_id") if isinstance(nbg, Mapping) else None
    return gid if isinstance(gid, str) else None


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def review(student: object, release: Mapping[str, Any]) -> list[str]:
    """What a lecturer may want to look at in a hand-in, in plain words (empty if nothing).

    Parameters
    ----------
    student
        The hand-in's notebook as JSON (any JSON value).
    release
        The released notebook as JSON.
    """
    released = {gid: _source(c) for c in release.get("cells", []) if (gid := _gid(c))}
    locked = {gid for c in release.get("cells", []) if (gid := _gid(c))
              and isinstance(c, Mapping) and isinstance(c.get("metadata"), Mapping)
              and (c["metadata"].get("nbgrader") or {}).get("locked")}
    questions = []
    for cell in release.get("cells", []):
        if isinstance(cell, Mapping) and cell.get("cell_type") == "code":
            header = parse_header(_source(cell).lstrip().partition("\n")[0])
            if header is not None:
                questions.append(header.qid)
    cells = student.get("cells") if isinstance(student, Mapping) else None
    if not isinstance(cells, list):
        return ["no list of cells"]
    own_code, edited, answered, twice = 0, [], set(), []
    known = set(released.values())
    for cell in cells[:100_000]:
        text = cell_text(cell)
        if text is None or not isinstance(cell, Mapping):
            continue
        if text.lstrip().startswith(HEADER):
            header = parse_header(text.lstrip().partition("\n")[0])
            if header is not None:
                if header.qid in answered:
                    twice.append(header.qid)
                answered.add(header.qid)
            continue
        gid = _gid(cell)
        if gid in locked and cell.get("cell_type") == "code" and text != released[gid]:
            edited.append(gid)
        elif cell.get("cell_type") == "code" and text.strip() and text not in known:
            own_code += 1
    out = []
    if own_code:
        out.append(f"{own_code} code cell(s) of the student's own (not run: only answers are read)")
    if edited:
        out.append("locked cells edited in the student's copy (the released ones were graded): "
                   + ", ".join(sorted(set(edited))[:5]))
    missing = [q for q in questions if q not in answered]
    if missing:
        out.append("answer cells deleted or their first line changed: " + ", ".join(missing[:8]))
    if twice:
        out.append("answered twice (the first answer was read): " + ", ".join(sorted(set(twice))))
    return out
