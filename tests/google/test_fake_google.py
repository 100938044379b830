"""Tests of the local Google API fake (tests/fake_google.py).

(a) conformance: gspread's recordings of real Sheets v4 / Drive v3 traffic are replayed
    against the fake; statuses and JSON shapes (and, after id mapping, contents) must match;
(b) gspread driven through its real HTTP path (a RedirectSession), as sheetsync will be;
(c) fault injection and quotas as a requests client sees them;
plus the fake's own rules (ranges, rendering, validation, Drive queries, access).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gspread
import pytest
import requests

from tests import fake_google as fg
from tests.fake_google import (
    FOLDER_MIME,
    SA_EMAIL,
    SA_TOKEN,
    SPREADSHEET_MIME,
    USER_EMAIL,
    XLSX_MIME,
    FakeGoogle,
    FakeGoogleService,
    Formatted,
    Formula,
    RedirectSession,
    serve,
)

fake_google = fg.fake_google  # the module's fixture: a FakeGoogle served for one test

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3"
RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "google-api-recordings"


# ---------------------------------------------------------------------------
# (a) Conformance with recorded Google traffic
# ---------------------------------------------------------------------------

# Recorded endpoints the fake deliberately does not implement, and why.
KNOWN_GAPS = {
    "grid data": "spreadsheets.get asking for grid data the fake does not keep (the recordings "
    "ask for columnMetadata and whole userEnteredFormats; the fake keeps values, formulas and "
    "number formats: see the grid-data tests below)",
}
# What the replays must cover at least once.
REQUIRED_ENDPOINTS = {
    "sheets.get",
    "sheets.get 404",
    "sheets.get 403",
    "values.get",
    "values.batchGet",
    "values.update",
    "values.clear",
    "values.batchUpdate",
    "sheets.batchUpdate:addSheet",
    "sheets.batchUpdate:deleteSheet",
    "sheets.batchUpdate:updateSheetProperties",
    "drive.files.list",
    "drive.files.get",
    "drive.files.copy",
    "drive.files.create",
    "drive.files.delete",
}
TIME_KEYS = {"createdTime", "modifiedTime"}


def recording_paths() -> list[Path]:
    return sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else []


def endpoint_of(method: str, uri: str, body: str | None, status: int) -> str:
    """A label for a recorded request, e.g. 'sheets.batchUpdate:addSheet' or
    'sheets.get 404'."""
    path = urlsplit(uri).path
    if path.startswith("/drive/v3/files"):
        tail = path.removeprefix("/drive/v3/files")
        if tail.endswith("/copy"):
            label = "drive.files.copy"
        elif tail.endswith("/comments"):
            label = "drive.comments.list"
        elif not tail:
            label = "drive.files.list" if method == "GET" else "drive.files.create"
        else:
            label = {"GET": "drive.files.get", "DELETE": "drive.files.delete"}[method]
    elif "/values:" in path:
        label = "values." + path.rsplit(":", 1)[1]
    elif "/values/" in path:
        label = (
            "values.clear"
            if path.endswith(":clear")
            else {
                "GET": "values.get",
                "PUT": "values.update",
            }[method]
        )
    elif path.endswith(":batchUpdate"):
        kinds = sorted(
            {kind for request in json.loads(body or "{}")["requests"] for kind in request}
        )
        label = "sheets.batchUpdate:" + "+".join(kinds)
    else:
        label = "sheets.get"
    return label if status < 300 else f"{label} {status}"


def gap_of(uri: str) -> str | None:
    query = urlsplit(uri).query
    if "fields=sheets.data" in query or "includeGridData=true" in query.lower():
        return "grid data"
    return None


def shape(value: Any) -> Any:
    """Keys and value types, recursively (numbers are numbers, int or float)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def canonical(value: Any, ids: dict[str, str], sheet_ids: dict[int, int]) -> Any:
    """Value with timestamps masked and the fake's ids mapped to the recorded ones."""
    if isinstance(value, dict):
        return {
            key: "<time>"
            if key in TIME_KEYS
            else sheet_ids.get(item, item)
            if key == "sheetId"
            else canonical(item, ids, sheet_ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [canonical(item, ids, sheet_ids) for item in value]
    if isinstance(value, str):
        for mine, recorded in ids.items():
            value = value.replace(mine, recorded)
    return value


def _json(text: str) -> Any:
    return json.loads(text) if text.strip() else None


@dataclass
class Replay:
    """Replays one recording against a served fake, mapping recorded ids to the fake's."""

    fake: FakeGoogle
    session: RedirectSession
    ids: dict[str, str] = field(default_factory=dict)  # recorded file id -> fake's
    sheet_ids: dict[int, int] = field(default_factory=dict)  # recorded sheetId -> fake's
    covered: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def seed(self, interactions: list[dict]) -> None:
        """Create what the recording used but did not create itself: a spreadsheet the
        caller was refused (403) exists, owned by someone else and not shared."""
        created = {
            _json(i["response"]["body"]["string"])["id"]
            for i in interactions
            if i["request"]["method"] == "POST" and "/drive/v3/files" in i["request"]["uri"]
        }
        for interaction in interactions:
            path = urlsplit(interaction["request"]["uri"]).path
            if (
                path.startswith("/v4/spreadsheets/")
                and interaction["response"]["status"]["code"] == 403
            ):
                key = path.split("/")[3]
                if key not in created and key not in self.fake.files:
                    self.fake.add_spreadsheet(
                        "Private", file_id=key, shared_with=[], owner="x@example.org"
                    )

    def play(self, interaction: dict) -> None:
        request, recorded = interaction["request"], interaction["response"]
        method, uri, status = request["method"], request["uri"], recorded["status"]["code"]
        label = endpoint_of(method, uri, request["body"], status)
        gap = gap_of(uri)
        if gap:
            self.skipped.append((label, gap))
            return
        reply = self.session.request(
            method,
            self._to_fake(uri),
            data=self._body(request["body"]),
            headers={"Content-Type": "application/json"} if request["body"] else {},
        )
        assert reply.status_code == status, (label, uri, reply.text)
        expected, actual = _json(recorded["body"]["string"]), _json(reply.text)
        self._learn(label, expected, actual)
        assert shape(actual) == shape(expected), label
        back = {mine: theirs for theirs, mine in self.ids.items()}
        sheet_back = {mine: theirs for theirs, mine in self.sheet_ids.items()}
        assert canonical(actual, back, sheet_back) == canonical(expected, {}, {}), label
        self.covered[label] += 1

    def _learn(self, label: str, expected: Any, actual: Any) -> None:
        if label in ("drive.files.create", "drive.files.copy"):
            self.ids[expected["id"]] = actual["id"]
        if label == "sheets.batchUpdate:addSheet":
            recorded = expected["replies"][0]["addSheet"]["properties"]["sheetId"]
            self.sheet_ids[recorded] = actual["replies"][0]["addSheet"]["properties"]["sheetId"]

    def _to_fake(self, uri: str) -> str:
        for recorded, mine in self.ids.items():
            uri = uri.replace(recorded, mine)
        return uri

    def _body(self, body: str | None) -> bytes | None:
        if not body:
            return None
        return json.dumps(self._map_sheet_ids(json.loads(body))).encode()

    def _map_sheet_ids(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: self.sheet_ids.get(item, item)
                if key == "sheetId"
                else self._map_sheet_ids(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._map_sheet_ids(item) for item in value]
        return value


def replay_recording(path: Path) -> Replay:
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    fake = FakeGoogle()
    with serve(fake) as base_url:
        replay = Replay(fake, RedirectSession(base_url))
        replay.seed(interactions)
        for interaction in interactions:
            replay.play(interaction)
    return replay


@pytest.mark.parametrize("name", [path.name for path in recording_paths()] or ["(no recordings)"])
def test_recording_replays_on_the_fake(name: str) -> None:
    if not RECORDINGS.is_dir():
        pytest.skip(f"recordings not found at {RECORDINGS}")
    replay = replay_recording(RECORDINGS / name)
    assert replay.covered, "nothing was replayed"
    assert {gap for _, gap in replay.skipped} <= set(KNOWN_GAPS)


def test_conformance_covers_the_required_endpoints() -> None:
    if not RECORDINGS.is_dir():
        pytest.skip(f"recordings not found at {RECORDINGS}")
    covered: Counter = Counter()
    skipped: Counter = Counter()
    for path in recording_paths():
        replay = replay_recording(path)
        covered.update(replay.covered)
        skipped.update(label for label, _ in replay.skipped)
    missing = {
        label for label in REQUIRED_ENDPOINTS if not any(c.startswith(label) for c in covered)
    }
    assert not missing, f"covered: {sorted(covered)}"
    assert set(skipped) == {"sheets.get"}, skipped  # only the grid-data GETs


def test_recordings_show_what_gspread_sends() -> None:
    """Facts about gspread 6.x's requests that the fake (and sheetsync) rely on."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"recordings not found at {RECORDINGS}")
    uris = [
        interaction["request"]["uri"]
        for path in recording_paths()
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]
    ]
    listing = next(uri for uri in uris if uri.startswith(f"{DRIVE}/files?q="))
    assert "supportsAllDrives=True" in listing  # Python's str(True), not "true"
    assert (
        "fields=kind%2CnextPageToken%2Cfiles%28id%2Cname%2CcreatedTime%2CmodifiedTime%29" in listing
    )
    batch_gets = [uri for uri in uris if "values:batchGet" in uri]
    assert batch_gets and all("valueRenderOption" not in uri for uri in batch_gets)


# ---------------------------------------------------------------------------
# Helpers for the tests below
# ---------------------------------------------------------------------------

GOALS = [
    ["id", "statement", "target", "due"],
    ["G1", "Raise 3rd-grade reading proficiency", 45, dt.date(2027, 6, 30)],
    [],
    ["G3", "Cut chronic absenteeism", 0.12, dt.date(2027, 6, 30)],
]


def seed_district(fake: FakeGoogle, name: str = "Adair County", **kwargs: Any) -> str:
    tabs = {
        "Goals": GOALS,
        "Monthly update": [["month", "submitted_on"], ["October", "2026-10-30"]],
    }
    return fake.add_spreadsheet(name, tabs, **kwargs)


def error_of(response: requests.Response) -> dict:
    return response.json()["error"]


# ---------------------------------------------------------------------------
# (b) gspread through its real HTTP path
# ---------------------------------------------------------------------------


def test_gspread_opens_a_spreadsheet_and_reads_a_worksheet(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    client = fake_google.client()
    spreadsheet = client.open_by_key(key)
    assert spreadsheet.title == "Adair County"
    assert fake_google.fake.count("GET", f"/v4/spreadsheets/{key}") == 1  # open_by_key: metadata
    worksheet = spreadsheet.worksheet("Goals")
    values = worksheet.get_all_values()
    assert values[0] == ["id", "statement", "target", "due"]
    assert values[1][2:] == ["45", "2027-06-30"]  # FORMATTED_VALUE, gspread's default
    assert values[2] == ["", "", "", ""]  # gspread pads; the API sent []
    assert worksheet.get("C2", value_render_option="UNFORMATTED_VALUE") == [[45]]


def test_gspread_values_batch_get_reads_all_tabs_in_one_request(
    fake_google: FakeGoogleService,
) -> None:
    key = seed_district(fake_google.fake)
    spreadsheet = fake_google.client().open_by_key(key)
    fake_google.fake.reset_log()
    params = {
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
        "majorDimension": "ROWS",
    }
    result = spreadsheet.values_batch_get(
        ["Goals", "'Monthly update'", "Goals!A1:B2"], params=params
    )
    assert len(fake_google.fake.requests) == 1
    method, path, query = fake_google.fake.requests[0]
    assert (method, path.endswith("/values:batchGet")) == ("GET", True)
    assert query["ranges"] == ["Goals", "'Monthly update'", "Goals!A1:B2"]
    goals, monthly, corner = result["valueRanges"]
    assert goals["range"] == "Goals!A1:Z1000"
    assert goals["values"][1] == ["G1", "Raise 3rd-grade reading proficiency", 45, 46568]
    assert goals["values"][2] == []
    assert goals["values"][3][2] == 0.12
    assert monthly["range"] == "'Monthly update'!A1:Z1000"
    assert corner == {
        "range": "Goals!A1:B2",
        "majorDimension": "ROWS",
        "values": [["id", "statement"], ["G1", "Raise 3rd-grade reading proficiency"]],
    }


def test_gspread_lists_spreadsheets_in_a_folder(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    folder = fake.add_folder("Cohort 2026-27")
    wanted = {seed_district(fake, f"District {n}", parents=[folder]) for n in range(3)}
    fake.add_binary_file("Legacy.xlsx", b"PK\x03\x04", parents=[folder])
    seed_district(fake, "Elsewhere")
    files = fake_google.client().list_spreadsheet_files(folder_id=folder)
    assert {f["id"] for f in files} == wanted
    assert all(set(f) == {"id", "name", "createdTime", "modifiedTime"} for f in files)
    query = fake.requests[-1].query
    assert query["q"] == [f'mimeType="{SPREADSHEET_MIME}" and parents in "{folder}"']
    assert query["pageSize"] == ["1000"]


def test_gspread_copy_as_a_user_copies_the_content(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    client = fake_google.client()
    copied = client.copy(key, title="Adair County 2027-28")
    assert copied.id != key
    assert copied.worksheet("Goals").get("A2") == [["G1"]]
    assert fake_google.fake.file_metadata(copied.id)["owners"][0]["emailAddress"] == USER_EMAIL


def test_gspread_copy_as_a_service_account_needs_a_shared_drive(
    fake_google: FakeGoogleService,
) -> None:
    fake = fake_google.fake
    template = seed_district(fake, "Template")
    client = fake_google.client(SA_TOKEN)
    with pytest.raises(gspread.exceptions.APIError) as refused:
        client.copy(template, title="Adair County")
    error = refused.value.response.json()["error"]
    assert refused.value.code == 403
    assert error["message"] == "The user's Drive storage quota has been exceeded."
    assert error["errors"][0]["reason"] == "storageQuotaExceeded"
    drive = fake.add_shared_drive("Cohort", members=[SA_EMAIL])
    folder = fake.add_folder("Districts", parents=[drive])
    copied = client.copy(template, title="Adair County", folder_id=folder)
    assert fake.file_metadata(copied.id)["driveId"] == drive


def test_gspread_share_grants_access(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    fake.add_token("district-token", "super@adair.k12.ky.us")
    key = seed_district(fake, shared_with=[USER_EMAIL])
    with pytest.raises(PermissionError):
        fake_google.client("district-token").open_by_key(key)
    fake_google.client().open_by_key(key).share(
        "super@adair.k12.ky.us", perm_type="user", role="writer", notify=False
    )
    assert fake_google.client("district-token").open_by_key(key).title == "Adair County"
    emails = {p.get("emailAddress"): p["role"] for p in fake.permissions(key)}
    assert emails["super@adair.k12.ky.us"] == "writer"
    assert fake.notifications == []  # notify=False sends sendNotificationEmail=False


def test_gspread_missing_spreadsheet_is_not_found(fake_google: FakeGoogleService) -> None:
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        fake_google.client().open_by_key("does-not-exist")


def test_gspread_writes_and_formats(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    spreadsheet = fake_google.client().open_by_key(key)
    sheet = spreadsheet.add_worksheet("Status", rows=20, cols=5)
    sheet.update(
        [["district", "on track"], ["Adair", "45%"]], "A1", value_input_option="USER_ENTERED"
    )
    sheet.batch_update([{"range": "C1:C2", "values": [["note"], ["ok"]]}])
    sheet.freeze(rows=1)
    sheet.format("A1:C1", {"textFormat": {"bold": True}})
    assert fake.get_values(key, "Status") == [
        ["district", "on track", "note"],
        ["Adair", 0.45, "ok"],
    ]
    assert fake.sheet_properties(key, "Status")["gridProperties"]["frozenRowCount"] == 1
    repeat = fake.recorded_requests(key, "repeatCell")
    assert repeat[0]["repeatCell"]["cell"]["userEnteredFormat"]["textFormat"] == {"bold": True}
    spreadsheet.del_worksheet(sheet)
    assert [w.title for w in spreadsheet.worksheets()] == ["Goals", "Monthly update"]


# ---------------------------------------------------------------------------
# (c) Faults and quotas, as a requests client sees them
# ---------------------------------------------------------------------------


def get_with_retries(session: requests.Session, url: str, attempts: int = 3) -> list[int]:
    """A bounded retry loop on 429/5xx; returns the statuses seen."""
    statuses = []
    for _ in range(attempts):
        response = session.get(url)
        statuses.append(response.status_code)
        if response.status_code not in (429, 500, 502, 503):
            break
    return statuses


def test_429_then_success(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    fake_google.fake.inject(429, times=1, match="values:batchGet")
    session = fake_google.session()
    url = f"{SHEETS}/{key}/values:batchGet?ranges=Goals"
    first = session.get(url)
    assert first.status_code == 429
    error = error_of(first)
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert "Quota exceeded for quota metric 'Read requests'" in error["message"]
    assert get_with_retries(session, url) == [200]


def test_500_and_502(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    fake_google.fake.inject(500, times=2)
    fake_google.fake.inject(502, times=1)
    url = f"{SHEETS}/{key}"
    assert get_with_retries(fake_google.session(), url, attempts=5) == [500, 500, 502, 200]
    fake_google.fake.inject(500, match="/drive/")
    response = fake_google.session().get(f"{DRIVE}/files/{key}")
    assert error_of(response)["errors"][0]["reason"] == "internalError"


def test_502_is_googles_html_page(fake_google: FakeGoogleService) -> None:
    fake_google.fake.inject(502)
    response = fake_google.session().get(f"{DRIVE}/files")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()


def test_dropped_connection(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    fake_google.fake.drop_connection(times=1, match="/values/")
    session = fake_google.session()
    with pytest.raises(requests.ConnectionError):
        session.get(f"{SHEETS}/{key}/values/Goals")
    assert session.get(f"{SHEETS}/{key}/values/Goals").status_code == 200
    assert fake_google.fake.count("GET", "/values/Goals") == 2


def test_injected_403_and_404_have_each_apis_shape(fake_google: FakeGoogleService) -> None:
    fake, session = fake_google.fake, fake_google.session()
    key = seed_district(fake)
    fake.inject(403, match="/v4/")
    fake.inject(403, match="/drive/", reason="userRateLimitExceeded")
    fake.inject(404, match="/v4/")
    fake.inject(404, match="/drive/")
    sheets_403 = session.get(f"{SHEETS}/{key}")
    assert error_of(sheets_403) == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }
    drive_403 = error_of(session.get(f"{DRIVE}/files/{key}"))
    assert drive_403["errors"][0]["domain"] == "usageLimits"
    assert error_of(session.get(f"{SHEETS}/{key}"))["status"] == "NOT_FOUND"
    drive_404 = error_of(session.get(f"{DRIVE}/files/{key}"))
    assert drive_404["message"] == f"File not found: {key}."
    assert session.get(f"{SHEETS}/{key}").status_code == 200  # faults used up


def test_sheets_quota_per_user_per_minute() -> None:
    now = [0.0]
    fake = FakeGoogle(clock=lambda: now[0])
    key = seed_district(fake)
    fake.set_quota(read_per_minute=2)
    with serve(fake) as base_url:
        user, robot = RedirectSession(base_url), RedirectSession(base_url, SA_TOKEN)
        url = f"{SHEETS}/{key}/values/Goals"
        assert [user.get(url).status_code for _ in range(3)] == [200, 200, 429]
        assert robot.get(url).status_code == 200  # quotas are per user
        now[0] = 61
        assert user.get(url).status_code == 200
        assert user.get(f"{DRIVE}/files").status_code == 200  # Drive is not limited


# ---------------------------------------------------------------------------
# Identity and access
# ---------------------------------------------------------------------------


def test_missing_or_unknown_token_is_401(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    anonymous = fake_google.session(token=None)
    missing = anonymous.get(f"{SHEETS}/{key}")
    assert missing.status_code == 401
    assert error_of(missing)["status"] == "UNAUTHENTICATED"
    assert error_of(missing)["message"].startswith("Request is missing required authentication")
    unknown = fake_google.session(token="stolen").get(f"{DRIVE}/files")
    assert unknown.status_code == 401
    assert error_of(unknown)["errors"][0]["reason"] == "authError"


def test_unshared_files_are_403_on_sheets_and_404_on_drive(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake, shared_with=["someone@example.com"])
    session = fake_google.session()
    assert session.get(f"{SHEETS}/{key}").status_code == 403
    drive = session.get(f"{DRIVE}/files/{key}")
    assert drive.status_code == 404
    assert error_of(drive)["errors"][0] == {
        "message": f"File not found: {key}.",
        "domain": "global",
        "reason": "notFound",
        "location": "fileId",
        "locationType": "parameter",
    }
    listed = session.get(f"{DRIVE}/files").json()["files"]
    assert key not in {f["id"] for f in listed}


def test_readers_cannot_write_and_folders_share_their_files(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    folder = fake.add_folder("Cohort", shared_with={USER_EMAIL: "reader"})
    key = seed_district(fake, parents=[folder], shared_with=[])
    session = fake_google.session()
    assert session.get(f"{SHEETS}/{key}/values/Goals").status_code == 200
    write = session.put(
        f"{SHEETS}/{key}/values/Goals!A1?valueInputOption=RAW", json={"values": [["x"]]}
    )
    assert write.status_code == 403
    assert session.delete(f"{DRIVE}/files/{key}").status_code == 403


# ---------------------------------------------------------------------------
# Sheets values
# ---------------------------------------------------------------------------


def test_ranges_bare_quoted_and_a1(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    session = fake_google.session()
    ranges = ["Goals", "'Monthly update'", "Monthly update!A2", "A1:B1", "goals!D:D"]
    params = {"ranges": ranges, "valueRenderOption": "UNFORMATTED_VALUE"}
    result = session.get(f"{SHEETS}/{key}/values:batchGet", params=params).json()
    assert [vr["range"] for vr in result["valueRanges"]] == [
        "Goals!A1:Z1000",
        "'Monthly update'!A1:Z1000",
        "'Monthly update'!A2",
        "Goals!A1:B1",  # no tab named: the first tab
        "Goals!D1:D1000",  # tab titles match case-insensitively
    ]
    assert result["valueRanges"][2]["values"] == [["October"]]
    assert result["valueRanges"][4]["values"] == [["due"], [46568], [], [46568]]


def test_unable_to_parse_range(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    session = fake_google.session()
    for bad in ["Nope", "Nope!A1", "Goals!A0", "'Goals"]:
        response = session.get(f"{SHEETS}/{key}/values:batchGet", params={"ranges": ["Goals", bad]})
        assert response.status_code == 400, bad
        assert error_of(response) == {
            "code": 400,
            "message": f"Unable to parse range: {bad}",
            "status": "INVALID_ARGUMENT",
        }


def test_render_options(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = fake.add_spreadsheet(
        "Render", {"S": [[1.5, True, Formula("=A1*2", 3), dt.date(2026, 10, 31)]]}
    )
    fake.set_values(
        key, "S", [["45%", "$1,234.5", "10/31/2026", "'007", "1,000"]], "A2", "USER_ENTERED"
    )
    session = fake_google.session()

    def read(**params: str) -> list:
        return session.get(f"{SHEETS}/{key}/values/S", params=params).json()["values"]

    assert read() == [
        ["1.5", "TRUE", "3", "2026-10-31"],
        ["45%", "$1,234.50", "10/31/2026", "007", "1000"],
    ]
    assert read(valueRenderOption="UNFORMATTED_VALUE") == [
        [1.5, True, 3, 46326],
        [0.45, 1234.5, 46326, "007", 1000],
    ]
    unformatted_dates = read(
        valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING"
    )
    assert unformatted_dates[0][3] == "2026-10-31"
    assert read(valueRenderOption="FORMULA")[0][2] == "=A1*2"
    assert read(majorDimension="COLUMNS")[0] == ["1.5", "45%"]
    bad = session.get(f"{SHEETS}/{key}/values/S", params={"valueRenderOption": "PRETTY"})
    assert bad.status_code == 400


def test_values_update_and_batch_update_responses(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    session = fake_google.session()
    put = session.put(
        f"{SHEETS}/{key}/values/'Monthly update'!A3",
        params={"valueInputOption": "RAW"},
        json={"values": [["November", None, "x"], ["December"]]},
    ).json()
    assert put == {
        "spreadsheetId": key,
        "updatedRange": "'Monthly update'!A3:C4",
        "updatedRows": 2,
        "updatedColumns": 2,
        "updatedCells": 3,
    }
    body = {
        "valueInputOption": "USER_ENTERED",
        "data": [
            {"range": "Goals!E1", "values": [["owner"]]},
            {"range": "Goals!E2:E3", "values": [["Ms. Lee"], ["Mr. Ray"]]},
        ],
    }
    batch = session.post(f"{SHEETS}/{key}/values:batchUpdate", json=body).json()
    assert batch["totalUpdatedCells"] == 3
    assert batch["totalUpdatedColumns"] == 1
    assert batch["totalUpdatedSheets"] == 1
    assert [r["updatedRange"] for r in batch["responses"]] == ["Goals!E1", "Goals!E2:E3"]


def test_writes_outside_the_range_or_grid_are_refused(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    session = fake_google.session()
    url = f"{SHEETS}/{key}/values/Goals!A1:B1?valueInputOption=RAW"
    too_wide = session.put(url, json={"values": [["a", "b", "c"]]})
    assert error_of(too_wide)["message"] == (
        "Requested writing within range [Goals!A1:B1], but tried writing to column [C]"
    )
    past_grid = session.put(
        f"{SHEETS}/{key}/values/Goals!A1000?valueInputOption=RAW", json={"values": [["a"], ["b"]]}
    )
    assert error_of(past_grid)["message"] == (
        "Range (Goals!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    body = {
        "valueInputOption": "RAW",
        "data": [
            {"range": "Goals!A1", "values": [["ok"]]},
            {"range": "Nope!A1", "values": [["x"]]},
        ],
    }
    assert session.post(f"{SHEETS}/{key}/values:batchUpdate", json=body).status_code == 400
    assert fake.get_values(key, "Goals")[0][0] == "id"  # nothing written
    missing_option = session.put(f"{SHEETS}/{key}/values/Goals!A1", json={"values": [["x"]]})
    assert missing_option.status_code == 400


def test_clear_and_append(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    session = fake_google.session()
    cleared = session.post(f"{SHEETS}/{key}/values/Goals!A3:D4:clear").json()
    assert cleared == {"spreadsheetId": key, "clearedRange": "Goals!A3:D4"}
    appended = session.post(
        f"{SHEETS}/{key}/values/'Monthly update'!A1:append",
        params={"valueInputOption": "RAW"},
        json={"values": [["November", "2026-11-30"]]},
    ).json()
    assert appended["tableRange"] == "'Monthly update'!A1:B2"
    assert appended["updates"]["updatedRange"] == "'Monthly update'!A3:B3"
    batch = session.post(
        f"{SHEETS}/{key}/values:batchClear", json={"ranges": ["'Monthly update'"]}
    ).json()
    assert batch["clearedRanges"] == ["'Monthly update'!A1:Z1000"]
    assert fake.get_values(key, "Monthly update") == []
    assert len(fake.get_values(key, "Goals")) == 2


# ---------------------------------------------------------------------------
# spreadsheets.get and spreadsheets.batchUpdate
# ---------------------------------------------------------------------------


def batch_update(session: requests.Session, key: str, *requests_: dict) -> requests.Response:
    return session.post(f"{SHEETS}/{key}:batchUpdate", json={"requests": list(requests_)})


def test_metadata_and_sheet_requests(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    session = fake_google.session()
    added = batch_update(
        session,
        key,
        {
            "addSheet": {
                "properties": {
                    "title": "History",
                    "index": 0,
                    "gridProperties": {"rowCount": 5, "columnCount": 3},
                }
            }
        },
    ).json()
    properties = added["replies"][0]["addSheet"]["properties"]
    assert properties["title"] == "History" and properties["index"] == 0
    assert properties["gridProperties"] == {"rowCount": 5, "columnCount": 3}
    history = properties["sheetId"]
    moved = batch_update(
        session,
        key,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": history, "index": 3},
                "fields": "index",
            }
        },
        {
            "updateSheetProperties": {
                "properties": {"sheetId": history, "hidden": True, "title": "Snapshots"},
                "fields": "hidden,title",
            }
        },
    )
    assert moved.json()["replies"] == [{}, {}]
    sheets = session.get(
        f"{SHEETS}/{key}", params={"fields": "sheets.properties(title,index,hidden)"}
    ).json()
    assert sheets == {
        "sheets": [
            {"properties": {"title": "Goals", "index": 0}},
            {"properties": {"title": "Monthly update", "index": 1}},
            {"properties": {"title": "Snapshots", "index": 2, "hidden": True}},
        ]
    }
    duplicate = batch_update(
        session, key, {"duplicateSheet": {"sourceSheetId": 0, "newSheetName": "Goals (copy)"}}
    )
    copy_id = duplicate.json()["replies"][0]["duplicateSheet"]["properties"]["sheetId"]
    assert fake.get_values(key, "Goals (copy)") == fake.get_values(key, "Goals")
    assert batch_update(session, key, {"deleteSheet": {"sheetId": copy_id}}).json()["replies"] == [
        {}
    ]


def test_batch_update_rejects_nonsense_atomically(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    session = fake_google.session()
    rename = {
        "updateSheetProperties": {
            "properties": {"sheetId": 0, "title": "Renamed"},
            "fields": "title",
        }
    }
    prefix = "Invalid requests[1]."
    cases = [
        (
            {"makeItPretty": {}},
            "Invalid JSON payload received. "
            "Unknown name \"makeItPretty\" at 'requests[1]': Cannot find field.",
        ),
        (
            {"deleteSheet": {}},
            f"{prefix}deleteSheet: sheetId is required "
            "(Google would silently use 0; the fake refuses)",
        ),
        (
            {"repeatCell": {"range": {"sheetId": 99}, "fields": "*"}},
            f"{prefix}repeatCell: No grid with id: 99",
        ),
        (
            {"addSheet": {"properties": {"title": "monthly UPDATE"}}},
            f'{prefix}addSheet: A sheet with the name "monthly UPDATE" already exists. '
            "Please enter another name.",
        ),
        (
            {"repeatCell": {"range": {"sheetId": 0, "endColumnIndex": 27}, "fields": "*"}},
            f"{prefix}repeatCell: Range (Renamed!AA1) exceeds grid limits. "
            "Max rows: 1000, max columns: 26",
        ),
    ]
    for bad, message in cases:
        response = batch_update(session, key, rename, bad)
        assert response.status_code == 400
        assert error_of(response) == {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    assert fake.sheet_properties(key, "Goals")["title"] == "Goals"  # the rename was rolled back
    not_done = batch_update(
        session, key, {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS"}}}
    )
    assert "fake_google does not implement" in error_of(not_done)["message"]
    empty = session.post(f"{SHEETS}/{key}:batchUpdate", json={"requests": []})
    assert error_of(empty)["message"] == "Must specify at least one request."


def test_formatting_requests_are_recorded_and_shown(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake)
    session = fake_google.session()
    goals = {
        "sheetId": 0,
        "startRowIndex": 1,
        "endRowIndex": 4,
        "startColumnIndex": 2,
        "endColumnIndex": 3,
    }
    response = batch_update(
        session,
        key,
        {
            "repeatCell": {
                "range": goals,
                "cell": {"userEnteredFormat": {"numberFormat": {"type": "PERCENT"}}},
                "fields": "userEnteredFormat.numberFormat",
            }
        },
        {
            "setDataValidation": {
                "range": goals,
                "rule": {
                    "condition": {
                        "type": "NUMBER_BETWEEN",
                        "values": [{"userEnteredValue": "0"}, {"userEnteredValue": "1"}],
                    }
                },
            }
        },
        {
            "addConditionalFormatRule": {
                "rule": {
                    "ranges": [goals],
                    "booleanRule": {
                        "condition": {
                            "type": "NUMBER_LESS",
                            "values": [{"userEnteredValue": "0.5"}],
                        },
                        "format": {"backgroundColor": {"red": 1}},
                    },
                },
                "index": 0,
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {"range": {"sheetId": 0, "endRowIndex": 1}, "warningOnly": True}
            }
        },
        {"setBasicFilter": {"filter": {"range": {"sheetId": 0}}}},
        {
            "updateDimensionProperties": {
                "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
                "properties": {"pixelSize": 320},
                "fields": "pixelSize",
            }
        },
        {
            "autoResizeDimensions": {
                "dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
            }
        },
        {
            "addBanding": {
                "bandedRange": {
                    "range": {"sheetId": 0},
                    "rowProperties": {"firstBandColor": {"blue": 1}},
                }
            }
        },
        {
            "addChart": {
                "chart": {
                    "spec": {"title": "Targets"},
                    "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 5}}},
                }
            }
        },
    )
    replies = response.json()["replies"]
    assert replies[3]["addProtectedRange"]["protectedRange"]["warningOnly"] is True
    assert "bandedRangeId" in replies[7]["addBanding"]["bandedRange"]
    assert "chartId" in replies[8]["addChart"]["chart"]
    assert [list(r) for r in fake.recorded_requests(key)][:2] == [
        ["repeatCell"],
        ["setDataValidation"],
    ]
    sheet = session.get(f"{SHEETS}/{key}").json()["sheets"][0]
    assert {
        "conditionalFormats",
        "protectedRanges",
        "basicFilter",
        "bandedRanges",
        "charts",
    } <= set(sheet)


def test_grid_data_is_refused_loudly(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    response = fake_google.session().get(f"{SHEETS}/{key}", params={"includeGridData": "true"})
    assert response.status_code == 400
    assert "does not implement grid data" in error_of(response)["message"]
    for fields in ("sheets.data.rowData.values.userEnteredFormat", "sheets.data.rowMetadata",
                   "sheets.data.columnMetadata", "sheets(data(rowData(values(note))))"):
        response = fake_google.session().get(f"{SHEETS}/{key}", params={"fields": fields})
        assert response.status_code == 400, fields
        assert "does not implement grid data" in error_of(response)["message"]


FORMATS_SEED = {
    "Measures": [
        ["Measure ID", "Baseline", "Actual", "Due"],
        ["M1", 50, Formatted(0.46, "PERCENT"), dt.date(2026, 11, 15)],
        [],
        ["M3", Formatted(45, "DATE"), Formula("=1/0", "#DIV/0!"), True],
    ],
    "Other": [["x"]],
}
CELLS_MASK = ("sheets(properties.title,data(startRow,startColumn,rowData.values("
              "effectiveValue,effectiveFormat.numberFormat.type,userEnteredValue.formulaValue)))")


def test_grid_data_gives_values_formats_and_formulas_as_the_reference_documents(
        fake_google: FakeGoogleService) -> None:
    """spreadsheets.get with ranges and a field mask: per range a GridData (startRow and
    startColumn left out when 0; rowData[].values[] of CellData; {} for an empty cell or
    row); a CellData's effectiveValue is an ExtendedValue (numberValue, dates as serial
    numbers; stringValue; boolValue; errorValue {type, message}); effectiveFormat and
    userEnteredFormat carry numberFormat {type, pattern} (the NumberFormatType enum:
    PERCENT, DATE ...) and are left out for the automatic format; formattedValue is what
    FORMATTED_VALUE renders. A cell typed "58%" is 0.58 with a PERCENT format."""
    fake = fake_google.fake
    key = fake.add_spreadsheet("Formats", FORMATS_SEED)
    fake.set_values(key, "Measures", [["58%", "0.5"]], start="B3", input_option="USER_ENTERED")
    session = fake_google.session()
    answer = session.get(f"{SHEETS}/{key}", params={
        "ranges": ["Measures", "Measures!B2:C3"], "fields": CELLS_MASK}).json()
    assert [s["properties"]["title"] for s in answer["sheets"]] == ["Measures"]
    whole, part = answer["sheets"][0]["data"]
    percent = {"numberFormat": {"type": "PERCENT"}}
    assert whole["rowData"][1]["values"][1:] == [
        {"userEnteredValue": {}, "effectiveValue": {"numberValue": 50}},
        {"userEnteredValue": {}, "effectiveValue": {"numberValue": 0.46},
         "effectiveFormat": percent},
        {"userEnteredValue": {}, "effectiveValue": {"numberValue": 46341},
         "effectiveFormat": {"numberFormat": {"type": "DATE"}}}]
    assert whole["rowData"][2] == {"values": [
        {}, {"userEnteredValue": {}, "effectiveValue": {"numberValue": 0.58},
             "effectiveFormat": percent},
        {"userEnteredValue": {}, "effectiveValue": {"numberValue": 0.5}}]}
    assert whole["rowData"][3]["values"][2:] == [
        {"userEnteredValue": {"formulaValue": "=1/0"},
         "effectiveValue": {"errorValue": {"type": "DIVIDE_BY_ZERO",
                                           "message": "#DIV/0! in the fake"}}},
        {"userEnteredValue": {}, "effectiveValue": {"boolValue": True}}]
    assert "startRow" not in whole and (part["startRow"], part["startColumn"]) == (1, 1)
    assert len(part["rowData"]) == 2

    shown = session.get(f"{SHEETS}/{key}", params={
        "ranges": "Measures!B2:D4",
        "fields": "sheets.data.rowData.values(formattedValue,userEnteredFormat.numberFormat,"
                  "effectiveFormat.numberFormat)"}).json()
    rows = shown["sheets"][0]["data"][0]["rowData"]
    assert rows[0]["values"] == [
        {"formattedValue": "50"},
        {"formattedValue": "46.00%",
         "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.00%"}},
         "effectiveFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.00%"}}},
        {"formattedValue": "2026-11-15",
         "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
         "effectiveFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}]
    assert rows[1]["values"][0]["formattedValue"] == "58%"
    assert rows[1]["values"][0]["effectiveFormat"]["numberFormat"]["pattern"] == "0%"
    assert rows[2]["values"][0]["formattedValue"] == "1900-02-13"
    values = session.get(f"{SHEETS}/{key}/values/Measures!B2:C3",
                         params={"valueRenderOption": "FORMATTED_VALUE"}).json()["values"]
    assert values == [["50", "46.00%"], ["58%", "0.5"]]


def test_grid_data_nests_as_google_answered_in_the_recordings(
        fake_google: FakeGoogleService) -> None:
    """The recorded grid-data answer (gspread's format test, ranges=Sheet1!A2 and
    fields=sheets.data.rowData.values.userEnteredFormat) nests as the fake's does."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"recordings not found at {RECORDINGS}")
    recorded = next(
        json.loads(i["response"]["body"]["string"])
        for i in json.loads((RECORDINGS / "WorksheetTest.test_format.json").read_text())[
            "interactions"]
        if "fields=sheets.data.rowData.values.userEnteredFormat" in i["request"]["uri"])
    fake = fake_google.fake
    key = fake.add_spreadsheet("Format", {"Sheet1": [["A1"], [Formatted(0.5, "PERCENT")]]})
    ours = fake_google.session().get(f"{SHEETS}/{key}", params={
        "ranges": "Sheet1!A2",
        "fields": "sheets.data.rowData.values.userEnteredFormat.numberFormat"}).json()

    def shape(node: Any) -> Any:
        if isinstance(node, list):
            return [shape(node[0])] if node else []
        if isinstance(node, dict):
            return {k: shape(v) for k, v in node.items() if k != "userEnteredFormat"} | (
                {"userEnteredFormat": {}} if "userEnteredFormat" in node else {})
        return None

    assert shape(ours) == shape(recorded) == {"sheets": [{"data": [{"rowData": [
        {"values": [{"userEnteredFormat": {}}]}]}]}]}


def test_sheets_api_on_an_xlsx_is_a_failed_precondition(fake_google: FakeGoogleService) -> None:
    key = fake_google.fake.add_binary_file("Adair.xlsx", b"PK\x03\x04")
    response = fake_google.session().get(f"{SHEETS}/{key}")
    assert error_of(response) == {
        "code": 400,
        "message": "This operation is not supported for this document",
        "status": "FAILED_PRECONDITION",
    }


# ---------------------------------------------------------------------------
# Drive
# ---------------------------------------------------------------------------


def test_files_list_query_fields_and_pages(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    folder = fake.add_folder("Cohort")
    keys = [seed_district(fake, f"District {n:02}", parents=[folder]) for n in range(5)]
    fake.trash(keys[4])
    fake.add_binary_file("District 99.xlsx", b"PK", parents=[folder])
    session = fake_google.session()
    query = f"'{folder}' in parents and mimeType = '{SPREADSHEET_MIME}' and trashed = false"
    params = {
        "q": query,
        "pageSize": 3,
        "orderBy": "name",
        "fields": "nextPageToken,files(id,name,modifiedTime,parents)",
    }
    first = session.get(f"{DRIVE}/files", params=params).json()
    assert [f["name"] for f in first["files"]] == ["District 00", "District 01", "District 02"]
    assert set(first["files"][0]) == {"id", "name", "modifiedTime", "parents"}
    assert first["files"][0]["modifiedTime"].endswith("Z")
    second = session.get(
        f"{DRIVE}/files", params={**params, "pageToken": first["nextPageToken"]}
    ).json()
    assert [f["name"] for f in second["files"]] == ["District 03"]
    assert "nextPageToken" not in second
    contains = session.get(
        f"{DRIVE}/files", params={"q": "name contains '9' or name contains 'District 0'"}
    ).json()
    assert len(contains["files"]) == 6 and set(contains) == {"kind", "incompleteSearch", "files"}
    assert set(contains["files"][0]) == {"kind", "id", "name", "mimeType"}
    for bad in [
        {"q": "fullText contains 'x'"},
        {"pageSize": 1001},
        {"fields": "files(colour)"},
        {"pageToken": "junk"},
    ]:
        assert session.get(f"{DRIVE}/files", params=bad).status_code == 400, bad


def test_files_list_modified_since(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    old = seed_district(fake, "Old", modified_time="2026-09-01T00:00:00.000Z")
    new = seed_district(fake, "New", modified_time=dt.datetime(2026, 10, 15, tzinfo=dt.UTC))
    touched = fake.touch(old, "2026-11-01T12:00:00Z")
    assert touched == "2026-11-01T12:00:00.000Z"
    params = {"q": "modifiedTime > '2026-10-01T00:00:00'", "fields": "files(id)"}
    found = fake_google.session().get(f"{DRIVE}/files", params=params).json()["files"]
    assert {f["id"] for f in found} == {old, new}


def test_shared_drive_items_need_the_all_drives_flags(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    drive = fake.add_shared_drive("Cohort", members=[USER_EMAIL])
    key = seed_district(fake, parents=[drive], shared_with=[])
    session = fake_google.session()
    plain = session.get(f"{DRIVE}/files").json()["files"]
    assert key not in {f["id"] for f in plain}
    flags = {"supportsAllDrives": "true", "includeItemsFromAllDrives": "true"}
    listed = session.get(
        f"{DRIVE}/files",
        params={**flags, "corpora": "drive", "driveId": drive, "fields": "files(id,driveId)"},
    )
    assert listed.json()["files"] == [{"id": key, "driveId": drive}]
    assert session.get(f"{DRIVE}/files/{key}").status_code == 404
    assert (
        session.get(f"{DRIVE}/files/{key}", params={"supportsAllDrives": "True"}).status_code == 200
    )
    assert session.get(f"{SHEETS}/{key}").status_code == 200  # Sheets has no such flag


def test_binary_files_download_and_upload(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    session = fake_google.session()
    key = fake.add_binary_file("Adair.xlsx", b"PK\x03\x04 bytes")
    download = session.get(f"{DRIVE}/files/{key}", params={"alt": "media"})
    assert download.content == b"PK\x03\x04 bytes"
    assert download.headers["Content-Type"] == XLSX_MIME
    sheet = seed_district(fake)
    refused = session.get(f"{DRIVE}/files/{sheet}", params={"alt": "media"})
    assert error_of(refused)["errors"][0]["reason"] == "fileNotDownloadable"
    boundary = "sheetsync"
    body = (
        (
            f'--{boundary}\r\nContent-Type: application/json\r\n\r\n{{"name": "Master.xlsx"}}\r\n'
            f"--{boundary}\r\nContent-Type: {XLSX_MIME}\r\n\r\n"
        ).encode()
        + b"PK\x00\xff"
        + f"\r\n--{boundary}--\r\n".encode()
    )
    uploaded = session.post(
        "https://www.googleapis.com/upload/drive/v3/files",
        params={"uploadType": "multipart", "fields": "id,name,size"},
        data=body,
        headers={"Content-Type": f"multipart/related; boundary={boundary}"},
    ).json()
    assert uploaded["name"] == "Master.xlsx" and uploaded["size"] == "4"
    assert fake.files[uploaded["id"]].content == b"PK\x00\xff"
    robot = fake_google.session(SA_TOKEN)
    refused = robot.post(
        "https://www.googleapis.com/upload/drive/v3/files?uploadType=media", data=b"x"
    )
    assert error_of(refused)["errors"][0]["reason"] == "storageQuotaExceeded"


def test_create_copy_delete_and_permissions(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    session = fake_google.session()
    folder = session.post(
        f"{DRIVE}/files", json={"name": "2027-28", "mimeType": FOLDER_MIME}
    ).json()
    assert folder["mimeType"] == FOLDER_MIME and set(folder) == {"kind", "id", "name", "mimeType"}
    created = session.post(
        f"{DRIVE}/files",
        json={"name": "Master", "mimeType": SPREADSHEET_MIME, "parents": [folder["id"]]},
    ).json()
    metadata = session.get(f"{SHEETS}/{created['id']}").json()
    assert [s["properties"]["title"] for s in metadata["sheets"]] == ["Sheet1"]
    copied = session.post(f"{DRIVE}/files/{created['id']}/copy", json={}).json()
    assert copied["name"] == "Copy of Master"
    assert fake.file_metadata(copied["id"])["parents"] == [folder["id"]]
    shared = session.post(
        f"{DRIVE}/files/{created['id']}/permissions",
        params={"sendNotificationEmail": "false", "fields": "id,type,role,emailAddress"},
        json={"type": "user", "role": "reader", "emailAddress": "super@adair.k12.ky.us"},
    ).json()
    assert shared["role"] == "reader" and shared["emailAddress"] == "super@adair.k12.ky.us"
    listed = session.get(f"{DRIVE}/files/{created['id']}/permissions").json()
    assert [p["role"] for p in listed["permissions"]] == ["owner", "reader"]
    owner = session.post(
        f"{DRIVE}/files/{created['id']}/permissions",
        json={"type": "user", "role": "owner", "emailAddress": "x@example.com"},
    )
    assert owner.status_code == 403
    assert (
        session.delete(
            f"{DRIVE}/files/{folder['id']}", params={"supportsAllDrives": "true"}
        ).status_code
        == 204
    )
    assert not {created["id"], copied["id"]} & set(fake.files)  # the folder took its files


def test_writes_bump_modified_time(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    key = seed_district(fake, modified_time="2026-09-01T00:00:00Z")
    session = fake_google.session()
    session.get(f"{SHEETS}/{key}/values/Goals")
    assert fake.files[key].modified == "2026-09-01T00:00:00.000Z"  # reads change nothing
    session.put(f"{SHEETS}/{key}/values/Goals!A1?valueInputOption=RAW", json={"values": [["ID"]]})
    after = session.get(f"{DRIVE}/files/{key}", params={"fields": "modifiedTime"}).json()[
        "modifiedTime"
    ]
    assert after > "2026-09-01T00:00:00.000Z"
    assert fake.touch(key) > after


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------


def test_server_binds_localhost_and_stops() -> None:
    fake = FakeGoogle()
    with serve(fake) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        session = RedirectSession(base_url)
        assert session.get(f"{DRIVE}/about", params={"fields": "user(emailAddress)"}).json() == {
            "user": {"emailAddress": USER_EMAIL}
        }
    with pytest.raises(requests.ConnectionError):
        RedirectSession(base_url, timeout=2).get(f"{DRIVE}/files")


def test_unknown_endpoint_says_so(fake_google: FakeGoogleService) -> None:
    response = fake_google.session().get(f"{DRIVE}/changes")
    assert response.status_code == 404
    assert "fake_google has no endpoint GET /drive/v3/changes" in error_of(response)["message"]


def test_sheets_create_and_drive_patch(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    session = fake_google.session()
    body = {
        "properties": {"title": "Cohort master"},
        "sheets": [{"properties": {"title": "Summary"}}, {"properties": {"title": "Goals"}}],
    }
    created = session.post(SHEETS, json=body).json()
    key = created["spreadsheetId"]
    assert [s["properties"]["sheetId"] == 0 for s in created["sheets"]] == [True, False]
    renamed = session.patch(f"{DRIVE}/files/{key}", json={"name": "Cohort master 2026-27"})
    assert renamed.json()["name"] == "Cohort master 2026-27"
    assert session.get(f"{SHEETS}/{key}").json()["properties"]["title"] == "Cohort master 2026-27"
    session.patch(f"{DRIVE}/files/{key}", json={"trashed": True})
    listed = session.get(f"{DRIVE}/files", params={"q": "trashed = true", "fields": "files(id)"})
    assert listed.json()["files"] == [{"id": key}]
    assert fake.file_metadata(key, USER_EMAIL)["ownedByMe"] is True


def test_named_ranges_read_like_ranges(fake_google: FakeGoogleService) -> None:
    key = seed_district(fake_google.fake)
    session = fake_google.session()
    grid = {
        "sheetId": 0,
        "startRowIndex": 1,
        "endRowIndex": 4,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    added = batch_update(
        session, key, {"addNamedRange": {"namedRange": {"name": "GoalIds", "range": grid}}}
    )
    assert added.json()["replies"][0]["addNamedRange"]["namedRange"]["name"] == "GoalIds"
    read = session.get(f"{SHEETS}/{key}/values/GoalIds").json()
    assert read == {
        "range": "Goals!A2:A4",
        "majorDimension": "ROWS",
        "values": [["G1"], [], ["G3"]],
    }
    assert session.get(f"{SHEETS}/{key}").json()["namedRanges"][0]["name"] == "GoalIds"


def test_drive_query_operators(fake_google: FakeGoogleService) -> None:
    fake = fake_google.fake
    mine = fake.add_spreadsheet("Mine", owner=USER_EMAIL)
    theirs = seed_district(fake, "Adair County")
    folder = fake.add_folder("Cohort")
    session = fake_google.session()

    def ids(query: str) -> set[str]:
        found = session.get(f"{DRIVE}/files", params={"q": query, "fields": "files(id)"})
        assert found.status_code == 200, found.text
        return {f["id"] for f in found.json()["files"]}

    assert ids("'me' in owners") == {mine}
    assert ids("sharedWithMe and not mimeType = 'application/vnd.google-apps.folder'") == {theirs}
    assert ids(f"(name = 'Mine' or name contains 'county') and mimeType != '{FOLDER_MIME}'") == {
        mine,
        theirs,
    }
    assert ids("name contains 'ounty'") == set()  # Drive matches word prefixes only
    assert ids(f"mimeType = '{FOLDER_MIME}'") == {folder}
    assert ids(f"'{USER_EMAIL}' in writers") == {mine}
    assert session.get(f"{DRIVE}/files", params={"q": "name = "}).status_code == 400


def test_parallel_requests_and_latency() -> None:
    from concurrent.futures import ThreadPoolExecutor

    fake = FakeGoogle()
    keys = [seed_district(fake, f"District {n}") for n in range(12)]
    fake.latency = 0.05
    with serve(fake) as base_url:

        def read(key: str) -> int:
            with RedirectSession(base_url) as session:
                url = f"{SHEETS}/{key}/values:batchGet"
                return session.get(
                    url, params={"ranges": ["Goals", "'Monthly update'"]}
                ).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(read, keys))
    assert statuses == [200] * 12
    assert fake.count("GET", "values:batchGet") == 12
