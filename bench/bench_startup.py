"""How fast sheetsync starts: `sheetsync --help`, a pull with nothing to do, and the first
pull of the same cohort, side by side in one run (issue 10, "Fast start").

    python bench/bench_startup.py [--workdir DIR] [--districts 500] [--runs 3] [--help-runs 9]

Uses bench_pull's cohort (WORKDIR/nN, written once and reused). Each run pulls with a fresh
store (the first pull), then runs the same command again with nothing changed (the re-pull).
Prints wall-clock and CPU medians and the ratio first pull / re-pull; exits 1 when the
ratio misses the target. Each command runs as a user runs it: a new process, so Python's
own start-up and every import count. `python -c pass` is timed too, the floor. Modules
run from their compiled bytecode, as a pip-installed sheetsync does: sheetsync is compiled
first and PYTHONDONTWRITEBYTECODE is dropped for the commands (``bench_pull.as_installed``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench_pull import Run, as_installed, fresh, make_cohort, run, sheetsync_cmd

TARGET_RATIO = 40.0


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cohorts are cached (default: temp)")
    parser.add_argument("--districts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="first pulls and re-pulls")
    parser.add_argument("--help-runs", type=int, default=9, help="`sheetsync --help` runs")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    folder = make_cohort(workdir, args.districts)
    pull = sheetsync_cmd()
    as_installed()  # bytecode compiled, as pip installs it
    run(pull, folder)  # warm-up: the store there
    helps = [run([pull[0], "--help"], folder) for _ in range(args.help_runs)]
    floor = [run([sys.executable, "-c", "pass"], folder) for _ in range(args.help_runs)]
    firsts, repulls = [], []
    for _ in range(args.runs):
        fresh(folder)
        firsts.append(run(pull, folder))
        repulls.extend(run(pull, folder) for _ in range(3))
    fresh(folder)

    print(f"\n{args.districts} districts, medians ({args.help_runs} --help, {args.runs} first "
          f"pulls, {len(repulls)} re-pulls)")
    print(f"  {'seconds':<10} {'python -c pass':>14} {'--help':>8} {'re-pull':>8} "
          f"{'first pull':>10} {'first/re-pull':>13}")
    for field, label in (("seconds", "wall clock"), ("cpu", "cpu")):
        first, again = median(firsts, field), median(repulls, field)
        print(f"  {label:<10} {median(floor, field):>14.3f} {median(helps, field):>8.3f} "
              f"{again:>8.3f} {first:>10.2f} {first / again:>12.1f}x")
    ratio = median(firsts, "seconds") / median(repulls, "seconds")
    ok = ratio >= TARGET_RATIO
    print(f"  first pull / re-pull (wall)  {ratio:.1f}x   (target >= {TARGET_RATIO:g}x: "
          f"{'ok' if ok else 'MISSED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
