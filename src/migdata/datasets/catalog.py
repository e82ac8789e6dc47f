"""The catalogue of curated datasets: list_datasets and describe, from datapackage.json."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataFileError, UnknownDatasetError
from .paths import datasets_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["describe", "list_datasets", "resource"]


@lru_cache(maxsize=8)
def _package(folder: Path) -> dict[str, Any]:
    path = folder / "datapackage.json"
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
        resources = package["resources"]
        if not all(isinstance(r, dict) and "name" in r and "path" in r for r in resources):
            raise TypeError("a resource lacks its name or path")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise DataFileError(
            f"the data package description {path} is damaged ({type(error).__name__}: "
            f"{error}); expected the JSON Data Package shipped with migdata (restore it by "
            "reinstalling migdata, or `git checkout datasets/` in a clone)"
        ) from None
    return package


def _resources() -> dict[str, dict[str, Any]]:
    return {res["name"]: res for res in _package(datasets_dir())["resources"]}


def resource(dataset_id: str) -> dict[str, Any]:
    """Return the datapackage.json entry of a dataset (shared; do not modify it).

    Raises
    ------
    UnknownDatasetError
        If ``dataset_id`` is not a curated dataset (see :func:`list_datasets`).
    DataFileError
        If ``datapackage.json`` is not valid JSON or lacks its resources.
    """
    resources = _resources()
    if not isinstance(dataset_id, str) or dataset_id not in resources:
        raise UnknownDatasetError(
            f"unknown dataset {dataset_id!r}; available datasets: {', '.join(resources)}"
        )
    return resources[dataset_id]


def describe(dataset_id: str) -> dict[str, Any]:
    """Return the metadata of a dataset: title, description, sources, licence, vintage, caveats...

    Parameters
    ----------
    dataset_id : str
        A dataset id, e.g. ``"wdi"`` (see :func:`list_datasets`).

    Returns
    -------
    dict
        A copy of the dataset's Data Package resource with ``id``, ``columns`` (names), ``units``
        (column -> unit, for figures) and ``file`` (absolute path) added.

    Raises
    ------
    UnknownDatasetError
        If the id is not a curated dataset; the message lists the ids.

    Examples
    --------
    >>> describe("wdi")["vintage"]
    'WDI Last Updated Date 2025-04-15'
    """
    meta = copy.deepcopy(resource(dataset_id))
    fields = meta["schema"]["fields"]
    meta["id"] = meta.pop("name")
    meta["columns"] = [f["name"] for f in fields]
    meta["units"] = {f["name"]: f["unit"] for f in fields if "unit" in f}
    meta["file"] = str(datasets_dir() / meta["path"])
    return meta


def list_datasets() -> pd.DataFrame:
    """Return one row per curated dataset: id, title, source, vintage, licence and rows.

    Returns
    -------
    pandas.DataFrame
        In catalogue order. ``source`` joins the publishers; ``licence`` is the licence name,
        or ``not-stated`` where no raw file states one (see :func:`describe` for details).

    Examples
    --------
    >>> "un_migrant_stock" in set(list_datasets()["id"])
    True
    """
    import pandas as pd

    records = []
    for name, res in _resources().items():
        publishers = dict.fromkeys(src.get("publisher", "") for src in res.get("sources", []))
        records.append({
            "id": name,
            "title": res["title"],
            "source": "; ".join(p for p in publishers if p),
            "vintage": res.get("vintage", ""),
            "licence": "; ".join(dict.fromkeys(lic["name"] for lic in res.get("licenses", []))),
            "rows": int(res["rows"]),
        })
    return pd.DataFrame.from_records(
        records, columns=["id", "title", "source", "vintage", "licence", "rows"]
    )
