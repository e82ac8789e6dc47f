"""Fast checks of the grading safeguards: the report on a hand-in, course lock, sandbox."""

from __future__ import annotations

import copy
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from migdata.grading import sandbox
from migdata.grading.cli import main
from migdata.grading.integrity import review
from migdata.grading.locking import CourseBusyError, course_lock
from migdata.simulate.submissions import solution_sources

ASSIGNMENTS = ["unit21_concepts", "unit22_sources", "unit23_institutions", "unit24_net_migration"]
U22 = "unit22_sources"


def _source(repo_root, name):
    path = repo_root / "assignments" / "source" / name / f"{name}.ipynb"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _with_answer(nb, grade_id, code):
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = code
    return out


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_model_answers_are_not_reported(repo_root, name):
    path, nb = _source(repo_root, name)
    answers = solution_sources(path)
    student = copy.deepcopy(nb)
    for cell in student["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    assert review(student, nb) == []


def test_the_report_names_code_edits_deletions_and_repeats(repo_root):
    """What a lecturer may look at; no score depends on it (the grader never runs code)."""
    _, nb = _source(repo_root, U22)
    student = _with_answer(nb, "a1_test", "pass")
    student["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                             "source": "import math\nmath.isclose = lambda *a, **k: True"})
    student["cells"] = [c for c in student["cells"]
                        if c["metadata"].get("nbgrader", {}).get("grade_id") != "b1a_answer"]
    student["cells"].append({"cell_type": "code", "metadata": [], "outputs": [],
                             "source": "%%answer A1 percent\n5"})
    found = " | ".join(review(student, nb))
    assert "1 code cell(s) of the student's own" in found
    assert "locked cells edited" in found and "a1_test" in found
    assert "deleted or their first line changed: B1a" in found
    assert "answered twice" in found and "A1" in found
    assert review([], nb) == ["no list of cells"]


HOLD = """
import sys, time
from migdata.grading.locking import course_lock
with course_lock(sys.argv[1], "migdata-course autograde unit22_sources"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_second_run_is_refused_while_the_first_holds_the_course(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CourseBusyError) as busy, course_lock(tmp_path, "export"):
            pass
        message = str(busy.value)
        assert "autograde unit22_sources" in message and f"process {holder.pid}" in message
        assert "--wait" in message
        # SIGKILL leaves no stale lock
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        with course_lock(tmp_path, "export"):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()


def test_a_run_that_waits_starts_when_the_other_ends(tmp_path):
    released = threading.Event()

    def first():
        with course_lock(tmp_path, "first"):
            time.sleep(1.0)
        released.set()

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.2)
    with course_lock(tmp_path, "second", wait=30, poll=0.05):
        assert released.is_set()
    thread.join()


# ------------------------------------------------------------------------------------------------
# no sandbox, no grading (unless --no-sandbox)

def test_without_a_sandbox_autograde_refuses_and_says_what_no_sandbox_risks(
        repo_root, tmp_path, monkeypatch, capsys):
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", tmp_path)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.check_sandbox.cache_clear()
    try:
        code = main(["--course-dir", str(tmp_path), "autograde", U22, "--quiet"])
    finally:
        sandbox.check_sandbox.cache_clear()
    err = capsys.readouterr().err
    assert code == 2
    assert "bubblewrap" in err and "--no-sandbox" in err
    assert "read the instructor versions" in err and "gradebook" in err
    assert "Traceback" not in err


def test_the_sandbox_hides_the_machine(tmp_path):
    try:
        sandbox.check_sandbox()
    except sandbox.SandboxUnavailableError as exc:  # pragma: no cover - CI installs bubblewrap
        pytest.skip(str(exc))
    work = tmp_path / "work"
    work.mkdir()
    (work / "mine.txt").write_text("x")
    work.chmod(0o777)
    (work / "mine.txt").chmod(0o666)
    probe = ("import os, socket\n"
             f"print(sorted(os.listdir('.')), os.getpid(), os.path.exists({str(tmp_path)!r}))\n"
             "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
             "    print('net')\nexcept OSError:\n    print('no net')\n")
    cmd = sandbox.sandbox_command([sys.executable, "-c", probe], workdir=str(work),
                                  mount_as="/home/student/probe", env=sandbox.kernel_env(),
                                  wall_seconds=60)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("['mine.txt']") and first.endswith("False")
    assert int(first.split()[1]) < 10  # its own PID namespace
    assert second == "no net"


def test_feedback_and_export_wait_for_the_course_too(tmp_path, repo_root, capsys):
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["export", str(tmp_path / "grades.csv")], ["feedback", U22]):
            assert main(["--course-dir", str(tmp_path), *command]) == 2
            err = capsys.readouterr().err
            assert "busy" in err and "autograde unit22_sources" in err, err
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "grades.csv").exists()


def test_the_report_shows_nbgraders_real_error_line():
    from migdata.grading.autograde import error_line

    outcome = {
        "success": False,
        "log": "[AutogradeApp | ERROR] There was an error processing assignment: x\n"
               "[AutogradeApp | ERROR] Traceback (most recent call last):\n"
               "[AutogradeApp | ERROR] nbgrader.api.MissingEntry: No such notebook\n",
        "error": "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
                 "sqlite3.OperationalError: database is locked\n"
                 "nbgrader failed, see the above traceback\n",
    }
    assert error_line(outcome) == "sqlite3.OperationalError: database is locked"
    assert error_line({"error": "", "log": "[x | ERROR] disk full\n"}) == "[x | ERROR] disk full"


def test_a_python_installed_under_tmp_stays_visible_in_the_sandbox(tmp_path, monkeypatch):
    # a venv made under /tmp was hidden by the sandbox's private /tmp, mounted after it
    try:
        sandbox.check_sandbox()
    except sandbox.SandboxUnavailableError as exc:  # pragma: no cover - CI installs bubblewrap
        pytest.skip(str(exc))
    env_dir = Path(tempfile.mkdtemp(prefix="migdata-venv-", dir="/tmp"))
    try:
        env_dir.chmod(0o755)
        (env_dir / "marker.txt").write_text("installed")
        (env_dir / "marker.txt").chmod(0o644)
        installed = sandbox._python_paths()
        monkeypatch.setattr(sandbox, "_python_paths", lambda: (*installed, str(env_dir)))
        work = tmp_path / "work"
        work.mkdir()
        work.chmod(0o777)
        probe = f"print(open({str(env_dir / 'marker.txt')!r}).read())"
        cmd = sandbox.sandbox_command([sys.executable, "-c", probe], workdir=str(work),
                                      mount_as="/home/student/probe", env=sandbox.kernel_env(),
                                      wall_seconds=60)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "installed"
    finally:
        shutil.rmtree(env_dir, ignore_errors=True)
