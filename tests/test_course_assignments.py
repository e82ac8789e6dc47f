"""Every assignment: well formed, zero when untouched, full marks for the model answer."""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

import numpy as np
import pytest

from migdata.grading.autograde import read_ledger
from migdata.grading.cli import main
from migdata.simulate.submissions import write_submission

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


# --- grading traps: run the instructor version's cells in-process (no nbgrader needed) ---

def _is_test(cell: dict) -> bool:
    return bool(meta(cell).get("grade")) and not meta(cell).get("solution")


@functools.cache
def _model_namespace(assignment: str) -> dict:
    """The variables of the model answer: every code cell except the test cells, run in order."""
    namespace: dict = {}
    for cell in cells(assignment):
        if cell["cell_type"] == "code" and not _is_test(cell):
            exec("".join(cell["source"]), namespace)  # our own instructor notebook
    return namespace


def _run_test_cell(assignment: str, grade_id: str, **answers) -> None:
    """Run one test cell (visible and hidden checks) on the model answer, ``answers`` changed."""
    source = next("".join(c["source"]) for c in cells(assignment)
                  if meta(c).get("grade_id") == grade_id)
    namespace = dict(_model_namespace(assignment))
    for name, change in answers.items():
        namespace[name] = change(namespace[name])
    exec(source, namespace)


INTEGER_ANSWERS = [
    ("unit21_concepts", "p3_test", "extra_migrants_6m"),
    ("unit22_sources", "a2_test", "emigrants_reported"),
    ("unit22_sources", "b1_test", "migrants_in_sample"),
    ("unit22_sources", "c1_test", "first_permits_2023"),
]


@pytest.mark.parametrize(("assignment", "grade_id", "name"), INTEGER_ANSWERS)
def test_a_numpy_integer_is_a_whole_number(assignment, grade_id, name):
    """pandas and numpy give numpy.int64, not int: a correct count must still get its points."""
    _run_test_cell(assignment, grade_id, **{name: np.int64})
    _run_test_cell(assignment, grade_id, **{name: np.int32})
    for wrong in (float, bool):
        with pytest.raises(AssertionError, match="whole number"):
            _run_test_cell(assignment, grade_id, **{name: wrong})


def test_years_from_idxmin_are_whole_numbers():
    _run_test_cell("unit24_net_migration", "a1_test",
                   most_negative=lambda d: {c: np.int64(y) for c, y in d.items()})
    with pytest.raises(AssertionError, match="whole number"):
        _run_test_cell("unit24_net_migration", "a1_test",
                       most_negative=lambda d: {c: float(y) for c, y in d.items()})


def test_a_function_may_return_a_numpy_integer():
    def numpy_result(function):
        return lambda p, margin: np.int64(function(p, margin))

    _run_test_cell("unit22_sources", "b2_test", required_sample_size=numpy_result)
    with pytest.raises(AssertionError, match="whole number"):
        _run_test_cell("unit22_sources", "b2_test",
                       required_sample_size=lambda f: lambda p, margin: float(f(p, margin)))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_says_what_was_expected(assignment):
    """A bare AssertionError tells a student nothing: every assert carries a plain-words message."""
    for cell in cells(assignment):
        if not _is_test(cell):
            continue
        tree = ast.parse("".join(cell["source"]))
        bare = [node.lineno for node in ast.walk(tree)
                if isinstance(node, ast.Assert) and node.msg is None]
        assert not bare, f"{meta(cell)['grade_id']}: assert without a message on line(s) {bare}"


ROUNDED_ANSWERS = [  # numeric answers whose question allows 2 decimals
    ("unit22_sources", "a1_text", "a1_test", "foreign_born_share"),
    ("unit22_sources", "a2_text", "a2_test", "emigrants_missed_pct"),
    ("unit22_sources", "b1_text", "b1_test", "survey_estimate"),
    ("unit22_sources", "b1_text", "b1_test", "survey_se"),
    ("unit24_net_migration", "a1_text", "a1_test", "rate"),
]


@pytest.mark.parametrize(("assignment", "question", "grade_id", "name"), ROUNDED_ANSWERS)
def test_answers_rounded_to_the_stated_precision_get_the_points(assignment, question, grade_id,
                                                                  name):
    """The question says how precise the answer must be, and the test accepts exactly that."""
    text = next("".join(c["source"]) for c in cells(assignment)
                if meta(c).get("grade_id") == question)
    assert "2 decimals" in text, f"{question}: the question states the precision"
    _run_test_cell(assignment, grade_id, **{name: lambda x: round(x, 2)})
    _run_test_cell(assignment, grade_id, **{name: lambda x: x + 0.0049})
    with pytest.raises(AssertionError, match=r"2 decimals|should be"):
        _run_test_cell(assignment, grade_id, **{name: lambda x: x + 0.01})


#: Phrases of the expected answers that the written questions' rubrics used to show students (and
#: question wordings that told them autograded results); none may reach the student version.
GIVEAWAYS = {
    "unit21_concepts": [
        "202 days", "passes the 6-month threshold", "temporary mobility, not migration",
        "seasonal work patterns", "seasonal worker (non-resident", "short-term migrant (a stay",
        "registers of residence do not record", "household or labour-force survey",
        "more international migrants (and fewer usual residents)",
        "Under the 12-month rule, which UN category",
    ],
    "unit22_sources": [
        "whole-household problem", "sample designed around migrant households",
        "answer only by proxy", "permit validity is not physical presence",
        "permanent permits hide later departures", "no emigration side",
    ],
    "unit23_institutions": [
        "births − deaths + immigration − emigration", "SBS crossings to apply a rule",
        "border data reaching the SSC", "only registered moves are counted",
        "departures are rarely registered", "receiving countries' statistics",
    ],
    "unit24_net_migration": [
        "one method, one vintage", "model-based", "revised with each edition",
        "183 days at the Georgian border", "arrivals from Russia in 2022", "Karabakh",
        "rounded secondary table up to 2022", "registration data incomplete",
    ],
}


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.fixture(scope="module")
def releases(repo_root, tmp_path_factory) -> dict[str, str]:
    """The student version of every assignment, as `migdata-course generate` writes it."""
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path_factory.mktemp("release"), ASSIGNMENTS)
    texts = {}
    for assignment in ASSIGNMENTS:
        assert main(["--course-dir", str(course), "generate", assignment]) == 0
        nb = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text(
            encoding="utf-8"))
        texts[assignment] = "\n".join("".join(c["source"]) for c in nb["cells"])
    return texts


def test_every_assignment_is_checked_for_giveaways():
    assert set(GIVEAWAYS) == set(ASSIGNMENTS)


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_shows_criteria_but_not_expected_answers(assignment, releases):
    released = _flat(releases[assignment])
    leaked = [p for p in GIVEAWAYS[assignment] if _flat(p) in released]
    assert not leaked, f"{assignment}: the student version gives away {leaked}"
    # the marking criteria stay in every written question; the expected answers behind them are
    # in the instructor-only part of the answer cell
    written = [c for c in cells(assignment) if meta(c).get("grade") and meta(c).get("solution")]
    for cell in written:
        notes = "".join(cell["source"])
        assert "Marking notes" in notes, f"{meta(cell)['grade_id']}: marking notes for the lecturer"
        assert notes.index("BEGIN SOLUTION") < notes.index("Marking notes") < notes.index(
            "END SOLUTION"), f"{meta(cell)['grade_id']}: marking notes inside the solution region"
    assert released.count("rubric (") == len(written)
    assert "marking notes" not in released
