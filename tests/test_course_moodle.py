"""Moodle's zips in, Moodle's upload formats out (issue 13: a 4.1+ zip imported nothing).

The zips are written here in the three naming schemes Moodle has used; the worksheet and the
feedback zip are read back the way Moodle reads them (the ``Participant <id>`` identifier; the
``<name>_<participant>_<plugin type>_<plugin>`` folder of each feedback file).
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from migdata.errors import InvalidInputError
from migdata.grading.cli import main
from migdata.grading.moodle import parse_name, read_id_map, read_roster

# one course per module: its tests stay on one xdist worker (--dist loadgroup)
pytestmark = [pytest.mark.xdist_group("moodle-course")]

A = "unit22_sources"
NB = f"{A}.ipynb"


@pytest.mark.parametrize(("name", "expected"), [
    (f"Aysel Mammadova_1234_assignsubmission_file/{NB}", ("Aysel Mammadova", "1234", "file", NB)),
    (f"Aysel Mammadova_1234_assignsubmission_file_/{NB}", ("Aysel Mammadova", "1234", "file", NB)),
    (f"Aysel Mammadova_1234_assignsubmission_file_{NB}", ("Aysel Mammadova", "1234", "file", NB)),
    (f"Module 2/Aysel Mammadova_1234_assignsubmission_file/{NB}",
     ("Aysel Mammadova", "1234", "file", NB)),
    ("Anna Petrosyan_77_assignsubmission_onlinetext_/onlinetext.html",
     ("Anna Petrosyan", "77", "onlinetext", "onlinetext.html")),
    ("Gülnar Əliyeva_5_assignsubmission_file/unit22 (1).ipynb",
     ("Gülnar Əliyeva", "5", "file", "unit22 (1).ipynb")),
])
def test_moodle_names_of_every_version(name, expected):
    parts = parse_name(name)
    assert (parts["full_name"], parts["participant"], parts["plugin"], parts["file"]) == expected


def test_not_moodle_names():
    assert parse_name(NB) is None
    assert parse_name(f"Aysel_assignsubmission_file/{NB}") is None


def _course(repo_root: Path, base: Path) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    assert main(["--course-dir", str(course), "generate", A]) == 0
    return course


@pytest.fixture(scope="module")
def course(repo_root, tmp_path_factory):
    return _course(repo_root, tmp_path_factory.mktemp("moodle"))


def _zip(path: Path, entries: dict[str, bytes],
         times: dict[str, tuple[int, ...]] | None = None) -> Path:
    times = times or {}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            when = times.get(name, (2026, 3, 2, 18, 5, 0))
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return path


def test_a_moodle_41_zip_with_an_id_map(course, tmp_path, capsys):
    released = (course / "release" / A / NB).read_bytes()
    archive = _zip(tmp_path / "moodle41.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{NB}": released,
        f"Giorgi Beridze_1240_assignsubmission_file_/{NB}": released,
        f"Nino Kapanadze_1251_assignsubmission_file_{NB}": released,
    })
    # Moodle's grading worksheet, as a Russian-locale Excel saves it, maps participants to ids
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_bytes(
        "Identifier;Full name;ID number;Status\n"
        "Participant 1234;Aysel Mammadova;100231;Submitted\n"
        "Participant 1240;Giorgi Beridze;100232;Submitted\n"
        "Participant 1251;Nino Kapanadze;100234;Submitted\n".encode("utf-8-sig"))
    code = main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(worksheet)])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.parent.name for p in (course / "submitted").glob(f"*/{A}")) == [
        "100231", "100232", "100234"]
    assert (course / "submitted" / "100231" / A / NB).read_bytes() == released
    stamp = (course / "submitted" / "100231" / A / "timestamp.txt").read_text()
    # the zip's time is Baku time; nbgrader must read it as 14:05 UTC (issue 22: '+0400' with a
    # space was read as an offset of 400 seconds)
    assert stamp == "2026-03-02 18:05:00.000000+04:00"
    from nbgrader.utils import parse_utc

    assert parse_utc(stamp) == datetime(2026, 3, 2, 14, 5)
    roster = {r["student_id"]: r for r in read_roster(course)}
    assert roster["100232"]["full_name"] == "Giorgi Beridze"
    assert roster["100232"]["participant_id"] == "1240"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        student = gb.find_student("100231")
        assert (student.first_name, student.last_name) == ("Aysel", "Mammadova")


def test_nothing_imported_or_a_file_skipped_is_an_error(repo_root, tmp_path, capsys):
    # a course without a class list: participant ids go in as they are (with the module's
    # course, which holds students now, import-zip would ask for --id-map)
    course = _course(repo_root, tmp_path / "own")
    released = (course / "release" / A / NB).read_bytes()
    empty = _zip(tmp_path / "wrong.zip", {f"{NB}": released, "readme.txt": b"x"})
    assert main(["--course-dir", str(course), "import-zip", A, str(empty)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "nothing imported" in err and "not named like a Moodle submission file" in err
    mixed = _zip(tmp_path / "mixed.zip", {
        f"Leyla Huseynova_1300_assignsubmission_file/{NB}": released,
        "Anna Petrosyan_1301_assignsubmission_onlinetext_/onlinetext.html": b"<p/>",
        "Arsen Grigoryan_1302_assignsubmission_file/answers.docx": b"PK",
    })
    assert main(["--course-dir", str(course), "import-zip", A, str(mixed)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "onlinetext" in err and "not a notebook (.ipynb)" in err and "2 file(s) skipped" in err
    assert (course / "submitted" / "1300" / A / NB).is_file()  # the good one is imported
    # with an id map, a participant it does not list is skipped, by name
    idmap = tmp_path / "ids.csv"
    idmap.write_text("participant_id,student_id\n1234,100231\n", encoding="utf-8")
    assert main(["--course-dir", str(course), "import-zip", A, str(mixed),
                 "--id-map", str(idmap)]) == 1
    assert "participant 1300 (Leyla Huseynova) is not in the id map" in " ".join(
        capsys.readouterr().err.split())


def test_id_map_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,grade\nA,1\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="participant_id and student_id"):
        read_id_map(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("participant_id,student_id\n1,a\n1,b\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="mapped twice"):
        read_id_map(twice)


def test_grades_and_feedback_back_to_moodle(repo_root, tmp_path, capsys):
    """The Moodle route end to end: due date, on-time and late hand-ins, the late penalty,
    written marks, and the grading worksheet Moodle gave filled in (issue 22)."""
    from migdata.simulate.submissions import write_submission
    from test_moodle_worksheet import EN, moodle_download, moodle_import

    course = _course(repo_root, tmp_path)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    released = (course / "release" / A / NB).read_bytes()
    aysel = f"Aysel Mammadova_1234_assignsubmission_file/{NB}"
    giorgi = f"Giorgi Beridze_1240_assignsubmission_file/{NB}"
    leyla = f"Leyla Huseynova_1260_assignsubmission_file/{NB}"
    # due 20:00 in Baku: Aysel 18:05 and Giorgi 19:59:58 are on time, Leyla 20:07 is late
    archive = _zip(tmp_path / "m.zip", {aysel: released, giorgi: released, leyla: released},
                   times={giorgi: (2026, 3, 2, 19, 59, 58), leyla: (2026, 3, 2, 20, 7, 0)})
    assert main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--due", "2026-03-02 20:00"]) == 0
    assert "is due 2026-03-02 20:00+04:00 (Asia/Baku)" in capsys.readouterr().out
    stamps = {s: (course / "submitted" / s / A / "timestamp.txt") for s in ("1234", "1240", "1260")}
    moodle_times = {s: path.read_text() for s, path in stamps.items()}
    assert moodle_times == {"1234": "2026-03-02 18:05:00.000000+04:00",
                            "1240": "2026-03-02 19:59:58.000000+04:00",
                            "1260": "2026-03-02 20:07:00.000000+04:00"}
    # replace the untouched notebooks with a model answer and a partial one (the notebooks
    # only: the hand-in times stay Moodle's)
    write_submission(course, A, "1234", "solution")
    write_submission(course, A, "1240", "partial", answered=["a1_answer"])
    write_submission(course, A, "1260", "solution")
    for student, path in stamps.items():
        path.write_text(moodle_times[student], encoding="utf-8")
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        seconds_late = {s: gb.find_submission(A, s).total_seconds_late
                        for s in ("1234", "1240", "1260")}
        for student in ("1234", "1260"):  # the lecturer marks Aysel's and Leyla's answers
            for nb in gb.find_submission(A, student).notebooks:
                for grade in nb.grades:
                    if grade.name in {c.name for c in nb.notebook.solution_cells}:
                        grade.manual_score = grade.max_score
                        grade.needs_manual_grade = False  # what the formgrader does on a mark
        gb.db.commit()
    assert seconds_late == {"1234": 0, "1240": 0, "1260": 420}
    # report: the gradebook's score now (not the one stored when autograding), and a final
    # mark only where nothing is left to mark (issue 22: a stale 25.0 beside 'to mark 0.0')
    capsys.readouterr()
    assert main(["--course-dir", str(course), "report", A]) == 0
    lines = {ln.split()[0]: ln.split() for ln in capsys.readouterr().out.splitlines()
             if ln[:4] in {"1234", "1240", "1260"}}
    assert lines["1234"][1:6] == ["21.0", "21.0", "14.0/14.0", "0.0", "21.0"]
    assert lines["1240"][4:6] == ["7.0", "-"]  # written answers to mark: no final mark
    assert lines["1260"][1] == "21.0" and lines["1260"][5] == "0.0"  # late: penalty 'zero'
    sheet, fbzip = tmp_path / "worksheet.csv", tmp_path / "feedback.zip"
    sheet.write_bytes(moodle_download(EN, [
        {"participant": "1234", "name": "Aysel Mammadova"},
        {"participant": "1240", "name": "Giorgi Beridze"},
        {"participant": "1260", "name": "Leyla Huseynova"},
        {"participant": "1299", "name": "Orxan Quliyev"},  # handed nothing in
    ]))
    capsys.readouterr()
    export = ["--course-dir", str(course), "export", str(tmp_path / "g.csv"), "--assignment", A,
              "--moodle-worksheet", str(sheet), "--moodle-feedback-zip", str(fbzip)]
    # the feedback was made before the written marks: out of date, left out, status 1 (issue
    # 22 trial, finding 4: the zip held feedback saying 14 of 21 beside a grade of 21)
    assert main(export) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "1234: feedback left out: feedback out of date" in err
    assert "1260: feedback left out: feedback out of date" in err  # penalty 14 then, 21 now
    assert "1240: feedback left out: written answers still to mark" in err
    with zipfile.ZipFile(fbzip) as zf:
        assert zf.namelist() == []
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    assert main(export) == 0
    exported = {r["student_id"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert exported["1260"]["late_penalty"] == exported["1260"]["score"] == "21.0"
    assert exported["1234"]["late_penalty"] == "0.0"
    assert exported["1234"]["timestamp"] == "2026-03-02 18:05:00+04:00"
    upload = moodle_import(sheet.read_bytes(), EN, {"1234": 1, "1240": 2, "1260": 3, "1299": 4},
                           max_grade=21.0)
    # Aysel 21 on time; Leyla late: 0 (penalty 'zero'); Giorgi's written answers not marked
    assert upload.grades == {1: 21.0, 3: 0.0}
    assert "Late hand-in: 21 points deducted." in upload.feedback[3]
    assert 2 not in upload.grades and 4 not in upload.grades
    with zipfile.ZipFile(fbzip) as zf:
        names = sorted(zf.namelist())
    # Giorgi's grade is not final (written answers to mark): his feedback stays out too
    assert names == [f"Aysel Mammadova_1234_assignsubmission_file_/{A}.html",
                     f"Leyla Huseynova_1260_assignsubmission_file_/{A}.html"]
    # Moodle splits the folder name on '_' into name, participant, plugin type, plugin
    assert names[0].split("/")[0].split("_", 4)[1:4] == ["1234", "assignsubmission", "file"]
    # Aysel hands in again on Moodle after the marking; the new download replaces her hand-in
    # and feedback says her written marks belong to the earlier one
    import nbformat

    nb = nbformat.read(course / "submitted" / "1234" / A / NB, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source += "\n\nOn second thought, more."
    again = _zip(tmp_path / "again.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{NB}": nbformat.writes(nb).encode()})
    assert main(["--course-dir", str(course), "import-zip", A, str(again)]) == 0
    capsys.readouterr()
    main(["--course-dir", str(course), "feedback", A])
    assert "1234: written answers marked for an earlier hand-in" in " ".join(
        capsys.readouterr().err.split())


def _sheet(path: Path, rows: list[tuple[str, str, str]], top: str = "21.00") -> Path:
    from test_moodle_worksheet import fputcsv

    text = fputcsv(["Identifier", "Full name", "ID number", "Status", "Grade", "Maximum grade",
                    "Grade can be changed", "Last modified (submission)",
                    "Last modified (grade)", "Feedback comments"])
    for participant, name, sid in rows:
        text += fputcsv([f"Participant {participant}", name, sid, "Submitted for grading", "",
                         top, "Yes", "Monday, 2 March 2026, 6:05 PM", "-", ""])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def test_another_assignments_worksheet_is_refused(repo_root, tmp_path, capsys):
    """Re-trial finding 1: swapped participant ids filed Aysel's hand-in under Ali, exit 0."""
    course = _course(repo_root, tmp_path / "own")
    released = (course / "release" / A / NB).read_bytes()
    archive = _zip(tmp_path / "m.zip", {
        f"Aysel Mammadova_5001_assignsubmission_file/{NB}": released,
        f"Ali Aliyev_5002_assignsubmission_file/{NB}": released,
    })
    # the worksheet of another assignment: there, 5001 was Ali and 5002 Aysel
    other = _sheet(tmp_path / "other.csv", [("5001", "Ali Aliyev", "300232"),
                                            ("5002", "Aysel Mammadova", "300231")])
    code = main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(other)])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0
    assert ("participant 5001 is 'Aysel Mammadova' in the zip but 'Ali Aliyev' in other.csv"
            in err)
    assert "another assignment" in err
    assert not (course / "submitted" / "300231").exists()
    assert not (course / "submitted" / "300232").exists()
    assert not any(r["student_id"] in ("300231", "300232") for r in read_roster(course))

    # a worksheet in Russian naming none of the zip's people: refused too
    russian = tmp_path / "ru.csv"
    russian.write_text("Идентификатор,<fullname ru>,ID number\n"
                       "Участник5001,Нино Капанадзе,300231\nУчастник5002,Георгий Беридзе,"
                       "300232\n", encoding="utf-8")
    code = main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(russian)])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0 and "'Нино Капанадзе' in ru.csv" in err
    assert not (course / "submitted" / "300231").exists()

    # another assignment's maximum grade (18, not unit22's 21): refused, nothing written
    wrong_max = _sheet(tmp_path / "max.csv", [("5001", "Aysel Mammadova", "300231"),
                                              ("5002", "Ali Aliyev", "300232")], top="18.00")
    code = main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(wrong_max)])
    err = " ".join(capsys.readouterr().err.split())
    assert code != 0
    assert "Maximum grade is 18, but unit22_sources is worth 21" in err
    assert not (course / "submitted" / "300231").exists()

    # the same names written differently (decomposed letters, case, spacing): no refusal
    import unicodedata

    honest = _sheet(tmp_path / "honest.csv", [
        ("5001", unicodedata.normalize("NFD", "AYSEL  Mammadova"), "300231"),
        ("5002", " ali aliyev", "300232")])
    code = main(["--course-dir", str(course), "import-zip", A, str(archive),
                 "--id-map", str(honest)])
    assert code == 0, capsys.readouterr().err
    roster = {r["student_id"]: r["full_name"] for r in read_roster(course)}
    assert roster["300231"] == "Aysel Mammadova"
    assert roster["300232"] == "Ali Aliyev"

    # a zip re-packed without the UTF-8 flag (names read as cp437) still matches its worksheet
    from migdata.grading.moodle import _zip_spellings

    garbled = "Gülnar Əliyeva".encode().decode("cp437")
    assert "gülnar əliyeva" in _zip_spellings(garbled)
