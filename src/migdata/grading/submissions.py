"""What is in a student's submission folder, checked before any code runs.

nbgrader grades what it finds; these checks name, in words a lecturer can act on, the ways a
submission folder goes wrong at class scale: nothing handed in, a notebook under another name, a
file that is not a notebook, test cells edited or deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Inspection", "fingerprint", "inspect_submission", "locked_checksums"]


@dataclass
class Inspection:
    """Findings about one submission folder.

    Attributes
    ----------
    exists
        Whether ``submitted/<student>/<assignment>`` exists.
    missing
        Expected notebooks not found.
    unexpected
        Notebooks found that the assignment does not have (renamed copies, usually).
    invalid
        Notebook file name -> why it cannot be read as a notebook.
    tampered
        Notebook file name -> ``grade_id`` of the locked cells that were edited or deleted.
    deleted
        Notebook file name -> ``grade_id`` of the locked cells that were deleted (a subset of
        ``tampered``).
    """

    exists: bool
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    tampered: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)

    @property
    def renamed(self) -> bool:
        """An expected notebook is absent while a notebook of another name is present."""
        return bool(self.missing and self.unexpected)


def fingerprint(folder: Path) -> str | None:
    """SHA-256 over the names and bytes of every file in ``folder`` (None if it does not exist).

    Used to tell whether a submission changed since it was last graded.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def locked_checksums(notebook: Path) -> dict[str, str]:
    """nbgrader checksums of the locked cells (tests, read-only cells) of a released notebook."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    sums = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            sums[meta["grade_id"]] = meta.get("checksum", "")
    return sums


def inspect_submission(folder: Path, released: dict[str, Path]) -> Inspection:
    """Check a submission folder against the released notebooks.

    Parameters
    ----------
    folder
        ``submitted/<student>/<assignment>``.
    released
        Notebook file name -> path of the released (student) version.

    Returns
    -------
    Inspection
        What is missing, renamed, unreadable or tampered with.
    """
    import nbformat
    from nbgrader.utils import compute_checksum

    folder = Path(folder)
    if not folder.is_dir():
        return Inspection(exists=False, missing=sorted(released))
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    result = Inspection(
        exists=True,
        missing=sorted(set(released) - set(present)),
        unexpected=sorted(set(present) - set(released)),
    )
    for name in sorted(set(released) & set(present)):
        try:
            nb = nbformat.read(folder / name, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # any reason a notebook cannot be read counts
            result.invalid[name] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:100]}"
            continue
        expected = locked_checksums(released[name])
        seen = {}
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in expected:
                seen[gid] = compute_checksum(cell)
        edited = sorted(gid for gid, checksum in expected.items()
                        if gid in seen and seen[gid] != checksum)
        deleted = sorted(gid for gid in expected if gid not in seen)
        if edited or deleted:
            result.tampered[name] = sorted(edited + deleted)
        if deleted:
            result.deleted[name] = deleted
    return result
