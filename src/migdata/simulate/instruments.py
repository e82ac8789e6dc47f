"""Simulated data-collection instruments for Unit 2.2 (primary sources of migration data).

Everything in this module is **synthetic**. :func:`make_population` builds an imaginary country
whose whole migration history over one intercensal period is known (the *truth*). Each instrument
then "observes" that country the way a real source would, with the real source's blind spots:

========================  ==========================================================================
instrument                what goes wrong (by design, as in the UN recommendations)
========================  ==========================================================================
:func:`census`            complete count of residents, but emigrants are reported only by the
                          household members who stayed: when the whole household left, nobody
                          reports them. People who arrived and left again between two censuses
                          are never seen.
:func:`household_survey`  same questions as the census on a random sample of households: migrants
                          are rare, so the sampling error of migrant counts is large.
:func:`migration_survey`  a specialised survey that over-samples households with migration
                          experience (from the census frame) and re-weights: far smaller error,
                          but emigrated whole households are still missing.
:func:`population_register`  continuous, but arrivals are registered with a delay and many
                          emigrants never de-register, so residents are over-counted and
                          emigration under-counted.
:func:`foreigners_register`  like the population register, for foreign citizens only: returning
                          citizens and emigrating citizens are invisible.
:func:`residence_permit_register`  a first permit is a proxy for immigration of foreigners, but
                          permit dates are not arrival dates and permanent permits stay valid after
                          the holder has left.
:func:`citizen_returns`   which register records a citizen coming back from abroad: only the
                          population register, and only if the citizen had de-registered.
========================  ==========================================================================

Time is measured in years since the previous census: the simulated period is ``[0, 10)`` and the
new census (and the register snapshot) is taken at ``t = 10``. "Last year" means ``[9, 10)``.

Sources for the concepts: UN DESA, *Recommendations on Statistics of International Migration,
Revision 1* (1998), Part Two (data sources); UN DESA, *Handbook on Measuring International
Migration through Population Censuses* (2017); UNECE, *Conference of European Statisticians
Recommendations for the 2020 Censuses of Population and Housing* (2015), chapter on international
migration; UN Statistical Commission, conceptual framework for the revision of the recommendations
(2021).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import InvalidInputError

__all__ = [
    "INSTRUMENTS",
    "MEASURES",
    "PERIOD",
    "SYNTHETIC_LABEL",
    "SyntheticCountry",
    "census",
    "citizen_returns",
    "compare",
    "coverage_table",
    "foreigners_register",
    "household_survey",
    "make_population",
    "migration_survey",
    "population_register",
    "repeat",
    "residence_permit_register",
]

#: Label attached to every table this module returns.
SYNTHETIC_LABEL = "SYNTHETIC: simulated by migdata.simulate.instruments, not real data"

#: Length of the simulated intercensal period, in years.
PERIOD = 10.0

#: The quantities every instrument tries to measure, with their meaning in plain English (students
#: read these in notebook 22). "Census day" is t = 10; "the last year" is [9, 10); "the ten years"
#: is the whole period [0, 10).
MEASURES: dict[str, str] = {
    "resident_population": "people who usually live in the country on census day",
    "foreign_born": "residents on census day who were born abroad",
    "foreign_citizens": "residents on census day who are not citizens",
    "returned_migrants": "residents on census day who emigrated in the ten years and came back",
    "immigrants_last_year": "arrivals to live in the country in the last year before the census "
                            "(returning citizens included)",
    "immigrants_period": "arrivals to live in the country in the ten years "
                         "(returning citizens included)",
    "emigrants_last_year": "departures to live abroad in the last year before the census",
    "emigrants_period": "departures to live abroad in the ten years",
    "emigrants_abroad": "people who left in the ten years and still live abroad on census day",
}


@dataclass(frozen=True, eq=False)
class SyntheticCountry:
    """A synthetic country with a fully known migration history (**synthetic data**).

    Attributes
    ----------
    persons : pandas.DataFrame
        One row per person who lived in the country at any time in ``[0, 10]``, with columns
        ``person_id``, ``household_id``, ``sex``, ``age`` (on census day), ``born_abroad``,
        ``citizen``, ``arrival_time`` (immigration of a foreign-born or new immigrant; negative
        when before the period; NaN for people who never immigrated), ``emigration_time``
        (NaN if the person never left during the period) and ``return_time`` (NaN unless the
        person emigrated and came back during the period).
    seed : int
        The seed that generated it.
    label : str
        Always :data:`SYNTHETIC_LABEL`.
    """

    persons: pd.DataFrame
    seed: int
    label: str = field(default=SYNTHETIC_LABEL)

    @cached_property
    def _answers(self) -> pd.DataFrame:
        return _answers(self)

    @cached_property
    def _household_totals(self) -> pd.DataFrame:
        a = self._answers
        return a[list(MEASURES)].groupby(a["household_id"]).sum()

    @property
    def resident(self) -> np.ndarray:
        """Boolean array: usually resident on census day."""
        return _resident(self.persons)

    def truth(self) -> pd.Series:
        """The true value of every measure in :data:`MEASURES` (integers)."""
        p = self.persons
        res = self.resident
        arr, emi, ret = (p[c].to_numpy(float) for c in ("arrival_time", "emigration_time",
                                                        "return_time"))
        values = {
            "resident_population": res.sum(),
            "foreign_born": (res & p["born_abroad"].to_numpy()).sum(),
            "foreign_citizens": (res & ~p["citizen"].to_numpy()).sum(),
            "returned_migrants": (res & ~np.isnan(ret)).sum(),
            "immigrants_last_year": _in(arr, 9, 10).sum() + _in(ret, 9, 10).sum(),
            "immigrants_period": _in(arr, 0, 10).sum() + _in(ret, 0, 10).sum(),
            "emigrants_last_year": _in(emi, 9, 10).sum(),
            "emigrants_period": _in(emi, 0, 10).sum(),
            "emigrants_abroad": (_in(emi, 0, 10) & np.isnan(ret)).sum(),
        }
        return _series(values, "truth")


def _in(t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Times in the half-open interval [lo, hi) (NaN is never inside)."""
    return (t >= lo) & (t < hi)


def _resident(p: pd.DataFrame) -> np.ndarray:
    emi = p["emigration_time"].to_numpy(float)
    ret = p["return_time"].to_numpy(float)
    return np.isnan(emi) | ~np.isnan(ret)


def _series(values: dict[str, float], name: str) -> pd.Series:
    s = pd.Series({m: float(values.get(m, np.nan)) for m in MEASURES}, name=name, dtype=float)
    s.index.name = "measure"
    s.attrs["label"] = SYNTHETIC_LABEL
    return s


def _check_positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InvalidInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_probability(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidInputError(f"{name} must be a probability between 0 and 1, got {value!r}")
    return float(value)


def _check_nonnegative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InvalidInputError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


def _check_country(pop: object) -> SyntheticCountry:
    if not isinstance(pop, SyntheticCountry):
        raise InvalidInputError(
            f"expected a SyntheticCountry from migdata.simulate.instruments.make_population(), "
            f"got {type(pop).__name__}"
        )
    return pop


def make_population(
    n_households: int = 20_000,
    seed: int = 2024,
    *,
    immigrant_household_share: float = 0.05,
    household_emigration_rate: float = 0.0025,
    individual_emigration_rate: float = 0.006,
    return_share: float = 0.3,
    immigrant_arrival_rate: float = 0.003,
    reemigration_share: float = 0.35,
) -> SyntheticCountry:
    """Generate a synthetic country and its migration history over ten years (**synthetic**).

    Parameters
    ----------
    n_households : int
        Households living in the country at the start of the period.
    seed : int
        Seed of the random generator; the same seed always gives the same country.
    immigrant_household_share : float
        Share of households at the start that immigrated before the period (their adult members
        are foreign-born; some have become citizens).
    household_emigration_rate : float
        Yearly probability that a whole household emigrates together.
    individual_emigration_rate : float
        Yearly probability that an adult aged 18-45 emigrates alone (the household stays).
    return_share : float
        Share of individual emigrants who come back within the period.
    immigrant_arrival_rate : float
        New immigrant households arriving per year, as a share of ``n_households``.
    reemigration_share : float
        Share of new immigrants who leave again before census day.

    Returns
    -------
    SyntheticCountry
        The population, labelled synthetic.

    Raises
    ------
    InvalidInputError
        If a count is not a positive integer or a rate is not a probability.
    """
    n_households = _check_positive_int("n_households", n_households)
    seed = _check_positive_int("seed", seed, minimum=0)
    rates = {
        "immigrant_household_share": immigrant_household_share,
        "household_emigration_rate": household_emigration_rate,
        "individual_emigration_rate": individual_emigration_rate,
        "return_share": return_share,
        "immigrant_arrival_rate": immigrant_arrival_rate,
        "reemigration_share": reemigration_share,
    }
    for name, value in rates.items():
        _check_probability(name, value)
    rng = np.random.default_rng(seed)

    # Households present at the start of the period.
    size = np.minimum(1 + rng.poisson(2.2, n_households), 8)
    hh_immigrant = rng.random(n_households) < immigrant_household_share
    hh_leaves = rng.random(n_households) < 1 - (1 - household_emigration_rate) ** PERIOD
    hh_leave_time = np.where(hh_leaves, rng.uniform(0, PERIOD, n_households), np.nan)
    hh_arrival = np.where(hh_immigrant, -rng.uniform(1, 40, n_households), np.nan)

    hid = np.repeat(np.arange(n_households), size)
    n = hid.size
    age = rng.integers(0, 86, n)
    first = np.r_[0, np.cumsum(size)[:-1]]
    is_head = np.zeros(n, bool)
    is_head[first] = True
    age[is_head] = np.maximum(age[is_head], 20)
    imm = hh_immigrant[hid]
    # In immigrant households, adults are foreign-born; children were mostly born here.
    born_abroad = imm & ((age >= 18) | (rng.random(n) < 0.2))
    citizen = ~born_abroad | (rng.random(n) < 0.4)
    arrival = np.where(born_abroad, hh_arrival[hid], np.nan)
    emigration = hh_leave_time[hid].copy()
    # Individual emigration of young adults whose household stays.
    adult = (age >= 18) & (age <= 45) & np.isnan(emigration)
    leaves = adult & (rng.random(n) < 1 - (1 - individual_emigration_rate) ** PERIOD)
    emigration[leaves] = rng.uniform(0, PERIOD, leaves.sum())
    comes_back = leaves & (rng.random(n) < return_share)
    ret = np.full(n, np.nan)
    ret[comes_back] = emigration[comes_back] + rng.uniform(1, 5, comes_back.sum())
    ret[ret >= PERIOD] = np.nan
    old = pd.DataFrame({
        "household_id": hid,
        "sex": np.where(rng.random(n) < 0.5, "female", "male"),
        "age": age,
        "born_abroad": born_abroad,
        "citizen": citizen,
        "arrival_time": arrival,
        "emigration_time": emigration,
        "return_time": ret,
    })

    # New immigrant households arriving during the period.
    n_new = rng.poisson(immigrant_arrival_rate * n_households * PERIOD)
    new_size = np.minimum(1 + rng.poisson(1.0, n_new), 5)
    new_hid = n_households + np.repeat(np.arange(n_new), new_size)
    arrive = rng.uniform(0, PERIOD, n_new)
    leave_again = rng.random(n_new) < reemigration_share
    leave_time = np.where(leave_again, arrive + rng.uniform(0.5, 4, n_new), np.nan)
    leave_time[leave_time >= PERIOD] = np.nan
    m = new_hid.size
    local = new_hid - n_households
    new = pd.DataFrame({
        "household_id": new_hid,
        "sex": np.where(rng.random(m) < 0.5, "female", "male"),
        "age": rng.integers(0, 66, m),
        "born_abroad": np.ones(m, bool),
        "citizen": np.zeros(m, bool),
        "arrival_time": arrive[local],
        "emigration_time": leave_time[local],
        "return_time": np.full(m, np.nan),
    })
    persons = pd.concat([old, new], ignore_index=True)
    persons.insert(0, "person_id", np.arange(len(persons)))
    persons.attrs["label"] = SYNTHETIC_LABEL
    return SyntheticCountry(persons=persons, seed=seed)


def _answers(pop: SyntheticCountry) -> pd.DataFrame:
    """What each person contributes to a census-type questionnaire (one row per person).

    Residents answer for themselves; emigrants still abroad are reported by their household
    only if someone from that household is still resident (whole-household emigrants vanish).
    """
    p = pop.persons
    res = pop.resident
    arr, emi, ret = (p[c].to_numpy(float) for c in ("arrival_time", "emigration_time",
                                                    "return_time"))
    hh_has_resident = pd.Series(res).groupby(p["household_id"].to_numpy()).transform("any")
    reported = hh_has_resident.to_numpy() & ~res  # abroad, reported by those who stayed
    last_move_in = np.where(np.isnan(ret), arr, ret)
    out = pd.DataFrame({
        "household_id": p["household_id"].to_numpy(),
        "in_frame": hh_has_resident.to_numpy(),
        "resident_population": res,
        "foreign_born": res & p["born_abroad"].to_numpy(),
        "foreign_citizens": res & ~p["citizen"].to_numpy(),
        "returned_migrants": res & ~np.isnan(ret),
        "immigrants_last_year": res & _in(last_move_in, 9, 10),
        "immigrants_period": res & (_in(arr, 0, 10) | _in(ret, 0, 10)),
        "emigrants_last_year": reported & _in(emi, 9, 10),
        "emigrants_period": reported & _in(emi, 0, 10),
        "emigrants_abroad": reported & _in(emi, 0, 10),
    })
    return out


def census(pop: SyntheticCountry) -> pd.Series:
    """A full census on day ``t = 10`` (**synthetic**).

    Every resident is counted and answers truthfully: country of birth, citizenship, year of
    arrival and whether they lived abroad. Household members who live abroad are reported by the
    household, so emigrants whose whole household left are missed; people who came and left again
    between censuses are not seen; emigration flows are only the emigrants still abroad.

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.

    Returns
    -------
    pandas.Series
        One value per measure of :data:`MEASURES`.
    """
    a = _check_country(pop)._answers
    return _series(a[list(MEASURES)].sum().to_dict(), "census")


def _weighted_estimate(pop: SyntheticCountry, hh_weights: pd.Series, name: str) -> pd.Series:
    sample = pop._household_totals.loc[hh_weights.index]
    est = sample.mul(hh_weights, axis=0).sum()
    return _series(est.to_dict(), name)


def household_survey(pop: SyntheticCountry, n_households: int = 1_000, seed: int = 1) -> pd.Series:
    """A general household sample survey with census-type migration questions (**synthetic**).

    A simple random sample of ``n_households`` households is drawn from the census frame
    (households with at least one resident on census day). Totals are estimated by weighting each
    sampled household by ``N / n``. Because migrants are rare, the estimates of migrant counts vary
    a lot from one sample to the next; see :func:`repeat`.

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    n_households : int
        Sample size, in households.
    seed : int
        Seed of the sample draw.

    Returns
    -------
    pandas.Series
        Estimated value of each measure of :data:`MEASURES`.

    Raises
    ------
    InvalidInputError
        If the sample is larger than the frame or not a positive integer.
    """
    a = _check_country(pop)._answers
    n_households = _check_positive_int("n_households", n_households)
    frame = np.unique(a.loc[a["in_frame"], "household_id"].to_numpy())
    if n_households > frame.size:
        raise InvalidInputError(
            f"n_households={n_households} is larger than the sampling frame "
            f"({frame.size} households)"
        )
    rng = np.random.default_rng(_check_positive_int("seed", seed, minimum=0))
    chosen = rng.choice(frame, size=n_households, replace=False)
    weights = pd.Series(frame.size / n_households, index=chosen)
    return _weighted_estimate(pop, weights, "household survey")


def migration_survey(
    pop: SyntheticCountry,
    n_migrant_households: int = 600,
    n_other_households: int = 400,
    seed: int = 1,
) -> pd.Series:
    """A specialised migration survey with a sample designed for migrants (**synthetic**).

    The census frame is split in two strata: households with migration experience (a foreign-born
    or returned member, a recent immigrant, or a member reported abroad) and all others. The
    first stratum is over-sampled; each household is weighted by the inverse of its stratum's
    sampling fraction. Migrant counts become far more precise than in :func:`household_survey`
    with the same total sample, but emigrants whose whole household left are still missing.

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    n_migrant_households, n_other_households : int
        Sample size in each stratum.
    seed : int
        Seed of the sample draw.

    Returns
    -------
    pandas.Series
        Estimated value of each measure of :data:`MEASURES`.

    Raises
    ------
    InvalidInputError
        If a stratum sample is larger than the stratum or not a positive integer.
    """
    a = _check_country(pop)._answers
    flags = ["foreign_born", "returned_migrants", "immigrants_period", "emigrants_abroad"]
    in_frame = a[a["in_frame"]]
    migrant_hh = in_frame[flags].any(axis=1).groupby(in_frame["household_id"]).any()
    rng = np.random.default_rng(_check_positive_int("seed", seed, minimum=0))
    parts = []
    for label, stratum, n in (
        ("n_migrant_households", migrant_hh.index[migrant_hh.to_numpy()], n_migrant_households),
        ("n_other_households", migrant_hh.index[~migrant_hh.to_numpy()], n_other_households),
    ):
        n = _check_positive_int(label, n)
        if n > stratum.size:
            raise InvalidInputError(
                f"{label}={n} is larger than its stratum ({stratum.size} households)"
            )
        chosen = rng.choice(stratum.to_numpy(), size=n, replace=False)
        parts.append(pd.Series(stratum.size / n, index=chosen))
    return _weighted_estimate(pop, pd.concat(parts), "migration survey")


def _lagged(rng: np.random.Generator, times: np.ndarray, probability: float, mean_lag: float
            ) -> np.ndarray:
    """Time an event reaches the register (inf if it never does; NaN events stay NaN)."""
    n = times.size
    lag = rng.exponential(mean_lag, n) if mean_lag > 0 else np.zeros(n)
    reported = rng.random(n) < probability
    return np.where(np.isnan(times), np.nan, np.where(reported, times + lag, np.inf))


def _register_state(pop: SyntheticCountry, seed: int, p_register: float, arrival_lag: float,
                    p_deregister: float, departure_lag: float) -> dict[str, np.ndarray]:
    _check_probability("p_register", p_register)
    _check_probability("p_deregister", p_deregister)
    _check_nonnegative("arrival_lag", arrival_lag)
    _check_nonnegative("departure_lag", departure_lag)
    p = pop.persons
    rng = np.random.default_rng(_check_positive_int("seed", seed, minimum=0))
    arr, emi, ret = (p[c].to_numpy(float) for c in ("arrival_time", "emigration_time",
                                                    "return_time"))
    new_arrival = _in(arr, 0, 10)
    reg_in = np.where(new_arrival, _lagged(rng, arr, p_register, arrival_lag), -np.inf)
    reg_out = _lagged(rng, emi, p_deregister, departure_lag)
    reg_back = _lagged(rng, ret, p_register, arrival_lag)
    reg_out_f = np.nan_to_num(reg_out, nan=np.inf)
    reg_back_f = np.nan_to_num(reg_back, nan=np.inf)
    on_register = (reg_in < PERIOD) & ((reg_out_f >= PERIOD) | (reg_back_f < PERIOD))
    # A return is a new registration only if the person had been struck off before.
    re_registered = np.where(reg_out_f < reg_back_f, reg_back_f, np.inf)
    return {
        "on_register": on_register,
        "reg_in": np.where(np.isfinite(reg_in), reg_in, np.inf),
        "reg_back": re_registered,
        "reg_out": reg_out_f,
    }


def population_register(
    pop: SyntheticCountry,
    seed: int = 1,
    *,
    p_register: float = 0.95,
    arrival_lag: float = 0.25,
    p_deregister: float = 0.35,
    departure_lag: float = 0.5,
) -> pd.Series:
    """A population register read on census day (**synthetic**).

    Arrivals reach the register with probability ``p_register`` after an exponential delay of mean
    ``arrival_lag`` years; departures only with probability ``p_deregister`` (many emigrants never
    tell the authorities) after a delay of mean ``departure_lag``. Flows are registrations and
    de-registrations dated in the period, not the true move dates. The register holds no history
    of stays abroad, so ``returned_migrants`` is NaN (cannot be counted), as is
    ``emigrants_abroad`` (the register does not know where de-registered people are).

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    seed : int
        Seed of the reporting behaviour.
    p_register, p_deregister : float
        Probability that an arrival / a departure is ever registered.
    arrival_lag, departure_lag : float
        Mean reporting delay, in years.

    Returns
    -------
    pandas.Series
        Register count of each measure; NaN where the register cannot count it.
    """
    p = _check_country(pop).persons
    s = _register_state(pop, seed, p_register, arrival_lag, p_deregister, departure_lag)
    on = s["on_register"]
    values = {
        "resident_population": on.sum(),
        "foreign_born": (on & p["born_abroad"].to_numpy()).sum(),
        "foreign_citizens": (on & ~p["citizen"].to_numpy()).sum(),
        "immigrants_last_year": _in(s["reg_in"], 9, 10).sum() + _in(s["reg_back"], 9, 10).sum(),
        "immigrants_period": _in(s["reg_in"], 0, 10).sum() + _in(s["reg_back"], 0, 10).sum(),
        "emigrants_last_year": _in(s["reg_out"], 9, 10).sum(),
        "emigrants_period": _in(s["reg_out"], 0, 10).sum(),
    }
    return _series(values, "population register")


def foreigners_register(
    pop: SyntheticCountry,
    seed: int = 1,
    *,
    p_register: float = 0.95,
    arrival_lag: float = 0.25,
    p_deregister: float = 0.35,
    departure_lag: float = 0.5,
) -> pd.Series:
    """A foreigners' (immigration) register: non-citizens only (**synthetic**).

    The same reporting behaviour as :func:`population_register`, but only persons without national
    citizenship are on it. It counts the foreign-citizen stock and the immigration and emigration
    of foreigners; citizens, including returning citizens, are invisible, so the total population,
    the foreign-born and returned migrants are NaN (cannot be counted), and its flows are smaller
    than the true flows of all persons.

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    seed, p_register, arrival_lag, p_deregister, departure_lag
        As in :func:`population_register`.

    Returns
    -------
    pandas.Series
        Register count of each measure; NaN where the register cannot count it.
    """
    p = _check_country(pop).persons
    s = _register_state(pop, seed, p_register, arrival_lag, p_deregister, departure_lag)
    foreign = ~p["citizen"].to_numpy()
    values = {
        "foreign_citizens": (s["on_register"] & foreign).sum(),
        "immigrants_last_year": (foreign & _in(s["reg_in"], 9, 10)).sum(),
        "immigrants_period": (foreign & _in(s["reg_in"], 0, 10)).sum(),
        "emigrants_last_year": (foreign & _in(s["reg_out"], 9, 10)).sum(),
        "emigrants_period": (foreign & _in(s["reg_out"], 0, 10)).sum(),
    }
    return _series(values, "foreigners' register")


def residence_permit_register(
    pop: SyntheticCountry,
    seed: int = 1,
    *,
    p_permit: float = 0.9,
    issue_lag: float = 0.3,
    years_to_permanent: float = 2.0,
) -> pd.Series:
    """A residence-permit register read on census day (**synthetic**).

    Foreign citizens who arrive during the period get a first temporary permit (with probability
    ``p_permit``) after a delay of mean ``issue_lag`` years; it is renewed every year while they
    stay, and after ``years_to_permanent`` years they receive a permanent permit that never
    expires, even if they leave. Foreign citizens who arrived before the period hold permanent
    permits. First permits issued in a period are the proxy for immigration; valid permits on
    census day are the proxy for the foreign-citizen stock. The register sees no departures, no
    citizens and no births abroad, so those measures are NaN.

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    seed : int
        Seed of the permit behaviour.
    p_permit : float
        Probability that a new foreign immigrant ever gets a permit.
    issue_lag : float
        Mean delay between arrival and first permit, in years.
    years_to_permanent : float
        Years on temporary permits before a permanent one.

    Returns
    -------
    pandas.Series
        Permit-based value of each measure; NaN where the register cannot count it.
    """
    p = _check_country(pop).persons
    rng = np.random.default_rng(_check_positive_int("seed", seed, minimum=0))
    _check_probability("p_permit", p_permit)
    _check_nonnegative("issue_lag", issue_lag)
    _check_nonnegative("years_to_permanent", years_to_permanent)
    foreign = ~p["citizen"].to_numpy()
    arr = p["arrival_time"].to_numpy(float)
    emi = np.nan_to_num(p["emigration_time"].to_numpy(float), nan=np.inf)
    first = np.where(foreign & _in(arr, 0, 10), _lagged(rng, arr, p_permit, issue_lag), np.inf)
    first = np.nan_to_num(first, nan=np.inf)
    gets_first = first < emi  # nobody gets a permit after leaving
    first = np.where(gets_first, first, np.inf)
    permanent_at = first + years_to_permanent
    permanent = permanent_at <= np.minimum(emi, PERIOD)  # still there when it is due
    # A temporary permit is renewed on each anniversary while the holder stays; the one in force
    # when the holder leaves runs to the end of its year.
    with np.errstate(invalid="ignore"):
        expires = first + np.ceil(np.maximum(emi - first, 1e-9))
    temporary_valid = np.isfinite(first) & (first <= PERIOD) & ~permanent & (expires > PERIOD)
    old_permanent = foreign & (arr < 0)
    valid = old_permanent | permanent | temporary_valid
    values = {
        "foreign_citizens": valid.sum(),
        "immigrants_last_year": _in(first, 9, 10).sum(),
        "immigrants_period": _in(first, 0, 10).sum(),
    }
    return _series(values, "residence-permit register")


def citizen_returns(
    pop: SyntheticCountry,
    seed: int = 1,
    *,
    p_register: float = 0.95,
    arrival_lag: float = 0.25,
    p_deregister: float = 0.35,
    departure_lag: float = 0.5,
) -> pd.Series:
    """Returns of citizens from abroad in the ten years: truth and each register (**synthetic**).

    A return is an arrival (part of ``immigrants_period``), not the stock ``returned_migrants``.
    The population register records a return as a new registration, but only when the citizen had
    de-registered before leaving: for the others the register never knew they were away. The
    foreigners' register and the residence-permit register hold no citizens, so they cannot count
    returns of citizens at all (NaN).

    Parameters
    ----------
    pop : SyntheticCountry
        From :func:`make_population`.
    seed, p_register, arrival_lag, p_deregister, departure_lag
        As in :func:`population_register` (the same reporting behaviour, so the same seed gives the
        registrations that :func:`population_register` counts).

    Returns
    -------
    pandas.Series
        Index: ``truth`` and the three register names of :data:`INSTRUMENTS`; values: number of
        returns of citizens dated in the ten years; NaN where the register cannot count them.
    """
    p = _check_country(pop).persons
    s = _register_state(pop, seed, p_register, arrival_lag, p_deregister, departure_lag)
    citizen = p["citizen"].to_numpy()
    ret = p["return_time"].to_numpy(float)
    out = pd.Series({
        "truth": float((citizen & _in(ret, 0, 10)).sum()),
        "population register": float((citizen & _in(s["reg_back"], 0, 10)).sum()),
        "foreigners' register": np.nan,
        "residence-permit register": np.nan,
    }, name="returns of citizens, ten years", dtype=float)
    out.attrs["label"] = SYNTHETIC_LABEL
    return out


#: The instruments, by the name the course uses.
INSTRUMENTS: dict[str, Callable[..., pd.Series]] = {
    "census": census,
    "household survey": household_survey,
    "migration survey": migration_survey,
    "population register": population_register,
    "foreigners' register": foreigners_register,
    "residence-permit register": residence_permit_register,
}


def compare(pop: SyntheticCountry, *estimates: pd.Series) -> pd.DataFrame:
    """Put instrument results next to the truth, with each one's error in percent (**synthetic**).

    Parameters
    ----------
    pop : SyntheticCountry
        The country the estimates were made on.
    *estimates : pandas.Series
        Results of the instrument functions (each named after its instrument).

    Returns
    -------
    pandas.DataFrame
        Index: measures. Columns: ``truth``, then for each instrument its value and
        ``<name> error %`` = 100 * (value - truth) / truth (NaN where it cannot count).

    Raises
    ------
    InvalidInputError
        If an estimate is not a Series over :data:`MEASURES` or two share a name.
    """
    truth = _check_country(pop).truth()
    out = pd.DataFrame({"truth": truth})
    for est in estimates:
        if not isinstance(est, pd.Series) or list(est.index) != list(MEASURES):
            raise InvalidInputError(
                "each estimate must be a Series indexed by migdata.simulate.instruments.MEASURES, "
                f"got {type(est).__name__}"
            )
        if est.name in out.columns:
            raise InvalidInputError(f"two estimates are named {est.name!r}; rename one")
        out[est.name] = est
        out[f"{est.name} error %"] = 100 * (est - truth) / truth
    out.attrs["label"] = SYNTHETIC_LABEL
    return out


def repeat(
    instrument: Callable[..., pd.Series],
    pop: SyntheticCountry,
    times: int = 200,
    seed: int = 0,
    **kwargs: object,
) -> pd.DataFrame:
    """Run a sample survey many times with different samples (**synthetic**).

    Parameters
    ----------
    instrument : callable
        :func:`household_survey` or :func:`migration_survey` (anything taking ``seed=``).
    pop : SyntheticCountry
        From :func:`make_population`.
    times : int
        Number of independent samples.
    seed : int
        The samples use seeds ``seed, seed + 1, ...``.
    **kwargs
        Passed to the instrument (e.g. ``n_households=500``).

    Returns
    -------
    pandas.DataFrame
        One row per sample, one column per measure.
    """
    if not callable(instrument):
        raise InvalidInputError(
            f"instrument must be a function such as household_survey, got {instrument!r}"
        )
    times = _check_positive_int("times", times)
    seed = _check_positive_int("seed", seed, minimum=0)
    rows = [instrument(pop, seed=seed + i, **kwargs) for i in range(times)]
    out = pd.DataFrame(rows).reset_index(drop=True)
    out.columns.name = "measure"
    out.attrs["label"] = SYNTHETIC_LABEL
    return out


def coverage_table(pop: SyntheticCountry) -> pd.DataFrame:
    """Which measures each instrument can count at all (True) and which it cannot (False).

    Parameters
    ----------
    pop : SyntheticCountry
        Any synthetic country (the answer does not depend on it).

    Returns
    -------
    pandas.DataFrame
        Index: measures; columns: instrument names; values: bool.
    """
    _check_country(pop)
    cols = {name: f(pop).notna() for name, f in INSTRUMENTS.items()}
    return pd.DataFrame(cols)
