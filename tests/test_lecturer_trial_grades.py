"""Findings of the lecturer trial (December 2026) about grades that could be wrong.

1. A score the lecturer set in the formgrader on an autograded test cell (nbgrader keeps it as a
   manual score that replaces the test's) outlived the student's next hand-in: the new, wrong
   answer kept the old 2 points and ``report`` showed them without a word. Now a formgrader score
   whose answer changed is dropped when the new hand-in is graded (and said), one whose answer
   is unchanged is kept, and one the kit cannot place is flagged: not final until confirmed.
2. ``export`` gave a notebook mark (``score_after_penalty``) and a ``final`` to hand-ins that were
   not graded (a renamed file): an earlier hand-in's 40 points, or 0 + presentation +
   participation. Now such rows have neither, export names the students, and ``report`` agrees.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from migdata.grading.cli import main
from migdata.grading.report import points

A = "unit22_sources"
U24 = "unit24_net_migration"


def _course(repo_root: Path, base: Path, *assignments: str) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    for name in assignments:
        shutil.copytree(repo_root / "assignments" / "source" / name,
                        base / "assignments" / "source" / name)
        assert main(["--course-dir", str(course), "generate", name]) == 0
    return course


def _formgrader_score(course: Path, student: str, grade_id: str, score: float) -> None:
    """What the formgrader does when the lecturer types a score into a test cell."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, A, A, student)
        grade.manual_score = score
        grade.needs_manual_grade = False
        gb.db.commit()


def _grade(course: Path, student: str, grade_id: str) -> tuple:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(grade_id, A, A, student)
        return grade.auto_score, grade.manual_score, grade.needs_manual_grade


def _autograde(course: Path, *more: str) -> None:
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2",
                 *more]) == 0


def test_a_formgrader_score_of_a_test_cell_does_not_outlive_a_changed_answer(
        repo_root, tmp_path, capsys):
    from datetime import UTC, datetime

    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path, A)
    # A1 in a style the tests reject and C1a wrong: 0 points each; the lecturer gives 2 for both
    write_submission(course, A, "100232", "answers", texts={"A1": "4,4", "C1a": "300"},
                     timestamp=datetime(2026, 3, 2, 10, tzinfo=UTC))
    _autograde(course)
    assert _grade(course, "100232", "a1_test")[:2] == (0.0, None)
    _formgrader_score(course, "100232", "a1_test", 2)
    _formgrader_score(course, "100232", "c1a_test", 2)
    capsys.readouterr()
    assert main(["--course-dir", str(course), "report", A]) == 0
    out = capsys.readouterr().out
    # the report names the scores set in the formgrader (an accidental one is seen)
    assert "formgrader score(s) of test cells: a1_test 2 (tests: 0), c1a_test 2 (tests: 0)" \
        in " ".join(out.split())

    # the student hands in again: A1 as before, C1a changed (and still wrong)
    write_submission(course, A, "100232", "answers", texts={"A1": "4,4", "C1a": "299"},
                     timestamp=datetime(2026, 3, 2, 11, tzinfo=UTC))
    _autograde(course)
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    # the score given to the earlier C1a is gone, the tests' 0 for the new answer counts
    assert _grade(course, "100232", "c1a_test") == (0.0, None, False)
    assert ("100232: c1a_test: your formgrader score 2 was given to an earlier hand-in and is "
            "dropped (the answer changed); the tests give 0") in err
    # the score given to the unchanged A1 stays, and is not flagged again
    assert _grade(course, "100232", "a1_test") == (0.0, 2.0, False)
    assert "a1_test" not in err
    row = next(ln for ln in captured.out.splitlines() if ln.startswith("100232"))
    assert "2.0/14.0" in row and "a1_test 2 (tests: 0)" in row
    assert "c1a_test 2" not in row
    assert main(["--course-dir", str(course), "report", A]) == 0
    assert "is dropped" in capsys.readouterr().out  # what the last grading did
    # grading again with nothing changed drops nothing, and says nothing of it (re-trial
    # finding 4: "(unchanged, not regraded) ... is dropped" on every later run)
    _autograde(course)
    captured = capsys.readouterr()
    assert "is dropped" not in captured.out + captured.err
    assert "(unchanged, not regraded)" in captured.out
    assert main(["--course-dir", str(course), "report", A]) == 0
    assert "is dropped" not in capsys.readouterr().out

    # grading the same hand-in again (--force) keeps the score, unflagged
    _autograde(course, "--force")
    assert _grade(course, "100232", "a1_test") == (0.0, 2.0, False)
    table = pd.read_csv(tmp_path / "g.csv") if main(
        ["--course-dir", str(course), "export", str(tmp_path / "g.csv")]) == 0 else None
    assert table is not None and table.loc[0, "auto_score"] == 2.0
    assert not table.loc[0, "needs_manual_grade"]

    # no record of the answers graded before (a course graded by an older kit): flagged
    (course / ".migdata-course" / f"{A}.answers.json").unlink()
    _formgrader_score(course, "100232", "c1a_test", 1)
    _autograde(course, "--force")
    err = " ".join(capsys.readouterr().err.split())
    assert _grade(course, "100232", "c1a_test") == (0.0, 1.0, True)
    assert "c1a_test: your formgrader score 1 was kept but flagged" in err
    # grading again does not confirm it: only the lecturer does
    _autograde(course, "--force")
    assert _grade(course, "100232", "c1a_test") == (0.0, 1.0, True)
    capsys.readouterr()
    assert main(["--course-dir", str(course), "report", A]) == 0
    row = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("100232"))
    # a flagged score is still to mark: no final mark from it
    # 7 written points + a1_test 2 + c1a_test 2, both flagged
    assert row.split()[4] == "11.0" and row.split()[5] == "-"
    assert main(["--course-dir", str(course), "export", str(tmp_path / "g.csv")]) == 0
    table = pd.read_csv(tmp_path / "g.csv")
    assert table.loc[0, "to_mark"] == 11.0 and table.loc[0, "needs_manual_grade"]
    # entered again in the formgrader: confirmed, no longer to mark
    _formgrader_score(course, "100232", "a1_test", 2)
    _formgrader_score(course, "100232", "c1a_test", 1)
    capsys.readouterr()
    assert main(["--course-dir", str(course), "report", A]) == 0
    row = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("100232"))
    assert row.split()[3:5] == ["3.0/14.0", "7.0"]
    _autograde(course, "--force")  # confirmed scores of unchanged answers stay unflagged
    assert _grade(course, "100232", "c1a_test") == (0.0, 1.0, False)


def test_points_count_a_flagged_formgrader_score_of_a_test_cell_as_still_to_mark():
    def grade(name, auto, manual, flagged, top=2.0):
        return SimpleNamespace(name=name, auto_score=auto, manual_score=manual,
                               needs_manual_grade=flagged, max_score=top)

    nb = SimpleNamespace(notebook=SimpleNamespace(solution_cells=[SimpleNamespace(name="d1")]),
                         grades=[grade("a1_test", 0.0, 2.0, True), grade("b1_test", 0.0, 1.0,
                                                                           False),
                                 grade("d1", None, 3.0, False, 4.0)])
    got = points(SimpleNamespace(notebooks=[nb], late_submission_penalty=0.0))
    assert got["auto_score"] == 3.0 and got["to_mark"] == 2.0 and got["manual_score"] == 3.0


def test_a_hand_in_that_was_not_graded_gets_no_mark_in_export_or_report(
        repo_root, tmp_path, capsys):
    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path, A)
    write_submission(course, A, "100235", "solution")
    write_submission(course, A, "100231", "solution")
    _autograde(course)
    # 100235 hands in again, as "unit22_sources (1).ipynb"; 100233's first hand-in is renamed
    folder = course / "submitted" / "100235" / A
    (folder / f"{A}.ipynb").rename(folder / f"{A} (1).ipynb")
    write_submission(course, A, "100233", "renamed")
    _autograde(course)
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(tmp_path / "g.csv")]) == 0
    err = " ".join(capsys.readouterr().err.split())
    table = pd.read_csv(tmp_path / "g.csv", dtype={"student_id": str}).set_index("student_id")
    assert table.loc["100231", "score_after_penalty"] == 14.0  # written answers not marked
    for student in ("100233", "100235"):
        assert table.loc[student, "status"] == "renamed"
        # "it scores 0" (the guide), and no notebook mark: not the earlier hand-in's 14
        assert table.loc[student, "score"] == 0.0
        assert math.isnan(table.loc[student, "score_after_penalty"])
    assert ("2 hand-in(s) not graded, so no score_after_penalty and no final mark: 100233 "
            f"({A}: renamed), 100235 ({A}: renamed)") in err
    assert main(["--course-dir", str(course), "report", A]) == 0
    rows = {ln.split()[0]: ln.split() for ln in capsys.readouterr().out.splitlines()
            if ln[:6].isdigit()}
    assert rows["100235"][1:6] == ["0.0", "21.0", "-", "-", "-"]
    assert rows["100231"][1:4] == ["14.0", "21.0", "14.0/14.0"]

    # the formgrader's "Generate feedback" (nbgrader's own GenerateFeedback, with the course's
    # nbgrader_config.py) makes no page for 100235 either, and removes the one it had (re-trial
    # finding 3: it showed the earlier hand-in's marks, and "Release feedback" would hand it out)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    old_page = course / "feedback" / "100235" / A / f"{A}.html"
    old_page.parent.mkdir(parents=True)
    old_page.write_text("<p>Score: 14.0 / 21.0</p>", encoding="utf-8")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    result = NbGraderAPI(CourseDirectory(config=cfg), config=cfg).generate_feedback(A)
    log = " ".join(result["log"].split())
    assert (f"no feedback for 100235: their newest hand-in of {A} was not graded (renamed), so "
            "a page would show an earlier hand-in's marks") in log
    assert not result["success"]
    assert not old_page.parent.exists()
    assert "(Score: 14.0 / 21.0)" in (course / "feedback" / "100231" / A / f"{A}.html"
                                      ).read_text(encoding="utf-8")
    shutil.rmtree(course / "feedback")

    # finding 8: the feedback page loads nothing from the internet when it holds no formula
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    page = (course / "feedback" / "100231" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "mathjax" not in page.lower() and "cdnjs" not in page and 'src="http' not in page
    assert "(Score: 14.0 / 21.0)" in page
    said = capsys.readouterr()
    assert "formulas" not in said.out
    # 100235's gradebook still holds the first hand-in's 14: no page from it (it would be
    # released with marks for work the student replaced), and feedback says so
    assert not (course / "feedback" / "100235" / A).exists()
    assert ("no feedback for 2 student(s) whose newest hand-in was not graded (its page would "
            "show an earlier hand-in's marks): 100233 (renamed), 100235 (renamed)"
            ) in " ".join(said.err.split())
    # a page with a formula keeps MathJax, and feedback names the student
    other = course / "feedback" / "100299" / A
    other.mkdir(parents=True)
    (other / f"{A}.html").write_text(page.replace(
        "</head>", '<!-- Load mathjax -->\n<script src="https://cdnjs.cloudflare.com/ajax/libs/'
        'mathjax/2.7.7/latest.js"> </script>\n<!-- End of mathjax configuration -->\n</head>'
    ).replace("</body>", "<p>$x^2$</p></body>"), encoding="utf-8")
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    assert ("1 feedback page(s) hold formulas, typeset by MathJax from the internet (offline "
            "they show the formulas' TeX): 100299") in " ".join(capsys.readouterr().out.split())
    assert "cdnjs" in (other / f"{A}.html").read_text(encoding="utf-8")


def test_unit24_final_is_empty_for_a_renamed_first_hand_in(repo_root, tmp_path, capsys):
    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path, U24)
    write_submission(course, U24, "100233", "renamed")
    assert main(["--course-dir", str(course), "autograde", U24, "--quiet"]) == 0
    (tmp_path / "marks.csv").write_text("student_id,presentation,participation\n"
                                        "100233,7,30\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(tmp_path / "f.csv"), "--assignment",
                 U24, "--marks", str(tmp_path / "marks.csv")]) == 0
    table = pd.read_csv(tmp_path / "f.csv", dtype={"student_id": str})
    row = table.set_index("student_id").loc["100233"]
    # before: final 37 (notebook 0 + presentation 7 + participation 30)
    assert row["status"] == "renamed" and math.isnan(row["final"])
    assert math.isnan(row["score_after_penalty"])
    assert "100233 (unit24_net_migration: renamed)" in " ".join(capsys.readouterr().err.split())


def test_an_id_that_lost_its_leading_zeros_is_named_when_the_emails_are_used(
        repo_root, tmp_path, capsys):
    """Finding 3: the worksheet's ID number 231 (Excel dropped 000) beside the e-mails."""
    import zipfile

    from nbgrader.api import Gradebook

    course = _course(repo_root, tmp_path, A)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_student("000231", email="aysel@example.edu")
        gb.add_student("100232", email="giorgi@example.edu")
    released = (course / "release" / A / f"{A}.ipynb").read_bytes()
    with zipfile.ZipFile(tmp_path / "m.zip", "w") as zf:
        for name, participant in (("Aysel Mammadova", "1234"), ("Giorgi Beridze", "1240")):
            zf.writestr(f"{name}_{participant}_assignsubmission_file/{A}.ipynb", released)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("Identifier,Full name,ID number,Email address\n"
                     "Participant 1234,Aysel Mammadova,231,aysel@example.edu\n"
                     "Participant 1240,Giorgi Beridze,100232,giorgi@example.edu\n",
                     encoding="utf-8")
    capsys.readouterr()
    assert main(["--course-dir", str(course), "import-zip", A, str(tmp_path / "m.zip"),
                 "--id-map", str(sheet)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert (course / "submitted" / "000231" / A / f"{A}.ipynb").is_file()
    assert ("worksheet.csv: the column 'ID number' holds 231 for the class list's 000231: a "
            "spreadsheet program dropped the leading zeros. The column 'Email address' was "
            "used instead") in err


def test_an_id_that_lost_its_leading_zeros_in_the_column_used_is_refused(tmp_path):
    import pytest

    from migdata.errors import InvalidInputError
    from migdata.grading.moodle import read_id_map

    sheet = tmp_path / "worksheet.csv"
    sheet.write_text("Identifier,Full name,ID number\nParticipant 1234,Aysel,231\n"
                     "Participant 1240,Giorgi,100232\nParticipant 1241,Leyla,100233\n",
                     encoding="utf-8")
    # before: Aysel's row was dropped without a word about the lost zeros
    with pytest.raises(InvalidInputError, match=r"column 'ID number' holds ids that lost their "
                                                r"leading zeros \(231 \(class list: 000231\)"):
        read_id_map(sheet, {"000231": "", "100232": "", "100233": ""})


def _exchange_course(repo_root: Path, base: Path) -> Path:
    from test_course_exchange import _course as exchange_course

    return exchange_course(repo_root, base)


def test_collect_and_report_say_the_same_lateness_in_the_course_time_zone(
        repo_root, tmp_path, capsys):
    """Finding 4: collect said "late by 0 min" for 32 s, report "late by 33 s"; UTC beside +04."""
    import os
    import re
    from datetime import UTC, datetime, timedelta

    from test_course_exchange import ME, _handin, _set_due

    course = _exchange_course(repo_root, tmp_path)
    _set_due(course, datetime.now(UTC) - timedelta(seconds=32))
    _handin(course, ME, {}, claimed=datetime.now(UTC))
    # a later hand-in of the same student holds a link: refused, its time in the course's zone
    linked = _handin(course, ME, {}, claimed=datetime.now(UTC) + timedelta(seconds=5), tag="y")
    os.symlink("/etc/hostname", linked / "extra.txt")
    capsys.readouterr()
    main(["--course-dir", str(course), "collect", A])
    err = " ".join(capsys.readouterr().err.split())
    said = re.search(r"late by (\d+ s) \(exchange time\)", err)
    assert said, err
    assert re.search(r"the hand-in received \d{4}-\d\d-\d\d \d\d:\d\d \+04 is not collected", err)
    assert " UTC" not in err
    _autograde(course)
    assert main(["--course-dir", str(course), "report", A]) == 0
    row = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith(ME))
    assert f"late by {said.group(1)}," in row


def test_a_hand_copied_folder_with_a_later_time_does_not_block_the_exchange(
        repo_root, tmp_path, capsys):
    """Finding 7: only a hand-in time the kit wrote stops collect from taking a newer hand-in."""
    from datetime import UTC, datetime, timedelta

    from test_course_exchange import ME, _handin

    course = _exchange_course(repo_root, tmp_path)
    copied = course / "submitted" / ME / A
    copied.mkdir(parents=True)
    shutil.copy(course / "release" / A / f"{A}.ipynb", copied)
    # the student's own timestamp.txt, a week ahead: before, collect took it as already newer
    (copied / "timestamp.txt").write_text(
        (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
        encoding="utf-8")
    folder = _handin(course, ME, {"a1_answer": "%%answer A1 percent\n4,39%"},
                     claimed=datetime.now(UTC))
    capsys.readouterr()
    main(["--course-dir", str(course), "collect", A])
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert "1 new or newer submission(s) collected" in captured.out
    assert "4,39%" in (copied / f"{A}.ipynb").read_text(encoding="utf-8")
    assert (f"{ME}: the hand-in that was in submitted/{ME}/{A}/ is replaced by this one from "
            "the exchange: its time was not checked") in err
    # now the kit wrote the time: collecting again takes nothing and says nothing of it
    main(["--course-dir", str(course), "collect", A])
    captured = capsys.readouterr()
    assert "0 new or newer submission(s) collected" in captured.out
    assert "replaced" not in captured.err
    assert folder.is_dir()


def test_a_notebook_in_a_folder_inside_a_moodle_submission_is_named_with_what_to_do(
        repo_root, tmp_path, capsys):
    """Finding 5: it was skipped as "not named like a Moodle submission file"."""
    import zipfile

    course = _course(repo_root, tmp_path, A)
    released = (course / "release" / A / f"{A}.ipynb").read_bytes()
    with zipfile.ZipFile(tmp_path / "m.zip", "w") as zf:
        zf.writestr(f"Aysel Mammadova_1234_assignsubmission_file/sub/{A}.ipynb", released)
        zf.writestr(f"Giorgi Beridze_1240_assignsubmission_file/{A}.ipynb", released)
        zf.writestr("notes.txt", "not a submission")
    capsys.readouterr()
    assert main(["--course-dir", str(course), "import-zip", A, str(tmp_path / "m.zip")]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert (f"skipped m.zip:Aysel Mammadova_1234_assignsubmission_file/sub/{A}.ipynb: {A}.ipynb "
            "is in a folder inside Aysel Mammadova's submission (sub/); only files at the top "
            "of a submission are imported. Ask the student to upload the notebook itself") in err
    assert "skipped m.zip:notes.txt: not named like a Moodle submission file" in err
    assert (course / "submitted" / "1240" / A / f"{A}.ipynb").is_file()


def test_mathjax_stays_only_in_a_feedback_page_with_a_formula():
    """Finding 8: MathJax from cdnjs is dropped where it has nothing to typeset."""
    from migdata.grading.safehtml import drop_unused_mathjax

    head = ('<html><head>\n<style>p { content: "$"; }</style>\n'
            '<!-- Loading mathjax macro -->\n    <!-- Load mathjax -->\n'
            '    <script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?'
            'config=TeX-AMS_CHTML-full,Safe"> </script>\n    <!-- MathJax configuration -->\n'
            '    <script type="text/x-mathjax-config">\n inlineMath: [ [\'$\',\'$\'], '
            '["\\\\(","\\\\)"] ],\n    </script>\n    <!-- End of mathjax configuration -->\n'
            '</head><body>')
    plain = head + "<p>Net migration per 1,000 people: 4,39</p></body></html>"
    dropped = drop_unused_mathjax(plain)
    assert "mathjax" not in dropped.lower() and "cdnjs" not in dropped
    assert "<p>Net migration per 1,000 people: 4,39</p>" in dropped
    for formula in ("$r = 1000 M / P$", "\\(r\\)", "\\[x\\]", "\\begin{align}x\\end{align}"):
        page = head + f"<p>{formula}</p></body></html>"
        assert drop_unused_mathjax(page) == page
    assert drop_unused_mathjax("<p>no scripts</p>") == "<p>no scripts</p>"


def test_report_does_not_say_not_regraded_when_it_grades_nothing():
    """Finding 6: ``report`` printed "(unchanged, not regraded)"."""
    from migdata.grading.autograde import GradeResult
    from migdata.grading.report import format_report

    results = [GradeResult("100231", "graded", 14.0, 21.0, reused=True)]
    assert "(unchanged, not regraded)" in format_report(results, A)  # autograde: it did not
    assert "regraded" not in format_report(results, A, now=False)  # report: grades nothing


def test_marks_of_an_earlier_hand_in_when_the_newest_was_not_graded(repo_root, tmp_path,
                                                                      capsys):
    """Re-trial finding 4: "mark them again" for a re-hand-in that was never graded."""
    from nbgrader.api import Gradebook

    from migdata.simulate.submissions import write_submission

    course = _course(repo_root, tmp_path, A)
    write_submission(course, A, "100235", "solution")
    _autograde(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(A, A, "100235")
        written = next(g.name for g in nb.grades if g.name in
                       {c.name for c in nb.notebook.solution_cells} and g.max_score)
    _formgrader_score(course, "100235", written, 1)
    main(["--course-dir", str(course), "feedback", A])  # the mark is seen with its answer
    folder = course / "submitted" / "100235" / A
    (folder / f"{A}.ipynb").rename(folder / f"{A} (1).ipynb")
    _autograde(course)
    capsys.readouterr()
    main(["--course-dir", str(course), "feedback", A])
    err = " ".join(capsys.readouterr().err.split())
    assert f"100235: written answers marked for an earlier hand-in (the student handed in " \
           f"again since): {written}; the newest hand-in was not graded (renamed)" in err
    assert "mark them again in the formgrader" not in err


def test_moodle_files_on_the_manual_route_leave_nothing_behind(repo_root, tmp_path, capsys):
    """Re-trial finding 4: 'no Moodle roster' (exit 2) left an empty feedback zip behind."""
    from migdata.simulate.submissions import write_submission
    from test_moodle_worksheet import fputcsv

    course = _course(repo_root, tmp_path, A)
    write_submission(course, A, "100231", "solution")
    _autograde(course)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text(fputcsv(["Identifier", "Full name", "ID number", "Status", "Grade",
                              "Maximum grade", "Last modified (grade)", "Feedback comments"])
                     + fputcsv(["Participant 5001", "Aysel Mammadova", "100231", "Submitted",
                                "", "21.00", "-", ""]), encoding="utf-8")
    before = sheet.read_bytes()
    fbzip, grades = tmp_path / "fb.zip", tmp_path / "g.csv"
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(grades), "--assignment", A,
                 "--moodle-worksheet", str(sheet), "--moodle-feedback-zip", str(fbzip)]) == 2
    assert f"no Moodle roster for {A}" in capsys.readouterr().err
    assert not fbzip.exists() and not grades.exists()
    assert not (tmp_path / "fb.zip.part").exists()
    assert sheet.read_bytes() == before
