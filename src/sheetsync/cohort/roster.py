"""The roster a facilitator already keeps, read as they keep it.

A .csv (comma, semicolon or tab; UTF-8 with or without a BOM, UTF-16 or Windows-1252) or an
.xlsx (the first sheet). The header row may sit under title rows; its headers are matched as
the reader matches a scorecard's ("District ID", "district_id" and "ID" are all the id).
Columns: the district's id and name (required), its source (a workbook path or Google Sheet
URL; optional until ``sheetsync distribute`` fills it) and its contacts (e-mail addresses,
``Jane Doe <jane@x.org>, bob@x.org``). Every error names the roster and its row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetsync.cohort.model import District
from sheetsync.errors import CohortError, SheetsyncError
from sheetsync.files import read_text
from sheetsync.schema.layout import norm

if TYPE_CHECKING:
    from sheetsync.cohort.model import District

# Each column's accepted headers, compared as ``layout.norm`` leaves them.
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "districtid", "districtcode", "districtnumber", "districtno", "code",
           "schoolid", "schoolcode", "schoolnumber", "schoolno"),
    "name": ("name", "districtname", "district", "schoolname", "school"),
    "source": ("source", "workbook", "file", "scorecard", "path", "url", "link",
               "googlesheet", "sheet"),
    "contacts": ("contacts", "contact", "contactemail", "contactemails", "email", "emails",
                 "emailaddress", "emailaddresses"),
}
REQUIRED = ("id", "name")
HEADER_SEARCH = 20  # rows looked at for the header row
DELIMITERS = (",", ";", "\t")
_EMAIL = re.compile(r"[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\].]+")


@dataclass(frozen=True)
class RosterRow:
    """One district of the roster, with the row it came from."""

    row: int
    id: str
    name: str
    source: str
    contacts: list[str]


def read_roster_rows(path: str | Path) -> list[RosterRow]:
    path = Path(path)
    grid = _xlsx_rows(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)
    found = _header(grid)
    if found is None:
        raise CohortError(_no_header(path, grid), path=path)
    at, columns = found
    out: list[RosterRow] = []
    first: dict[str, int] = {}
    for n, row in enumerate(grid[at + 1:], at + 2):
        cells = {key: _text(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(cells.values()):
            continue
        for key in REQUIRED:
            if not cells[key]:
                raise CohortError(f"{path}: row {n}: the district {key} is empty", path=path,
                                  line=n, field=key)
        if cells["id"] in first:
            raise CohortError(f"{path}: row {n}: district id {cells['id']!r} is listed twice "
                              f"(first at row {first[cells['id']]})", path=path, line=n,
                              field="id")
        first[cells["id"]] = n
        contacts = addresses(cells.get("contacts", ""), f"{path}: row {n}")
        out.append(RosterRow(n, cells["id"], cells["name"], cells.get("source", ""), contacts))
    if not out:
        raise CohortError(f"{path}: the roster lists no districts under its header (row "
                          f"{at + 1})", path=path, line=at + 1)
    return out


def read_roster(path: str | Path) -> list[District]:
    """The roster's districts, as the cohort file lists them."""
    return [District(id=r.id, name=r.name, source=r.source, contacts=r.contacts)
            for r in read_roster_rows(path)]


def addresses(text: str, where: str) -> list[str]:
    """The contacts in a contacts cell: ``Jane Doe <jane@x.org>, bob@x.org``, separated by
    commas, semicolons, new lines, or spaces between bare addresses; display names kept
    (``Jane Doe <jane@x.org>``), so reminders can greet people by name."""
    text = text.strip()
    if not text:
        return []
    tokens = re.split(r"[\s,;]+", text)
    if all(_EMAIL.fullmatch(t) for t in tokens if t):
        return [t for t in tokens if t]
    from email.utils import formataddr, getaddresses

    parsed = getaddresses([re.sub(r"[;\n\r]+", ",", text)])
    bad = [addr or name for name, addr in parsed if not _EMAIL.fullmatch(addr)]
    if bad or not parsed:
        raise CohortError(
            f"{where}: the contacts {text!r} are not e-mail addresses"
            f"{f' ({bad[0]!r} is not one)' if bad and bad[0] else ''}; write them like "
            "Jane Doe <jane@x.org>, bob@x.org")
    return [formataddr((name, addr)) if name else addr for name, addr in parsed]


def contact(text: str) -> tuple[str, str] | None:
    """One contact as ``(display name, address)``: ``Jane Doe <jane@x.org>`` or a bare
    address; None when it is not one (a line break, a missing @, two addresses)."""
    from email.utils import getaddresses, parseaddr  # slow to import; a pull needs it not

    if re.search(r"[\x00-\x1f\x7f]", text) or len(getaddresses([text])) != 1:
        return None
    name, addr = parseaddr(text.strip())
    if not _EMAIL.fullmatch(addr) or "@" in name:
        return None
    return name, addr


# -- the grid of cells ----------------------------------------------------------------------


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from sheetsync.read.source import open_workbook

    wb = open_workbook(path)
    return wb.rows(wb.sheet_names[0]) if wb.sheet_names else []


def _csv_rows(path: Path) -> list[list[Any]]:
    try:
        text = read_text(path, "roster")
    except SheetsyncError as exc:
        raise CohortError(str(exc), path=path) from None
    grids = [list(csv.reader(io.StringIO(text, newline=""), delimiter=d)) for d in DELIMITERS]
    for grid in grids:  # the delimiter is the one that splits out a header row
        if _header(grid) is not None:
            return list(grid)
    return max(grids, key=lambda g: max((len(r) for r in g), default=0))


def _text(value: Any) -> str:
    """A cell as the roster means it: 101.0 from a number cell is the id "101"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row's index and each known column's position."""
    for at, row in enumerate(grid[:HEADER_SEARCH]):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row):
            key = _column(cell)
            if key and key not in columns:
                columns[key] = i
        if all(k in columns for k in REQUIRED):
            return at, columns
    return None


def _column(cell: Any) -> str | None:
    text = norm(cell)
    return next((key for key, names in HEADERS.items() if text in names), None)


def _no_header(path: Path, grid: list[list[Any]]) -> str:
    seen = next((r for r in grid[:HEADER_SEARCH] if any(_text(c) for c in r)), None)
    shown = ", ".join(repr(_text(c)) for c in seen if _text(c)) if seen else "nothing"
    return (f"{path}: no header row with a district id and a name column in the first "
            f"{HEADER_SEARCH} rows (the first filled row has {shown}). Name the columns "
            "District ID, District Name, Source, Contacts (or id, name, source, contacts).")


__all__ = ["HEADERS", "RosterRow", "addresses", "contact", "read_roster_rows"]
