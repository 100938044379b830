"""The Excel functions, called the way Excel calls them, against ``sheetsync check --json``.

Sheets are read into 2-D lists as Excel passes ranges: ``None`` for empty cells, dates as
datetimes (the classic add-in) or serial numbers (xlwings Lite), error values as text,
Office.js error objects or COM codes. Results must equal the check of the same file.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import socket
import sys
import threading
import types
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetsync import udfs
from sheetsync.cli.commands import main
from sheetsync.excel import arguments as excel_arguments
from sheetsync.excel.functions import CHECK_HEADER, NO_ISSUES
from sheetsync.read.scorecard import read_scorecard
from sheetsync.read.source import open_workbook
from sheetsync.schema.findings import RULES
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.examples import write_district, write_examples
from tests.helpers import lite_grids, openpyxl_grids, serial

AS_OF = date(2027, 1, 20)
ROOT = Path(__file__).resolve().parents[2]
LITE_MAIN = ROOT / "addin" / "lite" / "main.py"
SCORECARD_SHEETS = ("District Profile", "Strategic Goals", "CDIP Goals", "Needs", "Goals",
                    "Measures", "Actions", "Monthly Updates")


# -- Sheets as Excel passes them ---------------------------------------------------------


def calamine_grids(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: [[None if v == "" else v for v in row]
                   for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in wb.sheet_names}


READERS = {"calamine": calamine_grids, "openpyxl": openpyxl_grids, "lite": lite_grids}


def named(grids: dict[str, list[list[Any]]]) -> list[Any]:
    """SHEETSYNC_CHECK's arguments for every sheet: "name", range, "name", range ..."""
    return [x for name, rows in grids.items() for x in (name, rows)]


@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("udf-examples")
    return {d.quality: d.path for d in write_examples(folder, 3, as_of=AS_OF)}


@pytest.fixture(scope="module")
def check_json(districts: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """``sheetsync check --json`` of each example, run through the CLI."""
    out = {}
    for quality, path in districts.items():
        run = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat(),
                                        "--json"])
        assert run.exit_code in (0, 1), run.output
        out[quality] = json.loads(run.output)
    return out


@pytest.fixture
def lite(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as in xlwings Lite's Pyodide, where every date arrives as a serial number."""
    monkeypatch.setattr(excel_arguments, "DATES_AS_NUMBERS", True)


QUALITIES = ("clean", "typical", "messy")


STORED_AS = re.compile(r"Read (?P<header>.+) in (?P<cell>[A-Z]+\d+) '(?P<value>[^']+)' as "
                       r"(?P<points>[-\d.e+]+) \([^)]*, stored as [^)]*\)\.$")


def finding_rows(data: dict[str, Any]) -> list[list[Any]]:
    """``check --json``'s findings as SHEETSYNC_CHECK gives them. Excel passes no number
    formats, so where check read a percent-formatted cell as points (0.341 as 34.1) the
    functions say at that cell that they could not know (format-unknown)."""
    rows = []
    for f in data["findings"]:
        message = f["message"]
        if f["code"] == "value-normalised" and (m := STORED_AS.match(message)):
            message = RULES["format-unknown"](cell=m["cell"], header=m["header"],
                                              value=m["value"], points=m["points"]).message
        rows.append([f["sheet"] or "", f["cell"] or "", f["severity"], message])
    return rows


# -- SHEETSYNC_CHECK ---------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("quality", QUALITIES)
def test_check_equals_check_json(quality: str, reader: str, districts, check_json,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel_arguments, "DATES_AS_NUMBERS", reader == "lite")
    grids = READERS[reader](districts[quality])
    as_of = serial(AS_OF) if reader == "lite" else datetime(2027, 1, 20)
    header, *rows = udfs.SHEETSYNC_CHECK(*named(grids), as_of)
    assert header == ["Sheet", "Cell", "Severity", "Message"]
    expected = finding_rows(check_json[quality]) or [["", "", "", NO_ISSUES]]
    assert rows == expected


def test_check_recognises_sheets_by_their_headers(districts, check_json) -> None:
    grids = calamine_grids(districts["messy"])  # a renamed header and an extra column
    ranges = [grids[name] for name in reversed(SCORECARD_SHEETS)]
    assert udfs.SHEETSYNC_CHECK(*ranges, AS_OF)[1:] == finding_rows(check_json["messy"])


def test_messy_workbook_finds_what_the_check_finds(districts, check_json) -> None:
    rows = udfs.SHEETSYNC_CHECK(*named(calamine_grids(districts["messy"])), AS_OF)[1:]
    codes = {f["code"] for f in check_json["messy"]["findings"]}
    assert {"duplicate-id", "unknown-reference", "target-wrong-direction", "not-smart",
            "not-a-date", "renamed-header", "extra-column"} <= codes
    assert rows == finding_rows(check_json["messy"])  # row by row, not just as many


def test_check_of_one_sheet_reports_only_that_sheet(districts, check_json) -> None:
    grids = calamine_grids(districts["messy"])
    rows = udfs.SHEETSYNC_CHECK("Actions", grids["Actions"], AS_OF)[1:]
    full = [r for r in finding_rows(check_json["messy"]) if r[0] == "Actions"]
    assert rows and {r[0] for r in rows} == {"Actions"}
    assert all(r in full for r in rows)  # goal ids are not judged without the Goals sheet
    assert not [r for r in full if r not in rows and "Goal ID" not in r[3]]


def test_check_with_no_findings_says_so(districts) -> None:
    grids = calamine_grids(districts["clean"])
    rows = udfs.SHEETSYNC_CHECK("CDIP Goals", grids["CDIP Goals"], AS_OF)
    assert rows == [CHECK_HEADER, ["", "", "", "No issues found."]]


def test_whole_column_ranges_are_not_too_many_rows(districts, check_json) -> None:
    grids = calamine_grids(districts["typical"])
    padded = {n: [*rows, *([[None] * len(rows[0])] * 20_000)] for n, rows in grids.items()}
    assert udfs.SHEETSYNC_CHECK(*named(padded), AS_OF)[1:] == finding_rows(check_json["typical"])


# -- SHEETSYNC_STATUS / PROGRESS / EXPECTED, row by row ----------------------------------


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("quality", QUALITIES)
def test_measure_functions_equal_check_json_row_by_row(quality: str, reader: str, districts,
                                                       check_json) -> None:
    measures = READERS[reader](districts[quality])["Measures"]
    card, _ = read_scorecard(str(districts[quality]))
    by_id = {m["id"]: m for m in check_json[quality]["measures"]}
    shown = open_workbook(districts[quality]).percent_cells.get("Measures", frozenset())
    assert bool(shown) == (quality == "messy")  # fractions shown as % (0.341 as 34%)
    as_of = serial(AS_OF) if reader == "lite" else datetime(2027, 1, 20)
    columns = {"status": udfs.SHEETSYNC_STATUS(measures, as_of),
               "progress": udfs.SHEETSYNC_PROGRESS(measures, as_of),
               "expected": udfs.SHEETSYNC_EXPECTED(measures, as_of)}
    for key, column in columns.items():
        assert len(column) == len(measures)  # one value per row of the range
        for m in card.measures:
            want = by_id[m.id][key]
            got = column[m.row - 1]
            if not any(ref[len(ref.rstrip("0123456789")):] == str(m.row) for ref in shown):
                assert got == [want if want is not None else ""], (key, m.id)
                continue
            # a percent-formatted fraction: the functions say they cannot see the format
            assert isinstance(got[0], str) and re.search(r", if [-\d.]+ is not [-\d.]+%$",
                                                         got[0]), (key, m.id, got)
            if key != "expected":  # a ratio: the same whether 0.341 or 34.1
                assert got[0].startswith(f"{want if isinstance(want, str) else f'{want:g}'}, ")
        measure_rows = {m.row - 1 for m in card.measures}
        assert all(v == [""] for i, v in enumerate(column) if i not in measure_rows)


def test_excel_functions_say_when_they_cannot_see_a_percent_format() -> None:
    """Excel passes 46% as 0.46 and a rate of 0.5 as 0.5: the functions cannot tell them
    apart, so they compute with the value as passed and say so, never differing silently."""
    sheet = scorecard_layout().sheet("measures")
    header = [c.header for c in sheet.columns]
    row = dict.fromkeys(header)
    row |= {"Measure ID": "M1", "Goal ID": "G1", "Measure": "Suspension rate", "Unit": "%",
            "Direction": "decrease", "Baseline": 2, "Target": 0.5, "Frequency": "monthly",
            "Actual Oct 2026": 0.8}
    rows = [header, list(row.values())]
    status = udfs.SHEETSYNC_STATUS(rows, datetime(2026, 11, 15))
    assert status[1] == [f"{status[1][0].split(',')[0]}, if 0.5 is not 50%"]
    assert udfs.SHEETSYNC_PROGRESS(rows, datetime(2026, 11, 15))[1] == ["0.8, if 0.5 is not 50%"]
    check = udfs.SHEETSYNC_CHECK("Measures", rows, datetime(2026, 11, 15))
    notes = [r[1] for r in check if "without its number format" in r[3]]
    assert notes == ["H2", "U2"]


def test_one_measure_row_without_its_header(districts) -> None:
    """A column of single-row calls (=SHEETSYNC_STATUS(A5:AO5, AsOf)) agrees with one call."""
    measures = calamine_grids(districts["typical"])["Measures"]
    whole = udfs.SHEETSYNC_STATUS(measures, AS_OF, "2026-27")
    for i in range(4, len(measures)):
        assert udfs.SHEETSYNC_STATUS([measures[i]], AS_OF, "2026-27") == [whole[i]]
        assert udfs.SHEETSYNC_STATUS(measures[i], AS_OF, "2026-27") == [whole[i]]  # 1-D


def test_a_block_of_rows_without_the_header_is_read_in_template_order(districts) -> None:
    measures = calamine_grids(districts["clean"])["Measures"]
    whole = udfs.SHEETSYNC_PROGRESS(measures, AS_OF)
    assert udfs.SHEETSYNC_PROGRESS(measures[4:], AS_OF, "2026-27") == whole[4:]


@pytest.mark.parametrize("as_of", [AS_OF, datetime(2027, 1, 20, 8, 30), 46407, 46407.35,
                                   "2027-01-20", "01/20/2027", [[AS_OF]]])
def test_as_of_as_excel_passes_it(as_of: Any, districts) -> None:
    measures = calamine_grids(districts["typical"])["Measures"]
    assert udfs.SHEETSYNC_STATUS(measures, as_of) == udfs.SHEETSYNC_STATUS(measures, AS_OF)


def test_as_of_blank_is_today(districts) -> None:
    measures = calamine_grids(districts["typical"])["Measures"]
    today = udfs.SHEETSYNC_STATUS(measures, date.today(), "2026-27")
    assert udfs.SHEETSYNC_STATUS(measures, None, "2026-27") == today
    assert udfs.SHEETSYNC_STATUS(measures, "", "2026-27") == today


def test_school_year_comes_from_the_month_headers(districts) -> None:
    """In July the calendar's school year is the next one; the headers still say 2026-27."""
    path = districts["typical"]
    summer = date(2027, 7, 15)
    measures = calamine_grids(path)["Measures"]
    run = CliRunner().invoke(main, ["check", str(path), "--as-of", summer.isoformat(), "--json"])
    statuses = [m["status"] for m in json.loads(run.output)["measures"]]
    column = [r[0] for r in udfs.SHEETSYNC_STATUS(measures, summer) if r[0]]
    assert column == statuses
    assert "Not Met" in column and not {"On Track", "At Risk", "Off Track"} & set(column)


def test_at_risk_band_is_a_setting(districts) -> None:
    measures = calamine_grids(districts["typical"])["Measures"]
    default = udfs.SHEETSYNC_STATUS(measures, AS_OF)
    assert udfs.SHEETSYNC_STATUS(measures, AS_OF, None, 0.1) == default
    assert udfs.SHEETSYNC_STATUS(measures, AS_OF, None, "10%") == default
    narrow = [r[0] for r in default]
    wide = [r[0] for r in udfs.SHEETSYNC_STATUS(measures, AS_OF, None, 0.5)]
    assert wide.count("Off Track") < narrow.count("Off Track")
    assert wide.count("At Risk") > narrow.count("At Risk")


# -- Error values, blanks and text, as the reader reads them -----------------------------


def test_error_values_in_every_form_read_as_formula_errors(make_workbook) -> None:
    measure = {"id": "M1", "goal_id": "G1", "name": "Grade 3 reading", "unit": "%",
               "direction": "increase", "baseline": "#DIV/0!", "target": "#N/A",
               "frequency": "monthly", "actual:2026-10": "#REF!", "actual:2026-11": 44}
    path = make_workbook(rows={"measures": [measure]})
    # openpyxl reads error cells as '#DIV/0!' text, as err_to_str passes them to a function
    # (python-calamine reads them as empty cells).
    file_rows = udfs.findings_table(udfs.check_grids(openpyxl_grids(path), AS_OF))
    grids = openpyxl_grids(path)
    assert grids["Measures"][4][5] == "#DIV/0!"
    row = grids["Measures"][4]
    row[5] = {"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}  # Office.js
    row[7] = {"type": "Error", "errorType": "NotAvailable"}  # Office.js, no basicValue
    row[20] = -2146826265  # a COM error code (#REF!) from the classic add-in
    rows = udfs.SHEETSYNC_CHECK(*named(grids), AS_OF)
    assert rows == file_rows
    errors = [r[1] for r in rows if "shows #" in r[3]]
    assert errors == ["F5", "H5", "U5"]
    assert udfs.SHEETSYNC_STATUS(grids["Measures"], AS_OF)[4] == ["No Data"]


def test_blank_like_text_and_numbers_as_text(make_workbook) -> None:
    measure = {"id": " m1", "goal_id": "goal 1", "name": "Attendance", "unit": "%",
               "direction": "increase", "baseline": "40%", "target": "50",
               "frequency": "monthly", "actual:2026-11": "N/A", "actual:2026-12": "46%",
               "actual:2027-01": "TBD"}
    path = make_workbook(rows={"measures": [measure]})
    measures = calamine_grids(path)["Measures"]
    assert udfs.SHEETSYNC_STATUS(measures, AS_OF)[4] == ["On Track"]
    assert udfs.SHEETSYNC_PROGRESS(measures, AS_OF)[4] == [pytest.approx(0.6)]
    assert [r[0] for r in udfs.SHEETSYNC_STATUS(measures, AS_OF)[:4]] == ["", "", "", ""]


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: udfs.SHEETSYNC_STATUS(m, "#N/A"), "as_of '#N/A' is not a date"),
    (lambda m: udfs.SHEETSYNC_STATUS(m, "soon"), "as_of 'soon' is not a date"),
    (lambda m: udfs.SHEETSYNC_STATUS(m, AS_OF, "next year"), "is not a school year"),
    (lambda m: udfs.SHEETSYNC_STATUS(m, [[AS_OF, AS_OF]]), "expected a single cell"),
    (lambda m: udfs.SHEETSYNC_CHECK([[1, 2], [3, 4]]), "cannot tell which scorecard sheet"),
    (lambda m: udfs.SHEETSYNC_CHECK("Goals"), "has no range after it"),
    (lambda m: udfs.SHEETSYNC_CHECK(m, m), "given twice"),
    (lambda m: udfs.SHEETSYNC_CHECK("My goals", [["a", "b"], ["c", "d"]]),
     "not a District Scorecard workbook"),
])
def test_argument_problems_are_one_cell_messages(call, message: str, districts) -> None:
    measures = calamine_grids(districts["clean"])["Measures"]
    out = call(measures)
    assert len(out) == 1 and len(out[0]) == 1
    assert out[0][0].startswith("sheetsync: ") and message in out[0][0]


def test_empty_ranges_give_blank_cells() -> None:
    assert udfs.SHEETSYNC_STATUS([[None] * 41] * 3, AS_OF) == [[""], [""], [""]]
    assert udfs.SHEETSYNC_STATUS(None) == [[""]]
    assert udfs.SHEETSYNC_SMART([["", None]], None) == [[""]]


# -- SHEETSYNC_SMART and SHEETSYNC_ALIGNMENT ---------------------------------------------


@pytest.mark.parametrize("quality", QUALITIES)
def test_smart_equals_check_json_row_by_row(quality: str, districts, check_json) -> None:
    grids = calamine_grids(districts[quality])
    card, _ = read_scorecard(str(districts[quality]))
    data = check_json[quality]
    why = {f["message"].split()[1]: f["message"] for f in data["findings"]
           if f["code"] == "not-smart"}  # "Goal G4 is not ...", at the cell to fix
    column = udfs.SHEETSYNC_SMART(grids["Goals"], grids["Measures"], grids["Strategic Goals"])
    assert len(column) == len(grids["Goals"])
    for g, j in zip(card.goals, data["goals"], strict=True):
        smart = all(j["smart"].values())
        assert column[g.row - 1] == ["SMART" if smart else why[g.id]]
    if quality == "messy":
        assert any(v[0].startswith("Goal G4 is not Specific") for v in column)


def test_alignment_equals_check_json(districts, check_json) -> None:
    grids = calamine_grids(districts["typical"])
    table = dict(map(tuple, udfs.SHEETSYNC_ALIGNMENT(*named(grids))))
    want = check_json["typical"]["alignment"]
    assert table["Coverage"] == want["coverage"]
    assert table["Strategic goals with no annual goal"] == ", ".join(
        want["strategic_goals_without_goals"])
    assert table["Priority needs"] == want["priority_needs"]


def test_alignment_names_the_strategic_goals_without_a_goal(make_workbook) -> None:
    path = make_workbook(rows={
        "strategic_goals": [{"id": "SG1", "title": "Reading"}, {"id": "SG2", "title": "Math"},
                            {"id": "SG3", "title": "Staff"}],
        "goals": [{"id": "G1", "strategic_goal_id": "SG2", "statement": "More readers"}]})
    grids = calamine_grids(path)
    table = udfs.SHEETSYNC_ALIGNMENT(grids["Strategic Goals"], grids["Goals"])
    assert table == [["Coverage", pytest.approx(1 / 3, abs=1e-4)], ["Strategic goals", 3],
                     ["Strategic goals with an annual goal", 1],
                     ["Strategic goals with no annual goal", "SG1, SG3"]]


# -- The add-in: registration, xlwings Lite's main.py, the classic add-in's settings -----


class RecordingXlwings(types.ModuleType):
    """Stands in for xlwings where its decorators register: records what they declare and
    rejects what the real ones reject (keyword-only parameters, unknown argument names,
    optional arguments next to *args, type hints they cannot resolve or convert)."""

    def __init__(self) -> None:
        super().__init__("xlwings")
        self.funcs: dict[str, dict[str, Any]] = {}
        self.scripts: dict[str, dict[str, Any]] = {}
        self.Book = type("Book", (), {})

    def _info(self, f: Any) -> dict[str, Any]:
        from xlwings.conversion import accessors

        info = self.funcs.setdefault(f.__name__, {"args": {}, "doc": f.__doc__})
        params = inspect.signature(f).parameters.values()
        assert all(p.kind in (p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            assert all(p.default is p.empty for p in params)
        for name, hint in get_type_hints(f, include_extras=True).items():
            top = getattr(hint, "__origin__", None) or hint
            assert top in accessors, f"{f.__name__}.{name}: xlwings cannot convert {hint}"
        return info

    def func(self, f: Any = None, **options: Any) -> Any:
        def register(g: Any) -> Any:
            self._info(g)
            return g
        return register(f) if f is not None else register

    def arg(self, name: str, convert: Any = None, **options: Any) -> Any:
        def register(g: Any) -> Any:
            assert name.lstrip("*") in inspect.signature(g).parameters, name
            self._info(g)["args"][name] = options
            return g
        return register

    def script(self, f: Any = None, **options: Any) -> Any:
        def register(g: Any) -> Any:
            self.scripts[g.__name__] = options
            assert "Book" in str(inspect.signature(g).parameters["book"].annotation)
            return g
        return register(f) if f is not None else register


def forget_udfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import ``sheetsync.udfs`` afresh: the module that decorates the functions too."""
    for name in ("sheetsync.udfs", "sheetsync.excel.functions", "sheetsync.excel.addin"):
        monkeypatch.delitem(sys.modules, name, raising=False)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingXlwings:
    fake = RecordingXlwings()
    monkeypatch.setitem(sys.modules, "xlwings", fake)
    forget_udfs(monkeypatch)
    return fake


def load_lite_main() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("sheetsync_lite_main", LITE_MAIN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_function_is_declared_for_excel(recording: RecordingXlwings) -> None:
    fresh = importlib.import_module("sheetsync.udfs")
    names = {f.__name__ for f in fresh.UDFS}
    assert set(recording.funcs) == names == {
        "SHEETSYNC_STATUS", "SHEETSYNC_PROGRESS", "SHEETSYNC_EXPECTED", "SHEETSYNC_SMART",
        "SHEETSYNC_CHECK", "SHEETSYNC_ALIGNMENT"}
    for name, info in recording.funcs.items():
        assert info["doc"] and len(info["doc"]) <= 255, name  # the classic add-in's limit
        params = inspect.signature(getattr(fresh, name)).parameters
        assert set(info["args"]) == set(params), name  # every argument documented
        for arg_name, options in info["args"].items():
            assert options.get("doc"), (name, arg_name)
            assert len(options["doc"]) <= 255


def test_the_module_imports_without_xlwings(monkeypatch: pytest.MonkeyPatch, districts) -> None:
    monkeypatch.setitem(sys.modules, "xlwings", None)  # import xlwings raises ImportError
    forget_udfs(monkeypatch)
    fresh = importlib.import_module("sheetsync.udfs")
    measures = calamine_grids(districts["clean"])["Measures"]
    assert fresh.SHEETSYNC_STATUS(measures, AS_OF) == udfs.SHEETSYNC_STATUS(measures, AS_OF)


def test_lite_main_imports_and_registers_under_cpython(recording: RecordingXlwings) -> None:
    module = load_lite_main()
    fresh = importlib.import_module("sheetsync.udfs")
    for f in fresh.UDFS:  # the very functions of sheetsync.udfs, now in main.py's namespace
        assert getattr(module, f.__name__) is f
    assert len(recording.funcs) == 6
    assert recording.scripts == {"check_workbook": {"name": "Check workbook"},
                                 "refresh_status": {"name": "Refresh status"}}


def test_lite_main_imports_with_the_installed_xlwings() -> None:
    module = load_lite_main()
    assert module.SHEETSYNC_CHECK is udfs.SHEETSYNC_CHECK
    assert callable(module.check_workbook) and callable(module.refresh_status)


def test_requirements_name_this_versions_wheel() -> None:
    """Not "sheetsync==…": on PyPI that name is another project; Lite gets the hosted wheel."""
    from sheetsync import __version__

    lines = [ln.strip() for ln in (LITE_MAIN.parent / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines == [f"https://REPLACE-WITH-YOUR-HOST.example/"
                     f"sheetsync_scorecard-{__version__}-py3-none-any.whl"]


def test_xlwings_conf_file_holds_the_same_settings() -> None:
    lines = (ROOT / "addin" / "desktop" / "xlwings.conf").read_text().splitlines()
    in_file = [tuple(v.strip('"') for v in ln.split('","')) for ln in lines if ln]
    rows = udfs.xlwings_conf_rows()
    assert rows == [("UDF Modules", "sheetsync.udfs")]
    assert [(k.upper(), v) for k, v in rows] == in_file


def test_readme_documents_every_function_with_the_templates_ranges() -> None:
    text = (ROOT / "addin" / "README.md").read_text()
    documented = dict(re.findall(r"^### (SHEETSYNC_\w+)\((.*)\)$", text, re.MULTILINE))
    assert set(documented) == {f.__name__ for f in udfs.UDFS}
    for name, shown in documented.items():
        params = inspect.signature(getattr(udfs, name)).parameters.values()
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            assert shown == "sheet, [sheet], …", name
        else:
            assert re.findall(r"\w+", shown) == [p.name for p in params], name
    layout = scorecard_layout()
    refs = re.findall(r"(?:'([^']+)'|\b([A-Z][a-z]+))!A(\d+):([A-Z]+)(\d+)", text)
    known = [r for r in refs if (r[0] or r[1]) in {s.name for s in layout.sheets}]
    assert len(known) > 15
    for quoted, bare, first, last_col, last_row in known:
        sheet = next(s for s in layout.sheets if s.name == (quoted or bare))
        if sheet.fields:
            assert (first, last_col, last_row) == ("1", "B", "11")
            continue
        assert int(first) in (1, sheet.header_row, sheet.first_data_row)
        assert last_col == sheet.columns[-1].letter, sheet.name
        assert int(last_row) in (sheet.first_data_row, sheet.last_data_row), sheet.name


def test_no_threads_and_no_sockets(monkeypatch: pytest.MonkeyPatch, districts) -> None:
    """Pyodide has neither: the functions must not need them."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the Excel functions must not start threads or open sockets")

    grids = calamine_grids(districts["messy"])
    monkeypatch.setattr(threading.Thread, "start", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    assert len(udfs.SHEETSYNC_CHECK(*named(grids), AS_OF)) > 10
    assert udfs.SHEETSYNC_STATUS(grids["Measures"], AS_OF)[4][0]
    assert udfs.SHEETSYNC_SMART(grids["Goals"], grids["Measures"])[4][0]


# -- xlwings Lite's scripts against a stand-in Book --------------------------------------


class FakeRange:
    def __init__(self, sheet: FakeSheet, row: int, col: int, rows: int = 1, cols: int = 1):
        self.sheet, self.row, self.column, self.shape = sheet, row, col, (rows, cols)
        self._options: dict[str, Any] = {}

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.row + self.shape[0] - 1, self.column + self.shape[1] - 1)

    def options(self, **options: Any) -> FakeRange:
        assert options == {"ndim": 2, "err_to_str": True}
        self._options = options
        return self

    @property
    def value(self) -> list[list[Any]]:
        rows, cols = self.shape
        cells = self.sheet.cells
        return [[cells[r][c] if r < len(cells) and c < len(cells[r]) else None
                 for c in range(self.column - 1, self.column - 1 + cols)]
                for r in range(self.row - 1, self.row - 1 + rows)]

    @value.setter
    def value(self, rows: list[list[Any]]) -> None:
        assert (self.row, self.column) == (1, 1)
        self.sheet.cells = [list(r) for r in rows]

    @property
    def color(self) -> str | None:
        return self.sheet.colours.get((self.row, self.column))

    @color.setter
    def color(self, colour: str | None) -> None:
        self.sheet.colours[(self.row, self.column)] = colour


class FakeSheet:
    def __init__(self, name: str, cells: list[list[Any]]) -> None:
        self.name, self.cells, self.colours = name, cells, {}

    @property
    def used_range(self) -> FakeRange:
        width = max((len(r) for r in self.cells), default=1)
        return FakeRange(self, 1, 1, max(len(self.cells), 1), width)

    def range(self, first: tuple[int, int], last: tuple[int, int]) -> FakeRange:
        return FakeRange(self, *first, last[0] - first[0] + 1, last[1] - first[1] + 1)

    def __getitem__(self, cell: str) -> FakeRange:
        letters = "".join(ch for ch in cell if ch.isalpha())
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        return FakeRange(self, int(cell[len(letters):]), col)

    def clear_contents(self) -> None:
        self.cells = []


class FakeSheets(list):
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(name, [])
        self.append(sheet)
        return sheet


class FakeBook:
    """The part of xlwings' Book API main.py uses, over sheets held as 2-D lists."""

    def __init__(self, grids: dict[str, list[list[Any]]]) -> None:
        self.sheets = FakeSheets(FakeSheet(n, [list(r) for r in g]) for n, g in grids.items())
        self.calculated = 0
        self.app = types.SimpleNamespace(calculate=self._calculate)

    def _calculate(self) -> None:
        self.calculated += 1


def test_check_workbook_script_lists_and_marks_the_findings(districts, check_json,
                                                            capsys) -> None:
    lite_main = load_lite_main()
    grids = openpyxl_grids(districts["messy"])
    grids["District Profile"][6][1] = datetime(2027, 1, 20)  # the Status date, B7
    book = FakeBook(grids)
    lite_main.check_workbook(book)
    issues = book.sheets["Issues"].cells
    assert issues[0] == ["Sheet", "Cell", "Severity", "Message", "Go to"]
    assert [r[:4] for r in issues[1:]] == finding_rows(check_json["messy"])
    assert issues[1][4].startswith("=HYPERLINK(\"#'")
    marked = {(s.name, cell) for s in book.sheets for cell, c in s.colours.items() if c}
    wanted = {(r[0], r[1]) for r in issues[1:] if r[1] and r[2] in ("error", "warning")}
    assert len(marked) == len(wanted) > 5
    assert "errors" in capsys.readouterr().out

    # Fixed in the sheet, then checked again: the old mark is cleared, the rest stay.
    first = next(r for r in issues[1:] if r[0] == "Actions" and r[2] == "error")
    cell = book.sheets["Actions"][first[1]]
    assert cell.color == lite_main.FILL["error"]
    lite_main.check_workbook(book)
    assert cell.color == lite_main.FILL["error"]  # nothing changed, still marked
    book.sheets["Actions"].colours.clear()
    book.sheets["Actions"].cells = book.sheets["Actions"].cells[:4]  # every action gone
    lite_main.check_workbook(book)
    assert all(c is None for c in book.sheets["Actions"].colours.values())


def test_refresh_status_script_writes_the_statuses(districts, check_json) -> None:
    lite_main = load_lite_main()
    grids = openpyxl_grids(districts["typical"])
    grids["District Profile"][6][1] = datetime(2027, 1, 20)
    book = FakeBook(grids)
    lite_main.refresh_status(book)
    rows = book.sheets["Status"].cells
    assert rows[0][:2] == ["Statuses as of", AS_OF]
    assert len({len(r) for r in rows}) == 1  # rectangular, as Excel needs
    start = rows.index(["Measure", "Goal", "Latest Month", "Latest Actual", "Expected Now",
                        "Progress", "Status"])
    end = rows.index([""] * 7, start)
    statuses = {r[0]: r[6] for r in rows[start + 1:end]}
    assert statuses == {m["id"]: m["status"] for m in check_json["typical"]["measures"]}
    assert book.calculated == 1


def test_marks_prefer_errors_and_clear_what_was_fixed() -> None:
    lite_main = load_lite_main()
    before = [CHECK_HEADER, ["Goals", "E5", "warning", "a"], ["Goals", "E5", "error", "b"],
              ["Actions", "D7", "error", "c"], ["Actions", "", "error", "no cell"],
              ["Goals", "A4", "info", "renamed"]]
    after = [CHECK_HEADER, ["Goals", "E5", "warning", "a"]]
    assert lite_main.marks(before) == {("Goals", "E5"): "#FFC7CE", ("Actions", "D7"): "#FFC7CE"}
    assert lite_main.recolour(before, after) == [("Actions", "D7", None),
                                                 ("Goals", "E5", "#FFEB9C")]


def test_status_table_is_check_json_in_rows(districts, check_json) -> None:
    result = udfs.check_grids(calamine_grids(districts["messy"]), AS_OF)
    rows = udfs.status_table(result)
    goals = {r[0]: r[2:4] for r in rows if r and str(r[0]).startswith("G") and r[0] != "Goal"}
    data = check_json["messy"]
    assert {g: s for g, (s, _) in goals.items()} == {g["id"]: g["status"] for g in data["goals"]}
    assert goals["G4"][1] == "Not Specific"
    assert SchoolYear.parse(result.card.school_year).label == data["school_year"]


def test_bench_workbook_is_the_typical_district(tmp_path: Path) -> None:
    """The benchmark's realistic workbook: 8 goals, 24 measures, 40 actions."""
    path = write_district(tmp_path / "d.xlsx", "KY-001", "Adair", 1, SchoolYear(2026), AS_OF,
                          "typical")
    card, _ = udfs.read_grids(calamine_grids(path))
    assert (len(card.goals), len(card.measures), len(card.actions)) == (8, 24, 40)
