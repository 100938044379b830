"""The year commands: ``rollover`` and ``upgrade`` (registered by ``sheetsync.cli``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sheetsync.cli.exit import EXIT_NOT_ROLLED, Command, Refused
from sheetsync.cohort.file import load_cohort
from sheetsync.errors import MissingColumns
from sheetsync.read.district import read_district
from sheetsync.schema.schoolyear import SchoolYear

if TYPE_CHECKING:
    from sheetsync.year.changes import Changes


def _year(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return SchoolYear.parse(value).label
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _report(changes: Changes, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(changes.to_json(), indent=2, default=str))
    else:
        click.echo("\n".join(changes.lines()))


@click.command(cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to", required=True, callback=_year,
              help="The new school year, e.g. 2027-28.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write next year's workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the list of changes as JSON.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
def rollover(file: Path, to: str, output: Path, as_json: bool, force: bool) -> None:
    """Draft next school year's scorecard from FILE (FILE is never changed)."""
    from sheetsync.year.rollover import rollover_file

    changes = rollover_file(file, to, output, force)
    _report(changes, as_json)


@click.command(cls=Command)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the workbook on the current template.")
@click.option("--json", "as_json", is_flag=True, help="Print the list of changes as JSON.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@click.option("--district-file", type=click.Path(dir_okay=False, path_type=Path),
              help="For a school plan: refresh its locked strategic goals from the "
                   "district's workbook (the school's own rows are kept).")
@click.option("--map", "maps", multiple=True, metavar="[SHEET!]COLUMN=KEY",
              help="Read a column whose header was renamed as the template column KEY, "
                   "e.g. --map F=baseline (repeatable).")
def upgrade(file: Path, output: Path, as_json: bool, force: bool,
            district_file: Path | None, maps: tuple[str, ...]) -> None:
    """Rewrite FILE onto the current template, every value carried (FILE is never changed).

    Exits 1 without writing when a required column is not found and the sheet has a
    column that may hold it; the message names it and the --map that reads it.
    """

    from sheetsync.year.upgrade import upgrade_file

    try:
        district = read_district(district_file) if district_file else None
        changes = upgrade_file(file, output, force, district, maps)
    except MissingColumns as exc:
        raise Refused(str(exc)) from None
    _report(changes, as_json)


@click.command(cls=Command)
@click.option("--to", "to", required=True, callback=_year,
              help="The new school year, e.g. 2027-28.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The new year's folder: its cohort.toml and districts/ are written there.")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="This year's cohort file (default: ./cohort.toml).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--force", is_flag=True, help="Replace files already in FOLDER.")
def cohort_rollover(to: str, folder: Path, cohort_path: Path | None, as_json: bool,
                    force: bool) -> None:
    """Draft next school year's scorecard for every district, and next year's cohort.toml.

    This year's cohort file and workbooks are never changed. Exits 3 when some districts
    could not be rolled over (they stay in the new cohort file without a source).
    """
    from sheetsync.year.cohort import rollover_cohort

    result = rollover_cohort(load_cohort(cohort_path), to, folder, force)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, default=str))
    else:
        for d in result.districts:
            said = d.problem or ", ".join(
                f"{n} {k}" for k, n in (d.changes.to_json()["counts"] if d.changes else {}
                                       ).items())
            click.echo(f"  {d.id:<10} {d.output or d.source or '-'}: {said}")
        click.echo(f"Wrote {result.cohort_file} for {result.to_year} with "
                   f"{len(result.districts)} districts"
                   f"{f'; {len(result.failed)} not rolled over' if result.failed else ''}.")
        if result.store:
            n = len(result.earlier_months)
            click.echo(f"Kept {n} earlier month{'s' * (n != 1)} of History in "
                       f"{result.store} (see `sheetsync history show --all-years`).")
    if result.failed:
        raise SystemExit(EXIT_NOT_ROLLED)
