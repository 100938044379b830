"""``load_cohort(cached=True)`` (what `sheetsync pull` reads the cohort file with): the
file's TOML data kept as JSON beside the store, found by the file's hash, gives the cohort
that parsing the file gives, and never one of another version of the file."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from sheetsync.cohort import file as cohort_file
from sheetsync.cohort.file import CACHE, load_cohort
from sheetsync.errors import CohortError
from sheetsync.pull.run import pull
from tests.helpers import AS_OF

TEXT = ('[cohort]\nname = "Fall"\nschool_year = "2026-27"\n\n[status]\nat_risk_band = 0.15\n'
        '\n[[district]]\nid = "KY-001"\nname = "Adair County"\nsource = "d/adair.xlsx"\n'
        'contacts = ["Jane Doe <jane@adair.kyschools.us>"]\n')


def cohort_at(folder: Path, text: str = TEXT, pulled: bool = True) -> Path:
    (folder / "cohort.toml").write_text(text, encoding="utf-8")
    if pulled:
        (folder / ".sheetsync").mkdir(exist_ok=True)
    return folder / "cohort.toml"


def parses_never(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> dict:
        raise AssertionError("parsed the cohort file again")

    monkeypatch.setattr(tomllib, "loads", refuse)


def test_kept_beside_the_store_and_taken_from_there(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = cohort_at(tmp_path)
    parsed = load_cohort(path)
    assert not (tmp_path / CACHE).exists()  # only a pull keeps it
    assert load_cohort(path, cached=True) == parsed
    assert json.loads((tmp_path / CACHE).read_text())["data"] == tomllib.loads(TEXT)
    parses_never(monkeypatch)
    again = load_cohort(path, cached=True)
    assert again == parsed and again.settings.at_risk_band == 0.15
    assert again._text == TEXT and again.path == path


def test_a_folder_never_pulled_gets_no_cache(tmp_path: Path) -> None:
    path = cohort_at(tmp_path, pulled=False)
    load_cohort(path, cached=True)
    assert not (tmp_path / ".sheetsync").exists()


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    path = cohort_at(tmp_path)
    load_cohort(path, cached=True)
    edited = TEXT.replace("Adair County", "Adair County Schools")
    cohort_at(tmp_path, edited)
    assert load_cohort(path, cached=True).districts[0].name == "Adair County Schools"
    assert json.loads((tmp_path / CACHE).read_text())["data"] == tomllib.loads(edited)


def test_another_python_parses_the_file_again(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = cohort_at(tmp_path)
    load_cohort(path, cached=True)
    monkeypatch.setattr(cohort_file.sys, "version", "3.99.0 (another tomllib)")
    calls = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: calls.append(1) or real(text))
    assert load_cohort(path, cached=True).districts[0].id == "KY-001"
    assert calls == [1]


@pytest.mark.parametrize("kept", [b"", b"not json", b"[1, 2]", b'{"key": 1, "data": 2}',
                                  b'{"key": "x", "data": {}}'])
def test_a_damaged_cache_is_parsed_over(tmp_path: Path, kept: bytes) -> None:
    path = cohort_at(tmp_path)
    (tmp_path / CACHE).write_bytes(kept)
    assert load_cohort(path, cached=True) == load_cohort(path)
    assert json.loads((tmp_path / CACHE).read_text())["data"] == tomllib.loads(TEXT)


def test_dates_are_not_kept_and_errors_are_the_same(tmp_path: Path) -> None:
    path = cohort_at(tmp_path, TEXT.replace('name = "Fall"', "name = 2026-09-01"))
    with pytest.raises(CohortError) as plain:
        load_cohort(path)
    with pytest.raises(CohortError) as cached:
        load_cohort(path, cached=True)
    assert str(cached.value) == str(plain.value) and "name" in str(plain.value)
    assert not (tmp_path / CACHE).exists()  # JSON would give the date back as text


def test_a_file_that_is_not_toml_says_so_either_way(tmp_path: Path) -> None:
    path = cohort_at(tmp_path, TEXT + "name = \n")
    with pytest.raises(CohortError) as plain:
        load_cohort(path)
    with pytest.raises(CohortError) as cached:
        load_cohort(path, cached=True)
    assert str(cached.value) == str(plain.value)


def test_a_first_pull_keeps_it_once_it_has_made_the_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading finds no folder to keep the data in; the pull makes it (its store), and
    keeps the data there, so its next pull does not parse the file."""
    path = cohort_at(tmp_path, pulled=False)
    cohort = load_cohort(path, cached=True)
    assert not (tmp_path / ".sheetsync").exists()
    (tmp_path / ".sheetsync").mkdir()  # the store's folder, made by the pull
    cohort_file.keep_data(cohort)
    assert json.loads((tmp_path / CACHE).read_text())["data"] == tomllib.loads(TEXT)
    parses_never(monkeypatch)
    assert load_cohort(path, cached=True) == cohort


def test_the_first_pull_of_a_cohort_leaves_its_data_kept(cohort_dir: Path) -> None:
    assert not (cohort_dir / CACHE).exists()
    pull(load_cohort(cohort_dir / "cohort.toml", cached=True), AS_OF)
    kept = json.loads((cohort_dir / CACHE).read_text(encoding="utf-8"))
    assert kept["data"] == tomllib.loads((cohort_dir / "cohort.toml").read_text("utf-8"))
