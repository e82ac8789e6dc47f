"""One HTTP session for every live source: timeouts, retries with back-off and an on-disk cache."""

from __future__ import annotations

import os
import warnings
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

    Parameters
    ----------
    cache : bool
        Use a :class:`requests_cache.CachedSession`: an SQLite file ``migdata_sources.sqlite``
        in ``$MIGDATA_CACHE_DIR`` or in the user's cache folder. Answers expire after
        :data:`CACHE_EXPIRE_AFTER`; if the server cannot be reached and an expired answer is
        cached, that answer is used (``stale_if_error``) and :func:`get_json` warns.
    backoff_factor : float
        urllib3 back-off: the first retry is immediate, the n-th waits
        ``backoff_factor * 2 ** (n - 1)`` seconds (2, 4, 8 s by default), or what a
        ``Retry-After`` header asks.

    Returns
    -------
    requests.Session
        With an :class:`~requests.adapters.HTTPAdapter` retrying :data:`RETRY_STATUSES` and
        connection/read failures on both ``http://`` and ``https://``.
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
    """GET ``url`` (with :data:`TIMEOUT`) and return its JSON.

    Parameters
    ----------
    session : requests.Session
        From :func:`make_session`.
    url : str
        The address, without query.
    params, headers : dict, optional
        Query parameters and extra headers (e.g. ``Authorization``).

    Returns
    -------
    Any
        The decoded JSON.

    Warns
    -----
    UserWarning
        When an expired cached answer stands in because the server could not be reached.

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
    if getattr(response, "from_cache", False) and getattr(response, "is_expired", False):
        # stale_if_error: the server could not be reached and an expired answer stands in.
        warnings.warn(
            f"{response.url}: the server could not be reached; using a cached answer that "
            f"expired on {response.expires:%Y-%m-%d}",
            UserWarning,
            stacklevel=2,
        )
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
