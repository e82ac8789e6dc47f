"""Check each bundled data file against what ``datapackage.json`` records, once per process.

``datapackage.json`` records, for every resource, the file's ``bytes``, its ``hash``
(``"sha256:<hex>"``) and its number of data ``rows``. :func:`read_verified` reads a file and
refuses it with :class:`~migdata.errors.DataFileError` when its size or hash differ (a file cut
short, a changed digit, a file from another vintage); :func:`read_unconfirmed` checks the size
and leaves the hash to be fed and confirmed by the caller (the loader hashes in a thread while
it parses, and confirms before it uses the frame); :func:`check_frame` refuses a parsed frame
whose rows or columns differ. A file that passed is remembered (by path, size and
modification time), so reading it again in the same process does not hash it again.

Only :mod:`hashlib` is used: nothing here needs ``frictionless``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Unconfirmed", "check_frame", "damaged", "forget", "read_unconfirmed", "read_verified"]

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


def _digest(recorded: str) -> tuple[str, Any]:
    """(algorithm, a new hash object) for a Data Package hash ``"algo:hex"`` (md5 if bare)."""
    algorithm, _, _ = recorded.rpartition(":")
    algorithm = algorithm or "md5"  # the Data Package default
    try:
        return algorithm, hashlib.new(algorithm)
    except ValueError:
        raise DataFileError(
            f"datapackage.json records the hash {recorded!r} with an unknown algorithm "
            f"{algorithm!r}; expected e.g. 'sha256:<hex digits>'"
        ) from None


@dataclass
class Unconfirmed:
    """A data file read whole and of the recorded size, whose hash is still to be confirmed.

    Feed every byte of :attr:`data` to :attr:`hasher` (when it is not None), in any thread,
    then call :meth:`confirm` before using anything read from the file.
    """

    path: Path
    dataset_id: str
    data: bytes
    #: The hash object to feed; None when the file passed before in this process (or the
    #: package records no hash).
    hasher: Any | None
    _recorded: str
    _key: tuple[int, int, str]
    _algorithm: str = ""

    def confirm(self) -> None:
        """Raise :class:`DataFileError` if the fed bytes' hash differs from the record."""
        if self.hasher is not None:
            found = self.hasher.hexdigest()
            expected = self._recorded.rpartition(":")[2].lower()
            if found != expected:
                raise damaged(
                    self.dataset_id, self.path,
                    f"has {self._algorithm} {found} but datapackage.json records {expected} "
                    "(its content changed)",
                )
        with _LOCK:
            _VERIFIED[self.path] = self._key


def read_unconfirmed(path: Path, dataset_id: str, res: Mapping[str, Any]) -> Unconfirmed:
    """Read ``path`` and check its size against ``res``; its hash is left to the caller.

    Lets the loader hash the bytes in a thread while it parses them (see
    :mod:`migdata.datasets.loading`); :func:`read_verified` does both in turn.

    Raises
    ------
    DataFileError
        If the file is missing or unreadable, or its size differs from the record.
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
            return Unconfirmed(path, dataset_id, data, None, recorded, key)
    size = res.get("bytes")
    if size is not None and int(size) != len(data):
        raise damaged(
            dataset_id, path,
            f"has {len(data):,} bytes but datapackage.json records {int(size):,} (cut short "
            "or changed)",
        )
    if not recorded:
        return Unconfirmed(path, dataset_id, data, None, recorded, key)
    algorithm, hasher = _digest(recorded)
    return Unconfirmed(path, dataset_id, data, hasher, recorded, key, algorithm)


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
    read = read_unconfirmed(path, dataset_id, res)
    if read.hasher is not None:
        read.hasher.update(read.data)
    read.confirm()
    return read.data


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
