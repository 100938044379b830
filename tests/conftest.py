"""Shared fixtures: example districts, and building small workbooks from rows."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic

pytest_plugins = ["tests.smtp", "tests.chromium"]  # the smtp_server and browser fixtures


def free_port() -> int:
    """A TCP port on loopback nobody listens on (for a test's own server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

AS_OF = date(2027, 1, 20)  # mid-year: actuals through December, January's not yet due


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six example districts (clean, typical, messy twice over) and their cohort.toml."""
    from sheetsync.template.examples import write_examples

    folder = tmp_path_factory.mktemp("examples")
    write_examples(folder, 6, as_of=AS_OF)
    return folder


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
