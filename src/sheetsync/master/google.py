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
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Outcome, Store
from sheetsync.errors import MasterShrinks, SheetsyncError
from sheetsync.google.address import is_google, sheet_url, spreadsheet_key
from sheetsync.google.client import GoogleClient
from sheetsync.google.errors import GoogleError
from sheetsync.master.build import (
    alignment_sheets,
    cohort_periods,
    google_stamp,
    google_written,
    shrinks,
    stamp_of,
)
from sheetsync.master.google_tabs import Table as _Table
from sheetsync.master.google_tabs import add_sheet as _add_sheet
from sheetsync.master.google_tabs import format_requests as _format_requests
from sheetsync.master.google_tabs import master_tables as _tables
from sheetsync.master.layout import (
    TREND,
    Col,
)
from sheetsync.schema.cells import cell, on_sheet
from sheetsync.schema.schoolyear import period_key

TEMP_PREFIX = "~sheetsync "  # new tabs are "~sheetsync <run> <name>" until the swap
# One values:batchUpdate stays well under Google's 10 MB request limit and its time limit.
MAX_BYTES = 8_000_000
MAX_CELLS = 250_000
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


def build_google_master(cohort: Cohort, store: Store, http: Any,
                        period: str | None = None, force: bool = False) -> dict[str, Any]:
    """Write ``cohort.master.google_sheet`` from the store alone (the Google twin of
    ``master.build.build_master``), and record in the store what it was built from once
    Google took the whole write. ``MasterShrinks`` when it would show fewer districts or
    months than the one last written there, unless ``force``."""

    sheet = cohort.master.google_sheet
    if not sheet:
        raise SheetsyncError(f"{cohort.path}: [master] google_sheet is not set")
    stamp = stamp_of(cohort, store)
    problem = None if force else shrinks(cohort, google_stamp(store, sheet), stamp,
                                         f"The Google master {sheet}")
    if problem:
        raise MasterShrinks(problem.replace("`sheetsync master rebuild --force`",
                                            "`sheetsync master rebuild --force` with your "
                                            "credentials"), path=cohort.path)
    last = store.last_pull()
    period = period or (last["period"] if last else period_key(date.today()))
    ids = [d.id for d in cohort.members]
    sources = {d.id: d.source if is_google(d.source) else str(cohort.source_path(d))
               for d in cohort.members}

    year = cohort_periods(cohort)  # the cohort's year, as the .xlsx master shows
    stats = write_google_master(
        http, sheet, store.outcomes(ids), store.history(ids, year),
        store.trend(ids, year), period, lambda o: sources.get(o.district_id, o.source),
        folder=cohort.folder, level=cohort.cohort.level,
        extra=alignment_sheets(cohort, store))
    google_written(store, sheet, stamp)
    return stats


__all__ = ["MAX_BYTES", "MAX_CELLS", "build_google_master", "value_batches",
           "write_google_master"]
