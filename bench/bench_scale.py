"""Month-end work at two cohort sizes, measured, and a larger one extrapolated (issue 22).

    python bench/bench_scale.py [--workdir DIR] [--sizes 500 5000] [--extrapolate 13000]
                                [--runs 1]

For each size (the cohorts of bench_pull.py, written once into WORKDIR/nN and reused), as a
user runs them, each from a fresh store: the first pull, a re-pull with nothing changed, a
pull after one district changed its goal statements, and `master rebuild` with the
master's cache (warm) and without it (cold). Each figure is then drawn as a straight line
through the two largest sizes and read at --extrapolate districts (13,000: every district
in the country). Work that grows faster than the cohort (none is expected: each district's
rows are encoded once and joined) would make the line an underestimate, so the per-district
cost at each size is printed too: when it grows from the small size to the large one, trust
the extrapolation less.

The issue's baseline for the largest figure: before the incremental master, one change at
13,000 districts was estimated at ~2.7 minutes (every district encoded again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_pull import (  # the bench folder is not a package: found on sys.path
    Run,
    as_installed,
    change_one,
    fresh,
    load,
    make_cohort,
    pristine,
    run,
    sheetsync_cmd,
    time_rebuild,
)

BEFORE_ONE_CHANGE_13000 = 2.7 * 60  # seconds: the estimate before this work
STEPS = ("first pull", "re-pull, nothing changed", "one district changed",
         "master rebuild, warm", "master rebuild, cold")


def measure(folder: Path, workdir: Path, runs: int) -> dict[str, list[Run]]:
    """Every step ``runs`` times on the cohort in ``folder``."""
    times: dict[str, list[Run]] = {step: [] for step in STEPS}
    for turn in range(runs):
        fresh(folder)
        pristine(folder, workdir)
        times["first pull"].append(run(sheetsync_cmd(), folder))
        times["re-pull, nothing changed"].append(run(sheetsync_cmd(), folder))
        change_one(folder, workdir, turn + 1, reshape=False)
        times["one district changed"].append(run(sheetsync_cmd(), folder))
        times["master rebuild, warm"].extend(time_rebuild(folder, 1, cold=False))
        times["master rebuild, cold"].extend(time_rebuild(folder, 1, cold=True))
    return times


def line(small: tuple[int, float], big: tuple[int, float], n: int) -> float:
    """The value at ``n`` on the straight line through two (size, value) points."""
    (n0, v0), (n1, v1) = small, big
    return v1 + (v1 - v0) / (n1 - n0) * (n - n1)


def report(sizes: list[int], found: dict[int, dict[str, list[Run]]], target: int) -> None:
    small, big = sizes[-2], sizes[-1]
    print(f"\n{'seconds (wall), medians':<28}" + "".join(f"{n:>10,}" for n in sizes)
          + f"{target:>10,} (line)" + "   ms per district" + "".join(f"{n:>9,}" for n in sizes))
    for step in STEPS:
        walls = {n: statistics.median(r.seconds for r in found[n][step]) for n in sizes}
        at = line((small, walls[small]), (big, walls[big]), target)
        print(f"  {step:<26}" + "".join(f"{walls[n]:10.2f}" for n in sizes) + f"{at:10.2f}"
              + " " * 22 + "".join(f"{1000 * walls[n] / n:9.2f}" for n in sizes))
    memory = {n: statistics.median(r.peak_mb for r in found[n]["first pull"]) for n in sizes}
    print(f"  {'first pull, peak MB':<26}" + "".join(f"{memory[n]:10.0f}" for n in sizes)
          + f"{line((small, memory[small]), (big, memory[big]), target):10.0f}")
    change = {n: statistics.median(r.seconds for r in found[n]["one district changed"])
              for n in sizes}
    first = {n: statistics.median(r.seconds for r in found[n]["first pull"]) for n in sizes}
    at = line((small, change[small]), (big, change[big]), target)
    print(f"\n  one change at {target:,} districts: ~{at:.0f} s (the issue's estimate before "
          f"the incremental master: ~{BEFORE_ONE_CHANGE_13000:.0f} s, "
          f"{BEFORE_ONE_CHANGE_13000 / at:.1f}x as long)")
    for n in sizes:
        print(f"  first pull / one change at {n:,}: {first[n] / change[n]:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cohorts are cached (default: temp)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--extrapolate", type=int, default=13000)
    parser.add_argument("--runs", type=int, default=1, help="runs of every step per size")
    args = parser.parse_args()
    if len(args.sizes) < 2:
        parser.error("--sizes needs two sizes or more (the line runs through the last two)")
    sizes = sorted(args.sizes)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    print(f"Cohorts in {workdir}", file=sys.stderr)
    folders = {n: make_cohort(workdir, n) for n in sizes}  # written before anything is timed
    as_installed()  # bytecode compiled, as pip installs it
    print(f"Before: {load()}")
    found = {n: measure(folders[n], workdir, args.runs) for n in sizes}
    print(f"After: {load()}")
    report(sizes, found, args.extrapolate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
