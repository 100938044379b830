"""Shared fixtures: the example cohort (as written, pulled, and copied for one test), and
building small workbooks from rows. Shared helpers are in ``tests/helpers.py``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic
from tests.helpers import AS_OF, copy_cohort

pytest_plugins = ["tests.smtp", "tests.chromium"]  # the smtp_server and browser fixtures


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six example districts (clean, typical, messy twice over) and their cohort.toml."""
    from sheetsync.template.examples import write_examples

    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder, 6, as_of=AS_OF)
    return folder


@pytest.fixture(scope="session")
def pulled_example(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cohort pulled once, as of ``AS_OF``: read-only, copy it to change it."""
    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull

    folder = copy_cohort(examples, tmp_path_factory.mktemp("pulled") / "cohort", unpulled=True)
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    return folder


@pytest.fixture(scope="session")
def pulled_two_months(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cohort pulled in December and January (``AS_OF``): two monthly
    snapshots. Read-only: copy it to change it."""
    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull

    folder = copy_cohort(examples, tmp_path_factory.mktemp("two-months") / "cohort",
                         unpulled=True)
    pull(load_cohort(folder / "cohort.toml"), date(2026, 12, 15))
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    return folder


@pytest.fixture
def cohort_dir(examples: Path, tmp_path: Path) -> Path:
    """A copy of the example cohort, not yet pulled, for one test."""
    return copy_cohort(examples, tmp_path / "cohort", unpulled=True)


@pytest.fixture
def pulled_dir(pulled_example: Path, tmp_path: Path) -> Path:
    """A copy of the pulled example cohort (store and master) for one test."""
    return copy_cohort(pulled_example, tmp_path / "cohort")


@pytest.fixture
def make_workbook(tmp_path: Path):
    """Write a scorecard workbook from rows: make_workbook(name, profile=..., rows=...)."""

    def make(name: str = "district.xlsx", profile: dict[str, Any] | None = None,
             rows: dict[str, list[dict[str, Any]]] | None = None, year: str = "2026-27",
             edit=None) -> Path:
        wb = build_template(scorecard_layout(year),
                            profile={"district_id": "KY-999", "district_name": "Test",
                                     **(profile or {})}, rows=rows or {})
        if edit:
            edit(wb)
        return save_atomic(wb, tmp_path / name)

    return make
