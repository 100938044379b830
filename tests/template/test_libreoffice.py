"""The template's native formulas, recalculated by real LibreOffice, equal the Python engine.

LibreOffice 7.4 (Debian 12's, as in CI) opens the generated template, recalculates every
formula and saves it; the cached results it writes are compared cell by cell with what
``sheetsync`` computes from the same inputs, over a table of cases that covers the status
rule's corners. Skipped where LibreOffice is not installed (in CI, tests/test_ci_tools.py
fails then).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.schema.schoolyear import period_date
from sheetsync.schema.sheets import scorecard_layout
from tests.libreoffice import convert, needs_libreoffice

pytestmark = needs_libreoffice

AS_OF = date(2027, 1, 20)


def measure(mid: str, goal: str, b: float | None, t: float | None, actuals: dict[str, float],
            direction: str | None = None, interims: dict[str, float] | None = None,
            bdate: date | None = None, tdate: date | None = None) -> dict:
    row = {"id": mid, "goal_id": goal, "name": f"Case {mid}", "unit": "count",
           "direction": direction, "baseline": b, "target": t, "baseline_date": bdate,
           "target_date": tdate, "frequency": "monthly"}
    row |= {f"actual:{p}": v for p, v in actuals.items()}
    row |= {f"interim_target:{p}": v for p, v in (interims or {}).items()}
    return row


# (measure row, the status docs/status.md's rule gives by hand)
CASES = [
    (measure("M1", "G1", 40, 50, {"2026-09": 42, "2026-12": 46}), "On Track"),
    (measure("M2", "G1", 40, 50, {"2026-12": 44.5}), "At Risk"),
    (measure("M3", "G2", 40, 50, {"2026-12": 41}), "Off Track"),
    (measure("M4", "G2", 18, 14, {"2026-12": 15.5}, "decrease"), "On Track"),
    (measure("M5", "G3", 18, 14, {"2026-12": 18.5}, "decrease"), "Off Track"),
    (measure("M6", "G3", 40, 50, {"2026-12": 51}), "Met"),
    (measure("M7", "G4", 95, 95, {"2026-12": 96}, "increase"), "Met"),
    (measure("M8", "G4", 95, 95, {"2026-12": 94}, "increase"), "Off Track"),
    (measure("M9", "G5", 10, 10, {"2026-12": 10}), "Met"),
    (measure("M10", "G5", 10, 10, {"2026-12": 9}, "decrease"), "Met"),
    (measure("M11", "G6", 40, 50, {"2026-12": 46}, interims={"2026-12": 48}), "Off Track"),
    (measure("M12", "G6", 40, 50, {"2026-12": 46}, interims={"2026-12": 45.5}), "On Track"),
    (measure("M13", "G7", 40, 50, {}), "No Data"),
    (measure("M14", "G7", 40, 50, {"2027-03": 49}), "No Data"),  # a future entry only
    (measure("M15", "G8", 40, 50, {"2026-12": 45}, tdate=date(2026, 12, 31)), "Not Met"),
    (measure("M16", "G8", 40, 50, {"2026-12": 50}, tdate=date(2026, 12, 31)), "Met"),
    (measure("M17", "G9", 30, 20, {"2026-11": 27, "2027-01": 24}), "On Track"),  # inferred
    (measure("M18", "G9", 40, 50, {"2026-10": 42}, bdate=date(2026, 10, 1),
             tdate=date(2027, 3, 31)), "On Track"),
    (measure("M19", "G10", 40, 50, {"2026-12": 43}, bdate=date(2026, 9, 1),
             tdate=date(2027, 2, 28)), "Off Track"),
    (measure("M20", "G10", 40, 50, {"2026-12": 47}, bdate=date(2027, 6, 1)), "On Track"),
    (measure("M21", "G11", None, 50, {"2026-12": 45}), "No Data"),
    (measure("M22", "G11", 0, 120, {"2026-08": 30, "2026-12": 52}), "At Risk"),
]
GOALS = [{"id": f"G{i}", "strategic_goal_id": f"SG{(i - 1) % 3 + 1}", "cdip_goal_id": "CG1",
          "statement": "x", "owner": "x"} for i in range(1, 12)]
ACTIONS = [
    {"id": "A1", "goal_id": "G1", "status": "Complete", "due_date": date(2026, 12, 1)},
    {"id": "A2", "goal_id": "G1", "status": "In Progress", "due_date": date(2026, 12, 1)},
    {"id": "A3", "goal_id": "G1", "status": "Not Started", "start_date": date(2026, 12, 1),
     "due_date": date(2027, 5, 1)},
    {"id": "A4", "goal_id": "G1", "start_date": date(2026, 12, 1), "due_date": date(2027, 5, 1)},
    {"id": "A5", "goal_id": "G1", "status": "On Hold", "due_date": date(2027, 5, 1)},
    {"id": "A6", "goal_id": "G1", "status": "In Progress", "due_date": date(2027, 5, 1)},
    {"id": "A7", "goal_id": "G1", "status": "Cancelled", "due_date": date(2026, 8, 1)},
]
UPDATES = [  # month, submitted on
    (date(2026, 10, 1), date(2026, 10, 28)), (date(2026, 11, 1), date(2026, 12, 2)),
    (date(2026, 12, 1), None), (date(2027, 1, 1), None), (date(2027, 2, 1), None),
]


PROFILES = {"district": {"district_id": "KY-1", "as_of": AS_OF},
            "school": {"school_id": "S-1", "school_name": "x", "district_id": "KY-1",
                       "as_of": AS_OF}}


# The district's scorecard and the school's plan come from one declaration: the same
# formulas, recalculated by LibreOffice, must equal the engine in both.
@pytest.fixture(scope="module", params=["district", "school"])
def recalculated(tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """The case workbook as sheetsync wrote it, and as LibreOffice recalculated and saved it."""
    from sheetsync.template.workbook import build_template, save_atomic

    folder = tmp_path_factory.mktemp(f"lo-{request.param}")
    rows = {"strategic_goals": [{"id": f"SG{i}", "title": "x"} for i in (1, 2, 3)],
            "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "x"}],
            "goals": GOALS, "measures": [m for m, _ in CASES], "actions": ACTIONS,
            "monthly_updates": [{"month": m, "submitted_on": s} for m, s in UPDATES]}
    layout = scorecard_layout("2026-27", request.param)
    source = save_atomic(build_template(layout, profile=PROFILES[request.param], rows=rows),
                         folder / "cases.xlsx")
    (saved,) = convert([source], folder / "out")
    return source, saved


def _cached(path: Path, sheet: str) -> list[dict[str, object]]:
    """The values LibreOffice computed, as dicts keyed by the layout's column keys."""
    layout = scorecard_layout()
    sl = layout.sheet({"Measures": "measures", "Goals": "goals", "Actions": "actions",
                       "Monthly Updates": "monthly_updates",
                       "Strategic Goals": "strategic_goals"}[sheet])
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    out = []
    for r in range(sl.first_data_row, sl.last_data_row + 1):
        row = {c.key: ws[f"{c.letter}{r}"].value for c in sl.columns if not c.period}
        if row.get("id") or row.get("month"):
            out.append(row)
    return out


def test_python_engine_matches_the_hand_computed_statuses(recalculated):
    result = check_workbook(str(recalculated[0]))
    assert result.as_of == AS_OF
    assert [(m, result.measures[m].status) for m in (c[0]["id"] for c in CASES)] == \
        [(m["id"], status) for m, status in CASES]


def test_native_measure_formulas_equal_the_python_engine(recalculated):
    result = check_workbook(str(recalculated[0]))
    for row in _cached(recalculated[1], "Measures"):
        py = result.measures[row["id"]]
        latest = row["latest_period"]
        latest_date = latest.date() if isinstance(latest, datetime) else None
        assert latest_date == (period_date(py.latest_period) if py.latest_period else None), \
            row["id"]
        assert row["status"] == py.status, row["id"]
        assert _num(row["latest_actual"]) == py.latest_actual, row["id"]
        for key in ("expected", "progress"):
            native, ours = _num(row[key]), getattr(py, key)
            if ours is None:
                assert native is None, (row["id"], key)
            else:
                assert native == pytest.approx(ours, rel=1e-12, abs=1e-12), (row["id"], key)


def test_native_rollups_schedules_and_updates_equal_the_python_engine(recalculated):
    result = check_workbook(str(recalculated[0]))
    assert {r["id"]: r["status"] for r in _cached(recalculated[1], "Goals")} == result.goals
    assert {r["id"]: r["status"] for r in _cached(recalculated[1], "Strategic Goals")} == \
        result.strategic_goals
    assert {r["id"]: r["schedule"] for r in _cached(recalculated[1], "Actions")} == \
        result.schedules
    native = {r["month"].strftime("%Y-%m"): r["update_status"]
              for r in _cached(recalculated[1], "Monthly Updates")}
    assert native == {p: s for p, s in result.updates.items() if p in native}
    assert set(native.values()) == {"On Time", "Late", "Missing", "Not Due"}


def test_a_workbook_saved_by_libreoffice_reads_back_the_same(recalculated):
    ours, theirs = (check_workbook(str(p)).to_json() for p in recalculated)
    ours.pop("file"), theirs.pop("file")
    assert theirs == ours


def _num(value: object) -> float | None:
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]


def test_dropdowns_and_names_survive_a_libreoffice_round_trip(recalculated):
    wb = openpyxl.load_workbook(recalculated[1])
    lists = {str(dv.sqref): dv.formula1 for dv in wb["Measures"].data_validations.dataValidation
             if dv.type == "list"}
    unit = next(f for sq, f in lists.items() if "D5" in sq.split(":")[0])
    goal = next(f for sq, f in lists.items() if "B5" in sq.split(":")[0])
    assert "Lists" in unit and "$A$2" in unit
    assert "Goals" in goal and "$A$5" in goal
    assert {"AsOf", "PeriodEnds", "AtRiskBand"} <= set(wb.defined_names)


def test_libreoffice_lets_districts_type_in_input_columns_and_nowhere_else(recalculated,
                                                                          tmp_path):
    """What LibreOffice itself makes of the protection, read from the flat ODS it writes:
    input columns are unlocked as columns (filled, empty and beyond the prepared rows
    alike); formula cells and headers stay locked."""
    convert([recalculated[0]], tmp_path, to="fods")
    sheet = scorecard_layout().sheet("measures")
    first, last = sheet.first_data_row, sheet.last_data_row
    letter = {k: sheet.column(k).letter for k in ("baseline", "status")}
    interim = next(c.letter for c in sheet.columns if c.key == "interim_target")
    cells = {f"{letter['baseline']}{first}": False, f"{letter['baseline']}{last}": False,
             f"{letter['baseline']}{last + 20}": False, f"{interim}{last}": False,
             f"{letter['status']}{first}": True, f"{letter['status']}{last}": True,
             f"{letter['baseline']}{sheet.header_row}": True}
    assert _libreoffice_locks(tmp_path / "cases.fods", sheet.name, list(cells)) == cells


def test_libreoffice_locks_a_school_plans_strategic_goals_and_only_those(recalculated,
                                                                          tmp_path):
    """The district's strategic goals are locked in a school plan (filled and empty rows);
    in the district's own scorecard they are its input. Goals stay open in both."""
    level = check_workbook(str(recalculated[0])).card.level
    convert([recalculated[0]], tmp_path, to="fods")
    locked = level == "school"
    assert _libreoffice_locks(tmp_path / "cases.fods", "Strategic Goals", ["A5", "B19"]) == \
        {"A5": locked, "B19": locked}
    assert _libreoffice_locks(tmp_path / "cases.fods", "Goals", ["B5", "E30"]) == \
        {"B5": False, "E30": False}


def _libreoffice_locks(fods: Path, sheet: str, cells: list[str]) -> dict[str, bool]:
    """Whether each cell is locked in LibreOffice's flat ODS: the cell's own style, or its
    column's default cell style, followed up its parent styles ('Default' is locked)."""
    from xml.etree import ElementTree as ET

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}
    t, st = (f"{{{ns['table']}}}", f"{{{ns['style']}}}")
    root = ET.parse(fods).getroot()
    protect, parent = {}, {}
    for s in root.iter(f"{st}style"):
        name = s.get(f"{st}name")
        parent[name] = s.get(f"{st}parent-style-name")
        props = s.find("style:table-cell-properties", ns)
        if props is not None and props.get(f"{st}cell-protect"):
            protect[name] = props.get(f"{st}cell-protect")

    def locked(style: str | None) -> bool:
        while style and style not in protect:
            style = parent.get(style)
        return protect.get(style or "", "protected") != "none"

    table = next(x for x in root.iter(f"{t}table") if x.get(f"{t}name") == sheet)
    column_styles: list[str | None] = []
    for col in table.iter(f"{t}table-column"):
        repeat = int(col.get(f"{t}number-columns-repeated", "1"))
        column_styles += [col.get(f"{t}default-cell-style-name")] * min(repeat, 1024)
    wanted = {c: coordinate_from_string(c) for c in cells}
    out: dict[str, bool] = {}
    r = 0
    for row in table.iter(f"{t}table-row"):
        r += 1
        span = int(row.get(f"{t}number-rows-repeated", "1"))
        for cell, (letters, number) in wanted.items():
            if not r <= number < r + span:
                continue
            target, c = column_index_from_string(letters), 0
            for element in row:
                c += int(element.get(f"{t}number-columns-repeated", "1"))
                if c >= target:
                    style = element.get(f"{t}style-name") or column_styles[target - 1]
                    out[cell] = locked(style)
                    break
        r += span - 1
    return out


def test_the_cohort_master_opens_in_libreoffice_with_every_sheet(pulled_example, tmp_path):
    from sheetsync.master.layout import SHEETS

    folder = pulled_example
    (resaved,) = convert([folder / "cohort_master.xlsx"], tmp_path / "out")
    saved = openpyxl.load_workbook(resaved, read_only=True)
    assert saved.sheetnames == list(SHEETS)
    ours = openpyxl.load_workbook(folder / "cohort_master.xlsx", read_only=True)
    for name in SHEETS:
        theirs = [r[:3] for r in saved[name].iter_rows(max_row=50, values_only=True)]
        assert theirs == [r[:3] for r in ours[name].iter_rows(max_row=50, values_only=True)]
