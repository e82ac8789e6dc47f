"""A SYNTHETIC population with South Caucasus-style movement histories, for teaching.

Nothing here is data. The persons are invented by a seeded random generator so that the notebooks
and exercises have realistic-looking histories to classify with :mod:`migdata.concepts`: seasonal
work in Russia, long-term emigration, returns, students abroad, foreign-born immigrants, stateless
persons, dual citizens, cross-border workers, health trips and asylum seekers in transit.

Every share, duration and destination weight below is a **teaching assumption chosen to make the
concepts visible, not an estimate of any real figure**. Do not quote results computed on this
population as facts about Azerbaijan, Armenia or Georgia.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from numbers import Integral
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ..concepts.model import to_date
from ..countries import to_iso3
from ..errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..concepts.model import Person

__all__ = ["DEFAULT_SEED", "PROFILES", "synthetic_persons", "synthetic_population"]

DEFAULT_SEED: Final = 2024

#: Profile -> (share of the population, what it stands for). Teaching assumptions, not estimates.
PROFILES: Final[dict[str, tuple[float, str]]] = {
    "stayer": (0.42, "native citizen who lives at home, with a few short trips abroad"),
    "seasonal_short": (0.10, "goes to Russia most years for seasonal work of under 6 months"),
    "seasonal_long": (0.04, "goes to Russia most years for seasonal work of 6 to 12 months"),
    "emigrant": (
        0.10,
        "leaves for at least a year (Russia, Türkiye, Germany, Ukraine, "
        "Kazakhstan); about a third come back",
    ),
    "student": (0.04, "studies abroad for one to four years; most come back"),
    "returnee": (0.05, "native who lived abroad when the window opens and comes home"),
    "immigrant": (0.06, "born abroad, moves to the country; some naturalised or dual citizens"),
    "stateless": (0.01, "resident without any citizenship"),
    "dual_citizen": (0.03, "native holding the home and Russian citizenship; half emigrate"),
    "cross_border": (0.03, "lives in the neighbouring country, commutes for short work spells"),
    "visitor": (0.05, "lives abroad, comes for health care, training, business or tourism"),
    "asylum_transit": (0.01, "crosses the country on the way to apply for asylum in Europe"),
    "health_traveller": (0.06, "resident who goes abroad for medical treatment"),
}

_EMIGRATION = {"RUS": 0.55, "TUR": 0.15, "DEU": 0.10, "UKR": 0.10, "KAZ": 0.10}
_STUDY = {"TUR": 0.30, "RUS": 0.30, "DEU": 0.15, "GBR": 0.10, "USA": 0.05, "UKR": 0.10}
_IMMIGRATION = {"RUS": 0.30, "TUR": 0.25, "GEO": 0.10, "IRN": 0.15, "UKR": 0.10, "CHN": 0.10}
_STATELESS_BIRTH = {"RUS": 0.4, "UZB": 0.3, "GEO": 0.3}
_VISITORS = {"GEO": 0.30, "RUS": 0.30, "IRN": 0.20, "TUR": 0.20}
_ASYLUM_ORIGIN = {"AFG": 0.35, "IRN": 0.25, "IRQ": 0.20, "SYR": 0.20}
_ASYLUM_DEST = {"DEU": 0.60, "FRA": 0.20, "AUT": 0.20}
_HEALTH = {"TUR": 0.40, "IRN": 0.25, "DEU": 0.15, "RUS": 0.10, "GEO": 0.10}
_TRIPS = {"TUR": 0.30, "GEO": 0.25, "RUS": 0.25, "ARE": 0.20}
_NEIGHBOUR = {"AZE": "GEO", "ARM": "GEO", "GEO": "ARM"}

_EPOCH = dt.date(1970, 1, 1)
_NO_END = -1  # an ongoing stay (no end day) while the stays are built


class _Draws:
    """The random draws of one population, vectorised over the persons of each profile.

    Every draw takes a whole profile at once from one ``numpy.random.Generator``: a million
    histories take a few seconds instead of a minute of one-person-at-a-time Python.
    """

    def __init__(self, rng: np.random.Generator, home: str, first: int, last: int) -> None:
        self.rng, self.home, self.first, self.last = rng, home, first, last
        self.year_lo = _from_days(first).year
        self.year_hi = _from_days(last).year

    def pick(self, weights: dict[str, float], size: int) -> np.ndarray:
        """``size`` countries drawn with ``weights``, never the home country."""
        options = [c for c in weights if c != self.home]
        p = np.array([weights[c] for c in options], dtype=float)
        return np.asarray(options, dtype=object)[self.rng.choice(len(options), size,
                                                                p=p / p.sum())]

    def choice(self, values: list[str], size: int) -> np.ndarray:
        return np.asarray(values, dtype=object)[self.rng.integers(0, len(values), size)]

    def day(self, lo: int | np.ndarray, hi: int | np.ndarray, size: int) -> np.ndarray:
        """A day from ``lo`` to ``hi`` (both included; ``hi`` below ``lo`` gives ``lo``)."""
        lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), (size,))
        hi = np.maximum(lo, np.broadcast_to(np.asarray(hi, dtype=np.int64), (size,)))
        return lo + (self.rng.random(size) * (hi - lo + 1)).astype(np.int64)

    def year_day(self, years: np.ndarray, month_lo: int, month_hi: int) -> np.ndarray:
        """A day between the 1st of ``month_lo`` and the 28th of ``month_hi`` of each year."""
        lo = _days_of(years, month_lo, 1)
        return self.day(lo, _days_of(years, month_hi, 28), len(years))


def _days_of(years: np.ndarray, month: int, day: int) -> np.ndarray:
    """Days since 1970-01-01 of ``month``/``day`` of each year."""
    dates = (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]")
    return (dates.astype("datetime64[M]") + (month - 1)).astype("datetime64[D]").astype(
        np.int64) + (day - 1)


def _from_days(days: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(days))


class _Profile:
    """The histories of the persons of one profile, before the stays are laid out.

    Per person: birth country, citizenships, the base country (where they live between
    trips) and the purpose of those stays, an optional final move (country, start, end or
    none, purpose) and an optional stay after it. Trips: one row each (person, start,
    length, country, purpose).
    """

    def __init__(self, pids: np.ndarray, base: np.ndarray, birth: np.ndarray,
                 cits: np.ndarray) -> None:
        m = len(pids)
        self.pids, self.base, self.birth, self.cits = pids, base, birth, cits
        self.base_purpose = np.full(m, None, dtype=object)
        self.final_country = np.full(m, None, dtype=object)
        self.final_start = np.full(m, -1, dtype=np.int64)
        self.final_end = np.full(m, _NO_END, dtype=np.int64)
        self.final_purpose = np.full(m, None, dtype=object)
        self.extra_country = np.full(m, None, dtype=object)
        self.trips: list[tuple[np.ndarray, ...]] = []

    def add_trips(self, who: np.ndarray, start: np.ndarray, length: np.ndarray,
                  country: np.ndarray | str, purpose: np.ndarray | str | None) -> None:
        """Trips of persons ``who`` (positions in this profile)."""
        k = len(who)
        self.trips.append((
            self.pids[who], np.asarray(start, dtype=np.int64), np.asarray(length, np.int64),
            np.broadcast_to(np.asarray(country, dtype=object), (k,)),
            np.broadcast_to(np.asarray(purpose, dtype=object), (k,)),
        ))

    def set_final(self, who: np.ndarray, country: np.ndarray | str, start: np.ndarray,
                  purpose: np.ndarray | str | None, end: np.ndarray | None = None) -> None:
        self.final_country[who] = country
        self.final_start[who] = start
        self.final_purpose[who] = purpose
        if end is not None:
            self.final_end[who] = end


def _short_trips(d: _Draws, prof: _Profile, where: dict[str, float] | str,
                 purpose: np.ndarray | str, k: np.ndarray, lo: int, hi: int) -> None:
    """``k[i]`` trips of ``lo`` to ``hi`` days for person i, to ``where``."""
    who = np.repeat(np.arange(len(k)), k)
    start = d.day(d.first + 30, d.last, len(who))
    country = where if isinstance(where, str) else d.pick(where, len(who))
    purposes = purpose if isinstance(purpose, str) else np.asarray(purpose, dtype=object)[who]
    prof.add_trips(who, start, start + d.rng.integers(lo, hi + 1, len(who)) - start,
                   country, purposes)


def _home_profile(d: _Draws, pids: np.ndarray, cits: str | None = None) -> _Profile:
    m = len(pids)
    home = np.full(m, d.home, dtype=object)
    return _Profile(pids, home.copy(), home.copy(), np.full(m, cits or d.home, dtype=object))


def _stayer(d: _Draws, pids: np.ndarray) -> _Profile:
    prof = _home_profile(d, pids)
    purpose = d.choice(["tourism", "business", "family"], len(pids))
    k = np.array([0, 0, 1, 2, 3])[d.rng.integers(0, 5, len(pids))]
    _short_trips(d, prof, _TRIPS, purpose, k, 3, 20)
    return prof


def _seasonal(d: _Draws, pids: np.ndarray, lo: int, hi: int) -> _Profile:
    """Seasonal work in Russia in about three years out of four, ``lo`` to ``hi`` days long."""
    prof = _home_profile(d, pids)
    years = np.arange(d.year_lo, d.year_hi + 1)
    go = d.rng.random((len(pids), len(years))) < 0.75
    who, y = np.nonzero(go)
    start = d.year_day(years[y], 2, 4)
    prof.add_trips(who, start, d.rng.integers(lo, hi + 1, len(who)), "RUS", "seasonal_work")
    return prof


def _emigrant(d: _Draws, pids: np.ndarray, dual: bool) -> _Profile:
    """Leaves for at least a year; a third come back. Half the dual citizens only visit Russia."""
    m = len(pids)
    prof = _home_profile(d, pids, f"{d.home};RUS" if dual else None)
    if dual:
        prof.cits[:] = ";".join(sorted({d.home, "RUS"}))
    visits = (d.rng.random(m) < 0.5) if dual else np.zeros(m, dtype=bool)
    v = np.flatnonzero(visits)
    _visit_k = np.zeros(m, dtype=np.int64)
    _visit_k[v] = d.rng.integers(0, 4, len(v))
    _short_trips(d, prof, "RUS", "family", _visit_k, 14, 60)
    leavers = np.flatnonzero(~visits)
    dest = np.full(len(leavers), "RUS", dtype=object) if dual else d.pick(_EMIGRATION,
                                                                          len(leavers))
    leave = d.day(d.first + 365, d.last - 30, len(leavers))
    back = leave + d.rng.integers(365, 6 * 365 + 1, len(leavers))
    returns = (d.rng.random(len(leavers)) < 0.35) & (back < d.last)
    r = np.flatnonzero(returns)
    prof.add_trips(leavers[r], leave[r], back[r] - leave[r], dest[r], "work")
    s = np.flatnonzero(~returns)
    prof.set_final(leavers[s], dest[s], leave[s], d.choice(["work", "family"], len(s)))
    return prof


def _student(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    prof = _home_profile(d, pids)
    dest = d.pick(_STUDY, m)
    year = d.rng.integers(d.year_lo, d.year_hi, m)  # not the last year
    leave = d.year_day(year, 8, 9)
    length = d.rng.integers(300, 1401, m)
    prof.add_trips(np.arange(m), leave, length, dest, "study")
    stay_on = np.flatnonzero(d.rng.random(m) >= 0.7)
    prof.set_final(stay_on, dest[stay_on], leave[stay_on] + length[stay_on], "work")
    return prof


def _returnee(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    prof = _home_profile(d, pids)
    prof.base = d.pick(_EMIGRATION, m)
    prof.base_purpose[:] = "work"
    prof.set_final(np.arange(m), d.home, d.day(d.first + 200, d.last - 30, m), None)
    return prof


def _immigrant(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    origin = d.pick(_IMMIGRATION, m)
    draw = d.rng.random(m)
    both = np.array([";".join(sorted({o, d.home})) for o in origin], dtype=object)
    cits = np.where(draw < 0.7, origin, np.where(draw < 0.85, both, d.home))
    prof = _Profile(pids, origin.copy(), origin.copy(), cits.astype(object))
    arrive = d.day(d.first + 200, d.last - 30, m)
    prof.set_final(np.arange(m), d.home, arrive, d.choice(["work", "work", "family", "study"],
                                                          m))
    return prof


def _stateless(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    prof = _home_profile(d, pids, "")
    prof.cits[:] = ""
    abroad = d.rng.random(m) >= 0.5
    prof.birth[abroad] = d.pick(_STATELESS_BIRTH, int(abroad.sum()))
    return prof


def _cross_border(d: _Draws, pids: np.ndarray) -> _Profile:
    """Lives in the neighbouring country; short work spells in some weeks of a few years."""
    m = len(pids)
    base = _NEIGHBOUR.get(d.home, "GEO")
    prof = _Profile(pids, np.full(m, base, dtype=object), np.full(m, base, dtype=object),
                    np.full(m, base, dtype=object))
    years = np.arange(d.year_lo, d.year_hi + 1)
    n_years = np.minimum(len(years), d.rng.integers(1, 5, m))
    order = np.argsort(d.rng.random((m, len(years))), axis=1)  # distinct years per person
    keep = np.arange(len(years))[None, :] < n_years[:, None]
    who, rank = np.nonzero(keep)
    year = years[order[who, rank]]
    n_weeks = d.rng.integers(2, 13, len(who))
    weeks = np.argsort(d.rng.random((len(who), 50)), axis=1)  # distinct weeks per year
    take = np.arange(50)[None, :] < n_weeks[:, None]
    row, col = np.nonzero(take)
    start = _days_of(year[row], 1, 1) + 7 * weeks[row, col] + d.rng.integers(0, 2, len(row))
    inside = (start > d.first) & (start <= d.last)
    row, start = row[inside], start[inside]
    prof.add_trips(who[row], start, d.rng.integers(1, 6, len(row)), d.home, "work")
    return prof


def _visitor(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    base = d.pick(_VISITORS, m)
    prof = _Profile(pids, base, base.copy(), base.copy())
    purpose = d.choice(["health", "training", "business", "tourism", "study", "work",
                        "seasonal_work"], m)
    _short_trips(d, prof, d.home, purpose, d.rng.integers(1, 5, m), 3, 60)
    return prof


def _asylum_transit(d: _Draws, pids: np.ndarray) -> _Profile:
    m = len(pids)
    origin = d.pick(_ASYLUM_ORIGIN, m)
    prof = _Profile(pids, origin, origin.copy(), origin.copy())
    enter = d.day(d.first + 200, d.last - 120, m)
    leave = enter + d.rng.integers(5, 61, m)
    prof.set_final(np.arange(m), d.home, enter, "asylum_transit", end=leave)
    prof.extra_country[:] = d.pick(_ASYLUM_DEST, m)
    return prof


def _health_traveller(d: _Draws, pids: np.ndarray) -> _Profile:
    prof = _home_profile(d, pids)
    _short_trips(d, prof, _HEALTH, "health", d.rng.integers(1, 4, len(pids)), 5, 40)
    return prof


#: Profile -> function drawing the histories of that profile (keys as in PROFILES).
_MAKERS: Final[dict[str, Callable[[_Draws, np.ndarray], _Profile]]] = {
    "stayer": _stayer,
    "seasonal_short": lambda d, p: _seasonal(d, p, 60, 180),
    "seasonal_long": lambda d, p: _seasonal(d, p, 190, 330),
    "emigrant": lambda d, p: _emigrant(d, p, dual=False),
    "student": _student,
    "returnee": _returnee,
    "immigrant": _immigrant,
    "stateless": _stateless,
    "dual_citizen": lambda d, p: _emigrant(d, p, dual=True),
    "cross_border": _cross_border,
    "visitor": _visitor,
    "asylum_transit": _asylum_transit,
    "health_traveller": _health_traveller,
}


def synthetic_population(
    n: int = 10_000,
    country: str = "AZE",
    seed: int = DEFAULT_SEED,
    start: dt.date | str = "2010-01-01",
    end: dt.date | str = "2024-12-31",
) -> pd.DataFrame:
    """Generate a SYNTHETIC population: a long data frame of stays, one row per stay.

    The histories imitate South Caucasus migration patterns (see :data:`PROFILES`): seasonal work
    in Russia shorter than 6 months and between 6 and 12 months, long-term emigration to Russia,
    Türkiye, Germany, Ukraine and Kazakhstan with returns, students abroad, foreign-born immigrants,
    stateless persons, dual citizens, cross-border workers from the neighbouring country (Georgia
    for Azerbaijan), health trips and asylum seekers in transit.

    **The data are synthetic.** All shares, durations and destinations are teaching assumptions
    chosen to exercise the UN concepts, not real figures. The same ``seed`` always gives the same
    population (with this version of migdata: the generator was vectorised in version 0.x, issue
    24, which changed the population drawn for a given seed).

    Parameters
    ----------
    n : int
        Number of persons.
    country : str
        Country of measurement ("home"): natives are born there, immigrants move there.
    seed : int
        Random seed (default :data:`DEFAULT_SEED`).
    start, end : datetime.date or str
        Window of the histories: every person's first stay starts on ``start`` and no stay starts
        after ``end``. The window must span at least two years.

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id, birth_country, citizenships, country, start, end, purpose`` as
        described in :mod:`migdata.concepts.tables` (``end`` is ``NaT`` for ongoing stays, a
        missing ``purpose`` is ``NaN``; text columns have pandas' ``str`` dtype), plus
        ``profile`` (the :data:`PROFILES` key that generated the person) and ``synthetic``
        (always ``True``). ``frame.attrs["synthetic"]`` is ``True`` as well.

    Examples
    --------
    >>> from migdata.concepts import stocks
    >>> frame = synthetic_population(1000)
    >>> bool(frame["synthetic"].all())
    True
    >>> int(stocks(frame, "AZE", "2020-01-01")["usual_residents"]) > 0
    True
    """
    import pandas as pd

    _check_count(n, "n", "a non-negative integer number of persons")
    _check_count(seed, "seed", "an integer", minimum=None)
    first, last = _window(start, end)
    columns = _draw(int(n), to_iso3(country), int(seed), first, last)
    nat = np.iinfo(np.int64).min  # NaT
    end = np.where(columns["end"] == _NO_END, nat, columns["end"] * 86_400)
    frame = pd.DataFrame(
        {
            "person_id": columns["person_id"].astype(np.int64),
            "birth_country": _text(columns["birth_country"]),
            "citizenships": _text(columns["citizenships"]),
            "country": _text(columns["country"]),
            "start": (columns["start"] * 86_400).view("datetime64[s]"),
            "end": end.view("datetime64[s]"),
            "purpose": _text(columns["purpose"]),
            "profile": _text(columns["profile"]),
        }
    )
    frame["synthetic"] = True
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = (
        "SYNTHETIC teaching population generated by migdata.simulate.population "
        f"(seed={seed}); shares and durations are teaching assumptions, not real figures"
    )
    return frame


def _text(coded: tuple[np.ndarray, np.ndarray]) -> pd.Series:
    """A text column from integer codes and the distinct texts (fast for millions of rows).

    pandas' text dtype either way (code -1: missing, a stay without a purpose): through pyarrow
    when it is installed (researchers, the benchmark), else through a categorical, since pyarrow
    is not in what a student installs.
    """
    import pandas as pd

    codes, vocab = coded
    try:
        import pyarrow as pa
    except ImportError:
        categories = pd.Index([str(v) for v in vocab], dtype=object)
        return pd.Series(pd.Categorical.from_codes(codes, categories=categories)).astype("str")
    texts = pa.array([str(v) for v in vocab], type=pa.string()).take(
        pa.array(codes.astype(np.int32), mask=codes < 0))
    return pd.Series(pd.array(texts, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


def _check_count(value: object, name: str, expected: str, minimum: int | None = 0) -> None:
    """Raise unless ``value`` is an integer (not a bool) of at least ``minimum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, Integral)
        or (minimum is not None and value < minimum)
    ):
        raise InvalidInputError(f"{name} must be {expected}, got {value!r}")


def _window(start: dt.date | str, end: dt.date | str) -> tuple[int, int]:
    """The window as day numbers; it must span at least two years."""
    first = (to_date(start, "start") - _EPOCH).days
    last = (to_date(end, "end") - _EPOCH).days
    if last - first < 2 * 365:
        raise InvalidInputError(
            f"the window {start!r} to {end!r} is too short: it must span at least two years"
        )
    return first, last


def _draw(n: int, home: str, seed: int, first: int, last: int) -> dict[str, np.ndarray]:
    """Draw ``n`` histories; one array per column, one entry per stay (days since 1970-01-01).

    Stays are laid out as :func:`_layout` describes: at the base country from the window
    start, between the trips (a trip starts at the earliest the day after the previous stay
    began) and after them, then the final move and the stay after it.
    """
    rng = np.random.default_rng(seed)
    draws = _Draws(rng, home, first, last)
    names = list(PROFILES)
    shares = np.array([PROFILES[p][0] for p in names])
    codes = rng.choice(len(names), n, p=shares / shares.sum())
    profiles = [
        _MAKERS[name](draws, np.flatnonzero(codes == i)) for i, name in enumerate(names)
    ]
    person = {key: np.empty(n, dtype=object) for key in
              ("base", "base_purpose", "final_country", "final_purpose", "extra_country",
               "birth", "cits")}
    final_start = np.full(n, -1, dtype=np.int64)
    final_end = np.full(n, _NO_END, dtype=np.int64)
    trips: list[tuple[np.ndarray, ...]] = []
    for prof in profiles:
        for key in person:
            person[key][prof.pids] = getattr(prof, key)
        final_start[prof.pids] = prof.final_start
        final_end[prof.pids] = prof.final_end
        trips.extend(prof.trips)
    stays = _layout(n, first, last, person, final_start, final_end, trips)
    pid = stays["person_id"]
    out: dict[str, Any] = dict(stays)
    for column, values in (("birth_country", person["birth"]), ("citizenships", person["cits"]),
                           ("profile", np.asarray(names, dtype=object)[codes])):
        person_codes, vocab = _factorize(values)
        out[column] = (person_codes[pid], vocab)
    return out


def _layout(
    n: int, first: int, last: int, person: dict[str, np.ndarray], final_start: np.ndarray,
    final_end: np.ndarray, trips: list[tuple[np.ndarray, ...]],
) -> dict[str, Any]:
    """The stays of every person, in order: base, trip, base, trip, ..., final, extra.

    Countries and purposes travel as integer codes (object arrays are slow to index).
    """
    if trips:
        t_pid, t_start, t_len, t_country, t_purpose = (np.concatenate(c) for c in zip(
            *trips, strict=True))
    else:
        t_pid = t_start = t_len = np.zeros(0, dtype=np.int64)
        t_country = t_purpose = np.zeros(0, dtype=object)
    c_codes, c_vocab = _factorize(np.concatenate(
        [person["base"], person["final_country"], person["extra_country"], t_country]))
    base_c, final_c, extra_c, trip_c = np.split(c_codes, [n, 2 * n, 3 * n])
    p_codes, p_vocab = _factorize(np.concatenate(
        [person["base_purpose"], person["final_purpose"], t_purpose]))
    base_p, final_p, trip_p = np.split(p_codes, [n, 2 * n])
    order = np.argsort(t_pid * (last - first + 2) + (t_start - first), kind="stable")
    t_pid, t_start, t_len = t_pid[order], t_start[order], t_len[order]
    trip_c, trip_p = trip_c[order], trip_p[order]
    first_of = np.searchsorted(t_pid, np.arange(n))
    rank = np.arange(len(t_pid)) - first_of[t_pid]
    at = np.full(n, first, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    parts: list[tuple[np.ndarray, ...]] = []  # (pid, seq, country, start, end, purpose)
    k_max = int(rank.max()) + 1 if len(rank) else 0
    by_rank = np.argsort(rank, kind="stable")  # trips of rank k are one slice
    bounds = np.searchsorted(rank[by_rank], np.arange(k_max + 1))
    for k in range(k_max):
        sel = by_rank[bounds[k]:bounds[k + 1]]
        p = t_pid[sel]
        start = np.maximum(t_start[sel], at[p] + 1)
        go = active[p] & (start <= last)
        active[p[~go]] = False
        sel, p, start = sel[go], p[go], start[go]
        end = start + t_len[sel]
        parts.append((p, np.full(len(p), 2 * k), base_c[p], at[p], start, base_p[p]))
        parts.append((p, np.full(len(p), 2 * k + 1), trip_c[sel], start, end, trip_p[sel]))
        at[p] = end
    everyone = np.arange(n)
    has_final = (final_start >= 0) & (final_start >= at)
    seq = 2 * k_max
    g = everyone[has_final & (final_start > at)]
    parts.append((g, np.full(len(g), seq), base_c[g], at[g], final_start[g], base_p[g]))
    f = everyone[has_final]
    parts.append((f, np.full(len(f), seq + 1), final_c[f], final_start[f], final_end[f],
                  final_p[f]))
    x = everyone[has_final & (extra_c >= 0)]
    parts.append((x, np.full(len(x), seq + 2), extra_c[x], final_end[x],
                  np.full(len(x), _NO_END), np.full(len(x), -1)))
    o = everyone[~has_final]
    parts.append((o, np.full(len(o), seq), base_c[o], at[o], np.full(len(o), _NO_END),
                  base_p[o]))
    pid, seqs, country, start, end, purpose = (np.concatenate(c) for c in zip(
        *parts, strict=True))
    keep = np.flatnonzero(start <= last)  # a stay beginning after the window is not in it
    order = keep[np.argsort(pid[keep] * (seq + 3) + seqs[keep])]  # by person, then seq
    return {"person_id": pid[order], "country": (country[order], c_vocab),
            "start": start[order], "end": end[order], "purpose": (purpose[order], p_vocab)}


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct texts of an object array (a handful of countries)."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def synthetic_persons(
    n: int = 1_000,
    country: str = "AZE",
    seed: int = DEFAULT_SEED,
    start: dt.date | str = "2010-01-01",
    end: dt.date | str = "2024-12-31",
) -> list[Person]:
    """The same SYNTHETIC population as :func:`synthetic_population`, as :class:`Person` objects.

    Person ids are the ``person_id`` of the data frame. Slower than the data frame for large ``n``.
    """
    from ..concepts.tables import to_persons

    return to_persons(synthetic_population(n, country, seed, start, end))
