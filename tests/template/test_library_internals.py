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


def test_rows_streamed_into_xlsxwriter_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "streamed.xlsx"
    wb = _xlsxwriter.new_workbook(path, {"constant_memory": True})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("Rows")
    for c, header in enumerate(("Text", "Number", "Flag", "When", "Link")):
        ws.write_string(0, c, header)
    stream = _xlsxwriter.RowStream(ws)
    stream.write(1, [(0, "=1+1 <b> & _x0041_ \x01", None), (1, 2.5, None), (2, True, None),
                     (3, date(2027, 1, 31), _xlsxwriter.xf_index(date_format)),
                     (4, ("Goals!B7", "external:districts/a.xlsx#'Goals'!B7"), None)])
    stream.write(2, [(0, " spaced ", None), (1, float("nan"), None)])
    _xlsxwriter.add_streamed_table(ws, 2, 4, {
        "columns": [{"header": h} for h in ("Text", "Number", "Flag", "When", "Link")],
        "name": "RowsTable"})
    wb.close()
    back = openpyxl.load_workbook(path)["Rows"]
    assert [back[f"{c}2"].value for c in "ABCE"] == [  # openpyxl leaves _xHHHH_ escaped
        "=1+1 <b> & _x005F_x0041_ _x0001_", 2.5, True, "Goals!B7"]
    assert back["D2"].value.date() == date(2027, 1, 31)
    assert back["D2"].number_format == "yyyy-mm-dd"
    assert back["A2"].data_type == "s"  # text that looks like a formula stays text
    assert back["E2"].hyperlink.target.replace("\\", "/") == "districts/a.xlsx"
    assert back["E2"].hyperlink.location == "'Goals'!B7"
    assert [back["A3"].value, back["B3"].value] == [" spaced ", "nan"]
    assert back.tables["RowsTable"].ref == "A1:E3"
    assert back.dimensions == "A1:E3"
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b'<row r="1"') == 1


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
