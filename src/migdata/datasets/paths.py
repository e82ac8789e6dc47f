"""Where the curated datasets live on disk."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_VAR", "datasets_dir"]

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
    FileNotFoundError
        If no candidate folder holds a ``datapackage.json``.
    """
    override = os.environ.get(ENV_VAR)
    candidates = (Path(override),) if override else _CANDIDATES
    for folder in candidates:
        if (folder / "datapackage.json").is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"no datapackage.json found in {tried}; set {ENV_VAR} to the folder holding the datasets"
    )
