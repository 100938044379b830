"""The District Scorecard template as a Google Sheet, from the same declaration.

The .xlsx builder (``sheetsync.template.build_template``) lays the declaration out: every
cell's text, formula and format, the dropdowns, the names, the status colours. This module
translates that workbook into Sheets requests rather than laying the template out a second
time, so the two cannot drift: the same tabs, headers, guidance, profile form and hidden
Lists tab, the same native formulas (Google evaluates SUMPRODUCT(MAX(...)) as an array, as
Excel does), dropdowns as ``ONE_OF_RANGE`` rules over the Lists columns or the id columns,
the workbook names as named ranges, and the help text of headers as notes. What Google
models differently comes from the layout: formula columns, header rows, the profile's
computed cells and the Lists tab are protected ranges (warning only, as the .xlsx sheet
protection has no password). The formulas are the .xlsx template's own: they read numbers
as stored and never a cell's format, which is what lets one formula serve Excel, Google
Sheets and LibreOffice (``template.formulas``).

Cost: three requests (create, one ``:batchUpdate`` with every tab and format, one
``values:batchUpdate`` with every value and formula).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.cohort.model import Cohort
from sheetsync.google.address import sheet_url
from sheetsync.google.auth import make_client
from sheetsync.google.client import GoogleClient
from sheetsync.google.constants import EPOCH, FULL_SCOPES, SHEET_MIME
from sheetsync.google.errors import GoogleError
from sheetsync.schema.layout import Layout
from sheetsync.schema.settings import DEFAULT_SETTINGS, StatusSettings
from sheetsync.template.google_rules import (
    TemplateNotTranslatable,
    conditional_format_requests,
    grid_range,
    protection_requests,
    rgb,
    validation_requests,
)
from sheetsync.template.workbook import build_template

DEFAULT_FONT_SIZE = 10  # the template's (Arial 10) and Google's own; other sizes are carried over


def template_name(school_year: str) -> str:
    return f"District Scorecard {school_year} — template"


def create_google_template(http: Any, layout: Layout, title: str,
                           folder_id: str | None = None,
                           profile: Mapping[str, Any] | None = None, *,
                           settings: StatusSettings = DEFAULT_SETTINGS) -> tuple[str, str]:
    """Create the template as a Google Sheet named ``title``; return ``(key, url)``.

    With ``folder_id`` it is created in that Drive folder (a shared drive's folder works);
    ``profile`` and the status ``settings`` fill it in as ``build_template`` does.
    """
    client = GoogleClient.of(http)
    wb = build_template(layout, profile=profile, settings=settings)
    requests, data = template_requests(layout, wb)
    what = "creating the template"
    key = client.create_file(title, SHEET_MIME, [folder_id], what) if folder_id \
        else client.create_spreadsheet(title, what)
    try:
        client.batch_update(key, {"requests": requests}, "laying out the template",
                            fields="spreadsheetId")
        client.write_values(key, data, "filling in the template", input_option="USER_ENTERED")
    except GoogleError:
        with contextlib.suppress(GoogleError):  # a half-made template is no template
            client.trash(key, "trashing the unfinished template")
        raise
    return key, sheet_url(key)


def make_google_template(layout: Layout, title: str | None = None, *, credentials: Any = None,
                         cohort: Cohort | None = None, folder_id: str | None = None,
                         profile: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """``create_google_template`` with the credentials sheetsync finds (``credentials``: a
    key or token file; else as ``auth.find_credentials``), allowed to write; the title
    defaults to the one ``distribute`` looks for. What ``template --google`` runs."""
    return create_google_template(make_client(cohort, credentials, FULL_SCOPES), layout,
                                  title or template_name(layout.school_year.label),
                                  folder_id=folder_id, profile=profile)


def template_requests(layout: Layout, wb: Workbook | None = None
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``:batchUpdate`` requests and the ``values:batchUpdate`` data that turn a new
    spreadsheet (one tab, id 0) into the template ``wb`` (default: ``build_template``)."""
    wb = wb or build_template(layout)
    ids = {ws.title: i for i, ws in enumerate(wb.worksheets)}  # tab 0 keeps the new sheet's id
    requests: list[dict[str, Any]] = []
    for i, ws in enumerate(wb.worksheets):
        props = _properties(ws, i)
        if i == 0:
            grid = props["gridProperties"]
            requests.append({"updateSheetProperties": {
                "properties": props,
                "fields": ",".join(["title", *(f"gridProperties.{k}" for k in grid)])}})
        else:
            requests.append({"addSheet": {"properties": props}})
    requests += _named_ranges(wb, ids)
    data = []
    for ws in wb.worksheets:
        sid = ids[ws.title]
        requests += _formats(ws, sid)
        requests += _dimensions(ws, sid)
        requests += validation_requests(ws, sid)
        requests += conditional_format_requests(ws, sid)
        if ws.auto_filter.ref:
            requests.append({"setBasicFilter": {"filter": {
                "range": grid_range(sid, ws.auto_filter.ref)}}})
        data.append({"range": _quote(ws.title) + "!A1", "majorDimension": "ROWS",
                     "values": [[_entered(c) for c in row] for row in ws.iter_rows()]})
    requests += protection_requests(layout, ids)
    return requests, data


# -- sheets, names, dimensions ------------------------------------------------------------


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _properties(ws: Worksheet, sheet_id: int) -> dict[str, Any]:
    grid: dict[str, Any] = {"rowCount": max(1000, ws.max_row),
                            "columnCount": max(26, ws.max_column)}
    if ws.freeze_panes:
        col, row, _, _ = range_boundaries(ws.freeze_panes)
        grid |= {"frozenRowCount": row - 1, "frozenColumnCount": col - 1}
    if not ws.sheet_view.showGridLines:
        grid["hideGridlines"] = True
    props: dict[str, Any] = {"sheetId": sheet_id, "title": ws.title, "index": sheet_id,
                             "gridProperties": grid}
    if ws.sheet_state != "visible":
        props["hidden"] = True
    return props


def _named_ranges(wb: Workbook, ids: Mapping[str, int]) -> list[dict[str, Any]]:
    out = []
    for name, defined in wb.defined_names.items():
        for title, ref in defined.destinations:
            out.append({"addNamedRange": {"namedRange": {
                "name": name, "range": grid_range(ids[title], ref)}}})
    return out


def _dimensions(ws: Worksheet, sid: int) -> list[dict[str, Any]]:
    """Column widths, row heights, and grouped (collapsed) columns such as the interim
    targets of the Measures tab."""
    out: list[dict[str, Any]] = []

    def dim(kind: str, start: int, end: int) -> dict[str, Any]:
        return {"sheetId": sid, "dimension": kind, "startIndex": start, "endIndex": end}

    for letter, d in ws.column_dimensions.items():
        start, end = _columns(letter, d)
        if d.width:
            out.append({"updateDimensionProperties": {
                "range": dim("COLUMNS", start - 1, end),
                "properties": {"pixelSize": round(d.width * 7 + 5)}, "fields": "pixelSize"}})
        if d.outline_level:
            out.append({"addDimensionGroup": {"range": dim("COLUMNS", start - 1, end)}})
        if d.hidden:
            out.append({"updateDimensionProperties": {
                "range": dim("COLUMNS", start - 1, end),
                "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
    for row, d in ws.row_dimensions.items():
        if d.height:
            out.append({"updateDimensionProperties": {
                "range": dim("ROWS", row - 1, row),
                "properties": {"pixelSize": round(d.height * 4 / 3)}, "fields": "pixelSize"}})
    return out


def _columns(letter: str, d: Any) -> tuple[int, int]:
    """The first and last column (1-based) a column dimension covers."""
    if d.min and d.max:
        return d.min, d.max
    n = range_boundaries(f"{letter}1")[0]
    return n, n


# -- cells ----------------------------------------------------------------------------------


def _entered(cell: Any) -> Any:
    """A cell's value as typed (USER_ENTERED): formulas as formulas, text kept as text with
    a leading apostrophe (so "1.0" or "=x" typed as text stay text), dates as serials."""
    value = cell.value
    if value is None or value == "":
        return None
    if cell.data_type == "f":
        return str(value)
    if isinstance(value, datetime):
        return (value - EPOCH) / timedelta(days=1)
    if isinstance(value, date):
        return (value - EPOCH.date()).days
    if isinstance(value, bool | int | float):
        return value
    return "'" + str(value)


def _number_format(pattern: str) -> dict[str, str] | None:
    if not pattern or pattern == "General":
        return None
    lowered = pattern.lower().replace('""', "")
    if "%" in lowered:
        kind = "PERCENT"
    elif any(t in lowered for t in ("yy", "mmm", "dd")):
        kind = "DATE"
    else:
        kind = "NUMBER"
    return {"type": kind, "pattern": pattern}


def _cell_format(cell: Any) -> dict[str, Any]:
    fmt: dict[str, Any] = {}
    text: dict[str, Any] = {}
    font = cell.font
    if font.b:
        text["bold"] = True
    if font.i:
        text["italic"] = True
    if font.sz and float(font.sz) != DEFAULT_FONT_SIZE:
        text["fontSize"] = int(font.sz)
    if (fg := rgb(font.color)) is not None:
        text["foregroundColor"] = fg
    if text:
        fmt["textFormat"] = text
    if cell.fill.fill_type == "solid" and (bg := rgb(cell.fill.fgColor)) is not None:
        fmt["backgroundColor"] = bg
    if (number := _number_format(cell.number_format)) is not None:
        fmt["numberFormat"] = number
    if cell.alignment.wrap_text:
        fmt["wrapStrategy"] = "WRAP"
    if cell.alignment.vertical == "center":
        fmt["verticalAlignment"] = "MIDDLE"
    return fmt


def _formats(ws: Worksheet, sid: int) -> list[dict[str, Any]]:
    """A column's own format (an input column's number format) below the frozen header,
    then one repeatCell per run of equally formatted cells down a column."""
    out = []
    top = range_boundaries(ws.freeze_panes)[1] - 1 if ws.freeze_panes else 0
    for letter, d in ws.column_dimensions.items():
        if d.has_style and (own := _cell_format(d)):
            start, end = _columns(letter, d)
            out.append({"repeatCell": {
                "range": {"sheetId": sid, "startRowIndex": top, "startColumnIndex": start - 1,
                          "endColumnIndex": end},
                "cell": {"userEnteredFormat": own}, "fields": "userEnteredFormat"}})
    for col in ws.iter_cols():
        run: list[Any] = []
        for cell in [*col, None]:
            fmt = _cell_format(cell) if cell is not None else None
            if run and fmt != run[1]:
                if run[1]:
                    first, last = run[0], run[2]
                    out.append({"repeatCell": {
                        "range": {"sheetId": sid, "startRowIndex": first.row - 1,
                                  "endRowIndex": last.row, "startColumnIndex": first.column - 1,
                                  "endColumnIndex": first.column},
                        "cell": {"userEnteredFormat": run[1]}, "fields": "userEnteredFormat"}})
                run = []
            if cell is not None:
                run = [run[0] if run else cell, fmt, cell]
    return out


__all__ = ["TemplateNotTranslatable", "create_google_template", "template_name",
           "template_requests"]
