"""``pull.rebuild``: what ``sheetsync master rebuild`` runs, as a library function: the
.xlsx master from the store alone, and the Google master when the cohort names one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.errors import SheetsyncError
from sheetsync.google.constants import FULL_SCOPES, NO_CREDENTIALS
from sheetsync.master.layout import SHEETS
from sheetsync.pull.rebuild import rebuild
from sheetsync.pull.run import pull
from tests import fake_google as fg
from tests.fake_google import USER_TOKEN
from tests.helpers import AS_OF

fake_google = fg.fake_google


@pytest.fixture(autouse=True)
def no_google_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Google credentials anywhere: a test that wants them says so."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SHEETSYNC_CONFIG_DIR", str(tmp_path / "home" / "sheetsync"))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("SHEETSYNC_GOOGLE_API_URL", raising=False)


def with_google_master(folder: Path, key: str, api_url: str | None = None) -> None:
    path = folder / "cohort.toml"
    text = path.read_text(encoding="utf-8").replace(
        '[master]\n', f'[master]\ngoogle_sheet = "{key}"\n', 1)
    if api_url:
        text += f'\n[google]\napi_url = "{api_url}"\n'
    path.write_text(text, encoding="utf-8")


def test_a_rebuild_before_any_pull_says_to_pull_first(cohort_dir) -> None:
    with pytest.raises(SheetsyncError, match="no pulls yet; run `sheetsync pull` first"):
        rebuild(load_cohort(cohort_dir / "cohort.toml"))


def test_a_rebuild_writes_the_xlsx_master_and_asks_google_nothing(cohort_dir) -> None:
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    (cohort_dir / "cohort_master.xlsx").unlink()
    made = rebuild(load_cohort(cohort_dir / "cohort.toml"))
    assert made.path.exists() and (made.google_sheet, made.google_problem) == (None, None)


def test_a_google_master_without_credentials_is_a_problem_after_the_xlsx_is_written(
        cohort_dir) -> None:
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    with_google_master(cohort_dir, "1" * 44)
    (cohort_dir / "cohort_master.xlsx").unlink()
    made = rebuild(load_cohort(cohort_dir / "cohort.toml"))
    assert made.path.exists() and made.google_sheet == "1" * 44
    assert made.google_problem == f"[master] google_sheet is set, but there are {NO_CREDENTIALS}"


def test_a_rebuild_writes_the_google_master_with_the_credentials_given(
        cohort_dir, fake_google) -> None:
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    key = fake_google.fake.add_spreadsheet("Cohort master")
    with_google_master(cohort_dir, key, fake_google.base_url)
    token = cohort_dir / "token.json"
    token.write_text(json.dumps({
        "type": "authorized_user", "token": USER_TOKEN, "refresh_token": "r", "client_id": "c",
        "client_secret": "s", "expiry": "2999-01-01T00:00:00Z", "scopes": list(FULL_SCOPES)}),
        encoding="utf-8")
    made = rebuild(load_cohort(cohort_dir / "cohort.toml"), token)
    assert made.google_problem is None
    tabs = [s["properties"]["title"] for s in fake_google.fake.spreadsheet_resource(key)["sheets"]]
    assert tabs[:len(SHEETS)] == list(SHEETS)
