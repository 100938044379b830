"""``sheetsync check`` and ``sheetsync rules``: one scorecard checked, and the rules a check
applies."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from sheetsync.cli.common import as_date, print_json
from sheetsync.cli.exit import EXIT_FINDINGS, Command
from sheetsync.cli.render import render_check, render_rules, rules_markdown
from sheetsync.read.district import read_district
from sheetsync.schema import findings as F


@click.command(cls=Command)
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

    district = read_district(district_file) if district_file else None
    result = check_workbook(str(file), as_of, district=district)
    if as_json:
        print_json(result.to_json())
    else:
        click.echo(render_check(result))
    sys.exit(0 if result.valid else EXIT_FINDINGS)


@click.command(cls=Command)
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@click.option("--markdown", is_flag=True,
              help="Print the catalogue as docs/findings.md, message templates and all.")
def rules(as_json: bool, markdown: bool) -> None:
    """List every rule a check applies, with its code and meaning."""
    if as_json:
        print_json(F.rules_table())
    elif markdown:
        click.echo(rules_markdown(), nl=False)
    else:
        click.echo(render_rules())
