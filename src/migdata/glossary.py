"""The course glossary: UN concepts (from :data:`migdata.concepts.CONCEPTS`) plus course terms.

The notebooks link every technical word to this glossary. The UN concepts themselves live in
:mod:`migdata.concepts` (one place only); this module adds the terms of Units 2.2-2.4 that are not
UN stock/flow concepts (data sources, Azerbaijan's institutions, indicators), each in the kit's own
words with the document it comes from, and a way to show any set of entries in a notebook.

Examples
--------
>>> from migdata import glossary
>>> glossary.entry("census").name
'Population and housing census'
>>> glossary.table(["foreign_born", "population_register"])["name"].tolist()
['Foreign-born population (stock)', 'Population register']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

from .errors import UnknownValueError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TERMS", "Term", "entry", "ids", "markdown", "show", "table", "translations"]

_RECS_1998 = "UN DESA, Recommendations on Statistics of International Migration, Rev. 1 (1998)"
_CENSUS_HB = (
    "UN DESA, Handbook on Measuring International Migration through Population Censuses (2017)"
)
_UNECE_2020 = (
    "UNECE, Conference of European Statisticians Recommendations for the 2020 Censuses (2015)"
)
_UN_CENSUS_REV3 = (
    "UN DESA, Principles and Recommendations for Population and Housing Censuses, Revision 3 "
    "(2017), Part Two, place of usual residence"
)
_MODULE2 = "Migration Curriculum, Module 2, Unit 2.3 (institutional framework in Azerbaijan)"
_MODULE5 = "Migration Curriculum, Module 5, Unit 5.1 (migration management in Azerbaijan)"
_MODULE5_ACTORS = f"{_MODULE5}, list of the state institutions involved"
_MIGRATION_CODE = (
    f"{_MODULE5}, on the Migration Code of the Republic of Azerbaijan (2013) and post-entry "
    "control"
)


@dataclass(frozen=True, slots=True)
class Term:
    """A course term that is not one of the UN concepts of :data:`migdata.concepts.CONCEPTS`."""

    id: str
    name: str
    kind: str
    summary: str
    source: str


def _t(id: str, name: str, kind: str, summary: str, source: str) -> tuple[str, Term]:
    return id, Term(id, name, kind, summary, source)


#: Course terms of Units 2.2-2.4, in the kit's own words. Kinds: data_source, usual_residence_rule,
#: indicator, data_quality, population_group, institution, registration_rule (the UN concepts have
#: flow, stock and temporary_mobility).
TERMS: Final[dict[str, Term]] = dict([
    _t("census", "Population and housing census", "data_source",
       "A count of every person and dwelling in the country on one reference day, usually every "
       "ten years. It asks country of birth, citizenship, previous country of residence and year "
       "of arrival, so it measures migrant stocks well, but it cannot see people who have left "
       "with their whole household.",
       f"{_RECS_1998}, Part Two (population censuses); {_CENSUS_HB}"),
    _t("household_survey", "Household sample survey", "data_source",
       "Interviews with a random sample of households (for example a labour force survey). It can "
       "ask more questions more often than a census, but because migrants are few, a general "
       "sample holds only a handful of them and the estimates are uncertain.",
       f"{_RECS_1998}, Part Two (household surveys)"),
    _t("migration_survey", "Specialised migration survey", "data_source",
       "A survey designed to study migration: the sample is chosen so that migrants and households "
       "with migrants are well represented, and the questions go into detail. People who now live "
       "abroad can only be described by the relatives who stayed.",
       f"{_RECS_1998}, Part Two (specialised surveys)"),
    _t("population_register", "Population register", "data_source",
       "A continuous administrative record of the residents of a country, updated when people "
       "register a birth, a death, a move or a departure. It gives migration data only when "
       "registered residence matches where people really live and when people report departures.",
       f"{_RECS_1998}, Part Two (population registers)"),
    _t("foreigners_register", "Foreigners' register", "data_source",
       "A register (sometimes part of the population register) that holds only foreign citizens "
       "living in the country. Citizens, including citizens who come back from abroad, are not "
       "in it.",
       f"{_RECS_1998}, Part Two (registers of foreigners)"),
    _t("residence_permit_register", "Residence-permit register", "data_source",
       "The record of residence permits given to foreigners. A first permit is often used as a "
       "replacement for a count of immigration events, but permit dates are not arrival or "
       "departure dates, and a permanent permit stays valid even after the holder has moved away.",
       f"{_RECS_1998}, Part Two (residence permits)"),
    _t("border_data", "Border-crossing data", "data_source",
       "Records of every person crossing the border, citizens and foreigners. They count trips, "
       "not migrants: to make migration statistics from them, a rule about the length of stay has "
       "to be applied to each person's entries and exits.",
       f"{_RECS_1998}, Part Two (border collection)"),
    _t("rule_183_days", "183-day rule (Geostat)", "usual_residence_rule",
       "Georgia's statistics office counts an immigrant or emigrant from border-crossing records: "
       "someone who spent at least 183 days in (or away from) Georgia within 12 months. The days "
       "are added up over all trips in those 12 months. The kit's 6-month rule is different: it "
       "needs one continuous stay of at least 183 days, so several shorter trips never add up to "
       "a change of residence in migdata, while they can in Geostat's count.",
       "Geostat, migration statistics metadata (0902); compare the UN option of most of the last "
       f"12 months in {_UN_CENSUS_REV3}"),
    _t("un_migrant_stock", "UN DESA international migrant stock (estimate)", "data_source",
       "UN DESA's estimate of the migrants living in each country at mid-year: the foreign-born "
       "population, or the foreign citizens where a country has no data on place of birth, with "
       "refugees added where they are not counted otherwise. It is an estimate built from "
       "censuses, registers and surveys, not the immigrant stock of the concepts of Unit 2.1 "
       "(which also counts native-born people who once lived abroad).",
       "UN DESA Population Division, International Migrant Stock 2019 and 2024: "
       "documentation, definitions and methods"),
    _t("net_migration", "Net migration", "indicator",
       "Immigrants minus emigrants over a period. Positive means more people came than left. "
       "Many sources estimate it as the part of population change that births and deaths do not "
       "explain (the balancing equation).",
       f"{_RECS_1998}, Part One (net international migration)"),
    _t("net_migration_rate", "Net migration rate", "indicator",
       "Net migration in a year per 1,000 people of the mid-year population. It allows countries "
       "of different size to be compared.",
       "UN DESA Population Division, World Population Prospects 2024, definitions of indicators"),
    _t("projection", "Projection (as opposed to an estimate)", "data_quality",
       "A figure for a year that the producer has not yet observed, computed from assumptions "
       "about the future. In WPP 2024 the years up to 2023 are estimates and 2024 on belongs to "
       "the projection variants (such as the medium variant). A projection is a forecast, not a "
       "count: never present it as what happened.",
       "UN DESA Population Division, World Population Prospects 2024, definitions of the "
       "estimates and projection variants"),
    _t("balancing_equation", "Demographic balancing equation", "indicator",
       "Population change over a period equals births minus deaths (the natural increase) plus "
       "net migration. When births, deaths and the population are known, net migration can be "
       "estimated as what is left over; errors in any part then end up in the migration figure.",
       f"{_RECS_1998}, Part One (net international migration)"),
    _t("sampling_error", "Sampling error", "data_quality",
       "The difference between an estimate from a sample and the true value, caused only by which "
       "households happened to be drawn. It is large when the group of interest is small: a "
       "sample of 1,000 households may hold only a handful of recent migrants.",
       "UN DESA, Designing Household Survey Samples: Practical Guidelines (2005), chapter on "
       "sampling errors; " + f"{_RECS_1998}, Part Two (household surveys)"),
    _t("idps", "Internally displaced persons (IDPs)", "population_group",
       "People forced to leave their homes, for example by armed conflict, who stay inside their "
       "own country. They have not crossed an international border, so they are not "
       "international migrants, but they are a large group in Azerbaijan's statistics.",
       "UN Guiding Principles on Internal Displacement (E/CN.4/1998/53/Add.2), Introduction, "
       "paragraph 2"),
    _t("sms", "State Migration Service (SMS)", "institution",
       "Azerbaijan's migration agency. Its Unified Migration Information System (UMIS) holds "
       "records on foreigners and stateless persons (temporary stay and registration of the "
       "place of stay, residence and work permits, refugee status) and also records about "
       "citizens of Azerbaijan: acquisition, restoration, determination and loss of "
       "citizenship, and registration of dual citizenship.",
       f"{_MODULE2}; {_MODULE5}"),
    _t("umis", "Unified Migration Information System (UMIS)", "institution",
       "The database of the State Migration Service. Most of its records are about foreigners "
       "and stateless persons (registrations of stay, residence and work permits, refugee "
       "status), but its citizenship records (acquisition, restoration, determination, loss, "
       "dual citizenship) are about citizens of Azerbaijan.",
       _MODULE2),
    _t("stay_registration", "Registration of the place of stay (Migration Code)",
       "registration_rule",
       "Under the Migration Code, a foreigner or stateless person whose temporary stay in "
       "Azerbaijan lasts longer than 15 days (longer than 30 days for Kazakhstan's citizens) "
       "has to register the place of stay with the SMS. So UMIS registrations include short stays: "
       "they count visits of a few weeks as well as long stays, and they are not a count of "
       "migrants under a 6-month or 12-month rule. Visits of 15 days or less need no registration.",
       _MIGRATION_CODE),
    _t("sbs", "State Border Service (SBS)", "institution",
       "The agency that records people and vehicles crossing Azerbaijan's borders, nationals and "
       "non-nationals alike, in the 'Border control' subsystem of IAMAS.",
       _MODULE2),
    _t("iamas", "IAMAS 'Entry-Exit and Registration'", "institution",
       "The Interagency Automated Information-Retrieval System through which the mandated "
       "institutions share the records they collect and can produce statistical tables.",
       _MODULE2),
    _t("ssc", "State Statistical Committee (SSC)", "institution",
       "Azerbaijan's official statistics office (its official English name; the curriculum "
       "writes 'State Statistics Committee'). It runs the census (latest 2019), keeps the "
       "population figures and publishes arrivals and departures with data it receives from the "
       "Ministry of Internal Affairs and the SMS. Module 2 says that its international migration "
       "statistics are, in general, compiled from SMS reports and concern non-nationals; the "
       "words 'in general' matter, because figures on citizens who leave, registered by the "
       "Ministry, have also been published (see the press figures in the kit's data).",
       f"{_MODULE2}; press reports of SSC figures (the kit's dataset press_figures)"),
    _t("mia", "Ministry of Internal Affairs (MIA)", "institution",
       "One of the sources of the arrivals and departures that the SSC publishes (Module 2). "
       "Module 5 lists it among the state bodies of migration management, next to the law on "
       "registration at places of residence and stay and the Migration Code's rules on the exit "
       "and entry of citizens. SSC figures quoted in the press describe citizens' departures "
       "for permanent residence abroad as registered by its passport service.",
       f"{_MODULE2}; {_MODULE5_ACTORS}; press report of SSC figures for 2007 "
       "(the kit's dataset press_figures)"),
    _t("mfa", "Ministry of Foreign Affairs (MFA)", "institution",
       "Defends the interests of the state and of its citizens and companies in other countries, "
       "and helps to build ties with Azerbaijanis who live abroad. The curriculum does not say "
       "what data on citizens abroad it keeps: a question for discussion.",
       _MODULE5_ACTORS),
    _t("mlspp", "Ministry of Labour and Social Protection of the Population (MLSPP)",
       "institution",
       "Shapes labour-migration policy with the other state bodies and gives its opinion when "
       "the SMS decides on work permits for foreigners; yearly quotas limit the number of such "
       "permits.",
       _MODULE5_ACTORS),
    _t("scridp", "State Committee for Affairs of Refugees and IDPs", "institution",
       "The main state body for refugees and internally displaced persons in Azerbaijan: their "
       "housing, jobs and social security. Refugees have crossed a border; IDPs have not, so they "
       "are outside international migration statistics although they are a large group.",
       _MODULE5_ACTORS),
    _t("diaspora_committee", "State Committee for Work with Diaspora", "institution",
       "The state body for relations with Azerbaijanis living abroad, under the law on state "
       "policy towards them. Module 5 does not describe data it collects; what it could add to "
       "migration statistics is a question for discussion.",
       _MODULE5_ACTORS),
])


def ids() -> list[str]:
    """Every glossary id: the UN concepts first, then the course terms."""
    from .concepts import CONCEPTS

    return [*CONCEPTS, *TERMS]


def entry(id: str) -> object:
    """One glossary entry (a :class:`migdata.concepts.Concept` or a :class:`Term`).

    Raises
    ------
    UnknownValueError
        If the id is neither a UN concept nor a course term; the message lists the ids.
    """
    from .concepts import CONCEPTS

    if id in CONCEPTS:
        return CONCEPTS[id]
    if id in TERMS:
        return TERMS[id]
    raise UnknownValueError(f"unknown glossary term {id!r}; known terms: {', '.join(ids())}")


def table(terms: Iterable[str] | None = None, kind: str | None = None) -> pd.DataFrame:
    """The glossary as a table (columns id, name, name_az, name_ru, translation_source, kind,
    summary, source; the translations are those of :func:`translations`).

    Parameters
    ----------
    terms : iterable of str, optional
        The ids to include, in this order; default all.
    kind : str, optional
        Keep only entries of this kind (e.g. ``"stock"``, ``"data_source"``, ``"institution"``).

    Raises
    ------
    UnknownValueError
        For an unknown id or a kind no entry has.
    """
    import pandas as pd

    chosen = [entry(t) for t in (ids() if terms is None else terms)]
    if kind is not None:
        kinds = sorted({e.kind for e in (entry(i) for i in ids())})
        if kind not in kinds:
            raise UnknownValueError(f"unknown glossary kind {kind!r}; known kinds: {kinds}")
        chosen = [e for e in chosen if e.kind == kind]
    names = translations()
    return pd.DataFrame(
        [{"id": e.id, "name": e.name, **names.get(e.id, _NO_TRANSLATION), "kind": e.kind,
          "summary": e.summary, "source": e.source}
         for e in chosen]
    )


def markdown(*terms: str, languages: bool = False) -> str:
    """Markdown text with the name, meaning and source of each term (for notebooks).

    With ``languages=True`` each entry also gives its Azerbaijani and Russian names and where
    that wording comes from, in a fold that one click opens ("Azərbaycanca · По-русски"), so a
    notebook's glossary box stays short. The term's code name (its id) is not shown: students
    read the name in words.
    """
    parts = []
    names = translations() if languages else {}
    for t in terms:
        e = entry(t)
        text = f"**{e.name}**: {e.summary}  \n*Source: {e.source}.*"
        if languages:
            n = names.get(e.id, _NO_TRANSLATION)
            text += ("\n\n<details><summary>Azərbaycanca · По-русски</summary>\n\n"
                     f"Azərbaycanca: **{n['name_az'] or '(no translation yet)'}** · "
                     f"По-русски: **{n['name_ru'] or '(no translation yet)'}**  \n"
                     f"*Wording: {n['translation_source']}.*\n\n</details>")
        parts.append(text)
    return "\n\n".join(parts)


def show(*terms: str, languages: bool = False) -> object:
    """Display glossary entries in a notebook (an IPython Markdown object).

    ``languages=True`` adds the Azerbaijani and Russian names (see :func:`translations`).
    """
    from IPython.display import Markdown

    return Markdown(markdown(*terms, languages=languages))


_NO_TRANSLATION: Final[dict[str, str]] = {
    "name_az": "", "name_ru": "", "translation_source": "no translation yet"}


@cache
def translations() -> dict[str, dict[str, str]]:
    """Azerbaijani and Russian names of the glossary terms, with the source of their wording.

    Read from ``glossary_translations.csv`` next to this module (columns id, name_az, name_ru,
    translation_source). ``translation_source`` names the stored text a wording was seen in, or
    says "kit translation, not checked against an official text".
    """
    import csv
    from importlib.resources import files

    text = files(__package__).joinpath("glossary_translations.csv").read_text(encoding="utf-8")
    return {row["id"]: {"name_az": row["name_az"], "name_ru": row["name_ru"],
                        "translation_source": row["translation_source"]}
            for row in csv.DictReader(text.splitlines())}
