"""Stay and Person: normalisation and every validation error (each message names the bad value)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
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


# ------------------------------------------------------------------ dates (issue 12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-03-01", D(2019, 3, 1)),
        (" 2019-03-01 ", D(2019, 3, 1)),
        (D(2019, 3, 1), D(2019, 3, 1)),
        (dt.datetime(2019, 3, 1, 23, 59), D(2019, 3, 1)),
        (pd.Timestamp("2019-03-01 00:30", tz="Asia/Baku"), D(2019, 3, 1)),  # 2019-02-28 UTC
        (pd.Timestamp("2019-03-01 23:30", tz="America/New_York"), D(2019, 3, 1)),
        (dt.datetime(2019, 3, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=4))), D(2019, 3, 1)),
        (np.datetime64("2019-03-01T12:00"), D(2019, 3, 1)),
    ],
)
def test_dates_are_read_by_their_own_calendar_date(value: object, expected: dt.date) -> None:
    assert Stay("AZE", value).start == expected


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("01.03.2019", r"'01\.03\.2019' is not an ISO date.*day-first"),
        ("03/01/2019", r"'03/01/2019' is not an ISO date"),
        ("20190301", r"'20190301' is not an ISO date"),
        ("2019-02-30", r"'2019-02-30' is not a calendar date"),
        (2019, r"must be a date, got 2019 \(int\)"),
        (2019.0, r"must be a date, got 2019\.0 \(float\)"),
        (pd.NaT, r"stay start is missing \(NaT\)"),
        (None, r"stay start is missing"),
        (pd.NA, r"stay start is missing"),
        (float("nan"), r"stay start is missing"),
        ("1799-12-31", r"out of range: expected a date from 1800-01-01 to 2200-12-31"),
        (D(9999, 1, 1), r"out of range"),
        (["2019-03-01"], r"must be a date"),
    ],
)
def test_day_first_strings_numbers_missing_and_far_dates_are_refused(
    value: object, named: str
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        Stay("AZE", value)


@pytest.mark.parametrize("missing", [None, pd.NaT, pd.NA, float("nan"),
                                     np.datetime64("NaT")])
def test_a_missing_end_is_an_open_stay(missing: object) -> None:
    stay = Stay("AZE", "2020-01-01", end=missing, purpose=pd.NA)
    assert stay.ongoing and stay.end is None and stay.purpose is None


def test_on_must_be_a_date_and_years_in_range() -> None:
    from migdata.concepts import flow_events, flows, usual_residence

    p = Person("AZE", {"AZE"}, [Stay("AZE", "2000-01-01")])
    for on in (pd.NaT, None, 2020, "01.01.2020"):
        with pytest.raises(InvalidInputError, match="on"):
            usual_residence(p, on)
    for year in (9999, 1799, -1):
        with pytest.raises(InvalidInputError, match=f"year {year} is out of range"):
            flows([p], "AZE", year)
        with pytest.raises(InvalidInputError, match="out of range"):
            flow_events(p, "AZE", year)


def test_unhashable_person_id_and_non_string_purpose_are_refused() -> None:
    with pytest.raises(InvalidPersonError, match=r"id must be hashable.*\[1\]"):
        Person("AZE", {"AZE"}, [Stay("AZE", "2000-01-01")], id=[1])
    with pytest.raises(InvalidInputError, match="unknown stay purpose"):
        Stay("AZE", "2000-01-01", purpose=["work"])
