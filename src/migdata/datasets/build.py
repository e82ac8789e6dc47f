"""Regenerate every file in ``datasets/`` from the raw official files (a maintainer's step).

Run from the repository root::

    python -m migdata.datasets.build --raw ../shared/data/raw

``datasets/datapackage.json`` is the one description of every dataset (title, description,
sources, licences, vintage, caveats, row mapping, fields): maintainers edit it by hand. The build
reads it, writes each resource's file from the raw files with the columns its schema names, and
refreshes only what the files determine: ``bytes``, ``hash``, ``rows`` and the format entries
(``profile``, ``format``, ``mediatype``, ``encoding``, ``compression``, ``dialect``).

The build copies figures as text from the raw files (never retyping, rounding or filling them),
sorts rows deterministically and writes gzip files without a timestamp, so two runs give
byte-identical output. Only the standard library is used, so the build is easy to audit.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..countries import to_iso3
from ..errors import UnknownCountryError

__all__ = ["DEFAULT_OUT", "DESCRIPTION", "build", "main"]

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "datasets"
#: The hand-edited description the build reads (and rewrites with refreshed computed parts).
DESCRIPTION = DEFAULT_OUT / "datapackage.json"
#: Cells that mean "no figure": the writer leaves a gap as an empty cell, nothing else.
_MISSING_VALUES = [""]

Row = list[str]


# --------------------------------------------------------------------------- helpers


def _read(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (1-based physical line, row as dict) of a CSV (gzip if it ends in .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, row


@cache
def _m49_to_iso3(code: str) -> str:
    """ISO3 of a UN M49 code, or '' when the area has no ISO 3166-1 code (e.g. 830)."""
    try:
        return to_iso3(code)
    except UnknownCountryError:
        return ""


def _name_to_iso3(name: str) -> str:
    return to_iso3(name.strip().rstrip("*").strip())


def _int_text(text: str) -> str:
    """An integer written as text, unchanged; raises if the raw cell is not an integer."""
    text = text.strip()
    digits = text.removeprefix("-")
    if text and not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"expected an integer cell, got {text!r}")
    return text


# --------------------------------------------------------------------------- WDI


_WDI_INDICATORS = (
    "worldbank_wdi/API_SM.POP.NETM_DS2_en_csv_v2_19300.csv",
    "worldbank_wdi/API_SP.POP.TOTL_DS2_en_csv_v2_19373.csv",
)
_WDI_CLASSIFICATION = ("worldbank_wdi/companion_metadata_2024-11-13/"
                       "Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_56.csv")


def _wdi(raw: Path) -> Iterable[Row]:
    # Country Code -> "true" (aggregate: no region) / "false" (economy). A code the
    # classification file lacks (INX "Not classified") gets an empty cell: unknown, not a guess.
    kind = {row["Country Code"]: "false" if row["Region"].strip() else "true"
            for _, row in _read(raw / _WDI_CLASSIFICATION)}
    rows: list[Row] = []
    for rel in _WDI_INDICATORS:
        path = raw / rel
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            vintage = ""
            header: list[str] | None = None
            for line in reader:
                if line[:1] == ["Last Updated Date"]:
                    vintage = line[1]
                elif line[:2] == ["Country Name", "Country Code"]:
                    header = line
                elif header and len(line) >= 4:
                    for col, year in enumerate(header):
                        if not year.isdigit():
                            continue
                        rows.append([
                            line[1], line[0], kind.get(line[1], ""),
                            line[3], year, line[col].strip(), vintage, str(reader.line_num),
                        ])
        if not vintage or header is None:
            raise ValueError(f"{path}: no 'Last Updated Date' or header line found")
    rows.sort(key=lambda r: (r[0], r[3], int(r[4])))
    return rows


# --------------------------------------------------------------------------- UN stock


_OD_2024 = "un_desa_migrant_stock/rev2024_partial/undesa_ims2024_south_caucasus_od.csv"


def _od_2024_rows(raw: Path) -> list[Row]:
    """Rev.2024 rows (partial extract): one row per raw line and sex, country to country."""
    path = raw / _OD_2024
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    col = {name: i + 1 for i, name in enumerate(header)}  # 1-based, as source_col
    rows: list[Row] = []
    for line, r in _read(path):
        sides = []
        for side in ("origin", "destination"):
            iso, m49 = r[f"{side}_iso3"], r[f"{side}_m49"]
            if _m49_to_iso3(m49) != iso or not int(m49) < 900:
                raise ValueError(f"{path}:{line}: {side} {iso!r} does not match M49 {m49!r}")
            sides += [iso, m49]
        for sex in ("total", "male", "female"):
            column = f"stock_{sex}"
            rows.append(["2024", r["year"], *sides, sex, _int_text(r[column]), "", str(line),
                         str(col[column])])
    return rows


def _od_rows(raw: Path) -> tuple[list[Row], list[Row]]:
    countries: list[Row] = []
    aggregates: list[Row] = []
    path = raw / "un_desa_migrant_stock/od_matrix_2019.csv.gz"
    # csv.reader with column positions: DictReader over the 502,000 rows is several times slower.
    with gzip.open(path, "rt", newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        col = {name: i for i, name in enumerate(next(reader))}
        (year, o_name, o_code, o_is, d_name, d_code, d_is, sex, stock, raw_value, s_row,
         s_col) = (col[name] for name in (
            "year", "origin_name", "origin_code", "origin_is_country", "destination_name",
            "destination_code", "destination_is_country", "sex", "migrant_stock", "raw_value",
            "source_row", "source_col"))
        for r in reader:
            common = [r[sex], _int_text(r[stock]), r[raw_value], r[s_row], r[s_col]]
            o_country = r[o_is] == "True"
            d_country = r[d_is] == "True"
            o_iso = _m49_to_iso3(r[o_code]) if o_country else ""
            d_iso = _m49_to_iso3(r[d_code]) if d_country else ""
            if o_country and d_country:
                countries.append(["2019", r[year], o_iso, r[o_code], d_iso, r[d_code], *common])
            else:
                aggregates.append(["2019", r[year], o_iso, r[o_name], r[o_code], d_iso,
                                   r[d_name], r[d_code], *common])
    countries += _od_2024_rows(raw)
    sex_order = {"total": 0, "male": 1, "female": 2}
    countries.sort(key=lambda r: (int(r[0]), int(r[1]), sex_order[r[6]], int(r[5]), int(r[3])))
    aggregates.sort(key=lambda r: (int(r[1]), sex_order[r[8]], int(r[11]), int(r[12])))
    return countries, aggregates


_TOTALS_MEASURES: list[tuple[str, str, str]] = [
    # (regex on the indicator label, measure id, unit), first match wins
    (r"annual rate of change of the refugee", "refugee_stock_annual_change_pct",
     "percent per year"),
    (r"refugees? and asylum seekers as a percentage", "refugee_pct_migrant_stock", "percent"),
    (r"refugee", "refugee_stock", "persons"),
    (r"annual rate of change of the migrant stock", "migrant_stock_annual_change_pct",
     "percent per year"),
    (r"female migrants as a percentage", "female_pct_migrant_stock", "percent"),
    (r"as a percentage of the total population", "migrant_stock_pct_population", "percent"),
    (r"population", "population", "thousand persons"),
    (r"international migrant stock at mid-year", "migrant_stock", "persons"),
]


_TOTALS_ORDER = (
    "migrant_stock", "population", "migrant_stock_pct_population", "female_pct_migrant_stock",
    "migrant_stock_annual_change_pct", "refugee_stock", "refugee_pct_migrant_stock",
    "refugee_stock_annual_change_pct",
)


def _totals_measure(label: str) -> tuple[str, str, str]:
    text = label.lower()
    for pattern, measure, unit in _TOTALS_MEASURES:
        if re.search(pattern, text):
            if measure == "female_pct_migrant_stock":
                return measure, unit, "female"
            if re.search(r"\bfemales?\b", text):
                sex = "female"
            elif re.search(r"\bmales?\b", text):
                sex = "male"
            else:
                sex = "total"
            return measure, unit, sex
    raise ValueError(f"unrecognised UN totals indicator {label!r}")


def _un_totals(raw: Path) -> Iterable[Row]:
    rows: list[Row] = []
    for revision in ("2019", "2020"):
        path = raw / f"un_desa_migrant_stock/totals_{revision}.csv"
        for line, r in _read(path):
            if r["revision"] != revision:
                raise ValueError(f"{path}:{line}: revision {r['revision']!r} != {revision}")
            measure, unit, sex = _totals_measure(r["indicator"])
            period = r["period"]
            rows.append([
                revision, period.split("-")[-1], period, _m49_to_iso3(r["location_code"]),
                r["location_code"], measure, sex, r["value"], unit, r["raw_value"],
                r["type_of_data"], r["indicator"], f"'{r['sheet']}'!{r['cell']}", str(line),
            ])
    measure_order = {m: i for i, m in enumerate(_TOTALS_ORDER)}
    sex_order = {"total": 0, "male": 1, "female": 2}
    rows.sort(key=lambda r: (int(r[0]), r[3], measure_order[r[5]], sex_order[r[6]], r[2]))
    return rows


# --------------------------------------------------------------------------- WPP


_WPP_FILES = (
    ("migration.txt", "cnmr.txt", "estimates"),
    ("migrationprojMed.txt", "cnmrprojMed.txt", "medium projection"),
)


def _read_wpp(path: Path) -> dict[tuple[str, str], tuple[str, str, int]]:
    """(M49 code, year) -> (name, value text, line) for the countries and areas (code < 900)."""
    out: dict[tuple[str, str], tuple[str, str, int]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        for line in reader:
            if not line or int(line[0]) >= 900:
                continue
            for col, year in enumerate(header):
                if year.isdigit() and col < len(line):
                    out[(line[0], year)] = (line[1], line[col].strip(), reader.line_num)
    return out


def _wpp(raw: Path) -> Iterable[Row]:
    folder = raw / "national_statistics/un_wpp2024"
    rows: list[Row] = []
    for number_file, rate_file, variant in _WPP_FILES:
        numbers = _read_wpp(folder / number_file)
        rates = _read_wpp(folder / rate_file)
        for key in sorted(set(numbers) | set(rates)):
            name, number, n_line = numbers.get(key, ("", "", 0))
            r_name, rate, r_line = rates.get(key, ("", "", 0))
            rows.append([
                _m49_to_iso3(key[0]), key[0], name or r_name, key[1], variant, number, rate,
                str(n_line) if n_line else "", str(r_line) if r_line else "",
            ])
    rows.sort(key=lambda r: (int(r[1]), int(r[3])))
    return rows


# --------------------------------------------------------------------------- national


def _cell(notes: str) -> str:
    """The 'sheet N cell XN' locator the Geostat transcription keeps in its notes."""
    match = re.search(r"sheet \S+ cell [A-Z]+\d+", notes)
    if not match:
        raise ValueError(f"no 'sheet .. cell ..' locator in the notes {notes!r}")
    return match.group(0)


def _expect(path: Path, line: int, row: dict[str, str], **wanted: str) -> None:
    """Raise unless the row's columns hold the wanted values (a row is never skipped)."""
    for column, value in wanted.items():
        if row[column] != value:
            raise ValueError(f"{path}:{line}: {column} is {row[column]!r}, expected {value!r}")


def _geostat_migration(raw: Path) -> Iterable[Row]:
    path = raw / "national_statistics/geostat/geostat_immigrants_emigrants_by_sex_citizenship.csv"
    rows: list[Row] = []
    for line, r in _read(path):
        _expect(path, line, r, unit="persons")
        rows.append([to_iso3(r["country"]), r["year"], r["measure"], r["sex"], r["citizenship"],
                     _int_text(r["value"]), _cell(r["notes"]), str(line)])
    return rows


def _geostat_population(raw: Path) -> Iterable[Row]:
    path = raw / "national_statistics/geostat/geostat_population_1_january.csv"
    rows: list[Row] = []
    for line, r in _read(path):
        _expect(path, line, r, measure="population_1_january", unit="persons")
        rows.append([to_iso3(r["country"]), r["year"], _int_text(r["value"]),
                     r["notes"].split(";")[0].strip(), _cell(r["notes"]), str(line)])
    return rows


_UNHCR_RECORDS = "national_statistics/unhcr/unhcr_population_records.csv"
_IDMC = "national_statistics/unhcr/unhcr_idmc_idps.csv"


def _unhcr(raw: Path) -> Iterable[Row]:
    rows = [
        [r["year"], r["coo_iso"], r["coo_name"], r["coa_iso"], r["coa_name"], r["measure"],
         _int_text(r["value"]), str(line)]
        for line, r in _read(raw / _UNHCR_RECORDS)
    ]
    rows.sort(key=lambda r: (int(r[0]), r[3], r[1], r[5]))
    return rows


def _idps(raw: Path) -> Iterable[Row]:
    rows: list[Row] = []
    for line, r in _read(raw / _UNHCR_RECORDS):
        if r["measure"] in ("idps", "returned_idps") and r["coa_iso"] in ("ARM", "AZE", "GEO"):
            rows.append([r["coa_iso"], r["year"], "UNHCR", r["measure"], _int_text(r["value"]),
                         Path(_UNHCR_RECORDS).name, str(line)])
    for line, r in _read(raw / _IDMC):
        rows.append([to_iso3(r["country"]), r["year"], "IDMC", r["measure"],
                     _int_text(r["value"]), Path(_IDMC).name, str(line)])
    rows.sort(key=lambda r: (r[0], int(r[1]), r[2], r[3]))
    return rows


def _armstat(raw: Path) -> Iterable[Row]:
    path = raw / "national_statistics/armstat/armstat_registered_migration_by_country_2021_2023.csv"
    rows: list[Row] = []
    for line, r in _read(path):
        _expect(path, line, r, unit="persons")
        rows.append([to_iso3(r["country"]), r["year"], r["partner_country"], r["measure"],
                     _int_text(r["value"]), r["check"], r["source_url"], str(line)])
    return rows


def _press(raw: Path) -> Iterable[Row]:
    rows: list[Row] = []
    for rel in ("national_statistics/armstat/armstat_secondary_press_figures.csv",
                "national_statistics/azstat/azstat_secondary_press_figures.csv"):
        for line, r in _read(raw / rel):
            period = r.get("period") or r.get("year") or ""
            rows.append([to_iso3(r["country"]), period, r["measure"], r["value"], r["unit"],
                         "secondary (press)", r["notes"], r["source_url"], Path(rel).name,
                         str(line)])
    return rows


def _national_value(text: str, where: str) -> str:
    """The printed figure as a number text: unchanged but for a leading '+' (empty stays empty)."""
    text = text.strip().removeprefix("+")
    if text and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(f"{where}: expected a number or an empty cell, got {text!r}")
    return text


def _national_year(text: str) -> str:
    """The reference year when the raw year cell starts with one (not a range like 2008-2015)."""
    match = re.match(r"(\d{4})(?!\d|\s*-\s*\d{4})", text.strip())
    return match.group(1) if match else ""


def _quality(source_type: str, where: str) -> str:
    text = source_type.strip().lower()
    if text == "primary":
        return "primary"
    if "press" in text:
        return "press"
    if text.startswith("secondary"):
        return "secondary"
    raise ValueError(f"{where}: unknown source_type {source_type!r}")


def _rounded(rel: str, r: dict[str, str]) -> bool:
    """Rounded as the raw file says: Agora's table, 'rounded'/'approximate', thousands/millions."""
    text = f"{r['unit']} {r['notes']}".lower()
    return ("agora" in rel or bool(re.search(r"rounded|approximate|million", text))
            or r["unit"].strip().lower().startswith("thousand"))


def _partner_iso3(partner: str) -> str:
    try:
        return to_iso3(partner) if partner.strip() else ""
    except UnknownCountryError:
        return ""


def _records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (1-based physical line where the record STARTS, row with each cell's line breaks
    written as one space) of a CSV whose quoted cells may span lines."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        start = 2
        for row in reader:
            yield start, {k: re.sub(r"\s*\n\s*", " ", v) for k, v in row.items()}
            start = reader.line_num + 1


def _national(*rels: str) -> Callable[[Path], Iterable[Row]]:
    """Builder of one national dataset: every row of the raw files, in file and line order."""

    def build_rows(raw: Path) -> Iterable[Row]:
        rows: list[Row] = []
        for rel in rels:
            path = raw / rel
            for line, r in _records(path):
                where = f"{path}:{line}"
                rows.append([
                    to_iso3(r["country"]), r["partner"], _partner_iso3(r["partner"]),
                    _national_year(r["year"]), r["year"], r["period"], r["measure"],
                    _national_value(r["value"], where), r["value_as_printed"], r["unit"],
                    _quality(r["source_type"], where), r["source_type"],
                    "true" if "PARTIAL YEAR" in r["notes"].upper() else "false",
                    "true" if _rounded(rel, r) else "false",
                    r["publisher"], r["url_or_repo_path"], r["locator_or_excerpt"], r["notes"],
                    Path(rel).name, str(line),
                ])
        return rows

    return build_rows


_SSC = "national_statistics/azstat/ssc_series/"


# --------------------------------------------------------------------------- UN classification

_IMS_2020 = ("un_desa_migrant_stock/source/guyabel__stepladderChapter/data_raw/"
             "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
_IMS_2019 = ("un_desa_migrant_stock/source/guyabel__stepladderChapter/data-raw/"
             "undesa_pd_2019_migrant_stock_total_dataset.xlsx")
_XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XL_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
#: The SDG regions as the 2019 ANNEX heads them (M49 codes); EUROPE (917) and NORTHERN AMERICA
#: (918) are headed inside EUROPE AND NORTHERN AMERICA (1829).
_SDG_2019 = {947: None, 1833: None, 921: None, 1832: None, 1830: None, 909: None, 1829: None,
             917: 1829, 918: 1829}
#: The six geographic regions (M49), named as the 2019 ANNEX lists them.
_GEO_REGIONS = (903, 935, 908, 904, 905, 909)


def _sheet(path: Path, name: str) -> dict[int, dict[str, str]]:
    """The cells of one worksheet of an .xlsx file as text, by 1-based row and column letter.

    Read with the standard library (an .xlsx file is a zip of XML): shared and inline strings
    as written, numbers as the XML writes them, formulas' cached values; empty cells left out.
    """
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as book:
        strings: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")):
                strings.append("".join(t.text or "" for t in si.iter(_XL + "t")))
        wb = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        rid = next((s.get(_XL_REL) for s in wb.iter(_XL + "sheet") if s.get("name") == name),
                   None)
        if rid is None:
            raise ValueError(f"{path}: no sheet {name!r}")
        target = targets[rid].lstrip("/")
        target = target if target.startswith("xl/") else "xl/" + target
        rows: dict[int, dict[str, str]] = {}
        for c in ElementTree.fromstring(book.read(target)).iter(_XL + "c"):
            ref = c.get("r") or ""
            col = ref.rstrip("0123456789")
            kind = c.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(_XL + "t"))
            else:
                v = c.find(_XL + "v")
                if v is None or v.text is None:
                    continue
                text = strings[int(v.text)] if kind == "s" else v.text
            if text.strip():
                rows.setdefault(int(ref[len(col):]), {})[col] = text
    return rows


def _code(text: str, where: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{where}: expected an M49 code, got {text!r}")
    return int(text)


def _ims_regions(raw: Path) -> Iterable[Row]:
    """One row per country or area of the Rev.2020 Table 1 (region and sub-region from its
    layout), with the Rev.2019 ANNEX's SDG region, development and income groups by M49 code."""
    t1 = _sheet(raw / _IMS_2020, "Table 1")
    annex = _sheet(raw / _IMS_2019, "ANNEX")
    header = annex.get(16, {})
    if header.get("B") != "Region, subregion, country or area" or header.get("D") != "Code":
        raise ValueError(f"{_IMS_2019}: ANNEX row 16 is not the expected header: {header}")
    if t1.get(11, {}).get("D") != "Location code":
        raise ValueError(f"{_IMS_2020}: Table 1 row 11 is not the expected header")
    geo_names = {_code(r["D"], "ANNEX"): r["B"].strip() for i, r in annex.items()
                 if 31 <= i <= 36 and "D" in r}
    if set(geo_names) != set(_GEO_REGIONS):
        raise ValueError(f"{_IMS_2019}: ANNEX rows 31-36 are not the six regions: {geo_names}")
    # Rev.2020 Table 1: once the regions begin (after the groups), a region's code heads it in
    # capitals (' AFRICA'), then each sub-region's code (900 or more) heads its countries.
    by_code: dict[int, dict[str, str]] = {}
    region = sub = None
    for i in sorted(t1):
        r = t1[i]
        if i < 12 or "D" not in r:
            continue
        code = _code(r["D"], f"Table 1 row {i}")
        name = r.get("B", "")
        if code in _GEO_REGIONS and name.upper() == name:
            region, sub = code, None
        elif region is not None and code >= 900:  # M49 codes of areas are below 900
            sub = (code, name.strip().rstrip("*").strip())
        elif region is not None:
            # Northern America has no sub-regions: the cell stays empty (not filled)
            by_code[code] = {
                "name": name.strip().rstrip("*").strip(), "iso3n": str(code),
                "region": geo_names[region], "region_code": str(region),
                "region_sub": sub[1] if sub else "", "region_sub_code": str(sub[0]) if sub else "",
                "type_of_data_2020": r.get("E", "").strip(), "row_2020": str(i),
            }
    # Rev.2019 ANNEX: SDG regions head the rows in capitals, sub-regions in title case.
    columns = {"F": "More Developed Regions", "G": "Less Developed Regions",
               "H": "Least developed countries", "I": "High-income Countries",
               "K": "Upper-middle-income Countries", "L": "Lower-middle-income Countries",
               "M": "Low-income Countries", "N": "No income group available",
               "O": "Sub-Saharan Africa"}
    if any(header.get(k) != v for k, v in columns.items()):
        raise ValueError(f"{_IMS_2019}: ANNEX columns are not the expected ones: {header}")
    sdg = sdg_sub = None
    annex_rows: dict[int, dict[str, str]] = {}
    for i in sorted(annex):
        r = annex[i]
        if i < 38 or "D" not in r:
            continue
        code = _code(r["D"], f"ANNEX row {i}")
        name = r.get("B", "").strip()
        if code in _SDG_2019 and name.upper() == name:
            if _SDG_2019[code] is None:
                sdg, sdg_sub = (code, name), None
            else:
                sdg_sub = (code, name)
            continue
        if code >= 900:
            continue  # a geographic sub-region heading
        if sdg is None:
            raise ValueError(f"ANNEX row {i}: {name!r} has no SDG region")
        flags = {k: r.get(k, "").strip() for k in columns}
        if any(v not in ("", "Y") for v in flags.values()):
            raise ValueError(f"ANNEX row {i}: unexpected group marks {flags}")
        develop = [columns[k] for k in "FG" if flags[k]]
        income = [columns[k] for k in "IKLMN" if flags[k]]
        if len(develop) > 1 or len(income) > 1:
            raise ValueError(f"ANNEX row {i}: more than one group marked: {develop} {income}")
        annex_rows[code] = {
            "name_2019": name.rstrip("*").strip(),
            "region_sdg": sdg[1], "region_sdg_code": str(sdg[0]),
            "region_sdg_sub": sdg_sub[1] if sdg_sub else "",
            "region_sdg_sub_code": str(sdg_sub[0]) if sdg_sub else "",
            "un_develop": develop[0] if develop else "",
            "least_developed": "true" if flags["H"] else "false",
            "wb_income": income[0] if income else "",
            "sub_saharan_africa": "true" if flags["O"] else "false",
            "type_of_data_2019": r.get("E", "").strip(), "row_2019": str(i),
        }
    empty_2020 = dict.fromkeys(("name", "region", "region_code", "region_sub",
                                "region_sub_code", "type_of_data_2020", "row_2020"), "")
    empty_2019 = dict.fromkeys(next(iter(annex_rows.values())), "")
    rows: list[Row] = []
    for code in sorted(set(by_code) | set(annex_rows)):
        a = by_code.get(code, {**empty_2020, "iso3n": str(code)})
        b = annex_rows.get(code, empty_2019)
        rows.append([
            a["name"], a["iso3n"], a["region"], a["region_code"], a["region_sub"],
            a["region_sub_code"], b["region_sdg"], b["region_sdg_code"], b["region_sdg_sub"],
            b["region_sdg_sub_code"], b["un_develop"], b["least_developed"], b["wb_income"],
            b["sub_saharan_africa"], a["type_of_data_2020"], b["type_of_data_2019"],
            b["name_2019"], a["row_2020"], b["row_2019"],
        ])
    return rows


# --------------------------------------------------------------------------- assembly


#: The two resources written from one read of the origin-destination matrix.
_OD_NAMES = frozenset({"un_migrant_stock", "un_migrant_stock_aggregates"})

_BUILDERS: dict[str, Callable[[Path], Iterable[Row]]] = {
    "wdi": _wdi,
    "un_migrant_stock_totals": _un_totals,
    "wpp_net_migration": _wpp,
    "geostat_migration": _geostat_migration,
    "geostat_population": _geostat_population,
    "unhcr_population": _unhcr,
    "idps": _idps,
    "armstat_registered_migration": _armstat,
    "press_figures": _press,
    "azstat_migration": _national(
        _SSC + "azstat_international_migration_1991_2022_agora.csv",
        _SSC + "azstat_press_annual_figures.csv",
        _SSC + "azstat_partial_year_press.csv",
    ),
    "azstat_population": _national(_SSC + "azstat_population_1jan_press.csv"),
    "az_sms": _national("national_statistics/az_sms/az_sms_figures.csv"),
    "ims_regions": _ims_regions,
    "armstat_border_press": _national(
        "national_statistics/armstat/border_press/armenia_border_and_population_press.csv"),
}


def _csv_bytes(header: list[str], rows: Iterable[Row]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row has {len(row)} cells, header {len(header)}: {row}")
        writer.writerow(row)
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def _gzip(data: bytes) -> bytes:
    out = io.BytesIO()
    # mtime=0 and no file name: the gzip header is the same on every run.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as handle:
        handle.write(data)
    return out.getvalue()


#: Resource entries the build writes from the file it produced; every other entry is the
#: description's, kept as written.
_COMPUTED = ("profile", "format", "mediatype", "encoding", "bytes", "hash", "rows", "compression",
             "dialect")


def _resource_json(described: dict[str, Any], data: bytes, rows: int) -> dict[str, Any]:
    """The resource of ``datapackage.json``: its description, then what the file determines."""
    resource = {k: v for k, v in described.items() if k not in _COMPUTED and k != "schema"}
    resource.update({
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "rows": rows,
    })
    if described["path"].endswith(".gz"):
        resource["compression"] = "gz"
    resource["dialect"] = {"delimiter": ",", "lineTerminator": "\n", "header": True}
    resource["schema"] = described["schema"]
    return resource


def _description(path: Path) -> dict[str, Any]:
    """The hand-edited package description, checked against what the builders can write."""
    package = json.loads(path.read_text(encoding="utf-8"))
    names = [res.get("name") for res in package.get("resources", [])]
    described = set(names) - {None}
    if len(described) != len(names):
        raise ValueError(f"{path}: every resource needs a unique 'name'; found {names}")
    if described != set(_BUILDERS) | _OD_NAMES:
        raise ValueError(
            f"{path}: the resources ({', '.join(sorted(described))}) are not the ones the build "
            f"writes ({', '.join(sorted(set(_BUILDERS) | _OD_NAMES))})"
        )
    for res in package["resources"]:
        if res.get("schema", {}).get("missingValues") != _MISSING_VALUES:
            raise ValueError(f"{path}: resource {res['name']!r} must have schema.missingValues "
                             f"{_MISSING_VALUES} (the build writes a gap as an empty cell)")
    return package


def build(
    raw: Path, out: Path = DEFAULT_OUT, progress: bool = True, description: Path = DESCRIPTION
) -> dict[str, int]:
    """Regenerate every dataset file and ``datapackage.json`` in ``out`` from ``raw``.

    Parameters
    ----------
    raw : Path
        The raw data folder (``../shared/data/raw``), holding one folder per source.
    out : Path
        The folder to write (created if needed); by default the repository's ``datasets/``.
    progress : bool
        Show a progress bar over the resources.
    description : Path
        The package description to read (by default the repository's
        ``datasets/datapackage.json``); its descriptive entries are written unchanged.

    Returns
    -------
    dict of str to int
        Row count per resource id.
    """
    from tqdm.auto import tqdm

    raw, out = Path(raw), Path(out)
    if not (raw / "un_desa_migrant_stock").is_dir():
        raise FileNotFoundError(f"{raw} does not look like the raw data folder "
                                "(no un_desa_migrant_stock/ inside)")
    package = _description(Path(description))
    out.mkdir(parents=True, exist_ok=True)
    od: tuple[list[Row], list[Row]] | None = None
    resources: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for res in tqdm(package["resources"], desc="building datasets", disable=not progress):
        name = res["name"]
        if name in _OD_NAMES:
            od = od or _od_rows(raw)
            rows = od[0] if name == "un_migrant_stock" else od[1]
        else:
            rows = list(_BUILDERS[name](raw))
        header = [f["name"] for f in res["schema"]["fields"]]
        data, count = _csv_bytes(header, rows)
        if res["path"].endswith(".gz"):
            data = _gzip(data)
        (out / res["path"]).write_bytes(data)
        resources.append(_resource_json(res, data, count))
        counts[name] = count
    package["resources"] = resources
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    (out / "datapackage.json").write_text(text, encoding="utf-8")
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m migdata.datasets.build --raw RAW [--out OUT]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="raw data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--description", type=Path, default=DESCRIPTION,
                        help="package description to read (default: the repository's)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    counts = build(args.raw, args.out, progress=not args.quiet, description=args.description)
    for name, count in counts.items():
        print(f"{name:32s} {count:>8d} rows")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
