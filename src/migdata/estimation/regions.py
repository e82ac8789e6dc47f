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

__all__ = ["dict_ims"]


def _iso3c(code: int) -> str | None:
    """ISO 3166-1 alpha-3 of an M49 code, or None when ISO has none (e.g. 830 Channel Islands)."""
    found = pycountry.countries.get(numeric=f"{int(code):03d}")
    return None if found is None else found.alpha_3


def dict_ims() -> pd.DataFrame:
    """Countries and areas of the UN DESA International Migrant Stock with their regions.

    The columns named as in migest's ``dict_ims`` are ``name``, ``iso3n``, ``iso3c``,
    ``region``, ``region_sub``, ``region_sdg``, ``region_sdg_sub``, ``un_develop`` and
    ``wb_income``; the others are the UN files' own (M49 codes of the groupings, the
    least-developed and Sub-Saharan Africa marks, the type of data, the rows read). Built from
    the UN's workbooks, not from migest's table, so it differs from it where the UN's files
    differ (see Notes).

    Returns
    -------
    DataFrame
        One row per country or area (235), sorted by M49 code.

    Notes
    -----
    * Names, regions and sub-regions are those of Revision 2020; SDG regions, development and
      income groups those of Revision 2019's annex (three areas of 2020 are not in it: their
      2019 columns are empty).
    * Nothing is filled: where the UN gives no sub-region (Northern America) or no SDG
      sub-region (outside Europe and Northern America), the cell is empty, where migest copies
      the region. ``region_sdg`` is written as the 2019 annex heads it (in capitals), with seven
      SDG regions (Oceania including Australia and New Zealand).
    * ``iso3c`` comes from the M49 code through ISO 3166-1 (pycountry); it is empty where ISO
      has no code for the area (e.g. the Channel Islands).
    * There is no LLDC, SIDS or World Bank region column: the UN workbooks do not list them
      by country.

    Examples
    --------
    >>> d = dict_ims()
    >>> d.loc[d["iso3c"] == "AZE", ["region", "region_sub"]].values.tolist()
    [['Asia', 'Western Asia']]
    """
    table = load("ims_regions")
    iso3c = table["iso3n"].map(_iso3c).astype("str")
    out = table.copy()
    out.insert(2, "iso3c", iso3c)
    return out.reset_index(drop=True)
