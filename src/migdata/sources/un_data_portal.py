"""UN Population Division Data Portal API (World Population Prospects), with a bearer token."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pycountry
import requests
from tqdm.auto import tqdm

from ..errors import MalformedResponseError, SourceError
from .http import MAX_PAGES, base_url, get_json, page_count
from .records import (
    iso3_field,
    number_field,
    refuse_conflicts,
    refuse_unasked,
    text_field,
    year_field,
)

__all__ = [
    "BASE_URL",
    "COLUMNS",
    "DEFAULT_INDICATORS",
    "ENV_VAR",
    "TOKEN_ENV_VAR",
    "fetch_un_data_portal",
]

BASE_URL = "https://population.un.org/dataportalapi/api/v1"
TOKEN_ENV_VAR = "UN_DATA_PORTAL_TOKEN"
#: Environment variable that points the client at another server (e.g. a local test server).
ENV_VAR = "MIGDATA_UN_DATA_PORTAL_URL"
#: Portal indicator ids: 65 net number of migrants, 66 crude net migration rate (see the
#: portal's /indicators list, which is authoritative if it renumbers).
DEFAULT_INDICATORS = (65, 66)
PAGE_SIZE = 100
#: Columns of the result (long form: one row per indicator, like the portal serves it).
COLUMNS = ["country", "country_m49", "country_name", "year", "variant", "sex", "indicator_id",
           "indicator", "value"]


def m49(country: str) -> int:
    """Return the UN M49 numeric code of an ISO3 country code (e.g. ``"ARM"`` -> 51)."""
    record = pycountry.countries.get(alpha_3=country)
    if record is None:  # pragma: no cover - callers pass codes from to_iso3
        raise SourceError(f"no M49 code for {country!r}")
    return int(record.numeric)


_SOURCE = "UN Data Portal"


def _whole(item: dict[str, Any], key: str) -> int:
    number = number_field(item, key, _SOURCE, missing=())
    if not number.is_integer():
        raise MalformedResponseError(
            f"UN Data Portal record {str(item)[:120]!r}: field {key!r} is {item[key]!r}; "
            "expected a whole number"
        )
    return int(number)


def _records(items: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise MalformedResponseError(f"{url}: 'data' is {type(items).__name__}, expected a list")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedResponseError(
                f"UN Data Portal record {str(item)[:120]!r} is not an object"
            )
        out.append({
            "country": iso3_field(item, "iso3", _SOURCE),
            "country_m49": _whole(item, "locationId"),
            "country_name": text_field(item, "location", _SOURCE),
            "year": year_field(item, "timeLabel", _SOURCE),
            "variant": text_field(item, "variant", _SOURCE, default=""),
            "sex": text_field(item, "sex", _SOURCE, default=""),
            "indicator_id": _whole(item, "indicatorId"),
            "indicator": text_field(item, "indicator", _SOURCE, default=""),
            "value": number_field(item, "value", _SOURCE),
        })
    return out


def fetch_un_data_portal(
    session: requests.Session,
    countries: Sequence[str],
    indicators: Sequence[int | str] = DEFAULT_INDICATORS,
    start: int | None = None,
    end: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Download portal indicators for ISO3 ``countries``, following ``nextPage`` links.

    Parameters
    ----------
    session : requests.Session
        From :func:`migdata.sources.http.make_session` (retries, timeouts, cache).
    countries : sequence of str
        ISO 3166-1 alpha-3 codes.
    indicators : sequence of int or str
        Portal indicator ids (65 net migrants, 66 net migration rate).
    start, end : int, optional
        First and last year.
    progress : bool
        Show a tqdm bar over the pages.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`, one row per indicator, variant, sex and year.

    Raises
    ------
    SourceError
        If the token environment variable is not set, or on HTTP errors (401: bad token).
    MalformedResponseError
        If an answer is not in the documented layout, or its paging is odd: more than
        :data:`~migdata.sources.http.MAX_PAGES` pages, a page read twice, or a ``nextPage`` link
        to another server (the token is never sent elsewhere).
    """
    token = os.environ.get(TOKEN_ENV_VAR, "").strip()
    if not token:
        raise SourceError(
            f"the UN Data Portal needs an API token: set the environment variable "
            f"{TOKEN_ENV_VAR} (request one from population.un.org/dataportal)"
        )
    first, last = start if start is not None else 1950, end if end is not None else 2100
    locations = ",".join(str(m49(c)) for c in countries)
    ids = ",".join(str(i) for i in indicators)
    root = base_url(ENV_VAR, BASE_URL)
    url: str | None = (f"{root}/data/indicators/{ids}/locations/{locations}"
                       f"/start/{first}/end/{last}")
    params: dict[str, Any] | None = {"pageSize": PAGE_SIZE, "pagingInHeader": "false",
                                     "format": "json"}
    headers = {"Authorization": f"Bearer {token}"}
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    with tqdm(desc="UN Data Portal", unit="page", disable=not progress) as bar:
        while url:
            if len(seen) >= MAX_PAGES:
                raise MalformedResponseError(
                    f"{root}: more than {MAX_PAGES} pages of nextPage links; paging is capped "
                    "(ask for fewer countries, indicators or years at a time)"
                )
            seen.add(url)
            payload = get_json(session, url, params=params, headers=headers)
            if not isinstance(payload, dict) or "data" not in payload:
                raise MalformedResponseError(
                    f"{url} answered {str(payload)[:80]!r}; expected an object with 'data' "
                    "and 'nextPage'"
                )
            if bar.total is None:
                bar.total = page_count(payload.get("pages"), url)
                bar.refresh()
            records.extend(_records(payload["data"], url))
            bar.update(1)
            following = payload.get("nextPage")
            if following is not None and (
                not isinstance(following, str) or not following.startswith(root + "/")
            ):
                # the token goes with every request: never follow a link to another server
                raise MalformedResponseError(
                    f"{url} answered nextPage={str(following)[:120]!r}; expected a link under "
                    f"{root}/ or null"
                )
            if following in seen:
                raise MalformedResponseError(
                    f"{url} answered nextPage={following!r}, a page already read (a paging loop)"
                )
            url, params = following or None, None  # nextPage carries its own query
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype({"year": "int64", "country_m49": "int64", "indicator_id": "int64",
                          "value": "float64"})
    refuse_unasked(frame, "the UN Data Portal", within={
        "country": countries, "indicator_id": [int(i) for i in indicators]},
        start=start, end=end)
    mismatch = frame["country_m49"].to_numpy() != frame["country"].map(m49).to_numpy()
    if mismatch.any():
        shown = frame.loc[mismatch, ["country", "country_m49"]].drop_duplicates().head(3)
        raise MalformedResponseError(
            f"the UN Data Portal answered records whose iso3 and locationId disagree, e.g. "
            f"{shown.to_dict('records')}; expected the M49 code of the ISO3 country"
        )
    frame = refuse_conflicts(frame, ["country_m49", "indicator_id", "variant", "sex", "year"],
                             "the UN Data Portal")
    return frame.sort_values(["country_m49", "indicator_id", "variant", "sex", "year"],
                             ignore_index=True)
