"""Google sources in the pull, against the local fake through sheetsync's client over HTTP.

A Google Sheet here holds the same values as an example .xlsx (read with python-calamine;
the fake returns its date cells as serial numbers, as Google does), so a district read
from Google must get the statuses the same district gets from its workbook. Request counts
are what the issue promises: a first pull of N changed districts costs at most
N + ceil(N/1000) + 3 requests, a re-pull with nothing changed at most ceil(N/1000) + 3.

``SHEETSYNC_LIVE=1`` (with ``SHEETSYNC_LIVE_SHEET`` and credentials) runs one smoke test
against real Google; see ``test_live_smoke``.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
import requests
from click.testing import CliRunner
from google.oauth2.credentials import Credentials
from python_calamine import CalamineWorkbook

from sheetsync.check.assess import assess, check_workbook
from sheetsync.cli.google import auth, client_for, google_option
from sheetsync.cohort.file import load_cohort
from sheetsync.errors import SourceUnavailable
from sheetsync.google import auth as gauth
from sheetsync.google.client import GoogleClient
from sheetsync.google.errors import GoogleError
from sheetsync.google.session import GoogleSession, QuotaLimiter, api_base_url
from sheetsync.pull.run import pull
from sheetsync.read.google import (
    NO_CREDENTIALS,
    GoogleSource,
    google_source,
    parse_source,
)
from sheetsync.read.google_grid import CELL_FIELDS
from sheetsync.read.scorecard import read_rows, read_scorecard
from sheetsync.read.source import open_workbook
from sheetsync.schema.cells import cell
from tests import fake_google as fg
from tests.fake_google import (
    SA_EMAIL,
    SA_TOKEN,
    USER_EMAIL,
    USER_TOKEN,
    FakeGoogle,
    Formatted,
    serve,
)
from tests.helpers import AS_OF

fake_google = fg.fake_google  # the module's fixture: a FakeGoogle served for one test

SHEETS_URL = "https://docs.google.com/spreadsheets/d/{}/edit#gid=0"
DRIVE_URL = "https://drive.google.com/file/d/{}/view?usp=sharing"
STATUS_KEYS = ("ok", "reason", "Met", "On Track", "At Risk", "Off Track", "Not Met", "No Data",
               "template_version", "goals", "measures", "overdue", "coverage", "smart",
               "errors", "warnings", "update", "late_updates")


# -- fixtures and helpers -------------------------------------------------------------------


class Sleeps(list):
    """An injected ``sleep`` that only remembers how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Clock:
    """An injected clock; ``sleep`` moves it on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def client(service: Any, token: str = SA_TOKEN, **options: Any) -> GoogleClient:
    """A client as `sheetsync pull` builds one, with a bearer token the fake knows."""
    options.setdefault("sleep", Sleeps())
    return gauth.client_from_credentials(Credentials(token=token), service.base_url, **options)


def grids_of(path: Path) -> dict[str, list[list[Any]]]:
    """A workbook's sheets as a Google Sheet would hold them: dates stay date cells, and a
    number shown as a percentage (0.341 in a 0% cell) keeps a PERCENT format."""
    wb = CalamineWorkbook.from_path(str(path))
    percent = open_workbook(path).percent_cells
    return {name: [[None if v == "" else
                    Formatted(v, "PERCENT") if cell(c, r) in percent.get(name, ()) else v
                    for c, v in enumerate(row, 1)]
                   for r, row in enumerate(
                       wb.get_sheet_by_name(name).to_python(skip_empty_area=False), 1)]
            for name in wb.sheet_names}


@pytest.fixture(scope="module")
def examples3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three example districts (clean, typical, messy) and their cohort.toml."""
    from sheetsync.template.examples import write_examples

    folder = tmp_path_factory.mktemp("examples3")
    write_examples(folder, 3, as_of=AS_OF)
    return folder


@pytest.fixture(scope="module")
def workbooks(examples3: Path) -> list[Path]:
    return [examples3 / "districts" / f"{n}.xlsx" for n in ("adair", "barren", "boyle")]


@pytest.fixture(scope="module")
def grids(workbooks: list[Path]) -> list[dict[str, list[list[Any]]]]:
    return [grids_of(p) for p in workbooks]


def cohort_file(folder: Path, districts: list[tuple[str, str, str]], local: Path | None = None,
                extra: str = "") -> Path:
    """A cohort.toml in ``folder``: the local examples (copied from ``local``), then
    ``districts`` as (id, name, source)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = '[cohort]\nname = "Test"\nschool_year = "2026-27"\n' + extra
    if local is not None:
        shutil.copytree(local / "districts", folder / "districts", dirs_exist_ok=True)
        text = (local / "cohort.toml").read_text() + extra
    for did, name, source in districts:
        text += f'\n[[district]]\nid = "{did}"\nname = "{name}"\nsource = "{source}"\n'
    (folder / "cohort.toml").write_text(text, encoding="utf-8")
    return folder / "cohort.toml"


def google_districts(fake: FakeGoogle, grids: list[dict[str, Any]], n: int,
                     **seed: Any) -> list[tuple[str, str, str]]:
    """``n`` Google-hosted districts cycling through the example grids."""
    out = []
    for i in range(n):
        did = f"G-{i:03d}"
        key = fake.add_spreadsheet(f"District {i}", with_id(grids[i % len(grids)], did),
                                   **seed)
        out.append((did, f"Google {i} County", SHEETS_URL.format(key)))
    return out


def with_id(grid: dict[str, Any], district_id: str) -> dict[str, Any]:
    """A copy of ``grid`` whose profile names ``district_id`` (B4), as its district's would."""
    profile = [list(r) for r in grid["District Profile"]]
    profile[3][1] = district_id
    return {**grid, "District Profile": profile}


def xlsx_for(path: Path, district_id: str) -> bytes:
    """A workbook's bytes with its profile naming ``district_id``."""
    wb = openpyxl.load_workbook(path)
    wb["District Profile"]["B4"] = district_id
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cell_reads(fake: FakeGoogle, key: str = "") -> int:
    """The requests that read a sheet's cells: ``spreadsheets.get`` with the reader's
    field mask (of the sheet ``key``, or of any)."""
    return sum(1 for r in fake.requests if r.method == "GET"
               and r.path.startswith(f"/v4/spreadsheets/{key}")
               and r.query.get("fields") == [CELL_FIELDS])


def row(report: Any, district_id: str) -> dict[str, Any]:
    return next(d for d in report.districts if d["id"] == district_id)


def statuses(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k) for k in STATUS_KEYS}


# -- where a source points ------------------------------------------------------------------

KEY = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


@pytest.mark.parametrize(("source", "expected"), [
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", ("sheet", KEY)),
    (f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/edit?usp=sharing", ("sheet", KEY)),
    (f"gsheet:{KEY}", ("sheet", KEY)),
    (KEY, ("sheet", KEY)),
    (f"https://drive.google.com/file/d/{KEY}/view?usp=drive_link", ("file", KEY)),
    (f"https://drive.google.com/open?id={KEY}", ("any", KEY)),
])
def test_a_source_names_a_sheet_or_a_drive_file(source: str, expected: tuple[str, str]) -> None:
    assert parse_source(source) == expected


def test_a_source_that_is_not_a_sheet_says_so() -> None:
    with pytest.raises(SourceUnavailable, match="not a Google Sheets or Drive file address"):
        parse_source("https://docs.google.com/document/d/abc/edit")


def test_without_credentials_google_districts_fail_and_local_ones_are_pulled(
        tmp_path: Path, examples3: Path) -> None:
    path = cohort_file(tmp_path, [("G-1", "Google County", SHEETS_URL.format(KEY))], examples3)
    report = pull(load_cohort(path), AS_OF, google=None)
    assert [d["ok"] for d in report.districts] == [True, True, True, False]
    assert NO_CREDENTIALS in row(report, "G-1")["reason"]
    assert report.master_written


# -- a mixed cohort: one master, same statuses ------------------------------------------------


def test_a_mixed_cohort_is_pulled_into_one_master(fake_google, tmp_path, examples3, workbooks,
                                                  grids) -> None:
    fake = fake_google.fake
    sheets = google_districts(fake, grids, 3)
    xlsx_bytes = xlsx_for(workbooks[0], "D-001")
    file_id = fake.add_binary_file("Adair scorecard.xlsx", xlsx_bytes)
    drive = [("D-001", "Drive County", DRIVE_URL.format(file_id))]
    path = cohort_file(tmp_path, sheets + drive, examples3)
    google = client(fake_google)

    report = pull(load_cohort(path), AS_OF, google=google)

    assert report.master_written and not report.failed
    for i, (did, _, _) in enumerate(sheets):  # the same data, the same statuses
        assert statuses(row(report, did)) == statuses(report.districts[i])
    assert statuses(row(report, "D-001")) == statuses(row(report, "KY-001"))
    master = openpyxl.load_workbook(tmp_path / "cohort_master.xlsx", read_only=True)
    ids = [r[0] for r in master["Summary"].iter_rows(min_row=2, values_only=True)]
    assert ids == ["KY-001", "KY-002", "KY-003", "G-000", "G-001", "G-002", "D-001"]
    # The Drive file was read, never written, and the temporary copy is gone.
    touching = [r for r in fake.requests if file_id in r.path]
    assert {r.method for r in touching} == {"GET"}
    assert fake.files[file_id].content == xlsx_bytes
    assert google.requests_made == 1 + 3 + 1  # listing, 3 reads of cells, 1 download


def check_json(result: Any) -> dict[str, Any]:
    """``check --json`` without the file field."""
    out = result.to_json()
    out.pop("file")
    return out


@pytest.mark.parametrize("which", [0, 1, 2], ids=["clean", "typical", "messy"])
def test_a_google_sheet_reads_as_its_xlsx_does(fake_google, workbooks, grids, which) -> None:
    """The messy district has fractions shown as % (see the test below): read as points
    from Google's PERCENT format as from the .xlsx's percent format."""
    key = fake_google.fake.add_spreadsheet("District", grids[which])
    card, found = read_rows(google_source(key, client(fake_google)).read())
    from_google = assess(card, found, AS_OF)
    from_xlsx = check_workbook(str(workbooks[which]), AS_OF)
    assert check_json(from_google) == check_json(from_xlsx)
    assert from_google.card.source == f"Google Sheet {key}"


def test_a_google_sheet_reads_fractions_shown_as_percent_as_points(fake_google, workbooks,
                                                                   grids) -> None:
    """0.341 shown as 34% is 34.1 from Google's PERCENT format, as from an .xlsx cell's
    percent format; the same 0.341 without a format is read as stored."""
    xlsx, _ = read_scorecard(str(workbooks[2]))
    key = fake_google.fake.add_spreadsheet("District", grids[2])
    card, _ = read_rows(google_source(key, client(fake_google)).read())
    assert card.measures[1].baseline == xlsx.measures[1].baseline > 1
    plain = {name: [[v.value if isinstance(v, Formatted) else v for v in row] for row in rows]
             for name, rows in grids[2].items()}
    key = fake_google.fake.add_spreadsheet("Unformatted", plain)
    card, _ = read_rows(google_source(key, client(fake_google)).read())
    assert card.measures[1].baseline == pytest.approx(xlsx.measures[1].baseline / 100)
    assert card.measures[1].baseline < 1


def test_a_google_sheet_gives_the_same_findings_exactly(fake_google, workbooks, grids) -> None:
    key = fake_google.fake.add_spreadsheet("District", grids[0])
    card, found = read_rows(google_source(key, client(fake_google)).read())
    assert check_json(assess(card, found, AS_OF)) == \
        check_json(check_workbook(str(workbooks[0]), AS_OF))


def test_a_missing_or_renamed_tab_is_a_finding_not_a_failure(fake_google, grids) -> None:
    tabs = {("  MEASURES " if k == "Measures" else k): v for k, v in grids[0].items()
            if k != "Needs"}
    key = fake_google.fake.add_spreadsheet("Renamed", tabs)
    google = client(fake_google)
    card, found = read_rows(google_source(key, google).read())
    assert [(f.code, f.sheet) for f in found if f.code == "missing-sheet"] == [
        ("missing-sheet", "Needs")]
    assert len(card.measures) == 24 and card.sheet_names["measures"] == "  MEASURES "
    # Google refuses the read, one metadata request finds the tabs, one more reads them.
    assert [r.path.rsplit("/", 1)[-1] for r in fake_google.fake.requests] == [
        "files", key, key, key]
    assert [r.query["fields"] for r in fake_google.fake.requests[1:]] == [
        [CELL_FIELDS], ["sheets.properties.title"], [CELL_FIELDS]]


# -- request counts -----------------------------------------------------------------------


def test_request_counts_of_a_first_pull_and_a_re_pull(fake_google, tmp_path, grids) -> None:
    n = 20
    fake = fake_google.fake
    path = cohort_file(tmp_path, google_districts(fake, grids, n))
    google = client(fake_google)

    first = pull(load_cohort(path), AS_OF, google=google)
    assert not first.failed
    assert google.requests_made <= n + math.ceil(n / 1000) + 3
    assert (fake.count("GET", "/drive/v3/files"), cell_reads(fake),
            len(fake.requests)) == (1, n, n + 1)

    fake.reset_log()
    again = pull(load_cohort(path), AS_OF, google=google)
    assert all(d["reused"] for d in again.districts)
    assert len(fake.requests) == 1 <= math.ceil(n / 1000) + 3

    key = parse_source(load_cohort(path).districts[4].source)[1]
    fake.set_values(key, "Monthly Updates", [["edited"]], start="J20")
    fake.reset_log()
    third = pull(load_cohort(path), AS_OF, google=google)
    assert [d["id"] for d in third.districts if not d["reused"]] == ["G-004"]
    assert len(fake.requests) == 2
    assert google.session.retries == 0


def test_the_drive_listing_is_paged(fake_google, grids) -> None:
    fake = fake_google.fake
    keys = [fake.add_spreadsheet(f"S{i}", {"Sheet1": [["x"]]}) for i in range(20)]
    google = client(fake_google)
    google.page_size = 7
    sources = [google_source(k, google) for k in keys]
    GoogleSource.prefetch(sources)
    assert fake.count("GET", "/drive/v3/files") == 3 == len(fake.requests)
    assert {s.fingerprint().token for s in sources} <= {f.modified for f in fake.files.values()}


def test_more_than_1000_files_cost_one_listing_request_per_1000(fake_google, tmp_path,
                                                               grids) -> None:
    fake = fake_google.fake
    for i in range(1001):
        fake.add_spreadsheet(f"Other sheet {i}")
    districts = google_districts(fake, grids, 3)
    path = cohort_file(tmp_path, districts)
    google = client(fake_google)
    report = pull(load_cohort(path), AS_OF, google=google)
    assert not report.failed
    listings = [r for r in fake.requests if r.path == "/drive/v3/files"]
    assert len(listings) == math.ceil(1004 / 1000) == 2
    assert listings[0].query["pageSize"] == ["1000"]
    assert listings[0].query["q"] == [
        "mimeType='application/vnd.google-apps.spreadsheet' and trashed=false"]
    assert listings[0].query["supportsAllDrives"] == ["true"]
    assert listings[0].query["includeItemsFromAllDrives"] == ["true"]
    assert google.requests_made == 2 + 3


# -- sheets that cannot be opened -----------------------------------------------------------


def test_a_sheet_not_shared_names_the_district_and_the_address_to_share_with(
        fake_google, tmp_path, grids) -> None:
    fake = fake_google.fake
    shared = google_districts(fake, grids, 1)
    hidden = fake.add_spreadsheet("Hart County", grids[1], shared_with=["hart@example.org"])
    path = cohort_file(tmp_path, [*shared, ("KY-050", "Hart County", SHEETS_URL.format(hidden))])
    report = pull(load_cohort(path), AS_OF, google=client(fake_google))
    failed = row(report, "KY-050")
    assert (failed["ok"], failed["name"]) == (False, "Hart County")
    assert f"not shared with {SA_EMAIL}" in failed["reason"]
    assert f"share it with {SA_EMAIL} as a Viewer" in failed["reason"]
    assert row(report, "G-000")["ok"] and report.master_written
    summary = openpyxl.load_workbook(tmp_path / "cohort_master.xlsx")["Summary"]
    master_row = next(r for r in summary.iter_rows(values_only=True) if r[0] == "KY-050")
    assert "Hart County" in master_row and any(SA_EMAIL in str(v) for v in master_row)


@pytest.mark.parametrize(("status", "words"), [
    (403, f"not shared with {USER_EMAIL}: in Google Sheets click Share and add {USER_EMAIL}"),
    (404, "no such spreadsheet; check the URL in cohort.toml"),
])
def test_sheets_403_and_404_are_said_plainly(fake_google, grids, status, words) -> None:
    key = fake_google.fake.add_spreadsheet("District", grids[0])
    fake_google.fake.inject(status, times=1, match=f"/v4/spreadsheets/{key}")
    source = google_source(key, client(fake_google, USER_TOKEN))
    with pytest.raises(SourceUnavailable, match=re.escape(words)) as caught:
        source.read()
    assert not caught.value.transient


# -- retries, bounded ---------------------------------------------------------------------


def test_429_then_success_reads_after_bounded_retries(fake_google, grids) -> None:
    key = fake_google.fake.add_spreadsheet("District", grids[0])
    fake_google.fake.inject(429, times=2, match=f"/v4/spreadsheets/{key}")
    google = client(fake_google)
    card, _ = read_rows(google_source(key, google).read())
    assert card.profile.district_id == "KY-001"
    assert google.session.retries == 2
    assert cell_reads(fake_google.fake) == 3
    sleeps = google.session.sleep
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 1 and 0 <= sleeps[1] <= 2  # full jitter


def test_a_persistent_500_is_a_failed_row_after_five_attempts(fake_google, tmp_path,
                                                             grids) -> None:
    fake = fake_google.fake
    districts = google_districts(fake, grids, 3)
    broken = parse_source(districts[1][2])[1]
    fake.inject(500, times=100, match=f"/v4/spreadsheets/{broken}")
    path = cohort_file(tmp_path, districts)
    google = client(fake_google)
    report = pull(load_cohort(path), AS_OF, google=google)
    assert [d["ok"] for d in report.districts] == [True, False, True]
    assert "Google is rate-limiting or unavailable; try again later (HTTP 500 after 5 " \
        "attempts)" in row(report, "G-001")["reason"]
    assert cell_reads(fake, broken) == 5
    assert len(google.session.sleep) == 4 and report.master_written


def test_a_dropped_connection_is_retried(fake_google, grids) -> None:
    key = fake_google.fake.add_spreadsheet("District", grids[0])
    fake_google.fake.drop_connection(times=1, match=f"/v4/spreadsheets/{key}")
    google = client(fake_google)
    card, _ = read_rows(google_source(key, google).read())
    assert card.profile.district_id == "KY-001"
    assert (google.session.retries, cell_reads(fake_google.fake)) == (1, 2)


def test_a_write_is_not_sent_twice_after_a_dropped_connection(fake_google) -> None:
    key = fake_google.fake.add_spreadsheet("District")
    fake_google.fake.drop_connection(times=1, match=":batchUpdate")
    google = client(fake_google)
    with pytest.raises(GoogleError) as dropped:
        google.batch_update(key, {"requests": [{"addSheet": {"properties": {}}}]}, "adding a tab")
    assert (dropped.value.status, dropped.value.transient) == (None, True)
    assert fake_google.fake.count("POST", ":batchUpdate") == 1


def test_a_drive_outage_fails_the_google_districts_only(fake_google, tmp_path, examples3,
                                                        grids) -> None:
    fake = fake_google.fake
    path = cohort_file(tmp_path, google_districts(fake, grids, 2), examples3)
    fake.inject(503, times=100, match="/drive/v3/files")
    report = pull(load_cohort(path), AS_OF, google=client(fake_google))
    assert [d["ok"] for d in report.districts] == [True, True, True, False, False]
    assert "try again later" in row(report, "G-000")["reason"]
    assert fake.count("GET", "/drive/v3/files") == 5  # one listing, five attempts


class _Canned(requests.adapters.BaseAdapter):
    """A transport answering every request with ``status`` and ``headers``."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__()
        self.status, self.headers, self.sent = status, headers, 0

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        self.sent += 1
        response = requests.Response()
        response.status_code, response.request, response.url = self.status, request, request.url
        response.headers.update(self.headers)
        response._content = b'{"error": {"code": 503, "message": "busy"}}'
        return response

    def close(self) -> None:
        pass


def test_retry_after_is_honoured_and_attempts_are_bounded() -> None:
    sleeps = Sleeps()
    session = GoogleSession(Credentials(token=SA_TOKEN), sleep=sleeps, rng=lambda: 1.0)
    canned = _Canned(503, {"Retry-After": "7"})
    session.mount("https://", canned)
    answer = session.get("https://sheets.googleapis.com/v4/spreadsheets/x")
    assert answer.status_code == 503 and canned.sent == 5 == session.requests_made
    assert sleeps == [7.0, 7.0, 7.0, 8.0]  # at least Retry-After; the ceilings are 1, 2, 4, 8
    too_long = GoogleSession(Credentials(token=SA_TOKEN), sleep=sleeps)
    too_long.mount("https://", _Canned(429, {"Retry-After": "3600"}))
    assert too_long.get("https://sheets.googleapis.com/v4/x").status_code == 429
    assert too_long.requests_made == 1  # an hour's wait is reported, not slept


# -- the quota limiter --------------------------------------------------------------------


def test_the_limiter_keeps_under_60_reads_a_minute() -> None:
    clock = Clock()
    fake = FakeGoogle(clock=clock)
    fake.set_quota(read_per_minute=60)  # the fake answers 429 past 60 in a rolling minute
    key = fake.add_spreadsheet("District", {"Goals": [["id"], ["G1"]]})
    with serve(fake) as base_url:
        limiter = QuotaLimiter(clock=clock, sleep=clock.sleep)
        google = gauth.client_from_credentials(Credentials(token=SA_TOKEN), base_url,
                                               limiter=limiter, sleep=clock.sleep)
        sent: list[float] = []
        google.session.hooks["response"].append(lambda r, *a, **k: sent.append(clock()))
        for _ in range(150):
            google.batch_get(key, ["Goals"])
    assert google.session.retries == 0 and fake.count("GET", "values:batchGet") == 150
    assert max(sum(t <= s < t + 60 for s in sent) for t in sent) == 60
    assert clock.now - 1000.0 >= 2 * 60 and limiter.waited > 0


def test_the_limiter_counts_a_request_until_its_answer_came_back() -> None:
    clock = Clock()
    limiter = QuotaLimiter(per_user=60, clock=clock, sleep=clock.sleep)
    spans = []
    for i in range(200):
        with limiter.slot("read", "me"):
            start = clock()
            clock.now += (i % 7) * 0.9  # slow answers
            spans.append((start, clock()))
    # Whenever Google saw request k, request k+60 was sent a minute after k's answer.
    assert all(spans[k + 60][0] >= spans[k][1] + 60 for k in range(len(spans) - 60))


def test_the_project_quota_is_shared_by_all_users() -> None:
    clock = Clock()
    limiter = QuotaLimiter(per_user=60, per_project=100, clock=clock, sleep=clock.sleep)
    for i in range(100):
        with limiter.slot("read", f"user{i % 3}"):
            pass
    assert clock.now == 1000.0
    with limiter.slot("read", "user9"):
        pass
    assert clock.now == 1000.0 + limiter.window


# -- credentials --------------------------------------------------------------------------


def test_the_api_url_comes_from_the_environment_first(monkeypatch) -> None:
    monkeypatch.delenv("SHEETSYNC_GOOGLE_API_URL", raising=False)
    assert api_base_url(None) is None
    assert api_base_url("http://proxy.example:8080/") == "http://proxy.example:8080"
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", "http://127.0.0.1:9")
    assert api_base_url("http://proxy.example:8080") == "http://127.0.0.1:9"


def token_file(path: Path, token: str, **extra: Any) -> Path:
    """An authorized-user token file whose access token the fake accepts."""
    info = {"type": "authorized_user", "token": token, "refresh_token": "refresh-secret",
            "client_id": "client-id", "client_secret": "client-secret",
            "expiry": "2099-01-01T00:00:00Z", **extra}
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


def test_sheetsync_google_api_url_is_honoured(fake_google, tmp_path, monkeypatch, grids) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", fake_google.base_url)
    districts = google_districts(fake_google.fake, grids, 1)
    path = cohort_file(tmp_path, districts, extra='\n[google]\napi_url = "http://127.0.0.1:9"\n')
    creds = token_file(tmp_path / "token.json", SA_TOKEN)
    google = gauth.make_client(load_cohort(path), creds, sleep=Sleeps())
    assert google.base_url == fake_google.base_url and google.school_year == "2026-27"
    assert not pull(load_cohort(path), AS_OF, google=google).failed


def test_auth_check_names_the_identity_and_the_districts_it_cannot_open(
        fake_google, tmp_path, monkeypatch, grids) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", fake_google.base_url)
    fake = fake_google.fake
    hidden = fake.add_spreadsheet("Hart County", grids[1], shared_with=[])
    path = cohort_file(tmp_path, [*google_districts(fake, grids, 2),
                                  ("KY-050", "Hart County", f"gsheet:{hidden}")])
    creds = token_file(tmp_path / "sa-token.json", SA_TOKEN)
    runner = CliRunner()
    result = runner.invoke(auth, ["check", "--cohort", str(path), "--credentials", str(creds),
                                  "--json"])
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert data["identity"] == SA_EMAIL
    assert [(d["id"], d["ok"]) for d in data["districts"]] == [
        ("G-000", True), ("G-001", True), ("KY-050", False)]
    assert SA_EMAIL in data["districts"][2]["reason"]
    assert data["requests"] == 3  # the listing, files.get for the one not listed, about
    text = runner.invoke(auth, ["check", "--cohort", str(path), "--credentials", str(creds)])
    assert f"KY-050  Hart County: not shared with {SA_EMAIL}" in text.output
    assert f"Share each sheet with {SA_EMAIL}" in text.output


def test_client_for_is_none_without_google_districts_or_credentials(
        tmp_path, examples3, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SHEETSYNC_CONFIG_DIR", str(tmp_path / "home" / "sheetsync"))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    assert client_for(load_cohort(examples3 / "cohort.toml"), None) is None
    mixed = load_cohort(cohort_file(tmp_path / "c", [("G", "G", f"gsheet:{KEY}")], examples3))
    assert client_for(mixed, None) is None  # each Google district then says how to fix it
    with pytest.raises(click.ClickException, match="no such file"):
        client_for(mixed, tmp_path / "missing.json")

    @click.command()
    @google_option
    def cmd(credentials: Path | None) -> None:
        click.echo(str(credentials))

    assert CliRunner().invoke(cmd, ["--credentials", "k.json"]).output.strip() == "k.json"


def test_a_pull_uses_read_only_scopes_and_knows_the_service_account(tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    key = tmp_path / "key.json"
    key.write_text(json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "kid",
        "private_key": pem, "client_email": SA_EMAIL, "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token"}))
    found = gauth.find_credentials(key)
    assert found is not None and found.origin == "--credentials"
    creds = gauth.load_credentials(found)
    assert tuple(creds.scopes) == gauth.READONLY_SCOPES
    assert gauth.identity(creds) == SA_EMAIL
    writer = gauth.load_credentials(found, gauth.FULL_SCOPES)
    assert tuple(writer.scopes) == gauth.FULL_SCOPES
    assert pem not in repr(gauth.make_client(None, key))


def test_the_login_token_is_private_and_secrets_never_printed(
        fake_google, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", fake_google.base_url)
    monkeypatch.setenv("SHEETSYNC_CONFIG_DIR", str(tmp_path / "config"))
    secrets = tmp_path / "client_secrets.json"
    secrets.write_text("{}")

    class Flow:
        def run_local_server(self, port: int, open_browser: bool) -> Credentials:
            return Credentials(token=USER_TOKEN, refresh_token="refresh-secret",
                               client_id="client-id", client_secret="client-secret",
                               token_uri="https://oauth2.googleapis.com/token",
                               scopes=list(gauth.READONLY_SCOPES))

    monkeypatch.setattr("google_auth_oauthlib.flow.InstalledAppFlow.from_client_secrets_file",
                        lambda *a, **k: Flow())
    result = CliRunner().invoke(auth, ["login", "--client-secrets", str(secrets)])
    assert result.exit_code == 0, result.output
    token = tmp_path / "config" / "token.json"
    assert f"Signed in as {USER_EMAIL} (read-only)" in result.output
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert [p.name for p in token.parent.iterdir()] == ["token.json"]  # no temporary left
    saved = json.loads(token.read_text())
    assert saved["account"] == USER_EMAIL and saved["refresh_token"] == "refresh-secret"
    for secret in (USER_TOKEN, "refresh-secret", "client-secret"):
        assert secret not in result.output
    found = gauth.find_credentials()
    assert found is not None and found.origin == "sheetsync auth login"
    assert gauth.identity(gauth.load_credentials(found)) == USER_EMAIL
    with pytest.raises(gauth.GoogleSetupError, match="auth login --write"):
        gauth.load_credentials(found, gauth.FULL_SCOPES)


def test_credentials_never_reach_output_logs_the_master_or_the_store(
        fake_google, tmp_path, monkeypatch, caplog, capsys, grids) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", fake_google.base_url)
    caplog.set_level(logging.DEBUG)
    fake = fake_google.fake
    districts = google_districts(fake, grids, 2)
    fake.inject(429, times=1, match="/v4/spreadsheets/")
    hidden = fake.add_spreadsheet("Hidden", grids[0], shared_with=[])
    path = cohort_file(tmp_path, [*districts, ("H", "Hidden", f"gsheet:{hidden}")])
    creds = token_file(tmp_path / "token.json", SA_TOKEN)
    report = pull(load_cohort(path), AS_OF, google=gauth.make_client(
        load_cohort(path), creds, sleep=Sleeps()))
    cli = CliRunner().invoke(auth, ["check", "--cohort", str(path), "--credentials", str(creds)])
    assert "trying again" in caplog.text  # the retry was logged, without the token
    with zipfile.ZipFile(tmp_path / "cohort_master.xlsx") as zf:
        master = b"".join(zf.read(n) for n in zf.namelist())
    store = (tmp_path / ".sheetsync" / "store.sqlite").read_bytes()
    printed = capsys.readouterr()
    for secret in (SA_TOKEN, "refresh-secret", "client-secret"):
        assert secret not in caplog.text + printed.out + printed.err + cli.output
        assert secret not in json.dumps(report.to_json(), default=str)
        assert secret.encode() not in master and secret.encode() not in store


# -- a Drive-hosted workbook ------------------------------------------------------------------


def test_an_unchanged_drive_workbook_is_not_downloaded_again(fake_google, tmp_path,
                                                            workbooks) -> None:
    fake = fake_google.fake
    file_id = fake.add_binary_file("Adair.xlsx", xlsx_for(workbooks[0], "D"))
    path = cohort_file(tmp_path, [("D", "Drive County", DRIVE_URL.format(file_id))])
    google = client(fake_google)
    assert not pull(load_cohort(path), AS_OF, google=google).failed
    fake.reset_log()
    again = pull(load_cohort(path), AS_OF, google=google)
    assert again.districts[0]["reused"] and len(fake.requests) == 1
    assert "mimeType='application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'" in \
        fake.requests[0].query["q"][0]


def test_a_drive_workbook_with_the_same_md5_is_the_same_content(fake_google) -> None:
    """Drive lists an .xlsx's md5Checksum (the fake does not), so a file saved again
    unchanged is not read again."""
    source = google_source(DRIVE_URL.format(KEY), client(fake_google))
    source._meta = {"id": KEY, "mimeType": fg.XLSX_MIME, "modifiedTime": "2027-01-02T03:04:05Z",
                    "md5Checksum": "abc"}
    assert source.same_content("md5:abc") == (True, "md5:abc")
    assert source.same_content("md5:old") == (False, "md5:abc")
    sheet = google_source(KEY, client(fake_google))
    sheet._meta = {"id": KEY, "mimeType": fg.SPREADSHEET_MIME, "modifiedTime": "2027-01-02Z"}
    assert sheet.same_content(None) == (False, None)  # a Google Sheet: the token decides


# -- real Google (opt in) -------------------------------------------------------------------


@pytest.mark.live
@pytest.mark.skipif(os.environ.get("SHEETSYNC_LIVE") != "1",
                    reason="talks to real Google: set SHEETSYNC_LIVE=1, SHEETSYNC_LIVE_SHEET and "
                           "credentials (GOOGLE_APPLICATION_CREDENTIALS or `sheetsync auth login`)")
def test_live_smoke() -> None:
    """A scorecard sheet shared with your credentials, read as a pull reads it:

        SHEETSYNC_LIVE=1 SHEETSYNC_LIVE_SHEET=https://docs.google.com/spreadsheets/d/KEY \\
        GOOGLE_APPLICATION_CREDENTIALS=key.json \\
        python -m pytest tests/google/test_google_sources.py -k live -s
    """
    sheet = os.environ.get("SHEETSYNC_LIVE_SHEET")
    if not sheet:
        pytest.skip("set SHEETSYNC_LIVE_SHEET to a scorecard sheet the credentials can read")
    google = gauth.make_client(None, os.environ.get("SHEETSYNC_LIVE_CREDENTIALS"))
    source = google_source(sheet, google)
    GoogleSource.prefetch([source])
    listing = google.requests_made
    fingerprint = source.fingerprint()
    wb = source.read()
    card, found = read_rows(wb)
    print(f"\n{google.identity}: {fingerprint.modified}, {len(card.measures)} measures, "
          f"{len(found)} findings, {google.requests_made} requests ({listing} listing), "
          f"{google.session.retries} retries; percent-formatted cells (type 46% in one to "
          f"see it here): {dict(wb.percent_cells)}")
    assert card.sheet_names and google.requests_made <= listing + 3
