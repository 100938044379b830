"""What the command modules share: reading a date or a school year option, the --level
option, printing JSON, opening the cohort, saying what the master changed to keep within
Excel's limits."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.master.layout import ExcelLimitWarning
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


def open_cohort(path: Path | None, cached: bool = False) -> Cohort:
    """The cohort file at ``path`` (default ./cohort.toml), or a ``Failure`` saying why not.
    ``cached``: its data kept beside the store (``cohort.file.load_cohort``)."""
    return load_cohort(path, cached)


@contextmanager
def excel_limits_said() -> Iterator[None]:
    """Each ``ExcelLimitWarning`` raised inside (the master's History split by term, its
    links one per district row) printed as a ``warning:`` line on stderr when done."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExcelLimitWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, ExcelLimitWarning):
                    click.secho(f"warning: {w.message}", fg="yellow", err=True)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
