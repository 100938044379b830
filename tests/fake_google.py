"""A local fake of the Google Sheets v4 / Drive v3 API subset sheetsync uses.

One threaded HTTP server on 127.0.0.1 (ephemeral port) answers both Sheets paths
(``/v4/spreadsheets/...``) and Drive paths (``/drive/v3/...``, ``/upload/drive/v3/...``),
so a single base URL replaces ``https://sheets.googleapis.com`` and
``https://www.googleapis.com``.  Bodies follow what Google sends; the conformance test in
``test_fake_google.py`` replays gspread's recordings of real traffic against it.

Quick start::

    fake = FakeGoogle()
    key = fake.add_spreadsheet("Adair County", {"Goals": [["id", "target"], ["G1", 45]]})
    with serve(fake) as base_url:
        client = gspread.Client(None, session=RedirectSession(base_url))
        client.open_by_key(key).worksheet("Goals").get_all_values()

or, in a test, the ``fake_google`` fixture (``.fake``, ``.base_url``, ``.session()``,
``.client()``).

Cells and formats
    A cell keeps its value, its formula (``Formula``: the fake computes nothing, a formula
    cell shows the value it was seeded with) and its number format: a value typed through
    USER_ENTERED gets the format Sheets gives it ("58%" is 0.58 shown as 58%, "2026-11-15"
    a date), and ``Formatted(0.46, "PERCENT")`` seeds a value in a formatted cell.
    values.get renders FORMATTED_VALUE, UNFORMATTED_VALUE and FORMULA; spreadsheets.get
    answers grid data for a field mask asking for ``sheets.data`` within what the fake
    keeps (startRow, startColumn, and per cell userEnteredValue, effectiveValue,
    formattedValue and the numberFormat of userEnteredFormat / effectiveFormat), shaped as
    the API reference's GridData, CellData, ExtendedValue, CellFormat and NumberFormat.
    Other formats (colours, borders, row metadata) are recorded from batchUpdate but not
    kept, and asking for them is refused with 400. Writing a value replaces the cell's
    format with the one the value brings (Google keeps a formatted cell's format when a
    plain number is typed into it; what it then stores was not recorded, so the fake does
    not guess).

Identity model
    ``Authorization: Bearer <token>`` is looked up in the tokens registered with
    ``add_token(token, email, kind)``; a missing or unknown token gets 401
    UNAUTHENTICATED.  ``FakeGoogle()`` registers ``USER_TOKEN`` (``USER_EMAIL``, a user)
    and ``SA_TOKEN`` (``SA_EMAIL``, a service account).  A caller reaches a file when it
    owns it, holds a permission on it (its e-mail, its e-mail's domain, or "anyone"), is
    a member of the file's shared drive, or reaches it through a parent folder.  Seeded
    files with ``shared_with=None`` are open to every authenticated caller (as writer)
    without listing a permission; ``shared_with=[...]`` grants writer to those e-mails
    only.  Unreachable files answer 403 PERMISSION_DENIED on Sheets and 404 notFound on
    Drive, as Google does.  Service accounts have no Drive storage: a copy or upload by
    one that does not land in a shared drive fails with Drive's 403
    ``storageQuotaExceeded``.

Faults and load
    ``inject(status, times, match)`` answers the next matching requests with Google's
    error body for that status (Sheets or Drive flavour, chosen by path);
    ``drop_connection(times, match)`` closes the socket without a response;
    ``set_quota(read_per_minute, write_per_minute)`` enforces per-user Sheets quotas
    (429 RESOURCE_EXHAUSTED) on the clock ``fake.clock``; ``fake.latency`` delays every
    request.  ``fake.requests`` logs ``(method, path, query)`` for every request.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import hashlib
import json
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

USER_TOKEN = "fake-user-token"
USER_EMAIL = "consultant@example.com"
SA_TOKEN = "fake-sa-token"
SA_EMAIL = "sheetsync@fake-project.iam.gserviceaccount.com"
DEFAULT_OWNER = "facilitator@example.com"
PROJECT_NUMBER = "000000000000"

GOOGLE_BASE_URLS = ("https://sheets.googleapis.com", "https://www.googleapis.com")

ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 5,
    "owner": 6,
}
PERMISSION_TYPES = ("user", "group", "domain", "anyone")

# A new spreadsheet's properties, as the recordings show Google filling them in.
DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
SPREADSHEET_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": kind, "color": {"rgbColor": rgb}} for kind, rgb in _THEME_COLORS],
}


# ---------------------------------------------------------------------------
# Errors, shaped like Google's
# ---------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: the HTTP status and Google's body (JSON dict, or HTML text)."""

    def __init__(self, status: int, body: dict | str):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


SHEETS_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
SHEETS_MESSAGES = {
    400: "Request contains an invalid argument.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
AUTH_HELP = (
    "Expected OAuth 2 access token, login cookie or other valid authentication "
    "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
BAD_GATEWAY_HTML = (
    "<!DOCTYPE html>\n<html lang=en>\n<meta charset=utf-8>\n"
    "<title>Error 502 (Server Error)!!1</title>\n"
    "<p><b>502.</b> <ins>That's an error.</ins>\n"
    "<p>The server encountered a temporary error and could not complete your request."
    "<p>Please try again in 30 seconds.  <ins>That's all we know.</ins>\n"
)

# Drive error reasons: reason -> (domain, message); "{id}" is the file id.
DRIVE_REASONS = {
    "badRequest": ("global", "Bad Request"),
    "insufficientFilePermissions": (
        "global",
        "The user does not have sufficient permissions for this file.",
    ),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "storageQuotaExceeded": ("global", "The user's Drive storage quota has been exceeded."),
    "notFound": ("global", "File not found: {id}."),
    "internalError": ("global", "Internal Error"),
    "backendError": ("global", "Backend Error"),
}
DRIVE_DEFAULT_REASON = {
    400: "badRequest",
    403: "insufficientFilePermissions",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "internalError",
    503: "backendError",
}


def sheets_error(code: int, message: str, details: list | None = None) -> ApiError:
    """Sheets v4 errors: ``{"error": {code, message, status}}``, no ``errors`` list."""
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "status": SHEETS_STATUS.get(code, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return ApiError(code, {"error": error})


def drive_error(
    code: int,
    message: str,
    reason: str,
    *,
    domain: str = "global",
    location: str | None = None,
) -> ApiError:
    """Drive v3 errors: ``{"error": {code, message, errors: [{message, domain, reason}]}}``."""
    item = {"message": message, "domain": domain, "reason": reason}
    if location:
        item.update(location=location, locationType="parameter")
    return ApiError(code, {"error": {"code": code, "message": message, "errors": [item]}})


def drive_reason_error(code: int, reason: str, file_id: str = "") -> ApiError:
    """A Drive error built from one of the well-known reasons in ``DRIVE_REASONS``."""
    domain, message = DRIVE_REASONS.get(reason, ("global", HTTPStatus(code).phrase))
    location = "fileId" if reason == "notFound" else None
    return drive_error(code, message.format(id=file_id), reason, domain=domain, location=location)


def auth_error(api: str, missing: bool) -> ApiError:
    """401 UNAUTHENTICATED, as Google answers a missing or unknown bearer token."""
    lead = (
        "Request is missing required authentication credential. "
        if missing
        else "Request had invalid authentication credentials. "
    )
    if api == "sheets":
        return sheets_error(401, lead + AUTH_HELP)
    reason, text = (
        ("required", "Login Required.") if missing else ("authError", "Invalid Credentials")
    )
    item = {
        "message": text,
        "domain": "global",
        "reason": reason,
        "location": "Authorization",
        "locationType": "header",
    }
    body = {"code": 401, "message": lead + AUTH_HELP, "errors": [item], "status": "UNAUTHENTICATED"}
    return ApiError(401, {"error": body})


def quota_error(bucket: str, limit: int) -> ApiError:
    """429 RESOURCE_EXHAUSTED with the per-minute-per-user quota message Sheets sends."""
    metric = "Read requests" if bucket == "read" else "Write requests"
    limit_name = ("Read" if bucket == "read" else "Write") + "RequestsPerMinutePerUser"
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' "
        f"of service 'sheets.googleapis.com' for consumer 'project_number:{PROJECT_NUMBER}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_limit": limit_name,
                "quota_metric": f"sheets.googleapis.com/{bucket}_requests",
                "quota_location": "global",
                "service": "sheets.googleapis.com",
                "consumer": f"projects/{PROJECT_NUMBER}",
                "quota_limit_value": str(limit),
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return sheets_error(429, message, details)


def unsupported(api: str, what: str) -> ApiError:
    """400 for valid Google requests this fake does not implement (loud, never silent)."""
    message = f"fake_google does not implement {what}"
    if api == "sheets":
        return sheets_error(400, message)
    return drive_error(400, message, "badRequest")


def injected_error(api: str, status: int, method: str, path: str, reason: str | None) -> ApiError:
    """The body Google would send for an injected status on this kind of path."""
    if status == 502:
        return ApiError(502, BAD_GATEWAY_HTML)
    if status == 401:
        return auth_error(api, missing=False)
    if api == "sheets":
        if status == 429:
            return quota_error("read" if method == "GET" else "write", 60)
        return sheets_error(status, SHEETS_MESSAGES.get(status, HTTPStatus(status).phrase))
    match = re.search(r"/files/([^/]+)", path)
    reason = reason or DRIVE_DEFAULT_REASON.get(status, "badRequest")
    return drive_reason_error(status, reason, match.group(1) if match else "")


# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------

SERIAL_EPOCH = dt.datetime(1899, 12, 30)


def rfc3339(moment: dt.datetime) -> str:
    """Drive's timestamp format: UTC, milliseconds, 'Z' (``2023-08-17T10:52:37.010Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_rfc3339(text: str) -> dt.datetime:
    """Parse a Drive timestamp; like Drive, read a time without offset as UTC."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def to_serial(value: dt.date) -> int | float:
    """Sheets' date serial: days since 1899-12-30, time as the fraction of a day."""
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - SERIAL_EPOCH
        return tidy_number(delta.days + delta.seconds / 86400)
    return (value - SERIAL_EPOCH.date()).days


def from_serial(serial: float) -> dt.datetime:
    return SERIAL_EPOCH + dt.timedelta(days=serial)


# ---------------------------------------------------------------------------
# A1 notation
# ---------------------------------------------------------------------------


def col_letters(index: int) -> str:
    """0-based column index to letters: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Column letters to a 0-based index: A -> 0, AA -> 26."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def cell_a1(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    """Sheet title as Google writes it in ranges: bare when it is a plain identifier."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title)
    cell_like = re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", title)
    if plain and not cell_like:
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Box:
    """A block of cells, 0-based and end-exclusive like Google's GridRange."""

    top: int
    left: int
    bottom: int
    right: int

    def a1(self) -> str:
        start = cell_a1(self.top, self.left)
        if self.bottom - self.top == 1 and self.right - self.left == 1:
            return start
        return f"{start}:{cell_a1(self.bottom - 1, self.right - 1)}"

    def contains(self, row: int, col: int) -> bool:
        return self.top <= row < self.bottom and self.left <= col < self.right


@dataclass(frozen=True)
class A1:
    """The A1 part of a range; ``None`` marks an open end ("A:C", "2:5", "A2:C")."""

    top: int | None
    left: int | None
    bottom: int | None  # inclusive
    right: int | None  # inclusive
    single: bool = False

    def box(self, rows: int, cols: int) -> Box:
        """Resolve open ends against the grid (rows x cols)."""
        bottom = rows if self.bottom is None else self.bottom + 1
        right = cols if self.right is None else self.right + 1
        return Box(self.top or 0, self.left or 0, bottom, right)


_ENDPOINT = re.compile(r"\$?([A-Za-z]{0,3})\$?(\d*)")


def _endpoint(text: str) -> tuple[int | None, int | None] | None:
    match = _ENDPOINT.fullmatch(text.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    if match.group(2) and int(match.group(2)) == 0:
        return None
    row = int(match.group(2)) - 1 if match.group(2) else None
    col = col_index(match.group(1)) if match.group(1) else None
    return row, col


def parse_a1(text: str) -> A1 | None:
    """Parse 'A1', 'A1:B2', 'A:C', '2:5', 'A2:C'; ``None`` when it is not A1 notation."""
    first, colon, second = text.partition(":")
    start = _endpoint(first)
    if start is None:
        return None
    if not colon:
        if None in start:
            return None
        return A1(start[0], start[1], start[0], start[1], single=True)
    end = _endpoint(second)
    if end is None:
        return None
    top, bottom = _ordered(start[0], end[0])
    left, right = _ordered(start[1], end[1])
    return A1(top, left, bottom, right)


def _ordered(first: int | None, second: int | None) -> tuple[int | None, int | None]:
    """Google accepts reversed ranges ("B2:A1"); open ends stay where they are."""
    if first is None or second is None:
        return first, second
    return min(first, second), max(first, second)


def split_range(text: str) -> tuple[str | None, str | None]:
    """Split "'My tab'!A1:B2" / "Tab!A1" / "Tab" into (title, a1); title None = not given."""
    text = text.strip()
    if text.startswith("'"):
        title, index = [], 1
        while index < len(text):
            char = text[index]
            if char == "'" and text[index + 1 : index + 2] == "'":
                title.append("'")
                index += 2
            elif char == "'":
                rest = text[index + 1 :]
                if rest and not rest.startswith("!"):
                    raise ValueError(text)
                return "".join(title), (rest[1:] or None)
            else:
                title.append(char)
                index += 1
        raise ValueError(text)
    if "!" in text:
        title, _, a1 = text.rpartition("!")
        return title, a1 or None
    return None, text


# ---------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------

DATE_FORMATS = ("date", "us_date", "datetime")
# The number formats the fake keeps (Cell.fmt), as CellFormat.numberFormat gives them: the
# NumberFormat ``type`` (the API reference's enum) and the ``pattern`` shown by default.
# sheetsync reads only the type; the patterns are what the fake renders (FORMATTED_VALUE).
NUMBER_FORMATS: dict[str, tuple[str, str]] = {
    "percent": ("PERCENT", "0.00%"),
    "currency": ("CURRENCY", '"$"#,##0.00'),
    "date": ("DATE", "yyyy-mm-dd"),
    "us_date": ("DATE", "M/d/yyyy"),
    "datetime": ("DATE_TIME", "yyyy-mm-dd H:mm:ss"),
    "number": ("NUMBER", "#,##0.00"),
    "text": ("TEXT", "@"),
}
FORMAT_OF_TYPE = {"PERCENT": "percent", "CURRENCY": "currency", "DATE": "date",
                  "DATE_TIME": "datetime", "NUMBER": "number", "TEXT": "text"}
# ErrorValue.type for the error a cell shows (the API reference's ErrorType enum).
ERROR_TYPES = {"#ERROR!": "ERROR", "#NULL!": "NULL_VALUE", "#DIV/0!": "DIVIDE_BY_ZERO",
               "#VALUE!": "VALUE", "#REF!": "REF", "#NAME?": "NAME", "#NUM!": "NUM",
               "#N/A": "N_A", "Loading...": "LOADING"}


@dataclass(frozen=True)
class Formatted:
    """A seed value shown with a number format, as if the cell had been formatted in the
    Sheets UI (Format > Number): ``type`` is NumberFormat's type (PERCENT, DATE,
    DATE_TIME, CURRENCY, NUMBER, TEXT), so ``Formatted(0.46, "PERCENT")`` shows 46.00%
    and ``Formatted(45, "DATE")`` shows 1900-02-13."""

    value: Any
    type: str


@dataclass(frozen=True)
class Formula:
    """A formula cell for seeding.  The fake stores formulas; it never computes them.

    ``value`` is what Google would have calculated (returned by the non-FORMULA render
    options); leave it ``None`` to have the cell read as empty.
    """

    text: str
    value: Any = None


@dataclass(slots=True)
class Cell:
    """One stored cell: its effective value, a display format and an optional formula."""

    value: Any  # str, int, float or bool; None for a formula with no cached value
    fmt: str | None = None  # None (automatic) or a key of NUMBER_FORMATS
    formula: str | None = None
    pattern: str | None = None  # the format's pattern, when not NUMBER_FORMATS' default

    def number_format(self) -> dict | None:
        """CellFormat.numberFormat: {type, pattern}, or None for the automatic format."""
        if self.fmt is None:
            return None
        kind, pattern = NUMBER_FORMATS[self.fmt]
        return {"type": kind, "pattern": self.pattern or pattern}


def tidy_number(value: Any) -> Any:
    """JSON numbers as Google writes them: 45, not 45.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def number_text(value: float) -> str:
    """A number under Sheets' automatic format (en_US)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".10g").upper()


def formatted(cell: Cell) -> str:
    """valueRenderOption=FORMATTED_VALUE: the text the cell shows."""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if cell.fmt == "percent":
        pattern = cell.pattern or NUMBER_FORMATS["percent"][1]
        decimals = len(pattern.partition(".")[2].rstrip("%"))
        return f"{value * 100:.{decimals}f}%"
    if cell.fmt == "number":
        return f"{value:,.2f}"
    if cell.fmt == "currency":
        return f"-${abs(value):,.2f}" if value < 0 else f"${value:,.2f}"
    if cell.fmt in DATE_FORMATS:
        moment = from_serial(value)
        if cell.fmt == "us_date":
            return f"{moment.month}/{moment.day}/{moment.year}"
        return moment.strftime("%Y-%m-%d %H:%M:%S" if cell.fmt == "datetime" else "%Y-%m-%d")
    return number_text(value)


def render(cell: Cell, value_option: str, date_option: str) -> Any:
    """One cell as values.get returns it for these valueRender/dateTimeRender options."""
    if value_option == "FORMULA" and cell.formula:
        return cell.formula
    if cell.value is None:
        return ""
    if value_option == "FORMATTED_VALUE":
        return formatted(cell)
    if cell.fmt in DATE_FORMATS and date_option == "FORMATTED_STRING":
        return formatted(cell)
    return tidy_number(cell.value)


def extended_value(value: Any) -> dict:
    """A stored value as an ExtendedValue: numberValue (dates as serial numbers),
    stringValue, boolValue, or errorValue for an error a formula shows."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": tidy_number(value)}
    return {"stringValue": value}


def cell_data(cell: Cell) -> dict:
    """CellData as spreadsheets.get returns it in GridData.rowData[].values[]: what was
    entered (userEnteredValue: the formula, or the value), what it computes to
    (effectiveValue), the text shown (formattedValue), and the number format
    (userEnteredFormat / effectiveFormat, left out for the automatic format). The fake
    computes no formulas: a formula cell's effective value is the one it was seeded with."""
    out: dict[str, Any] = {}
    if cell.formula:
        out["userEnteredValue"] = {"formulaValue": cell.formula}
    elif cell.value is not None:
        out["userEnteredValue"] = extended_value(cell.value)
    if cell.value is not None:
        error = ERROR_TYPES.get(cell.value) if cell.formula and isinstance(cell.value, str) \
            else None
        out["effectiveValue"] = (
            {"errorValue": {"type": error, "message": f"{cell.value} in the fake"}}
            if error else extended_value(cell.value)
        )
        out["formattedValue"] = formatted(cell)
    number_format = cell.number_format()
    if number_format is not None:
        out["userEnteredFormat"] = {"numberFormat": number_format}
        out["effectiveFormat"] = {"numberFormat": dict(number_format)}
    return out


# What a grid-data field mask (spreadsheets.get, fields=sheets.data...) may ask of the
# fake: the cells' values, text and number formats; not row or column metadata, nor the
# other parts of a cell's format (colours, borders ...), which the fake does not keep.
GRID_FIELDS: dict = {
    "startRow": True,
    "startColumn": True,
    "rowData": {"values": {
        "userEnteredValue": True,
        "effectiveValue": True,
        "formattedValue": True,
        "userEnteredFormat": {"numberFormat": True},
        "effectiveFormat": {"numberFormat": True},
    }},
}


def _within(asked: dict | bool, allowed: dict | bool) -> bool:
    """Whether a parsed field mask asks for nothing outside ``allowed``."""
    if allowed is True:
        return True
    if asked is True:
        return False
    return all(key in allowed and _within(sub, allowed[key]) for key, sub in asked.items())


def python_cell(value: Any) -> Cell | None:
    """A seed value, stored as given; dates and datetimes become date serials."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, Formula):
        return Cell(value.value, formula=value.text)
    if isinstance(value, Formatted):
        cell = python_cell(value.value) or Cell(None)
        cell.fmt, cell.pattern = FORMAT_OF_TYPE[value.type], None
        return cell
    if isinstance(value, dt.datetime):
        return Cell(to_serial(value), "datetime")
    if isinstance(value, dt.date):
        return Cell(to_serial(value), "date")
    if isinstance(value, (bool, int, float, str)):
        return Cell(value)
    raise TypeError(f"cannot store {value!r} in a cell")


def raw_cell(value: Any) -> Cell | None:
    """valueInputOption=RAW: Google stores the JSON value as it is; "" clears the cell."""
    if isinstance(value, str) and value == "":
        return None
    return Cell(value)


_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _typed_number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    return tidy_number(float(text.replace(",", "")))


def _typed_date(text: str) -> Cell | None:
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if iso:
            year, month, day, hour, minute, second = (int(g or 0) for g in iso.groups())
            if iso.group(4) is None:
                return Cell(to_serial(dt.date(year, month, day)), "date")
            moment = dt.datetime(year, month, day, hour, minute, second)
            return Cell(to_serial(moment), "datetime")
        if us:
            month, day, year = (int(g) for g in us.groups())
            return Cell(to_serial(dt.date(year, month, day)), "us_date")
    except ValueError:
        return None
    return None


def _typed_value(text: str) -> Cell | None:
    """What the Sheets UI (locale en_US) makes of typed text, or None for plain text."""
    if text.upper() in ("TRUE", "FALSE"):
        return Cell(text.upper() == "TRUE")
    if text.endswith("%") and (number := _typed_number(text[:-1].strip())) is not None:
        whole = float(number).is_integer()  # Sheets shows 58% as typed, 58.5% as 58.50%
        return Cell(tidy_number(number / 100), "percent", pattern="0%" if whole else "0.00%")
    currency = re.fullmatch(r"([+-]?)\$\s*(.+)", text)
    if currency and (number := _typed_number(currency.group(2))) is not None:
        return Cell(-number if currency.group(1) == "-" else number, "currency")
    if (number := _typed_number(text)) is not None:
        return Cell(number)
    return _typed_date(text)


def user_entered_cell(value: Any) -> Cell | None:
    """valueInputOption=USER_ENTERED: strings are parsed as if typed into the UI."""
    if not isinstance(value, str):
        return raw_cell(value)
    if value.strip() == "":
        return None
    if value.startswith("'"):
        return Cell(value[1:])
    if value.startswith("="):
        return Cell(None, formula=value)
    return _typed_value(value.strip()) or Cell(value)


def extended_cell(value: dict | None) -> Cell | None:
    """An ExtendedValue (updateCells' userEnteredValue) to a cell."""
    if not value:
        return None
    if "formulaValue" in value:
        return Cell(None, formula=value["formulaValue"])
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return raw_cell(value[key])
    return Cell(value.get("errorValue", {}).get("message", "#ERROR!"))


# ---------------------------------------------------------------------------
# Field masks (?fields=...)
# ---------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split 'a,b(c,d),e' on the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def parse_fields(text: str) -> dict:
    """Parse a field mask ('kind,files(id,name)', 'sheets.properties', 'files/id').

    Returns a tree: name -> subtree, or True for "the whole value".
    """
    tree: dict = {}
    for item in _split_top_level(text):
        path, paren, inner = item.partition("(")
        keys = [key for key in re.split(r"[./]", path.strip()) if key]
        if not keys or (paren and not inner.endswith(")")):
            raise ValueError(f"bad field mask: {text}")
        _merge_field(tree, keys, parse_fields(inner[:-1]) if paren else True)
    return tree


def _merge_field(tree: dict, keys: list[str], leaf: dict | bool) -> None:
    node = tree
    for key in keys[:-1]:
        if node.get(key) is True:
            return
        node = node.setdefault(key, {})
    current = node.get(keys[-1])
    if current is True or leaf is True or current is None:
        node[keys[-1]] = True if current is True or leaf is True else leaf
    else:
        for key, sub in leaf.items():
            _merge_field(current, [key], sub)


def apply_mask(value: Any, tree: dict | bool) -> Any:
    """Keep only the parts of a resource a field mask selects (lists apply per item)."""
    if tree is True:
        return value
    if isinstance(value, list):
        return [apply_mask(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        return value
    return {key: apply_mask(sub, tree[key]) for key, sub in value.items() if key in tree}


# ---------------------------------------------------------------------------
# Drive's q language (the subset the fake understands)
# ---------------------------------------------------------------------------


class QueryError(ValueError):
    """A q expression the fake cannot parse: Drive answers 400 Invalid Value."""


_Q_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"""|(?P<op>!=|<=|>=|=|<|>|\(|\))|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"""
)
Predicate = Callable[["DriveFile", "_QueryScope"], bool]
_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _q_tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _Q_TOKEN.match(text, pos)
        if not match:
            if text[pos:].strip():
                raise QueryError(text)
            break
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        tokens.append((kind, raw))
        pos = match.end()
    return tokens


def name_contains(name: str, needle: str) -> bool:
    """Drive's ``name contains``: case-insensitive prefix match at a word start."""
    name, needle = name.casefold(), needle.casefold()
    return any(
        name.startswith(needle, index)
        for index in range(len(name))
        if index == 0 or not name[index - 1].isalnum()
    )


class DriveQuery:
    """Parses q: ``'F' in parents`` (and gspread's ``parents in 'F'``), ``'me' in owners``,
    ``'e' in writers|readers``, ``name|mimeType = != contains``, ``trashed|starred =
    true|false``, ``sharedWithMe``, ``modifiedTime|createdTime`` comparisons, joined
    with ``and``, ``or``, ``not`` and parentheses."""

    STRINGS = ("name", "mimeType")
    TIMES = ("modifiedTime", "createdTime")
    BOOLS = ("trashed", "starred", "sharedWithMe")
    COLLECTIONS = ("parents", "owners", "writers", "readers")

    def __init__(self, text: str):
        self.tokens = _q_tokens(text)
        self.pos = 0

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda file, scope: True
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise QueryError("trailing tokens")
        return predicate

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token[0] == "end":
            raise QueryError("unexpected end")
        self.pos += 1
        return token

    def _accept(self, kind: str, *values: str) -> bool:
        token_kind, value = self._peek()
        if token_kind == kind and (value.lower() in values or value in values):
            self.pos += 1
            return True
        return False

    def _expect(self, kind: str) -> str:
        token_kind, value = self._take()
        if token_kind != kind:
            raise QueryError(f"expected {kind}, got {value!r}")
        return value

    def _or(self) -> Predicate:
        left = self._and()
        while self._accept("word", "or"):
            left = _either(left, self._and())
        return left

    def _and(self) -> Predicate:
        left = self._not()
        while self._accept("word", "and"):
            left = _both(left, self._not())
        return left

    def _not(self) -> Predicate:
        if self._accept("word", "not"):
            inner = self._not()
            return lambda file, scope: not inner(file, scope)
        if self._accept("op", "("):
            inner = self._or()
            if not self._accept("op", ")"):
                raise QueryError("missing )")
            return inner
        return self._term()

    def _term(self) -> Predicate:
        kind, value = self._take()
        if kind == "string":
            if not self._accept("word", "in"):
                raise QueryError("expected in")
            return self._membership(value, self._expect("word"))
        if kind != "word":
            raise QueryError(f"unexpected {value!r}")
        if value == "parents" and self._accept("word", "in"):
            return self._membership(self._expect("string"), "parents")
        if value in self.BOOLS:
            return self._bool_term(value)
        if value in self.STRINGS:
            return self._string_term(value)
        if value in self.TIMES:
            return self._time_term(value)
        raise QueryError(f"unsupported term {value!r}")

    def _membership(self, item: str, collection: str) -> Predicate:
        if collection not in self.COLLECTIONS:
            raise QueryError(f"unsupported collection {collection!r}")
        return lambda file, scope: scope.member(file, collection, item)

    def _bool_term(self, name: str) -> Predicate:
        wanted, negate = True, False
        if self._accept("op", "=", "!="):
            negate = self.tokens[self.pos - 1][1] == "!="
            literal = self._expect("word").lower()
            if literal not in ("true", "false"):
                raise QueryError("expected true or false")
            wanted = literal == "true"
        return lambda file, scope: (scope.flag(file, name) == wanted) != negate

    def _string_term(self, name: str) -> Predicate:
        if self._accept("word", "contains"):
            needle = self._expect("string")
            if name == "name":
                return lambda file, scope: name_contains(file.name, needle)
            return lambda file, scope: needle.casefold() in file.mime_type.casefold()
        op = self._expect("op")
        if op not in ("=", "!="):
            raise QueryError(f"{name} does not support {op}")
        literal = self._expect("string")
        compare = _COMPARE[op]
        if name == "name":
            return lambda file, scope: compare(file.name, literal)
        return lambda file, scope: compare(file.mime_type, literal)

    def _time_term(self, name: str) -> Predicate:
        op = self._expect("op")
        if op not in _COMPARE:
            raise QueryError(f"{name} does not support {op}")
        try:
            moment = parse_rfc3339(self._expect("string"))
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        compare = _COMPARE[op]
        attribute = "modified" if name == "modifiedTime" else "created"
        return lambda file, scope: compare(parse_rfc3339(getattr(file, attribute)), moment)


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda file, scope: left(file, scope) or right(file, scope)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda file, scope: left(file, scope) and right(file, scope)


# ---------------------------------------------------------------------------
# The model: spreadsheets, tabs, Drive files, shared drives, callers
# ---------------------------------------------------------------------------

GRID_KEYS = (
    "rowCount",
    "columnCount",
    "frozenRowCount",
    "frozenColumnCount",
    "hideGridlines",
    "rowGroupControlAfter",
    "columnGroupControlAfter",
)
SHEET_EXTRA_KEYS = ("hidden", "tabColor", "tabColorStyle", "rightToLeft")
SHEET_OBJECT_KEYS = (
    "merges",
    "conditionalFormats",
    "protectedRanges",
    "basicFilter",
    "charts",
    "bandedRanges",
)


class Sheet:
    """One tab: its properties, its cells keyed (row, col) 0-based, sheet-level objects."""

    def __init__(self, sheet_id: int, title: str, rows: int = 1000, cols: int = 26):
        self.sheet_id = sheet_id
        self.title = title
        self.index = 0
        self.grid: dict[str, Any] = {"rowCount": rows, "columnCount": cols}
        self.extras: dict[str, Any] = {}
        self.cells: dict[tuple[int, int], Cell] = {}
        self.objects: dict[str, Any] = {key: [] for key in SHEET_OBJECT_KEYS}
        self.objects["basicFilter"] = None

    @property
    def rows(self) -> int:
        return self.grid["rowCount"]

    @property
    def cols(self) -> int:
        return self.grid["columnCount"]

    def properties(self) -> dict:
        """SheetProperties as Google returns them: zero or false optional fields left out."""
        grid = {
            key: self.grid[key]
            for key in GRID_KEYS
            if key in self.grid and (key in ("rowCount", "columnCount") or self.grid[key])
        }
        props = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        props.update({key: self.extras[key] for key in SHEET_EXTRA_KEYS if self.extras.get(key)})
        return props

    def resource(self) -> dict:
        """The Sheet resource of spreadsheets.get (without grid data)."""
        out: dict[str, Any] = {"properties": self.properties()}
        out.update({key: value for key, value in self.objects.items() if value})
        return out

    def resize(self, rows: int, cols: int) -> None:
        """Change the grid; Google drops the cells that fall outside."""
        self.grid.update(rowCount=rows, columnCount=cols)
        self.cells = {(r, c): v for (r, c), v in self.cells.items() if r < rows and c < cols}

    def write(self, row: int, col: int, cell: Cell | None) -> None:
        if cell is None:
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = cell

    def matrix(self, box: Box, value_option: str, date_option: str, major: str) -> list[list]:
        """Rendered values inside box, trimmed as Google trims them.

        Trailing empty cells of each row (column, for majorDimension=COLUMNS) and trailing
        empty rows are left out; an empty row inside the data comes back as [].
        """
        found: dict[tuple[int, int], Any] = {}
        for (row, col), cell in self.cells.items():
            if box.contains(row, col):
                value = render(cell, value_option, date_option)
                if value != "":
                    offset = (row - box.top, col - box.left)
                    found[offset if major == "ROWS" else offset[::-1]] = value
        if not found:
            return []
        width: dict[int, int] = {}
        for outer, inner in found:
            width[outer] = max(width.get(outer, 0), inner + 1)
        return [
            [found.get((outer, inner), "") for inner in range(width.get(outer, 0))]
            for outer in range(max(width) + 1)
        ]


    def grid_data(self, box: Box) -> dict:
        """GridData for the cells inside box: startRow and startColumn (left out when 0,
        as Google leaves out zeros), then one RowData per row up to the last row holding
        a cell, each with its CellData up to its last cell; an empty cell is {} and an
        empty row is {}."""
        found: dict[int, dict[int, Cell]] = {}
        for (row, col), cell in self.cells.items():
            if box.contains(row, col):
                found.setdefault(row - box.top, {})[col - box.left] = cell
        out: dict[str, Any] = {}
        if box.top:
            out["startRow"] = box.top
        if box.left:
            out["startColumn"] = box.left
        if found:
            rows = []
            for r in range(max(found) + 1):
                cells = found.get(r)
                rows.append({"values": [cell_data(cells[c]) if c in cells else {}
                                        for c in range(max(cells) + 1)]} if cells else {})
            out["rowData"] = rows
        return out


class Spreadsheet:
    """A Google Sheets document: its properties, tabs and named ranges."""

    def __init__(self, spreadsheet_id: str, title: str):
        self.id = spreadsheet_id
        self.title = title
        self.locale = "en_US"
        self.auto_recalc = "ON_CHANGE"
        self.time_zone = "Etc/GMT"
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict] = []

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.index = index

    def sheet_by_id(self, sheet_id: Any) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        """Sheets matches tab titles case-insensitively."""
        wanted = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == wanted), None)

    def resource(self) -> dict:
        """The Spreadsheet resource of spreadsheets.get with includeGridData=false."""
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": self.auto_recalc,
                "timeZone": self.time_zone,
                "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
                "spreadsheetTheme": copy.deepcopy(SPREADSHEET_THEME),
            },
            "sheets": [sheet.resource() for sheet in self.sheets],
        }
        if self.named_ranges:
            out["namedRanges"] = copy.deepcopy(self.named_ranges)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.id}/edit"
        return out


class DriveFile:
    """A Drive file: a spreadsheet, a folder or a binary file such as an .xlsx."""

    def __init__(self, file_id: str, name: str, mime_type: str, stamp: str):
        self.id = file_id
        self._name = name
        self.mime_type = mime_type
        self.parents: list[str] = []
        self.owners: list[str] = []
        self.permissions: list[dict] = []
        self.drive_id: str | None = None
        self.created = stamp
        self.modified = stamp
        self.trashed = False
        self.starred = False
        self.open_to_all = False
        self.content: bytes | None = None
        self.spreadsheet: Spreadsheet | None = None
        self.comments: list[dict] = []

    @property
    def name(self) -> str:
        """A spreadsheet's Drive name is its title."""
        return self.spreadsheet.title if self.spreadsheet else self._name

    @name.setter
    def name(self, value: str) -> None:
        if self.spreadsheet:
            self.spreadsheet.title = value
        self._name = value


@dataclass
class SharedDrive:
    """A shared drive; files in it belong to the drive, members reach all of them."""

    id: str
    name: str
    members: dict[str, str] = field(default_factory=dict)  # e-mail -> role


class Identity(NamedTuple):
    """The caller behind a bearer token."""

    email: str
    kind: str  # "user" or "service_account"


NOBODY = Identity("", "user")


class LoggedRequest(NamedTuple):
    """One request as the server saw it: path percent-decoded, query as parse_qs gives it."""

    method: str
    path: str
    query: dict[str, list[str]]


@dataclass
class _Fault:
    status: int | None  # None: drop the connection
    remaining: int
    match: str | None
    method: str | None
    reason: str | None = None
    body: Any = None

    def applies(self, method: str, path: str) -> bool:
        return (
            self.remaining > 0
            and (self.match is None or self.match in path)
            and (self.method is None or self.method.upper() == method)
        )


@dataclass
class Reply:
    """What a handler answers when it is not a plain 200 JSON body."""

    status: int
    payload: Any = None  # dict -> JSON; bytes -> sent as is
    content_type: str = "application/json; charset=UTF-8"


@dataclass
class Response:
    """What the HTTP layer sends back (or, when drop is set, the socket is closed)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"
    drop: bool = False

    @classmethod
    def of(cls, status: int, payload: Any, content_type: str | None = None,
           pretty: bool = True) -> Response:
        """JSON indented, as Google answers by default; compact for ``prettyPrint=false``
        (a standard parameter of every Google API)."""
        if isinstance(payload, bytes):
            return cls(status, payload, content_type or "application/octet-stream")
        if isinstance(payload, str):
            return cls(status, payload.encode(), content_type or "text/html; charset=UTF-8")
        if payload is None:
            return cls(status, b"", content_type or "text/html")
        text = json.dumps(payload, indent=2 if pretty else None, ensure_ascii=False,
                          separators=None if pretty else (",", ":")) + "\n"
        return cls(status, text.encode(), content_type or "application/json; charset=UTF-8")


@dataclass
class Call:
    """One incoming API call, as the handlers see it."""

    api: str  # "sheets" or "drive"
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    who: Identity = NOBODY

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def flag(self, name: str) -> bool:
        """Booleans in the query; gspread sends Python's "True"/"False"."""
        return (self.arg(name) or "").lower() == "true"

    def json(self) -> dict:
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            message = f"Invalid JSON payload received. {exc}"
            if self.api == "sheets":
                raise sheets_error(400, message) from exc
            raise drive_error(400, message, "parseError") from exc
        if not isinstance(value, dict):
            message = "Invalid JSON payload received. Expected an object."
            if self.api == "sheets":
                raise sheets_error(400, message)
            raise drive_error(400, message, "parseError")
        return value


# ---------------------------------------------------------------------------
# Sheets: one spreadsheets.batchUpdate
# ---------------------------------------------------------------------------

RECORD_ONLY_REQUESTS = frozenset(
    {
        "repeatCell",
        "setDataValidation",
        "updateDimensionProperties",
        "autoResizeDimensions",
        "updateBorders",
        "updateConditionalFormatRule",
        "updateProtectedRange",
        "updateBanding",
        "addFilterView",
        "updateFilterView",
        "deleteFilterView",
        "updateChartSpec",
        "updateEmbeddedObjectPosition",
        "deleteEmbeddedObject",
        "updateNamedRange",
        "addDimensionGroup",
        "deleteDimensionGroup",
        "updateDimensionGroup",
    }
)
UNIMPLEMENTED_REQUESTS = frozenset(
    {
        "insertDimension",
        "deleteDimension",
        "moveDimension",
        "insertRange",
        "deleteRange",
        "cutPaste",
        "copyPaste",
        "findReplace",
        "pasteData",
        "textToColumns",
        "appendCells",
        "sortRange",
        "randomizeRange",
        "deleteDuplicates",
        "trimWhitespace",
        "autoFill",
        "addSlicer",
        "updateSlicerSpec",
        "duplicateFilterView",
        "addDataSource",
        "updateDataSource",
        "deleteDataSource",
        "refreshDataSource",
        "createDeveloperMetadata",
        "updateDeveloperMetadata",
        "deleteDeveloperMetadata",
        "addTable",
        "updateTable",
        "deleteTable",
    }
)
_RANGE_INDEX_KEYS = {"startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"}


class Batch:
    """Applies the requests of one spreadsheets.batchUpdate to a working copy.

    Google applies a batch atomically: the caller commits the copy only when every
    request succeeded.  Replies are shaped like Google's (``{}`` for most kinds).
    """

    def __init__(self, spreadsheet: Spreadsheet, rng: random.Random):
        self.ss = spreadsheet
        self.rng = rng
        self.index = 0
        self.kind = ""

    def run(self, requests_: list) -> list[dict]:
        replies = []
        for index, request in enumerate(requests_):
            self.index = index
            if not isinstance(request, dict) or len(request) != 1:
                raise sheets_error(
                    400, f"Invalid requests[{index}]: exactly one request kind is required."
                )
            self.kind, body = next(iter(request.items()))
            replies.append(self._apply(body if isinstance(body, dict) else {}))
        self.ss.reindex()
        return replies

    def _apply(self, body: dict) -> dict:
        handler = getattr(self, "_req_" + self.kind, None)
        if self.kind in RECORD_ONLY_REQUESTS:
            self._check_refs(body)
            return {}
        if handler is None:
            if self.kind in UNIMPLEMENTED_REQUESTS:
                raise unsupported("sheets", f"the batchUpdate request {self.kind!r}")
            raise sheets_error(
                400,
                f'Invalid JSON payload received. Unknown name "{self.kind}" at '
                f"'requests[{self.index}]': Cannot find field.",
            )
        if self.kind not in ("addSheet", "duplicateSheet"):
            self._check_refs(body)
        return handler(body)

    # -- helpers -----------------------------------------------------------------

    def fail(self, message: str) -> ApiError:
        return sheets_error(400, f"Invalid requests[{self.index}].{self.kind}: {message}")

    def required(self, body: dict, key: str) -> Any:
        if key not in body:
            raise self.fail(f"{key} is required (Google would silently use 0; the fake refuses)")
        return body[key]

    def sheet(self, sheet_id: Any) -> Sheet:
        sheet = self.ss.sheet_by_id(sheet_id)
        if sheet is None:
            raise self.fail(f"No grid with id: {sheet_id}")
        return sheet

    def new_sheet_id(self) -> int:
        while True:
            candidate = self.rng.randrange(1, 2**31 - 1)
            if self.ss.sheet_by_id(candidate) is None:
                return candidate

    def new_object_id(self) -> int:
        return self.rng.randrange(1, 2**31 - 1)

    def require_free_title(self, title: str, keep: Sheet | None = None) -> None:
        if not title:
            raise self.fail("A sheet name cannot be empty.")
        other = self.ss.sheet_by_title(title)
        if other is not None and other is not keep:
            raise self.fail(
                f'A sheet with the name "{title}" already exists. Please enter another name.'
            )

    def grid_box(self, grid_range: dict) -> tuple[Sheet, Box]:
        """A GridRange (sheetId defaults to 0, missing indexes mean unbounded)."""
        sheet = self.sheet(grid_range.get("sheetId", 0))
        box = Box(
            grid_range.get("startRowIndex", 0),
            grid_range.get("startColumnIndex", 0),
            grid_range.get("endRowIndex", sheet.rows),
            grid_range.get("endColumnIndex", sheet.cols),
        )
        return sheet, box

    def check_inside(self, sheet: Sheet, box: Box) -> None:
        """Google refuses ranges past the grid: "Range (...) exceeds grid limits"."""
        if box.top > box.bottom or box.left > box.right:
            raise self.fail(f"Invalid range: {box}")
        if box.right > sheet.cols:
            cell = cell_a1(box.top, sheet.cols)
        elif box.bottom > sheet.rows:
            cell = cell_a1(sheet.rows, box.left)
        else:
            return
        raise self.fail(
            f"Range ({quote_title(sheet.title)}!{cell}) exceeds grid limits. "
            f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )

    def _check_refs(self, node: Any) -> None:
        """Every sheetId and GridRange/DimensionRange a request names must exist and fit."""
        if isinstance(node, list):
            for item in node:
                self._check_refs(item)
            return
        if not isinstance(node, dict):
            return
        if _RANGE_INDEX_KEYS & node.keys():
            self.check_inside(*self.grid_box(node))
        elif "dimension" in node and ("startIndex" in node or "endIndex" in node):
            self._check_dimension_range(node)
        elif "sheetId" in node:
            self.sheet(node["sheetId"])
        for value in node.values():
            self._check_refs(value)

    def _check_dimension_range(self, node: dict) -> None:
        sheet = self.sheet(node.get("sheetId", 0))
        if node.get("dimension") not in ("ROWS", "COLUMNS"):
            raise self.fail("dimension must be ROWS or COLUMNS")
        limit = sheet.rows if node["dimension"] == "ROWS" else sheet.cols
        start, end = node.get("startIndex", 0), node.get("endIndex", limit)
        if not 0 <= start <= end <= limit:
            what = "rows" if node["dimension"] == "ROWS" else "columns"
            raise self.fail(f"Invalid dimension range {start}:{end}, the sheet has {limit} {what}.")

    # -- sheets ------------------------------------------------------------------

    def _req_addSheet(self, body: dict) -> dict:
        props = body.get("properties") or {}
        title = props.get("title") or self._default_title()
        self.require_free_title(title)
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = self.new_sheet_id()
        elif not isinstance(sheet_id, int) or sheet_id < 0 or self.ss.sheet_by_id(sheet_id):
            raise self.fail(f"Invalid sheetId: {sheet_id} (negative or already used).")
        if props.get("sheetType", "GRID") != "GRID":
            raise unsupported("sheets", f"sheetType {props['sheetType']}")
        grid = props.get("gridProperties") or {}
        sheet = Sheet(sheet_id, title, grid.get("rowCount", 1000), grid.get("columnCount", 26))
        for key in GRID_KEYS[2:]:
            if key in grid:
                self._set_grid(sheet, key, grid[key])
        self._check_size(sheet.rows, sheet.cols)
        sheet.extras.update({key: props[key] for key in SHEET_EXTRA_KEYS if key in props})
        index = max(0, min(props.get("index", len(self.ss.sheets)), len(self.ss.sheets)))
        self.ss.sheets.insert(index, sheet)
        self.ss.reindex()
        return {"addSheet": {"properties": sheet.properties()}}

    def _default_title(self) -> str:
        number = len(self.ss.sheets) + 1
        while self.ss.sheet_by_title(f"Sheet{number}"):
            number += 1
        return f"Sheet{number}"

    def _check_size(self, rows: Any, cols: Any) -> None:
        if not (isinstance(rows, int) and isinstance(cols, int) and rows >= 1 and cols >= 1):
            raise self.fail(f"Invalid grid size: {rows} rows, {cols} columns.")

    def _req_deleteSheet(self, body: dict) -> dict:
        sheet = self.sheet(self.required(body, "sheetId"))
        if len(self.ss.sheets) == 1:
            raise self.fail("You can't remove all the sheets in a document.")
        self.ss.sheets.remove(sheet)
        self.ss.named_ranges = [
            nr
            for nr in self.ss.named_ranges
            if nr.get("range", {}).get("sheetId", 0) != sheet.sheet_id
        ]
        self.ss.reindex()
        return {}

    def _req_updateSheetProperties(self, body: dict) -> dict:
        props = body.get("properties") or {}
        sheet = self.sheet(self.required(props, "sheetId"))
        fields = body.get("fields")
        if not fields:
            raise self.fail("At least one field must be specified in 'fields'.")
        for path in self._sheet_field_paths(fields):
            self._set_sheet_field(sheet, path, _dig(props, path))
        return {}

    def _sheet_field_paths(self, fields: str) -> list[str]:
        paths = []
        for raw in fields.split(","):
            path = raw.strip().replace("/", ".")
            if path == "*":
                paths += ["title", "index", "gridProperties", *SHEET_EXTRA_KEYS]
                continue
            if path not in (
                "title",
                "index",
                "sheetId",
                "sheetType",
                "gridProperties",
                *SHEET_EXTRA_KEYS,
            ) and not (path.startswith("gridProperties.") and path.split(".", 1)[1] in GRID_KEYS):
                raise self.fail(f"Invalid field mask path: '{raw.strip()}'")
            paths.append(path)
        expanded = []
        for path in paths:
            expanded += (
                [f"gridProperties.{k}" for k in GRID_KEYS] if path == "gridProperties" else [path]
            )
        return expanded

    def _set_sheet_field(self, sheet: Sheet, path: str, value: Any) -> None:
        if path == "title":
            self.require_free_title(value or "", keep=sheet)
            sheet.title = value
        elif path == "index":
            self._move(sheet, value or 0)
        elif path == "hidden":
            self._hide(sheet, bool(value))
        elif path.startswith("gridProperties."):
            self._set_grid(sheet, path.split(".", 1)[1], value)
        elif path in SHEET_EXTRA_KEYS:
            sheet.extras[path] = value

    def _set_grid(self, sheet: Sheet, key: str, value: Any) -> None:
        if key in ("rowCount", "columnCount"):
            rows = value if key == "rowCount" else sheet.rows
            cols = value if key == "columnCount" else sheet.cols
            self._check_size(rows, cols)
            sheet.resize(rows, cols)
        elif key in ("frozenRowCount", "frozenColumnCount"):
            value = value or 0
            limit = sheet.rows if key == "frozenRowCount" else sheet.cols
            if not isinstance(value, int) or value < 0:
                raise self.fail(f"Invalid {key}: {value}")
            if value >= limit:
                what = "rows" if key == "frozenRowCount" else "columns"
                raise self.fail(f"You can't freeze all visible {what} on the sheet.")
            sheet.grid[key] = value
        else:
            sheet.grid[key] = value

    def _move(self, sheet: Sheet, index: int) -> None:
        """Google reads the new index "before the move": moving right lands one left."""
        old = self.ss.sheets.index(sheet)
        index = max(0, min(index, len(self.ss.sheets)))
        if index > old:
            index -= 1
        self.ss.sheets.remove(sheet)
        self.ss.sheets.insert(index, sheet)
        self.ss.reindex()

    def _hide(self, sheet: Sheet, hidden: bool) -> None:
        others_visible = any(not s.extras.get("hidden") for s in self.ss.sheets if s is not sheet)
        if hidden and not others_visible:
            raise self.fail("You can't hide all the sheets in a document.")
        sheet.extras["hidden"] = hidden

    def _req_duplicateSheet(self, body: dict) -> dict:
        source = self.sheet(self.required(body, "sourceSheetId"))
        title = body.get("newSheetName") or f"Copy of {source.title}"
        self.require_free_title(title)
        new_id = body.get("newSheetId") or self.new_sheet_id()
        if self.ss.sheet_by_id(new_id):
            raise self.fail(f"Invalid newSheetId: {new_id} is already used.")
        clone = copy.deepcopy(source)
        clone.sheet_id, clone.title = new_id, title
        clone.objects = _retarget(clone.objects, source.sheet_id, new_id)
        index = body.get("insertSheetIndex", source.index + 1)
        self.ss.sheets.insert(max(0, min(index, len(self.ss.sheets))), clone)
        self.ss.reindex()
        return {"duplicateSheet": {"properties": clone.properties()}}

    def _req_updateSpreadsheetProperties(self, body: dict) -> dict:
        props = body.get("properties") or {}
        fields = body.get("fields")
        if not fields:
            raise self.fail("At least one field must be specified in 'fields'.")
        names = {
            "title": "title",
            "locale": "locale",
            "timeZone": "time_zone",
            "autoRecalc": "auto_recalc",
        }
        for raw in fields.split(","):
            key = raw.strip()
            keys = list(names) if key == "*" else [key]
            for name in keys:
                if name in names and name in props:
                    if name == "title" and not props[name]:
                        raise self.fail("The spreadsheet title cannot be empty.")
                    setattr(self.ss, names[name], props[name])
        return {}

    def _req_appendDimension(self, body: dict) -> dict:
        sheet = self.sheet(self.required(body, "sheetId"))
        length = body.get("length", 0)
        if not isinstance(length, int) or length < 1:
            raise self.fail("length must be a positive number.")
        if body.get("dimension") == "ROWS":
            sheet.resize(sheet.rows + length, sheet.cols)
        elif body.get("dimension") == "COLUMNS":
            sheet.resize(sheet.rows, sheet.cols + length)
        else:
            raise self.fail("dimension must be ROWS or COLUMNS")
        return {}

    # -- cells and sheet objects ---------------------------------------------------

    def _req_updateCells(self, body: dict) -> dict:
        """Writes userEnteredValue when 'fields' selects it; formats are only recorded."""
        fields = body.get("fields")
        if not fields:
            raise self.fail("At least one field must be specified in 'fields'.")
        if "start" in body:
            start = body["start"]
            sheet, top, left = (
                self.sheet(start.get("sheetId", 0)),
                start.get("rowIndex", 0),
                start.get("columnIndex", 0),
            )
            limit = None
        elif "range" in body:
            sheet, limit = self.grid_box(body["range"])
            top, left = limit.top, limit.left
        else:
            raise self.fail("Either start or range must be set.")
        writes = fields == "*" or "userEnteredValue" in fields
        for i, row in enumerate(body.get("rows") or []):
            for j, data in enumerate(row.get("values") or []):
                r, c = top + i, left + j
                if limit is not None and not limit.contains(r, c):
                    raise self.fail(f"The rows do not fit the range {limit}.")
                self.check_inside(sheet, Box(r, c, r + 1, c + 1))
                if writes:
                    sheet.write(r, c, extended_cell((data or {}).get("userEnteredValue")))
        return {}

    def _req_addNamedRange(self, body: dict) -> dict:
        named = copy.deepcopy(body.get("namedRange") or {})
        name = named.get("name", "")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) or parse_a1(name):
            raise self.fail(f'Invalid named range name: "{name}"')
        if any(nr["name"].casefold() == name.casefold() for nr in self.ss.named_ranges):
            raise self.fail(f'A named range with the name "{name}" already exists.')
        named.setdefault("range", {})
        named["namedRangeId"] = named.get("namedRangeId") or str(self.rng.randrange(10**9, 10**10))
        self.ss.named_ranges.append(named)
        return {"addNamedRange": {"namedRange": named}}

    def _req_deleteNamedRange(self, body: dict) -> dict:
        wanted = self.required(body, "namedRangeId")
        kept = [nr for nr in self.ss.named_ranges if nr["namedRangeId"] != wanted]
        if len(kept) == len(self.ss.named_ranges):
            raise self.fail(f"No named range with id: {wanted}")
        self.ss.named_ranges = kept
        return {}

    def _sheet_of_range(self, grid_range: dict | None) -> Sheet:
        if not grid_range:
            raise self.fail("range is required.")
        return self.sheet(grid_range.get("sheetId", 0))

    def _req_addProtectedRange(self, body: dict) -> dict:
        protected = copy.deepcopy(body.get("protectedRange") or {})
        sheet = self._sheet_of_range(protected.get("range"))
        protected["protectedRangeId"] = self.new_object_id()
        protected.setdefault("requestingUserCanEdit", True)
        sheet.objects["protectedRanges"].append(protected)
        return {"addProtectedRange": {"protectedRange": protected}}

    def _req_deleteProtectedRange(self, body: dict) -> dict:
        wanted = self.required(body, "protectedRangeId")
        self._remove_object("protectedRanges", "protectedRangeId", wanted)
        return {}

    def _req_addConditionalFormatRule(self, body: dict) -> dict:
        rule = copy.deepcopy(body.get("rule") or {})
        ranges = rule.get("ranges") or []
        sheet = self._sheet_of_range(ranges[0] if ranges else None)
        rules = sheet.objects["conditionalFormats"]
        rules.insert(max(0, min(body.get("index", 0), len(rules))), rule)
        return {}

    def _req_deleteConditionalFormatRule(self, body: dict) -> dict:
        sheet = self.sheet(self.required(body, "sheetId"))
        index = body.get("index", 0)
        rules = sheet.objects["conditionalFormats"]
        if not 0 <= index < len(rules):
            raise self.fail(f"No conditional format on sheet {sheet.sheet_id} at index {index}.")
        del rules[index]
        return {}

    def _req_setBasicFilter(self, body: dict) -> dict:
        basic = copy.deepcopy(body.get("filter") or {})
        self._sheet_of_range(basic.get("range")).objects["basicFilter"] = basic
        return {}

    def _req_clearBasicFilter(self, body: dict) -> dict:
        self.sheet(self.required(body, "sheetId")).objects["basicFilter"] = None
        return {}

    def _req_addBanding(self, body: dict) -> dict:
        banded = copy.deepcopy(body.get("bandedRange") or {})
        sheet = self._sheet_of_range(banded.get("range"))
        banded["bandedRangeId"] = self.new_object_id()
        sheet.objects["bandedRanges"].append(banded)
        return {"addBanding": {"bandedRange": banded}}

    def _req_deleteBanding(self, body: dict) -> dict:
        self._remove_object("bandedRanges", "bandedRangeId", self.required(body, "bandedRangeId"))
        return {}

    def _req_addChart(self, body: dict) -> dict:
        chart = copy.deepcopy(body.get("chart") or {})
        position = chart.get("position") or {}
        if position.get("newSheet"):
            raise unsupported("sheets", "addChart with position.newSheet")
        anchor = position.get("overlayPosition", {}).get("anchorCell", {})
        sheet = self.sheet(anchor.get("sheetId", position.get("sheetId", 0)))
        chart["chartId"] = chart.get("chartId") or self.new_object_id()
        sheet.objects["charts"].append(chart)
        return {"addChart": {"chart": chart}}

    def _req_mergeCells(self, body: dict) -> dict:
        grid_range = body.get("range")
        self._sheet_of_range(grid_range).objects["merges"].append(copy.deepcopy(grid_range))
        return {}

    def _req_unmergeCells(self, body: dict) -> dict:
        sheet, box = self.grid_box(body.get("range") or {})
        sheet.objects["merges"] = [
            merge
            for merge in sheet.objects["merges"]
            if not _box_within(self.grid_box(merge)[1], box)
        ]
        return {}

    def _remove_object(self, key: str, id_key: str, wanted: Any) -> None:
        for sheet in self.ss.sheets:
            kept = [obj for obj in sheet.objects[key] if obj.get(id_key) != wanted]
            if len(kept) != len(sheet.objects[key]):
                sheet.objects[key] = kept
                return
        raise self.fail(f"No object with {id_key}: {wanted}")


def _dig(mapping: dict, path: str) -> Any:
    node: Any = mapping
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _retarget(node: Any, old: int, new: int) -> Any:
    """Deep-copy node, pointing every sheetId == old at new."""
    if isinstance(node, list):
        return [_retarget(item, old, new) for item in node]
    if isinstance(node, dict):
        return {
            key: (new if key == "sheetId" and value == old else _retarget(value, old, new))
            for key, value in node.items()
        }
    return node


def _box_within(inner: Box, outer: Box) -> bool:
    return (
        outer.top <= inner.top
        and inner.bottom <= outer.bottom
        and outer.left <= inner.left
        and inner.right <= outer.right
    )


# ---------------------------------------------------------------------------
# Sheets values writes
# ---------------------------------------------------------------------------


@dataclass
class PlannedWrite:
    """The cells one values write will set (None clears), checked before anything changes."""

    sheet: Sheet
    cells: dict[tuple[int, int], Cell | None]
    anchor: Box

    def apply(self) -> None:
        for (row, col), cell in self.cells.items():
            self.sheet.write(row, col, cell)

    def summary(self, spreadsheet_id: str) -> dict:
        """An UpdateValuesResponse: counts of rows, columns and cells touched."""
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if not self.cells:
            out["updatedRange"] = f"{quote_title(self.sheet.title)}!{self.anchor.a1()}"
            return out
        rows = {row for row, _ in self.cells}
        cols = {col for _, col in self.cells}
        box = Box(min(rows), min(cols), max(rows) + 1, max(cols) + 1)
        out.update(
            updatedRange=f"{quote_title(self.sheet.title)}!{box.a1()}",
            updatedRows=len(rows),
            updatedColumns=len(cols),
            updatedCells=len(self.cells),
        )
        return out


def _input_parser(option: Any) -> Callable[[Any], Cell | None]:
    if option == "RAW":
        return raw_cell
    if option == "USER_ENTERED":
        return user_entered_cell
    if option in (None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise sheets_error(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    raise sheets_error(
        400,
        "Invalid value at 'value_input_option' "
        f'(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "{option}"',
    )


def _rows_of(values: Any, major: Any) -> list[list]:
    """The values matrix as rows (transposing majorDimension=COLUMNS), type-checked."""
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise sheets_error(400, "Invalid values: expected a list of lists.")
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is not None and not isinstance(value, (str, int, float, bool)):
                raise sheets_error(400, f"Invalid values[{i}][{j}]: {json.dumps(value)}")
    if major in (None, "ROWS", "DIMENSION_UNSPECIFIED"):
        return values
    if major != "COLUMNS":
        raise sheets_error(400, f"Invalid majorDimension: {major}")
    width = max((len(column) for column in values), default=0)
    return [[column[i] if i < len(column) else None for column in values] for i in range(width)]


def plan_cells(
    sheet: Sheet,
    anchor: Box,
    rows: list[list],
    option: Any,
    bounded: bool,
) -> PlannedWrite:
    """Check a write starting at anchor's top-left; bounded writes must stay in anchor."""
    parse = _input_parser(option)
    cells: dict[tuple[int, int], Cell | None] = {}
    label = f"{quote_title(sheet.title)}!{anchor.a1()}"
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:  # Sheets skips nulls: the cell keeps its value
                continue
            r, c = anchor.top + i, anchor.left + j
            if bounded and r >= anchor.bottom:
                raise sheets_error(
                    400,
                    f"Requested writing within range [{label}], but tried writing to row [{r + 1}]",
                )
            if bounded and c >= anchor.right:
                raise sheets_error(
                    400,
                    f"Requested writing within range [{label}], "
                    f"but tried writing to column [{col_letters(c)}]",
                )
            if r >= sheet.rows or c >= sheet.cols:
                bad = (
                    cell_a1(anchor.top, sheet.cols)
                    if c >= sheet.cols
                    else cell_a1(sheet.rows, anchor.left)
                )
                raise sheets_error(
                    400,
                    f"Range ({quote_title(sheet.title)}!{bad}) exceeds grid limits. "
                    f"Max rows: {sheet.rows}, max columns: {sheet.cols}",
                )
            cells[(r, c)] = parse(value)
    return PlannedWrite(sheet, cells, anchor)


# ---------------------------------------------------------------------------
# The fake itself
# ---------------------------------------------------------------------------

_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")
FILE_FIELDS = frozenset(
    {
        "kind",
        "id",
        "name",
        "mimeType",
        "parents",
        "trashed",
        "createdTime",
        "modifiedTime",
        "owners",
        "ownedByMe",
        "driveId",
        "teamDriveId",
        "size",
        "webViewLink",
        "shared",
        "starred",
        "capabilities",
        "permissions",
        "permissionIds",
        "description",
        "md5Checksum",
        "fileExtension",
        "fullFileExtension",
        "originalFilename",
        "version",
        "headRevisionId",
        "iconLink",
        "thumbnailLink",
        "hasThumbnail",
        "exportLinks",
        "lastModifyingUser",
        "sharingUser",
        "spaces",
        "viewedByMe",
        "viewedByMeTime",
        "modifiedByMe",
        "modifiedByMeTime",
        "sharedWithMeTime",
        "webContentLink",
        "writersCanShare",
        "copyRequiresWriterPermission",
        "properties",
        "appProperties",
        "contentHints",
        "quotaBytesUsed",
        "resourceKey",
        "explicitlyTrashed",
        "trashedTime",
        "trashingUser",
        "folderColorRgb",
        "isAppAuthorized",
        "labelInfo",
        "sha1Checksum",
        "sha256Checksum",
        "shortcutDetails",
        "contentRestrictions",
        "linkShareMetadata",
        "hasAugmentedPermissions",
        "viewersCanCopyContent",
        "thumbnailVersion",
        "imageMediaMetadata",
        "videoMediaMetadata",
        "inheritedPermissionsDisabled",
        "downloadRestrictions",
    }
)
LIST_FIELDS = frozenset({"kind", "nextPageToken", "incompleteSearch", "files"})
FILE_DEFAULT_FIELDS = "kind,id,name,mimeType"
LIST_DEFAULT_FIELDS = "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)"


class _QueryScope:
    """What a q predicate may ask about a file, from the caller's point of view."""

    def __init__(self, fake: FakeGoogle, who: Identity):
        self.fake = fake
        self.who = who

    def member(self, file: DriveFile, collection: str, item: str) -> bool:
        if collection == "parents":
            in_root = not file.parents and self.who.email in file.owners
            return item in file.parents or (item == "root" and in_root)
        email = self.who.email if item == "me" else item
        if collection == "owners":
            return email in file.owners
        needed = ROLE_RANK["writer" if collection == "writers" else "reader"]
        listed = [p for p in file.permissions if _permission_applies(p, email)]
        return email in file.owners or any(ROLE_RANK[p["role"]] >= needed for p in listed)

    def flag(self, file: DriveFile, name: str) -> bool:
        if name == "sharedWithMe":
            return self.who.email not in file.owners and file.drive_id is None
        return bool(getattr(file, name))


class FakeGoogle:
    """In-memory Sheets v4 + Drive v3.  Thread-safe; serve it with ``serve()``.

    Seed it with ``add_spreadsheet``, ``add_folder``, ``add_binary_file``,
    ``add_shared_drive`` and ``add_token``; inspect it with ``get_values``,
    ``sheet_properties``, ``recorded_requests``, ``permissions``, ``requests``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        default_tokens: bool = True,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] | None = None,
    ):
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self.files: dict[str, DriveFile] = {}
        self.drives: dict[str, SharedDrive] = {}
        self.tokens: dict[str, Identity] = {}
        self.requests: list[LoggedRequest] = []
        self.notifications: list[dict] = []
        self.latency = 0.0
        self.clock = clock
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self._faults: list[_Fault] = []
        self._quota: dict[str, int | None] = {"read": None, "write": None}
        self._quota_hits: dict[tuple[str, str], deque] = {}
        self._recorded: dict[str, list[dict]] = {}
        self._permission_ids: dict[str, str] = {}
        self._last_stamp = ""
        if default_tokens:
            self.add_token(USER_TOKEN, USER_EMAIL, "user")
            self.add_token(SA_TOKEN, SA_EMAIL, "service_account")

    # -- seeding -------------------------------------------------------------------

    def add_token(self, token: str, email: str, kind: str = "user") -> None:
        """Accept ``Authorization: Bearer <token>`` as email (kind: user|service_account)."""
        if kind not in ("user", "service_account"):
            raise ValueError(f"unknown identity kind {kind!r}")
        with self._lock:
            self.tokens[token] = Identity(email, kind)

    def add_shared_drive(
        self, name: str, members: Iterable[str] | dict[str, str] = (), drive_id: str | None = None
    ) -> str:
        """A shared drive; members is a list of e-mails (role writer) or e-mail -> role."""
        with self._lock:
            roles = dict(members) if isinstance(members, dict) else dict.fromkeys(members, "writer")
            drive_id = drive_id or "0A" + self._random_id(17) + "Uk9PVA"
            self.drives[drive_id] = SharedDrive(drive_id, name, roles)
            return drive_id

    def add_folder(
        self,
        name: str,
        parents: list[str] | None = None,
        file_id: str | None = None,
        shared_with: Iterable[str] | dict[str, str] | None = None,
        owner: str = DEFAULT_OWNER,
    ) -> str:
        """A folder (parents may name a folder or a shared drive)."""
        with self._lock:
            return self._seed_file(name, FOLDER_MIME, parents, file_id, None, shared_with, owner).id

    def add_spreadsheet(
        self,
        title: str,
        tabs: dict[str, list[list]] | None = None,
        file_id: str | None = None,
        modified_time: str | dt.datetime | None = None,
        shared_with: Iterable[str] | dict[str, str] | None = None,
        parents: list[str] | None = None,
        owner: str = DEFAULT_OWNER,
    ) -> str:
        """A spreadsheet whose tabs hold the given rows (values stored as given, like RAW;
        ``datetime.date`` becomes a date cell, ``Formula`` a formula).  Each tab's grid is
        at least 1000 x 26, as Google makes new sheets.  Returns the file id."""
        with self._lock:
            file = self._seed_file(
                title, SPREADSHEET_MIME, parents, file_id, modified_time, shared_with, owner
            )
            spreadsheet = file.spreadsheet
            assert spreadsheet is not None
            spreadsheet.sheets = []
            for index, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                sheet_id = 0 if index == 0 else self._rng.randrange(1, 2**31 - 1)
                width = max((len(row) for row in rows), default=0)
                sheet = Sheet(sheet_id, tab, max(1000, len(rows)), max(26, width))
                _seed_rows(sheet, 0, 0, rows, python_cell)
                spreadsheet.sheets.append(sheet)
            spreadsheet.reindex()
            return file.id

    def add_binary_file(
        self,
        name: str,
        data: bytes,
        mime: str = XLSX_MIME,
        parents: list[str] | None = None,
        file_id: str | None = None,
        modified_time: str | dt.datetime | None = None,
        shared_with: Iterable[str] | dict[str, str] | None = None,
        owner: str = DEFAULT_OWNER,
    ) -> str:
        """A binary file (an .xlsx by default), downloadable with ``alt=media``."""
        with self._lock:
            file = self._seed_file(name, mime, parents, file_id, modified_time, shared_with, owner)
            file.content = bytes(data)
            return file.id

    def touch(self, file_id: str, when: str | dt.datetime | None = None) -> str:
        """Bump a file's modifiedTime (to ``when``, or to now) and return it."""
        with self._lock:
            file = self.files[file_id]
            file.modified = self._stamp() if when is None else _as_stamp(when)
            return file.modified

    def trash(self, file_id: str) -> None:
        with self._lock:
            self.files[file_id].trashed = True
            self.files[file_id].modified = self._stamp()

    def set_values(
        self,
        file_id: str,
        tab: str,
        values: list[list],
        start: str = "A1",
        input_option: str = "RAW",
    ) -> None:
        """Write rows from ``start`` (growing the grid if needed) without an API call.

        RAW stores values as given (dates and Formula supported); USER_ENTERED parses
        strings as the Sheets UI would ("45%" -> 0.45 shown as 45%)."""
        with self._lock:
            sheet = self._sheet(file_id, tab)
            anchor = parse_a1(start)
            if anchor is None or not anchor.single:
                raise ValueError(f"start must be a cell like 'B2', got {start!r}")
            parse = python_cell if input_option == "RAW" else user_entered_cell
            need_rows = anchor.top + len(values)
            need_cols = anchor.left + max((len(row) for row in values), default=0)
            sheet.resize(max(sheet.rows, need_rows), max(sheet.cols, need_cols))
            _seed_rows(sheet, anchor.top, anchor.left, values, parse)
            self.files[file_id].modified = self._stamp()

    def get_values(
        self, file_id: str, tab: str, render_option: str = "UNFORMATTED_VALUE"
    ) -> list[list]:
        """A tab's values as values.get would return them (trimmed, dates as serials)."""
        with self._lock:
            sheet = self._sheet(file_id, tab)
            box = Box(0, 0, sheet.rows, sheet.cols)
            return sheet.matrix(box, render_option, "SERIAL_NUMBER", "ROWS")

    def sheet_properties(self, file_id: str, tab: str) -> dict:
        """A tab's SheetProperties as spreadsheets.get returns them."""
        with self._lock:
            return self._sheet(file_id, tab).properties()

    def spreadsheet_resource(self, file_id: str) -> dict:
        """The whole spreadsheets.get resource (includes protectedRanges, charts, ...)."""
        with self._lock:
            return self._spreadsheet_model(file_id).resource()

    def recorded_requests(self, file_id: str, kind: str | None = None) -> list[dict]:
        """Every committed batchUpdate request for a spreadsheet, e.g. kind="repeatCell"."""
        with self._lock:
            entries = self._recorded.get(file_id, [])
            return copy.deepcopy([entry for entry in entries if kind is None or kind in entry])

    def permissions(self, file_id: str) -> list[dict]:
        """The file's permissions as permissions.list returns them (owner included)."""
        with self._lock:
            return self._permission_list(self.files[file_id])

    def file_metadata(self, file_id: str, who: str = DEFAULT_OWNER) -> dict:
        """The full Drive file resource, as seen by the e-mail ``who``."""
        with self._lock:
            return self._file_resource(self.files[file_id], Identity(who, "user"))

    # -- faults, quotas, log -------------------------------------------------------------

    def inject(
        self,
        status: int,
        times: int = 1,
        match: str | None = None,
        *,
        method: str | None = None,
        reason: str | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next ``times`` requests whose path contains ``match`` with ``status``.

        The body is Google's for that status: Sheets flavour on /v4/ paths, Drive flavour
        elsewhere (``reason`` picks a Drive reason, e.g. "userRateLimitExceeded" or
        "storageQuotaExceeded"); 502 answers Google's HTML error page.  ``body`` overrides.
        """
        with self._lock:
            self._faults.append(_Fault(status, times, match, method, reason, body))

    def drop_connection(
        self, times: int = 1, match: str | None = None, *, method: str | None = None
    ) -> None:
        """Close the socket without any response for the next ``times`` matching requests."""
        with self._lock:
            self._faults.append(_Fault(None, times, match, method))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_quota(
        self, read_per_minute: int | None = None, write_per_minute: int | None = None
    ) -> None:
        """Per-user Sheets quotas over a sliding minute of ``self.clock`` (None: unlimited).

        Google's defaults are 60 read and 60 write requests per minute per user (and 300
        per project); over quota answers 429 RESOURCE_EXHAUSTED."""
        with self._lock:
            self._quota = {"read": read_per_minute, "write": write_per_minute}
            self._quota_hits.clear()

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def count(self, method: str | None = None, match: str | None = None) -> int:
        """How many logged requests have this method and a path containing match."""
        with self._lock:
            return sum(
                1
                for entry in self.requests
                if (method is None or entry.method == method.upper())
                and (match is None or match in entry.path)
            )

    # -- request entry point (called by the HTTP layer) ---------------------------------

    def handle(
        self,
        method: str,
        raw_path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        """Answer one request: log it, apply faults, authenticate, route."""
        path = unquote(raw_path)
        api = "sheets" if path.startswith("/v4/") else "drive"
        with self._lock:
            self.requests.append(LoggedRequest(method, path, query))
            fault = self._take_fault(method, path)
        if fault is not None:
            if fault.status is None:
                return Response(drop=True)
            error = injected_error(api, fault.status, method, path, fault.reason)
            return Response.of(fault.status, fault.body if fault.body is not None else error.body)
        if self.latency:
            time.sleep(self.latency)
        call = Call(api, method, path, query, headers, body)
        try:
            with self._lock:
                call.who = self._authenticate(call)
                self._charge_quota(call)
                result = self._route(call, raw_path)
        except ApiError as error:
            return Response.of(error.status, error.body)
        if isinstance(result, Reply):
            return Response.of(result.status, result.payload, result.content_type)
        return Response.of(200, result, pretty=call.arg("prettyPrint", "true") != "false")

    _ROUTES: ClassVar[list[tuple[str, re.Pattern, str]]] = [
        (m, re.compile(p), h)
        for m, p, h in [
            ("GET", r"/v4/spreadsheets/([^/:]+)", "_sheets_get"),
            ("POST", r"/v4/spreadsheets", "_sheets_create"),
            ("POST", r"/v4/spreadsheets/([^/:]+):batchUpdate", "_sheets_batch_update"),
            ("GET", r"/v4/spreadsheets/([^/:]+)/values:batchGet", "_values_batch_get"),
            ("POST", r"/v4/spreadsheets/([^/:]+)/values:batchUpdate", "_values_batch_update"),
            ("POST", r"/v4/spreadsheets/([^/:]+)/values:batchClear", "_values_batch_clear"),
            ("GET", r"/v4/spreadsheets/([^/:]+)/values/(.+?)", "_values_get"),
            ("PUT", r"/v4/spreadsheets/([^/:]+)/values/(.+?)", "_values_update"),
            ("POST", r"/v4/spreadsheets/([^/:]+)/values/(.+?):append", "_values_append"),
            ("POST", r"/v4/spreadsheets/([^/:]+)/values/(.+?):clear", "_values_clear"),
            ("GET", r"/drive/v3/files", "_files_list"),
            ("POST", r"/drive/v3/files", "_files_create"),
            ("GET", r"/drive/v3/files/([^/]+)", "_files_get"),
            ("PATCH", r"/drive/v3/files/([^/]+)", "_files_update"),
            ("DELETE", r"/drive/v3/files/([^/]+)", "_files_delete"),
            ("POST", r"/drive/v3/files/([^/]+)/copy", "_files_copy"),
            ("GET", r"/drive/v3/files/([^/]+)/permissions", "_permissions_list"),
            ("POST", r"/drive/v3/files/([^/]+)/permissions", "_permissions_create"),
            ("DELETE", r"/drive/v3/files/([^/]+)/permissions/([^/]+)", "_permissions_delete"),
            ("GET", r"/drive/v3/files/([^/]+)/comments", "_comments_list"),
            ("POST", r"/drive/v3/files/([^/]+)/comments", "_comments_create"),
            ("POST", r"/upload/drive/v3/files", "_upload_create"),
            ("PATCH", r"/upload/drive/v3/files/([^/]+)", "_upload_update"),
            ("GET", r"/drive/v3/drives", "_drives_list"),
            ("GET", r"/drive/v3/about", "_about_get"),
        ]
    ]

    def _route(self, call: Call, raw_path: str) -> Any:
        for method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(raw_path)
            if method == call.method and match:
                return getattr(self, name)(call, *(unquote(group) for group in match.groups()))
        message = f"fake_google has no endpoint {call.method} {call.path}"
        if call.api == "sheets":
            raise sheets_error(404, message)
        raise drive_error(404, message, "notFound")

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.applies(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _authenticate(self, call: Call) -> Identity:
        header = call.headers.get("authorization", "")
        if not header:
            raise auth_error(call.api, missing=True)
        scheme, _, token = header.partition(" ")
        who = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            raise auth_error(call.api, missing=False)
        return who

    def _charge_quota(self, call: Call) -> None:
        if call.api != "sheets":
            return
        bucket = "read" if call.method == "GET" else "write"
        limit = self._quota[bucket]
        if limit is None:
            return
        hits = self._quota_hits.setdefault((call.who.email, bucket), deque())
        now = self.clock()
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= limit:
            raise quota_error(bucket, limit)
        hits.append(now)

    # -- shared helpers ------------------------------------------------------------------

    def _random_id(self, length: int) -> str:
        return "".join(self._rng.choice(_ID_CHARS) for _ in range(length))

    def _new_file_id(self, prefix: str = "1", length: int = 44) -> str:
        while True:
            candidate = prefix + self._random_id(length - len(prefix))
            if candidate not in self.files:
                return candidate

    def _stamp(self) -> str:
        """Now as RFC 3339, strictly later than any stamp handed out before."""
        stamp = rfc3339(self.now())
        if stamp <= self._last_stamp:
            last = parse_rfc3339(self._last_stamp)
            stamp = rfc3339(last + dt.timedelta(milliseconds=1))
        self._last_stamp = stamp
        return stamp

    def _seed_file(
        self,
        name: str,
        mime: str,
        parents: list[str] | None,
        file_id: str | None,
        modified_time: str | dt.datetime | None,
        shared_with: Iterable[str] | dict[str, str] | None,
        owner: str,
    ) -> DriveFile:
        for parent in parents or []:
            if parent not in self.drives and parent not in self.files:
                raise ValueError(f"unknown parent {parent!r}")
        if file_id is not None and file_id in self.files:
            raise ValueError(f"file id {file_id!r} is already used")
        file = self._new_file(name, mime, list(parents or []), owner, file_id)
        if modified_time is not None:
            file.modified = _as_stamp(modified_time)
        file.open_to_all = shared_with is None
        roles = (
            shared_with
            if isinstance(shared_with, dict)
            else dict.fromkeys(shared_with or (), "writer")
        )
        for email, role in roles.items():
            file.permissions.append(self._permission("user", role, email))
        return file

    def _new_file(
        self,
        name: str,
        mime: str,
        parents: list[str],
        owner: str | None,
        file_id: str | None = None,
    ) -> DriveFile:
        """A new file; in a shared drive it belongs to the drive and has no owner."""
        if file_id is None:
            file_id = self._new_file_id(length=33 if mime == FOLDER_MIME else 44)
        file = DriveFile(file_id, name, mime, self._stamp())
        file.parents = parents
        file.drive_id = self._drive_of(parents)
        file.owners = [owner] if owner and file.drive_id is None else []
        if mime == SPREADSHEET_MIME:
            file.spreadsheet = Spreadsheet(file_id, name)
            file.spreadsheet.sheets = [Sheet(0, "Sheet1")]
        self.files[file_id] = file
        return file

    def _drive_of(self, parents: list[str]) -> str | None:
        for parent in parents:
            if parent in self.drives:
                return parent
            if parent in self.files:
                return self.files[parent].drive_id
        return None

    def role_of(self, file: DriveFile, who: Identity, _seen: frozenset = frozenset()) -> str | None:
        """The caller's best role on a file: ownership, permissions, drive, parent folders."""
        if who.email in file.owners:
            return "owner"
        best = ROLE_RANK["writer"] if file.open_to_all else 0
        for permission in file.permissions:
            if _permission_applies(permission, who.email):
                best = max(best, ROLE_RANK[permission["role"]])
        drive = self.drives.get(file.drive_id or "")
        if drive and who.email in drive.members:
            best = max(best, ROLE_RANK[drive.members[who.email]])
        for parent in file.parents:
            parent_file = self.files.get(parent)
            if parent_file and parent not in _seen:
                role = self.role_of(parent_file, who, _seen | {file.id})
                best = max(best, ROLE_RANK.get(role or "", 0))
        return next((name for name, rank in ROLE_RANK.items() if rank == best), None)

    def _sheet(self, file_id: str, tab: str) -> Sheet:
        sheet = self._spreadsheet_model(file_id).sheet_by_title(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in {file_id}")
        return sheet

    def _spreadsheet_model(self, file_id: str) -> Spreadsheet:
        spreadsheet = self.files[file_id].spreadsheet
        if spreadsheet is None:
            raise KeyError(f"{file_id} is not a spreadsheet")
        return spreadsheet

    # =====================================================================================
    # Sheets v4
    # =====================================================================================

    def _spreadsheet(self, call: Call, spreadsheet_id: str, write: bool = False) -> Spreadsheet:
        """Google: 404 when the id is unknown, 403 when the caller may not see (or edit) it,
        400 FAILED_PRECONDITION for a Drive file that is not a Google Sheet (an .xlsx)."""
        file = self.files.get(spreadsheet_id)
        if file is None:
            raise sheets_error(404, SHEETS_MESSAGES[404])
        role = self.role_of(file, call.who)
        if role is None or (write and ROLE_RANK[role] < ROLE_RANK["writer"]):
            raise sheets_error(403, SHEETS_MESSAGES[403])
        if file.spreadsheet is None:
            error = sheets_error(400, "This operation is not supported for this document")
            error.body["error"]["status"] = "FAILED_PRECONDITION"
            raise error
        return file.spreadsheet

    def _target(self, spreadsheet: Spreadsheet, text: str | None) -> tuple[Sheet, A1 | None]:
        """Resolve a range: 'Tab', "'Tab name'", 'Tab!A1:B2', 'A1:B2' (first tab), a named
        range.  Google: 400 "Unable to parse range: X" when it names nothing."""
        text = (text or "").strip()
        named = next(
            (nr for nr in spreadsheet.named_ranges if nr["name"].casefold() == text.casefold()),
            None,
        )
        if named:
            return self._named_target(spreadsheet, named, text)
        try:
            title, a1_text = split_range(text)
        except ValueError:
            raise sheets_error(400, f"Unable to parse range: {text}") from None
        if title is None:
            sheet = spreadsheet.sheet_by_title(text)
            if sheet is not None:
                return sheet, None
            title, sheet = None, spreadsheet.sheets[0]
        else:
            sheet = spreadsheet.sheet_by_title(title)
        spec = parse_a1(a1_text) if a1_text else None
        if sheet is None or (a1_text and spec is None) or (title is None and spec is None):
            raise sheets_error(400, f"Unable to parse range: {text}")
        return sheet, spec

    def _named_target(self, spreadsheet: Spreadsheet, named: dict, text: str) -> tuple[Sheet, A1]:
        grid_range = named.get("range", {})
        sheet = spreadsheet.sheet_by_id(grid_range.get("sheetId", 0))
        if sheet is None:
            raise sheets_error(400, f"Unable to parse range: {text}")
        return sheet, A1(
            grid_range.get("startRowIndex", 0),
            grid_range.get("startColumnIndex", 0),
            grid_range["endRowIndex"] - 1 if "endRowIndex" in grid_range else None,
            grid_range["endColumnIndex"] - 1 if "endColumnIndex" in grid_range else None,
        )

    @staticmethod
    def _read_box(sheet: Sheet, spec: A1 | None) -> Box:
        """Reads are clamped to the grid ('A:A' on a 10-row tab reads A1:A10)."""
        box = (spec or A1(None, None, None, None)).box(sheet.rows, sheet.cols)
        if box.top >= sheet.rows or box.left >= sheet.cols:
            bad = cell_a1(box.top, box.left)
            raise sheets_error(
                400,
                f"Range ({quote_title(sheet.title)}!{bad}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.cols}",
            )
        return Box(box.top, box.left, min(box.bottom, sheet.rows), min(box.right, sheet.cols))

    @staticmethod
    def _enum(call: Call, name: str, allowed: tuple[str, ...], type_name: str) -> str:
        value = call.arg(name)
        if value is None or value == "DIMENSION_UNSPECIFIED":
            return allowed[0]
        if value not in allowed:
            snake = re.sub(r"([A-Z])", r"_\1", name).lower()
            raise sheets_error(
                400,
                f"Invalid value at '{snake}' "
                f'(type.googleapis.com/google.apps.sheets.v4.{type_name}), "{value}"',
            )
        return value

    def _value_range(self, call: Call, spreadsheet: Spreadsheet, text: str) -> dict:
        """A ValueRange: the resolved range, majorDimension and (if any) trimmed values."""
        value_option = self._enum(call, "valueRenderOption", VALUE_RENDER, "ValueRenderOption")
        date_option = self._enum(call, "dateTimeRenderOption", DATE_RENDER, "DateTimeRenderOption")
        major = self._enum(call, "majorDimension", ("ROWS", "COLUMNS"), "Dimension")
        sheet, spec = self._target(spreadsheet, text)
        box = self._read_box(sheet, spec)
        out: dict[str, Any] = {
            "range": f"{quote_title(sheet.title)}!{box.a1()}",
            "majorDimension": major,
        }
        values = sheet.matrix(box, value_option, date_option, major)
        if values:
            out["values"] = values
        return out

    def _changed(self, spreadsheet_id: str) -> None:
        self.files[spreadsheet_id].modified = self._stamp()

    def _sheets_get(self, call: Call, spreadsheet_id: str) -> dict:
        """spreadsheets.get: ``ranges`` narrows the sheets, ``fields`` masks the resource.
        Grid data comes with a field mask that asks for ``sheets.data`` within what the
        fake keeps (GRID_FIELDS: values, formulas, shown text, number formats): one
        GridData per range on its sheet, in the order asked (no ranges: each whole tab).
        includeGridData=true without a mask, or a mask asking for more of the grid (row
        metadata, colours), is refused with 400: the fake does not keep those."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id)
        fields = call.arg("fields") or ""
        try:
            mask = parse_fields(fields) if fields else None
        except ValueError:
            raise sheets_error(400, f"Invalid field selection {fields}") from None
        sheets_mask = mask.get("sheets") if mask else None
        grid = isinstance(sheets_mask, dict) and "data" in sheets_mask
        if (call.flag("includeGridData") and mask is None) or (
                grid and not _within(sheets_mask["data"], GRID_FIELDS)):
            raise unsupported("sheets", "grid data beyond values and number formats "
                              "(includeGridData=true, or fields=sheets.data asking for more "
                              "than rowData.values' values and numberFormat)")
        resource = spreadsheet.resource()
        targets = [self._target(spreadsheet, text) for text in call.args("ranges")]
        if targets:
            wanted = {sheet.sheet_id for sheet, _ in targets}
            resource["sheets"] = [
                s for s in resource["sheets"] if s["properties"]["sheetId"] in wanted
            ]
        if grid:
            for out in resource["sheets"]:
                sheet = spreadsheet.sheet_by_id(out["properties"]["sheetId"])
                assert sheet is not None
                specs = [spec for s, spec in targets if s is sheet] if targets else [None]
                out["data"] = [sheet.grid_data(self._read_box(sheet, spec)) for spec in specs]
        return apply_mask(resource, mask) if mask else resource

    def _sheets_create(self, call: Call) -> dict:
        """spreadsheets.create: a new spreadsheet in the caller's My Drive."""
        body = call.json()
        props = body.get("properties") or {}
        file = self._new_file(
            props.get("title") or "Untitled spreadsheet", SPREADSHEET_MIME, [], call.who.email
        )
        spreadsheet = file.spreadsheet
        assert spreadsheet is not None
        if body.get("sheets"):
            spreadsheet.sheets = []
            specs = [sheet.get("properties") or {} for sheet in body["sheets"]]
            Batch(spreadsheet, self._rng).run(
                [{"addSheet": {"properties": spec}} for spec in specs]
            )
            if "sheetId" not in specs[0] and spreadsheet.sheet_by_id(0) is None:
                spreadsheet.sheets[0].sheet_id = 0  # like Google, the first tab is gid 0
        spreadsheet.locale = props.get("locale", spreadsheet.locale)
        spreadsheet.time_zone = props.get("timeZone", spreadsheet.time_zone)
        return spreadsheet.resource()

    def _values_get(self, call: Call, spreadsheet_id: str, range_text: str) -> dict:
        """values.get: {range, majorDimension, values?} (no spreadsheetId, as Google)."""
        return self._value_range(call, self._spreadsheet(call, spreadsheet_id), range_text)

    def _values_batch_get(self, call: Call, spreadsheet_id: str) -> dict:
        """values.batchGet: one ValueRange per ``ranges`` parameter, in order."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id)
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        ranges = call.args("ranges")
        if ranges:
            out["valueRanges"] = [self._value_range(call, spreadsheet, text) for text in ranges]
        return out

    def _plan(
        self, spreadsheet: Spreadsheet, text: Any, values: Any, option: Any, major: Any
    ) -> PlannedWrite:
        """Plan a values write: a single cell or whole tab anchors an unbounded write; a
        multi-cell range bounds it (Google: "Requested writing within range ...")."""
        if not isinstance(text, str):
            raise sheets_error(400, "Unable to parse range: ")
        sheet, spec = self._target(spreadsheet, text)
        if spec is None:
            anchor, bounded = Box(0, 0, 1, 1), False
        else:
            anchor, bounded = spec.box(sheet.rows, sheet.cols), not spec.single
        return plan_cells(sheet, anchor, _rows_of(values, major), option, bounded)

    def _values_update(self, call: Call, spreadsheet_id: str, range_text: str) -> dict:
        """values.update (PUT ...?valueInputOption=RAW|USER_ENTERED)."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        body = call.json()
        option = call.arg("valueInputOption")
        plan = self._plan(
            spreadsheet, range_text, body.get("values"), option, body.get("majorDimension")
        )
        plan.apply()
        self._changed(spreadsheet_id)
        return plan.summary(spreadsheet_id)

    def _values_batch_update(self, call: Call, spreadsheet_id: str) -> dict:
        """values.batchUpdate: all ranges are checked before any is written."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        body = call.json()
        option = body.get("valueInputOption")
        _input_parser(option)
        plans = [
            self._plan(
                spreadsheet,
                item.get("range"),
                item.get("values"),
                option,
                item.get("majorDimension"),
            )
            for item in body.get("data") or []
        ]
        for plan in plans:
            plan.apply()
        self._changed(spreadsheet_id)
        return _batch_update_summary(spreadsheet_id, plans)

    def _values_clear(self, call: Call, spreadsheet_id: str, range_text: str) -> dict:
        """values.clear: {spreadsheetId, clearedRange}; a whole tab clears its full grid."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        cleared = self._clear(spreadsheet, range_text)
        self._changed(spreadsheet_id)
        return {"spreadsheetId": spreadsheet_id, "clearedRange": cleared}

    def _values_batch_clear(self, call: Call, spreadsheet_id: str) -> dict:
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        ranges = call.json().get("ranges") or []
        for text in ranges:
            self._target(spreadsheet, text)
        cleared = [self._clear(spreadsheet, text) for text in ranges]
        self._changed(spreadsheet_id)
        return {"spreadsheetId": spreadsheet_id, "clearedRanges": cleared}

    def _clear(self, spreadsheet: Spreadsheet, text: str) -> str:
        sheet, spec = self._target(spreadsheet, text)
        box = self._read_box(sheet, spec)
        sheet.cells = {key: cell for key, cell in sheet.cells.items() if not box.contains(*key)}
        return f"{quote_title(sheet.title)}!{box.a1()}"

    def _values_append(self, call: Call, spreadsheet_id: str, range_text: str) -> dict:
        """values.append: rows go below the table found in the range's columns; the grid
        grows as needed, as Google's append does."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        body = call.json()
        sheet, spec = self._target(spreadsheet, range_text)
        box = self._read_box(sheet, spec)
        right = box.right
        while any(c == right and r >= box.top for r, c in sheet.cells):
            right += 1  # the table runs on through adjacent filled columns
        taken = [(r, c) for (r, c) in sheet.cells if box.left <= c < right and r >= box.top]
        rows = _rows_of(body.get("values"), body.get("majorDimension"))
        top = max(r for r, _ in taken) + 1 if taken else box.top
        left = min(c for _, c in taken) if taken else box.left
        sheet.resize(max(sheet.rows, top + len(rows)), sheet.cols)
        plan = plan_cells(
            sheet, Box(top, left, top + 1, left + 1), rows, call.arg("valueInputOption"), False
        )
        plan.apply()
        self._changed(spreadsheet_id)
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if taken:
            table = Box(min(r for r, _ in taken), left, top, max(c for _, c in taken) + 1)
            out["tableRange"] = f"{quote_title(sheet.title)}!{table.a1()}"
        out["updates"] = plan.summary(spreadsheet_id)
        return out

    def _sheets_batch_update(self, call: Call, spreadsheet_id: str) -> dict:
        """spreadsheets.batchUpdate, applied atomically; requests are recorded for tests."""
        spreadsheet = self._spreadsheet(call, spreadsheet_id, write=True)
        body = call.json()
        requests_ = body.get("requests")
        if not requests_:
            raise sheets_error(400, "Must specify at least one request.")
        if not isinstance(requests_, list):
            raise sheets_error(400, "Invalid JSON payload received. 'requests' must be a list.")
        work = copy.deepcopy(spreadsheet)
        replies = Batch(work, self._rng).run(requests_)
        file = self.files[spreadsheet_id]
        file.spreadsheet = work
        self._recorded.setdefault(spreadsheet_id, []).extend(copy.deepcopy(requests_))
        self._changed(spreadsheet_id)
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = work.resource()
        return out

    # =====================================================================================
    # Drive v3
    # =====================================================================================

    def _file(
        self, call: Call, file_id: str, need: str | None = None, drive_param: bool = True
    ) -> DriveFile:
        """Drive answers 404 "File not found" for files the caller cannot see, and for
        shared-drive files unless supportsAllDrives=true; 403 for too weak a role."""
        file = self.files.get(file_id)
        role = self.role_of(file, call.who) if file else None
        hidden = (
            file is not None
            and file.drive_id
            and drive_param
            and not call.flag("supportsAllDrives")
        )
        if file is None or role is None or hidden:
            raise drive_reason_error(404, "notFound", file_id)
        if need and ROLE_RANK[role] < ROLE_RANK[need]:
            raise drive_reason_error(403, "insufficientFilePermissions")
        return file

    def _select(
        self,
        call: Call,
        resource: dict,
        default: str,
        allowed: frozenset,
        nested: str | None = None,
    ) -> dict:
        """Apply ?fields= (or Drive's default fields); unknown names are a 400, as in Drive."""
        text = call.arg("fields")
        try:
            tree = parse_fields(text or default)
        except ValueError:
            raise drive_error(
                400, f"Invalid field selection {text}", "invalidParameter", location="fields"
            ) from None
        self._check_fields(tree, allowed, nested)
        return apply_mask(resource, tree)

    @staticmethod
    def _check_fields(tree: dict, allowed: frozenset, nested: str | None) -> None:
        for name, sub in tree.items():
            known = name == "*" or name in allowed
            if known and name == nested and isinstance(sub, dict):
                known = all(key == "*" or key in FILE_FIELDS for key in sub)
            if not known:
                raise drive_error(
                    400, f"Invalid field selection {name}", "invalidParameter", location="fields"
                )

    def _permission_id(self, email: str) -> str:
        if email not in self._permission_ids:
            self._permission_ids[email] = str(self._rng.randrange(10**19, 10**20))
        return self._permission_ids[email]

    def _permission(
        self, kind: str, role: str, email: str | None = None, domain: str | None = None
    ) -> dict:
        """A Permission resource as permissions.list returns it with fields=permissions."""
        if kind == "anyone":
            permission = {"kind": "drive#permission", "id": "anyoneWithLink", "type": kind}
        elif kind == "domain":
            permission = {
                "kind": "drive#permission",
                "id": f"{domain}",
                "type": kind,
                "domain": domain,
            }
        else:
            permission = {
                "kind": "drive#permission",
                "id": self._permission_id(email or ""),
                "type": kind,
            }
            permission.update(emailAddress=email, displayName=(email or "").split("@")[0])
        permission.update(role=role, deleted=False, pendingOwner=False)
        if kind in ("anyone", "domain"):
            permission["allowFileDiscovery"] = False
        return permission

    def _permission_list(self, file: DriveFile) -> list[dict]:
        owners = [self._permission("user", "owner", email) for email in file.owners]
        return copy.deepcopy(owners + file.permissions)

    def _user(self, email: str, who: Identity) -> dict:
        return {
            "kind": "drive#user",
            "displayName": email.split("@")[0],
            "me": email == who.email,
            "permissionId": self._permission_id(email),
            "emailAddress": email,
        }

    def _file_resource(self, file: DriveFile, who: Identity) -> dict:
        """The full File resource (what fields=* returns, roughly)."""
        role = self.role_of(file, who)
        rank = ROLE_RANK.get(role or "", 0)
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": file.id,
            "name": file.name,
            "mimeType": file.mime_type,
        }
        if file.parents:
            out["parents"] = list(file.parents)
        out.update(
            starred=file.starred,
            trashed=file.trashed,
            createdTime=file.created,
            modifiedTime=file.modified,
        )
        if file.drive_id:
            out.update(driveId=file.drive_id, teamDriveId=file.drive_id)
        else:
            out["owners"] = [self._user(email, who) for email in file.owners]
            out["ownedByMe"] = who.email in file.owners
        out["shared"] = bool(file.permissions) or file.open_to_all
        if file.content is not None:
            out["size"] = str(len(file.content))
        out["webViewLink"] = _web_view_link(file)
        out["capabilities"] = {
            "canEdit": rank >= ROLE_RANK["writer"],
            "canShare": rank >= ROLE_RANK["writer"],
            "canCopy": file.mime_type != FOLDER_MIME,
            "canDownload": file.content is not None,
            "canDelete": rank >= ROLE_RANK["organizer"],
        }
        if file.drive_id is None:
            out["permissions"] = self._permission_list(file)
        return out

    def _file_reply(self, call: Call, file: DriveFile) -> dict:
        return self._select(
            call, self._file_resource(file, call.who), FILE_DEFAULT_FIELDS, FILE_FIELDS
        )

    # -- files.list --------------------------------------------------------------------

    def _files_list(self, call: Call) -> dict:
        """files.list: q, corpora, driveId, includeItemsFromAllDrives, orderBy, pageSize
        (1..1000, default 100), pageToken, fields.  Shared-drive items are listed only
        with includeItemsFromAllDrives=true, as Drive does."""
        page_size = self._page_size(call)
        try:
            predicate = DriveQuery(call.arg("q") or "").parse()
        except QueryError:
            raise drive_error(400, "Invalid Value", "invalid", location="q") from None
        scope = _QueryScope(self, call.who)
        matches = [file for file in self._listable(call) if predicate(file, scope)]
        matches = _order(matches, call.arg("orderBy"))
        key = _query_key(call)
        offset = self._page_offset(call.arg("pageToken"), key)
        page = matches[offset : offset + page_size]
        out: dict[str, Any] = {"kind": "drive#fileList"}
        if offset + page_size < len(matches):
            out["nextPageToken"] = _page_token(offset + page_size, key)
        out["incompleteSearch"] = False
        out["files"] = [self._file_resource(file, call.who) for file in page]
        return self._select(call, out, LIST_DEFAULT_FIELDS, LIST_FIELDS, nested="files")

    def _page_size(self, call: Call) -> int:
        raw = call.arg("pageSize", "100") or "100"
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            message = f"Invalid value '{raw}'. Values must be within the range: [1, 1000]"
            raise drive_error(400, message, "invalid", location="pageSize")
        return int(raw)

    @staticmethod
    def _page_offset(token: str | None, key: str) -> int:
        if not token:
            return 0
        try:
            offset, token_key = json.loads(base64.urlsafe_b64decode(token.encode()))
        except (ValueError, TypeError):
            offset, token_key = -1, None
        if token_key != key or not isinstance(offset, int) or offset < 0:
            raise drive_error(400, "Invalid Value", "invalid", location="pageToken")
        return offset

    def _listable(self, call: Call) -> list[DriveFile]:
        corpora = call.arg("corpora") or "user"
        drive_id = call.arg("driveId")
        all_drives = call.flag("includeItemsFromAllDrives")
        if corpora in ("drive", "allDrives") and not (
            all_drives and call.flag("supportsAllDrives")
        ):
            message = f"corpora={corpora} needs includeItemsFromAllDrives and supportsAllDrives."
            raise drive_error(400, message, "invalid", location="includeItemsFromAllDrives")
        if corpora == "drive":
            drive = self.drives.get(drive_id or "")
            if drive is None or call.who.email not in drive.members:
                raise drive_error(
                    404, f"Shared drive not found: {drive_id}", "notFound", location="driveId"
                )
        visible = []
        for file in self.files.values():
            if self.role_of(file, call.who) is None:
                continue
            if file.drive_id and not all_drives:
                continue
            if corpora == "drive" and file.drive_id != drive_id:
                continue
            visible.append(file)
        return visible

    # -- single files ------------------------------------------------------------------

    def _files_get(self, call: Call, file_id: str) -> Any:
        """files.get; alt=media downloads a binary file (Google-native files refuse)."""
        file = self._file(call, file_id)
        if call.arg("alt") == "media":
            if file.content is None:
                message = (
                    "Only files with binary content can be downloaded. "
                    "Use Export with Docs Editors files."
                )
                raise drive_error(403, message, "fileNotDownloadable", location="alt")
            return Reply(200, file.content, file.mime_type)
        return self._file_reply(call, file)

    def _dest_parents(self, call: Call, parents: Any) -> list[str]:
        """Check the parents a new file would go to: one folder (or shared drive) the
        caller may write to."""
        if not parents:
            return []
        if not isinstance(parents, list) or len(parents) > 1:
            raise drive_error(
                403, "Increasing the number of parents is not allowed.", "cannotAddParent"
            )
        parent = parents[0]
        drive = self.drives.get(parent)
        if drive is not None:
            if call.who.email not in drive.members or not call.flag("supportsAllDrives"):
                raise drive_reason_error(404, "notFound", parent)
            if ROLE_RANK[drive.members[call.who.email]] < ROLE_RANK["writer"]:
                raise drive_error(
                    403,
                    "Insufficient permissions for the specified parent.",
                    "insufficientParentPermissions",
                )
            return [parent]
        folder = self._file(call, parent)
        if folder.mime_type != FOLDER_MIME:
            raise drive_error(
                400, "The specified parent is not a folder.", "badRequest", location="parents"
            )
        if ROLE_RANK[self.role_of(folder, call.who) or "reader"] < ROLE_RANK["writer"]:
            raise drive_error(
                403,
                "Insufficient permissions for the specified parent.",
                "insufficientParentPermissions",
            )
        return [parent]

    def _check_storage(self, call: Call, parents: list[str]) -> None:
        """Service accounts have no Drive storage: new owned files outside a shared drive
        fail with 403 storageQuotaExceeded, as Google now answers."""
        if call.who.kind == "service_account" and self._drive_of(parents) is None:
            raise drive_reason_error(403, "storageQuotaExceeded")

    def _files_create(self, call: Call) -> dict:
        """files.create (metadata only): a spreadsheet, a folder or an empty file."""
        meta = call.json()
        parents = self._dest_parents(call, meta.get("parents"))
        mime = meta.get("mimeType") or "application/octet-stream"
        default_name = "Untitled spreadsheet" if mime == SPREADSHEET_MIME else "Untitled"
        file = self._new_file(meta.get("name") or default_name, mime, parents, call.who.email)
        if mime not in (SPREADSHEET_MIME, FOLDER_MIME):
            file.content = b""
        file.starred = bool(meta.get("starred"))
        return self._file_reply(call, file)

    def _files_update(self, call: Call, file_id: str) -> dict:
        """files.update (PATCH): name, trashed, starred; addParents/removeParents."""
        file = self._file(call, file_id, need="writer")
        meta = call.json()
        if "name" in meta:
            file.name = meta["name"]
        file.trashed = bool(meta.get("trashed", file.trashed))
        file.starred = bool(meta.get("starred", file.starred))
        removed = [p for p in (call.arg("removeParents") or "").split(",") if p]
        added = self._dest_parents(
            call, [p for p in (call.arg("addParents") or "").split(",") if p]
        )
        file.parents = [p for p in file.parents if p not in removed] + added
        file.modified = self._stamp()
        return self._file_reply(call, file)

    def _files_delete(self, call: Call, file_id: str) -> Reply:
        """files.delete: owners (or shared-drive organizers) only; 204 No Content.
        Deleting a folder deletes what only it contains."""
        file = self._file(call, file_id, need="organizer")
        self._delete_tree(file.id)
        return Reply(204, None, "text/html")

    def _delete_tree(self, file_id: str) -> None:
        self.files.pop(file_id, None)
        self._recorded.pop(file_id, None)
        for child in [f for f in self.files.values() if file_id in f.parents]:
            child.parents.remove(file_id)
            if not child.parents:
                self._delete_tree(child.id)

    def _files_copy(self, call: Call, file_id: str) -> dict:
        """files.copy: name defaults to "Copy of <name>"; without parents the copy goes
        where the source is (if the caller may write there); content is copied."""
        source = self._file(call, file_id)
        if source.mime_type == FOLDER_MIME:
            raise drive_error(403, "This file cannot be copied by the user.", "cannotCopyFile")
        meta = call.json()
        if meta.get("mimeType") not in (None, source.mime_type):
            raise unsupported("drive", "conversion on copy")
        if meta.get("parents"):
            parents = self._dest_parents(call, meta["parents"])
        else:
            parents = [p for p in source.parents if self._writable_parent(call.who, p)][:1]
        self._check_storage(call, parents)
        file = self._new_file(
            meta.get("name") or f"Copy of {source.name}", source.mime_type, parents, call.who.email
        )
        if source.spreadsheet is not None:
            file.spreadsheet = copy.deepcopy(source.spreadsheet)
            file.spreadsheet.id = file.id
            file.spreadsheet.title = file._name
        file.content = source.content
        return self._file_reply(call, file)

    def _writable_parent(self, who: Identity, parent: str) -> bool:
        drive = self.drives.get(parent)
        if drive is not None:
            return ROLE_RANK.get(drive.members.get(who.email, ""), 0) >= ROLE_RANK["writer"]
        folder = self.files.get(parent)
        return (
            folder is not None
            and ROLE_RANK.get(self.role_of(folder, who) or "", 0) >= ROLE_RANK["writer"]
        )

    # -- permissions -------------------------------------------------------------------

    def _permissions_list(self, call: Call, file_id: str) -> dict:
        file = self._file(call, file_id)
        out = {"kind": "drive#permissionList", "permissions": self._permission_list(file)}
        text = call.arg("fields")
        default = {"kind": True, "permissions": parse_fields("kind,id,type,role")}
        return apply_mask(out, parse_fields(text) if text else default)

    def _permissions_create(self, call: Call, file_id: str) -> dict:
        """permissions.create: {type, role, emailAddress|domain}; writers may share.
        Sharing with a user or group e-mails them unless sendNotificationEmail=false."""
        file = self._file(call, file_id, need="writer")
        body = call.json()
        kind, role = body.get("type"), body.get("role")
        self._check_permission_body(call, kind, role, body)
        email = body.get("emailAddress")
        permission = self._permission(kind, role, email, body.get("domain"))
        file.permissions = [p for p in file.permissions if p["id"] != permission["id"]] + [
            permission
        ]
        if (
            kind in ("user", "group")
            and call.arg("sendNotificationEmail", "true").lower() != "false"
        ):
            self.notifications.append(
                {"fileId": file_id, "to": email, "message": call.arg("emailMessage")}
            )
        text = call.arg("fields")
        return apply_mask(permission, parse_fields(text or "kind,id,type,role"))

    def _check_permission_body(self, call: Call, kind: Any, role: Any, body: dict) -> None:
        if kind not in PERMISSION_TYPES:
            raise drive_error(
                400,
                "The permission type field is required.",
                "required",
                location="permission.type",
            )
        if role not in ROLE_RANK:
            raise drive_error(
                400,
                "The permission role field is required.",
                "required",
                location="permission.role",
            )
        if kind in ("user", "group") and not body.get("emailAddress"):
            message = "The permission emailAddress field is required."
            raise drive_error(400, message, "required", location="permission.emailAddress")
        if kind == "domain" and not body.get("domain"):
            raise drive_error(
                400,
                "The permission domain field is required.",
                "required",
                location="permission.domain",
            )
        if role == "owner" and not call.flag("transferOwnership"):
            message = (
                "The transferOwnership parameter must be enabled "
                "when the permission role is 'owner'."
            )
            raise drive_error(403, message, "forbidden", location="transferOwnership")

    def _permissions_delete(self, call: Call, file_id: str, permission_id: str) -> Reply:
        file = self._file(call, file_id, need="writer")
        kept = [p for p in file.permissions if p["id"] != permission_id]
        if len(kept) == len(file.permissions):
            message = f"Permission not found: {permission_id}."
            raise drive_error(404, message, "notFound", location="permissionId")
        file.permissions = kept
        return Reply(204, None, "text/html")

    # -- comments, uploads, drives, about -----------------------------------------------

    @staticmethod
    def _require_fields(call: Call) -> str:
        """Some Drive methods (comments, about) refuse to run without ?fields=."""
        text = call.arg("fields")
        if not text:
            message = "The 'fields' parameter is required for this method."
            raise drive_error(400, message, "required", location="fields")
        return text

    def _comments_list(self, call: Call, file_id: str) -> dict:
        fields = self._require_fields(call)
        file = self._file(call, file_id, drive_param=False)
        out = {"kind": "drive#commentList", "comments": copy.deepcopy(file.comments)}
        return apply_mask(out, parse_fields(fields))

    def _comments_create(self, call: Call, file_id: str) -> dict:
        fields = self._require_fields(call)
        file = self._file(call, file_id, need="commenter", drive_param=False)
        body = call.json()
        stamp = self._stamp()
        comment = {
            "kind": "drive#comment",
            "id": self._random_id(12),
            "createdTime": stamp,
            "modifiedTime": stamp,
            "author": {
                "kind": "drive#user",
                "displayName": call.who.email.split("@")[0],
                "me": True,
            },
            "content": body.get("content", ""),
            "deleted": False,
            "resolved": False,
        }
        if "anchor" in body:
            comment["anchor"] = body["anchor"]
        file.comments.append(comment)
        return apply_mask(comment, parse_fields(fields))

    def _upload_create(self, call: Call) -> dict:
        """files.create with media: uploadType=media (bytes only) or multipart
        (JSON metadata + bytes).  Conversion to Google formats is not implemented."""
        meta, data = self._upload_parts(call)
        mime = meta.get("mimeType") or call.headers.get("content-type", "application/octet-stream")
        if mime.startswith("multipart/"):
            mime = "application/octet-stream"
        if mime in (SPREADSHEET_MIME, FOLDER_MIME):
            raise unsupported("drive", "uploads converted to Google formats")
        parents = self._dest_parents(call, meta.get("parents"))
        self._check_storage(call, parents)
        file = self._new_file(meta.get("name") or "Untitled", mime, parents, call.who.email)
        file.content = data
        return self._file_reply(call, file)

    def _upload_update(self, call: Call, file_id: str) -> dict:
        """files.update with media: replace a binary file's bytes (and name, if given)."""
        file = self._file(call, file_id, need="writer")
        meta, data = self._upload_parts(call)
        if file.content is None:
            raise unsupported("drive", "uploading bytes into a Google-native file")
        file.content = data
        if meta.get("name"):
            file.name = meta["name"]
        file.modified = self._stamp()
        return self._file_reply(call, file)

    @staticmethod
    def _upload_parts(call: Call) -> tuple[dict, bytes]:
        kind = call.arg("uploadType")
        if kind == "media":
            return {}, call.body
        if kind != "multipart":
            raise unsupported("drive", f"uploadType={kind}")
        boundary = re.search(r'boundary="?([^";]+)"?', call.headers.get("content-type", ""))
        if not boundary:
            raise drive_error(400, "Missing multipart boundary.", "badContent")
        parts = call.body.split(b"--" + boundary.group(1).encode())[1:-1]
        payloads = [
            part.removeprefix(b"\r\n").partition(b"\r\n\r\n")[2].removesuffix(b"\r\n")
            for part in parts
        ]
        if len(payloads) != 2:
            raise drive_error(400, "Multipart upload needs metadata and media parts.", "badContent")
        try:
            return json.loads(payloads[0] or b"{}"), payloads[1]
        except ValueError:
            raise drive_error(400, "Invalid JSON metadata part.", "parseError") from None

    def _drives_list(self, call: Call) -> dict:
        drives = [
            {"kind": "drive#drive", "id": drive.id, "name": drive.name}
            for drive in self.drives.values()
            if call.who.email in drive.members
        ]
        out = {"kind": "drive#driveList", "drives": drives}
        text = call.arg("fields")
        return apply_mask(out, parse_fields(text)) if text else out

    def _about_get(self, call: Call) -> dict:
        fields = self._require_fields(call)
        user = self._user(call.who.email, call.who)
        return apply_mask({"kind": "drive#about", "user": user}, parse_fields(fields))


def _seed_rows(
    sheet: Sheet, top: int, left: int, rows: list[list], parse: Callable[[Any], Cell | None]
) -> None:
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(top + i, left + j, parse(value))


def _as_stamp(value: str | dt.datetime) -> str:
    return rfc3339(value) if isinstance(value, dt.datetime) else rfc3339(parse_rfc3339(value))


def _permission_applies(permission: dict, email: str) -> bool:
    kind = permission["type"]
    if kind == "anyone":
        return True
    if kind == "domain":
        return email.lower().endswith("@" + permission.get("domain", "").lower())
    return permission.get("emailAddress", "").lower() == email.lower()


def _web_view_link(file: DriveFile) -> str:
    if file.mime_type == SPREADSHEET_MIME:
        return f"https://docs.google.com/spreadsheets/d/{file.id}/edit?usp=drivesdk"
    if file.mime_type == FOLDER_MIME:
        return f"https://drive.google.com/drive/folders/{file.id}"
    return f"https://drive.google.com/file/d/{file.id}/view?usp=drivesdk"


def _order(files: list[DriveFile], order_by: str | None) -> list[DriveFile]:
    """orderBy: comma-separated name|modifiedTime|createdTime|folder, each optionally desc."""
    keys = {
        "name": lambda f: f.name.casefold(),
        "name_natural": lambda f: f.name.casefold(),
        "modifiedTime": lambda f: f.modified,
        "createdTime": lambda f: f.created,
        "folder": lambda f: f.mime_type != FOLDER_MIME,
    }
    for term in reversed([t.strip() for t in (order_by or "").split(",") if t.strip()]):
        name, _, direction = term.partition(" ")
        if name not in keys:
            raise drive_error(400, "Invalid Value", "invalid", location="orderBy")
        files = sorted(files, key=keys[name], reverse=direction.strip().lower() == "desc")
    return files


def _query_key(call: Call) -> str:
    """What a page token is tied to: the listing's query, not the page position."""
    names = ("q", "orderBy", "corpora", "driveId", "includeItemsFromAllDrives", "fields")
    stable = [(name, call.args(name)) for name in names]
    return hashlib.sha1(repr(stable).encode()).hexdigest()[:12]


def _page_token(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([offset, key]).encode()).decode()


def _batch_update_summary(spreadsheet_id: str, plans: list[PlannedWrite]) -> dict:
    """BatchUpdateValuesResponse: totals count distinct rows, columns and sheets."""
    rows = {(plan.sheet.sheet_id, row) for plan in plans for row, _ in plan.cells}
    cols = {(plan.sheet.sheet_id, col) for plan in plans for _, col in plan.cells}
    sheets = {plan.sheet.sheet_id for plan in plans if plan.cells}
    out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
    totals = {
        "totalUpdatedRows": len(rows),
        "totalUpdatedColumns": len(cols),
        "totalUpdatedCells": sum(len(plan.cells) for plan in plans),
        "totalUpdatedSheets": len(sheets),
    }
    out.update({key: value for key, value in totals.items() if value})
    if plans:
        out["responses"] = [plan.summary(spreadsheet_id) for plan in plans]
    return out


# ---------------------------------------------------------------------------
# HTTP server
# ---------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into FakeGoogle.handle() calls."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024  # headers and body leave in one segment (no delayed-ACK stall)
    server: _Server

    def version_string(self) -> str:
        return "ESF"  # Google's front end

    def log_message(self, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while (size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str) -> None:
        body = self._read_body()
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = {key.lower(): value for key, value in self.headers.items()}
        response = self.server.fake.handle(method, parts.path, query, headers, body)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGoogle):
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def serve(fake: FakeGoogle) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1 (ephemeral port); yields the base URL, e.g.
    ``http://127.0.0.1:41234``, which stands for both Google hosts."""
    server = _Server(fake)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=5)


class RedirectSession(requests.Session):
    """A requests.Session that sends Google API calls to the fake.

    It rewrites ``https://sheets.googleapis.com`` and ``https://www.googleapis.com`` to
    ``base_url``, sends ``Authorization: Bearer <token>`` and gives every request a
    timeout (gspread passes ``timeout=None``), so no test can hang.
    """

    def __init__(self, base_url: str, token: str | None = USER_TOKEN, timeout: float = 10.0):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def redirect(self, url: str) -> str:
        for origin in GOOGLE_BASE_URLS:
            if url.startswith(origin):
                return self.base_url + url[len(origin) :]
        return url

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if isinstance(url, str):
            url = self.redirect(url)
        return super().request(method, url, *args, **kwargs)


@dataclass
class FakeGoogleService:
    """What the ``fake_google`` fixture yields: the fake and where it is served."""

    fake: FakeGoogle
    base_url: str

    def session(self, token: str | None = USER_TOKEN) -> RedirectSession:
        return RedirectSession(self.base_url, token)

    def client(self, token: str | None = USER_TOKEN) -> Any:
        """A gspread.Client talking to the fake through its real HTTP path."""
        import gspread

        return gspread.Client(None, session=self.session(token))


@pytest.fixture
def fake_google() -> Iterator[FakeGoogleService]:
    """A fresh FakeGoogle served on 127.0.0.1 for one test, shut down at teardown."""
    fake = FakeGoogle()
    with serve(fake) as base_url:
        yield FakeGoogleService(fake, base_url)
