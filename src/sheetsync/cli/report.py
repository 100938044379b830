"""``sheetsync report``: the district's monthly status report, the cohort report, a site."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from sheetsync.cli.common import as_date
from sheetsync.cli.exit import Group

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month like 2027-01")
    return value


cohort_option = click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
                             help="The cohort file (default: ./cohort.toml).")
month_option = click.option("--month", callback=_month, metavar="YYYY-MM",
                            help="That month's snapshot (default: the latest pull).")
out_option = click.option("-o", "--output", "out", required=True,
                          type=click.Path(dir_okay=False, path_type=Path),
                          help="Where to write it: .html, .pdf or .json.")


@contextmanager
def _progress(shown: bool) -> Iterator[Callable[[str, int], None] | None]:
    """A progress bar on stderr, one per stage the library reports (reading districts,
    writing pages, printing the PDF); none when ``shown`` is false."""
    if not shown:
        yield None
        return
    bars: list[Any] = []

    def step(stage: str, steps: int) -> None:
        if not bars or bars[-1].label != stage:
            if bars:
                bars[-1].render_finish()
            bars.append(click.progressbar(length=steps, label=stage, file=sys.stderr,
                                          show_pos=True))
        bars[-1].update(1)

    try:
        yield step
    finally:
        if bars:
            bars[-1].render_finish()


def _bar_shown(out: Path) -> bool:
    """A bar only for a person at a terminal: not for .json output, not into a pipe."""
    return out.suffix.lower() != ".json" and sys.stderr.isatty()


def _took(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"


@click.group(cls=Group)
def report() -> None:
    """Reports people read: a district's monthly status report, the cohort report, a site."""


@report.command("district")
@click.argument("district")
@cohort_option
@month_option
@click.option("--as-of", callback=as_date, help="With a FILE: compute statuses for this date.")
@click.option("--public", is_flag=True,
              help="For the board and the public: no contacts, e-mails, cells or findings.")
@out_option
def district(district: str, cohort_path: Path | None, month: str | None, as_of: date | None,
             public: bool, out: Path) -> None:
    """One district's monthly status report. DISTRICT is a workbook (read and checked now)
    or a district id of the cohort (from its store: the latest pull or --month's)."""
    from sheetsync.report.write import district_report

    district_report(district, out, cohort_path, month, as_of, public)
    click.echo(f"Wrote {out}.")


@report.command("cohort")
@cohort_option
@month_option
@out_option
def cohort(cohort_path: Path | None, month: str | None, out: Path) -> None:
    """The cohort report: one row per district, those needing attention first."""
    from sheetsync.report.write import cohort_report

    start = time.perf_counter()
    with _progress(_bar_shown(out)) as progress:
        view = cohort_report(out, cohort_path, month, progress)
    units = view["words"]["plural"]
    click.echo(f"Wrote {out}: {len(view['districts'])} {units}, {view['month_label']}, "
               f"in {_took(start)}.")


@report.command("site")
@cohort_option
@click.option("--public", is_flag=True,
              help="For the public: no contacts, e-mails, cells, findings or read problems.")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write.")
def site(cohort_path: Path | None, public: bool, out: Path) -> None:
    """A static site: index.html (the cohort report) and one page per district."""
    from sheetsync.report.write import site_report

    start = time.perf_counter()
    with _progress(sys.stderr.isatty()) as progress:
        written = site_report(out, cohort_path, public, progress)
    click.echo(f"Wrote {len(written)} pages to {out} ({len(written) - 1} districts) in "
               f"{_took(start)}; open {out / 'index.html'}.")
