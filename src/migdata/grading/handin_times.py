"""Hand-in times the kit can vouch for, and Moodle's own record of when each student handed in.

A hand-in reaches ``submitted/<student>/<assignment>/`` by one of three routes, and its
``timestamp.txt`` decides lateness:

* ``collect`` (the JupyterHub exchange) writes the exchange's own time;
* ``import-zip`` (Moodle) writes the zip's file time, or the grading worksheet's
  *Last modified (submission)* (see :func:`read_submission_times`);
* by hand: the lecturer copies a folder into ``submitted/``. A ``timestamp.txt`` in it may be one
  the student wrote.

The kit cannot tell the last from the first two by the file itself, so every time the kit writes
a ``timestamp.txt`` it records, in its own **time ledger** (``.migdata-course/handin-times.json``,
next to the gradebook, never in the student's folder), the fingerprint of the whole hand-in folder
at that moment (:func:`migdata.grading.submissions.fingerprint`: its names and bytes, the time
included). A hand-in whose folder is not the one recorded, because its time was written by
someone else, or its files changed after the kit wrote the time, has its time **not checked**:
``autograde`` and ``report`` say so, naming the student, and the lecturer confirms or corrects the
time with ``migdata-course set-time`` (:func:`set_time`), which records it.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from migdata.errors import InvalidInputError

__all__ = ["check_time", "hand_in_time", "record_time", "set_time", "times_ledger_path"]

STATE_DIR = ".migdata-course"
"""The course's state folder (as :data:`migdata.grading.autograde.LEDGER_DIR`)."""
TIMES_LEDGER = "handin-times.json"


def hand_in_time(moment: datetime) -> str:
    """A hand-in time for ``timestamp.txt`` that nbgrader reads right.

    nbgrader's ``parse_utc`` splits the text on spaces and, given three parts, reads the third as
    a time zone: ``+0400`` becomes an offset of 400 *seconds*, so a hand-in at 18:05 in Baku
    counted as 13:58 UTC, 3 h 53 min later than it was. The offset is therefore written joined
    to the time (ISO 8601, ``2026-03-02 18:05:00.000000+04:00``), which nbgrader hands to
    dateutil whole.
    """
    if moment.tzinfo is None:
        raise InvalidInputError(f"hand-in time {moment} has no time zone")
    return moment.isoformat(sep=" ", timespec="microseconds")


def times_ledger_path(course_root: str | Path) -> Path:
    """Where the time ledger of a course is kept (``.migdata-course/handin-times.json``)."""
    return Path(course_root) / STATE_DIR / TIMES_LEDGER


def _read(course_root: Path) -> dict:
    path = times_ledger_path(course_root)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(
            f"{path} cannot be read ({exc}); it is the kit's record of the hand-in times it "
            "wrote. Restore it from a backup, or remove it and confirm each time with "
            "migdata-course set-time") from exc
    return data if isinstance(data, dict) else {}


def _time_text(folder: Path) -> str | None:
    """The text of ``folder/timestamp.txt`` (stripped), None when there is none to read."""
    from .submissions import _TIMESTAMP_BYTES, _read_regular

    data, _ = _read_regular(folder / "timestamp.txt", _TIMESTAMP_BYTES)
    if data is None:
        return None
    return data.decode("utf-8", "replace").strip()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_time(course_root: str | Path, assignment: str, students: list[str],
                by: str) -> None:
    """Record that the kit wrote the hand-in times of ``students`` (their folders as they are now).

    Parameters
    ----------
    course_root
        The course's root folder (``CourseDirectory.root``).
    assignment
        Assignment id.
    students
        Students whose ``submitted/<student>/<assignment>/timestamp.txt`` the kit has just written.
    by
        What wrote them (``import-zip``, ``collect``, ``set-time``), kept in the ledger.
    """
    from .submissions import fingerprint

    if not students:
        return
    root = Path(course_root)
    ledger = _read(root)
    entries = ledger.setdefault(assignment, {})
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for student in students:
        folder = root / "submitted" / student / assignment
        text = _time_text(folder)
        if text is None:
            raise InvalidInputError(f"{folder}/timestamp.txt was not written; nothing recorded")
        entries[student] = {"folder": fingerprint(folder), "time": _digest(text), "by": by,
                            "at": now}
    path = times_ledger_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ledger, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half a ledger


def check_time(course_root: str | Path, assignment: str, student: str,
               folder_fingerprint: str | None = None) -> str:
    """``"checked"``, or ``"not checked: <why>"``, for a student's hand-in time.

    The time is checked when the hand-in folder is exactly as it was when the kit wrote its
    ``timestamp.txt`` (``collect``, ``import-zip`` or ``set-time``). ``folder_fingerprint`` is
    the folder's :func:`~migdata.grading.submissions.fingerprint` when the caller has it.
    """
    from .submissions import fingerprint

    root = Path(course_root)
    folder = root / "submitted" / student / assignment
    if folder_fingerprint is None:
        folder_fingerprint = fingerprint(folder)
    entry = _read(root).get(assignment, {}).get(student)
    if entry is not None and entry.get("folder") == folder_fingerprint:
        return "checked"
    text = _time_text(folder)
    if text is None:
        return "not checked: the hand-in has no timestamp.txt, so it has no hand-in time"
    if entry is None:
        return ("not checked: its timestamp.txt was not written by the kit (collect, import-zip "
                "or set-time): a folder copied by hand may carry the student's own")
    if entry.get("time") == _digest(text):
        return (f"not checked: the hand-in's files changed after {entry.get('by', 'the kit')} "
                "wrote its time")
    return f"not checked: timestamp.txt is not the one {entry.get('by', 'the kit')} wrote"


def set_time(course_dir: str | Path, student: str, assignment: str,
             when: str) -> tuple[str | None, str]:
    """Write and record a hand-in time the lecturer has checked (``migdata-course set-time``).

    Parameters
    ----------
    course_dir
        Course folder.
    student, assignment
        Whose hand-in (``submitted/<student>/<assignment>/`` must exist).
    when
        ``YYYY-MM-DD HH:MM[:SS]`` in the course's time zone, or with an offset.

    Returns
    -------
    tuple
        The ``timestamp.txt`` text it replaced (None when there was none) and the new one.
    """
    from .config import course_timezone, load_config, parse_due

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    folder = root / "submitted" / student / assignment
    if not folder.is_dir() or folder.is_symlink():
        raise InvalidInputError(f"no hand-in folder {folder}; expected submitted/<student>/"
                                f"{assignment}/ with the student's notebook")
    tz = course_timezone(cfg)
    try:
        moment = parse_due(when, tz)
    except InvalidInputError:
        raise InvalidInputError(
            f"hand-in time {when!r} is not a date and time; expected 'YYYY-MM-DD HH:MM' (in "
            f"the course's time zone, {tz.key}) or with an offset") from None
    old = _time_text(folder)
    stamp = hand_in_time(moment.astimezone(tz))
    target = folder / "timestamp.txt"
    target.unlink(missing_ok=True)  # a link put there is replaced, never followed
    target.write_text(stamp, encoding="utf-8")
    record_time(root, assignment, [student], "set-time")
    return old, stamp
