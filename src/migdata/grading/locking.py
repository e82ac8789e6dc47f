"""One grading run at a time per course: a lock file in the course folder.

``autograde``, ``feedback`` and ``export`` take an exclusive ``fcntl`` lock on
``.migdata-course/course.lock`` for the whole run. The operating system releases such a lock when
the process ends in any way (even ``kill -9``), so a crash never leaves a stale lock behind; the
file itself only records who holds the lock, for the message the next run shows.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from migdata.errors import MigdataError

__all__ = ["CourseBusyError", "course_lock", "lock_path"]

LOCK_FILE = "course.lock"


class CourseBusyError(MigdataError):
    """Another migdata-course run holds the course lock."""


def lock_path(course_root: str | Path) -> Path:
    """The lock file of a course folder."""
    return Path(course_root) / ".migdata-course" / LOCK_FILE


def _holder(fd: int) -> str:
    try:
        raw = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        info = json.loads(raw)
        return f"`{info['command']}` (process {info['pid']}, started {info['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another migdata-course run"


@contextmanager
def course_lock(course_root: str | Path, command: str, *, wait: float = 0.0,
                poll: float = 0.5) -> Iterator[None]:
    """Hold the course lock while the ``with`` block runs.

    Parameters
    ----------
    course_root
        The course folder.
    command
        What this run is (shown to a run that finds the course busy).
    wait
        Seconds to wait for a busy course before giving up (0: give up at once).
    poll
        Seconds between two attempts while waiting.

    Raises
    ------
    CourseBusyError
        If another run holds the lock (after ``wait`` seconds).
    """
    import fcntl

    path = lock_path(course_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CourseBusyError(
                        f"the course {Path(course_root)} is busy: {_holder(fd)} is running on it. "
                        "Only one autograde, feedback or export runs on a course at a time; wait "
                        "for it to finish (or pass --wait SECONDS), then run this again"
                    ) from None
                time.sleep(poll)
        info = {"command": command, "pid": os.getpid(),
                "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
