"""Grading that cannot be cheated or disrupted: attacks graded as submissions, kills, two runs.

Each attack below is a submission of Unit 2.2 whose first answer cell is code that tries
something; where the attack could earn a mark it "answers" A1 correctly *only if the attack
worked*. The grader reads answers as text and never runs a hand-in's code, so no attack can act
at all (the sandbox stays as defence in depth, and is tested on its own). Honest students are
graded in the same run and must get their right scores.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from migdata.grading.autograde import read_ledger
from migdata.grading.cli import main
from migdata.simulate.submissions import write_submission

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.timeout(900)]

A = "unit22_sources"
NB = f"{A}.ipynb"
RIGHT_A1 = 'foreign_born_share = float(population["foreign_born"].mean() * 100)'
SLEEP_MARK = "613.2501"  # a sleep no other process on the machine has
B2 = ["b2a_answer", "b2b_answer", "b2c_answer"]  # B2: 3 points


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


def _attacks(course: Path, port: int) -> dict[str, str]:
    """student -> code of the a1_answer cell."""
    root = course.parent
    source = root / "assignments" / "source" / A / NB
    gradebook = course / "gradebook.db"
    honest = course / "submitted" / "h1_partial" / A / NB
    return {
        "x1_reads_instructor": f"""
import json
try:
    for path in [{str(source)!r}, "../../../../assignments/source/{A}/{NB}",
                 "../../../source/{A}/{NB}"]:
        try:
            model = json.load(open(path))
            break
        except OSError:
            model = None
    assert model is not None
    {RIGHT_A1}
except Exception:
    foreign_born_share = 50.0
""",
        "x2_deletes_gradebook": f"""
import os, shutil
try:
    os.remove({str(gradebook)!r})
    {RIGHT_A1}
except OSError:
    foreign_born_share = 50.0
try:
    shutil.rmtree({str(course / 'submitted')!r})
except OSError:
    pass
""",
        "x3_overwrites_other": f"""
try:
    with open({str(honest)!r}, "w") as fh:
        fh.write("{{}}")
    {RIGHT_A1}
except OSError:
    foreign_born_share = 50.0
""",
        "x4_kills_run": """
import os, signal
for pid in [os.getppid(), 1]:
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except OSError:
        pass
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass
os.kill(-1, signal.SIGKILL)
""",
        "x5_network": f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    {RIGHT_A1}
except OSError:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        {RIGHT_A1}
    except OSError:
        foreign_born_share = 50.0
""",
        "x6_detaches": f"""
import os, subprocess
subprocess.Popen(["setsid", "sleep", "{SLEEP_MARK}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{SLEEP_MARK}"])
    os._exit(0)
""",
        "x7_ipython_patch": """
ip = get_ipython()
ip.input_transformers_post.append(
    lambda lines: ["pass\\n"] if any("assert" in ln for ln in lines) else lines)
""",
        "x8_patches_isclose": """
math.isclose = lambda *args, **kwargs: True
import numpy
numpy.isclose = lambda *args, **kwargs: True
""",
        "x9_redefines_helpers": """
class _AlwaysClose:
    def isclose(self, *args, **kwargs):
        return True
    def sqrt(self, x):
        return x ** 0.5
math = _AlwaysClose()
def isinstance(*args):
    return True
foreign_born_share = 50.0
""",
    }


def _write(course: Path, student: str, a1_code: str) -> Path:
    folder = write_submission(course, A, student, "untouched")
    nb = nbformat.read(folder / NB, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "a1_answer":
            cell.source = a1_code.strip("\n")
    nbformat.write(nb, folder / NB)
    return folder


def _sleepers() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if SLEEP_MARK.encode() in cmd and b"sleep" in cmd:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def attacked(repo_root, tmp_path_factory):
    base = tmp_path_factory.mktemp("attacked")
    course = make_course(repo_root, base, [A])
    assert cli(course, "generate", A) == 0
    write_submission(course, A, "h1_partial", "partial", answered=["a1_answer", *B2])
    write_submission(course, A, "h2_model", "solution")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    connections = []

    def accept():
        while not stop.is_set():
            try:
                connections.append(server.accept()[0])
            except OSError:
                continue

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    for student, code in _attacks(course, server.getsockname()[1]).items():
        _write(course, student, code)
    # a link in the submission to the instructor version (nbgrader would copy its target)
    source = course.parent / "assignments" / "source" / A / NB
    linked = _write(course, "x10_symlink", f"""
import json
try:
    json.load(open("model.ipynb"))
    {RIGHT_A1}
except Exception:
    foreign_born_share = 50.0
""")
    (linked / "model.ipynb").symlink_to(source)
    honest_file = course / "submitted" / "h1_partial" / A / NB
    digest = hashlib.sha256(honest_file.read_bytes()).hexdigest()
    start = time.monotonic()
    code = cli(course, "autograde", A, "--timeout", "20", "--quiet")
    seconds = time.monotonic() - start
    stop.set()
    thread.join()
    server.close()
    return {"course": course, "code": code, "connections": connections, "digest": digest,
            "honest_file": honest_file, "seconds": seconds}


def test_the_run_completes_and_honest_students_get_their_scores(attacked):
    assert attacked["code"] == 0
    ledger = read_ledger(attacked["course"], A)
    assert (ledger["h1_partial"].status, ledger["h1_partial"].score) == ("graded", 5.0)
    assert (ledger["h2_model"].status, ledger["h2_model"].score) == ("graded", 14.0)
    assert len(ledger) == 12


def test_no_attack_earns_a_point(attacked):
    ledger = read_ledger(attacked["course"], A)
    for student in ledger:
        if student.startswith("x"):
            assert ledger[student].score == 0.0, (student, ledger[student])
            assert ledger[student].status in ("graded", "refused"), student


def test_course_files_are_out_of_reach(attacked):
    course = attacked["course"]
    assert (course / "gradebook.db").is_file()
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert hashlib.sha256(attacked["honest_file"].read_bytes()).hexdigest() == attacked["digest"]
    assert len(list((course / "submitted").iterdir())) == 12


def test_no_network_and_nothing_left_running(attacked):
    assert attacked["connections"] == []
    assert _sleepers() == []


def test_the_run_killer_only_stops_its_own_kernel(attacked):
    entry = read_ledger(attacked["course"], A)["x4_kills_run"]
    # its code is never run
    assert entry.status == "graded" and entry.score == 0.0


def test_code_in_place_of_an_answer_is_reported_and_scores_zero(attacked):
    ledger = read_ledger(attacked["course"], A)
    for student in ["x7_ipython_patch", "x8_patches_isclose", "x9_redefines_helpers"]:
        assert (ledger[student].status, ledger[student].score) == ("graded", 0.0), student
        assert "code cell(s) of the student's own" in ledger[student].detail
        assert "first line changed: A1" in ledger[student].detail
    assert (ledger["x10_symlink"].status, ledger["x10_symlink"].score) == ("refused", 0.0)
    assert "symbolic link" in ledger["x10_symlink"].detail


def test_feedback_and_export_work_after_the_attacks(attacked, tmp_path):
    course = attacked["course"]
    assert cli(course, "export", str(tmp_path / "grades.csv")) == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        sub = gb.find_submission(A, "x8_patches_isclose")
        assert sub.score == 0.0 and any(nb.flagged for nb in sub.notebooks)


# ------------------------------------------------------------------------------------------------
# killing a run, two runs at once

def _run(course: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    return subprocess.Popen(
        [sys.executable, "-m", "migdata.grading.cli", "--course-dir", str(course), "autograde", A,
         "--quiet", "--workers", "2", *extra],
        env=env, cwd=str(tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture
def small_course(repo_root, tmp_path):
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    for i in range(5):
        write_submission(course, A, f"k{i}", "partial", answered=B2)
    # the run's temporary files go here (a short path: Unix sockets are made in it)
    scratch = Path(tempfile.mkdtemp(prefix="mdt-", dir="/tmp"))
    yield course, scratch
    shutil.rmtree(scratch, ignore_errors=True)


def test_a_run_killed_with_sigkill_leaves_no_lock_no_process_and_no_bad_grade(small_course):
    course, scratch = small_course
    proc = _run(course, scratch)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        graded = [r for r in read_ledger(course, A).values() if r.status == "graded"] \
            if (course / ".migdata-course" / f"{A}.json").is_file() else []
        if graded:
            break
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # workers and sandboxed kernels go with it
    deadline = time.monotonic() + 30
    while _processes_mentioning(str(scratch)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_mentioning(str(scratch)) == []
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = _run(course, scratch)
    _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    ledger = read_ledger(course, A)
    assert sorted(ledger) == [f"k{i}" for i in range(5)]
    assert all((r.status, r.score) == ("graded", 3.0) for r in ledger.values()), ledger
    assert any(r.reused for r in ledger.values())  # what the killed run graded was kept


def test_two_runs_at_once_one_refused_clearly_grades_intact(small_course):
    course, scratch = small_course
    first, second = _run(course, scratch), _run(course, scratch)
    results = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], results
    refused = next(err for (out, err), p in zip(results, (first, second), strict=True)
                   if p.returncode == 2)
    assert "busy" in refused and "autograde" in refused and "Traceback" not in refused
    ledger = read_ledger(course, A)
    assert all((r.status, r.score) == ("graded", 3.0) for r in ledger.values()), ledger
    # with --wait, a second run waits for the first and then finds nothing left to do
    third = _run(course, scratch, "--wait", "300")
    _out, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    assert json.loads((course / ".migdata-course" / f"{A}.json").read_text())["k0"]["score"] == 3.0


def test_without_the_sandbox_a_worker_killer_is_still_never_run(small_course):
    """--no-sandbox: a hand-in's code that would kill the grading worker is never run (it used
    to be graded again alone, then reported as killed_grader)."""
    from migdata.grading.autograde import autograde

    course, _ = small_course
    write_submission(course, A, "z_killer", "kills_grader")
    results = {r.student: r for r in autograde(course, A, workers=2, progress=False,
                                               sandbox=False, students=["k0", "k1", "z_killer"])}
    assert (results["z_killer"].status, results["z_killer"].score) == ("graded", 14.0)
    assert all((results[s].status, results[s].score) == ("graded", 3.0) for s in ("k0", "k1"))


def test_code_of_the_students_own_keeps_the_points_and_is_reported(repo_root, tmp_path,
                                                                  capsys):
    """Code a student adds is not run: it earns nothing, costs nothing, and is reported."""
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    right = write_submission(course, A, "h_plain", "answers", texts={"A1": "4,39"})
    for student, code in [("h_reassigns", 'population = population[population["x"] >= 0]'),
                          ("h_redefines", "class _M:\n    def isclose(self, *a, **k):\n"
                                          "        return True\nmath = _M()")]:
        folder = write_submission(course, A, student, "answers",
                                  texts={"A1": "4,39" if student == "h_reassigns" else "50"})
        nb = nbformat.read(folder / NB, as_version=4)
        nb.cells.insert(2, nbformat.v4.new_code_cell(code))
        nbformat.write(nb, folder / NB)
    assert right.is_dir()
    capsys.readouterr()
    assert cli(course, "autograde", A, "--quiet") == 0
    assert "2 student(s) have code to review" in capsys.readouterr().out
    ledger = read_ledger(course, A)
    assert {s: (r.status, r.score) for s, r in ledger.items()} == {
        "h_plain": ("graded", 2.0), "h_reassigns": ("graded", 2.0), "h_redefines": ("graded", 0.0)}
    assert "to review" in ledger["h_reassigns"].detail
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "migdata-module2") as gb:
        flagged = {s: any(nb.flagged for nb in gb.find_submission(A, s).notebooks)
                   for s in ("h_plain", "h_reassigns", "h_redefines")}
    assert flagged == {"h_plain": False, "h_reassigns": True, "h_redefines": True}


def test_the_autograde_report_shows_autograded_and_to_mark_points_apart(repo_root, tmp_path,
                                                                      capsys):
    course = make_course(repo_root, tmp_path, [A])
    assert cli(course, "generate", A) == 0
    write_submission(course, A, "k0", "partial", answered=B2)
    capsys.readouterr()
    assert cli(course, "autograde", A, "--quiet") == 0
    report = capsys.readouterr().out
    row = next(line for line in report.splitlines() if line.startswith("k0"))
    # 3 of the 14 autograded points; the 7 points of written answers are still to be marked
    assert "auto" in report and "to mark" in report
    assert "3.0/14.0" in row and row.split()[4] == "7.0", row
    assert "written answers still to be marked" in report
