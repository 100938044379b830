"""The transport to Google: one session that every Sheets and Drive request goes through.

``GoogleSession`` is google-auth's ``AuthorizedSession`` with five duties:

1. it sends requests meant for ``https://sheets.googleapis.com`` and
   ``https://www.googleapis.com`` to a configured base URL instead (a proxy, or the tests'
   local fake): ``SHEETSYNC_GOOGLE_API_URL``, else the cohort's ``[google] api_url``;
2. it retries what ``errors`` calls transient (429, 500, 502, 503, 504, Drive's 403
   rate-limit answers and dropped connections), with exponential backoff and full jitter,
   waiting at least what ``Retry-After`` asks, for a fixed number of attempts; then it
   returns the last answer (or raises the last error) for ``client.GoogleClient`` to turn
   into a ``GoogleError``;
3. it passes Sheets requests through a ``QuotaLimiter``, so a pull stays inside Google's
   per-minute quotas instead of running into them;
4. it counts what it sends (``requests_made``, ``retries``);
5. it always sets a timeout, so no request can hang a pull.

``client.GoogleClient`` drives it. Nothing here logs a header or a request body, so
credentials cannot reach a log.
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
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth.transport.requests import AuthorizedSession

from sheetsync.google.constants import ENV_API_URL, GOOGLE_ORIGINS
from sheetsync.google.errors import GoogleSetupError, answer_error, no_answer_error

log = logging.getLogger("sheetsync.google")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds between bytes of the answer
DEFAULT_ATTEMPTS = 5


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
                error = no_answer_error(exc)
                if attempt == self.attempts or not error.transient \
                        or not self._may_resend(method, exc):
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
        """How long to wait before sending again; ``None``: this answer is final (a success,
        an error that is not transient, the last attempt, or a wait too long to make)."""
        error = answer_error(response)
        if error is None or not error.transient or attempt >= self.attempts:
            return None
        after = retry_after(response)
        if after is not None and after > self.max_retry_after:
            return None  # Google asks for longer than a pull should wait: report it
        return max(self._jitter(attempt), after or 0.0)

    @staticmethod
    def _may_resend(method: str, exc: Exception) -> bool:
        """Reads and idempotent writes are sent again; a POST only if it never left."""
        return method in IDEMPOTENT or isinstance(exc, requests.exceptions.ConnectTimeout)
