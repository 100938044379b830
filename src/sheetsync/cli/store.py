"""`sheetsync store`: the copies of the store kept before each pull, and bringing one back."""

from __future__ import annotations

from pathlib import Path

import click

from sheetsync.cli.common import open_cohort
from sheetsync.cli.exit import Failure, Group
from sheetsync.cohort.restore import restore
from sheetsync.cohort.store import Store, copies
from sheetsync.errors import SheetsyncError


@click.group(cls=Group)
def store() -> None:
    """The store: the copies kept before each pull, and bringing one back."""


@store.command("restore")
@click.argument("number", type=click.IntRange(min=1), default=1)
@click.option("--list", "listing", is_flag=True, help="List the copies kept; restore nothing.")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
def store_restore(number: int, listing: bool, cohort_path: Path | None) -> None:
    """Bring back copy NUMBER of the store (1, the default, is the newest), kept before a
    pull wrote it. The store it replaces is moved aside into the same folder, never
    deleted. Then `sheetsync master rebuild --force` writes the master from it."""
    c = open_cohort(cohort_path)
    kept = copies(c.store_path)
    if listing:
        if not kept:
            raise Failure(f"{c.store_path.parent / 'backups'}: no copies of the store are kept "
                          "yet (one is made before each pull that writes the store).")
        for copy in kept:
            click.echo(f"{copy.number}  {copy.made}  {_holds(copy.path)}  {copy.path.name}")
        return
    done = restore(c.store_path, number)
    months = f"{done.months[0]} to {done.months[-1]}" if done.months else "no months"
    click.echo(f"Restored copy {done.copy.number} ({done.copy.made}): {done.pulls} pulls, "
               f"{months}.")
    if done.replaced is not None:
        click.echo(f"The store it replaced is kept as {done.replaced}.")
    click.echo("Run `sheetsync master rebuild --force` to write the master from it.")


def _holds(path: Path) -> str:
    """A copy's pulls and months, or why it cannot be read."""
    try:
        with Store(path, readonly=True) as kept:
            pulls = kept.pull_count()
            months = kept.months()
    except SheetsyncError as exc:
        return f"(cannot be used: {exc})"
    span = f"{months[0]} to {months[-1]}" if months else "no months"
    return f"{pulls} pulls, {span}"
