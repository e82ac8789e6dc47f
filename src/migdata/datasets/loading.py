"""Load a curated dataset as a pandas DataFrame, filtered by column values."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..countries import to_iso3
from ..errors import MigdataError, UnknownValueError
from .catalog import resource
from .paths import datasets_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COUNTRY_COLUMNS", "clear_cache", "load"]

#: Columns holding country codes: filters on them also accept names and alpha-2 codes.
COUNTRY_COLUMNS = frozenset({"country", "origin", "destination", "asylum"})

_DTYPES = {"integer": "Int64", "number": "float64", "string": "str", "boolean": "boolean"}


@lru_cache(maxsize=32)
def _frame(folder: Path, dataset_id: str) -> pd.DataFrame:
    """Read one dataset file once; callers get copies, never this frame."""
    import pandas as pd

    res = resource(dataset_id)
    fields = res["schema"]["fields"]
    dtypes = {f["name"]: _DTYPES[f["type"]] for f in fields}
    frame = pd.read_csv(
        folder / res["path"],
        engine="pyarrow",
        dtype=dtypes,
        keep_default_na=False,
        na_values=res["schema"].get("missingValues", [""]),
    )
    # Integer columns without gaps become plain int64, which every library handles.
    for name, dtype in dtypes.items():
        if dtype == "Int64" and not frame[name].hasnans:
            frame[name] = frame[name].astype("int64")
        elif dtype == "boolean" and not frame[name].hasnans:
            frame[name] = frame[name].astype(bool)
    frame.attrs["dataset"] = dataset_id
    return frame


@lru_cache(maxsize=8)
def _defaulted(
    folder: Path, dataset_id: str, defaults: tuple[tuple[str, Any], ...]
) -> pd.DataFrame:
    """The rows a dataset's ``default_filters`` keep (e.g. one revision), read once."""
    frame = _frame(folder, dataset_id)
    mask = None
    for column, value in defaults:
        hits = frame[column].eq(value).to_numpy(dtype=bool, na_value=False)
        mask = hits if mask is None else mask & hits
    return frame.loc[mask].reset_index(drop=True)


def clear_cache() -> None:
    """Forget every loaded frame, so the next :func:`load` reads the files again.

    Needed after pointing ``MIGDATA_DATASETS_DIR`` at another folder within one session.
    """
    _frame.cache_clear()
    _defaulted.cache_clear()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _preview(values: Iterable[Any], limit: int = 40) -> str:
    shown = sorted({str(v) for v in values})
    text = ", ".join(shown[:limit])
    return text + (f", ... ({len(shown)} values in all)" if len(shown) > limit else "")


def _candidates(column: str, value: Any, kind: str) -> list[Any]:
    """The forms a filter value may take in the column: as given, then converted."""
    forms = [value]
    try:
        if kind == "integer" and not isinstance(value, bool):
            number = float(value) if isinstance(value, str) else value
            if int(number) == number:  # 2019, "2019", 2019.0; never truncate 2019.5
                forms.append(int(number))
        elif kind == "number":
            forms.append(float(value))
        elif column in COUNTRY_COLUMNS and isinstance(value, str):
            forms.append(to_iso3(value))
    except (MigdataError, TypeError, ValueError):
        pass
    return forms


def _rows_matching(series: pd.Series, column: str, value: Any, kind: str) -> Any:
    """Boolean array of the rows holding ``value``; raises listing the values that exist."""
    for form in _candidates(column, value, kind):
        hits = series.eq(form).to_numpy(dtype=bool, na_value=False)
        if hits.any():
            return hits
    raise UnknownValueError(
        f"no rows with {column}={value!r}{_expected(column, kind)}; values of {column!r}: "
        f"{_preview(series.dropna().unique().tolist())}"
    )


def _expected(column: str, kind: str) -> str:
    """What a filter value of this column may look like, for error messages."""
    if column in COUNTRY_COLUMNS:
        return " (expected an ISO 3166 alpha-3 or alpha-2 code or an English country name)"
    if kind == "integer":
        return " (expected a whole number)"
    if kind == "number":
        return " (expected a number)"
    return ""


def load(dataset_id: str, **filters: Any) -> pd.DataFrame:
    """Return a curated dataset as a DataFrame, optionally keeping only some rows.

    Parameters
    ----------
    dataset_id : str
        A dataset id from :func:`migdata.datasets.list_datasets`, e.g. ``"wdi"``.
    **filters
        ``column=value`` or ``column=[value, ...]`` keeps the rows whose column holds (one of)
        the value(s). Country columns (country, origin, destination, asylum) also accept names
        and alpha-2 codes, e.g. ``origin="Armenia"``. A dataset with ``default_filters`` in
        its metadata applies them unless the same column is given: ``un_migrant_stock``
        returns Revision 2019 unless ``revision=2024`` or ``revision=[2019, 2024]`` is passed.

    Returns
    -------
    pandas.DataFrame
        A fresh frame (changing it never changes what later calls return). Gaps are missing
        values (NaN / <NA>), never zeros.

    Raises
    ------
    UnknownDatasetError
        If ``dataset_id`` is not a curated dataset.
    UnknownValueError
        If a filter names a column the dataset lacks, or a value no row holds.

    Examples
    --------
    >>> wdi = load("wdi", country="Georgia", indicator="SM.POP.NETM", year=2019)
    >>> int(wdi["value"].iloc[0])
    -5412
    """
    res = resource(dataset_id)
    # A dataset holding several revisions (un_migrant_stock: 2019 and 2024) gives one of them
    # unless the caller names the revision(s): two revisions are never returned unasked.
    defaults = tuple((k, v) for k, v in res.get("default_filters", {}).items()
                     if k not in filters)
    if defaults:
        frame = _defaulted(datasets_dir(), dataset_id, defaults)
    else:
        frame = _frame(datasets_dir(), dataset_id)
    if not filters:
        return frame.copy(deep=False)  # copy-on-write: changes never reach the cache
    kinds = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    mask = None
    for column, wanted in filters.items():
        if column not in kinds:
            raise UnknownValueError(
                f"dataset {dataset_id!r} has no column {column!r}; columns: {', '.join(kinds)}"
            )
        series = frame[column]
        keep = None
        for value in _as_list(wanted):
            hits = _rows_matching(series, column, value, kinds[column])
            keep = hits if keep is None else keep | hits
        if keep is None:
            raise UnknownValueError(
                f"{column}=[] selects no rows: give at least one value of {column!r}"
            )
        mask = keep if mask is None else mask & keep
    return frame.loc[mask].reset_index(drop=True)
