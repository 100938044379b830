"""The ``sheetsync`` command: a thin layer over the library.

Exit codes: 0 success; 1 the check found errors (or a pull could not read some districts);
2 a file cannot be read or the command was misused.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from sheetsync import __version__
from sheetsync.cli.common import as_date, open_cohort, print_json

# Commands import what they need when they run, so `sheetsync --help` and a pull with
# nothing to do start quickly.
from sheetsync.cli.exit import (  # noqa: F401  (the exit codes are named from here too)
    EXIT_DISTRICTS_FAILED,
    EXIT_FINDINGS,
    EXIT_MASTER_LOCKED,
    EXIT_UNREADABLE,
    Failure,
)
from sheetsync.cli.google import client_for, google_option
from sheetsync.cli.lazy import LazyGroup
from sheetsync.cli.render import render_check, render_pull, render_rules
from sheetsync.cohort.file import init_cohort
from sheetsync.cohort.model import FILENAME
from sheetsync.cohort.roster import read_roster
from sheetsync.errors import Busy, DistrictFileError, NotWritable, SheetsyncError
from sheetsync.files import writable_folder
from sheetsync.pull.run import as_of_problem
from sheetsync.pull.run import pull as run_pull
from sheetsync.read.district import read_district
from sheetsync.schema import findings as F
from sheetsync.schema.sheets import scorecard_layout


def _year(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return scorecard_layout(value).school_year.label if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_level_option = click.option(
    "--level", type=click.Choice(["district", "school"]), default="district",
    show_default=True, help="A district's scorecard, or a school's improvement plan.")


# the command groups of their own modules, imported when run or listed
COMMANDS = {"distribute": "sheetsync.cli.distribute:distribute",
            "export": "sheetsync.cli.export:export", "serve": "sheetsync.cli.serve:serve",
            "auth": "sheetsync.cli.google:auth", "report": "sheetsync.cli.report:report",
            "remind": "sheetsync.cli.remind:remind", "rollover": "sheetsync.cli.year:rollover",
            "upgrade": "sheetsync.cli.year:upgrade", "master": "sheetsync.cli.master:master",
            "history": "sheetsync.cli.history:history"}


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetsync")  # the source's, not pip's metadata
def main() -> None:
    """District Scorecards: templates, checks, progress status and the monthly cohort pull."""


@main.command()
@click.option("--year", "school_year", callback=_year, help="School year, e.g. 2026-27.")
@click.option("--district-id", help="Pre-fill the district id.")
@click.option("--district-name", help="Pre-fill the district name.")
@click.option("--google", is_flag=True, help="Create it as a Google Sheet instead.")
@click.option("--drive-folder", metavar="ID", help="With --google: the Drive folder to put it in.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path),
              help="With --google: a service-account key (else `sheetsync auth login`).")
@click.option("--xlwings", is_flag=True,
              help="Add the xlwings.conf sheet so the classic Excel add-in's Import Functions "
                   "finds sheetsync's functions (save the copy as .xlsm).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the .xlsx.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
@_level_option
@click.option("--district-file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --level school: the district's workbook, whose id, name and "
                   "strategic goals the school plan takes (locked).")
@click.option("--school-id", help="With --level school: the school's id.")
@click.option("--school-name", help="With --level school: the school's name.")
def template(school_year: str | None, district_id: str | None, district_name: str | None,
             google: bool, drive_folder: str | None, credentials: Path | None, xlwings: bool,
             output: Path | None, force: bool, level: str, district_file: Path | None,
             school_id: str | None, school_name: str | None) -> None:
    """Write the District Scorecard template workbook (or create it as a Google Sheet);
    with --level school, a school's improvement plan nested under its district's goals."""
    from sheetsync.template.workbook import build_template, save_atomic

    layout = scorecard_layout(school_year or scorecard_layout().school_year.label)
    profile = {"district_id": district_id, "district_name": district_name}
    if level == "school":
        if google or xlwings:
            raise click.UsageError("--level school writes an .xlsx plan (-o SIP.xlsx); "
                                   "--google and --xlwings are for the district's template")
        _school_template(layout.school_year.label, district_file, school_id, school_name,
                         output, force)
        return
    if google:
        from sheetsync.template.google import make_google_template

        try:
            _, url = make_google_template(layout, folder_id=drive_folder,
                                          credentials=credentials, profile=profile)
        except SheetsyncError as exc:
            raise Failure(str(exc)) from None
        click.echo(f"Created {url} (template {layout.template_version}, {layout.school_year}).")
        return
    if output is None:
        raise click.UsageError("give -o FILE.xlsx, or --google")
    if output.exists() and not force:
        raise Failure(f"{output} exists; `template -o` would replace it (a filled scorecard "
                      "would be lost). Choose another name, or pass --force to replace it.")
    wb = build_template(layout, profile=profile, xlwings=xlwings)
    try:
        save_atomic(wb, output)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"{output}: cannot write ({exc.strerror})") from None
    click.echo(f"Wrote {output} (template {layout.template_version}, {layout.school_year}).")


def _school_template(school_year: str, district_file: Path | None, school_id: str | None,
                     school_name: str | None, output: Path | None, force: bool) -> None:
    """``template --level school``: one school's plan from its district's workbook."""
    from sheetsync.template.school import write_school_plan

    if district_file is None or output is None:
        raise click.UsageError("--level school needs --district-file DISTRICT.xlsx and "
                               "-o SIP.xlsx (and --school-id, --school-name)")
    if output.exists() and not force:
        raise Failure(f"{output} exists; `template -o` would replace it (a filled plan would "
                      "be lost). Choose another name, or pass --force to replace it.")
    try:
        district = read_district(district_file)
        write_school_plan(district, output, school_id, school_name, school_year)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    click.echo(f"Wrote {output} (School Improvement Plan {school_year} for "
               f"{school_name or school_id or 'a school'}, under {district.name or district.id}'s "
               f"{len(district.strategic_goals)} strategic goals).")


@main.command()
@click.option("--year", "school_year", callback=_year, help="School year, e.g. 2026-27.")
@click.option("--json", "as_json", is_flag=True, help="Print the layout as JSON.")
@_level_option
def schema(school_year: str | None, as_json: bool, level: str) -> None:
    """Show the template layout: sheets, columns, letters and types."""
    layout = scorecard_layout(school_year or scorecard_layout().school_year.label,
                              level)  # type: ignore[arg-type]
    if as_json:
        print_json(layout.to_schema())
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
@click.option("--as-of", callback=as_date, help="Compute statuses for this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--district-file", type=click.Path(dir_okay=False, path_type=Path),
              help="For a school plan: check it against the district's current plan.")
def check(file: Path, as_of: date | None, as_json: bool, district_file: Path | None) -> None:
    """Check one district's scorecard (or a school's plan) and show its statuses.

    Exits 0 when there are no errors, 1 when there are, 2 when FILE cannot be read.
    """
    from sheetsync.check.assess import check_workbook

    try:
        district = read_district(district_file) if district_file else None
        result = check_workbook(str(file), as_of, district=district)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    if as_json:
        print_json(result.to_json())
    else:
        click.echo(render_check(result))
    sys.exit(0 if result.valid else EXIT_FINDINGS)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def rules(as_json: bool) -> None:
    """List every rule a check applies, with its code and meaning."""
    if as_json:
        print_json(F.rules_table())
    else:
        click.echo(render_rules())


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="example")
@click.option("--districts", default=6, show_default=True, help="How many districts.")
@click.option("--as-of", callback=as_date, help="Fill actuals up to this date (default today).")
@click.option("--force", is_flag=True, help="Replace the cohort.toml and workbooks in FOLDER.")
@click.option("--level", type=click.Choice(["district", "school"]), default="district",
              show_default=True,
              help="school: one district's scorecard, four school plans nested under its "
                   "strategic goals, and a cohort of those schools.")
def example(folder: Path, districts: int, as_of: date | None, force: bool, level: str) -> None:
    """Write example district workbooks and a cohort.toml into FOLDER.

    FOLDER is new or empty: one that holds a cohort.toml or workbooks is left alone unless
    --force is given.
    """
    from sheetsync.template.examples import write_examples
    from sheetsync.template.school_examples import write_school_examples

    there = _cohort_files(folder)
    if there and not force:
        raise Failure(f"{folder} already holds {' and '.join(there)}; `sheetsync example` "
                      "would replace them. Choose an empty folder, or pass --force.")
    try:
        writable_folder(folder, "the example")
        made = write_school_examples(folder, as_of) if level == "school" else \
            write_examples(folder, districts, as_of)
    except SheetsyncError as exc:  # a folder that cannot be written, a file open in Excel
        raise Failure(str(exc)) from None
    for d in made:
        click.echo(f"  {d.id}  {d.name:<20} {d.quality:<8} {d.path}")
    if level == "school":
        click.echo(f"Wrote the district's scorecard, {len(made) - 1} school plans and "
                   f"{folder / 'cohort.toml'}.")
        return
    click.echo(f"Wrote {len(made)} district workbooks and {folder / 'cohort.toml'}.")


def _cohort_files(folder: Path) -> list[str]:
    """What ``example`` would replace in ``folder``: its cohort.toml, its workbooks."""
    there = [FILENAME] if (folder / FILENAME).exists() else []
    places = [f for f in (folder / "districts", folder / "schools", folder) if f.is_dir()]
    books = [p for f in places for p in f.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm")]
    if books:
        there.append(f"{len(books)} workbook{'s' if len(books) > 1 else ''}")
    return there


@main.command()
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--as-of", callback=as_date, help="Compute statuses for this date (default today).")
@click.option("--force", is_flag=True,
              help="Read every district again, changed or not; also accept an --as-of outside "
                   "the cohort's school year or after today.")
@click.option("--accept-older", is_flag=True,
              help="Take files older than the ones pulled before (source-older) instead of "
                   "keeping the newer values.")
@click.option("--json", "as_json", is_flag=True, help="Print the pull summary as JSON.")
@google_option
def pull(cohort_path: Path | None, as_of: date | None, force: bool, accept_older: bool,
         as_json: bool, credentials: Path | None) -> None:
    """Read every district of the cohort and write the cohort master.

    Exit codes: 0 every district was read; 3 some could not be (they are listed, and the
    master is still written); 4 the master could not be written, being open in another
    program (the pull is saved: close it and run `sheetsync master rebuild`); 2 the cohort
    file cannot be used, --as-of is outside the school year or after today (without
    --force), or the store or master cannot be written (nothing was pulled).
    """
    cohort = open_cohort(cohort_path)
    problem = None if force or as_of is None else as_of_problem(cohort, as_of)
    if problem:
        raise Failure(problem)
    google = client_for(cohort, credentials)
    options: dict[str, Any] = {"force": force, "google": google, "accept_older": accept_older}
    try:
        if as_json or not sys.stderr.isatty():
            report = run_pull(cohort, as_of, **options)
        else:
            bar: Any
            with click.progressbar(length=len(cohort.districts),
                                   label=f"Reading {cohort.words.plural}",
                                   file=sys.stderr, show_pos=True,
                                   item_show_func=lambda d: d.name if d else "") as bar:
                report = run_pull(cohort, as_of, progress=lambda d, o: bar.update(1, d),
                                  **options)
    except (NotWritable, DistrictFileError) as exc:
        raise Failure(f"{exc} Nothing was pulled.") from None
    except Busy as exc:  # another pull (the CLI's or `sheetsync serve`'s) is running
        raise Failure(str(exc)) from None
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(render_pull(report))
    if report.master_error:
        click.secho(report.master_error, fg="red", err=True)
        sys.exit(EXIT_MASTER_LOCKED)
    sys.exit(EXIT_DISTRICTS_FAILED if report.failed else 0)


@main.group(cls=LazyGroup, lazy={"rollover": "sheetsync.cli.year:cohort_rollover"})
def cohort() -> None:
    """Create and extend the cohort file (cohort.toml)."""


@cohort.command("init")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True,
              help="A .csv or .xlsx with columns District ID, Name and, optionally, Source "
                   "and Contacts (title rows above the header are fine).")
@click.option("--name", default="District cohort", show_default=True, help="The cohort's name.")
@click.option("--year", "school_year", callback=_year, help="School year (default: this one).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("cohort.toml"),
              show_default=True)
@click.option("--district-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A cohort of this district's schools: the district's workbook (the roster "
                   "lists its schools).")
def cohort_init(roster: Path, name: str, school_year: str | None, output: Path,
                district_file: Path | None) -> None:
    """Write a cohort.toml from the roster a facilitator already keeps."""
    try:
        where = None
        if district_file is not None:
            read_district(district_file)  # a district file that cannot serve: said now
            where = os.path.relpath(district_file.resolve(), output.resolve().parent)
        made = init_cohort(output, name, school_year or scorecard_layout().school_year.label,
                           read_roster(roster), where)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    pending = sum(not d.source for d in made.districts)
    later = f"; {pending} have no source yet (`sheetsync distribute` makes them)" if pending \
        else ""
    click.echo(f"Wrote {output} with {len(made.districts)} {made.words.plural}{later}.")


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
    try:
        scan = add_folder(c, folder)
    except SheetsyncError as exc:
        raise Failure(str(exc)) from None
    for d in scan.added:
        click.echo(f"  + {d.id}  {d.name}  {d.source}")
    for d in scan.moved:
        click.echo(f"  > {d.id}  {d.name}  now read from {d.source}")
    for path, why in scan.skipped:
        click.echo(f"  - {path.name}: left out, {why}")
    click.echo(f"Added {len(scan.added)} districts to {c.path}"
               f"{f', moved {len(scan.moved)}' if scan.moved else ''}.")
