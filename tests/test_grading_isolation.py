"""Whatever a hand-in holds, that student gets a status with a plain reason; the class is graded.

Two layers: generated notebooks (hypothesis) through the functions that read a hand-in, which
must never raise; and a corpus of broken hand-ins graded for real by `migdata-course autograde`
next to an honest one, which keeps full marks.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migdata.grading.autograde import read_ledger
from migdata.grading.cli import main
from migdata.grading.integrity import review
from migdata.grading.submissions import (
    fingerprint,
    graded_notebook,
    inspect_submission,
    read_notebook,
)

A = "unit23_institutions"
SOURCE = Path(__file__).resolve().parents[1] / "assignments" / "source" / A / f"{A}.ipynb"
HONEST = {"Q1a": "A, B, C, D", "Q1b": "E", "Q1c": "F, G", "Q2a": "MIA, SMS", "Q2b": "yes",
          "Q3": "IAMAS"}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)
ANSWER_TEXT = st.text(max_size=60) | st.sampled_from(
    ["%%answer Q1a choices\nA", "%%answer Q3 text\n" + "-" * 100_000 + "1", "%%answer"])
CELL = st.fixed_dictionaries({
    "cell_type": st.sampled_from(["code", "markdown", "raw"]) | JSON,
    "metadata": st.sampled_from([{}, [], "x", {"nbgrader": []}, {"nbgrader": {"grade_id": 3}},
                                 {"nbgrader": {"grade_id": "w1_answer", "solution": True}}]) | JSON,
    "source": ANSWER_TEXT | st.lists(ANSWER_TEXT, max_size=3) | JSON,
})
NOTEBOOK = st.fixed_dictionaries({"cells": st.lists(CELL | JSON, max_size=6)}) | JSON


def _release() -> dict:
    """The source notebook stands in for the release here (same structure)."""
    return json.loads(SOURCE.read_text(encoding="utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTEBOOK)
def test_any_json_is_read_without_raising(notebook):
    release = _release()
    built, notes = graded_notebook(release, notebook)
    assert len(built["cells"]) == len(release["cells"])
    # only the grader's own lines, with the answers as string literals, are code
    for cell in built["cells"]:
        if cell["cell_type"] == "code" and cell["metadata"]["nbgrader"].get("solution"):
            assert cell["source"].startswith("from migdata.answers.saved import record; record(")
            compile(cell["source"], "answer", "exec")  # always valid Python
    assert isinstance(review(notebook, release), list)
    assert all(isinstance(n, str) for n in notes)


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.binary(max_size=300) | NOTEBOOK.map(lambda nb: json.dumps(nb).encode()))
def test_any_file_is_inspected_without_raising(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("h")
    (folder / f"{A}.ipynb").write_bytes(data)
    (folder / "timestamp.txt").write_bytes(data[:50])
    found = inspect_submission(folder, {f"{A}.ipynb": SOURCE})
    assert found.exists and (f"{A}.ipynb" in found.invalid) != (f"{A}.ipynb" in found.notebooks)
    assert fingerprint(folder) == fingerprint(folder)


def test_read_notebook_gives_plain_reasons(tmp_path):
    cases = {
        "truncated": (b'{"cells": [', "not valid JSON"),
        "latin1": ("{\"cells\": [\"\u00e9\"]}".encode("latin-1"), "not UTF-8"),
        "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        "list": (b"[1, 2]", "not a notebook"),
        "no_cells": (b'{"cells": {}}', "no list of cells"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        parsed, why = read_notebook(path)
        assert parsed is None and reason in why, name
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB (sparse): never read
    assert "too large" in read_notebook(big)[1]
    os.mkfifo(tmp_path / "fifo")
    assert "pipe" in read_notebook(tmp_path / "fifo")[1]  # never blocks
    os.symlink(SOURCE, tmp_path / "link")
    assert "symbolic link" in read_notebook(tmp_path / "link")[1]


# --- a corpus graded for real ------------------------------------------------------------------


def _answered(release: dict, texts: dict[str, str]) -> dict:
    from migdata.answers import parse_header

    for cell in release["cells"]:
        src = "".join(cell["source"])
        header = parse_header(src.partition("\n")[0]) if cell["cell_type"] == "code" else None
        if header and header.qid in texts:
            cell["source"] = src.partition("\n")[0] + "\n" + texts[header.qid]
    return release


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_broken_hand_ins_get_a_status_and_the_class_is_graded(repo_root, tmp_path):
    from test_course_e2e import make_course

    course = make_course(repo_root, tmp_path, [A])
    assert main(["--course-dir", str(course), "generate", A]) == 0
    release = json.loads((course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    name = f"{A}.ipynb"

    def folder(student: str | bytes) -> Path:
        base = os.fsencode(course / "submitted") + b"/" + (
            student if isinstance(student, bytes) else student.encode())
        path = Path(os.fsdecode(base)) / A
        path.mkdir(parents=True)
        return path

    honest = json.dumps(_answered(json.loads(json.dumps(release)), HONEST))
    (folder("a_honest") / name).write_text(honest, encoding="utf-8")
    (folder("invalid_json") / name).write_text(honest[:500], encoding="utf-8")
    (folder("not_utf8") / name).write_bytes(b"\xff\xfe" + honest.encode("utf-16-le"))
    (folder("deep_json") / name).write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with open(folder("huge") / name, "wb") as f:
        f.truncate(200 * 1024 * 1024)
    (folder("cells_not_a_list") / name).write_text('{"cells": {"a": 1}}', encoding="utf-8")
    wrong_types = json.loads(honest)
    wrong_types["metadata"] = [1, 2]
    wrong_types["nbformat"] = "four"
    for cell in wrong_types["cells"]:
        cell["metadata"] = ["not", "a", "dict"]  # answers are still found by their first line
    wrong_types["cells"] += [17, None, "text", {"source": {"x": 1}}, {"cell_type": ["code"]}]
    (folder("wrong_types") / name).write_text(json.dumps(wrong_types), encoding="utf-8")
    minus = _answered(json.loads(json.dumps(release)), {**HONEST, "Q3": "-" * 100_000 + "1"})
    minus["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": "-" * 100_000 + "1"})
    (folder("minus_signs") / name).write_text(json.dumps(minus), encoding="utf-8")
    odd = folder("odd_file_names")
    (odd / name).write_text(honest, encoding="utf-8")
    (Path(os.fsdecode(os.fsencode(odd) + b"/\xff\xfe.ipynb"))).write_bytes(b"{}")
    (odd / "tab\tand\nnewline.txt").write_text("x", encoding="utf-8")
    weird = folder(b"\xff\xfebad")
    (weird / name).write_text(honest, encoding="utf-8")
    fifo = folder("fifo")
    (fifo / name).write_text(honest, encoding="utf-8")
    os.mkfifo(fifo / "pipe")
    fifo_nb = folder("fifo_notebook")
    os.mkfifo(fifo_nb / name)
    link = folder("symlink")
    (link / name).write_text(honest, encoding="utf-8")
    os.symlink("/etc/passwd", link / "passwd")
    hard = folder("hard_link")
    (tmp_path / "elsewhere.ipynb").write_text(honest, encoding="utf-8")
    os.link(tmp_path / "elsewhere.ipynb", hard / name)
    device = folder("device")
    (device / name).write_text(honest, encoding="utf-8")
    try:
        os.mknod(device / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:  # not root: a socket stands in for a device
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(device / "sock"))
        sock.close()
    crowded = folder("too_many_files")  # issue 19 finding 8: the notebook is there, among more
    (crowded / name).write_text(honest, encoding="utf-8")  # files than the grader lists
    for i in range(10_001):
        (crowded / f"a{i:05d}").touch()
    (folder("bad_timestamp") / name).write_text(honest, encoding="utf-8")
    (course / "submitted" / "bad_timestamp" / A / "timestamp.txt").write_text(
        "not a time \x00" * 10, encoding="utf-8")

    assert main(["--course-dir", str(course), "autograde", A, "--quiet"]) == 0
    ledger = read_ledger(course, A)
    expected = {
        "a_honest": ("graded", 6.0, ""),
        "invalid_json": ("invalid_notebook", 0.0, "not valid JSON"),
        "not_utf8": ("invalid_notebook", 0.0, "not UTF-8"),
        "deep_json": ("invalid_notebook", 0.0, "nested too deeply"),
        "huge": ("invalid_notebook", 0.0, "too large"),
        "cells_not_a_list": ("invalid_notebook", 0.0, "no list of cells"),
        "wrong_types": ("graded", 6.0, ""),
        "minus_signs": ("graded", 5.0, "code cell(s) of the student's own"),
        "odd_file_names": ("graded", 6.0, ""),
        "fifo": ("refused", 0.0, "a pipe"),
        "fifo_notebook": ("refused", 0.0, "a pipe"),
        "symlink": ("refused", 0.0, "symbolic link"),
        "hard_link": ("refused", 0.0, "hard link"),
        "device": ("refused", 0.0, ""),
        "bad_timestamp": ("graded", 6.0, ""),
        "too_many_files": ("refused", 0.0, "too many files: the hand-in folder holds more than"),
        "\\xff\\xfebad": ("refused", 0.0, "not a student id"),
    }
    assert set(ledger) == set(expected)
    for student, (status, score, words) in expected.items():
        result = ledger[student]
        assert (result.status, result.score) == (status, score), (student, result.detail)
        assert words in result.detail, (student, result.detail)


# --- Moodle zips (issue 19 findings 6, 7) -------------------------------------------------------


@pytest.mark.nbgrader
def test_a_huge_or_bomb_zip_member_is_refused_and_the_class_imported(repo_root, tmp_path,
                                                                     capsys):
    """Finding 7: a member over the grader's notebook limit, or one that unpacks hundreds of
    times its packed size, is refused with a plain reason, never read whole; others import."""
    import zipfile

    from migdata.grading.submissions import MAX_NOTEBOOK_BYTES
    from test_course_moodle import NB, _course
    from test_course_moodle import A as MA

    course = _course(repo_root, tmp_path)
    released = (course / "release" / MA / NB).read_bytes()
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"Good Student_1_assignsubmission_file/{NB}", released)
        zf.writestr(f"Huge Student_2_assignsubmission_file/{NB}",
                    b" " * (MAX_NOTEBOOK_BYTES + 1))
        zf.writestr(f"Bomb Student_3_assignsubmission_file/{NB}", b"0" * (5 << 20))
    assert main(["--course-dir", str(course), "import-zip", MA, str(archive)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "too large" in err and "the grader reads notebooks of at most" in err
    assert "a zip bomb" in err and "2 file(s) skipped" in err
    assert (course / "submitted" / "1" / MA / NB).read_bytes() == released
    assert not (course / "submitted" / "2" / MA / NB).exists()
    assert not (course / "submitted" / "3" / MA / NB).exists()


@pytest.mark.nbgrader
def test_feedback_zip_names_let_moodle_read_only_the_right_participant(repo_root, tmp_path):
    """Finding 6: Moodle's feedback importer (mod/assign/feedback/file/importziplib.php) splits
    each folder name at '_' and takes the second piece as the participant id; Moodle's own
    download replaces '_' in full names by spaces (mod/assign/locallib.php). A full name with
    underscores must not name another participant."""
    import csv
    import zipfile

    from migdata.grading.moodle import write_feedback_zip
    from test_course_moodle import NB, _course
    from test_course_moodle import A as MA

    course = _course(repo_root, tmp_path)
    released = (course / "release" / MA / NB).read_bytes()
    archive = tmp_path / "m.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Mal_x_2002_assignsubmission_file/{NB}", released)
        zf.writestr(f"Real Student_2001_assignsubmission_file/{NB}", released)
    assert main(["--course-dir", str(course), "import-zip", MA, str(archive)]) == 0
    roster = course / ".migdata-course" / "roster.csv"
    rows = list(csv.DictReader(roster.open(encoding="utf-8")))
    assert {r["participant_id"]: r["full_name"] for r in rows}["2002"] == "Mal_x"
    # the name the tester gave Moodle: it holds another participant's id
    for row in rows:
        if row["participant_id"] == "2002":
            row["full_name"] = "Mal_2001_assignsubmission_file"
    with roster.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for student in ("2001", "2002"):
        page = course / "feedback" / student / MA / f"{MA}.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>{student}</p>", encoding="utf-8")
    out = tmp_path / "feedback.zip"
    assert write_feedback_zip(course, MA, out).files == 2
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            folder = name.split("/")[0]
            moodle_reads = folder.split("_", 4)[1]  # importziplib.php: explode('_', part, 5)[1]
            assert f"<p>{moodle_reads}</p>" == zf.read(name).decode(), name
