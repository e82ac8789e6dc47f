"""Unit 2.4.1 team marks: one mark per team in the gradebook, participation as 4 x 10.

The curriculum (Module 2, Unit 2.4.1 and its grading scheme) grades a team presentation (60 %:
relevance of the data chosen and analysed 20, data analysis and explanation 30, presentation and
oral delivery 10) and each student's participation in the discussions of every unit (40 %).

- The team notebooks (``assignments/teams/team_<topic>``, added to the course with
  ``python -m migdata.publish.team_notebooks --out assignments/source``) carry the first two
  parts as written answers the lecturer marks in the formgrader (``relevance``, 20 points;
  ``analysis``, 30 points). Every member hands in the team's notebook (or it is collected
  under each member's id); the lecturer marks **one** member's copy and
  :func:`spread_team_marks` gives the same marks to the other members, refusing teams whose
  copies were marked differently.
- Presentation and oral delivery (10) is marked in the room, one mark per team, in the
  ``presentation`` column of ``teams.csv`` (:func:`migdata.grading.report.export_grades`,
  ``--teams``).
- Participation: :func:`participation_total` adds the four classes (0-10 each) of a sheet into
  the ``participation`` column (0-40) that ``export --marks`` reads.

Command line (from the course folder's parent, like ``migdata-course``)::

    python -m migdata.grading.teamwork spread team_net_migration teams.csv
    python -m migdata.grading.teamwork participation by_class.csv participation.csv
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from migdata.errors import InvalidInputError, MissingColumnsError

from .config import load_config
from .report import read_marks_file

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CLASSES", "RUBRIC", "TeamMarks", "main", "not_marked_yet", "participation_total",
           "read_team_members", "spread_team_marks"]

#: The written parts of a team notebook the lecturer marks in the formgrader: grade id -> points.
RUBRIC: Final[dict[str, float]] = {"relevance": 20.0, "analysis": 30.0}
#: The participation columns: one per class of the module, 0-10 each.
CLASSES: Final[tuple[str, ...]] = ("class1", "class2", "class3", "class4")


@dataclass(frozen=True)
class TeamMarks:
    """The marks a team's members received, who got a copy of the team's notebook, and who
    still has none.

    ``copied``: members who had no submission; they were given one, copied from a team member's
    copy (its marks and files). ``without_copy``: members still without one, because nobody in
    the team handed the notebook in (their final stays open until someone does).
    """

    team: str
    marks: dict[str, float | None]
    without_copy: list[str]
    copied: list[str] = field(default_factory=list)


def read_team_members(path: str | Path) -> dict[str, list[str]]:
    """Team -> its members' student ids, from ``teams.csv`` (columns student_id, team).

    Raises
    ------
    MissingColumnsError
        Without a ``student_id`` or ``team`` column.
    InvalidInputError
        For a row without a student id or team, or a student in two rows.
    """
    teams = read_marks_file(path)
    missing = {"student_id", "team"} - set(teams.columns)
    if missing:
        raise MissingColumnsError(f"{path} lacks columns {sorted(missing)}; expected student_id "
                                  "and team (and presentation, the team's mark)")
    ids = teams["student_id"].fillna("").astype(str).str.strip()
    names = teams["team"].fillna("").astype(str).str.strip()
    if (ids == "").any() or (names == "").any():
        raise InvalidInputError(f"{path}: every row needs a student_id and a team")
    twice = sorted(set(ids[ids.duplicated()]))
    if twice:
        raise InvalidInputError(f"{path}: students listed more than once: {', '.join(twice)}")
    members: dict[str, list[str]] = {}
    for student, team in zip(ids, names, strict=True):
        members.setdefault(team, []).append(student)
    return members


def spread_team_marks(course_dir: str | Path, assignment: str, teams: str | Path
                      ) -> dict[str, TeamMarks]:
    """Give every member of a team the marks the lecturer entered on one member's copy.

    For each team, the members' submissions of ``assignment`` are looked up in the gradebook.
    The rubric cells (:data:`RUBRIC`) marked on some copies must agree; their marks are then
    written on every member's copy, so the gradebook, ``export`` and the Moodle worksheet give
    the whole team the same notebook points. A team with no marked copy keeps its copies "to
    mark". A member without a submission of their own (Moodle's group submission keeps one copy
    per team) is given one, copied from a team member's copy: its files, the marks given so far,
    and "to mark" where nothing is marked yet. Never a silent 0 for a member of a team whose
    notebook was handed in; members of a team that handed in nothing are listed in
    ``without_copy``.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py``.
    assignment
        The team notebook's assignment id (e.g. ``team_net_migration``).
    teams
        ``teams.csv``: student_id, team (and the presentation column, not used here).

    Returns
    -------
    dict
        Team -> :class:`TeamMarks`: grade id -> the mark given to every member (None where no
        copy is marked), the members given a copy, and the members still without one.

    Raises
    ------
    InvalidInputError
        If the assignment is not in the gradebook or has no rubric cells, a member is not in
        the gradebook, or two copies of one team carry different marks for a rubric cell.
    """
    from nbgrader.api import Gradebook, MissingEntry

    members = read_team_members(teams)
    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    result: dict[str, TeamMarks] = {}
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        known_assignments = sorted(a.name for a in gb.assignments)
        if assignment not in known_assignments:
            raise InvalidInputError(
                f"the assignment {assignment!r} is not in the gradebook (known: "
                f"{', '.join(known_assignments) or 'none'}); generate it and collect or import "
                "the team notebooks first")
        rubric_cells = {c.name for nb in gb.find_assignment(assignment).notebooks
                        for c in nb.grade_cells} & set(RUBRIC)
        if not rubric_cells:
            raise InvalidInputError(
                f"{assignment} has no rubric cells ({', '.join(RUBRIC)}): is it a team notebook?")
        known = {s.id for s in gb.students}
        unknown = sorted({s for ids in members.values() for s in ids} - known)
        if unknown:
            raise InvalidInputError(f"{teams}: students not in the gradebook: "
                                    f"{', '.join(unknown)}; add them to the course first")
        for team, ids in sorted(members.items()):
            grades: dict[str, list] = {g: [] for g in RUBRIC}
            without, copies = [], []
            for student in ids:
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    without.append(student)
                    continue
                copies.append(sub)
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        if grade.name in grades:
                            grades[grade.name].append(grade)
            marks: dict[str, float | None] = {}
            for name, found in grades.items():
                given = {float(g.manual_score) for g in found if g.manual_score is not None}
                if len(given) > 1:
                    raise InvalidInputError(
                        f"team {team}: the copies of {assignment} carry different marks for "
                        f"{name!r} ({' and '.join(f'{v:g}' for v in sorted(given))}); mark one "
                        "copy only, or give them one mark")
                marks[name] = given.pop() if given else None
                if marks[name] is not None:
                    for g in found:
                        g.manual_score = marks[name]
                        g.needs_manual_grade = False
            gb.db.commit()
            copied = []
            if copies and without:
                source = max(copies, key=lambda c: sum(
                    g.manual_score is not None for nb in c.notebooks for g in nb.grades))
                for student in without:
                    _copy_submission(gb, root, assignment, source, student)
                    copied.append(student)
                without = []
            result[team] = TeamMarks(team, marks, without, copied)
        gb.db.commit()
    return result


def _copy_submission(gb: Any, root: Path, assignment: str, source: Any, student: str) -> None:
    """Give ``student`` a submission copied from ``source`` (a team member's): grades and files."""
    extra = {"timestamp": source.timestamp} if source.timestamp is not None else {}
    sub = gb.add_submission(assignment, student, **extra)
    by_cell = {(nb.name, g.name): g for nb in source.notebooks for g in nb.grades}
    for nb in sub.notebooks:
        for grade in nb.grades:
            origin = by_cell.get((nb.name, grade.name))
            if origin is None:
                continue
            grade.auto_score = origin.auto_score
            grade.manual_score = origin.manual_score
            grade.extra_credit = origin.extra_credit
            grade.needs_manual_grade = origin.needs_manual_grade
    gb.db.commit()
    for step in ("submitted", "autograded"):
        there = root / step / source.student_id / assignment
        here = root / step / student / assignment
        if there.is_dir() and not here.exists():
            shutil.copytree(there, here)
            if step == "submitted":
                from .handin_times import check_time, record_time

                # the team's hand-in time: checked for the copy when it was for the original
                if check_time(root, assignment, source.student_id) == "checked":
                    record_time(root, assignment, [student], "team copy")
                _ledger_copy(root, assignment, source.student_id, student)


def _ledger_copy(root: Path, assignment: str, source: str, student: str) -> None:
    """Give ``student`` the autograder's result of the team copy it now holds (else the ledger
    still says "missing", and export would count the notebook as 0, not the team's mark)."""
    from dataclasses import replace

    from .autograde import _write_ledger, read_ledger
    from .submissions import fingerprint

    ledger = read_ledger(root, assignment)
    origin = ledger.get(source)
    if origin is None:
        return
    folder = root / "submitted" / student / assignment
    ledger[student] = replace(origin, student=student, reused=False, seconds=0.0,
                              fingerprint=fingerprint(folder), overrides=[],
                              detail=f"the team's hand-in, copied from {source}")
    _write_ledger(root, assignment, ledger)


def participation_total(sheet: str | Path, out: str | Path | None = None) -> pd.DataFrame:
    """Add the four classes' participation marks (0-10 each) into one mark out of 40.

    Parameters
    ----------
    sheet
        CSV with ``student_id`` and one column per class (:data:`CLASSES`), as spreadsheets
        save it (see :func:`migdata.grading.report.read_marks_file`). A class left empty is a
        gap: that student's total stays empty until it is filled (write 0 for an absence).
    out
        Optional CSV to write (``student_id,participation``) for ``export --marks``. A student
        with a class not marked yet is left out of it, so that ``export`` exports everyone else
        and leaves that student's final empty (see :func:`not_marked_yet` for who they are).

    Raises
    ------
    MissingColumnsError
        Without ``student_id`` or one of the four class columns.
    InvalidInputError
        For a mark that is not a number from 0 to 10, or a student listed twice.
    """
    import pandas as pd

    from .report import parse_number

    table = read_marks_file(sheet)
    missing = {"student_id", *CLASSES} - set(table.columns)
    if missing:
        raise MissingColumnsError(f"{sheet} lacks columns {sorted(missing)}; expected "
                                  f"student_id and {', '.join(CLASSES)} (0-10 each)")
    twice = sorted(set(table.loc[table["student_id"].duplicated(), "student_id"]))
    if twice:
        raise InvalidInputError(f"{sheet}: students listed more than once: {', '.join(twice)}")
    marks = pd.DataFrame({"student_id": table["student_id"].astype("string")})
    for column in CLASSES:
        text = table[column].fillna("").astype(str).str.strip()
        values = text.map(lambda t: parse_number(t) if t else float("nan")).astype(float)
        bad = table.loc[(text != "") & (values.isna() | (values < 0) | (values > 10)),
                        ["student_id", column]]
        if len(bad):
            first = bad.iloc[0]
            raise InvalidInputError(
                f"{sheet}: {column} of {first['student_id']} is {first[column]!r}; marks go "
                "from 0 to 10 per class")
        marks[column] = values.astype(float)
    marks["participation"] = marks[list(CLASSES)].sum(axis=1, min_count=len(CLASSES))
    marks.loc[marks[list(CLASSES)].isna().any(axis=1), "participation"] = float("nan")
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        complete = marks.dropna(subset=["participation"])
        complete[["student_id", "participation"]].to_csv(out, index=False)
    return marks


def not_marked_yet(table: pd.DataFrame) -> dict[str, list[str]]:
    """Student -> the classes not marked yet, from a :func:`participation_total` table."""
    gaps: dict[str, list[str]] = {}
    for _, row in table.iterrows():
        empty = [c for c in CLASSES if row[c] != row[c]]  # NaN
        if empty:
            gaps[str(row["student_id"])] = empty
    return gaps


def main(argv: list[str] | None = None) -> int:
    """Command line: ``spread ASSIGNMENT TEAMS`` or ``participation SHEET OUT``."""
    from migdata.errors import MigdataError

    parser = argparse.ArgumentParser(prog="python -m migdata.grading.teamwork",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--course-dir", type=Path, default=Path("autograder"))
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("spread", help="give one team's marks to every member's copy")
    p.add_argument("assignment")
    p.add_argument("teams", type=Path)
    p = sub.add_parser("participation", help="add the four classes into one mark out of 40")
    p.add_argument("sheet", type=Path)
    p.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "spread":
            status = 0
            for team, result in spread_team_marks(args.course_dir, args.assignment,
                                                  args.teams).items():
                given = ", ".join(f"{k} {'not marked yet' if v is None else f'{v:g}'}"
                                  for k, v in result.marks.items())
                print(f"team {team}: {given}")
                if result.copied:
                    print(f"  {', '.join(result.copied)} had no copy of their own: each now has "
                          "a copy of the team's notebook with the team's marks")
                if result.without_copy:
                    status = 1
                    print(f"  nobody in team {team} handed in {args.assignment}: "
                          f"{', '.join(result.without_copy)} have no copy, so no notebook mark "
                          "and no final yet; import or collect the team's notebook, then run "
                          "this again", file=sys.stderr)
            return status
        table = participation_total(args.sheet, args.out)
        gaps = not_marked_yet(table)
        print(f"wrote {args.out}: {len(table) - len(gaps)} of {len(table)} students")
        for student, classes in gaps.items():
            print(f"  {student}: {' and '.join(classes)} not marked yet; left out, so their "
                  "final stays empty until you fill it in and run this again")
    except (MigdataError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
