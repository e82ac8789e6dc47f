"""Field checks for the records a live API answers, the same rules as the curated loaders.

Every field of every record is read here, so that a publisher's odd answer is a
:class:`~migdata.errors.MalformedResponseError` naming the source, the field and the value,
never a figure: ``"Infinity"`` or ``true`` is not a number of persons, ``2019.7`` or ``true``
is not a year, an empty ISO3 code is not replaced by another code, and two records for one
key with different figures are not both kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import MalformedResponseError

__all__ = ["iso3_field", "number_field", "refuse_conflicts", "refuse_unasked", "text_field",
           "year_field"]

_YEAR = re.compile(r"^\d{4}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
#: Largest figure a record may hold (as migdata._checks.MAX_PERSONS).
_MAX = 1e12


def _shown(record: Any) -> str:
    return repr(str(record)[:120])


def year_field(record: dict[str, Any], key: str, source: str, *, text: bool = True) -> int:
    """A year: an integer, or (with ``text``) text of four digits as the World Bank and the UN
    portal send it; ``2019.7``, ``True``, ``"2019-20"`` and a missing year are refused."""
    value = record.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif text and isinstance(value, str) and _YEAR.match(value.strip()):
        year = int(value.strip())
    else:
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}; expected a whole "
            "year such as 2019"
        )
    if not 1000 <= year <= 9999:
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}, not a plausible year"
        )
    return year


def number_field(
    record: dict[str, Any], key: str, source: str, *, count: bool = False,
    missing: Sequence[Any] = (None,),
) -> float:
    """A JSON number: finite, not a boolean, not text (``"Infinity"``, ``"12"``). A value in
    ``missing`` is a gap (NaN). With ``count``, a negative figure is refused too."""
    value = record.get(key)
    if any(value is m or (isinstance(m, str) and value == m) for m in missing):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r} "
            f"({type(value).__name__}); expected a number"
        )
    number = float(value)
    if not math.isfinite(number) or abs(number) > _MAX:
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}; expected a finite "
            f"number of at most {_MAX:.0e}"
        )
    if count and number < 0:
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}; a count of persons "
            "is 0 or more"
        )
    return number


def iso3_field(record: dict[str, Any], key: str, source: str) -> str:
    """An ISO 3166-1 alpha-3 code (three capital letters); no fallback to another field."""
    value = record.get(key)
    if not isinstance(value, str) or not _ISO3.match(value):
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}; expected an ISO3 "
            "code such as 'ARM' (another code, e.g. ISO2, is not used in its place)"
        )
    return value


def text_field(record: dict[str, Any], key: str, source: str, default: Any = None) -> str:
    """A text field (a name, a label); missing only where ``default`` is given."""
    value = record.get(key, default)
    if value is None and default is not None:
        value = default
    if not isinstance(value, str):
        raise MalformedResponseError(
            f"{source} record {_shown(record)}: field {key!r} is {value!r}; expected text"
        )
    return value


def refuse_conflicts(frame: pd.DataFrame, keys: Sequence[str], source: str) -> pd.DataFrame:
    """Drop records repeated identically (pages that overlap); refuse two records for one key
    that differ (which one is right cannot be told)."""
    frame = frame.drop_duplicates(ignore_index=True)
    repeated = frame.duplicated(subset=list(keys), keep=False)
    if repeated.any():
        example = frame.loc[repeated].head(2).to_dict("records")
        raise MalformedResponseError(
            f"{source} answered {int(repeated.sum())} records that give different figures for "
            f"the same {list(keys)}, e.g. {example}; expected one record per key"
        )
    return frame


def refuse_unasked(
    frame: pd.DataFrame,
    source: str,
    *,
    within: Mapping[str, Iterable[Any]] = {},
    start: int | None = None,
    end: int | None = None,
    year_col: str = "year",
) -> None:
    """Refuse records nobody asked for: a value of a column outside what was requested
    (``within={"country": ["GEO"]}``: a record for RUS), or a year outside ``start``-``end``.
    A server that answers something else is broken; its records are not kept."""
    for column, wanted in within.items():
        allowed = set(wanted)
        extra = sorted({str(v) for v in frame[column] if v not in allowed})
        if extra:
            raise MalformedResponseError(
                f"{source} answered records for {column} {extra[:5]}, which were not asked for "
                f"(asked: {sorted(map(str, allowed))[:10]}); expected only those requested"
            )
    years = frame[year_col]
    outside = ((years < start) if start is not None else years != years) | (
        (years > end) if end is not None else years != years)
    if outside.any():
        raise MalformedResponseError(
            f"{source} answered records for year(s) {sorted(set(years[outside].tolist()))[:5]}, "
            f"outside the years asked for ({start} to {end})"
        )
