"""The end-of-run report and the grade export (CSV).

The curriculum grades the Unit 2.4 empirical work as relevance of the data 20%, analysis and
explanation 30%, presentation and oral delivery 10%, participation in class discussions 40%. The
Unit 2.4 notebook carries the first two (50 points, marked partly by tests and partly by the
lecturer); presentation and participation happen in the room, so the lecturer records them in a
small CSV that :func:`export_grades` joins to give the final mark out of 100.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migdata.errors import InvalidInputError, MissingColumnsError

from .autograde import STATUSES, GradeResult, read_ledger
from .config import DEFAULT_TIMEZONE, course_timezone, load_config
from .csvsafe import open_private, safe_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_TIMEZONE", "FINAL_STATUSES", "LECTURER_MARKS", "blank_unconfirmed", "course_timezone",
    "export_grades", "format_report", "late_by", "local_time", "locked_cell_failures",
    "locked_failure_note", "parse_number", "points",
    "points_by_student", "read_marks_file", "refresh_late_penalties",
]

FINAL_STATUSES = frozenset({"graded", "timed_out"})
"""Statuses whose score can be a final mark (the others need the lecturer first)."""

LECTURER_MARKS = {"presentation": 10.0, "participation": 40.0}
"""Marks the lecturer records outside the notebook, with their maximum (curriculum, Unit 2.4)."""


def format_report(results: Sequence[GradeResult], assignment: str,
                  split: Mapping[str, Mapping[str, float]] | None = None,
                  *, now: bool = True,
                  overrides: Mapping[str, Sequence[str]] | None = None) -> str:
    """One table for the lecturer: per student score, maximum, status and what went wrong.

    Parameters
    ----------
    results
        As returned by :func:`migdata.grading.autograde.autograde`.
    assignment
        The assignment id, for the title.
    split
        Optional, from :func:`points_by_student` (the gradebook as it is now): then ``score`` is
        the gradebook's current score (written marks given since the autograding included, never
        the score stored at autograding time), the table also shows the autograded points
        (``auto``) and the points of written answers still to be marked (``to mark``) apart, and
        ``final`` shows the mark (score less any late penalty) only when nothing is left to mark
        and the status is graded or timed out; otherwise ``-``. A late hand-in's detail says
        by how much and its penalty (``late by 1 h 30 min, penalty 19``). A student whose
        status is not graded or timed out shows score 0 and ``-``: the gradebook holds nothing
        of that hand-in, or an earlier hand-in's scores, which do not count.
    now
        True right after autograding; False when the report is read later (``report``), so the
        timing line speaks of the last autograding, not of now, and no hand-in is said to be
        "not regraded" (``report`` grades nothing).
    overrides
        Optional, from :func:`formgrader_overrides`: test cells whose score the lecturer set in
        the formgrader, named in the student's detail.

    The column ``time`` says whether the hand-in time is one the kit wrote or the lecturer set
    (``checked``), or not (``unchecked``: a ``timestamp.txt`` copied in by hand, perhaps the
    student's own, or none), ``-`` without a hand-in.

    Returns
    -------
    str
        A plain-text table followed by counts per status.
    """
    people = "student" if len(results) == 1 else "students"
    lines = [f"Autograding report: {assignment}  ({len(results)} {people})"]
    width = max([len("student"), *(len(r.student) for r in results)])
    extra = f"  {'auto':>11}  {'to mark':>7}  {'final':>5}" if split is not None else ""
    header = (f"{'student':<{width}}  {'score':>6}  {'max':>5}{extra}  {'time':<9}  "
              f"{'status':<16}  detail")
    lines += [header, "-" * len(header)]
    for r in results:
        note = ("(unchanged, not regraded) " if r.reused and now else "") + r.detail
        if r.overrides:  # formgrader scores settled at this grading (none when reused)
            note = "; ".join([*([note] if note else []), *r.overrides])
        if overrides and overrides.get(r.student) and r.status in FINAL_STATUSES:
            changed = "formgrader score(s) of test cells: " + ", ".join(overrides[r.student])
            note = f"{changed}; {note}" if note else changed
        checked = r.time_check.split(":")[0]
        time = {"checked": "checked", "not checked": "unchecked"}.get(checked, "-")
        cols = ""
        score = r.score if r.status in FINAL_STATUSES else 0.0
        if split is not None:
            p = split.get(r.student)
            if p and r.status not in FINAL_STATUSES:
                # not graded: the gradebook holds no scores of this hand-in (or an earlier one's)
                p = None
            if p:
                score = p["auto_score"] + p["manual_score"]
                done = p["to_mark"] == 0 and r.status in FINAL_STATUSES
                final = f"{max(score - p.get('late_penalty', 0.0), 0.0):>5.1f}" if done \
                    else f"{'-':>5}"
                cols = (f"  {p['auto_score']:>5.1f}/{p['auto_max']:<5.1f}  {p['to_mark']:>7.1f}"
                        f"  {final}")
                if p.get("seconds_late", 0.0) > 0:
                    late = (f"late by {late_by(p['seconds_late'])}, "
                            f"penalty {p.get('late_penalty', 0.0):g}")
                    note = f"{late}; {note}" if note else late
            else:
                cols = f"  {'-':>11}  {'-':>7}  {'-':>5}"
        lines.append(
            f"{r.student:<{width}}  {score:>6.1f}  {r.max_score:>5.1f}{cols}  {time:<9}  "
            f"{r.status.replace('_', ' '):<16}  {note}"
        )
    counts = Counter(r.status for r in results)
    lines.append("")
    for status, meaning in STATUSES.items():
        if counts.get(status):
            lines.append(f"{counts[status]:>4}  {meaning}")
    review = sum(1 for r in results if r.detail.startswith("to review"))
    if review:
        lines.append(f"{review} student(s) have code to review (detail 'to review, score kept', "
                     "flagged in the formgrader): read it before the score is final.")
    unchecked = [r.student for r in results if r.time_check.startswith("not checked")]
    if unchecked:
        lines.append(f"{len(unchecked)} student(s) have a hand-in time the kit did not write "
                     "(column 'time': unchecked; named in the warnings below): their lateness "
                     "rests on it. Check each and set it with migdata-course set-time STUDENT "
                     "ASSIGNMENT 'YYYY-MM-DD HH:MM'.")
    if split is not None:
        waiting = sum(1 for r in results if r.status in FINAL_STATUSES
                      and split.get(r.student, {}).get("to_mark", 0) > 0)
        if waiting:
            lines.append(f"{waiting} student(s) have written answers still to be marked "
                         "(column 'to mark'): their score is not final yet ('final' is -).")
    graded = [r for r in results if r.seconds > 0]
    if graded:
        total = sum(r.seconds for r in graded)
        noun = "submission" if len(graded) == 1 else "submissions"
        when = "now" if now else "at the last autograding"
        lines.append(f"Graded {len(graded)} {noun} {when} ({total / len(graded):.1f} s each).")
    return "\n".join(lines)


def locked_cell_failures(course_dir: str | Path, assignment: str) -> dict[str, list[str]]:
    """Locked cells that are not tests (the instructor's set-up) which raised an error.

    A failing set-up cell (the data not found where grading runs, an import missing) makes every
    later cell fail, and the notebook scores 0 with status *graded*: the fault is the course's,
    not the student's. This reads the autograded notebooks
    (``autograded/<student>/<assignment>/*.ipynb``) for such cells.

    Returns
    -------
    dict
        Student id -> ``"<notebook>:<grade_id>: <error name>: <message>"`` per failed cell.
    """
    import nbformat

    root = Path(load_config(course_dir).CourseDirectory.root)
    found: dict[str, list[str]] = {}
    for path in sorted((root / "autograded").glob(f"*/{assignment}/*.ipynb")):
        student = path.parent.parent.name
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # an unreadable notebook is autograde's to report
            continue
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("locked") or meta.get("grade") or meta.get("solution"):
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    found.setdefault(student, []).append(
                        f"{path.name}:{meta.get('grade_id', '?')}: {output.get('ename', '')}: "
                        f"{str(output.get('evalue', ''))[:120]}")
    return found


def locked_failure_note(failures: Mapping[str, Sequence[str]], total: int) -> str:
    """The lecturer's hint when set-up cells failed (see :func:`locked_cell_failures`)."""
    if not failures:
        return ""
    first = next(iter(failures.values()))[0]
    return (f"{len(failures)} of {total} student(s): a locked set-up cell (yours, not the "
            f"student's) failed while grading, e.g. {first}. Every later cell fails with it, so "
            "those scores are not the students' work: fix the cause (data or packages missing "
            "where grading runs, e.g. in the sandbox), then autograde again with --force.")


def late_by(seconds: float) -> str:
    """A lateness in words: ``1 h 30 min``, ``2 d 3 h``, ``45 s``."""
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs and minutes < 10 else f"{minutes} min"
    return f"{secs} s"


def points_by_student(course_dir: str | Path, assignment: str) -> dict[str, dict[str, float]]:
    """:func:`points` of every submission of an assignment in the gradebook, by student id."""
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    plugin = _late_plugin(cfg)
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        out = {}
        for sub in submissions:
            out[sub.student.id] = points(sub)
            # the penalty of the score as it is now (nbgrader's is from autograding time)
            out[sub.student.id]["late_penalty"] = sum(
                _penalty_now(plugin, sub, nb) or 0.0 for nb in sub.notebooks)
            out[sub.student.id]["seconds_late"] = float(sub.total_seconds_late or 0)
        return out


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


def read_marks_file(path: str | Path) -> pd.DataFrame:
    """Read a marks CSV as spreadsheets save it: ``,`` or ``;``, decimal point or comma, any BOM.

    Excel in an Azerbaijani or Russian locale saves ``;``-separated files with decimal commas
    (``100231;8,5;35``); in an English locale, ``,`` and points. Both are read, with or without
    the UTF-8 byte order mark Excel puts first. Student ids stay text (leading zeros kept).

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        The table, every column as text (stripped), header names stripped.

    Raises
    ------
    InvalidInputError
        If the file is not UTF-8 text or has no header row.
    """
    import csv
    import io

    import pandas as pd

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not UTF-8 text (byte {exc.start}); in Excel use Save As -> "
            "'CSV UTF-8 (comma delimited)'"
        ) from exc
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise InvalidInputError(f"{path} is empty; expected a header row and one row per student")
    header = lines[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                        quoting=csv.QUOTE_MINIMAL, skipinitialspace=True)
    table.columns = [str(c).strip() for c in table.columns]
    return table.apply(lambda col: col.str.strip())


def parse_number(value: str) -> float:
    """A number written with a decimal point or a decimal comma (``8.5``, ``8,5``); NaN if not."""
    import math

    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return math.nan
    return number


def _read_marks(path: Path, columns: Sequence[str] = tuple(LECTURER_MARKS)) -> pd.DataFrame:
    marks = read_marks_file(path)
    missing = {"student_id", *columns} - set(marks.columns)
    if missing:
        raise MissingColumnsError(
            f"{path} lacks columns {sorted(missing)}; expected student_id, "
            + ", ".join(f"{k} (0-{LECTURER_MARKS[k]:g})" for k in columns)
            + f"; found {list(marks.columns)}"
        )
    marks = marks[marks["student_id"] != ""]
    for column in columns:
        top = LECTURER_MARKS[column]
        values = marks[column].map(parse_number)
        bad = marks.loc[values.isna() | (values < 0) | (values > top), ["student_id", column]]
        if len(bad):
            raise InvalidInputError(
                f"{path}: {column} must be a number from 0 to {top:g}; bad rows: "
                + bad.to_dict("records").__repr__()
            )
        marks[column] = values.astype(float)
    if marks["student_id"].duplicated().any():
        dup = sorted(set(marks.loc[marks["student_id"].duplicated(), "student_id"]))
        raise InvalidInputError(f"{path}: students listed twice: {dup}")
    return marks[["student_id", *columns]].astype({"student_id": "string"})


def local_time(moment: Any, tz: Any) -> str | None:
    """A gradebook time (naive UTC, as nbgrader stores it) in the course's zone, with offset."""
    from datetime import UTC

    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).isoformat(sep=" ", timespec="seconds")


def points(submission: Any) -> dict[str, float]:
    """Autograded points and written (manually marked) points of a submission, kept apart.

    Returns
    -------
    dict
        ``auto_score``, ``auto_max`` (test cells), ``manual_score`` (marks given so far),
        ``manual_max`` (written answers), ``to_mark`` (points of written answers that still need
        a mark: flagged for marking, even when an earlier mark is kept, as after autograding
        again; or blank and unconfirmed) and ``late_penalty`` (nbgrader's
        late-submission penalty, 0 when on time).
    """
    out = dict.fromkeys(("auto_score", "auto_max", "manual_score", "manual_max", "to_mark"), 0.0)
    out["late_penalty"] = float(getattr(submission, "late_submission_penalty", 0.0) or 0.0)
    for notebook in submission.notebooks:
        written = {cell.name for cell in notebook.notebook.solution_cells}
        for grade in notebook.grades:
            top = float(grade.max_score or 0)
            if grade.name in written:
                out["manual_max"] += top
                if grade.manual_score is not None:
                    out["manual_score"] += float(grade.manual_score)
                if grade.manual_score is None or grade.needs_manual_grade:
                    # no mark, or a mark nbgrader flagged again when it autograded once more
                    # (autograde --force keeps the mark but asks for it again): still to mark
                    out["to_mark"] += top
            else:
                out["auto_max"] += top
                score = grade.manual_score if grade.manual_score is not None else grade.auto_score
                out["auto_score"] += float(score or 0)
                if grade.manual_score is not None and grade.needs_manual_grade:
                    # your formgrader score of a test cell, flagged again by autograding:
                    # it may belong to an earlier answer, so it is not final until confirmed
                    out["to_mark"] += top
    return out


def formgrader_overrides(course_dir: str | Path, assignment: str) -> dict[str, list[str]]:
    """Autograded test cells whose score the lecturer set in the formgrader, by student.

    nbgrader lets the formgrader's score of a test cell replace the tests' score. Each such cell
    is listed as ``a2a_test 1 (tests: 0)``, so a score changed by accident is seen.
    """
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    found: dict[str, list[str]] = {}
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for sub in submissions:
            for notebook in sub.notebooks:
                written = {cell.name for cell in notebook.notebook.solution_cells}
                for grade in notebook.grades:
                    if grade.name in written or grade.manual_score is None:
                        continue
                    flagged = ", flagged: confirm it" if grade.needs_manual_grade else ""
                    found.setdefault(sub.student.id, []).append(
                        f"{grade.name} {grade.manual_score:g} (tests: {grade.auto_score or 0:g}"
                        f"{flagged})")
    return found


def _late_plugin(cfg: Any) -> Any:
    from nbgrader.preprocessors import AssignLatePenalties

    assign = AssignLatePenalties(config=cfg)
    assign.init_plugin()
    return assign.plugin_inst


def _penalty_now(plugin: Any, sub: Any, nb: Any) -> float | None:
    """The course's late penalty of one notebook at its current score (None when on time)."""
    seconds = float(sub.total_seconds_late or 0)
    if seconds <= 0:
        return None
    penalty = plugin.late_submission_penalty(sub.student.id, float(nb.score), seconds)
    return None if penalty is None else min(max(float(penalty), 0.0), float(nb.score))


def refresh_late_penalties(course_dir: str | Path, assignments: Sequence[str]) -> int:
    """Recompute nbgrader's late penalties from the scores as they are now, and store them.

    nbgrader computes a late hand-in's penalty once, when it autogrades, from the score at
    that moment; written answers marked afterwards in the formgrader are not in it. With
    ``c.LateSubmissionPlugin.penalty_method = "zero"``, a late hand-in autograded at 14 and
    then marked up to 21 kept a penalty of 14, a final mark of 7 instead of 0. This applies the
    course's plugin (``c.AssignLatePenalties.plugin_class``, nbgrader's LateSubmissionPlugin
    unless configured) again to each notebook's current score, with nbgrader's own bounds
    (0 to the score), so export, feedback and the formgrader show the same, current penalty.

    Returns
    -------
    int
        Number of notebooks whose penalty changed.
    """
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    plugin = _late_plugin(cfg)
    changed = 0
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        for assignment in assignments:
            try:
                submissions = gb.assignment_submissions(assignment)
            except MissingEntry:
                continue
            for sub in submissions:
                for nb in sub.notebooks:
                    penalty = _penalty_now(plugin, sub, nb)
                    if nb.late_submission_penalty != penalty:
                        nb.late_submission_penalty = penalty
                        changed += 1
        gb.db.commit()
    return changed


def _read_teams(path: Path) -> pd.DataFrame:
    """Teams of the 2.4.1 presentations: student_id, team, presentation (one mark per team).

    The team's presentation mark may be written on every member's row or on one of them; where
    several rows of a team give one, they must agree. A team without a mark gets none (a gap).
    """
    import pandas as pd

    # read as spreadsheets save it (; or , and decimal commas, any BOM), like the marks file
    teams = read_marks_file(path).replace("", pd.NA)
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
    values = teams["presentation"].where(given).map(
        lambda v: parse_number(v) if isinstance(v, str) else float("nan"))
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
    return teams[["student_id", "team", "presentation"]].astype(
        {"student_id": "string", "team": "string"})


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
        column out of 100 is added (``score_after_penalty`` + presentation + participation),
        left empty for students without marks, whose written answers still need marking, who
        left written answers blank that the lecturer has not confirmed yet
        (``blank_unconfirmed`` above 0), or whose hand-in was not graded.
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
        blank_unconfirmed (see :func:`blank_unconfirmed`), late_penalty (of the current score,
        see :func:`refresh_late_penalties`; ``score`` is before it), score_after_penalty
        (``score`` less ``late_penalty``, never below 0: the notebook's mark; 0 for status
        ``missing``, and empty, with ``score`` 0, for any status but graded, timed out and
        missing: that hand-in was not graded, and the gradebook may hold an earlier one's
        scores), timestamp (the
        hand-in time in the course's time zone, with its UTC offset: see :func:`course_timezone`),
        auto_score and auto_max (tests), manual_score and manual_max (written answers) and
        to_mark (points of written answers still without a mark), see :func:`points` (and
        presentation, participation, final with ``marks``).
    """
    import pandas as pd
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    tz = course_timezone(cfg)
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        names = list(assignments) if assignments else [a.name for a in gb.assignments]
    # late penalties of the scores as they are now (nbgrader's are from autograding time)
    refresh_late_penalties(course_dir, names)
    rows = []
    counted: list[bool] = []  # whether the row's score is a notebook mark (see below)
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
                    sub = None
                status = entry.status if entry else ("graded" if sub is not None else "missing")
                if sub is None or status not in FINAL_STATUSES:
                    # nothing handed in: 0 for the notebook. Any other status is a hand-in that
                    # was not graded (renamed, refused, unreadable, the kernel died...): whatever
                    # the gradebook holds is an earlier hand-in's, so no mark at all
                    counted.append(status == "missing")
                    rows.append((assignment, student, status, 0.0, max_score, False, 0, 0.0,
                                 None, 0.0, None, 0.0, None, None))
                    continue
                counted.append(True)
                split = points(sub)
                rows.append((
                    assignment, student, status, float(sub.score), max_score,
                    bool(sub.needs_manual_grade), blank_unconfirmed(sub),
                    float(sub.late_submission_penalty), local_time(sub.timestamp, tz),
                    split["auto_score"], split["auto_max"], split["manual_score"],
                    split["manual_max"], split["to_mark"],
                ))
    table = pd.DataFrame(rows, columns=[
        "assignment", "student_id", "status", "score", "max_score", "needs_manual_grade",
        "blank_unconfirmed", "late_penalty", "timestamp", "auto_score", "auto_max",
        "manual_score", "manual_max", "to_mark",
    ])
    # 'score' is before the late penalty (nbgrader's); this is the notebook's mark after it,
    # left empty for a hand-in that was not graded (and so 'final' too)
    table.insert(table.columns.get_loc("late_penalty") + 1, "score_after_penalty",
                 (table["score"] - table["late_penalty"]).clip(lower=0.0).where(
                     pd.Series(counted, index=table.index, dtype=bool)))
    if teams is not None and marks is None:
        raise InvalidInputError("teams need marks (the participation marks) as well")
    if marks is not None:
        if teams is None:
            lecturer = _read_marks(Path(marks))
        else:
            if "presentation" in read_marks_file(marks).columns:
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
        # the notebook's mark counts after the late penalty (finding 1 of the issue 22 trial:
        # 46 points late by the 'zero' method gave a final of 89.5 instead of 43.5)
        final = table["score_after_penalty"] + table["presentation"] + table["participation"]
        complete = ~table["needs_manual_grade"].astype(bool) & (table["blank_unconfirmed"] == 0)
        table["final"] = final.where(complete)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # text cells that a spreadsheet would run as a formula get an apostrophe (see csvsafe)
    with open_private(out) as fh:  # it lists students: readable by its owner alone
        safe_frame(table).to_csv(fh, index=False)
    return table
