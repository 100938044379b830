"""District scorecards kept in Google: a Google Sheet, or an .xlsx stored in Drive.

What a pull costs, in requests:

- ``GoogleSource.prefetch`` lists, with one Drive ``files.list`` per 1,000 files, every
  spreadsheet the credentials can see with its ``modifiedTime``; that is each source's
  fingerprint, so an unchanged sheet costs nothing more. A source missing from the
  listing (shared by link only, say) costs one ``files.get`` to tell "not listed" from
  "not shared".
- A changed Google Sheet costs one ``spreadsheets.get`` for all the template's tabs (one
  range each) with a field mask asking for each cell's computed value (dates as serial
  numbers, so values are exact), its number format's type and its formula, and nothing
  else (see ``grid``): the reader gets what an .xlsx of the sheet would give it, a number
  shown as a percentage (58% typed is 0.58) read as the points it shows, a date-formatted
  number as a date. If a tab is missing or renamed, Google refuses the
  whole request; then one metadata request finds the tabs that exist (matched ignoring
  case and spacing) and one more ``spreadsheets.get`` reads them, and the reader reports
  what is missing as a finding.
- A changed Drive .xlsx is downloaded to a temporary file, read like a local workbook and
  the file deleted; the Drive file is only ever read.

Failures become ``SourceUnavailable`` with a reason a facilitator can act on: a sheet not
shared names the address to share it with; rate limits and outages, after the session's
bounded retries, are marked transient.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sheetsync.errors import SourceUnavailable, WorkbookUnreadable
from sheetsync.google.address import SHEET, is_google, parse_address
from sheetsync.google.client import GoogleClient
from sheetsync.google.constants import (
    NO_CREDENTIALS,
    NOT_AN_ADDRESS,
    SHEET_MIME,
    TRANSIENT,
    WORKBOOK_MIMES,
)
from sheetsync.google.errors import GoogleError, GoogleSetupError
from sheetsync.read.fingerprint import Fingerprint
from sheetsync.read.google_grid import CELL_FIELDS, SheetCells, sheet_cells
from sheetsync.read.source import WorkbookRows, open_workbook, rows_from_grids
from sheetsync.schema.cells import quoted
from sheetsync.schema.layout import SheetLayout, norm
from sheetsync.schema.sheets import scorecard_layout

PROFILE_RANGE = scorecard_layout().sheet("profile").form_range  # "A1:B40"
MAX_DOWNLOAD = 64 * 2**20
FILE_FIELDS = "id,name,mimeType,modifiedTime,md5Checksum,trashed"


def parse_source(source: str) -> tuple[str, str]:
    """(kind, id) of a Sheets URL, ``gsheet:KEY``, a bare key or a Drive file URL."""
    found = parse_address(source)
    if found is not None:
        return found
    raise SourceUnavailable(source, NOT_AN_ADDRESS)


def google_source(source: str, google: GoogleClient | None) -> GoogleSource:
    """The source a cohort's Google ``source`` names; ``google`` is the client to use."""
    kind, key = parse_source(source)
    if google is None:
        raise SourceUnavailable(source, NO_CREDENTIALS)
    return GoogleSource(source, key, kind, google)


class GoogleSource:
    """One district's Google Sheet or Drive-hosted workbook."""

    def __init__(self, label: str, key: str, kind: str, client: GoogleClient) -> None:
        self.label = label
        self.key = key
        self.kind = kind
        self.client = client
        self._meta: dict[str, Any] | SourceUnavailable | None = None

    def __repr__(self) -> str:
        return f"<GoogleSource {self.kind} {self.key}>"

    # -- is it changed? ----------------------------------------------------------------

    @classmethod
    def prefetch(cls, group: Iterable[GoogleSource]) -> None:
        """Learn every source's Drive metadata with one listing per client (one request
        per 1,000 files), and one ``files.get`` for each source the listing lacks."""
        by_client: dict[int, list[GoogleSource]] = {}
        for s in group:
            by_client.setdefault(id(s.client), []).append(s)
        for sources in by_client.values():
            client = sources[0].client
            mimes = [SHEET_MIME]
            if any(s.kind != SHEET for s in sources):
                mimes += list(WORKBOOK_MIMES)
            kinds = " or ".join(f"mimeType='{m}'" for m in mimes)
            query = f"({kinds}) and trashed=false" if len(mimes) > 1 else \
                f"{kinds} and trashed=false"
            fields = "id,name,mimeType,modifiedTime" + (",md5Checksum" if len(mimes) > 1 else "")
            try:
                listed = {f["id"]: f for f in client.list_files(query, fields)}
            except Exception as exc:
                failure = _unavailable(exc, sources[0], listing=True)
                for s in sources:
                    s._meta = SourceUnavailable(s.label, failure.reason, failure.transient)
                continue
            for s in sources:
                s._meta = listed.get(s.key) or s._lookup()

    def _lookup(self) -> dict[str, Any] | SourceUnavailable:
        try:
            meta = self.client.file(self.key, FILE_FIELDS)
        except Exception as exc:
            return _unavailable(exc, self, drive=True)
        if meta.get("trashed"):
            return SourceUnavailable(self.label, f"the file \"{meta.get('name')}\" is in the "
                                     "Google Drive trash; restore it or update cohort.toml")
        return meta

    def _metadata(self) -> dict[str, Any]:
        if self._meta is None:
            type(self).prefetch([self])
        if isinstance(self._meta, SourceUnavailable):
            raise self._meta
        assert self._meta is not None
        return self._meta

    def fingerprint(self) -> Fingerprint:
        meta = self._metadata()
        mime = meta.get("mimeType", SHEET_MIME)
        if mime != SHEET_MIME and mime not in WORKBOOK_MIMES:
            raise SourceUnavailable(self.label, f"\"{meta.get('name')}\" is a {mime} file, not "
                                    "a spreadsheet; check the URL in cohort.toml")
        stamp = str(meta["modifiedTime"])
        return Fingerprint(token=stamp, modified=_local_time(stamp))

    def same_content(self, previous_hash: str | None) -> tuple[bool, str | None]:
        """Google Sheets give no content hash: the modified time decides. A Drive .xlsx
        has Drive's MD5, so a file saved again unchanged is not read again."""
        md5 = self._metadata().get("md5Checksum")
        digest = f"md5:{md5}" if md5 else None
        return digest is not None and digest == previous_hash, digest

    # -- reading -----------------------------------------------------------------------

    def read(self) -> WorkbookRows:
        meta = self._metadata()
        if meta.get("mimeType", SHEET_MIME) in WORKBOOK_MIMES:
            return self._download(WORKBOOK_MIMES[meta["mimeType"]])
        return self._read_sheet()

    def _read_sheet(self) -> WorkbookRows:
        year = self.client.school_year
        layout = scorecard_layout(year) if year else scorecard_layout()  # same tabs every year
        tabs = {s.name: s for s in layout.sheets}
        try:
            cells = self._cells(tabs)
        except GoogleError as exc:
            if exc.status == 400 and "Unable to parse range" in exc.message:
                cells = self._read_existing_tabs(layout.sheets)
            elif exc.status == 400 and "not supported for this document" in exc.message:
                return self._download(".xlsx")  # an Office file opened in Sheets
            else:
                raise _unavailable(exc, self) from None
        except Exception as exc:
            raise _unavailable(exc, self) from None
        return rows_from_grids(f"Google Sheet {self.key}", cells.rows,
                               percent_cells=cells.percent, formula_cells=cells.formulas)

    def _cells(self, tabs: dict[str, SheetLayout]) -> SheetCells:
        """The tabs' cells in one request, by the titles Google gives them."""
        ranges = [_a1(title) + (f"!{PROFILE_RANGE}" if sheet.fields else "")
                  for title, sheet in tabs.items()]
        return sheet_cells(self.client.cells(self.key, ranges, CELL_FIELDS))

    def _read_existing_tabs(self, sheets: Iterable[SheetLayout]) -> SheetCells:
        """A tab is missing or renamed: read the tabs that are there (one metadata request,
        one ``spreadsheets.get``), matching names as the reader does; the reader reports
        the rest."""
        try:
            titles = self.client.sheet_titles(self.key)
            found = {}
            by_norm = {norm(t): t for t in reversed(titles)}
            for sheet in sheets:
                title = next((by_norm[norm(c)] for c in (sheet.name, sheet.title, *sheet.aliases)
                              if norm(c) in by_norm), None)
                if title is not None:
                    found[title] = sheet
            cells = SheetCells({t: [] for t in titles})
            if found:
                cells.update(self._cells(found))
        except Exception as exc:
            raise _unavailable(exc, self) from None
        return cells

    def _download(self, suffix: str) -> WorkbookRows:
        """Read a Drive-hosted workbook through a temporary copy, deleted before returning."""
        with tempfile.TemporaryDirectory(prefix="sheetsync-", ignore_cleanup_errors=True) as tmp:
            path = Path(tmp) / f"district{suffix}"
            try:
                self.client.download(self.key, path, MAX_DOWNLOAD)
            except GoogleSetupError as exc:
                raise SourceUnavailable(self.label, str(exc)) from None
            except Exception as exc:
                raise _unavailable(exc, self, drive=True) from None
            try:
                return _loaded(open_workbook(path), self.label)
            except WorkbookUnreadable as exc:
                raise WorkbookUnreadable(self.label, exc.reason) from None


def _loaded(wb: WorkbookRows, label: str) -> WorkbookRows:
    """Every sheet of ``wb`` read into memory, so its file can go; a damaged sheet still
    fails only when the reader asks for it."""
    rows: dict[str, list[list[Any]]] = {}
    broken: dict[str, str] = {}
    for name in wb.sheet_names:
        try:
            rows[name] = wb.rows(name)
        except WorkbookUnreadable as exc:
            broken[name] = exc.reason

    def load(sheet: str) -> list[list[Any]]:
        if sheet in broken:
            raise WorkbookUnreadable(label, broken[sheet])
        return rows[sheet]

    return WorkbookRows(label, list(wb.sheet_names), wb.date1904, dict(wb.heights), load,
                        percent_cells=wb.percent_cells, formula_cells=wb.formula_cells)


_a1 = quoted


def _local_time(stamp: str) -> str:
    """Drive's UTC time as local time to the second, as local files' times are shown."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")


# -- errors, in words a facilitator can act on ---------------------------------------------


def _unavailable(exc: Exception, source: GoogleSource, drive: bool = False,
                 listing: bool = False) -> SourceUnavailable:
    label = source.label
    if isinstance(exc, SourceUnavailable):
        return exc
    if isinstance(exc, GoogleError) and exc.status is not None:
        return _from_status(exc, source, drive or listing)
    if isinstance(exc, GoogleError) and exc.transient:
        return SourceUnavailable(label, f"could not reach Google ({exc.reason}, "
                                 f"{source.client.attempts} attempts); try again later",
                                 transient=True)
    if isinstance(exc, GoogleError):
        return SourceUnavailable(label, f"Google refused to sign in ({exc.message}); run "
                                 "`sheetsync auth login` again or check the key file")
    if isinstance(exc, GoogleSetupError):
        return SourceUnavailable(label, str(exc))
    raise exc


def _from_status(exc: GoogleError, source: GoogleSource, drive: bool) -> SourceUnavailable:
    status, message, reasons = exc.status, exc.message[:300], set(exc.reasons)
    label, attempts = source.label, source.client.attempts
    if exc.transient:
        return SourceUnavailable(label, f"{TRANSIENT} (HTTP {status} after {attempts} "
                                 "attempts)", transient=True)
    if status == 401:
        return SourceUnavailable(label, "Google refused the credentials (401); run "
                                 "`sheetsync auth login` again or check the key file")
    scope_words = ("insufficient authentication scopes", "insufficientPermissions",
                   "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
    if status == 403 and (reasons & {"insufficientPermissions"} or
                          any(w in message for w in scope_words)):
        return SourceUnavailable(label, "the credentials do not allow reading Sheets and "
                                 "Drive; run `sheetsync auth login` again")
    if status == 403 and ("has not been used" in message or "disabled" in message
                          or reasons & {"accessNotConfigured"}):
        return SourceUnavailable(label, f"Google refused: {message}")
    email = source.client.identity
    if status == 403:
        return SourceUnavailable(label, f"not shared with {email}: in Google Sheets click "
                                 f"Share and add {email} as a Viewer")
    if status == 404 and drive:
        return SourceUnavailable(label, f"not shared with {email}, or no such file: share it "
                                 f"with {email} as a Viewer, or check the URL in cohort.toml")
    if status == 404:
        return SourceUnavailable(label, "no such spreadsheet; check the URL in cohort.toml")
    return SourceUnavailable(label, f"Google answered {status}: {message or 'no reason given'}")


# -- auth check ----------------------------------------------------------------------------


def check_access(cohort: Any, client: GoogleClient) -> dict[str, Any]:
    """Which of the cohort's Google districts ``client`` can open (one listing, plus one
    ``files.get`` per district it does not list), and who it is."""
    rows: list[dict[str, Any]] = []
    found: list[tuple[Any, GoogleSource]] = []
    for d in cohort.members:
        if not is_google(d.source):
            continue
        try:
            found.append((d, google_source(d.source, client)))
        except SourceUnavailable as exc:
            rows.append({"id": d.id, "name": d.name, "source": d.source, "ok": False,
                         "reason": exc.reason, "modified": None})
    GoogleSource.prefetch(s for _, s in found)
    for d, s in found:
        try:
            fp = s.fingerprint()
            rows.append({"id": d.id, "name": d.name, "source": d.source, "ok": True,
                         "reason": None, "modified": fp.modified})
        except SourceUnavailable as exc:
            rows.append({"id": d.id, "name": d.name, "source": d.source, "ok": False,
                         "reason": exc.reason, "modified": None})
    order = {d.id: i for i, d in enumerate(cohort.members)}
    rows.sort(key=lambda r: order[r["id"]])
    return {"identity": client.identity, "kind": client.kind,
            "credentials": client.description, "api_url": client.base_url,
            "districts": rows, "requests": client.requests_made}
