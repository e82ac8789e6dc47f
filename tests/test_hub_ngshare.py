"""Many servers on one machine with ngshare as the exchange: no shared folder (issue 22).

A real JupyterHub on 127.0.0.1 (``autograder/hub/jupyterhub_config.py``, loaded by a small
configuration that adds ngshare as a hub-managed service), an instructor and two students as
Linux users, each on their own single-user server. Every user's nbgrader talks to ngshare through
``ngshare_exchange`` (as ``autograder/k8s/config.yaml`` sets it up on Kubernetes; the course's own
``nbgrader_config.py`` ends with ``autograder/k8s/nbgrader_ngshare.py``, as in the image). The
folder exchange that ``setup-hub.sh`` made is removed before anything starts, and must still be
absent at the end. ngshare runs in its own environment (``build/ngshare-venv``, made by ``make
test``: ngshare 0.6.0 needs SQLAlchemy 1.4), as a Linux user of its own.

* The instructor (an ngshare admin) creates the course with ``ngshare-course-management`` and
  runs ``migdata-course`` generate, release, collect, autograde (sandboxed) and feedback
  ``--release``, each with the environment of a terminal on the instructor's server (the
  server's own hub token, read from its process).
* The students fetch, answer, submit and fetch feedback through their own servers (nbgrader's
  server extension behind the hub's proxy). One answers everything, one partly and late, with a
  ``timestamp.txt`` of yesterday in the hand-in.
* Then the late student tries, through ngshare, to hand in under the other's name and to list,
  download or fetch what is the other's.

It needs root (to create users and start the hub), ``ngshare`` and ``ngshare_exchange`` (``make
test`` installs them). Without them it is skipped; in CI (``CI=true``) it must run, so there
the reason is a failure.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import pwd
import re
import secrets
import subprocess
import tempfile
import time
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
    _free_port,
    _kit_clone,
    _make_users,
    _open_path_to_kit,
    _server,
    _set_duedate,
    _setup_script,
    _start_hub,
    _start_servers,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600), pytest.mark.xdist_group("hub")]

AUTO_MAX = 14.0
PARTIAL = ["a1_answer", "b2a_answer", "b2b_answer", "b2c_answer"]  # 2 + 3 x 1 points
PARTIAL_SCORE = 5.0

# ngshare 0.6.0 listens on every interface; the test binds it to 127.0.0.1 only
LAUNCH_NGSHARE = (
    "import sys\n"
    "from tornado.httpserver import HTTPServer\n"
    "_listen = HTTPServer.listen\n"
    "HTTPServer.listen = lambda self, port, address='', **kw: _listen(self, port, '127.0.0.1', "
    "**kw)\n"
    "from ngshare.ngshare import main\n"
    "main(sys.argv[1:])\n"
)


def _ngshare_python() -> Path:
    """ngshare's own environment (``make test`` builds it: ngshare 0.6.0 needs SQLAlchemy 1.4)."""
    default = Path(__file__).resolve().parents[1] / "build" / "ngshare-venv" / "bin" / "python"
    return Path(os.environ.get("MIGDATA_NGSHARE_PYTHON", default))


def _cannot_run_ngshare() -> str | None:
    reason = _cannot_run()
    if reason:
        return reason
    ngshare = _ngshare_python()
    if not ngshare.exists() or subprocess.run([str(ngshare), "-c", "import ngshare.ngshare"],
                                              capture_output=True, check=False).returncode:
        return f"needs ngshare in {ngshare} (make test builds it)"
    if importlib.util.find_spec("ngshare_exchange") is None:
        return "needs ngshare_exchange (make test installs ngshare-exchange with --no-deps)"
    if not (BIN / "ngshare-course-management").exists():
        return "needs ngshare-course-management (ngshare-exchange's command)"
    return None


def _use_ngshare(hub: Hub, repo_root: Path) -> None:
    """Every user's nbgrader talks to ngshare; the folder exchange of setup-hub.sh is removed."""
    hub.ngshare = f"{hub.url}/services/ngshare"  # through the hub's proxy, as users reach it
    lines = ("from ngshare_exchange import configureExchange\n"
             f"configureExchange(c, {hub.ngshare!r})\n")

    def rewrite(path: Path, tail: str = lines) -> None:
        kept = [ln for ln in path.read_text(encoding="utf-8").splitlines()
                if "Exchange.root" not in ln and "groupshared" not in ln
                and "migdata setup-hub: the exchange" not in ln]
        path.write_text("\n".join(kept) + "\n" + tail, encoding="utf-8")

    (hub.etc / "student-config" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n" + lines,
        encoding="utf-8")
    rewrite(hub.etc / "instructor-config" / "nbgrader_config.py")
    # the course's own file gets the lines the Kubernetes image adds (autograder/k8s/Dockerfile)
    rewrite(hub.course / "nbgrader_config.py",  # in place: it stays the instructor's
            tail=(repo_root / "autograder" / "k8s" / "nbgrader_ngshare.py").read_text())
    subprocess.run(["rm", "-rf", str(hub.exchange), str(hub.base / "etc-jupyter")], check=True)


def _hub_config(hub: Hub, repo_root: Path) -> Path:
    """The course's hub configuration, plus ngshare as a service the hub starts and proxies."""
    store = hub.base / "ngshare"
    store.mkdir(mode=0o700)
    subprocess.run(["chown", f"{hub.service_users[0]}:", str(store)], check=True)
    hub.ngshare_port = _free_port()
    command = [str(_ngshare_python()), "-c", LAUNCH_NGSHARE, "--admins", hub.instructor,
               "--database", f"sqlite:///{store}/ngshare.db", "--storage", f"{store}/files"]
    config = hub.base / "jupyterhub_ngshare_config.py"
    config.write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(repo_root / 'autograder' / 'hub' / 'jupyterhub_config.py')!r})"
        "  # noqa: F821\n"
        "c.JupyterHub.services.append({\n"
        "    'name': 'ngshare',\n"
        f"    'url': 'http://127.0.0.1:{hub.ngshare_port}',\n"
        f"    'command': {command!r},\n"
        f"    'user': {hub.service_users[0]!r},\n"
        f"    'cwd': {str(store)!r},\n"
        "})\n", encoding="utf-8")
    return config


def _server_env(hub: Hub, user: str) -> dict[str, str]:
    """What a terminal on the user's server has: the server's own hub token and user name."""
    uid = pwd.getpwnam(user).pw_uid
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or proc.stat().st_uid != uid:
                continue
            if b"jupyterhub-singleuser" not in (proc / "cmdline").read_bytes():
                continue
            env = dict(item.split(b"=", 1) for item in
                       (proc / "environ").read_bytes().split(b"\0") if b"=" in item)
        except OSError:
            continue
        if b"JUPYTERHUB_API_TOKEN" in env:
            return {key: env[key.encode()].decode() for key in
                    ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER", "JUPYTERHUB_API_URL")}
    raise AssertionError(f"no server process of {user} with a hub token")


def _ngshare(hub: Hub, user: str, method: str, path: str, **kwargs):
    """A request to ngshare (through the hub's proxy) with the user's server token."""
    import requests

    token = hub.server_env[user]["JUPYTERHUB_API_TOKEN"]
    return requests.request(method, hub.ngshare + path, timeout=60,
                            headers={"Authorization": f"token {token}"}, **kwargs)


def _contents(hub: Hub, user: str, path: str) -> dict:
    r = _server(hub, user, "GET", f"api/contents/{path}", params={"content": 1})
    assert r.status_code == 200, (user, path, r.status_code, r.text[:300])
    return r.json()


@pytest.fixture(scope="module")
def hub(repo_root):
    reason = _cannot_run_ngshare()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the ngshare hub test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="migdata-ngshare-", dir="/tmp"))
    base.chmod(0o755)
    h = Hub(base, secrets.token_hex(3), students="ab")
    h.service_users = [h.instructor[:-1] + "n"]
    try:
        _make_users(h)
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        h.service_users[0]], check=True)
        _open_path_to_kit(h)
        clone = _kit_clone(h, repo_root)  # setup-hub.sh closes the clone it runs from
        _course_for_instructor(h, clone, folder_exchange=False)
        _setup_script(h, clone)
        _use_ngshare(h, repo_root)
        _start_hub(h, clone, config=_hub_config(h, clone))
        started = time.monotonic()
        try:
            _cycle(h)
        except Exception as exc:  # say what each step answered, and what the hub logged
            said = {k: (v.stdout[-1500:] + v.stderr[-1500:]
                        if isinstance(v, subprocess.CompletedProcess) else v)
                    for k, v in h.results.items()}
            raise AssertionError(f"{exc}\n{said}\n--- hub log ---\n"
                                 + h.log.read_text()[-6000:]) from exc
        h.results["cycle_seconds"] = round(time.monotonic() - started, 1)
        yield h
    finally:
        _cleanup(h)


def _cycle(hub: Hub) -> None:
    a, b = hub.students
    phases = hub.results["phases"] = {}
    mark = [time.monotonic()]

    def phase(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    _start_servers(hub)
    hub.server_env = {user: _server_env(hub, user) for user in hub.users}
    r = hub.api("GET", "/hub/api/services")
    hub.results["services"] = r.json() if r.status_code == 200 else {}
    phase("servers")
    # the instructor, in a terminal on their server: the course in ngshare, then the assignment
    term = {"extra": {**hub.server_env[hub.instructor], "MIGDATA_NGSHARE_URL": hub.ngshare},
            "config": "instructor-config"}
    csv = hub.home(hub.instructor) / "students.csv"
    hub.run_as(hub.instructor, "bash", "-c",
               f"printf 'student_id,first_name,last_name,email\\n{a},A,Student,\\n"
               f"{b},B,Student,\\n' > {csv}", check=True)
    mc = [str(BIN / "migdata-course"), "--course-dir", str(hub.course)]
    in_course = f"cd {hub.course} && "
    hub.results["create_course"] = hub.run_as(
        hub.instructor, "bash", "-c", in_course + f"ngshare-course-management create_course "
        f"{COURSE_ID} {hub.instructor} && ngshare-course-management add_students {COURSE_ID} "
        f"{csv}", **term)
    hub.run_as(hub.instructor, *mc, "generate", A, check=True, **term)
    hub.results["release"] = hub.run_as(hub.instructor, *mc, "release", A, **term)
    phase("course+generate+release")
    # students: fetch and answer through their servers; a hands in on time
    for student in hub.students:
        hub.results[f"fetch_{student}"] = _assignment_action(hub, student, "fetch")
    _answer(hub, a, None)  # the model answer
    _answer(hub, b, PARTIAL)
    hub.results["submit_a"] = _assignment_action(hub, a, "submit")
    time.sleep(1.1)
    due = datetime.now(UTC)
    _set_duedate(hub, due)
    hub.results["due"] = due
    time.sleep(1.1)
    # b, late: first tries ngshare's API by hand, sending its untouched copy as a's
    untouched = _contents(hub, b, f"{A}/{A}.ipynb")["content"]
    files = [{"path": f"{A}.ipynb", "content": base64.b64encode(json.dumps(untouched).encode())
              .decode()}]
    hub.results["forged"] = _ngshare(hub, b, "POST", f"/submission/{COURSE_ID}/{A}",
                                     data={"user": a, "files": json.dumps(files)})
    # ... and nbgrader's own way, as a terminal on b's server would
    hub.results["impostor"] = hub.run_as(
        b, str(BIN / "nbgrader"), "submit", A, f"--course={COURSE_ID}", f"--student={a}",
        config="student-config", extra=hub.server_env[b])
    # then hands in the partial answers with a timestamp.txt of yesterday in the folder
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    r = _server(hub, b, "PUT", f"api/contents/{A}/timestamp.txt",
                json={"type": "file", "format": "text", "content": yesterday})
    assert r.status_code in (200, 201), r.text[:300]
    hub.results["yesterday"] = yesterday
    hub.results["submit_b"] = _assignment_action(hub, b, "submit")
    phase("fetch+answer+submit")
    hub.results["listing"] = _ngshare(hub, hub.instructor, "GET",
                                      f"/submissions/{COURSE_ID}/{A}").json()
    hub.results["b_sent"] = _ngshare(hub, hub.instructor, "GET", f"/submission/{COURSE_ID}/{A}/{b}",
                                     params={"list_only": "true"}).json()
    hub.results["collect"] = hub.run_as(hub.instructor, *mc, "collect", A, **term)
    phase("collect")
    hub.results["autograde"] = hub.run_as(hub.instructor, *mc, "autograde", A, "--quiet",
                                          "--workers", "2", check=True, **term)
    phase("autograde")
    hub.results["feedback"] = hub.run_as(hub.instructor, *mc, "feedback", A, "--release", **term)
    for student in hub.students:
        hub.results[f"fetch_feedback_{student}"] = _assignment_action(hub, student,
                                                                      "fetch_feedback")
    phase("feedback+fetch")


def _pages(hub: Hub, student: str) -> dict[str, str]:
    """The feedback pages a student fetched: {path: html}."""
    pages = {}
    for stamp in _contents(hub, student, f"{A}/feedback")["content"]:
        for item in _contents(hub, student, stamp["path"])["content"]:
            if item["name"].endswith(".html"):
                pages[item["path"]] = _contents(hub, student, item["path"])["content"]
    return pages


def test_ngshare_runs_as_a_hub_service_and_the_course_is_made_in_it(hub):
    service = hub.results["services"].get("ngshare", {})
    assert service.get("pid") and Path(f"/proc/{service['pid']}").exists(), service
    assert pwd.getpwuid(Path(f"/proc/{service['pid']}").stat().st_uid).pw_name == \
        hub.service_users[0]
    made = hub.results["create_course"]
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"Successfully created {COURSE_ID}" in made.stdout
    a, b = hub.students
    assert f"{a} was successfully added" in made.stdout and f"{b} was successfully added" in \
        made.stdout
    courses = _ngshare(hub, a, "GET", "/courses").json()
    assert courses == {"success": True, "courses": [COURSE_ID]}


def test_release_goes_to_ngshare_and_no_exchange_folder_is_used(hub):
    release = hub.results["release"]
    assert release.returncode == 0, release.stdout + release.stderr
    assert f"{A} released to ngshare at {hub.ngshare}" in release.stdout
    listed = _ngshare(hub, hub.students[0], "GET", f"/assignments/{COURSE_ID}").json()
    assert listed["assignments"] == [A]
    for student in hub.students:  # fetched through their own servers
        names = {x["name"] for x in _contents(hub, student, A)["content"]}
        assert f"{A}.ipynb" in names, (student, names)
    assert not hub.exchange.exists()
    assert not (Path("/usr/local/share/nbgrader/exchange") / COURSE_ID).exists()


def test_submissions_are_filed_under_the_sender_whatever_they_claim(hub):
    a, b = hub.students
    assert hub.results["submit_a"]["success"] and hub.results["submit_b"]["success"]
    forged = hub.results["forged"]
    assert forged.status_code == 200 and forged.json()["success"]  # accepted, but as b's
    impostor = hub.results["impostor"]
    assert impostor.returncode != 0
    assert "explicit student ID is not possible with ngshare" in impostor.stdout + \
        impostor.stderr
    by_student: dict[str, int] = {}
    for item in hub.results["listing"]["submissions"]:
        by_student[item["student_id"]] = by_student.get(item["student_id"], 0) + 1
    assert by_student == {a: 1, b: 2}


def test_collect_uses_ngshares_times_and_reports_late_work(hub):
    a, b = hub.students
    collect = hub.results["collect"]
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert "2 student(s) handed in; 2 new or newer submission(s) collected" in collect.stdout
    assert re.search(rf"{b}: late by \d[^(]* \(exchange time\)", collect.stderr), collect.stderr
    assert f"{a}:" not in collect.stderr
    from nbgrader.utils import parse_utc

    newest = {}
    for item in hub.results["listing"]["submissions"]:
        stamp = parse_utc(item["timestamp"]).replace(tzinfo=UTC)
        newest[item["student_id"]] = max(newest.get(item["student_id"], stamp), stamp)
    for student in hub.students:
        text = (hub.course / "submitted" / student / A / "timestamp.txt").read_text()
        assert parse_utc(text).replace(tzinfo=UTC) == newest[student], student
    assert newest[a] < hub.results["due"] < newest[b]
    # b's own timestamp.txt (yesterday) went to ngshare, and was not believed
    assert "timestamp.txt" in {f["path"] for f in hub.results["b_sent"]["files"]}
    assert hub.results["yesterday"] not in (hub.course / "submitted" / b / A /
                                            "timestamp.txt").read_text()
    # a's collected notebook is a's model answer, not b's untouched copy sent under a's name
    from migdata.simulate.submissions import solution_sources

    model = solution_sources(hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb")
    nb = json.loads((hub.course / "submitted" / a / A / f"{A}.ipynb").read_text())
    answered = ["".join(c["source"]) for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "a1_answer"]
    assert answered == [model["a1_answer"]]


def test_grades_are_right(hub):
    from migdata.grading.autograde import read_ledger

    a, b = hub.students
    ledger = read_ledger(hub.course, A)
    assert (ledger[a].status, ledger[a].score) == ("graded", AUTO_MAX)
    assert (ledger[b].status, ledger[b].score) == ("graded", PARTIAL_SCORE)
    # the times collect wrote from ngshare are ones the kit vouches for (its time record)
    assert [ledger[s].time_check for s in (a, b)] == ["checked", "checked"]


def test_each_student_fetches_only_their_own_feedback(hub):
    a, b = hub.students
    feedback = hub.results["feedback"]
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    assert "feedback released through the exchange for 2 student(s)" in feedback.stdout
    for student, score in ((a, AUTO_MAX), (b, PARTIAL_SCORE)):
        pages = _pages(hub, student)
        assert len(pages) == 1, (student, sorted(pages))
        page = next(iter(pages.values()))
        mine = (hub.course / "feedback" / student / A / f"{A}.html").read_text()
        assert page == mine, student
        assert f"Score: {score}" in " ".join(page.split()), student
        assert "hidden checks are not shown" in page
    assert _pages(hub, a) != _pages(hub, b)


def test_a_student_reaches_nothing_of_another_through_ngshare(hub):
    a, b = hub.students
    stamp = (hub.course / "submitted" / a / A / "timestamp.txt").read_text()
    attempts = {
        "list every hand-in": ("GET", f"/submissions/{COURSE_ID}/{A}", {}),
        "list a's hand-ins": ("GET", f"/submissions/{COURSE_ID}/{A}/{a}", {}),
        "download a's hand-in": ("GET", f"/submission/{COURSE_ID}/{A}/{a}", {}),
        "fetch a's feedback": ("GET", f"/feedback/{COURSE_ID}/{A}/{a}",
                               {"params": {"timestamp": stamp}}),
        "replace a's feedback": ("POST", f"/feedback/{COURSE_ID}/{A}/{a}",
                                 {"data": {"timestamp": stamp, "files": "[]"}}),
        "release an assignment": ("POST", f"/assignment/{COURSE_ID}/x",
                                  {"data": {"files": "[]"}}),
        "delete the assignment": ("DELETE", f"/assignment/{COURSE_ID}/{A}", {}),
        "list the students": ("GET", f"/students/{COURSE_ID}", {}),
        "make a course": ("POST", "/course/stolen", {"data": {"instructors": json.dumps([b])}}),
    }
    for what, (method, path, kwargs) in attempts.items():
        r = _ngshare(hub, b, method, path, **kwargs)
        assert r.status_code == 403, (what, r.status_code, r.text[:200])
    # and without any token, ngshare serves nothing
    import requests

    r = requests.get(f"{hub.ngshare}/submission/{COURSE_ID}/{A}/{a}", timeout=60,
                     allow_redirects=False)
    assert r.status_code >= 300 and "nbformat" not in r.text
    # a's feedback is still a's, and b's own feedback is there for b
    mine = _ngshare(hub, a, "GET", f"/feedback/{COURSE_ID}/{A}/{a}", params={"timestamp": stamp})
    assert mine.status_code == 200 and len(mine.json()["files"]) == 1


def test_cycle_time(hub):
    print(f"\nngshare cycle {hub.results['cycle_seconds']} s: {hub.results['phases']}")
    assert hub.results["cycle_seconds"] < 300
