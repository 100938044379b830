"""``sheetsync cohort``: the cohort file made from a roster, extended from a folder, rolled
over to the next year (``cli.year``)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from sheetsync.cli.common import as_year, open_cohort
from sheetsync.cli.lazy import LazyGroup
from sheetsync.cohort.file import init_cohort
from sheetsync.cohort.roster import read_roster
from sheetsync.read.district import read_district
from sheetsync.schema.sheets import scorecard_layout

ROLLOVER = "Draft next school year's scorecard for every district, and next year's cohort.toml."


@click.group(cls=LazyGroup, lazy={"rollover": ("sheetsync.cli.year:cohort_rollover", ROLLOVER)})
def cohort() -> None:
    """Create and extend the cohort file (cohort.toml)."""


@cohort.command("init")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True,
              help="A .csv or .xlsx with columns District ID, Name and, optionally, Source "
                   "and Contacts (title rows above the header are fine).")
@click.option("--name", default="District cohort", show_default=True, help="The cohort's name.")
@click.option("--year", "school_year", callback=as_year, help="School year (default: this one).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("cohort.toml"),
              show_default=True)
@click.option("--district-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A cohort of this district's schools: the district's workbook (the roster "
                   "lists its schools).")
def cohort_init(roster: Path, name: str, school_year: str | None, output: Path,
                district_file: Path | None) -> None:
    """Write a cohort.toml from the roster a facilitator already keeps."""
    where = None
    if district_file is not None:
        read_district(district_file)  # a district file that cannot serve: said now
        where = os.path.relpath(district_file.resolve(), output.resolve().parent)
    made = init_cohort(output, name, school_year or scorecard_layout().school_year.label,
                       read_roster(roster), where)
    pending = sum(not d.source for d in made.members)
    later = f"; {pending} have no source yet (`sheetsync distribute` makes them)" if pending \
        else ""
    click.echo(f"Wrote {output} with {len(made.members)} {made.words.plural}{later}.")


@cohort.command("add-folder")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
def cohort_add_folder(folder: Path, cohort_path: Path | None) -> None:
    """Add every District Scorecard workbook in FOLDER that the cohort does not list yet.

    Leaves out the cohort master (whatever its name), lock files and the files sheetsync
    writes; a renamed workbook whose profile names a listed district becomes its source.
    """
    from sheetsync.pull.add_folder import add_folder

    c = open_cohort(cohort_path)
    scan = add_folder(c, folder)
    for d in scan.added:
        click.echo(f"  + {d.id}  {d.name}  {d.source}")
    for d in scan.moved:
        click.echo(f"  > {d.id}  {d.name}  now read from {d.source}")
    for path, why in scan.skipped:
        click.echo(f"  - {path.name}: left out, {why}")
    click.echo(f"Added {len(scan.added)} districts to {c.path}"
               f"{f', moved {len(scan.moved)}' if scan.moved else ''}.")
