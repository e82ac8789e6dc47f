"""Hand-ins through ngshare, the exchange of a JupyterHub whose users share no folder.

With ngshare (PyPI ``ngshare``, a JupyterHub service) every user's nbgrader talks to a REST API
through ``ngshare_exchange`` instead of copying files into a folder. ngshare knows who calls it
from the hub's token (``JUPYTERHUB_API_TOKEN``, set in every user's server and its terminals), so:

* a hand-in is recorded under the name of the user whose token sent it: nobody hands in under
  another student's name, and there is no folder whose owner ``collect`` would have to check;
* the **hand-in time** is ngshare's own (its clock, when it stored the hand-in). Files a student
  sends cannot change it; ``timestamp.txt`` in ``submitted/`` is written with it (UTC);
* only a course's instructors list and download hand-ins, and a student downloads only their own
  feedback (ngshare answers anybody else with 403).

What this module adds to nbgrader's own route (``ngshare_exchange``'s collect, which trusts the
paths and sizes it receives and reports no late work): the newest hand-in of each student is
downloaded, its paths are checked (relative, no ``..``), its size is capped as nbgrader's
``CourseDirectory.max_dir_size`` caps a folder hand-in, late work is reported against the
gradebook's due date, and marks given to a replaced version become stale (as for the folder
exchange, :mod:`migdata.grading.exchange`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from migdata.errors import InvalidInputError, MigdataError

from .exchange import (
    MAX_DEPTH,
    MAX_ENTRIES,
    NBGRADER_MAX_DIR_KB,
    Handin,
    RefusedHandin,
    _duedate,
    file_newest,
    put_in_place,
)

__all__ = ["NgshareError", "collect_ngshare", "ngshare_api", "ngshare_url", "parse_ngshare_time",
           "release_feedback", "released_assignments", "uses_ngshare", "write_files"]

NGSHARE_MODULE = "ngshare_exchange"
"""The package whose exchange classes make a course use ngshare."""
TIMEOUT = 120
"""Seconds one request to ngshare may take."""


class NgshareError(MigdataError):
    """ngshare refused a request or could not be reached; ``str()`` says which and why."""


def _module_of(value: object) -> str:
    if isinstance(value, str):
        return value.rpartition(".")[0]
    return getattr(value, "__module__", "") or ""


def uses_ngshare(cfg) -> bool:
    """Whether a course's nbgrader configuration sends its exchange through ``ngshare_exchange``.

    Parameters
    ----------
    cfg : traitlets.config.Config
        The course's configuration (:func:`migdata.grading.config.load_config`).

    Returns
    -------
    bool
        True when ``ExchangeFactory.exchange`` (or ``.collect``) is one of ``ngshare_exchange``'s
        classes, as ``ngshare_exchange.configureExchange(c, url)`` sets them.
    """
    if "ExchangeFactory" not in cfg:
        return False
    factory = cfg.ExchangeFactory
    return any(_module_of(factory[key]).split(".")[0] == NGSHARE_MODULE
               for key in ("exchange", "collect") if key in factory)


def ngshare_url(cfg) -> str:
    """The address of ngshare's API that the course's ``ngshare_exchange`` uses.

    Parameters
    ----------
    cfg : traitlets.config.Config
        The course's configuration; it must use ngshare (:func:`uses_ngshare`).

    Returns
    -------
    str
        For example ``http://127.0.0.1:8000/services/ngshare`` (no trailing slash).

    Raises
    ------
    InvalidInputError
        When the configuration does not say where ngshare is.
    """
    from traitlets.utils.importstring import import_item

    exchange = cfg.ExchangeFactory.get("exchange", f"{NGSHARE_MODULE}.Exchange")
    cls = import_item(exchange) if isinstance(exchange, str) else exchange
    try:
        url = cls(config=cfg).ngshare_url
    except ValueError as exc:
        raise InvalidInputError(
            f"nbgrader_config.py uses ngshare but does not say where it is ({exc}); write "
            "configureExchange(c, 'http://<hub>/services/ngshare') in it") from None
    return str(url).rstrip("/")


def ngshare_api(cfg, method: str, path: str, **kwargs) -> dict:
    """One request to ngshare as the user whose hub token is ``$JUPYTERHUB_API_TOKEN``.

    Parameters
    ----------
    cfg : traitlets.config.Config
        The course's configuration (it says where ngshare is).
    method
        ``"GET"``, ``"POST"`` or ``"DELETE"``.
    path
        The API path, e.g. ``/submissions/<course>/<assignment>``; each part is URL-quoted.
    **kwargs
        Passed to :func:`requests.request` (``params``, ``data``).

    Returns
    -------
    dict
        ngshare's JSON answer (``success`` is true).

    Raises
    ------
    NgshareError
        When no token is set, ngshare cannot be reached, or it refuses (its message is kept).
    """
    from urllib.parse import quote

    import requests

    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not token:
        raise NgshareError(
            "JUPYTERHUB_API_TOKEN is not set: ngshare knows its users by their JupyterHub "
            "token. Run this in a terminal of your server on the hub (it sets the token)")
    url = ngshare_url(cfg) + quote(path, safe="/")
    try:
        r = requests.request(method, url, headers={"Authorization": f"token {token}"},
                             timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise NgshareError(f"ngshare at {ngshare_url(cfg)} cannot be reached: {exc}") from None
    try:
        answer = r.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not answer.get("success"):
        why = answer.get("message") if isinstance(answer, dict) else r.text[:200].strip()
        raise NgshareError(f"ngshare refused {method} {path} (HTTP {r.status_code}): "
                           f"{why or 'no reason given'}")
    return answer


def parse_ngshare_time(text: str) -> datetime:
    """An ngshare timestamp (UTC, ``2026-12-07 17:50:01.123456``, maybe with `` UTC``) as UTC."""
    from nbgrader.utils import parse_utc

    value = parse_utc(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _safe_parts(raw: object) -> tuple[str, ...]:
    """The parts of a relative path from ngshare, refusing anything that could leave the folder."""
    if not isinstance(raw, str) or not raw or "\x00" in raw or "\\" in raw:
        raise RefusedHandin(f"it holds a file with the name {raw!r}, which is not allowed")
    parts = tuple(raw.split("/"))  # as ngshare's own check: no empty, '.' or '..' part
    if any(p in ("", ".", "..") for p in parts):
        raise RefusedHandin(f"it holds a file with the path {raw!r}, outside its folder or "
                            "not a plain path")
    if len(parts) > MAX_DEPTH:
        raise RefusedHandin(f"{raw!r} is nested more than {MAX_DEPTH} folders deep")
    return parts


def write_files(files: list, dest: Path, limit: int) -> None:
    """Write ngshare's file list (``path``, base64 ``content``) into the new folder ``dest``.

    Raises
    ------
    RefusedHandin
        For a path outside the folder, undecodable content, too many files or too large a
        total; nothing is left in ``dest`` then.
    """
    if not isinstance(files, list):
        raise RefusedHandin("ngshare sent no file list")
    if len(files) > MAX_ENTRIES:
        raise RefusedHandin(f"it holds more than {MAX_ENTRIES} files")
    dest.mkdir(mode=0o755)
    size = 0
    try:
        for entry in files:
            parts = _safe_parts(entry.get("path") if isinstance(entry, dict) else None)
            try:
                content = base64.b64decode(entry.get("content") or "", validate=False)
            except (binascii.Error, ValueError, TypeError):
                raise RefusedHandin(f"{'/'.join(parts)} could not be decoded") from None
            size += len(content)
            if size > limit:
                raise RefusedHandin(f"it is larger than {limit // 1_000_000} MB "
                                    "(nbgrader's CourseDirectory.max_dir_size)")
            target = dest.joinpath(*parts)
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
    except FileExistsError:
        shutil.rmtree(dest, ignore_errors=True)
        raise RefusedHandin("it names one file twice") from None
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def collect_ngshare(course_dir: str | Path, assignment: str) -> list[Handin]:
    """Copy each student's newest hand-in from ngshare into ``submitted/``.

    Parameters
    ----------
    course_dir
        Course folder whose ``nbgrader_config.py`` uses ngshare (:func:`uses_ngshare`).
    assignment
        Assignment id.

    Returns
    -------
    list of Handin
        Every hand-in ngshare lists, sorted by student then time (``owner`` is the student:
        ngshare records the hub user who sent it). ``collected`` is set on the one copied (each
        student's newest that is not refused), ``refused`` on one that could not be copied (a
        path outside its folder, too large), ``late_by`` on the one copied when it came after
        the gradebook's due date.

    Raises
    ------
    NgshareError
        When ngshare refuses (e.g. the course or assignment is unknown to it, or the caller
        is not the course's instructor) or cannot be reached.
    """
    from .config import load_config

    cfg = load_config(course_dir)
    course_id = cfg.CourseDirectory.get("course_id", "")
    if not course_id:
        raise InvalidInputError("nbgrader_config.py sets no CourseDirectory.course_id: ngshare "
                                "keeps hand-ins per course")
    course_root = Path(cfg.CourseDirectory.root)
    db_url = cfg.CourseDirectory.get("db_url", "sqlite:///" + str(course_root / "gradebook.db"))
    limit = int(cfg.CourseDirectory.get("max_dir_size", NBGRADER_MAX_DIR_KB)) * 1000
    listed = ngshare_api(cfg, "GET", f"/submissions/{course_id}/{assignment}")
    found: list[Handin] = []
    for item in listed.get("submissions", []):
        student, stamp = str(item["student_id"]), str(item["timestamp"])
        place = PurePosixPath("ngshare", course_id, assignment, student, stamp)
        found.append(Handin(student=student, owner=student, folder=Path(place),
                            handed_in=parse_ngshare_time(stamp), claimed=None))
    own: dict[str, list[Handin]] = {}
    for h in found:
        own.setdefault(h.student, []).append(h)
    file_newest(course_dir, course_root, assignment, own, _duedate(db_url, course_id, assignment),
                "ngshare", lambda h, dest: _take(cfg, course_id, assignment, h, dest, limit))
    return sorted(found, key=lambda h: (h.student, h.handed_in))


def _take(cfg, course_id: str, assignment: str, h: Handin, dest: Path, limit: int) -> bool:
    """Download one hand-in into ``dest`` (replacing it), or record why it is refused."""
    import secrets

    stamp = PurePosixPath(h.folder).name
    got = ngshare_api(cfg, "GET", f"/submission/{course_id}/{assignment}/{h.student}",
                      params={"timestamp": stamp})
    if parse_ngshare_time(str(got.get("timestamp", stamp))) != h.handed_in:
        h.refused = "ngshare sent another hand-in than the one asked for"
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.collecting-{secrets.token_hex(4)}"
    try:
        write_files(got.get("files"), staging, limit)
    except (RefusedHandin, OSError) as exc:
        h.refused = str(exc) if isinstance(exc, RefusedHandin) else \
            f"it could not be written ({exc.strerror or exc})"
        return False
    put_in_place(h, staging, dest)  # ngshare's time, whatever the student's files hold
    return True


def released_assignments(cfg) -> list[str]:
    """The assignments ngshare holds for the course (what students can fetch)."""
    course_id = cfg.CourseDirectory.get("course_id", "")
    return [str(a) for a in ngshare_api(cfg, "GET", f"/assignments/{course_id}")
            .get("assignments", [])]


def release_feedback(course_dir: str | Path, assignment: str
                     ) -> tuple[list[str], dict[str, str]]:
    """Upload each student's feedback pages to ngshare, filed under the hand-in they grade.

    ngshare keeps feedback per hand-in, found by the hand-in's time: ``timestamp.txt``, which
    :func:`collect_ngshare` wrote and nbgrader carries into ``feedback/``. One student's failure
    is reported and the others are released (as :func:`migdata.grading.feedback.release_each`).

    Returns
    -------
    tuple
        The students released, and student -> why their feedback could not be released.
    """
    from .config import load_config

    cfg = load_config(course_dir)
    root = Path(cfg.CourseDirectory.root)
    course_id = cfg.CourseDirectory.get("course_id", "")
    released, failed = [], {}
    for folder in sorted((root / "feedback").glob(f"*/{assignment}")):
        student = folder.parent.name
        pages = sorted(folder.glob("*.html"))
        if not pages:
            continue
        stamp = folder / "timestamp.txt"
        if not stamp.is_file():
            failed[student] = (
                f"no timestamp.txt in feedback/{student}/{assignment}/: this hand-in did not "
                "come through ngshare (copied by hand, or from Moodle), so ngshare has no "
                "hand-in to file the feedback under. Give the student "
                f"feedback/{student}/{assignment}/ another way (e-mail, Moodle's feedback zip: "
                "export --moodle-feedback-zip)")
            continue
        files = [{"path": page.name, "content": base64.b64encode(page.read_bytes()).decode()}
                 for page in pages]
        try:
            ngshare_api(cfg, "POST", f"/feedback/{course_id}/{assignment}/{student}",
                        data={"timestamp": stamp.read_text(encoding="utf-8").strip(),
                              "files": json.dumps(files)})
        except NgshareError as exc:
            failed[student] = str(exc)
            continue
        released.append(student)
    return released, failed
