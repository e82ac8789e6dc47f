"""Check each bundled data file against what ``datapackage.json`` records, once per process.

``datapackage.json`` records, for every resource, the file's ``bytes``, its ``hash``
(``"sha256:<hex>"``) and its number of data ``rows``. :func:`read_verified` reads a file and
refuses it with :class:`~migdata.errors.DataFileError` when its size or hash differ (a file cut
short, a changed digit, a file from another vintage); :func:`check_frame` refuses a parsed
frame whose rows or columns differ. A file that passed is remembered (by path, size and
modification time), so reading it again in the same process does not hash it again.

Only :mod:`hashlib` is used: nothing here needs ``frictionless``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["check_frame", "damaged", "forget", "read_verified"]

_REPAIR = (
    "restore the file from the migdata package (reinstall migdata, or `git checkout datasets/` "
    "in a clone), or rebuild it with `python -m migdata.datasets.build`"
)

#: Files verified in this process: path -> (size, modification time in ns, recorded hash).
_VERIFIED: dict[Path, tuple[int, int, str]] = {}
_LOCK = threading.Lock()


def damaged(dataset_id: str, path: Path, problem: str) -> DataFileError:
    """The error for a damaged file: names the dataset, the file and the problem."""
    return DataFileError(f"dataset {dataset_id!r}: the file {path} {problem}; {_REPAIR}")


def _digest(data: bytes, recorded: str) -> tuple[str, str]:
    """(algorithm, hex digest of ``data``) for a Data Package hash ``"algo:hex"`` (md5 if bare)."""
    algorithm, _, _ = recorded.rpartition(":")
    algorithm = algorithm or "md5"  # the Data Package default
    try:
        return algorithm, hashlib.new(algorithm, data).hexdigest()
    except ValueError:
        raise DataFileError(
            f"datapackage.json records the hash {recorded!r} with an unknown algorithm "
            f"{algorithm!r}; expected e.g. 'sha256:<hex digits>'"
        ) from None


def read_verified(path: Path, dataset_id: str, res: Mapping[str, Any]) -> bytes:
    """Return the bytes of ``path`` after checking its size and hash against ``res``.

    Parameters
    ----------
    path : Path
        The data file.
    dataset_id : str
        The dataset id, for messages.
    res : mapping
        The dataset's ``datapackage.json`` resource (``bytes`` and ``hash`` are checked when
        present).

    Raises
    ------
    DataFileError
        If the file is missing or unreadable, or its size or hash differ from the record.
    """
    try:
        data = path.read_bytes()
        stat = path.stat()
    except FileNotFoundError:
        raise damaged(dataset_id, path, "is missing") from None
    except OSError as error:
        raise damaged(dataset_id, path, f"cannot be read ({error})") from None
    recorded = str(res.get("hash") or "")
    key = (len(data), stat.st_mtime_ns, recorded)
    with _LOCK:
        if _VERIFIED.get(path) == key:
            return data
    size = res.get("bytes")
    if size is not None and int(size) != len(data):
        raise damaged(
            dataset_id, path,
            f"has {len(data):,} bytes but datapackage.json records {int(size):,} (cut short "
            "or changed)",
        )
    if recorded:
        algorithm, found = _digest(data, recorded)
        expected = recorded.rpartition(":")[2].lower()
        if found != expected:
            raise damaged(
                dataset_id, path,
                f"has {algorithm} {found} but datapackage.json records {expected} (its content "
                "changed)",
            )
    with _LOCK:
        _VERIFIED[path] = key
    return data


def check_frame(frame: pd.DataFrame, path: Path, dataset_id: str, res: Mapping[str, Any]) -> None:
    """Raise :class:`DataFileError` if ``frame`` lacks the recorded columns or rows."""
    names = [field["name"] for field in res["schema"]["fields"]]
    found = [str(c) for c in frame.columns]
    if found != names:
        missing = [n for n in names if n not in found]
        extra = [c for c in found if c not in names]
        detail = []
        if missing:
            detail.append(f"lacks the column(s) {', '.join(missing)}")
        if extra:
            detail.append(f"has unexpected column(s) {', '.join(extra)}")
        if not detail:
            detail.append(f"has its columns in another order ({', '.join(found)})")
        raise damaged(
            dataset_id, path,
            f"{' and '.join(detail)}; datapackage.json records {', '.join(names)}",
        )
    rows = res.get("rows")
    if rows is not None and int(rows) != len(frame):
        raise damaged(
            dataset_id, path,
            f"has {len(frame):,} data rows but datapackage.json records {int(rows):,}",
        )


def forget() -> None:
    """Forget which files were verified, so that the next read hashes them again."""
    with _LOCK:
        _VERIFIED.clear()
