"""One HTTP session for every live source: timeouts, retries with back-off and an on-disk cache."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import MalformedResponseError, SourceError, SourceUnavailableError

__all__ = [
    "BACKOFF_FACTOR",
    "CACHE_ENV_VAR",
    "CACHE_EXPIRE_AFTER",
    "MAX_PAGES",
    "RETRY_STATUSES",
    "TIMEOUT",
    "base_url",
    "get_json",
    "make_session",
    "page_count",
]

#: Seconds to wait for the connection and for the answer.
TIMEOUT = (10, 60)
#: Answers that are retried (with exponential back-off) before giving up.
RETRY_STATUSES = (429, 500, 502, 503, 504)
#: How long a cached answer stays fresh.
CACHE_EXPIRE_AFTER = timedelta(days=7)
#: Environment variable naming a folder for the cache (default: the user's cache folder).
CACHE_ENV_VAR = "MIGDATA_CACHE_DIR"
#: urllib3 back-off factor of :func:`make_session` (tests make it 0 to retry at once).
BACKOFF_FACTOR = 1.0
#: Most pages one query may take: a server announcing more is answering something else.
MAX_PAGES = 500

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


def base_url(env_var: str, default: str) -> str:
    """The base URL of a live source: ``$env_var`` if set (e.g. a local test server), else
    ``default``; without a trailing slash.

    Raises
    ------
    InvalidInputError
        If the variable is set to something other than an ``http://`` or ``https://`` URL.
    """
    from ..errors import InvalidInputError

    value = os.environ.get(env_var, "").strip()
    if not value:
        return default.rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise InvalidInputError(
            f"{env_var}={value!r} is not a base URL; expected e.g. 'http://127.0.0.1:8000'"
        )
    return value.rstrip("/")


def page_count(value: object, url: str, what: str = "pages") -> int:
    """The number of pages a paginated answer announces, checked: a whole number 0..MAX_PAGES.

    Raises
    ------
    MalformedResponseError
        If it is not a whole number (``"abc"``, ``1.5``, ``None``...), negative, or above
        :data:`MAX_PAGES` (paging is capped rather than followed without end).
    """
    if value is None or value == "":
        return 1
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer() or number < 0:
        raise MalformedResponseError(
            f"{url} announced {what}={value!r}; expected a whole number of pages"
        )
    if number > MAX_PAGES:
        raise MalformedResponseError(
            f"{url} announced {int(number)} {what}, more than the cap of {MAX_PAGES}; ask for "
            "fewer countries or years at a time"
        )
    return int(number)


def _set_aside(path: Path, problem: object) -> None:
    """Move a damaged cache database out of the way, with a warning."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    with contextlib.suppress(OSError):
        for extra in ("-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    try:
        path.replace(aside)
    except OSError:
        aside = None
        path.unlink(missing_ok=True)
    where = f"moved it to {aside}" if aside else "removed it"
    warnings.warn(
        f"the HTTP cache {path} is damaged ({problem}); {where} and started an empty cache "
        "(answers will be downloaded again)",
        UserWarning,
        stacklevel=3,
    )


def _check_cache(path: Path) -> None:
    """Set the SQLite cache at ``path`` aside if it is not a readable database."""
    if not path.exists():
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        _set_aside(path, error)
        return
    if not result or result[0] != "ok":
        _set_aside(path, f"integrity check: {result[0] if result else 'no answer'}")


def _cached_session() -> requests.Session:
    """A :class:`requests_cache.CachedSession`, setting a damaged database aside first."""
    from requests_cache import CachedSession
    from requests_cache.backends.sqlite import _get_sqlite_cache_path

    folder = os.environ.get(CACHE_ENV_VAR)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name, in_cache_dir = str(Path(folder) / "migdata_sources"), False
    else:
        name, in_cache_dir = "migdata_sources", True
    path = Path(_get_sqlite_cache_path(name, use_cache_dir=in_cache_dir, use_temp=False))
    _check_cache(path)

    def open_session() -> requests.Session:
        return CachedSession(name, backend="sqlite", use_cache_dir=in_cache_dir,
                             expire_after=CACHE_EXPIRE_AFTER, stale_if_error=True)

    try:
        return open_session()
    except sqlite3.DatabaseError as error:  # damaged in a way quick_check did not see
        _set_aside(path, error)
        return open_session()


def make_session(cache: bool = True, backoff_factor: float | None = None) -> requests.Session:
    """Return a requests session that retries and, if ``cache``, caches answers on disk.

    Parameters
    ----------
    cache : bool
        Use a :class:`requests_cache.CachedSession`: an SQLite file ``migdata_sources.sqlite``
        in ``$MIGDATA_CACHE_DIR`` or in the user's cache folder. Answers expire after
        :data:`CACHE_EXPIRE_AFTER`; if the server cannot be reached and an expired answer is
        cached, that answer is used (``stale_if_error``) and :func:`get_json` warns. A damaged
        cache file (not an SQLite database, or failing its integrity check) is moved aside to
        ``migdata_sources.sqlite.corrupt-<time>`` with a warning, and an empty cache is used.
    backoff_factor : float, optional
        urllib3 back-off: the first retry is immediate, the n-th waits
        ``backoff_factor * 2 ** (n - 1)`` seconds (2, 4, 8 s by default), or what a
        ``Retry-After`` header asks. Default: :data:`BACKOFF_FACTOR`.

    Returns
    -------
    requests.Session
        With an :class:`~requests.adapters.HTTPAdapter` retrying :data:`RETRY_STATUSES` and
        connection/read failures on both ``http://`` and ``https://``.
    """
    session = _cached_session() if cache else requests.Session()
    if backoff_factor is None:
        backoff_factor = BACKOFF_FACTOR
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
    SourceUnavailableError
        When the server still answers with one of :data:`RETRY_STATUSES` (429, 5xx) after the
        retries: the source is down, and :func:`migdata.sources.refresh` falls back to the
        bundled snapshot as it does offline.
    SourceError
        When the server answers with another HTTP error (404, 401...); names the URL and status.
    MalformedResponseError
        When the answer is not JSON.
    """
    try:
        response = session.get(url, params=params, headers=headers, timeout=TIMEOUT)
    except (requests.ConnectionError, requests.Timeout):
        raise  # offline: the caller decides (refresh falls back to the bundled snapshot)
    except requests.RequestException as error:  # broken transfer, redirect loop, retries...
        raise SourceUnavailableError(
            f"{url} could not be downloaded ({type(error).__name__}: {error})"
        ) from error
    if getattr(response, "from_cache", False) and getattr(response, "is_expired", False):
        # stale_if_error: the server could not be reached and an expired answer stands in.
        warnings.warn(
            f"{response.url}: the server could not be reached; using a cached answer that "
            f"expired on {response.expires:%Y-%m-%d}",
            UserWarning,
            stacklevel=2,
        )
    if response.status_code in RETRY_STATUSES:
        reason = response.reason or ""
        raise SourceUnavailableError(
            f"{response.url} still answered HTTP {response.status_code} {reason}".rstrip()
            + " after the retries"
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
