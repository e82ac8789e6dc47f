"""Shared parts of the tests that run a real JupyterHub (test_hub_e2e, _security, _ngshare).

Linux users with PAM passwords, the kit made reachable for them, the instructor's course folder,
``autograder/hub/setup-hub.sh``, JupyterHub started on free ports of 127.0.0.1, the users' servers,
and stopping everything again (only what these tests started: the hub by its process, the users'
processes by their user ids).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

A = "unit22_sources"
COURSE_ID = "migdata-module2"
BIN = Path(sys.executable).parent


def _cannot_run() -> str | None:
    if sys.platform != "linux":
        return "needs Linux"
    if os.geteuid() != 0:
        return "needs root to create Linux users and start JupyterHub"
    for tool in ("useradd", "userdel", "runuser", "chpasswd"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    try:
        import jupyterhub  # noqa: F401
        import jupyterhub_idle_culler  # noqa: F401
    except ImportError as exc:
        return f"needs the hub extra (pip install -e '.[hub]'): {exc}"
    if shutil.which("configurable-http-proxy") is None and shutil.which("npm") is None:
        return "needs configurable-http-proxy or npm to install it"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """Everything the cycle made, for the tests to look at."""

    def __init__(self, base: Path, suffix: str, students: str = "abc") -> None:
        self.base = base
        self.instructor = f"mig{suffix}i"
        self.students = [f"mig{suffix}{x}" for x in students]
        self.users = [self.instructor, *self.students]
        self.service_users: list[str] = []  # Linux users of hub services (no server of their own)
        self.password = secrets.token_urlsafe(12)
        self.exchange = base / "exchange"
        self.etc = base / "etc"
        self.state = base / "state"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_hex(24)
        self.tokens: dict[str, str] = {}
        self.log = base / "hub.log"
        self.proc: subprocess.Popen | None = None
        self.results: dict[str, object] = {}
        self.opened: list[Path] = []  # folders given o+x so the users reach the kit
        self.clone: Path | None = None  # the kit's clone the set-up ran from (_kit_clone)

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    @property
    def course(self) -> Path:
        return self.home(self.instructor) / "module2-course" / "autograder"

    def run_as(self, user: str, *cmd: str, check: bool = False, config: str | None = None,
               extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = [f"HOME={self.home(user)}", f"USER={user}", f"LOGNAME={user}",
               f"PATH={BIN}:/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]
        if config:
            env.append(f"JUPYTER_CONFIG_PATH={self.etc / config}")
        env += [f"{key}={value}" for key, value in (extra or {}).items()]
        if os.environ.get("PYTHONPATH"):  # a worktree's code (tests run it, not the installed one)
            env.append(f"PYTHONPATH={os.environ['PYTHONPATH']}")
        done = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *env, *cmd],
                              cwd=self.home(user), capture_output=True, text=True, timeout=300,
                              check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"{cmd} as {user} failed ({done.returncode}):\n{done.stdout}\n"
                                 f"{done.stderr}")
        return done

    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        import requests

        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


def _make_users(hub: Hub) -> None:
    for user in hub.users:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", user], check=True)
    pairs = "".join(f"{user}:{hub.password}\n" for user in hub.users)
    subprocess.run(["chpasswd"], input=pairs, text=True, check=True)


#: Folders this process opened for the hubs, with how many hubs still need each. The hub
#: modules' fixtures may overlap on one worker (pytest tears a module's fixture down lazily), so a
#: folder is closed again only when the last hub that needed it is cleaned up.
_OPENED: dict[Path, int] = {}


def _open_path_to_kit(hub: Hub) -> None:
    """Let every user traverse the folders above the kit's Python (CI clones may sit in /root).

    Called again before each run of setup-hub.sh (which checks that students can run the kit):
    a folder this hub needs open is opened again if it was closed meanwhile.
    """
    kit = [Path(sys.prefix), Path(sys.executable).resolve(), Path(sys.base_prefix).resolve(),
           Path(__file__).resolve()]
    for folder in sorted({p for path in kit for p in path.parents}):
        mode = folder.stat().st_mode
        if folder not in hub.opened:
            if folder in _OPENED:
                _OPENED[folder] += 1
            elif mode & 0o001:
                continue  # open already, not by a hub of this process: left as it is
            else:
                _OPENED[folder] = 1
            hub.opened.append(folder)
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


def _course_for_instructor(hub: Hub, repo_root: Path, *, folder_exchange: bool = True) -> None:
    base = hub.course.parent
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    hub.course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", hub.course)
    if folder_exchange:
        with (hub.course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
            fh.write(f"\nc.Exchange.root = {str(hub.exchange)!r}\n")
    # copied as root, as a lecturer following the guide does: setup-hub.sh gives the course
    # folder to the instructor (issue 22: a root-owned one made generate fail)
    subprocess.run(["chown", f"{hub.instructor}:", str(base)], check=True)


def _kit_clone(hub: Hub, repo_root: Path) -> Path:
    """The kit's clone as the guide has root make it (here a copy of the parts setup-hub uses).

    Copied with the repository's modes (readable by all), as ``git clone`` makes it: setup-hub.sh
    must close it, since it holds the model answers. The hub's tests run setup-hub.sh and
    jupyterhub_config.py from it, never from the repository (which the script would close).
    """
    clone = hub.base / "migdata-src"
    for name in ("pyproject.toml", "README.md"):
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo_root / name, clone / name)
    shutil.copytree(repo_root / "autograder" / "hub", clone / "autograder" / "hub")
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", clone / "autograder")
    shutil.copytree(repo_root / "assignments" / "source" / A, clone / "assignments" / "source" / A)
    hub.clone = clone
    return clone


def _setup_script(hub: Hub, repo_root: Path) -> subprocess.CompletedProcess:
    _open_path_to_kit(hub)
    env = {**os.environ, "INSTRUCTOR": hub.instructor, "STUDENTS": ",".join(hub.students),
           "EXCHANGE": str(hub.exchange), "HUB_ETC": str(hub.etc), "HUB_STATE": str(hub.state),
           "PYTHON": sys.executable, "COURSE_DIR": str(hub.course),
           "ETC_JUPYTER": str(hub.base / "etc-jupyter"), "SKIP_LOGIN_DEFS": "1",
           "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    done = subprocess.run(["bash", str(repo_root / "autograder" / "hub" / "setup-hub.sh")],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"setup-hub.sh failed:\n{done.stdout}\n{done.stderr}"
    return done


def _start_hub(hub: Hub, repo_root: Path, config: Path | None = None,
               extra: dict[str, str] | None = None) -> None:
    """Start JupyterHub (``autograder/hub/jupyterhub_config.py``, or ``config``) on free ports."""
    import requests

    env = {**os.environ,
           "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
           "MIGDATA_INSTRUCTOR": hub.instructor, "MIGDATA_STUDENTS": ",".join(hub.students),
           "MIGDATA_COURSE_DIR": str(hub.course), "MIGDATA_HUB_ETC": str(hub.etc),
           "MIGDATA_HUB_STATE": str(hub.state), "MIGDATA_HUB_PORT": str(hub.port),
           "MIGDATA_HUB_API_PORT": str(_free_port()),
           "MIGDATA_PROXY_API_PORT": str(_free_port()),
           "MIGDATA_TEST_ADMIN_TOKEN": hub.admin_token, "MIGDATA_CULL_IDLE": "900",
           "MIGDATA_SPAWN_TIMEOUT": "240",  # CI runs other tests on the same 2 cores
           **(extra or {})}
    with hub.log.open("w") as log:
        hub.proc = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f",
             str(config or repo_root / "autograder" / "hub" / "jupyterhub_config.py")],
            cwd=hub.state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if hub.proc.poll() is not None:
            raise AssertionError("JupyterHub exited:\n" + hub.log.read_text()[-3000:])
        try:
            if requests.get(hub.url + "/hub/api/", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError("JupyterHub did not answer in 90 s:\n" + hub.log.read_text()[-3000:])


def _start_servers(hub: Hub) -> None:
    for user in hub.users:
        r = hub.api("POST", f"/hub/api/users/{user}/tokens", json={"expires_in": 3600,
                                                                    "note": "migdata test"})
        assert r.status_code in (200, 201), r.text
        hub.tokens[user] = r.json()["token"]
        r = hub.api("POST", f"/hub/api/users/{user}/server")
        assert r.status_code in (201, 202), r.text + hub.log.read_text()[-3000:]
    deadline = time.monotonic() + 240
    waiting = set(hub.users)
    while waiting and time.monotonic() < deadline:
        for user in sorted(waiting):
            server = hub.api("GET", f"/hub/api/users/{user}").json()["servers"].get("", {})
            if server.get("ready"):
                waiting.discard(user)
        time.sleep(0.5)
    assert not waiting, f"servers not ready: {waiting}\n" + hub.log.read_text()[-3000:]


def _server(hub: Hub, user: str, method: str, path: str, **kwargs):
    return hub.api(method, f"/user/{user}/{path.lstrip('/')}", token=hub.tokens[user], **kwargs)


def _assignment_action(hub: Hub, user: str, action: str) -> object:
    r = _server(hub, user, "POST", f"assignments/{action}",
                data={"course_id": COURSE_ID, "assignment_id": A})
    assert r.status_code == 200, (action, user, r.status_code, r.text[:500])
    return r.json()


def _answer(hub: Hub, user: str, answered: list[str] | None) -> None:
    """Fill in answers through the student's own server (the contents API), as Jupyter saves."""
    from migdata.simulate.submissions import solution_sources

    path = f"api/contents/{A}/{A}.ipynb"
    r = _server(hub, user, "GET", path, params={"content": 1})
    assert r.status_code == 200, r.text[:300]
    nb = r.json()["content"]
    model = solution_sources(hub.course.parent / "assignments" / "source" / A / f"{A}.ipynb")
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in model and (answered is None or gid in answered):
            cell["source"] = model[gid]
    r = _server(hub, user, "PUT", path, json={"type": "notebook", "format": "json",
                                               "content": nb})
    assert r.status_code == 200, r.text[:300]


def _set_duedate(hub: Hub, due: datetime) -> None:
    code = ("from nbgrader.api import Gradebook; import datetime, sys; "
            f"gb = Gradebook('sqlite:///{hub.course}/gradebook.db', '{COURSE_ID}'); "
            f"gb.update_or_create_assignment('{A}', duedate=datetime.datetime.fromisoformat("
            f"'{due.replace(tzinfo=None).isoformat()}')); gb.close()")
    hub.run_as(hub.instructor, sys.executable, "-c", code, check=True)


def _stop(hub: Hub) -> None:
    if hub.proc is not None and hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)  # the hub stops the users' servers (cleanup_servers)
        try:
            hub.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait(timeout=10)
    # anything still running as a test user was started by this test: stop it by its pid
    uids = set()
    for user in [*hub.users, *hub.service_users]:
        try:
            uids.add(pwd.getpwnam(user).pw_uid)
        except KeyError:
            pass
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and proc.stat().st_uid in uids:
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def _cleanup(hub: Hub) -> None:
    _stop(hub)
    time.sleep(0.5)
    for user in [*hub.users, *hub.service_users]:
        subprocess.run(["userdel", "--remove", user], capture_output=True, check=False)
    for folder in hub.opened:
        _OPENED[folder] -= 1
        if _OPENED[folder] == 0:  # no other hub of this process needs it open
            del _OPENED[folder]
            folder.chmod(folder.stat().st_mode & ~0o001)
    shutil.rmtree(hub.base, ignore_errors=True)
