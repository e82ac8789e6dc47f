"""Hand-ins that try to earn marks without the work, graded for real by `migdata-course autograde`.

Every hand-in here answers every question wrongly or not at all, and adds what a student who
wants the marks anyway might try: values that lie about equality, patched modules, IPython input
transformers, signal handlers, threads and atexit hooks, reading the input history, ``exec``
fetched by a string, writes through a frame's globals, ``functools.update_wrapper`` into a
module, answer texts that look like code, output floods, disk fills, links to the instructor's
notebook. Each must score 0 or be contained. Honest hand-ins written in several styles keep full
marks. The grader reads only the answers' text (``migdata.grading.submissions``), so none of the
code below is ever run; these tests show it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migdata.grading.autograde import read_ledger
from migdata.grading.cli import main

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.timeout(900)]

A = "unit23_institutions"
AUTO_MAX = 6.0
HONEST = {
    "Q1a": "A, B, C, D", "Q1b": "E", "Q1c": "F, G", "Q2a": "MIA, SMS", "Q2b": "yes", "Q3": "IAMAS",
}
STYLES = {  # the same right answers, written as people write them
    "honest_plain": HONEST,
    "honest_lower": {"Q1a": "a b c d", "Q1b": "e", "Q1c": "f and g", "Q2a": "sms, mia",
                     "Q2b": "Yes.", "Q3": "iamas"},
    "honest_local": {"Q1a": "(A), (B), (C), (D)", "Q1b": "E)", "Q1c": "F və G", "Q2a": "SMS и MIA",
                     "Q2b": "bəli", "Q3": " IAMAS. "},
    "honest_russian": {**HONEST, "Q2b": "да"},
}

#: Code a student might add (as code cells) hoping it runs before the hidden tests.
ATTACK_CODE = {
    "liar_int": """
class Liar(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
answer = Liar(0)
""",
    "patched_expect": """
import migdata.grading.expect as e
e.expect = lambda *a, **k: None
import migdata.answers.forms as f
f.judge = lambda *a, **k: (True, "Correct!")
import migdata.answers.saved as s
s.recorded = lambda qid: "A, B, C, D"
""",
    "alias_patch": """
import migdata.answers as answers
ans = answers
ans.judge = lambda *a, **k: (True, "Correct!")
import sys
sys.modules["migdata.grading.expect"] = type(sys)("fake")
""",
    "input_transformer": """
ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
ip.input_transformers_post.append(lambda lines: ["pass\\n"])
""",
    "signal_thread_atexit": """
import atexit, signal, threading, time
signal.signal(signal.SIGALRM, lambda *a: None)
signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
def patch():
    import migdata.grading.expect as e
    while True:
        e.expect = lambda *a, **k: None
        time.sleep(0.001)
threading.Thread(target=patch, daemon=True).start()
atexit.register(lambda: print("all tests passed"))
""",
    "reads_history": "print(In)\nprint(Out)\n",
    "exec_by_string": """
runner = getattr(__builtins__, "ex" + "ec")
runner("import migdata.grading.expect as e; e.expect = lambda *a, **k: None")
""",
    "frame_globals": """
import sys
sys._getframe().f_globals["expect"] = lambda *a, **k: None
sys._getframe().f_globals["__builtins__"].AssertionError = Warning
""",
    "update_wrapper": """
import functools, migdata.grading.expect as e
def nothing(*a, **k):
    return None
functools.update_wrapper(e, nothing)
e.__dict__["expect"] = nothing
""",
    "flood": 'print("x" * 150_000_000)\n',
    "disk_fill": 'open("/tmp/fill", "wb").write(b"0" * 2_000_000_000)\n',
}

#: Answer texts that try to be code, or to break out of the string literal the grader writes.
CODE_ANSWERS = {
    "Q1a": "'); import migdata.grading.expect as e; e.expect = lambda *a, **k: None; ('",
    "Q1b": '""" + __import__("os")._exit(0) + """',
    "Q1c": "\\'); raise SystemExit(0) #",
    "Q2a": "Liar(1)",
    "Q2b": "__import__('builtins').True",
    "Q3": "\n".join(["-"] * 100_000 + ["IAMA"]),
}


#: A 1x1 PNG image, base64 (what a pasted image looks like in the saved notebook).
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")


def _release(course: Path) -> dict:
    return json.loads((course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8"))


def _with_answers(nb: dict, texts: dict[str, str]) -> dict:
    from migdata.answers import parse_header

    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        header = parse_header(src.lstrip().partition("\n")[0]) if cell["cell_type"] == "code" \
            else None
        if header is not None and header.qid in texts:
            cell["source"] = src.lstrip().partition("\n")[0] + "\n" + texts[header.qid]
    return nb


def _hand_in(course: Path, student: str, nb: dict) -> Path:
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{A}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return folder


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


@pytest.fixture(scope="module")
def graded(repo_root, tmp_path_factory):
    from test_course_e2e import make_course

    base = tmp_path_factory.mktemp("attacks")
    course = make_course(repo_root, base, [A])
    assert main(["--course-dir", str(course), "generate", A]) == 0
    source = repo_root / "assignments" / "source" / A / f"{A}.ipynb"
    for student, texts in STYLES.items():
        _hand_in(course, student, _with_answers(_release(course), texts))
    wrong = {"Q1a": "A", "Q1b": "F", "Q1c": "E", "Q2a": "SBS, SSC", "Q2b": "no", "Q3": "UMIS"}
    for name, code in ATTACK_CODE.items():
        nb = _with_answers(_release(course), wrong)
        # the attack code before every answer and every test cell, and in the answer cells' place
        cells = []
        for cell in nb["cells"]:
            cells += [_code_cell(code), cell]
        nb["cells"] = cells
        _hand_in(course, name, nb)
    _hand_in(course, "code_answers", _with_answers(_release(course), CODE_ANSWERS))
    # the instructor's notebook, as a symbolic link and as a hard link: never read
    folder = course / "submitted" / "symlink_to_source" / A
    folder.mkdir(parents=True)
    os.symlink(source, folder / f"{A}.ipynb")
    folder = course / "submitted" / "hardlink_to_source" / A
    folder.mkdir(parents=True)
    copy = base / "instructor_copy.ipynb"
    copy.write_bytes(source.read_bytes())
    os.link(copy, folder / f"{A}.ipynb")
    # the instructor's notebook's outputs and answers pasted into a hand-in's outputs
    nb = _release(course)
    nb["cells"][-1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                   "text": source.read_text(encoding="utf-8")}]
    _hand_in(course, "pasted_outputs", nb)
    # issue 19, findings 1 and 2: a lone surrogate in a written answer and in an answer; extra
    # cells whose nbgrader metadata is a string, or claims a graded solution with a surrogate
    nb = _with_answers(_release(course), {**HONEST, "Q3": "IAMAS \udc80"})
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "w1_answer":
            cell["source"] = "I think \udc80"
    _hand_in(course, "surrogates", nb)
    nb = _with_answers(_release(course), HONEST)
    nb["cells"] += [
        {"cell_type": "markdown", "metadata": {"nbgrader": "x"}, "source": "hello"},
        {**_code_cell("x\udc80"), "metadata": {"nbgrader": {
            "solution": True, "grade": True, "grade_id": "zz", "points": 0}}}]
    _hand_in(course, "odd_metadata", nb)
    # finding 3: images pasted into written answers (what JupyterLab saves), one PNG, one SVG
    nb = _with_answers(_release(course), HONEST)
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid == "w1_answer":
            cell["source"] = "see ![fig](attachment:fig.png)"
            cell["attachments"] = {"fig.png": {"image/png": PNG}}
        elif gid == "w2_answer":
            cell["source"] = "and ![x](attachment:x.svg)"
            cell["attachments"] = {"x.svg": {"image/svg+xml": "PHN2Zy8+"}}
    _hand_in(course, "pasted_image", nb)
    assert main(["--course-dir", str(course), "autograde", A, "--quiet"]) == 0
    return course, read_ledger(course, A)


def test_honest_hand_ins_in_every_style_keep_full_marks(graded):
    _, ledger = graded
    for student in STYLES:
        assert (ledger[student].status, ledger[student].score) == ("graded", AUTO_MAX), student


@pytest.mark.parametrize("student", sorted(ATTACK_CODE))
def test_code_in_a_hand_in_earns_nothing_and_never_runs(graded, student):
    course, ledger = graded
    assert (ledger[student].status, ledger[student].score) == ("graded", 0.0)
    assert "code cell(s) of the student's own (not run" in ledger[student].detail
    graded_nb = (course / "autograded" / student / A / f"{A}.ipynb").read_text(encoding="utf-8")
    # nothing of the student's code is in the notebook the grader ran
    assert "Liar" not in graded_nb and "getattr(__builtins__" not in graded_nb
    assert "f_globals" not in graded_nb and "input_transformers" not in graded_nb
    assert "150_000_000" not in graded_nb and "/tmp/fill" not in graded_nb
    assert "all tests passed" not in graded_nb


def test_answers_that_look_like_code_are_text(graded):
    course, ledger = graded
    assert (ledger["code_answers"].status, ledger["code_answers"].score) == ("graded", 0.0)
    nb = json.loads((course / "autograded" / "code_answers" / A / f"{A}.ipynb").read_text(
        encoding="utf-8"))
    errors = [o["evalue"] for c in nb["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    # each question failed with a plain sentence, none with a SyntaxError or an exit
    assert len(errors) == 6
    # (an answer that cannot be read is told the form expected, "Write ...": issue 20)
    assert all(e.split(": ", 1)[1].startswith(("Not quite.", "Write ")) for e in errors), errors


def test_a_liar_is_impossible_only_text_is_read():
    """An object whose __eq__ always agrees cannot reach the grader: record() takes only str,
    and expect() compares what migdata.answers.read makes of the text."""
    from migdata.answers.saved import clear, record
    from migdata.grading.expect import expect

    class Liar(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    clear()
    with pytest.raises(TypeError):
        record("Q3", Liar("anything"))
    record("Q3", "Liar('IAMAS')")
    with pytest.raises(AssertionError, match="Q3: Not quite"):
        expect("Q3", "IAMAS", form="text")
    clear()


@pytest.mark.parametrize("student", ["symlink_to_source", "hardlink_to_source"])
def test_a_link_to_the_instructors_notebook_is_refused(graded, student):
    _, ledger = graded
    assert (ledger[student].status, ledger[student].score) == ("refused", 0.0)
    assert "link" in ledger[student].detail


def test_pasted_outputs_are_not_read(graded):
    _, ledger = graded
    assert ledger["pasted_outputs"].score == 0.0


def test_a_lone_surrogate_in_student_text_disturbs_nobody(graded):
    """Finding 1: JSON allows a lone surrogate ("\\udc80"), which cannot be written as UTF-8."""
    course, ledger = graded
    assert ledger["surrogates"].status == "graded"
    assert ledger["surrogates"].score == AUTO_MAX - 1  # Q3 is not "IAMAS"
    text = (course / "autograded" / "surrogates" / A / f"{A}.ipynb").read_text(encoding="utf-8")
    assert "I think \ufffd" in text
    for student in STYLES:  # the class is graded
        assert ledger[student].score == AUTO_MAX


def test_odd_nbgrader_metadata_disturbs_neither_feedback_nor_the_class(graded):
    """Finding 2: metadata.nbgrader a string, or an extra graded solution cell with a surrogate:
    the written-answer digest (feedback, import-zip, collect) skips or cleans it."""
    from migdata.grading.feedback import check_marks

    course, ledger = graded
    assert (ledger["odd_metadata"].status, ledger["odd_metadata"].score) == ("graded", AUTO_MAX)
    check_marks(course, A)  # raised AttributeError / UnicodeEncodeError before
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    for student in [*STYLES, "odd_metadata", "surrogates"]:
        assert (course / "feedback" / student / A / f"{A}.html").is_file(), student


def test_an_image_pasted_into_a_written_answer_is_carried_and_svg_is_not(graded):
    """Finding 3: a pasted PNG is carried into the graded notebook (feedback renders it); an
    SVG (it can hold script) is replaced by a plain note; feedback works for the student."""
    course, ledger = graded
    assert (ledger["pasted_image"].status, ledger["pasted_image"].score) == ("graded", AUTO_MAX)
    nb = json.loads((course / "autograded" / "pasted_image" / A / f"{A}.ipynb").read_text(
        encoding="utf-8"))
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade_id") in ("w1_answer", "w2_answer")}
    assert cells["w1_answer"]["attachments"] == {"fig.png": {"image/png": PNG}}
    assert "attachment:fig.png" in "".join(cells["w1_answer"]["source"])
    assert "attachments" not in cells["w2_answer"]
    assert "attachment:" not in "".join(cells["w2_answer"]["source"])
    assert "not carried over" in "".join(cells["w2_answer"]["source"])
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    html = (course / "feedback" / "pasted_image" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "<svg" not in html and "pasted image fig.png: not shown here" in html


def test_feedback_shows_no_hidden_test_and_no_history(graded):
    course, _ = graded
    assert main(["--course-dir", str(course), "feedback", A]) == 0
    html = (course / "feedback" / "reads_history" / A / f"{A}.html").read_text(encoding="utf-8")
    assert "_COLLECTOR" not in html and "expect(" not in html
    assert "Not quite." in html  # the plain sentence of each failed question


# --- the sandbox's caps, with the real grading run --------------------------------------------

FLOOD_SOURCE = {
    "cells": [
        {"cell_type": "code", "execution_count": None, "id": "c1",
         "metadata": {"nbgrader": {"grade": False, "grade_id": "flood", "locked": True,
                                   "schema_version": 3, "solution": False}},
         "outputs": [], "source": 'print("x" * 50_000_000)'},
        {"cell_type": "code", "execution_count": None, "id": "c2",
         "metadata": {"nbgrader": {"grade": False, "grade_id": "disk", "locked": True,
                                   "schema_version": 3, "solution": False}},
         "outputs": [], "source": 'open("/tmp/fill", "wb").write(b"0" * 600_000_000)'},
        {"cell_type": "code", "execution_count": None, "id": "c3",
         "metadata": {"nbgrader": {"grade": False, "grade_id": "a1", "locked": False,
                                   "schema_version": 3, "solution": True}},
         "outputs": [], "source": "%%answer A1 yesno\n### BEGIN SOLUTION\nyes\n### END SOLUTION"},
        {"cell_type": "code", "execution_count": None, "id": "c4",
         "metadata": {"nbgrader": {"grade": True, "grade_id": "t1", "locked": True, "points": 1,
                                   "schema_version": 3, "solution": False}},
         "outputs": [], "source": "# checked after hand-in\n### BEGIN HIDDEN TESTS\n"
                                  "from migdata.grading.expect import expect\n"
                                  'expect("A1", True, form="yesno")\n### END HIDDEN TESTS'},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_output_and_disk_are_capped_with_a_note_and_a_status(repo_root, tmp_path):
    """A notebook that prints one 50 MB line and writes 600 MB (here the lesson's own cells:
    a student's cells never run): the output is cut with a note, the write fails, and the
    status says the writable space ran out."""
    from migdata.grading.autograde import MAX_CELL_OUTPUT_BYTES
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path, [])
    src = tmp_path / "assignments" / "source" / "caps"
    src.mkdir(parents=True)
    (src / "caps.ipynb").write_text(json.dumps(FLOOD_SOURCE), encoding="utf-8")
    assert main(["--course-dir", str(course), "generate", "caps"]) == 0
    nb = json.loads((course / "release" / "caps" / "caps.ipynb").read_text(encoding="utf-8"))
    folder = course / "submitted" / "s1" / "caps"
    folder.mkdir(parents=True)
    (folder / "caps.ipynb").write_text(json.dumps(_with_answers(nb, {"A1": "yes"})),
                                       encoding="utf-8")
    main(["--course-dir", str(course), "autograde", "caps", "--quiet", "--timeout", "120"])
    result = read_ledger(course, "caps")["s1"]
    assert result.status == "disk_full" and "writable space" in result.detail
    graded_path = course / "autograded" / "s1" / "caps" / "caps.ipynb"
    assert graded_path.stat().st_size < 2 * MAX_CELL_OUTPUT_BYTES + 200_000
    text = graded_path.read_text(encoding="utf-8")
    assert "output cut by the grader" in text and "No space left on device" in text
    assert result.score == 1.0  # the answer was still read and checked


def test_the_sandbox_has_no_writable_space_but_a_capped_tmp(tmp_path):
    from migdata.grading.sandbox import check_sandbox, kernel_env, sandbox_command

    try:
        check_sandbox()
    except Exception as exc:
        pytest.skip(f"no sandbox here: {exc}")
    os.chmod(tmp_path, 0o777)
    code = ("import os\n"
            "for p in ['/tmp/big', 'here', '/home/student/x', '/x']:\n"
            "    try:\n"
            "        open(p, 'wb').write(b'0' * 20_000_000)\n"
            "        print(p, 'written')\n"
            "    except OSError as e:\n"
            "        print(p, e.strerror)\n")
    cmd = sandbox_command([sys.executable, "-c", code], workdir=str(tmp_path),
                          mount_as="/home/student/w", env=kernel_env(), tmp_mb=10,
                          wall_seconds=60)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90).stdout
    assert "/tmp/big No space left on device" in out
    assert "here Read-only file system" in out
    assert "/home/student/x Read-only file system" in out and "/x Read-only file system" in out


def test_outputs_are_capped_per_cell_and_per_notebook_with_a_note():
    import nbformat

    from migdata.grading.autograde import (
        MAX_CELL_OUTPUT_BYTES,
        MAX_NOTEBOOK_OUTPUT_BYTES,
        output_cap_class,
    )

    line = "é" * (MAX_CELL_OUTPUT_BYTES // 4)  # 2 bytes each: half the cell's allowance
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=line) for _ in range(3)])
        for _ in range(2 * MAX_NOTEBOOK_OUTPUT_BYTES // MAX_CELL_OUTPUT_BYTES)])
    capped, _ = output_cap_class()()(nb, {})
    sizes = [sum(len(o.get("text", "").encode()) for o in c.outputs) for c in capped.cells]
    assert max(sizes) <= MAX_CELL_OUTPUT_BYTES and sum(sizes) <= MAX_NOTEBOOK_OUTPUT_BYTES + 1000
    notes = [o.text for c in capped.cells for o in c.outputs if "output cut" in o.get("text", "")]
    assert len(notes) == len(capped.cells)  # every cell lost its third output, said so
    assert sum(1 for c in capped.cells if len(c.outputs) == 1) > 0  # past the notebook's cap
