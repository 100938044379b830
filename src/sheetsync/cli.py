"""The ``sheetsync`` command: a thin layer over the library.

Exit codes: 0 success; 1 the check found errors (or a pull could not read some districts);
2 a file cannot be read or the command was misused.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import findings as F
from .assess import CheckResult, check_workbook
from .errors import SheetsyncError
from .layout import scorecard_layout
from .render import render_check, render_rules
from .template import build_template, save_atomic

EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


class Failure(click.ClickException):
    exit_code = EXIT_UNREADABLE


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2027-01-31") from None


def _year(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return scorecard_layout(value).school_year.label if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetsync")
def main() -> None:
    """District Scorecards: templates, checks, progress status and the monthly cohort pull."""


@main.command()
@click.option("--year", "school_year", callback=_year, help="School year, e.g. 2026-27.")
@click.option("--district-id", help="Pre-fill the district id.")
@click.option("--district-name", help="Pre-fill the district name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the .xlsx.")
def template(school_year: str | None, district_id: str | None, district_name: str | None,
             output: Path) -> None:
    """Write the District Scorecard template workbook."""
    layout = scorecard_layout(school_year or scorecard_layout().school_year.label)
    wb = build_template(layout, profile={"district_id": district_id,
                                         "district_name": district_name})
    try:
        save_atomic(wb, output)
    except OSError as exc:
        raise Failure(f"{output}: cannot write ({exc.strerror})") from None
    click.echo(f"Wrote {output} (template {layout.template_version}, {layout.school_year}).")


@main.command()
@click.option("--year", "school_year", callback=_year, help="School year, e.g. 2026-27.")
@click.option("--json", "as_json", is_flag=True, help="Print the layout as JSON.")
def schema(school_year: str | None, as_json: bool) -> None:
    """Show the template layout: sheets, columns, letters and types."""
    layout = scorecard_layout(school_year or scorecard_layout().school_year.label)
    if as_json:
        _print_json(layout.to_schema())
        return
    for sheet in layout.to_schema()["sheets"]:
        click.secho(f"{sheet['name']} ({sheet['entity']})", bold=True)
        for item in sheet.get("fields") or sheet["columns"]:
            where = item.get("cell") or item["letter"]
            label = item.get("label") or item["header"]
            click.echo(f"  {where:>4}  {label:<28} {item['key']:<18} {item['type']}"
                       f"{'  required' if item['required'] else ''}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--as-of", callback=_date, help="Compute statuses for this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(file: Path, as_of: date | None, as_json: bool) -> None:
    """Check one district's scorecard and show its statuses.

    Exits 0 when there are no errors, 1 when there are, 2 when FILE cannot be read.
    """
    try:
        result: CheckResult = check_workbook(str(file), as_of)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    if as_json:
        _print_json(result.to_json())
    else:
        click.echo(render_check(result))
    sys.exit(0 if result.valid else EXIT_FINDINGS)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def rules(as_json: bool) -> None:
    """List every rule a check applies, with its code and meaning."""
    if as_json:
        _print_json(F.rules_table())
    else:
        click.echo(render_rules())


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="example")
@click.option("--districts", default=6, show_default=True, help="How many districts.")
@click.option("--as-of", callback=_date, help="Fill actuals up to this date (default today).")
def example(folder: Path, districts: int, as_of: date | None) -> None:
    """Write example district workbooks and a cohort.toml into FOLDER."""
    from .examples import write_examples

    made = write_examples(folder, districts, as_of)
    for d in made:
        click.echo(f"  {d.id}  {d.name:<20} {d.quality:<8} {d.path}")
    click.echo(f"Wrote {len(made)} district workbooks and {folder / 'cohort.toml'}.")
