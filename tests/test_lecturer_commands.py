"""The lecturer's guide as written (issue 22): every command in it parses, the lab's terminals
find the commands, the formgrader's first open makes a complete gradebook, a laptop that cannot
sandbox is told where to grade, feedback release says what to do without a secret."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from migdata.grading.cli import LAPTOP_ROUTE, _parser, main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "autograder" / "README.md"


def _guide_commands() -> list[list[str]]:
    """Every ``migdata-course ...`` command in the guide: code blocks and inline code."""
    text = GUIDE.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split(" #")[0].strip()
            if line.startswith("migdata-course "):
                commands.append(shlex.split(line)[1:])
    for span in re.findall(r"`(migdata-course [^`]+)`", text):
        args = shlex.split(span)[1:]
        if args and not args[0].startswith("<") and "..." not in span:
            commands.append(args)
    return commands


def test_every_migdata_course_command_in_the_guide_parses():
    commands = _guide_commands()
    assert len(commands) >= 15
    names = {c[0] for c in commands}
    assert {"generate", "import-zip", "autograde", "feedback", "export"} <= names
    parser = _parser()
    known = set(parser._subparsers._group_actions[0].choices)
    for args in commands:
        if len(args) == 1:  # a command named in the text ("run `migdata-course collect`")
            assert args[0] in known, args
        else:
            parser.parse_args(args)  # an unknown option or command exits: the test fails
    assert any("--due" in c for c in commands)
    assert any("--moodle-worksheet" in c for c in commands)


def test_make_lecturer_lab_puts_the_venv_on_the_labs_path():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", "lecturer-lab"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if "jupyter lab" in ln)
    assert f'PATH="{ROOT / ".venv" / "bin"}:$PATH"' in line
    # what that PATH holds once the course extra is installed: both commands of the guide
    bindir = Path(sys.executable).parent
    assert (bindir / "migdata-course").is_file() and (bindir / "nbgrader").is_file()


FIRST_OPEN = """
import sys
from traitlets.config.loader import PyFileConfigLoader
from nbgrader.api import Gradebook
if sys.argv[1] == "with-config":
    PyFileConfigLoader("nbgrader_config.py", path=sys.argv[2]).load_config()
Gradebook("sqlite:///" + sys.argv[2] + "/gradebook.db").close()
"""


def test_the_formgraders_first_open_creates_a_complete_gradebook(tmp_path):
    """The formgrader loads nbgrader_config.py, then creates the gradebook, which runs alembic."""
    bare_path = "/usr/bin:/bin"
    if shutil.which("alembic", path=bare_path):
        pytest.skip("alembic is installed system-wide: the failure cannot be shown here")
    course = tmp_path / "autograder"
    course.mkdir()
    shutil.copy(GUIDE.parent / "nbgrader_config.py", course)
    env = {"PATH": bare_path, "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    def first_open(mode: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", FIRST_OPEN, mode, str(course)], env=env,
                              cwd=course, capture_output=True, text=True, timeout=120,
                              check=False)

    # without the course configuration: nbgrader's own failure (issue 22) ...
    plain = first_open("plain")
    assert plain.returncode != 0 and "alembic" in plain.stderr
    with sqlite3.connect(course / "gradebook.db") as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert "student" in tables and "alembic_version" not in tables  # left incomplete
    # ... which the next migdata-course command completes
    from migdata.grading.config import load_config

    load_config(course)
    with sqlite3.connect(course / "gradebook.db") as con:
        versions = list(con.execute("SELECT version_num FROM alembic_version"))
    assert len(versions) == 1 and versions[0][0]
    # with it, as the formgrader opens it: complete at once
    (course / "gradebook.db").unlink()
    done = first_open("with-config")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(course / "gradebook.db") as con:
        assert len(list(con.execute("SELECT version_num FROM alembic_version"))) == 1


def test_a_laptop_without_the_sandbox_is_told_where_to_grade(repo_root, tmp_path, monkeypatch,
                                                            capsys):
    import migdata.grading.sandbox as sandbox

    def no_bwrap() -> str:
        raise sandbox.SandboxUnavailableError("bwrap is not installed (Debian/Ubuntu: apt-get "
                                              "install bubblewrap)")

    monkeypatch.setattr(sandbox, "check_sandbox", no_bwrap)
    course = tmp_path / "autograder"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    assert main(["--course-dir", str(course), "autograde", "unit22_sources", "--quiet"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Grading refused" in err and "WSL2" in err and "JupyterHub" in err
    assert "Windows and macOS laptops" in LAPTOP_ROUTE
    assert "### Windows and macOS laptops" in GUIDE.read_text(encoding="utf-8")


def test_feedback_release_without_a_secret_says_what_to_do(repo_root, tmp_path):
    from migdata.grading.feedback import release_each

    course = tmp_path / "autograder"
    course.mkdir()
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    page = course / "feedback" / "100231" / "unit22_sources"
    page.mkdir(parents=True)
    (page / "unit22_sources.html").write_text("<p>feedback</p>", encoding="utf-8")
    released, failed = release_each(course, "unit22_sources")
    assert released == []
    why = failed["100231"]
    assert "no submission_secret.txt" in why and "did not come through the exchange" in why
    assert "--moodle-feedback-zip" in why


def test_setup_hub_checks_the_kit_for_students_and_gives_the_course_folder_away():
    script = (ROOT / "autograder" / "hub" / "setup-hub.sh").read_text(encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(ROOT / "autograder" / "hub" / "setup-hub.sh")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # the student check comes after the homes are closed (a kit in a 0700 home fails it)
    assert script.index('runuser -u "$user" -- "$PYTHON"') > script.index("chmod 0700")
    assert 'chown -R "$INSTRUCTOR:" "$COURSE_DIR"' in script
    assert "allow_all" in script and "not enforced" in script
    guide = GUIDE.read_text(encoding="utf-8")
    assert 'pip install "migdata[course,hub] @ file:///' in guide
