"""UN DESA's countries and their region groupings, laid out like migest's ``dict_ims``.

migest ships ``dict_ims``, a look-up table of the countries of the UN DESA International Migrant
Stock with their regions. migdata builds its own from the UN's workbooks (the curated dataset
``ims_regions``; see ``datasets/datapackage.json`` for the sources, revisions and caveats) and
:func:`dict_ims` returns it with migest's column names where the UN files hold that column.
"""

from __future__ import annotations

import pandas as pd
import pycountry

from ..datasets import load
from ..errors import DataFileError

__all__ = ["dict_ims"]


def _iso3c(code: int) -> str | None:
    """ISO 3166-1 alpha-3 of an M49 code, or None when ISO has none (e.g. 830 Channel Islands)."""
    found = pycountry.countries.get(numeric=f"{int(code):03d}")
    return None if found is None else found.alpha_3


#: The 2019 annex's SDG regions (in capitals) in migest's spelling; OCEANIA is split below.
_SDG_AS_MIGEST = {
    "SUB-SAHARAN AFRICA": "Sub-Saharan Africa",
    "NORTHERN AFRICA AND WESTERN ASIA": "Northern Africa and Western Asia",
    "CENTRAL AND SOUTHERN ASIA": "Central and Southern Asia",
    "EASTERN AND SOUTH-EASTERN ASIA": "Eastern and South-Eastern Asia",
    "LATIN AMERICA AND THE CARIBBEAN": "Latin America and the Caribbean",
    "EUROPE AND NORTHERN AMERICA": "Europe and Northern America",
    "OCEANIA": "Oceania (excluding Australia and New Zealand)",
}
#: The Rev.2020 sub-region that is an SDG region of its own in migest's table.
_AUS_NZ = "Australia and New Zealand"
#: The annex's development groups in migest's coding (least developed: see the mark).
_DEVELOP_AS_MIGEST = {"More Developed Regions": "more", "Less Developed Regions": "less"}
#: The annex's World Bank income groups in migest's two codings.
_INCOME_AS_MIGEST = {
    "High-income Countries": "high", "Upper-middle-income Countries": "middle",
    "Lower-middle-income Countries": "middle", "Low-income Countries": "low",
}
_INCOME_DETAIL_AS_MIGEST = {
    "High-income Countries": "high", "Upper-middle-income Countries": "upper_middle",
    "Lower-middle-income Countries": "middle", "Low-income Countries": "low",
}


def dict_ims() -> pd.DataFrame:
    """Countries and areas of the UN DESA International Migrant Stock with their regions.

    The columns named as in migest 2.0.5's ``dict_ims`` hold migest's coding: ``name``,
    ``iso3n``, ``iso3c``, ``region``, ``region_sub``, ``region_sdg`` (e.g. "Sub-Saharan
    Africa"), ``un_develop`` ("more", "less", "least"), ``wb_income`` ("high", "middle",
    "low") and ``wb_income_detail`` ("high", "upper_middle", "middle" for lower-middle,
    "low"). Each is derived from the UN's own categories by a fixed mapping of their labels
    (see Notes); the UN's labels are kept in ``region_sdg_label``, ``un_develop_label`` and
    ``wb_income_label``. The other columns are the UN files' own: M49 codes of the groupings,
    ``region_sdg_sub`` (the 2019 annex's SDG sub-regions EUROPE and NORTHERN AMERICA; migest
    has no such column), the least-developed and Sub-Saharan Africa marks, the type of data,
    the rows read. Built from the UN's workbooks, not from migest's table, so it differs from
    it where the UN's files differ (see Notes).

    Returns
    -------
    DataFrame
        One row per country or area (235), sorted by M49 code.

    Notes
    -----
    * Names, regions and sub-regions are those of Revision 2020; SDG regions, development and
      income groups those of Revision 2019's annex (three areas of 2020 are not in it: their
      2019 columns are empty).
    * The mapping: the annex's SDG regions in capitals are written in migest's spelling, and
      its one OCEANIA is split by the Rev.2020 sub-region into "Australia and New Zealand"
      and "Oceania (excluding Australia and New Zealand)", as migest has them;
      ``un_develop`` is "least" where the annex marks a least developed country, otherwise
      "more" or "less" from More / Less Developed Regions; ``wb_income`` is "high", "middle"
      (upper- and lower-middle income) or "low", and ``wb_income_detail`` keeps
      "upper_middle" apart (migest's "middle" there is lower-middle); "No income group
      available" is empty in both, as in migest.
    * Nothing is filled: where the UN gives no sub-region (Northern America) the cell is
      empty, where migest copies the region.
    * ``iso3c`` comes from the M49 code through ISO 3166-1 (pycountry); it is empty where ISO
      has no code for the area (e.g. the Channel Islands).
    * There is no LLDC, SIDS or World Bank region column: the UN workbooks do not list them
      by country.

    Examples
    --------
    >>> d = dict_ims()
    >>> d.loc[d["iso3c"] == "AZE", ["region", "region_sub", "region_sdg"]].values.tolist()
    [['Asia', 'Western Asia', 'Northern Africa and Western Asia']]
    >>> d.loc[d["iso3c"] == "AZE", ["un_develop", "wb_income", "wb_income_detail"]].values.tolist()
    [['less', 'middle', 'upper_middle']]
    """
    table = load("ims_regions")
    out = table.copy()
    out.insert(2, "iso3c", table["iso3n"].map(_iso3c).astype("str"))
    un_sdg, un_develop, un_income = (table["region_sdg"], table["un_develop"],
                                     table["wb_income"])
    sdg = un_sdg.map(_SDG_AS_MIGEST)
    sdg = sdg.where(~((un_sdg == "OCEANIA") & (table["region_sub"] == _AUS_NZ)), _AUS_NZ)
    develop = un_develop.map(_DEVELOP_AS_MIGEST)
    develop = develop.where(~table["least_developed"].fillna(False).astype(bool), "least")
    for col, values in (("region_sdg", sdg), ("un_develop", develop),
                        ("wb_income", un_income.map(_INCOME_AS_MIGEST))):
        out[col] = values.astype("str")
        out.insert(out.columns.get_loc(col) + 1, f"{col}_label", table[col])
    out.insert(out.columns.get_loc("wb_income") + 1, "wb_income_detail",
               un_income.map(_INCOME_DETAIL_AS_MIGEST).astype("str"))
    # a label the mappings do not know would be a silent gap: refuse it
    for col, known in (("region_sdg_label", _SDG_AS_MIGEST),
                       ("un_develop_label", _DEVELOP_AS_MIGEST),
                       ("wb_income_label", {**_INCOME_AS_MIGEST,
                                            "No income group available": None})):
        unknown = set(out[col].dropna()) - set(known)
        if unknown:
            raise DataFileError(f"ims_regions: {col} has labels dict_ims does not map: "
                                     f"{sorted(unknown)}")
    return out.reset_index(drop=True)
