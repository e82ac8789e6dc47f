"""UNHCR Refugee Population Statistics API: populations by country of asylum and of origin."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import requests
from tqdm.auto import tqdm

from ..errors import MalformedResponseError
from .http import base_url, get_json, page_count
from .records import (
    iso3_field,
    number_field,
    refuse_conflicts,
    refuse_unasked,
    text_field,
    year_field,
)

__all__ = ["BASE_URL", "COLUMNS", "ENV_VAR", "MEASURES", "POPULATION_URL", "fetch_unhcr"]

BASE_URL = "https://api.unhcr.org/population/v1"
POPULATION_URL = f"{BASE_URL}/population/"
#: Environment variable that points the client at another server (e.g. a local test server).
ENV_VAR = "MIGDATA_UNHCR_URL"
PAGE_LIMIT = 1000
#: Population types in each API record (the ``measure`` values of the result).
MEASURES = ("refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps",
            "stateless", "ooc", "oip", "hst")
#: Columns of the result: those of the bundled ``unhcr_population`` dataset.
COLUMNS = ["year", "origin", "origin_name", "asylum", "asylum_name", "measure", "persons"]


_SOURCE = "UNHCR"


def _number(item: dict[str, Any], measure: str) -> int | None:
    """A count from the API; '-', '', None and 0 mean no record (as in the bundled data)."""
    number = number_field(item, measure, _SOURCE, count=True, missing=(None, "-", ""))
    if math.isnan(number):
        return None
    if not number.is_integer():
        raise MalformedResponseError(
            f"UNHCR record {str(item)[:120]!r}: field {measure!r} is {item[measure]!r}, not a "
            "whole number of persons"
        )
    return int(number) or None


def _records(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedResponseError(f"UNHCR record {str(item)[:120]!r} is not an object")
        base = {
            "year": year_field(item, "year", _SOURCE, text=False),  # the API sends a number
            "origin": iso3_field(item, "coo_iso", _SOURCE),
            "origin_name": text_field(item, "coo_name", _SOURCE),
            "asylum": iso3_field(item, "coa_iso", _SOURCE),
            "asylum_name": text_field(item, "coa_name", _SOURCE),
        }
        for measure in MEASURES:
            persons = _number(item, measure)
            if persons is not None:
                out.append({**base, "measure": measure, "persons": persons})
    return out


def fetch_unhcr(
    session: requests.Session,
    countries: Sequence[str],
    start: int | None = None,
    end: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Download every record with one of ``countries`` as country of asylum or of origin.

    Two paginated queries: ``coa=<countries>&coo_all=true`` (by origin, in the countries) and
    ``coo=<countries>&coa_all=true`` (by asylum country, from the countries). Zero and missing
    counts are dropped, as in the bundled ``unhcr_population``.

    Parameters
    ----------
    session : requests.Session
        From :func:`migdata.sources.http.make_session` (retries, timeouts, cache).
    countries : sequence of str
        ISO 3166-1 alpha-3 codes.
    start, end : int, optional
        First and last year.
    progress : bool
        Show a tqdm bar over the pages.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`, one row per record and population type.

    Raises
    ------
    MalformedResponseError
        An answer lacks ``items``, a record or count is unusable (a negative, fractional,
        boolean or text count, a year that is not whole, a code that is not ISO3, two records
        for one key with different counts), or ``maxPages`` is not a whole
        number of at most :data:`~migdata.sources.http.MAX_PAGES`.
    """
    common: dict[str, Any] = {"limit": PAGE_LIMIT, "cf_type": "ISO"}
    if start is not None:
        common["yearFrom"] = start
    if end is not None:
        common["yearTo"] = end
    joined = ",".join(countries)
    queries = ({"coa": joined, "coo_all": "true"}, {"coo": joined, "coa_all": "true"})
    records: list[dict[str, Any]] = []
    url = f"{base_url(ENV_VAR, BASE_URL)}/population/"
    with tqdm(desc="UNHCR API", unit="page", disable=not progress) as bar:
        for query in queries:
            page, pages = 1, 1
            while page <= pages:
                payload = get_json(session, url, params={**common, **query, "page": page})
                if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
                    raise MalformedResponseError(
                        f"{url} answered {str(payload)[:80]!r}; expected an object "
                        "with 'items' and 'maxPages'"
                    )
                pages = page_count(payload.get("maxPages"), url, "maxPages")
                if page == 1:
                    bar.total = (bar.total or 0) + pages
                    bar.refresh()
                records.extend(_records(payload["items"]))
                bar.update(1)
                page += 1
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    refuse_unasked(frame, "the UNHCR API", start=start, end=end)
    asked = set(countries)
    unasked = ~(frame["origin"].isin(asked) | frame["asylum"].isin(asked))
    if unasked.any():
        shown = frame.loc[unasked, ["origin", "asylum"]].drop_duplicates().head(3)
        raise MalformedResponseError(
            f"the UNHCR API answered records with neither origin nor asylum among "
            f"{sorted(asked)[:10]}, e.g. {shown.to_dict('records')}; expected only those asked for"
        )
    frame = refuse_conflicts(frame, ["year", "origin", "asylum", "measure"], "the UNHCR API")
    frame = frame.astype({"year": "int64", "persons": "int64"})
    return frame.sort_values(["year", "asylum", "origin", "measure"], ignore_index=True)
