"""A real JupyterHub on 127.0.0.1: an instructor and three students, the whole nbgrader cycle.

The test set-up creates four Linux users (PAM passwords), runs ``autograder/hub/setup-hub.sh``
(exchange, home folders, the Jupyter configuration of students and instructor), and starts
JupyterHub with ``autograder/hub/jupyterhub_config.py`` (LocalProcessSpawner,
configurable-http-proxy from npm, the idle culler). Students fetch, edit, hand in and fetch
feedback through their own servers (nbgrader's server extension and the contents API, behind
the hub's proxy); the instructor's commands run as the instructor's Linux user (``runuser``), as
in a terminal on the hub. One student backdates a hand-in, another hands in under a classmate's
name; then every student tries to read what is not theirs.

It needs root (to create users and start the hub). Without root or ``useradd`` it is skipped; in
CI (``CI=true``) it must run, so there the reason is a failure.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import pwd
import re
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hubkit import (
    BIN,
    COURSE_ID,
    A,
    Hub,
    _answer,
    _assignment_action,
    _cannot_run,
    _cleanup,
    _course_for_instructor,
    _kit_clone,
    _make_users,
    _open_path_to_kit,
    _server,
    _set_duedate,
    _setup_script,
    _start_hub,
    _start_servers,
)

# one hub for the whole module: its tests stay on one xdist worker (make test: --dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600), pytest.mark.xdist_group("hub")]

AUTO_MAX = 14.0
PARTIAL = ["a1_answer", "b2a_answer", "b2b_answer", "b2c_answer"]  # 2 + 3 x 1 points


def _backdated_handin(hub: Hub, user: str) -> None:
    """What a student can do by hand: a hand-in folder with yesterday in its name and timestamp."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = hub.exchange / COURSE_ID / "inbound" / f"{user}+{A}+{yesterday}+forged"
    script = (f"set -e; mkdir '{folder}'; cp '{A}/{A}.ipynb' '{folder}/'; "
              f"printf '%s' '{yesterday}' > '{folder}/timestamp.txt'; "
              f"touch -d '1 day ago' '{folder}'/* '{folder}'")
    hub.run_as(user, "bash", "-c", script, check=True)


def _memory_of_user(user: str) -> dict[str, float]:
    """Proportional (PSS) and resident (RSS) memory of all of a user's processes, in MiB."""
    uid = pwd.getpwnam(user).pw_uid
    pss = rss = 0
    count = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if proc.stat().st_uid != uid:
                continue
            for line in (proc / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
            count += 1
        except (OSError, ValueError):
            continue
    return {"pss_mib": round(pss / 1024, 1), "rss_mib": round(rss / 1024, 1),
            "processes": count}


def _run_notebook_in_kernel(hub: Hub, user: str, notebook: Path) -> int:
    """Start a kernel on the student's server and run every code cell of a notebook in it."""
    import nbformat
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    r = _server(hub, user, "POST", "api/kernels", json={"name": "python3"})
    assert r.status_code == 201, r.text
    kernel = r.json()["id"]
    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells
             if c.cell_type == "code"]

    async def run() -> int:
        ws_url = f"ws://127.0.0.1:{hub.port}/user/{user}/api/kernels/{kernel}/channels"
        conn = await websocket_connect(HTTPRequest(
            ws_url, headers={"Authorization": f"token {hub.tokens[user]}"}))
        session = uuid.uuid4().hex
        done = 0
        for code in cells:
            msg_id = uuid.uuid4().hex
            await conn.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": session,
                           "msg_type": "execute_request", "version": "5.3",
                           "date": datetime.now(UTC).isoformat()},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": False}}))
            while True:
                raw = await asyncio.wait_for(conn.read_message(), timeout=120)
                msg = json.loads(raw)
                if (msg.get("channel") == "shell" and msg["msg_type"] == "execute_reply"
                        and msg["parent_header"].get("msg_id") == msg_id):
                    done += 1
                    break
        conn.close()
        return done

    return asyncio.run(run())


@pytest.fixture(scope="module")
def hub(repo_root):
    reason = _cannot_run()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the hub end-to-end test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="migdata-hub-", dir="/tmp"))
    base.chmod(0o755)
    h = Hub(base, secrets.token_hex(3))
    try:
        _make_users(h)
        _open_path_to_kit(h)
        clone = _kit_clone(h, repo_root)
        _course_for_instructor(h, clone)
        _setup_script(h, clone)
        h.results["setup"] = _setup_script(h, clone)  # running it again changes nothing
        _start_hub(h, clone)
        started = time.monotonic()
        _cycle(h)
        h.results["cycle_seconds"] = round(time.monotonic() - started, 1)
        yield h
    finally:
        _cleanup(h)


def _cycle(hub: Hub) -> None:
    """The course, as its four users do it."""
    a, b, c = hub.students
    phases = hub.results["phases"] = {}
    mark = [time.monotonic()]

    def phase(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    _start_servers(hub)
    phase("servers")
    r = hub.api("GET", "/hub/api/services")
    hub.results["services"] = r.json() if r.status_code == 200 else {}
    # the instructor makes and releases the student version (a terminal on the hub)
    mc = [str(BIN / "migdata-course"), "--course-dir", str(hub.course)]
    hub.run_as(hub.instructor, *mc, "generate", A, check=True)
    hub.results["release"] = hub.run_as(hub.instructor, *mc, "release", A, check=True)
    phase("generate+release")
    # students: fetch, answer, hand in, through their servers
    for student in hub.students:
        _assignment_action(hub, student, "fetch")
    _answer(hub, a, None)  # the model answer
    _answer(hub, b, PARTIAL)
    hub.results["submit_a"] = _assignment_action(hub, a, "submit")
    hub.results["submit_c"] = _assignment_action(hub, c, "submit")  # untouched
    # the deadline passes; b hands in late and backdates it, c hands in again as a
    time.sleep(1.1)
    due = datetime.now(UTC)
    _set_duedate(hub, due)
    hub.results["due"] = due
    time.sleep(1.1)
    _backdated_handin(hub, b)
    hub.results["impostor"] = hub.run_as(
        c, str(BIN / "nbgrader"), "submit", A, f"--course={COURSE_ID}", f"--student={a}",
        config="student-config")
    phase("fetch+answer+submit")
    # the instructor collects, autogrades, and releases feedback
    hub.results["collect"] = hub.run_as(hub.instructor, *mc, "collect", A)
    phase("collect")
    hub.results["autograde"] = hub.run_as(hub.instructor, *mc, "autograde", A, "--quiet",
                                          "--workers", "2", check=True)
    phase("autograde")
    hub.results["feedback"] = hub.run_as(hub.instructor, *mc, "feedback", A, "--release")
    for student in hub.students:
        _assignment_action(hub, student, "fetch_feedback")
    phase("feedback+fetch")
    # an active student: the whole unit run in a kernel on their server
    hub.results["cells_run"] = _run_notebook_in_kernel(
        hub, a, hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb")
    hub.results["memory_active"] = _memory_of_user(a)
    phase("kernel runs the unit")
    hub.results["memory_idle"] = _memory_of_user(c)
    if os.environ.get("MIGDATA_HUB_MEMORY_JSON"):  # the sizing measurement, for the guide
        Path(os.environ["MIGDATA_HUB_MEMORY_JSON"]).write_text(json.dumps({
            "active_student": hub.results["memory_active"],
            "student_server_only": hub.results["memory_idle"],
            "instructor": _memory_of_user(hub.instructor)}, indent=1))


def test_setup_script_makes_a_safe_exchange_and_private_homes(hub):
    exchange = hub.exchange.stat()
    assert oct(exchange.st_mode & 0o7777) == "0o755"  # root's: no student makes a course folder
    course = hub.exchange / COURSE_ID
    assert pwd.getpwuid(course.stat().st_uid).pw_name == hub.instructor
    assert oct(course.stat().st_mode & 0o777) == "0o755"
    assert oct((course / "inbound").stat().st_mode & 0o777) == "0o733"
    for user in hub.users:
        assert oct(hub.home(user).stat().st_mode & 0o777) == "0o700", user
    assert "released to the exchange " + str(hub.exchange) in hub.results["release"].stdout
    setup = hub.results["setup"].stdout
    assert f"kit: {sys.executable} runs for every student" in setup
    assert f"course folder: {hub.course} owned by {hub.instructor}" in setup
    assert "allow_all is off" in setup and "not enforced" in setup
    for path in (hub.course, hub.course / "nbgrader_config.py",
                 hub.course.parent / "assignments" / "source" / A):
        assert pwd.getpwuid(path.stat().st_uid).pw_name == hub.instructor, path
    # nothing machine-wide for nbgrader: the servers' settings are in the hub's folder (ETC_JUPYTER
    # was where the script used to write /etc/jupyter/nbgrader_config.py)
    assert not (hub.base / "etc-jupyter").exists()
    assert "/etc/jupyter" not in setup


def test_no_student_reads_the_model_answers_anywhere_the_set_up_made(hub):
    """The kit's clone, the exchange, the hub's folders, every home: no model answer."""
    places = [str(hub.base), *(str(hub.home(user)) for user in hub.users)]
    found = subprocess.run(["grep", "-rlF", "BEGIN SOLUTION", *places], capture_output=True,
                           text=True, check=False).stdout.split()
    # they are there: in the kit's clone and in the instructor's course folder
    assert str(hub.clone / "assignments" / "source" / A / f"{A}.ipynb") in found
    assert any(path.startswith(str(hub.home(hub.instructor))) for path in found)
    assert oct(hub.clone.stat().st_mode & 0o777) == "0o700" and hub.clone.stat().st_uid == 0
    assert f"kit's clone: {hub.clone} closed" in hub.results["setup"].stdout
    for student in hub.students:
        # not their own home: this test ran the instructor version in a's kernel (the memory
        # measurement), so a's IPython history holds it
        others = [p for p in places if p != str(hub.home(student))]
        done = hub.run_as(student, "grep", "-rlsF", "BEGIN SOLUTION", *others)
        assert done.stdout.split() == [], (student, done.stdout)
        assert hub.run_as(student, "ls", str(hub.clone)).returncode != 0, student


def test_instructor_opens_the_marking_notes_from_the_formgrader(hub):
    """The formgrader's link to an assignment's source opens in the instructor's JupyterLab."""
    page = _server(hub, hub.instructor, "GET", "formgrader/manage_assignments")
    assert page.status_code == 200, page.text[:300]
    # JupyterLab's Formgrader panel is a frame of the instructor's own server (JupyterHub's
    # default, frame-ancestors 'none', left it blank); students' servers keep the default
    assert "frame-ancestors 'self'" in page.headers.get("Content-Security-Policy", "")
    student_page = _server(hub, hub.students[0], "GET", "lab")
    assert "frame-ancestors 'none'" in student_page.headers.get("Content-Security-Policy", "")
    assert "nbgrader will not work correctly" not in page.text
    prefix = re.search(r'var url_prefix = "([^"]*)"', page.text).group(1)
    listed = _server(hub, hub.instructor, "GET", "formgrader/api/assignments").json()
    source = next(x["source_path"] for x in listed if x["name"] == A)
    folder = os.path.normpath(f"{prefix}/{source}")  # the link, as the browser resolves it
    assert folder == f"assignments/source/{A}", (prefix, source)
    r = _server(hub, hub.instructor, "GET", f"api/contents/{folder}/{A}.ipynb",
                params={"content": 1})
    assert r.status_code == 200, r.text[:300]
    text = json.dumps(r.json()["content"])
    assert "BEGIN SOLUTION" in text  # the instructor version: model answers and marking notes
    # the course's own settings reach the formgrader (sources in ../assignments/source)
    assert _server(hub, hub.instructor, "GET", "api/contents/autograder/nbgrader_config.py"
                   ).status_code == 200


def test_pam_login_with_the_linux_password(hub):
    import requests

    session = requests.Session()
    session.get(hub.url + "/hub/login", timeout=30)
    xsrf = session.cookies.get("_xsrf", "")
    student = hub.students[0]
    bad = session.post(hub.url + "/hub/login", data={"username": student, "password": "wrong",
                                                     "_xsrf": xsrf},
                       allow_redirects=False, timeout=30)
    assert bad.status_code == 403
    good = session.post(hub.url + "/hub/login", data={"username": student,
                                                      "password": hub.password, "_xsrf": xsrf},
                        allow_redirects=False, timeout=30)
    assert good.status_code == 302, good.text[:300]
    outsider = session.post(hub.url + "/hub/login", data={"username": "root",
                                                          "password": "x", "_xsrf": xsrf},
                            allow_redirects=False, timeout=30)
    assert outsider.status_code == 403


def test_instructor_tools_only_for_the_instructor(hub):
    # the formgrader runs on the course folder: it lists the released assignment
    r = _server(hub, hub.instructor, "GET", "formgrader/api/assignments")
    assert r.status_code == 200, r.text[:300]
    assert A in [x["name"] for x in r.json()]
    for student in hub.students:
        assert _server(hub, student, "GET", "formgrader/api/assignments").status_code == 404
        lab = _server(hub, student, "GET", "lab").text
        page = json.loads(html.unescape(re.search(
            r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab, re.DOTALL).group(1)))
        disabled = page.get("disabledExtensions", [])
        assert "@jupyter/nbgrader:formgrader" in disabled
        assert "@jupyter/nbgrader:create-assignment" in disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
    lab = _server(hub, hub.instructor, "GET", "lab").text
    assert "@jupyter/nbgrader:formgrader" not in re.search(
        r'"disabledExtensions":\s*(\[[^\]]*\])', html.unescape(lab)).group(1)


def test_idle_culler_runs_as_a_hub_service(hub):
    services = hub.results["services"]
    assert "idle-culler" in services
    pid = services["idle-culler"].get("pid")
    assert pid and Path(f"/proc/{pid}").exists()


def test_collect_reports_impostor_and_uses_the_exchange_time(hub):
    a, b, c = hub.students
    collect = hub.results["collect"]
    assert collect.returncode == 1, collect.stderr
    assert f"handed in under {a}'s name by the user {c}" in collect.stderr
    assert f"{b}: timestamp.txt says" in collect.stderr and "late by" in collect.stderr
    submitted = hub.course / "submitted"
    # a's own model answer was collected, not c's hand-in under a's name
    nb = json.loads((submitted / a / A / f"{A}.ipynb").read_text())
    assert "migdata_synthetic" not in nb["metadata"]
    assert any("NotImplementedError" not in "".join(cell["source"]) for cell in nb["cells"]
               if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "a1_answer")
    from nbgrader.utils import parse_utc

    stamp = parse_utc((submitted / b / A / "timestamp.txt").read_text()).replace(tzinfo=UTC)
    assert stamp > hub.results["due"]  # the backdated claim (yesterday) was not believed


def test_autograde_and_feedback_without_hidden_tests(hub):
    from migdata.grading.autograde import read_ledger

    a, b, c = hub.students
    ledger = read_ledger(hub.course, A)
    assert (ledger[a].status, ledger[a].score) == ("graded", AUTO_MAX)
    assert (ledger[b].status, ledger[b].score) == ("graded", 5.0)
    assert (ledger[c].status, ledger[c].score) == ("graded", 0.0)
    feedback = hub.results["feedback"]
    # b's hand-in was forged by hand and lacks nbgrader's submission secret: b's feedback cannot
    # be released; that is reported, and the others are released all the same
    assert feedback.returncode == 1, feedback.stderr
    assert "released through the exchange for 2 student(s)" in feedback.stdout
    assert f"feedback of {b} not released: no submission_secret.txt" in " ".join(
        feedback.stderr.split())
    assert not list((hub.home(b) / A).glob("feedback/*/*.html"))
    assert "written answers not marked yet" in feedback.stderr
    source = (hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb").read_text()
    cells = json.loads(source)["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells)
    hidden = []
    for region in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", text, re.DOTALL):
        hidden += [ln.strip() for ln in region.splitlines() if len(ln.strip()) > 8]
    assert hidden
    for student in (a, c):
        pages = list((hub.home(student) / A / "feedback").glob(f"*/{A}.html"))
        assert len(pages) == 1, student
        text = html.unescape(re.sub(r"<[^>]+>", "", pages[0].read_text()))
        leaked = [line for line in hidden if line in text]
        assert not leaked, (student, leaked[:3])
        assert "hidden checks are not shown" in text
    page = next((hub.home(a) / A / "feedback").glob(f"*/{A}.html")).read_text()
    assert f"Score: {AUTO_MAX}" in " ".join(page.split())


def test_no_student_reads_another_students_or_the_instructors_files(hub):
    a, b, c = hub.students
    course_exchange = hub.exchange / COURSE_ID
    forbidden = {
        "instructor's source": ["cat", str(hub.course.parent / "assignments" / "source" / A /
                                           f"{A}.ipynb")],
        "gradebook": ["cat", str(hub.course / "gradebook.db")],
        "instructor's home": ["ls", str(hub.home(hub.instructor))],
        "another home": ["ls", str(hub.home(b))],
        "another's notebook": ["cat", str(hub.home(b) / A / f"{A}.ipynb")],
        "another's secret": ["bash", "-c", f"cat {hub.home(b)}/.local/share/jupyter/"
                                           "nbgrader_cache/*/*/submission_secret.txt"],
        "list hand-ins": ["ls", str(course_exchange / "inbound")],
        "list feedback": ["ls", str(course_exchange / "feedback")],
        "rename the course": ["mv", str(course_exchange), str(hub.exchange / "stolen")],
        "replace a release": ["touch", str(course_exchange / "outbound" / A / "x.ipynb")],
        "delete a release": ["rm", "-rf", str(course_exchange / "outbound" / A)],
    }
    for student in (a, c):
        for what, cmd in forbidden.items():
            done = hub.run_as(student, *cmd)
            assert done.returncode != 0, f"{student} could: {what}"
    assert (course_exchange / "outbound" / A / f"{A}.ipynb").is_file()
    # and what they must be able to do still works: a's own feedback is there
    assert hub.run_as(a, "ls", str(hub.home(a) / A / "feedback")).returncode == 0


def test_memory_per_active_student_is_measured(hub):
    assert hub.results["cells_run"] > 5
    active = hub.results["memory_active"]
    idle = hub.results["memory_idle"]
    print(f"\nmemory of one active student (server + kernel that ran {A}): {active}; "
          f"a student with only the server: {idle}; cycle {hub.results['cycle_seconds']} s: "
          f"{hub.results['phases']}")
    assert active["processes"] >= 2
    assert idle["pss_mib"] < active["pss_mib"] < 1500
