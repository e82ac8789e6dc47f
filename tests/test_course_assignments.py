"""Every assignment: well formed, zero when untouched, full marks for the model answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migdata.course.cli import main
from migdata.course.grading import read_ledger
from migdata.course.synthetic import write_submission

SOURCE = Path(__file__).resolve().parents[1] / "assignments" / "source"
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def cells(assignment: str) -> list[dict]:
    out = []
    for nb in sorted((SOURCE / assignment).glob("*.ipynb")):
        out += json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return out


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_units_are_covered():
    units = {name[:6] for name in ASSIGNMENTS}
    assert {"unit21", "unit22", "unit23", "unit24"} <= units


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_structure(assignment):
    all_cells = cells(assignment)
    tests = [c for c in all_cells if meta(c).get("grade") and not meta(c).get("solution")]
    written = [c for c in all_cells if meta(c).get("grade") and meta(c).get("solution")]
    answers = [c for c in all_cells if meta(c).get("solution") and c["cell_type"] == "code"]
    assert len(tests) >= 3, "partial credit needs several graded test cells"
    assert written, "interpretation answers marked by the lecturer"
    for cell in tests:
        src = "".join(cell["source"])
        assert "### BEGIN HIDDEN TESTS" in src and "### END HIDDEN TESTS" in src
        visible = src.split("### BEGIN HIDDEN TESTS")[0]
        assert "assert" in visible, "visible checks guide the student"
        assert meta(cell)["points"] > 0 and meta(cell)["locked"]
    for cell in written:
        assert "Rubric" in "".join(
            "".join(c["source"]) for c in all_cells
            if c["cell_type"] == "markdown" and meta(c).get("grade_id", "").startswith(
                meta(cell)["grade_id"].split("_")[0])
        ), f"{meta(cell)['grade_id']}: a rubric in the question text"
    for cell in answers:
        assert "### BEGIN SOLUTION" in "".join(cell["source"])
    ids = [meta(c)["grade_id"] for c in all_cells if meta(c)]
    assert len(ids) == len(set(ids)), "grade ids are unique"


def test_unit24_points_follow_the_curriculum_scheme():
    """Relevance 20 and analysis 30 of the 100 points; presentation/participation are not in it."""
    points = {meta(c)["grade_id"]: meta(c)["points"] for c in cells("unit24_net_migration")
              if meta(c).get("grade")}
    relevance = sum(p for gid, p in points.items() if gid.startswith("r"))
    analysis = sum(p for gid, p in points.items() if gid.startswith("a"))
    assert (relevance, analysis) == (20, 30)
    assert sum(points.values()) == 50


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_untouched_scores_zero_and_model_answer_full_marks(repo_root, tmp_path):
    from nbgrader.api import Gradebook

    from test_course_e2e import give_full_manual_marks, make_course

    course = make_course(repo_root, tmp_path, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        assert main(["--course-dir", str(course), "generate", assignment]) == 0
        write_submission(course, assignment, "model", "solution")
        write_submission(course, assignment, "blank", "untouched")
        assert main(["--course-dir", str(course), "autograde", assignment, "--quiet"]) == 0
        ledger = read_ledger(course, assignment)
        assert ledger["blank"].status == ledger["model"].status == "graded"
        assert ledger["blank"].score == 0
        auto_max = sum(meta(c)["points"] for c in cells(assignment)
                       if meta(c).get("grade") and not meta(c).get("solution"))
        assert ledger["model"].score == auto_max, assignment
        give_full_manual_marks(course, assignment, "model")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
            sub = gb.find_submission(assignment, "model")
            assert sub.score == sub.max_score > auto_max
