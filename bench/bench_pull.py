"""How long `sheetsync pull` takes on a large cohort, next to two scripts that do less.

    python bench/bench_pull.py [--workdir DIR] [--districts 500] [--runs 3] [--runs-pandas 1]
                               [--runs-script 1] [--jobs N ...] [--memory-districts 1000]
                               [--profile] [--change-runs 3]
                               [--rebuild-districts 5000 [--rebuild-runs 1] [--old-src DIR]]

1. Writes ~60 distinct district workbooks (clean, typical and messy; about 0.5 s each) into
   WORKDIR/seeds, then copies them to N districts with a cohort.toml in WORKDIR/nN. Both
   are reused when present, so only the first run pays for them.
2. Times `sheetsync pull --as-of 2027-01-20` as a user runs it (from compiled bytecode, as
   pip installs it: PYTHONDONTWRITEBYTECODE is dropped), with a fresh store (the
   first pull), then the same command again with nothing changed (the re-pull); with
   --jobs, once for each number of processes given (`pull --jobs N`; default: every core).
3. Times what a consultant would otherwise script: pandas.read_excel(sheet_name=None) per
   file, concatenated per sheet with a district column, written with to_excel; and the
   same done fast: python-calamine's rows per sheet, written with xlsxwriter's
   constant_memory mode. No checks in either.
4. Measures the peak memory (max RSS) of a first pull of --memory-districts districts.
5. Splits an in-process pull into reading and writing the master (and, with --profile,
   prints the top functions by own time).
6. Times pulls after one district changed (its rows reworded, or reshaped so the districts
   after it move), each right after a first pull: issue 22's target is a tenth of it.
7. With --rebuild-districts N, times `sheetsync master rebuild` of N districts without the
   master's cache (cold) and with it (warm), and with --old-src DIR the same command run
   by an earlier checkout's package (its writer), side by side: the target is 3x.

Prints medians side by side with the targets of issues 3 and 22, and the load average
before and after (other work on the machine slows every figure); exits 1 if a target is
missed.
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sheetsync
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.template.examples import COUNTIES, QUALITIES, write_district

AS_OF = date(2027, 1, 20)
YEAR = SchoolYear.parse("2026-27")
SEEDS = 60
TARGET_SPEEDUP, TARGET_REPULL, TARGET_MB = 3.0, 20.0, 500.0
# issue 22, on every core: the first pull against the calamine script and the pandas script
TARGET_SCRIPT, TARGET_PANDAS = 3.0, 10.0
TARGET_CHANGE, TARGET_REBUILD = 10.0, 3.0  # issue 22: a tenth of a first pull; 3x rebuild

# What a consultant writes instead: argv[1] is the districts folder, argv[2] the output.
PANDAS_SCRIPT = """
import sys
from pathlib import Path
import pandas as pd

sheets = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    for name, df in pd.read_excel(path, sheet_name=None).items():
        df.insert(0, "District", path.stem)
        sheets.setdefault(name, []).append(df)
with pd.ExcelWriter(sys.argv[2]) as writer:
    for name, frames in sheets.items():
        pd.concat(frames, ignore_index=True).to_excel(writer, sheet_name=name, index=False)
"""

# The same done fast: calamine's rows, written by xlsxwriter (argv as above).
CALAMINE_SCRIPT = """
import sys
from pathlib import Path
import xlsxwriter
from python_calamine import CalamineWorkbook

sheets = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        if rows:
            out = sheets.setdefault(name, [["District", *rows[0]]])
            out.extend([path.stem, *row] for row in rows[1:])
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
for name, rows in sheets.items():
    sheet = book.add_worksheet(name[:31])
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
book.close()
"""


def as_installed(*folders: Path) -> None:
    """Run the commands timed here as a pip-installed sheetsync runs: from bytecode compiled
    once (pip compiles a package's modules when it installs it). Compiles sheetsync's
    modules (and ``folders``, other sources timed) and drops PYTHONDONTWRITEBYTECODE, which
    would otherwise have every command compile every module it imports from source."""
    for folder in (Path(sheetsync.__file__).parent, *folders):
        compileall.compile_dir(folder, quiet=1)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def load() -> str:
    """The load averages (1, 5, 15 minutes) and the cores, as `uptime` says them."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def seed_workbooks(workdir: Path) -> list[Path]:
    """The distinct workbooks every cohort is copied from, written once."""
    folder = workdir / "seeds"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(1, SEEDS + 1):
        quality = QUALITIES[seed % len(QUALITIES)]
        county = COUNTIES[seed % len(COUNTIES)]
        path = folder / f"seed-{seed:02d}-{quality}.xlsx"
        if not path.exists():
            print(f"  writing {path.name}", file=sys.stderr)
            write_district(path, f"KY-{seed:03d}", county, seed, YEAR, AS_OF, quality)
        paths.append(path)
    return paths


def seed_id(path: Path) -> str:
    return f"KY-{int(path.name.split('-')[1]):03d}"


def copy_as(seed: Path, target: Path, seed_id: str, district_id: str) -> None:
    """A copy of ``seed`` whose profile names ``district_id`` (a pull refuses a workbook
    that names another district): the id is an inline string in the profile's sheet XML."""
    old, new = f">{seed_id}<".encode(), f">{district_id}<".encode()
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data.replace(old, new) if item.filename.startswith(
                "xl/worksheets/") else data)


def make_cohort(workdir: Path, n: int) -> Path:
    """WORKDIR/nN with N district files and a cohort.toml; reused when already there."""
    folder = workdir / f"n{n}"
    if (folder / "cohort.toml").exists():
        return folder
    seeds = seed_workbooks(workdir)
    (folder / "districts").mkdir(parents=True, exist_ok=True)
    lines = ["[cohort]", f'name = "Benchmark cohort of {n}"',
             f'school_year = "{YEAR.label}"', "", "[master]", 'path = "cohort_master.xlsx"', ""]
    for i in range(1, n + 1):
        county = COUNTIES[i % len(COUNTIES)]
        slug = f"{i:04d}-{county.lower()}"
        seed = seeds[i % len(seeds)]
        copy_as(seed, folder / "districts" / f"{slug}.xlsx", seed_id(seed), f"KY-{i:04d}")
        lines += ["[[district]]", f'id = "KY-{i:04d}"', f'name = "{county} County {i}"',
                  f'source = "districts/{slug}.xlsx"',
                  f'contacts = ["planning@{slug}.kyschools.us"]', ""]
    (folder / "cohort.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


@dataclass
class Run:
    seconds: float  # wall clock, what the user waits
    cpu: float  # user + system seconds: steadier than wall clock on a busy machine
    peak_mb: float  # max RSS of the process (and its children)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: some districts could not be read (still a full pull)
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{out.decode(errors='replace')}")
    return Run(seconds, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def fresh(folder: Path) -> None:
    shutil.rmtree(folder / ".sheetsync", ignore_errors=True)
    (folder / "cohort_master.xlsx").unlink(missing_ok=True)


def sheetsync_cmd(jobs: int | None = None) -> list[str]:
    """The console script beside this Python (skips slow shims such as pyenv's)."""
    script = Path(sys.executable).parent / "sheetsync"
    # a pull refuses an as-of after today without --force (which would also read every
    # district again): before AS_OF comes, time the pulls as of today
    as_of = min(AS_OF, date.today()) if date.today() >= YEAR.start else AS_OF
    return [str(script) if script.exists() else "sheetsync", "pull",
            "--as-of", as_of.isoformat(), *(["--jobs", str(jobs)] if jobs else [])]


def time_pulls(folder: Path, runs: int,
               jobs: int | None = None) -> tuple[list[Run], list[Run]]:
    """First pulls (fresh store each time) and re-pulls (the same command, nothing changed)."""
    firsts, repulls = [], []
    for _ in range(runs):
        fresh(folder)
        firsts.append(run(sheetsync_cmd(jobs), folder))
        repulls.append(run(sheetsync_cmd(jobs), folder))
    return firsts, repulls


def pristine(folder: Path, workdir: Path) -> None:
    """District 7's file put back as ``make_cohort`` wrote it, so that the next
    ``change_one`` changes it whatever an earlier run left there."""
    seed = seed_workbooks(workdir)[7 % SEEDS]
    copy_as(seed, next((folder / "districts").glob("0007-*.xlsx")), seed_id(seed), "KY-0007")


def change_one(folder: Path, workdir: Path, turn: int, reshape: bool) -> None:
    """One district edits its workbook between two pulls: district 7's goal statements
    reworded (``reshape`` False: the same rows), or its file replaced by another seed's
    plan (a different one each turn: other rows, so the districts after it move)."""
    seeds = seed_workbooks(workdir)
    target = next((folder / "districts").glob("0007-*.xlsx"))
    if reshape:
        seed = seeds[(turn * 7 + 11) % len(seeds)]
        copy_as(seed, target, seed_id(seed), "KY-0007")
        return
    seed = seeds[7 % len(seeds)]
    copy_as(seed, target, seed_id(seed), "KY-0007")
    with zipfile.ZipFile(target) as src:
        items = [(item, src.read(item)) for item in src.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item, data in items:
            out.writestr(item, data.replace(b">By June 2027", f">By June 2027 (edit {turn}),"
                                            .encode()))


def time_changes(folder: Path, workdir: Path, runs: int) -> list[tuple[Run, Run, Run]]:
    """Side by side, so the machine's load is alike: a first pull (fresh store), then a
    pull after one district's rows were reworded, then one after they were reshaped."""
    times = []
    for turn in range(runs):
        fresh(folder)
        pristine(folder, workdir)
        first = run(sheetsync_cmd(), folder)
        change_one(folder, workdir, turn + 1, reshape=False)
        same = run(sheetsync_cmd(), folder)
        change_one(folder, workdir, turn + 1, reshape=True)
        times.append((first, same, run(sheetsync_cmd(), folder)))
    return times


def time_rebuild(folder: Path, runs: int, cold: bool, src: Path | None = None) -> list[Run]:
    """`sheetsync master rebuild` of a pulled cohort (its store and master there): ``cold``
    without the master's cache (every district encoded), else with the one the last
    master left. ``src``: run the sheetsync package in that source folder instead (an
    older checkout, for its figure side by side)."""
    cmd = [sys.executable, "-c", "from sheetsync.cli import main; main()", "master", "rebuild"]
    env = {**os.environ, "PYTHONPATH": str(src)} if src else None
    times = []
    for _ in range(runs):
        if cold:
            (folder / ".sheetsync" / "master.cache").unlink(missing_ok=True)
        times.append(run(cmd, folder, env))
    return times


def time_script(folder: Path, runs: int, script: str = PANDAS_SCRIPT) -> list[Run]:
    out = folder / "script_master.xlsx"
    times = [run([sys.executable, "-c", script, "districts", out.name], folder)
             for _ in range(runs)]
    out.unlink(missing_ok=True)
    return times


def median(runs: list[Run], field: str = "seconds") -> float:
    return statistics.median(getattr(r, field) for r in runs)


def phases(folder: Path, jobs: int = 1) -> dict[str, tuple[float, float]]:
    """An in-process first pull, split at the last district (then commit, write the master).

    Returns (wall seconds, cpu seconds of this process: not of the pool's) per phase.
    """
    fresh(folder)
    cohort = load_cohort(folder / "cohort.toml")
    marks: list[tuple[float, float]] = []

    def mark(*_: object) -> None:
        marks.append((time.perf_counter(), time.process_time()))

    mark()
    pull(cohort, AS_OF, progress=mark, jobs=jobs)
    mark()
    start, last_district, end = marks[0], marks[-2], marks[-1]
    return {"read and check every district": (last_district[0] - start[0],
                                              last_district[1] - start[1]),
            "commit, write the master": (end[0] - last_district[0], end[1] - last_district[1]),
            "total": (end[0] - start[0], end[1] - start[1])}


def profile_pull(folder: Path, top: int = 25) -> None:
    """Print the functions an in-process first pull spends its own time in."""
    fresh(folder)
    cohort = load_cohort(folder / "cohort.toml")
    profiler = cProfile.Profile()
    profiler.runcall(pull, cohort, AS_OF)
    print(f"\nTop {top} functions by own time, in-process first pull under cProfile:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(top)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(n: int, pulls: dict[int | None, tuple[list[Run], list[Run]]], pandas: list[Run],
           calamine: list[Run]) -> bool:
    """The side-by-side table, a row per --jobs; True when the targets are met (on wall
    clock) by the pull on the most processes."""
    print(f"\n{n} districts: medians of {len(next(iter(pulls.values()))[0])} pulls per row, "
          f"{len(calamine)} calamine + xlsxwriter and {len(pandas)} pandas script runs")
    print(f"  {'seconds':<11} {'jobs':>5}  {'first pull':>10}  {'calamine script':>15}  "
          f"{'ratio':>6}  {'pandas script':>13}  {'ratio':>6}  {'re-pull':>8}  "
          f"{'first/re-pull':>13}")
    for field, label in (("seconds", "wall clock"), ("cpu", "cpu")):
        fast, slow = median(calamine, field), median(pandas, field)
        for jobs, (firsts, repulls) in pulls.items():
            first, repull = median(firsts, field), median(repulls, field)
            print(f"  {label:<11} {jobs or 'cores':>5}  {first:>10.2f}  {fast:>15.2f}  "
                  f"{fast / first:>5.1f}x  {slow:>13.2f}  {slow / first:>5.1f}x  "
                  f"{repull:>8.2f}  {first / repull:>12.1f}x")
    jobs = max(pulls, key=lambda j: j or os.cpu_count() or 1)
    firsts, repulls = pulls[jobs]
    vs_script, vs_pandas = median(calamine) / median(firsts), median(pandas) / median(firsts)
    repull_ratio = median(firsts) / median(repulls)
    checks = [(f"calamine script / first pull (jobs {jobs or 'cores'})", vs_script,
               TARGET_SCRIPT),
              (f"pandas script / first pull (jobs {jobs or 'cores'})", vs_pandas,
               max(TARGET_PANDAS, TARGET_SPEEDUP)),
              ("first pull / re-pull", repull_ratio, TARGET_REPULL)]
    for name, ratio, target in checks:
        print(f"  {name:<38} {ratio:6.1f}x   (target >= {target:g}x: "
              f"{verdict(ratio >= target)})")
    for jobs, (firsts, repulls) in pulls.items():
        print(f"  all runs, jobs {jobs or 'cores'}, wall s: first "
              f"{', '.join(f'{r.seconds:.2f}' for r in firsts)}; re-pull "
              f"{', '.join(f'{r.seconds:.2f}' for r in repulls)}")
    print(f"  scripts, wall s: calamine {', '.join(f'{r.seconds:.2f}' for r in calamine)}; "
          f"pandas {', '.join(f'{r.seconds:.2f}' for r in pandas)}")
    return all(ratio >= target for _, ratio, target in checks)


def report_changes(n: int, runs: list[tuple[Run, Run, Run]]) -> bool:
    """Pulls after one district changed, each next to a first pull run just before it
    (target: a tenth of it); the median of the runs' ratios."""
    print(f"\nOne district changed, {n} districts ({len(runs)} runs, each a first pull then "
          "the two changes; medians)")
    firsts = [r[0] for r in runs]
    print(f"  {'first pull':<22} {median(firsts):6.2f} s wall {median(firsts, 'cpu'):6.2f} s cpu")
    ok = True
    for i, what in ((1, "same rows, reworded"), (2, "its rows reshaped")):
        times = [r[i] for r in runs]
        ratio = statistics.median(r[0].seconds / r[i].seconds for r in runs)
        cpu = statistics.median(r[0].cpu / r[i].cpu for r in runs)
        print(f"  {what:<22} {median(times):6.2f} s wall {median(times, 'cpu'):6.2f} s cpu   "
              f"first pull / this {ratio:5.1f}x wall, {cpu:5.1f}x cpu   (target >= "
              f"{TARGET_CHANGE:g}x: {verdict(ratio >= TARGET_CHANGE)}); runs "
              f"{', '.join(f'{r.seconds:.2f}' for r in times)}")
        ok = ok and ratio >= TARGET_CHANGE
    return ok


def report_rebuild(folder: Path, args: argparse.Namespace) -> bool:
    """`master rebuild`: cold (no cache), warm (the cache of the last master), and the
    earlier writer's (``--old-src``) when given; target: 3x the earlier writer."""
    if not (folder / "cohort_master.xlsx").exists():
        run(sheetsync_cmd(), folder)
    rows = {"cold (no cache)": time_rebuild(folder, args.rebuild_runs, True),
            "warm (cache of the last master)": time_rebuild(folder, args.rebuild_runs, False)}
    old = time_rebuild(folder, args.rebuild_runs, True, args.old_src) if args.old_src else []
    base = median(old) if old else None
    print(f"\n`master rebuild`, {folder.name[1:]} districts (medians of {args.rebuild_runs})")
    if old:
        print(f"  {'earlier writer (' + str(args.old_src) + ')':<34} {median(old):7.2f} s wall "
              f"{median(old, 'cpu'):7.2f} s cpu {median(old, 'peak_mb'):6.0f} MB")
    ok = True
    for name, times in rows.items():
        line = f"  {name:<34} {median(times):7.2f} s wall {median(times, 'cpu'):7.2f} s cpu " \
               f"{median(times, 'peak_mb'):6.0f} MB"
        if base:
            speedup = base / median(times)
            line += f"  {speedup:5.1f}x the earlier (target >= {TARGET_REBUILD:g}x: " \
                    f"{verdict(speedup >= TARGET_REBUILD)})"
            ok = ok and (speedup >= TARGET_REBUILD or name.startswith("cold"))
        print(line)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cohorts are cached (default: temp)")
    parser.add_argument("--districts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="sheetsync pulls (median)")
    parser.add_argument("--runs-pandas", type=int, default=1, help="pandas script runs")
    parser.add_argument("--runs-script", type=int, default=1,
                        help="calamine + xlsxwriter script runs")
    parser.add_argument("--jobs", type=int, action="append",
                        help="`pull --jobs N`; give it again for another row (default: "
                             "sheetsync's, every core)")
    parser.add_argument("--memory-districts", type=int, default=1000,
                        help="cohort size of the memory run (0 skips it)")
    parser.add_argument("--profile", action="store_true", help="cProfile an in-process pull")
    parser.add_argument("--change-runs", type=int, default=3,
                        help="first pulls each followed by pulls after one district changed "
                             "(0 skips them)")
    parser.add_argument("--rebuild-districts", type=int, default=0,
                        help="cohort size of the `master rebuild` runs (0 skips them)")
    parser.add_argument("--rebuild-runs", type=int, default=1)
    parser.add_argument("--old-src", type=Path,
                        help="a source folder of an earlier sheetsync (its master writer) to "
                             "time `master rebuild` with, side by side")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    print(f"Cohorts in {workdir}", file=sys.stderr)

    folder = make_cohort(workdir, args.districts)
    as_installed(*([args.old_src] if args.old_src else []))
    print(f"Before: {load()}")
    pulls = {jobs: time_pulls(folder, args.runs, jobs) for jobs in args.jobs or [None]}
    calamine = time_script(folder, args.runs_script, CALAMINE_SCRIPT)
    pandas = time_script(folder, args.runs_pandas, PANDAS_SCRIPT)
    ok = report(args.districts, pulls, pandas, calamine)
    print(f"After: {load()}")
    if args.change_runs:
        ok = report_changes(args.districts, time_changes(folder, workdir,
                                                         args.change_runs)) and ok
    if args.rebuild_districts:
        ok = report_rebuild(make_cohort(workdir, args.rebuild_districts), args) and ok

    if args.memory_districts:
        big = make_cohort(workdir, args.memory_districts)
        first = time_pulls(big, 1)[0][0]
        fresh(big)
        print(f"  peak memory, first pull of {args.memory_districts} districts: "
              f"{first.peak_mb:.0f} MB (target < {TARGET_MB:g} MB: "
              f"{verdict(first.peak_mb < TARGET_MB)}); it took {first.seconds:.2f} s")
        ok = ok and first.peak_mb < TARGET_MB
    for jobs in args.jobs or [1]:
        print(f"\nIn-process first pull of {args.districts} districts on {jobs} process"
              f"{'es' * (jobs > 1)}, by phase")
        print(f"  {'seconds':<30} {'wall':>7} {'cpu':>7}")
        for name, (wall, cpu) in phases(folder, jobs).items():
            print(f"  {name:<30} {wall:7.2f} {cpu:7.2f}")
    if args.profile:
        profile_pull(folder)
    fresh(folder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
