"""Loading a course's ``nbgrader_config.py`` into a traitlets configuration."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from migdata.errors import InvalidInputError

__all__ = ["CONFIG_FILE", "ensure_tools_on_path", "load_config", "load_course"]

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
    if timeout is not None:
        if timeout <= 0:
            raise InvalidInputError(f"timeout must be a positive number of seconds, got {timeout}")
        cfg.Execute.timeout = int(timeout)
    return cfg


def load_course(course_dir: str | Path, *, timeout: int | None = None):
    """The nbgrader ``CourseDirectory`` of a course folder (see :func:`load_config`)."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=load_config(course_dir, timeout=timeout))
