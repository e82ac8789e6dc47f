"""dict_ims: the UN's own classification (datasets/ims_regions.csv) against migest's dict_ims.

migest's table is exported to ``tests/fixtures/migest/dict_ims.json`` by the maintainer's
script ``make_sums_fixtures.R``; it is only compared with, never used by migdata. The
disagreements are listed here with their reason and the test checks they are exactly these.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from migdata.datasets import describe, load
from migdata.estimation import dict_ims

FIXTURE = Path(__file__).parent / "fixtures" / "migest" / "dict_ims.json"

#: In Rev.2020 Table 1 but not in the Rev.2019 ANNEX: the 2019 columns stay empty.
ONLY_2020 = {158, 652, 663}
#: World Bank income groups that changed between the workbooks of 2019 (migdata's) and 2020
#: (migest's), by M49 code: (migdata 2019, migest 2020).
INCOME_2019_VS_2020 = {
    32: ("high", "middle"),  # Argentina
    174: ("low", "middle"),  # Comoros
    204: ("low", "middle"),  # Benin
    480: ("middle", "high"),  # Mauritius
    520: ("middle", "high"),  # Nauru
    524: ("low", "middle"),  # Nepal
    642: ("middle", "high"),  # Romania
    686: ("low", "middle"),  # Senegal
    716: ("low", "middle"),  # Zimbabwe
    729: ("middle", "low"),  # Sudan
    834: ("low", "middle"),  # United Republic of Tanzania
}
NORTHERN_AMERICA = {60, 124, 304, 666, 840}


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    body = json.loads(FIXTURE.read_text(encoding="utf-8"))
    theirs = pd.DataFrame(body["table"])
    assert len(theirs) == 243
    # migest adds 8 former units (Soviet Union, Yugoslavia, ...) that are not in the UN's data
    assert (~theirs["ims"]).sum() == 8
    theirs = theirs[theirs["ims"]]
    ours = dict_ims()
    assert set(ours["iso3n"]) == set(theirs["iso3n"])
    return ours.merge(theirs, on="iso3n", suffixes=("", "_migest"), validate="one_to_one")


#: Lower- and upper-middle income changed between 2019 and 2020 (migest's detailed coding
#: writes lower-middle as "middle"): (migdata 2019, migest 2020).
DETAIL_2019_VS_2020 = {
    12: ("upper_middle", "middle"),  # Algeria
    268: ("middle", "upper_middle"),  # Georgia
    360: ("middle", "upper_middle"),  # Indonesia
}


def test_dict_ims_has_migests_columns_the_un_holds() -> None:
    d = dict_ims()
    assert list(d.columns[:5]) == ["name", "iso3n", "iso3c", "region", "region_code"]
    assert {"region_sub", "region_sdg", "un_develop", "wb_income", "wb_income_detail"} <= set(d)
    assert {"region_sdg_label", "un_develop_label", "wb_income_label"} <= set(d)  # the UN's
    assert not {"lldc", "sids", "region_wb"} & set(d)  # not in the UN workbooks
    assert len(d) == 235 and d["iso3n"].is_unique
    aze = d.set_index("iso3c").loc["AZE"]
    assert (aze["name"], aze["iso3n"], aze["region"], aze["region_sub"]) == (
        "Azerbaijan", 31, "Asia", "Western Asia")
    assert aze["region_sdg"] == "Northern Africa and Western Asia"
    assert aze["region_sdg_label"] == "NORTHERN AFRICA AND WESTERN ASIA"
    assert (aze["un_develop"], aze["wb_income"], aze["wb_income_detail"]) == (
        "less", "middle", "upper_middle")
    assert describe("ims_regions")["sources"][0]["title"].endswith("Rev.2020")


def test_migest_named_columns_hold_migests_coding(joined: pd.DataFrame) -> None:
    """Issue 23, F8: the same vocabulary as migest's columns of the same name."""
    for col in ("region_sdg", "un_develop", "wb_income", "wb_income_detail"):
        ours = set(joined[col].dropna())
        assert ours == set(joined[f"{col}_migest"].dropna()), col
    assert set(joined["un_develop"].dropna()) == {"more", "less", "least"}
    assert set(joined["wb_income"].dropna()) == {"high", "middle", "low"}


def test_names_codes_and_regions_agree(joined: pd.DataFrame) -> None:
    assert (joined["name"] == joined["name_migest"]).all()
    assert (joined["region"] == joined["region_migest"]).all()
    iso = joined["iso3c"].fillna("") != joined["iso3c_migest"].fillna("")
    # the Channel Islands have no ISO 3166-1 code; migest writes the World Bank's CHI
    assert joined.loc[iso, "iso3n"].tolist() == [830]
    assert joined.loc[iso, "iso3c_migest"].tolist() == ["CHI"]
    sub = joined["region_sub"].fillna("") != joined["region_sub_migest"]
    # migest fills Northern America's missing sub-region with the region; the UN gives none
    assert set(joined.loc[sub, "iso3n"]) == NORTHERN_AMERICA
    assert (joined.loc[sub, "region_sub_migest"] == "Northern America").all()


def test_sdg_regions_agree_up_to_the_revision(joined: pd.DataFrame) -> None:
    differ = joined["region_sdg"].fillna("") != joined["region_sdg_migest"]
    assert set(joined.loc[differ, "iso3n"]) == ONLY_2020
    assert joined.loc[differ, "region_sdg"].isna().all()  # a gap, not a guess
    aus_nz = joined.loc[joined["region_sdg"] == "Australia and New Zealand", "iso3n"]
    assert set(aus_nz) == {36, 554}


def test_development_groups_agree(joined: pd.DataFrame) -> None:
    differ = joined["un_develop"].fillna("") != joined["un_develop_migest"]
    assert set(joined.loc[differ, "iso3n"]) == ONLY_2020
    assert joined.loc[differ, "un_develop"].isna().all()


def _income_differences(joined: pd.DataFrame, col: str) -> dict:
    ours = joined[col].fillna("NA")
    theirs = joined[f"{col}_migest"].fillna("NA")
    differ = ours != theirs
    return dict(zip(joined.loc[differ, "iso3n"], zip(ours[differ], theirs[differ], strict=True),
                    strict=True))


def test_income_groups_differ_only_by_revision(joined: pd.DataFrame) -> None:
    found = _income_differences(joined, "wb_income")
    # Taiwan and Saint Martin: not in the 2019 annex (Saint Barthelemy: no group in migest too)
    assert {k: v for k, v in found.items() if k in ONLY_2020} == {
        158: ("NA", "high"), 663: ("NA", "high")}
    assert {k: v for k, v in found.items() if k not in ONLY_2020} == INCOME_2019_VS_2020
    assert len(found) == 13
    detail = _income_differences(joined, "wb_income_detail")
    assert len(detail) == 16  # the 13 and three that moved between lower- and upper-middle
    assert {k: v for k, v in detail.items() if k not in found} == DETAIL_2019_VS_2020


def test_the_dataset_is_the_un_files_not_migests() -> None:
    raw = load("ims_regions")
    assert raw["row_2020"].notna().all()
    assert set(raw.loc[raw["row_2019"].isna(), "iso3n"]) == ONLY_2020
    # Northern America has no sub-region in Rev.2020: left empty, not filled
    assert raw.loc[raw["region_code"] == 905, "region_sub"].isna().all()
    assert raw["region_sdg_sub"].dropna().unique().tolist() == ["EUROPE", "NORTHERN AMERICA"]
