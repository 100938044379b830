"""Requests to the Sheets v4 and Drive v3 APIs through one transport, counted, with
Google's refusals turned into ``GoogleRequestFailed`` (status and Google's reason)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sheetsync.errors import SheetsyncError

SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_API = "https://www.googleapis.com/drive/v3"
SHEETS_WEB = "https://docs.google.com/spreadsheets/d"
EPOCH = datetime(1899, 12, 30)  # day 0 of spreadsheet date serials


class GoogleRequestFailed(SheetsyncError):
    """A Sheets or Drive request Google refused; ``reason`` is Google's (e.g.
    ``storageQuotaExceeded``), ``status`` the HTTP status (None: no answer)."""

    def __init__(self, what: str, status: int | None, reason: str, message: str) -> None:
        super().__init__(f"{what}: Google answered {status or 'nothing'} {reason}: {message}")
        self.what = what
        self.status = status
        self.reason = reason
        self.message = message
        self.transient = status is None or status == 429 or status >= 500


class Calls:
    """Requests through one transport, counted.

    ``http`` is a ``requests.Session`` (sheetsync's ``GoogleSession``, or a test's session
    pointed at the local fake), a gspread ``HTTPClient`` (both take ``request(method, url,
    params=..., json=...)``), or a client holding one (``GoogleClient``, gspread's
    ``Client``). Retries and quotas are the transport's.
    """

    def __init__(self, http: Any) -> None:
        if http is None:
            raise SheetsyncError("Google Sheets needs credentials: pass --credentials KEY.json "
                                 "or run `sheetsync auth login`")
        if not hasattr(http, "request"):  # sheetsync's GoogleClient, or a gspread Client
            http = getattr(http, "session", None) or http.http_client
        self.http = http
        self.count = 0

    def __call__(self, method: str, url: str, what: str, *, params: Mapping[str, Any] | None
                 = None, json: Any = None) -> dict[str, Any]:
        import requests

        self.count += 1
        try:
            response = self.http.request(method, url, params=params, json=json)
        except requests.RequestException as exc:
            raise GoogleRequestFailed(what, None, type(exc).__name__, str(exc)) from None
        except Exception as exc:  # gspread's APIError carries the response
            response = getattr(exc, "response", None)
            if not isinstance(response, requests.Response):
                raise
        if not response.ok:
            raise _failure(what, response)
        return response.json() if response.content else {}


def _failure(what: str, response: Any) -> GoogleRequestFailed:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    if not isinstance(error, dict):
        error = {"message": str(error)}
    reasons = [e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)]
    reason = next((r for r in reasons if r), None) or error.get("status") or "error"
    message = error.get("message") or response.text[:200]
    return GoogleRequestFailed(what, response.status_code, reason, message)


SHEET, FILE, ANY = "sheet", "file", "any"  # what a Google address says it is
_SHEET_URL = re.compile(r"https://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([\w-]+)")
_FILE_URL = re.compile(r"https://drive\.google\.com/(?:u/\d+/)?file/(?:u/\d+/)?d/([\w-]+)")
_OPEN_URL = re.compile(r"https://drive\.google\.com/(?:open|uc)\?(?:[^#]*&)?id=([\w-]+)")
_BARE_KEY = re.compile(r"[\w-]{20,}")


def parse_address(text: str) -> tuple[str, str] | None:
    """(kind, id) of a Sheets URL, ``gsheet:KEY``, a bare key (30+ characters) or a Drive
    file URL; None when ``text`` is none of these."""
    text = text.strip()
    for pattern, kind in ((_SHEET_URL, SHEET), (_FILE_URL, FILE), (_OPEN_URL, ANY)):
        m = pattern.match(text)
        if m:
            return kind, m.group(1)
    key = text.removeprefix("gsheet:").strip()
    if _BARE_KEY.fullmatch(key) and (text.startswith("gsheet:") or len(key) >= 30):
        return SHEET, key
    return None


def spreadsheet_key(text: str) -> str:
    """The key of a Google Sheets URL, ``gsheet:KEY`` or bare key."""
    found = parse_address(text)
    if found is None or found[0] != SHEET:
        raise SheetsyncError(f"{text!r} is not a Google Sheets URL or key")
    return found[1]


def sheet_url(key: str) -> str:
    return f"{SHEETS_WEB}/{key}/edit"
