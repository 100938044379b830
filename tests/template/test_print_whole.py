"""A filled workbook prints whole: a district's scorecard and a school's plan, printed by
LibreOffice and read back page by page (``tests/printed.py``).

What the district's printout showed before (issue 23): strategic goal titles cut at the
column's edge ("Every student reads and computes on"), the 42 Measures columns on pages
without their statuses, monitoring methods cut, pages of empty grey rows, the Instructions
shrunk to half a page. Here: no page holds only empty rows (the prepared rows below the
open ones are hidden); every text a row holds is printed whole; the first Measures
page holds what is measured and where it stands, the months follow; the Instructions print
at their own size across the page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.schema.layout import SheetLayout, entity_sheets
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.pages import OPEN_ROWS, OPEN_ROWS_EMPTY
from sheetsync.template.school_examples import write_school_examples
from sheetsync.template.workbook import build_template, save_atomic
from tests.printed import Page, needs_pdf, printed, squashed

AS_OF = date(2027, 1, 20)
LONG_TITLE = "Every student reads, writes and computes on grade level by the end of grade 3"


@pytest.fixture(scope="module", params=["district", "school"])
def workbook(request: pytest.FixtureRequest, examples: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An example district's scorecard, or an example school's plan."""
    if request.param == "district":
        return sorted((examples / "districts").glob("*.xlsx"))[0]
    return write_school_examples(tmp_path_factory.mktemp("schools"), AS_OF)[1].path


@pytest.fixture(scope="module")
def pages(workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    return printed(workbook, tmp_path_factory.mktemp("pdf"))


def _layout(path: Path) -> Any:
    wb = openpyxl.load_workbook(path)
    level = "school" if "School Profile" in wb.sheetnames else "district"
    return wb, scorecard_layout("2026-27", level)  # type: ignore[arg-type]


def _rows(ws: Any, sheet: SheetLayout) -> list[dict[str, Any]]:
    """The sheet's rows as written: {column key or slot: value}, down to the first row
    with no id."""
    out = []
    for r in range(sheet.first_data_row, sheet.last_data_row + 1):
        row = {c.slot: ws[f"{c.letter}{r}"].value for c in sheet.columns}
        if row[sheet.columns[0].slot] is None:
            break
        out.append(row)
    return out


@needs_pdf
def test_no_page_holds_only_empty_rows(workbook, pages):
    """Every page of a table has something besides its title, header row and footer."""
    wb, layout = _layout(workbook)
    for sheet in entity_sheets(layout):
        ws = wb[sheet.name]
        frame = {w for cell in ("A1", "A2") for w in str(ws[cell].value or "").split()}
        frame |= {w for c in sheet.columns for w in c.header.split()}
        sheet_pages = [p for p in pages if p.sheet == sheet.name]
        assert sheet_pages, sheet.name
        for page in sheet_pages:
            frame_and_footer = frame | {w for part in page.footer for w in part.split()}
            assert {w.text for w in page.words} - frame_and_footer, \
                f"{sheet.name}: page {page.number} holds only empty rows"


@needs_pdf
def test_every_text_a_row_holds_prints_whole(workbook, pages):
    """Titles, statements, descriptions, measure names, monitoring methods, statuses and
    every other text or choice: whole on its sheet's pages, not cut at the column's edge."""
    wb, layout = _layout(workbook)
    checked = 0
    for sheet in entity_sheets(layout):
        printed_text = squashed("".join(p.text for p in pages if p.sheet == sheet.name))
        texts = [str(row[c.slot]) for row in _rows(wb[sheet.name], sheet)
                 for c in sheet.columns if c.type in ("text", "choice", "id", "reference")
                 and isinstance(row[c.slot], str)]
        cut = [t for t in texts if squashed(t) not in printed_text]
        assert cut == [], f"{sheet.name}: {cut[:5]}"
        checked += len(texts)
    assert checked > 100


@needs_pdf
def test_measures_print_what_is_measured_and_where_it_stands_then_the_months(workbook,
                                                                             pages):
    wb, layout = _layout(workbook)
    sheet = layout.sheet("measures")
    measures = [p for p in pages if p.sheet == sheet.name]
    reading = [squashed(sheet.column(k).header) for k in (
        "id", "goal_id", "name", "baseline", "target", "latest_period", "latest_actual",
        "status")]
    months = [squashed(c.header) for c in sheet.columns if c.key == "actual"]
    first = squashed(measures[0].text)
    assert [h for h in reading if h not in first] == []
    assert [h for h in months if h in first] == []  # the months come after
    later = squashed("".join(p.text for p in measures[1:]))
    assert [h for h in months if h not in later] == []
    ids = [row["id"] for row in _rows(wb[sheet.name], sheet)]
    with_status = [p for p in measures if "Status" in p.text]
    assert len(ids) > 5
    assert [i for i in ids if not any(i in p.text.split() for p in with_status)] == []
    assert min(p.text_height for p in measures) >= 8.5  # 7-point text, not 4


@needs_pdf
def test_the_instructions_print_at_their_own_size_across_the_page(workbook, pages):
    """Not shrunk to fit two pages (text 5.5 points tall across half the page before)."""
    _, layout = _layout(workbook)
    instructions = [p for p in pages if p.sheet == layout.instructions_sheet]
    assert min(p.text_height for p in instructions) >= 11  # 10-point text's boxes
    widest = max(w.right for p in instructions for w in p.words)
    assert widest > 0.8 * instructions[0].width


# -- the rows prepared, written and hidden (no LibreOffice) ---------------------------------

ROWS = {"strategic_goals": [{"id": "SG1", "title": LONG_TITLE},
                            {"id": "SG2", "title": "Safe schools"}]}


def _hidden(ws: Any, sheet: SheetLayout) -> list[int]:
    return [r for r in range(sheet.first_data_row, sheet.last_data_row + 1)
            if ws.row_dimensions[r].hidden]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("t") / "t.xlsx"
    return openpyxl.load_workbook(save_atomic(build_template(rows=ROWS), path))


def test_the_prepared_rows_below_the_open_ones_are_hidden_not_emptied(written):
    layout = scorecard_layout()
    for sheet in entity_sheets(layout):
        ws = written[sheet.name]
        filled = len(ROWS.get(sheet.entity, ())) or \
            (len(layout.update_periods) if sheet.entity == "monthly_updates" else 0)
        last_open = min(sheet.last_data_row,
                        sheet.first_data_row + filled - 1 + (OPEN_ROWS if filled
                                                              else OPEN_ROWS_EMPTY))
        assert _hidden(ws, sheet) == list(range(last_open + 1, sheet.last_data_row + 1)), \
            sheet.name
        computed = [c for c in sheet.columns if not c.is_input]
        if computed:  # still prepared: a district that shows them types into them
            cell = ws[f"{computed[0].letter}{sheet.last_data_row}"]
            assert str(cell.value).startswith("="), sheet.name


def test_long_text_wraps_in_rows_tall_enough_and_the_rows_typed_later_grow(written):
    sheet = scorecard_layout().sheet("strategic_goals")
    ws = written[sheet.name]
    title = sheet.column("title")
    assert ws[f"{title.letter}5"].alignment.wrap_text
    assert ws.column_dimensions[title.letter].alignment.wrap_text  # rows typed later too
    assert ws.row_dimensions[5].height >= 2 * 12  # LONG_TITLE takes three lines
    assert ws.row_dimensions[6].height is None  # one line: Excel and LibreOffice size it
    assert ws.row_dimensions[7].height is None  # an open row grows as it is typed into
