"""Where the curated datasets live on disk."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataFileError

__all__ = ["ENV_VAR", "DatasetsFolderNotFoundError", "datasets_dir"]


class DatasetsFolderNotFoundError(DataFileError, FileNotFoundError):
    """No folder holding ``datapackage.json`` was found (a migdata error and a
    :class:`FileNotFoundError`, so both kinds of handler catch it)."""

#: Environment variable that points the loaders at another ``datasets`` folder.
ENV_VAR = "MIGDATA_DATASETS_DIR"

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # .../migdata
_CANDIDATES = (
    _PACKAGE_ROOT / "_bundled_datasets",  # installed wheel (force-included from datasets/)
    _PACKAGE_ROOT.parents[1] / "datasets",  # editable install: <repo>/src/migdata -> <repo>
)


def datasets_dir() -> Path:
    """Return the folder holding ``datapackage.json`` and the dataset files.

    The environment variable ``MIGDATA_DATASETS_DIR`` wins; otherwise the copy bundled in the
    installed package (``migdata/_bundled_datasets``), otherwise the repository's ``datasets/``.

    Raises
    ------
    DatasetsFolderNotFoundError
        If no candidate folder holds a ``datapackage.json`` (a :class:`FileNotFoundError`
        and a :class:`~migdata.errors.DataFileError`).
    """
    override = os.environ.get(ENV_VAR)
    candidates = (Path(override),) if override else _CANDIDATES
    for folder in candidates:
        if (folder / "datapackage.json").is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise DatasetsFolderNotFoundError(
        f"no datapackage.json found in {tried}; set {ENV_VAR} to the folder holding the datasets"
    )
