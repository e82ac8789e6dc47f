"""Collecting hand-ins from nbgrader's exchange folder, trusting the exchange and not the student.

nbgrader's own ``collect`` believes two things a student writes: the name of the submission folder
(``<student>+<assignment>+<time>+<random>``, so anyone can hand in under another student's name)
and ``timestamp.txt`` inside it (so late work can be backdated). Here:

* the **owner** of the submission folder (its Unix user) must be the student named in it; a
  folder handed in under someone else's name is reported for that student and not collected;
* the **hand-in time** is the exchange's own record: the latest *change time* (``st_ctime``) of the
  folder and of every file in it. A user can set a file's modification time to anything, but the
  change time is set by the kernel and only ever moves forward, so it cannot make work look
  earlier than it was handed in. ``timestamp.txt`` in ``submitted/`` is rewritten with it (UTC), so
  nbgrader's late penalty uses it; the student's own claim is reported when it is earlier.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from migdata.errors import InvalidInputError

from .config import load_config
from .feedback import remember_marks
from .report import course_timezone

__all__ = ["Handin", "collect", "describe", "exchange_time"]

NBGRADER_DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
BACKDATED_SECONDS = 300.0
"""A student's ``timestamp.txt`` this much earlier than the exchange's time is reported."""


@dataclass
class Handin:
    """One submission folder found in the exchange.

    Attributes
    ----------
    student
        The student named in the folder name.
    owner
        The Unix user owning the folder (who really handed it in).
    folder
        The folder in the exchange's ``inbound/``.
    handed_in
        The exchange's time of the hand-in (UTC, see the module docstring).
    claimed
        The time in the student's ``timestamp.txt`` (UTC), or None when absent or unreadable.
    collected
        Whether it was copied into ``submitted/``.
    problem
        What is wrong with it, in words ('' if nothing).
    late_by
        Seconds after the due date (None without a due date or when on time).
    """

    student: str
    owner: str
    folder: Path
    handed_in: datetime
    claimed: datetime | None
    collected: bool = False
    problem: str = ""
    late_by: float | None = None

    @property
    def impostor(self) -> bool:
        """The folder names a student other than its owner."""
        return self.owner != self.student


def exchange_time(folder: Path) -> datetime:
    """The exchange's time of a hand-in: the latest change time of the folder and its files (UTC).

    Parameters
    ----------
    folder
        A submission folder in the exchange's ``inbound/``.

    Returns
    -------
    datetime.datetime
        Timezone-aware, in UTC.
    """
    folder = Path(folder)
    times = [folder.stat().st_ctime]
    times += [p.lstat().st_ctime for p in folder.rglob("*")]
    return datetime.fromtimestamp(max(times), tz=UTC)


def _owner(path: Path) -> str:
    import pwd

    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _claimed(folder: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        value = parse_utc((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, ValueError, TypeError, OverflowError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _existing(dest: Path) -> datetime | None:
    return _claimed(dest) if dest.is_dir() else None


def _duedate(db_url: str, course_id: str, assignment: str) -> datetime | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except MissingEntry:
            return None
    return None if due is None else due.replace(tzinfo=UTC)


def collect(course_dir: str | Path, assignment: str) -> list[Handin]:
    """Copy each student's latest own hand-in from the exchange into ``submitted/``.

    Parameters
    ----------
    course_dir
        Course folder holding ``nbgrader_config.py`` (its ``c.Exchange.root`` is used).
    assignment
        Assignment id.

    Returns
    -------
    list of Handin
        Every hand-in found, sorted by student then time: the collected ones, the older ones of
        the same student, and those handed in under another student's name (``impostor``,
        never collected).

    Raises
    ------
    InvalidInputError
        If the exchange has no ``inbound/`` folder for the course.
    """
    cfg = load_config(course_dir)
    root = Path(cfg.Exchange.get("root", NBGRADER_DEFAULT_EXCHANGE))
    course_id = cfg.CourseDirectory.get("course_id", "")
    course_root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(course_root / "gradebook.db"))
    inbound = root / course_id / "inbound"
    if not inbound.is_dir():
        raise InvalidInputError(
            f"no inbound folder {inbound} in the exchange: release the assignment first, or set "
            "c.Exchange.root in nbgrader_config.py to the hub's exchange"
        )
    found: list[Handin] = []
    for folder in inbound.iterdir():
        parts = folder.name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment or not folder.is_dir():
            continue
        found.append(Handin(student=parts[0], owner=_owner(folder), folder=folder,
                            handed_in=exchange_time(folder), claimed=_claimed(folder)))
    due = _duedate(db_url, course_id, assignment)
    tz = course_timezone(cfg)
    latest: dict[str, Handin] = {}
    for h in found:
        if h.impostor:
            h.problem = (f"handed in under {h.student}'s name by the user {h.owner}; "
                         "not collected")
            continue
        if h.claimed is not None and (h.handed_in - h.claimed).total_seconds() > BACKDATED_SECONDS:
            h.problem = (f"timestamp.txt says {_show(h.claimed, tz)}, the exchange "
                         f"received it at {_show(h.handed_in, tz)}; the exchange's time is used")
        if due is not None and h.handed_in > due:
            h.late_by = (h.handed_in - due).total_seconds()
        if h.student not in latest or h.handed_in > latest[h.student].handed_in:
            latest[h.student] = h
    replaced = []
    for student, h in latest.items():
        dest = course_root / "submitted" / student / assignment
        existing = _existing(dest)
        if existing is not None and existing >= h.handed_in:
            continue  # already collected (this hand-in or a later one)
        if dest.exists():
            replaced.append(student)
    # written marks given to the version being replaced become stale (see feedback.check_marks)
    remember_marks(course_dir, assignment, replaced)
    for student, h in latest.items():
        dest = course_root / "submitted" / student / assignment
        existing = _existing(dest)
        if existing is not None and existing >= h.handed_in:
            continue
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(h.folder, dest, symlinks=False)
        (dest / "timestamp.txt").write_text(h.handed_in.strftime(TIME_FORMAT), encoding="utf-8")
        h.collected = True
    return sorted(found, key=lambda h: (h.student, h.handed_in))


def describe(handins: list[Handin], assignment: str) -> list[str]:
    """Lines for the lecturer: one per student with a problem, late or impostor hand-in."""
    lines = []
    for h in handins:
        notes = [h.problem] if h.problem else []
        if h.late_by is not None and not h.impostor:
            notes.append(f"late by {_duration(h.late_by)} (exchange time)")
        if notes:
            lines.append(f"{h.student}: " + "; ".join(notes))
    return lines


def _show(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours < 48 else f"{hours // 24} days {hours % 24} h"
