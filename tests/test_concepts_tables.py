"""The vectorised table functions: small worked tables, input checks, agreement with the rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from migdata.concepts import (
    FLOW_CATEGORIES,
    STAY_COLUMNS,
    STOCK_CATEGORIES,
    TEMPORARY_CATEGORIES,
    Person,
    Stay,
    emigrants,
    flow_events,
    flows,
    mobility,
    stock_categories,
    stocks,
    temporary_mobility,
    to_frame,
    to_persons,
    usual_residence,
)
from migdata.errors import (
    InvalidInputError,
    InvalidPersonError,
    MissingColumnsError,
    UnknownCountryError,
    UnknownRuleError,
)
from migdata.simulate.population import synthetic_population

D = dt.date


@pytest.fixture(scope="module")
def small() -> list[Person]:
    return [
        # native stayer
        Person("AZE", {"AZE"}, [Stay("AZE", D(2000, 1, 1))], id="stayer"),
        # emigrates to Russia in 2015, back in 2017
        Person(
            "AZE",
            {"AZE"},
            [
                Stay("AZE", D(2000, 1, 1), D(2015, 3, 1)),
                Stay("RUS", D(2015, 3, 1), D(2017, 5, 1), "work"),
                Stay("AZE", D(2017, 5, 1)),
            ],
            id="returner",
        ),
        # stateless person born in Russia who moved to Azerbaijan in 2016
        Person(
            "RUS", set(), [Stay("RUS", D(2000, 1, 1), D(2016, 1, 1)), Stay("AZE", D(2016, 1, 1))]
        ),
        # Georgian cross-border worker
        Person(
            "GEO",
            {"GEO"},
            [
                Stay("GEO", D(2000, 1, 1), D(2018, 2, 1)),
                Stay("AZE", D(2018, 2, 1), D(2018, 2, 4), "work"),
                Stay("GEO", D(2018, 2, 4), D(2018, 3, 1)),
                Stay("AZE", D(2018, 3, 1), D(2018, 3, 6), "work"),
                Stay("GEO", D(2018, 3, 6)),
            ],
        ),
    ]


def test_stocks_counts_every_category_including_zeros(small: list[Person]) -> None:
    out = stocks(small, "Azerbaijan", "2018-01-01")
    assert list(out.index) == ["usual_residents", *STOCK_CATEGORIES]
    assert out.to_dict() == {
        "usual_residents": 3,
        "native_born": 2,
        "foreign_born": 1,
        "national_citizen": 2,
        "foreign_citizen": 1,
        "international_migrant": 2,
        "returned_migrant": 1,
        "returned_native_born_migrant": 1,
    }
    assert out.attrs == {"country": "AZE", "on": "2018-01-01", "rule": "12_months"}
    assert stocks(small, "GEO", "2018-01-01")["usual_residents"] == 1
    assert stocks(small, "USA", "2018-01-01").sum() == 0


def test_flows_count_events_by_year(small: list[Person]) -> None:
    assert flows(small, "AZE", 2015).to_dict() == {
        "immigration": 0,
        "emigration": 1,
        "returning_citizen": 0,
        "returning_native_born": 0,
    }
    assert flows(small, "AZE", 2016)["immigration"] == 1
    assert flows(small, "AZE", 2017).to_dict() == {
        "immigration": 1,
        "emigration": 0,
        "returning_citizen": 1,
        "returning_native_born": 1,
    }
    assert list(flows(small, "AZE", 1990).index) == list(FLOW_CATEGORIES)
    assert flows(small, "AZE", 1990).sum() == 0


def test_mobility_and_emigrants(small: list[Person]) -> None:
    out = mobility(small, "AZE", 2018)
    assert list(out.index) == list(TEMPORARY_CATEGORIES)
    assert out["cross_border_workers"] == 1
    assert out["circular_mobility"] == 1
    assert out.drop(["cross_border_workers", "circular_mobility"]).sum() == 0
    assert emigrants(small, "AZE", "2016-01-01") == 1
    assert emigrants(small, "AZE", "2018-01-01") == 0
    assert emigrants(small, "RUS", "2018-01-01") == 1


def test_frame_round_trip(small: list[Person]) -> None:
    frame = to_frame(small)
    assert list(frame.columns) == list(STAY_COLUMNS)
    assert len(frame) == sum(len(p.stays) for p in small)
    assert frame.loc[frame["person_id"] == 2, "citizenships"].eq("").all()
    back = to_persons(frame)
    assert [p.stays for p in back] == [p.stays for p in small]
    assert [p.citizenships for p in back] == [p.citizenships for p in small]
    assert back[0].id == "stayer"


def test_frame_rows_in_any_order_and_aliases(small: list[Person]) -> None:
    frame = to_frame(small).sample(frac=1.0, random_state=1)
    frame["country"] = frame["country"].replace({"AZE": "Azerbaijan", "RUS": "RU"})
    frame["start"] = frame["start"].dt.strftime("%Y-%m-%d")
    pd.testing.assert_series_equal(
        stocks(frame, "AZE", "2018-01-01"), stocks(small, "AZE", "2018-01-01")
    )
    pd.testing.assert_series_equal(flows(frame, "AZE", 2017), flows(small, "AZE", 2017))


def test_citizenships_as_sets_in_a_frame(small: list[Person]) -> None:
    frame = to_frame(small)
    frame["citizenships"] = [set(c.split(";")) - {""} for c in frame["citizenships"]]
    assert stocks(frame, "AZE", "2018-01-01")["foreign_citizen"] == 1


def test_empty_frame_gives_zeros() -> None:
    frame = pd.DataFrame(columns=list(STAY_COLUMNS))
    assert stocks(frame, "AZE", "2020-01-01").sum() == 0
    assert flows([], "AZE", 2020).sum() == 0


def _frame(**changes: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_id": [1, 1],
            "birth_country": ["AZE", "AZE"],
            "citizenships": ["AZE", "AZE"],
            "country": ["AZE", "RUS"],
            "start": ["2000-01-01", "2010-01-01"],
            "end": ["2010-01-01", None],
            "purpose": [None, "work"],
        }
    )
    for col, values in changes.items():
        frame[col] = values
    return frame


@pytest.mark.parametrize(
    ("changes", "error", "named"),
    [
        ({"country": ["AZE", "Atlantis"]}, UnknownCountryError, "Atlantis"),
        ({"birth_country": ["AZE", "GEO"]}, InvalidPersonError, "person 1"),
        ({"citizenships": ["AZE", "AZE;RUS"]}, InvalidPersonError, "citizenships"),
        ({"citizenships": ["AZE", None]}, InvalidInputError, "stateless"),
        ({"purpose": [None, "holiday"]}, InvalidInputError, "holiday"),
        ({"start": ["2000-01-01", "2009-06-01"]}, InvalidPersonError, "overlap"),
        ({"end": ["2000-01-01", None]}, InvalidPersonError, "ends on or before"),
        ({"end": [None, None]}, InvalidPersonError, "overlap"),
        ({"start": ["2000-01-01", "not a date"]}, InvalidInputError, "start"),
        ({"start": ["2000-01-01", None]}, InvalidPersonError, "no start"),
        ({"person_id": [1, None]}, InvalidPersonError, "person_id"),
    ],
)
def test_bad_frames_raise_naming_the_problem(
    changes: dict[str, object], error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named):
        stocks(_frame(**changes), "AZE", "2020-01-01")


def test_missing_columns_and_bad_arguments() -> None:
    with pytest.raises(MissingColumnsError, match="citizenships"):
        stocks(_frame().drop(columns="citizenships"), "AZE", "2020-01-01")
    without_purpose = _frame().drop(columns="purpose")
    assert stocks(without_purpose, "RUS", "2020-01-01")["usual_residents"] == 1
    with pytest.raises(UnknownRuleError, match="3_months"):
        flows(_frame(), "AZE", 2010, rule="3_months")
    with pytest.raises(InvalidInputError, match="'2010'"):
        flows(_frame(), "AZE", "2010")  # type: ignore[arg-type]
    with pytest.raises(UnknownCountryError, match="Narnia"):
        emigrants(_frame(), "Narnia", "2020-01-01")
    with pytest.raises(InvalidInputError, match="dict"):
        stocks({"a": 1}, "AZE", "2020-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="item 1"):
        stocks([Person("AZE", {"AZE"}, [Stay("AZE", "2000-01-01")]), "x"], "AZE", "2020-01-01")


# ---------------------------------------------------------------------------------------------
# agreement with the per-person reference semantics
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def population() -> tuple[pd.DataFrame, list[Person]]:
    frame = synthetic_population(3000, seed=7)
    return frame, to_persons(frame)


@pytest.mark.parametrize("rule", ["12_months", "6_months"])
@pytest.mark.parametrize("country", ["AZE", "RUS", "GEO"])
def test_tables_agree_with_per_person_rules(
    population: tuple[pd.DataFrame, list[Person]], rule: str, country: str
) -> None:
    frame, persons = population
    for on in ("2012-07-01", "2019-01-01", "2024-12-31"):
        expected = Counter()
        residents = 0
        emig = 0
        for p in persons:
            cats = stock_categories(p, country, on, rule)
            expected.update(cats)
            residents += bool(cats)
            where = usual_residence(p, on, rule)
            emig += p.birth_country == country and where is not None and where != country
        got = stocks(frame, country, on, rule)
        assert got["usual_residents"] == residents
        assert got[list(STOCK_CATEGORIES)].to_dict() == {c: expected[c] for c in STOCK_CATEGORIES}
        assert emigrants(frame, country, on, rule) == emig
    for year in (2011, 2016, 2020, 2024):
        events = Counter(e for p in persons for e in flow_events(p, country, year, rule))
        assert flows(frame, country, year, rule).to_dict() == {
            c: events[c] for c in FLOW_CATEGORIES
        }
        temp = Counter(c for p in persons for c in temporary_mobility(p, country, year, rule))
        assert mobility(frame, country, year, rule).to_dict() == {
            c: temp[c] for c in TEMPORARY_CATEGORIES
        }


def test_agreement_is_not_vacuous(population: tuple[pd.DataFrame, list[Person]]) -> None:
    frame, _ = population
    assert (stocks(frame, "AZE", "2019-01-01", "6_months") > 0).all()
    assert flows(frame, "AZE", 2016, "6_months").min() > 0
    assert (mobility(frame, "AZE", 2016) > 0).sum() >= 5
    assert (mobility(frame, "RUS", 2016) > 0)["seasonal_workers"]
    assert np.int64(emigrants(frame, "AZE", "2019-01-01")) > 0


def _random_people(n: int, seed: int) -> list[Person]:
    """Random histories crowded around the thresholds, with adjacent same-country stays."""
    rng = np.random.default_rng(seed)
    lengths = [1, 3, 7, 8, 60, 181, 182, 183, 184, 300, 363, 364, 365, 366, 800]
    purposes = [None, "work", "seasonal_work", "study", "training", "health", "asylum_transit",
                "tourism", "family", "business"]  # fmt: skip
    countries = ["AZE", "RUS", "GEO"]
    people = []
    for i in range(n):
        day = D(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 400)))
        stays = []
        for k in range(int(rng.integers(1, 9))):
            length = int(rng.choice(lengths))
            end = day + dt.timedelta(days=length)
            ongoing = k > 0 and rng.random() < 0.1
            country = str(rng.choice(countries))
            stays.append(Stay(country, day, None if ongoing else end, rng.choice(purposes)))
            if ongoing:
                break
            day = end + dt.timedelta(days=int(rng.choice([0, 0, 0, 1, 20])))
        cits = set(rng.choice(countries, size=int(rng.integers(0, 3)), replace=False).tolist())
        people.append(Person(str(rng.choice(countries)), cits, stays, id=f"r{i}"))
    return people


@pytest.mark.parametrize("rule", ["12_months", "6_months"])
def test_tables_agree_on_random_edge_histories(rule: str) -> None:
    people = _random_people(1500, seed=11)
    frame = to_frame(people)
    for country in ("AZE", "RUS"):
        for on in ("2015-06-01", "2016-03-01", "2018-01-01"):
            expected = Counter(c for p in people for c in stock_categories(p, country, on, rule))
            got = stocks(frame, country, on, rule)
            assert set(expected) <= set(STOCK_CATEGORIES)  # no label outside the Series
            assert got[list(STOCK_CATEGORIES)].to_dict() == {
                c: expected[c] for c in STOCK_CATEGORIES
            }
        for year in (2015, 2016, 2017):
            events = Counter(e for p in people for e in flow_events(p, country, year, rule))
            assert set(events) <= set(FLOW_CATEGORIES)
            assert flows(people, country, year, rule).to_dict() == {
                c: events[c] for c in FLOW_CATEGORIES
            }
            temp = Counter(c for p in people for c in temporary_mobility(p, country, year, rule))
            assert set(temp) <= set(TEMPORARY_CATEGORIES)
            got_temp = mobility(frame, country, year, rule)
            assert got_temp.to_dict() == {c: temp[c] for c in TEMPORARY_CATEGORIES}
    assert got_temp.sum() > 0 and got.sum() > 0


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"start": ["2000-01-01", "not a date"]}, "'not a date' on row 1.*expected"),
        ({"end": ["2000-01-01", None]}, "row 0 .*start='2000-01-01', end='2000-01-01'"),
        (
            {"start": ["2000-01-01", "2009-06-01"]},
            "start='2009-06-01'.*stay before it, row 0 .*end='2010-01-01'",
        ),
        ({"birth_country": ["AZE", "GEO"]}, "birth_country='GEO'.*birth_country='AZE'"),
        ({"country": ["AZE", None]}, "country is missing on row 1"),
        ({"person_id": [1, None]}, "^person_id is missing.*row 1"),
    ],
)
def test_bad_frame_messages_show_the_values(changes: dict[str, object], named: str) -> None:
    with pytest.raises((InvalidInputError, InvalidPersonError), match=named):
        flows(_frame(**changes), "AZE", 2009)


def test_bad_row_is_named_by_its_label() -> None:
    frame = _frame(start=["2000-01-01", "2009-06-01"]).set_axis(["a", "b"])
    with pytest.raises(InvalidPersonError, match=r"person 1: .*overlap.*row 'b'"):
        flows(frame, "AZE", 2009)


def test_to_persons_errors_and_empty() -> None:
    assert to_persons(pd.DataFrame(columns=list(STAY_COLUMNS))) == []
    with pytest.raises(InvalidPersonError, match="person 1"):
        to_persons(_frame(birth_country=["AZE", "GEO"]))
    with pytest.raises(InvalidInputError, match="stateless"):
        to_persons(_frame(citizenships=[np.nan, np.nan]))
    with pytest.raises(InvalidPersonError, match="overlap"):
        to_persons(_frame(start=["2000-01-01", "2009-06-01"]))
    with pytest.raises(MissingColumnsError, match="country"):
        to_persons(_frame().drop(columns="country"))


def test_numpy_integer_year_in_tables(small: list[Person]) -> None:
    year = np.int64(2017)
    pd.testing.assert_series_equal(flows(small, "AZE", year), flows(small, "AZE", 2017))
    assert flows(small, "AZE", year).attrs["year"] == 2017
    assert mobility(small, "AZE", np.int32(2018))["cross_border_workers"] == 1


def test_two_persons_with_one_id_are_not_merged() -> None:
    before = Person("AZE", {"AZE"}, [Stay("AZE", D(2000, 1, 1), D(2005, 1, 1))], id="x")
    after = Person("AZE", {"AZE"}, [Stay("RUS", D(2006, 1, 1))], id="x")
    with pytest.raises(InvalidInputError, match=r"items 0 and 1 both have person_id 'x'"):
        flows([before, after], "RUS", 2006)
    # a person without an id gets its position, which may clash with another's id
    anonymous = Person("AZE", {"AZE"}, [Stay("AZE", D(2000, 1, 1), D(2005, 1, 1))])
    numbered = Person("AZE", {"AZE"}, [Stay("RUS", D(2006, 1, 1))], id=0)
    with pytest.raises(InvalidInputError, match="person_id 0"):
        to_frame([anonymous, numbered])
    assert flows([before, anonymous], "RUS", 2006).sum() == 0


def test_emigrants_counts_only_natives_with_a_residence_elsewhere_on_the_day() -> None:
    people = [
        # born in Azerbaijan but never lived there: resident in Russia all along -> counted
        Person("AZE", {"RUS"}, [Stay("RUS", D(2000, 1, 1))], id="never_home"),
        # stateless, born in Azerbaijan, living in Georgia -> counted
        Person("AZE", set(), [Stay("GEO", D(2000, 1, 1))], id="stateless"),
        # history starts after the reference day: no residence yet -> not counted
        Person("AZE", {"AZE"}, [Stay("RUS", D(2021, 1, 1))], id="not_yet"),
        # born abroad, living abroad -> not counted
        Person("RUS", {"RUS"}, [Stay("RUS", D(2000, 1, 1))], id="russian"),
        # native on a short trip to Türkiye on the day: still resident at home -> not counted
        Person(
            "AZE",
            {"AZE"},
            [
                Stay("AZE", D(2000, 1, 1), D(2019, 12, 20)),
                Stay("TUR", D(2019, 12, 20), D(2020, 1, 10), "tourism"),
                Stay("AZE", D(2020, 1, 10)),
            ],
            id="tourist",
        ),
        # emigrated on the reference day itself -> counted
        Person(
            "AZE",
            {"AZE"},
            [Stay("AZE", D(2000, 1, 1), D(2020, 1, 1)), Stay("DEU", D(2020, 1, 1))],
            id="left_that_day",
        ),
    ]
    assert emigrants(people, "AZE", "2020-01-01") == 3
    assert emigrants(people, "AZE", "2019-12-31") == 2
    assert emigrants(people, "AZE", "2022-01-01") == 4
    assert emigrants(people, "AZE", "1999-12-31") == 0
    assert emigrants(people, "RUS", "2020-01-01") == 0
    assert stocks(people, "AZE", "2020-01-01")["usual_residents"] == 1


@pytest.mark.parametrize("rule", ["12_months", "6_months"])
def test_tables_agree_on_the_worked_edges(rule: str) -> None:
    on = D(2020, 3, 1)
    people = [
        Person(
            "AZE",
            {"AZE"},
            [Stay("RUS", D(2020, 1, 1), D(2020, 1, 20)), Stay("AZE", D(2020, 1, 20))],
        ),
        Person("AZE", {"AZE"}, [Stay("AZE", D(1990, 1, 1), on), Stay("RUS", on)]),
        Person(
            "AZE", {"AZE"}, [Stay("AZE", on, D(2020, 3, 11), "work"), Stay("GEO", D(2020, 3, 11))]
        ),
        Person("GEO", {"GEO"}, [Stay("GEO", D(2020, 6, 1))]),  # starts after `on`
        Person(
            "AZE",
            set(),
            [
                Stay("AZE", D(1990, 1, 1), D(2020, 1, 5)),
                Stay("RUS", D(2020, 1, 5), D(2020, 7, 10), "work"),
                Stay("AZE", D(2020, 7, 10)),
            ],
        ),
    ]
    for country in ("AZE", "RUS", "GEO"):
        for day in (on - dt.timedelta(days=1), on, D(2020, 12, 31)):
            expected = Counter(c for p in people for c in stock_categories(p, country, day, rule))
            got = stocks(people, country, day, rule)
            assert got[list(STOCK_CATEGORIES)].to_dict() == {
                c: expected[c] for c in STOCK_CATEGORIES
            }
        events = Counter(e for p in people for e in flow_events(p, country, 2020, rule))
        assert flows(people, country, 2020, rule).to_dict() == {
            c: events[c] for c in FLOW_CATEGORIES
        }
    assert flows(people, "AZE", 2020, rule)["immigration"] == (2 if rule == "6_months" else 1)


def test_to_persons_accepts_what_the_table_functions_accept() -> None:
    # the same person written with different spellings of one country / citizenship set
    frame = _frame(birth_country=["AZE", "Azerbaijan"], citizenships=["AZE;RUS", "RUS;AZE"])
    assert flows(frame, "RUS", 2010)["immigration"] == 1
    (person,) = to_persons(frame)
    assert person.birth_country == "AZE"
    assert person.citizenships == {"AZE", "RUS"}
    assert flow_events(person, "RUS", 2010) == ["immigration", "returning_citizen"]


# ------------------------------------------------------------------ dates and odd cells (issue 12)


def test_zone_aware_dates_count_by_their_local_calendar_date() -> None:
    """Arrival at 00:30 on 2 January in Baku (20:30 UTC on 1 January) is not resident on 1 Jan."""
    frame = _frame(
        start=pd.to_datetime(["2000-01-01 09:00", "2020-01-02 00:30"]).tz_localize("Asia/Baku"),
        end=pd.to_datetime(["2020-01-02 00:30", None]).tz_localize("Asia/Baku"),
    )
    assert stocks(frame, "RUS", "2020-01-01")["usual_residents"] == 0
    assert stocks(frame, "RUS", "2020-01-02")["usual_residents"] == 1
    naive = _frame(start=["2000-01-01", "2020-01-02"], end=["2020-01-02", None])
    for year in (2019, 2020):
        assert flows(frame, "AZE", year).equals(flows(naive, "AZE", year))
    persons = to_persons(frame)
    assert persons[0].stays[1].start == dt.date(2020, 1, 2)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"start": ["01.03.2000", "2010-01-01"]},
         r"column 'start' holds '01\.03\.2000' on row 0.*not an ISO date"),
        ({"start": [2000, 2010]}, r"column 'start' holds 2000 on row 0.*must be a date"),
        ({"end": [2010.0, np.nan]}, r"column 'end' holds 2010\.0 on row 0"),
        ({"start": [pd.Timestamp("1700-01-01"), pd.Timestamp("2010-01-01")]},
         r"column 'start' holds '1700-01-01' on row 0.*out of range"),
        ({"start": ["2000-01-01", "2010-02-30"]}, r"'2010-02-30' on row 1.*not a calendar date"),
        ({"start": [True, False]}, r"column 'start' holds True"),
        ({"country": ["AZE", 643]}, r"column 'country' holds 643 \(int\) on row 1"),
        ({"country": [["AZE"], "RUS"]}, r"column 'country' holds \['AZE'\] \(list\) on row 0"),
        ({"person_id": [[1], [1]]}, r"column 'person_id' holds \[1\]"),
        ({"purpose": [pd.NA, ["work"]]}, r"column 'purpose' holds \['work'\]"),
        ({"country": ["AZE", pd.NA]}, r"country is missing on row 1"),
        ({"citizenships": [{"AZE", 31}, {"AZE", 31}]}, r"hold 31 \(int\)"),
    ],
)
def test_odd_cells_are_refused_naming_column_row_and_value(
    changes: dict[str, object], named: str
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        stocks(_frame(**changes), "AZE", "2005-01-01")


def test_a_column_of_missing_ends_in_any_dtype_means_open_stays() -> None:
    base = _frame(end=["2010-01-01", None])
    expected = stocks(base, "RUS", "2020-01-01")
    for end in ([pd.Timestamp("2010-01-01"), pd.NaT], ["2010-01-01", pd.NA],
                pd.array(["2010-01-01", None], dtype="string")):
        assert stocks(_frame(end=end), "RUS", "2020-01-01").equals(expected)
    purpose_na = _frame(purpose=[pd.NA, np.nan])
    assert stocks(purpose_na, "RUS", "2020-01-01").equals(expected)


def test_duplicated_columns_are_named() -> None:
    frame = pd.concat([_frame(), _frame()[["start"]]], axis=1)
    with pytest.raises(InvalidInputError, match=r"column\(s\) 'start' more than once"):
        flows(frame, "AZE", 2010)
