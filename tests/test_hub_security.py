"""What the instructor and the students of a real JupyterHub can and cannot do (issue 19).

A hub on 127.0.0.1 set up by ``autograder/hub/setup-hub.sh`` and started with
``autograder/hub/jupyterhub_config.py`` (as ``tests/test_hub_e2e.py`` does, with fewer servers):

* the instructor's token gets 403 on a student's server and when it tries to make or delete a
  student's tokens, start or stop a student's server or delete a student; it may list the users;
* no student creates a folder in the exchange or in the course folder; hand-ins still work
  (``nbgrader fetch_assignment`` and ``nbgrader submit`` as a student);
* a hand-in folder made by hand in ``inbound/`` holding a symbolic link to the instructor's source
  notebook is not collected (``migdata-course collect`` names the student and says why);
* the hub's settings file listing the students is root's alone (0600), and so is its state.

It needs root (to create users and start the hub). Without root it is skipped; in CI
(``CI=true``) it must run, so there the reason is a failure. Everything it starts it stops.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubkit import (
    BIN,
    COURSE_ID,
    A,
    Hub,
    _cannot_run,
    _cleanup,
    _course_for_instructor,
    _kit_clone,
    _make_users,
    _open_path_to_kit,
    _setup_script,
    _start_hub,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600), pytest.mark.xdist_group("hub")]


def _token(hub: Hub, user: str) -> str:
    r = hub.api("POST", f"/hub/api/users/{user}/tokens", json={"expires_in": 3600,
                                                                "note": "migdata security test"})
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def _start_server(hub: Hub, user: str) -> None:
    r = hub.api("POST", f"/hub/api/users/{user}/server")
    assert r.status_code in (201, 202), r.text + hub.log.read_text()[-3000:]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if hub.api("GET", f"/hub/api/users/{user}").json()["servers"].get("", {}).get("ready"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{user}'s server not ready:\n" + hub.log.read_text()[-3000:])


def _link_handin(hub: Hub, student: str) -> None:
    """What a student can do by hand: a hand-in whose notebook links to the instructor's source."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = hub.exchange / COURSE_ID / "inbound" / f"{student}+{A}+{stamp}+link"
    source = hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb"
    script = (f"set -e; mkdir '{folder}'; ln -s '{source}' '{folder}/{A}.ipynb'; "
              f"printf '%s' '{stamp}' > '{folder}/timestamp.txt'")
    hub.run_as(student, "bash", "-c", script, check=True)


@pytest.fixture(scope="module")
def hub(repo_root):
    reason = _cannot_run()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the hub security test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="migdata-hubsec-", dir="/tmp"))
    base.chmod(0o755)
    h = Hub(base, secrets.token_hex(3))
    try:
        _make_users(h)
        _open_path_to_kit(h)
        clone = _kit_clone(h, repo_root)
        _course_for_instructor(h, clone)
        h.results["setup"] = _setup_script(h, clone)
        _start_hub(h, clone)
        a, b, _ = h.students
        for user in (h.instructor, a):
            h.tokens[user] = _token(h, user)
        _start_server(h, a)
        mc = [str(BIN / "migdata-course"), "--course-dir", str(h.course)]
        h.run_as(h.instructor, *mc, "generate", A, check=True)
        h.results["release"] = h.run_as(h.instructor, *mc, "release", A, check=True)
        nbg = [str(BIN / "nbgrader")]
        h.results["fetch"] = h.run_as(a, *nbg, "fetch_assignment", A, f"--course={COURSE_ID}",
                                      config="student-config")
        h.results["submit"] = h.run_as(a, *nbg, "submit", A, f"--course={COURSE_ID}",
                                       config="student-config")
        _link_handin(h, b)
        h.results["collect"] = h.run_as(h.instructor, *mc, "collect", A)
        yield h
    finally:
        _cleanup(h)


# --- roles: the instructor's token ---------------------------------------------------------------

def test_instructor_token_gets_403_on_a_students_server(hub):
    a = hub.students[0]
    mine = hub.api("GET", f"/user/{a}/api/contents", token=hub.tokens[a])
    assert mine.status_code == 200, mine.text[:300]  # the student's own token reaches it
    for path in ("api/contents", f"api/contents/{A}/{A}.ipynb", "api/kernels", "lab"):
        r = hub.api("GET", f"/user/{a}/{path}", token=hub.tokens[hub.instructor],
                    allow_redirects=False)
        assert r.status_code == 403, (path, r.status_code, r.text[:300])
    r = hub.api("POST", f"/user/{a}/api/kernels", token=hub.tokens[hub.instructor],
                json={"name": "python3"})
    assert r.status_code == 403, r.text[:300]


def test_instructor_cannot_act_for_or_delete_a_student(hub):
    a, b, _ = hub.students
    teacher = hub.tokens[hub.instructor]
    token_id = hub.api("GET", f"/hub/api/users/{a}/tokens").json()["api_tokens"][0]["id"]
    # JupyterHub answers 404 ("No access to resources or resources not found") when even
    # reading is not allowed, so that nobody learns what exists
    for method, path in (("GET", f"/hub/api/users/{a}/tokens"),
                         ("GET", f"/hub/api/users/{a}/tokens/{token_id}"),
                         ("DELETE", f"/hub/api/users/{a}/tokens/{token_id}")):
        hidden = hub.api(method, path, token=teacher)
        assert hidden.status_code == 404 and "No access" in hidden.text, (path, hidden.text)
    r = hub.api("POST", f"/hub/api/users/{a}/tokens", token=teacher, json={"expires_in": 60})
    assert r.status_code == 403, r.text[:200]  # no token made for a student
    refused = {
        "stop a student's server": ("DELETE", f"/hub/api/users/{a}/server", {}),
        "start a student's server": ("POST", f"/hub/api/users/{b}/server", {}),
        "delete a student": ("DELETE", f"/hub/api/users/{b}", {}),
        "make a student admin": ("PATCH", f"/hub/api/users/{b}", {"json": {"admin": True}}),
        "add a user": ("POST", "/hub/api/users/intruder", {}),
    }
    for what, (method, path, kwargs) in refused.items():
        r = hub.api(method, path, token=teacher, **kwargs)
        # 403, or 404 where the token may not even read what it would act on
        assert r.status_code == 403 or (r.status_code == 404 and "No access" in r.text), (
            what, r.status_code, r.text[:200])
    # a student's token: the same refusals
    r = hub.api("POST", f"/hub/api/users/{b}/tokens", token=hub.tokens[a], json={})
    assert r.status_code in (403, 404), r.text[:200]
    # nothing happened: b still exists, a's server still runs, a has only the test's token
    assert hub.api("GET", f"/hub/api/users/{b}").status_code == 200
    assert hub.api("GET", f"/hub/api/users/{a}").json()["servers"][""]["ready"]
    tokens = hub.api("GET", f"/hub/api/users/{a}/tokens").json()["api_tokens"]
    assert token_id in [t["id"] for t in tokens]  # not deleted
    assert [t["note"] for t in tokens].count("migdata security test") == 1  # none made
    # what the instructor needs: the class list, and not an admin
    r = hub.api("GET", "/hub/api/users", token=teacher)
    assert r.status_code == 200, r.text[:300]
    assert set(hub.users) <= {u["name"] for u in r.json()}
    me = hub.api("GET", "/hub/api/user", token=teacher).json()
    assert me["admin"] is False
    assert not {"admin:users", "admin:servers", "tokens", "access:servers"} & set(me["scopes"])
    assert "list:users" in me["scopes"]


# --- the exchange -------------------------------------------------------------------------------

def test_students_cannot_create_course_folders_but_can_hand_in(hub):
    a, _, c = hub.students
    root = hub.exchange
    course = root / COURSE_ID
    assert stat.S_IMODE(root.stat().st_mode) == 0o755 and root.stat().st_uid == 0
    assert stat.S_IMODE(course.stat().st_mode) == 0o755
    assert pwd.getpwuid(course.stat().st_uid).pw_name == hub.instructor
    assert stat.S_IMODE((course / "inbound").stat().st_mode) == 0o733
    for student in (a, c):
        for what, cmd in {
            "a new course": ["mkdir", str(root / "course-of-my-own")],
            "a file in the exchange": ["touch", str(root / "notes")],
            "a folder in the course": ["mkdir", str(course / "extra")],
            "a release": ["mkdir", str(course / "outbound" / "fake")],
            "list the hand-ins": ["ls", str(course / "inbound")],
            "list the feedback": ["ls", str(course / "feedback")],
        }.items():
            done = hub.run_as(student, *cmd)
            assert done.returncode != 0, f"{student} could make {what}"
    assert sorted(p.name for p in root.iterdir()) == [COURSE_ID]
    # nbgrader's own commands work as a student with this exchange
    assert hub.results["fetch"].returncode == 0, hub.results["fetch"].stderr
    assert hub.results["submit"].returncode == 0, hub.results["submit"].stderr
    assert (hub.course / "submitted" / a / A / f"{A}.ipynb").is_file()
    # nbgrader leaves a hand-in folder open to all (0777), its name ending in 12 random characters
    (handin,) = [p for p in (course / "inbound").iterdir() if p.name.startswith(f"{a}+")]
    assert stat.S_IMODE(handin.stat().st_mode) == 0o777
    assert len(handin.name.rsplit("+", 1)[1]) == 12
    # nbgrader left the modes alone when the instructor released
    assert stat.S_IMODE(root.stat().st_mode) == 0o755


def test_a_link_handed_in_by_hand_is_not_collected_and_the_student_is_named(hub):
    b = hub.students[1]
    collect = hub.results["collect"]
    assert collect.returncode == 1, collect.stdout + collect.stderr
    err = " ".join(collect.stderr.split())
    assert f"{b}: the hand-in received" in err
    assert f"is not collected and not graded: {A}.ipynb is a symbolic link" in err
    assert not (hub.course / "submitted" / b).exists()
    # the instructor's source (marking notes, model answers) is nowhere outside their home
    source = (hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in source
    for path in (hub.course / "submitted").rglob("*.ipynb"):
        assert "BEGIN HIDDEN TESTS" not in path.read_text(), path


# --- files listing the students ---------------------------------------------------------------

def test_files_listing_students_are_the_hubs_alone(hub):
    a = hub.students[0]
    env_file = hub.etc / "migdata-hub.env"
    st = env_file.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0
    assert a in env_file.read_text()  # it does list them
    assert stat.S_IMODE(hub.state.stat().st_mode) == 0o700
    assert (hub.state / "jupyterhub.sqlite").is_file()
    for what in (env_file, hub.state / "jupyterhub.sqlite"):
        done = hub.run_as(a, "cat", str(what))
        assert done.returncode != 0 and a not in done.stdout, what
    # the Jupyter configuration every user reads does not list them
    for path in hub.etc.rglob("*"):
        if path.is_file() and path != env_file:
            assert stat.S_IMODE(path.stat().st_mode) & 0o004
            assert a not in path.read_text(errors="replace"), path


def _run_setup(hub: Hub, **env: str) -> subprocess.CompletedProcess:
    """setup-hub.sh from the kit's clone with the hub's folders, and ``env`` on top."""
    _open_path_to_kit(hub)
    env = {**os.environ, "INSTRUCTOR": hub.instructor, "STUDENTS": ",".join(hub.students),
           "EXCHANGE": str(hub.exchange), "HUB_ETC": str(hub.etc), "HUB_STATE": str(hub.state),
           "PYTHON": str(BIN / "python"), "COURSE_DIR": str(hub.course), "SKIP_LOGIN_DEFS": "1",
           "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", **env}
    return subprocess.run(["bash", str(hub.clone / "autograder" / "hub" / "setup-hub.sh")],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_setup_refuses_an_instructor_group_shared_with_others(hub):
    group = pwd.getpwnam(hub.instructor).pw_gid
    intruder = f"{hub.instructor}x"
    subprocess.run(["useradd", "--no-create-home", "-g", str(group), intruder], check=True)
    try:
        done = _run_setup(hub, STUDENTS="")
    finally:
        subprocess.run(["userdel", intruder], capture_output=True, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"primary group {pwd.getpwnam(hub.instructor).pw_name}" in done.stderr
    assert intruder in done.stderr


def test_setup_warns_about_entries_left_in_the_exchange(hub):
    c = hub.students[2]
    left = hub.exchange / "course-made-by-a-student"
    left.mkdir()
    os.chown(left, pwd.getpwnam(c).pw_uid, -1)
    try:
        done = _setup_script(hub, hub.clone)
    finally:
        left.rmdir()
    assert f"warning: {left} in the exchange belongs to {c}, not to you: remove it" in done.stdout
    assert "added the exchange settings" not in done.stdout  # the course config has them once
    config = (hub.course / "nbgrader_config.py").read_text()
    assert config.count("# migdata setup-hub: the exchange") == 1
    assert "c.CourseDirectory.groupshared = True" in config


def _venv_of_the_kit(folder: Path, base_python: Path) -> Path:
    """A venv of the kit's packages whose base interpreter is ``base_python`` (as venv makes it)."""
    lib = folder / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    lib.mkdir(parents=True)
    (lib / "site-packages").symlink_to(sysconfig.get_path("purelib"))
    (folder / "bin").mkdir()
    (folder / "bin" / "python").symlink_to(base_python)
    (folder / "pyvenv.cfg").write_text(f"home = {base_python.parent}\n"
                                       "include-system-site-packages = false\n")
    return folder / "bin" / "python"


def test_setup_names_a_venvs_base_interpreter_that_students_cannot_run(hub):
    """A venv made from root's pyenv Python (under /root, 0700): the trial's case."""
    closed = hub.base / "root-only-python"
    closed.mkdir(mode=0o700)
    (closed / "python3").symlink_to(Path(sys.executable).resolve())
    python = _venv_of_the_kit(hub.base / "opt-migdata", closed / "python3")
    try:
        done = _run_setup(hub, PYTHON=str(python))
    finally:
        shutil.rmtree(closed)
        shutil.rmtree(hub.base / "opt-migdata")
    assert done.returncode == 2, done.stdout + done.stderr
    err = " ".join(done.stderr.split())
    assert f"{python} is a virtual environment made from the Python in {closed}" in err
    assert f"{closed} is closed to them" in err
    assert "/usr/bin/python3 -m venv" in err
    assert "0700 home" not in err  # not the message that blamed the home folders


def test_setup_refuses_a_kit_installed_inside_the_clone_it_closes(hub):
    python = _venv_of_the_kit(hub.clone / ".venv", Path(sys.executable).resolve())
    try:
        done = _run_setup(hub, PYTHON=str(python))
    finally:
        shutil.rmtree(hub.clone / ".venv")
    assert done.returncode == 2, done.stdout + done.stderr
    err = " ".join(done.stderr.split())
    assert f"lies inside the kit's clone {hub.clone}" in err
    assert "not editable" in err and "/usr/bin/python3 -m venv /opt/migdata" in err
    assert "exchange:" not in done.stdout  # refused before changing anything


def test_setup_states_its_change_to_login_defs_and_keeps_the_old_file(hub):
    login_defs = hub.base / "login.defs"
    original = "UMASK\t\t022\nHOME_MODE\t0755\n"
    login_defs.write_text(original)
    # the students' check of the kit's Python is the other tests' subject: not run here
    first = _run_setup(hub, LOGIN_DEFS=str(login_defs), SKIP_LOGIN_DEFS="0", STUDENTS="")
    second = _run_setup(hub, LOGIN_DEFS=str(login_defs), SKIP_LOGIN_DEFS="0", STUDENTS="")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert login_defs.read_text() == "UMASK\t\t022\nHOME_MODE\t0700\n"
    assert Path(f"{login_defs}.migdata-orig").read_text() == original
    said = " ".join(first.stdout.split())
    assert f"changed {login_defs}: HOME_MODE 0700 (was: HOME_MODE 0755)" in said
    assert f"{login_defs}.migdata-orig" in said
    assert "changed" not in second.stdout  # already so: nothing changed, nothing said


# --- safe to look at: the formgrader in a real browser -------------------------------------------

CHROMIUM = Path(os.environ.get("MIGDATA_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_page_runs_no_script_from_a_written_answer(repo_root, tmp_path):
    """A written answer with scripts, handlers and links, opened in the formgrader in Chromium."""
    import urllib.request

    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"no chromium at {CHROMIUM}: CI must run the real-browser test")
        pytest.skip(f"no chromium at {CHROMIUM}")
    playwright_api = pytest.importorskip("playwright.sync_api")
    from nbgrader.api import Gradebook

    from migdata.grading.cli import main
    from test_course_exchange import EVIL_MARKDOWN, ME, _course, _handin

    course = _course(repo_root, tmp_path)
    _handin(course, ME, {"d1_answer": EVIL_MARKDOWN}, claimed=datetime.now(UTC))
    assert main(["--course-dir", str(course), "collect", A]) == 0
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "1"]) == 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        submission = gb.find_submission_notebook(A, A, ME).id
    port, token = _free(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jconfig"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jruntime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "jdata")}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "server", "--allow-root",
         "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}"],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "the Jupyter server did not answer"
                time.sleep(0.5)
        dialogs: list[str] = []
        with playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            try:
                page = browser.new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                answer = page.goto(f"{base}/formgrader/submissions/{submission}/?token={token}",
                                   wait_until="load", timeout=120_000)
                assert answer is not None and answer.status == 200
                page.wait_for_timeout(3000)  # handlers of images and details would have fired
                title = page.title()
                own_scripts = page.evaluate("typeof window.jQuery")
                bad_links = page.evaluate(
                    "[...document.querySelectorAll('a[href]')].map(a => a.href)"
                    ".filter(h => !/^(https?|mailto):/i.test(h))")
                handlers = page.evaluate(
                    "[...document.querySelectorAll('.migdata-safe-markdown *')]"
                    ".flatMap(e => [...e.attributes].map(a => a.name))"
                    ".filter(n => n.startsWith('on') || n === 'style' || n === 'id')")
                text = page.inner_text("body")
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    assert own_scripts == "function"  # the formgrader's own scripts ran
    assert "pwned" not in title and not dialogs, (title, dialogs)
    assert not bad_links and not handlers, (bad_links, handlers)
    assert "<script>document.title='pwned-script'</script>" in text  # shown to the lecturer
