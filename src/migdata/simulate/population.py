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
import random
from collections.abc import Callable
from numbers import Integral
from typing import TYPE_CHECKING, Final

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
# one stay: (country, start day, end day or None, purpose); days since 1970-01-01
_Stay = tuple[str, int, int | None, str | None]
_Trip = tuple[str, int, int, str | None]


class _Maker:
    """Builds one person's history; ``home`` is the country of measurement."""

    def __init__(self, rng: random.Random, home: str, first: int, last: int) -> None:
        self.rng, self.home, self.first, self.last = rng, home, first, last

    def pick(self, weights: dict[str, float]) -> str:
        options = [c for c in weights if c != self.home]
        return self.rng.choices(options, [weights[c] for c in options])[0]

    def day(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, max(lo, hi))

    def year_day(self, year: int, month_lo: int, month_hi: int) -> int:
        lo = (dt.date(year, month_lo, 1) - _EPOCH).days
        hi = (dt.date(year, month_hi, 28) - _EPOCH).days
        return self.day(lo, hi)

    def years(self) -> range:
        return range(_from_days(self.first).year, _from_days(self.last).year + 1)

    def around(self, base: str, trips: list[_Trip], final: _Stay | None = None) -> list[_Stay]:
        """Stays at ``base`` from the window start, between the trips and after them."""
        stays: list[_Stay] = []
        at = self.first
        for country, start, end, purpose in sorted(trips, key=lambda t: t[1]):
            length = end - start
            start = max(start, at + 1)
            if start > self.last:
                break
            stays.append((base, at, start, None))
            stays.append((country, start, start + length, purpose))
            at = start + length
        if final is not None and final[1] >= at:
            if final[1] > at:
                stays.append((base, at, final[1], None))
            stays.append(final)
        else:
            stays.append((base, at, None, None))
        return stays

    def short_trips(
        self, where: str | dict[str, float], purpose: str, k: int, lo: int, hi: int
    ) -> list[_Trip]:
        """``k`` trips of ``lo`` to ``hi`` days to ``where`` (a country or weighted choices)."""
        return [
            (
                where if isinstance(where, str) else self.pick(where),
                s,
                s + self.rng.randint(lo, hi),
                purpose,
            )
            for s in sorted(self.day(self.first + 30, self.last) for _ in range(k))
        ]


def _from_days(days: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=days)


_History = tuple[str, list[str], list[_Stay]]  # birth country, citizenships, stays


def _stayer(m: _Maker) -> _History:
    purpose = m.rng.choice(["tourism", "business", "family"])
    trips = m.short_trips(_TRIPS, purpose, m.rng.choice([0, 0, 1, 2, 3]), 3, 20)
    return m.home, [m.home], m.around(m.home, trips)


def _seasonal(m: _Maker, lo: int, hi: int) -> _History:
    """Seasonal work in Russia in about three years out of four, ``lo`` to ``hi`` days long."""
    trips = []
    for year in m.years():
        if m.rng.random() < 0.75:
            start = m.year_day(year, 2, 4)
            trips.append(("RUS", start, start + m.rng.randint(lo, hi), "seasonal_work"))
    return m.home, [m.home], m.around(m.home, trips)


def _emigrant(m: _Maker, dual: bool) -> _History:
    """Leaves for at least a year; a third come back. Half the dual citizens only visit Russia."""
    rng, home = m.rng, m.home
    cits = [home, "RUS"] if dual else [home]
    if dual and rng.random() < 0.5:
        trips = m.short_trips("RUS", "family", rng.randint(0, 3), 14, 60)
        return home, cits, m.around(home, trips)
    dest = "RUS" if dual else m.pick(_EMIGRATION)
    leave = m.day(m.first + 365, m.last - 30)
    if rng.random() < 0.35:
        back = leave + rng.randint(365, 6 * 365)
        if back < m.last:
            return home, cits, m.around(home, [(dest, leave, back, "work")])
    return home, cits, m.around(home, [], (dest, leave, None, rng.choice(["work", "family"])))


def _student(m: _Maker) -> _History:
    rng, home = m.rng, m.home
    dest = m.pick(_STUDY)
    leave = m.year_day(rng.choice(list(m.years())[:-1]), 8, 9)
    study = (dest, leave, leave + rng.randint(300, 1400), "study")
    if rng.random() < 0.7:
        return home, [home], m.around(home, [study])
    return home, [home], m.around(home, [study], (dest, study[2], None, "work"))


def _returnee(m: _Maker) -> _History:
    abroad = m.pick(_EMIGRATION)
    back = m.day(m.first + 200, m.last - 30)
    return m.home, [m.home], [(abroad, m.first, back, "work"), (m.home, back, None, None)]


def _immigrant(m: _Maker) -> _History:
    rng, home = m.rng, m.home
    origin = m.pick(_IMMIGRATION)
    draw = rng.random()
    cits = [origin] if draw < 0.7 else [origin, home] if draw < 0.85 else [home]
    arrive = m.day(m.first + 200, m.last - 30)
    purpose = rng.choice(["work", "work", "family", "study"])
    return origin, cits, m.around(origin, [], (home, arrive, None, purpose))


def _stateless(m: _Maker) -> _History:
    birth = m.home if m.rng.random() < 0.5 else m.pick(_STATELESS_BIRTH)
    return birth, [], [(m.home, m.first, None, None)]


def _cross_border(m: _Maker) -> _History:
    """Lives in the neighbouring country; short work spells in some weeks of a few years."""
    rng = m.rng
    base = _NEIGHBOUR.get(m.home, "GEO")
    trips = []
    years = list(m.years())
    for year in rng.sample(years, min(len(years), rng.randint(1, 4))):
        jan1 = (dt.date(year, 1, 1) - _EPOCH).days
        for week in sorted(rng.sample(range(50), rng.randint(2, 12))):
            start = jan1 + 7 * week + rng.randint(0, 1)
            trips.append((m.home, start, start + rng.randint(1, 5), "work"))
    trips = [t for t in trips if m.first < t[1] <= m.last]
    return base, [base], m.around(base, trips)


def _visitor(m: _Maker) -> _History:
    base = m.pick(_VISITORS)
    purpose = m.rng.choice(
        ["health", "training", "business", "tourism", "study", "work", "seasonal_work"]
    )
    trips = m.short_trips(m.home, purpose, m.rng.randint(1, 4), 3, 60)
    return base, [base], m.around(base, trips)


def _asylum_transit(m: _Maker) -> _History:
    origin = m.pick(_ASYLUM_ORIGIN)
    enter = m.day(m.first + 200, m.last - 120)
    leave = enter + m.rng.randint(5, 60)
    stays = m.around(origin, [], (m.home, enter, leave, "asylum_transit"))
    stays.append((m.pick(_ASYLUM_DEST), leave, None, None))
    return origin, [origin], stays


def _health_traveller(m: _Maker) -> _History:
    trips = m.short_trips(_HEALTH, "health", m.rng.randint(1, 3), 5, 40)
    return m.home, [m.home], m.around(m.home, trips)


#: Profile -> function drawing one history of that profile (keys as in PROFILES).
_MAKERS: Final[dict[str, Callable[[_Maker], _History]]] = {
    "stayer": _stayer,
    "seasonal_short": lambda m: _seasonal(m, 60, 180),
    "seasonal_long": lambda m: _seasonal(m, 190, 330),
    "emigrant": lambda m: _emigrant(m, dual=False),
    "student": _student,
    "returnee": _returnee,
    "immigrant": _immigrant,
    "stateless": _stateless,
    "dual_citizen": lambda m: _emigrant(m, dual=True),
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
    population.

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
        described in :mod:`migdata.concepts.tables` (``end`` is ``NaT`` for ongoing stays), plus
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
    frame = pd.DataFrame(
        {
            "person_id": np.asarray(columns["person_id"], dtype=np.int64),
            "birth_country": columns["birth_country"],
            "citizenships": columns["citizenships"],
            "country": columns["country"],
            "start": np.asarray(columns["start"], dtype=np.int64).astype("datetime64[D]"),
            "end": np.asarray(columns["end"], dtype=np.int64).astype("datetime64[D]"),
            "purpose": pd.Series(columns["purpose"], dtype="object"),
            "profile": columns["profile"],
        }
    )
    frame["synthetic"] = True
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = (
        "SYNTHETIC teaching population generated by migdata.simulate.population "
        f"(seed={seed}); shares and durations are teaching assumptions, not real figures"
    )
    return frame


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


def _draw(n: int, home: str, seed: int, first: int, last: int) -> dict[str, list[object]]:
    """Draw ``n`` histories; one list per column, one entry per stay (days since 1970-01-01)."""
    rng = random.Random(seed)
    maker = _Maker(rng, home, first, last)
    names = list(PROFILES)
    profiles = rng.choices(names, [PROFILES[p][0] for p in names], k=n)
    nat = np.iinfo(np.int64).min
    rows: list[tuple[object, ...]] = []
    for pid, profile in enumerate(profiles):
        birth, cits, stays = _MAKERS[profile](maker)
        cit_text = ";".join(sorted(set(cits)))
        for country, s, e, purpose in stays:
            if s > last:  # e.g. the stay at home after a trip that ends beyond the window
                break
            end = nat if e is None else e
            rows.append((pid, birth, cit_text, country, s, end, purpose, profile))
    keys = ("person_id", "birth_country", "citizenships", "country", "start", "end", "purpose")
    keys = (*keys, "profile")
    return {key: [row[i] for row in rows] for i, key in enumerate(keys)}


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
