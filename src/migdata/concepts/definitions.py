"""The UN migration concepts of Unit 2.1 as data: :data:`CONCEPTS` maps an id to a :class:`Concept`.

Every summary is written for this kit in plain words; ``source`` names the UN document and the
part of it where the concept is defined, so students can look the original up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["CONCEPTS", "KINDS", "Concept"]

KINDS: Final = ("flow", "stock", "temporary_mobility", "usual_residence_rule")

_FRAMEWORK_2021 = (
    "UN Expert Group on Migration Statistics, Final Report on Conceptual Frameworks and Concepts "
    "and Definitions on International Migration (2021), the conceptual framework for the revision "
    "of the 1998 Recommendations presented to the UN Statistical Commission"
)
_RECS_1998 = (
    "UN DESA, Recommendations on Statistics of International Migration, Revision 1 (1998), "
    "ST/ESA/STAT/SER.M/58/Rev.1"
)
_UNECE_2020 = (
    "UNECE, Conference of European Statisticians Recommendations for the 2020 Censuses of "
    "Population and Housing (ECE/CES/41, 2015)"
)
_UN_CENSUS_REV3 = (
    "UN DESA, Principles and Recommendations for Population and Housing Censuses, Revision 3 "
    "(2017), ST/ESA/STAT/SER.M/67/Rev.3"
)
_CENSUS_HANDBOOK = (
    "UN DESA, Handbook on Measuring International Migration through Population Censuses (2017)"
)


@dataclass(frozen=True, slots=True)
class Concept:
    """One statistical concept of international migration.

    Attributes
    ----------
    id : str
        Short identifier, the key in :data:`CONCEPTS` (e.g. ``"foreign_born"``).
    name : str
        Human-readable name.
    kind : str
        One of ``"flow"``, ``"stock"``, ``"temporary_mobility"``, ``"usual_residence_rule"``.
    summary : str
        What the concept means, in the kit's own words.
    source : str
        The UN document (and the part of it) that defines the concept.
    """

    id: str
    name: str
    kind: str
    summary: str
    source: str


def _c(id: str, name: str, kind: str, summary: str, source: str) -> tuple[str, Concept]:
    return id, Concept(id=id, name=name, kind=kind, summary=summary, source=source)


CONCEPTS: Final[dict[str, Concept]] = dict(
    [
        # ---- usual-residence rules --------------------------------------------------------
        _c(
            "usual_residence",
            "Country of usual residence",
            "usual_residence_rule",
            "The country a person normally lives in, where they usually sleep and keep their "
            "home. Short trips abroad (holidays, business, treatment, short work spells) are "
            "temporary absences and leave it unchanged; it changes only when a stay elsewhere "
            "lasts, or is meant to last, at least the minimum duration of the chosen rule.",
            f"{_RECS_1998}, Part One, definitions of country of usual residence and of "
            f"international migrant; {_UN_CENSUS_REV3}, Part Two, place of usual residence",
        ),
        _c(
            "rule_12_months",
            "Usual residence: 12-month rule",
            "usual_residence_rule",
            "A person is counted as a resident of a country after living there continuously for "
            "at least twelve months, or from arrival if they intend to stay that long. In migdata "
            "one continuous stay qualifies, from its first day, when its actual length is at "
            "least 365 days or when it is still going on (the intended duration is then taken "
            "to be long enough).",
            f"{_UN_CENSUS_REV3}, Part Two, place of usual residence (the 12-month option); "
            f"{_UNECE_2020}, usual residence (the 12-month criterion); {_RECS_1998}, Part One, "
            "long-term migrant",
        ),
        _c(
            "rule_6_months",
            "Usual residence: 6-month rule (six months and a day)",
            "usual_residence_rule",
            "A person is counted as a resident of a country after living there for most of a "
            "year, that is six months and a day or more, or from arrival if they intend to stay "
            "that long. In migdata one continuous stay qualifies, from its first day, when its "
            "actual length is at least 183 days or when it is still going on. Days of separate "
            "trips are not added up.",
            f"{_UN_CENSUS_REV3}, Part Two, place of usual residence (the option of most of the "
            "last 12 months)",
        ),
        # ---- flows ------------------------------------------------------------------------
        _c(
            "international_migrant",
            "International migrant",
            "flow",
            "Someone whose country of usual residence changed during the reference year, so that "
            "they now live in a new country. Citizens, foreigners and stateless persons all "
            "count; from the side of a single country the same move is an arrival (immigrant) "
            "or a departure (emigrant).",
            f"{_FRAMEWORK_2021}, section on concepts and definitions of international migration "
            f"(international migrant); earlier definition in {_RECS_1998}, Part One",
        ),
        _c(
            "immigration",
            "Immigration (flow)",
            "flow",
            "The number of people, whatever their citizenship and including stateless persons, "
            "who arrive during the year and become part of the country's resident population.",
            f"{_FRAMEWORK_2021}, section on international migration flows (immigration)",
        ),
        _c(
            "emigration",
            "Emigration (flow)",
            "flow",
            "The number of people, whatever their citizenship and including stateless persons, "
            "who leave the country during the year and become residents of another country.",
            f"{_FRAMEWORK_2021}, section on international migration flows (emigration)",
        ),
        _c(
            "returning_citizens",
            "Returning citizens (flow)",
            "flow",
            "The part of immigration made up of the country's own nationals: citizens whose "
            "usual residence was abroad and who settle back in the country during the year.",
            f"{_FRAMEWORK_2021}, section on international migration flows (returning citizens)",
        ),
        _c(
            "returning_native_born",
            "Returning native-born population (flow)",
            "flow",
            "The part of immigration made up of people born in the country whose usual residence "
            "was abroad and who settle back during the year, whatever citizenship they now hold.",
            f"{_FRAMEWORK_2021}, section on international migration flows (returning native-born)",
        ),
        _c(
            "long_term_migrant",
            "Long-term migrant (1998 recommendations)",
            "flow",
            "A person who moves to a country other than the one of usual residence for at least "
            "a year (12 months), so that the new country becomes the country of usual residence. "
            "Seen from the country left, the person is a long-term emigrant; from the country of "
            "arrival, a long-term immigrant. The 12-month rule of this kit follows this idea.",
            f"{_RECS_1998}, Part One, definition of long-term migrant",
        ),
        _c(
            "short_term_migrant",
            "Short-term migrant (1998 recommendations)",
            "flow",
            "A person who goes to live in another country for three months or more, but for less "
            "than a year (12 months). Moves for holidays, visits to friends or relatives, "
            "business, medical treatment or religious pilgrimage do not count. For migration "
            "statistics the 1998 text treats the country of destination as the country of usual "
            "residence while the stay lasts. The category gives a temporary move a time limit at "
            "both ends: below three months it is not migration, from twelve months on it is long-"
            "term migration.",
            f"{_RECS_1998}, Part One, definition of short-term migrant",
        ),
        # ---- stocks -----------------------------------------------------------------------
        _c(
            "foreign_born",
            "Foreign-born population (stock)",
            "stock",
            "Residents of the country at a given date whose place of birth is another country.",
            f"{_UNECE_2020}, chapter on country of birth and citizenship (population groups "
            f"relevant to international migration); {_FRAMEWORK_2021}, section on stocks",
        ),
        _c(
            "native_born",
            "Native-born population (stock)",
            "stock",
            "Residents of the country at a given date who were born in that same country.",
            f"{_UNECE_2020}, chapter on country of birth and citizenship; {_FRAMEWORK_2021}, "
            "section on stocks",
        ),
        _c(
            "foreign_citizens",
            "Foreign citizen population (stock)",
            "stock",
            "Residents at a given date who do not hold the country's citizenship. Stateless "
            "residents belong here too, since they hold no citizenship at all.",
            f"{_UNECE_2020}, chapter on country of birth and citizenship; {_FRAMEWORK_2021}, "
            "section on stocks",
        ),
        _c(
            "national_citizens",
            "National citizen population (stock)",
            "stock",
            "Residents at a given date who hold the country's citizenship, alone or together "
            "with another one (dual citizens are national citizens).",
            f"{_UNECE_2020}, chapter on country of birth and citizenship; {_FRAMEWORK_2021}, "
            "section on stocks",
        ),
        _c(
            "immigrant_stock",
            "Immigrant stock (international migrants resident in the country)",
            "stock",
            "All residents at a given date who have changed their country of usual residence at "
            "some point in life: everyone born abroad, plus people born in the country who once "
            "lived in another country long enough to become resident there. In this kit the name "
            "has only this meaning; the UN DESA estimate built from the foreign-born (or foreign "
            "citizens) plus refugees is called the UN DESA international migrant stock.",
            f"{_CENSUS_HANDBOOK}, definition of the stock of international migrants; "
            f"{_FRAMEWORK_2021}, section on stocks",
        ),
        _c(
            "emigrant_stock",
            "Emigrant stock",
            "stock",
            "People from a given country (in migdata: born there) who, at a given date, are usual "
            "residents of some other country.",
            f"{_FRAMEWORK_2021}, section on stocks (emigrant stock)",
        ),
        _c(
            "returned_migrants",
            "Returned migrants (stock)",
            "stock",
            "Residents at a given date who were once residents of the country, then moved abroad "
            "long enough to become resident elsewhere, and have since resettled at home for at "
            "least the minimum duration that residence requires (or mean to stay that long).",
            f"{_FRAMEWORK_2021}, section on stocks (returned migrants)",
        ),
        _c(
            "returned_native_born_migrants",
            "Returned native-born migrants (stock)",
            "stock",
            "The returned migrants who were also born in the country.",
            f"{_FRAMEWORK_2021}, section on stocks (returned native-born migrants)",
        ),
        # ---- temporary mobility -----------------------------------------------------------
        _c(
            "cross_border_workers",
            "Cross-border workers",
            "temporary_mobility",
            "Non-residents who work in the country repeatedly within a year and go back home at "
            "short, regular intervals, typically every day or every week. migdata counts two or "
            "more work stays of at most 7 days in one year.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (cross-border workers)",
        ),
        _c(
            "seasonal_workers",
            "Seasonal workers",
            "temporary_mobility",
            "Non-residents employed in the country for part of the year in work that depends on "
            "the season, such as harvests, construction or tourism.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (seasonal workers)",
        ),
        _c(
            "other_temporary_workers",
            "Other temporary workers",
            "temporary_mobility",
            "Non-residents who come to work for a spell shorter than the residence threshold for "
            "reasons other than the season, such as itinerant or project-based work. migdata "
            "counts a work stay longer than 7 days.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (other temporary "
            "workers)",
        ),
        _c(
            "training_mobility",
            "Training-related mobility",
            "temporary_mobility",
            "Non-residents who come for a course or training programme that is too short to make "
            "them residents.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (training-related)",
        ),
        _c(
            "health_mobility",
            "Health-related mobility",
            "temporary_mobility",
            "Non-residents who come to receive medical care and leave again before they would "
            "count as residents.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (health-related)",
        ),
        _c(
            "asylum_seekers_in_transit",
            "Asylum seekers in transit",
            "temporary_mobility",
            "People passing through the country on the way to another country where they plan "
            "to apply for asylum.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (asylum seekers in "
            "transit)",
        ),
        _c(
            "circular_mobility",
            "Circular mobility",
            "temporary_mobility",
            "Non-residents who visit one country repeatedly within one calendar year, each time "
            "for a short stay, leaving in between.",
            f"{_FRAMEWORK_2021}, section on temporary population mobility (circular mobility)",
        ),
    ]
)
