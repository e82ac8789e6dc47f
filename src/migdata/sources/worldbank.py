"""World Bank Indicators API v2: WDI series for several countries, paginated JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import requests
from tqdm.auto import tqdm

from ..errors import MalformedResponseError, UnknownValueError
from .http import base_url, get_json, page_count
from .records import (
    iso3_field,
    number_field,
    refuse_conflicts,
    refuse_unasked,
    text_field,
    year_field,
)

__all__ = ["BASE_URL", "COLUMNS", "DEFAULT_INDICATORS", "ENV_VAR", "PER_PAGE", "fetch_wdi"]

BASE_URL = "https://api.worldbank.org/v2"
#: Environment variable that points the client at another server (e.g. a local test server).
ENV_VAR = "MIGDATA_WORLDBANK_URL"
DEFAULT_INDICATORS = ("SM.POP.NETM", "SP.POP.TOTL")
PER_PAGE = 1000
#: Columns of the result: those of the bundled ``wdi`` dataset that the API provides.
COLUMNS = ["country", "country_name", "indicator", "year", "value", "vintage"]


def _page(
    session: requests.Session, url: str, params: dict[str, Any], what: str
) -> tuple[dict[str, Any], list[Any]]:
    """One page of a World Bank v2 answer: (page info, records); raises on an error message."""
    payload = get_json(session, url, params=params)
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        if "message" in payload[0]:
            raw = payload[0]["message"]
            parts = raw if isinstance(raw, list) else [raw]
            messages = "; ".join(
                f"{m.get('key', '')}: {m.get('value', '')}".strip(": ") if isinstance(m, dict)
                else str(m)
                for m in parts
            )
            raise UnknownValueError(f"the World Bank API rejected {what}: {messages} ({url})")
        if len(payload) == 2 and "pages" in payload[0] and isinstance(payload[1], list | None):
            return payload[0], payload[1] or []
    raise MalformedResponseError(
        f"{url} answered {str(payload)[:80]!r}; expected [page info, records] as the "
        "World Bank API v2 documents"
    )


_SOURCE = "World Bank"


def _record(item: Any, vintage: str) -> dict[str, Any]:
    """One record, every field checked (:mod:`migdata.sources.records`)."""
    if not isinstance(item, dict) or not isinstance(item.get("country"), dict) or \
            not isinstance(item.get("indicator"), dict):
        raise MalformedResponseError(
            f"World Bank record {str(item)[:120]!r} lacks a usable country or indicator object"
        )
    indicator = text_field(item["indicator"], "id", _SOURCE)
    value = number_field(item, "value", _SOURCE, count=indicator in _COUNTS)
    if indicator in _COUNTS and not (value != value or value.is_integer()):
        raise MalformedResponseError(
            f"World Bank record {str(item)[:120]!r}: {indicator} is {value!r}, not a whole "
            "number of persons"
        )
    return {
        "country": iso3_field(item, "countryiso3code", _SOURCE),
        "country_name": text_field(item["country"], "value", _SOURCE),
        "indicator": indicator,
        "year": year_field(item, "date", _SOURCE),
        "value": value,
        "vintage": vintage,
    }


#: Indicators that count persons: 0 or more, whole.
_COUNTS = frozenset({"SP.POP.TOTL"})


def fetch_wdi(
    session: requests.Session,
    countries: Sequence[str],
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    start: int | None = None,
    end: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Download WDI indicators for ISO3 ``countries``, one paginated series per indicator.

    Returns the columns of :data:`COLUMNS`; a year without a figure has a NaN value. ``vintage``
    is the ``lastupdated`` date the API reports.

    Parameters
    ----------
    session : requests.Session
        From :func:`migdata.sources.http.make_session` (retries, timeouts, cache).
    countries : sequence of str
        ISO 3166-1 alpha-3 codes.
    indicators : sequence of str
        WDI codes, e.g. ``"SM.POP.NETM"``.
    start, end : int, optional
        First and last year.
    progress : bool
        Show a tqdm bar over the pages.

    Returns
    -------
    pandas.DataFrame
        Sorted by country, indicator and year.

    Raises
    ------
    UnknownValueError
        The API rejects an indicator code (its message is quoted).
    MalformedResponseError
        An answer or a record is not in the API v2 layout (a value that is not a finite JSON
        number, a year that is not whole, an empty ISO3 code, two records for one country,
        indicator and year with different values...), or the answer announces an odd
        number of pages (not a whole number, or more than
        :data:`~migdata.sources.http.MAX_PAGES`).
    """
    records: list[dict[str, Any]] = []
    root = base_url(ENV_VAR, BASE_URL)
    params: dict[str, Any] = {"format": "json", "per_page": PER_PAGE}
    if start is not None or end is not None:
        first = start if start is not None else 1960
        params["date"] = f"{first}:{end if end is not None else 2100}"
    with tqdm(desc="World Bank API", unit="page", disable=not progress) as bar:
        for indicator in indicators:
            url = f"{root}/country/{';'.join(countries)}/indicator/{indicator}"
            page, pages = 1, 1
            while page <= pages:
                meta, items = _page(session, url, {**params, "page": page},
                                    f"indicator {indicator!r} for {', '.join(countries)}")
                pages = page_count(meta.get("pages"), url)
                if page == 1:
                    bar.total = (bar.total or 0) + max(pages, 1)
                    bar.refresh()
                vintage = text_field(meta, "lastupdated", f"{_SOURCE} page info")
                records.extend(_record(item, vintage) for item in items)
                bar.update(1)
                page += 1
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype({"year": "int64", "value": "float64"})
    refuse_unasked(frame, "the World Bank API", within={
        "country": countries, "indicator": indicators}, start=start, end=end)
    frame = refuse_conflicts(frame, ["country", "indicator", "year"], "the World Bank API")
    return frame.sort_values(["country", "indicator", "year"], ignore_index=True)
