"""What went wrong with Google, as one error type.

Every Sheets or Drive request that fails, for reads, writes and Drive alike, becomes a
``GoogleError``: what sheetsync was doing, the method, Google's HTTP status (``None`` when
no answer came), Google's reason (``storageQuotaExceeded``, ``PERMISSION_DENIED``…) and
message, and ``transient``: whether the same request may succeed later. The retry layer
(``session.GoogleSession``) retries exactly the transient ones; the pull reports them as
"try again later".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.google.constants import RATE_LIMIT_REASONS, TRANSIENT_STATUSES


class GoogleSetupError(SheetsyncError):
    """Google settings or credentials that cannot be used; the message says what to do."""


def is_transient(status: int | None, reasons: Iterable[str] = ()) -> bool:
    """Google may answer differently later: no answer at all, "slow down" (429, or Drive's
    403 with a rate-limit reason), or a server error Google itself calls temporary."""
    if status is None:
        return True
    return status in TRANSIENT_STATUSES or (status == 403 and
                                            bool(RATE_LIMIT_REASONS & set(reasons)))


class GoogleError(SheetsyncError):
    """A Sheets or Drive request that failed. ``status`` is the HTTP status (``None``: no
    answer); ``reason`` Google's first reason (e.g. ``storageQuotaExceeded``), ``reasons``
    all of them; ``transient`` whether trying again later may succeed."""

    def __init__(self, what: str, status: int | None, reason: str, message: str, *,
                 method: str = "", reasons: Iterable[str] = (),
                 transient: bool | None = None) -> None:
        super().__init__(f"{what}: Google answered {status or 'nothing'} {reason}: {message}")
        self.what = what
        self.method = method
        self.status = status
        self.reason = reason
        self.reasons = tuple(reasons) or (reason,)
        self.message = message
        self.transient = is_transient(status, self.reasons) if transient is None else transient


def answer_error(response: Any, what: str = "", method: str = "") -> GoogleError | None:
    """The ``GoogleError`` a response stands for; ``None`` when it succeeded."""
    if response.ok:
        return None
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    reasons = [str(e["reason"]) for e in error.get("errors") or []
               if isinstance(e, dict) and e.get("reason")]
    reason = reasons[0] if reasons else str(error.get("status") or "error")
    message = str(error.get("message") or response.text[:200])
    return GoogleError(what, response.status_code, reason, message, method=method,
                       reasons=reasons or [reason])


def no_answer_error(exc: BaseException, what: str = "", method: str = "") -> GoogleError:
    """The ``GoogleError`` for a request that got no answer (a dropped connection, a
    timeout: transient), or whose credentials Google would not refresh (not transient)."""
    from google.auth import exceptions as auth_errors

    if isinstance(exc, auth_errors.RefreshError):
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return GoogleError(what, None, type(exc).__name__, first, method=method,
                           transient=False)
    return GoogleError(what, None, type(exc).__name__, str(exc), method=method)
