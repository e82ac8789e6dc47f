"""Stay and Person: normalisation and every validation error (each message names the bad value)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from migdata.concepts import PURPOSES, Person, Stay
from migdata.errors import InvalidInputError, InvalidPersonError, UnknownCountryError

D = dt.date


def test_stay_normalises_country_and_dates() -> None:
    s = Stay("Russia", "2020-03-01", dt.datetime(2020, 9, 1, 12, 30), "seasonal_work")
    assert s == Stay("RUS", D(2020, 3, 1), D(2020, 9, 1), "seasonal_work")
    assert s.days == 184
    assert not s.ongoing
    assert Stay("ge", pd.Timestamp("2020-01-01")).country == "GEO"
    assert Stay("GEO", D(2020, 1, 1)).ongoing
    assert Stay("GEO", D(2020, 1, 1)).days is None
    assert Stay("GEO", D(2020, 1, 1), pd.NaT).end is None
    assert set(PURPOSES) == {
        "work", "seasonal_work", "study", "training", "health", "asylum_transit", "family",
        "tourism", "business",
    }  # fmt: skip
    for purpose in (*PURPOSES, None):
        assert Stay("AZE", D(2020, 1, 1), None, purpose).purpose == purpose


def test_stay_is_immutable() -> None:
    s = Stay("AZE", D(2020, 1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.country = "RUS"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "error", "named"),
    [
        (("AZE", D(2020, 5, 1), D(2020, 4, 30)), InvalidPersonError, "2020-04-30"),
        (("AZE", D(2020, 5, 1), D(2020, 5, 1)), InvalidPersonError, "not after its start"),
        (("Atlantis", D(2020, 5, 1)), UnknownCountryError, "Atlantis"),
        (("AZE", D(2020, 5, 1), None, "holiday"), InvalidInputError, "'holiday'"),
        (("AZE", D(2020, 5, 1), None, "Work"), InvalidInputError, "'Work'"),
        (("AZE", "1st of May"), InvalidInputError, "'1st of May'"),
        (("AZE", 2020), InvalidInputError, "2020"),
        (("AZE", D(2020, 5, 1), "soon"), InvalidInputError, "'soon'"),
    ],
)
def test_bad_stays(args: tuple, error: type[Exception], named: str) -> None:
    with pytest.raises(error, match=named) as info:
        Stay(*args)
    assert isinstance(info.value, ValueError)


def test_person_normalises() -> None:
    p = Person("Azerbaijan", ["az", "Russia"], [Stay("AZE", D(2000, 1, 1))], id=7)
    assert p.birth_country == "AZE"
    assert p.citizenships == frozenset({"AZE", "RUS"})
    assert p.id == 7
    assert not p.stateless
    assert Person("AZE", "AZE", [Stay("AZE", D(2000, 1, 1))]).citizenships == {"AZE"}
    stateless = Person("AZE", set(), [Stay("AZE", D(2000, 1, 1))])
    assert stateless.stateless and stateless.citizenships == frozenset()
    # gaps between stays are allowed
    gap = Person(
        "AZE", {"AZE"}, [Stay("AZE", "2000-01-01", "2001-01-01"), Stay("RUS", "2002-01-01")]
    )
    assert len(gap.stays) == 2


STAY_A = Stay("AZE", D(2000, 1, 1), D(2010, 1, 1))


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"stays": []}, InvalidPersonError, "no stays"),
        ({"stays": [STAY_A, ("RUS", D(2011, 1, 1))]}, InvalidPersonError, "stay 1 is"),
        (
            {"stays": [STAY_A, Stay("RUS", D(2009, 6, 1), D(2012, 1, 1))]},
            InvalidPersonError,
            "overlaps stay 0",
        ),
        (
            {"stays": [Stay("RUS", D(2011, 1, 1)), STAY_A]},
            InvalidPersonError,
            "starts before stay 0",
        ),
        (
            {"stays": [Stay("AZE", D(2000, 1, 1)), Stay("RUS", D(2011, 1, 1))]},
            InvalidPersonError,
            "ongoing",
        ),
        ({"stays": None}, InvalidPersonError, "stays must be a list of Stay.*None"),
        ({"stays": STAY_A}, InvalidPersonError, "stays must be a list of Stay.*Stay\\("),
        ({"stays": "AZE"}, InvalidPersonError, "stays must be a list of Stay.*'AZE'"),
        ({"birth_country": "Gondor"}, UnknownCountryError, "Gondor"),
        ({"citizenships": {"AZE", "XX"}}, UnknownCountryError, "XX"),
        ({"citizenships": None}, InvalidPersonError, "stateless"),
        ({"citizenships": 31}, InvalidPersonError, "31"),
    ],
)
def test_bad_persons(kwargs: dict, error: type[Exception], named: str) -> None:
    base = {"birth_country": "AZE", "citizenships": {"AZE"}, "stays": [STAY_A], "id": "p1"}
    with pytest.raises(error, match=named) as info:
        Person(**{**base, **kwargs})
    assert isinstance(info.value, ValueError)


def test_overlap_message_names_both_stays_and_the_person() -> None:
    with pytest.raises(InvalidPersonError) as info:
        Person("AZE", {"AZE"}, [STAY_A, Stay("RUS", D(2009, 6, 1))], id="p9")
    message = str(info.value)
    for part in ("'p9'", "RUS", "2009-06-01", "AZE", "2010-01-01"):
        assert part in message
