"""Input checks shared by the indicator functions (columns, countries, years, revisions)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from .countries import to_iso3
from .errors import InvalidInputError, MissingColumnsError, UnknownValueError

__all__ = [
    "as_year",
    "join",
    "numeric_column",
    "require_columns",
    "require_frame",
    "require_nonnegative",
    "require_positive",
    "require_single",
    "require_unique",
    "require_years",
    "select_country",
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
    data: pd.DataFrame, column: str, what: str, value: Any = None
) -> tuple[pd.DataFrame, Any]:
    """Keep one value of ``column`` (e.g. one UN revision), never mixing several silently.

    With ``value`` given, keep those rows (error listing the values present if none). Without
    it, the column must hold exactly one value, else an error asks the caller to choose.
    """
    if column not in data.columns:
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


def numeric_column(
    data: pd.DataFrame,
    column: str,
    what: str,
    keys: Sequence[str] = (),
    persons: bool = False,
) -> pd.Series:
    """``data[column]`` as float64; raise naming the rows that hold no number or an infinite one.

    Missing values (gaps) stay ``NaN``. Text such as ``"1,000"``, booleans and ``inf`` are
    refused with :class:`InvalidInputError`; with ``persons``, so are magnitudes above
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
            f"{what}: column {column!r} holds true/false values; expected numbers of persons"
        )
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64")
    else:
        try:
            values = pd.to_numeric(series.astype(object), errors="coerce").astype("float64")
        except (TypeError, ValueError):
            values = pd.Series(np.nan, index=series.index)
        bad = (values.isna() & series.notna()).to_numpy()
        if bad.any():
            raise InvalidInputError(
                f"{what}: column {column!r} holds values that are not numbers: "
                f"{_examples(data, bad, column, keys)}; expected numbers (gaps may be missing)"
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
            f"{what}: column {column!r} must be a positive number (a population), but holds "
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
            f"{what}: column {column!r} is a count of persons but holds negative figures: "
            f"{_examples(data, bad, column, keys)}; expected 0 or more"
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
        return [(as_year(a, "period start"), as_year(b, "period end")) for a, b in periods]
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
