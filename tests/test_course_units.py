"""Fast checks of the lecturer tools' parts: submission checks, ledger, report, export, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.grading.autograde import GradeResult, autograde, default_workers, read_ledger
from migdata.grading.cli import main
from migdata.grading.config import load_config
from migdata.grading.report import export_grades, format_report
from migdata.grading.submissions import fingerprint, inspect_submission
from migdata.simulate.submissions import write_submission

A = "unit22_sources"
WRITTEN = ("r2_answer", "a3_answer")  # the written answers of unit24_net_migration


@pytest.fixture(scope="module")
def course(repo_root, tmp_path_factory) -> Path:
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path_factory.mktemp("units"), [A])
    assert main(["--course-dir", str(course), "generate", A]) == 0
    return course


def released(course: Path) -> dict[str, Path]:
    return {p.name: p for p in (course / "release" / A).glob("*.ipynb")}


def test_config_is_anchored_on_the_course_folder(course, tmp_path):
    cfg = load_config(course, timeout=7)
    assert cfg.CourseDirectory.root == str(course.resolve())
    assert cfg.CourseDirectory.course_id == "migdata-module2"
    assert cfg.Execute.timeout == 7
    assert Path(cfg.CourseDirectory.source_directory) == course.parent / "assignments" / "source"
    with pytest.raises(InvalidInputError, match=r"no nbgrader_config\.py"):
        load_config(tmp_path)
    with pytest.raises(InvalidInputError, match="timeout"):
        load_config(course, timeout=0)


def test_student_version_has_no_answers_and_no_hidden_tests(course):
    text = (course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert "raise NotImplementedError()" not in text and "YOUR ANSWER HERE" in text
    assert "%%answer A1 percent" in text
    assert "expect(" not in text  # a hidden check


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("solution", lambda i: not (i.missing or i.unexpected or i.invalid or i.unsafe)
         and list(i.notebooks) == [f"{A}.ipynb"]),
        ("untouched", lambda i: not i.invalid and i.timestamp),
        ("renamed", lambda i: i.renamed and i.unexpected == [f"{A} (1).ipynb"]),
        ("invalid_json", lambda i: "not valid JSON" in i.invalid[f"{A}.ipynb"]),
        ("missing", lambda i: not i.exists and i.missing == [f"{A}.ipynb"]),
    ],
)
def test_inspection_names_what_is_wrong(course, kind, check):
    folder = write_submission(course, A, f"insp_{kind}", kind)
    assert check(inspect_submission(folder, released(course)))


def test_the_graded_notebook_has_the_release_cells_and_the_answers_as_text(course):
    from migdata.grading.submissions import graded_notebook

    folder = write_submission(course, A, "insp_built", "answers",
                              texts={"A1": "4,39 %", "B2c": "c')\nimport os"})
    nb = json.loads((folder / f"{A}.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(3, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "source": "import os; os._exit(1)"})
    release = json.loads(released(course)[f"{A}.ipynb"].read_text(encoding="utf-8"))
    built, notes = graded_notebook(release, nb)
    assert [c["metadata"] for c in built["cells"]] == [c["metadata"] for c in release["cells"]]
    sources = [c["source"] for c in built["cells"]]
    assert "import os; os._exit(1)" not in sources
    assert ("from migdata.answers.saved import record; record('A1', '4,39 %')"
            "  # the answer to A1 as saved in your notebook") in sources
    b2c = next(s for s in sources if "record('B2c'" in s)
    assert "record('B2c', \"c')\\nimport os\")" in b2c  # one string literal, not code
    assert notes == []


def test_fingerprint_changes_with_content_or_timestamp(course):
    folder = write_submission(course, A, "fp", "untouched")
    before = fingerprint(folder)
    assert fingerprint(folder) == before
    (folder / "timestamp.txt").write_text("2026-01-01 10:00:00 UTC", encoding="utf-8")
    assert fingerprint(folder) != before
    assert fingerprint(folder.parent / "nope") is None


def test_synthetic_submission_errors(course):
    with pytest.raises(InvalidInputError, match="unknown submission kind"):
        write_submission(course, A, "x", "lazy")
    with pytest.raises(InvalidInputError, match="not in"):
        write_submission(course, A, "x", "partial", answered=["z9_answer"])
    # a partial submission needs the answers to fill in; none given is a mistake, not 'untouched'
    for nothing in (None, []):
        with pytest.raises(InvalidInputError, match="answered="):
            write_submission(course, A, "x", "partial", answered=nothing)
    with pytest.raises(InvalidInputError, match="run `migdata-course generate"):
        write_submission(course, "unit99", "x", "solution")


def test_autograde_refuses_bad_arguments(course):
    with pytest.raises(InvalidInputError, match="workers"):
        autograde(course, A, workers=0)
    # by default one worker more than the usable cores: workers wait while kernels start
    assert default_workers() == len(os.sched_getaffinity(0)) + 1 >= 2
    assert main(["--course-dir", str(course), "autograde", "unit99_nothing", "--quiet"]) == 2


def test_report_lists_each_student_with_status_in_words():
    results = [
        GradeResult("a1", "graded", 21.0, 21.0, seconds=2.0),
        GradeResult("b2", "kernel_died", 0.0, 21.0, "the kernel died", seconds=1.0),
        GradeResult("c3", "missing", 0.0, 21.0, "no submission folder"),
        GradeResult("d4", "graded", 5.0, 21.0, reused=True),
    ]
    text = format_report(results, A)
    assert "kernel died" in text and "the kernel died" in text
    assert "(unchanged, not regraded)" in text
    assert "2  graded" in text and "1  missing" in text
    assert "Graded 2 submissions now (1.5 s each)" in text
    assert "(4 students)" in text
    one = format_report(results[:1], A)
    assert "(1 student)" in one and "Graded 1 submission now (2.0 s each)" in one


def test_export_with_lecturer_marks_checks_the_scheme(course, tmp_path):
    marks = tmp_path / "marks.csv"
    marks.write_text("student_id,presentation,participation\nfp,8,30\n", encoding="utf-8")
    # Unit 2.2 is worth 21 points, not the 50 the Unit 2.4 scheme needs
    with pytest.raises(InvalidInputError, match="needs 50"):
        export_grades(course, tmp_path / "g.csv", assignments=[A], marks=marks)
    bad = tmp_path / "bad.csv"
    bad.write_text("student_id,presentation\nfp,8\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="participation"):
        export_grades(course, tmp_path / "g.csv", assignments=[A], marks=bad)
    with pytest.raises(InvalidInputError, match="not in the gradebook"):
        export_grades(course, tmp_path / "g.csv", assignments=["unit99"])


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own session use
def test_final_mark_out_of_100_for_unit24(repo_root, tmp_path):
    """Notebook 50 + presentation 10 + participation 40; no mark recorded stays a gap."""
    from nbgrader.api import Gradebook

    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path, ["unit24_net_migration"])
    assert main(["--course-dir", str(course), "generate", "unit24_net_migration"]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        gb.update_or_create_student("100231")
        gb.update_or_create_student("100232")
        gb.update_or_create_student("100233")
        gb.update_or_create_submission("unit24_net_migration", "100233")
        for grade in gb.find_submission("unit24_net_migration", "100233").notebooks[0].grades:
            grade.needs_manual_grade = grade.name in WRITTEN
            grade.auto_score = 0.0 if grade.name not in WRITTEN else None
        # 100234 left the written answers blank: nbgrader scores them 0 and does not flag them
        gb.update_or_create_student("100234")
        gb.update_or_create_submission("unit24_net_migration", "100234")
        for grade in gb.find_submission("unit24_net_migration", "100234").notebooks[0].grades:
            grade.needs_manual_grade = False
            grade.auto_score = {"r1a1_test": 2.0, "r1a2_test": 2.0, "r1a3_test": 1.0}.get(
                grade.name, 0.0)
        gb.db.commit()
    marks = tmp_path / "marks.csv"
    marks.write_text("student_id,presentation,participation\n100231,8,35\n100233,9,40\n"
                     "100234,7,30\n", encoding="utf-8")

    def export() -> pd.DataFrame:
        return export_grades(course, tmp_path / "final.csv", marks=marks,
                             assignments=["unit24_net_migration"]).set_index("student_id")

    table = export()
    assert table.loc["100231", "final"] == 0 + 8 + 35  # nothing handed in: notebook 0
    assert pd.isna(table.loc["100232", "final"])  # no marks recorded
    assert table.loc["100233", "needs_manual_grade"]
    assert pd.isna(table.loc["100233", "final"])  # written answers not marked yet
    # blank written answers: not flagged by nbgrader, yet no final mark until the lecturer
    # confirms their 0 in the formgrader
    assert not table.loc["100234", "needs_manual_grade"]
    assert table.loc["100234", "blank_unconfirmed"] == len(WRITTEN)
    assert pd.isna(table.loc["100234", "final"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        for grade in gb.find_submission("unit24_net_migration", "100234").notebooks[0].grades:
            if grade.name in WRITTEN:
                grade.manual_score = 0.0  # what entering 0 in the formgrader stores
        gb.db.commit()
    table = export()
    assert table.loc["100234", "blank_unconfirmed"] == 0
    assert table.loc["100234", "final"] == 5 + 7 + 30
    too_high = tmp_path / "high.csv"
    too_high.write_text("student_id,presentation,participation\n100231,12,35\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="presentation must be a number from 0 to 10"):
        export_grades(course, tmp_path / "f.csv", assignments=["unit24_net_migration"],
                      marks=too_high)
    assert read_ledger(course, "unit24_net_migration") == {}


def test_an_answer_cell_that_lost_its_first_line_is_still_read_as_text(course):
    """A student deletes the %%answer line by mistake: the cell keeps its grade id, and the
    grader reads its text (never runs it), with a note for the lecturer."""
    from migdata.grading.submissions import graded_notebook

    folder = write_submission(course, A, "insp_lost", "answers", texts={"A1": "4,39 %"})
    nb = json.loads((folder / f"{A}.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "".join(c["source"]).startswith("%%answer A1"))
    cell["source"] = "4,39 %"  # the header line deleted
    release = json.loads(released(course)[f"{A}.ipynb"].read_text(encoding="utf-8"))
    built, notes = graded_notebook(release, nb)
    sources = [c["source"] for c in built["cells"]]
    assert any("record('A1', '4,39 %')" in s for s in sources)
    assert notes == ["answer A1: its cell had lost the %%answer line; the cell's text was read "
                     "as the answer"]
    # a headerless cell with another question's header elsewhere does not replace that answer
    cell["source"] = "%%answer A1 percent\n5 %"
    built, notes = graded_notebook(release, nb)
    assert any("record('A1', '5 %')" in c["source"] for c in built["cells"]) and notes == []
