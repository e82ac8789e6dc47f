"""Stocks, flows, emigrants and temporary mobility for many persons at once, vectorised.

Every function takes either a list of :class:`~migdata.concepts.Person` or a *long data frame of
stays*, one row per stay, with the columns of :data:`STAY_COLUMNS`:

``person_id``
    Any hashable id; the rows of one person share it (no missing values).
``birth_country``
    Country of birth (ISO3, alpha-2 or name); the same on every row of a person.
``citizenships``
    The person's citizenships as ISO3 codes joined by ``";"`` (``"AZE;RUS"``), or a set/list of
    codes; an empty string (or empty set) means stateless. Missing values are an error: an unknown
    citizenship is not statelessness. The same on every row of a person.
``country``
    Country of the stay.
``start``, ``end``
    Dates (``datetime.date``, ``datetime64`` or ISO strings) of the half-open stay
    ``[start, end)``; a missing ``end`` (``None``/``NaT``) means the stay is ongoing.
``purpose``
    Optional column: one of :data:`~migdata.concepts.PURPOSES` or missing.

Rows may come in any order; they are sorted by person and start. Other columns (e.g.
``synthetic``) are ignored. The results are the same as summing the per-person functions of
:mod:`migdata.concepts.rules` over the persons (a test checks it), but computed with numpy array
operations so that 100,000 persons take well under a few seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from ..countries import to_iso3
from ..errors import InvalidInputError, InvalidPersonError, MissingColumnsError
from .model import MAX_DATE, MIN_DATE, PURPOSES, Person, Stay, to_date
from .rules import (
    CROSS_BORDER_MAX_DAYS,
    FLOW_CATEGORIES,
    PURPOSE_CATEGORIES,
    STOCK_CATEGORIES,
    TEMPORARY_CATEGORIES,
    _check_year,
    threshold_days,
)

__all__ = ["STAY_COLUMNS", "emigrants", "flows", "mobility", "stocks", "to_frame", "to_persons"]

#: Columns of a long data frame of stays (``purpose`` may be left out).
STAY_COLUMNS = ("person_id", "birth_country", "citizenships", "country", "start", "end", "purpose")
_REQUIRED = STAY_COLUMNS[:-1]
_EPOCH = dt.date(1970, 1, 1)
_NAT = np.iinfo(np.int64).min  # NaT as a day number: a missing date

Population = Sequence[Person] | pd.DataFrame


# ---------------------------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------------------------
def to_frame(persons: Iterable[Person]) -> pd.DataFrame:
    """Turn persons into a long data frame of stays (columns :data:`STAY_COLUMNS`).

    Parameters
    ----------
    persons : iterable of Person
        The persons.

    Returns
    -------
    pandas.DataFrame
        One row per (unmerged) stay.

    Persons without an ``id`` get their position in ``persons`` as ``person_id``. Dates are
    ``datetime64`` columns, ``end`` is ``NaT`` for an ongoing stay.

    Raises
    ------
    InvalidInputError
        If an item is not a :class:`Person`, or two persons end up with the same ``person_id``
        (their stays would otherwise be read as one person's history).
    """
    if isinstance(persons, Person | str | bytes | Mapping) or not isinstance(persons, Iterable):
        raise InvalidInputError(
            f"persons must be a list of Person objects, got {type(persons).__name__} "
            f"{persons!r:.80}"
        )
    rows: list[tuple[object, ...]] = []
    seen: dict[object, int] = {}
    for i, person in enumerate(persons):
        if not isinstance(person, Person):
            raise InvalidInputError(f"item {i} is {person!r}, expected a Person")
        pid = i if person.id is None else person.id
        if pid in seen:
            raise InvalidInputError(
                f"items {seen[pid]} and {i} both have person_id {pid!r} (a person without an id "
                "gets its position): every person needs a distinct id"
            )
        seen[pid] = i
        cits = ";".join(sorted(person.citizenships))
        for s in person.stays:
            rows.append((pid, person.birth_country, cits, s.country, s.start, s.end, s.purpose))
    frame = pd.DataFrame(rows, columns=list(STAY_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def _split_citizenships(value: object) -> list[str]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        parts = list(value)
        bad = [v for v in parts if not isinstance(v, str)]
        if bad:
            raise InvalidInputError(
                f"citizenships {value!r} hold {bad[0]!r} ({type(bad[0]).__name__}); expected "
                "country codes or names as strings"
            )
        return parts
    raise InvalidInputError(
        f"citizenships must be ISO3 codes joined by ';' (empty for stateless) or a set of codes, "
        f"got {value!r}"
    )


def to_persons(frame: pd.DataFrame) -> list[Person]:
    """Turn a long data frame of stays into :class:`Person` objects (one per ``person_id``).

    Persons come in order of first appearance; each person's stays are sorted by start. The
    frame is checked exactly as the table functions check it, so it converts if and only if
    :func:`stocks` and :func:`flows` accept it (an overlap raises
    :class:`~migdata.errors.InvalidPersonError`, and so on).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long data frame of stays (see the module docstring).

    Returns
    -------
    list of Person
        One per ``person_id``, with that id.
    """
    _prepare(frame)  # the same checks and messages as the table functions
    if frame.empty:
        return []
    pcode, ids = _factorize(frame["person_id"], "person_id")
    start = _days(frame["start"], "start")
    order = np.lexsort((start, pcode))
    starts = start.astype("datetime64[D]")[order].tolist()  # datetime.date, None for NaT
    ends = _days(frame["end"], "end").astype("datetime64[D]")[order].tolist()
    countries = frame["country"].to_numpy(dtype=object)[order].tolist()
    births = frame["birth_country"].to_numpy(dtype=object)[order].tolist()
    cits = frame["citizenships"].to_numpy(dtype=object)[order].tolist()
    if "purpose" in frame.columns:
        raw = frame["purpose"].to_numpy(dtype=object)[order]
        purposes = np.where(pd.isna(raw), None, raw).tolist()
    else:
        purposes = [None] * len(frame)
    sorted_codes = pcode[order]
    bounds = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1], True]).tolist()
    persons: list[Person] = []
    for lo, hi in pairwise(bounds):
        pid = ids[sorted_codes[lo]]
        pid = pid.item() if isinstance(pid, np.generic) else pid
        stays = [Stay(countries[i], starts[i], ends[i], purposes[i]) for i in range(lo, hi)]
        persons.append(Person(births[lo], _split_citizenships(cits[lo]), stays, id=pid))
    return persons


# ---------------------------------------------------------------------------------------------
# preparation: validate once, sort, merge adjacent stays, encode as integer arrays
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Stays:
    """Merged stays as integer arrays sorted by person and start (one entry per merged stay)."""

    person: np.ndarray  # person index 0..n_persons-1
    country: np.ndarray  # index into `countries`
    start: np.ndarray  # days since 1970-01-01
    end: np.ndarray  # days since 1970-01-01, undefined where ongoing
    ongoing: np.ndarray  # bool
    purpose: np.ndarray  # index into PURPOSES, -1 for none
    first: np.ndarray  # bool: first stay of its person
    first_row: np.ndarray  # per person: index of its first stay
    birth: np.ndarray  # per person: index into `births`
    citizenships: np.ndarray  # per person: index into `citizenship_sets`
    countries: np.ndarray  # ISO3 codes of the stays' countries
    births: np.ndarray  # ISO3 codes of the birth countries
    citizenship_sets: np.ndarray  # ";"-joined sorted ISO3 codes
    person_ids: pd.Index  # per person: the original id

    @property
    def n_persons(self) -> int:
        return len(self.person_ids)

    def country_code(self, iso: str) -> int:
        """Index of ``iso`` among the stays' countries, -1 if nobody stayed there."""
        hits = np.flatnonzero(self.countries == iso)
        return int(hits[0]) if len(hits) else -1

    def born_in(self, iso: str) -> np.ndarray:
        """Per person: born in ``iso``."""
        return (self.births == iso)[self.birth]

    def holds(self, iso: str) -> np.ndarray:
        """Per person: holds the citizenship of ``iso``."""
        flags = np.array([iso in c.split(";") for c in self.citizenship_sets], dtype=bool)
        return flags[self.citizenships]


def _check_columns(frame: pd.DataFrame) -> None:
    repeated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if repeated:
        raise InvalidInputError(
            f"stays data frame has the column(s) {', '.join(map(repr, repeated))} more than "
            "once; expected each column once (rename or drop the copies)"
        )
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise MissingColumnsError(
            f"stays data frame lacks column(s) {', '.join(missing)}; expected the columns "
            f"{', '.join(STAY_COLUMNS)} ('purpose' optional); "
            f"got {', '.join(map(str, frame.columns))}"
        )


def _plain(value: object) -> object:
    """``value`` without its numpy/pandas wrapping, for messages: dates as ISO strings."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return value.item() if isinstance(value, np.generic) else value


def _describe_row(frame: pd.DataFrame, row: int, columns: Sequence[str]) -> str:
    """``row 'b' (country='RUS', start='2009-06-01', ...)`` for the row at position ``row``."""
    values = ", ".join(f"{c}={_plain(frame[c].iloc[row])!r}" for c in columns)
    return f"row {_plain(frame.index[row])!r} ({values})"


def _bad_person(
    frame: pd.DataFrame,
    mask: np.ndarray,
    problem: str,
    order: np.ndarray | None = None,
    columns: Sequence[str] = ("country", "start", "end"),
    previous: bool = False,
) -> InvalidPersonError:
    """Error naming the person and the row of the first True in ``mask`` with its values.

    ``order`` maps positions in ``mask`` to rows of ``frame``. With ``previous``, the row just
    before in that order (the same person's previous stay) is shown too.
    """
    pos = int(np.flatnonzero(mask)[0])
    row = pos if order is None else int(order[pos])
    where = _describe_row(frame, row, columns)
    if previous and order is not None and pos > 0:
        where += f" and the stay before it, {_describe_row(frame, int(order[pos - 1]), columns)}"
    pid = _plain(frame["person_id"].iloc[row])
    who = "" if pid is None else f"person {pid!r}: "
    return InvalidPersonError(f"{who}{problem}: {where}")


def _factorize(values: pd.Series, what: str) -> tuple[np.ndarray, Any]:
    """``pd.factorize`` of a column, with an error naming the first unhashable cell (a list...)."""
    try:
        return pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        for label, value in values.items():
            try:
                hash(value)
            except TypeError:
                raise InvalidInputError(
                    f"column {what!r} holds {value!r} ({type(value).__name__}) on row "
                    f"{_plain(label)!r}; expected one plain value per cell"
                ) from None
        raise  # pragma: no cover - factorize failed for another reason


def _iso_codes(values: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their ISO3 vocabulary ("AZ" and "Azerbaijan" get the same code)."""
    codes, uniques = _factorize(values, what)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise InvalidInputError(
            f"{what} is missing on row {_plain(values.index[row])!r}: every row needs one"
        )
    uniques = np.asarray(uniques, dtype=object)
    for i, value in enumerate(uniques):
        if not isinstance(value, str):
            row = int(np.flatnonzero(codes == i)[0])
            raise InvalidInputError(
                f"column {what!r} holds {_plain(value)!r} ({type(value).__name__}) on row "
                f"{_plain(values.index[row])!r}; expected a country as a string (ISO3, "
                "alpha-2 or an English name)"
            )
    canon, vocab = pd.factorize(np.array([to_iso3(u) for u in uniques], dtype=object))
    return canon[codes], np.asarray(vocab, dtype=object)


_MIN_DAY = (MIN_DATE - _EPOCH).days
_MAX_DAY = (MAX_DATE - _EPOCH).days


def _days(values: pd.Series, what: str) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of a column of dates; a missing date is ``_NAT``.

    Every value is read as :func:`~migdata.concepts.model.to_date` reads one date, so a table
    and the per-person rules always agree: ``datetime64`` columns as they are, time-zone-aware
    ones by their local calendar date (never converted to UTC), strings only as ``YYYY-MM-DD``.
    Numbers, day-first strings and dates out of range raise an error naming the column, the
    row and the value.
    """

    def read(value: object, position: int) -> dt.date:
        try:
            return to_date(value, "the value")
        except InvalidInputError as error:
            raise InvalidInputError(
                f"column {what!r} holds {_plain(value)!r} on row "
                f"{_plain(values.index[position])!r}, which is not accepted: {error}"
            ) from None

    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)  # wall-clock time where the stay happened
    kind = values.dtype.kind
    if kind == "M":
        days = values.to_numpy(dtype="datetime64[D]").astype(np.int64)
        missing = values.isna().to_numpy()
        days[missing] = _NAT
    elif kind in "biufcm":  # numbers, booleans, durations: never read as dates
        present = values.notna().to_numpy()
        if present.any():
            pos = int(np.flatnonzero(present)[0])
            read(values.iloc[pos], pos)  # raises, naming the value
        return np.full(len(values), _NAT, dtype=np.int64)
    else:  # object, string or categorical: read each distinct value once
        codes, uniques = _factorize(values, what)
        uniques = np.asarray(uniques, dtype=object)
        unique_days = np.empty(len(uniques) + 1, dtype=np.int64)
        unique_days[-1] = _NAT  # the NA sentinel -1 picks it
        strings = np.fromiter((isinstance(u, str) for u in uniques), bool, len(uniques))
        if strings.any():
            text = pd.Series(uniques[strings], dtype=object).str.strip()
            iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy(dtype=bool)
            stamps = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
            parsed = stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)
            parsed[stamps.isna().to_numpy()] = _NAT
            unique_days[:-1][strings] = parsed
        for i in np.flatnonzero(~strings | (unique_days[:-1] == _NAT)):
            pos = int(np.flatnonzero(codes == i)[0])
            unique_days[i] = (read(uniques[i], pos) - _EPOCH).days
        days = unique_days[codes]
    bad = (days != _NAT) & ((days < _MIN_DAY) | (days > _MAX_DAY))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        read(values.iloc[pos], pos)  # raises: out of range
    return days


def _citizenship_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their vocabulary of canonical ``"AZE;RUS"`` strings."""
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InvalidInputError(
            f"citizenships missing on row {values.index[row]!r}: use an empty string for a "
            "stateless person; an unknown citizenship cannot be classified"
        )
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable cells, e.g. lists or sets
        values = values.map(lambda v: ";".join(sorted(_split_citizenships(v))))
        codes, uniques = pd.factorize(values)
    canon = [";".join(sorted({to_iso3(c) for c in _split_citizenships(u)})) for u in uniques]
    merged, vocab = pd.factorize(np.array(canon, dtype=object))
    return merged[codes], np.asarray(vocab, dtype=object)


def _check_frame(frame: pd.DataFrame) -> None:
    """Raise unless ``frame`` has the stay columns and a ``person_id`` on every row."""
    _check_columns(frame)
    missing = frame["person_id"].isna().to_numpy()
    if missing.any():
        raise _bad_person(frame, missing, "person_id is missing (every row needs one)")
    _same_looking_ids(frame["person_id"])


def _same_looking_ids(ids: pd.Series) -> None:
    """Refuse ids of two kinds that read the same (7 and "7"): they would split one person's
    stays into two persons. Ids of different kinds that differ (a position and a name) are
    fine: :func:`to_frame` numbers the persons without an id."""
    if ids.dtype != object or pd.api.types.infer_dtype(ids, skipna=True) in (
            "string", "integer", "floating", "empty"):
        return
    seen: dict[str, Any] = {}
    try:
        values = pd.unique(ids)
    except TypeError:
        return  # an unhashable id (a list...): _factorize names it
    for value in values:
        text = str(value).strip()
        if text in seen and seen[text] != value:
            raise InvalidInputError(
                f"the data frame of stays has person_id {seen[text]!r} and {value!r}, which look "
                "the same but differ in kind (number and text); use one kind, or the stays of "
                "one person are read as two persons"
            )
        seen[text] = value


def _as_frame(population: Population) -> pd.DataFrame:
    """The population as a checked long data frame of stays."""
    if isinstance(population, pd.DataFrame):
        frame = population
    elif isinstance(population, Sequence) and not isinstance(population, str):
        frame = to_frame(population)
    else:
        raise InvalidInputError(
            f"expected a list of Person or a data frame of stays, got {type(population).__name__}"
        )
    _check_frame(frame)
    return frame


def _purpose_codes(frame: pd.DataFrame) -> np.ndarray:
    """Per row: index of the purpose in :data:`PURPOSES`, -1 where missing or no column."""
    if "purpose" not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64)
    known = {None: -1, **{p: i for i, p in enumerate(PURPOSES)}}
    codes, uniques = _factorize(frame["purpose"], "purpose")
    bad = [p for p in uniques if p not in known]
    if bad:
        raise InvalidInputError(
            f"unknown stay purpose {bad[0]!r}: expected one of {', '.join(PURPOSES)} or missing"
        )
    lookup = np.array([known[p] for p in uniques] + [-1], dtype=np.int64)
    return lookup[codes]  # the NA sentinel -1 picks the final -1


def _check_histories(
    frame: pd.DataFrame,
    order: np.ndarray,
    first: np.ndarray,
    birth: np.ndarray,
    cits: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    ongoing: np.ndarray,
) -> None:
    """Raise for the first impossible history; the arrays are sorted by person and start."""
    same = ~first
    checks = (
        (
            same & np.r_[False, birth[1:] != birth[:-1]],
            "birth_country differs by row (expected the same on every row of a person)",
            ("birth_country",),
            True,
        ),
        (
            same & np.r_[False, cits[1:] != cits[:-1]],
            "citizenships differ by row (expected the same on every row of a person)",
            ("citizenships",),
            True,
        ),
        (
            ~ongoing & (end <= start),
            "a stay ends on or before its start (expected the end after the start)",
            ("country", "start", "end"),
            False,
        ),
        (
            same & (np.r_[False, ongoing[:-1]] | (start < np.r_[_NAT, end[:-1]])),
            "two stays overlap or a stay follows an ongoing one (expected each stay to start "
            "on or after the end of the one before)",
            ("country", "start", "end"),
            True,
        ),
    )
    for mask, problem, columns, previous in checks:
        if mask.any():
            raise _bad_person(frame, mask, problem, order, columns, previous)


def _prepare(population: Population) -> _Stays:
    """Validate the population once, sort it, merge adjacent stays, encode it as arrays."""
    frame = _as_frame(population)
    pcode, person_ids = _factorize(frame["person_id"], "person_id")
    country, countries = _iso_codes(frame["country"], "country")
    birth, births = _iso_codes(frame["birth_country"], "birth_country")
    cits, cit_sets = _citizenship_codes(frame["citizenships"])
    start = _days(frame["start"], "start")
    end = _days(frame["end"], "end")
    if (start == _NAT).any():
        raise _bad_person(frame, start == _NAT, "a stay has no start date (every stay needs one)")
    ongoing = end == _NAT
    purpose = _purpose_codes(frame)

    order = np.lexsort((start, pcode))
    pcode, country, birth, cits = pcode[order], country[order], birth[order], cits[order]
    start, end, ongoing, purpose = start[order], end[order], ongoing[order], purpose[order]

    n = len(pcode)
    first = np.ones(n, dtype=bool)
    first[1:] = pcode[1:] != pcode[:-1]
    _check_histories(frame, order, first, birth, cits, start, end, ongoing)

    # merge adjacent stays in the same country
    new = first | (country != np.r_[-1, country[:-1]]) | (start != np.r_[_NAT, end[:-1]])
    heads = np.flatnonzero(new)
    tails = np.r_[heads[1:] - 1, n - 1] if n else heads
    first_m = first[heads]
    first_row = np.flatnonzero(first_m)
    return _Stays(
        person=pcode[heads],
        country=country[heads],
        start=start[heads],
        end=end[tails],
        ongoing=ongoing[tails],
        purpose=purpose[heads],
        first=first_m,
        first_row=first_row,
        birth=birth[heads][first_row],
        citizenships=cits[heads][first_row],
        countries=countries,
        births=births,
        citizenship_sets=cit_sets,
        person_ids=pd.Index(person_ids),
    )


def _day_number(value: object, what: str) -> int:
    return (to_date(value, what) - _EPOCH).days


def _year_bounds(year: object) -> tuple[int, int]:
    """First day of ``year`` and of the next year, as day numbers."""
    y = _check_year(year)
    return (dt.date(y, 1, 1) - _EPOCH).days, (dt.date(y + 1, 1, 1) - _EPOCH).days


def _residence(st: _Stays, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Residence-stay flags and, for every stay, the index of the latest residence stay so far."""
    limit = threshold_days(rule)
    res = st.first | st.ongoing | ((st.end - st.start) >= limit)
    idx = np.where(res, np.arange(len(res)), -1)
    return res, np.maximum.accumulate(idx) if len(idx) else idx


def _any_by_person(mask: np.ndarray, st: _Stays) -> np.ndarray:
    return _per_person_count(mask, st) > 0


def _per_person_count(mask: np.ndarray, st: _Stays) -> np.ndarray:
    return np.bincount(st.person[mask], minlength=st.n_persons)


def _count_series(
    counts: Mapping[str, Any], labels: Sequence[str], name: str, **attrs: object
) -> pd.Series:
    """Integer ``counts`` indexed by category in the order of ``labels``, with ``attrs`` set."""
    out = pd.Series(
        [int(counts[label]) for label in labels],
        index=pd.Index(labels, name="category"),
        name=name,
        dtype="int64",
    )
    out.attrs.update(attrs)
    return out


def _residence_on(st: _Stays, last_res: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray]:
    """Per person: whether any stay started by ``day``, and the code of the usual residence."""
    le = st.start <= day
    count = np.bincount(st.person[le], minlength=st.n_persons)
    has = count > 0
    row = st.first_row + np.maximum(count - 1, 0)
    country = np.where(has, st.country[last_res[row]] if len(row) else row, -1)
    return has, country


def _on_day(
    persons: Population, country: str, on: object, rule: str
) -> tuple[str, int, _Stays, np.ndarray, np.ndarray, np.ndarray]:
    """Check the arguments and prepare the stays for a reference day.

    Returns the ISO3 code of ``country``, the day number of ``on``, the stays, their
    residence-stay flags and, per person, whether the history has started by ``on`` and the
    code of the usual residence then.
    """
    iso = to_iso3(country)
    day = _day_number(on, "on")
    threshold_days(rule)
    st = _prepare(persons)
    res, last_res = _residence(st, rule)
    has, where = _residence_on(st, last_res, day)
    return iso, day, st, res, has, where


def _in_year(
    persons: Population, country: str, year: object, rule: str
) -> tuple[str, _Stays, np.ndarray, np.ndarray, np.ndarray]:
    """Check the arguments and prepare the stays for a calendar year.

    Returns the ISO3 code of ``country``, the stays, their residence-stay flags, for every stay
    the index of the latest residence stay so far, and which stays start in ``year``.
    """
    iso = to_iso3(country)
    lo, hi = _year_bounds(year)
    threshold_days(rule)
    st = _prepare(persons)
    res, last_res = _residence(st, rule)
    return iso, st, res, last_res, (st.start >= lo) & (st.start < hi)


def _returned(st: _Stays, counted: np.ndarray, code: int) -> np.ndarray:
    """Per person: among the ``counted`` residence stays, one abroad follows one in ``code``."""
    at_home = counted & (st.country == code)
    homes_before = np.cumsum(at_home) - at_home  # over all persons so far
    homes_before_own = homes_before - homes_before[st.first_row][st.person]
    return _any_by_person(counted & (st.country != code) & (homes_before_own > 0), st)


# ---------------------------------------------------------------------------------------------
# public table functions
# ---------------------------------------------------------------------------------------------
def stocks(
    persons: Population, country: str, on: dt.date | str, rule: str = "12_months"
) -> pd.Series:
    """Count the stock categories of the usual residents of ``country`` on the date ``on``.

    Parameters
    ----------
    persons : list of Person or pandas.DataFrame
        The population (see the module docstring for the data frame's columns).
    country : str
        The country of measurement.
    on : datetime.date or str
        Reference date.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    pandas.Series
        Number of persons, indexed by ``"usual_residents"`` (all persons usually resident in
        ``country``) followed by every label of :data:`~migdata.concepts.STOCK_CATEGORIES`,
        zeros included. The categories overlap, so the series does not add up.
        :data:`~migdata.concepts.CATEGORY_CONCEPTS` gives the concept behind each label.
    """
    iso, day, st, res, has, where = _on_day(persons, country, on, rule)
    code = st.country_code(iso)
    resident = has & (where == code)
    native = st.born_in(iso)
    citizen = st.holds(iso)
    counted = res & (st.start <= day)
    lived_abroad = _any_by_person(counted & (st.country != code), st)
    returned = resident & _returned(st, counted, code)
    counts = {
        "usual_residents": resident.sum(),
        "native_born": (resident & native).sum(),
        "foreign_born": (resident & ~native).sum(),
        "national_citizen": (resident & citizen).sum(),
        "foreign_citizen": (resident & ~citizen).sum(),
        "international_migrant": (resident & (~native | lived_abroad)).sum(),
        "returned_migrant": returned.sum(),
        "returned_native_born_migrant": (returned & native).sum(),
    }
    on_text = to_date(on, "on").isoformat()
    labels = ("usual_residents", *STOCK_CATEGORIES)
    return _count_series(counts, labels, "persons", country=iso, on=on_text, rule=rule)


def flows(persons: Population, country: str, year: int, rule: str = "12_months") -> pd.Series:
    """Count the migration events of ``country`` in calendar year ``year``.

    Parameters
    ----------
    persons : list of Person or pandas.DataFrame
        The population (see the module docstring for the data frame's columns).
    country : str
        The country of measurement.
    year : int
        Calendar year.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    pandas.Series
        Number of events indexed by :data:`~migdata.concepts.FLOW_CATEGORIES`, zeros included.
        A person who leaves twice in a year counts twice; ``returning_citizen`` and
        ``returning_native_born`` are parts of ``immigration``.
        :data:`~migdata.concepts.CATEGORY_CONCEPTS` gives the concept behind each label.
    """
    iso, st, res, last_res, in_year = _in_year(persons, country, year, rule)
    move = res & ~st.first & in_year
    prev_row = np.r_[0, last_res[:-1]] if len(last_res) else last_res
    prev = st.country[prev_row]
    code = st.country_code(iso)
    here = st.country == code
    immigration = move & here & (prev != code)
    emigration = move & ~here & (prev == code)
    citizen = st.holds(iso)[st.person]
    native = st.born_in(iso)[st.person]
    counts = {
        "immigration": immigration.sum(),
        "emigration": emigration.sum(),
        "returning_citizen": (immigration & citizen).sum(),
        "returning_native_born": (immigration & native).sum(),
    }
    attrs = {"country": iso, "year": _check_year(year), "rule": rule}
    return _count_series(counts, FLOW_CATEGORIES, "events", **attrs)


def mobility(persons: Population, country: str, year: int, rule: str = "12_months") -> pd.Series:
    """Count persons in each temporary-mobility category of ``country`` in ``year``.

    Parameters
    ----------
    persons : list of Person or pandas.DataFrame
        The population (see the module docstring for the data frame's columns).
    country : str
        The country of measurement.
    year : int
        Calendar year in which the visits start.
    rule : {"12_months", "6_months"}
        Usual-residence rule.

    Returns
    -------
    pandas.Series
        Number of persons indexed by :data:`~migdata.concepts.TEMPORARY_CATEGORIES`, zeros
        included (a person can be in several categories). The labels are the
        :data:`~migdata.concepts.CONCEPTS` ids themselves.
    """
    iso, st, res, last_res, in_year = _in_year(persons, country, year, rule)
    code = st.country_code(iso)
    visit = ~res & in_year & (st.country == code) & (st.country[last_res] != code)
    days = st.end - st.start  # meaningless where ongoing, but visits are never ongoing
    work = visit & (st.purpose == PURPOSES.index("work"))
    short = work & (days <= CROSS_BORDER_MAX_DAYS)
    per_person = {
        "cross_border_workers": _per_person_count(short, st) >= 2,
        "other_temporary_workers": _any_by_person(work & ~short, st),
        "circular_mobility": _per_person_count(visit, st) >= 2,
    }
    for category in set(PURPOSE_CATEGORIES.values()):
        codes = [PURPOSES.index(p) for p, c in PURPOSE_CATEGORIES.items() if c == category]
        per_person[category] = _any_by_person(visit & np.isin(st.purpose, codes), st)
    counts = {k: v.sum() for k, v in per_person.items()}
    attrs = {"country": iso, "year": _check_year(year), "rule": rule}
    return _count_series(counts, TEMPORARY_CATEGORIES, "persons", **attrs)


def emigrants(persons: Population, country: str, on: dt.date | str, rule: str = "12_months") -> int:
    """Emigrant stock: persons born in ``country`` usually resident elsewhere on ``on``.

    The concept is ``CONCEPTS["emigrant_stock"]``. Persons whose history starts after ``on``
    (no usual residence yet) are not counted; persons born in ``country`` who never lived there
    are counted when they live elsewhere.

    Parameters
    ----------
    persons : list of Person or pandas.DataFrame
        The population (see the module docstring for the data frame's columns).
    country : str
        The country of birth whose emigrants are counted.
    on : datetime.date or str
        Reference date.
    rule : {"12_months", "6_months"}
        Usual-residence rule, deciding where each person lives on ``on``.

    Returns
    -------
    int
        Number of persons.
    """
    iso, _, st, _, has, where = _on_day(persons, country, on, rule)
    return int((has & st.born_in(iso) & (where != st.country_code(iso))).sum())
