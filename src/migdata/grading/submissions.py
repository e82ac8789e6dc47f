"""What is in a student's hand-in, read as plain data, and the notebook the grader runs from it.

A hand-in is never run. The grader reads each expected notebook file as JSON (a regular file,
bounded in size, read without following links), takes the text of every answer cell with
:func:`migdata.answers.answers_in` and the text of every written (Markdown) answer, and builds the
notebook nbgrader grades **from the released notebook's cells only** (:func:`graded_notebook`):

* every cell of the released notebook, in its order, with its nbgrader metadata (nbgrader restores
  the locked and test cells, hidden tests included, from its gradebook anyway);
* each answer cell replaced by one line the grader writes,
  ``from migdata.answers.saved import record; record('A1', '62 144')``, where both strings are
  Python literals made with :func:`repr` (the answer text is never parsed as code);
* each written answer carried as Markdown (never executed);
* every other cell of the hand-in dropped.

Whatever a hand-in folder holds -- invalid JSON, other JSON types anywhere, a huge file, deep
nesting, file names that are not UTF-8, links, devices, pipes -- the functions here return a
finding with a plain reason and never raise for its content.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers import answers_in, parse_header
from ..answers.cells import cell_text

__all__ = [
    "MAX_ENTRIES",
    "MAX_NOTEBOOK_BYTES",
    "MAX_WRITTEN_CHARS",
    "Inspection",
    "answer_line",
    "fingerprint",
    "graded_notebook",
    "inspect_submission",
    "plain_text",
    "read_notebook",
]

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
"""Largest notebook file read (bytes). A course notebook saved with its outputs is far smaller."""

MAX_WRITTEN_CHARS = 20_000
"""Longest written answer carried into the graded notebook (characters); the rest is cut, with
a note saying so."""

MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
"""Largest image pasted into a written answer that is carried into the graded notebook (bytes,
decoded); at most :data:`MAX_ATTACHMENTS` per answer."""

MAX_ATTACHMENTS = 5

#: Image types carried over, with the bytes each file of that type starts with. Never SVG: an SVG
#: image can carry script.
_IMAGE_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                "image/gif": (b"GIF87a", b"GIF89a")}

_ATTACHMENT_REF = re.compile(r"!\[[^\]\n]{0,500}\]\(\s*attachment:([^)\s]{1,200})[^)\n]{0,300}\)"
                             r"|attachment:([^)\s\"'<>]{1,200})")

_TIMESTAMP_BYTES = 200


@dataclass
class Inspection:
    """Findings about one hand-in folder, and the answers read from it.

    Attributes
    ----------
    exists
        Whether ``submitted/<student>/<assignment>`` exists (as a real folder).
    missing
        Expected notebooks not found.
    unexpected
        Other notebooks found (renamed copies, usually).
    invalid
        Notebook file name -> why it cannot be read as a notebook (plain words).
    unsafe
        Entries the grader will not read: links, devices, pipes, sockets, a notebook with
        several hard links (names shown with undecodable bytes escaped).
    notebooks
        Notebook file name -> its parsed JSON (only for notebooks read).
    timestamp
        The submission time as written in ``timestamp.txt``, if it is a short readable text.
    secret
        nbgrader's ``submission_secret.txt`` (feedback release needs it), if short and printable.
    """

    exists: bool
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    unsafe: list[str] = field(default_factory=list)
    notebooks: dict[str, Any] = field(default_factory=dict, repr=False)
    timestamp: str | None = None
    secret: str | None = None

    @property
    def renamed(self) -> bool:
        """An expected notebook is absent while a notebook of another name is present."""
        return bool(self.missing and self.unexpected)


def _shown(name: bytes | str) -> str:
    """A file name as text a lecturer can read (bytes that are not UTF-8 escaped)."""
    if isinstance(name, bytes):
        return name.decode("utf-8", "backslashreplace")
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str | None:
    """What an entry is, in words, unless it is a regular file or a folder."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a pipe (fifo)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "a special file"


MAX_ENTRIES = 10_000
"""Most entries read in one folder of a hand-in; a folder holding more is refused as a whole."""


def _walk(folder: bytes, depth: int = 0,
          crowded: list[bytes] | None = None) -> list[tuple[bytes, os.stat_result]]:
    """Every entry under ``folder`` (names as bytes, relative), never following a link.

    A folder with more than :data:`MAX_ENTRIES` entries is listed only in part; its name
    (relative, ``b""`` for ``folder`` itself) is added to ``crowded``.
    """
    out: list[tuple[bytes, os.stat_result]] = []
    if depth > 20:
        return out
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return out
    if len(entries) > MAX_ENTRIES and crowded is not None:
        crowded.append(b"")
    for entry in entries[:MAX_ENTRIES]:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        out.append((entry.name, st))
        if stat.S_ISDIR(st.st_mode):
            inner: list[bytes] = []
            out += [(entry.name + b"/" + name, sub)
                    for name, sub in _walk(os.path.join(folder, entry.name), depth + 1, inner)]
            if crowded is not None:
                crowded += [(entry.name + b"/" + name).rstrip(b"/") for name in inner]
    return out


def _read_regular(path: Path, limit: int) -> tuple[bytes | None, str]:
    """The bytes of a regular file (at most ``limit``), or (None, why not), links not followed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "it is a symbolic link, not a file"
        return None, f"it cannot be opened ({exc.strerror})"
    try:
        st = os.fstat(fd)
        kind = _kind(st.st_mode)
        if kind is not None:
            return None, f"it is {kind}, not a file"
        if st.st_nlink > 1:
            return None, "it is a hard link to another file, not a file of its own"
        if st.st_size > limit:
            return None, f"it is too large ({st.st_size:,} bytes; at most {limit:,} are read)"
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, f"it is too large (more than {limit:,} bytes)"
        return b"".join(chunks), ""
    finally:
        os.close(fd)


def plain_text(text: str) -> str:
    """``text`` made safe to encode as UTF-8: each lone surrogate (JSON allows ``"\\udc80"``)
    becomes U+FFFD; every other character is kept. The one place student text is made safe."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _plain_json(value: Any) -> Any:
    """Parsed JSON with every string (keys too) passed through :func:`plain_text`, in place."""
    if isinstance(value, str):
        return plain_text(value)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            for i, sub in enumerate(item):
                if isinstance(sub, str):
                    item[i] = plain_text(sub)
                elif isinstance(sub, (list, dict)):
                    stack.append(sub)
        elif isinstance(item, dict):
            for key in list(item):
                sub = item[key]
                if isinstance(key, str) and plain_text(key) != key:
                    del item[key]
                    key = plain_text(key)
                if isinstance(sub, str):
                    sub = plain_text(sub)
                elif isinstance(sub, (list, dict)):
                    stack.append(sub)
                item[key] = sub
    return value


def read_notebook(path: Path, *, limit: int = MAX_NOTEBOOK_BYTES) -> tuple[Any, str]:
    """A notebook file's parsed JSON, or (None, a plain reason); never raises for its content.

    Only a regular file with one link is read (no symbolic link, hard link, device or pipe), at
    most ``limit`` bytes, as UTF-8 JSON whose top level is an object.
    """
    data, why = _read_regular(Path(path), limit)
    if data is None:
        return None, why
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "it is not text (not UTF-8): not a notebook"
    try:
        parsed = json.loads(text)
    except RecursionError:
        return None, "its JSON is nested too deeply to be a notebook"
    except MemoryError:
        return None, "it is too large to read as a notebook"
    except ValueError as exc:
        return None, f"it is not valid JSON (a notebook is JSON): {str(exc)[:80]}"
    parsed = _plain_json(parsed)  # lone surrogates replaced: every string can be written
    if not isinstance(parsed, dict):
        return None, "its JSON is not a notebook (no cells at the top level)"
    if not isinstance(parsed.get("cells"), list):
        return None, "it has no list of cells: not a notebook"
    return parsed, ""


def fingerprint(folder: Path) -> str | None:
    """SHA-256 over the names, kinds and bytes of what ``folder`` holds (None if no folder).

    Links, devices and pipes are never followed or read: their name and kind count. Used to
    tell whether a hand-in changed since it was last graded.
    """
    root = os.fsencode(Path(folder))
    try:
        if not stat.S_ISDIR(os.lstat(root).st_mode):
            return None
    except OSError:
        return None
    digest = hashlib.sha256()
    for name, st in _walk(root):
        digest.update(name + b"\0" + str(stat.S_IFMT(st.st_mode)).encode() + b"\0")
        if stat.S_ISREG(st.st_mode):
            data, why = _read_regular(Path(os.fsdecode(os.path.join(root, name))),
                                      MAX_NOTEBOOK_BYTES)
            digest.update(data if data is not None else f"{st.st_size}:{why}".encode())
        elif stat.S_ISLNK(st.st_mode):
            try:
                digest.update(os.readlink(os.path.join(root, name)))
            except OSError:
                pass
        digest.update(b"\0")
    return digest.hexdigest()


def inspect_submission(folder: Path, released: Mapping[str, Path]) -> Inspection:
    """Check a hand-in folder against the released notebooks and read its notebooks.

    Parameters
    ----------
    folder
        ``submitted/<student>/<assignment>``.
    released
        Notebook file name -> path of the released (student) version.

    Returns
    -------
    Inspection
        What is missing, renamed, unreadable or unsafe, and the parsed notebooks.
    """
    root = os.fsencode(Path(folder))
    try:
        is_dir = stat.S_ISDIR(os.lstat(root).st_mode)
    except OSError:
        is_dir = False
    if not is_dir:
        return Inspection(exists=False, missing=sorted(released))
    crowded: list[bytes] = []
    entries = _walk(root, crowded=crowded)
    result = Inspection(exists=True)
    if crowded:
        result.unsafe.append(
            f"too many files: {_shown(crowded[0]) or 'the hand-in folder'} holds more than "
            f"{MAX_ENTRIES:,} (a hand-in is a few notebooks)")
        return result
    present = []
    for name, st in entries:
        kind = _kind(st.st_mode)
        if kind is not None:
            result.unsafe.append(f"{_shown(name)} ({kind})")
        elif stat.S_ISREG(st.st_mode) and st.st_nlink > 1 and name.endswith(b".ipynb"):
            result.unsafe.append(f"{_shown(name)} (a hard link to another file)")
        if b"/" not in name and name.endswith(b".ipynb") and kind is None:
            present.append(_shown(name))
    result.missing = sorted(set(released) - set(present))
    result.unexpected = sorted(set(present) - set(released))
    if result.unsafe:
        return result
    for name in sorted(set(released) & set(present)):
        parsed, why = read_notebook(Path(folder) / name)
        if parsed is None:
            result.invalid[name] = why
        else:
            result.notebooks[name] = parsed
    data, _ = _read_regular(Path(folder) / "timestamp.txt", _TIMESTAMP_BYTES)
    if data is not None:
        try:
            from nbgrader.utils import parse_utc

            text = data.decode("utf-8").strip()
            parse_utc(text)
            result.timestamp = text
        except Exception:  # any unreadable time is simply not used
            result.timestamp = None
    # nbgrader's submission secret (written at `nbgrader submit`): feedback release finds the
    # student's feedback by it. Short printable text only; anything else is not carried over.
    data, _ = _read_regular(Path(folder) / "submission_secret.txt", _TIMESTAMP_BYTES)
    if data is not None and data.strip() and data.strip().isascii() and all(
            32 < c < 127 for c in data.strip()):
        result.secret = data.strip().decode("ascii")
    return result


# ------------------------------------------------------------------------------------------------
# the notebook that is graded


def _meta(cell: object) -> dict:
    if not isinstance(cell, Mapping):
        return {}
    metadata = cell.get("metadata")
    nbg = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return dict(nbg) if isinstance(nbg, Mapping) else {}


def answer_line(qid: str, text: str) -> str:
    """The one trusted line that gives the grader's kernel the answer ``text`` to ``qid``."""
    return (f"from migdata.answers.saved import record; record({qid!r}, {text!r})"
            f"  # the answer to {qid} as saved in your notebook")


def _attachments(cell: Mapping) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The images pasted into a written answer that the grader carries over, and notes.

    Only PNG, JPEG and GIF images (checked by their first bytes, not only by the type they
    claim), valid base64, at most :data:`MAX_ATTACHMENT_BYTES` each and :data:`MAX_ATTACHMENTS`
    in all; anything else is left out with a note.
    """
    found = cell.get("attachments")
    kept: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    if not isinstance(found, Mapping):
        return kept, notes
    for name, bundle in list(found.items())[:100]:
        if len(kept) >= MAX_ATTACHMENTS:
            notes.append(f"more than {MAX_ATTACHMENTS} images: the others left out")
            break
        items = list(bundle.items()) if isinstance(bundle, Mapping) else []
        why = "not a PNG, JPEG or GIF image"
        for mime, data in items:
            if mime not in _IMAGE_MAGIC or not isinstance(data, str):
                continue
            if len(data) > MAX_ATTACHMENT_BYTES * 4 // 3 + 8:
                why = f"larger than {MAX_ATTACHMENT_BYTES:,} bytes"
                continue
            try:
                raw = base64.b64decode("".join(data.split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            if len(raw) > MAX_ATTACHMENT_BYTES:
                why = f"larger than {MAX_ATTACHMENT_BYTES:,} bytes"
            elif raw.startswith(_IMAGE_MAGIC[mime]):
                kept[str(name)] = {mime: base64.b64encode(raw).decode("ascii")}
                break
        else:
            notes.append(f"image {str(name)[:60]!r} left out: {why}")
    return kept, notes


def _with_images(text: str, kept: Mapping[str, object]) -> str:
    """``text`` with every reference to an image that was not carried over replaced by a note."""

    def note(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name in kept:
            return match.group(0)
        return f"*(image {name[:60]} not carried over by the grader)*"

    return _ATTACHMENT_REF.sub(note, text)


def _written_texts(student: object) -> dict[str, tuple[str, dict, list[str]]]:
    """Written answers (Markdown solution cells) of a hand-in, by grade id: the text, the
    images carried over (nbformat ``attachments``) and notes on images left out."""
    out: dict[str, tuple[str, dict, list[str]]] = {}
    cells = student.get("cells") if isinstance(student, Mapping) else None
    if not isinstance(cells, list):
        return out
    for cell in cells:
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if (not isinstance(gid, str) or gid in out or not isinstance(cell, Mapping)
                or cell.get("cell_type") != "markdown" or meta.get("solution") is not True):
            continue
        text = cell_text(cell)
        if text is not None:
            kept, notes = _attachments(cell)
            out[gid] = (text, kept, notes)
    return out


def _headerless_answers(student: object) -> dict[str, str]:
    """Texts of code cells that lost their ``%%answer`` line, by the cell's grade id.

    A student may delete an answer cell's first line by mistake; the cell keeps its nbgrader
    grade id, so its text can still be read (as text: nothing is run). The first such cell of
    a grade id is kept.
    """
    out: dict[str, str] = {}
    cells = student.get("cells") if isinstance(student, Mapping) else None
    if not isinstance(cells, list):
        return out
    for cell in cells:
        gid = _meta(cell).get("grade_id")
        if (not isinstance(gid, str) or gid in out or not isinstance(cell, Mapping)
                or cell.get("cell_type") != "code"):
            continue
        text = cell_text(cell)
        if text is not None and parse_header(text.lstrip().partition("\n")[0]) is None:
            out[gid] = text.strip()
    return out


def graded_notebook(release: Mapping[str, Any], student: object) -> tuple[dict, list[str]]:
    """The notebook nbgrader grades, built from the released notebook and a hand-in's answers.

    Parameters
    ----------
    release
        The released (student) version of the notebook, as JSON (trusted).
    student
        The hand-in's notebook as JSON (any JSON value; untrusted: only text is taken from it).

    Returns
    -------
    (dict, list of str)
        The notebook (nbformat 4 JSON) and notes for the lecturer in plain words (answers given
        twice, written answers cut short).
    """
    answers = answers_in(student)
    written = _written_texts(student)
    headerless = _headerless_answers(student)
    notes: list[str] = []
    for found in answers.values():
        notes += found.notes
    cells = []
    for cell in release["cells"]:
        meta = _meta(cell)
        new = json.loads(json.dumps(cell))  # a copy: the release is shared by all students
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if meta.get("solution") and cell["cell_type"] == "code":
            header = parse_header(source.lstrip().partition("\n")[0])
            if header is None:  # a solution cell that is not an answer cell: nothing is run
                new["source"] = "# (code cells are not graded: no code is run)"
            else:
                found = answers.get(header.qid)
                text = found.text if found else ""
                gid = meta.get("grade_id")
                if found is None and isinstance(gid, str) and headerless.get(gid):
                    # the student deleted the cell's %%answer line: its text is still the answer
                    text = headerless[gid]
                    notes.append(f"answer {header.qid}: its cell had lost the %%answer line; "
                                 "the cell's text was read as the answer")
                new["source"] = answer_line(header.qid, text)
            new["outputs"] = []
            new["execution_count"] = None
        elif meta.get("solution") and cell["cell_type"] == "markdown":
            gid = str(meta.get("grade_id"))
            if gid not in written:  # the released text, as released
                cells.append(new)
                continue
            text, kept, found_notes = written[gid]
            notes += [f"written answer {gid}: {n}" for n in found_notes]
            if len(text) > MAX_WRITTEN_CHARS:
                notes.append(f"written answer {gid} cut to {MAX_WRITTEN_CHARS:,} characters")
                text = text[:MAX_WRITTEN_CHARS] + "\n\n*(cut: the answer was longer)*"
            new["source"] = _with_images(text, kept)
            new.pop("attachments", None)
            if kept:
                new["attachments"] = kept
        cells.append(new)
    notebook = {key: json.loads(json.dumps(value)) for key, value in release.items()
                if key != "cells"}
    notebook["cells"] = cells
    return notebook, notes


def write_graded(folder: Path, inspection: Inspection, releases: Mapping[str, Path]) -> list[str]:
    """Write the graded notebooks of one hand-in (and its time stamp) into ``folder``.

    Returns the notes of :func:`graded_notebook` (one list for all notebooks).
    """
    folder.mkdir(parents=True, exist_ok=True)
    notes = []
    for name, path in releases.items():
        if name not in inspection.notebooks:
            continue
        release = json.loads(Path(path).read_text(encoding="utf-8"))
        notebook, found = graded_notebook(release, inspection.notebooks[name])
        notes += found
        (folder / name).write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    if inspection.timestamp:
        (folder / "timestamp.txt").write_text(inspection.timestamp, encoding="utf-8")
    if inspection.secret:
        (folder / "submission_secret.txt").write_text(inspection.secret, encoding="ascii")
    return notes
