"""Loading a course's ``nbgrader_config.py`` into a traitlets configuration."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from migdata.errors import InvalidInputError

__all__ = ["CONFIG_FILE", "DEFAULT_TIMEZONE", "complete_gradebook", "course_timezone",
           "ensure_tools_on_path", "load_config", "load_course", "parse_due", "set_due_date"]

CONFIG_FILE = "nbgrader_config.py"


def ensure_tools_on_path() -> None:
    """Put the running interpreter's ``bin`` folder first on ``PATH``.

    nbgrader runs the ``alembic`` executable to check the gradebook schema; inside a virtual
    environment that is not activated (``.venv/bin/python -m ...``) it would not be found.
    """
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def complete_gradebook(db_url: str) -> bool:
    """Finish a SQLite gradebook that nbgrader created without its version table.

    nbgrader creates the gradebook's tables first and then asks the ``alembic`` command for
    the schema version; when ``alembic`` was not on ``PATH`` (the formgrader opened from a
    virtual environment that was not activated) it failed there and left the tables without
    ``alembic_version``, which later nbgrader commands need. The tables are those of the
    installed nbgrader, so its current version is the right one to record.

    Returns
    -------
    bool
        True when the version table was added.
    """
    if not db_url.startswith("sqlite:///"):
        return False
    path = Path(db_url[len("sqlite:///"):])
    if not path.is_file():
        return False
    import sqlite3

    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables or "alembic_version" in tables:
            return False
        from nbgrader.api import get_alembic_version

        ensure_tools_on_path()
        version = get_alembic_version()
        with con:
            con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            con.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
        return True
    finally:
        con.close()


def load_config(course_dir: str | Path, *, timeout: int | None = None) -> Config:
    """Read the course configuration.

    Parameters
    ----------
    course_dir
        The folder holding ``nbgrader_config.py`` (the course root unless the file sets
        ``CourseDirectory.root``).
    timeout
        Overrides ``Execute.timeout`` (seconds a cell may run) when given.

    Returns
    -------
    traitlets.config.Config
        The configuration, with ``CourseDirectory.root`` absolute.
    """
    course_dir = Path(course_dir).resolve()
    config_file = course_dir / CONFIG_FILE
    if not config_file.is_file():
        raise InvalidInputError(
            f"no {CONFIG_FILE} in course directory {course_dir}; expected the lecturer's course "
            "folder (the repository's autograder/, or one made by copying it)"
        )
    ensure_tools_on_path()
    cfg = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()
    root = cfg.CourseDirectory.get("root", str(course_dir))
    cfg.CourseDirectory.root = str((course_dir / root).resolve())
    complete_gradebook(cfg.CourseDirectory.get(
        "db_url", "sqlite:///" + str(Path(cfg.CourseDirectory.root) / "gradebook.db")))
    if timeout is not None:
        if timeout <= 0:
            raise InvalidInputError(f"timeout must be a positive number of seconds, got {timeout}")
        cfg.Execute.timeout = int(timeout)
    return cfg


def load_course(course_dir: str | Path, *, timeout: int | None = None):
    """The nbgrader ``CourseDirectory`` of a course folder (see :func:`load_config`)."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=load_config(course_dir, timeout=timeout))


DEFAULT_TIMEZONE = "Asia/Baku"
"""The course's time zone unless ``c.MigdataCourse.timezone`` in ``nbgrader_config.py`` says
otherwise (Baku is UTC+4 all year)."""


def course_timezone(cfg: Config) -> ZoneInfo:
    """The course's time zone (``c.MigdataCourse.timezone``, default :data:`DEFAULT_TIMEZONE`)."""
    from zoneinfo import ZoneInfoNotFoundError

    name = DEFAULT_TIMEZONE
    if "MigdataCourse" in cfg and cfg.MigdataCourse.get("timezone"):
        name = str(cfg.MigdataCourse.timezone)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"c.MigdataCourse.timezone = {name!r} is not a time zone; expected an IANA name "
            "such as 'Asia/Baku'"
        ) from exc


def parse_due(text: str, tz: ZoneInfo) -> datetime:
    """A due date as the lecturer writes it, in the course's time zone unless it names one.

    Parameters
    ----------
    text
        ``2026-03-02 20:00`` (read in ``tz``), or with an offset (``2026-03-02T20:00+04:00``).
    tz
        The course's time zone (``c.MigdataCourse.timezone``, Asia/Baku by default).

    Returns
    -------
    datetime
        The due date, aware, in UTC.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInputError(
            f"due date {text!r} is not a date and time; expected 'YYYY-MM-DD HH:MM' (in the "
            "course's time zone) or with an offset ('2026-03-02 20:00+04:00')") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def set_due_date(course_dir: str | Path, assignment: str, text: str) -> datetime:
    """Record an assignment's due date in the gradebook, where nbgrader reads it.

    nbgrader compares each hand-in's ``timestamp.txt`` with this date when it autogrades:
    late hand-ins get the late penalty of ``c.LateSubmissionPlugin.penalty_method``. Run
    ``autograde`` (with ``--force`` for those already graded) after changing it.

    Returns
    -------
    datetime
        The due date (aware, UTC).
    """
    from nbgrader.api import Gradebook

    cfg = load_config(course_dir)
    due = parse_due(text, course_timezone(cfg))
    root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(root / "gradebook.db"))
    with Gradebook(db_url, cfg.CourseDirectory.get("course_id", "")) as gb:
        gb.update_or_create_assignment(assignment, duedate=due.replace(tzinfo=None))
    return due
