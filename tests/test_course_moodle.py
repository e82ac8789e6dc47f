"""Moodle's zips in, Moodle's upload formats out (issue 13: a 4.1+ zip imported nothing).

The zips are written here in the three naming schemes Moodle has used; the worksheet and the
feedback zip are read back the way Moodle reads them (the ``Participant <id>`` identifier; the
``<name>_<participant>_<plugin type>_<plugin>`` folder of each feedback file).
"""

from __future__ import annotations

import csv
import shutil
import zipfile
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


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 2, 18, 5, 0)), data)
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
    assert stamp.startswith("2026-03-02 18:05:00") and stamp.endswith("+0400")
    roster = {r["student_id"]: r for r in read_roster(course)}
    assert roster["100232"]["full_name"] == "Giorgi Beridze"
    assert roster["100232"]["participant_id"] == "1240"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        student = gb.find_student("100231")
        assert (student.first_name, student.last_name) == ("Aysel", "Mammadova")


def test_nothing_imported_or_a_file_skipped_is_an_error(course, tmp_path, capsys):
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
    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path)
    released = (course / "release" / A / NB).read_bytes()
    archive = _zip(tmp_path / "m.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{NB}": released,
        f"Giorgi Beridze_1240_assignsubmission_file/{NB}": released,
    })
    assert main(["--course-dir", str(course), "import-zip", A, str(archive)]) == 0
    # replace the untouched notebooks with a model answer and a partial one
    write_submission(course, A, "1234", "solution")
    write_submission(course, A, "1240", "partial", answered=["a1_answer"])
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        for nb in gb.find_submission(A, "1234").notebooks:  # the lecturer marks Aysel's answers
            for grade in nb.grades:
                if grade.name in {c.name for c in nb.notebook.solution_cells}:
                    grade.manual_score = grade.max_score
                    grade.needs_manual_grade = False  # what the formgrader does on a mark
        gb.db.commit()
    sheet, fbzip = tmp_path / "upload.csv", tmp_path / "feedback.zip"
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(tmp_path / "g.csv"),
                 "--assignment", A, "--moodle-worksheet", str(sheet),
                 "--moodle-feedback-zip", str(fbzip)]) == 0
    with sheet.open(encoding="utf-8", newline="") as fh:
        rows = {r["Identifier"]: r for r in csv.DictReader(fh)}
    assert rows["Participant 1234"]["Grade"] == "21.00"
    assert rows["Participant 1234"]["Maximum Grade"] == "21"
    assert rows["Participant 1240"]["Grade"] == ""  # written answers not marked: no grade yet
    assert rows["Participant 1240"]["Full name"] == "Giorgi Beridze"
    with zipfile.ZipFile(fbzip) as zf:
        names = sorted(zf.namelist())
    assert names == [f"Aysel Mammadova_1234_assignsubmission_file_/{A}.html",
                     f"Giorgi Beridze_1240_assignsubmission_file_/{A}.html"]
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
