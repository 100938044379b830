"""A Google Sheet's number formats, as the reader sees them through the local fake.

Google Sheets keeps a typed 58% as 0.58 with a PERCENT number format. The reader asks for
each cell's value and number format type in the one ``spreadsheets.get`` a changed sheet
costs (``sheetsync.read.google_grid``), and reads a percent-formatted number as the points it
shows, as the .xlsx reader does: 46, 46% and 0.46 shown as 46% are all 46; a rate of 0.5
in a cell without a percent format stays 0.5. Date-formatted numbers and formula cells are
noted for the checks (``WorkbookRows.date_cells``, ``formula_cells``).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from sheetsync.check.assess import assess, check_workbook
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.read.google import google_source
from sheetsync.read.scorecard import read_rows
from sheetsync.read.source import open_workbook
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.examples import district_rows
from sheetsync.template.workbook import build_template, save_atomic
from tests import fake_google as fg
from tests.fake_google import Formatted, Formula
from tests.google.test_google_sources import (
    DRIVE_URL,
    SHEETS_URL,
    cell_reads,
    client,
    cohort_file,
    grids_of,
)

fake_google = fg.fake_google  # the module's fixture: a FakeGoogle served for one test

YEAR = SchoolYear.parse("2026-27")
AS_OF = date(2026, 11, 15)
DISTRICT = "KY-001"
# Measure M1 is row 5 of Measures: D unit, F baseline, H target, T the September actual.
BASELINE, TARGET, SEPTEMBER = "F5", "H5", "T5"


def district_grid(tmp_path: Path, baseline: Any = 50, target: Any = 60,
                  **measure: Any) -> dict[str, list[list[Any]]]:
    """A small district (four goals, a measure and an action each) as a Google Sheet holds
    it, its first measure a % measure from ``baseline`` to ``target`` with no actuals."""
    rows = district_rows(1, YEAR, AS_OF, "clean", goals=4, measures_per_goal=1,
                         actions_per_goal=1)
    first = {k: v for k, v in rows["measures"][0].items() if not k.startswith("actual:")}
    rows["measures"][0] = {**first, "unit": "%", "direction": "increase",
                           "baseline": baseline, "target": target, **measure}
    wb = build_template(scorecard_layout(YEAR.label), rows=rows,
                        profile={"district_id": DISTRICT, "district_name": "Adair County"})
    return grids_of(save_atomic(wb, tmp_path / "district.xlsx"))


def typed(fake: fg.FakeGoogle, grid: dict[str, Any], **cells: Any) -> str:
    """A Google Sheet holding ``grid``, with ``cells`` of Measures typed in the Sheets UI
    (USER_ENTERED: "58%" becomes 0.58 shown as 58%)."""
    key = fake.add_spreadsheet("Adair County", grid)
    for ref, value in cells.items():
        fake.set_values(key, "Measures", [[value]], start=ref, input_option="USER_ENTERED")
    return key


def in_google(service: Any, key: str) -> Any:
    card, found = read_rows(google_source(key, client(service)).read())
    return assess(card, found, AS_OF)


def test_58_percent_typed_in_google_is_58_and_on_track_in_check_and_in_a_pull(
        fake_google, tmp_path) -> None:
    fake = fake_google.fake
    key = typed(fake, district_grid(tmp_path), **{SEPTEMBER: "58%"})
    assert fake.get_values(key, "Measures")[4][19] == 0.58  # Google stores the fraction

    result = in_google(fake_google, key)
    m = result.card.measures[0]
    assert (m.baseline, m.target, m.actuals["2026-09"]) == (50, 60, 58)
    assert result.measures["M1"].status == "On Track"
    notes = [f.message for f in result.findings
             if f.cell == SEPTEMBER and f.code == "value-normalised"]
    assert len(notes) == 1 and "stored as 0.58" in notes[0]

    path = cohort_file(tmp_path / "cohort", [(DISTRICT, "Adair County", SHEETS_URL.format(key))])
    fake.reset_log()
    report = pull(load_cohort(path), AS_OF, google=client(fake_google))
    assert not report.failed
    pulled = report.districts[0]
    counts = {s: sum(1 for v in result.measures.values() if v.status == s)
              for s in ("On Track", "Off Track")}
    assert (pulled["On Track"], pulled["Off Track"]) == (counts["On Track"], counts["Off Track"])
    assert cell_reads(fake) == 1 and len(fake.requests) == 2  # the listing, one read


def test_the_same_58_typed_as_a_fraction_without_a_format_is_not_points(fake_google,
                                                                       tmp_path) -> None:
    """0.58 in a plain cell is a rate of 0.58, not 58%: the row mixes scales with 50 and
    60, and its status is not On Track."""
    key = typed(fake_google.fake, district_grid(tmp_path), **{SEPTEMBER: "0.58"})
    result = in_google(fake_google, key)
    assert result.card.measures[0].actuals["2026-09"] == 0.58
    assert result.measures["M1"].status != "On Track"


@pytest.mark.parametrize("value", [46, "46%", Formatted(0.46, "PERCENT")],
                         ids=["46", "46%", "0.46-percent-formatted"])
def test_46_typed_46_percent_and_a_percent_formatted_046_are_all_46(fake_google, tmp_path,
                                                                    value) -> None:
    grid = district_grid(tmp_path)
    if isinstance(value, Formatted):
        grid["Measures"][4][19] = value
        key = typed(fake_google.fake, grid)
    else:
        key = typed(fake_google.fake, grid, **{SEPTEMBER: value})
    result = in_google(fake_google, key)
    assert result.card.measures[0].actuals["2026-09"] == 46
    assert result.measures["M1"].status == "Off Track"  # 46 is below the baseline of 50


def test_a_rate_of_half_in_a_plain_cell_stays_half(fake_google, tmp_path) -> None:
    """A suspension rate: baseline 2, target 0.5 (decrease), an actual of 0.8."""
    grid = district_grid(tmp_path, baseline=2, target=0.5, direction="decrease")
    key = typed(fake_google.fake, grid, **{SEPTEMBER: "0.8"})
    result = in_google(fake_google, key)
    m = result.card.measures[0]
    assert (m.baseline, m.target, m.actuals["2026-09"]) == (2, 0.5, 0.8)
    assert result.measures["M1"].progress == pytest.approx(0.8)


def formatted_xlsx(tmp_path: Path) -> Path:
    """The district of ``district_grid`` as an .xlsx, 0.58 in a 0% cell for September."""
    rows = district_rows(1, YEAR, AS_OF, "clean", goals=4, measures_per_goal=1,
                         actions_per_goal=1)
    first = {k: v for k, v in rows["measures"][0].items() if not k.startswith("actual:")}
    rows["measures"][0] = {**first, "unit": "%", "direction": "increase", "baseline": 50,
                           "target": 60}
    wb = build_template(scorecard_layout(YEAR.label), rows=rows,
                        profile={"district_id": DISTRICT, "district_name": "Adair County"})
    wb["Measures"][SEPTEMBER] = 0.58
    wb["Measures"][SEPTEMBER].number_format = "0%"
    path = save_atomic(wb, tmp_path / "formatted.xlsx")
    assert open_workbook(path).percent_cells["Measures"] == {SEPTEMBER}
    return path


def test_a_google_sheet_reads_as_its_xlsx_with_the_same_percent_formats(fake_google,
                                                                        tmp_path) -> None:
    """The same cells with the same formats: the .xlsx (0.58 in a 0% cell) and the Google
    Sheet (0.58 with a PERCENT format) give the same values, statuses and findings."""
    grid = district_grid(tmp_path)
    grid["Measures"][4][19] = Formatted(0.58, "PERCENT")
    key = typed(fake_google.fake, grid)
    path = formatted_xlsx(tmp_path)

    from_google, from_xlsx = in_google(fake_google, key), check_workbook(str(path), AS_OF)
    assert from_google.card.measures == from_xlsx.card.measures
    assert from_google.measures == from_xlsx.measures
    assert [(f.code, f.cell, f.message) for f in from_google.findings] == \
        [(f.code, f.cell, f.message) for f in from_xlsx.findings]


def test_a_drive_hosted_xlsx_keeps_its_percent_cells(fake_google, tmp_path) -> None:
    path = formatted_xlsx(tmp_path)
    file_id = fake_google.fake.add_binary_file("Adair.xlsx", path.read_bytes())
    wb = google_source(DRIVE_URL.format(file_id), client(fake_google)).read()
    assert wb.percent_cells["Measures"] == {SEPTEMBER}
    card, _ = read_rows(wb)
    assert card.measures[0].actuals["2026-09"] == 58


def test_date_formatted_numbers_come_as_dates_and_formula_cells_are_noted(fake_google,
                                                                      tmp_path) -> None:
    """What an .xlsx of the same sheet gives its reader: a number in a date-formatted cell
    is a date (45 is 1900-02-14, whose serial the checks read back as 45), and which cells
    hold formulas is known (column -> rows)."""
    grid = district_grid(tmp_path)
    grid["Measures"][4][19] = Formatted(45, "DATE")  # 45 typed in a date-formatted cell
    grid["Measures"][4][16] = Formula("=IF(N5=\"\",\"No Data\",\"On Track\")", "On Track")
    key = typed(fake_google.fake, grid, **{"U5": "2026-11-15", "V5": "58%",
                                           "W5": "2026-11-15 12:00"})
    wb = google_source(key, client(fake_google)).read()
    rows = wb.rows("Measures")
    assert rows[4][19:23] == [date(1900, 2, 14), date(2026, 11, 15), 0.58,
                              datetime(2026, 11, 15, 12)]
    assert rows[4][16] == "On Track"
    assert wb.percent_cells == {"Measures": {"V5"}}
    assert wb.formula_cells == {"Measures": {"Q": {5}}}
    goals = wb.rows("Goals")
    assert all(isinstance(r[7], date) for r in goals[4:8])  # the Target Dates
    assert not wb.serial_dates  # dates come as dates, as from an .xlsx
