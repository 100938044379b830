"""``sheetsync example``: a folder of example workbooks and their cohort.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sheetsync.cli.common import as_date
from sheetsync.cli.exit import Command, Failure
from sheetsync.cohort.model import FILENAME
from sheetsync.files import writable_folder


@click.command(cls=Command)
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
    writable_folder(folder, "the example")  # a folder that cannot be written: a Failure
    made = write_school_examples(folder, as_of) if level == "school" else \
        write_examples(folder, districts, as_of)
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
