"""Write the SYNTHETIC API answers in tests/recorded/ from the bundled datasets.

They are not recordings of the live APIs (no network was available): they follow the documented
JSON layouts of the three APIs (World Bank API v2, UNHCR population API v1, UN Data Portal API v1),
and their figures are taken from the bundled datasets (so no figure is typed by hand and the
tests can compare parsed answers with the bundle). See README.md here.
Run from the repository root: ``python tests/recorded/make_recorded.py``. Deterministic.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from migdata.datasets import load
from migdata.sources import un_data_portal, unhcr

HERE = Path(__file__).resolve().parent
COUNTRIES = ["ARM", "AZE", "GEO"]
WB = {"ARM": ("AM", "Armenia"), "AZE": ("AZ", "Azerbaijan"), "GEO": ("GE", "Georgia")}
WB_NAMES = {"SM.POP.NETM": "Net migration", "SP.POP.TOTL": "Population, total"}
WB_YEARS = (2000, 2024)
WB_PER_PAGE = 50
UNHCR_YEARS = (2020, 2023)
UNHCR_LIMIT = 100
PORTAL_YEARS = (2015, 2030)
PORTAL_PAGE_SIZE = 40


def _dump(name: str, payload: object) -> None:
    (HERE / name).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")


def _pages(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _number(value: float) -> int | float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() else float(value)


def world_bank() -> None:
    for indicator, label in WB_NAMES.items():
        wdi = load("wdi", country=COUNTRIES, indicator=indicator,
                   year=list(range(WB_YEARS[0], WB_YEARS[1] + 1)))
        wdi = wdi.sort_values(["country", "year"], ascending=[True, False])
        items = [
            {"indicator": {"id": indicator, "value": label},
             "country": {"id": WB[r.country][0], "value": WB[r.country][1]},
             "countryiso3code": r.country, "date": str(r.year), "value": _number(r.value),
             "unit": "", "obs_status": "", "decimal": 0}
            for r in wdi.itertuples()
        ]
        pages = _pages(items, WB_PER_PAGE)
        for number, chunk in enumerate(pages, start=1):
            meta = {"page": number, "pages": len(pages), "per_page": WB_PER_PAGE,
                    "total": len(items), "sourceid": "2",
                    "sourcename": "World Development Indicators", "lastupdated": "2025-04-15"}
            _dump(f"worldbank_{indicator}_page{number}.json", [meta, chunk])
    _dump("worldbank_invalid_indicator.json", [{"message": [
        {"id": "120", "key": "Invalid value",
         "value": "The provided parameter value is not valid"}]}])


def unhcr_api() -> None:
    records = load("unhcr_population", year=list(range(UNHCR_YEARS[0], UNHCR_YEARS[1] + 1)))
    for side, column in (("coa", "asylum"), ("coo", "origin")):
        part = records[records[column].isin(COUNTRIES)]
        wide = part.pivot_table(index=["year", "origin", "origin_name", "asylum", "asylum_name"],
                                columns="measure", values="persons", aggfunc="first")
        items = []
        for key, row in wide.iterrows():
            year, origin, origin_name, asylum, asylum_name = key
            item = {"year": int(year), "coo_id": None, "coo_name": origin_name, "coo": origin,
                    "coo_iso": origin, "coa_id": None, "coa_name": asylum_name, "coa": asylum,
                    "coa_iso": asylum}
            for measure in unhcr.MEASURES:
                value = row.get(measure)
                # The API serves 0 for a population type without people, '-' for oip/hst
                # where the type does not apply.
                if value is None or value != value:
                    item[measure] = "-" if measure in ("oip", "hst") else 0
                else:
                    item[measure] = int(value)
            items.append(item)
        pages = _pages(items, UNHCR_LIMIT)
        for number, chunk in enumerate(pages, start=1):
            _dump(f"unhcr_{side}_page{number}.json", {
                "page": number, "maxPages": len(pages), "total": [],
                "short_url": "", "items": chunk})


def portal() -> None:
    wpp = load("wpp_net_migration", country=COUNTRIES,
               year=list(range(PORTAL_YEARS[0], PORTAL_YEARS[1] + 1)))
    items = []
    for ind_id, column, label in ((65, "net_migration", "Net migrants"),
                                  (66, "net_migration_rate", "Net migration rate")):
        for r in wpp.sort_values(["country_m49", "year"]).itertuples():
            variant = "Median" if r.variant == "medium projection" else "Estimates"
            items.append({
                "locationId": int(r.country_m49), "location": r.country_name, "iso3": r.country,
                "iso2": WB[r.country][0], "locationTypeId": 4, "indicatorId": ind_id,
                "indicator": label, "indicatorDisplayName": label, "source": "WPP2024",
                "sourceId": 26, "revision": 2024, "variantId": 4, "variant": variant,
                "variantShortName": variant, "variantLabel": variant, "timeId": 0,
                "timeLabel": str(r.year), "timeMid": r.year + 0.5, "categoryId": 0,
                "category": "Not applicable", "estimateTypeId": 0, "estimateType": "",
                "estimateMethodId": 0, "estimateMethod": "", "sexId": 3, "sex": "Both sexes",
                "ageId": 188, "ageLabel": "Total", "ageStart": 0, "ageEnd": -1, "ageMid": -1,
                "value": _number(getattr(r, column)),
            })
    pages = _pages(items, PORTAL_PAGE_SIZE)
    base = (f"{un_data_portal.BASE_URL}/data/indicators/65,66/locations/51,31,268"
            f"/start/{PORTAL_YEARS[0]}/end/{PORTAL_YEARS[1]}")
    for number, chunk in enumerate(pages, start=1):
        def link(n: int) -> str | None:
            if 1 <= n <= len(pages):
                return f"{base}?pageNumber={n}&pageSize={PORTAL_PAGE_SIZE}&format=json"
            return None
        _dump(f"un_data_portal_page{number}.json", {
            "pageNumber": number, "pageSize": PORTAL_PAGE_SIZE, "previousPage": link(number - 1),
            "nextPage": link(number + 1), "pages": len(pages), "total": len(items),
            "data": chunk})


if __name__ == "__main__":
    for old in HERE.glob("*.json"):
        old.unlink()
    world_bank()
    unhcr_api()
    portal()
    (HERE / "malformed.html").write_text(
        "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
        "<body>The server is temporarily unable to service your request.</body></html>\n",
        encoding="utf-8")
    print(sorted(p.name for p in HERE.iterdir()))
