"""Hand-in times the kit can vouch for (issue 22, open problems 1 and 2).

1. Moodle's zip may stamp every file with the download's time. With the grading worksheet as the
   id map, its *Last modified (submission)* column (Moodle's record, written by ``userdate()``
   as ``Monday, 2 March 2026, 6:05 PM``) decides lateness when the zip's times are all one, or
   when a zip time is not within the worksheet's minute; a cell or column the kit cannot read
   leaves the zip's time, with a warning.
2. A folder copied into ``submitted/`` by hand may carry the student's own ``timestamp.txt``.
   The kit records each time it writes (``.migdata-course/handin-times.json``); any other time is
   reported "unchecked" by ``autograde`` and ``report`` until the lecturer sets it with
   ``set-time``.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from migdata.grading.cli import main
from migdata.grading.handin_times import check_time, times_ledger_path
from migdata.grading.worksheet import parse_moodle_date

A = "unit22_sources"
NB = f"{A}.ipynb"
BAKU = ZoneInfo("Asia/Baku")
HEADER = ["Identifier", "Full name", "ID number", "Status", "Grade", "Maximum grade",
          "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
          "Feedback comments"]
PEOPLE = {"1234": ("Aysel Mammadova", "100231"), "1240": ("Giorgi Beridze", "100232"),
          "1260": ("Leyla Huseynova", "100233")}


def _course(repo_root: Path, base: Path) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    assert main(["--course-dir", str(course), "generate", A]) == 0
    return course


def _zip(course: Path, path: Path, times: dict[str, tuple[int, ...]]) -> Path:
    import zipfile

    released = (course / "release" / A / NB).read_bytes()
    with zipfile.ZipFile(path, "w") as zf:
        for participant, when in times.items():
            name = f"{PEOPLE[participant][0]}_{participant}_assignsubmission_file/{NB}"
            zf.writestr(zipfile.ZipInfo(name, date_time=when), released)
    return path


def _worksheet(path: Path, submitted: dict[str, str], header: list[str] = HEADER) -> Path:
    from test_moodle_worksheet import fputcsv

    text = fputcsv(header)
    for participant, when in submitted.items():
        name, sid = PEOPLE[participant]
        text += fputcsv([f"Participant {participant}", name, sid, "Submitted for grading", "",
                         "21.00", "Yes", when, "-", ""])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def _stamp(course: Path, student: str) -> str:
    return (course / "submitted" / student / A / "timestamp.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "expected"), [
    ("Monday, 2 March 2026, 6:05 PM", datetime(2026, 3, 2, 18, 5)),
    ("Monday, 2 March 2026, 12:30 AM", datetime(2026, 3, 2, 0, 30)),
    ("Monday, 2 March 2026, 12:30 PM", datetime(2026, 3, 2, 12, 30)),
    ("Tuesday, 10 March 2026, 9:00 AM", datetime(2026, 3, 10, 9, 0)),
    ("Monday, March 2, 2026, 6:05 PM", datetime(2026, 3, 2, 18, 5)),   # the en_us order
    ("Tuesday, 2 March 2026, 6:05 PM", None),      # the weekday does not fit the date
    ("Monday, 2 March 2026, 13:05 PM", None),
    ("Monday, 30 February 2026, 6:05 PM", None),
    ("-", None),
    ("понедельник, 2 марта 2026, 18:05", None),     # not English: not read
    ("2026-03-02 18:05", None),
])
def test_moodle_dates_in_english(text, expected):
    assert parse_moodle_date(text) == expected


def test_identical_zip_times_give_way_to_the_worksheet_and_a_copied_folder_is_unchecked(
        repo_root, tmp_path, capsys):
    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path)
    # every file stamped with the download's time (the next morning: all would be late)
    download = (2026, 3, 3, 9, 0, 0)
    archive = _zip(course, tmp_path / "m.zip", {p: download for p in PEOPLE})
    # due 20:00: Aysel 18:05 on time; Giorgi 20:00 (the due minute) on time; Leyla 20:07 late
    sheet = _worksheet(tmp_path / "worksheet.csv", {
        "1234": "Monday, 2 March 2026, 6:05 PM", "1240": "Monday, 2 March 2026, 8:00 PM",
        "1260": "Monday, 2 March 2026, 8:07 PM"})
    assert main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(sheet), "--due", "2026-03-02 20:00"]) == 0
    out, err = capsys.readouterr()
    out = " ".join(out.split())
    assert ("hand-in times: 0 from the zip's file times, 3 from the grading worksheet's "
            "'Last modified (submission)'") in out
    assert "100231, 100232, 100233" in out
    assert "one and the same time" not in err  # the worksheet's times were used instead
    assert {s: _stamp(course, s) for s in ("100231", "100232", "100233")} == {
        "100231": "2026-03-02 18:05:00.000000+04:00",
        "100232": "2026-03-02 20:00:00.000000+04:00",
        "100233": "2026-03-02 20:07:00.000000+04:00"}
    # the kit wrote those times: recorded, checked
    assert times_ledger_path(course).is_file()
    assert check_time(course, A, "100231") == "checked"

    # the manual route: a folder copied in by hand, with the student's own timestamp.txt
    # claiming 19:00; and Leyla's imported time edited to 19:00 by someone
    write_submission(course, A, "100299", "solution",
                     timestamp=datetime(2026, 3, 2, 19, 0, tzinfo=BAKU))
    (course / "submitted" / "100233" / A / "timestamp.txt").write_text(
        "2026-03-02 19:00:00.000000+04:00", encoding="utf-8")
    assert "not written by the kit" in check_time(course, A, "100299")
    assert "not the one import-zip wrote" in check_time(course, A, "100233")
    capsys.readouterr()
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    err = " ".join(err.split())
    assert "100299: hand-in time not checked: its timestamp.txt was not written by the kit" in err
    assert "100233: hand-in time not checked: timestamp.txt is not the one import-zip wrote" in err
    assert f"migdata-course set-time 100299 {A} 'YYYY-MM-DD HH:MM'" in err
    assert "100231: hand-in time" not in err

    def times_column(text: str) -> dict[str, str]:
        header = next(ln for ln in text.splitlines() if ln.startswith("student"))
        at = header.index("time")
        return {ln.split()[0]: ln[at:at + 9].strip() for ln in text.splitlines()
                if ln[:6] in {"100231", "100232", "100233", "100299"}}

    assert times_column(out) == {"100231": "checked", "100232": "checked",
                                 "100233": "unchecked", "100299": "unchecked"}
    assert "2 student(s) have a hand-in time the kit did not write" in " ".join(out.split())
    from nbgrader.api import Gradebook

    def seconds_late() -> dict[str, float]:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
            return {s: gb.find_submission(A, s).total_seconds_late
                    for s in ("100231", "100232", "100233", "100299")}

    # the worksheet's times decided (not the zip's 09:00 next day); the forged 19:00 times are
    # used but reported, never silently
    assert seconds_late() == {"100231": 0, "100232": 0, "100233": 0, "100299": 0}
    # export names them too: the grades it writes rest on those times (re-trial finding 2)
    for extra in ([], ["--assignment", A, "--moodle-worksheet", str(sheet)]):
        main(["--course-dir", str(course), "export", str(tmp_path / "grades.csv"), *extra])
        err = " ".join(capsys.readouterr().err.split())
        assert (f"100299 ({A}): the exported grade rests on a hand-in time the kit did not "
                "write or check (not checked: its timestamp.txt was not written by the kit"
                in err)
        assert f"100233 ({A}): the exported grade rests on a hand-in time" in err
        assert f"set-time 100299 {A} 'YYYY-MM-DD HH:MM'" in err
        assert f"100231 ({A}): the exported grade" not in err
    # the lecturer checks Moodle and sets the true times: Leyla 20:07, the copied one 21:30
    assert main(["--course-dir", str(course), "set-time", "100233", A, "2026-03-02 20:07"]) == 0
    assert "was 2026-03-02 19:00:00.000000+04:00" in capsys.readouterr().out
    assert main(["--course-dir", str(course), "set-time", "100299", A, "2026-03-02 21:30"]) == 0
    assert _stamp(course, "100299") == "2026-03-02 21:30:00.000000+04:00"
    assert check_time(course, A, "100299") == "checked"
    capsys.readouterr()
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    assert "hand-in time not checked" not in err
    assert set(times_column(out).values()) == {"checked"}
    assert seconds_late() == {"100231": 0, "100232": 0, "100233": 420, "100299": 5400}
    assert main(["--course-dir", str(course), "report", A]) == 0
    assert set(times_column(capsys.readouterr().out).values()) == {"checked"}
    main(["--course-dir", str(course), "export", str(tmp_path / "grades.csv")])
    assert "the exported grade rests on a hand-in time" not in capsys.readouterr().err
    # a notebook replaced by hand after the kit wrote the time: unchecked again
    nb = course / "submitted" / "100231" / A / NB
    nb.write_bytes(nb.read_bytes() + b"\n")
    assert "files changed after import-zip wrote its time" in check_time(course, A, "100231")


def test_a_zip_time_that_disagrees_with_the_worksheet(repo_root, tmp_path, capsys):
    course = _course(repo_root, tmp_path)
    archive = _zip(course, tmp_path / "m.zip", {
        "1234": (2026, 3, 2, 18, 5, 30),    # within the worksheet's minute: the zip's kept
        "1240": (2026, 3, 2, 19, 59, 58),   # the worksheet says 20:31: the worksheet's used
        "1260": (2026, 3, 2, 18, 6, 0),     # the worksheet says 18:05: a minute apart
    })
    sheet = _worksheet(tmp_path / "worksheet.csv", {
        "1234": "Monday, 2 March 2026, 6:05 PM", "1240": "Monday, 2 March 2026, 8:31 PM",
        "1260": "Monday, 2 March 2026, 6:05 PM"})
    assert main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(sheet)]) == 0
    out, err = capsys.readouterr()
    err = " ".join(err.split())
    assert ("100232 (participant 1240): the zip says 2026-03-02 19:59:58+04:00, the worksheet's "
            "'Last modified (submission)' 2026-03-02 20:31:00+04:00: more than the minute apart. "
            "The worksheet's time (Moodle's record of the submission) is used") in err
    assert "100233 (participant 1260): the zip says 2026-03-02 18:06:00+04:00" in err
    assert "100231" not in err
    assert "1 from the zip's file times, 2 from the grading worksheet's" in " ".join(out.split())
    assert _stamp(course, "100231") == "2026-03-02 18:05:30.000000+04:00"
    assert _stamp(course, "100232") == "2026-03-02 20:31:00.000000+04:00"
    assert _stamp(course, "100233") == "2026-03-02 18:05:00.000000+04:00"
    assert {check_time(course, A, s) for s in ("100231", "100232", "100233")} == {"checked"}


def test_a_worksheet_time_that_cannot_be_read_leaves_the_zip_time_with_a_warning(
        repo_root, tmp_path, capsys):
    course = _course(repo_root, tmp_path)
    download = (2026, 3, 3, 9, 0, 0)
    archive = _zip(course, tmp_path / "m.zip", {p: download for p in PEOPLE})
    # one cell in another language, one participant without a submission time
    sheet = _worksheet(tmp_path / "worksheet.csv", {
        "1234": "Monday, 2 March 2026, 6:05 PM", "1240": "Montag, 2. März 2026, 20:00",
        "1260": "-"})
    assert main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(sheet)]) == 0
    out, err = capsys.readouterr()
    err = " ".join(err.split())
    assert ("100232 (participant 1240): its 'Last modified (submission)' cell 'Montag, 2. März "
            "2026, 20:00' is not a date the kit reads; the hand-in time is the zip's, "
            "2026-03-03 09:00:00+04:00, which is probably the download's time") in err
    assert f"migdata-course set-time 100232 {A}" in err
    assert "100233 (participant 1260): its 'Last modified (submission)' cell '-'" in err
    assert _stamp(course, "100231") == "2026-03-02 18:05:00.000000+04:00"
    assert _stamp(course, "100232") == "2026-03-03 09:00:00.000000+04:00"
    assert "2 from the zip's file times, 1 from the grading worksheet's" in " ".join(out.split())
    # a worksheet downloaded in another language: the column is not read, and that is said
    russian = [*HEADER[:7], "Последнее изменение (ответ)", *HEADER[8:]]
    sheet = _worksheet(tmp_path / "ru.csv", {p: "понедельник, 2 марта 2026, 18:05"
                                             for p in PEOPLE}, header=russian)
    assert main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(sheet)]) == 0
    out, err = capsys.readouterr()
    err = " ".join(err.split())
    assert ("the hand-in times are the zip's, not compared with Moodle's record: ru.csv has no "
            "column named 'Last modified (submission)': the kit reads Moodle's submission times "
            "in English only") in err
    assert "one and the same time in the zip, 2026-03-03 09:00:00+04:00" in err
    assert _stamp(course, "100231") == "2026-03-03 09:00:00.000000+04:00"


def test_set_time_refuses_what_is_not_a_time_or_not_a_hand_in(repo_root, tmp_path, capsys):
    from migdata.grading.worksheet import read_submission_times

    course = tmp_path / "autograder"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    assert main(["--course-dir", str(course), "set-time", "100231", A, "2026-03-02 18:05"]) == 2
    assert "no hand-in folder" in capsys.readouterr().err
    (course / "submitted" / "100231" / A).mkdir(parents=True)
    assert main(["--course-dir", str(course), "set-time", "100231", A, "yesterday"]) == 2
    assert "hand-in time 'yesterday' is not a date and time" in capsys.readouterr().err
    assert not (course / "submitted" / "100231" / A / "timestamp.txt").exists()
    # a plain participant_id,student_id id map holds no submission times: nothing to read
    plain = tmp_path / "ids.csv"
    plain.write_text("participant_id,student_id\n1234,100231\n", encoding="utf-8")
    assert read_submission_times(plain, BAKU) is None
