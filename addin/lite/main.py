"""sheetsync in xlwings Lite (Excel on Windows, Mac and the web).

Paste this file into xlwings Lite's main.py and requirements.txt into its requirements.txt.
The SHEETSYNC_* functions then work in any cell of the workbook, and the Run menu offers
two scripts:

- "Check workbook": checks every sheet, lists the findings on an Issues sheet (with a link
  to each cell) and colours the cells with errors and warnings;
- "Refresh status": writes every status, as sheetsync computes it, to a Status sheet and
  recalculates the workbook.

The functions and the check are sheetsync's own (the same engine as `sheetsync check`);
this file only reads the sheets and writes the results.
"""

import xlwings as xw
from xlwings import script

from sheetsync.udfs import (  # noqa: F401  (imported here, they are registered)
    SHEETSYNC_ALIGNMENT,
    SHEETSYNC_CHECK,
    SHEETSYNC_EXPECTED,
    SHEETSYNC_PROGRESS,
    SHEETSYNC_SMART,
    SHEETSYNC_STATUS,
    check_grids,
    findings_table,
    status_table,
)

ISSUES = "Issues"
STATUS = "Status"
OWN_SHEETS = {ISSUES, STATUS, "xlwings.conf"}  # never read as part of the scorecard
MARK_CELLS = True  # colour the cells of errors and warnings; False leaves the sheets as they are
FILL = {"error": "#FFC7CE", "warning": "#FFEB9C"}  # the template's Off Track / At Risk colours


@script(name="Check workbook")
def check_workbook(book: xw.Book):
    """Check every sheet; list the findings on the Issues sheet and colour their cells."""
    before = sheet_values(book, ISSUES)
    result = check_grids(workbook_grids(book))
    table = issues_table(findings_table(result))
    write_sheet(book, ISSUES, table)
    if MARK_CELLS:
        names = {s.name for s in book.sheets}
        for sheet, cell, colour in recolour(before, table):
            if sheet in names:  # a sheet marked last time may have been renamed since
                book.sheets[sheet][cell].color = colour
    counts = {s: sum(1 for f in result.findings if f.severity == s)
              for s in ("error", "warning", "info")}
    print(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes "
          f"(statuses as of {result.as_of}); see the {ISSUES} sheet.")


@script(name="Refresh status")
def refresh_status(book: xw.Book):
    """Write every status to the Status sheet and recalculate the workbook's formulas."""
    result = check_grids(workbook_grids(book))
    write_sheet(book, STATUS, status_table(result))
    book.app.calculate()


# -- What to write (plain Python, tested without Excel) ----------------------------------


def issues_table(findings):
    """``findings_table`` rows with a last column linking to each finding's cell."""
    header, *rows = findings
    out = [[*header, "Go to"]]
    for sheet, cell, severity, message in rows:
        link = ""
        if sheet and cell:
            target = "#'" + sheet.replace("'", "''") + "'!" + cell
            label = f"{sheet}!{cell}".replace('"', '""')
            link = f'=HYPERLINK("{target}","{label}")'
        out.append([sheet, cell, severity, message, link])
    return out


def marks(table):
    """{(sheet, cell): fill colour} for an Issues table; an error outranks a warning."""
    out = {}
    for row in table[1:]:
        sheet, cell, severity = row[0], row[1], row[2]
        if sheet and cell and severity in FILL and out.get((sheet, cell)) != FILL["error"]:
            out[(sheet, cell)] = FILL[severity]
    return out


def recolour(before, after):
    """(sheet, cell, colour) to apply: clear the last check's marks that are gone (None),
    then colour this check's."""
    old, new = marks(before), marks(after)
    return ([(s, c, None) for (s, c) in old if (s, c) not in new]
            + [(s, c, colour) for (s, c), colour in new.items() if old.get((s, c)) != colour])


# -- The workbook (xlwings' Book API) ----------------------------------------------------


def workbook_grids(book):
    """Every sheet's values from A1, as the checks read them (errors as '#DIV/0!')."""
    own = {n.lower() for n in OWN_SHEETS}
    return {s.name: _values(s) for s in book.sheets if s.name.lower() not in own}


def sheet_values(book, name):
    sheet = _sheet(book, name)
    return _values(sheet) if sheet is not None else []


def _sheet(book, name):
    return next((s for s in book.sheets if s.name.lower() == name.lower()), None)


def _values(sheet):
    last = sheet.used_range.last_cell
    rng = sheet.range((1, 1), (last.row, last.column))
    return rng.options(ndim=2, err_to_str=True).value or []


def write_sheet(book, name, rows):
    """Replace the contents of sheet ``name`` (added at the end if missing) with ``rows``."""
    sheet = _sheet(book, name)
    if sheet is not None:
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    sheet["A1"].value = rows
