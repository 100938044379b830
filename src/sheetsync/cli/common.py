"""What the command modules share: reading a date or a school year option, the --level
option, printing JSON, opening the cohort."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.schema.sheets import scorecard_layout


def as_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """A click callback: ``2027-01-31`` as a date, or a message naming the form."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2027-01-31") from None


def as_year(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: a school year like ``2026-27``, or a message naming the form."""
    try:
        return scorecard_layout(value).school_year.label if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


level_option = click.option(
    "--level", type=click.Choice(["district", "school"]), default="district",
    show_default=True, help="A district's scorecard, or a school's improvement plan.")


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def open_cohort(path: Path | None) -> Cohort:
    """The cohort file at ``path`` (default ./cohort.toml), or a ``Failure`` saying why not."""
    return load_cohort(path)
