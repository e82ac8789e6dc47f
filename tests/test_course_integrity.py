"""Fast checks of the grading safeguards: tamper check, course lock, sandbox refusal."""

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
from migdata.grading.integrity import (
    check_notebook,
    check_submission,
    data_names,
    protected_names,
    review_submission,
)
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
def test_model_answers_are_not_flagged(repo_root, name):
    path, nb = _source(repo_root, name)
    answers = solution_sources(path)
    student = copy.deepcopy(nb)
    for cell in student["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    assert check_notebook(student, nb, name=name) == []


def test_the_tests_names_are_protected_but_answers_are_not(repo_root):
    _, nb = _source(repo_root, U22)
    names = protected_names(nb)
    assert {"math", "population", "isinstance", "households"} <= names
    assert not names & {"foreign_born_share", "required_sample_size", "survey_se"}


ATTACKS = {
    "get_ipython().input_transformers_post.append(lambda lines: [])": "get_ipython",
    "ip = get_ipython()\nip.events.register('pre_run_cell', print)": "get_ipython",
    "get_ipython().ast_transformers.append(object())": "get_ipython",
    "math.isclose = lambda *a, **k: True": "changes the module math",
    "import numpy\nnumpy.isclose = lambda *a, **k: True": "changes the module numpy",
    "import builtins\nbuiltins.isinstance = lambda *a: True": "imports builtins",
    "__builtins__.isinstance = lambda *a: True": "__builtins__",
    "def isinstance(*a):\n    return True": "redefines isinstance",
    "class M:\n    def isclose(self, *a, **k):\n        return True\nmath = M()": "redefines math",
    "from math import sqrt as math": "redefines math",
    "population['foreign_born'] = False": "changes population",
    "exec('import math; math.isclose = None')": "uses exec",
    "setattr(math, 'isclose', None)": "uses setattr",
    "().__class__.__base__.__subclasses__()": "__subclasses__",
    "import sys\nsys.modules['math'] = None": "sys.modules",
    "import evil_helper": "not installed",
    "%run helper.py": "%run",
    "%%time\nmath.isclose = None": "changes the module math",
}


@pytest.mark.parametrize("code", sorted(ATTACKS))
def test_code_that_changes_how_tests_run_is_found(repo_root, code):
    _, nb = _source(repo_root, U22)
    found = [str(f) for f in check_notebook(_with_answer(nb, "a1_answer", code), nb, name="u22")]
    assert found, code
    assert any(ATTACKS[code] in f for f in found), found
    assert found[0].startswith("u22 a1_answer, line ")


def test_ordinary_student_code_is_not_flagged(repo_root):
    _, nb = _source(repo_root, U22)
    code = ("%matplotlib inline\nimport matplotlib.pyplot as plt\n!ls\n"
            "share = population.foreign_born.mean()\nsum = 0\nfor x in range(3):\n    sum += x\n"
            "foreign_born_share = float(share * 100)\nprint(math.pi, np.mean([1, 2]))")
    assert check_notebook(_with_answer(nb, "a1_answer", code), nb) == []


def test_a_python_file_handed_in_is_checked(repo_root, tmp_path):
    path, nb = _source(repo_root, U22)
    (tmp_path / "helper.py").write_text("import math\nmath.isclose = lambda *a, **k: True\n")
    student = _with_answer(nb, "a1_answer", "import helper")
    (tmp_path / path.name).write_text(json.dumps(student))
    found = check_submission(tmp_path, path.parent, [path.name])
    assert any("helper.py" in f and "math" in f for f in found[path.name])


INNOCENT = 'population = population[population["person_id"] >= 0]\n' \
    'foreign_born_share = float(population["foreign_born"].mean() * 100)'


def test_reassigning_given_data_is_for_review_not_a_zero(repo_root, tmp_path):
    path, nb = _source(repo_root, U22)
    found = check_notebook(_with_answer(nb, "a1_answer", INNOCENT), nb, name="u22")
    assert [(f.line, f.review) for f in found] == [(1, True)]
    assert "reassigns population" in str(found[0])
    (tmp_path / path.name).write_text(json.dumps(_with_answer(nb, "a1_answer", INNOCENT)))
    assert check_submission(tmp_path, path.parent, [path.name]) == {}
    assert "reassigns population" in review_submission(tmp_path, path.parent, [path.name])[
        path.name][0]
    # also inside a block, and for the other assignments' data
    block = "if True:\n    population = population.copy()"
    assert [f.review for f in check_notebook(_with_answer(nb, "a1_answer", block), nb)] == [True]
    assert {"population", "households", "permits", "sample"} == data_names(nb)


CALLED_OR_MODULE = [  # (unit, answer cell, code redefining a name the hidden tests call or use)
    ("unit21_concepts", "p2_answer", "usual_residence = lambda *a, **k: 'RUS'"),
    ("unit21_concepts", "p3_answer", "def stocks(*a, **k):\n    return None"),
    ("unit22_sources", "a1_answer", "import fractions as math"),
    ("unit24_net_migration", "r1a_answer", "np = None"),
]


@pytest.mark.parametrize(("unit", "gid", "code"), CALLED_OR_MODULE)
def test_redefining_what_the_tests_call_is_still_tampering(repo_root, unit, gid, code):
    _, nb = _source(repo_root, unit)
    found = check_notebook(_with_answer(nb, gid, code), nb)
    assert found and not any(f.review for f in found), found
    assert any("redefines" in str(f) for f in found)


def test_changing_given_data_in_place_is_still_tampering(repo_root):
    _, nb = _source(repo_root, U22)
    code = "population['foreign_born'] = False\n" + INNOCENT.splitlines()[1]
    found = check_notebook(_with_answer(nb, "a1_answer", code), nb)
    assert found and not any(f.review for f in found)


# ------------------------------------------------------------------------------------------------
# the course lock

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


def test_without_the_instructor_version_the_released_one_is_used(repo_root, tmp_path):
    path, nb = _source(repo_root, U22)
    submitted, empty = tmp_path / "submitted", tmp_path / "no_source"
    submitted.mkdir()
    empty.mkdir()
    student = _with_answer(nb, "a1_answer", "math.isclose = lambda *a, **k: True")
    (submitted / path.name).write_text(json.dumps(student))
    assert check_submission(submitted, empty, [path.name]) == {}
    found = check_submission(submitted, empty, [path.name], release_dir=path.parent)
    assert "math" in found[path.name][0]


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


REPEATED_SETUP = ("import datetime as dt\nfrom migdata.concepts import stocks, Person, Stay\n"
                  "import numpy as np\nimport pandas as pd\n"
                  "from IPython.display import display\nusual_residence?\n?Stay\n")


@pytest.mark.parametrize("grade_id", ["p2_answer", "p3_answer"])
def test_repeating_the_setup_imports_and_asking_for_help_is_not_tampering(repo_root, grade_id):
    _, nb = _source(repo_root, "unit21_concepts")
    found = check_notebook(_with_answer(nb, grade_id, REPEATED_SETUP), nb, name="u21")
    assert found == []


@pytest.mark.parametrize("code", ["from migdata.concepts import flows as stocks",
                                  "from migdata.concepts import stocks as usual_residence",
                                  "from IPython import get_ipython"])
def test_an_import_that_changes_what_a_tested_name_means_is_still_found(repo_root, code):
    _, nb = _source(repo_root, "unit21_concepts")
    found = check_notebook(_with_answer(nb, "p3_answer", code), nb, name="u21")
    assert found and not any(f.review for f in found), found

