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


def test_make_lecturer_lab_opens_the_marking_notes_and_the_formgrader(tmp_path):
    """The command ``make lecturer-lab`` runs, started on a copy of the course's two folders."""
    import os
    import posixpath
    import signal
    import socket
    import time

    import requests

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    repo = tmp_path / "repo"
    a = "unit22_sources"
    shutil.copytree(ROOT / "assignments" / "source" / a, repo / "assignments" / "source" / a)
    (repo / "autograder").mkdir()
    shutil.copy(GUIDE.parent / "nbgrader_config.py", repo / "autograder")
    shutil.copy(ROOT / "pyproject.toml", repo)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "lecturer-lab-test"
    extra = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    # the recipe as make would run it, with the environment this test runs in (not a new .venv)
    done = subprocess.run(["make", "-n", "-s", "-C", str(repo), "-f", str(ROOT / "Makefile"),
                           "lecturer-lab", f"BIN={Path(sys.executable).parent}",
                           f"LAB_ARGS={extra}"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if "jupyter lab" in ln)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jconfig"),
           "JUPYTER_DATA_DIR": str(tmp_path / "jdata"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jruntime")}
    log = (tmp_path / "lab.log").open("w")
    lab = subprocess.Popen(["bash", "-c", line], cwd=repo, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/api/status", headers=auth, timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            assert lab.poll() is None, (tmp_path / "lab.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "JupyterLab did not answer"
            time.sleep(0.5)
        # the formgrader works on autograder/ ...
        page = requests.get(f"{base}/formgrader/manage_assignments", headers=auth, timeout=60)
        assert page.status_code == 200 and "will not work correctly" not in page.text
        listed = requests.get(f"{base}/formgrader/api/assignments", headers=auth,
                              timeout=60).json()
        source = next(x["source_path"] for x in listed if x["name"] == a)
        # ... and its link to the instructor version opens (the marking notes)
        prefix = re.search(r'var url_prefix = "([^"]*)"', page.text).group(1)
        folder = posixpath.normpath(f"{prefix}/{source}")
        assert folder == f"assignments/source/{a}", (prefix, source)
        notes = requests.get(f"{base}/api/contents/{folder}/{a}.ipynb", headers=auth,
                             timeout=60)
        assert notes.status_code == 200, notes.text[:300]
        assert "BEGIN SOLUTION" in notes.text
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(timeout=10)
        log.close()


def _hub_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("### 2. JupyterHub on one server"):text.index("### 3. LMS only")]


def test_the_hub_guide_works_as_root_without_sudo_and_with_a_python_for_everyone():
    """A Debian server may have no sudo; root's own Python (pyenv under /root) no student runs."""
    hub = _hub_section()
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", hub, flags=re.S))
    assert "sudo" not in blocks
    assert "as root" in hub and "without `sudo`" in hub
    lines = [ln.strip() for ln in re.sub(r"\\\n\s*", " ", blocks).splitlines()]
    clone = next(ln.split()[-1] for ln in lines if ln.startswith("git clone "))
    assert clone == "/opt/migdata-src"
    assert "/usr/bin/python3 -m venv /opt/migdata" in lines  # not whatever python3 root has
    assert f'/opt/migdata/bin/pip install "migdata[course,hub] @ file://{clone}"' in lines
    assert f"cd {clone}" in lines  # the set-up script runs from the clone
    setup = next(ln for ln in lines if ln.endswith("bash autograder/hub/setup-hub.sh"))
    assert setup.startswith("INSTRUCTOR=") and "PYTHON=/opt/migdata/bin/python" in setup
    script = (ROOT / "autograder" / "hub" / "setup-hub.sh").read_text(encoding="utf-8")
    assert not re.search(r"^#\s+sudo ", script, flags=re.M)  # the example in its header too
    assert "/usr/bin/python3 -m venv" in script  # what its messages tell the sysadmin to run


def test_the_hub_guide_names_every_change_the_script_makes_to_the_machine():
    hub = _hub_section()
    changes = hub[hub.index("**What the script changes on the machine"):]
    script = (ROOT / "autograder" / "hub" / "setup-hub.sh").read_text(encoding="utf-8")
    code = "\n".join(ln for ln in script.splitlines() if not ln.lstrip().startswith("#"))
    # the folders it makes by default, and the system files it writes
    defaults = re.findall(r'^[A-Z_]+="\$\{[A-Z_]+:-(/(?:etc|srv|var|usr)/[^}]*)\}"', code,
                          flags=re.M)
    written = re.findall(r">>? *(/(?:etc|srv|var|usr)/[^ \n]*)", code)
    assert "/srv/nbgrader/exchange" in defaults and "/etc/login.defs" in defaults
    assert "/etc/systemd/system/jupyterhub.service" in written
    for path in {*defaults, *written}:
        assert path.rstrip("/") in changes, f"the guide does not say the script writes {path}"
    for said in ("HOME_MODE 0700", "/etc/login.defs.migdata-orig", "configurable-http-proxy",
                 "0700", "/opt/migdata-src"):
        assert said in changes, said
    # nbgrader's machine-wide configuration is left alone
    assert "/etc/jupyter/" not in code and "/etc/jupyter\"" not in code
    assert "writes nothing into `/etc/jupyter`" in changes
