"""The data model: a :class:`Stay` in one country and a :class:`Person` with a history of stays.

Both validate themselves on creation; an impossible history raises
:class:`~migdata.errors.InvalidPersonError` naming the stay at fault.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Final

from ..countries import to_iso3
from ..errors import InvalidInputError, InvalidPersonError

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "PURPOSES",
    "Person",
    "Stay",
    "is_missing",
    "to_date",
]

PURPOSES: Final = (
    "work",
    "seasonal_work",
    "study",
    "training",
    "health",
    "asylum_transit",
    "family",
    "tourism",
    "business",
)


#: First and last day a date in a history may fall on. A migration history spans a lifetime;
#: a date outside is a typo (or a number read as a date), and every date of the range can also
#: be held by pandas, so the table functions read exactly what :class:`Stay` reads.
MIN_DATE: Final = dt.date(1800, 1, 1)
MAX_DATE: Final = dt.date(2200, 12, 31)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXPECTED = (
    "expected a datetime.date, a datetime or pandas.Timestamp (time-zone-aware ones count by "
    "their own local date) or an ISO date string 'YYYY-MM-DD'"
)


def is_missing(value: object) -> bool:
    """True for ``None``, ``NaN``, ``pandas.NaT``, ``pandas.NA`` and ``numpy.datetime64('NaT')``."""
    if value is None:
        return True
    kind = type(value).__name__
    if kind in ("NAType", "NaTType"):
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if kind in ("datetime64", "timedelta64"):
        return str(value) == "NaT"
    return False


def _in_range(day: dt.date, value: object, what: str) -> dt.date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidInputError(
            f"{what} {value!r} is out of range: expected a date from {MIN_DATE.isoformat()} "
            f"to {MAX_DATE.isoformat()}"
        )
    return day


def to_date(value: object, what: str = "date") -> dt.date:
    """Return ``value`` as a :class:`datetime.date`.

    Accepts a ``date``, a ``datetime`` (or ``pandas.Timestamp``, ``numpy.datetime64``; the time
    of day is dropped, and a time-zone-aware value gives its own local calendar date, so
    ``2020-01-02 00:30+04:00`` is 2 January) or an ISO string ``"YYYY-MM-DD"``. The date must lie
    between :data:`MIN_DATE` and :data:`MAX_DATE`.

    Raises
    ------
    InvalidInputError
        For a missing value, a number, a day-first or otherwise non-ISO string, or a date out
        of range, naming the value.
    """
    if is_missing(value):
        raise InvalidInputError(f"{what} is missing ({value!r}); {_EXPECTED}")
    if type(value).__name__ == "datetime64":  # numpy, without importing it
        value = value.astype("datetime64[D]").item()  # type: ignore[attr-defined]
        if not isinstance(value, dt.date):  # a day number outside datetime's years
            raise InvalidInputError(f"{what} {value!r} is out of range; {_EXPECTED}")
    if isinstance(value, dt.datetime):
        # a time-zone-aware value keeps its own wall-clock date: no conversion to UTC
        return _in_range(value.date(), value, what)
    if isinstance(value, dt.date):
        return _in_range(value, value, what)
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.fullmatch(text):
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise InvalidInputError(
                    f"{what} {value!r} is not a calendar date (expected 'YYYY-MM-DD' with a "
                    "real month and day)"
                ) from None
            return _in_range(day, value, what)
        raise InvalidInputError(
            f"{what} {value!r} is not an ISO date: {_EXPECTED}; day-first forms such as "
            "'01.03.2019' are refused because they are ambiguous"
        )
    raise InvalidInputError(f"{what} must be a date, got {value!r} ({type(value).__name__}); "
                            f"{_EXPECTED}")


@dataclass(frozen=True, slots=True)
class Stay:
    """A stay in one country over the half-open interval ``[start, end)``.

    Parameters
    ----------
    country : str
        Country of the stay; any form :func:`migdata.countries.to_iso3` accepts, stored as ISO3.
    start : datetime.date or str
        First day of the stay (a ``date``, ``datetime``, ``Timestamp`` or ``"YYYY-MM-DD"``; see
        :func:`to_date`). It may not be missing.
    end : datetime.date or str or None
        The day the person left (not part of the stay). A missing end (``None``, ``NaN``,
        ``NaT``, ``pd.NA``) means the person is still there and intends to stay.
    purpose : str or None
        One of :data:`PURPOSES` or ``None`` (not known / not relevant).

    Raises
    ------
    UnknownCountryError
        If ``country`` is not a country.
    InvalidPersonError
        If ``end`` is not after ``start``.
    InvalidInputError
        If a date cannot be read or ``purpose`` is not one of :data:`PURPOSES`.

    Examples
    --------
    >>> Stay("Russia", "2020-03-01", "2020-09-01", purpose="seasonal_work").days
    184
    """

    country: str
    start: dt.date
    end: dt.date | None = None
    purpose: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "country", to_iso3(self.country))
        object.__setattr__(self, "start", to_date(self.start, "stay start"))
        if is_missing(self.end):  # None, NaN, NaT, pd.NA: no end, still there
            object.__setattr__(self, "end", None)
        if self.end is not None:
            end = to_date(self.end, "stay end")
            object.__setattr__(self, "end", end)
            if end <= self.start:
                raise InvalidPersonError(
                    f"stay in {self.country} ends on {end.isoformat()}, which is not after its "
                    f"start {self.start.isoformat()}: a stay must end after it starts"
                )
        if is_missing(self.purpose):
            object.__setattr__(self, "purpose", None)
        if self.purpose is not None and (
            not isinstance(self.purpose, str) or self.purpose not in PURPOSES
        ):
            raise InvalidInputError(
                f"unknown stay purpose {self.purpose!r}: expected one of {', '.join(PURPOSES)} "
                "or None"
            )

    @property
    def ongoing(self) -> bool:
        """True when the stay has no end (the person is still there)."""
        return self.end is None

    @property
    def days(self) -> int | None:
        """Length in days (``end - start``), or ``None`` for an ongoing stay."""
        return None if self.end is None else (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class Person:
    """A person with a country of birth, citizenships and a history of stays.

    Parameters
    ----------
    birth_country : str
        Country of birth; any form :func:`~migdata.countries.to_iso3` accepts, stored as ISO3.
    citizenships : iterable of str
        Countries whose citizenship the person holds, stored as a ``frozenset`` of ISO3 codes.
        Empty means stateless. A single string is read as one country, not as letters.
    stays : iterable of Stay
        The stays in time order, not overlapping; gaps between stays are allowed. At least one.
    id : hashable, optional
        Any identifier.

    Raises
    ------
    InvalidPersonError
        If ``stays`` is not a list, is empty or holds something other than a :class:`Stay`, or
        the stays are out of order or overlap (an ongoing stay followed by another overlaps it).
    UnknownCountryError
        If a birth or citizenship country is unknown.

    Examples
    --------
    >>> p = Person("AZE", {"AZE"}, [Stay("AZE", "2000-01-01", "2015-05-01"),
    ...                             Stay("RUS", "2015-05-01")])
    >>> p.stateless, sorted(p.citizenships)
    (False, ['AZE'])
    """

    birth_country: str
    citizenships: frozenset[str]
    stays: tuple[Stay, ...]
    id: Hashable | None = field(default=None)

    def __post_init__(self) -> None:
        try:
            hash(self.id)
        except TypeError:
            raise InvalidPersonError(
                f"a person's id must be hashable (a number or a string), got {self.id!r}"
            ) from None
        object.__setattr__(self, "birth_country", to_iso3(self.birth_country))
        cits = self.citizenships
        if isinstance(cits, str):
            cits = [cits] if cits.strip() else []
        if cits is None or not isinstance(cits, Iterable):
            raise InvalidPersonError(
                f"citizenships must be a set of countries (empty for a stateless person), "
                f"got {self.citizenships!r}"
            )
        object.__setattr__(self, "citizenships", frozenset(to_iso3(c) for c in cits))
        who = f"person {self.id!r}" if self.id is not None else "person"
        if isinstance(self.stays, Stay | str) or not isinstance(self.stays, Iterable):
            raise InvalidPersonError(
                f"{who}: stays must be a list of Stay in time order, got {self.stays!r}"
            )
        stays = tuple(self.stays)
        object.__setattr__(self, "stays", stays)
        if not stays:
            raise InvalidPersonError(f"{who} has no stays: at least one Stay is needed")
        for i, stay in enumerate(stays):
            if not isinstance(stay, Stay):
                raise InvalidPersonError(f"{who}: stay {i} is {stay!r}, expected a Stay")
        for i in range(1, len(stays)):
            before, after = stays[i - 1], stays[i]
            if after.start < before.start:
                raise InvalidPersonError(
                    f"{who}: stay {i} ({after.country} from {after.start.isoformat()}) starts "
                    f"before stay {i - 1} ({before.country} from {before.start.isoformat()}); "
                    "stays must be in time order"
                )
            if before.end is None or after.start < before.end:
                until = "ongoing" if before.end is None else f"until {before.end.isoformat()}"
                raise InvalidPersonError(
                    f"{who}: stay {i} ({after.country} from {after.start.isoformat()}) overlaps "
                    f"stay {i - 1} ({before.country} from {before.start.isoformat()}, {until}); "
                    "stays must not overlap"
                )

    @property
    def stateless(self) -> bool:
        """True when the person holds no citizenship."""
        return not self.citizenships
