"""Live refresh of the curated datasets from the publishers' APIs.

:func:`refresh` downloads fresh figures (World Bank API v2, UNHCR population API, UN Data
Portal) and returns them in the tidy columns of the bundled datasets. Requests time out, are
retried with back-off on 429/5xx answers and are cached on disk (SQLite, 7 days). Without a
network connection, :func:`refresh` warns and returns the bundled snapshot instead.

Examples
--------
>>> from migdata.sources import SOURCES, refresh
>>> sorted(SOURCES)
['un_data_portal', 'unhcr', 'wdi']
>>> wdi = refresh("wdi", countries=["Georgia"], start=2015)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import TYPE_CHECKING, Any

from ..countries import to_iso3
from ..errors import InvalidInputError, SourceError, SourceUnavailableError, UnknownValueError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SOURCES", "refresh"]

#: The live sources :func:`refresh` knows: id -> one-line description.
SOURCES: dict[str, str] = {
    "wdi": "World Bank World Development Indicators (API v2): net migration SM.POP.NETM and "
    "population SP.POP.TOTL by default; same columns as the bundled 'wdi'",
    "unhcr": "UNHCR Refugee Population Statistics API: refugees, asylum seekers, IDPs, "
    "stateless... with the countries as asylum or origin; same columns as 'unhcr_population'",
    "un_data_portal": "UN Population Division Data Portal (World Population Prospects): net "
    "migration (65) and crude net migration rate (66) by default; needs UN_DATA_PORTAL_TOKEN",
}

_BUNDLED_COUNTRIES = ("ARM", "AZE", "GEO")


def _years(frame: pd.DataFrame, start: int | None, end: int | None) -> pd.DataFrame:
    keep = frame["year"].ge(start if start is not None else -10**9)
    keep &= frame["year"].le(end if end is not None else 10**9)
    return frame.loc[keep].reset_index(drop=True)


def _snapshot(
    source: str,
    countries: Sequence[str],
    indicators: Sequence[str | int] | None,
    start: int | None,
    end: int | None,
) -> pd.DataFrame:
    """The bundled figures in the columns the live source would return."""
    import pandas as pd

    from ..datasets import load

    if source == "wdi":
        from .worldbank import COLUMNS, DEFAULT_INDICATORS

        frame = load("wdi", country=list(countries),
                     indicator=list(indicators or DEFAULT_INDICATORS))[COLUMNS]
    elif source == "unhcr":
        from .unhcr import COLUMNS

        missing = sorted(set(countries) - set(_BUNDLED_COUNTRIES))
        if missing:
            raise SourceError(f"the bundled UNHCR snapshot covers only {_BUNDLED_COUNTRIES}, "
                              f"not {missing}")
        frame = load("unhcr_population")
        frame = frame.loc[frame["origin"].isin(countries) | frame["asylum"].isin(countries),
                          COLUMNS]
    else:
        from .un_data_portal import COLUMNS, DEFAULT_INDICATORS, m49

        wanted = [int(i) for i in (indicators or DEFAULT_INDICATORS)]
        if not set(wanted) <= set(DEFAULT_INDICATORS):
            raise SourceError(f"the bundled WPP 2024 snapshot only has indicators "
                              f"{DEFAULT_INDICATORS}, not {wanted}")
        wpp = load("wpp_net_migration", country_m49=[m49(c) for c in countries])
        parts = []
        for ind_id, column, label in (
            (65, "net_migration", "Net migration (thousands; bundled WPP 2024 files)"),
            (66, "net_migration_rate", "Net migration rate (per 1,000; bundled WPP 2024 files)"),
        ):
            if ind_id in wanted:
                part = wpp[["country", "country_m49", "country_name", "year", "variant"]].copy()
                part["sex"] = "Both sexes"
                part["indicator_id"] = ind_id
                part["indicator"] = label
                part["value"] = wpp[column]
                parts.append(part)
        frame = pd.concat(parts, ignore_index=True)[COLUMNS]
    return _years(frame, start, end)


def _fall_back(source: str, reason: str, query: dict[str, Any]) -> pd.DataFrame:
    """Warn and return the bundled snapshot for ``query`` (the arguments of :func:`_snapshot`)."""
    try:
        frame = _snapshot(source, **query)
    except UnknownValueError as error:
        raise SourceError(
            f"migdata.sources.refresh({source!r}): {reason}, and the bundled snapshot cannot "
            f"stand in: {error}"
        ) from error
    warnings.warn(
        f"migdata.sources.refresh({source!r}): {reason}; returning the bundled snapshot "
        "instead of live figures (frame.attrs['origin'] == 'bundled snapshot')",
        UserWarning,
        stacklevel=3,
    )
    frame.attrs["origin"] = "bundled snapshot"
    return frame


def _codes(countries: Iterable[str] | str) -> list[str]:
    if isinstance(countries, str):
        countries = [countries]
    if not isinstance(countries, Iterable) or isinstance(countries, bytes | dict):
        raise InvalidInputError(
            f"countries must be a country or a list of countries, got {countries!r}"
        )
    codes = [to_iso3(c) for c in countries]
    if not codes:
        raise InvalidInputError("countries is empty: give at least one country, e.g. 'ARM'")
    return codes


def refresh(
    source: str,
    *,
    countries: Sequence[str] | str = ("ARM", "AZE", "GEO"),
    indicators: Sequence[str | int] | None = None,
    start: int | None = None,
    end: int | None = None,
    progress: bool = True,
    cache: bool = True,
    fallback: bool = True,
) -> pd.DataFrame:
    """Download fresh figures from a publisher's API, as a tidy DataFrame.

    Parameters
    ----------
    source : {"wdi", "unhcr", "un_data_portal"}
        Which API (see :data:`SOURCES`).
    countries : sequence of str or str
        Countries as ISO3, alpha-2 codes or names.
    indicators : sequence, optional
        WDI codes (default SM.POP.NETM and SP.POP.TOTL) or UN Data Portal indicator ids
        (default 65 and 66). Not used by ``unhcr``.
    start, end : int, optional
        First and last year.
    progress : bool
        Show a tqdm progress bar over the pages downloaded.
    cache : bool
        Use the on-disk HTTP cache (answers stay fresh for 7 days).
    fallback : bool
        When the network (or, for the UN Data Portal, the token) is unavailable, warn and
        return the bundled snapshot instead of raising.

    Returns
    -------
    pandas.DataFrame
        The bundled dataset's columns (``wdi``: country, country_name, indicator, year, value,
        vintage; ``unhcr``: year, origin, origin_name, asylum, asylum_name, measure, persons;
        ``un_data_portal``: country, country_m49, country_name, year, variant, sex,
        indicator_id, indicator, value). ``frame.attrs["origin"]`` is ``"live"`` or
        ``"bundled snapshot"``. A snapshot keeps the bundled labels: for ``un_data_portal``
        its variant is ``estimates`` / ``medium projection`` (the portal says e.g. ``Median``)
        and its ``value`` of indicator 65 is in thousands, as the bundled WPP files hold it
        (the unit the live portal serves was not checked: the tests use synthetic answers).

    Raises
    ------
    UnknownValueError
        Unknown source, or an indicator code the API rejects.
    InvalidInputError
        ``end`` before ``start``, or an empty list of countries or indicators.
    UnknownCountryError
        A country that :func:`migdata.countries.to_iso3` does not know.
    SourceError
        HTTP error such as 404 or 401 (names the URL and status); no network, or a server
        error (429, 5xx) after the retries, with ``fallback=False``; or either of those and the
        bundled snapshot lacks what was asked for. With ``fallback=True`` (the default), being
        offline or a server that keeps failing gives a warning and the bundled snapshot.
    MalformedResponseError
        The API answered something other than its documented JSON.
    """
    import requests

    if not isinstance(source, str) or source not in SOURCES:
        raise UnknownValueError(f"unknown source {source!r}; sources: {', '.join(SOURCES)}")
    for name, flag in (("progress", progress), ("cache", cache), ("fallback", fallback)):
        if not isinstance(flag, bool):
            raise InvalidInputError(f"{name} must be True or False, got {flag!r}")
    codes = _codes(countries)
    for name, year in (("start", start), ("end", end)):
        if year is not None and (isinstance(year, bool) or not isinstance(year, Integral)
                                 or not 1 <= int(year) <= 9999):
            raise InvalidInputError(f"{name} must be a year such as 2015 or None, got {year!r}")
    start = None if start is None else int(start)
    end = None if end is None else int(end)
    if start is not None and end is not None and end < start:
        raise InvalidInputError(f"end ({end}) is before start ({start})")
    if isinstance(indicators, str | int):
        indicators = [indicators]
    if indicators is not None:
        if not isinstance(indicators, Iterable) or isinstance(indicators, bytes | dict):
            raise InvalidInputError(f"indicators must be a list of codes, got {indicators!r}")
        indicators = list(indicators)
        if not indicators:
            raise InvalidInputError(
                "indicators is empty: give at least one, or None for the defaults"
            )
        portal = source == "un_data_portal"
        for code in indicators:
            if portal:
                ok = (isinstance(code, Integral) and not isinstance(code, bool)) or (
                    isinstance(code, str) and code.strip().isdigit()
                )
            else:
                ok = isinstance(code, str) and bool(code.strip()) and "/" not in code
            if not ok:
                expected = ("a UN Data Portal indicator id such as 65" if portal
                            else "a WDI code such as 'SM.POP.NETM'")
                raise InvalidInputError(f"indicator {code!r} is not {expected}")
    from .http import make_session

    query: dict[str, Any] = {"countries": codes, "indicators": indicators, "start": start,
                             "end": end}
    if source == "un_data_portal":
        from .un_data_portal import TOKEN_ENV_VAR

        if not os.environ.get(TOKEN_ENV_VAR, "").strip():
            reason = f"no UN Data Portal token (set the environment variable {TOKEN_ENV_VAR})"
            if not fallback:
                raise SourceError(f"{source}: {reason}")
            return _fall_back(source, reason, query)
    try:
        with make_session(cache=cache) as session:
            if source == "wdi":
                from .worldbank import DEFAULT_INDICATORS, fetch_wdi

                frame = fetch_wdi(session, codes, list(indicators or DEFAULT_INDICATORS),
                                  start, end, progress)
            elif source == "unhcr":
                from .unhcr import fetch_unhcr

                frame = fetch_unhcr(session, codes, start, end, progress)
            else:
                from .un_data_portal import DEFAULT_INDICATORS as PORTAL_DEFAULT
                from .un_data_portal import fetch_un_data_portal

                frame = fetch_un_data_portal(session, codes, list(indicators or PORTAL_DEFAULT),
                                             start, end, progress)
    except (requests.ConnectionError, requests.Timeout) as error:
        if not fallback:
            raise SourceError(f"{source}: the API could not be reached ({error})") from error
        return _fall_back(source, f"the API could not be reached ({type(error).__name__})",
                          query)
    except SourceUnavailableError as error:  # server errors after the retries: as offline
        if not fallback:
            raise
        return _fall_back(source, f"the API failed after retries ({error})", query)
    frame.attrs["origin"] = "live"
    return frame
