"""Input checks shared by the indicator functions (columns, countries, years, revisions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..countries import to_iso3
from ..errors import InvalidInputError, MissingColumnsError, UnknownValueError

__all__ = [
    "require_columns",
    "require_frame",
    "require_single",
    "require_unique",
    "require_years",
    "select_country",
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
