"""The UN rules applied to one person: usual residence, flow events, stock and mobility categories.

These per-person functions are the reference semantics of the kit; the table functions in
:mod:`migdata.concepts.tables` compute the same counts for many persons at once.

How a history is read
---------------------
1. Adjacent stays in the same country (one ends the day the next starts) are merged into one.
2. A stay *qualifies* under a rule when it lasts at least the rule's threshold
   (:data:`RULES`: 365 days for ``"12_months"``, 183 days for ``"6_months"``) or is ongoing.
3. The first stay sets the initial usual residence, whatever its length, and is never a migration
   event. The first stay and the qualifying stays are the person's *residence stays*.
4. Other stays are temporary absences: they do not change the usual residence.

Errors
------
Every function raises :class:`~migdata.errors.UnknownRuleError` for a rule other than those of
:data:`RULES`, :class:`~migdata.errors.UnknownCountryError` for an unknown country, and
:class:`~migdata.errors.InvalidInputError` for a date, year or person it cannot read; each
message names the bad value and what was expected.
"""

from __future__ import annotations

import datetime as dt
from numbers import Integral
from typing import Final

from ..countries import to_iso3
from ..errors import InvalidInputError, UnknownRuleError
from .model import MAX_DATE, MIN_DATE, Person, Stay, to_date

__all__ = [
    "CATEGORY_CONCEPTS",
    "FLOW_CATEGORIES",
    "RULES",
    "STOCK_CATEGORIES",
    "TEMPORARY_CATEGORIES",
    "flow_events",
    "merged_stays",
    "qualifies",
    "stock_categories",
    "temporary_mobility",
    "threshold_days",
    "usual_residence",
]

#: Minimum length in days of a stay that changes the usual residence, by rule.
RULES: Final[dict[str, int]] = {"12_months": 365, "6_months": 183}

#: Labels returned by :func:`stock_categories` (and the index of ``tables.stocks``).
STOCK_CATEGORIES: Final = (
    "native_born",
    "foreign_born",
    "national_citizen",
    "foreign_citizen",
    "international_migrant",
    "returned_migrant",
    "returned_native_born_migrant",
)
#: Labels returned by :func:`flow_events` (and the index of ``tables.flows``).
FLOW_CATEGORIES: Final = ("immigration", "emigration", "returning_citizen", "returning_native_born")
#: Labels returned by :func:`temporary_mobility`.
TEMPORARY_CATEGORIES: Final = (
    "cross_border_workers",
    "seasonal_workers",
    "other_temporary_workers",
    "training_mobility",
    "health_mobility",
    "asylum_seekers_in_transit",
    "circular_mobility",
)

#: The one mapping from output labels to concepts: the :data:`~migdata.concepts.CONCEPTS` id
#: behind every label that the per-person rules return and that indexes the Series of
#: ``stocks``, ``flows`` and ``mobility``. Labels name one person or event
#: (``"returning_citizen"``), concept ids the population or flow (``"returning_citizens"``).
#: The stock label ``"international_migrant"`` maps to ``"immigrant_stock"``: the concept
#: ``"international_migrant"`` is the flow definition (a change of residence within a year).
CATEGORY_CONCEPTS: Final[dict[str, str]] = {
    "usual_residents": "usual_residence",
    "native_born": "native_born",
    "foreign_born": "foreign_born",
    "national_citizen": "national_citizens",
    "foreign_citizen": "foreign_citizens",
    "international_migrant": "immigrant_stock",
    "returned_migrant": "returned_migrants",
    "returned_native_born_migrant": "returned_native_born_migrants",
    "immigration": "immigration",
    "emigration": "emigration",
    "returning_citizen": "returning_citizens",
    "returning_native_born": "returning_native_born",
    **{label: label for label in TEMPORARY_CATEGORIES},
}

#: Longest work stay (days) that counts as a cross-border commute.
CROSS_BORDER_MAX_DAYS: Final = 7

#: Temporary-mobility category of a visit, by purpose (``work`` depends on the length; see
#: :func:`temporary_mobility`). Purposes not listed (family, tourism, business) have none.
PURPOSE_CATEGORIES: Final[dict[str, str]] = {
    "seasonal_work": "seasonal_workers",
    "training": "training_mobility",
    "study": "training_mobility",
    "health": "health_mobility",
    "asylum_transit": "asylum_seekers_in_transit",
}


def threshold_days(rule: str) -> int:
    """Return the minimum stay length in days for ``rule``.

    Parameters
    ----------
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    int
        365 or 183.

    Raises
    ------
    UnknownRuleError
        If ``rule`` is not ``"12_months"`` or ``"6_months"``.

    Examples
    --------
    >>> threshold_days("6_months")
    183
    """
    try:
        return RULES[rule]
    except (KeyError, TypeError):
        raise UnknownRuleError(
            f"unknown usual-residence rule {rule!r}: expected one of {', '.join(map(repr, RULES))}"
        ) from None


def _check_person(person: object) -> Person:
    if not isinstance(person, Person):
        raise InvalidInputError(f"expected a Person, got {person!r}")
    return person


def _check_year(year: object) -> int:
    """Return ``year`` as an ``int``: an integer (also ``numpy.int64``, not a bool) in range."""
    if isinstance(year, bool) or not isinstance(year, Integral):
        raise InvalidInputError(f"year must be an integer such as 2020, got {year!r}")
    if not MIN_DATE.year <= int(year) <= MAX_DATE.year:
        raise InvalidInputError(
            f"year {int(year)} is out of range: expected a year from {MIN_DATE.year} to "
            f"{MAX_DATE.year}"
        )
    return int(year)


def merged_stays(person: Person) -> list[Stay]:
    """Return the person's stays with adjacent stays in the same country merged.

    Two stays are adjacent when one ends on the day the other starts. The merged stay keeps the
    purpose of its first part.

    Parameters
    ----------
    person : Person
        The person.

    Returns
    -------
    list of Stay
        The stays after merging, in time order.
    """
    out: list[Stay] = []
    for stay in _check_person(person).stays:
        last = out[-1] if out else None
        if last is not None and last.country == stay.country and last.end == stay.start:
            out[-1] = Stay(last.country, last.start, stay.end, last.purpose)
        else:
            out.append(stay)
    return out


def qualifies(stay: Stay, rule: str = "12_months") -> bool:
    """True when ``stay`` is long enough under ``rule`` to change the usual residence.

    Parameters
    ----------
    stay : Stay
        The stay; an ongoing stay always qualifies.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    bool
        ``end - start`` in days is at least :func:`threshold_days`, or the stay is ongoing.

    Raises
    ------
    UnknownRuleError
        If ``rule`` is not one of :data:`RULES`.
    InvalidInputError
        If ``stay`` is not a :class:`Stay`.

    Examples
    --------
    >>> s = Stay("RUS", "2021-01-01", "2021-07-03")  # 183 days
    >>> qualifies(s, "6_months"), qualifies(s, "12_months")
    (True, False)
    """
    limit = threshold_days(rule)
    if not isinstance(stay, Stay):
        raise InvalidInputError(f"expected a Stay, got {stay!r}")
    return stay.end is None or (stay.end - stay.start).days >= limit


def _residence_stays(person: Person, rule: str) -> list[tuple[Stay, bool]]:
    """The merged stays, each flagged True if it is a residence stay (first or qualifying)."""
    threshold_days(rule)
    stays = merged_stays(person)
    return [(stay, i == 0 or qualifies(stay, rule)) for i, stay in enumerate(stays)]


def _residence_history(person: Person, day: dt.date, rule: str) -> list[str]:
    """Countries of the residence stays that started on or before ``day``, in time order."""
    return [s.country for s, res in _residence_stays(person, rule) if res and s.start <= day]


def usual_residence(person: Person, on: dt.date | str, rule: str = "12_months") -> str | None:
    """Country of usual residence of ``person`` on the date ``on``.

    It is the country of the latest residence stay (the first stay or a qualifying one) that
    started on or before ``on``; short stays elsewhere are temporary absences and change nothing.

    Parameters
    ----------
    person : Person
        The person.
    on : datetime.date or str
        Reference date (a stay starting on ``on`` already counts).
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    str or None
        ISO3 code, or ``None`` if ``on`` is before the person's first stay.

    Examples
    --------
    >>> p = Person("AZE", {"AZE"}, [Stay("AZE", "1990-01-01", "2020-01-01"),
    ...                             Stay("RUS", "2020-01-01", "2020-06-01"),
    ...                             Stay("AZE", "2020-06-01")])
    >>> usual_residence(p, "2020-03-01")
    'AZE'
    """
    history = _residence_history(person, to_date(on, "on"), rule)
    return history[-1] if history else None


def flow_events(person: Person, country: str, year: int, rule: str = "12_months") -> list[str]:
    """Migration events of ``person`` for ``country`` in calendar year ``year``.

    For each qualifying stay, other than the first, that starts in ``year``, with ``prev`` the
    usual residence just before it:

    * the stay is in ``country`` and ``prev`` is not: ``"immigration"``, followed by
      ``"returning_citizen"`` if the person holds the country's citizenship and
      ``"returning_native_born"`` if born there;
    * ``prev`` is ``country`` and the stay is elsewhere: ``"emigration"``.

    Parameters
    ----------
    person : Person
        The person.
    country : str
        Country of measurement (any form :func:`~migdata.countries.to_iso3` accepts).
    year : int
        Calendar year.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    list of str
        Events in time order (a person can emigrate and come back in the same year).
    """
    iso = to_iso3(country)
    year = _check_year(year)
    (first, _), *rest = _residence_stays(person, rule)
    events: list[str] = []
    prev = first.country
    for stay, res in rest:
        if not res:
            continue
        if stay.start.year == year:
            if stay.country == iso and prev != iso:
                events.append("immigration")
                if iso in person.citizenships:
                    events.append("returning_citizen")
                if person.birth_country == iso:
                    events.append("returning_native_born")
            elif prev == iso and stay.country != iso:
                events.append("emigration")
        prev = stay.country
    return events


def stock_categories(
    person: Person, country: str, on: dt.date | str, rule: str = "12_months"
) -> set[str]:
    """Stock categories ``person`` belongs to in ``country`` on the date ``on``.

    Empty unless the person is usually resident in ``country`` on ``on``. Otherwise a set of:

    * ``"native_born"`` or ``"foreign_born"`` (country of birth);
    * ``"national_citizen"`` or ``"foreign_citizen"`` (stateless persons are foreign citizens);
    * ``"international_migrant"``: foreign-born, or had a residence stay in another country before;
    * ``"returned_migrant"``: was resident in ``country``, then resident abroad, and is now back;
    * ``"returned_native_born_migrant"``: a returned migrant born in ``country``.

    A residence stay is the first stay or a qualifying one, so a first stay abroad, however
    short, counts as having lived in another country.

    Parameters
    ----------
    person : Person
        The person.
    country : str
        Country of measurement.
    on : datetime.date or str
        Reference date.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    set of str
        Labels of :data:`STOCK_CATEGORIES`; :data:`CATEGORY_CONCEPTS` names their concepts.
    """
    iso = to_iso3(country)
    day = to_date(on, "on")
    history = _residence_history(person, day, rule)
    if not history or history[-1] != iso:
        return set()
    cats = {
        "native_born" if person.birth_country == iso else "foreign_born",
        "national_citizen" if iso in person.citizenships else "foreign_citizen",
    }
    if person.birth_country != iso or any(c != iso for c in history):
        cats.add("international_migrant")
    if _left_after_living_in(history, iso):
        cats.add("returned_migrant")
        if person.birth_country == iso:
            cats.add("returned_native_born_migrant")
    return cats


def _left_after_living_in(history: list[str], iso: str) -> bool:
    """True when a residence in ``iso`` is followed, later on, by a residence in another country."""
    if iso not in history:
        return False
    return any(c != iso for c in history[history.index(iso) + 1 :])


def _visits(person: Person, iso: str, year: int, rule: str) -> list[Stay]:
    """Non-residence stays in ``iso`` starting in ``year`` while usually resident elsewhere."""
    visits: list[Stay] = []
    residence = None
    for stay, res in _residence_stays(person, rule):
        if res:
            residence = stay.country
        elif stay.country == iso and stay.start.year == year and residence != iso:
            visits.append(stay)
    return visits


def temporary_mobility(
    person: Person, country: str, year: int, rule: str = "12_months"
) -> set[str]:
    """Temporary-mobility categories of ``person`` in ``country`` during ``year``.

    Looks at the person's non-qualifying stays (never the first stay) in ``country`` that start in
    ``year`` while the person is usually resident elsewhere, and returns a set of:

    * ``"seasonal_workers"``: a stay with purpose ``seasonal_work``;
    * ``"cross_border_workers"``: two or more ``work`` stays of at most 7 days;
    * ``"other_temporary_workers"``: a ``work`` stay longer than 7 days;
    * ``"training_mobility"``: a ``training`` or ``study`` stay;
    * ``"health_mobility"``: a ``health`` stay;
    * ``"asylum_seekers_in_transit"``: an ``asylum_transit`` stay;
    * ``"circular_mobility"``: two or more such stays in the year.

    Parameters
    ----------
    person : Person
        The person.
    country : str
        Country the person visits.
    year : int
        Calendar year in which the stays start.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    set of str
        Labels of :data:`TEMPORARY_CATEGORIES` (they are also the concept ids).
    """
    visits = _visits(person, to_iso3(country), _check_year(year), rule)
    cats = {PURPOSE_CATEGORIES[s.purpose] for s in visits if s.purpose in PURPOSE_CATEGORIES}
    # visits never qualify, so they are never ongoing and always have a length
    work_days = [s.days for s in visits if s.purpose == "work" and s.days is not None]
    if any(d > CROSS_BORDER_MAX_DAYS for d in work_days):
        cats.add("other_temporary_workers")
    if sum(d <= CROSS_BORDER_MAX_DAYS for d in work_days) >= 2:
        cats.add("cross_border_workers")
    if len(visits) >= 2:
        cats.add("circular_mobility")
    return cats
