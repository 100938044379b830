"""Writing to Google, against the local fake: the cohort master, the template, distribution.

The Google master must hold what the .xlsx master holds (same store, same tabs, same
values), formatted, swapped in atomically, in a handful of requests. The Google template
must be the .xlsx template cell for cell, with the declaration's dropdowns, names,
protections and colours. Distribution makes one copy per district, shared with its
contacts only, and never twice.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.distribute import distribute as distribute_command
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import SheetsyncError
from sheetsync.google.errors import GoogleError
from sheetsync.master.google import (
    TEMP_PREFIX,
    value_batches,
    write_google_master,
)
from sheetsync.master.layout import SHEETS
from sheetsync.pull.distribute import DriveStorageUnavailable, copy_name, distribute
from sheetsync.pull.run import pull
from sheetsync.schema.layout import CHOICES, entity_sheets
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.formulas import NAMES, missing_formulas
from sheetsync.template.google import create_google_template
from sheetsync.template.workbook import build_template
from tests import fake_google as fg
from tests.fake_google import (
    SA_EMAIL,
    SA_TOKEN,
    USER_EMAIL,
    USER_TOKEN,
    FakeGoogleService,
    RedirectSession,
)
from tests.helpers import AS_OF

fake_google = fg.fake_google
EPOCH = datetime(1899, 12, 30)
PERIOD = "2027-01"
LAYOUT = scorecard_layout("2026-27")


class Recording(RedirectSession):
    """A session to the fake that keeps each request's JSON body, and can make one request
    fail: ``fail_when(predicate)`` injects a 500 before the first request it matches."""

    def __init__(self, service: FakeGoogleService, token: str = USER_TOKEN) -> None:
        super().__init__(service.base_url, token)
        self.fake = service.fake
        self.sent: list[tuple[str, str, Any]] = []
        self.fail: Any = None

    def fail_when(self, predicate: Any) -> None:
        self.fail = predicate

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        body = kwargs.get("json")
        if self.fail and self.fail(str(method), str(url), body):
            self.fail = None
            self.fake.inject(500, match=urlsplit(self.redirect(str(url))).path)
        self.sent.append((str(method), str(url), body))
        return super().request(method, url, *args, **kwargs)


# -- a pulled cohort ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three example districts pulled once: the store and the .xlsx master."""
    from sheetsync.template.examples import write_examples

    folder = tmp_path_factory.mktemp("cohort")
    write_examples(folder, 3, as_of=date(2027, 1, 20))
    report = pull(load_cohort(folder / "cohort.toml"), AS_OF)
    assert report.master_written and not report.failed
    return folder


def store_rows(folder: Path) -> tuple[list[Any], list[Any], list[Any]]:
    cohort = load_cohort(folder / "cohort.toml")
    ids = [d.id for d in cohort.districts]
    with Store(cohort.store_path) as store:
        return list(store.outcomes(ids)), list(store.history(ids)), store.trend(ids)


def write_master(http: Any, key: str, folder: Path, **options: Any) -> dict[str, Any]:
    outcomes, history, trend = store_rows(folder)
    source_of = options.pop("source_of", lambda o: o.source)
    return write_google_master(http, key, outcomes, history, trend, PERIOD, source_of,
                               folder=folder, **options)


def normal(value: Any) -> Any:
    """A cell as a comparable value: dates as serials, blanks as None, floats rounded."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return round((value - EPOCH) / timedelta(days=1), 6)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(float(value), 6)
    return value


def rows_of(matrix: list[list[Any]]) -> list[list[Any]]:
    rows = [[normal(v) for v in row] for row in matrix]
    rows = [row[:max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
            for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def xlsx_tabs(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: rows_of([[c.value for c in row] for row in ws.iter_rows()]) for ws in wb}


def google_tabs(fake: Any, key: str) -> dict[str, list[list[Any]]]:
    titles = [s["properties"]["title"] for s in fake.spreadsheet_resource(key)["sheets"]]
    return {t: rows_of(fake.get_values(key, t)) for t in titles}


def is_swap(body: Any) -> bool:
    """The request that gives the new tabs the master's names."""
    return any(r.get("updateSheetProperties", {}).get("fields") == "title,index"
               for r in (body or {}).get("requests", []))


def master_sheet(service: FakeGoogleService) -> str:
    return service.fake.add_spreadsheet("Cohort master", {"Sheet1": [["notes of my own"]]},
                                        shared_with=[USER_EMAIL])


# -- the master -----------------------------------------------------------------------------


def test_google_master_holds_what_the_xlsx_master_holds(fake_google, pulled):
    key = master_sheet(fake_google)
    stats = write_master(fake_google.session(), key, pulled)
    google = google_tabs(fake_google.fake, key)
    assert list(google) == [*SHEETS, "Sheet1"]  # master tabs first; the user's tab kept
    assert google["Sheet1"] == [["notes of my own"]]
    xlsx = xlsx_tabs(pulled / "cohort_master.xlsx")
    for tab in SHEETS:
        assert google[tab] == xlsx[tab], tab
    assert stats["rows"] == {tab: len(xlsx[tab]) - 1 for tab in SHEETS}
    assert stats["rows"]["Measures"] == 72


def test_the_master_is_formatted(fake_google, pulled):
    fake = fake_google.fake
    key = master_sheet(fake_google)
    write_master(fake_google.session(), key, pulled)
    sheets = {s["properties"]["title"]: s for s in fake.spreadsheet_resource(key)["sheets"]}
    for tab, cols in SHEETS.items():
        sheet = sheets[tab]
        grid = sheet["properties"]["gridProperties"]
        assert (grid["frozenRowCount"], grid["frozenColumnCount"]) == (1, 1), tab
        assert sheet["basicFilter"]["range"]["endColumnIndex"] == len(cols), tab
        status_cols = [i for i, c in enumerate(cols) if c.kind == "status"]
        coloured = {(r["ranges"][0]["startColumnIndex"],
                     r["booleanRule"]["condition"]["values"][0]["userEnteredValue"])
                    for r in sheet.get("conditionalFormats", [])}
        assert {(i, s) for i in status_cols for s in ("On Track", "Off Track", "Met")} \
            <= coloured, tab
    headers = [r["repeatCell"] for r in fake.recorded_requests(key, "repeatCell")
               if r["repeatCell"]["range"]["startRowIndex"] == 0]
    assert all(h["cell"]["userEnteredFormat"]["textFormat"]["bold"] for h in headers)
    assert len(headers) == len(SHEETS) + 1  # one per tab, and the trend table's
    formats = {json.dumps(r["repeatCell"]["cell"]["userEnteredFormat"]["numberFormat"])
               for r in fake.recorded_requests(key, "repeatCell")
               if "numberFormat" in r["repeatCell"]["cell"]["userEnteredFormat"]}
    assert {'{"type": "DATE", "pattern": "yyyy-mm-dd"}',
            '{"type": "PERCENT", "pattern": "0%"}'} <= formats
    assert len(fake.recorded_requests(key, "addChart")) == 2


def test_the_master_costs_a_handful_of_requests(fake_google, pulled):
    fake = fake_google.fake
    key = master_sheet(fake_google)
    fake.reset_log()
    stats = write_master(fake_google.session(), key, pulled)
    assert stats["requests"] == fake.count() == 3  # new tabs, values, swap
    assert stats["value_requests"] == 1
    assert fake.count("POST", f"{key}:batchUpdate") == 2
    fake.reset_log()
    again = write_master(fake_google.session(), key, pulled)  # replacing an existing master
    assert again["requests"] == fake.count() == 3
    assert again["replaced_tabs"] == len(SHEETS)
    assert not [t for t in google_tabs(fake, key) if t.startswith(TEMP_PREFIX)]


def test_a_large_master_is_written_in_chunks(fake_google, pulled):
    key = master_sheet(fake_google)
    stats = write_master(fake_google.session(), key, pulled, max_cells=600)
    assert stats["value_requests"] >= math.ceil(stats["cells"] / 600) > 1
    assert stats["requests"] == stats["value_requests"] + 2
    xlsx = xlsx_tabs(pulled / "cohort_master.xlsx")
    google = google_tabs(fake_google.fake, key)
    assert all(google[tab] == xlsx[tab] for tab in SHEETS)


@pytest.mark.parametrize(("max_cells", "max_bytes"), [(10, 10**9), (10**9, 300), (7, 250)])
def test_value_batches_stay_under_both_limits(max_cells, max_bytes):
    rows = [[f"row {i}", i, None, "x" * 20] for i in range(40)]
    batches = value_batches([("Goals", 0, 0, rows), ("Summary", 0, 5, rows[:3])],
                            max_cells, max_bytes)
    for batch in batches:
        cells = sum(len(r) for vr in batch for r in vr["values"])
        assert cells <= max(max_cells, 4)  # a single row always goes, however wide
        assert len(json.dumps(batch)) <= max(max_bytes * 1.5, 200)
    written = [r for batch in batches for vr in batch for r in vr["values"]]
    assert written == rows + rows[:3]
    starts = [vr["range"] for batch in batches for vr in batch]
    assert starts[0] == "'Goals'!A1" and starts[-1].startswith("'Summary'!F")


@pytest.mark.parametrize("failing", ["values", "swap"])
def test_a_failed_write_leaves_the_old_master_untouched(fake_google, pulled, failing):
    fake = fake_google.fake
    key = master_sheet(fake_google)
    write_master(fake_google.session(), key, pulled)
    before = fake.spreadsheet_resource(key)["sheets"]
    values_before = google_tabs(fake, key)
    http = Recording(fake_google)
    if failing == "values":
        http.fail_when(lambda m, url, body: url.endswith("/values:batchUpdate"))
    else:
        http.fail_when(lambda m, url, body: is_swap(body))
    outcomes, history, trend = store_rows(pulled)
    outcomes[0] = replace(outcomes[0], name="Renamed County")  # what the write would change
    with pytest.raises(GoogleError) as failed:
        write_google_master(http, key, outcomes, history, trend, PERIOD, lambda o: o.source)
    assert failed.value.status == 500 and failed.value.transient
    assert fake.spreadsheet_resource(key)["sheets"] == before  # ids, titles, order, formats
    assert google_tabs(fake, key) == values_before
    cleanup = http.sent[-1][2]["requests"]
    assert {r["deleteSheet"]["sheetId"] for r in cleanup} == {
        r["addSheet"]["properties"]["sheetId"]
        for r in http.sent[0][2]["requests"] if "addSheet" in r}


def test_a_swap_applied_but_unanswered_is_not_undone(fake_google, pulled):
    """A lost answer to the swap: the new master is in place and must stay."""
    fake = fake_google.fake
    key = master_sheet(fake_google)

    class LostAnswer(Recording):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            response = super().request(method, url, *args, **kwargs)
            if is_swap(kwargs.get("json")):
                response.status_code = 503  # Google did it; the answer did not arrive
            return response

    http = LostAnswer(fake_google)
    stats = write_master(http, key, pulled)
    assert stats["requests"] == 4  # and one look at the tabs
    assert list(google_tabs(fake, key))[:len(SHEETS)] == list(SHEETS)


def test_text_from_districts_stays_text(fake_google, pulled):
    fake = fake_google.fake
    key = master_sheet(fake_google)
    outcomes, history, trend = store_rows(pulled)
    hostile = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
               "=cmd|' /C calc'!A0"]
    goals = outcomes[0].data["card"]["goals"]
    for goal, text in zip(goals, hostile, strict=False):
        goal["statement"] = text
    outcomes[0] = replace(outcomes[0], name="=1+1")
    http = Recording(fake_google)
    write_google_master(http, key, outcomes, history, trend, PERIOD, lambda o: o.source)
    values = [body for m, url, body in http.sent if url.endswith("/values:batchUpdate")]
    assert {v["valueInputOption"] for v in values} == {"RAW"}
    cells = fake.files[key].spreadsheet.sheet_by_title("Goals").cells
    statement = [c.header for c in SHEETS["Goals"]].index("Statement")
    written = [cells[(r, statement)] for r in range(1, len(hostile) + 1)]
    assert [c.value for c in written] == hostile
    assert all(c.formula is None for c in written)
    summary = fake.files[key].spreadsheet.sheet_by_title("Summary").cells
    assert summary[(1, 1)].value == "=1+1" and summary[(1, 1)].formula is None


def test_source_cells_of_google_districts_link_to_the_cell(fake_google, pulled):
    fake = fake_google.fake
    key = master_sheet(fake_google)
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"
    outcomes, history, trend = store_rows(pulled)
    first = outcomes[0].district_id
    gids = {"Goals": 11, "Measures": 22, "Actions": 33, "Monthly Updates": 44}
    write_google_master(
        fake_google.session(), key, outcomes, history, trend, PERIOD,
        lambda o: url if o.district_id == first else o.source,
        gids_of=lambda o: gids if o.district_id == first else {})
    links = [cell["userEnteredFormat"]["textFormat"]["link"]["uri"]
             for r in fake.recorded_requests(key, "updateCells")
             for row in r["updateCells"]["rows"] for cell in row["values"]]
    assert "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#gid=11&range=A5" in "\n".join(links)
    assert all("1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" in link for link in links)
    goals = fake.get_values(key, "Goals")
    assert goals[1][-1] == "Goals!A5"  # the label is plain text, no HYPERLINK formula


# -- the template -----------------------------------------------------------------------------


@pytest.fixture
def google_template(fake_google) -> tuple[Any, str]:
    fake = fake_google.fake
    fake.reset_log()
    key, url = create_google_template(fake_google.session(), LAYOUT, "District Scorecard")
    assert url == f"https://docs.google.com/spreadsheets/d/{key}/edit"
    assert fake.count() == 3  # create, lay out, fill in
    return fake, key


def test_the_google_template_has_the_declared_tabs_and_headers(google_template):
    fake, key = google_template
    sheets = {s["properties"]["title"]: s["properties"]
              for s in fake.spreadsheet_resource(key)["sheets"]}
    assert list(sheets) == [LAYOUT.instructions_sheet, *(s.name for s in LAYOUT.sheets),
                            LAYOUT.lists_sheet]
    assert sheets[LAYOUT.lists_sheet].get("hidden") is True
    for sheet in entity_sheets(LAYOUT):
        values = fake.get_values(key, sheet.name)
        assert values[sheet.header_row - 1] == [c.header for c in sheet.columns], sheet.name
        grid = sheets[sheet.name]["gridProperties"]
        assert grid["frozenRowCount"] == sheet.header_row
    profile = LAYOUT.sheet("profile")
    form = fake.get_values(key, profile.name)
    version = profile.field("template_version").cell
    assert form[int(version[1:]) - 1][1] == LAYOUT.template_version == "2.1"  # text, not a number


def test_the_google_template_is_the_xlsx_template_cell_for_cell(google_template):
    fake, key = google_template
    wb = build_template(LAYOUT)
    formulas = 0
    for ws in wb.worksheets:
        google = fake.get_values(key, ws.title, "FORMULA")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (None, ""):
                    continue
                r, c = cell.row - 1, cell.column - 1
                got = google[r][c] if r < len(google) and c < len(google[r]) else None
                want = cell.value
                if isinstance(want, date):
                    want = (want - EPOCH.date()).days
                assert got == want, f"{ws.title}!{cell.coordinate}"
                formulas += cell.data_type == "f"
    computed = sum(s.capacity for s in entity_sheets(LAYOUT) for c in s.columns
                   if not c.is_input)
    banners = sum(1 for s in entity_sheets(LAYOUT) if missing_formulas(s))
    # every prepared row's computed columns, the banners, AsOf and the status date's flag
    assert formulas == computed + banners + 2


def test_the_google_template_and_the_xlsx_template_carry_one_formula_source(google_template):
    """No formula reads a cell's format (CELL("format") is not in Google Sheets, Excel for
    the web or mobile): the Google template's formulas are the .xlsx template's, unchanged,
    and the instructions give one sentence on percentages for both."""
    fake, key = google_template
    measures = LAYOUT.sheet("measures")
    row = fake.get_values(key, measures.name, "FORMULA")[measures.first_data_row - 1]
    status = measures.column("status")
    xlsx = build_template(LAYOUT)[measures.name][f"{status.letter}{measures.first_data_row}"]
    assert row[status_index(measures)] == xlsx.value
    assert not any("CELL(" in str(v) for v in row)
    text = [v for r in fake.get_values(key, LAYOUT.instructions_sheet) for v in r]
    assert any("type 45 or 45%" in str(v) for v in text)


def status_index(sheet: Any) -> int:
    return next(i for i, c in enumerate(sheet.columns) if c.key == "status")


def test_the_google_template_has_the_declared_dropdowns_names_and_protection(google_template):
    fake, key = google_template
    resource = fake.spreadsheet_resource(key)
    ids = {s["properties"]["title"]: s["properties"]["sheetId"] for s in resource["sheets"]}
    assert {n["name"] for n in resource["namedRanges"]} == set(NAMES)
    rules = {(r["setDataValidation"]["range"]["sheetId"],
              r["setDataValidation"]["range"]["startColumnIndex"]):
             r["setDataValidation"]["rule"]["condition"]
             for r in fake.recorded_requests(key, "setDataValidation")}
    choice_letter = {name: openpyxl.utils.get_column_letter(i)
                     for i, name in enumerate(CHOICES, 1)}
    protected = {(p["range"]["sheetId"], p["range"].get("startColumnIndex"),
                  p["range"].get("startRowIndex"), p["warningOnly"])
                 for s in resource["sheets"] for p in s.get("protectedRanges", [])}
    whole_columns = {  # formats down a whole column, below its header, as in the .xlsx
        (g["sheetId"], g["startColumnIndex"], g["startRowIndex"])
        for r in fake.recorded_requests(key, "repeatCell")
        if "endRowIndex" not in (g := r["repeatCell"]["range"])
        and r["repeatCell"]["cell"]["userEnteredFormat"].get("numberFormat", {}).get("type")
        == "DATE"}  # (a text column's whole-column format wraps, with no number format)
    for sheet in entity_sheets(LAYOUT):
        sid = ids[sheet.name]
        for i, col in enumerate(sheet.columns):
            if col.choices:
                letter = choice_letter[col.choices]
                assert rules[(sid, i)] == {"type": "ONE_OF_RANGE", "values": [
                    {"userEnteredValue": f"={LAYOUT.lists_sheet}!${letter}$2:${letter}$"
                                         f"{len(CHOICES[col.choices]) + 1}"}]}, col.header
            elif col.ref:
                target = LAYOUT.sheet(col.ref)
                assert rules[(sid, i)]["values"][0]["userEnteredValue"] == (
                    f"='{target.name}'!$A${target.first_data_row}:$A${target.last_data_row}")
            if not col.is_input:
                assert (sid, i, sheet.first_data_row - 1, True) in protected, col.header
            if col.is_input and col.type == "date":
                assert (sid, i, sheet.first_data_row - 1) in whole_columns, col.header
    assert any(p[0] == ids[LAYOUT.lists_sheet] and p[1] is None for p in protected)
    statuses = {(s["properties"]["title"], r["booleanRule"]["condition"]["values"][0][
        "userEnteredValue"]) for s in resource["sheets"] for r in s.get("conditionalFormats", [])}
    assert {("Measures", "On Track"), ("Goals", "Off Track"), ("Actions", "Overdue"),
            ("Monthly Updates", "Missing")} <= statuses
    groups = fake.recorded_requests(key, "addDimensionGroup")
    interim = [i for i, c in enumerate(LAYOUT.sheet("measures").columns)  # and the
               if c.key == "interim_target" or c.formula == "period_check"]  # Check's helpers
    assert [g["addDimensionGroup"]["range"] for g in groups] == [
        {"sheetId": ids["Measures"], "dimension": "COLUMNS", "startIndex": interim[0],
         "endIndex": interim[-1] + 1}]


def test_the_google_template_can_be_made_in_a_shared_drive_folder(fake_google):
    fake = fake_google.fake
    drive = fake.add_shared_drive("Cohort", members=[SA_EMAIL])
    folder = fake.add_folder("Scorecards", parents=[drive])
    key, _ = create_google_template(fake_google.session(SA_TOKEN), LAYOUT, "Template",
                                    folder_id=folder, profile={"district_id": "KY-042"})
    assert fake.file_metadata(key)["parents"] == [folder]
    assert fake.get_values(key, "District Profile")[3] == ["District ID", "KY-042"]


# -- distribution ------------------------------------------------------------------------------

CONTACTS = {"KY-001": ["super@adair.kyschools.us", "planner@adair.kyschools.us"],
            "KY-002": ["chief@barren.kyschools.us"], "KY-003": []}


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    """A cohort whose districts have no scorecard yet (their sources do not exist)."""
    lines = ['[cohort]', 'name = "Fall cohort"', 'school_year = "2026-27"', "",
             "[status]", "update_due_day = 25"]
    for (did, contacts), name in zip(CONTACTS.items(), ("Adair County", "Barren County",
                                                         "Boyle County"), strict=True):
        lines += ["", "[[district]]", f'id = "{did}"', f'name = "{name}"',
                  f'source = "pending/{did}.xlsx"', f"contacts = {json.dumps(contacts)}"]
    (tmp_path / "cohort.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "cohort.toml"


def named_value(fake: Any, key: str, name: str) -> Any:
    spreadsheet = fake.files[key].spreadsheet
    grid = next(n["range"] for n in spreadsheet.named_ranges if n["name"] == name)
    cell = spreadsheet.sheet_by_id(grid["sheetId"]).cells[(grid["startRowIndex"],
                                                           grid["startColumnIndex"])]
    return cell.value


def spreadsheets_in(fake: Any, folder: str) -> dict[str, str]:
    return {f.name: f.id for f in fake.files.values()
            if folder in f.parents and f.mime_type == fg.SPREADSHEET_MIME}


def test_distribute_to_a_shared_drive_as_a_service_account(fake_google, roster):
    fake = fake_google.fake
    drive = fake.add_shared_drive("Cohort", members=[SA_EMAIL])
    folder = fake.add_folder("Scorecards 2026-27", parents=[drive])
    cohort = load_cohort(roster)
    made = distribute(cohort, fake_google.session(SA_TOKEN), drive_folder=folder)
    assert [(d["id"], d["status"]) for d in made] == [
        ("KY-001", "created"), ("KY-002", "created"), ("KY-003", "created")]
    files = spreadsheets_in(fake, folder)
    assert set(files) == {"District Scorecard 2026-27 — template",
                          *(copy_name(d, "2026-27") for d in cohort.districts)}
    assert "Adair County (KY-001) — District Scorecard 2026-27" in files
    saved = load_cohort(roster)
    for d in saved.districts:
        key = files[copy_name(d, "2026-27")]
        assert d.source == f"https://docs.google.com/spreadsheets/d/{key}/edit"
        form = fake.get_values(key, "District Profile")
        assert form[3][1] == d.id and form[4][1] == d.name and form[5][1] == "2026-27"
        assert form[9][1] == LAYOUT.template_version
        people = {(p["type"], p.get("emailAddress"), p["role"]) for p in fake.permissions(key)}
        assert people == {("user", e, "writer") for e in CONTACTS[d.id]}  # nobody else
    assert sorted(n["to"] for n in fake.notifications) == sorted(
        e for emails in CONTACTS.values() for e in emails)
    assert named_value(fake, files[copy_name(saved.districts[0], "2026-27")],
                       "UpdateDueDay") == 25  # the cohort's setting, not the default 30


def test_distribute_again_makes_no_duplicates(fake_google, roster):
    fake = fake_google.fake
    drive = fake.add_shared_drive("Cohort", members=[SA_EMAIL])
    folder = fake.add_folder("Scorecards", parents=[drive])
    http = fake_google.session(SA_TOKEN)
    distribute(load_cohort(roster), http, drive_folder=folder)
    files = spreadsheets_in(fake, folder)
    fake.reset_log()
    again = distribute(load_cohort(roster), http, drive_folder=folder)
    assert {d["status"] for d in again} == {"skipped"}
    assert fake.count() == 0 and spreadsheets_in(fake, folder) == files
    # a run that died after copying, before the cohort was saved: the copy is adopted
    text = roster.read_text(encoding="utf-8")
    adair = files["Adair County (KY-001) — District Scorecard 2026-27"]
    roster.write_text(text.replace(f"https://docs.google.com/spreadsheets/d/{adair}/edit",
                                   "pending/KY-001.xlsx"), encoding="utf-8")
    adopted = distribute(load_cohort(roster), http, drive_folder=folder)
    assert [d["status"] for d in adopted] == ["exists", "skipped", "skipped"]
    assert adopted[0]["shared_with"] == []  # its contacts have access already
    assert spreadsheets_in(fake, folder) == files
    assert load_cohort(roster).districts[0].source.endswith(f"/d/{adair}/edit")


def test_distribute_to_my_drive_as_a_service_account_says_what_to_do(fake_google, roster):
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", shared_with=[SA_EMAIL])  # someone's My Drive
    with pytest.raises(DriveStorageUnavailable) as refused:
        distribute(load_cohort(roster), fake_google.session(SA_TOKEN), drive_folder=folder)
    message = str(refused.value)
    assert isinstance(refused.value, SheetsyncError)
    assert "shared drive" in message and "sheetsync auth login" in message
    assert "service account" in message and folder in message
    assert {d.source for d in load_cohort(roster).districts} == {
        f"pending/{d}.xlsx" for d in CONTACTS}


def test_the_storage_error_is_recognised_by_its_reason_not_its_message(fake_google, roster):
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    fake.inject(403, match="/copy", body={"error": {
        "code": 403, "message": "Le quota de stockage est dépassé.",
        "errors": [{"domain": "global", "reason": "storageQuotaExceeded",
                    "message": "Le quota de stockage est dépassé."}]}})
    with pytest.raises(DriveStorageUnavailable):
        distribute(load_cohort(roster), fake_google.session(USER_TOKEN), drive_folder=folder)


def test_distribute_as_a_user_in_my_drive(fake_google, roster):
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    made = distribute(load_cohort(roster), fake_google.session(USER_TOKEN),
                      drive_folder=folder, notify=False)
    assert {d["status"] for d in made} == {"created"}
    key = spreadsheets_in(fake, folder)["Adair County (KY-001) — District Scorecard 2026-27"]
    people = {(p.get("emailAddress"), p["role"]) for p in fake.permissions(key)}
    assert people == {(USER_EMAIL, "owner"), *((e, "writer") for e in CONTACTS["KY-001"])}
    assert not [p for p in fake.permissions(key) if p["type"] in ("anyone", "domain")]
    assert fake.notifications == []


def test_distribute_copies_a_given_template(fake_google, roster):
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    template, _ = create_google_template(fake_google.session(), LAYOUT, "Our template")
    made = distribute(load_cohort(roster), fake_google.session(), drive_folder=folder,
                      template_id=template)
    assert len(made) == 3
    assert "District Scorecard 2026-27 — template" not in spreadsheets_in(fake, folder)


def test_distribute_to_a_local_folder(roster):
    out = roster.parent / "copies"
    made = distribute(load_cohort(roster), folder=out)
    assert [d["status"] for d in made] == ["created"] * 3
    cohort = load_cohort(roster)
    for d in cohort.districts:
        path = cohort.source_path(d)
        assert path.parent.resolve() == out.resolve()
        assert path.name == f"{copy_name(d, '2026-27')}.xlsx"
        ws = openpyxl.load_workbook(path)["District Profile"]
        assert (ws["B4"].value, ws["B5"].value, ws["B6"].value) == (d.id, d.name, "2026-27")
        assert ws["B9"].value == (CONTACTS[d.id][0] if CONTACTS[d.id] else None)
        [(tab, ref)] = ws.parent.defined_names["UpdateDueDay"].destinations
        assert ws.parent[tab][ref.replace("$", "")].value == 25
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    again = distribute(load_cohort(roster), folder=out)
    assert {d["status"] for d in again} == {"skipped"}
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_a_local_copy_already_there_is_adopted_not_overwritten(roster):
    out = roster.parent / "copies"
    distribute(load_cohort(roster), folder=out)
    original = roster.read_text(encoding="utf-8")
    roster.write_text(original.replace(
        "copies/Adair County (KY-001) — District Scorecard 2026-27.xlsx", "pending/KY-001.xlsx"),
        encoding="utf-8")
    made = distribute(load_cohort(roster), folder=out)
    assert [d["status"] for d in made] == ["exists", "skipped", "skipped"]
    assert roster.read_text(encoding="utf-8") == original


def test_distribute_needs_exactly_one_destination(roster):
    with pytest.raises(SheetsyncError):
        distribute(load_cohort(roster))
    with pytest.raises(SheetsyncError):
        distribute(load_cohort(roster), drive_folder="x", folder="y")


def test_cli_distribute_to_a_local_folder(roster):
    runner = CliRunner()
    args = ["--cohort", str(roster), "--folder", str(roster.parent / "copies")]
    result = runner.invoke(distribute_command, args)
    assert result.exit_code == 0, result.output
    assert "3 copies made" in result.output
    again = runner.invoke(distribute_command, [*args, "--json"])
    assert [d["status"] for d in json.loads(again.output)] == ["skipped"] * 3
    both = runner.invoke(distribute_command, [*args, "--drive-folder", "x"])
    assert both.exit_code == 2 and "one of them" in both.output


def test_cli_distribute_to_a_drive_folder(fake_google, roster, tmp_path):
    """Through make_client: a signed-in user's token, the API pointed at the fake."""
    pytest.importorskip("sheetsync.google.auth", reason="google.auth not written yet")
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    token = tmp_path / "token.json"
    token.write_text(json.dumps({
        "type": "authorized_user", "token": USER_TOKEN, "refresh_token": "r",
        "client_id": "c", "client_secret": "s", "expiry": "2999-01-01T00:00:00Z",
        "scopes": ["https://www.googleapis.com/auth/spreadsheets",
                   "https://www.googleapis.com/auth/drive"]}), encoding="utf-8")
    with roster.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[google]\napi_url = "{fake_google.base_url}"\n')
    result = CliRunner().invoke(distribute_command, [
        "--cohort", str(roster), "--drive-folder", folder, "--credentials", str(token),
        "--json"])
    assert result.exit_code == 0, result.output
    assert [d["status"] for d in json.loads(result.output)] == ["created"] * 3
    assert len(spreadsheets_in(fake, folder)) == 4


def test_a_school_cohorts_google_master_holds_what_its_xlsx_master_holds(fake_google,
                                                                          tmp_path):
    """School ID and School headers, and the Alignment, Common Measures and District Goals
    tabs, as in the .xlsx master (issue 14)."""
    from sheetsync.master.google import build_google_master
    from tests.school_cards import AS_OF as SCHOOL_AS_OF
    from tests.school_cards import write_cohort

    path = write_cohort(tmp_path / "kent")
    key = master_sheet(fake_google)
    path.write_text(path.read_text() + f'\n[master]\ngoogle_sheet = "{key}"\n')
    cohort = load_cohort(path)
    assert pull(cohort, SCHOOL_AS_OF).master_written
    with Store(cohort.store_path) as store:
        build_google_master(cohort, store, fake_google.session())
    google = google_tabs(fake_google.fake, key)
    xlsx = xlsx_tabs(tmp_path / "kent" / "cohort_master.xlsx")
    assert list(google) == [*xlsx, "Sheet1"]
    assert "Alignment" in google and google["Summary"][0][:2] == ["School ID", "School"]
    for tab in xlsx:
        assert google[tab] == xlsx[tab], tab
