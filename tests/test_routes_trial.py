"""Findings of the outside trial of the lecturer's guide (issue 22), one test each.

Each test drives the command or function the tester used, on a gradebook filled the way
nbgrader fills it (``autograde`` itself is tested elsewhere): late hand-ins in the final mark
(finding 1), marks nbgrader flags again after ``autograde --force`` (2), a Moodle zip imported
without an id map over a class list (3), stale or unfinished feedback in Moodle's feedback zip
(4), lateness in ``report`` (8), blank written answers in ``feedback`` (9), and ``report`` read
later (12).
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from migdata.grading.cli import main
from migdata.grading.feedback import check_marks
from migdata.grading.report import (
    export_grades,
    format_report,
    late_by,
    points_by_student,
)

pytestmark = [pytest.mark.xdist_group("routes-trial"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

U24 = "unit24_net_migration"
WRITTEN = ("r2_answer", "a3_answer")
DUE = datetime(2026, 3, 2, 16, 0)  # naive UTC, as nbgrader stores it (20:00 in Baku)


@pytest.fixture(scope="module")
def unit24(repo_root, tmp_path_factory) -> Path:
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path_factory.mktemp("trial24"), [U24])
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    assert main(["--course-dir", str(course), "generate", U24]) == 0
    return course


def _hand_in(course: Path, student: str, *, late: timedelta = timedelta(0),
             written: float | None = None, flagged: bool = False) -> None:
    """A graded submission in the gradebook: every test passed, written answers as given."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        gb.update_or_create_assignment(U24, duedate=DUE)
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(U24, student, timestamp=DUE + late)
        for grade in sub.notebooks[0].grades:
            if grade.name in WRITTEN:
                grade.auto_score = None
                grade.manual_score = written
                grade.needs_manual_grade = flagged
            else:
                grade.auto_score = grade.max_score
                grade.needs_manual_grade = False
        gb.db.commit()


def test_1_and_8_the_final_mark_counts_the_late_penalty(unit24, tmp_path):
    _hand_in(unit24, "100231", late=timedelta(hours=1, minutes=30), written=10.0)
    _hand_in(unit24, "100230", written=10.0)
    marks = tmp_path / "marks.csv"
    marks.write_text("student_id,presentation,participation\n100231,8.5,35\n100230,8,30\n",
                     encoding="utf-8")
    table = export_grades(unit24, tmp_path / "final.csv", assignments=[U24],
                          marks=marks).set_index("student_id")
    top = table.loc["100231", "score"]
    # tests 25 + written 10 + 10 (of 25); late with 'zero': all of it goes
    assert top == 45 and table.loc["100231", "late_penalty"] == top
    # the notebook counts after the penalty: 0 + 8.5 + 35, not 45 + 8.5 + 35
    assert table.loc["100231", "score_after_penalty"] == 0
    assert table.loc["100231", "final"] == 43.5
    assert table.loc["100230", "score_after_penalty"] == 45
    assert table.loc["100230", "final"] == 45 + 8 + 30
    header = (tmp_path / "final.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.index("score_after_penalty") == header.index("late_penalty") + 1
    # report: the lateness and the penalty in the detail
    from migdata.grading.autograde import GradeResult

    results = [GradeResult("100230", "graded", 45.0, 50.0),
               GradeResult("100231", "graded", 45.0, 50.0)]
    text = format_report(results, U24, split=points_by_student(unit24, U24))
    line = next(ln for ln in text.splitlines() if ln.startswith("100231"))
    assert "late by 1 h 30 min, penalty 45" in line and line.split()[5] == "0.0"
    assert "late by" not in next(ln for ln in text.splitlines() if ln.startswith("100230"))


def test_late_by_in_words():
    assert late_by(5400) == "1 h 30 min"
    assert late_by(420) == "7 min"
    assert late_by(95) == "1 min 35 s"
    assert late_by(3 * 86400 + 7200) == "3 d 2 h"
    assert late_by(2) == "2 s"


def test_2_marks_flagged_again_after_autograding_again_are_to_mark_everywhere(unit24, tmp_path):
    # autograde --force after marking: nbgrader keeps the marks and flags them again
    _hand_in(unit24, "100232", written=10.0, flagged=True)
    split = points_by_student(unit24, U24)["100232"]
    assert split["manual_score"] == 20.0 and split["to_mark"] == split["manual_max"] > 0
    from migdata.grading.autograde import GradeResult

    text = format_report([GradeResult("100232", "graded", 50.0, 50.0)], U24,
                         split=points_by_student(unit24, U24))
    line = next(ln for ln in text.splitlines() if ln.startswith("100232"))
    assert line.split()[5] == "-"  # no final mark beside a mark nbgrader asks for again
    table = export_grades(unit24, tmp_path / "g.csv", assignments=[U24]).set_index("student_id")
    assert table.loc["100232", "to_mark"] > 0 and table.loc["100232", "needs_manual_grade"]
    checks = {c.student: c for c in check_marks(unit24, U24)}
    assert sorted(checks["100232"].remark) == sorted(WRITTEN)


def test_9_feedback_warns_about_blank_unconfirmed_answers(unit24):
    _hand_in(unit24, "100233", written=None, flagged=False)  # left blank: nbgrader's 0, no flag
    checks = {c.student: c for c in check_marks(unit24, U24)}
    assert sorted(checks["100233"].blank) == sorted(WRITTEN)
    assert not any(c.student.startswith("10023") and c.student != "100233"
                   and (c.blank or c.unmarked) for c in checks.values())


def test_12_report_read_later_does_not_say_now():
    from migdata.grading.autograde import GradeResult

    results = [GradeResult("a1", "graded", 21.0, 21.0, seconds=2.0)]
    assert "Graded 1 submission now" in format_report(results, "x")
    later = format_report(results, "x", now=False)
    assert "now" not in later and "Graded 1 submission at the last autograding" in later


def _moodle_zip(path: Path, entries: dict[str, bytes],
                when: tuple[int, ...] | None = (2026, 3, 2, 18, 5, 0)) -> Path:
    """Entries all at ``when``, or (None) one minute apart."""
    with zipfile.ZipFile(path, "w") as zf:
        for i, (name, data) in enumerate(entries.items()):
            stamp = when or (2026, 3, 2, 18, 5 + i, 0)
            zf.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    return path


def test_3_import_zip_without_an_id_map_over_a_class_list(unit24, tmp_path, capsys):
    from migdata.grading.moodle import class_list

    released = (unit24 / "release" / U24 / f"{U24}.ipynb").read_bytes()
    _hand_in(unit24, "100230", written=10.0)  # the class list, with two students
    _hand_in(unit24, "100231", late=timedelta(hours=1, minutes=30), written=10.0)
    before = set(class_list(unit24))
    assert {"100230", "100231"} <= before  # the class list is loaded
    archive = _moodle_zip(tmp_path / "m.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{U24}.ipynb": released,
        f"Giorgi Beridze_1240_assignsubmission_file/{U24}.ipynb": released,
    })
    capsys.readouterr()
    assert main(["--course-dir", str(unit24), "import-zip", U24, str(archive)]) != 0
    err = " ".join(capsys.readouterr().err.split())
    assert "is on the class list" in err and "Add --id-map" in err
    assert set(class_list(unit24)) == before  # no extra students in the gradebook
    assert not (unit24 / "submitted" / "1234").exists()
    # the same zip with an id map goes in under the student ids
    ids = tmp_path / "ids.csv"
    ids.write_text("participant_id,student_id\n1234,100230\n1240,100231\n", encoding="utf-8")
    assert main(["--course-dir", str(unit24), "import-zip", U24, str(archive),
                 "--id-map", str(ids)]) == 0
    assert (unit24 / "submitted" / "100230" / U24 / f"{U24}.ipynb").is_file()
    # one participant not on the class list among students who are: a warning naming it
    mixed = _moodle_zip(tmp_path / "mixed.zip", {
        f"Aysel Mammadova_100230_assignsubmission_file/{U24}.ipynb": released,
        f"Orxan Quliyev_1299_assignsubmission_file/{U24}.ipynb": released,
    })
    capsys.readouterr()
    assert main(["--course-dir", str(unit24), "import-zip", U24, str(mixed)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "1299 (Orxan Quliyev)" in err and "not on the class list" in err


def test_7_the_penalty_method_line_is_in_the_config_and_the_guide(repo_root, tmp_path):
    """The guide's `c.LateSubmissionPlugin.penalty_method` is in nbgrader_config.py, commented,
    with nbgrader's default; removing the '# ' and choosing "zero" takes effect."""
    from nbgrader.plugins import LateSubmissionPlugin
    from traitlets.config.loader import PyFileConfigLoader

    config = repo_root / "autograder" / "nbgrader_config.py"
    line = '# c.LateSubmissionPlugin.penalty_method = "none"'
    text = config.read_text(encoding="utf-8")
    assert line in text.splitlines()
    assert LateSubmissionPlugin().penalty_method == "none"  # the default the comment names
    guide = (repo_root / "autograder" / "README.md").read_text(encoding="utf-8")
    settings = guide[guide.index("## Settings in `nbgrader_config.py`"):]
    assert "`LateSubmissionPlugin.penalty_method`" in settings
    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(config.parent)).load_config()
    assert "penalty_method" not in loaded.get("LateSubmissionPlugin", {})
    (tmp_path / "nbgrader_config.py").write_text(
        text.replace(line, 'c.LateSubmissionPlugin.penalty_method = "zero"'), encoding="utf-8")
    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert loaded.LateSubmissionPlugin.penalty_method == "zero"


def test_3_the_worked_example_imports_with_an_id_map(repo_root):
    guide = (repo_root / "autograder" / "README.md").read_text(encoding="utf-8")
    example = guide[guide.index("## The commands in order: a worked example"):]
    example = example[:example.index("\n## ", 5)]
    imports = [ln for ln in example.splitlines() if ln.startswith("migdata-course import-zip")]
    assert imports and all("--id-map" in ln for ln in imports)


def test_5_one_time_for_every_file_in_the_zip_is_a_warning(unit24, tmp_path, capsys):
    import os

    released = (unit24 / "release" / U24 / f"{U24}.ipynb").read_bytes()
    ids = tmp_path / "ids.csv"
    ids.write_text("participant_id,student_id\n1234,100230\n1240,100231\n", encoding="utf-8")
    when = (2026, 3, 3, 9, 12, 0)  # the download, stamped on every entry
    archive = _moodle_zip(tmp_path / "m.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{U24}.ipynb": released,
        f"Giorgi Beridze_1240_assignsubmission_file/{U24}.ipynb": released,
    }, when=when)
    from zoneinfo import ZoneInfo

    saved = datetime(*when, tzinfo=ZoneInfo("Asia/Baku")).timestamp() + 30
    os.utime(archive, (saved, saved))
    capsys.readouterr()
    assert main(["--course-dir", str(unit24), "import-zip", U24, str(archive),
                 "--id-map", str(ids)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "all 2 hand-ins have one and the same time in the zip" in err
    assert "probably the download's time" in err and "Last modified (submission)" in err
    # different times: no warning
    spread = _moodle_zip(tmp_path / "s.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{U24}.ipynb": released,
        f"Giorgi Beridze_1240_assignsubmission_file/{U24}.ipynb": released,
    }, when=None)
    assert main(["--course-dir", str(unit24), "import-zip", U24, str(spread),
                 "--id-map", str(ids)]) == 0
    assert "same time" not in capsys.readouterr().err


def _setup_hub(script: Path, **env: str):
    import os
    import subprocess

    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SKIP_LOGIN_DEFS": "1", **env}
    return subprocess.run(["bash", str(script)], env=full, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid") or __import__("os").getuid() != 0,
                    reason="setup-hub.sh runs as root")
def test_6_and_12_setup_hub_group_route_and_where_it_runs_from(repo_root, tmp_path):
    import shutil

    script = repo_root / "autograder" / "hub" / "setup-hub.sh"
    text = script.read_text(encoding="utf-8")
    base = {"INSTRUCTOR": "root", "PYTHON": "/bin/false",
            "COURSE_DIR": str(tmp_path / "course" / "autograder")}
    # a group that does not exist is refused, before anything is changed
    done = _setup_hub(script, **base, MIGDATA_GROUP="no-such-group-migdata")
    assert done.returncode == 2 and "no Linux group no-such-group-migdata" in done.stderr
    # an existing group gets past the check (then the fake PYTHON stops the run)
    done = _setup_hub(script, **base, MIGDATA_GROUP="root")
    assert done.returncode == 2 and "lacks the kit" in done.stderr, done.stderr
    # its members get the home and kit checks, and the hub reads MIGDATA_GROUP from the env file
    assert 'for user in $everyone; do\n    if ! why=' in text
    assert "MIGDATA_GROUP=$MIGDATA_GROUP\n" in text
    assert "the members of MIGDATA_GROUP}" not in text  # no promise without the group
    # a copy inside the instructor's course folder (the hub's config would be theirs): refused
    inside = tmp_path / "course" / "autograder" / "hub"
    inside.mkdir(parents=True)
    shutil.copy(script, inside / "setup-hub.sh")
    done = _setup_hub(inside / "setup-hub.sh", **base)
    assert done.returncode == 2 and "inside the instructor's course folder" in done.stderr


def test_10_step_0_of_the_worked_example_runs_clean(repo_root, tmp_path):
    import os
    import subprocess
    import sys

    guide = (repo_root / "autograder" / "README.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in guide.splitlines() if "nbgrader db student import" in ln
               and not ln.lstrip().startswith("#")]
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path, [])
    (tmp_path / "students.csv").write_text(
        "id,first_name,last_name,email\n100231,Aysel,Mammadova,aysel@example.az\n",
        encoding="utf-8")
    bin_dir = str(Path(sys.executable).parent)
    done = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"},
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stdout + done.stderr
    from migdata.grading.moodle import class_list

    assert class_list(course) == {"100231": "aysel@example.az"}


def test_12_export_refuses_a_wrong_maximum_before_writing_the_grades(unit24, tmp_path, capsys):
    from test_moodle_worksheet import EN, moodle_download

    sheet = tmp_path / "worksheet.csv"
    sheet.write_bytes(moodle_download(EN, [{"participant": "1234", "name": "Aysel Mammadova"}],
                                      max_grade=21.0))
    out = tmp_path / "g.csv"
    capsys.readouterr()
    assert main(["--course-dir", str(unit24), "export", str(out), "--assignment", U24,
                 "--moodle-worksheet", str(sheet)]) != 0
    assert "maximum grade is 21, the kit's unit24_net_migration is worth 50" in " ".join(
        capsys.readouterr().err.split())
    assert not out.exists()  # nothing written: the lecturer fixes Moodle and exports once


def test_11_a_failed_locked_setup_cell_is_named_in_the_report(unit24, capsys):
    import json
    from dataclasses import asdict

    import nbformat

    from migdata.grading.autograde import GradeResult, ledger_path

    nb = nbformat.read(unit24 / "release" / U24 / f"{U24}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code"
                 and c.metadata.get("nbgrader", {}).get("locked")
                 and not c.metadata["nbgrader"].get("grade")
                 and not c.metadata["nbgrader"].get("solution"))
    setup.outputs = [nbformat.v4.new_output(
        "error", ename="DataNotFoundError", evalue="no folder data/raw/ssc", traceback=[])]
    for student in ("100230", "100231"):  # graded as nbgrader does: status graded, score 0
        folder = unit24 / "autograded" / student / U24
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{U24}.ipynb")
    ledger = ledger_path(unit24, U24)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_text(json.dumps({s: asdict(GradeResult(s, "graded", 0.0, 50.0))
                                  for s in ("100230", "100231")}), encoding="utf-8")
    try:
        capsys.readouterr()
        assert main(["--course-dir", str(unit24), "report", U24]) == 0
        err = " ".join(capsys.readouterr().err.split())
        assert "2 of 2 student(s): a locked set-up cell (yours, not the student's) failed" in err
        assert f"{U24}.ipynb:{setup.metadata['nbgrader']['grade_id']}: DataNotFoundError" in err
        assert "autograde again with --force" in err
    finally:
        ledger.unlink()
        import shutil

        shutil.rmtree(unit24 / "autograded")
