"""The Google master's tabs, laid out before a value is written: each tab's columns and rows
(from the same rows as the .xlsx master) and the requests that format it (header, frozen
panes, filter, number formats, widths, status colours, links to the districts' cells,
charts). ``master.google`` writes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sheetsync.cohort.store import Outcome
from sheetsync.errors import SheetsyncError
from sheetsync.google.address import sheet_url, spreadsheet_key
from sheetsync.google.constants import EPOCH
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
from sheetsync.schema.vocabulary import css

NAVY, WHITE, LINK_BLUE = css(vocabulary.NAVY), css(vocabulary.WHITE), css(vocabulary.LINK_BLUE)
NUMBER_FORMATS = {"date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
                  "percent": {"type": "PERCENT", "pattern": "0%"},
                  "number": {"type": "NUMBER", "pattern": "0.0##"}}


@dataclass
class Table:
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


def master_tables(outcomes: Iterable[Outcome], history: Iterable[tuple[Any, ...]],
            trend: list[tuple[str, int, int]], period: str, folder: Path,
            source_of: Callable[[Outcome], str],
            gids_of: Callable[[Outcome], Mapping[str, int]] | None, level: str = "district",
            extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None
            ) -> dict[str, Table]:
    tables = {name: Table(name, headed(cols, level)) for name, cols in SHEETS.items()}
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
        tables[name] = Table(name, cols, [[_cell(c, v) for c, v in zip(cols, values,
                                                                         strict=True)]
                                           for values in rows])
    return tables


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


def add_sheet(table: Table, title: str) -> dict[str, Any]:
    return {"addSheet": {"properties": {
        "sheetId": table.sheet_id, "title": title, "hidden": True,
        "gridProperties": {"rowCount": table.height, "columnCount": table.width,
                           "frozenRowCount": 1, "frozenColumnCount": 1}}}}


def format_requests(table: Table) -> list[dict[str, Any]]:
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


def _link_requests(table: Table) -> list[dict[str, Any]]:
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


def _charts(table: Table, trend_at: int) -> list[dict[str, Any]]:
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
