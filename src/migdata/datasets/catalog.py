"""The catalogue of curated datasets: list_datasets and describe, from datapackage.json."""

from __future__ import annotations

import copy
import json
import math
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from ..errors import DataFileError, UnknownDatasetError
from .paths import datasets_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FIELD_TYPES", "describe", "list_datasets", "resource", "validate_package"]

#: The field types the loader reads (the Data Package types it supports) and their dtypes.
FIELD_TYPES = ("string", "integer", "number", "boolean")
#: Columns the kit computes with: whatever the descriptor says, they must have these types
#: (a figure typed "string" would load as text and every sum or rate would go wrong).
EXPECTED_TYPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("year", "revision"), ("integer",)),
    **dict.fromkeys(("value", "stock", "persons", "population", "net_migration",
                     "net_migration_rate"), ("integer", "number")),
    **dict.fromkeys(("is_aggregate", "partial_year", "rounded"), ("boolean",)),
    **dict.fromkeys(("country", "origin", "destination", "asylum", "partner", "sex",
                     "measure", "indicator", "flow"), ("string",)),
}
#: The only ``missingValues`` the loader reads: the empty cell (a gap). Any other marker could
#: turn a real code (``"GEO"``) into a gap.
MISSING_VALUES = [""]
_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-fA-F]+")


def _descriptor_error(path: Path, problem: str) -> DataFileError:
    return DataFileError(
        f"the data package description {path} is damaged: {problem}; expected the JSON Data "
        "Package shipped with migdata (restore it by reinstalling migdata, or "
        "`git checkout datasets/` in a clone)"
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_path(folder: Path, value: str) -> str | None:
    """Why ``value`` is not a relative path inside ``folder`` (None if it is)."""
    if not value or "\\" in value or "\x00" in value:
        return "an empty path, a backslash or a NUL character"
    pure = PurePosixPath(value)
    if pure.is_absolute() or PureWindowsPath(value).drive:
        return "an absolute path"
    if ".." in pure.parts:
        return "a path that climbs out with '..'"
    try:
        (folder / pure).resolve().relative_to(folder.resolve())
    except ValueError:
        return "a path that leads outside the package folder (through a link)"
    return None


def _check_resource(folder: Path, res: Any, i: int, seen: set[str], path: Path) -> None:
    """Raise naming the resource, the key, the value and what was expected."""
    def bad(key: str, value: Any, expected: str) -> DataFileError:
        return _descriptor_error(path, f"resource {who} has {key} = {value!r}; expected {expected}")

    if not isinstance(res, dict):
        raise _descriptor_error(path, f"resource number {i + 1} is {res!r}; expected an object")
    name = res.get("name")
    who = f"number {i + 1}"
    if not isinstance(name, str) or not name:
        raise bad("name", name, "a dataset id as text, e.g. 'wdi'")
    who = repr(name)
    if name in seen:
        raise _descriptor_error(path, f"the resource name {name!r} appears twice")
    seen.add(name)
    for key, expected in (("path", "a relative path inside the package folder"),
                          ("title", "a title as text")):
        if not isinstance(res.get(key), str) or not res[key]:
            raise bad(key, res.get(key, "<absent>"), expected)
    why = _check_path(folder, res["path"])
    if why is not None:
        raise bad("path", res["path"], f"a relative path inside the package folder, not {why}")
    for key in ("bytes", "rows"):
        if not _whole(res.get(key)):
            raise bad(key, res.get(key, "<absent>"),
                      "a whole number of 0 or more (every resource records its bytes and rows, "
                      "so that a file cut short or changed is refused)")
    recorded = res.get("hash")
    algorithm, _, digest = recorded.rpartition(":") if isinstance(recorded, str) else ("", "", "")
    if not (isinstance(recorded, str) and algorithm in _HASH_LENGTHS
            and len(digest) == _HASH_LENGTHS[algorithm] and _HEX.fullmatch(digest)):
        raise bad("hash", res.get("hash", "<absent>"),
                  "'sha256:' and 64 hex digits (every resource records its hash)")
    if res.get("compression", "gz") != "gz":
        raise bad("compression", res["compression"], "'gz' or no compression")
    for key in ("sources", "licenses"):
        items = res.get(key, [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            raise bad(key, items, "a list of objects")
    if not all(isinstance(x.get("name"), str) for x in res.get("licenses", [])):
        raise bad("licenses", res["licenses"], "a list of objects each with a name as text")
    if not all(isinstance(x.get("publisher", ""), str) for x in res.get("sources", [])):
        raise bad("sources", res["sources"], "a list of objects whose publisher is text")
    if not isinstance(res.get("vintage", ""), str):
        raise bad("vintage", res["vintage"], "the vintage as text")
    schema = res.get("schema")
    if not isinstance(schema, dict):
        raise bad("schema", schema if "schema" in res else "<absent>",
                  "an object with the list of fields")
    missing = schema.get("missingValues", MISSING_VALUES)
    if missing != MISSING_VALUES:
        raise bad("schema.missingValues", missing,
                  f"{MISSING_VALUES} (only an empty cell is a gap; any other marker could "
                  "turn a real value into a gap)")
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise bad("schema.fields", fields if "fields" in schema else "<absent>",
                  "a non-empty list of fields, each with a name and a type")
    names: set[str] = set()
    for j, field in enumerate(fields):
        where = f"schema.fields[{j}]"
        if not isinstance(field, dict):
            raise bad(where, field, "an object with a name and a type")
        fname = field.get("name")
        if not isinstance(fname, str) or not fname or fname in names:
            raise bad(f"{where}.name", fname if "name" in field else "<absent>",
                      "a column name as text, each once")
        names.add(fname)
        ftype = field.get("type")
        if ftype not in FIELD_TYPES:
            raise bad(f"{where}.type ({fname})", ftype if "type" in field else "<absent>",
                      f"one of {list(FIELD_TYPES)} (the types the loader reads)")
        if fname in EXPECTED_TYPES and ftype not in EXPECTED_TYPES[fname]:
            raise bad(f"{where}.type ({fname})", ftype,
                      f"{' or '.join(map(repr, EXPECTED_TYPES[fname]))}: migdata computes with "
                      f"the column {fname!r} as such")
    defaults = res.get("default_filters", {})
    if not isinstance(defaults, dict):
        raise bad("default_filters", defaults, "an object mapping a column to one value")
    for column, value in defaults.items():
        if column not in names:
            raise bad("default_filters", defaults,
                      f"columns of the resource ({column!r} is not one of them)")
        if not isinstance(value, str | int | float) or (isinstance(value, float) and not (
                math.isfinite(value))):
            raise bad(f"default_filters.{column}", value, "one value: text or a number")


def validate_package(package: Any, folder: Path, path: Path) -> None:
    """Check a ``datapackage.json`` against what the loaders read, once when it is read.

    Every resource needs a unique ``name``, a relative ``path`` inside ``folder``, ``bytes``,
    ``rows`` (whole numbers) and a ``hash``, and a ``schema`` whose ``fields`` each have a
    unique ``name`` and a ``type`` the loader reads (the columns migdata computes with of the
    type it computes with); ``missingValues`` is ``[""]``; ``default_filters`` maps columns of
    the resource to one value. Raises :class:`~migdata.errors.DataFileError` naming the
    resource, the key, the value and what was expected.
    """
    if not isinstance(package, dict):
        raise _descriptor_error(path, f"it holds {type(package).__name__}, not an object")
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        found = f"'resources' is {resources!r}" if "resources" in package else (
            "it has no 'resources'")
        raise _descriptor_error(path, f"{found}; expected a non-empty list of datasets")
    seen: set[str] = set()
    for i, res in enumerate(resources):
        _check_resource(folder, res, i, seen, path)


@lru_cache(maxsize=8)
def _package(folder: Path) -> dict[str, Any]:
    """``datapackage.json`` of ``folder``, read and validated once (cached per folder)."""
    path = folder / "datapackage.json"
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise _descriptor_error(path, f"it cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        raise _descriptor_error(path, f"it is not valid JSON ({error})") from None
    validate_package(package, folder, path)
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
