"""The Unit 2.4 tasks as data: what each asks, its key terms and the data tables it needs.

One :class:`Task` per topic of the curriculum's Unit 2.4 (Module 2): the four presentation
topics of 2.4.1 (notebooks ``24a``-``24d``) and the two non-formal case studies of 2.4.2
(notebook ``24e``). :mod:`migdata.publish.workbooks` writes an Excel workbook per task and
:mod:`migdata.publish.handouts` a printable handout, both from these specifications, so a group
can work with no Python. Every figure comes from :func:`migdata.datasets.load`; nothing is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TASKS", "DataTable", "Task", "figure_columns", "handout_view", "source_text",
           "table_data"]

SOUTH_CAUCASUS: Final = ["ARM", "AZE", "GEO"]
YEARS_2014_2024: Final = list(range(2014, 2025))
LAST_5: Final = list(range(2019, 2024))


@dataclass(frozen=True)
class DataTable:
    """A slice of a curated dataset, and how a printed handout shows it.

    ``filters`` select the rows (workbook sheet: every row, every column). The handout applies
    ``handout_filters`` as well and shows ``value`` as a table with ``index`` rows and
    ``columns`` columns. Only ``sum_over`` (e.g. countries of asylum) may be summed; any other
    repeated cell is an error, so revisions or vintages are never added up. ``top`` keeps the
    rows with the largest totals.
    """

    key: str
    title: str
    dataset: str
    filters: dict[str, Any]
    value: str
    index: list[str]
    columns: str | None = None
    handout_filters: dict[str, Any] = field(default_factory=dict)
    top: int | None = None
    note: str = ""
    sum_over: str | None = None  # the column the handout sums over (others must be unique)


@dataclass(frozen=True)
class Task:
    """One Unit 2.4 task."""

    id: str
    title: str
    path: str  # "2.4.1" (presentation, students) or "2.4.2" (non-formal)
    curriculum: str
    notebook: str
    questions: list[str]
    terms: list[str]
    tables: list[DataTable]


_WPP_RATE = DataTable(
    "wpp_rate", "Net migration rate, WPP 2024 (per 1,000 population)", "wpp_net_migration",
    {"country": SOUTH_CAUCASUS, "year": YEARS_2014_2024}, "net_migration_rate",
    ["year", "variant"], "country",
    note="2024 belongs to the medium projection, not the estimates: a forecast, not a count.")

TASKS: Final[dict[str, Task]] = {t.id: t for t in [
    Task(
        "24a_net_migration_rates", "Net migration rates in the South Caucasus, 2014-2024",
        "2.4.1", "Module 2, Unit 2.4.1, first suggested presentation topic",
        "24a_net_migration_rates.ipynb",
        ["Which of the three countries lost most people through migration, relative to its "
         "size, and in which years?",
         "Do the UN (WPP 2024), the World Bank (WDI) and Geostat agree for Georgia? Where they "
         "differ, which definition or method explains it?",
         "Which years are estimates and which are projections? What would change in your "
         "story if you used only estimates?",
         "Where is there no figure, and why might that be?"],
        ["net_migration", "net_migration_rate", "projection", "balancing_equation",
         "rule_183_days"],
        [_WPP_RATE,
         DataTable("wpp_net", "Net migration, WPP 2024 (thousand persons)", "wpp_net_migration",
                   {"country": SOUTH_CAUCASUS, "year": YEARS_2014_2024}, "net_migration",
                   ["year", "variant"], "country"),
         DataTable("wdi_net", "Net migration, World Bank WDI (persons)", "wdi",
                   {"country": SOUTH_CAUCASUS, "year": YEARS_2014_2024,
                    "indicator": "SM.POP.NETM"}, "value", ["year"], "country"),
         DataTable("wdi_pop", "Population, World Bank WDI (persons)", "wdi",
                   {"country": SOUTH_CAUCASUS, "year": YEARS_2014_2024,
                    "indicator": "SP.POP.TOTL"}, "value", ["year"], "country"),
         DataTable("geostat_flows", "Georgia: immigrants and emigrants, Geostat (persons)",
                   "geostat_migration", {"sex": "total", "citizenship": "all"}, "persons",
                   ["year"], "flow"),
         DataTable("geostat_pop", "Georgia: population on 1 January, Geostat (persons)",
                   "geostat_population", {}, "population", ["year", "estimate_basis"])],
    ),
    Task(
        "24b_emigration_destinations", "Emigration from the South Caucasus and its destinations",
        "2.4.1", "Module 2, Unit 2.4.1, second suggested presentation topic",
        "24b_emigration_destinations.ipynb",
        ["Where do people born in Armenia, Azerbaijan and Georgia live abroad? Which are the "
         "main destinations and how did the ranking change since 1990?",
         "The UN figures are stocks (people living abroad on a date), not yearly flows. What "
         "can and cannot be said about emigration 'within 2014-2024' from them?",
         "How large are refugee numbers next to the migrant stocks, and what do they count?"],
        ["emigrant_stock", "foreign_born", "emigration", "census"],
        [DataTable("un_stock", "Emigrants by country of residence, UN DESA International "
                   "Migrant Stock 2019 (persons, both sexes)", "un_migrant_stock",
                   {"origin": SOUTH_CAUCASUS, "sex": "total"}, "stock", ["destination"],
                   "origin", handout_filters={"year": 2019}, top=12,
                   note="Handout: mid-2019, the 12 largest destinations; the workbook holds "
                        "every destination and every year of the revision."),
         DataTable("unhcr_origin", "Refugees from the South Caucasus, by year, UNHCR (persons; "
                   "handout: summed over countries of asylum)", "unhcr_population",
                   {"origin": SOUTH_CAUCASUS, "year": YEARS_2014_2024}, "persons", ["year"],
                   "origin", handout_filters={"measure": "refugees"}, sum_over="asylum")],
    ),
    Task(
        "24c_emigration_to_russia_by_decade",
        "Emigration from the South Caucasus to Russia by decade, 1990-2020",
        "2.4.1", "Module 2, Unit 2.4.1, third suggested presentation topic (Revision 2024 of the "
                 "UN estimates reaches 2020; Revision 2019 stops in 2019)",
        "24c_emigration_to_russia_by_decade.ipynb",
        ["How did the number of people born in each country and living in Russia change in "
         "1990-2000, 2000-2010 and 2010-2020 (Revision 2024)? Does Revision 2019 tell the same "
         "story for the years it covers?",
         "A change in a stock is not the number who emigrated: which events (deaths, returns, "
         "moves on, new estimates, border changes) also change a stock counted by place of "
         "birth? Why does naturalisation not change it?",
         "What might explain the trends? Separate what the data show from what you suppose."],
        ["emigrant_stock", "immigrant_stock", "foreign_born", "returned_migrants"],
        [DataTable("un_stock_rus_2024", "Persons born in the South Caucasus living in Russia, "
                   "UN DESA International Migrant Stock, Revision 2024 (persons)",
                   "un_migrant_stock",
                   {"origin": SOUTH_CAUCASUS, "destination": "RUS", "revision": 2024}, "stock",
                   ["year", "sex"], "origin",
                   note="Revision 2024 re-estimated past years: never mix its figures with "
                        "Revision 2019 in one series."),
         DataTable("un_stock_rus", "Persons born in the South Caucasus living in Russia, UN DESA "
                   "International Migrant Stock, Revision 2019 (persons)", "un_migrant_stock",
                   {"origin": SOUTH_CAUCASUS, "destination": "RUS"}, "stock", ["year", "sex"],
                   "origin"),
         DataTable("wdi_pop_1990", "Population of the countries of origin, World Bank WDI "
                   "(persons)", "wdi",
                   {"country": SOUTH_CAUCASUS, "indicator": "SP.POP.TOTL",
                    "year": [1990, 1995, 2000, 2005, 2010, 2015, 2019]}, "value", ["year"],
                   "country")],
    ),
    Task(
        "24d_migrant_definition_azerbaijan",
        "Who is a 'migrant' in Azerbaijan's statistics? Permanent immigration, last 5 years",
        "2.4.1", "Module 2, Unit 2.4.1, fourth suggested presentation topic",
        "24d_migrant_definition_azerbaijan.ipynb",
        ["The SSC publishes arrivals and departures 'for permanent residence'. How does that "
         "differ from the UN definition of an immigrant or emigrant?",
         "Which institution records what (SMS, MIA, SBS, SSC)? Which migrants can none of them "
         "see?",
         "Which figures for 2019-2023 are available in the kit, from whom, and which are press "
         "reports rather than official tables? Where is there no data?"],
        ["international_migrant", "immigration", "usual_residence", "ssc", "sms", "mia",
         "iamas"],
        [DataTable("azstat_aze", "Azerbaijan: arrivals and departures for permanent residence, "
                   "SSC figures as tabulated by Agora (secondary) and quoted in the press "
                   "(units differ, see the unit column)", "azstat_migration",
                   {"partner": "all countries", "partial_year": False,
                    "measure": ["arrived_for_permanent_residence",
                                "departed_for_permanent_residence",
                                "migration_increase_as_printed"]},
                   "value", ["year", "quality", "unit"], "measure",
                   handout_filters={"year": list(range(2018, 2023))},
                   note="Handout: 2018-2022; the workbook holds 1991-2022. No figure for 2023 "
                        "or 2024 was found."),
         DataTable("az_sms_aze", "State Migration Service figures quoted in the press and on "
                   "its site (persons)", "az_sms", {"partner": "all"}, "value",
                   ["period", "measure"], None,
                   note="Different measures (applications, permits issued, registrations) are "
                        "not interchangeable."),
         DataTable("press_aze", "Azerbaijan: figures reported in the press (secondary "
                   "sources; units differ, see the unit column)", "press_figures",
                   {"country": "AZE"}, "value", ["period", "measure", "unit"], None),
         DataTable("wpp_aze", "Azerbaijan: net migration, WPP 2024 (thousand persons)",
                   "wpp_net_migration", {"country": "AZE", "year": LAST_5}, "net_migration",
                   ["year", "variant"], None),
         DataTable("wdi_aze", "Azerbaijan: net migration, World Bank WDI (persons)", "wdi",
                   {"country": "AZE", "year": LAST_5, "indicator": "SM.POP.NETM"}, "value",
                   ["year"], None),
         DataTable("un_totals_aze", "Azerbaijan: international migrant stock, UN DESA "
                   "(persons)", "un_migrant_stock_totals",
                   {"country": "AZE", "measure": "migrant_stock", "sex": "total"}, "value",
                   ["year", "unit"], "revision",
                   note="Two revisions of the UN estimates (2019 and 2020) are shown side by "
                        "side: never mix them in one series.")],
    ),
    Task(
        "24e_population_change", "Population change in Azerbaijan and the 'migrant' population",
        "2.4.2", "Module 2, Unit 2.4.2, first non-formal case study",
        "24e_nonformal_population_change_and_data_gaps.ipynb",
        ["How did Azerbaijan's population change over the last five years with figures? How "
         "much of the change does net migration explain, by the UN estimates?",
         "What happened to the numbers of refugees, asylum seekers and internally displaced "
         "persons? Are IDPs migrants in the UN sense?",
         "Where do the sources give no figure?"],
        ["balancing_equation", "net_migration", "idps", "foreign_born", "census"],
        [DataTable("azstat_pop", "Azerbaijan: population as quoted from the SSC (press and "
                   "secondary; units differ, see the unit column)", "azstat_population", {},
                   "value", ["period", "value_as_printed", "unit", "quality"], None,
                   note="Series break: 1 January 2023 is recalculated on the 2019 census; do "
                        "not read the 2022-2023 difference as population change."),
         DataTable("un_stock_aze_2024", "Foreign-born residents of Azerbaijan by country of "
                   "birth, UN DESA International Migrant Stock, Revision 2024 (persons, both "
                   "sexes)", "un_migrant_stock",
                   {"destination": "AZE", "sex": "total", "revision": 2024}, "stock",
                   ["origin"], None, handout_filters={"year": 2020}, top=10,
                   note="Handout: 2020, the 10 largest countries of birth; the workbook holds "
                        "every origin and year of the revision."),
         DataTable("wdi_pop_aze", "Azerbaijan: population, World Bank WDI (persons)", "wdi",
                   {"country": "AZE", "indicator": "SP.POP.TOTL", "year": YEARS_2014_2024},
                   "value", ["year"], None),
         DataTable("wpp_aze_est", "Azerbaijan: net migration, WPP 2024 (thousand persons)",
                   "wpp_net_migration", {"country": "AZE", "year": YEARS_2014_2024},
                   "net_migration", ["year", "variant"], None),
         DataTable("unhcr_in_aze", "People of concern to UNHCR in Azerbaijan (persons; "
                   "handout: summed over countries of origin)", "unhcr_population",
                   {"asylum": "AZE", "year": YEARS_2014_2024}, "persons", ["year"], "measure",
                   sum_over="origin"),
         DataTable("idps_aze", "Azerbaijan: internally displaced persons, UNHCR and IDMC "
                   "(persons)", "idps", {"country": "AZE", "year": YEARS_2014_2024}, "persons",
                   ["year"], "source")],
    ),
    Task(
        "24e_data_management_gaps", "Shortcomings of migration data management in Azerbaijan",
        "2.4.2", "Module 2, Unit 2.4.2, second non-formal case study",
        "24e_nonformal_population_change_and_data_gaps.ipynb",
        ["List the kinds of migrants in the UN definitions (flows, stocks, temporary "
         "mobility). Which of them does any Azerbaijani source in this workbook count?",
         "The curriculum says the SSC's international migration figures come, in general, from "
         "the SMS and cover non-nationals, yet the press has quoted SSC figures on citizens. "
         "Who is in each figure you use, and who is missing from it?",
         "Compare the UN estimate of net migration with the press figures of arrivals and "
         "departures for permanent residence. Why can both be 'right'?",
         "What would you ask each institution (SMS, SBS, MIA, SSC) to publish?"],
        ["ssc", "sms", "sbs", "mia", "umis", "iamas", "immigration", "emigration",
         "circular_mobility"],
        [DataTable("az_sms_stock", "Foreigners living in Azerbaijan on 14 January 2021, by "
                   "citizenship, State Migration Service via the press (persons)", "az_sms",
                   {"measure": "foreigners_living_in_country"}, "value", ["partner"], None),
         DataTable("press_aze_gaps", "Azerbaijan: arrivals and departures reported in the press "
                   "(secondary sources; units differ, see the unit column)", "press_figures",
                   {"country": "AZE"}, "value", ["period", "measure", "unit"], None),
         DataTable("wpp_aze_gaps", "Azerbaijan: net migration, WPP 2024 (thousand persons)",
                   "wpp_net_migration", {"country": "AZE", "year": YEARS_2014_2024},
                   "net_migration", ["year", "variant"], None),
         DataTable("un_totals_aze_gaps", "Azerbaijan: international migrant stock and refugees, "
                   "UN DESA (units differ, see the unit column)", "un_migrant_stock_totals",
                   {"country": "AZE", "sex": "total",
                    "measure": ["migrant_stock", "refugee_stock"]}, "value",
                   ["year", "measure", "unit"], "revision",
                   note="Two revisions of the UN estimates (2019 and 2020) are shown side by "
                        "side: never mix them in one series.")],
    ),
]}


def table_data(table: DataTable, *, handout: bool = False) -> pd.DataFrame:
    """The rows of a :class:`DataTable` (with ``handout=True``, also its handout filters)."""
    from .. import datasets

    filters = {**table.filters, **(table.handout_filters if handout else {})}
    return datasets.load(table.dataset, **filters)


def figure_columns(dataset: str) -> dict[str, str]:
    """Figure column -> unit of a dataset (``"see the unit column"`` where rows differ)."""
    from .. import datasets

    return datasets.describe(dataset)["units"]


def source_text(dataset: str) -> str:
    """One line naming a dataset's sources (publisher and title) and its vintage."""
    from .. import datasets

    meta = datasets.describe(dataset)
    sources = "; ".join(s.get("title", "") for s in meta.get("sources", []))
    vintage = meta.get("vintage", "")
    return f"{sources}" + (f" (version: {vintage})" if vintage else "")


def handout_view(table: DataTable) -> pd.DataFrame:
    """The table a printed handout shows: ``value`` by ``index`` and ``columns``.

    Values are summed where several rows meet (``min_count=1``: a cell with no figure stays
    empty, never 0). ``top`` keeps the rows with the largest totals.
    """
    from ..errors import InvalidInputError

    data = table_data(table, handout=True)
    keys = table.index + ([table.columns] if table.columns else [])
    sizes = data.groupby(keys, dropna=False, observed=True).size()
    if table.sum_over is None and (sizes > 1).any():
        raise InvalidInputError(
            f"handout table {table.key!r}: several rows of {table.dataset} fall in one cell "
            f"({sizes[sizes > 1].index[0]!r}); add the distinguishing column to index/columns "
            "or name the column to sum over"
        )
    grouped = data.groupby(keys, dropna=False, observed=True)[table.value].sum(min_count=1)
    # unstack keeps empty cells empty (pivot_table would drop all-empty rows)
    view = (grouped.unstack(table.columns) if table.columns  # noqa: PD010
            else grouped.to_frame(table.value))
    if table.top:
        view = view.loc[view.sum(axis=1, min_count=1).sort_values(ascending=False).index]
        view = view.head(table.top)
    return view
