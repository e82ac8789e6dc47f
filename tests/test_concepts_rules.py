"""Worked cases for the per-person UN rules (the reference semantics)."""

from __future__ import annotations

import datetime as dt

import pytest

from migdata.concepts import (
    RULES,
    Person,
    Stay,
    flow_events,
    merged_stays,
    qualifies,
    stock_categories,
    temporary_mobility,
    threshold_days,
    usual_residence,
)
from migdata.errors import InvalidInputError, UnknownCountryError, UnknownRuleError

D = dt.date
DAY = dt.timedelta(days=1)
LEFT = D(2020, 1, 1)  # the day a stay abroad starts in most cases below


def person(*stays: tuple, birth: str = "AZE", cits: set[str] | None = None) -> Person:
    return Person(birth, {"AZE"} if cits is None else cits, [Stay(*s) for s in stays])


def away_for(days: int, country: str = "RUS", purpose: str | None = "work") -> Person:
    """Native of Azerbaijan: ``days`` days in ``country`` from 2020-01-01, then home again."""
    back = LEFT + days * DAY
    return person(("AZE", D(1990, 1, 1), LEFT), (country, LEFT, back, purpose), ("AZE", back, None))


# ---------------------------------------------------------------------------------------------
# thresholds
# ---------------------------------------------------------------------------------------------
def test_thresholds() -> None:
    assert RULES == {"12_months": 365, "6_months": 183}
    assert threshold_days("12_months") == 365
    assert threshold_days("6_months") == 183


@pytest.mark.parametrize(
    ("days", "rule", "expected"),
    [
        (364, "12_months", False),
        (365, "12_months", True),
        (182, "6_months", False),
        (183, "6_months", True),
        (300, "12_months", False),
        (300, "6_months", True),
    ],
)
def test_qualifies_at_the_edges(days: int, rule: str, expected: bool) -> None:
    assert qualifies(Stay("RUS", LEFT, LEFT + days * DAY), rule) is expected


def test_ongoing_stay_qualifies_from_its_first_day() -> None:
    p = person(("AZE", D(1990, 1, 1), LEFT), ("RUS", LEFT))
    assert qualifies(p.stays[1], "12_months")
    assert usual_residence(p, LEFT) == "RUS"
    assert usual_residence(p, LEFT - DAY) == "AZE"
    assert flow_events(p, "AZE", 2020) == ["emigration"]
    assert flow_events(p, "RUS", 2020, "6_months") == ["immigration"]


@pytest.mark.parametrize(
    ("days", "rule", "moved"),
    [
        (364, "12_months", False),
        (365, "12_months", True),
        (182, "6_months", False),
        (183, "6_months", True),
    ],
)
def test_threshold_edges_decide_residence_flows_and_stocks(
    days: int, rule: str, moved: bool
) -> None:
    p = away_for(days)
    during = LEFT + 100 * DAY
    assert usual_residence(p, during, rule) == ("RUS" if moved else "AZE")
    # 2020 is a leap year: even the 365-day stay ends (and the return happens) in 2020
    assert (LEFT + days * DAY).year == 2020
    assert flow_events(p, "AZE", 2020, rule) == (
        ["emigration", "immigration", "returning_citizen", "returning_native_born"] if moved else []
    )
    assert flow_events(p, "RUS", 2020, rule) == (["immigration", "emigration"] if moved else [])
    home = stock_categories(p, "AZE", D(2023, 1, 1), rule)
    assert ("returned_migrant" in home) is moved
    assert ("international_migrant" in home) is moved
    assert stock_categories(p, "AZE", during, rule) == (
        set() if moved else {"native_born", "national_citizen"}
    )


# ---------------------------------------------------------------------------------------------
# usual residence
# ---------------------------------------------------------------------------------------------
def test_usual_residence_short_absences_change_nothing() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2019, 5, 1)),
        ("TUR", D(2019, 5, 1), D(2019, 5, 20), "health"),
        ("AZE", D(2019, 5, 20)),
    )
    for day in (D(2000, 1, 1), D(2019, 5, 10), D(2024, 1, 1)):
        assert usual_residence(p, day) == "AZE"
    assert usual_residence(p, D(1989, 12, 31)) is None
    assert usual_residence(p, "2019-05-10", "6_months") == "AZE"


def test_first_stay_sets_initial_residence_and_is_no_event() -> None:
    p = person(("GEO", D(2020, 3, 1), D(2020, 3, 10)), birth="GEO", cits={"GEO"})
    assert usual_residence(p, D(2024, 1, 1)) == "GEO"
    assert flow_events(p, "GEO", 2020) == []
    newborn = person(("AZE", D(2020, 6, 1)))
    assert flow_events(newborn, "AZE", 2020) == []
    assert stock_categories(newborn, "AZE", D(2021, 1, 1)) == {"native_born", "national_citizen"}


def test_residence_stays_in_gap_after_a_stay_ends() -> None:
    p = person(("AZE", D(1990, 1, 1), D(2010, 1, 1)), ("RUS", D(2012, 1, 1), D(2014, 1, 1)))
    assert usual_residence(p, D(2011, 1, 1)) == "AZE"
    assert usual_residence(p, D(2015, 1, 1)) == "RUS"


# ---------------------------------------------------------------------------------------------
# merging adjacent stays
# ---------------------------------------------------------------------------------------------
def test_adjacent_stays_in_the_same_country_are_merged() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2020, 1, 1)),
        ("RUS", D(2020, 1, 1), D(2020, 7, 1), "seasonal_work"),
        ("RUS", D(2020, 7, 1), D(2021, 3, 1), "work"),
        ("AZE", D(2021, 3, 1)),
    )
    merged = merged_stays(p)
    assert [(s.country, s.start, s.end) for s in merged] == [
        ("AZE", D(1990, 1, 1), D(2020, 1, 1)),
        ("RUS", D(2020, 1, 1), D(2021, 3, 1)),
        ("AZE", D(2021, 3, 1), None),
    ]
    assert merged[1].purpose == "seasonal_work"
    # each part alone is shorter than 12 months; together they make 425 days
    assert flow_events(p, "AZE", 2020) == ["emigration"]
    assert usual_residence(p, D(2020, 12, 1)) == "RUS"
    assert temporary_mobility(p, "RUS", 2020) == set()


def test_a_gap_prevents_merging() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2020, 1, 1)),
        ("RUS", D(2020, 1, 1), D(2020, 7, 1), "seasonal_work"),
        ("RUS", D(2020, 7, 2), D(2021, 3, 1), "work"),
    )
    assert len(merged_stays(p)) == 3
    assert flow_events(p, "AZE", 2020) == []
    assert temporary_mobility(p, "RUS", 2020) == {
        "seasonal_workers",
        "other_temporary_workers",
        "circular_mobility",
    }


# ---------------------------------------------------------------------------------------------
# flows
# ---------------------------------------------------------------------------------------------
def test_emigration_and_return_of_a_citizen() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2015, 3, 1)),
        ("RUS", D(2015, 3, 1), D(2018, 9, 1), "work"),
        ("AZE", D(2018, 9, 1)),
    )
    assert flow_events(p, "AZE", 2015) == ["emigration"]
    assert flow_events(p, "Azerbaijan", 2018) == [
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert flow_events(p, "RUS", 2015) == ["immigration"]
    assert flow_events(p, "RUS", 2018) == ["emigration"]
    assert flow_events(p, "AZE", 2016) == []
    assert flow_events(p, "TUR", 2015) == []


def test_leaving_and_returning_in_the_same_year_gives_two_events() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2020, 1, 10)),
        ("RUS", D(2020, 1, 10), D(2020, 9, 1), "work"),
        ("AZE", D(2020, 9, 1)),
    )
    assert flow_events(p, "AZE", 2020, "6_months") == [
        "emigration",
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert flow_events(p, "AZE", 2020, "12_months") == []


def test_moving_between_two_foreign_countries_is_no_event_for_home() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2010, 1, 1)),
        ("RUS", D(2010, 1, 1), D(2015, 1, 1)),
        ("KAZ", D(2015, 1, 1)),
    )
    assert flow_events(p, "AZE", 2015) == []
    assert flow_events(p, "RUS", 2015) == ["emigration"]
    assert flow_events(p, "KAZ", 2015) == ["immigration"]


def test_stateless_and_foreign_immigrants() -> None:
    stateless = person(
        ("RUS", D(1990, 1, 1), D(2016, 1, 1)), ("AZE", D(2016, 1, 1)), birth="RUS", cits=set()
    )
    assert flow_events(stateless, "AZE", 2016) == ["immigration"]
    assert stock_categories(stateless, "AZE", D(2020, 1, 1)) == {
        "foreign_born",
        "foreign_citizen",
        "international_migrant",
    }
    assert stock_categories(stateless, "RUS", D(2010, 1, 1)) == {"native_born", "foreign_citizen"}


def test_dual_citizens() -> None:
    dual = person(
        ("RUS", D(1990, 1, 1), D(2016, 1, 1)),
        ("AZE", D(2016, 1, 1)),
        birth="RUS",
        cits={"AZE", "RUS"},
    )
    assert flow_events(dual, "AZE", 2016) == ["immigration", "returning_citizen"]
    assert flow_events(dual, "RUS", 2016) == ["emigration"]
    assert stock_categories(dual, "AZE", D(2020, 1, 1)) == {
        "foreign_born",
        "national_citizen",
        "international_migrant",
    }
    assert stock_categories(dual, "RUS", D(2010, 1, 1)) == {"native_born", "national_citizen"}


def test_native_born_foreign_citizen_returning() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2005, 1, 1)),
        ("RUS", D(2005, 1, 1), D(2019, 1, 1)),
        ("AZE", D(2019, 1, 1)),
        cits={"RUS"},
    )
    assert flow_events(p, "AZE", 2019) == ["immigration", "returning_native_born"]
    assert stock_categories(p, "AZE", D(2020, 1, 1)) == {
        "native_born",
        "foreign_citizen",
        "international_migrant",
        "returned_migrant",
        "returned_native_born_migrant",
    }


# ---------------------------------------------------------------------------------------------
# stocks
# ---------------------------------------------------------------------------------------------
def test_stock_of_a_foreign_born_returned_migrant() -> None:
    p = person(
        ("RUS", D(1990, 1, 1), D(2000, 1, 1)),
        ("AZE", D(2000, 1, 1), D(2010, 1, 1)),
        ("TUR", D(2010, 1, 1), D(2012, 1, 1)),
        ("AZE", D(2012, 1, 1)),
        birth="RUS",
        cits={"AZE"},
    )
    assert stock_categories(p, "AZE", D(2020, 1, 1)) == {
        "foreign_born",
        "national_citizen",
        "international_migrant",
        "returned_migrant",
    }
    # before going to Türkiye: a migrant, not yet a returned one
    assert stock_categories(p, "AZE", D(2005, 1, 1)) == {
        "foreign_born",
        "national_citizen",
        "international_migrant",
    }
    assert stock_categories(p, "AZE", D(2011, 1, 1)) == set()
    assert stock_categories(p, "TUR", D(2011, 1, 1)) == {
        "foreign_born",
        "foreign_citizen",
        "international_migrant",
    }


def test_native_who_lived_abroad_from_the_start_is_migrant_but_not_returned() -> None:
    p = person(("RUS", D(2000, 1, 1), D(2012, 1, 1)), ("AZE", D(2012, 1, 1)))
    assert stock_categories(p, "AZE", D(2020, 1, 1)) == {
        "native_born",
        "national_citizen",
        "international_migrant",
    }


def test_seasonal_worker_under_each_rule() -> None:
    # resident of Azerbaijan working in Russia 200 days every year 2019 and 2020
    p = person(
        ("AZE", D(1990, 1, 1), D(2019, 3, 1)),
        ("RUS", D(2019, 3, 1), D(2019, 9, 17), "seasonal_work"),  # 200 days
        ("AZE", D(2019, 9, 17), D(2020, 3, 1)),  # 166 days
        ("RUS", D(2020, 3, 1), D(2020, 9, 17), "seasonal_work"),  # 200 days
        ("AZE", D(2020, 9, 17)),
    )
    # 12-month rule: always resident at home, a seasonal worker in Russia each year
    assert usual_residence(p, D(2019, 6, 1), "12_months") == "AZE"
    assert flow_events(p, "AZE", 2019, "12_months") == []
    assert temporary_mobility(p, "RUS", 2019, "12_months") == {"seasonal_workers"}
    assert stock_categories(p, "AZE", D(2019, 6, 1), "12_months") == {
        "native_born",
        "national_citizen",
    }
    # 6-month rule: the 200-day stays change residence; the 166-day stay home does not
    assert usual_residence(p, D(2019, 6, 1), "6_months") == "RUS"
    assert usual_residence(p, D(2019, 12, 1), "6_months") == "RUS"
    assert flow_events(p, "AZE", 2019, "6_months") == ["emigration"]
    assert flow_events(p, "AZE", 2020, "6_months") == [
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert temporary_mobility(p, "RUS", 2019, "6_months") == set()
    # the 166-day winter at home is then a visit by a resident of Russia: one stay without a
    # purpose, so it falls in no temporary-mobility category
    assert temporary_mobility(p, "AZE", 2019, "6_months") == set()
    assert temporary_mobility(p, "AZE", 2019, "12_months") == set()


def test_short_seasonal_work_is_temporary_under_both_rules() -> None:
    p = away_for(120, purpose="seasonal_work")
    for rule in RULES:
        assert usual_residence(p, LEFT + 60 * DAY, rule) == "AZE"
        assert flow_events(p, "AZE", 2020, rule) == []
        assert temporary_mobility(p, "RUS", 2020, rule) == {"seasonal_workers"}


# ---------------------------------------------------------------------------------------------
# temporary mobility
# ---------------------------------------------------------------------------------------------
def visitor(*visits: tuple[dt.date, int, str | None]) -> Person:
    """A Georgian resident making the given (start, days, purpose) visits to Azerbaijan."""
    stays = [("GEO", D(1990, 1, 1), visits[0][0])]
    for i, (start, days, purpose) in enumerate(visits):
        end = start + days * DAY
        stays.append(("AZE", start, end, purpose))
        nxt = visits[i + 1][0] if i + 1 < len(visits) else None
        stays.append(("GEO", end, nxt))
    return person(*stays, birth="GEO", cits={"GEO"})


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        (
            [(D(2021, 3, 1), 3, "work"), (D(2021, 3, 8), 7, "work")],
            {"cross_border_workers", "circular_mobility"},
        ),
        ([(D(2021, 3, 1), 7, "work")], set()),
        ([(D(2021, 3, 1), 8, "work")], {"other_temporary_workers"}),
        (
            [(D(2021, 3, 1), 3, "work"), (D(2021, 5, 1), 30, "work")],
            {"other_temporary_workers", "circular_mobility"},
        ),
        ([(D(2021, 4, 1), 150, "seasonal_work")], {"seasonal_workers"}),
        ([(D(2021, 4, 1), 20, "training")], {"training_mobility"}),
        ([(D(2021, 4, 1), 90, "study")], {"training_mobility"}),
        ([(D(2021, 4, 1), 10, "health")], {"health_mobility"}),
        ([(D(2021, 4, 1), 30, "asylum_transit")], {"asylum_seekers_in_transit"}),
        ([(D(2021, 4, 1), 5, "tourism"), (D(2021, 8, 1), 5, "family")], {"circular_mobility"}),
        ([(D(2021, 4, 1), 5, "business")], set()),
        ([(D(2021, 4, 1), 5, None)], set()),
    ],
)
def test_temporary_mobility_categories(visits: list, expected: set[str]) -> None:
    p = visitor(*visits)
    assert temporary_mobility(p, "AZE", 2021) == expected
    assert temporary_mobility(p, "AZE", 2020) == set()
    assert temporary_mobility(p, "GEO", 2021) == set()
    assert flow_events(p, "AZE", 2021) == []


def test_temporary_mobility_counts_stays_starting_in_the_year_only() -> None:
    p = visitor((D(2020, 12, 28), 5, "work"), (D(2021, 1, 10), 5, "work"))
    assert temporary_mobility(p, "AZE", 2020) == set()
    assert temporary_mobility(p, "AZE", 2021) == set()


def test_residents_at_home_are_not_temporary_visitors() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2021, 2, 1)),
        ("RUS", D(2021, 2, 1), D(2021, 2, 20), "business"),
        ("AZE", D(2021, 2, 20), D(2021, 5, 1)),
        ("GEO", D(2021, 5, 1), D(2021, 5, 5), "tourism"),
        ("AZE", D(2021, 5, 5)),
    )
    assert usual_residence(p, D(2021, 3, 1)) == "AZE"
    assert temporary_mobility(p, "AZE", 2021) == set()


def test_emigrant_visiting_home_is_temporary_mobility_there() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2015, 1, 1)),
        ("RUS", D(2015, 1, 1), D(2021, 7, 1)),
        ("AZE", D(2021, 7, 1), D(2021, 7, 20), "health"),
        ("RUS", D(2021, 7, 20)),
    )
    assert temporary_mobility(p, "AZE", 2021) == {"health_mobility"}
    assert flow_events(p, "AZE", 2021) == []


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
SOMEONE = person(("AZE", D(1990, 1, 1)))


@pytest.mark.parametrize(
    "call",
    [
        lambda r: usual_residence(SOMEONE, D(2020, 1, 1), r),
        lambda r: flow_events(SOMEONE, "AZE", 2020, r),
        lambda r: stock_categories(SOMEONE, "AZE", D(2020, 1, 1), r),
        lambda r: temporary_mobility(SOMEONE, "AZE", 2020, r),
        lambda r: qualifies(Stay("AZE", D(2020, 1, 1)), r),
        threshold_days,
    ],
)
@pytest.mark.parametrize("rule", ["3_months", "12 months", None])
def test_unknown_rule_is_named(call, rule) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownRuleError, match=repr(rule)) as info:
        call(rule)
    assert "12_months" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(UnknownCountryError, match="Mordor"):
        flow_events(SOMEONE, "Mordor", 2020)
    with pytest.raises(UnknownCountryError, match="Mordor"):
        stock_categories(SOMEONE, "Mordor", D(2020, 1, 1))
    with pytest.raises(InvalidInputError, match="'2020'"):
        flow_events(SOMEONE, "AZE", "2020")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"2020\.5"):
        temporary_mobility(SOMEONE, "AZE", 2020.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="'yesterday'"):
        usual_residence(SOMEONE, "yesterday")
    with pytest.raises(InvalidInputError, match="expected a Person"):
        usual_residence("AZE", D(2020, 1, 1))  # type: ignore[arg-type]


def test_numpy_integer_years_are_accepted_and_bools_are_not() -> None:
    import numpy as np

    p = away_for(400)
    assert flow_events(p, "AZE", np.int64(2020)) == ["emigration"]
    assert flow_events(p, "AZE", np.int32(2021)) == flow_events(p, "AZE", 2021)
    assert temporary_mobility(p, "RUS", np.int64(2020)) == set()
    with pytest.raises(InvalidInputError, match="True"):
        flow_events(p, "AZE", True)


def test_qualifies_names_a_non_stay() -> None:
    with pytest.raises(InvalidInputError, match=r"expected a Stay, got \('RUS', 400\)"):
        qualifies(("RUS", 400))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# edges: before the first stay, a stay starting on the reference day, returns within a year
# ---------------------------------------------------------------------------------------------
def test_before_the_first_stay_there_is_no_residence_and_no_category() -> None:
    p = person(("RUS", D(2015, 1, 1), D(2018, 1, 1)), ("AZE", D(2018, 1, 1)), birth="RUS")
    before = D(2014, 12, 31)
    assert usual_residence(p, before) is None
    for country in ("AZE", "RUS"):
        assert stock_categories(p, country, before) == set()
        assert flow_events(p, country, 2014) == []
        assert temporary_mobility(p, country, 2014) == set()
    assert usual_residence(p, D(2015, 1, 1)) == "RUS"  # from the first day of the first stay


@pytest.mark.parametrize("rule", list(RULES))
def test_a_stay_starting_on_the_reference_day_counts_from_that_day(rule: str) -> None:
    moved = person(("AZE", D(1990, 1, 1), D(2020, 3, 1)), ("RUS", D(2020, 3, 1)))
    on = D(2020, 3, 1)
    assert usual_residence(moved, on, rule) == "RUS"
    assert usual_residence(moved, on - DAY, rule) == "AZE"
    assert stock_categories(moved, "RUS", on, rule) == {
        "foreign_born",
        "foreign_citizen",
        "international_migrant",
    }
    assert stock_categories(moved, "AZE", on, rule) == set()
    # a short trip starting that day is a temporary absence: residence unchanged
    trip = person(
        ("AZE", D(1990, 1, 1), on), ("RUS", on, on + 10 * DAY, "work"), ("AZE", on + 10 * DAY)
    )
    assert usual_residence(trip, on, rule) == "AZE"
    assert stock_categories(trip, "AZE", on, rule) == {"native_born", "national_citizen"}


def test_leaving_and_coming_back_within_a_year_under_the_6_month_rule() -> None:
    # 200 days in Russia from 2021-02-01: a residence change under "6_months" only
    p = person(
        ("AZE", D(1990, 1, 1), D(2021, 2, 1)),
        ("RUS", D(2021, 2, 1), D(2021, 8, 20), "work"),
        ("AZE", D(2021, 8, 20)),
    )
    assert stock_categories(p, "AZE", D(2021, 5, 1), "6_months") == set()
    assert stock_categories(p, "RUS", D(2021, 5, 1), "6_months") == {
        "foreign_born",
        "foreign_citizen",
        "international_migrant",
    }
    native_returned = {
        "native_born",
        "national_citizen",
        "international_migrant",
        "returned_migrant",
        "returned_native_born_migrant",
    }
    assert stock_categories(p, "AZE", D(2021, 12, 31), "6_months") == native_returned
    assert stock_categories(p, "AZE", D(2021, 8, 20), "6_months") == native_returned
    assert stock_categories(p, "AZE", D(2021, 12, 31), "12_months") == {
        "native_born",
        "national_citizen",
    }


def test_two_moves_out_and_one_back_in_one_year_are_three_events() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2021, 1, 5)),
        ("RUS", D(2021, 1, 5), D(2021, 7, 10), "work"),  # 186 days
        ("AZE", D(2021, 7, 10), D(2021, 7, 30)),  # a 20-day visit home: not a return
        ("TUR", D(2021, 7, 30)),
    )
    assert flow_events(p, "AZE", 2021, "6_months") == ["emigration"]
    assert flow_events(p, "RUS", 2021, "6_months") == ["immigration", "emigration"]
    assert flow_events(p, "TUR", 2021, "6_months") == ["immigration"]
    assert temporary_mobility(p, "AZE", 2021, "6_months") == set()  # purpose unknown
    q = person(
        ("AZE", D(1990, 1, 1), D(2021, 1, 5)),
        ("RUS", D(2021, 1, 5), D(2021, 7, 10), "work"),
        ("AZE", D(2021, 7, 10), D(2022, 1, 20)),  # 194 days: a return
        ("TUR", D(2022, 1, 20)),
    )
    assert flow_events(q, "AZE", 2021, "6_months") == [
        "emigration",
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert flow_events(q, "AZE", 2022, "6_months") == ["emigration"]


def test_a_short_first_stay_abroad_is_a_residence_abroad() -> None:
    # The first stay sets the initial residence whatever its length, so this native of
    # Azerbaijan first resident in Russia immigrates in 2020 and is then an international
    # migrant (had a residence stay in another country), but not a returned migrant.
    p = person(("RUS", D(2020, 1, 1), D(2020, 1, 20)), ("AZE", D(2020, 1, 20)))
    assert usual_residence(p, D(2020, 1, 10)) == "RUS"
    assert flow_events(p, "AZE", 2020) == [
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert stock_categories(p, "AZE", D(2021, 1, 1)) == {
        "native_born",
        "national_citizen",
        "international_migrant",
    }


def test_a_first_stay_is_never_a_visit() -> None:
    # a Georgian whose history starts with 10 days in Azerbaijan: that sets the initial residence
    p = person(
        ("AZE", D(2021, 3, 1), D(2021, 3, 11), "work"),
        ("GEO", D(2021, 3, 11)),
        birth="GEO",
        cits={"GEO"},
    )
    assert temporary_mobility(p, "AZE", 2021) == set()
    assert flow_events(p, "GEO", 2021) == [
        "immigration",
        "returning_citizen",
        "returning_native_born",
    ]
    assert flow_events(p, "AZE", 2021) == ["emigration"]


def test_stateless_native_returning() -> None:
    p = person(
        ("AZE", D(1990, 1, 1), D(2010, 1, 1)),
        ("RUS", D(2010, 1, 1), D(2019, 1, 1)),
        ("AZE", D(2019, 1, 1)),
        cits=set(),
    )
    assert flow_events(p, "AZE", 2019) == ["immigration", "returning_native_born"]
    assert stock_categories(p, "AZE", D(2020, 1, 1)) == {
        "native_born",
        "foreign_citizen",
        "international_migrant",
        "returned_migrant",
        "returned_native_born_migrant",
    }


def test_moving_again_within_the_same_country_is_no_event() -> None:
    # resident in Azerbaijan, a gap (no record), then another long stay in Azerbaijan
    p = person(("AZE", D(1990, 1, 1), D(2010, 1, 1)), ("AZE", D(2012, 1, 1)))
    assert len(merged_stays(p)) == 2
    assert flow_events(p, "AZE", 2012) == []
    assert stock_categories(p, "AZE", D(2013, 1, 1)) == {"native_born", "national_citizen"}


@pytest.mark.parametrize("rule", list(RULES))
def test_flow_events_are_the_changes_of_usual_residence(rule: str) -> None:
    """Independent check: an event happens exactly where usual_residence changes country."""
    import random

    rng = random.Random(3)
    seen = 0
    for _ in range(300):
        stays, day = [], D(2014, 1, 1) + rng.randint(0, 300) * DAY
        for k in range(rng.randint(1, 7)):
            length = rng.choice([5, 8, 182, 183, 364, 365, 366, 700])
            ongoing = k > 0 and rng.random() < 0.15
            end = None if ongoing else day + length * DAY
            stays.append(Stay(rng.choice(["AZE", "RUS", "GEO"]), day, end))
            if end is None:
                break
            day = end + rng.choice([0, 0, 3]) * DAY
        p = Person("AZE", {"AZE"}, stays)
        starts = [s.start for s in p.stays[1:]]
        for year in (2014, 2015, 2016):
            changes = [
                (usual_residence(p, d - DAY, rule), usual_residence(p, d, rule))
                for d in starts
                if d.year == year
            ]
            for country in ("AZE", "RUS"):
                events = flow_events(p, country, year, rule)
                arrivals = sum(b == country != a for a, b in changes)
                departures = sum(a == country != b for a, b in changes)
                assert events.count("immigration") == arrivals, (p, country, year)
                assert events.count("emigration") == departures, (p, country, year)
                seen += arrivals + departures
    assert seen > 100  # the check is not vacuous
