"""The lecturer's whole cycle, end to end, in a temporary course folder.

generate -> submissions (model answer, untouched, partly right, and the pathological ones) ->
``migdata-course autograde`` (parallel) -> feedback HTML -> CSV export, plus resuming after an
interruption and agreement with plain ``nbgrader autograde``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from migdata.grading.autograde import autograde, read_ledger
from migdata.grading.cli import main
from migdata.simulate.submissions import write_submission

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.timeout(600)]

A = "unit22_sources"
TIMEOUT = "30"  # seconds a cell may run
# points of the Unit 2.2 assignment, by answer cell (tests) and written parts
AUTO_MAX = 14.0
TOTAL_MAX = 21.0
PARTIAL = ["a1_answer", "b2a_answer", "b2b_answer", "b2c_answer"]  # A1 (2) + B2 (3 points)

KINDS = {
    "s01_model": "solution",
    "s02_untouched": "untouched",
    "s03_partial": "partial",
    "s04_loop": "infinite_loop",
    "s05_crash": "kernel_dies",
    "s06_broken": "invalid_json",
    "s07_renamed": "renamed",
    "s08_tampered": "tampered",
    "s10_killer": "kills_grader",
}
EXPECTED = {  # student -> (status, autograded score)
    "s01_model": ("graded", AUTO_MAX),
    "s02_untouched": ("graded", 0.0),
    "s03_partial": ("graded", 5.0),
    # a student's own code cells (an endless loop, os._exit, a kill of the grader) are never
    # run: the answers are read, and they are right (changed behaviour: the grader no longer
    # runs student code, so these used to time out or kill their kernel)
    "s04_loop": ("graded", AUTO_MAX),
    "s05_crash": ("graded", AUTO_MAX),
    "s06_broken": ("invalid_notebook", 0.0),
    "s07_renamed": ("renamed", 0.0),
    # test cells replaced by `pass`: the released ones are graded; the answers are empty
    "s08_tampered": ("graded", 0.0),
    "s09_absent": ("missing", 0.0),
    "s10_killer": ("graded", AUTO_MAX),
}


def make_course(repo_root: Path, base: Path, assignments: list[str]) -> Path:
    """A course folder laid out like the repository: autograder/ next to assignments/source/."""
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    for name in assignments:
        shutil.copytree(repo_root / "assignments" / "source" / name,
                        base / "assignments" / "source" / name)
    return course


def cli(course: Path, *args: str) -> int:
    return main(["--course-dir", str(course), *args])


def add_students(course: Path, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        for student in students:
            gb.update_or_create_student(student)


def give_full_manual_marks(course: Path, assignment: str, student: str) -> None:
    """What the lecturer does in formgrader: full marks on every written answer."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        sub = gb.find_submission(assignment, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                if grade.needs_manual_grade:
                    grade.manual_score = grade.max_score
        gb.db.commit()


@pytest.fixture(scope="module")
def graded_course(repo_root, tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    course = make_course(repo_root, base, [A])
    assert cli(course, "generate", A) == 0
    add_students(course, ["s09_absent"])
    for student, kind in KINDS.items():
        write_submission(course, A, student, kind, answered=PARTIAL)
    assert cli(course, "autograde", A, "--workers", "2", "--timeout", TIMEOUT, "--quiet") == 0
    return course


def test_every_submission_gets_the_expected_status_and_score(graded_course, capsys):
    ledger = read_ledger(graded_course, A)
    assert set(ledger) == set(EXPECTED)
    for student, (status, score) in EXPECTED.items():
        assert (ledger[student].status, ledger[student].score) == (status, score), student
        assert ledger[student].max_score == TOTAL_MAX
    assert "code cell(s) of the student's own (not run" in ledger["s04_loop"].detail
    assert "unit22_sources (1).ipynb" in ledger["s07_renamed"].detail
    assert "not valid JSON" in ledger["s06_broken"].detail
    assert "locked cells edited" in ledger["s08_tampered"].detail
    assert "a1_test" in ledger["s08_tampered"].detail
    # the report shows every student once, with the status in words
    assert cli(graded_course, "report", A) == 0
    out = capsys.readouterr().out
    for student in EXPECTED:
        assert out.count(student) == 1
    assert "invalid notebook" in out and "renamed" in out and "missing" in out


def test_model_answer_reaches_full_marks_once_written_parts_are_marked(graded_course):
    give_full_manual_marks(graded_course, A, "s01_model")
    table = pd.read_csv(_export(graded_course))
    row = table.set_index("student_id").loc["s01_model"]
    assert row.score == row.max_score == TOTAL_MAX
    assert row.blank_unconfirmed == 0  # every written answer was written, none blank


def _export(course: Path) -> Path:
    out = course / "exports" / "grades.csv"
    assert cli(course, "export", str(out)) == 0
    return out


def test_feedback_html_and_csv_export(graded_course):
    assert cli(graded_course, "feedback", A) == 0
    html = graded_course / "feedback" / "s03_partial" / A / f"{A}.html"
    assert html.is_file()
    assert "Score: 5.0 / 21.0" in " ".join(html.read_text(encoding="utf-8").split())
    table = pd.read_csv(_export(graded_course), dtype={"student_id": "string"})
    assert list(table.columns[:5]) == ["assignment", "student_id", "status", "score", "max_score"]
    assert sorted(table.student_id) == sorted(EXPECTED)
    by_student = table.set_index("student_id")
    assert by_student.loc["s03_partial", "score"] == 5.0
    assert by_student.loc["s05_crash", "status"] == "graded"
    assert by_student.loc["s09_absent", "status"] == "missing"
    # nbgrader scores blank written answers 0 without flagging them for manual grading; the
    # export counts them so the lecturer confirms them
    untouched = by_student.loc["s02_untouched"]
    assert not untouched.needs_manual_grade and untouched.blank_unconfirmed > 0


def test_unchanged_submissions_are_not_regraded_and_changed_ones_are(graded_course):
    write_submission(graded_course, A, "s02_untouched", "partial",
                     answered=["c1a_answer", "c1b_answer"])
    seen = []
    results = autograde(graded_course, A, workers=1, timeout=int(TIMEOUT), progress=False,
                        on_result=seen.append)
    by_student = {r.student: r for r in results}
    assert [r.student for r in seen if not r.reused and r.status != "missing"] == [
        "s02_untouched"]
    assert by_student["s02_untouched"].score == 3.0  # C1 is worth 3 points
    assert by_student["s01_model"].reused and by_student["s04_loop"].reused


def test_an_interrupted_run_resumes_without_losing_grades(repo_root, tmp_path):
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    for student in ["r1", "r2", "r3"]:
        write_submission(course, A, student, "partial",
                         answered=["b2a_answer", "b2b_answer", "b2c_answer"])

    def stop_after_first(result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        autograde(course, A, workers=1, progress=False, on_result=stop_after_first)
    assert [s for s, r in read_ledger(course, A).items() if r.status == "graded"] == ["r1"]
    results = autograde(course, A, workers=1, progress=False)
    assert [(r.student, r.score, r.reused) for r in results] == [
        ("r1", 3.0, True), ("r2", 3.0, False), ("r3", 3.0, False)
    ]


def test_parallel_scores_equal_plain_nbgrader_autograde(repo_root, tmp_path, graded_course):
    """The same submissions graded by the `nbgrader autograde` command give the same scores."""
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    students = {"s03_partial": "partial", "s08_tampered": "tampered"}
    for student, kind in students.items():
        write_submission(course, A, student, kind, answered=PARTIAL)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", A],
                   cwd=course, env=env, check=True, capture_output=True)
    plain, ours = auto_scores(course, students), auto_scores(graded_course, students)
    assert plain == ours
    assert plain == {"s03_partial": 5.0, "s08_tampered": 0.0}


def auto_scores(course: Path, students) -> dict[str, float]:
    """Every test cell's autograded score, per student (manual marks left aside)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        return {
            s: sum(g.auto_score or 0 for nb in gb.find_submission(A, s).notebooks
                   for g in nb.grades)
            for s in students
        }


def test_import_of_a_moodle_zip(repo_root, tmp_path):
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    released = (course / "release" / A / f"{A}.ipynb").read_bytes()
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Aysel Mammadova_100231_assignsubmission_file_/{A}.ipynb", released)
        zf.writestr(f"Giorgi Beridze_100232_assignsubmission_file_/{A}.ipynb", released)
        # older Moodle versions flatten the folder into the file name
        zf.writestr(f"Nino Kapanadze_100234_assignsubmission_file_{A}.ipynb", released)
        zf.writestr("Anna Petrosyan_100233_assignsubmission_onlinetext_/onlinetext.html", "<p/>")
    # the online-text entry is skipped and said so: exit status 1 (see test_course_moodle.py)
    assert cli(course, "import-zip", A, str(archive)) == 1
    assert sorted(p.parent.name for p in (course / "submitted").glob(f"*/{A}")) == [
        "100231", "100232", "100234"
    ]
    assert (course / "submitted" / "100231" / A / f"{A}.ipynb").read_bytes() == released


def test_release_and_collect_through_an_exchange(repo_root, tmp_path):
    """The JupyterHub route: release -> (student fetches and submits) -> collect."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    course = make_course(repo_root, tmp_path, [A])
    exchange, home = tmp_path / "exchange", tmp_path / "student_home"
    exchange.mkdir()
    home.mkdir()
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    assert cli(course, "generate", A) == 0
    assert cli(course, "release", A) == 0
    assert (exchange / "migdata-module2" / "outbound" / A / f"{A}.ipynb").is_file()

    student = Config()
    student.Exchange.root = str(exchange)
    student.Exchange.assignment_dir = str(home)
    student.CourseDirectory.course_id = "migdata-module2"
    student.CourseDirectory.assignment_id = A
    for app in (ExchangeFetchAssignment, ExchangeSubmit):
        app(coursedir=CourseDirectory(config=student), authenticator=Authenticator(config=student),
            config=student).start()
    assert (home / A / f"{A}.ipynb").is_file()

    assert cli(course, "collect", A) == 0
    collected = list((course / "submitted").glob(f"*/{A}/{A}.ipynb"))
    assert len(collected) == 1
    assert (collected[0].parent / "timestamp.txt").is_file()
