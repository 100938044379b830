"""The cohort master as a Google Sheet: the same tabs, columns and rows as the .xlsx master.

Rows come from ``sheetsync.master.master_rows`` and ``trend_rows`` and columns from
``master.SHEETS``, so the two masters cannot differ. A write costs a handful of requests
whatever the cohort's size:

1. one ``:batchUpdate`` adds the new tabs, hidden and under temporary names, with all their
   formatting (header, frozen row and column, filter, number formats, column widths,
   status colours, links to the districts' cells, the two charts);
2. ``values:batchUpdate`` writes the values ``RAW`` (text a district typed, even
   ``=cmd|...``, stays text), in as few requests as the payload limits allow;
3. one ``:batchUpdate`` swaps them in: unhides the new tabs, deletes the old ones (and any
   left by a write that died) and gives the new ones their names.

Google applies a ``:batchUpdate`` atomically, so a reader sees the old master or the new
one, never a mix. If anything fails before the swap, the new tabs are deleted and the old
master stays as it was.
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sheetsync.cohort.store import Outcome
from sheetsync.errors import SheetsyncError
from sheetsync.google.address import is_google, sheet_url, spreadsheet_key
from sheetsync.google.client import GoogleClient
from sheetsync.google.constants import EPOCH
from sheetsync.google.errors import GoogleError
from sheetsync.master.build import alignment_sheets, cohort_periods
from sheetsync.master.layout import (
    COLOURS,
    SHEETS,
    STATUS_COLUMNS,
    TREND,
    Col,
    chart_places,
    headed,
)
from sheetsync.master.rows import Link, master_rows
from sheetsync.master.summary import trend_rows
from sheetsync.schema import vocabulary
from sheetsync.schema.cells import cell, on_sheet
from sheetsync.schema.schoolyear import period_key
from sheetsync.schema.vocabulary import css

TEMP_PREFIX = "~sheetsync "  # new tabs are "~sheetsync <run> <name>" until the swap
# One values:batchUpdate stays well under Google's 10 MB request limit and its time limit.
MAX_BYTES = 8_000_000
MAX_CELLS = 250_000
NAVY, WHITE, LINK_BLUE = css(vocabulary.NAVY), css(vocabulary.WHITE), css(vocabulary.LINK_BLUE)
NUMBER_FORMATS = {"date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
                  "percent": {"type": "PERCENT", "pattern": "0%"},
                  "number": {"type": "NUMBER", "pattern": "0.0##"}}
# -- the master's tables --------------------------------------------------------------


@dataclass
class _Table:
    name: str
    cols: tuple[Col, ...]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, url)
    trend: list[list[Any]] = field(default_factory=list)  # Summary only: beside the rows
    sheet_id: int = 0

    @property
    def width(self) -> int:
        return len(self.cols) + (1 + len(TREND) if self.name == "Summary" else 0)

    @property
    def height(self) -> int:  # header, rows, and at least one empty row (a frozen row needs it)
        return max(len(self.rows), len(self.trend), 1) + 1


def _serial(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - EPOCH) / timedelta(days=1)
    if isinstance(value, date):
        return float((value - EPOCH.date()).days)
    return None


def _cell(col: Col, value: Any) -> Any:
    """A master value as Sheets stores it: dates as serials, text as text, no NaN."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if col.kind == "date" or isinstance(value, date):
        serial = _serial(value)
        if serial is not None:
            return serial
    return str(value)


def _link_url(source: str, label: str, gids: Mapping[str, int]) -> str | None:
    """The URL of a district's cell, for a district that keeps its scorecard in Google."""
    try:
        key = spreadsheet_key(source)
    except SheetsyncError:
        return None
    sheet, _, cell = label.rpartition("!")
    gid = gids.get(sheet)
    return f"{sheet_url(key)}#gid={gid}&range={cell}" if gid is not None else sheet_url(key)


def _tables(outcomes: Iterable[Outcome], history: Iterable[tuple[Any, ...]],
            trend: list[tuple[str, int, int]], period: str, folder: Path,
            source_of: Callable[[Outcome], str],
            gids_of: Callable[[Outcome], Mapping[str, int]] | None, level: str = "district",
            extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None
            ) -> dict[str, _Table]:
    tables = {name: _Table(name, headed(cols, level)) for name, cols in SHEETS.items()}
    tables["Summary"].trend = trend_rows(trend)
    current: dict[str, Any] = {}

    def source(o: Outcome) -> str:
        # master_rows asks for a district's source just before yielding its rows: remember
        # it (and the tab ids) for the Links among them, which carry only a label
        current["source"] = source_of(o)
        current["gids"] = gids_of(o) if gids_of else {}
        return str(current["source"])

    for name, values in master_rows(outcomes, history, period, folder, source):
        table = tables[name]
        row = []
        for c, (col, value) in enumerate(zip(table.cols, values, strict=True)):
            if isinstance(value, Link):
                url = _link_url(current.get("source", ""), value.label, current.get("gids", {}))
                if url and value.label:
                    table.links.append((len(table.rows) + 1, c, url))
                value = value.label
            row.append(_cell(col, value))
        table.rows.append(row)
    for name, (cols, rows) in (extra or {}).items():  # a school cohort's Alignment sheets
        tables[name] = _Table(name, cols, [[_cell(c, v) for c, v in zip(cols, values,
                                                                         strict=True)]
                                           for values in rows])
    return tables


# -- requests that build the new tabs -------------------------------------------------


def _rgb(hex_colour: str) -> dict[str, float]:
    h = hex_colour.lstrip("#")[-6:]
    return {k: round(int(h[i:i + 2], 16) / 255, 4) for k, i in (("red", 0), ("green", 2),
                                                              ("blue", 4))}


def _grid(sheet_id: int, top: int, bottom: int, left: int, right: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": top, "endRowIndex": bottom,
            "startColumnIndex": left, "endColumnIndex": right}


def _header(sheet_id: int, left: int, right: int) -> dict[str, Any]:
    return {"repeatCell": {
        "range": _grid(sheet_id, 0, 1, left, right),
        "cell": {"userEnteredFormat": {
            "backgroundColor": _rgb(NAVY), "wrapStrategy": "WRAP",
            "textFormat": {"bold": True, "foregroundColor": _rgb(WHITE)}}},
        "fields": "userEnteredFormat(backgroundColor,textFormat,wrapStrategy)"}}


def _add_sheet(table: _Table, title: str) -> dict[str, Any]:
    return {"addSheet": {"properties": {
        "sheetId": table.sheet_id, "title": title, "hidden": True,
        "gridProperties": {"rowCount": table.height, "columnCount": table.width,
                           "frozenRowCount": 1, "frozenColumnCount": 1}}}}


def _format_requests(table: _Table) -> list[dict[str, Any]]:
    sid, bottom, n = table.sheet_id, table.height, len(table.cols)
    out = [_header(sid, 0, n),
           {"setBasicFilter": {"filter": {"range": _grid(sid, 0, bottom, 0, n)}}}]
    for c, col in enumerate(table.cols):
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
            "properties": {"pixelSize": col.width * 7 + 5}, "fields": "pixelSize"}})
        if col.kind in NUMBER_FORMATS:
            out.append({"repeatCell": {
                "range": _grid(sid, 1, bottom, c, c + 1),
                "cell": {"userEnteredFormat": {"numberFormat": NUMBER_FORMATS[col.kind]}},
                "fields": "userEnteredFormat.numberFormat"}})
        if col.kind == "status":
            for value, (bg, fg) in COLOURS.items():
                out.append({"addConditionalFormatRule": {"index": 0, "rule": {
                    "ranges": [_grid(sid, 1, bottom, c, c + 1)],
                    "booleanRule": {
                        "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": value}]},
                        "format": {"backgroundColor": _rgb(bg),
                                   "textFormat": {"foregroundColor": _rgb(fg)}}}}}})
    out += _link_requests(table)
    if table.name == "Summary":
        at = n + 1
        out.append(_header(sid, at, at + len(TREND)))
        out.append({"repeatCell": {
            "range": _grid(sid, 1, bottom, at + 3, at + 4),
            "cell": {"userEnteredFormat": {"numberFormat": NUMBER_FORMATS["percent"]}},
            "fields": "userEnteredFormat.numberFormat"}})
        out += _charts(table, at)
    return out


def _link_requests(table: _Table) -> list[dict[str, Any]]:
    """Source cells of Google districts link to the district's cell: a cell-level link in
    the cell's text format (no HYPERLINK formula, so the label stays plain text)."""
    out: list[dict[str, Any]] = []
    runs: list[list[tuple[int, int, str]]] = []
    for link in sorted(table.links, key=lambda x: (x[1], x[0])):
        if runs and runs[-1][-1][1] == link[1] and runs[-1][-1][0] + 1 == link[0]:
            runs[-1].append(link)
        else:
            runs.append([link])
    for run in runs:
        row, col = run[0][0], run[0][1]
        out.append({"updateCells": {
            "range": _grid(table.sheet_id, row, row + len(run), col, col + 1),
            "rows": [{"values": [{"userEnteredFormat": {"textFormat": {"link": {"uri": url}}}}]}
                     for _, _, url in run],
            "fields": "userEnteredFormat.textFormat.link"}})
    return out


def _charts(table: _Table, trend_at: int) -> list[dict[str, Any]]:
    """The status mix per district and the share on track by month, as in the .xlsx."""
    sid, districts, months = table.sheet_id, len(table.rows), len(table.trend)
    places = chart_places(districts, months)

    def position(name: str) -> dict[str, Any]:
        place = places[name]
        return {"overlayPosition": {
            "anchorCell": {"sheetId": sid, "rowIndex": place.row, "columnIndex": trend_at},
            "widthPixels": place.width, "heightPixels": place.height}}

    out = []
    if districts:
        first = [c.header for c in table.cols].index(STATUS_COLUMNS[0])

        def source(col: int, top: int = 0) -> dict[str, Any]:
            return {"sourceRange": {"sources": [_grid(sid, top, districts + 1, col, col + 1)]}}

        out.append({"addChart": {"chart": {
            "spec": {"title": "Measures by status, per district", "basicChart": {
                "chartType": "BAR", "stackedType": "STACKED", "legendPosition": "BOTTOM_LEGEND",
                "headerCount": 1, "domains": [{"domain": source(0)}],
                "series": [{"series": source(first + i), "targetAxis": "BOTTOM_AXIS",
                            "color": _rgb(COLOURS[status][0])}
                           for i, status in enumerate(STATUS_COLUMNS)]}},
            "position": position("status")}}})
    if months:
        def column(col: int) -> dict[str, Any]:
            return {"sourceRange": {"sources": [_grid(sid, 0, months + 1, col, col + 1)]}}

        out.append({"addChart": {"chart": {
            "spec": {"title": "Share of measures on track, by month", "basicChart": {
                "chartType": "LINE", "legendPosition": "BOTTOM_LEGEND", "headerCount": 1,
                "domains": [{"domain": column(trend_at)}],
                "series": [{"series": column(trend_at + 3), "targetAxis": "LEFT_AXIS"}]}},
            "position": position("trend")}}})
    return out


# -- values -----------------------------------------------------------------------------


def _a1(title: str, row: int, col: int) -> str:
    return on_sheet(title, cell(col + 1, row + 1))  # row and col from 0


def value_batches(blocks: Iterable[tuple[str, int, int, list[list[Any]]]],
                  max_cells: int = MAX_CELLS,
                  max_bytes: int = MAX_BYTES) -> list[list[dict[str, Any]]]:
    """Blocks of rows ``(tab, top row, left column, rows)`` as the ``data`` of as few
    ``values:batchUpdate`` requests as keep each under ``max_cells`` and ``max_bytes``."""
    batches: list[list[dict[str, Any]]] = [[]]
    cells = size = 0
    for title, top, left, rows in blocks:
        current: dict[str, Any] | None = None
        for i, row in enumerate(rows):
            n, b = len(row), len(json.dumps(row, separators=(",", ":"))) + 1
            if batches[-1] and (cells + n > max_cells or size + b > max_bytes):
                batches.append([])
                cells = size = 0
                current = None
            if current is None:
                current = {"range": _a1(title, top + i, left), "majorDimension": "ROWS",
                           "values": []}
                batches[-1].append(current)
                size += len(current["range"]) + 40
            current["values"].append(row)
            cells += n
            size += b
    return [b for b in batches if b]


# -- the write --------------------------------------------------------------------------


def write_google_master(http: Any, spreadsheet_id: str, outcomes: Iterable[Outcome],
                        history: Iterable[tuple[Any, ...]], trend: list[tuple[str, int, int]],
                        period: str, source_of: Callable[[Outcome], str], *,
                        folder: Path | None = None,
                        gids_of: Callable[[Outcome], Mapping[str, int]] | None = None,
                        max_cells: int = MAX_CELLS, max_bytes: int = MAX_BYTES,
                        level: str = "district",
                        extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None
                        = None) -> dict[str, Any]:
    """Write the cohort master into the Google Sheet ``spreadsheet_id``; return the stats.

    ``source_of`` gives each district's source as in ``master.write_master``; a Google
    source's cells link to the district's sheet (to the cell itself when ``gids_of`` tells
    the tab ids). Tabs of the spreadsheet that are not master tabs are left alone.
    """
    client = GoogleClient.of(http)
    start = client.calls
    key = spreadsheet_key(spreadsheet_id)
    tables = _tables(outcomes, history, trend, period, folder or Path("."), source_of, gids_of,
                     level, extra)
    run = secrets.token_hex(3)
    rng = secrets.SystemRandom()
    for table in tables.values():
        table.sheet_id = rng.randrange(1, 2**31 - 1)
    temp = {name: f"{TEMP_PREFIX}{run} {name}" for name in tables}
    requests = [_add_sheet(t, temp[t.name]) for t in tables.values()]
    for table in tables.values():
        requests += _format_requests(table)
    made = client.batch_update(
        key, {"requests": requests, "includeSpreadsheetInResponse": True},
        "writing the master (new tabs)",
        fields="updatedSpreadsheet.sheets.properties(sheetId,title)")
    new_ids = {t.sheet_id for t in tables.values()}
    old = [s["properties"] for s in made.get("updatedSpreadsheet", {}).get("sheets", [])
           if s["properties"]["sheetId"] not in new_ids]
    stale = [p["sheetId"] for p in old
             if p["title"] in tables or p["title"].startswith(TEMP_PREFIX)]
    blocks: list[tuple[str, int, int, list[list[Any]]]] = []
    for table in tables.values():
        blocks.append((temp[table.name], 0, 0,
                       [[c.header for c in table.cols], *table.rows]))
        if table.trend or table.name == "Summary":
            blocks.append((temp[table.name], 0, len(table.cols) + 1,
                           [list(TREND), *table.trend]))
    batches = value_batches(blocks, max_cells, max_bytes)
    cells = sum(v is not None for batch in batches for vr in batch for row in vr["values"]
                for v in row)
    swap = [{"updateSheetProperties": {"properties": {"sheetId": sid, "hidden": False},
                                       "fields": "hidden"}} for sid in new_ids]
    swap += [{"deleteSheet": {"sheetId": sid}} for sid in stale]
    swap += [{"updateSheetProperties": {
        "properties": {"sheetId": t.sheet_id, "title": t.name, "index": i},
        "fields": "title,index"}} for i, t in enumerate(tables.values())]
    swapping = False
    try:
        for n, batch in enumerate(batches, 1):
            client.write_values(key, batch,
                                f"writing the master (values, part {n} of {len(batches)})")
        swapping = True
        client.batch_update(key, {"requests": swap}, "writing the master (swap)",
                            fields="spreadsheetId")
    except BaseException:
        if not (swapping and _swapped(client, key, tables)):
            _discard(client, key, new_ids)
            raise
    return {"spreadsheet_id": key, "url": sheet_url(key), "requests": client.calls - start,
            "value_requests": len(batches), "cells": cells,
            "rows": {name: len(t.rows) for name, t in tables.items()},
            "replaced_tabs": len(stale)}


def _swapped(client: GoogleClient, key: str, tables: dict[str, _Table]) -> bool:
    """After a swap that failed without a clear answer (a lost response, a retried request):
    did Google apply it? Then the new master is in place and must not be deleted."""
    try:
        state = client.spreadsheet(key, "sheets.properties(sheetId,title)", "checking the swap")
    except GoogleError:
        return False
    titles = {s["properties"]["sheetId"]: s["properties"]["title"] for s in state["sheets"]}
    return all(titles.get(t.sheet_id) == t.name for t in tables.values())


def _discard(client: GoogleClient, key: str, sheet_ids: set[int]) -> None:
    """Delete the unfinished tabs; the old master was never touched."""
    with contextlib.suppress(GoogleError):  # else the next write deletes them
        client.batch_update(key, {"requests": [{"deleteSheet": {"sheetId": sid}}
                                               for sid in sheet_ids]},
                            "removing the unfinished tabs")


def build_google_master(cohort: Any, store: Any, http: Any,
                        period: str | None = None) -> dict[str, Any]:
    """Write ``cohort.master.google_sheet`` from the store alone (the Google twin of
    ``master.build.build_master``)."""

    if not cohort.master.google_sheet:
        raise SheetsyncError(f"{cohort.path}: [master] google_sheet is not set")
    last = store.last_pull()
    period = period or (last["period"] if last else period_key(date.today()))
    ids = [d.id for d in cohort.members]
    sources = {d.id: d.source if is_google(d.source) else str(cohort.source_path(d))
               for d in cohort.members}

    year = cohort_periods(cohort)  # the cohort's year, as the .xlsx master shows
    return write_google_master(
        http, cohort.master.google_sheet, store.outcomes(ids), store.history(ids, year),
        store.trend(ids, year), period, lambda o: sources.get(o.district_id, o.source),
        folder=cohort.folder, level=cohort.cohort.level,
        extra=alignment_sheets(cohort, store))


__all__ = ["MAX_BYTES", "MAX_CELLS", "build_google_master", "value_batches",
           "write_google_master"]
