"""Unit 2.4.1 team presentations: one team mark goes to every member in the grade export."""

from __future__ import annotations

import pandas as pd
import pytest

from migdata.errors import InvalidInputError, MissingColumnsError
from migdata.grading.cli import main
from migdata.grading.report import export_grades

A = "unit24_net_migration"
WRITTEN = ("r2_answer", "a3_answer")  # its written answers


@pytest.fixture(scope="module")
def course(repo_root, tmp_path_factory):
    from nbgrader.api import Gradebook

    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path_factory.mktemp("teams"), [A])
    assert main(["--course-dir", str(course), "generate", A]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        for student in ("s1", "s2", "s3", "s4"):
            gb.update_or_create_student(student)
        for student, score in (("s1", 5.0), ("s2", 0.0)):
            gb.update_or_create_submission(A, student)
            for grade in gb.find_submission(A, student).notebooks[0].grades:
                grade.needs_manual_grade = False
                # R1a's three answers (2 + 2 + 1 points)
                part = {"r1a1_test": 2.0, "r1a2_test": 2.0, "r1a3_test": 1.0}.get(grade.name, 0.0)
                grade.auto_score = part if score else 0.0
                if grade.name in WRITTEN:  # blank answers the lecturer confirmed as 0
                    grade.manual_score = 0.0
        gb.db.commit()
    return course


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_team_mark_goes_to_every_member(course, tmp_path):
    marks = tmp_path / "participation.csv"
    marks.write_text("student_id,participation\ns1,30\ns2,35\ns3,20\ns4,40\n", encoding="utf-8")
    teams = tmp_path / "teams.csv"
    # the mark written once per team is enough; s4's team has no mark yet
    teams.write_text("student_id,team,presentation\ns1,A,8\ns2,A,\ns3,B,6\ns4,C,\n",
                     encoding="utf-8")
    table = export_grades(course, tmp_path / "g.csv", assignments=[A], marks=marks,
                          teams=teams).set_index("student_id")
    assert table.loc["s1", "team"] == table.loc["s2", "team"] == "A"
    assert table.loc["s1", "presentation"] == table.loc["s2", "presentation"] == 8
    assert table.loc["s3", "presentation"] == 6
    assert table.loc["s1", "final"] == 5 + 8 + 30
    assert table.loc["s2", "final"] == 0 + 8 + 35
    assert table.loc["s3", "final"] == 0 + 6 + 20  # nothing handed in: notebook 0
    assert pd.isna(table.loc["s4", "presentation"]) and pd.isna(table.loc["s4", "final"])
    written = pd.read_csv(tmp_path / "g.csv", dtype={"student_id": "string"})
    assert set(written.columns) >= {"team", "presentation", "participation", "final"}
    # the command line passes the teams file on
    assert main(["--course-dir", str(course), "export", str(tmp_path / "c.csv"),
                 "--assignment", A, "--marks", str(marks), "--teams", str(teams)]) == 0
    assert pd.read_csv(tmp_path / "c.csv")["team"].notna().all()


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_team_file_errors(course, tmp_path):
    marks = tmp_path / "participation.csv"
    marks.write_text("student_id,participation\ns1,30\ns2,35\n", encoding="utf-8")

    def export(text: str, marks_path=marks):
        teams = tmp_path / "teams.csv"
        teams.write_text(text, encoding="utf-8")
        return export_grades(course, tmp_path / "g.csv", assignments=[A], marks=marks_path,
                             teams=teams)

    with pytest.raises(InvalidInputError, match=r"different presentation marks.*'A'"):
        export("student_id,team,presentation\ns1,A,8\ns2,A,7\n")
    with pytest.raises(InvalidInputError, match=r"more than once: \['s1'\]"):
        export("student_id,team,presentation\ns1,A,8\ns1,B,7\n")
    with pytest.raises(InvalidInputError, match="from 0 to 10"):
        export("student_id,team,presentation\ns1,A,11\n")
    with pytest.raises(MissingColumnsError, match="team"):
        export("student_id,presentation\ns1,8\n")
    with pytest.raises(InvalidInputError, match="not in the gradebook"):
        export("student_id,team,presentation\nnobody,A,8\n")
    both = tmp_path / "both.csv"
    both.write_text("student_id,presentation,participation\ns1,8,30\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="remove the presentation column"):
        export("student_id,team,presentation\ns1,A,8\n", marks_path=both)
    with pytest.raises(InvalidInputError, match="need marks"):
        export_grades(course, tmp_path / "g.csv", assignments=[A], teams=tmp_path / "teams.csv")
