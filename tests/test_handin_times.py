"""True hand-in times on the exchange route (issue 22): on time, late, and the late penalty.

The Moodle route's times (``timestamp.txt`` from the zip, ``--due`` on ``import-zip``, the
penalty of a late hand-in after written marks) are in ``tests/test_course_moodle.py``. Here two
students hand in through an exchange folder, one before and one after the due date set with
``collect --due``; the exchange's own times decide, and nbgrader's "zero" penalty applies to the
late one's whole mark, written answers included.
"""

from __future__ import annotations

import os
import pwd
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest

from migdata.grading.cli import main
from migdata.grading.config import parse_due
from migdata.simulate.submissions import solution_sources

A = "unit22_sources"
COURSE_ID = "migdata-module2"
ME = pwd.getpwuid(os.getuid()).pw_name
OTHER = "nobody"  # a second Linux user, so the exchange's owner check passes for both

pytestmark = [pytest.mark.skipif(os.getuid() != 0, reason="hands in as a second user (root)")]


def _course(repo_root: Path, base: Path) -> Path:
    course = base / "autograder"
    course.mkdir(parents=True)
    shutil.copy(repo_root / "autograder" / "nbgrader_config.py", course)
    shutil.copytree(repo_root / "assignments" / "source" / A, base / "assignments" / "source" / A)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.Exchange.root = {str(base / 'exchange')!r}\n"
                 'c.LateSubmissionPlugin.penalty_method = "zero"\n')
    (base / "exchange").mkdir()
    assert main(["--course-dir", str(course), "generate", A]) == 0
    assert main(["--course-dir", str(course), "release", A]) == 0
    return course


def _handin(course: Path, student: str, owner: str) -> None:
    """A hand-in as nbgrader submit writes it, owned by ``owner``, with the model answers."""
    nb = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    model = solution_sources(course.parent / "assignments" / "source" / A / f"{A}.ipynb")
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in model:
            cell.source = model[gid]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = course.parent / "exchange" / COURSE_ID / "inbound" / f"{student}+{A}+{stamp}+r"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{A}.ipynb")
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    (folder / "submission_secret.txt").write_text(os.urandom(8).hex(), encoding="utf-8")
    uid = pwd.getpwnam(owner).pw_uid
    for path in [folder, *folder.iterdir()]:
        os.chown(path, uid, -1)


def test_on_time_late_and_the_late_penalty_through_the_exchange(repo_root, tmp_path, capsys):
    try:
        pwd.getpwnam(OTHER)
    except KeyError:
        pytest.skip(f"no Linux user {OTHER}")
    course = _course(repo_root, tmp_path)
    _handin(course, ME, ME)            # before the due date
    time.sleep(1.2)
    due = datetime.now(UTC).replace(microsecond=0)
    time.sleep(1.2)
    _handin(course, OTHER, OTHER)      # after it
    # the due date as the lecturer types it: Baku time, no offset (the course's time zone)
    typed = due.astimezone(ZoneInfo("Asia/Baku")).strftime("%Y-%m-%d %H:%M:%S")
    assert parse_due(typed, ZoneInfo("Asia/Baku")) == due
    assert main(["--course-dir", str(course), "collect", A, "--due", typed]) == 0
    out, err = capsys.readouterr()
    assert f"{A} is due" in out and "+04:00 (Asia/Baku)" in out
    assert f"{OTHER}: late by" in " ".join(err.split())
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        late = {s: gb.find_submission(A, s).total_seconds_late for s in (ME, OTHER)}
        for student in (ME, OTHER):  # the lecturer marks both students' written answers
            for nb in gb.find_submission(A, student).notebooks:
                for grade in nb.grades:
                    if grade.name in {c.name for c in nb.notebook.solution_cells}:
                        grade.manual_score = grade.max_score
                        grade.needs_manual_grade = False
        gb.db.commit()
    assert late[ME] == 0 and 0 < late[OTHER] < 60
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(tmp_path / "g.csv"),
                 "--assignment", A]) == 0
    import csv

    rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert rows[ME]["score"] == "21.0" and rows[ME]["late_penalty"] == "0.0"
    # 'zero': the whole mark, the written answers marked after autograding included
    assert rows[OTHER]["score"] == "21.0" and rows[OTHER]["late_penalty"] == "21.0"
    assert main(["--course-dir", str(course), "report", A]) == 0
    lines = {ln.split()[0]: ln.split() for ln in capsys.readouterr().out.splitlines()
             if ln.split() and ln.split()[0] in {ME, OTHER}}
    assert lines[ME][5] == "21.0" and lines[OTHER][5] == "0.0"  # the 'final' column
