"""Every assignment: well formed, zero when untouched, full marks for the model answer."""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path

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


def answer_header(cell: dict):
    from migdata.answers import parse_header

    if cell["cell_type"] != "code":
        return None
    return parse_header("".join(cell["source"]).lstrip().partition("\n")[0])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_structure(assignment):
    all_cells = cells(assignment)
    tests = [c for c in all_cells if meta(c).get("grade") and not meta(c).get("solution")]
    written = [c for c in all_cells if meta(c).get("grade") and meta(c).get("solution")]
    answers = [c for c in all_cells if meta(c).get("solution") and c["cell_type"] == "code"]
    assert len(tests) >= 3, "partial credit needs several graded test cells"
    assert written, "interpretation answers marked by the lecturer"
    qids = [answer_header(c).qid for c in answers if answer_header(c)]
    assert len(qids) == len(answers), "every answer cell is an %%answer cell: no code to write"
    assert len(qids) == len(set(qids)), "one answer cell per question"
    tested = []
    for cell in tests:
        src = "".join(cell["source"])
        assert "### BEGIN HIDDEN TESTS" in src and "### END HIDDEN TESTS" in src
        visible = src.split("### BEGIN HIDDEN TESTS")[0]
        # the student's version of a test cell is a comment: nothing a student could run
        assert all(line.startswith("#") for line in visible.splitlines() if line.strip())
        hidden = src.split("### BEGIN HIDDEN TESTS")[1]
        assert "from migdata.grading.expect import expect" in hidden
        tree = ast.parse(hidden.split("### END HIDDEN TESTS")[0])
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", None) == "expect"]
        assert calls, f"{meta(cell)['grade_id']}: the hidden test calls expect()"
        tested += [c.args[0].value for c in calls]
        assert meta(cell)["points"] > 0 and meta(cell)["locked"]
    assert sorted(tested) == sorted(qids), "each question is checked by exactly one expect()"
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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_question_says_what_form_the_answer_takes(assignment):
    """Each answer cell's question text (the Markdown above it) names the expected form."""
    text = ""
    for cell in cells(assignment):
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
        elif answer_header(cell):
            qid = answer_header(cell).qid
            assert f"**{qid} (" in text, f"{qid}: the question above names it"
            part = text[text.index(f"**{qid} ("):]
            # in its own sentence, or once below a list of questions of the same form
            own = part.split("\n* **")[0]
            assert "*Answer form:*" in (own if "\n* **" in part.split("\n\n")[0] and
                                         "*Answer form:*" in own else part), qid


def test_unit24_is_practice_with_the_points_of_each_part_kept():
    """Unit 2.4's exercise is practice: the team presentation is the assessment (issue 21)."""
    intro = "".join(cells("unit24_net_migration")[0]["source"])
    assert "50 of the 100 points" not in intro and "not** the module's assessment" in intro
    points: dict[str, float] = {}
    for c in cells("unit24_net_migration"):
        if meta(c).get("grade"):
            part = re.match(r"r1a|r1b|r2|a1|a2b|a2|a3", meta(c)["grade_id"]).group()
            points[part] = points.get(part, 0) + meta(c)["points"]
    assert points == {"r1a": 5, "r1b": 5, "r2": 10, "a1": 8, "a2": 4, "a2b": 3, "a3": 15}
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


# --- the answers, read as the grader reads them, in-process (no nbgrader needed) ---

def _run(assignment: str, texts: dict[str, str] | None = None) -> dict[str, str]:
    """Run the instructor version's cells in order, each answer cell giving its model text (or
    ``texts[qid]``) to the grader's record; return each failing question's plain message."""
    import re

    from migdata.answers import split_answer
    from migdata.answers.saved import clear, record

    clear()
    namespace: dict = {"display": lambda *a, **k: None}
    failed: dict[str, str] = {}
    for cell in cells(assignment):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        header = answer_header(cell)
        if header:
            model = re.sub(r"### (BEGIN|END) SOLUTION\n?", "", split_answer(src.lstrip())[1])
            record(header.qid, (texts or {}).get(header.qid, model.strip()))
            continue
        try:
            exec(src, namespace)  # our own instructor notebook
        except AssertionError as exc:
            qid, _, message = str(exc).partition(": ")
            failed[qid] = message
    return failed


@functools.cache
def _models(assignment: str) -> dict[str, str]:
    import re

    from migdata.answers import split_answer

    return {answer_header(c).qid: re.sub(r"### (BEGIN|END) SOLUTION\n?", "",
                                         split_answer("".join(c["source"]))[1]).strip()
            for c in cells(assignment) if answer_header(c)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_model_answers_pass_and_empty_answers_fail_every_test(assignment):
    assert _run(assignment) == {}
    empty = _run(assignment, {qid: "" for qid in _models(assignment)})
    assert set(empty) == set(_models(assignment))
    assert all(m.startswith("Not answered yet.") for m in empty.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answers_in_other_styles_keep_full_marks(assignment):
    """Decimal comma or point, spaces, the minus sign, small letters, country names in
    Azerbaijani or Russian: the same answers, written as people write them."""
    from migdata.countries import to_iso3

    other = {"AZE": "Azərbaycan", "RUS": "Россия", "ARM": "Армения", "GEO": "Gürcüstan"}
    styled = {}
    forms = {answer_header(c).qid: answer_header(c).form for c in cells(assignment)
             if answer_header(c)}
    for qid, text in _models(assignment).items():
        code = to_iso3(text) if forms[qid] == "country" else None
        if code in other:
            styled[qid] = other[code]
        elif text.replace(",", "").replace(" ", "").replace(".", "").lstrip("-−").isdigit():
            styled[qid] = text.replace("-", "−").replace(".", ",") if "." in text else text
        else:
            styled[qid] = text.lower()
    assert _run(assignment, styled) == {}


ROUNDED = [  # questions whose text allows 2 decimals
    ("unit22_sources", "A1"), ("unit22_sources", "A2b"), ("unit22_sources", "B1b"),
    ("unit22_sources", "B1c"), ("unit24_net_migration", "A1a"), ("unit24_net_migration", "A1b"),
]


@pytest.mark.parametrize(("assignment", "qid"), ROUNDED)
def test_answers_rounded_to_the_stated_precision_get_the_points(assignment, qid):
    text = "".join("".join(c["source"]) for c in cells(assignment)
                   if c["cell_type"] == "markdown" and f"**{qid} (" in "".join(c["source"]))
    assert "2 decimals" in _flat(text.split(f"**{qid} (")[1].split("\n* **")[0])
    model = float(_models(assignment)[qid].rstrip("%").replace(",", ".").replace("−", "-"))
    assert _run(assignment, {qid: f"{model:.2f}"}) == {}
    assert qid in _run(assignment, {qid: f"{model + 0.01:.2f}"})


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
def releases(repo_root, tmp_path_factory) -> dict[str, list]:
    """The student version of every assignment, as `migdata-course generate` writes it."""
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path_factory.mktemp("release"), ASSIGNMENTS)
    texts = {}
    for assignment in ASSIGNMENTS:
        assert main(["--course-dir", str(course), "generate", assignment]) == 0
        nb = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text(
            encoding="utf-8"))
        texts[assignment] = nb["cells"]
    return texts


def test_every_assignment_is_checked_for_giveaways():
    assert set(GIVEAWAYS) == set(ASSIGNMENTS)


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_shows_criteria_but_not_expected_answers(assignment, releases):
    released = _flat("\n".join("".join(c["source"]) for c in releases[assignment]))
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


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_answer_cells_hold_only_their_header(assignment, releases):
    """The student version's answer cell is its first line and an empty line: no model answer,
    and no example that could be a right or wrong answer."""
    released = {answer_header(c).qid: "".join(c["source"]) for c in releases[assignment]
                if answer_header(c)}
    assert set(released) == set(_models(assignment))
    for qid, source in released.items():
        assert source.strip().count("\n") == 0 and source.strip().startswith(f"%%answer {qid} ")
