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
the names go into the gradebook. The roster is what :func:`fill_grading_worksheet` and
:func:`write_feedback_zip` use to go back to Moodle: the first fills Grade and Feedback comments
in the grading worksheet the lecturer downloaded from Moodle (in any language, every other byte
kept; see :mod:`migdata.grading.worksheet`) for "Upload grading worksheet", the second writes a
zip for "Upload multiple feedback files in a zip".
"""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from migdata.errors import InvalidInputError

from .config import load_config
from .csvsafe import open_private
from .handin_times import hand_in_time
from .worksheet import SubmissionTimes, Worksheet, format_grade, read_worksheet

__all__ = [
    "FeedbackZipReport",
    "ImportReport",
    "WorksheetReport",
    "check_feedback_zip",
    "check_id_map",
    "check_worksheet",
    "class_list",
    "fill_grading_worksheet",
    "hand_in_time",
    "import_zip",
    "parse_name",
    "participants_in",
    "read_id_map",
    "read_roster",
    "write_feedback_zip",
]

_NAME = re.compile(
    r"(?:^|/)(?P<full_name>[^/]+?)_(?P<participant>\d+)_assign(?:submission|feedback)_"
    r"(?P<plugin>[a-z]+)(?:_/|/|_)(?P<file>[^/]+)$"
)
_NESTED = re.compile(
    r"(?:^|/)(?P<full_name>[^/]+?)_(?P<participant>\d+)_assignsubmission_[a-z]+_?/"
    r"(?P<folder>.+)/(?P<file>[^/]+)$"
)
ROSTER_COLUMNS = ["assignment", "participant_id", "student_id", "full_name"]


def _unnamed(name: str, assignment: str) -> str:
    """Why a zip entry that :func:`parse_name` does not take was skipped, and what to do."""
    nested = _NESTED.search(name.replace("\\", "/"))
    if nested is None:
        return "not named like a Moodle submission file"
    return (f"{nested['file']} is in a folder inside {nested['full_name']}'s submission "
            f"({nested['folder']}/); only files at the top of a submission are imported. Ask "
            "the student to upload the notebook itself, not in a folder, and download again; or "
            f"copy the file into submitted/<student id>/{assignment}/ yourself and set its "
            "hand-in time with migdata-course set-time")


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
    times
        Student id -> hand-in time written to ``timestamp.txt``.
    sources
        Student id -> where that time came from: ``"zip"`` (the zip entry's time) or
        ``"worksheet"`` (the grading worksheet's *Last modified (submission)*, to the minute).
    warnings
        What the lecturer must check before grading (e.g. hand-in times that look like the
        download's time rather than the students').
    """

    imported: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    times: dict[str, datetime] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def class_list(course_dir: str | Path) -> dict[str, str]:
    """The course's students in the gradebook: student id -> e-mail ("" when none).

    The class list is loaded with ``nbgrader db student import`` (columns id, first_name,
    last_name, email); empty when it has not been loaded (or there is no gradebook yet).
    """
    from nbgrader.api import Gradebook

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        return {}
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        return {s.id: (s.email or "") for s in gb.students}


def _lost_zeros(values: list[str], ids: set[str]) -> dict[str, str]:
    """Values that are a class-list id with its leading zeros dropped (as Excel does)."""
    stripped: dict[str, str] = {}
    for sid in ids:
        if sid.startswith("0") and sid.isdigit():
            stripped.setdefault(sid.lstrip("0"), sid)
    return {v: stripped[v] for v in values if v not in ids and v in stripped}


def read_id_map(path: str | Path, students: Mapping[str, str] | None = None, *,
                notes: list[str] | None = None) -> dict[str, str]:
    """Participant id -> university student id, from a CSV.

    Accepted: Moodle's grading worksheet ("Download grading worksheet", in any language: the
    identifier column is the one whose every cell is ``<prefix><number>``, such as
    ``Participant 1234``) with an identity field (ID number or e-mail address), or any CSV with
    columns ``participant_id`` and ``student_id``. ``,`` or ``;``, with or without a BOM.

    Parameters
    ----------
    path
        The CSV file.
    students
        The class list (student id -> e-mail, see :func:`class_list`). With it, the worksheet's
        identity column is the one whose cells are the class list's ids or e-mails, and e-mails
        are turned into student ids. Without it, only an English ``ID number`` column is used.
    notes
        When given, sentences for the lecturer are added to it: ids in a column that was not
        used (the e-mails were) that lost their leading zeros.

    Raises
    ------
    InvalidInputError
        If no participant column or no id column is found, a participant appears twice, or
        ids lost their leading zeros (Excel drops them when it opens a CSV).
    """
    from .report import read_marks_file
    from .worksheet import _locate_identifier

    table = read_marks_file(path)
    lower = {c.lower(): c for c in table.columns}
    students = dict(students or {})
    ids = set(students)
    by_email = {e.strip().lower(): sid for sid, e in students.items() if e and e.strip()}
    pairs: list[tuple[str, str]] = []
    if "participant_id" in lower and "student_id" in lower:
        pairs = list(zip(table[lower["participant_id"]], table[lower["student_id"]], strict=True))
    else:
        rows = [list(r) for r in table.itertuples(index=False)
                if any(str(v).strip() for v in r)]
        header = list(table.columns)
        try:
            ident, prefix = _locate_identifier(header, rows, Path(path))
        except InvalidInputError:
            raise InvalidInputError(
                f"{path}: expected columns participant_id and student_id, or Moodle's grading "
                f"worksheet (an identifier column of 'Participant 1234' cells and an ID number "
                f"or e-mail column); found {list(table.columns)}") from None
        others = [c for c in range(len(header)) if c != ident]

        def hits(column: int) -> int:
            return sum(1 for r in rows
                       if r[column] in ids or r[column].strip().lower() in by_email)

        column = None
        if students:
            best = max(others, key=hits, default=None)
            column = best if best is not None and hits(best) > 0 else None
            if column is None:
                zeros = {}
                for c in others:
                    zeros.update(_lost_zeros([r[c] for r in rows], ids))
                if zeros:
                    shown = ", ".join(f"{k} (class list: {v})" for k, v in
                                      sorted(zeros.items())[:5])
                    raise InvalidInputError(
                        f"{path}: its ids lost their leading zeros ({shown}): a spreadsheet "
                        "program opened the CSV and read the ids as numbers. Use the worksheet "
                        "as Moodle downloaded it, or in Excel import it with Data -> From "
                        "Text/CSV and that column's type set to Text")
        elif "id number" in lower:
            column = header.index(lower["id number"])
        elif "email address" in lower:
            raise InvalidInputError(
                f"{path} identifies students by e-mail address: load the class list first "
                "(nbgrader db student import students.csv with columns id,first_name,"
                "last_name,email) so that e-mails become student ids")
        if column is None:
            raise InvalidInputError(
                f"{path}: no column of the worksheet holds the class list's student ids or "
                f"e-mails; found {header}. In Moodle, show the ID number or e-mail identity "
                "field (Site administration -> Users -> Show user identity), or load the class "
                "list (nbgrader db student import)")
        if students:
            # ids that a spreadsheet program turned into numbers (000231 -> 231)
            lost = _lost_zeros([r[column].strip() for r in rows], ids)
            if lost:
                shown = ", ".join(f"{k} (class list: {v})" for k, v in sorted(lost.items())[:5])
                raise InvalidInputError(
                    f"{path}: its column '{header[column]}' holds ids that lost their leading "
                    f"zeros ({shown}): a spreadsheet program opened the CSV and read the ids as "
                    "numbers. Use the worksheet as Moodle downloaded it, or in Excel import it "
                    "with Data -> From Text/CSV and that column's type set to Text")
            for c in others:
                lost = _lost_zeros([r[c].strip() for r in rows], ids) if c != column else {}
                if lost and notes is not None:
                    notes.append(
                        f"{Path(path).name}: the column '{header[c]}' holds "
                        + ", ".join(f"{k} for the class list's {v}" for k, v in
                                    sorted(lost.items())[:5])
                        + f": a spreadsheet program dropped the leading zeros. The column "
                        f"'{header[column]}' was used instead, so the hand-ins are filed under "
                        "the right ids; keep the worksheet as Moodle downloaded it")
        for r in rows:
            value = r[column].strip()
            # with a class list, only its students (an unknown e-mail is no student id)
            student = (value if value in ids else by_email.get(value.lower(), "")) \
                if students else value
            pairs.append((r[ident][len(prefix):], student))
    mapping: dict[str, str] = {}
    for raw, student in pairs:
        digits = re.sub(r"\D", "", raw)
        if not digits or not student:
            continue
        if digits in mapping and mapping[digits] != student:
            raise InvalidInputError(f"{path}: participant {digits} is mapped twice")
        mapping[digits] = student
    if not mapping:
        raise InvalidInputError(f"{path}: no participant with a student id")
    if students:
        zeros = _lost_zeros(list(mapping.values()), ids)
        if zeros:
            shown = ", ".join(f"{k} (class list: {v})" for k, v in sorted(zeros.items())[:5])
            raise InvalidInputError(
                f"{path}: student ids lost their leading zeros ({shown}): a spreadsheet program "
                "read them as numbers. Use the file as downloaded, or import that column as Text")
    return mapping


def _plain_name(name: str) -> str:
    """A full name reduced to what survives Moodle's file naming: letters and digits, casefolded.

    Moodle writes a submission folder's name with ``clean_filename()`` (underscores turned into
    spaces, quotes, colons and slashes dropped); the worksheet keeps the name as typed. Unicode
    normal form, case and spacing differ between honest files; letters never do.
    """
    text = unicodedata.normalize("NFKC", name).replace("_", " ").casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(kept.split())


def _zip_spellings(name: str) -> set[str]:
    """The zip's name as :func:`_plain_name`, also as read from a zip without its UTF-8 flag.

    A zip re-packed by a tool that stores UTF-8 names without saying so is read as cp437
    (``Əliyeva`` becomes ``ÆÅliyeva``); its bytes, read as UTF-8, give the name back.
    """
    spellings = {_plain_name(name)}
    try:
        spellings.add(_plain_name(name.encode("cp437").decode("utf-8")))
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return spellings


def check_id_map(course_dir: str | Path, assignment: str, path: str | Path,
                 zips: list[str | Path], id_map: Mapping[str, str]) -> None:
    """Refuse an id map that belongs to another assignment, before anything is written.

    Participant ids can change from one assignment to the next, so another assignment's grading
    worksheet maps the participants to the wrong students. Two checks catch it: the full name
    Moodle put on each submission folder in the zip must be the one the worksheet gives for that
    participant (compared by :func:`_plain_name`), and the worksheet's *Maximum grade* must be the
    assignment's (or the final mark's 100, for ``export --marks``).

    Raises
    ------
    InvalidInputError
        Naming each participant whose two names disagree, or the two maximum grades.
    """
    from .report import read_marks_file
    from .worksheet import _locate_identifier

    path = Path(path)
    in_zip = {p: n for p, n in participants_in(zips).items() if p in id_map}
    kit_max = _assignment_max(course_dir, assignment)
    try:
        sheet = read_worksheet(path)
    except InvalidInputError:
        sheet = None  # not Moodle's worksheet (a participant_id,student_id CSV): no maximum
    if sheet is not None and kit_max is not None and all(
            abs(sheet.max_grade - top) > 1e-9 for top in (kit_max, FINAL_MAX)):
        raise InvalidInputError(
            f"{path.name}: its Maximum grade is {sheet.max_grade:g}, but {assignment} is worth "
            f"{kit_max:g}: it is probably the grading worksheet of another assignment, whose "
            "participant ids and hand-in times are not this one's. Download the grading "
            f"worksheet of {assignment}'s Moodle assignment (or, if it is that one, set its "
            f"Maximum grade in Moodle to {kit_max:g}) and import again")
    table = read_marks_file(path)
    header = list(table.columns)
    rows = [list(r) for r in table.itertuples(index=False) if any(str(v).strip() for v in r)]
    lower = {h.lower(): i for i, h in enumerate(header)}
    if "participant_id" in lower:
        ident, prefix = lower["participant_id"], ""
    else:
        try:
            ident, prefix = _locate_identifier(header, rows, path)
        except InvalidInputError:
            return
    by_participant = {re.sub(r"\D", "", r[ident][len(prefix):]): r for r in rows}
    zip_names = set().union(*(_zip_spellings(n) for n in in_zip.values()))
    # the name column: the one holding the zip's names, else "Full name", else (a worksheet
    # in another language naming none of the zip's people) the one after the identifier
    overlap = {c: sum(1 for r in rows if _plain_name(str(r[c])) in zip_names)
               for c in range(len(header)) if c != ident}
    column = max(overlap, key=lambda c: (overlap[c], -c), default=None)
    if column is None or overlap[column] == 0:
        column = next((i for i, h in enumerate(header)
                       if h.strip().lower() in ("full name", "full_name")), None)
    if column is None and prefix and ident + 1 < len(header) and all(
            any(ch.isalpha() for ch in str(r[ident + 1])) and "@" not in str(r[ident + 1])
            for r in rows):
        column = ident + 1  # Moodle writes the full name right after the identifier
    if column is None:
        return
    blind = _plain_name(prefix) if prefix else None
    wrong = []
    for participant, zip_name in sorted(in_zip.items()):
        row = by_participant.get(participant)
        if row is None or not str(row[column]).strip() or _plain_name(zip_name) == blind:
            continue
        if _plain_name(str(row[column])) not in _zip_spellings(zip_name):
            wrong.append(f"participant {participant} is {zip_name!r} in the zip but "
                         f"{str(row[column]).strip()!r} in {path.name}")
    if wrong:
        raise InvalidInputError(
            f"{path.name} does not belong to these hand-ins: " + "; ".join(wrong)
            + ". Participant ids change from one assignment to the next, so this is probably "
            "the grading worksheet of another assignment; it would file hand-ins under the "
            "wrong students. Nothing was imported. Download the grading worksheet of the same "
            f"Moodle assignment as the zip ({assignment}) and import again")


def _assignment_max(course_dir: str | Path, assignment: str) -> float | None:
    """The assignment's maximum score in the gradebook (None when it is not there yet)."""
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        return None
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            return float(gb.find_assignment(assignment).max_score)
        except MissingEntry:
            return None


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


def participants_in(zips: list[str | Path]) -> dict[str, str]:
    """Participant id -> full name of every notebook file in Moodle zips (nothing unpacked).

    Files that are not zips, or not named like a Moodle file submission, are passed over here:
    :func:`import_zip` reports them.
    """
    found: dict[str, str] = {}
    for zip_path in map(Path, zips):
        if not zipfile.is_zipfile(zip_path):
            continue
        with zipfile.ZipFile(zip_path) as archive:
            for name in archive.namelist():
                parts = parse_name(name)
                if parts and parts["plugin"] == "file" and parts["file"].endswith(".ipynb"):
                    found[parts["participant"]] = parts["full_name"]
    return found


MAX_MEMBER_RATIO = 200
"""Largest ratio of a zip member's size to its compressed size above 1 MB (a zip bomb)."""


def _too_big(info: zipfile.ZipInfo) -> str:
    """Why a zip member is refused for its size (its declared sizes), or ''."""
    from .submissions import MAX_NOTEBOOK_BYTES

    if info.file_size > MAX_NOTEBOOK_BYTES:
        return (f"too large ({info.file_size:,} bytes unpacked; the grader reads notebooks of "
                f"at most {MAX_NOTEBOOK_BYTES:,} bytes)")
    if info.file_size > 1 << 20 and info.file_size > MAX_MEMBER_RATIO * max(
            info.compress_size, 1):
        return (f"refused: it unpacks {info.file_size // max(info.compress_size, 1):,} times "
                "larger than it is in the zip (a zip bomb, not a notebook)")
    return ""


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> str:
    """Stream a zip member into ``target``, never more than the grader reads; '' or why not."""
    from .submissions import MAX_NOTEBOOK_BYTES

    size = 0
    with archive.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            size += len(chunk)
            if size > MAX_NOTEBOOK_BYTES:
                break
            out.write(chunk)
    if size > MAX_NOTEBOOK_BYTES:
        target.unlink()
        return (f"too large (more than {MAX_NOTEBOOK_BYTES:,} bytes unpacked; the grader reads "
                "notebooks of at most that size)")
    return ""


def import_zip(
    course_dir: str | Path,
    assignment: str,
    zips: list[str | Path],
    *,
    id_map: dict[str, str] | None = None,
    submission_times: SubmissionTimes | None = None,
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
    submission_times
        Moodle's record of each participant's hand-in time, from the grading worksheet given as
        the id map (:func:`migdata.grading.worksheet.read_submission_times`). Its time (to
        the minute) is the hand-in time when the zip's times are all one and the same (then
        they are the download's, not the students'), or when a zip time is not within the
        worksheet's minute. A participant whose worksheet time cannot be read keeps the zip's
        time, with a warning.

    Returns
    -------
    ImportReport
        Imported and skipped files, and the students' names. Every import updates the roster and
        the students' names in the gradebook. ``timestamp.txt`` is the file's time in the zip
        (Moodle's last modification, in the course's time zone), written by
        :func:`hand_in_time` so that nbgrader reads its offset right. Each time written is
        recorded in the course's time ledger (:mod:`migdata.grading.handin_times`).
    """
    from nbgrader.api import Gradebook

    from .config import course_timezone
    from .feedback import remember_marks

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    tz = course_timezone(cfg)
    expected = {p.name for p in (root / "release" / assignment).glob("*.ipynb")}
    report = ImportReport()
    roster = {(r["assignment"], r["participant_id"]): r for r in read_roster(course_dir)}
    latest: dict[str, datetime] = {}
    participant_of: dict[str, str] = {}
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
                    report.skipped.append((entry, _unnamed(info.filename, assignment)))
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
                too_big = _too_big(info)
                if too_big:
                    report.skipped.append((entry, too_big))
                    continue
                dest = root / "submitted" / student / assignment
                if dest.is_dir() and student not in replaced and student not in latest:
                    # a new download replaces the student's earlier hand-in as a whole; written
                    # marks given to that earlier version become stale (feedback warns)
                    remember_marks(course_dir, assignment, [student])
                    shutil.rmtree(dest)
                    replaced.add(student)
                dest.mkdir(parents=True, exist_ok=True)
                too_big = _copy_member(archive, info, dest / parts["file"])
                if too_big:
                    report.skipped.append((entry, too_big))
                    continue
                moment = datetime(*info.date_time, tzinfo=tz)
                if student not in latest or moment > latest[student]:
                    latest[student] = moment
                    stamp = hand_in_time(moment)
                    (dest / "timestamp.txt").write_text(stamp, encoding="utf-8")
                report.imported.setdefault(student, []).append(parts["file"])
                report.names[student] = parts["full_name"]
                participant_of[student] = participant
                roster[(assignment, participant)] = {
                    "assignment": assignment, "participant_id": participant,
                    "student_id": student, "full_name": parts["full_name"],
                }
    moments = set(latest.values())
    unreliable = len(latest) > 1 and len(moments) == 1
    report.sources = {student: "zip" for student in latest}
    if submission_times is not None:
        _worksheet_times(root, assignment, latest, participant_of, submission_times,
                         unreliable, tz, report)
    report.times = dict(latest)
    from .handin_times import record_time

    record_time(root, assignment, sorted(latest), "import-zip")
    if unreliable and "worksheet" not in report.sources.values():
        # Moodle's zip writer may stamp every entry with the time of the download instead of
        # the file's last change; then every hand-in gets that time
        (moment,) = moments
        near = [z for z in map(Path, zips) if z.is_file() and abs(
            datetime.fromtimestamp(z.stat().st_mtime, tz) - moment).total_seconds() < 600]
        report.warnings.append(
            f"all {len(latest)} hand-ins have one and the same time in the zip, "
            f"{moment.isoformat(sep=' ')}"
            + (f", within 10 minutes of when {near[0].name} was saved: probably the download's "
               "time, not the students'" if near else "")
            + ". The hand-in times (and lateness) come from the zip's file times. Give Moodle's "
            "grading worksheet, downloaded in English, as --id-map to have its 'Last modified "
            "(submission)' times used; or compare the times with that column yourself and "
            "correct each with migdata-course set-time STUDENT ASSIGNMENT 'YYYY-MM-DD HH:MM'")
    _save_roster(root, list(roster.values()))
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        for student, name in report.names.items():
            first, _, last = name.rpartition(" ")
            gb.update_or_create_student(student, first_name=first or name, last_name=last)
    return report


def _worksheet_times(root: Path, assignment: str, latest: dict[str, datetime],
                     participant_of: dict[str, str], sheet: SubmissionTimes, unreliable: bool,
                     tz, report: ImportReport) -> None:
    """Hand-in times from the grading worksheet where the zip's are unreliable or disagree."""
    if sheet.column is None:
        report.warnings.append(
            f"the hand-in times are the zip's, not compared with Moodle's record: {sheet.problem}"
            + (" (the zip's times are all one and the same: probably the download's time)"
               if unreliable else ""))
        return
    def shown(moment: datetime) -> str:
        return moment.astimezone(tz).isoformat(sep=" ", timespec="seconds")

    for student in sorted(latest):
        participant = participant_of[student]
        zip_time = latest[student]
        sheet_time = sheet.times.get(participant)
        if sheet_time is None:
            cell = sheet.unreadable.get(participant)
            why = (f"its '{sheet.column}' cell {cell!r} is not a date the kit reads"
                   if cell is not None else "the participant is not in the worksheet")
            report.warnings.append(
                f"{student} (participant {participant}): {why}; the hand-in time is the zip's, "
                f"{shown(zip_time)}"
                + (", which is probably the download's time: check it and correct it with "
                   f"migdata-course set-time {student} {assignment} 'YYYY-MM-DD HH:MM'"
                   if unreliable else ", not compared with Moodle's record"))
            continue
        agrees = sheet_time <= zip_time < sheet_time + timedelta(minutes=1)
        if agrees and not unreliable:
            continue
        if not unreliable:
            report.warnings.append(
                f"{student} (participant {participant}): the zip says {shown(zip_time)}, the "
                f"worksheet's '{sheet.column}' {shown(sheet_time)}: more than the minute apart. "
                "The worksheet's time (Moodle's record of the submission) is used")
        dest = root / "submitted" / student / assignment
        (dest / "timestamp.txt").unlink(missing_ok=True)
        (dest / "timestamp.txt").write_text(hand_in_time(sheet_time), encoding="utf-8")
        latest[student] = sheet_time
        report.sources[student] = "worksheet"


def _roster_for(course_dir: str | Path, assignment: str) -> list[dict[str, str]]:
    rows = [r for r in read_roster(course_dir) if r["assignment"] == assignment]
    if not rows:
        raise InvalidInputError(
            f"no Moodle roster for {assignment}: import its submissions with "
            "`migdata-course import-zip` first (the roster holds Moodle's participant ids)"
        )
    return rows


KIT_NOTE = re.compile(r"(?:Autograded [0-9.]+ of [0-9.]+ points;|"
                      r"(?:Team [^:\n]*: n|N)otebook [0-9.]+ of [0-9.]+,)[^\n]*")
"""The kit's line in Feedback comments (replaced on the next fill, the lecturer's text kept)."""

@dataclass
class WorksheetReport:
    """What :func:`fill_grading_worksheet` wrote.

    Attributes
    ----------
    worksheet
        The worksheet, its columns located.
    graded
        Participant -> grade written.
    left
        Participant -> why its row was left as downloaded (no grade written).
    warnings
        What the lecturer must know before uploading.
    """

    worksheet: Worksheet
    graded: dict[str, str] = field(default_factory=dict)
    left: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _note(row) -> str:
    note = (f"Autograded {row.auto_score:g} of {row.auto_max:g} points; written answers "
            f"{row.manual_score:g} of {row.manual_max:g}.")
    if row.late_penalty:
        note += f" Late hand-in: {row.late_penalty:g} points deducted."
    return note


def _same_maximum(sheet: Worksheet, assignment: str, kit_max: float) -> None:
    if abs(sheet.max_grade - kit_max) > 1e-9:
        raise InvalidInputError(
            f"{sheet.path}: the Moodle assignment's maximum grade is {sheet.max_grade:g}, the "
            f"kit's {assignment} is worth {kit_max:g}. Moodle skips, without a word, every grade "
            f"above its maximum: in Moodle set Edit settings -> Grade -> Maximum grade to "
            f"{kit_max:g}, then download the worksheet again")


#: The curriculum's total (Module 2, 2.4.1): team work 60 + participation 40. With presentation
#: and participation marks (export --marks), Moodle gets this final mark, not the notebook's.
FINAL_MAX = 100.0


def _final_note(row) -> str:
    """The feedback line of a final mark, in words."""
    notebook = max(float(row.score) - float(row.late_penalty or 0), 0.0)
    note = f"Notebook {notebook:g} of {float(row.max_score):g}"
    if getattr(row, "team", None) is not None and str(row.team) not in ("", "nan", "<NA>"):
        note = f"Team {row.team}: notebook {notebook:g} of {float(row.max_score):g}"
    note += (f", presentation {float(row.presentation):g} of 10, participation "
             f"{float(row.participation):g} of 40: {float(row.final):g} of 100.")
    if row.late_penalty:
        note += f" Late hand-in: {float(row.late_penalty):g} points deducted."
    return note


def check_worksheet(course_dir: str | Path, assignment: str, worksheet: str | Path, *,
                    encoding: str | None = None, final: bool = False) -> None:
    """Refuse a worksheet before anything is written: not Moodle's, or another maximum grade.

    Raises
    ------
    InvalidInputError
        As :func:`fill_grading_worksheet` would. An assignment not in the gradebook (or no
        gradebook) passes here: the export itself names it.
    """
    from nbgrader.api import Gradebook, MissingEntry

    sheet = read_worksheet(worksheet, encoding=encoding)
    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        return
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            kit_max = float(gb.find_assignment(assignment).max_score)
        except MissingEntry:
            return
    _same_maximum(sheet, assignment, FINAL_MAX if final else kit_max)


def fill_grading_worksheet(course_dir: str | Path, assignment: str, worksheet: str | Path,
                           table, *, out: str | Path | None = None,
                           encoding: str | None = None) -> WorksheetReport:
    """Fill Grade and Feedback comments in the grading worksheet downloaded from Moodle.

    Parameters
    ----------
    course_dir
        Course folder.
    assignment
        Assignment id (the Moodle assignment the worksheet and the submissions zip came from).
    worksheet
        The file from "View all submissions" -> "Download grading worksheet", in whatever
        language it was downloaded (upload it back in the same language: Moodle matches the
        column names and the participant prefix in the uploader's language).
    table
        The export table of :func:`migdata.grading.report.export_grades` for this assignment.
    out
        Where to write the filled worksheet (default: the downloaded file itself).
    encoding
        The worksheet's encoding when it is not UTF-8.

    Returns
    -------
    WorksheetReport
        Rows graded and rows left as downloaded, with why. A grade is written only when nothing
        is left to mark (written answers marked, blank ones confirmed) and the status is graded
        or timed out; it is the score less the late penalty, in Moodle's own number format.

    Raises
    ------
    InvalidInputError
        If the worksheet is not one Moodle wrote (see :func:`read_worksheet`), or Moodle's
        maximum grade differs from the kit's (Moodle would skip every grade above its maximum).
    """
    from .report import FINAL_STATUSES

    sheet = read_worksheet(worksheet, encoding=encoding)
    mine = table[table["assignment"] == assignment]
    if mine.empty:
        raise InvalidInputError(f"no grades of {assignment} in the export")
    # with presentation and participation marks, Moodle gets the final mark out of 100
    final = "final" in mine.columns
    _same_maximum(sheet, assignment, FINAL_MAX if final else float(mine["max_score"].iloc[0]))
    roster = {r["participant_id"]: r["student_id"] for r in read_roster(course_dir)
              if r["assignment"] == assignment}
    if any(sheet.participant(row) not in roster for row in sheet.rows):
        # hand-ins that did not come from this assignment's zip (the hub's exchange, another
        # download): the worksheet's identity column (ID number or e-mail) and the class list
        students = class_list(course_dir)
        if students and sheet.encoding == "utf-8":
            try:
                by_identity = read_id_map(sheet.path, students)
            except InvalidInputError as exc:
                if "leading zeros" in str(exc):
                    raise
                by_identity = {}
            for participant, student in by_identity.items():
                roster.setdefault(participant, student)
    by_student = {str(r.student_id): r for r in mine.itertuples()}
    decimal, places = sheet.number_format
    report = WorksheetReport(sheet)
    stale_dates = 0
    for row in sheet.rows:
        participant = sheet.participant(row)
        student = roster.get(participant)
        if student is None:
            report.left[participant] = "no hand-in imported for this participant"
            continue
        result = by_student.get(student)
        if result is None:
            report.left[participant] = f"student {student} is not in the gradebook"
            continue
        if result.status not in FINAL_STATUSES:
            report.left[participant] = f"student {student}: status {result.status}"
            continue
        if result.needs_manual_grade or result.blank_unconfirmed or result.to_mark:
            report.left[participant] = (f"student {student}: written answers still to mark "
                                        f"({result.to_mark:g} points)")
            continue
        if final and (result.final is None or result.final != result.final):
            report.left[participant] = (f"student {student}: no final mark yet (a presentation "
                                        "or participation mark, or a marked part, is missing)")
            continue
        value = float(result.final) if final else max(
            float(result.score) - float(result.late_penalty or 0), 0.0)
        if value > sheet.max_grade + 1e-9:
            raise InvalidInputError(f"{student}: grade {value:g} above the maximum "
                                    f"{sheet.max_grade:g}")
        grade = format_grade(value, decimal, places)
        sheet.set(participant, sheet.grade, grade)
        report.graded[participant] = grade
        if sheet.feedback is not None:
            old = row[sheet.feedback]
            note = _final_note(result) if final else _note(result)
            new = KIT_NOTE.sub(note, old) if KIT_NOTE.search(old) else (
                f"{old}\n{note}" if old.strip() else note)
            sheet.set(participant, sheet.feedback, new)
        modified = row[sheet.modified].strip()
        if modified not in {"", "-"} and not modified.isascii():
            stale_dates += 1
    if sheet.path.suffix.lower() != ".csv" and (out is None or Path(out).suffix.lower() != ".csv"):
        report.warnings.append(
            f"{sheet.path.name} does not end in .csv; Moodle's upload form takes .csv files only")
    if sheet.feedback is None:
        report.warnings.append(
            "the worksheet has no Feedback comments column (feedback comments are off for this "
            "Moodle assignment): grades only")
    if stale_dates:
        report.warnings.append(
            f"{stale_dates} row(s) already have a grade in Moodle dated in another language than "
            "English; Moodle reads that date as unknown and skips those rows unless you tick "
            "'Allow updating records that have been modified more recently in Moodle than in the "
            "spreadsheet' when you upload")
    unnamed = [role for role in ("identifier", "grade", "maxgrade", "modified", "feedback")
               if role not in sheet.by_name]
    if unnamed:
        columns = {"identifier": sheet.identifier, "grade": sheet.grade,
                   "maxgrade": sheet.maxgrade, "modified": sheet.modified,
                   "feedback": sheet.feedback}
        report.warnings.append(
            "columns found by their place in Moodle's layout (check them): " + "; ".join(
                f"{role} = '{sheet.header[columns[role]]}' (column {columns[role] + 1})"
                for role in unnamed if columns[role] is not None))
    sheet.save(out)
    return report


_HTML_SCORE = re.compile(r"\(Score: (-?[0-9.]+) / [0-9.]+\)</h4>")
_HTML_PENALTY = re.compile(r"Late submission penalty \(Score: -(-?[0-9.]+)\)")


def _feedback_scores(page: Path) -> tuple[float, float] | None:
    """The notebook's score (after penalty) and late penalty printed in nbgrader's feedback."""
    text = page.read_text(encoding="utf-8", errors="replace")
    score = _HTML_SCORE.search(text)
    if score is None:
        return None
    penalty = _HTML_PENALTY.search(text)
    return float(score.group(1)), float(penalty.group(1)) if penalty else 0.0


def _current_scores(course_dir: str | Path, assignment: str) -> dict[tuple[str, str], tuple]:
    """(student, notebook) -> (score after penalty, penalty) in the gradebook now, rounded."""
    from nbgrader.api import Gradebook, MissingEntry

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    out = {}
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for sub in submissions:
            for nb in sub.notebooks:
                penalty = float(nb.late_submission_penalty or 0.0)
                out[(sub.student.id, nb.name)] = (round(float(nb.score) - penalty, 2),
                                                  round(penalty, 2))
    return out


@dataclass
class FeedbackZipReport:
    """What :func:`write_feedback_zip` packed.

    Attributes
    ----------
    files
        Number of feedback files in the zip.
    left
        Student id -> why their feedback was left out (not final yet, or out of date).
    stale
        The students left out because their feedback is older than their marks.
    """

    files: int = 0
    left: dict[str, str] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)


def _name_part(full_name: str) -> str:
    """A full name as the first part of a feedback zip's folder name, so that Moodle reads the
    right participant from it.

    Moodle's feedback importer (``mod/assign/feedback/file/importziplib.php``,
    ``is_valid_filename_for_import``) splits each path part at underscores and takes the
    *second* piece as the participant id: a name holding ``_`` (``Mal_2001_...``) would name
    another participant. Underscores and path separators become spaces, as Moodle's own
    download does with full names (``mod/assign/locallib.php``, ``download_submissions``).
    """
    return re.sub(r"[_/\\]", " ", full_name).strip() or "student"


def write_feedback_zip(course_dir: str | Path, assignment: str, out: str | Path,
                       table=None) -> FeedbackZipReport:
    """A zip for Moodle's "Upload multiple feedback files in a zip", from ``feedback/``.

    Each student's HTML feedback goes into the folder Moodle named in its download
    (``<Full Name>_<participant id>_assignsubmission_file_/``), which is how Moodle matches a
    feedback file to its student. Feedback whose score or late penalty differs from the
    gradebook's now (marks given or changed after ``migdata-course feedback`` ran) is left out:
    run ``feedback`` again first.

    Parameters
    ----------
    course_dir, assignment, out
        Course folder, assignment id, the zip to write.
    table
        Optional export table (:func:`migdata.grading.report.export_grades`): with it, only
        students whose grade is final (the rows :func:`fill_grading_worksheet` grades) are
        packed; the others' feedback would show a mark that is not final.

    Returns
    -------
    FeedbackZipReport
        Files packed, and who was left out and why.
    """
    from .report import FINAL_STATUSES

    root = Path(load_config(course_dir).CourseDirectory.root)
    report = FeedbackZipReport()
    final: dict[str, str] | None = None
    if table is not None:
        final = {}
        for row in table[table["assignment"] == assignment].itertuples():
            if row.status not in FINAL_STATUSES:
                final[str(row.student_id)] = f"status {row.status}"
            elif row.needs_manual_grade or row.blank_unconfirmed or row.to_mark:
                final[str(row.student_id)] = (f"written answers still to mark "
                                              f"({row.to_mark:g} points)")
            else:
                final[str(row.student_id)] = ""
    roster = _roster_for(course_dir, assignment)  # refused before any file is made
    now = _current_scores(course_dir, assignment)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            _pack_feedback(zf, root, assignment, roster, final, now, report)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return report


def check_feedback_zip(course_dir: str | Path, assignment: str) -> None:
    """Refuse a feedback zip before anything is written: no Moodle roster for the assignment.

    Raises
    ------
    InvalidInputError
        If the assignment's submissions did not come through ``import-zip`` (the manual route
        or the hub): Moodle's participant ids, which name the zip's folders, are not known.
    """
    _roster_for(course_dir, assignment)


def _pack_feedback(zf: zipfile.ZipFile, root: Path, assignment: str,
                   roster: list[dict[str, str]], final: dict[str, str] | None, now: dict,
                   report: FeedbackZipReport) -> None:
    """Write the final students' current feedback pages into the Moodle feedback zip."""
    for r in roster:
        student = r["student_id"]
        folder = root / "feedback" / student / assignment
        pages = sorted(folder.glob("*.html"))
        if not pages:
            continue
        if final is not None and final.get(student, "not in the export"):
            report.left[student] = final.get(student, "not in the export")
            continue
        differs = [page.name for page in pages
                   if _feedback_scores(page) != now.get((student, page.stem))]
        if differs:
            report.left[student] = (
                "feedback out of date (its score or late penalty is not the gradebook's "
                f"now: {', '.join(differs)}); run migdata-course feedback {assignment} again")
            report.stale.append(student)
            continue
        name = f"{_name_part(r['full_name'])}_{r['participant_id']}_assignsubmission_file_"
        for page in pages:
            zf.write(page, f"{name}/{page.name}")
            report.files += 1
