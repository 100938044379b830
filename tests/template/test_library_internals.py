"""sheetsync uses a few internals of xlsxwriter (master/_xlsxwriter.py) and openpyxl
(template/_openpyxl.py). Each module names the versions it was written for; pyproject.toml
pins the same range; these tests say so clearly when the installed library is outside it,
and check that each hook still produces what it should."""

from __future__ import annotations

import re
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from sheetsync.master import _xlsxwriter
from sheetsync.template import _openpyxl

ROOT = Path(__file__).resolve().parents[2]


def pinned(name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The >=X.Y,<X.Z range pyproject.toml gives ``name``."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if re.match(rf"{name}\b", d, re.I)).split(";")[0]
    found = re.fullmatch(rf"{name}>=(\d+)\.(\d+),<(\d+)\.(\d+)", spec.strip(), re.I)
    assert found, f"pyproject.toml should pin {name} as >=X.Y,<X.Z, not {spec!r}"
    a, b, c, d = map(int, found.groups())
    return (a, b), (c, d)


@pytest.mark.parametrize(("name", "module", "installed"), [
    ("xlsxwriter", _xlsxwriter, xlsxwriter.__version__),
    ("openpyxl", _openpyxl, openpyxl.__version__)])
def test_the_installed_library_is_the_one_the_hooks_were_written_for(
        name: str, module: object, installed: str) -> None:
    low, high = module.TESTED  # type: ignore[attr-defined]
    where = f"src/sheetsync/{module.__name__.split('.', 1)[1].replace('.', '/')}.py"  # type: ignore[attr-defined]
    assert low <= module.version() < high, (  # type: ignore[attr-defined]
        f"{name} {installed} is installed, but the hooks in {where} were written for "
        f"{name} {low[0]}.{low[1]} up to {high[0]}.{high[1]}: read that module's docstring, "
        f"check each hook against {name} {installed}, then widen TESTED there and the pin "
        "in pyproject.toml")
    assert pinned(name) == (low, high), f"pyproject.toml pins {name} apart from {where}"


TEXTS = ["=1+1 <b> & _x0041_ \x01", " spaced ", "plain", "tab\there", "\x0b\x1f end",
         "odd \ufffe\uffff", "_x005F_ kept"]


def test_escape_serial_and_url_parts_write_what_xlsxwriter_writes(tmp_path: Path) -> None:
    """The master's cells are encoded without xlsxwriter (``master.fragments``): its text,
    dates and links must come out as xlsxwriter itself writes them."""
    path = tmp_path / "inline.xlsx"
    wb = _xlsxwriter.new_workbook(path, {"constant_memory": True})  # inline strings
    ws = wb.add_worksheet("Rows")
    for r, text in enumerate(TEXTS):
        ws.write_string(r, 0, text)
    when = date(2027, 1, 31)
    ws.write_datetime(len(TEXTS), 0, when, wb.add_format({"num_format": "yyyy-mm-dd"}))
    url = "external:districts/a b&c.xlsx#'Goals'!B7"
    ws.write_url(len(TEXTS) + 1, 0, url, string="Goals!B7")
    wb.close()
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    shown = re.findall(r"<is><t(?: xml:space=\"preserve\")?>(.*?)</t></is>", sheet)
    assert shown[:len(TEXTS)] == [_xlsxwriter.escape(t) for t in TEXTS]
    number = re.search(rf'<c r="A{len(TEXTS) + 1}"[^>]*><v>([^<]+)</v>', sheet)
    assert number and float(number.group(1)) == _xlsxwriter.serial(when)
    target, anchor = _xlsxwriter.url_parts(url)
    written = re.search(r'Target="([^"]+)" TargetMode="External"', rels)
    # xlsxwriter writes a relative link's folders with backslashes, which only Windows
    # follows: url_parts keeps the forward slashes
    assert written and written.group(1).replace("\\", "/") == target.replace("&", "&amp;")
    assert "\\" not in target
    assert f'location="{anchor}"' in sheet.replace("&apos;", "'")


def test_a_table_over_rows_put_in_after_keeps_the_header_cells(tmp_path: Path) -> None:
    """``add_streamed_table``: the master's Table over rows xlsxwriter never held (put in
    its XML afterwards) covers them, and the header cells keep their formats."""
    path = tmp_path / "table.xlsx"
    wb = _xlsxwriter.new_workbook(path, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Rows")
    headers = ("Text", "Number", "Flag", "When", "Link")
    for c, header in enumerate(headers):
        ws.write_string(0, c, header, bold)
    _xlsxwriter.add_streamed_table(ws, 40, 4, {"columns": [{"header": h} for h in headers],
                                               "name": "RowsTable"})
    wb.close()
    back = openpyxl.load_workbook(path)["Rows"]
    assert back.tables["RowsTable"].ref == "A1:E41"
    assert [back.cell(1, c + 1).value for c in range(5)] == list(headers)
    assert all(back.cell(1, c + 1).font.b for c in range(5))


def test_a_cell_takes_a_columns_whole_style(tmp_path: Path) -> None:
    from openpyxl.styles import Protection

    wb = openpyxl.Workbook()
    ws = wb.active
    column = ws.column_dimensions["B"]
    column.protection = Protection(locked=False)
    column.number_format = "0%"
    _openpyxl.copy_style(ws["B2"], column)
    ws["B2"] = 0.5
    ws.protection.sheet = True
    wb.save(tmp_path / "styled.xlsx")
    back = openpyxl.load_workbook(tmp_path / "styled.xlsx").active
    assert back["B2"].protection.locked is False
    assert back["B2"].number_format == "0%"
    assert back["A1"].protection.locked is True
