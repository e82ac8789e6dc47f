"""One HTTP session for every live source: timeouts, retries with back-off and an on-disk cache."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import MalformedResponseError, SourceError

__all__ = [
    "CACHE_ENV_VAR",
    "CACHE_EXPIRE_AFTER",
    "RETRY_STATUSES",
    "TIMEOUT",
    "get_json",
    "make_session",
]

#: Seconds to wait for the connection and for the answer.
TIMEOUT = (10, 60)
#: Answers that are retried (with exponential back-off) before giving up.
RETRY_STATUSES = (429, 500, 502, 503, 504)
#: How long a cached answer stays fresh.
CACHE_EXPIRE_AFTER = timedelta(days=7)
#: Environment variable naming a folder for the cache (default: the user's cache folder).
CACHE_ENV_VAR = "MIGDATA_CACHE_DIR"

_USER_AGENT = "migdata (Python teaching kit for migration statistics)"


def _retry(backoff_factor: float) -> Retry:
    return Retry(
        total=4,
        connect=3,
        read=3,
        status=4,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer comes back and get_json names its status
    )


def make_session(cache: bool = True, backoff_factor: float = 1.0) -> requests.Session:
    """Return a requests session that retries and, if ``cache``, caches answers on disk.

    The cache is an SQLite file ``migdata_sources.sqlite`` in ``$MIGDATA_CACHE_DIR`` or in the
    user's cache folder; answers expire after :data:`CACHE_EXPIRE_AFTER`. If a refresh fails
    and an expired answer is cached, the expired answer is used (``stale_if_error``).
    """
    session: requests.Session
    if cache:
        from requests_cache import CachedSession

        folder = os.environ.get(CACHE_ENV_VAR)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            session = CachedSession(str(Path(folder) / "migdata_sources"), backend="sqlite",
                                    expire_after=CACHE_EXPIRE_AFTER, stale_if_error=True)
        else:
            session = CachedSession("migdata_sources", backend="sqlite", use_cache_dir=True,
                                    expire_after=CACHE_EXPIRE_AFTER, stale_if_error=True)
    else:
        session = requests.Session()
    adapter = HTTPAdapter(max_retries=_retry(backoff_factor))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = _USER_AGENT
    return session


def get_json(
    session: requests.Session,
    url: str,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """GET ``url`` and return its JSON.

    Raises
    ------
    requests.ConnectionError, requests.Timeout
        When the server cannot be reached (the caller may fall back to the bundled data).
    SourceError
        When the server answers with an HTTP error (after retries); names the URL and status.
    MalformedResponseError
        When the answer is not JSON.
    """
    response = session.get(url, params=params, headers=headers, timeout=TIMEOUT)
    if response.status_code >= 400:
        reason = response.reason or ""
        raise SourceError(
            f"{response.url} answered HTTP {response.status_code} {reason}".rstrip()
            + (" (check the UN_DATA_PORTAL_TOKEN)" if response.status_code in (401, 403)
               else "")
        )
    try:
        return response.json()
    except ValueError as error:
        snippet = response.text[:80].replace("\n", " ")
        raise MalformedResponseError(
            f"{response.url} did not answer JSON (starts with {snippet!r})"
        ) from error
