"""The one Google client: its one error type, the retries that read ``transient``, the one
address parser, and distribute's Drive listing through it, page by page (against the local
fake, through the real HTTP path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from google.oauth2.credentials import Credentials
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.cli import main
from sheetsync.cohort.file import load_cohort
from sheetsync.google.address import (
    ANY,
    FILE,
    NO_FILE,
    SHEET,
    google_address,
    is_google,
    parse_address,
)
from sheetsync.google.client import GoogleClient
from sheetsync.google.constants import (
    FULL_SCOPES,
    NO_CREDENTIALS,
    NOT_AN_ADDRESS,
    READONLY_SCOPES,
)
from sheetsync.google.errors import GoogleError, GoogleSetupError
from sheetsync.pull.distribute import copy_name, distribute
from sheetsync.read.sources import SourceUnavailable, resolve_source
from tests import fake_google as fg
from tests.fake_google import SA_TOKEN, USER_EMAIL, USER_TOKEN

fake_google = fg.fake_google

KEY = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(service: Any, token: str = SA_TOKEN) -> GoogleClient:
    """A client as `sheetsync pull` makes one (retries, quota), pointed at the fake."""
    return GoogleClient.from_credentials(Credentials(token=token), service.base_url,
                                         sleep=Sleeps())


# -- retries read `transient` ------------------------------------------------------------


def test_a_503_then_200_is_retried_and_read(fake_google) -> None:
    key = fake_google.fake.add_spreadsheet("District", {"Goals": [["id"], ["G1"]]})
    fake_google.fake.inject(503, times=1, match="values:batchGet")
    google = client(fake_google)
    assert google.batch_get(key, ["Goals"]) == [[["id"], ["G1"]]]
    assert (google.session.retries, fake_google.fake.count("GET", "values:batchGet")) == (1, 2)


def test_a_400_is_not_retried_and_says_what_failed(fake_google) -> None:
    key = fake_google.fake.add_spreadsheet("District", {"Goals": [["id"]]})
    fake_google.fake.inject(400, times=1, match="values:batchGet")
    google = client(fake_google)
    with pytest.raises(GoogleError) as failed:
        google.batch_get(key, ["Goals"])
    error = failed.value
    assert (error.status, error.transient, error.method, error.what) == (
        400, False, "GET", "reading the sheet")
    assert (google.session.retries, fake_google.fake.count("GET", "values:batchGet")) == (0, 1)


@pytest.mark.parametrize(("status", "reason", "retried"), [
    (429, None, True), (500, None, True), (502, None, True), (503, None, True),
    (403, "userRateLimitExceeded", True), (403, "rateLimitExceeded", True),
    (403, "insufficientFilePermissions", False), (404, None, False), (400, None, False),
])
def test_only_what_is_transient_is_retried(fake_google, status, reason, retried) -> None:
    """Drive's rate limit is a 403 with a reason; the same 403 for want of access is final."""
    key = fake_google.fake.add_spreadsheet("District")
    fake_google.fake.inject(status, times=1, match=f"/files/{key}", reason=reason)
    google = client(fake_google)
    try:
        google.file(key, "id")
    except GoogleError as exc:
        assert not retried and not exc.transient and exc.status == status
    else:
        assert retried
    assert google.session.retries == int(retried)


def test_a_client_without_a_transport_says_how_to_get_credentials() -> None:
    with pytest.raises(GoogleSetupError, match="auth login") as missing:
        GoogleClient.of(None)
    assert str(missing.value) == NO_CREDENTIALS


# -- one address parser ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "google", "parsed"), [
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", True, (SHEET, KEY)),
    (f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/edit", True, (SHEET, KEY)),
    (f"  gsheet:{KEY}  ", True, (SHEET, KEY)),
    (KEY, True, (SHEET, KEY)),
    (f"https://drive.google.com/file/d/{KEY}/view?usp=sharing", True, (FILE, KEY)),
    (f"https://drive.google.com/open?id={KEY}", True, (ANY, KEY)),
    (f"https://drive.google.com/uc?export=download&id={KEY}", True, (ANY, KEY)),
    # Google's, but no file: the pull says so instead of looking for a local file
    ("gsheet:abc", True, None),
    ("https://docs.google.com/document/d/abc/edit", True, None),
    ("https://drive.google.com/drive/folders/abc", True, None),
    # local workbooks
    ("districts/adair.xlsx", False, None),
    ("Adair County 2026-27 scorecard.xlsx", False, None),
    ("a" * 29, False, None),
    ("é" * 30, False, None),  # parse_address used to take this for a key; is_google did not
    ("", False, None),
])
def test_one_parser_says_whether_an_address_is_google_and_which_file(text, google,
                                                                      parsed) -> None:
    assert (is_google(text), parse_address(text)) == (google, parsed)


def test_gsheet_with_a_short_key_is_a_google_source_that_names_no_sheet(tmp_path) -> None:
    """Before, `is_google("gsheet:abc")` was true and `parse_address` said no: the pull
    took it for Google and then failed to read it. Both now come from one reading, and the
    district's reason says what a Google address looks like, not "the file does not exist"."""
    assert google_address("gsheet:abc") == NO_FILE
    with pytest.raises(SourceUnavailable) as failed:
        resolve_source(tmp_path, "gsheet:abc", google=None)
    assert failed.value.reason == NOT_AN_ADDRESS


@given(st.lists(st.sampled_from(
    ["https://", "docs.google.com/", "drive.google.com/", "spreadsheets/", "d/", "file/",
     "open?id=", "gsheet:", "u/1/", KEY[:10], "abc", "-", "_", "/", " ", ".xlsx"]),
    max_size=12).map("".join))
def test_every_address_that_names_a_google_file_is_google(text: str) -> None:
    assert parse_address(text) is None or is_google(text)


# -- distribute's Drive listing, through the client, page by page ---------------------------


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    lines = ['[cohort]', 'name = "Fall cohort"', 'school_year = "2026-27"']
    for did, name in (("KY-001", "Adair County"), ("KY-002", "Barren County")):
        lines += ["", "[[district]]", f'id = "{did}"', f'name = "{name}"',
                  f'source = "pending/{did}.xlsx"', 'contacts = []']
    (tmp_path / "cohort.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "cohort.toml"


def test_distribute_finds_its_copies_on_every_page_of_the_listing(fake_google, roster) -> None:
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    for name in ("Notes", "Budget", "District Scorecard 2026-27 — template"):
        fake.add_spreadsheet(name, parents=[folder], owner=USER_EMAIL)
    cohort = load_cohort(roster)
    made = {d.id: fake.add_spreadsheet(copy_name(d, "2026-27"), parents=[folder],
                                       owner=USER_EMAIL) for d in cohort.districts}
    google = client(fake_google, USER_TOKEN)
    google.page_size = 2  # five spreadsheets in the folder: three pages
    fake.reset_log()
    result = distribute(cohort, google, drive_folder=folder)
    assert [(d["id"], d["status"]) for d in result] == [("KY-001", "exists"),
                                                       ("KY-002", "exists")]
    listings = [r for r in fake.requests if r.path == "/drive/v3/files"]
    assert len(listings) == 3 and [r.query["pageSize"] for r in listings] == [["2"]] * 3
    assert not [r for r in fake.requests if r.method == "POST"]  # nothing copied or made
    assert [d.source for d in load_cohort(roster).districts] == [
        f"https://docs.google.com/spreadsheets/d/{made[i]}/edit" for i in ("KY-001", "KY-002")]


# -- `template --google`: the library makes the client and the template -----------------------


def token_file(path: Path, scopes: tuple[str, ...]) -> Path:
    path.write_text(json.dumps({
        "type": "authorized_user", "token": USER_TOKEN, "refresh_token": "r", "client_id": "c",
        "client_secret": "s", "expiry": "2999-01-01T00:00:00Z", "scopes": list(scopes)}),
        encoding="utf-8")
    return path


@pytest.mark.parametrize(("scopes", "allowed"), [(FULL_SCOPES, True), (READONLY_SCOPES, False)])
def test_template_google_makes_the_template_in_the_drive_folder(fake_google, tmp_path,
                                                                monkeypatch, scopes,
                                                                allowed) -> None:
    monkeypatch.setenv("SHEETSYNC_GOOGLE_API_URL", fake_google.base_url)
    fake = fake_google.fake
    folder = fake.add_folder("Scorecards", owner=USER_EMAIL)
    result = CliRunner().invoke(main, [
        "template", "--google", "--year", "2026-27", "--drive-folder", folder,
        "--credentials", str(token_file(tmp_path / "token.json", scopes))])
    made = [f.name for f in fake.files.values() if folder in f.parents]
    if allowed:
        assert result.exit_code == 0, result.output
        assert made == ["District Scorecard 2026-27 — template"]
        assert "Created https://docs.google.com/spreadsheets/d/" in result.output
    else:
        assert result.exit_code == 2 and "sheetsync auth login --write" in result.output
        assert made == [] and fake.count() == 0


def test_a_gspread_client_is_still_accepted_as_the_transport(fake_google) -> None:
    """Library functions took a gspread ``Client`` before sheetsync dropped gspread; a
    script that passes one keeps working (its session carries the requests)."""
    key = fake_google.fake.add_spreadsheet("District", {"Goals": [["id"]], "Actions": []})
    assert GoogleClient.of(fake_google.client()).sheet_titles(key) == ["Goals", "Actions"]


@pytest.mark.parametrize(("source", "place"), [
    (f"gsheet:{KEY}", f"https://docs.google.com/spreadsheets/d/{KEY}/edit"),
    (KEY, f"https://docs.google.com/spreadsheets/d/{KEY}/edit"),
    (f"https://drive.google.com/file/d/{KEY}/view", f"https://drive.google.com/file/d/{KEY}/view"),
    ("gsheet:abc", "gsheet:abc"),  # names no sheet: shown as typed, not as a broken link
    ("districts/adair.xlsx", "districts/adair.xlsx"),
    ("", "(no scorecard yet)"),
])
def test_a_reminder_links_a_google_key_to_its_sheet_through_the_one_parser(source,
                                                                           place) -> None:
    from sheetsync.cohort.model import District
    from sheetsync.remind.plan import workbook_place

    assert workbook_place(District(id="KY-001", name="Adair County", source=source)) == place
