"""What a pull of Google-hosted districts costs, against the common gspread pattern.

    python bench/bench_google.py [--districts 20] [--latency 0.02]

The cohort: ``--districts`` Google Sheets in the local fake (tests/fake_google.py), each
holding the values of one of the three example districts (clean, typical, messy), served
with ``--latency`` seconds added to every request.

- sheetsync: ``sheetsync.pull.pull`` with a Google client: one Drive listing, then one
  ``spreadsheets.get`` per changed sheet (values, number formats and formulas of all its
  tabs through a field mask); a re-pull with nothing changed is the listing.
- the common pattern: ``gc.open_by_key(key)``, then ``worksheet(tab).get_all_records()``
  for each of the template's tabs: a metadata request to open, and a metadata request and
  a values request per tab, every time (nothing tells it a sheet has not changed).

Printed side by side: requests, Sheets read requests (what Google's 60-per-minute
per-user quota counts), the minutes of that quota they use, the least time the quota
allows for them (reads past the first 60 wait for the rolling minute), and wall-clock time
against the fake (sheetsync's limiter is switched off for it, so neither side sleeps).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import gspread
from google.oauth2.credentials import Credentials
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fake_google

from sheetsync.cohort.file import load_cohort
from sheetsync.google.client import GoogleClient
from sheetsync.google.session import QuotaLimiter
from sheetsync.pull.run import pull
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.examples import write_examples
from tests.fake_google import SA_TOKEN, FakeGoogle, RedirectSession, serve

AS_OF = date(2027, 1, 20)
PER_USER_READS = 60  # Sheets read requests per minute per user


def quota_seconds(reads: int) -> int:
    """The least time ``reads`` Sheets reads take at 60 a rolling minute, one user."""
    return 60 * ((reads - 1) // PER_USER_READS) if reads else 0


def with_id(grid: dict[str, Any], district_id: str) -> dict[str, Any]:
    """The grid with its profile naming ``district_id`` (B4): a pull refuses another's."""
    profile = [list(r) for r in grid["District Profile"]]
    profile[3][1] = district_id
    return {**grid, "District Profile": profile}


def grids_of(path: Path) -> dict[str, list[list[Any]]]:
    """A workbook's sheets as a Google Sheet holds them (the fake keeps dates as dates)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {name: [[None if v == "" else v for v in row]
                   for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in wb.sheet_names}


def seed(fake: FakeGoogle, folder: Path, districts: int) -> list[str]:
    examples = folder / "examples"
    write_examples(examples, 3, as_of=AS_OF)
    grids = [grids_of(examples / "districts" / f"{n}.xlsx") for n in ("adair", "barren", "boyle")]
    keys = [fake.add_spreadsheet(f"District {i}", with_id(grids[i % 3], f"G-{i:03d}"))
            for i in range(districts)]
    lines = ['[cohort]\nname = "Bench"\nschool_year = "2026-27"\n']
    for i, key in enumerate(keys):
        lines.append(f'[[district]]\nid = "G-{i:03d}"\nname = "District {i}"\n'
                     f'source = "https://docs.google.com/spreadsheets/d/{key}/edit"\n')
    (folder / "cohort.toml").write_text("\n".join(lines), encoding="utf-8")
    return keys


def gspread_pattern(base_url: str, keys: list[str]) -> Callable[[], int]:
    """Every tab of every sheet, as most gspread scripts read them."""
    tabs = [s for s in scorecard_layout().sheets]

    def run() -> int:
        gc = gspread.Client(None, session=RedirectSession(base_url, SA_TOKEN))
        rows = 0
        for key in keys:
            sh = gc.open_by_key(key)
            for tab in tabs:
                ws = sh.worksheet(tab.name)
                try:
                    rows += len(ws.get_all_records(head=tab.header_row or 1))
                except gspread.exceptions.GSpreadException:  # blank or repeated headers
                    rows += len(ws.get_all_values())
        return rows

    return run


def measure(fake: FakeGoogle, run: Callable[[], Any]) -> dict[str, float]:
    fake.reset_log()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    reads = fake.count("GET", "/v4/")
    return {"requests": len(fake.requests), "reads": reads, "minutes": reads / PER_USER_READS,
            "quota": quota_seconds(reads), "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args(argv)

    fake = FakeGoogle()
    folder = Path(tempfile.mkdtemp(prefix="bench-google-"))
    try:
        keys = seed(fake, folder, args.districts)
        fake.latency = args.latency
        with serve(fake) as base_url:
            # No limiter waits here: both sides' quota time is computed, not slept.
            google = GoogleClient.from_credentials(
                Credentials(token=SA_TOKEN), base_url,
                limiter=QuotaLimiter(per_user=None, per_project=None))
            cohort = load_cohort(folder / "cohort.toml")
            first = measure(fake, lambda: pull(cohort, AS_OF, google=google))
            again = measure(fake, lambda: pull(cohort, AS_OF, google=google))
            pattern = measure(fake, gspread_pattern(base_url, keys))
        report(args, first, again, pattern)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def report(args: argparse.Namespace, first: dict[str, float], again: dict[str, float],
           pattern: dict[str, float]) -> None:
    print(f"{args.districts} Google districts, {args.latency * 1000:.0f} ms per request\n")
    head = f"{'':34}{'sheetsync':>11}{'gspread pattern':>17}{'ratio':>9}"
    rows = [("requests", "requests", "{:.0f}"), ("Sheets read requests", "reads", "{:.0f}"),
            ("per-user quota used (minutes)", "minutes", "{:.2f}"),
            ("least time the user quota allows", "quota", "{:.0f} s"),
            ("wall time against the fake", "seconds", "{:.1f} s")]
    for title, ours in (("first pull, every sheet changed", first),
                        ("re-pull, nothing changed", again)):
        print(f"{title}\n{head}")
        for label, key, fmt in rows:
            ratio = pattern[key] / ours[key] if ours[key] else float("inf")
            shown = f"{ratio:.1f}x" if ratio != float("inf") else "-"
            print(f"  {label:32}{fmt.format(ours[key]):>11}{fmt.format(pattern[key]):>17}"
                  f"{shown:>9}")
        print()
    print("sheetsync's wall time includes reading, checking and writing the master; the "
          "pattern's only fetches.")


if __name__ == "__main__":
    sys.exit(main())
