"""Moodle: importing "Download all submissions" zips, and grades and feedback files back.

Moodle names each handed-in file after the student and a *participant id*:

==============================  ==========================================================
Moodle 4.1 and later            ``Aysel Mammadova_1234_assignsubmission_file/unit22.ipynb``
Moodle 3.x, "in folders"        ``Aysel Mammadova_1234_assignsubmission_file_/unit22.ipynb``
older Moodle, flat              ``Aysel Mammadova_1234_assignsubmission_file_unit22.ipynb``
==============================  ==========================================================

The participant id is not the university's student id and can differ from one assignment to the
next, so grades would not line up across assignments. An **id map** (Moodle's grading worksheet,
or any CSV with a participant id and a student id column) turns participant ids into the
university's ids; without one the participant id is the student id. Every import adds to a
**roster** (``.migdata-course/roster.csv``: assignment, participant id, student id, full name), and
the names go into the gradebook. The roster is what :func:`write_grading_worksheet` and
:func:`write_feedback_zip` use to write Moodle's own upload formats back: the offline grading
worksheet ("Upload grading worksheet") and a zip for "Upload multiple feedback files in a zip".
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from migdata.errors import InvalidInputError

from .config import load_config
from .csvsafe import open_private, safe_row

__all__ = [
    "ImportReport",
    "import_zip",
    "parse_name",
    "read_id_map",
    "read_roster",
    "write_feedback_zip",
    "write_grading_worksheet",
]

_NAME = re.compile(
    r"(?:^|/)(?P<full_name>[^/]+?)_(?P<participant>\d+)_assign(?:submission|feedback)_"
    r"(?P<plugin>[a-z]+)(?:_/|/|_)(?P<file>[^/]+)$"
)
ROSTER_COLUMNS = ["assignment", "participant_id", "student_id", "full_name"]


def parse_name(name: str) -> dict[str, str] | None:
    """Split a file name of a Moodle submissions zip; None when it is not one.

    Returns
    -------
    dict or None
        ``full_name``, ``participant`` (digits), ``plugin`` (``file``, ``onlinetext``, ...) and
        ``file`` (the name the student gave the file).
    """
    match = _NAME.search(name.replace("\\", "/"))
    return match.groupdict() if match else None


@dataclass
class ImportReport:
    """What :func:`import_zip` did.

    Attributes
    ----------
    imported
        Student id -> notebook files written to ``submitted/<student>/<assignment>/``.
    skipped
        (zip entry, why) for every file not imported.
    names
        Student id -> full name, as Moodle gave it.
    """

    imported: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def read_id_map(path: str | Path) -> dict[str, str]:
    """Participant id -> university student id, from a CSV.

    Accepted: Moodle's grading worksheet ("Download grading worksheet": column ``Identifier`` with
    ``Participant 1234``, and ``ID number`` or else ``Email address``), or any CSV with columns
    ``participant_id`` and ``student_id``. ``,`` or ``;``, with or without a BOM.

    Raises
    ------
    InvalidInputError
        If no participant column or no id column is found, or a participant appears twice.
    """
    from .report import read_marks_file

    table = read_marks_file(path)
    lower = {c.lower(): c for c in table.columns}
    part = lower.get("participant_id") or lower.get("identifier")
    ident = lower.get("student_id") or lower.get("id number") or lower.get("email address")
    if part is None or ident is None:
        raise InvalidInputError(
            f"{path}: expected columns participant_id and student_id (or Moodle's grading "
            f"worksheet: Identifier and ID number / Email address); found {list(table.columns)}"
        )
    mapping: dict[str, str] = {}
    for raw, student in zip(table[part], table[ident], strict=True):
        digits = re.sub(r"\D", "", raw)
        if not digits or not student:
            continue
        if digits in mapping and mapping[digits] != student:
            raise InvalidInputError(f"{path}: participant {digits} is mapped twice")
        mapping[digits] = student
    if not mapping:
        raise InvalidInputError(f"{path}: no participant with a student id")
    return mapping


def _roster_path(root: Path) -> Path:
    return root / ".migdata-course" / "roster.csv"


def read_roster(course_dir: str | Path) -> list[dict[str, str]]:
    """The roster rows (assignment, participant_id, student_id, full_name) of a course."""
    root = Path(load_config(course_dir).CourseDirectory.root)
    path = _roster_path(root)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _save_roster(root: Path, rows: list[dict[str, str]]) -> None:
    path = _roster_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path) as fh:  # the class list: readable by its owner alone
        writer = csv.DictWriter(fh, fieldnames=ROSTER_COLUMNS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["assignment"], r["student_id"])))


def import_zip(
    course_dir: str | Path,
    assignment: str,
    zips: list[str | Path],
    *,
    id_map: dict[str, str] | None = None,
) -> ImportReport:
    """Unpack Moodle "Download all submissions" zips into ``submitted/<student>/<assignment>/``.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py``.
    assignment
        Assignment id (its student version must have been generated: ``release/<assignment>/``).
    zips
        The downloaded zip files.
    id_map
        Participant id -> student id (:func:`read_id_map`). With it, participants missing from
        the map are skipped (and reported); without it the participant id is the student id.

    Returns
    -------
    ImportReport
        Imported and skipped files, and the students' names. Every import updates the roster and
        the students' names in the gradebook. ``timestamp.txt`` is the file's time in the zip
        (Moodle's last modification, in the course's time zone).
    """
    from nbgrader.api import Gradebook

    from .feedback import remember_marks
    from .report import course_timezone

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    tz = course_timezone(cfg)
    expected = {p.name for p in (root / "release" / assignment).glob("*.ipynb")}
    report = ImportReport()
    roster = {(r["assignment"], r["participant_id"]): r for r in read_roster(course_dir)}
    latest: dict[str, datetime] = {}
    replaced: set[str] = set()
    for zip_path in map(Path, zips):
        if not zip_path.is_file():
            raise InvalidInputError(
                f"no such file: {zip_path}; expected the Moodle download (.zip)")
        try:
            archive = zipfile.ZipFile(zip_path)
        except zipfile.BadZipFile as exc:
            raise InvalidInputError(f"{zip_path} is not a zip file: {exc}") from exc
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                entry = f"{zip_path.name}:{info.filename}"
                parts = parse_name(info.filename)
                if parts is None:
                    report.skipped.append((entry, "not named like a Moodle submission file"))
                    continue
                if parts["plugin"] != "file":
                    report.skipped.append((entry, f"a Moodle '{parts['plugin']}' submission, "
                                                  "not a file"))
                    continue
                if not parts["file"].endswith(".ipynb"):
                    report.skipped.append((entry, "not a notebook (.ipynb)"))
                    continue
                participant = parts["participant"]
                student = id_map.get(participant) if id_map is not None else participant
                if not student:
                    report.skipped.append((entry, f"participant {participant} "
                                                  f"({parts['full_name']}) is not in the id map"))
                    continue
                if expected and parts["file"] not in expected:
                    # kept: autograde reports it as renamed, so the lecturer sees it
                    pass
                dest = root / "submitted" / student / assignment
                if dest.is_dir() and student not in replaced and student not in latest:
                    # a new download replaces the student's earlier hand-in as a whole; written
                    # marks given to that earlier version become stale (feedback warns)
                    remember_marks(course_dir, assignment, [student])
                    shutil.rmtree(dest)
                    replaced.add(student)
                dest.mkdir(parents=True, exist_ok=True)
                (dest / parts["file"]).write_bytes(archive.read(info))
                moment = datetime(*info.date_time, tzinfo=tz)
                if student not in latest or moment > latest[student]:
                    latest[student] = moment
                    stamp = moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S.%f %z")
                    (dest / "timestamp.txt").write_text(stamp, encoding="utf-8")
                report.imported.setdefault(student, []).append(parts["file"])
                report.names[student] = parts["full_name"]
                roster[(assignment, participant)] = {
                    "assignment": assignment, "participant_id": participant,
                    "student_id": student, "full_name": parts["full_name"],
                }
    _save_roster(root, list(roster.values()))
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        for student, name in report.names.items():
            first, _, last = name.rpartition(" ")
            gb.update_or_create_student(student, first_name=first or name, last_name=last)
    return report


def _roster_for(course_dir: str | Path, assignment: str) -> list[dict[str, str]]:
    rows = [r for r in read_roster(course_dir) if r["assignment"] == assignment]
    if not rows:
        raise InvalidInputError(
            f"no Moodle roster for {assignment}: import its submissions with "
            "`migdata-course import-zip` first (the roster holds Moodle's participant ids)"
        )
    return rows


def write_grading_worksheet(course_dir: str | Path, assignment: str, out: str | Path,
                            table) -> int:
    """Moodle's offline grading worksheet with the grades, for "Upload grading worksheet".

    Parameters
    ----------
    course_dir
        Course folder.
    assignment
        Assignment id (the Moodle assignment its zip came from).
    out
        CSV file to write (UTF-8, ``,``, decimal point: what Moodle reads).
    table
        The export table of :func:`migdata.grading.report.export_grades` for this assignment.

    Returns
    -------
    int
        Rows with a grade. A student whose written answers are not all marked gets an empty grade
        (Moodle leaves the grade unchanged), never a mark that only looks complete.
    """
    rows = _roster_for(course_dir, assignment)
    by_student = {str(r.student_id): r for r in table.itertuples() if r.assignment == assignment}
    graded = 0
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_private(out) as fh:  # it lists students: readable by its owner alone
        writer = csv.writer(fh)
        writer.writerow(safe_row(["Identifier", "Full name", "Grade", "Maximum Grade",
                                  "Feedback comments"]))
        for r in sorted(rows, key=lambda r: r["full_name"]):
            row = by_student.get(r["student_id"])
            grade, top, note = "", "", ""
            if row is not None:
                top = f"{row.max_score:g}"
                complete = not row.needs_manual_grade and row.blank_unconfirmed == 0 \
                    and row.status != "missing"
                if complete:
                    grade = f"{row.score:.2f}"
                    graded += 1
                    note = f"Autograded {row.auto_score:g} of {row.auto_max:g} points; written " \
                           f"answers {row.manual_score:g} of {row.manual_max:g}."
            writer.writerow(safe_row([f"Participant {r['participant_id']}", r["full_name"],
                                      grade, top, note]))
    return graded


def write_feedback_zip(course_dir: str | Path, assignment: str, out: str | Path) -> int:
    """A zip for Moodle's "Upload multiple feedback files in a zip", from ``feedback/``.

    Each student's HTML feedback goes into the folder Moodle named in its download
    (``<Full Name>_<participant id>_assignsubmission_file_/``), which is how Moodle matches a
    feedback file to its student.

    Returns
    -------
    int
        Number of feedback files written.
    """
    root = Path(load_config(course_dir).CourseDirectory.root)
    count = 0
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in _roster_for(course_dir, assignment):
            folder = root / "feedback" / r["student_id"] / assignment
            for page in sorted(folder.glob("*.html")):
                name = f"{r['full_name']}_{r['participant_id']}_assignsubmission_file_"
                zf.write(page, f"{name}/{page.name}")
                count += 1
    return count
