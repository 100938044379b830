"""The one Google client: every Sheets and Drive request sheetsync makes, for reads, writes
and Drive alike, goes through ``GoogleClient``, and every failure comes back as one
``GoogleError`` (see ``errors``).

The client speaks the REST APIs directly (Sheets v4, Drive v3) over a ``requests`` session:
sheetsync's ``GoogleSession`` (retries, quota, timeouts; see ``session``), or any session a
test points at a local server. ``GoogleClient.of(http)`` accepts either, so library
functions take "a client or a session" as their transport.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import requests

from sheetsync.google.constants import (
    DRIVE_ABOUT_URL,
    DRIVE_FILES_URL,
    NO_CREDENTIALS,
    SHEETS_API,
)
from sheetsync.google.errors import (
    GoogleError,
    GoogleSetupError,
    answer_error,
    no_answer_error,
)
from sheetsync.google.session import GoogleSession

log = logging.getLogger("sheetsync.google")

ALL_DRIVES = {"supportsAllDrives": "true"}
VALUE_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}
UNKNOWN_IDENTITY = "the Google account sheetsync uses (see `sheetsync auth check`)"


def identity(credentials: Any) -> str | None:
    """The e-mail address of the credentials, when they carry it: a service account's, or
    the account saved with an OAuth token. ``None`` when only Google can say (see
    ``GoogleClient.identity``, which then asks Drive once)."""
    email = getattr(credentials, "service_account_email", None)
    if email:
        return str(email)
    account = getattr(credentials, "account", None)
    return str(account) if account else None


class GoogleClient:
    """A transport (``session``), who is asking (for messages that say whom to share a
    sheet with), and the Sheets and Drive requests sheetsync makes. ``calls`` counts the
    requests asked of this client (``requests_made``: those the session sent, retries
    included)."""

    page_size = 1000  # files per Drive listing page; Drive allows at most 1,000

    def __init__(self, session: Any, email: str | None = None,
                 school_year: str | None = None, description: str = "") -> None:
        self.session = session
        self.school_year = school_year
        self.description = description  # where the credentials came from, for messages
        self.calls = 0
        self._email = email

    @classmethod
    def from_credentials(cls, credentials: Any, base_url: str | None = None,
                         email: str | None = None, school_year: str | None = None,
                         description: str = "", **session_options: Any) -> GoogleClient:
        """A client for ``credentials`` (any google-auth credentials) sending to
        ``base_url`` (``None``: Google). ``session_options`` go to ``GoogleSession``."""
        session = GoogleSession(credentials, base_url, **session_options)
        return cls(session, email, school_year, description)

    @classmethod
    def of(cls, http: Any) -> GoogleClient:
        """The client for a transport: a ``GoogleClient`` itself, or a ``requests``
        session (sheetsync's ``GoogleSession``, a test's session to a local fake)."""
        if isinstance(http, GoogleClient):
            return http
        if http is None:
            raise GoogleSetupError(NO_CREDENTIALS)
        if not hasattr(http, "request"):  # a gspread Client: its HTTP client's session
            http = http.http_client.session
        return cls(http)

    def __repr__(self) -> str:
        return f"<GoogleClient {self.description or self.kind} via {self.base_url}>"

    @property
    def credentials(self) -> Any:
        return getattr(self.session, "credentials", None)

    @property
    def base_url(self) -> str:
        return getattr(self.session, "base_url", None) or "Google"

    @property
    def requests_made(self) -> int:
        return int(getattr(self.session, "requests_made", self.calls))

    @property
    def attempts(self) -> int:
        """How many times the session sends a request before giving up."""
        return int(getattr(self.session, "attempts", 1))

    @property
    def kind(self) -> str:
        return "service account" if hasattr(self.credentials, "service_account_email") \
            else "user"

    @property
    def identity(self) -> str:
        """The e-mail address Google knows these credentials as (asks Drive at most once,
        and only when the credentials do not say)."""
        if self._email is None:
            self._email = identity(self.credentials) or self._about_email()
        return self._email

    def _about_email(self) -> str:
        try:
            answer = self.call("GET", DRIVE_ABOUT_URL, "asking Drive who this is",
                               params={"fields": "user(emailAddress)"})
            return str(answer["user"]["emailAddress"])
        except (GoogleError, KeyError, TypeError) as exc:  # a message must not fail for it
            log.info("could not ask Drive who these credentials are: %s", type(exc).__name__)
            return UNKNOWN_IDENTITY

    # -- every request ---------------------------------------------------------------------

    def request(self, method: str, url: str, what: str, *,
                params: Mapping[str, Any] | None = None, json: Any = None,
                stream: bool = False) -> requests.Response:
        """Send one request; the answer when it succeeded, else ``GoogleError``."""
        from google.auth import exceptions as auth_errors

        self.calls += 1
        try:
            response = self.session.request(method, url, params=params, json=json,
                                            stream=stream)
        except (requests.RequestException, auth_errors.TransportError,
                auth_errors.RefreshError) as exc:
            raise no_answer_error(exc, what, method) from None
        error = answer_error(response, what, method)
        if error is not None:
            response.close()
            raise error
        return response

    def call(self, method: str, url: str, what: str, *,
             params: Mapping[str, Any] | None = None, json: Any = None) -> dict[str, Any]:
        """Send one request; its JSON answer (``{}`` for none), else ``GoogleError``."""
        response = self.request(method, url, what, params=params, json=json)
        return response.json() if response.content else {}

    # -- Drive -------------------------------------------------------------------------

    def list_files(self, query: str, fields: str, *, corpora: str | None = None,
                   what: str = "listing Drive files") -> Iterator[dict[str, Any]]:
        """Every file ``query`` matches, a page of ``page_size`` per request."""
        params: dict[str, Any] = {"q": query, "fields": f"nextPageToken,files({fields})",
                                  "pageSize": self.page_size, **ALL_DRIVES,
                                  "includeItemsFromAllDrives": "true"}
        if corpora:
            params["corpora"] = corpora
        while True:
            page = self.call("GET", DRIVE_FILES_URL, what, params=params)
            yield from page.get("files", [])
            token = page.get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token

    def file(self, file_id: str, fields: str) -> dict[str, Any]:
        """One file's Drive metadata (404 when it is missing or not shared)."""
        return self.call("GET", f"{DRIVE_FILES_URL}/{file_id}", "looking up a Drive file",
                         params={"fields": fields, **ALL_DRIVES})

    def download(self, file_id: str, dest: Path, max_bytes: int) -> int:
        """Save a binary Drive file's bytes to ``dest``; only ever reads the file."""
        response = self.request("GET", f"{DRIVE_FILES_URL}/{file_id}", "downloading a file",
                                params={"alt": "media", **ALL_DRIVES}, stream=True)
        with response:
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

    def create_file(self, name: str, mime_type: str, parents: list[str], what: str) -> str:
        """A new (empty) Drive file of ``mime_type`` in ``parents``; its id."""
        made = self.call("POST", DRIVE_FILES_URL, what, params={**ALL_DRIVES, "fields": "id"},
                         json={"name": name, "mimeType": mime_type, "parents": parents})
        return str(made["id"])

    def copy_file(self, file_id: str, name: str, parents: list[str], what: str) -> str:
        """A copy of ``file_id`` named ``name`` in ``parents``; the copy's id."""
        made = self.call("POST", f"{DRIVE_FILES_URL}/{file_id}/copy", what,
                         params={**ALL_DRIVES, "fields": "id"},
                         json={"name": name, "parents": parents})
        return str(made["id"])

    def trash(self, file_id: str, what: str) -> None:
        self.call("PATCH", f"{DRIVE_FILES_URL}/{file_id}", what, params=ALL_DRIVES,
                  json={"trashed": True})

    def permissions(self, file_id: str, what: str) -> list[dict[str, Any]]:
        """Who may open ``file_id``: each permission's id, type, role and e-mail address."""
        listed = self.call("GET", f"{DRIVE_FILES_URL}/{file_id}/permissions", what,
                           params={**ALL_DRIVES,
                                   "fields": "permissions(id,type,role,emailAddress)"})
        return list(listed.get("permissions", []))

    def share(self, file_id: str, email: str, role: str, what: str, *,
              notify: bool = True, message: str | None = None) -> None:
        """Give ``email`` the ``role`` on ``file_id`` (Drive e-mails them when ``notify``)."""
        params = {**ALL_DRIVES, "sendNotificationEmail": str(notify).lower(), "fields": "id"}
        if notify and message:
            params["emailMessage"] = message
        self.call("POST", f"{DRIVE_FILES_URL}/{file_id}/permissions", what, params=params,
                  json={"type": "user", "role": role, "emailAddress": email})

    # -- Sheets ------------------------------------------------------------------------

    def batch_get(self, key: str, ranges: list[str]) -> list[list[list[Any]]]:
        """The values of ``ranges`` in one request: unformatted, dates as serial numbers."""
        answer = self.call("GET", f"{SHEETS_API}/{key}/values:batchGet", "reading the sheet",
                           params={**VALUE_PARAMS, "ranges": ranges})
        return [vr.get("values", []) for vr in answer.get("valueRanges", [])]

    def cells(self, key: str, ranges: list[str], fields: str) -> list[dict[str, Any]]:
        """The ``sheets`` of one ``spreadsheets.get`` for ``ranges``: each tab's properties
        and grid data (one GridData per range), as much as ``fields`` asks for, sent
        without indentation (``prettyPrint=false``: grid data is bulky)."""
        answer = self.call("GET", f"{SHEETS_API}/{key}", "reading the sheet",
                           params={"ranges": ranges, "fields": fields, "prettyPrint": "false"})
        return list(answer.get("sheets", []))

    def spreadsheet(self, key: str, fields: str, what: str) -> dict[str, Any]:
        """The spreadsheet's metadata, as much as ``fields`` asks for."""
        return self.call("GET", f"{SHEETS_API}/{key}", what, params={"fields": fields})

    def sheet_titles(self, key: str) -> list[str]:
        answer = self.spreadsheet(key, "sheets.properties.title", "listing the sheet's tabs")
        return [s["properties"]["title"] for s in answer.get("sheets", [])]

    def create_spreadsheet(self, title: str, what: str) -> str:
        """A new spreadsheet in the caller's own Drive; its key."""
        made = self.call("POST", SHEETS_API, what, json={"properties": {"title": title}})
        return str(made["spreadsheetId"])

    def batch_update(self, key: str, body: Mapping[str, Any], what: str,
                     fields: str | None = None) -> dict[str, Any]:
        """One ``:batchUpdate`` (applied by Google all or nothing)."""
        return self.call("POST", f"{SHEETS_API}/{key}:batchUpdate", what, json=dict(body),
                         params={"fields": fields} if fields else None)

    def write_values(self, key: str, data: list[dict[str, Any]], what: str,
                     input_option: str = "RAW") -> dict[str, Any]:
        """One ``values:batchUpdate``: ``RAW`` keeps text as text; ``USER_ENTERED`` reads it
        as typed (formulas, numbers)."""
        return self.call("POST", f"{SHEETS_API}/{key}/values:batchUpdate", what,
                         json={"valueInputOption": input_option, "data": data},
                         params={"fields": "totalUpdatedCells"})
