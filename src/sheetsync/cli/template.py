"""``sheetsync template`` and ``sheetsync schema``: the template workbook (or Google Sheet, or a
school's plan) and the layout it is made from."""

from __future__ import annotations

from pathlib import Path

import click

from sheetsync.cli.common import as_year, level_option, print_json
from sheetsync.cli.exit import Command, Failure
from sheetsync.read.district import read_district
from sheetsync.schema.sheets import scorecard_layout


@click.command(cls=Command)
@click.option("--year", "school_year", callback=as_year, help="School year, e.g. 2026-27.")
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
@level_option
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

        _, url = make_google_template(layout, folder_id=drive_folder,
                                      credentials=credentials, profile=profile)
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
    district = read_district(district_file)
    write_school_plan(district, output, school_id, school_name, school_year)
    click.echo(f"Wrote {output} (School Improvement Plan {school_year} for "
               f"{school_name or school_id or 'a school'}, under {district.name or district.id}'s "
               f"{len(district.strategic_goals)} strategic goals).")


@click.command(cls=Command)
@click.option("--year", "school_year", callback=as_year, help="School year, e.g. 2026-27.")
@click.option("--json", "as_json", is_flag=True, help="Print the layout as JSON.")
@level_option
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
