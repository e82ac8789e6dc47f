"""Live refresh, replayed with `responses` from the API answers in tests/recorded/.

Those answers are SYNTHETIC: no network was available, so tests/recorded/make_recorded.py wrote
them in each API's documented JSON layout from the bundled datasets (see tests/recorded/README.md).
They test paging, parsing, errors, retries and the cache, not what the live APIs serve today.

No test touches the network: every test runs inside `responses` (an unregistered URL raises),
and opening a socket fails the test.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests
import responses

from migdata.datasets import load
from migdata.errors import (
    InvalidInputError,
    MalformedResponseError,
    SourceError,
    UnknownCountryError,
    UnknownValueError,
)
from migdata.sources import SOURCES, refresh, un_data_portal, unhcr, worldbank
from migdata.sources.http import (
    CACHE_ENV_VAR,
    CACHE_EXPIRE_AFTER,
    RETRY_STATUSES,
    TIMEOUT,
    get_json,
    make_session,
)

RECORDED = Path(__file__).resolve().parent / "recorded"
WB_URL = re.compile(r"https://api\.worldbank\.org/v2/country/ARM(;|%3B)AZE(;|%3B)GEO/indicator/"
                    r"(?P<indicator>[^?]+)")
PORTAL_URL = re.compile(r"https://population\.un\.org/dataportalapi/api/v1/data/indicators/.*")


def _recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def _query(request: requests.PreparedRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}


def _wb_callback(request: requests.PreparedRequest) -> tuple[int, dict, str]:
    indicator = WB_URL.match(request.url).group("indicator")
    page = _query(request)["page"]
    name = f"worldbank_{indicator}_page{page}.json"
    if not (RECORDED / name).is_file():
        return 200, {}, _recorded("worldbank_invalid_indicator.json")
    return 200, {"Content-Type": "application/json"}, _recorded(name)


def _unhcr_callback(request: requests.PreparedRequest) -> tuple[int, dict, str]:
    query = _query(request)
    side = "coa" if "coa" in query else "coo"
    return 200, {"Content-Type": "application/json"}, _recorded(
        f"unhcr_{side}_page{query['page']}.json")


def _portal_callback(request: requests.PreparedRequest) -> tuple[int, dict, str]:
    if request.headers.get("Authorization") != "Bearer test-token":
        return 401, {}, json.dumps({"message": "Unauthorized"})
    page = _query(request).get("pageNumber", "1")
    return 200, {"Content-Type": "application/json"}, _recorded(f"un_data_portal_page{page}.json")


@pytest.fixture(autouse=True)
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """Every test: replay answers, cache in tmp_path, page sizes of the recorded pages.

    An unregistered URL raises inside `responses`; a real socket would fail the test (a
    RuntimeError, which refresh() does not mistake for being offline).
    """

    def no_network(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.setattr(worldbank, "PER_PAGE", 50)
    monkeypatch.setattr(unhcr, "PAGE_LIMIT", 100)
    monkeypatch.setattr(un_data_portal, "PAGE_SIZE", 40)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _register_all(mock: responses.RequestsMock) -> None:
    mock.add_callback(responses.GET, WB_URL, callback=_wb_callback)
    mock.add_callback(responses.GET, unhcr.POPULATION_URL, callback=_unhcr_callback)
    mock.add_callback(responses.GET, PORTAL_URL, callback=_portal_callback)


def _bundled_wdi() -> pd.DataFrame:
    frame = load("wdi", country=["ARM", "AZE", "GEO"], indicator=["SM.POP.NETM", "SP.POP.TOTL"],
                 year=list(range(2000, 2025)))
    return frame[worldbank.COLUMNS].sort_values(["country", "indicator", "year"],
                                                ignore_index=True)


# ------------------------------------------------------------------ World Bank


def test_wdi_follows_pages_and_returns_the_bundled_columns(api: responses.RequestsMock) -> None:
    _register_all(api)
    frame = refresh("wdi", start=2000, end=2024, progress=False, cache=False)
    assert frame.attrs["origin"] == "live"
    assert list(frame.columns) == worldbank.COLUMNS
    pd.testing.assert_frame_equal(frame, _bundled_wdi(), check_dtype=False)
    pages = sorted(_query(call.request)["page"] for call in api.calls)
    assert pages == ["1", "1", "2", "2"]  # two indicators x two pages
    first = _query(api.calls[0].request)
    assert first["per_page"] == "50" and first["date"] == "2000:2024"
    assert api.calls[0].request.req_kwargs["timeout"] == TIMEOUT
    georgia = frame[(frame["country"] == "GEO") & (frame["year"] == 2019)
                    & (frame["indicator"] == "SM.POP.NETM")]
    assert georgia["value"].tolist() == [-5412]


def test_wdi_accepts_country_names_and_one_indicator(api: responses.RequestsMock) -> None:
    _register_all(api)
    frame = refresh("wdi", countries=["Armenia", "AZ", "GEO"], indicators="SM.POP.NETM",
                    start=2000, end=2024, progress=False, cache=False)
    assert set(frame["indicator"]) == {"SM.POP.NETM"}
    assert len(api.calls) == 2


def test_retries_after_503_then_succeeds(api: responses.RequestsMock) -> None:
    url = "https://api.worldbank.org/v2/country/ARM;AZE;GEO/indicator/SM.POP.NETM"
    api.add(responses.GET, url, status=503)
    api.add(responses.GET, url, status=503)
    _register_all(api)
    frame = refresh("wdi", indicators=["SM.POP.NETM"], start=2000, end=2024, progress=False,
                    cache=False)
    assert [call.response.status_code for call in api.calls[:3]] == [503, 503, 200]
    assert len(frame) == 75


def test_second_call_is_served_from_the_disk_cache(
    api: responses.RequestsMock, tmp_path: Path
) -> None:
    _register_all(api)
    first = refresh("wdi", start=2000, end=2024, progress=False, cache=True)
    calls = len(api.calls)
    second = refresh("wdi", start=2000, end=2024, progress=False, cache=True)
    assert calls == 4 and len(api.calls) == calls, "the second call went to the network"
    pd.testing.assert_frame_equal(first, second)
    assert list((tmp_path / "cache").glob("migdata_sources*.sqlite"))


def test_progress_bar_counts_pages(api: responses.RequestsMock, capsys) -> None:
    _register_all(api)
    refresh("wdi", indicators=["SM.POP.NETM"], start=2000, end=2024, progress=True, cache=False)
    err = capsys.readouterr().err
    assert "World Bank API" in err and "2/2" in err


def test_bad_indicator_is_an_unknown_value(api: responses.RequestsMock) -> None:
    _register_all(api)
    with pytest.raises(UnknownValueError, match=r"SM\.POP\.NOPE"):
        refresh("wdi", indicators=["SM.POP.NOPE"], progress=False, cache=False)


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_name_the_url_and_status(api: responses.RequestsMock, status: int) -> None:
    api.add(responses.GET, WB_URL, status=status)
    with pytest.raises(SourceError, match=rf"api\.worldbank\.org.*HTTP {status}"):
        refresh("wdi", progress=False, cache=False, fallback=False)
    if status == 500:  # retried with back-off before giving up
        assert len(api.calls) == 5


def test_server_error_after_retries_falls_back_to_the_snapshot_with_a_warning(
    api: responses.RequestsMock,
) -> None:
    api.add(responses.GET, WB_URL, status=503)
    with pytest.warns(UserWarning, match=r"failed after retries.*HTTP 503.*bundled snapshot"):
        frame = refresh("wdi", start=2000, end=2024, progress=False, cache=False)
    assert len(api.calls) == 5  # the first try and four retries
    assert frame.attrs["origin"] == "bundled snapshot"
    pd.testing.assert_frame_equal(frame, _bundled_wdi(), check_dtype=False)
    api.replace(responses.GET, WB_URL, status=404)  # a client error is no outage: it raises
    with pytest.raises(SourceError, match="HTTP 404"):
        refresh("wdi", progress=False, cache=False)


@pytest.mark.parametrize(
    "body", [_recorded("malformed.html"), json.dumps({"page": 1}), "[{\"page\": 1}]"]
)
def test_malformed_answers_raise(api: responses.RequestsMock, body: str) -> None:
    api.add(responses.GET, WB_URL, body=body, status=200)
    with pytest.raises(MalformedResponseError):
        refresh("wdi", progress=False, cache=False)


def test_malformed_record_raises(api: responses.RequestsMock) -> None:
    page = [{"page": 1, "pages": 1, "per_page": 50, "total": 1, "lastupdated": "2025-04-15"},
            [{"indicator": {"id": "SM.POP.NETM"}, "date": "2019", "value": 1}]]
    api.add(responses.GET, WB_URL, json=page)
    with pytest.raises(MalformedResponseError, match="country"):
        refresh("wdi", progress=False, cache=False)


# ------------------------------------------------------------------ offline fallback


@pytest.mark.parametrize("error", [requests.ConnectionError("no route to host"),
                                   requests.Timeout("read timed out")])
def test_offline_falls_back_to_the_bundled_snapshot_with_a_warning(
    api: responses.RequestsMock, error: Exception
) -> None:
    api.add(responses.GET, WB_URL, body=error)
    with pytest.warns(UserWarning, match="bundled snapshot"):
        frame = refresh("wdi", start=2000, end=2024, progress=False, cache=False)
    assert frame.attrs["origin"] == "bundled snapshot"
    pd.testing.assert_frame_equal(frame, _bundled_wdi(), check_dtype=False)


def test_offline_without_fallback_is_a_source_error(api: responses.RequestsMock) -> None:
    api.add(responses.GET, unhcr.POPULATION_URL, body=requests.ConnectionError("offline"))
    with pytest.raises(SourceError, match="could not be reached"):
        refresh("unhcr", progress=False, cache=False, fallback=False)


def test_unhcr_offline_fallback_keeps_the_columns(api: responses.RequestsMock) -> None:
    api.add(responses.GET, unhcr.POPULATION_URL, body=requests.ConnectionError("offline"))
    with pytest.warns(UserWarning):
        frame = refresh("unhcr", countries=["ARM"], start=2023, end=2023, progress=False)
    assert list(frame.columns) == unhcr.COLUMNS
    assert ((frame["origin"] == "ARM") | (frame["asylum"] == "ARM")).all()
    assert (frame["year"] == 2023).all() and len(frame) > 0


# ------------------------------------------------------------------ UNHCR


def test_unhcr_pages_both_sides_and_matches_the_bundle(api: responses.RequestsMock) -> None:
    _register_all(api)
    frame = refresh("unhcr", start=2020, end=2023, progress=False, cache=False)
    assert list(frame.columns) == unhcr.COLUMNS
    queries = [_query(call.request) for call in api.calls]
    assert sum("coa" in q for q in queries) == 3 and sum("coo" in q for q in queries) == 5
    assert all(q["yearFrom"] == "2020" and q["yearTo"] == "2023" for q in queries)
    bundled = load("unhcr_population", year=[2020, 2021, 2022, 2023])[unhcr.COLUMNS]
    bundled = bundled.sort_values(["year", "asylum", "origin", "measure"], ignore_index=True)
    pd.testing.assert_frame_equal(frame, bundled, check_dtype=False)
    assert (frame["persons"] > 0).all()


@pytest.mark.parametrize("count", ["12.5", "many", 3.7])
def test_unhcr_counts_that_are_not_whole_numbers_raise(
    api: responses.RequestsMock, count: object
) -> None:
    item = {"year": 2023, "coo_name": "Armenia", "coo_iso": "ARM", "coa_name": "France",
            "coa_iso": "FRA", "refugees": count}
    api.add(responses.GET, unhcr.POPULATION_URL, json={"page": 1, "maxPages": 1, "items": [item]})
    with pytest.raises(MalformedResponseError,
                       match=r"UNHCR record .*'refugees' is .*(expected a number|not a whole)"):
        refresh("unhcr", countries="ARM", progress=False, cache=False)


_WB_ITEM = {"countryiso3code": "ARM", "country": {"id": "AM", "value": "Armenia"},
            "indicator": {"id": "SM.POP.NETM", "value": "Net migration"}, "date": "2019",
            "value": -14330}
_UNHCR_ITEM = {"year": 2023, "coo_name": "Syria", "coo_iso": "SYR", "coa_name": "Armenia",
               "coa_iso": "ARM", "refugees": 14000}


@pytest.mark.parametrize(("change", "message"), [
    ({"value": "Infinity"}, r"'value' is 'Infinity'.*expected a number"),
    ({"value": True}, r"'value' is True.*expected a number"),
    ({"value": 1e300}, r"'value' is 1e\+300.*finite"),
    ({"countryiso3code": ""}, r"'countryiso3code' is ''.*ISO2, is not used"),
    ({"date": "2019.7"}, r"'date' is '2019.7'.*whole year"),
    ({"date": True}, r"'date' is True.*whole year"),
])
def test_wdi_records_are_checked_field_by_field(
    api: responses.RequestsMock, change: dict, message: str
) -> None:
    """Issue 24: "Infinity" is not inf, true is not 1.0, an empty ISO3 code is not replaced by
    the ISO2 code, a fractional or boolean year is not a year."""
    url = re.compile(r"https://api\.worldbank\.org/v2/country/ARM/indicator/SM\.POP\.NETM")
    page = {"page": 1, "pages": 1, "per_page": 50, "lastupdated": "2025-04-15"}
    api.add(responses.GET, url, json=[page, [{**_WB_ITEM, **change}]])
    with pytest.raises(MalformedResponseError, match=message):
        refresh("wdi", countries="ARM", indicators=["SM.POP.NETM"], progress=False,
                cache=False)


def test_wdi_conflicting_records_for_one_country_year_are_refused(
    api: responses.RequestsMock,
) -> None:
    url = re.compile(r"https://api\.worldbank\.org/v2/country/ARM/indicator/SM\.POP\.NETM")
    page = {"page": 1, "pages": 1, "per_page": 50, "lastupdated": "2025-04-15"}
    api.add(responses.GET, url, json=[page, [_WB_ITEM, {**_WB_ITEM, "value": -999}]])
    with pytest.raises(MalformedResponseError, match="different figures for the same"):
        refresh("wdi", countries="ARM", indicators=["SM.POP.NETM"], progress=False,
                cache=False)
    api.replace(responses.GET, url, json=[page, [_WB_ITEM, dict(_WB_ITEM)]])
    same = refresh("wdi", countries="ARM", indicators=["SM.POP.NETM"], progress=False,
                   cache=False)
    assert same["value"].tolist() == [-14330.0]  # an identical repeat is one record


@pytest.mark.parametrize(("change", "message"), [
    ({"refugees": -5}, r"'refugees' is -5.*0 or more"),
    ({"refugees": True}, r"'refugees' is True.*expected a number"),
    ({"year": 2019.7}, r"'year' is 2019.7.*whole year"),
    ({"year": True}, r"'year' is True.*whole year"),
    ({"year": "2019"}, r"'year' is '2019'.*whole year"),
    ({"coo_iso": None}, r"'coo_iso' is None.*ISO3"),
])
def test_unhcr_records_are_checked_field_by_field(
    api: responses.RequestsMock, change: dict, message: str
) -> None:
    """Issue 24: negative refugees, 2019.7 read as 2019 and True as a year are refused."""
    api.add(responses.GET, unhcr.POPULATION_URL,
            json={"page": 1, "maxPages": 1, "items": [{**_UNHCR_ITEM, **change}]})
    with pytest.raises(MalformedResponseError, match=message):
        refresh("unhcr", countries="ARM", progress=False, cache=False)


def test_unhcr_conflicting_records_are_refused(api: responses.RequestsMock) -> None:
    api.add(responses.GET, unhcr.POPULATION_URL, json={
        "page": 1, "maxPages": 1, "items": [_UNHCR_ITEM, {**_UNHCR_ITEM, "refugees": 9}]})
    with pytest.raises(MalformedResponseError, match="different figures"):
        refresh("unhcr", countries="ARM", progress=False, cache=False)


# ------------------------------------------------------------------ UN Data Portal


def test_portal_sends_the_token_and_follows_next_page(
    api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(un_data_portal.TOKEN_ENV_VAR, "test-token")
    _register_all(api)
    frame = refresh("un_data_portal", start=2015, end=2030, progress=False, cache=False)
    assert len(api.calls) == 3
    assert "/indicators/65,66/locations/51,31,268/start/2015/end/2030" in api.calls[0].request.url
    assert all(c.request.headers["Authorization"] == "Bearer test-token" for c in api.calls)
    assert list(frame.columns) == un_data_portal.COLUMNS
    wpp = load("wpp_net_migration", country=["ARM", "AZE", "GEO"], year=list(range(2015, 2031)))
    live = frame[frame["indicator_id"] == 66].set_index(["country", "year"])["value"]
    bundled = wpp.set_index(["country", "year"])["net_migration_rate"]
    pd.testing.assert_series_equal(live.sort_index(), bundled.sort_index(), check_names=False)


def test_portal_bad_token_is_a_source_error(
    api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(un_data_portal.TOKEN_ENV_VAR, "wrong")
    _register_all(api)
    with pytest.raises(SourceError, match="401"):
        refresh("un_data_portal", progress=False, cache=False)


def test_portal_without_token_warns_or_raises(
    api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(un_data_portal.TOKEN_ENV_VAR, raising=False)
    with pytest.warns(UserWarning, match=un_data_portal.TOKEN_ENV_VAR):
        frame = refresh("un_data_portal", countries="GEO", start=2023, end=2024, progress=False)
    assert frame.attrs["origin"] == "bundled snapshot"
    assert list(frame.columns) == un_data_portal.COLUMNS
    assert set(frame["indicator_id"]) == {65, 66} and len(frame) == 4
    with pytest.raises(SourceError, match=un_data_portal.TOKEN_ENV_VAR):
        refresh("un_data_portal", progress=False, fallback=False)
    assert len(api.calls) == 0


# ------------------------------------------------------------------ session: retries, cache


def test_session_retries_with_growing_back_off_on_both_schemes() -> None:
    from urllib3.response import HTTPResponse

    for cache in (True, False):
        session = make_session(cache=cache)
        for scheme in ("https://", "http://"):
            retry = session.get_adapter(scheme + "api.worldbank.org").max_retries
            assert retry.total >= 3 and set(retry.status_forcelist) == set(RETRY_STATUSES)
            assert retry.allowed_methods == frozenset({"GET"})
            assert retry.respect_retry_after_header
        waits = []
        for _ in range(3):
            retry = retry.increment(method="GET", url="/", response=HTTPResponse(status=503))
            waits.append(retry.get_backoff_time())
        assert waits == [0, 2.0, 4.0]
        session.close()


def test_cached_answers_expire_after_seven_days_then_stale_ones_stand_in_with_a_warning(
    api: responses.RequestsMock,
) -> None:
    url = "https://api.worldbank.org/v2/sources"
    api.add(responses.GET, url, json={"answer": 1})
    with make_session(cache=True) as session:
        first = get_json(session, url)
        response = session.get(url, timeout=TIMEOUT)
        assert first == {"answer": 1} and response.from_cache and len(api.calls) == 1
        lifetime = response.expires - response.created_at
        assert abs(lifetime - CACHE_EXPIRE_AFTER).total_seconds() < 1
        session.cache.reset_expiration(datetime(2000, 1, 1, tzinfo=UTC))  # now expired
        api.replace(responses.GET, url, body=requests.ConnectionError("offline"))
        with pytest.warns(UserWarning, match="expired on 2000-01-01"):
            assert get_json(session, url) == {"answer": 1}
        api.replace(responses.GET, url, json={"answer": 2})
        assert get_json(session, url) == {"answer": 2}  # expired: asked the server again
        assert len(api.calls) == 3


def test_fallback_that_the_snapshot_cannot_serve_is_a_clear_source_error(
    api: responses.RequestsMock,
) -> None:
    api.add(responses.GET, WB_URL, body=requests.ConnectionError("offline"))
    with pytest.raises(SourceError, match=r"snapshot cannot stand in.*SM\.POP\.TOTL"):
        refresh("wdi", indicators="SM.POP.TOTL", progress=False, cache=False)


# ------------------------------------------------------------------ arguments


def test_sources_are_described() -> None:
    assert set(SOURCES) == {"wdi", "unhcr", "un_data_portal"}
    assert all(isinstance(text, str) and text for text in SOURCES.values())


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(UnknownValueError, match="wdi"):
        refresh("worldbank")
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        refresh("wdi", countries=["Atlantis"])
    with pytest.raises(InvalidInputError, match="before"):
        refresh("wdi", start=2020, end=2010)
    with pytest.raises(InvalidInputError, match="countries is empty"):
        refresh("wdi", countries=[])
    with pytest.raises(InvalidInputError, match="indicators is empty"):
        refresh("wdi", indicators=[])


@pytest.mark.parametrize("error", [requests.exceptions.ChunkedEncodingError("cut"),
                                   requests.exceptions.TooManyRedirects("loop")])
def test_broken_transfers_count_as_an_outage(
    api: responses.RequestsMock, error: Exception
) -> None:
    api.add(responses.GET, WB_URL, body=error)
    with pytest.warns(UserWarning, match=rf"failed after retries.*{type(error).__name__}"):
        frame = refresh("wdi", start=2000, end=2024, progress=False, cache=False)
    assert frame.attrs["origin"] == "bundled snapshot"
    with pytest.raises(SourceError, match=type(error).__name__):
        refresh("wdi", progress=False, cache=False, fallback=False)
