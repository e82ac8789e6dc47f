"""Country names and codes normalise to ISO 3166-1 alpha-3."""

from __future__ import annotations

import re

import pytest

from migdata.countries import country_name, to_iso3
from migdata.errors import UnknownCountryError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AZE", "AZE"), ("aze", "AZE"), ("AZ", "AZE"), ("Azerbaijan", "AZE"), ("031", "AZE"),
        ("31", "AZE"), ("Georgia", "GEO"), ("GE", "GEO"), ("Armenia", "ARM"), ("AM", "ARM"),
        ("Russian Federation", "RUS"), ("Russia", "RUS"), ("Türkiye", "TUR"), (" Germany ", "DEU"),
    ],
)
def test_accepts_codes_and_names(value: str, expected: str) -> None:
    assert to_iso3(value) == expected


@pytest.mark.parametrize("value", ["Atlantis", "XX", "ZZZ", "", "999"])
def test_unknown_country_names_the_value(value: str) -> None:
    with pytest.raises(UnknownCountryError, match=repr(value).replace("(", r"\(")):
        to_iso3(value)


def test_unknown_country_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="alpha-3"):
        to_iso3("Narnia")


def test_non_string_is_rejected() -> None:
    with pytest.raises(UnknownCountryError, match="None"):
        to_iso3(None)  # type: ignore[arg-type]


def test_country_name() -> None:
    assert country_name("AM") == "Armenia"
    assert country_name("GEO") == "Georgia"


@pytest.mark.parametrize("value", [["AZE"], {"AZE"}, ("AZE",), {"AZE": 1}, 31, None, b"AZE"])
def test_non_strings_are_unknown_countries_naming_the_value_and_type(value: object) -> None:
    with pytest.raises(UnknownCountryError, match=rf"got {re.escape(repr(value))} "
                       rf"\({type(value).__name__}\)"):
        to_iso3(value)
    with pytest.raises(UnknownCountryError):
        country_name(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("Azərbaycan", "AZE"), ("Азербайджан", "AZE"), ("Ermənistan", "ARM"), ("Հայաստան", "ARM"),
    ("Gürcüstan", "GEO"), ("საქართველო", "GEO"), ("Россия", "RUS"), ("Rusiya", "RUS"),
])
def test_accepts_the_regions_own_names(value: str, expected: str) -> None:
    # learners in the South Caucasus may type a country's name in their own language
    assert to_iso3(value) == expected
