"""Descriptive metadata of every curated dataset: the single place the data package is described.

:mod:`migdata.datasets.build` turns these specs into ``datasets/datapackage.json``; the loaders only
read that JSON. Each spec gives the resource's title, description, sources, licence, vintage,
caveats and fields (name, Frictionless type, description and, for figures, the unit).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MISSING_VALUES", "PACKAGE", "RESOURCES", "field"]

#: Cells that mean "no figure": only the empty cell. A gap stays a gap.
MISSING_VALUES = [""]

#: Licence stated by a source: the UN DESA migrant stock workbooks (see the raw PROVENANCE.md).
UN_LICENCE = {
    "name": "CC-BY-3.0-IGO",
    "title": "Creative Commons Attribution 3.0 IGO, as stated in the UN DESA International "
    "Migrant Stock workbooks",
    "path": "https://creativecommons.org/licenses/by/3.0/igo/",
}
#: WPP 2024: the licence is stated by the repository the raw files come from (PPgp/wpp2024).
WPP_LICENCE = {
    "name": "CC-BY-3.0-IGO",
    "title": "Creative Commons Attribution 3.0 IGO, as stated for WPP 2024 by the PPgp/wpp2024 "
    "repository the raw files come from (the raw text files carry no licence themselves)",
    "path": "https://creativecommons.org/licenses/by/3.0/igo/",
}


def _not_stated(publisher: str, terms: str) -> dict[str, str]:
    """A licence entry that says honestly that no raw file or provenance note states one."""
    return {
        "name": "not-stated",
        "title": f"No licence is stated in the raw files or their provenance notes; check "
        f"{publisher}'s terms ({terms}) before redistributing",
    }


WB_LICENCE = _not_stated("the World Bank", "https://datacatalog.worldbank.org/public-licenses")
UNHCR_LICENCE = _not_stated("UNHCR", "https://www.unhcr.org/refugee-statistics/")
IDMC_LICENCE = _not_stated("IDMC", "https://www.internal-displacement.org")
NATIONAL_LICENCE = _not_stated("the national statistical office", "geostat.ge, armstat.am")
PRESS_LICENCE = _not_stated(
    "each article's publisher", "the source_url of the row; the figures are quoted facts"
)

def field(
    name: str, ftype: str, description: str, unit: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Return one Table Schema field (``unit`` is a custom property naming the unit of a figure)."""
    spec: dict[str, Any] = {"name": name, "type": ftype, "description": description}
    if unit is not None:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def _row(description: str = "1-based line number in the raw file (line 1 is the header)") -> dict:
    return field("source_row", "integer", description)


PACKAGE: dict[str, Any] = {
    "name": "migdata-south-caucasus",
    "title": "migdata: curated South Caucasus migration datasets",
    "description": (
        "Tidy extracts of official migration figures for Armenia, Azerbaijan and Georgia (and the "
        "whole world where the source covers it), regenerated reproducibly from the raw files by "
        "`python -m migdata.datasets.build`. No figure is typed, estimated or filled in; gaps are "
        "empty cells; revisions and vintages are columns and are never mixed in one series. "
        "Raw files deliberately not used: worldbank_wdi/datasets_population/population.csv (a "
        "later, undated WDI population vintage), the raw folders' subsets "
        "(south_caucasus_wdi*.csv, south_caucasus_2019.csv, wpp2024_net_migration.csv: every "
        "figure in them is in the full files used here) and the computed UNHCR sums "
        "(unhcr_totals_in_country.csv, unhcr_totals_from_country.csv: derived, not published "
        "figures), and the inputs of the raw folders' own extraction scripts (the hand-copied "
        "windows un_desa_migrant_stock/rev2024_partial/transcribed/offset_*.csv, whose every "
        "line is a row of undesa_ims2024_south_caucasus_od.csv, and the stored_text/ excerpts "
        "behind the national CSVs)."
    ),
    "version": "1.0.0",
}

_WDI_SOURCES = [
    {
        "title": "World Bank, World Development Indicators, bulk CSV API_SM.POP.NETM_DS2 "
        "(Net migration), Last Updated Date 2025-04-15; byte-identical copy from GitHub "
        "enessargin/country_metrics_app (commit 1c345d79), not downloaded from the World Bank",
        "path": "https://api.worldbank.org/v2/country/all/indicator/SM.POP.NETM?downloadformat=csv",
        "publisher": "World Bank",
        "table": "SM.POP.NETM",
        "raw_file": "worldbank_wdi/API_SM.POP.NETM_DS2_en_csv_v2_19300.csv",
    },
    {
        "title": "World Bank, World Development Indicators, bulk CSV API_SP.POP.TOTL_DS2 "
        "(Population, total), Last Updated Date 2025-04-15; byte-identical copy from GitHub "
        "enessargin/country_metrics_app (commit 1c345d79), not downloaded from the World Bank",
        "path": "https://api.worldbank.org/v2/country/all/indicator/SP.POP.TOTL?downloadformat=csv",
        "publisher": "World Bank",
        "table": "SP.POP.TOTL",
        "raw_file": "worldbank_wdi/API_SP.POP.TOTL_DS2_en_csv_v2_19373.csv",
    },
    {
        "title": "World Bank country classification of the 2024-11-13 download (used only to "
        "flag aggregates); copy from GitHub HarisankarPanda/Population_Visualization "
        "(commit bebdbcac)",
        "path": "https://datahelpdesk.worldbank.org/knowledgebase/articles/906519",
        "publisher": "World Bank",
        "table": "Metadata_Country",
        "raw_file": "worldbank_wdi/companion_metadata_2024-11-13/"
        "Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_56.csv",
    },
]

_UN_STOCK_OD_SOURCE = {
    "title": "UN DESA Population Division, International Migrant Stock 2019: by destination and "
    "origin (POP/DB/MIG/Stock/Rev.2019), Table 1, via a third-party CSV export "
    "(DiTo97/international-migrant-stock-1990-2020), tidied by the raw folder's extract.py",
    "path": "https://www.un.org/en/development/desa/population/migration/data/estimates2/data/"
    "UN_MigrantStockByOriginAndDestination_2019.xlsx",
    "publisher": "United Nations, Department of Economic and Social Affairs, Population Division",
    "table": "UN_MigrantStockByOriginAndDestination_2019, Table 1",
    "raw_file": "un_desa_migrant_stock/od_matrix_2019.csv.gz",
}

_UN_STOCK_OD_2024_SOURCE = {
    "title": "UN DESA Population Division, International Migrant Stock 2024: by destination and "
    "origin (POP/DB/MIG/Stock/Rev.2024), via a third-party tidy CSV export "
    "(X80110/migration-visualization, commit ba303d48), partial: rows with Armenia, Azerbaijan "
    "or Georgia as destination, or as origin in four destinations",
    "path": "https://www.un.org/development/desa/pd/sites/www.un.org.development.desa.pd/files/"
    "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx",
    "publisher": "United Nations, Department of Economic and Social Affairs, Population Division",
    "table": "undesa_pd_2024_ims_stock_by_sex_destination_and_origin, Table 1",
    "raw_file": "un_desa_migrant_stock/rev2024_partial/undesa_ims2024_south_caucasus_od.csv",
}

_OD_ROWMAP = (
    "source_row and source_col are the 1-based row and column of the cell in the DiTo97 CSV of "
    "the row's sex: sex=total -> migrants_by_origin_and_destination_total.csv, male -> "
    "..._male.csv, female -> ..._female.csv (under un_desa_migrant_stock/source/"
    "DiTo97__international-migrant-stock-1990-2020/dashboard/app/data/csv/); the same cell is "
    "the row of od_matrix_2019.csv.gz with equal sex, source_row and source_col."
)

_OD_CAVEATS = [
    "Revision 2019 (POP/DB/MIG/Stock/Rev.2019) for the whole world; the 2020 origin-destination "
    "matrix was not available. Do not combine with un_migrant_stock_totals revision 2020.",
    "The matrix is a third-party CSV export of the UN workbook; two independent exports agree "
    "cell by cell and its totals match the raw UN totals workbook.",
    "Type of data (un_migrant_stock_totals, Rev.2019): Armenia and Azerbaijan are 'B R', i.e. "
    "UNHCR refugees are added to the foreign-born count, so their stock is not purely "
    "foreign-born; Georgia and the Russian Federation are 'B' (foreign-born). The raw files "
    "give the type of data for these four destinations only.",
    "1990 figures for former Soviet republics count people born in other Soviet republics as "
    "international migrants.",
    "Cells that are blank in the source have no row; '..' (not available) and '-' cells have "
    "an empty stock with the published symbol in stock_note.",
    "Azerbaijan includes Nagorno-Karabakh and Georgia includes Abkhazia and South Ossetia "
    "(Rev.2019 notes 5 and 7).",
]

#: The last fields of both OD resources: sex, the figure and where its cell is.
_OD_CELL_FIELDS = [
    field("sex", "string", "total, male or female", constraints={
        "enum": ["total", "male", "female"]}),
    field("stock", "integer", "International migrant stock", unit="persons"),
    field("stock_note", "string", "Published symbol ('..' not available, '-' nil) or the "
          "unrounded text when the cell was not a plain integer"),
    field("source_row", "integer", "Row of the cell in the raw CSV (see row_mapping)"),
    field("source_col", "integer", "Column of the cell in the raw CSV"),
]

RESOURCES: list[dict[str, Any]] = [
    {
        "name": "wdi",
        "path": "wdi.csv",
        "title": "World Bank WDI: net migration and total population, all economies and aggregates",
        "description": (
            "World Development Indicators SM.POP.NETM (net migration, persons, annual) and "
            "SP.POP.TOTL (population, total) for every economy and aggregate in the 2025-04-15 "
            "bulk files, one row per country, indicator and year, including years without a "
            "figure (empty value)."
        ),
        "sources": _WDI_SOURCES,
        "licenses": [WB_LICENCE],
        "vintage": "WDI Last Updated Date 2025-04-15",
        "caveats": [
            "SM.POP.NETM is credited by WDI to UN Population Division World Population Prospects, "
            "but the WPP revision behind this vintage is unconfirmed (no indicator metadata file "
            "was available). Prefer wpp_net_migration when the revision matters.",
            "SP.POP.TOTL has no figures for 2024 in this vintage (all 2024 cells empty).",
            "Net migration for 2022-2024 is very volatile (e.g. UKR 2022, RUS 2022, ARM 2022-23); "
            "these are the published figures.",
            "Georgia's figures exclude Abkhazia and South Ossetia (World Bank country note).",
            "Some values repeat over years in the source (e.g. AZE -3847 in 1967-1975, AZE "
            "1073 in 2014, 2015, 2020 and 2021, years that are not all consecutive, GEO -2738 "
            "in 2020-2021); they are kept as published. A repeated value is not always the "
            "previous year's: AZE 2020 repeats 2015, not 2019.",
            "Country codes are the World Bank's: ISO 3166-1 alpha-3 for economies except XKX "
            "(Kosovo) and CHI (Channel Islands); aggregates (WLD, EAS, ...) have "
            "is_aggregate=true.",
            "is_aggregate comes from the World Bank country classification file of the "
            "2024-11-13 download (an aggregate is a code without a region). INX (Not "
            "classified) is not in that file, so its is_aggregate is empty (unknown); it has "
            "no figure in either indicator.",
            "A later, undated WDI population vintage in the raw folder "
            "(datasets_population/population.csv) is deliberately not included, so that one "
            "vintage is used per indicator.",
        ],
        "row_mapping": "source_row is the 1-based physical line of the country in the raw file of "
        "the row's indicator (SM.POP.NETM -> API_SM.POP.NETM_..., SP.POP.TOTL -> "
        "API_SP.POP.TOTL_...); the value is in the column headed by the year.",
        "primaryKey": ["country", "indicator", "year"],
        "fields": [
            field("country", "string", "World Bank country or aggregate code (ISO3 for economies)"),
            field("country_name", "string", "Country or aggregate name as published"),
            field("is_aggregate", "boolean", "True for regional/income aggregates and WLD; "
                  "empty where the classification file lacks the code (INX)"),
            field("indicator", "string", "WDI indicator code (SM.POP.NETM or SP.POP.TOTL)"),
            field("year", "integer", "Calendar year"),
            field(
                "value",
                "number",
                "Published figure as printed in the bulk file",
                unit="persons",
            ),
            field("vintage", "string", "WDI Last Updated Date of the bulk file"),
            _row(),
        ],
    },
    {
        "name": "un_migrant_stock",
        "path": "un_migrant_stock.csv.gz",
        "title": "UN DESA International Migrant Stock, origin x destination, country to country "
        "(Revision 2019, and Revision 2024 for the South Caucasus)",
        "description": (
            "Mid-year international migrant stock by country of destination and country of "
            "origin as published, by sex. Revision 2019: 1990, 1995, 2000, 2005, 2010, 2015 and "
            "2019 for the whole world. Revision 2024 (a partial extract): 1990, 1995, 2000, 2005, "
            "2010, 2015, 2020 and 2024 for every origin in Armenia, Azerbaijan and Georgia, and "
            "for Armenia, Azerbaijan and Georgia as origins in the Russian Federation, Ukraine, "
            "the Republic of Moldova and Bulgaria only. Only rows where both origin and "
            "destination are countries or areas (M49 code < 900); Revision 2019 aggregates are "
            "in un_migrant_stock_aggregates. The revision column says which revision a row "
            "belongs to; load() returns Revision 2019 unless revision= is given."
        ),
        "sources": [_UN_STOCK_OD_SOURCE, _UN_STOCK_OD_2024_SOURCE],
        "licenses": [UN_LICENCE],
        "vintage": "Revision 2019 (POP/DB/MIG/Stock/Rev.2019) and, in rows with revision 2024, "
        "Revision 2024 (POP/DB/MIG/Stock/Rev.2024); one revision per row",
        "caveats": [
            "Two revisions are in this table, one per row (revision = 2019 or 2024). "
            "migdata.datasets.load('un_migrant_stock') returns only revision 2019 unless "
            "revision= is given (e.g. revision=2024, or revision=[2019, 2024] to get both, "
            "to compare them side by side); the migdata indicators refuse a frame that mixes "
            "revisions. Never add or difference figures of two revisions as if they were one "
            "series: Revision 2024 re-estimated past years too.",
            "Revision 2024 is PARTIAL: complete only for the destinations Armenia, Azerbaijan "
            "and Georgia (every origin). As origins, Armenia, Azerbaijan and Georgia appear only "
            "in the Russian Federation, Ukraine, the Republic of Moldova and Bulgaria (and in "
            "each other); every other destination (USA, Germany, Israel, Turkiye, Kazakhstan, "
            "...) was not read. Totals or shares over destinations cannot be computed from "
            "Revision 2024 rows.",
            "Revision 2024 comes from a third-party tidy CSV export of the UN workbook "
            "(X80110/migration-visualization, 'Data 2025/formatted by year/data/"
            "stock_undesa_ims2024.csv', commit ba303d48), read in 16,000-character windows of a "
            "stored copy and copied by hand in the raw folder; male + female = total holds in "
            "every row. Verify against the UN workbook before publication.",
            "Revision 2024 changed many past values: e.g. Azerbaijan-born in Armenia in 1990 is "
            "464,459 in Revision 2019 and 164,457 in Revision 2024, while Armenia-born in the "
            "Russian Federation in 1990 (535,266) is unchanged.",
            *_OD_CAVEATS,
            "M49 areas without an ISO 3166-1 code are kept with an empty ISO3 and their M49 code: "
            "Channel Islands (830).",
        ],
        "row_mapping": "Rows with revision 2019: " + _OD_ROWMAP + " Rows with revision 2024: "
        "source_row is the 1-based line in un_desa_migrant_stock/rev2024_partial/"
        "undesa_ims2024_south_caucasus_od.csv and "
        "source_col the column of the figure there (8 stock_total, 9 stock_male, "
        "10 stock_female).",
        "default_filters": {"revision": 2019},
        "fields": [
            field("revision", "integer", "UN DESA revision of the estimates (2019 or 2024)"),
            field("year", "integer", "Reference year (stock at mid-year)"),
            field("origin", "string", "Country of origin, ISO 3166-1 alpha-3 (empty for 830)"),
            field("origin_m49", "integer", "Country of origin, UN M49 numeric code"),
            field("destination", "string", "Country of destination, ISO 3166-1 alpha-3"),
            field("destination_m49", "integer", "Country of destination, UN M49 numeric code"),
            *_OD_CELL_FIELDS,
        ],
    },
    {
        "name": "un_migrant_stock_aggregates",
        "path": "un_migrant_stock_aggregates.csv.gz",
        "title": "UN DESA International Migrant Stock, rows with a regional or total side",
        "description": (
            "The rows of the 2019 origin x destination matrix where the destination is an "
            "aggregate (WORLD, regions, income or development groups) or the origin is an "
            "aggregate column (Total, Other South, Other North), kept apart from the "
            "country-to-country matrix so that sums over un_migrant_stock never double count."
        ),
        "sources": [_UN_STOCK_OD_SOURCE],
        "licenses": [UN_LICENCE],
        "vintage": "Revision 2019 (POP/DB/MIG/Stock/Rev.2019)",
        "caveats": _OD_CAVEATS,
        "row_mapping": _OD_ROWMAP,
        "fields": [
            field("revision", "integer", "UN DESA revision of the estimates"),
            field("year", "integer", "Reference year (stock at mid-year)"),
            field("origin", "string", "Origin ISO3 when the origin is a country, else empty"),
            field("origin_name", "string", "Origin as published (country or aggregate column)"),
            field("origin_m49", "integer", "Origin M49 code (empty for Total/Other South/North)"),
            field("destination", "string", "Destination ISO3 when a country, else empty"),
            field("destination_name", "string", "Destination as published"),
            field("destination_m49", "integer", "Destination M49 code (>= 900 for aggregates)"),
            *_OD_CELL_FIELDS,
        ],
    },
    {
        "name": "un_migrant_stock_totals",
        "path": "un_migrant_stock_totals.csv",
        "title": "UN DESA International Migrant Stock totals, Revisions 2019 and 2020",
        "description": (
            "Destination totals from the raw UN workbooks UN_MigrantStockTotal_2019.xlsx and "
            "International Migrant Stock 2020: Destination, Tables 1-6 (stock by sex, total "
            "population, stock as % of population, female %, annual rate of change, refugees "
            "and asylum seekers) for Armenia, Azerbaijan, Georgia and the Russian Federation."
        ),
        "sources": [
            {
                "title": "UN DESA, International Migrant Stock 2019 "
                "(UN_MigrantStockTotal_2019.xlsx)",
                "path": "https://www.un.org/development/desa/pd/content/international-migrant-stock",
                "publisher": "United Nations, DESA, Population Division",
                "table": "Tables 1-6",
                "raw_file": "un_desa_migrant_stock/totals_2019.csv",
            },
            {
                "title": "UN DESA, International Migrant Stock 2020: Destination "
                "(undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx)",
                "path": "https://www.un.org/development/desa/pd/content/international-migrant-stock",
                "publisher": "United Nations, DESA, Population Division",
                "table": "Tables 1-6",
                "raw_file": "un_desa_migrant_stock/totals_2020.csv",
            },
        ],
        "licenses": [UN_LICENCE],
        "vintage": "Revisions 2019 and 2020, one per row in the revision column",
        "caveats": [
            "Two revisions are in this table: always filter on revision. They differ (e.g. "
            "Azerbaijan 2005: 302,220 in 2019 and 301,834 in 2020) and use different reference "
            "years (2019 vs 2020).",
            "type_of_data 'B R' (Armenia, Azerbaijan; Georgia in Rev.2020) means UNHCR refugees "
            "were added to the foreign-born stock; 'B' means foreign-born only (Georgia in "
            "Rev.2019, Russian Federation). Georgia's type changes between revisions.",
            "1990 figures for former Soviet republics count people born in other Soviet "
            "republics as international migrants, hence the large 1990 stocks.",
            "Rev.2019 notes: Azerbaijan includes Nagorno-Karabakh (note 5), Georgia includes "
            "Abkhazia and South Ossetia (note 7). In Rev.2020 both carry '*' (see notes) with an "
            "empty notes cell.",
            "Rates of change refer to periods (e.g. 1990-1995); year holds the period's last "
            "year and period the published label.",
            "'..' (not available) and '~' (fewer than 5, withheld) cells have an empty value "
            "and the symbol in value_note.",
            "Population (Table 2) is in thousands; percentages are in percent.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw totals CSV of the row's "
        "revision (2019 -> totals_2019.csv, 2020 -> totals_2020.csv); cell is the sheet and cell "
        "of the UN workbook (the same cell address recurs on every sheet, so the sheet is part "
        "of it).",
        "fields": [
            field("revision", "integer", "UN DESA revision (2019 or 2020)"),
            field("year", "integer", "Reference year, or last year of a rate-of-change period"),
            field("period", "string", "Period as published (a year, or e.g. 1990-1995)"),
            field("country", "string", "Country of destination, ISO 3166-1 alpha-3"),
            field("country_m49", "integer", "UN M49 code"),
            field("measure", "string", "Short measure id (see unit)", constraints={"enum": [
                "migrant_stock", "population", "migrant_stock_pct_population",
                "female_pct_migrant_stock", "migrant_stock_annual_change_pct",
                "refugee_stock", "refugee_pct_migrant_stock", "refugee_stock_annual_change_pct",
            ]}),
            field("sex", "string", "total, male or female"),
            field("value", "number", "Published figure", unit="see the unit column"),
            field("unit", "string", "Unit of value: persons, thousand persons, percent, "
                  "percent per year"),
            field("value_note", "string", "Published symbol when the cell held no number"),
            field("type_of_data", "string", "UN type of data: B = foreign-born, "
                  "B R = foreign-born plus refugees"),
            field("indicator_label", "string", "Indicator as worded in the workbook"),
            field("cell", "string", "Sheet and cell in the UN workbook, e.g. 'Table 1'!L104"),
            _row(),
        ],
    },
    {
        "name": "wpp_net_migration",
        "path": "wpp_net_migration.csv",
        "title": "UN World Population Prospects 2024: net migration and crude net migration rate",
        "description": (
            "Annual net migration (thousands, as published) and crude net migration rate (per "
            "1,000 population) for every country or area, estimates 1950-2023 and the medium "
            "variant projection 2024-2100."
        ),
        "sources": [
            {
                "title": "UN DESA Population Division, World Population Prospects 2024, via the "
                "wpp2024 R package data-raw files (PPgp/wpp2024)",
                "path": "https://population.un.org/wpp/",
                "publisher": "United Nations, DESA, Population Division",
                "table": "Net migration; crude net migration rate",
                "raw_file": "national_statistics/un_wpp2024/{migration,migrationprojMed,cnmr,"
                "cnmrprojMed}.txt",
            }
        ],
        "licenses": [WPP_LICENCE],
        "vintage": "WPP 2024 (released 11 July 2024)",
        "caveats": [
            "net_migration is in THOUSANDS of persons, as WPP publishes it (not persons as in "
            "wdi); net_migration_rate is per 1,000 population. Multiply net_migration by 1,000 "
            "to compare with WDI.",
            "2024-2100 rows are projections (variant = medium projection), not observations.",
            "Only countries and areas (M49 code < 900) are included; the regional aggregates of "
            "the raw files are not. Kosovo (412) has no ISO 3166-1 code: its rows keep an empty "
            "country and country_m49 = 412.",
        ],
        "row_mapping": "net_migration_source_row / net_migration_rate_source_row are the 1-based "
        "lines in migration.txt / cnmr.txt (estimates) or migrationprojMed.txt / "
        "cnmrprojMed.txt (medium projection); the value is in the column headed by the year.",
        "fields": [
            field("country", "string", "ISO 3166-1 alpha-3 (empty for Kosovo)"),
            field("country_m49", "integer", "UN M49 code"),
            field("country_name", "string", "Name as published by WPP"),
            field("year", "integer", "Calendar year"),
            field("variant", "string", "estimates or medium projection"),
            field("net_migration", "number", "Net number of migrants", unit="thousand persons"),
            field("net_migration_rate", "number", "Crude net migration rate",
                  unit="per 1,000 population"),
            field("net_migration_source_row", "integer", "Line in the raw net migration file"),
            field("net_migration_rate_source_row", "integer", "Line in the raw rate file"),
        ],
    },
    {
        "name": "geostat_migration",
        "path": "geostat_migration.csv",
        "title": "Geostat: immigrants and emigrants of Georgia by sex and citizenship, 2012-2025",
        "description": (
            "Number of immigrants and emigrants (Geostat table 33) by sex, for all persons and "
            "for citizens of Georgia."
        ),
        "sources": [
            {
                "title": "National Statistics Office of Georgia (Geostat), Number of immigrants "
                "and emigrants by sex and citizenship (table 33)",
                "path": "https://geostat.ge/media/78458/"
                "33-number-of-immigrants-and-emigrants-by-sex-and-citizenship.xlsx",
                "publisher": "National Statistics Office of Georgia (Geostat)",
                "table": "33",
                "raw_file": "national_statistics/geostat/"
                "geostat_immigrants_emigrants_by_sex_citizenship.csv",
            }
        ],
        "licenses": [NATIONAL_LICENCE],
        "vintage": "Geostat table 33 as retrieved 2026-10-01",
        "caveats": [
            "Counts come from border-crossing (border police, Ministry of Internal Affairs) data: "
            "an immigrant/emigrant is a person who stays in/away from Georgia for 183 days or more "
            "within 12 months (Geostat metadata 0902). This is a usual-residence rule, not a "
            "registration of permanent moves.",
            "The raw values were copied by hand (in the raw folder, not here) from a third-party "
            "text extraction of the Geostat xlsx (DuruMakh/geodata.ge), because the xlsx itself "
            "could not be read; male + female = total was checked for every triple.",
            "Foreigners are not given as a single total; all minus Georgia would be a derived "
            "figure and is not stored. The per-country citizenship rows of table 33 were not "
            "transcribed.",
            "Net migration (Geostat table 31) could not be read; immigrants minus emigrants is "
            "a derived figure and is not stored.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw CSV; source_cell is the Geostat "
        "sheet/cell.",
        "fields": [
            field("country", "string", "Reporting country (GEO)"),
            field("year", "integer", "Calendar year"),
            field("flow", "string", "immigrants or emigrants"),
            field("sex", "string", "total, male or female"),
            field("citizenship", "string", "all (every citizenship) or Georgia (citizens of "
                  "Georgia)"),
            field("persons", "integer", "Number of persons", unit="persons"),
            field("source_cell", "string", "Sheet and cell of the Geostat workbook"),
            _row(),
        ],
    },
    {
        "name": "geostat_population",
        "path": "geostat_population.csv",
        "title": "Geostat: population of Georgia on 1 January, 2004-2026",
        "description": "Population of Georgia on 1 January, persons, with the estimate basis.",
        "sources": [
            {
                "title": "Geostat, Population as of 1 January by regions and self-governed units",
                "path": "https://www.geostat.ge/media/78356/01-population-by-self-governed-unit.xlsx",
                "publisher": "National Statistics Office of Georgia (Geostat)",
                "table": "01 population by self-governed unit, row 5 (Georgia)",
                "raw_file": "national_statistics/geostat/geostat_population_1_january.csv",
            }
        ],
        "licenses": [NATIONAL_LICENCE],
        "vintage": "Geostat as retrieved 2026 (post-2024-census release)",
        "caveats": [
            "The raw values were copied by hand (in the raw folder, not here) from a third-party "
            "text extraction of the Geostat xlsx (DuruMakh/geodata.ge).",
            "Series breaks: 2004-2014 are retro-projections, 2015-2024 pre-census estimates and "
            "2025-2026 are based on the 2024 census. 2025 is not comparable with 2024; do not "
            "read the jump as population growth.",
            "The raw file does not state the territorial coverage. The World Bank notes that its "
            "Georgia figures exclude Abkhazia and South Ossetia, while UN DESA stock figures "
            "include them (Rev.2019 note 7): check Geostat's metadata before comparing.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw CSV.",
        "fields": [
            field("country", "string", "GEO"),
            field("year", "integer", "Year (population on 1 January)"),
            field("population", "integer", "Population on 1 January", unit="persons"),
            field("estimate_basis", "string", "retro-projection, pre-census estimate or based "
                  "on 2024 census"),
            field("source_cell", "string", "Sheet and cell of the Geostat workbook"),
            _row(),
        ],
    },
    {
        "name": "unhcr_population",
        "path": "unhcr_population.csv",
        "title": "UNHCR: forcibly displaced and stateless populations involving Armenia, "
        "Azerbaijan or Georgia",
        "description": (
            "Every non-zero UNHCR Refugee Population Statistics record (end-year stock) in which "
            "Armenia, Azerbaijan or Georgia is the country of asylum or of origin: refugees, "
            "asylum seekers, returned refugees, IDPs, returned IDPs, stateless persons, others of "
            "concern (ooc), others in need of international protection (oip), host community "
            "(hst)."
        ),
        "sources": [
            {
                "title": "UNHCR Refugee Population Statistics Database (R package refugees "
                "2025.12.1, population.rda)",
                "path": "https://api.unhcr.org/population/v1/population/",
                "publisher": "UNHCR",
                "table": "population",
                "raw_file": "national_statistics/unhcr/unhcr_population_records.csv",
            }
        ],
        "licenses": [UNHCR_LICENCE],
        "vintage": "refugees R package 2025.12.1 (data to end-2025)",
        "caveats": [
            "Records with zero or no value were dropped by the raw extraction; a missing row "
            "means zero or not reported.",
            "Codes are UNHCR's: ISO3 for countries, plus UNK (unknown origin) and XXA "
            "(stateless origin).",
            "UNHCR records the 2023 arrivals from Nagorno-Karabakh in Armenia with Azerbaijan as "
            "the country of origin.",
            "As countries of asylum the three appear from 1992 (ARM, AZE) and 1993 (GEO); the "
            "earlier rows (from 1964) have Armenia as the country of origin.",
            "For IDPs, stateless and returnees the country of asylum and of origin are usually "
            "the same country.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw CSV.",
        "fields": [
            field("year", "integer", "Year (end-year stock)"),
            field("origin", "string", "Country of origin, UNHCR code (ISO3, UNK, XXA)"),
            field("origin_name", "string", "Country of origin as named by UNHCR"),
            field("asylum", "string", "Country of asylum, ISO3"),
            field("asylum_name", "string", "Country of asylum as named by UNHCR"),
            field("measure", "string", "Population type", constraints={"enum": [
                "asylum_seekers", "hst", "idps", "ooc", "oip", "refugees", "returned_idps",
                "returned_refugees", "stateless"]}),
            field("persons", "integer", "End-year stock", unit="persons"),
            _row(),
        ],
    },
    {
        "name": "idps",
        "path": "idps.csv",
        "title": "Internally displaced persons in Armenia, Azerbaijan and Georgia: UNHCR and IDMC",
        "description": (
            "IDP figures from two publishers side by side: UNHCR's IDP and returned-IDP records "
            "(country of asylum = country of origin) and IDMC's conflict IDP stock as carried in "
            "the UNHCR refugees package. The source column says which; do not add them up."
        ),
        "sources": [
            {
                "title": "UNHCR Refugee Population Statistics Database (population.rda)",
                "path": "https://api.unhcr.org/population/v1/population/",
                "publisher": "UNHCR",
                "table": "population (idps, returned_idps)",
                "raw_file": "national_statistics/unhcr/unhcr_population_records.csv",
            },
            {
                "title": "Internal Displacement Monitoring Centre, conflict IDPs (idmc.rda in the "
                "UNHCR refugees package)",
                "path": "https://www.internal-displacement.org/database/displacement-data",
                "publisher": "IDMC",
                "table": "idmc",
                "raw_file": "national_statistics/unhcr/unhcr_idmc_idps.csv",
            },
        ],
        "licenses": [UNHCR_LICENCE, IDMC_LICENCE],
        "vintage": "refugees R package 2025.12.1",
        "caveats": [
            "UNHCR and IDMC count IDPs differently and their figures differ; compare, never sum.",
            "IDMC figures start in 2009.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw file named by source_file.",
        "fields": [
            field("country", "string", "ISO 3166-1 alpha-3"),
            field("year", "integer", "Year (end-year stock)"),
            field("source", "string", "UNHCR or IDMC"),
            field("measure", "string", "idps, returned_idps (UNHCR) or idps_conflict_idmc"),
            field("persons", "integer", "Number of persons", unit="persons"),
            field("source_file", "string", "Raw file name"),
            _row(),
        ],
    },
    {
        "name": "armstat_registered_migration",
        "path": "armstat_registered_migration.csv",
        "title": "Armenia: administrative registration of interstate moves by country, 2021-2023 "
        "(secondary source, partly INCONSISTENT)",
        "description": (
            "Registered arrivals, de-registered departures and the printed difference for the "
            "total and four partners, from Armstat's Demographic Handbook of Armenia 2024 "
            "(p.146) as quoted by Demoscope Weekly."
        ),
        "sources": [
            {
                "title": "Armstat, The Demographic Handbook of Armenia 2024, p.146, quoted by "
                "Demoscope Weekly 2025 no. 1061",
                "path": "https://www.demoscope.ru/weekly/2025/01061/biblio04.php",
                "publisher": "Statistical Committee of the Republic of Armenia (Armstat)",
                "table": "Administrative registration of interstate movements of the population "
                "by country, 2021-2023",
                "raw_file": "national_statistics/armstat/"
                "armstat_registered_migration_by_country_2021_2023.csv",
            }
        ],
        "licenses": [NATIONAL_LICENCE],
        "vintage": "Demographic Handbook of Armenia 2024",
        "caveats": [
            "Secondary source: no Armstat file was available; figures were copied by hand in the "
            "raw folder from a review page that showed only part of the table.",
            "check = INCONSISTENT where registered - deregistered differs from the printed "
            "difference (all 2021 cells and the 2022 total). Verify against the handbook before "
            "use.",
            "Registrations cover registered changes of residence only, not all migration.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw CSV.",
        "fields": [
            field("country", "string", "Reporting country (ARM)"),
            field("year", "integer", "Calendar year"),
            field("partner", "string", "Partner country or area as printed (Total, "
                  "Nagorno-Karabakh, Russia, Georgia, Syria)"),
            field("measure", "string", "registered_arrivals, deregistered_departures or "
                  "difference_as_printed"),
            field("persons", "integer", "Number of persons", unit="persons"),
            field("check", "string", "Consistency flag as recorded in the raw file (consistent or "
                  "INCONSISTENT ...)"),
            field("source_url", "string", "Page the figure was read from"),
            _row(),
        ],
    },
    {
        "name": "press_figures",
        "path": "press_figures.csv",
        "title": "Armenia and Azerbaijan: migration figures quoted in the press (secondary)",
        "description": (
            "Scattered figures attributed to Armstat, the RA Migration Service or Azerbaijan's "
            "State Statistical Committee, as printed in news articles. Flagged secondary; "
            "units and periods vary row by row."
        ),
        "sources": [
            {
                "title": "Press items citing Armstat / RA Migration Service",
                "path": "see source_url per row",
                "publisher": "various (press)",
                "table": "n/a",
                "raw_file": "national_statistics/armstat/armstat_secondary_press_figures.csv",
            },
            {
                "title": "Press items citing the State Statistical Committee of Azerbaijan",
                "path": "see source_url per row",
                "publisher": "various (press)",
                "table": "n/a",
                "raw_file": "national_statistics/azstat/azstat_secondary_press_figures.csv",
            },
        ],
        "licenses": [PRESS_LICENCE],
        "vintage": "as printed in the articles (2008-2023)",
        "caveats": [
            "Secondary figures quoted by journalists and copied by hand in the raw folder; "
            "rounded values are kept as printed (e.g. 3.0 thousand).",
            "Azerbaijan: the curriculum (Module 2, Unit 2.3) says the State Statistical "
            "Committee publishes arrivals and departures received from the Ministry of Internal "
            "Affairs (MIA) and the State Migration Service, and that its international-migration "
            "statistics 'in general' come from the SMS's reports on non-nationals. Some quoted "
            "figures are about citizens (e.g. 2007 departures of citizens of Azerbaijan "
            "registered by the MIA passport service): read measure and notes. None of them is "
            "comparable with Geostat's 183-day flows.",
            "Periods may be partial years (2019-H1, 2014-Q1, 2020-Q1) or dates; unit varies "
            "(persons or thousand persons): always read the unit column.",
            "One row (infocom.am, 2019-H1) has no full address in its source_url: the raw "
            "file refers to national_statistics/PROVENANCE.md, which holds the long URL.",
        ],
        "row_mapping": "source_row is the 1-based line in the raw file named by source_file.",
        "fields": [
            field("country", "string", "ISO 3166-1 alpha-3 (ARM or AZE)"),
            field("period", "string", "Period as printed (year, half-year, quarter, date, census)"),
            field("measure", "string", "What was counted"),
            field("value", "number", "Figure as printed", unit="see the unit column"),
            field("unit", "string", "Unit of value as printed"),
            field("flag", "string", "Quality flag: secondary (press)"),
            field("notes", "string", "Who is cited, and remarks"),
            field("source_url", "string", "Article address"),
            field("source_file", "string", "Raw file name"),
            _row(),
        ],
    },
]


# --------------------------------------------------------------------------- national series
# The four raw files of azstat/ssc_series, az_sms and armstat/border_press share one layout
# (country, partner, year, period, measure, value, value_as_printed, unit, publisher,
# source_type, ...), so their curated datasets share one set of fields.

SSC_LICENCE = _not_stated("each quoting publisher (Agora, the press)",
                          "the source_url of the row; the figures are quoted facts")
SMS_LICENCE = _not_stated("the State Migration Service and the quoting press",
                          "migration.gov.az and the source_url of the row")

#: Values of the ``quality`` column: where a figure stands between the producer and the reader.
QUALITY = {
    "primary": "published by the producing body itself (e.g. the SMS's own website)",
    "secondary": "a table of the producer's figures compiled by someone else (e.g. a "
    "think-tank) or an unattributed table",
    "press": "a figure attributed to the producer and quoted in a news article",
}

_NATIONAL_ROWMAP = ("source_row is the 1-based line where the row starts in the raw file named "
                    "by source_file (in the raw folder given by the dataset's sources; line 1 "
                    "is the header); locator quotes the words of the page around the figure. "
                    "A line break inside a raw cell is written as one space.")

_NATIONAL_FIELDS = [
    field("country", "string", "Reporting country, ISO 3166-1 alpha-3"),
    field("partner", "string", "Partner country or group as printed ('all countries', "
          "'Russia', 'other countries', ...); empty when the figure has no partner"),
    field("partner_iso3", "string", "ISO 3166-1 alpha-3 of the partner when it is one "
          "country, else empty"),
    field("year", "integer", "Reference year when the raw file gives one; empty for undated "
          "figures and multi-year (cumulative) periods"),
    field("year_as_printed", "string", "The raw file's year cell, with its remarks"),
    field("period", "string", "Reference period as printed: a year, a date (stocks and "
          "population on a date), or months (partial years, e.g. 2017-01..07)"),
    field("measure", "string", "What was counted (see the caveats)"),
    field("value", "number", "The figure as printed, read as a number (a leading '+' "
          "dropped); empty where the printed words were not parsed", unit="see the unit column"),
    field("value_as_printed", "string", "The figure exactly as printed"),
    field("unit", "string", "Unit of value as recorded in the raw file (persons, thousand "
          "persons, percent of arrivals, ...)"),
    field("quality", "string", "primary, secondary or press (see the caveats)",
          constraints={"enum": sorted(QUALITY)}),
    field("source_type", "string", "The raw file's source_type, as recorded"),
    field("partial_year", "boolean", "True for a figure covering part of a year only "
          "(January-July etc.): never an annual figure"),
    field("rounded", "boolean", "True where the source rounds the figure (to hundreds, or "
          "printed in thousands or millions) or calls it approximate"),
    field("publisher", "string", "Who published the figure, and whom they quote"),
    field("source_url", "string", "Page or repository path the figure was read from"),
    field("locator", "string", "The words of the page around the figure, or its table cell"),
    field("notes", "string", "Remarks of the raw file (disagreements, partial year, ...)"),
    field("source_file", "string", "Raw file name"),
    _row(),
]


def _quality_caveat() -> str:
    return "quality: " + "; ".join(f"{k} = {v}" for k, v in QUALITY.items()) + "."


_SSC_FOLDER = "national_statistics/azstat/ssc_series/"
_SMS_FOLDER = "national_statistics/az_sms/"
_ARM_BORDER_FOLDER = "national_statistics/armstat/border_press/"

NATIONAL_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "azstat_migration",
        "path": "azstat_migration.csv",
        "title": "Azerbaijan (SSC): persons arrived in and departed from Azerbaijan for permanent "
        "residence, 1991-2022, with partner-country shares and partial-year figures "
        "(secondary and press)",
        "description": (
            "The State Statistical Committee's series of persons registered as arriving in / "
            "leaving Azerbaijan for permanent residence: 1991-2022 as tabulated by Agora "
            "(rounded to hundreds), exact annual figures and partner-country shares quoted from "
            "the SSC by the press (2010, 2013, 2018, 2019, 2022, two undated items), and "
            "January-X figures of single years (partial_year = true)."
        ),
        "sources": [
            {
                "title": "Agora (agora-az.org), 'Azərbaycanda miqrasiya ilə bağlı alternativ "
                "rəqəmlər nə deyir?', Cədvəl 1 (figures on international migration published "
                "by the SSC)",
                "path": "https://agora-az.org/analiz-miqrasiya-alternativ-reqemler/",
                "publisher": "State Statistical Committee of the Republic of Azerbaijan (SSC), "
                "as tabulated by Agora",
                "table": "Cədvəl 1",
                "raw_file": _SSC_FOLDER + "azstat_international_migration_1991_2022_agora.csv",
            },
            {
                "title": "News items quoting the SSC (AzerNews, Anews, Trend, Meydan.TV, Massa.az, "
                "report.az via innewlands.com, Today.az / APA)",
                "path": "see source_url per row",
                "publisher": "various (press)",
                "table": "n/a",
                "raw_file": _SSC_FOLDER + "azstat_press_annual_figures.csv",
            },
            {
                "title": "News items quoting the SSC's January-X figures",
                "path": "see source_url per row",
                "publisher": "various (press)",
                "table": "n/a",
                "raw_file": _SSC_FOLDER + "azstat_partial_year_press.csv",
            },
        ],
        "licenses": [SSC_LICENCE],
        "vintage": "as printed by Agora and in the articles (2007-2023)",
        "caveats": [
            "The SSC counts persons registered (by the Ministry of Internal Affairs and the State "
            "Migration Service) as arriving for / leaving for permanent residence. It is not "
            "comparable with UN WPP net migration (a demographic estimate) or with "
            "border-crossing balances.",
            "The 1991-2022 series is SECONDARY: a think-tank's table of the SSC figures, rounded "
            "to hundreds (the SSC yearbooks print thousands with one decimal); "
            "rounded = true. migration_increase_as_printed is the printed balance.",
            "No SSC table itself was available; no figure for 2023 or 2024 was found.",
            "Press figures are the SSC's as quoted by journalists (quality = press). Where two "
            "quotes of one year disagree, both rows are kept: 2013 arrivals 3,100 and +957 "
            "(Anews) versus 'three thousand' and +828 (Trend).",
            "Shares (measure share_of_arrivals / share_of_departures, unit percent) are the "
            "partner's percentage of all arrivals or departures of the year, as printed; the "
            "partners not named make up the rest.",
            "Two press items are undated ('last year'): 2,397 / 570 / +1,827 round to Agora's "
            "2021 row only, and 2,200 / 2,600 equal Agora's 2006 row; the year column stays "
            "empty because no year is printed.",
            "partial_year = true marks January-X figures (never annual). 2017: bbn.az labels "
            "1,078 / 607 / +471 January-May, Trend labels the same figures January-June; both "
            "rows are kept.",
            "Each exact press figure rounds to Agora's hundreds except one: 2019 departures, "
            "1,654 in AzerNews (would round to 1,700) but 1,600 in Agora's table. Both rows "
            "are kept; the kit does not say which one is right.",
            "Do not add rows of different sources or periods: choose one source per year.",
            _quality_caveat(),
        ],
        "row_mapping": _NATIONAL_ROWMAP,
        "fields": _NATIONAL_FIELDS,
    },
    {
        "name": "azstat_population",
        "path": "azstat_population.csv",
        "title": "Azerbaijan (SSC): population at the beginning of the year and the 2009 census, "
        "as quoted (press and secondary)",
        "description": (
            "Population of Azerbaijan on 1 January (and one end-2010 figure) attributed to the "
            "State Statistical Committee: 2014, 2015, 2019, 2020, 2022, 2023 (recalculated on the "
            "2019 census) and 2024 from the press, the 2009 census total, and a 2010-2015 table "
            "(thousands) from azakademiya.com that names no source."
        ),
        "sources": [
            {
                "title": "News items quoting the SSC (AzerNews, Anews, Meydan.TV, Turan and "
                "others) and the azakademiya.com population table",
                "path": "see source_url per row",
                "publisher": "State Statistical Committee of the Republic of Azerbaijan (SSC), as "
                "quoted",
                "table": "n/a",
                "raw_file": _SSC_FOLDER + "azstat_population_1jan_press.csv",
            },
        ],
        "licenses": [SSC_LICENCE],
        "vintage": "as printed in the articles (2010-2024)",
        "caveats": [
            "Press quotes of the SSC (quality = press) and one unattributed table in thousands "
            "(quality = secondary, source_type 'secondary (unattributed)'): read unit before "
            "comparing.",
            "Series break: the figure for 1 January 2023 is recalculated on the 2019 census "
            "(Turan, quoting the SSC); the raw folder's provenance note adds that, in the SSC's "
            "2023 wording, it excludes the area of the former Russian peacekeeping deployment "
            "(the stored excerpt does not show that sentence). Earlier years are "
            "pre-recalculation figures. Do not read the 2022-2023 difference as population "
            "change.",
            "Where the printed words were not parsed into a number (Meydan.TV 2019: "
            "'9 млн 981,457 тыс'), value is empty and value_as_printed keeps the text; the same "
            "date has a parsed press figure (9,981,457) in another row.",
            "Several rows can give one date (e.g. 2014 and 2015 from the press and from the "
            "unattributed table): choose one source per date; never add them.",
            "The AzerNews figure 9,111,000 (year 2010) is the population at the end of 2010, "
            "i.e. on 1 January 2011 (the table's 2011 row, 9,111.1 thousand), not on 1 January "
            "2010: read period, not only year.",
            _quality_caveat(),
        ],
        "row_mapping": _NATIONAL_ROWMAP,
        "fields": _NATIONAL_FIELDS,
    },
    {
        "name": "az_sms",
        "path": "az_sms.csv",
        "title": "Azerbaijan (State Migration Service): registrations, residence and work "
        "permits, and the stock of foreigners, 2013-2021 (primary and press)",
        "description": (
            "Figures of the State Migration Service: 2013 and the first half of 2018 from the "
            "Service's own website (primary); 2015 and 2019 permits and registrations, 2019 "
            "temporary residence permits by citizenship, residents with permits on 1 July 2018, "
            "and the foreigners living in Azerbaijan on 14 January 2021 by citizenship, as "
            "quoted by the press."
        ),
        "sources": [
            {
                "title": "State Migration Service of the Republic of Azerbaijan (migration.gov.az) "
                "news items, and press items quoting the Service's heads",
                "path": "https://migration.gov.az/en/ (and source_url per row)",
                "publisher": "State Migration Service of the Republic of Azerbaijan (SMS)",
                "table": "n/a",
                "raw_file": _SMS_FOLDER + "az_sms_figures.csv",
            },
        ],
        "licenses": [SMS_LICENCE],
        "vintage": "as published or printed (2013-2021)",
        "caveats": [
            "Different SMS measures are not interchangeable: permits issued in a year (a flow of "
            "documents), registrations on the place of stay (stays, which one person can repeat), "
            "entries of foreigners (trips, short visits included, not migrants), residents "
            "with permits on a date and foreigners living in the country on a date (stocks).",
            "Temporary residence permits include children under 18 where the source says so "
            "(2013, 2015); the 2015 figure is rounded in the source.",
            "By citizenship (partner) only for the 2019 temporary residence permits and the "
            "14 January 2021 stock; 'other countries' is the printed remainder.",
            "Cumulative rows (2008-2015 'since 2008': citizenship acquired, recognised as "
            "citizens) are records about citizens, not foreigners; their year column is empty.",
            "partial_year = true marks first-half-year figures (2017-01..06, 2018-01..06).",
            "No complete annual SMS series was found (2014, 2016-2018, 2020-2024 annual totals "
            "are missing); the monthly 'statistics' pages of migration.gov.az count "
            "applications, not permits, and were not used.",
            _quality_caveat(),
        ],
        "row_mapping": _NATIONAL_ROWMAP,
        "fields": _NATIONAL_FIELDS,
    },
    {
        "name": "armstat_border_press",
        "path": "armstat_border_press.csv",
        "title": "Armenia: border-crossing balances 2006-2019 and permanent population, as quoted "
        "(press)",
        "description": (
            "Border-crossing ('passenger flow') entries, exits and balances quoted from the RA "
            "Migration Service and the Statistical Committee of Armenia: 2015-2019 balances, "
            "2019 by passport, 2006, the first half of 2018; and the permanent population on "
            "1 July 2014, 1 January 2016 and 1 January 2018. It complements press_figures."
        ),
        "sources": [
            {
                "title": "Press items quoting the RA Migration Service and the Statistical "
                "Committee of Armenia (Araratnews, Noyan Tapan, armenianreport.com, UNFPA "
                "Armenia, AzVision, Axar.az, Trend / Novosti-Armenia)",
                "path": "see source_url per row",
                "publisher": "various (press)",
                "table": "n/a",
                "raw_file": _ARM_BORDER_FOLDER + "armenia_border_and_population_press.csv",
            },
        ],
        "licenses": [PRESS_LICENCE],
        "vintage": "as printed in the articles (2006-2020)",
        "caveats": [
            "Border crossings count trips, not migrants: a balance includes tourists and "
            "seasonal workers, and one person can cross many times.",
            "The 2015 balance is printed '– 43425' (a dash, no explicit sign): value keeps the "
            "printed 43425; the RA Migration Service head (press_figures) and UNFPA ('around "
            "43.4 thousand' more departures) say it was negative.",
            "2006: the same sentence gives 983 thousand arrivals, 961 thousand departures and "
            "'surpassed by 800': inconsistent as printed, flagged in notes.",
            "Measures whose name ends in _negative / _positive hold the size of a balance "
            "printed with words ('negative balance 6529'); read the sign from the name.",
            "1 January 2018 is printed '2 972,9 milyon' although the figure is in thousands.",
            "All rows are press quotes (quality = press), several via Azerbaijani outlets.",
            _quality_caveat(),
        ],
        "row_mapping": _NATIONAL_ROWMAP,
        "fields": _NATIONAL_FIELDS,
    },
]

RESOURCES.extend(NATIONAL_RESOURCES)
