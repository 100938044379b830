"""Writing the cohort master .xlsx: one workbook the consultant opens every month.

Sheets: Summary (one row per district, with the status mix chart and the share-on-track
trend), Goals, Measures, Actions, Updates, Issues and History. Every row that came from a
district's file carries a link to the cell it came from. The master is built from the store
alone (``sheetsync master rebuild`` does exactly what a pull does) and written atomically;
text from district cells is always written as text, never as a live formula. The rows are
streamed into xlsxwriter through ``master._xlsxwriter``. A cohort of a district's schools
heads those columns School ID and School, and adds the alignment baseline's sheets
(``alignment``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from sheetsync.cohort.places import folder_problem
from sheetsync.cohort.store import Outcome
from sheetsync.errors import FileLocked, FolderNotWritable, NotWritable, OutputLocked
from sheetsync.files import lock_file, replacing
from sheetsync.master import _xlsxwriter, layout
from sheetsync.master.assemble import (
    Encode,
    Placed,
    Stored,
    district_chunks,
    history_chunks,
    kinds_of,
    summary_data,
)
from sheetsync.master.cache import Cache
from sheetsync.master.fragments import Encoder
from sheetsync.master.layout import (
    COLOURS,
    HISTORY,
    SHEETS,
    STATUS_COLUMNS,
    TREND_COLUMNS,
    Col,
    ExcelLimitWarning,
    chart_places,
    headed,
    history_sheets,
)
from sheetsync.master.package import Digest, write_package
from sheetsync.master.summary import trend_rows
from sheetsync.schema.level import level_of
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import LINK_BLUE, NAVY, WHITE, css
from sheetsync.template.printing import MARGINS, PAGE_FOOTER_RIGHT, footer_text, row_height


def write_master(path: Path, outcomes: Iterable[Outcome | Stored],
                 history: Iterable[tuple[Any, ...]],
                 trend: list[tuple[str, int, int]], period: str,
                 source_of: Callable[[Outcome], str], level: str = "district",
                 extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None,
                 properties: Mapping[str, str] | None = None,
                 history_months: Mapping[str, int] | None = None, cache: Cache | None = None,
                 created: datetime | None = None, digest: Digest | None = None,
                 elsewhere: Encode | None = None) -> Path:
    """Write the master workbook to ``path`` atomically, streaming rows sheet by sheet.

    ``level`` "school" heads the cohort's columns School ID and School; ``extra`` sheets
    (name: columns and rows, a school cohort's Alignment sheets) follow the others;
    ``properties`` are kept as the workbook's custom document properties (what the master
    was built from). ``history_months`` (each month's History rows,
    ``Store.history_counts``) lets History past Excel's row limit go to one sheet per term
    (``layout.history_sheets``); a sheet whose rows ask for more links than Excel holds gets
    one per district row instead. Each such change is said as an ``ExcelLimitWarning``. A
    full disk is ``NotWritable``; the master there stays whole.

    ``outcomes`` may be ``assemble.Stored`` districts, whose rows ``cache`` (``master.cache``)
    may hold from an earlier master: only districts it does not hold are encoded, and the
    file is the same either way. ``created`` is the workbook's creation time (default:
    now): given, the same store gives the same bytes. ``digest`` (a hash) is given the
    file's bytes as they are written. ``elsewhere`` encodes the districts the cache does not
    hold (on other cores, ``master.cores``); the file is the same."""
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
        with replacing(path, suffix=".xlsx") as tmp, open(tmp, "wb", WRITE_BUFFER) as out:
            _write(out, path.parent, outcomes, history, trend, period, source_of, level,
                   extra or {}, properties or {}, history_sheets(dict(history_months or {})),
                   cache, created, digest, elsewhere)
    except FileLocked as exc:  # Windows: held open by a program
        raise OutputLocked(str(path), exc.lock.name if exc.lock else None) from None
    except FolderNotWritable as exc:
        raise NotWritable(path, "the cohort master", f"you cannot write in the folder "
                          f"{path.parent} ({exc.reason})") from None
    except _xlsxwriter.WRITE_ERRORS as exc:  # a full disk, say
        raise NotWritable(path, "the cohort master", f"{exc} (the disk may be full); the "
                          "master there was not changed") from None
    return path


WRITE_BUFFER = 1 << 20  # bytes: the master is written in thousands of small pieces


class _Sheet:
    """One master sheet as xlsxwriter writes it (header row, widths, page set-up, Table,
    colours); its data rows are put in after (``assemble.Placed``, ``master.package``)."""

    def __init__(self, wb: Any, name: str, formats: dict[str, Any], footer: str,
                 beside: tuple[Col, ...] = (), cols: tuple[Col, ...] | None = None) -> None:
        self.ws = wb.add_worksheet(name)
        _xlsxwriter.plain_formulas(self.ws)
        _page_setup(self.ws, footer, across=name == "Summary")
        self.cols = cols or SHEETS[name]
        self.ws.set_row(0, row_height([(c.header, c.width) for c in (*self.cols, *beside)],
                                      bold=True))
        self.beside = beside  # a small table to the right (the Summary's trend)
        self.beside_at = len(self.cols) + 1
        self.formats = formats
        self.placed = Placed(name, kinds_of(self.cols))
        self.data_rows = 0  # rows with a district's values
        for c, col in enumerate(self.cols):
            self.ws.write_string(0, c, col.header, formats[_header(col)])
            self.ws.set_column(c, c, col.width)
        for i, col in enumerate(beside):
            self.ws.write_string(0, self.beside_at + i, col.header, formats[_header(col)])
            self.ws.set_column(self.beside_at + i, self.beside_at + i, col.width)
        self.ws.freeze_panes(1, 1)

    @property
    def member(self) -> str:
        return f"xl/worksheets/sheet{self.ws.index + 1}.xml"

    def finish(self) -> None:
        """The Table and status colours over the data rows."""
        last = max(self.data_rows, 1)
        _fit_links(self)
        _xlsxwriter.add_streamed_table(self.ws, last, len(self.cols) - 1, {
            "columns": [{"header": c.header} for c in self.cols], "style": "Table Style Light 9",
            "name": re.sub(r"\W", "", self.ws.name) + "Table"})
        for c, col in enumerate(self.cols):
            if col.kind == "status":
                for value, fmt in self.formats["status"].items():
                    self.ws.conditional_format(1, c, last, c, {
                        "type": "cell", "criteria": "==", "value": f'"{value}"', "format": fmt})


# -- Excel's limits (layout.MAX_ROWS, _xlsxwriter.MAX_LINKS) ---------------------------------


def _fit_links(sheet: _Sheet) -> None:
    """A sheet whose rows asked for more links than Excel holds keeps one per district row
    (each district's first row, into its file) instead of the first ``MAX_LINKS``, and says
    so."""
    placed = sheet.placed
    if placed.every_link:
        return
    kept = min(placed.kept, _xlsxwriter.MAX_LINKS)
    warnings.warn(ExcelLimitWarning(
        f"the master's {sheet.ws.name} sheet has {placed.links:,} source-cell links, more "
        f"than Excel allows in a sheet ({_xlsxwriter.MAX_LINKS:,}): it keeps one link per "
        f"district ({kept:,}), on each district's first row"), stacklevel=2)


def _history_sheets(wb: Any, plan: Mapping[str, str], cols: tuple[Col, ...],
                    make: Callable[[str, tuple[Col, ...]], _Sheet]) -> dict[str, _Sheet]:
    """The History sheet, or one per term (``layout.history_sheets``) for each month that
    has rows, by month; said when History is split."""
    names = list(dict.fromkeys(plan.values())) or [HISTORY]
    made = {name: make(name, cols) for name in names}
    if names != [HISTORY]:
        warnings.warn(ExcelLimitWarning(
            f"the master's History is too long for one Excel sheet ({layout.MAX_ROWS - 1:,} "
            f"rows): it is split into {len(names)} sheets, "
            f"{names[0]!r} to {names[-1]!r}; the store keeps the whole year"), stacklevel=3)
    return {period: made[name] for period, name in plan.items()} | {"": made[names[0]]}


def _say_left_out(left_out: Mapping[str, int]) -> None:
    """Rows past Excel's last row, left out of a sheet (still in the store), said."""
    for name, n in left_out.items():
        warnings.warn(ExcelLimitWarning(
            f"the master's {name} sheet is full at Excel's {layout.MAX_ROWS:,} rows: {n:,} "
            f"more row{' is' if n == 1 else 's are'} left out of it (the store keeps every "
            "row: `sheetsync export tables` writes them all)"), stacklevel=3)


NUMERIC = ("int", "number", "percent", "date")  # set right, with a space after
PRINT_SCALE = 85  # percent: the Summary's 11 pt text prints at about 9 pt


def _header(col: Col) -> str:
    """A numeric column's header sits right, over its numbers."""
    return "header_n" if col.kind in NUMERIC else "header"


def _page_setup(ws: Any, footer: str, across: bool = False) -> None:
    """Landscape Letter, the header row on every page, and a footer naming the master, the
    sheet and the page. One page wide; ``across`` (the Summary, too wide to shrink onto
    one): at ``PRINT_SCALE``, on as many pages across as it needs, read across then down,
    each page starting with the district's id and name."""
    ws.set_landscape()
    ws.set_paper(1)  # Letter
    if across:
        ws.set_print_scale(PRINT_SCALE)
        ws.repeat_columns(0, 1)
        ws.print_across()
    else:
        ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(**{k: MARGINS[k] for k in ("left", "right", "top", "bottom")})
    ws.set_footer(f"&L{footer}&C&A&R{PAGE_FOOTER_RIGHT}", {"margin": MARGINS["footer"]})


def _write(out: BinaryIO, folder: Path, outcomes: Iterable[Outcome | Stored],
           rows_of_history: Iterable[tuple[Any, ...]], trend: list[tuple[str, int, int]],
           period: str,
           source_of: Callable[[Outcome], str], level: str = "district",
           extra: Mapping[str, tuple[tuple[Col, ...], list[list[Any]]]] | None = None,
           properties: Mapping[str, str] | None = None,
           plan: Mapping[str, str] | None = None, cache: Cache | None = None,
           created: datetime | None = None, digest: Digest | None = None,
           elsewhere: Encode | None = None) -> None:
    skeleton = BytesIO()
    wb = _xlsxwriter.new_workbook(skeleton, {  # header rows only: built in memory
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"created": created or datetime.now(UTC)})
    for name, value in (properties or {}).items():
        wb.set_custom_property(name, value)
    head = {"bold": True, "bg_color": css(NAVY), "font_color": css(WHITE), "text_wrap": True,
            "valign": "top"}
    # Numbers sit right, under right-set headers, and "_)" pads each with a space as wide
    # as ")" (an indent would do in Excel, but LibreOffice ignores it on the right), so a
    # number keeps clear of the text beginning the next column.
    # Text sits left, one character in, clear of a number ending the column before.
    right, left = {"align": "right"}, {"indent": 1}
    formats = {"header": wb.add_format({**head, **left}),
               "text": wb.add_format(left),
               "header_n": wb.add_format({**head, **right}),
               "date": wb.add_format({"num_format": "yyyy-mm-dd_)", **right}),
               "percent": wb.add_format({"num_format": "0%_)", **right}),
               # General: as many significant digits as the cell shows (0.42 vs 0.4165)
               "number": wb.add_format({"num_format": "General", **right}),
               "int": wb.add_format({"num_format": "0_)", **right}),
               "link": wb.add_format({"font_color": css(LINK_BLUE), "underline": 1, **left}),
               "status": {k: wb.add_format({"bg_color": bg, "font_color": fg})
                          for k, (bg, fg) in COLOURS.items()}}
    encoder = Encoder({kind: _xlsxwriter.xf_index(fmt) for kind, fmt in formats.items()
                       if kind != "status"})
    cache = cache or Cache(None)
    footer = footer_text(f"Cohort master · {period_label(period)}")
    sheets = {name: _Sheet(wb, name, formats, footer,
                           TREND_COLUMNS if name == "Summary" else (), headed(cols, level))
              for name, cols in SHEETS.items() if name != HISTORY}
    history = _history_sheets(wb, plan or {}, headed(SHEETS[HISTORY], level),
                              lambda name, cols: _Sheet(wb, name, formats, footer, cols=cols))
    more = {name: _Sheet(wb, name, formats, footer, cols=cols)
            for name, (cols, _) in (extra or {}).items()}
    for sheet in (*sheets.values(), *history.values(), *more.values()):
        sheet.placed.settle = cache.path is not None  # packed for the cache as they go
    summary = sheets["Summary"]
    summaries = []
    kinds = {name: sheet.placed.kinds for name, sheet in sheets.items()}
    for chunks in district_chunks(outcomes, cache, encoder, kinds, period, folder, source_of,
                                  elsewhere):
        summaries.append(chunks.pop("Summary"))
        for name, chunk in chunks.items():
            sheets[name].placed.add(chunk)
    by_name = {sheet.ws.name: sheet for sheet in history.values()}
    for name, chunk in history_chunks(rows_of_history, {p: s.ws.name for p, s in
                                                        history.items() if p}, cache, encoder,
                                      kinds_of(headed(SHEETS[HISTORY], level))):
        (by_name.get(name) or history[""]).placed.add(chunk)
    for name, (_, rows) in (extra or {}).items():
        more[name].placed.add(encoder.chunk(more[name].placed.kinds, rows))
    every = (*sheets.values(), *dict.fromkeys(history.values()), *more.values())
    _say_left_out({s.ws.name: s.placed.left_out for s in every if s.placed.left_out})
    pending = trend_rows(trend)
    summary.data_rows = len(summaries)
    data = {summary.member: summary_data(encoder, summaries, pending,
                                         kinds_of(TREND_COLUMNS), summary.beside_at)}
    for sheet in every:
        if sheet is not summary:
            sheet.data_rows = sheet.placed.rows
            data[sheet.member] = sheet.placed.data()
        sheet.finish()
    _charts(wb, summary.ws, summary.data_rows, summary.beside_at, len(pending), level)
    wb.close()
    write_package(out, skeleton.getvalue(), data, digest)
    cache.save()


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


