"""Collecting hand-ins from nbgrader's exchange folder, trusting the exchange and not the student.

nbgrader's own ``collect`` believes two things a student writes: the name of the submission folder
(``<student>+<assignment>+<time>+<random>``, so anyone can hand in under another student's name)
and ``timestamp.txt`` inside it (so late work can be backdated). It also copies whatever a link in
the folder points to, with the lecturer's rights. Here:

* the **owner** of the submission folder (its Unix user) must be the student named in it; a
  folder handed in under someone else's name is reported for that student and not collected;
* only **ordinary files** (and folders) owned by the student are copied. A symbolic link, a hard
  link (a file with more than one name, which may be someone else's file), a device, a named pipe
  or a socket anywhere in the folder, or a folder larger than nbgrader's size limit, and the whole
  hand-in is refused with a plain reason for that student; nothing of it reaches ``submitted/``.
  Every entry is checked without following links (``lstat``), opened with ``O_NOFOLLOW``, checked
  again on the opened file (``fstat``: the same file, still ordinary, still one name) and copied
  from that open file, so swapping a file for a link while ``collect`` runs does not help;
* the **hand-in time** is the exchange's own record: the latest *change time* (``st_ctime``) of the
  folder and of every file in it. A user can set a file's modification time to anything, but the
  change time is set by the kernel and only ever moves forward, so it cannot make work look
  earlier than it was handed in. ``timestamp.txt`` in ``submitted/`` is rewritten with it (UTC), so
  nbgrader's late penalty uses it; the student's own claim is reported when it is earlier.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from migdata.errors import InvalidInputError

from .config import load_config
from .feedback import remember_marks
from .report import course_timezone
from .report import late_by as _late_words

__all__ = ["Handin", "RefusedHandin", "collect", "copy_handin", "describe", "exchange_time"]

NBGRADER_DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
BACKDATED_SECONDS = 300.0
"""A student's ``timestamp.txt`` this much earlier than the exchange's time is reported."""
NBGRADER_MAX_DIR_KB = 100000
"""nbgrader's default ``CourseDirectory.max_dir_size`` (kB): the largest hand-in collected."""
MAX_ENTRIES = 10000
"""Files and folders in one hand-in beyond which it is refused."""
MAX_DEPTH = 32
"""Folders nested deeper than this in one hand-in and it is refused."""

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
# O_NONBLOCK: a named pipe put in a file's place does not block the open
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC


class RefusedHandin(Exception):
    """A hand-in that is not collected; ``str()`` is the plain reason for the lecturer."""


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
        Seconds after the due date of the hand-in collected in this run (None without a due
        date, when on time, or for a hand-in not collected now: an older one is not graded).
    refused
        Why it was not collected although it is the student's own (a link, a device, too big;
        '' if it was not refused).
    tz
        The course's time zone, in which :func:`describe` shows times (UTC when None).
    replaced
        What this hand-in replaced in ``submitted/`` that the kit cannot vouch for ('' if
        nothing; see :func:`collect`).
    """

    student: str
    owner: str
    folder: Path
    handed_in: datetime
    claimed: datetime | None
    collected: bool = False
    problem: str = ""
    late_by: float | None = None
    refused: str = ""
    tz: tzinfo | None = None
    replaced: str = ""

    @property
    def impostor(self) -> bool:
        """The folder names a student other than its owner."""
        return self.owner != self.student


def _shown(name: str) -> str:
    """A file name as the lecturer can read it (odd bytes and control characters escaped)."""
    raw = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in raw)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _user(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _check_entry(st: os.stat_result, where: str, uid: int | None) -> None:
    """Refuse anything but a folder or an ordinary file with one name, owned by ``uid``."""
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        pass
    elif not stat.S_ISREG(mode):
        raise RefusedHandin(f"{where} is {_kind(mode)}")
    elif st.st_nlink > 1:
        raise RefusedHandin(f"{where} is a hard link (one file with {st.st_nlink} names, "
                            "possibly someone else's)")
    if uid is not None and st.st_uid != uid:
        raise RefusedHandin(f"{where} belongs to the user {_user(st.st_uid)}")


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, stat.S_IFMT(a.st_mode)) == (b.st_dev, b.st_ino,
                                                             stat.S_IFMT(b.st_mode))


class _Walk:
    """One pass over a hand-in folder by open file descriptors, copying into ``dest`` if given."""

    def __init__(self, uid: int | None, limit: int, dest: Path | None) -> None:
        self.uid = uid
        self.limit = limit
        self.dest = dest
        self.size = 0
        self.entries = 0
        self.latest = 0.0

    def seen(self, st: os.stat_result) -> None:
        self.latest = max(self.latest, st.st_ctime)
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise RefusedHandin(f"it holds more than {MAX_ENTRIES} files and folders")

    def folder(self, dir_fd: int, rel: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise RefusedHandin(f"{_shown(rel)} is nested more than {MAX_DEPTH} folders deep")
        for name in sorted(os.listdir(dir_fd)):
            where = _shown(f"{rel}/{name}" if rel else name)
            before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            _check_entry(before, where, self.uid)
            self.seen(before)
            target = None if self.dest is None else self.dest / rel / name
            flags = _DIR_FLAGS if stat.S_ISDIR(before.st_mode) else _FILE_FLAGS
            try:
                fd = os.open(name, flags, dir_fd=dir_fd)
            except OSError as exc:  # ELOOP: it became a link; ENXIO etc.: it became a pipe
                raise RefusedHandin(f"{where} changed while it was read "
                                    f"({exc.strerror or exc})") from None
            try:
                now = os.fstat(fd)
                if not _same(before, now):
                    raise RefusedHandin(f"{where} changed while it was read")
                _check_entry(now, where, self.uid)
                self.latest = max(self.latest, now.st_ctime)
                if stat.S_ISDIR(now.st_mode):
                    if target is not None:
                        target.mkdir(mode=0o755)
                    self.folder(fd, f"{rel}/{name}" if rel else name, depth + 1)
                else:
                    self.file(fd, now, where, target)
            finally:
                os.close(fd)

    def file(self, fd: int, st: os.stat_result, where: str, target: Path | None) -> None:
        self.size += st.st_size
        if self.size > self.limit:
            raise RefusedHandin(f"it is larger than {self.limit // 1_000_000} MB "
                                "(nbgrader's CourseDirectory.max_dir_size)")
        if target is None:
            return
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o644)
        try:
            copied = 0
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                if self.size - st.st_size + copied > self.limit:
                    raise RefusedHandin(f"{where} grew while it was read beyond the size limit")
                os.write(out, chunk)
        finally:
            os.close(out)
        after = os.fstat(fd)
        if after.st_nlink != 1 or after.st_ctime != st.st_ctime:
            raise RefusedHandin(f"{where} changed while it was read")


def _open_handin(folder: Path) -> tuple[int, os.stat_result]:
    before = os.lstat(folder)
    if not stat.S_ISDIR(before.st_mode):
        raise RefusedHandin(f"the hand-in {_shown(folder.name)} is {_kind(before.st_mode)}, "
                            "not a folder")
    try:
        fd = os.open(folder, _DIR_FLAGS)
    except OSError as exc:
        raise RefusedHandin(f"the hand-in folder cannot be opened ({exc.strerror or exc})"
                            ) from None
    now = os.fstat(fd)
    if not _same(before, now):
        os.close(fd)
        raise RefusedHandin("the hand-in folder changed while it was read")
    return fd, now


def copy_handin(folder: str | Path, dest: str | Path | None, *, uid: int | None = None,
                limit: int = NBGRADER_MAX_DIR_KB * 1000) -> datetime:
    """Copy a hand-in folder's ordinary files, refusing links, devices and pipes; or only check it.

    Parameters
    ----------
    folder
        A submission folder in the exchange's ``inbound/``.
    dest
        A folder that does not exist yet: it is created and the files are copied into it
        (mode 0644, folders 0755, as ``nbgrader submit`` leaves them). When the hand-in is
        refused, nothing is left there. ``None`` only checks the hand-in and measures its time.
    uid
        The Unix user every file and folder must belong to (``None``: any).
    limit
        The largest total size in bytes.

    Returns
    -------
    datetime.datetime
        The exchange's time of the hand-in (the latest change time, UTC).

    Raises
    ------
    RefusedHandin
        With the reason in plain words, when anything in it is not an ordinary file or folder
        with one name owned by ``uid``, when it is too large or too deep, or changed while read.
    """
    folder = Path(folder)
    fd, st = _open_handin(folder)
    walk = _Walk(uid, limit, None if dest is None else Path(dest))
    try:
        _check_entry(st, "the hand-in folder", uid)
        walk.latest = st.st_ctime
        if walk.dest is not None:
            walk.dest.mkdir(mode=0o755)
        try:
            walk.folder(fd, "", 0)
        except BaseException:
            if walk.dest is not None:
                shutil.rmtree(walk.dest, ignore_errors=True)
            raise
        walk.latest = max(walk.latest, os.fstat(fd).st_ctime)
    finally:
        os.close(fd)
    return datetime.fromtimestamp(walk.latest, tz=UTC)


def exchange_time(folder: Path) -> datetime:
    """The exchange's time of a hand-in: the latest change time of the folder and its files (UTC).

    Links are not followed: a link's own change time counts, not its target's. Only the first
    :data:`MAX_ENTRIES` entries are looked at (a larger hand-in is refused by :func:`copy_handin`).

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
    top = os.lstat(folder)
    latest = top.st_ctime
    # one folder at a time from a list (no recursion: any depth), at most MAX_ENTRIES entries
    pending = [os.fsencode(folder)] if stat.S_ISDIR(top.st_mode) else []
    seen = 0
    while pending and seen <= MAX_ENTRIES:
        here = pending.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            latest = max(latest, st.st_ctime)
            if stat.S_ISDIR(st.st_mode):
                pending.append(entry.path)
    return datetime.fromtimestamp(latest, tz=UTC)


def _claimed(folder: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, _FILE_FLAGS)
        try:
            text = os.read(fd, 200).decode("utf-8")
        finally:
            os.close(fd)
        value = parse_utc(text.strip())
    except (OSError, ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _existing(course_root: Path, assignment: str, student: str) -> tuple[datetime | None, str]:
    """The hand-in time of what ``submitted/`` holds for a student, if the kit wrote it.

    Only a ``timestamp.txt`` the kit wrote for the folder as it is (``collect``, ``import-zip``,
    ``set-time``: :func:`~.handin_times.check_time`) counts; a folder copied in by hand may carry
    a time the student wrote. Returns the time (None when there is none that counts) and, for a
    folder whose time does not count, why (``''`` otherwise).
    """
    from .handin_times import check_time

    dest = course_root / "submitted" / student / assignment
    if not dest.is_dir():
        return None, ""
    verdict = check_time(course_root, assignment, student)
    if verdict != "checked":
        return None, verdict
    return _claimed(dest), ""


def _duedate(db_url: str, course_id: str, assignment: str) -> datetime | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except MissingEntry:
            return None
    return None if due is None else due.replace(tzinfo=UTC)


def _found(inbound: Path, assignment: str, tz: tzinfo | None = None) -> list[Handin]:
    found = []
    for name in sorted(os.listdir(inbound)):
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment:
            continue
        folder = inbound / name
        try:
            st = os.lstat(folder)
        except OSError:
            continue  # removed meanwhile
        h = Handin(student=parts[0], owner=_user(st.st_uid), folder=folder,
                   handed_in=exchange_time(folder), claimed=None, tz=tz)
        if stat.S_ISDIR(st.st_mode):
            h.claimed = _claimed(folder)
        else:
            h.refused = (f"the hand-in {_shown(name)} is {_kind(st.st_mode)}, not a folder")
        found.append(h)
    return found


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
        the same student, those refused (``refused``: a link, device, pipe or socket in it, or
        too large; never collected, the student's previous hand-in stays) and those handed in
        under another student's name (``impostor``, never collected).

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
    limit = int(cfg.CourseDirectory.get("max_dir_size", NBGRADER_MAX_DIR_KB)) * 1000
    inbound = root / course_id / "inbound"
    if not inbound.is_dir():
        raise InvalidInputError(
            f"no inbound folder {inbound} in the exchange: release the assignment first, or set "
            "c.Exchange.root in nbgrader_config.py to the hub's exchange"
        )
    tz = course_timezone(cfg)
    found = _found(inbound, assignment, tz)
    due = _duedate(db_url, course_id, assignment)
    own: dict[str, list[Handin]] = {}
    for h in found:
        if h.impostor:
            h.problem = (f"handed in under {_shown(h.student)}'s name by the user "
                         f"{_shown(h.owner)}; not collected")
            continue
        if h.claimed is not None and (h.handed_in - h.claimed).total_seconds() > BACKDATED_SECONDS:
            h.problem = (f"timestamp.txt says {_show(h.claimed, tz)}, the exchange "
                         f"received it at {_show(h.handed_in, tz)}; the exchange's time is used")
        own.setdefault(h.student, []).append(h)
    file_newest(course_dir, course_root, assignment, own, due, "the exchange",
                lambda h, dest: _take(h, dest, limit))
    return sorted(found, key=lambda h: (h.student, h.handed_in))


def file_newest(course_dir: str | Path, course_root: Path, assignment: str,
                own: dict[str, list[Handin]], due: datetime | None, source: str,
                take: Callable[[Handin, Path], bool]) -> None:
    """File each student's newest hand-in that is not refused into ``submitted/``.

    Shared by the folder exchange and ngshare: ``own`` holds each student's hand-ins, ``take``
    copies one into its destination (or sets ``refused``), ``source`` names where it came from
    in the lecturer's messages. Marks given to a version being replaced are remembered as
    stale, what ``submitted/`` holds counts only if the kit wrote its time, each time filed is
    recorded, and the hand-in filed now gets ``late_by`` when it came after ``due``.
    """
    from .handin_times import record_time

    for handins in own.values():
        handins.sort(key=lambda h: h.handed_in, reverse=True)
    replaced = []
    for student, handins in own.items():
        dest = course_root / "submitted" / student / assignment
        existing, _ = _existing(course_root, assignment, student)
        if dest.exists() and (existing is None or handins[0].handed_in > existing):
            replaced.append(student)
    # written marks given to the version being replaced become stale (see feedback.check_marks)
    remember_marks(course_dir, assignment, replaced)
    for student, handins in own.items():
        dest = course_root / "submitted" / student / assignment
        for h in handins:  # newest first: the newest one that is not refused
            existing, unchecked = _existing(course_root, assignment, student)
            if existing is not None and existing >= h.handed_in:
                break  # already collected (this hand-in or a later one)
            if h.refused:
                continue
            if take(h, dest):
                if unchecked:
                    h.replaced = (
                        f"the hand-in that was in submitted/{_shown(student)}/{assignment}/ is "
                        f"replaced by this one from {source}: its time was {unchecked} "
                        "(to keep a hand-in you copy there, check its time and set it with "
                        "migdata-course set-time before collecting)")
                record_time(course_root, assignment, [student], "collect")
                break
        for h in handins:  # the one collected now: older hand-ins are not graded
            if h.collected and due is not None and h.handed_in > due:
                h.late_by = (h.handed_in - due).total_seconds()


def put_in_place(h: Handin, staging: Path, dest: Path) -> None:
    """Give a copied hand-in the received time (whatever its own files say) and move it to
    ``dest``, replacing what was there."""
    (staging / "timestamp.txt").unlink(missing_ok=True)
    (staging / "timestamp.txt").write_text(h.handed_in.strftime(TIME_FORMAT), encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    h.collected = True


def _take(h: Handin, dest: Path, limit: int) -> bool:
    """Copy one hand-in into ``dest`` (replacing it), or record why it is refused."""
    import secrets

    made = not dest.parent.exists()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.collecting-{secrets.token_hex(4)}"
    try:
        h.handed_in = max(h.handed_in, copy_handin(h.folder, staging,
                                                   uid=os.lstat(h.folder).st_uid, limit=limit))
    except (RefusedHandin, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if made:  # no trace of a refused hand-in: not even an empty folder for the student
            shutil.rmtree(dest.parent, ignore_errors=True)
        # OSError: e.g. removed by the student meanwhile; their next hand-in counts
        h.refused = str(exc) if isinstance(exc, RefusedHandin) else \
            f"it could not be read ({exc.strerror or exc})"
        return False
    put_in_place(h, staging, dest)
    return True


def describe(handins: list[Handin], assignment: str) -> list[str]:
    """Lines for the lecturer: one per student with a problem, refused, late or impostor hand-in."""
    lines = []
    for h in handins:
        notes = [h.problem] if h.problem else []
        if h.refused and not h.impostor:
            notes.append(f"the hand-in received {_show(h.handed_in, h.tz or UTC)} is not "
                         f"collected and not graded: {h.refused}. A hand-in may hold only "
                         "ordinary files; tell the student to hand in again")
        if h.replaced:
            notes.append(h.replaced)
        if h.late_by is not None and not h.impostor:
            notes.append(f"late by {_late_words(h.late_by)} (exchange time)")
        if notes:  # a folder name can hold anything: shown printable, on one line
            lines.append(f"{_shown(h.student)}: " + "; ".join(notes))
    return lines


def _show(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"



