"""Tests for the simulated data-collection instruments of Unit 2.2 (simulate.instruments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migdata.errors import InvalidInputError
from migdata.simulate import instruments as col

NAN = np.nan


@pytest.fixture(scope="module")
def pop() -> col.SyntheticCountry:
    return col.make_population(n_households=5_000, seed=7)


def _tiny() -> col.SyntheticCountry:
    """Five households, worked by hand.

    h0: two natives; one (p1) emigrated at t=9.5 and is abroad -> reported by p0.
    h1: whole household (p2, p3) emigrated at t=3 -> nobody reports them.
    h2: p4 emigrated at t=2, returned at t=9.2 (returned migrant, immigration last year).
    h3: p5 foreign-born foreign citizen who arrived before the period (t=-5).
    h4: p6 new immigrant arriving at t=4, left again at t=6 (never seen by the census).
    """
    persons = pd.DataFrame({
        "person_id": range(7),
        "household_id": [0, 0, 1, 1, 2, 3, 4],
        "sex": ["female", "male", "female", "male", "male", "female", "male"],
        "age": [50, 25, 40, 12, 30, 60, 33],
        "born_abroad": [False, False, False, False, False, True, True],
        "citizen": [True, True, True, True, True, False, False],
        "arrival_time": [NAN, NAN, NAN, NAN, NAN, -5.0, 4.0],
        "emigration_time": [NAN, 9.5, 3.0, 3.0, 2.0, NAN, 6.0],
        "return_time": [NAN, NAN, NAN, NAN, 9.2, NAN, NAN],
    })
    return col.SyntheticCountry(persons=persons, seed=0)


def test_tiny_truth_and_census_by_hand() -> None:
    pop = _tiny()
    truth = pop.truth()
    assert truth["resident_population"] == 3  # p0, p4, p5
    assert truth["foreign_born"] == 1 and truth["foreign_citizens"] == 1
    assert truth["returned_migrants"] == 1
    assert truth["immigrants_last_year"] == 1  # p4's return
    assert truth["immigrants_period"] == 2  # p4's return and p6's arrival
    assert truth["emigrants_last_year"] == 1  # p1
    assert truth["emigrants_period"] == 5  # p1, p2, p3, p4, p6
    assert truth["emigrants_abroad"] == 4  # p1, p2, p3, p6
    census = col.census(pop)
    assert census["resident_population"] == 3
    assert census["immigrants_period"] == 1  # p6 came and went: unseen
    assert census["emigrants_abroad"] == 1  # only p1 has someone left to report him
    assert census["emigrants_period"] == 1  # p4 is back, so not reported as an emigrant
    assert census.attrs["label"] == col.SYNTHETIC_LABEL


def test_tiny_registers_with_perfect_and_no_deregistration() -> None:
    pop = _tiny()
    perfect = col.population_register(pop, p_register=1, arrival_lag=0, p_deregister=1,
                                      departure_lag=0)
    assert perfect["resident_population"] == 3
    assert perfect["emigrants_period"] == 5
    assert perfect["immigrants_period"] == 2
    assert np.isnan(perfect["returned_migrants"])
    never = col.population_register(pop, p_register=1, arrival_lag=0, p_deregister=0)
    # Nobody is struck off: the 4 people abroad stay on the register (p4 was never removed).
    assert never["resident_population"] == 3 + 4
    assert never["emigrants_period"] == 0
    assert never["immigrants_period"] == 1  # p6 only; p4's return is no new registration
    foreign = col.foreigners_register(pop, p_register=1, arrival_lag=0, p_deregister=1,
                                      departure_lag=0)
    assert foreign["foreign_citizens"] == 1
    assert foreign["immigrants_period"] == 1 and foreign["emigrants_period"] == 1
    assert np.isnan(foreign["resident_population"])


def test_tiny_permit_register_keeps_permanent_permits_of_people_who_left() -> None:
    pop = _tiny()
    quick = col.residence_permit_register(pop, p_permit=1, issue_lag=0, years_to_permanent=1)
    # p5 holds an old permanent permit; p6 got one at t=5 and it stays valid after he left.
    assert quick["foreign_citizens"] == 2
    assert quick["immigrants_period"] == 1
    slow = col.residence_permit_register(pop, p_permit=1, issue_lag=0, years_to_permanent=5)
    # p6 left on temporary permits: the last one (from t=5) expired at t=7.
    assert slow["foreign_citizens"] == 1
    assert np.isnan(slow["emigrants_period"])


def test_same_seed_same_country_and_label() -> None:
    a = col.make_population(n_households=500, seed=3)
    b = col.make_population(n_households=500, seed=3)
    c = col.make_population(n_households=500, seed=4)
    pd.testing.assert_frame_equal(a.persons, b.persons)
    assert not a.persons.equals(c.persons)
    assert a.label == col.SYNTHETIC_LABEL and "SYNTHETIC" in a.persons.attrs["label"]


def test_population_is_plausible(pop: col.SyntheticCountry) -> None:
    p = pop.persons
    assert p["person_id"].is_unique
    # Nobody returns before leaving, and nobody born here is a foreign immigrant arrival.
    ret, emi = p["return_time"], p["emigration_time"]
    assert (ret[ret.notna()] > emi[ret.notna()]).all()
    assert p.loc[~p["born_abroad"], "arrival_time"].isna().all()
    truth = pop.truth()
    assert 0 < truth["foreign_born"] < 0.2 * truth["resident_population"]
    assert truth["emigrants_period"] > truth["emigrants_abroad"] > 0


def test_census_counts_stocks_exactly_but_misses_whole_households(pop: col.SyntheticCountry
                                                                  ) -> None:
    p = pop.persons
    truth, census = pop.truth(), col.census(pop)
    for stock in ("resident_population", "foreign_born", "foreign_citizens", "returned_migrants"):
        assert census[stock] == truth[stock]
    # Independently: people abroad whose household has no resident left are the gap.
    res = pop.resident
    abroad = ~res & p["emigration_time"].between(0, 10, inclusive="left").to_numpy()
    hh_empty = ~pd.Series(res).groupby(p["household_id"]).transform("any").to_numpy()
    assert truth["emigrants_abroad"] - census["emigrants_abroad"] == (abroad & hh_empty).sum()
    assert census["emigrants_abroad"] < truth["emigrants_abroad"]
    # Immigrants who came and left again between censuses are never seen.
    came_and_went = (p["arrival_time"].between(0, 10, inclusive="left") & ~res).sum()
    assert census["immigrants_period"] <= truth["immigrants_period"] - came_and_went


def test_sampling_error_larger_for_rare_groups_and_smaller_in_migration_survey(
    pop: col.SyntheticCountry,
) -> None:
    general = col.repeat(col.household_survey, pop, times=60, n_households=500)
    special = col.repeat(col.migration_survey, pop, times=60, n_migrant_households=300,
                         n_other_households=200)
    truth = pop.truth()
    rse_general = general.std() / truth
    rse_special = special.std() / truth
    assert rse_general["immigrants_last_year"] > 3 * rse_general["resident_population"]
    assert rse_special["foreign_born"] < rse_general["foreign_born"]
    # The general survey is unbiased for the census-type counts (mean within 5% for residents).
    assert abs(general["resident_population"].mean() / truth["resident_population"] - 1) < 0.05
    assert len(general) == 60 and list(general.columns) == list(col.MEASURES)


def test_survey_is_reproducible_and_seed_matters(pop: col.SyntheticCountry) -> None:
    a = col.household_survey(pop, n_households=300, seed=5)
    b = col.household_survey(pop, n_households=300, seed=5)
    c = col.household_survey(pop, n_households=300, seed=6)
    pd.testing.assert_series_equal(a, b)
    assert not a.equals(c)


def test_register_lags_and_missing_deregistrations(pop: col.SyntheticCountry) -> None:
    truth = pop.truth()
    reg = col.population_register(pop)
    assert reg["resident_population"] > truth["resident_population"]
    assert reg["emigrants_period"] < truth["emigrants_period"]
    perfect = col.population_register(pop, p_register=1, arrival_lag=0, p_deregister=1,
                                      departure_lag=0)
    for m in ("resident_population", "foreign_born", "foreign_citizens", "immigrants_period",
              "emigrants_period", "emigrants_last_year", "immigrants_last_year"):
        assert perfect[m] == truth[m], m
    foreign = col.foreigners_register(pop)
    assert foreign["immigrants_period"] < truth["immigrants_period"]
    assert foreign["foreign_citizens"] == reg["foreign_citizens"]  # same register behaviour


def test_compare_and_coverage(pop: col.SyntheticCountry) -> None:
    table = col.compare(pop, col.census(pop), col.foreigners_register(pop))
    assert list(table.columns) == ["truth", "census", "census error %", "foreigners' register",
                                   "foreigners' register error %"]
    assert table.loc["resident_population", "census error %"] == 0
    assert np.isnan(table.loc["resident_population", "foreigners' register error %"])
    cov = col.coverage_table(pop)
    assert cov.loc["emigrants_abroad", "census"]
    assert not cov.loc["emigrants_period", "residence-permit register"]
    assert cov.loc["foreign_citizens"].all()
    assert set(cov.columns) == set(col.INSTRUMENTS)


def test_citizen_returns_only_population_register_sees_them() -> None:
    pop = _tiny()
    perfect = col.citizen_returns(pop, p_register=1, arrival_lag=0, p_deregister=1,
                                  departure_lag=0)
    assert perfect["truth"] == 1  # p4 came back at t=9.2
    assert perfect["population register"] == 1  # struck off at t=2, registered again
    assert perfect[["foreigners' register", "residence-permit register"]].isna().all()
    never = col.citizen_returns(pop, p_register=1, arrival_lag=0, p_deregister=0)
    assert never["population register"] == 0  # never struck off: the return is no new entry
    assert perfect.attrs["label"] == col.SYNTHETIC_LABEL
    reg = col.population_register(pop, p_register=1, arrival_lag=0, p_deregister=1,
                                  departure_lag=0)
    assert reg["immigrants_period"] >= perfect["population register"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: col.make_population(n_households=0), "n_households"),
        (lambda p: col.make_population(return_share=1.5), "return_share"),
        (lambda p: col.household_survey(p, n_households=10**7), "larger than the sampling frame"),
        (lambda p: col.household_survey(p, n_households=2.5), "n_households"),
        (lambda p: col.migration_survey(p, n_migrant_households=10**7), "larger than its stratum"),
        (lambda p: col.population_register(p, p_deregister=-0.1), "p_deregister"),
        (lambda p: col.residence_permit_register(p, issue_lag=-1), "issue_lag"),
        (lambda p: col.census("not a country"), "SyntheticCountry"),
        (lambda p: col.compare(p, pd.Series([1.0])), "MEASURES"),
        (lambda p: col.compare(p, col.census(p), col.census(p)), "named 'census'"),
        (lambda p: col.repeat(col.household_survey, p, times=0), "times"),
        (lambda p: col.citizen_returns(p, p_register=2), "p_register"),
    ],
)
def test_bad_input_is_a_clear_error(pop: col.SyntheticCountry, call, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call(pop)
