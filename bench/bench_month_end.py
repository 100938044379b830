"""Month-end in one step against the separate commands (issue 22, "Month-end at any scale").

    python bench/bench_month_end.py [--workdir DIR] [--districts 200] [--runs 1] [--jobs N]

Uses bench_pull's cohort (WORKDIR/nN, written once and reused). Each run starts from a
fresh store and times, as a user runs them (a new process each):

- month-end: `sheetsync pull`, `sheetsync publish -o OUT` (cohort report HTML and PDF, every
  district's board PDF on every core, the public site, an index), `sheetsync remind` (a dry
  run: who would be reminded); then `publish` again with nothing changed;
- the baseline, the separate commands that made the same files before `publish`: the same
  pull, `report cohort -o cohort.html`, `report cohort -o cohort.pdf`, `report site --public`,
  `report district ID --public -o ID.pdf` for every district (one process each), `remind`.

Prints medians side by side with the machine's load (`uptime`) before and after; exits 1
when month-end takes longer than the issue's target (5 minutes for 200 districts, scaled
to --districts).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_pull import Run, fresh, make_cohort, run, sheetsync_cmd

TARGET_SECONDS_PER_200 = 300.0


def load() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout
    found = re.search(r"load averages?:\s*(.*)$", out.strip())
    return found.group(1) if found else out.strip()


def district_ids(folder: Path) -> list[str]:
    text = (folder / "cohort.toml").read_text(encoding="utf-8")
    return re.findall(r'^id = "([^"]+)"', text, flags=re.M)


def month_end(sheetsync: str, pull: list[str], folder: Path, out: Path,
              jobs: int | None) -> dict[str, Run]:
    fresh(folder)
    shutil.rmtree(out, ignore_errors=True)
    publish = [sheetsync, "publish", "-o", str(out), *(["--jobs", str(jobs)] if jobs else [])]
    times = {"pull": run(pull, folder), "publish": run(publish, folder),
             "remind (dry run)": run([sheetsync, "remind"], folder)}
    times["publish again, nothing changed"] = run(publish, folder)
    return times


def baseline(sheetsync: str, pull: list[str], folder: Path, out: Path) -> dict[str, Run]:
    fresh(folder)
    shutil.rmtree(out, ignore_errors=True)
    (out / "boards").mkdir(parents=True)
    times = {"pull": run(pull, folder),
             "report cohort .html": run([sheetsync, "report", "cohort", "-o",
                                         str(out / "cohort.html")], folder),
             "report cohort .pdf": run([sheetsync, "report", "cohort", "-o",
                                        str(out / "cohort.pdf")], folder),
             "report site --public": run([sheetsync, "report", "site", "--public", "-o",
                                          str(out / "site")], folder)}
    boards = [run([sheetsync, "report", "district", i, "--public", "-o",
                   str(out / "boards" / f"{i}.pdf")], folder) for i in district_ids(folder)]
    times["report district --public .pdf, each"] = Run(
        sum(r.seconds for r in boards), sum(r.cpu for r in boards),
        max((r.peak_mb for r in boards), default=0))
    times["remind (dry run)"] = run([sheetsync, "remind"], folder)
    return times


def median(runs: list[dict[str, Run]], step: str, field: str) -> float | None:
    values = [getattr(r[step], field) for r in runs if step in r]
    return statistics.median(values) if values else None


def total(runs: list[dict[str, Run]], field: str, leave_out: str = "again") -> float:
    return statistics.median(sum(getattr(v, field) for k, v in r.items() if leave_out not in k)
                             for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cohorts are cached (default: temp)")
    parser.add_argument("--districts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, help="publish --jobs (default: every core)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    folder = make_cohort(workdir, args.districts)
    pull = sheetsync_cmd()
    sheetsync = pull[0]
    out = workdir / f"published-{args.districts}"
    before = load()
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(month_end(sheetsync, pull, folder, out, args.jobs))
        theirs.append(baseline(sheetsync, pull, folder, out / "baseline"))
    after = load()
    fresh(folder)

    print(f"\n{args.districts} districts, medians of {args.runs} run(s); load average "
          f"(1, 5, 15 min) before: {before}; after: {after}")
    print(f"  {'step':<40} {'separate commands':>18} {'month-end':>10}   (wall s / cpu s)")
    steps = list(dict.fromkeys([*theirs[0], *ours[0]]))
    for step in steps:
        cells = []
        for runs in (theirs, ours):
            wall, cpu = median(runs, step, "seconds"), median(runs, step, "cpu")
            cells.append("" if wall is None else f"{wall:.2f} / {cpu:.2f}")
        print(f"  {step:<40} {cells[0]:>18} {cells[1]:>10}")
    mine, base = total(ours, "seconds"), total(theirs, "seconds")
    print(f"  {'total':<40} {base:>18.2f} {mine:>10.2f}   ({base / mine:.1f}x)")
    target = TARGET_SECONDS_PER_200 * args.districts / 200
    ok = mine <= target
    print(f"  month-end {mine:.1f} s (target <= {target:.0f} s for {args.districts} "
          f"districts: {'ok' if ok else 'MISSED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
