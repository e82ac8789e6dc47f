"""The end-of-run report and the grade export (CSV).

The curriculum grades the Unit 2.4 empirical work as relevance of the data 20%, analysis and
explanation 30%, presentation and oral delivery 10%, participation in class discussions 40%. The
Unit 2.4 notebook carries the first two (50 points, marked partly by tests and partly by the
lecturer); presentation and participation happen in the room, so the lecturer records them in a
small CSV that :func:`export_grades` joins to give the final mark out of 100.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migdata.errors import InvalidInputError, MissingColumnsError

from .config import load_config
from .grading import STATUSES, GradeResult, read_ledger

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["LECTURER_MARKS", "blank_unconfirmed", "export_grades", "format_report"]

LECTURER_MARKS = {"presentation": 10.0, "participation": 40.0}
"""Marks the lecturer records outside the notebook, with their maximum (curriculum, Unit 2.4)."""


def format_report(results: Sequence[GradeResult], assignment: str) -> str:
    """One table for the lecturer: per student score, maximum, status and what went wrong.

    Parameters
    ----------
    results
        As returned by :func:`migdata.course.grading.autograde`.
    assignment
        The assignment id, for the title.

    Returns
    -------
    str
        A plain-text table followed by counts per status.
    """
    people = "student" if len(results) == 1 else "students"
    lines = [f"Autograding report: {assignment}  ({len(results)} {people})"]
    width = max([len("student"), *(len(r.student) for r in results)])
    header = f"{'student':<{width}}  {'score':>6}  {'max':>5}  {'status':<16}  detail"
    lines += [header, "-" * len(header)]
    for r in results:
        note = ("(unchanged, not regraded) " if r.reused else "") + r.detail
        lines.append(
            f"{r.student:<{width}}  {r.score:>6.1f}  {r.max_score:>5.1f}  "
            f"{r.status.replace('_', ' '):<16}  {note}"
        )
    counts = Counter(r.status for r in results)
    lines.append("")
    for status, meaning in STATUSES.items():
        if counts.get(status):
            lines.append(f"{counts[status]:>4}  {meaning}")
    graded = [r for r in results if r.seconds > 0]
    if graded:
        total = sum(r.seconds for r in graded)
        noun = "submission" if len(graded) == 1 else "submissions"
        lines.append(f"Graded {len(graded)} {noun} now ({total / len(graded):.1f} s each).")
    return "\n".join(lines)


def blank_unconfirmed(submission: Any) -> int:
    """How many written answers of a submission were left blank and not yet confirmed.

    nbgrader gives a manually graded answer that the student left exactly as released 0 points
    and does not flag it for manual grading (``needs_manual_grade`` is False). Such a 0 is only
    final once the lecturer has confirmed it by entering a mark (0 or more) for that answer in
    the formgrader. This counts the blank written answers without such a mark.

    Parameters
    ----------
    submission
        An nbgrader ``SubmittedAssignment`` from an open ``Gradebook``.

    Returns
    -------
    int
        Number of blank, unconfirmed written answers (0 when every one has been marked).
    """
    count = 0
    for notebook in submission.notebooks:
        written = {cell.name for cell in notebook.notebook.solution_cells}
        count += sum(
            1 for grade in notebook.grades
            if grade.name in written and grade.manual_score is None
            and not grade.needs_manual_grade
        )
    return count


def _read_marks(path: Path, columns: Sequence[str] = tuple(LECTURER_MARKS)) -> pd.DataFrame:
    import pandas as pd

    marks = pd.read_csv(path, dtype={"student_id": "string"})
    missing = {"student_id", *columns} - set(marks.columns)
    if missing:
        raise MissingColumnsError(
            f"{path} lacks columns {sorted(missing)}; expected student_id, "
            + ", ".join(f"{k} (0-{LECTURER_MARKS[k]:g})" for k in columns)
        )
    for column in columns:
        top = LECTURER_MARKS[column]
        values = pd.to_numeric(marks[column], errors="coerce")
        bad = marks.loc[values.isna() | (values < 0) | (values > top), ["student_id", column]]
        if len(bad):
            raise InvalidInputError(
                f"{path}: {column} must be a number from 0 to {top:g}; bad rows: "
                + bad.to_dict("records").__repr__()
            )
        marks[column] = values.astype(float)
    return marks[["student_id", *columns]]


def _read_teams(path: Path) -> pd.DataFrame:
    """Teams of the 2.4.1 presentations: student_id, team, presentation (one mark per team).

    The team's presentation mark may be written on every member's row or on one of them; where
    several rows of a team give one, they must agree. A team without a mark gets none (a gap).
    """
    import pandas as pd

    teams = pd.read_csv(path, dtype={"student_id": "string", "team": "string",
                                     "presentation": "string"})
    missing = {"student_id", "team", "presentation"} - set(teams.columns)
    if missing:
        raise MissingColumnsError(
            f"{path} lacks columns {sorted(missing)}; expected student_id, team and presentation "
            f"(0-{LECTURER_MARKS['presentation']:g}, the team's mark)"
        )
    if teams["student_id"].isna().any() or teams["team"].isna().any():
        raise InvalidInputError(f"{path}: every row needs a student_id and a team")
    twice = sorted(set(teams.loc[teams["student_id"].duplicated(), "student_id"]))
    if twice:
        raise InvalidInputError(f"{path}: students listed more than once: {twice}")
    given = teams["presentation"].fillna("").str.strip() != ""
    values = pd.to_numeric(teams["presentation"].where(given), errors="coerce")
    top = LECTURER_MARKS["presentation"]
    bad = teams.loc[given & (values.isna() | (values < 0) | (values > top)),
                    ["student_id", "team", "presentation"]]
    if len(bad):
        raise InvalidInputError(f"{path}: presentation must be a number from 0 to {top:g}; "
                                f"bad rows: {bad.to_dict('records')!r}")
    teams["presentation"] = values.astype(float)
    per_team = teams.dropna(subset=["presentation"]).groupby("team")["presentation"]
    disagree = sorted(t for t, n in per_team.nunique().items() if n > 1)
    if disagree:
        raise InvalidInputError(f"{path}: teams with different presentation marks on their "
                                f"rows (one mark per team): {disagree}")
    teams["presentation"] = teams["team"].map(per_team.first()).astype(float)
    return teams[["student_id", "team", "presentation"]]


def export_grades(
    course_dir: str | Path,
    out: str | Path,
    *,
    assignments: Sequence[str] | None = None,
    marks: str | Path | None = None,
    teams: str | Path | None = None,
) -> pd.DataFrame:
    """Write one row per student and assignment to a CSV file and return it.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py``.
    out
        Destination CSV file.
    assignments
        Assignment ids (default: every assignment in the gradebook).
    marks
        Optional CSV with columns ``student_id``, ``presentation`` (0-10) and ``participation``
        (0-40), recorded by the lecturer for Unit 2.4. When given, only one assignment may be
        exported; its maximum must be 50 points (relevance 20 + analysis 30) and a ``final``
        column out of 100 is added, left empty for students without marks, whose written
        answers still need marking, or who left written answers blank that the lecturer has
        not confirmed yet (``blank_unconfirmed`` above 0).
    teams
        Optional CSV of the 2.4.1 presentation teams, with columns ``student_id``, ``team`` and
        ``presentation`` (0-10): the team's one presentation mark, given to every member (on
        every member's row or on one of them; rows that give it must agree). Needs ``marks``,
        which then holds only ``student_id`` and ``participation`` (individual). Adds a
        ``team`` column.

    Returns
    -------
    pandas.DataFrame
        Columns: assignment, student_id, status, score, max_score, needs_manual_grade,
        blank_unconfirmed (see :func:`blank_unconfirmed`), late_penalty, timestamp (and
        presentation, participation, final with ``marks``).
    """
    import pandas as pd
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    rows = []
    maxima: dict[str, float] = {}
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        known = [a.name for a in gb.assignments]
        chosen = list(assignments) if assignments else known
        for assignment in chosen:
            if assignment not in known:
                raise InvalidInputError(
                    f"assignment {assignment!r} is not in the gradebook; known: {known}"
                )
            ledger = read_ledger(root, assignment)
            max_score = maxima[assignment] = float(gb.find_assignment(assignment).max_score)
            # the gradebook's students, and anyone the autograder saw whom it does not hold
            # (e.g. a submission that could not be graded at all)
            for student in sorted({s.id for s in gb.students} | set(ledger)):
                entry = ledger.get(student)
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    status = entry.status if entry else "missing"
                    rows.append((assignment, student, status, 0.0, max_score, False, 0, 0.0,
                                 None))
                    continue
                status = entry.status if entry else "graded"
                rows.append((
                    assignment, student, status, float(sub.score), max_score,
                    bool(sub.needs_manual_grade), blank_unconfirmed(sub),
                    float(sub.late_submission_penalty),
                    sub.timestamp.isoformat(sep=" ") if sub.timestamp else None,
                ))
    table = pd.DataFrame(rows, columns=[
        "assignment", "student_id", "status", "score", "max_score", "needs_manual_grade",
        "blank_unconfirmed", "late_penalty", "timestamp",
    ])
    if teams is not None and marks is None:
        raise InvalidInputError("teams need marks (the participation marks) as well")
    if marks is not None:
        if teams is None:
            lecturer = _read_marks(Path(marks))
        else:
            if "presentation" in pd.read_csv(marks, nrows=0).columns:
                raise InvalidInputError(
                    f"{marks}: with teams the presentation mark comes from the teams file "
                    f"({teams}), one per team; remove the presentation column from {marks}"
                )
            lecturer = _read_marks(Path(marks), ["participation"]).merge(
                _read_teams(Path(teams)), on="student_id", how="outer", validate="one_to_one")
        if len(maxima) != 1:
            raise InvalidInputError(
                "lecturer marks apply to one assignment (the Unit 2.4 work); pass exactly one, got "
                f"{sorted(maxima)}"
            )
        (top,) = maxima.values()
        if top != 50:
            raise InvalidInputError(
                f"the assignment is worth {top:g} points; the curriculum scheme needs 50 "
                "(relevance 20 + analysis 30) in the notebook"
            )
        unknown = sorted(set(lecturer["student_id"]) - set(table["student_id"]))
        if unknown:
            raise InvalidInputError(f"{marks}: students not in the gradebook: {unknown}")
        table = table.merge(lecturer, on="student_id", how="left", validate="one_to_one")
        # no recorded mark, written answers not marked yet, or blank written answers the
        # lecturer has not confirmed: a gap (NaN), never a mark that only looks complete
        final = table["score"] + table["presentation"] + table["participation"]
        complete = ~table["needs_manual_grade"].astype(bool) & (table["blank_unconfirmed"] == 0)
        table["final"] = final.where(complete)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    return table
