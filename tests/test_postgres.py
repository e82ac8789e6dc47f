"""The gradebook on a real PostgreSQL server gives the same grades as on SQLite.

The test set-up initialises a throwaway cluster in a temporary folder with Debian's PostgreSQL
(``apt-get install postgresql``; ``.ci/run`` installs it when missing), as an unprivileged user
(PostgreSQL refuses to run as root), starts it on 127.0.0.1 on a free port, and stops it at the end.
nbgrader reaches it through ``c.CourseDirectory.db_url`` (``psycopg2-binary``, the ``postgres``
extra). The same submissions are graded into SQLite by ``migdata-course autograde``; the scores of
every cell, the export and the feedback must agree.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from migdata.grading.cli import main
from migdata.simulate.submissions import write_submission

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.timeout(600)]

A = "unit22_sources"
COURSE_ID = "migdata-module2"
SUBMISSIONS = {"p1": ("solution", None),
               "p2": ("partial", ["a1_answer", "b2a_answer", "b2b_answer", "b2c_answer"]),
               "p3": ("untouched", None)}


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields the SQLAlchemy URL of a database."""
    bindir = _pg_bindir()
    reason = None
    if bindir is None:
        reason = "PostgreSQL is not installed (apt-get install postgresql)"
    else:
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            reason = "psycopg2 is not installed (pip install -e '.[postgres]')"
    as_root = os.geteuid() == 0
    user = None
    if as_root and reason is None:
        user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
        if user is None or shutil.which("runuser") is None:
            reason = "running as root without a postgres/nobody user or runuser"
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"the PostgreSQL test must run in CI but cannot: {reason}")
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="migdata-pg-"))
    data, sock, log = base / "data", base / "sock", base / "server.log"
    sock.mkdir()
    prefix: list[str] = []
    if as_root:
        base.chmod(0o755)
        shutil.chown(base, user)
        shutil.chown(sock, user)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()

    def run(*cmd: str) -> subprocess.CompletedProcess:
        done = subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120,
                              check=False, cwd=base)
        assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
        return done

    run(str(bindir / "initdb"), "-D", str(data), "-U", "migdata", "-A", "trust", "-E", "UTF8",
        "--no-sync")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "migdata",
            "gradebook")
        yield f"postgresql+psycopg2://migdata@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                        "stop"], capture_output=True, timeout=60, check=False, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _course(repo_root: Path, base: Path, db_url: str | None) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    if db_url:
        with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
            fh.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    assert main(["--course-dir", str(course), "generate", A]) == 0
    for student, (kind, answered) in SUBMISSIONS.items():
        write_submission(course, A, student, kind, answered=answered)
    return course


def _cell_scores(db_url: str) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, COURSE_ID) as gb:
        return {
            (student, grade.name): (grade.auto_score, grade.max_score)
            for student in SUBMISSIONS
            for nb in gb.find_submission(A, student).notebooks
            for grade in nb.grades
        }


def test_grades_on_postgresql_equal_grades_on_sqlite(postgres, repo_root, tmp_path):
    sqlite_course = _course(repo_root, tmp_path / "sqlite", None)
    assert main(["--course-dir", str(sqlite_course), "autograde", A, "--quiet"]) == 0
    pg_course = _course(repo_root, tmp_path / "pg", postgres)
    # nbgrader's own autograde writes the grades into PostgreSQL through c.CourseDirectory.db_url
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", A],
                          cwd=pg_course, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert time.monotonic() - started < 300
    assert not (pg_course / "gradebook.db").exists()  # nothing went to SQLite
    sqlite_scores = _cell_scores(f"sqlite:///{sqlite_course / 'gradebook.db'}")
    pg_scores = _cell_scores(postgres)
    assert pg_scores == sqlite_scores
    assert sum(s or 0 for (student, _), (s, _m) in pg_scores.items() if student == "p1") == 14.0
    assert sum(s or 0 for (student, _), (s, _m) in pg_scores.items() if student == "p2") == 5.0

    # the export and the feedback read the PostgreSQL gradebook the same way
    out_sqlite, out_pg = tmp_path / "sqlite.csv", tmp_path / "pg.csv"
    assert main(["--course-dir", str(sqlite_course), "export", str(out_sqlite)]) == 0
    assert main(["--course-dir", str(pg_course), "export", str(out_pg)]) == 0
    cols = ["student_id", "score", "max_score", "needs_manual_grade", "blank_unconfirmed"]
    left = pd.read_csv(out_sqlite, dtype={"student_id": str})[cols].sort_values("student_id")
    right = pd.read_csv(out_pg, dtype={"student_id": str})[cols].sort_values("student_id")
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    assert main(["--course-dir", str(pg_course), "feedback", A]) == 0
    assert (pg_course / "feedback" / "p2" / A / f"{A}.html").is_file()
