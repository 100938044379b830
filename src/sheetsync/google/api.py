"""The transport to Google: one session that every Sheets and Drive request goes through.

``GoogleSession`` is google-auth's ``AuthorizedSession`` with five duties:

1. it sends requests meant for ``https://sheets.googleapis.com`` and
   ``https://www.googleapis.com`` to a configured base URL instead (a proxy, or the tests'
   local fake): ``SHEETSYNC_GOOGLE_API_URL``, else the cohort's ``[google] api_url``;
2. it retries 429, 500, 502, 503, 504, Drive's 403 rate-limit answers and dropped
   connections, with exponential backoff and full jitter, waiting at least what
   ``Retry-After`` asks, for a fixed number of attempts; then it returns the last answer
   (or raises the last error) for the caller to report;
3. it passes Sheets requests through a ``QuotaLimiter``, so a pull stays inside Google's
   per-minute quotas instead of running into them;
4. it counts what it sends (``requests_made``, ``retries``);
5. it always sets a timeout (gspread passes none).

gspread's own ``HTTPClient`` drives it (``GoogleClient.http``), so gspread's methods work
unchanged; its ``BackOffHTTPClient`` is not used, because in 6.2.1 it never stops retrying.
Nothing here logs a header or a request body, so credentials cannot reach a log.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth.transport.requests import AuthorizedSession

from sheetsync.errors import SheetsyncError

log = logging.getLogger("sheetsync.google")

ENV_API_URL = "SHEETSYNC_GOOGLE_API_URL"
GOOGLE_ORIGINS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
DRIVE_ABOUT_URL = "https://www.googleapis.com/drive/v3/about"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DRIVE_RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds between bytes of the answer
DEFAULT_ATTEMPTS = 5
VALUE_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}


class GoogleSetupError(SheetsyncError):
    """Google settings or credentials that cannot be used; the message says what to do."""


def api_base_url(setting: str | None) -> str | None:
    """Where Google requests go instead of Google: ``SHEETSYNC_GOOGLE_API_URL`` wins, then
    the cohort's ``[google] api_url``; ``None`` means Google itself."""
    url = (os.environ.get(ENV_API_URL) or setting or "").strip().rstrip("/")
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise GoogleSetupError(f"the Google API URL {url!r} must start with http:// or https:// "
                               f"(set by {ENV_API_URL} or [google] api_url)")
    return url


class QuotaLimiter:
    """Google's Sheets quotas kept on this side: at most ``per_user`` requests of one kind
    (read or write) by one identity in any rolling window, and ``per_project`` by all.

    A rolling window, not a refilling bucket: a bucket of 60 refilled at one a second lets
    120 reads through in the first minute, and Google counts per minute. Each request is
    remembered by the time its answer came back, so however long it was in flight Google
    cannot have received more than the limit within a window. The window is a minute plus
    a second of slack for the clocks. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, per_user: int | None = 60, per_project: int | None = 300,
                 window: float = 61.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_user = per_user
        self.per_project = per_project
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0  # seconds spent waiting for the quota, in total
        self._hits: dict[tuple[str, str], list[list[float]]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, kind: str, user: str = "") -> Iterator[None]:
        """Wait until a ``kind`` ("read" or "write") request may be sent, then charge it."""
        stamp = self._acquire(kind, user)
        try:
            yield
        finally:
            with self._lock:
                stamp[0] = max(stamp[0], self.clock())

    def _acquire(self, kind: str, user: str) -> list[float]:
        keys = [((kind, f"user:{user}"), self.per_user), ((kind, "project"), self.per_project)]
        while True:
            with self._lock:
                now = self.clock()
                wait = 0.0
                for key, limit in keys:
                    hits = self._hits.setdefault(key, [])
                    hits[:] = [h for h in hits if h[0] + self.window > now]
                    if limit is not None and len(hits) >= limit:
                        ends = sorted(h[0] for h in hits)
                        wait = max(wait, ends[len(hits) - limit] + self.window - now)
                if wait <= 0:
                    stamp = [now]
                    for key, _ in keys:
                        self._hits[key].append(stamp)
                    return stamp
            self.waited += wait
            log.info("waiting %.1f s to stay inside Google's per-minute %s quota", wait, kind)
            self.sleep(wait)


def retry_after(response: requests.Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _drive_rate_limited(response: requests.Response) -> bool:
    """Drive says "slow down" with 403 and a reason, not only with 429."""
    try:
        errors = response.json()["error"].get("errors") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return any(e.get("reason") in DRIVE_RATE_REASONS for e in errors if isinstance(e, dict))


class GoogleSession(AuthorizedSession):
    """An ``AuthorizedSession`` that redirects, retries with a bound, keeps to the quota,
    counts and times out (see the module docstring). ``sleep`` and ``rng`` are injectable
    so tests neither wait nor depend on chance."""

    def __init__(self, credentials: Any, base_url: str | None = None, *,
                 limiter: QuotaLimiter | None = None, attempts: int = DEFAULT_ATTEMPTS,
                 backoff: float = 1.0, max_backoff: float = 32.0,
                 max_retry_after: float = 120.0,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random, user: str = "") -> None:
        super().__init__(credentials)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.limiter = limiter if limiter is not None else QuotaLimiter()
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.timeout = timeout
        self.sleep = sleep
        self.rng = rng
        self.user = user or getattr(credentials, "service_account_email", "") or \
            f"credentials-{id(credentials)}"
        self.requests_made = 0
        self.retries = 0
        self._count_lock = threading.Lock()

    def redirect(self, url: str) -> str:
        if self.base_url:
            for origin in GOOGLE_ORIGINS:
                if url.startswith(origin):
                    return self.base_url + url[len(origin):]
        return url

    def request(self, method: str, url: Any, data: Any = None,  # type: ignore[override]
                headers: Any = None, **kwargs: Any) -> requests.Response:
        method = str(method).upper()
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if "_credential_refresh_attempt" in kwargs:  # AuthorizedSession's own 401 retry
            return self._send(method, str(url), data, headers, **kwargs)
        url = self.redirect(str(url))
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._send(method, url, data, headers, **kwargs)
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                if attempt == self.attempts or not self._may_resend(method, exc):
                    raise
                delay, why = self._jitter(attempt), type(exc).__name__
            else:
                wait = self._retry_delay(response, attempt)
                if wait is None:
                    return response
                response.close()
                delay, why = wait, f"HTTP {response.status_code}"
            with self._count_lock:
                self.retries += 1
            log.info("Google: %s for %s %s; trying again in %.1f s (attempt %d of %d)", why,
                     method, urlsplit(url).path, delay, attempt + 1, self.attempts)
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, data: Any, headers: Any,
              **kwargs: Any) -> requests.Response:
        path = urlsplit(url).path
        kind = None if not path.startswith("/v4/") else "read" if method == "GET" else "write"
        with self._count_lock:
            self.requests_made += 1
        if kind is None:  # Drive: its quotas are two orders of magnitude larger
            return super().request(method, url, data=data, headers=headers, **kwargs)
        with self.limiter.slot(kind, self.user):
            return super().request(method, url, data=data, headers=headers, **kwargs)

    def _jitter(self, attempt: int) -> float:
        """Full jitter: anywhere between 0 and the exponential ceiling for this attempt."""
        return self.rng() * min(self.max_backoff, self.backoff * 2 ** (attempt - 1))

    def _retry_delay(self, response: requests.Response, attempt: int) -> float | None:
        status = response.status_code
        if status not in RETRY_STATUSES and not (status == 403 and _drive_rate_limited(response)):
            return None
        if attempt >= self.attempts:
            return None
        after = retry_after(response)
        if after is not None and after > self.max_retry_after:
            return None  # Google asks for longer than a pull should wait: report it
        return max(self._jitter(attempt), after or 0.0)

    @staticmethod
    def _may_resend(method: str, exc: Exception) -> bool:
        """Reads and idempotent writes are sent again; a POST only if it never left."""
        return method in IDEMPOTENT or isinstance(exc, requests.exceptions.ConnectTimeout)


class GoogleClient:
    """What Google sources and commands use: the session, gspread's HTTP client over it,
    and who is asking (for messages that say whom to share a sheet with)."""

    page_size = 1000  # files per Drive listing page; Drive allows at most 1,000

    def __init__(self, session: GoogleSession, email: str | None = None,
                 school_year: str | None = None, description: str = "") -> None:
        import gspread

        self.session = session
        self.gspread = gspread.Client(session.credentials, session=session)
        self.http = self.gspread.http_client
        self.http.auth = session.credentials  # gspread sets it only when it makes the session
        self.school_year = school_year
        self.description = description  # where the credentials came from, for messages
        self._email = email

    @classmethod
    def from_credentials(cls, credentials: Any, base_url: str | None = None,
                         email: str | None = None, school_year: str | None = None,
                         description: str = "", **session_options: Any) -> GoogleClient:
        """A client for ``credentials`` (any google-auth credentials) sending to
        ``base_url`` (``None``: Google). ``session_options`` go to ``GoogleSession``."""
        session = GoogleSession(credentials, base_url, **session_options)
        return cls(session, email, school_year, description)

    def __repr__(self) -> str:
        return f"<GoogleClient {self.description or self.kind} via {self.base_url}>"

    @property
    def credentials(self) -> Any:
        return self.session.credentials

    @property
    def base_url(self) -> str:
        return self.session.base_url or "Google"

    @property
    def requests_made(self) -> int:
        return self.session.requests_made

    @property
    def kind(self) -> str:
        return "service account" if hasattr(self.credentials, "service_account_email") \
            else "user"

    @property
    def identity(self) -> str:
        """The e-mail address Google knows these credentials as (asks Drive at most once,
        and only when the credentials do not say)."""
        if self._email is None:
            from sheetsync.google.auth import identity

            self._email = identity(self.credentials) or self._about_email()
        return self._email

    def _about_email(self) -> str:
        try:
            answer = self.http.request("get", DRIVE_ABOUT_URL,
                                       params={"fields": "user(emailAddress)"}).json()
            return str(answer["user"]["emailAddress"])
        except Exception as exc:  # a message must not fail for want of the address
            log.info("could not ask Drive who these credentials are: %s", type(exc).__name__)
            return "the Google account sheetsync uses (see `sheetsync auth check`)"

    # -- Drive -------------------------------------------------------------------------

    def list_files(self, query: str, fields: str) -> Iterator[dict[str, Any]]:
        """Every file ``query`` matches, a page of ``page_size`` per request."""
        params: dict[str, Any] = {"q": query, "fields": f"nextPageToken,files({fields})",
                                  "pageSize": self.page_size, "supportsAllDrives": "true",
                                  "includeItemsFromAllDrives": "true"}
        while True:
            page = self.http.request("get", DRIVE_FILES_URL, params=params).json()
            yield from page.get("files", [])
            token = page.get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token

    def file(self, file_id: str, fields: str) -> dict[str, Any]:
        """One file's Drive metadata (404 when it is missing or not shared)."""
        return dict(self.http.request("get", f"{DRIVE_FILES_URL}/{file_id}", params={
            "fields": fields, "supportsAllDrives": "true"}).json())

    def download(self, file_id: str, dest: Path, max_bytes: int) -> int:
        """Save a binary Drive file's bytes to ``dest``; only ever reads the file."""
        from gspread.exceptions import APIError

        response = self.session.request("GET", f"{DRIVE_FILES_URL}/{file_id}", params={
            "alt": "media", "supportsAllDrives": "true"}, stream=True)
        with response:
            if not response.ok:
                raise APIError(response)
            size = 0
            with dest.open("wb") as fh:
                for chunk in response.iter_content(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        raise GoogleSetupError(
                            f"the file is larger than {max_bytes // 2**20} MB, more than a "
                            "scorecard can be; it was not read")
                    fh.write(chunk)
        return size

    # -- Sheets ------------------------------------------------------------------------

    def batch_get(self, key: str, ranges: list[str]) -> list[list[list[Any]]]:
        """The values of ``ranges`` in one request: unformatted, dates as serial numbers."""
        answer = self.http.values_batch_get(key, ranges, params=dict(VALUE_PARAMS))
        return [vr.get("values", []) for vr in answer.get("valueRanges", [])]

    def sheet_titles(self, key: str) -> list[str]:
        answer = self.http.spreadsheets_get(key, params={"fields": "sheets.properties.title"})
        return [s["properties"]["title"] for s in answer.get("sheets", [])]
