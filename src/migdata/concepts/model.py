"""The data model: a :class:`Stay` in one country and a :class:`Person` with a history of stays.

Both validate themselves on creation; an impossible history raises
:class:`~migdata.errors.InvalidPersonError` naming the stay at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Final

from ..countries import to_iso3
from ..errors import InvalidInputError, InvalidPersonError

__all__ = ["PURPOSES", "Person", "Stay", "to_date"]

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


def to_date(value: object, what: str = "date") -> dt.date:
    """Return ``value`` as a :class:`datetime.date`.

    Accepts a ``date``, a ``datetime`` (or ``pandas.Timestamp``; the time of day is dropped) or an
    ISO string ``"YYYY-MM-DD"``.

    Raises
    ------
    InvalidInputError
        For anything else, naming the value.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInputError(
        f"{what} must be a datetime.date or an ISO date string 'YYYY-MM-DD', got {value!r}"
    )


@dataclass(frozen=True, slots=True)
class Stay:
    """A stay in one country over the half-open interval ``[start, end)``.

    Parameters
    ----------
    country : str
        Country of the stay; any form :func:`migdata.countries.to_iso3` accepts, stored as ISO3.
    start : datetime.date or str
        First day of the stay.
    end : datetime.date or str or None
        The day the person left (not part of the stay). ``None`` (or ``NaT``) means the person is
        still there and intends to stay.
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
        if self.end is not None and self.end != self.end:  # NaN / NaT: no end, still there
            object.__setattr__(self, "end", None)
        if self.end is not None:
            end = to_date(self.end, "stay end")
            object.__setattr__(self, "end", end)
            if end <= self.start:
                raise InvalidPersonError(
                    f"stay in {self.country} ends on {end.isoformat()}, which is not after its "
                    f"start {self.start.isoformat()}: a stay must end after it starts"
                )
        if self.purpose is not None and self.purpose not in PURPOSES:
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
