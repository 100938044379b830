"""Where a cohort entry says a district's scorecard is, when it is in Google.

One reading, ``google_address``, answers both questions the rest of sheetsync asks:

- ``is_google(text)``: does the entry mean Google at all (else it is a path to a local
  workbook)? Any ``https://docs.google.com/`` or ``https://drive.google.com/`` address, any
  ``gsheet:…`` and any bare key of 30 or more letters, digits, ``-`` and ``_``.
- ``parse_address(text)``: which file, and what it says it is: a Sheets URL, ``gsheet:KEY``
  or a bare key is a ``sheet``; a Drive ``/file/d/`` URL a ``file``; Drive's ``open?id=`` and
  ``uc?id=`` links ``any``. ``None`` for an entry that is Google but names no file (a Docs
  URL, a folder, ``gsheet:`` with a key too short to be one): the pull reports that district
  as not a Google Sheets address instead of looking for a local file of that name.

Imports nothing beyond ``re``: the CLI asks ``is_google`` and ``needs_google`` at start-up,
before (and instead of) importing the Google client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.google.constants import SHEETS_WEB

SHEET, FILE, ANY = "sheet", "file", "any"  # what a Google address says it is
_SHEET_URL = re.compile(r"https://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([\w-]+)")
_FILE_URL = re.compile(r"https://drive\.google\.com/(?:u/\d+/)?file/(?:u/\d+/)?d/([\w-]+)")
_OPEN_URL = re.compile(r"https://drive\.google\.com/(?:open|uc)\?(?:[^#]*&)?id=([\w-]+)")
_GOOGLE_URL = re.compile(r"https://(?:docs|drive)\.google\.com/")
_PREFIX = "gsheet:"
_PREFIXED_KEY = re.compile(r"[\w-]{20,}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{30,}")


@dataclass(frozen=True)
class GoogleAddress:
    """A cohort entry that means Google: ``kind`` and ``key`` of the file it names, or
    both empty when it names none."""

    kind: str
    key: str

    @property
    def names_a_file(self) -> bool:
        return bool(self.key)


NO_FILE = GoogleAddress("", "")


def google_address(text: str) -> GoogleAddress | None:
    """The Google file ``text`` names; ``NO_FILE`` when it is Google's but names no file;
    ``None`` when it is not a Google address at all (a local path)."""
    text = text.strip()
    for pattern, kind in ((_SHEET_URL, SHEET), (_FILE_URL, FILE), (_OPEN_URL, ANY)):
        m = pattern.match(text)
        if m:
            return GoogleAddress(kind, m.group(1))
    if _GOOGLE_URL.match(text):
        return NO_FILE
    if text.startswith(_PREFIX):
        key = text.removeprefix(_PREFIX).strip()
        return GoogleAddress(SHEET, key) if _PREFIXED_KEY.fullmatch(key) else NO_FILE
    if _BARE_KEY.fullmatch(text):
        return GoogleAddress(SHEET, text)
    return None


def is_google(text: str) -> bool:
    """A Google Sheets URL or key, ``gsheet:KEY``, or a Drive address."""
    return google_address(text) is not None


def needs_google(cohort: Any, write: bool = False) -> bool:
    """Whether ``cohort`` (a ``cohort.model.Cohort``) needs a Google client at all: it writes
    a Google master (or ``write``), or one of its members' sources is a Google address. Asked
    before anything of Google's is imported, so a cohort without Google starts fast."""
    if write or cohort.master.google_sheet:
        return True
    return any(is_google(m.source) for m in cohort.members)


def parse_address(text: str) -> tuple[str, str] | None:
    """(kind, id) of a Sheets URL, ``gsheet:KEY``, a bare key (30+ characters) or a Drive
    file URL; None when ``text`` names no Google file."""
    found = google_address(text)
    return (found.kind, found.key) if found is not None and found.names_a_file else None


def spreadsheet_key(text: str) -> str:
    """The key of a Google Sheets URL, ``gsheet:KEY`` or bare key."""
    found = parse_address(text)
    if found is None or found[0] != SHEET:
        raise SheetsyncError(f"{text!r} is not a Google Sheets URL or key")
    return found[1]


def sheet_url(key: str) -> str:
    return f"{SHEETS_WEB}/{key}/edit"
