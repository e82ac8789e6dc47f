"""Load a curated dataset as a pandas DataFrame, filtered by column values."""

from __future__ import annotations

import io
import math
import numbers
import threading
import zlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..countries import to_iso3
from ..errors import InvalidInputError, MigdataError, UnknownDatasetError, UnknownValueError
from . import integrity
from ._gunzip import GunzipReader
from .catalog import _package, resource
from .paths import datasets_dir

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COUNTRY_COLUMNS", "clear_cache", "load"]

#: Columns holding country codes: filters on them also accept names and alpha-2 codes.
COUNTRY_COLUMNS = frozenset({"country", "origin", "destination", "asylum"})

_DTYPES = {"integer": "Int64", "number": "float64", "string": "str", "boolean": "boolean"}
#: What a CSV cell of each schema type may hold, for messages.
_TYPE_WORDS = {"integer": "whole numbers", "number": "numbers", "string": "text",
               "boolean": "true or false"}


#: A plain file this large is hashed in a thread while it is parsed; a smaller one first.
_HASH_IN_THREAD = 1 << 20


def _read(file: integrity.Unconfirmed, res: dict[str, Any]) -> pd.DataFrame:
    """Parse a dataset file read by :func:`integrity.read_unconfirmed` with pandas' C engine.

    Its hash is computed in a thread while it is parsed and confirmed before the frame is
    returned: a file whose hash differs from the record is refused, and that error wins over
    any the parser met. A gzip file is decompressed in that thread too (see ``_gunzip``).
    """
    data, gz = file.data, res.get("compression") == "gz" or file.path.suffix == ".gz"
    if gz:
        source: io.RawIOBase | io.BytesIO = GunzipReader(data, file.hasher)
        finish = source.wait
    else:
        source, finish = io.BytesIO(data), None
        if file.hasher is not None and len(data) >= _HASH_IN_THREAD:
            hashing = threading.Thread(target=file.hasher.update, args=(data,), daemon=True)
            hashing.start()
            finish = hashing.join
        elif file.hasher is not None:
            file.hasher.update(data)
    frame: pd.DataFrame | None = None
    problem: MigdataError | None = None
    try:
        frame = _parse(source, data, gz, file, res)
    except MigdataError as error:  # raised below, once the hash is known
        problem = error
    if finish is not None:
        finish()
    file.confirm()  # a changed file is named as such, whatever the parser made of it
    if problem is not None:
        raise problem
    assert frame is not None  # _parse returned it
    integrity.check_frame(frame, file.path, file.dataset_id, res)
    return frame


def _parse(
    source: Any, data: bytes, gz: bool, file: integrity.Unconfirmed, res: dict[str, Any]
) -> pd.DataFrame:
    """The frame of ``source`` (the file's CSV), or a :class:`DataFileError` saying why not."""
    import pandas as pd

    path, dataset_id = file.path, file.dataset_id
    fields = res["schema"]["fields"]
    dtypes = {f["name"]: _DTYPES[f["type"]] for f in fields}
    try:
        if gz:
            first = source.first_line()
        else:
            end = data.find(b"\n")  # not split(): that would copy the whole file
            first = data if end < 0 else data[:end]
        header = first.decode("utf-8").rstrip("\r").split(",")
        names = [f["name"] for f in fields]
        if header != names:  # checked before parsing, so a wrong header never meets the dtypes
            integrity.check_frame(pd.DataFrame(columns=header), path, dataset_id, res)
        return pd.read_csv(
            source,
            engine="c",
            dtype=dtypes,
            keep_default_na=False,
            na_values=res["schema"].get("missingValues", [""]),
            encoding="utf-8",
        )
    except MigdataError:
        raise
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise integrity.damaged(
            dataset_id, path, f"is not a complete gzip file ({type(error).__name__}: {error})"
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise integrity.damaged(
            dataset_id, path, f"cannot be read as CSV ({type(error).__name__}: {first_line})"
        ) from None
    except (ValueError, TypeError, OverflowError) as error:
        kinds = ", ".join(f"{f['name']}: {_TYPE_WORDS[f['type']]}" for f in fields)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise integrity.damaged(
            dataset_id, path,
            f"holds a value its schema does not allow ({first_line}); expected {kinds}",
        ) from None


@lru_cache(maxsize=32)
def _frame(folder: Path, dataset_id: str) -> pd.DataFrame:
    """Read one dataset file once, verified; callers get copies, never this frame.

    The file's size is checked against ``datapackage.json`` before it is parsed, its sha256
    while it is parsed (once per process, see :mod:`migdata.datasets.integrity`; the frame is
    used only if it matches), and its rows and columns after.
    """
    res = resource(dataset_id)
    frame = _read(integrity.read_unconfirmed(folder / res["path"], dataset_id, res), res)
    # Integer columns without gaps become plain int64, which every library handles.
    for name, dtype in ((f["name"], _DTYPES[f["type"]]) for f in res["schema"]["fields"]):
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
    kept = mask.nonzero()[0]
    if len(kept) and kept[-1] - kept[0] + 1 == len(kept):  # one block (the build sorts so):
        return frame.iloc[kept[0]:kept[-1] + 1].reset_index(drop=True)  # a slice, not a copy
    return frame.loc[mask].reset_index(drop=True)


def clear_cache() -> None:
    """Forget every loaded frame, so the next :func:`load` reads the files again.

    Needed after pointing ``MIGDATA_DATASETS_DIR`` at another folder within one session. The
    files are verified against ``datapackage.json`` again on the next read.
    """
    _frame.cache_clear()
    _defaulted.cache_clear()
    _package.cache_clear()
    integrity.forget()


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _preview(values: Iterable[Any], limit: int = 40) -> str:
    shown = sorted({str(v) for v in values})
    text = ", ".join(shown[:limit])
    return text + (f", ... ({len(shown)} values in all)" if len(shown) > limit else "")


def _check_value(column: str, value: Any) -> Any:
    """``value`` if it can be a filter value (text, a whole or finite number, a bool); or raise."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalars as Python ones (np.bool_ is no Integral)
    if isinstance(value, str | bool) or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    ):
        return value
    if isinstance(value, numbers.Real):
        if math.isfinite(float(value)):
            return value
        raise InvalidInputError(
            f"filter {column}={value!r} is not a finite number; expected a value of "
            f"{column!r} such as a year, a code or a name"
        )
    missing = value is None or type(value).__name__ in ("NAType", "NaTType")
    what = "missing" if missing else type(value).__name__
    raise InvalidInputError(
        f"filter {column}={value!r} ({what}) cannot select rows; expected text, a whole "
        "number or a finite number (or a list of them)"
    )


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
    except (MigdataError, TypeError, ValueError, OverflowError):
        pass
    return forms


def _rows_matching(series: pd.Series, column: str, value: Any, kind: str) -> Any:
    """Boolean array of the rows holding ``value``; raises listing the values that exist."""
    for form in _candidates(column, _check_value(column, value), kind):
        try:
            hits = series.eq(form).to_numpy(dtype=bool, na_value=False)
        except (TypeError, ValueError, OverflowError):  # e.g. 10**30 against an int64 column
            continue
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
    InvalidInputError
        If a filter value is not text, a whole or finite number or a bool (``inf``, ``None``,
        an arbitrary object...).
    DataFileError
        If the dataset's file is missing, damaged or differs from what ``datapackage.json``
        records (sha256, bytes, rows, columns); the message names the dataset and the file.

    Examples
    --------
    >>> wdi = load("wdi", country="Georgia", indicator="SM.POP.NETM", year=2019)
    >>> int(wdi["value"].iloc[0])
    -5412
    """
    if not isinstance(dataset_id, str):
        raise UnknownDatasetError(
            f"dataset_id must be a dataset id string such as 'wdi', got {dataset_id!r}"
        )
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
