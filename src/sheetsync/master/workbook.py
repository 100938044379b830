"""The cohort master: one workbook the consultant opens every month.

Sheets: Summary (one row per district, with the status mix chart and the share-on-track
trend), Goals, Measures, Actions, Updates, Issues and History. Every sheet's header row 1
starts with District ID; every row that came from a district's file carries a link to the
cell it came from. The master is built from the store alone (``sheetsync master rebuild``
does exactly what a pull does) and written atomically; text from district cells is always
written as text, never as a live formula. A cohort of a district's schools heads those
columns School ID and School, and adds the alignment baseline's sheets (``alignment``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetsync.check.report import FindingsReport
from sheetsync.cohort.places import folder_problem
from sheetsync.cohort.store import Outcome
from sheetsync.errors import FileLocked, FolderNotWritable, NotWritable, OutputLocked
from sheetsync.files import lock_file, replacing
from sheetsync.schema.level import level_of
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import (
    AT_RISK,
    LATE,
    LATE_OR_MISSING,
    LINK_BLUE,
    MET,
    MISSING,
    NAVY,
    NO_DATA,
    NOT_DUE,
    NOT_MET,
    OFF_TRACK,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    PALETTE,
    READ_FAILED,
    READ_OK,
    READ_STALE,
    STATUSES,
    WHITE,
    css,
)
from sheetsync.template.printing import MARGINS, PAGE_FOOTER_RIGHT, footer_text, row_height

STATUS_COLUMNS = STATUSES
# The words the master colours, in this order (conditional formats), as "#RRGGBB".
COLOURS = {w: (css(PALETTE[w][0]), css(PALETTE[w][1])) for w in (
    MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_MET, NO_DATA, READ_FAILED, READ_OK, READ_STALE,
    OVERDUE, MISSING, LATE, ON_TIME, "error", "warning")}


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 12
    kind: str = "text"  # text, number, int, date, percent, status, link


SHEETS: dict[str, tuple[Col, ...]] = {
    "Summary": (
        Col("District ID", 11), Col("District", 22), Col("Read Status", 11, "status"),
        Col("Reason", 30), Col("Source", 28), Col("Last Modified", 11, "date"),
        Col("Pulled At", 11, "date"), Col("Template Version", 9),
        Col("Goals", 7, "int"), Col("Measures", 9, "int"),
        *(Col(s, 9, "int") for s in STATUS_COLUMNS),
        Col("Overdue Actions", 9, "int"), Col("Alignment Coverage", 10, "percent"),
        Col("SMART Goals", 8, "int"), Col("Errors", 7, "int"), Col("Warnings", 9, "int"),
        Col("Update This Month", 11, "status"), Col("Late or Missing Updates", 10, "int"),
    ),
    "Goals": (Col("District ID", 11), Col("Goal ID", 8), Col("Strategic Goal ID", 10),
              Col("CDIP Goal ID", 9), Col("Statement", 60), Col("Owner", 16),
              Col("Target Date", 11, "date"), Col("Status", 10, "status"),
              Col("SMART", 8), Col("Source Cell", 14, "link")),
    "Measures": (Col("District ID", 11), Col("Measure ID", 9), Col("Goal ID", 8),
                 Col("Measure", 40), Col("Unit", 7), Col("Direction", 9),
                 Col("Baseline", 9, "number"), Col("Target", 9, "number"),
                 Col("Target Date", 11, "date"), Col("Latest Month", 10),
                 Col("Latest Actual", 9, "number"), Col("Expected", 9, "number"),
                 Col("Progress", 9, "percent"), Col("Status", 10, "status"),
                 Col("Source Cell", 14, "link")),
    "Actions": (Col("District ID", 11), Col("Action ID", 8), Col("Goal ID", 8),
                Col("Action", 44), Col("Owner", 16), Col("Due Date", 11, "date"),
                Col("Status", 11), Col("Schedule", 11, "status"),
                Col("Funding Source", 13), Col("Cost", 10, "number"),
                Col("Source Cell", 14, "link")),
    "Updates": (Col("District ID", 11), Col("Month", 9), Col("Status", 9, "status"),
                Col("Submitted On", 11, "date"), Col("Submitted By", 16),
                Col("Milestones", 40), Col("Successes", 40), Col("Roadblocks", 40),
                Col("Changes", 40), Col("Support Needed", 30), Col("Source Cell", 14, "link")),
    "Issues": (Col("District ID", 11), Col("Sheet", 16), Col("Cell", 7),
               Col("Severity", 9, "status"), Col("Code", 22), Col("Message", 90),
               Col("Source Cell", 14, "link")),
    "History": (Col("District ID", 11), Col("Measure ID", 9), Col("Month", 9),
                Col("Goal ID", 8), Col("Latest Month", 10), Col("Latest Actual", 9, "number"),
                Col("Expected", 9, "number"), Col("Progress", 9, "percent"),
                Col("Status", 10, "status"), Col("Note", 40)),
}
# The Issues sheet's columns after District ID (and before Source Cell), as findings name them
ISSUE_COLUMNS = ("sheet", "cell", "severity", "code", "message")
TREND_COLUMNS = (Col("Month", 9), Col("On Track or Met", 9, "int"),
                 Col("Measures with Data", 9, "int"), Col("Share On Track", 9, "percent"))
TREND = tuple(c.header for c in TREND_COLUMNS)


def district_summary(o: Outcome, period: str) -> dict[str, Any]:
    """The Summary row's numbers for one district, from its stored result."""
    out: dict[str, Any] = {s: None for s in STATUS_COLUMNS}
    result = (o.data or {}).get("result")
    if not o.ok or not result:
        return out
    counts = {s: 0 for s in STATUSES}
    for m in result["measures"]:
        counts[m["status"]] += 1
    updates = {u["month"]: u["status"] for u in result["updates"]}
    findings = result["findings"]
    return {**counts, "template_version": result.get("template_version"),
            "goals": len(result["goals"]), "measures": len(result["measures"]),
            "overdue": sum(a["schedule"] == OVERDUE for a in result["actions"]),
            "coverage": result["alignment"]["coverage"],
            "smart": sum(all(g["smart"].values()) for g in result["goals"]),
            "errors": sum(f["severity"] == "error" for f in findings),
            "warnings": sum(f["severity"] == "warning" for f in findings),
            "update": updates.get(period, NOT_DUE),
            "latest_month": latest_month((o.data or {}).get("card") or {}),
            "late_updates": sum(s in LATE_OR_MISSING for s in updates.values())}


def latest_month(card: dict[str, Any]) -> str | None:
    """The latest month with an actual in the workbook, whatever the as-of date."""
    return max((k for m in card.get("measures", []) for k, v in
                (m.get("actuals") or {}).items() if v is not None), default=None)


class Link:
    """A source cell: shown as Sheet!A1, linking into the district's file."""

    __slots__ = ("label", "url")

    def __init__(self, source: str, sheet: str | None, cell: str | None, folder: Path) -> None:
        self.label = f"{sheet}!{cell}" if sheet and cell else (sheet or "")
        target = _link_target(source, str(folder))
        self.url = f"external:{target}#'{sheet}'!{cell}" if target and sheet and cell else None


@lru_cache(maxsize=4096)
def _link_target(source: str, folder: str) -> str | None:
    """The district file as the master links to it: relative to the master's folder."""
    if source.startswith(("http://", "https://")):
        return None
    path = Path(source)
    try:
        return os.path.relpath(path, folder) if path.is_absolute() else source
    except ValueError:  # another drive on Windows
        return str(path)


def district_rows(o: Outcome, folder: Path, source: str) -> dict[str, Iterator[list[Any]]]:
    # a failed district shows only why it failed; a stale one, its last good read too
    data = (o.data or {}) if o.ok or o.stale else {}
    card, result = data.get("card") or {}, data.get("result") or {}
    names = card.get("sheet_names", {})
    columns = card.get("columns", {})
    did = o.district_id

    def link(entity: str, key: str, row: int) -> Link:
        letter = columns.get(entity, {}).get(key)
        return Link(source, names.get(entity), f"{letter}{row}" if letter else None, folder)

    def goals() -> Iterator[list[Any]]:
        status = _by_row(result.get("goals", []))
        for g in card.get("goals", []):
            s = status.get(g["row"], status.get(g["id"], {}))
            letters = "".join(k[0].upper() if v else "·" for k, v in s.get("smart", {}).items())
            yield [did, g["id"], g.get("strategic_goal_id"), g.get("cdip_goal_id"),
                   g.get("statement"), g.get("owner"), g.get("target_date"), s.get("status"),
                   letters, link("goals", "id", g["row"])]

    def measures() -> Iterator[list[Any]]:
        status = _by_row(result.get("measures", []))
        for m in card.get("measures", []):
            s = status.get(m["row"], status.get(m["id"], {}))
            yield [did, m["id"], m.get("goal_id"), m.get("name"), m.get("unit"),
                   m.get("direction"), m.get("baseline"), m.get("target"), m.get("target_date"),
                   s.get("latest_period"), s.get("latest_actual"), s.get("expected"),
                   s.get("progress"), s.get("status"), link("measures", "id", m["row"])]

    def actions() -> Iterator[list[Any]]:
        schedule = _by_row(result.get("actions", []))
        for a in card.get("actions", []):
            yield [did, a["id"], a.get("goal_id"), a.get("description"), a.get("owner"),
                   a.get("due_date"), a.get("status"),
                   schedule.get(a["row"], schedule.get(a["id"], {})).get("schedule"),
                   a.get("funding_source"), a.get("cost"), link("actions", "id", a["row"])]

    def updates() -> Iterator[list[Any]]:
        rows = {u["month"]: u for u in card.get("monthly_updates", [])}
        for u in result.get("updates", []):
            row = rows.get(u["month"], {})
            yield [did, u["month"], u["status"], row.get("submitted_on"),
                   row.get("submitted_by"), row.get("milestones"), row.get("successes"),
                   row.get("roadblocks"), row.get("changes"), row.get("support_needed"),
                   link("monthly_updates", "submitted_on", row["row"]) if row else None]

    def issues() -> Iterator[list[Any]]:
        identity = FindingsReport.from_dicts(o.findings)  # is this the district's workbook
        for row in identity.rows(ISSUE_COLUMNS):
            yield [did, *row, Link(source, row[0], row[1], folder) if row[1] else None]
        if not o.ok and identity.valid:
            yield [did, None, None, "error", "unreadable", o.reason, None]
        for row in FindingsReport.from_dicts(result.get("findings", [])).rows(ISSUE_COLUMNS):
            yield [did, *row, Link(source, row[0], row[1], folder) if row[1] else None]

    return {"Goals": goals(), "Measures": measures(), "Actions": actions(),
            "Updates": updates(), "Issues": issues()}


def write_master(path: Path, outcomes: Iterable[Outcome], history: Iterable[tuple[Any, ...]],
                 trend: list[tuple[str, int, int]], period: str,
                 source_of: Callable[[Outcome], str], level: str = "district",
                 extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None
                 ) -> Path:
    """Write the master workbook to ``path`` atomically, streaming rows sheet by sheet.

    ``level`` "school" heads the cohort's columns School ID and School; ``extra`` sheets
    (name: columns and rows, a school cohort's Alignment sheets) follow the others."""
    path = Path(path)
    lock = lock_file(path)
    if lock is not None:
        raise OutputLocked(str(path), lock.name)
    problem = folder_problem(path.parent)
    if problem:
        raise NotWritable(path, "the cohort master", problem)
    for stale in path.parent.glob(f".{path.stem}.*.xlsx"):  # left by a pull that was killed
        stale.unlink(missing_ok=True)
    try:
        with replacing(path, suffix=".xlsx") as tmp:
            _write(tmp, path.parent, outcomes, history, trend, period, source_of, level,
                   extra or {})
    except FileLocked as exc:  # Windows: held open by a program
        raise OutputLocked(str(path), exc.lock.name if exc.lock else None) from None
    except FolderNotWritable as exc:
        raise NotWritable(path, "the cohort master", f"you cannot write in the folder "
                          f"{path.parent} ({exc.reason})") from None
    return path


class _Sheet:
    """One master sheet: header row by xlsxwriter, data rows through a ``RowStream``."""

    def __init__(self, wb: Any, name: str, formats: dict[str, Any], footer: str,
                 beside: tuple[Col, ...] = (), cols: tuple[Col, ...] | None = None) -> None:
        self.ws = wb.add_worksheet(name)
        _page_setup(self.ws, footer)
        self.cols = cols or SHEETS[name]
        self.ws.set_row(0, row_height([(c.header, c.width) for c in (*self.cols, *beside)],
                                      bold=True))
        self.beside = beside  # a small table to the right (the Summary's trend)
        self.beside_at = len(self.cols) + 1
        self.xf = {kind: fmt._get_xf_index() for kind, fmt in formats.items()
                   if kind != "status"}
        self.formats = formats
        from sheetsync.master.xlsx_stream import RowStream

        self.stream = RowStream(self.ws)
        self.row = 1
        for c, col in enumerate(self.cols):
            self.ws.write_string(0, c, col.header, formats["header"])
            self.ws.set_column(c, c, col.width)
        for i, col in enumerate(beside):
            self.ws.write_string(0, self.beside_at + i, col.header, formats["header"])
            self.ws.set_column(self.beside_at + i, self.beside_at + i, col.width)
        self.ws.freeze_panes(1, 1)

    def _cells(self, cols: tuple[Col, ...], values: list[Any],
               offset: int) -> list[tuple[int, Any, int | None]]:
        xf = self.xf
        out: list[tuple[int, Any, int | None]] = []
        for c, (col, v) in enumerate(zip(cols, values, strict=True), offset):
            if v is None or v == "":
                continue
            if isinstance(v, Link):
                out.append((c, (v.label, v.url), xf["link"] if v.url else None))
            elif col.kind == "date" and isinstance(v, str):
                out.append((c, _parse_when(v), xf["date"]))
            elif isinstance(v, int | float) and not isinstance(v, bool):
                out.append((c, v, xf.get(col.kind)))
            else:
                out.append((c, v, None))  # text stays text, whatever it begins with
        return out

    def write(self, values: list[Any] | None, beside: list[Any] | None = None) -> None:
        cells = self._cells(self.cols, values, 0) if values else []
        if beside:
            cells += self._cells(self.beside, beside, self.beside_at)
        self.stream.write(self.row, cells)
        if values:
            self.data_rows = self.row
        self.row += 1

    data_rows = 0

    def finish(self) -> None:
        last = max(self.data_rows, 1)
        _add_streamed_table(self.ws, last, len(self.cols) - 1, {
            "columns": [{"header": c.header} for c in self.cols], "style": "Table Style Light 9",
            "name": self.ws.name.replace(" ", "") + "Table"})
        for c, col in enumerate(self.cols):
            if col.kind == "status":
                for value, fmt in self.formats["status"].items():
                    self.ws.conditional_format(1, c, last, c, {
                        "type": "cell", "criteria": "==", "value": f'"{value}"', "format": fmt})


def _page_setup(ws: Any, footer: str) -> None:
    """Landscape Letter, one page wide, the header row on every page, and a footer naming
    the master, the sheet and the page."""
    ws.set_landscape()
    ws.set_paper(1)  # Letter
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(**{k: MARGINS[k] for k in ("left", "right", "top", "bottom")})
    ws.set_footer(f"&L{footer}&C&A&R{PAGE_FOOTER_RIGHT}", {"margin": MARGINS["footer"]})


def _add_streamed_table(ws: Any, last_row: int, last_col: int, options: dict[str, Any]) -> None:
    """An Excel Table over rows already streamed to disk (constant_memory mode).

    xlsxwriter refuses add_table() in constant_memory mode because it would write the
    header cells into rows already flushed. Here the header cells are already written, so:
    flush the pending row, register the table with streaming briefly off, and drop the
    in-memory header cells it adds. The table part itself is plain metadata.
    """
    ws._write_single_row(ws.previous_row + 1)
    ws.constant_memory = False
    try:
        ws.add_table(0, 0, last_row, last_col, options)
    finally:
        ws.table.clear()
        ws.table_cells.clear()  # only used to refuse overlapping tables; ours never overlap
        ws.constant_memory = True


def _parse_when(text: str) -> datetime:
    return datetime.fromisoformat(text) if "T" in text or " " in text else \
        datetime.combine(date.fromisoformat(text), datetime.min.time())


def master_rows(outcomes: Iterable[Outcome], history: Iterable[tuple[Any, ...]],
                period: str, folder: Path,
                source_of: Callable[[Outcome], str]) -> Iterator[tuple[str, list[Any]]]:
    """Every row of the master, as (sheet name, values), each sheet's rows in order.

    Both writers (.xlsx here, Google Sheets in ``google.master``) consume this, so the two
    masters cannot differ. District rows stream one district at a time.
    """
    for o in outcomes:
        s = o.summary or district_summary(o, period)
        stale = o.stale
        yield "Summary", [
            o.district_id, o.name, READ_STALE if stale else READ_OK if o.ok else READ_FAILED,
            stale or o.reason or _warnings(o), o.source,
            o.modified, o.pulled_at, s.get("template_version"), s.get("goals"),
            s.get("measures"), *(s[k] for k in STATUS_COLUMNS), s.get("overdue"),
            s.get("coverage"), s.get("smart"), s.get("errors"), s.get("warnings"),
            s.get("update"), s.get("late_updates")]
        for name, rows in district_rows(o, folder, source_of(o)).items():
            for values in rows:
                yield name, values
    for row in history:
        yield "History", list(row)


def _warnings(o: Outcome) -> str | None:
    return "; ".join(f["message"] for f in o.findings) or None


def trend_rows(trend: list[tuple[str, int, int]]) -> list[list[Any]]:
    """The share-on-track table shown beside the summary: month, good, with data, share."""
    return [[m, good or 0, total or 0, (good or 0) / total if total else 0]
            for m, good, total in trend]


def headed(cols: tuple[Col, ...], level: str) -> tuple[Col, ...]:
    """A sheet's columns as a cohort of ``level`` heads them ("School ID", "School")."""
    say = level_of(level).say
    return tuple(Col(say(c.header), c.width, c.kind) for c in cols)


def _write(path: Path, folder: Path, outcomes: Iterable[Outcome],
           history: Iterable[tuple[Any, ...]], trend: list[tuple[str, int, int]], period: str,
           source_of: Callable[[Outcome], str], level: str = "district",
           extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
    formats = {"header": wb.add_format({"bold": True, "bg_color": css(NAVY),
                                        "font_color": css(WHITE), "text_wrap": True}),
               "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "percent": wb.add_format({"num_format": "0%"}),
               "number": wb.add_format({"num_format": "0.0##"}),
               "link": wb.add_format({"font_color": css(LINK_BLUE), "underline": 1}),
               "status": {k: wb.add_format({"bg_color": bg, "font_color": fg})
                          for k, (bg, fg) in COLOURS.items()}}
    footer = footer_text(f"Cohort master · {period_label(period)}")
    sheets = {name: _Sheet(wb, name, formats, footer,
                           TREND_COLUMNS if name == "Summary" else (), headed(cols, level))
              for name, cols in SHEETS.items()}
    more = {name: _Sheet(wb, name, formats, footer, cols=cols)
            for name, (cols, _) in (extra or {}).items()}
    summary = sheets["Summary"]
    pending = trend_rows(trend)
    for name, values in master_rows(outcomes, history, period, folder, source_of):
        sheet = sheets[name]
        beside = pending[sheet.row - 1] if name == "Summary" and sheet.row <= len(pending) \
            else None  # the trend table sits beside the first summary rows
        sheet.write(values, beside)
    while summary.row <= len(pending):
        summary.write(None, pending[summary.row - 1])
    for name, (_, rows) in (extra or {}).items():
        for values in rows:
            more[name].write(values)
    for sheet in (*sheets.values(), *more.values()):
        sheet.finish()
    _charts(wb, summary.ws, summary.data_rows, summary.beside_at, len(pending), level)
    wb.close()


CHART_WIDTH, LINE_HEIGHT, ROW_PIXELS = 540, 288, 20  # pixels; rows of the default height


@dataclass(frozen=True)
class ChartPlace:
    row: int  # 0-based, in the trend table's first column
    width: int
    height: int


def chart_places(districts: int, months: int) -> dict[str, ChartPlace]:
    """Where the Summary's charts go (both masters): under the trend table, one below the
    other, the share on track by month first, then the status mix per district (as tall as
    the districts need); by computed rows, so they never overlap."""
    places = {}
    top = months + 2  # a blank row under the trend table
    if months:
        places["trend"] = ChartPlace(top, CHART_WIDTH, LINE_HEIGHT)
        top += -(-LINE_HEIGHT // ROW_PIXELS) + 1
    if districts:
        places["status"] = ChartPlace(top, CHART_WIDTH, max(320, 18 * districts + 80))
    return places


def _charts(wb: Any, ws: Any, districts: int, trend_at: int,
            months: int, level: str = "district") -> None:
    places = chart_places(districts, months)
    if "trend" in places:
        line = wb.add_chart({"type": "line"})
        line.add_series({"name": "Share on track or met",
                         "categories": ["Summary", 1, trend_at, months, trend_at],
                         "values": ["Summary", 1, trend_at + 3, months, trend_at + 3],
                         "marker": {"type": "circle"}})
        line.set_title({"name": "Share of measures on track, by month"})
        line.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        place = places["trend"]
        line.set_size({"width": place.width, "height": place.height})
        ws.insert_chart(place.row, trend_at, line)
    if "status" in places:
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        first = [c.header for c in SHEETS["Summary"]].index(STATUS_COLUMNS[0])
        for i, status in enumerate(STATUS_COLUMNS):
            chart.add_series({"name": ["Summary", 0, first + i],
                              "categories": ["Summary", 1, 0, districts, 0],
                              "values": ["Summary", 1, first + i, districts, first + i],
                              "fill": {"color": COLOURS[status][0]}})
        chart.set_title({"name": level_of(level).say("Measures by status, per district")})
        place = places["status"]
        chart.set_size({"width": place.width, "height": place.height})
        ws.insert_chart(place.row, trend_at, chart)


def _by_row(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """A result's statuses by the row they belong to (each row its own, a duplicated id
    too) and by id (the first row's, for results stored before rows were)."""
    out: dict[Any, dict[str, Any]] = {}
    for item in reversed(items):
        out[item["id"]] = item
    for item in items:
        if "row" in item:
            out[item["row"]] = item
    return out
