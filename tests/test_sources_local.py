"""Live sources against a real HTTP server on 127.0.0.1 serving the answers in tests/recorded/.

Unlike tests/test_sources.py (which replays answers inside `requests` with `responses`), these
tests go through the whole stack: sockets, urllib3 retries, requests-cache's SQLite file. The
server is :mod:`http.server` in a thread; the clients find it through the environment variables
MIGDATA_WORLDBANK_URL, MIGDATA_UNHCR_URL and MIGDATA_UN_DATA_PORTAL_URL. The recorded answers
are SYNTHETIC (see tests/recorded/README.md).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from migdata.datasets import load
from migdata.errors import InvalidInputError, MalformedResponseError, SourceUnavailableError
from migdata.sources import http, refresh, un_data_portal, unhcr, worldbank

RECORDED = Path(__file__).resolve().parent / "recorded"
PORTAL_ORIGIN = "https://population.un.org/dataportalapi/api/v1"


class Server(ThreadingHTTPServer):
    """Serves the recorded answers; ``mode`` switches to failures for one test."""

    daemon_threads = True
    mode = "normal"
    hits: list[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:  # keep pytest's output clean
        pass

    def _send(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        mode = self.server.mode
        if mode == "500":
            self._send(500, '{"error": "internal"}')
            return
        if url.path.startswith("/wb/"):
            indicator = url.path.rsplit("/", 1)[-1]
            name = RECORDED / f"worldbank_{indicator}_page{query.get('page', '1')}.json"
            if not name.is_file():
                name = RECORDED / "worldbank_invalid_indicator.json"
            body = name.read_text(encoding="utf-8")
            if mode.startswith("pages="):
                payload = json.loads(body)
                payload[0]["pages"] = json.loads(mode.split("=", 1)[1])
                body = json.dumps(payload)
            self._send(200, body)
        elif url.path.startswith("/unhcr/population/"):
            side = "coa" if "coa" in query else "coo"
            self._send(200, (RECORDED / f"unhcr_{side}_page{query['page']}.json").read_text(
                encoding="utf-8"))
        elif url.path.startswith("/portal/"):
            if self.headers.get("Authorization") != "Bearer test-token":
                self._send(401, '{"message": "Unauthorized"}')
                return
            page = query.get("pageNumber", "1")
            body = (RECORDED / f"un_data_portal_page{page}.json").read_text(encoding="utf-8")
            if mode != "foreign-next":  # a real server links to itself
                body = body.replace(PORTAL_ORIGIN, f"{self.server.base}/portal")
            self._send(200, body)
        else:
            self._send(404, '{"error": "not found"}')


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.hits = []
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    monkeypatch.setenv(worldbank.ENV_VAR, f"{srv.base}/wb")
    monkeypatch.setenv(unhcr.ENV_VAR, f"{srv.base}/unhcr")
    monkeypatch.setenv(un_data_portal.ENV_VAR, f"{srv.base}/portal")
    monkeypatch.setenv(http.CACHE_ENV_VAR, str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(http, "BACKOFF_FACTOR", 0.0)  # retry at once
    monkeypatch.setattr(worldbank, "PER_PAGE", 50)
    monkeypatch.setattr(unhcr, "PAGE_LIMIT", 100)
    monkeypatch.setattr(un_data_portal, "PAGE_SIZE", 40)
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def _bundled_wdi() -> pd.DataFrame:
    frame = load("wdi", country=["ARM", "AZE", "GEO"], indicator=["SM.POP.NETM", "SP.POP.TOTL"],
                 year=list(range(2000, 2025)))
    return frame[worldbank.COLUMNS].sort_values(["country", "indicator", "year"],
                                                ignore_index=True)


def test_wdi_over_real_http_with_the_disk_cache(server: Server, tmp_path: Path) -> None:
    frame = refresh("wdi", start=2000, end=2024, progress=False)
    assert frame.attrs["origin"] == "live"
    pd.testing.assert_frame_equal(frame, _bundled_wdi(), check_dtype=False)
    assert len(server.hits) == 4 and all(h.startswith("/wb/country/") for h in server.hits)
    again = refresh("wdi", start=2000, end=2024, progress=False)
    assert len(server.hits) == 4, "the second call did not come from the cache"
    pd.testing.assert_frame_equal(frame, again)
    assert (tmp_path / "cache" / "migdata_sources.sqlite").is_file()


def test_unhcr_and_portal_over_real_http(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = refresh("unhcr", start=2020, end=2023, progress=False, cache=False)
    bundled = load("unhcr_population", year=[2020, 2021, 2022, 2023])[unhcr.COLUMNS]
    bundled = bundled.sort_values(["year", "asylum", "origin", "measure"], ignore_index=True)
    pd.testing.assert_frame_equal(frame, bundled, check_dtype=False)
    assert sum("/unhcr/" in h for h in server.hits) == 8  # 3 + 5 pages
    monkeypatch.setenv(un_data_portal.TOKEN_ENV_VAR, "test-token")
    portal = refresh("un_data_portal", start=2015, end=2030, progress=False, cache=False)
    assert sum("/portal/" in h for h in server.hits) == 3 and portal.attrs["origin"] == "live"
    assert set(portal["indicator_id"]) == {65, 66}


def test_server_error_after_retries_falls_back_with_a_warning(server: Server) -> None:
    server.mode = "500"
    with pytest.warns(UserWarning, match=r"failed after retries.*HTTP 500.*bundled snapshot"):
        frame = refresh("wdi", start=2000, end=2024, progress=False, cache=False)
    assert len(server.hits) == 5  # one try and four retries
    assert frame.attrs["origin"] == "bundled snapshot"
    pd.testing.assert_frame_equal(frame, _bundled_wdi(), check_dtype=False)
    with pytest.raises(SourceUnavailableError, match=r"127\.0\.0\.1.*HTTP 500"):
        refresh("wdi", progress=False, cache=False, fallback=False)


def test_a_damaged_cache_database_is_set_aside_with_a_warning(
    server: Server, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    damaged = cache / "migdata_sources.sqlite"
    damaged.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.warns(UserWarning, match=r"HTTP cache .*migdata_sources\.sqlite is damaged"):
        frame = refresh("wdi", start=2000, end=2024, progress=False)
    assert frame.attrs["origin"] == "live" and len(frame) == 150
    aside = list(cache.glob("migdata_sources.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    with sqlite3.connect(damaged) as db:  # a fresh, working cache took its place
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)


@pytest.mark.parametrize("pages", ['"abc"', "1.5", "-1", "1000000000", "true"])
def test_odd_page_counts_are_malformed_answers(server: Server, pages: str) -> None:
    server.mode = f"pages={pages}"
    with pytest.raises(MalformedResponseError, match="pages"):
        refresh("wdi", progress=False, cache=False)
    assert len(server.hits) == 1  # nothing followed


def test_portal_never_sends_the_token_to_another_server(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(un_data_portal.TOKEN_ENV_VAR, "test-token")
    server.mode = "foreign-next"
    with pytest.raises(MalformedResponseError, match=r"nextPage=.*population\.un\.org"):
        refresh("un_data_portal", start=2015, end=2030, progress=False, cache=False)
    assert len(server.hits) == 1


def test_base_url_must_be_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(worldbank.ENV_VAR, "ftp://example.org")
    with pytest.raises(InvalidInputError, match=worldbank.ENV_VAR):
        refresh("wdi", progress=False, cache=False)
    monkeypatch.setenv(worldbank.ENV_VAR, "")
    assert http.base_url(worldbank.ENV_VAR, worldbank.BASE_URL) == worldbank.BASE_URL
