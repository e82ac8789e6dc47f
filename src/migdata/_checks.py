"""The one input-checking layer of migdata's public functions (issue 24).

``indicators``, ``estimation``, ``plot`` and ``sources`` check their arguments here, so that
the same damage gets the same error everywhere:

* numbers are numbers: finite, real, not booleans, not text (``"12"`` is refused, not read),
  counts of persons 0 or more (:func:`numeric_column`, :func:`require_nonnegative`,
  :func:`require_positive`, :func:`count_array`);
* years are whole numbers of one type (:func:`year_column`, :func:`as_year`);
* labels are present, unique where they are keys, and of one kind (:func:`label_column`,
  :func:`labels_of`, :func:`require_unique`);
* options are checked by type (:func:`as_names`, :func:`as_years`, :func:`as_choice`,
  :func:`as_count`, :func:`as_tolerance`, :func:`as_flag`).

Every error is an :class:`~migdata.errors.InvalidInputError` (or a subclass) that names the
argument, the row or label, the value and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from numbers import Complex, Real
from typing import Any

import numpy as np
import pandas as pd

from .countries import to_iso3
from .errors import InvalidInputError, MissingColumnsError, UnknownValueError

__all__ = [
    "as_choice",
    "as_count",
    "as_flag",
    "as_names",
    "as_number",
    "as_tolerance",
    "as_year",
    "as_years",
    "check_fit",
    "check_flows",
    "check_frame",
    "check_population",
    "count_array",
    "count_series",
    "join",
    "key_columns",
    "known_options",
    "label_column",
    "labels_of",
    "number_array",
    "numeric_column",
    "require_columns",
    "require_frame",
    "require_known_labels",
    "require_nonnegative",
    "require_positive",
    "require_sequence",
    "require_single",
    "require_unique",
    "require_years",
    "select_country",
    "signed_series",
    "system_population",
    "year_column",
]


def require_frame(data: Any, what: str) -> pd.DataFrame:
    """Raise :class:`InvalidInputError` unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise InvalidInputError(
            f"{what} must be a pandas DataFrame (a tidy frame from migdata.datasets.load), "
            f"got {type(data).__name__}"
        )
    return data


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`MissingColumnsError` naming the missing and the found columns."""
    require_frame(data, what)
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise InvalidInputError(f"{what}: columns must be a list of column names, got {columns!r}")
    columns = list(columns)
    for c in columns:
        try:
            hash(c)
        except TypeError:
            raise InvalidInputError(f"{what}: {c!r} is not a column name") from None
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MissingColumnsError(
            f"{what} lacks column(s) {missing}; found columns {list(map(str, data.columns))}"
        )


def select_country(data: pd.DataFrame, country: str, column: str, what: str) -> pd.DataFrame:
    """Rows of ``data`` whose ``column`` is the ISO3 code of ``country``.

    Raises :class:`~migdata.errors.UnknownCountryError` for a name or code that is not a
    country, and :class:`~migdata.errors.UnknownValueError` listing the countries present when
    the country is real but absent from the data.
    """
    require_columns(data, [column], what)
    iso3 = to_iso3(country)
    rows = data[data[column] == iso3]
    if rows.empty:
        present = sorted(map(str, data[column].dropna().unique()))
        shown = present if len(present) <= 30 else [*present[:30], "..."]
        raise UnknownValueError(
            f"{what} has no rows for {column}={iso3!r} (from {country!r}); "
            f"{column} values present: {shown}"
        )
    return rows


def require_unique(
    data: pd.DataFrame,
    keys: Sequence[str],
    what: str,
    hint: str = "filter it first (e.g. sex='total')",
) -> None:
    """Raise :class:`InvalidInputError` if rows repeat ``keys``, with up to three examples.

    A repeated key means the frame holds several figures for one cell (several sexes,
    revisions, periods...): combining them would double count or drop some silently.
    """
    keys = list(keys)
    repeated = data.duplicated(subset=keys, keep=False)
    if repeated.any():
        example = data.loc[repeated, keys].head(3).to_dict("records")
        raise InvalidInputError(
            f"{what} has several rows for the same {keys}, e.g. {example}; {hint}"
        )


def require_years(
    data: pd.DataFrame, years: Iterable[int], what: str, column: str = "year"
) -> None:
    """Raise :class:`UnknownValueError` listing the available years if any year is absent."""
    require_columns(data, [column], what)
    available = sorted({int(y) for y in data[column].dropna().unique()})
    missing = sorted({int(y) for y in years} - set(available))
    if missing:
        raise UnknownValueError(
            f"{what} has no data for year(s) {missing}; available years: {available}"
        )


def require_single(
    data: pd.DataFrame, column: str, what: str, value: Any = None, absent: Any = None
) -> tuple[pd.DataFrame, Any]:
    """Keep one value of ``column`` (e.g. one UN revision), never mixing several silently.

    With ``value`` given, keep those rows (error listing the values present if none). Without
    it, the column must hold exactly one value, else an error asks the caller to choose.
    A frame without ``column`` can only be asked for ``absent`` (``sex="total"``, the default,
    for a table of totals): asking it for ``sex="female"`` or ``revision=2024`` is an error,
    since its figures would be returned as if they were that selection.
    """
    if column not in data.columns:
        if value is not None and value != absent:
            raise UnknownValueError(
                f"{what} has no column {column!r}, so {column}={value!r} cannot be selected; "
                f"expected a frame with a {column!r} column (or leave {column} at its default)"
            )
        return data, value
    present: Sequence[Any] = sorted(data[column].dropna().unique().tolist(), key=str)
    if value is not None:
        rows = data[data[column].astype(str) == str(value)]
        if rows.empty:
            raise UnknownValueError(
                f"{what} has no rows with {column}={value!r}; values present: {list(present)}"
            )
        return rows, rows[column].iloc[0]
    if len(present) > 1:
        raise InvalidInputError(
            f"{what} mixes several {column} values {list(present)}; pick one with "
            f"{column}=... (figures from different {column}s must not be combined)"
        )
    return data, (present[0] if present else None)


def _examples(data: pd.DataFrame, mask: np.ndarray, column: str, keys: Sequence[str]) -> str:
    """Up to three offending rows as ``row <label> (key=value, ..., column=value)``."""
    shown = [k for k in keys if k in data.columns and k != column] + [column]
    parts = []
    for pos in np.flatnonzero(mask)[:3]:
        values = ", ".join(f"{c}={_plain(data[c].iloc[int(pos)])!r}" for c in shown)
        parts.append(f"row {_plain(data.index[int(pos)])!r} ({values})")
    more = int(mask.sum()) - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


#: Largest count of persons a figure may hold: more than a hundred times the world population
#: is a unit error or garbage, and such magnitudes would overflow to ``inf`` in a rate.
MAX_PERSONS = 1e12


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _is_real(value: Any) -> bool:
    """A real number, not a boolean (True is not one person), not text, not complex."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def _kind(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "true/false value"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Complex) and not isinstance(value, Real):
        return "complex number"
    return type(value).__name__


def numeric_column(
    data: pd.DataFrame,
    column: str,
    what: str,
    keys: Sequence[str] = (),
    persons: bool = False,
) -> pd.Series:
    """``data[column]`` as float64; raise naming the rows that hold no number or an infinite one.

    Missing values (gaps) stay ``NaN``. Text (``"12"`` as well as ``"1,000"``: a number held
    as text is a sign of a file read wrongly), booleans, complex numbers and ``inf`` are refused
    with :class:`InvalidInputError`; with ``persons``, so are magnitudes above
    :data:`MAX_PERSONS`.
    """
    require_columns(data, [column], what)
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise InvalidInputError(
            f"{what} has the column {column!r} more than once; expected each column once"
        )
    if series.dtype == bool or str(series.dtype) == "boolean":
        raise InvalidInputError(
            f"{what}: column {column!r} holds true/false values; expected numbers"
            + (" of persons" if persons else "")
        )
    if pd.api.types.is_complex_dtype(series.dtype):
        raise InvalidInputError(
            f"{what}: column {column!r} holds complex numbers; expected real numbers"
        )
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64")
    else:
        cells = series.astype(object).to_numpy()
        bad = np.array([not (_is_missing(v) or _is_real(v)) for v in cells], dtype=bool)
        if bad.any():
            first = cells[int(np.flatnonzero(bad)[0])]
            raise InvalidInputError(
                f"{what}: column {column!r} holds values that are not numbers: "
                f"{_examples(data, bad, column, keys)} ({_kind(first)}); expected numbers "
                "(gaps may be missing; text such as '12' is not read as a number)"
            )
        values = pd.Series(
            [math.nan if _is_missing(v) else float(v) for v in cells],
            index=series.index, dtype="float64",
        )
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        raise InvalidInputError(
            f"{what}: column {column!r} holds infinite values: "
            f"{_examples(data, infinite, column, keys)}; expected finite numbers"
        )
    if persons:
        huge = (values.abs() > MAX_PERSONS).to_numpy()
        if huge.any():
            raise InvalidInputError(
                f"{what}: column {column!r} holds counts larger than {MAX_PERSONS:.0e} persons: "
                f"{_examples(data, huge, column, keys)}; expected numbers of persons (check the "
                "unit)"
            )
    return values


def require_positive(
    data: pd.DataFrame, column: str, what: str, keys: Sequence[str] = ()
) -> pd.Series:
    """``data[column]`` as float64, refusing a zero or negative figure (a gap stays ``NaN``).

    Used for populations: dividing by a population of 0 gives an infinite rate, by a negative
    one an impossible share, so such a figure is an error naming the rows rather than a result.
    """
    values = numeric_column(data, column, what, keys, persons=True)
    bad = (values <= 0).to_numpy()
    if bad.any():
        raise InvalidInputError(
            f"{what}: column {column!r} must hold a positive population (persons), but holds "
            f"zero or a negative figure: {_examples(data, bad, column, keys)}; a rate or share "
            "per 0 or fewer persons does not exist (fix or drop those rows)"
        )
    return values


def require_nonnegative(
    data: pd.DataFrame, column: str, what: str, keys: Sequence[str] = ()
) -> pd.Series:
    """``data[column]`` as float64, refusing a negative count (a gap stays ``NaN``)."""
    values = numeric_column(data, column, what, keys, persons=True)
    bad = (values < 0).to_numpy()
    if bad.any():
        raise InvalidInputError(
            f"{what}: column {column!r} is a count of persons but holds negative {column} "
            f"(negative figures): {_examples(data, bad, column, keys)}; expected 0 or more"
        )
    return values


def year_column(data: pd.DataFrame, what: str, column: str = "year") -> pd.Series:
    """``data[column]`` as int64; raise naming the rows whose year is missing or not whole."""
    values = numeric_column(data, column, what)
    bad = (values.isna() | (values != values.round()) | ~values.between(1, 9999)).to_numpy()
    if bad.any():
        raise InvalidInputError(
            f"{what}: column {column!r} must hold whole years, but holds "
            f"{_examples(data, bad, column, ())}"
        )
    return values.astype("int64")


def as_year(value: Any, what: str) -> int:
    """``value`` as an ``int`` year: an integer, or a whole finite float; else an error."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{what} must be a year such as 2019, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidInputError(f"{what} must be a whole year such as 2019, got {value!r}")
    if not 1 <= int(value) <= 9999:
        raise InvalidInputError(f"{what} {int(value)} is out of range: expected 1 to 9999")
    return int(value)


def as_periods(periods: Iterable[Any] | None, years: Sequence[int]) -> list[tuple[int, int]]:
    """``periods`` as ``(start, end)`` pairs of int years; ``None`` means each pair of
    consecutive ``years``. Anything that is not pairs of years is an error showing it."""
    if periods is None:
        return list(pairwise(years))
    try:
        return [(as_year(a, "periods: a period's start"), as_year(b, "periods: a period's end"))
                for a, b in periods]
    except (TypeError, ValueError) as error:
        if isinstance(error, InvalidInputError):
            raise
        raise InvalidInputError(
            f"periods must be pairs of years such as [(2000, 2010)], got {periods!r}"
        ) from None


def join(
    left: pd.DataFrame, right: pd.DataFrame, on: Sequence[str], what: str, **options: Any
) -> pd.DataFrame:
    """``left.merge(right, on=on, **options)``, with an error naming the join columns.

    A join of years stored as numbers in one frame and as text in the other fails inside
    pandas; here it is an :class:`InvalidInputError` saying which column and which kinds.
    """
    try:
        return left.merge(right, on=list(on), **options)
    except (ValueError, TypeError) as error:
        kinds = ", ".join(f"{c}: {left[c].dtype} and {right[c].dtype}" for c in on
                          if c in left.columns and c in right.columns)
        raise InvalidInputError(
            f"{what}: cannot join the two frames on {list(on)} ({kinds}); expected the same "
            f"kind of values in both, e.g. years as whole numbers ({str(error).splitlines()[0]})"
        ) from None


# ---------------------------------------------------------------- labels, whole frames, options


def label_column(
    data: pd.DataFrame, column: str, what: str, keys: Sequence[str] = ()
) -> pd.Series:
    """``data[column]`` as labels: none missing, all of one kind (all text or all numbers).

    A missing label would book a figure to no place (or, in a categorical, to the wrong one);
    labels of two kinds (``7`` and ``"A"``, or ``2020`` and ``"2020"``) look alike in a message
    but never match, so a join or a group silently loses rows.
    """
    require_columns(data, [column], what)
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise InvalidInputError(
            f"{what} has the column {column!r} more than once; expected each column once"
        )
    missing = series.isna().to_numpy()
    if missing.any():
        raise InvalidInputError(
            f"{what}: column {column!r} has missing labels: "
            f"{_examples(data, missing, column, keys)}; every row needs a {column} (a figure "
            "without one cannot be booked anywhere: drop or fix those rows)"
        )
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        _require_distinct_text(series.unique(), what, f"column {column!r}")
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        values = (series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype)
                  else series)
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "string":
            _require_distinct_text(pd.unique(np.asarray(values, dtype=object)), what,
                                   f"column {column!r}")
        if kind in ("string", "integer", "floating", "empty"):
            return series  # one kind (checked in C, fast on a million rows)
        kinds = {("text" if isinstance(v, str) else "number" if _is_real(v)
                  else _kind(v)) for v in values}
        if len(kinds) > 1:
            examples = {}
            for v in values:
                k = "text" if isinstance(v, str) else "number" if _is_real(v) else _kind(v)
                examples.setdefault(k, v)
            shown = ", ".join(f"{k} {v!r}" for k, v in sorted(examples.items()))
            raise InvalidInputError(
                f"{what}: column {column!r} mixes labels of different kinds ({shown}); "
                "expected one kind (e.g. all ISO3 codes as text): 7 and '7' never match"
            )
    return series


def _require_distinct_text(labels: Iterable[Any], what: str, where: str) -> None:
    """Refuse two labels that differ only by spaces or case (``"A "`` and ``"A"``): they
    would be two places, each with part of the figures."""
    seen: dict[str, str] = {}
    for label in labels:
        if not isinstance(label, str):
            continue
        key = " ".join(label.split()).casefold()
        other = seen.setdefault(key, label)
        if other != label:
            raise InvalidInputError(
                f"{what}: in {where}, the labels {other!r} and {label!r} differ only by "
                "spaces or case; expected one spelling per place (fix the labels: they would "
                "be two places otherwise)"
            )


def check_frame(
    data: Any,
    what: str,
    *,
    years: Sequence[str] = (),
    counts: Sequence[str] = (),
    positive: Sequence[str] = (),
    signed: Sequence[str] = (),
    rates: Sequence[str] = (),
    labels: Sequence[str] = (),
    unique: Sequence[str] | None = None,
    hint: str = "filter it first (e.g. sex='total')",
) -> pd.DataFrame:
    """Check the columns of ``data`` by role and return a copy with them converted.

    ``years`` become int64 (whole years, none missing, no text); ``counts`` (persons, flows,
    stocks: 0 or more), ``positive`` (populations: more than 0) and ``signed`` (net figures)
    become float64 (finite; gaps stay ``NaN``), and so do ``rates`` (finite numbers that are
    not persons: per 1,000, percent); ``labels`` must be present and of one kind.
    With ``unique``, rows must not repeat those columns. Every error names the argument, the
    column, the rows and the values.
    """
    require_frame(data, what)
    require_columns(data, [*years, *counts, *positive, *signed, *rates, *labels], what)
    keys = [*labels, *years]
    out = data.copy()
    for column in labels:
        label_column(data, column, what, keys)
    for column in years:
        out[column] = year_column(data, what, column)
    for column in counts:
        out[column] = require_nonnegative(data, column, what, keys)
    for column in positive:
        out[column] = require_positive(data, column, what, keys)
    for column in signed:
        out[column] = numeric_column(data, column, what, keys, persons=True)
    for column in rates:
        out[column] = numeric_column(data, column, what, keys)
        huge = (out[column].abs() > MAX_PERSONS).to_numpy()
        if huge.any():
            raise InvalidInputError(
                f"{what}: column {column!r} holds values above {MAX_PERSONS:.0e}: "
                f"{_examples(out, huge, column, keys)}; expected a rate (check the unit)"
            )
    if unique is not None:
        require_unique(out, list(unique), what, hint)
    return out


def as_names(value: Any, what: str, example: str = "['year']") -> list[str] | None:
    """An optional list of column names; a bare string is refused (it is not a list of
    letters), and so is anything that is not a list of names."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable) or isinstance(
            value, Mapping):
        raise InvalidInputError(
            f"{what} must be a list of column names such as {example}, got {value!r}"
        )
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise InvalidInputError(
                f"{what} must be a list of column names such as {example}, got {value!r} "
                f"({name!r} is not a name)"
            )
    return names


def as_years(value: Any, what: str) -> list[int]:
    """A list of years (``series_breaks=[2025]``); a string such as ``"2025"`` is refused."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable) or isinstance(
            value, Mapping):
        raise InvalidInputError(
            f"{what} must be a list of years such as [2025], got {value!r}"
        )
    return [as_year(v, f"{what}: each year") for v in value]


def as_choice(value: Any, choices: Iterable[str], what: str) -> str:
    """``value`` if it is one of ``choices`` (exactly: case and spaces count), else an error."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise InvalidInputError(f"{what} must be one of {options}, got {value!r}")
    return value


def as_count(value: Any, what: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum`` (not a boolean, not text, not 2.5)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{what} must be a whole number of at least {minimum}, "
                                f"got {value!r}")
    return value


def as_tolerance(value: Any, what: str = "tol") -> float:
    """A convergence tolerance: a number above 0 and below 1 (it is a gap relative to the
    total, so 1 or more would accept any table, even the seed unchanged)."""
    if isinstance(value, np.generic):
        value = value.item()
    if (not _is_real(value)) or not math.isfinite(value) or not 0 < value < 1:
        raise InvalidInputError(f"{what} must be a number above 0 and below 1 such as 1e-10 "
                                f"(a gap relative to the total), got {value!r}")
    return float(value)


def as_flag(value: Any, what: str) -> bool:
    """``True`` or ``False``; ``"yes"`` or ``1`` are refused rather than guessed."""
    if isinstance(value, np.bool_):
        value = bool(value)
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be True or False, got {value!r}")
    return value


def count_array(values: Any, what: str, *, allow_nan: bool = False) -> np.ndarray:
    """Numbers of persons as a float64 array: finite, 0 or more, no booleans, text or complex.

    A bad cell of a Series or DataFrame is named by its labels, of an array by its position.
    """
    axes: list[pd.Index] | None = None
    if isinstance(values, pd.DataFrame):
        axes = [values.index, values.columns]
    elif isinstance(values, pd.Series):
        axes = [values.index]
    if isinstance(values, pd.DataFrame | pd.Series):
        values = values.to_numpy()
    if isinstance(values, list | tuple):
        # A plain list is read cell by cell: np.asarray([True, 99]) would turn True into 1.
        try:
            arr = np.array(values, dtype=object)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"{what} must be a list of numbers, got {values!r}") from None
        if arr.ndim == 0 or any(isinstance(v, list | tuple | np.ndarray) for v in arr.ravel()):
            raise InvalidInputError(
                f"{what} must be a list of numbers (rows of the same length), got {values!r}")
        values = arr
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be an array of numbers, got {values!r}") from None
    if arr.dtype.kind == "b":
        raise InvalidInputError(f"{what} holds true/false values; expected numbers of persons")
    if arr.dtype.kind == "c":
        raise InvalidInputError(f"{what} holds complex numbers; expected numbers of persons")
    if arr.dtype.kind in "iuf":
        flat = arr.astype("float64").ravel()
        bad = ~np.isfinite(flat) | (np.abs(flat) > MAX_PERSONS) | (flat < 0)
        if allow_nan:
            bad &= ~np.isnan(flat)
        if not bad.any():
            return flat.reshape(arr.shape)
        arr = arr.astype(object)
    elif arr.dtype.kind not in "O":
        raise InvalidInputError(
            f"{what} must hold numbers of persons, got values of type {arr.dtype}"
        )
    flat = arr.ravel()
    for i, v in enumerate(flat):
        if _is_missing(v):
            if allow_nan:
                continue
            raise InvalidInputError(
                f"{what} has a missing value at {_position(arr, i, axes)}; expected numbers "
                "of persons (a gap is not a zero)"
            )
        if not _is_real(v):
            raise InvalidInputError(
                f"{what} holds {v!r} ({_kind(v)}) at {_position(arr, i, axes)}; expected "
                "numbers of persons"
            )
        f = float(v)
        if not math.isfinite(f) or abs(f) > MAX_PERSONS:
            raise InvalidInputError(
                f"{what} holds {v!r} at {_position(arr, i, axes)}; expected a finite number "
                f"of persons (at most {MAX_PERSONS:.0e})"
            )
        if f < 0:
            raise InvalidInputError(
                f"{what} holds the negative figure {v!r} at {_position(arr, i, axes)}; "
                "expected 0 or more persons"
            )
    return np.array([math.nan if _is_missing(v) else float(v) for v in flat],
                    dtype="float64").reshape(arr.shape)


def _label_kind(index: pd.Index) -> str | None:
    """"text" or "number" for an index of one kind (checked by labels_of), None if empty."""
    if len(index) == 0:
        return None
    return "text" if isinstance(index[0], str) else "number"


def _position(arr: np.ndarray, i: int, axes: list[pd.Index] | None = None) -> Any:
    where = [int(k) for k in np.unravel_index(i, arr.shape)]
    if axes is not None:
        names = ["row", "column"] if len(axes) == 2 else ["label"]
        return ", ".join(f"{n} {_plain(a[k])!r}" for n, a, k in zip(names, axes, where,
                                                                     strict=True))
    return f"position {tuple(where) if arr.ndim > 1 else i}"


def signed_series(values: Any, what: str) -> pd.Series:
    """A Series of finite real numbers (net figures may be negative), labels checked."""
    if not isinstance(values, pd.Series):
        raise InvalidInputError(f"{what} must be a pandas Series, got {type(values).__name__}")
    labels_of(values.index, what)
    frame = values.rename("value").to_frame()
    return numeric_column(frame, "value", what, persons=True)


def count_series(values: Any, what: str) -> pd.Series:
    """A Series of counts of persons (finite, 0 or more), labels checked; gaps stay NaN."""
    if not isinstance(values, pd.Series):
        raise InvalidInputError(f"{what} must be a pandas Series, got {type(values).__name__}")
    labels_of(values.index, what)
    return pd.Series(count_array(values, what, allow_nan=True), index=values.index)


def labels_of(index: Any, what: str) -> pd.Index:
    """The labels of an index or of a table's rows/columns: present, unique, of one kind."""
    index = pd.Index(index)
    if index.isna().any():
        raise InvalidInputError(
            f"{what} has a missing label at position {int(np.flatnonzero(index.isna())[0])}; "
            "every row and column needs a label"
        )
    if index.has_duplicates:
        repeated = sorted(map(repr, index[index.duplicated()].unique()))[:5]
        raise InvalidInputError(
            f"{what} repeats the label(s) {', '.join(repeated)}; expected each label once "
            "(two rows for one place would be counted twice)"
        )
    kinds = {("text" if isinstance(v, str) else "number" if _is_real(v) else _kind(v))
             for v in index}
    if len(kinds) > 1:
        examples: dict[str, Any] = {}
        for v in index:
            examples.setdefault("text" if isinstance(v, str) else "number" if _is_real(v)
                                else _kind(v), v)
        shown = ", ".join(f"{k} {v!r}" for k, v in sorted(examples.items()))
        raise InvalidInputError(
            f"{what} mixes labels of different kinds ({shown}); expected one kind: 7 and '7' "
            "never match"
        )
    return index


def key_columns(data: pd.DataFrame, keys: Sequence[str], what: str) -> pd.DataFrame:
    """A copy of ``data`` whose key columns are checked: ``year`` (and ``start``/``end``) as
    whole years, the others as labels present and of one kind."""
    out = data.copy()
    for column in keys:
        if column in ("year", "start", "end"):
            out[column] = year_column(data, what, column)
        else:
            label_column(data, column, what, keys)
    return out


def require_known_labels(
    series: pd.Series, expected: Sequence[str], what: str, column: str
) -> None:
    """Refuse a label that is one of ``expected`` but for case or spaces (``"Immigrants "``):
    it would be left out silently as another category."""
    wanted = {e.strip().casefold(): e for e in expected}
    near = sorted({v for v in series.dropna().unique() if isinstance(v, str)
                   and v not in expected and v.strip().casefold() in wanted}, key=str)
    if near:
        raise InvalidInputError(
            f"{what}: column {column!r} holds {near}, which differ from {list(expected)} only "
            "by case or spaces; fix the labels (those rows would be left out otherwise)"
        )


def check_flows(
    flows: Any,
    what: str,
    *,
    origin_col: str = "origin",
    destination_col: str = "destination",
    flow_col: str = "flow",
    allow_gaps: bool = True,
    complete: bool = False,
    persons: bool = True,
) -> pd.DataFrame:
    """A long flow table checked: origin and destination labels present and of one kind (the
    same kind in both columns), flows finite counts of persons (0 or more), one row per pair.

    With ``allow_gaps=False`` a missing flow is refused too (an index over a gap does not
    exist); with ``complete=True`` so is a missing row for a pair of distinct regions (a pair
    without a row is a gap, not a zero: list it with 0). ``persons=False`` checks another
    quantity of 0 or more (a distance). Returns a copy with the flow column as float64 and
    categorical labels as plain values (unused categories are no regions).
    """
    if persons:
        out = check_frame(flows, what, labels=[origin_col, destination_col], counts=[flow_col])
    else:
        out = check_frame(flows, what, labels=[origin_col, destination_col])
        out[flow_col] = numeric_column(flows, flow_col, what, [origin_col, destination_col])
        negative = (out[flow_col] < 0).to_numpy()
        if negative.any():
            raise InvalidInputError(
                f"{what}: column {flow_col!r} holds negative values: "
                f"{_examples(out, negative, flow_col, [origin_col, destination_col])}; "
                "expected 0 or more"
            )
        huge = (out[flow_col] > MAX_PERSONS).to_numpy()
        if huge.any():
            raise InvalidInputError(
                f"{what}: column {flow_col!r} holds values above {MAX_PERSONS:.0e}: "
                f"{_examples(out, huge, flow_col, [origin_col, destination_col])}; expected "
                "plausible magnitudes (check the unit)"
            )
    for column in (origin_col, destination_col):
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    both = pd.concat([out[origin_col].astype(object), out[destination_col].astype(object)],
                     ignore_index=True)
    labels_of(both.drop_duplicates(), f"{what}: columns {origin_col!r} and {destination_col!r}")
    _require_distinct_text(pd.unique(both.to_numpy()), what,
                           f"columns {origin_col!r} and {destination_col!r}")
    if not allow_gaps and out[flow_col].isna().any():
        bad = out.loc[out[flow_col].isna(), [origin_col, destination_col]].head(3)
        raise InvalidInputError(
            f"{what}: column {flow_col!r} is missing for {bad.to_dict('records')}; a summary "
            "index cannot be computed over a gap"
        )
    if complete:
        regions = pd.unique(both)
        have = set(zip(out[origin_col], out[destination_col], strict=True))
        lacking = [(o, d) for o in regions for d in regions if o != d and (o, d) not in have]
        if lacking:
            shown = ", ".join(f"{_plain(o)!r}->{_plain(d)!r}" for o, d in lacking[:5])
            raise InvalidInputError(
                f"{what} has no row for {len(lacking)} pair(s) of regions, e.g. {shown}; "
                f"expected a row for every pair of distinct regions (give {flow_col} 0 for a "
                "pair without moves: a missing row is a gap, not a zero)"
            )
    return out


def check_population(
    population: Any,
    what: str,
    *,
    region_col: str = "region",
    population_col: str = "population",
) -> pd.Series:
    """The population at risk of each region of a system: one row per region, a label present
    and of one kind, a positive finite number of persons. Returns it as a float64 Series
    indexed by region (in the order of the rows)."""
    frame = check_frame(population, what, labels=[region_col], positive=[population_col],
                        unique=[region_col], hint="expected one row per region")
    if frame.empty:
        raise InvalidInputError(
            f"{what} has no rows; expected one row of {region_col} and {population_col} for "
            "every region of the system"
        )
    missing = frame[population_col].isna().to_numpy()
    if missing.any():
        raise InvalidInputError(
            f"{what}: column {population_col!r} is missing for "
            f"{_examples(frame, missing, population_col, [region_col])}; every region of the "
            "system needs its population at risk"
        )
    return pd.Series(frame[population_col].to_numpy(), index=pd.Index(frame[region_col]),
                     name=population_col)


def system_population(
    population: pd.Series, flow_regions: Iterable[Any], what: str
) -> pd.Series:
    """The population at risk of a migration system: every region of ``population``.

    The system is the set of regions the population table lists, whether or not a flow
    touches them: people living in a region with no recorded move were still at risk of
    moving, so leaving them out would raise the intensity measures (Bell et al. 2002 divide
    by the population of the whole system). Every region of the flows must be one of them.
    """
    regions = set(population.index)
    unknown = sorted(map(str, {r for r in flow_regions if r not in regions}))
    if unknown:
        raise InvalidInputError(
            f"{what} lacks region(s) {unknown[:5]} that appear in the flows; found "
            f"{sorted(map(str, regions))[:10]} (the population table lists every region of "
            "the system)"
        )
    return population


_UNSET: Any = object()


def check_fit(
    *,
    tol: Any = _UNSET,
    max_iter: Any = _UNSET,
    labelled: Mapping[str, Any] | None = None,
    counts: Mapping[str, Any] | None = None,
) -> None:
    """Entry checks of the fitting functions (IPF, flows from nets, flows from stocks).

    ``tol`` a number above 0 and below 1 (``None`` refused), ``max_iter`` a whole number of at
    least 1; every array in ``counts`` (``None`` skipped) numbers of persons (finite, 0 or
    more, no booleans, text or complex); every Series or DataFrame in ``labelled`` with labels
    present, unique and of one kind on each axis.
    """
    if tol is not _UNSET:
        as_tolerance(tol, "tol")
    if max_iter is not _UNSET:
        as_count(max_iter, "max_iter")
    seen: dict[str, tuple[str, Any]] = {}  # label kind -> (argument, example label)
    for name, value in (labelled or {}).items():
        for axis in ([value.index] if isinstance(value, pd.Series) else
                     [value.index, value.columns] if isinstance(value, pd.DataFrame) else []):
            kind = _label_kind(labels_of(axis, name))
            if kind is not None:
                seen.setdefault(kind, (name, _plain(axis[0])))
    if len(seen) > 1:
        shown = "; ".join(f"{arg} has {kind} labels such as {example!r}"
                          for kind, (arg, example) in sorted(seen.items()))
        raise InvalidInputError(
            f"the labels are not of one kind: {shown}; 1 and '1' never match, so use the same "
            "labels (e.g. ISO3 codes as text) everywhere"
        )
    for name, value in (labelled or {}).items():
        if isinstance(value, pd.Series):
            labels_of(value.index, f"{name} (its index)")
        elif isinstance(value, pd.DataFrame):
            rows = labels_of(value.index, f"{name} (its rows)")
            columns = labels_of(value.columns, f"{name} (its columns)")
            kinds = {_label_kind(rows), _label_kind(columns)} - {None}
            if len(kinds) > 1:
                raise InvalidInputError(
                    f"{name} has row labels of one kind and column labels of another "
                    f"(rows {[_plain(v) for v in rows[:3]]!r}, columns "
                    f"{[_plain(v) for v in columns[:3]]!r}): 1 and '1' never match; use "
                    "the same labels, e.g. ISO3 codes as text, on both"
                )
    for name, value in (counts or {}).items():
        if value is not None:
            count_array(value, name)


# ---------------------------------------------------------------- numbers that are not only counts


def as_number(
    value: Any, what: str, *, minimum: float | None = None, whole: bool = False
) -> float:
    """A finite real number (not a boolean, not text), at least ``minimum``; with ``whole``,
    a whole number (``11`` or ``11.0``, not ``10.5``)."""
    if isinstance(value, np.generic):
        value = value.item()
    kind = "a whole number" if whole else "a finite number"
    bound = "" if minimum is None else f" of at least {minimum:g}"
    if not _is_real(value) or not math.isfinite(value) or (
            whole and not float(value).is_integer()) or (
            minimum is not None and value < minimum):
        raise InvalidInputError(f"{what} must be {kind}{bound}, got {value!r}")
    return float(value)


def require_sequence(value: Any, what: str, example: str) -> list[Any]:
    """``value`` as a list; a string (a list of letters), a mapping or a scalar is refused."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable) or isinstance(
            value, Mapping):
        raise InvalidInputError(f"{what} must be a list such as {example}, got {value!r}")
    return list(value)


def number_array(
    values: Any, what: str, *, allow_nan: bool = False, minimum: float | None = None
) -> np.ndarray:
    """Real numbers as a float64 array: finite (a gap ``NaN`` only with ``allow_nan``), at
    most :data:`MAX_PERSONS` in size, at least ``minimum``; no booleans, text or complex.

    The signed counterpart of :func:`count_array` (net figures, weights, ages). A bad value is
    named by its label (Series) or position.
    """
    axes = [values.index] if isinstance(values, pd.Series) else None
    if isinstance(values, pd.Series | pd.DataFrame):
        values = values.to_numpy()
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{what} must be an array of numbers, got {values!r}") from None
    if arr.dtype.kind == "b":
        raise InvalidInputError(f"{what} holds true/false values; expected numbers")
    if arr.dtype.kind == "c":
        raise InvalidInputError(f"{what} holds complex numbers; expected real numbers")
    if arr.dtype.kind not in "iufO":
        raise InvalidInputError(f"{what} must hold numbers, got values of type {arr.dtype} "
                                "(text such as '12' is not read as a number)")
    flat = arr.ravel()
    if arr.dtype.kind == "O":
        for i, v in enumerate(flat):
            if not (_is_missing(v) or _is_real(v)):
                raise InvalidInputError(
                    f"{what} holds {v!r} ({_kind(v)}) at {_position(arr, i, axes)}; expected "
                    "numbers (text such as '12' is not read as a number)"
                )
        flat = np.array([math.nan if _is_missing(v) else float(v) for v in flat],
                        dtype="float64")
    else:
        flat = flat.astype("float64")
    nan = np.isnan(flat)
    with np.errstate(invalid="ignore"):
        bad = (nan & (not allow_nan)) | (~nan & ~(np.abs(flat) <= MAX_PERSONS))
        if minimum is not None:
            bad |= flat < minimum
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        f = float(flat[i])
        if math.isnan(f):
            raise InvalidInputError(f"{what} has a missing value at "
                                    f"{_position(arr, i, axes)}; a gap is not a zero")
        if not math.isfinite(f) or abs(f) > MAX_PERSONS:
            raise InvalidInputError(
                f"{what} holds {f!r} at {_position(arr, i, axes)}; expected a finite number "
                f"(at most {MAX_PERSONS:.0e} in size)"
            )
        raise InvalidInputError(
            f"{what} holds {f!r} at {_position(arr, i, axes)}; expected {minimum:g} or more"
        )
    return flat.reshape(arr.shape)


def known_options(
    options: Mapping[str, Any], function: Any, what: str, skip: Sequence[str] = ()
) -> None:
    """Refuse a keyword ``what`` passes on to ``function`` that ``function`` does not take
    (``foo="x"``), naming it and the keywords that exist, before it becomes a TypeError."""
    import inspect

    accepted = [name for name, p in inspect.signature(function).parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and name not in skip]
    unknown = [k for k in options if k not in accepted]
    if unknown:
        raise InvalidInputError(
            f"{what} got the unknown option(s) {unknown}; expected one of {accepted}"
        )
