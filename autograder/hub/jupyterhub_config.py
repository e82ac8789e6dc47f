"""JupyterHub configuration of the migdata Module 2 course on one server (tested set-up).

Start the hub as root with ``jupyterhub -f jupyterhub_config.py`` after ``setup-hub.sh`` (the
systemd unit it writes does both). Everything site-specific comes from environment variables,
which ``setup-hub.sh`` writes to ``/etc/jupyterhub/migdata/migdata-hub.env``:

==========================  ==================================================================
MIGDATA_INSTRUCTOR          the instructor's Linux user (required)
MIGDATA_STUDENTS            comma-separated Linux users allowed to log in (or use MIGDATA_GROUP)
MIGDATA_GROUP               a Linux group whose members may log in (e.g. ``students``)
MIGDATA_COURSE_DIR          the instructor's course folder (``.../autograder``); the instructor's
                            server starts in the folder above it (``module2-course/``), so both
                            ``autograder/`` and ``assignments/source/`` (the marking notes, the
                            formgrader's links to the sources) open in JupyterLab; the formgrader
                            reads the course's ``nbgrader_config.py`` through the instructor's
                            configuration, which ``setup-hub.sh`` writes
MIGDATA_HUB_ETC             where ``setup-hub.sh`` wrote the Jupyter configuration folders
                            (``student-config``, ``instructor-config``)
MIGDATA_HUB_IP / _PORT      where the hub listens (default 127.0.0.1:8000: put a TLS proxy in
                            front, or set 0.0.0.0 behind a firewall)
MIGDATA_HUB_STATE           folder for the hub's database and cookie secret
MIGDATA_CULL_IDLE           seconds before an idle server is stopped (default 3600)
MIGDATA_MEM_LIMIT           memory per user server, e.g. ``1G`` (see the guide's sizing)
MIGDATA_SPAWN_TIMEOUT       seconds a user's server may take to start (default 60)
==========================  ==================================================================

How students are kept apart (see autograder/README.md, set-up 2): home folders are 0700; the
exchange belongs to root (0755) and the course folder in it to the instructor (0755), so no
student creates, renames or deletes a course folder; students hand in through ``inbound/`` (0733:
they can add a hand-in, not list or read others'); students get a Jupyter configuration without
nbgrader's instructor tools (formgrader, create assignment, course list).

Who may do what on the hub (JupyterHub roles; ``admin_access`` has had no effect since JupyterHub
2.0): nobody is a hub admin. Students have the ``user`` role (their own server and tokens only).
The instructor has their own server (where the formgrader runs on the course folder) and may list
the users and see their activity and whether their servers run (the class list); the instructor
cannot open a student's server, make or see a student's tokens, start, stop or delete a student.
"""

import os
import shutil
import sys

c = get_config()  # noqa: F821 (injected by JupyterHub)

env = os.environ.get
INSTRUCTOR = env("MIGDATA_INSTRUCTOR", "")
STUDENTS = {s.strip() for s in env("MIGDATA_STUDENTS", "").split(",") if s.strip()}
HUB_ETC = env("MIGDATA_HUB_ETC", "/etc/jupyterhub/migdata")
STATE = env("MIGDATA_HUB_STATE", "/srv/jupyterhub")
COURSE_DIR = env("MIGDATA_COURSE_DIR", "")
if not INSTRUCTOR:
    raise SystemExit("MIGDATA_INSTRUCTOR is not set: run setup-hub.sh, or set it to a Linux user")

# --- network and state ---------------------------------------------------------------------------
c.JupyterHub.ip = env("MIGDATA_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(env("MIGDATA_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("MIGDATA_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + env("MIGDATA_PROXY_API_PORT", "8001")
c.ConfigurableHTTPProxy.command = [shutil.which("configurable-http-proxy")
                                   or "configurable-http-proxy"]
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the users' servers

# --- who may log in -------------------------------------------------------------------------------
# Linux passwords (PAM); another login (e.g. the university's OAuth) replaces these two lines
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per server
c.Authenticator.allowed_users = STUDENTS | {INSTRUCTOR}
if env("MIGDATA_GROUP"):
    c.PAMAuthenticator.allowed_groups = {env("MIGDATA_GROUP")}

# --- roles: nobody is a hub admin; the instructor gets what nbgrader needs, not students' servers
c.Authenticator.admin_users = set()
INSTRUCTOR_SCOPES = [
    "self",                 # their own server (JupyterLab, the formgrader) and their own tokens
    "admin-ui",             # the hub's user list page, to see the class
    "list:users",           # ... the users' names
    "read:users:name",
    "read:users:activity",  # ... when each was last active
    "read:servers",         # ... and whether their servers run (not the servers themselves)
]

# --- the users' servers: their own Linux account, JupyterLab -------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.default_url = "/lab"
c.Spawner.cmd = [os.path.join(os.path.dirname(sys.executable), "jupyterhub-singleuser")]
# seconds a server may take to start (a busy 2-core server starting many at once needs more)
c.Spawner.http_timeout = int(env("MIGDATA_SPAWN_TIMEOUT", "60"))
c.Spawner.start_timeout = int(env("MIGDATA_SPAWN_TIMEOUT", "60"))
if env("MIGDATA_MEM_LIMIT"):
    # LocalProcessSpawner does not enforce it; it is passed to the server (MEM_LIMIT) for display
    c.Spawner.mem_limit = env("MIGDATA_MEM_LIMIT")
# the environment the users' servers get; PATH first to the kit's environment
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]
c.Spawner.environment = {
    "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
}


def _per_user(spawner):
    """Instructor: every nbgrader tool, JupyterLab above the course folder; students: theirs."""
    name = spawner.user.name
    if name == INSTRUCTOR:
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.path.join(HUB_ETC, "instructor-config")
        if COURSE_DIR:
            # module2-course/: autograder/ (the formgrader's course) and assignments/source/
            spawner.notebook_dir = os.path.dirname(os.path.normpath(COURSE_DIR))
    else:
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.path.join(HUB_ETC, "student-config")
        spawner.notebook_dir = "~"


c.Spawner.pre_spawn_hook = _per_user

# --- idle servers are stopped (jupyterhub-idle-culler, from PyPI) --------------------------------
c.JupyterHub.load_roles = [
    # listing the admin role's members makes the list exact: an admin flag from an older set-up
    # (which made the instructor an admin) is removed when the hub starts
    {"name": "admin", "users": [], "services": [], "groups": []},
    {"name": "instructor", "description": "the course's instructor (no access to students)",
     "scopes": INSTRUCTOR_SCOPES, "users": [INSTRUCTOR]},
    {"name": "idle-culler",
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
     "services": ["idle-culler"]},
]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                "--timeout=" + env("MIGDATA_CULL_IDLE", "3600"), "--cull-every=300"],
}]
# tests add a service with a token of their own (never set this on a real hub)
if env("MIGDATA_TEST_ADMIN_TOKEN"):
    c.Spawner.env_keep.append("PYTHONPATH")  # the servers run the code under test
    c.JupyterHub.services.append({"name": "migdata-test", "api_token":
                                  env("MIGDATA_TEST_ADMIN_TOKEN")})
    c.JupyterHub.load_roles.append({"name": "migdata-test", "scopes": ["admin:users",
                                    "admin:servers", "tokens", "access:servers", "list:services",
                                    "read:services"], "services": ["migdata-test"]})
