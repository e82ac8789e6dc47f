"""``migdata-course`` as a lecturer meets it: without the course extra, in a pipe, releasing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migdata.grading.cli import NBGRADER_DEFAULT_EXCHANGE, exchange_root, main

# run migdata-course in a fresh interpreter where the course extra cannot be imported
NO_EXTRA = """
import sys
for name in ("traitlets", "nbgrader", "nbformat"):
    sys.modules[name] = None  # 'import name' now fails as if it were not installed
from migdata.grading.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=60, check=False)


def test_help_works_without_the_course_extra_and_says_how_to_install_it():
    done = run(NO_EXTRA, "--help")
    assert done.returncode == 0, done.stderr
    assert "autograde" in done.stdout
    assert "pip install 'migdata[course]'" in " ".join(done.stdout.split())
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["report", "unit22_sources"], ["autograde", "unit22_sources"],
                                     ["generate", "unit22_sources"]])
def test_a_command_without_the_course_extra_prints_one_line(command, tmp_path):
    done = run(NO_EXTRA, "--course-dir", str(tmp_path), *command)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    needs = "migdata-course needs the course extra: pip install 'migdata[course]'"
    assert lines[0].startswith(needs)


def test_help_with_the_course_extra_has_no_install_hint(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "pip install" not in capsys.readouterr().out


def test_output_into_a_closed_pipe_ends_quietly():
    """``migdata-course report ... | head``: no BrokenPipeError traceback."""
    script = """
import sys
import migdata.grading.cli as cli
def flood(args):
    for i in range(200_000):
        print(f"line {i} " + "x" * 60)
    return 0
cli.cmd_report = flood
sys.exit(cli.main(["report", "unit22_sources"]))
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("line 0")
    proc.stdout.close()  # what 'head' does once it has enough
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_exchange_root_is_named_and_the_default_recognised(repo_root, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    # the shipped config leaves c.Exchange.root commented out: nbgrader's default is used
    assert exchange_root(course) == (NBGRADER_DEFAULT_EXCHANGE, True)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write("\nc.Exchange.root = '/srv/nbgrader/exchange'\n")
    assert exchange_root(Path(course)) == ("/srv/nbgrader/exchange", False)
