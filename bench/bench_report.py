"""Time one district's report in HTML and in PDF (issue 11, "Speed").

    python bench/bench_report.py [--runs 5] [--workdir DIR]

Writes the example cohort (six districts) to WORKDIR, pulls it once, then times the
district report of the messiest district (KY-003: 24 measures, 18 with a chart) from the
store: rendering the HTML, and rendering and printing the PDF, in-process after one warm-up
run (imports and font caches excluded), and once more as the `sheetsync report district`
command (a new process, imports included). Prints wall-clock and CPU medians; the targets
(HTML < 0.5 s, PDF < 3 s) are judged on wall clock. Exits 1 when a target is missed.

    python bench/bench_report.py --districts 200 [--workdir DIR]

also writes an example cohort of 200 distinct districts (once per WORKDIR), pulls it, and times
once each the cohort report in HTML and PDF and the site (HTML, one page per district) as
`sheetsync report site` makes it (on every core, from an empty chart cache, then again with
the cache), with the peak memory of a process (targets: 15 s HTML, 90 s PDF, 500 MB). CPU
seconds include the worker processes'.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGETS = {"html": 0.5, "pdf": 3.0}


def cpu_time() -> float:
    """CPU seconds of this process and of the worker processes it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_time()
    fn()
    return time.perf_counter() - wall, cpu_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--districts", type=int, default=0,
                        help="Also time the cohort report and the site for this many.")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-report-"))

    from sheetsync.cohort.model import load_cohort
    from sheetsync.cohort.pull import pull
    from sheetsync.report.write import district_report
    from sheetsync.template.examples import write_examples

    if not (work / "cohort.toml").exists():
        write_examples(work, 6, as_of=date(2027, 2, 10))
    pull(load_cohort(work / "cohort.toml"), date(2027, 2, 10))
    cohort = str(work / "cohort.toml")
    missed = False
    print(f"district report of KY-003, medians of {args.runs} runs (after one warm-up)")
    print(f"  {'format':<8}{'wall s':>8}{'cpu s':>8}{'command s':>11}   target")
    for fmt, target in TARGETS.items():
        out = work / f"KY-003.{fmt}"
        district_report("KY-003", out, Path(cohort))  # warm-up
        runs = [timed(lambda out=out: district_report("KY-003", out, Path(cohort)))
                for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from sheetsync.cli import main; main()",
                        "report", "district", "KY-003", "--cohort", cohort, "-o", str(out)],
                       check=True, capture_output=True)
        command = time.perf_counter() - start
        ok = wall < target
        missed |= not ok
        print(f"  {fmt:<8}{wall:>8.2f}{cpu:>8.2f}{command:>11.2f}   < {target} s: "
              f"{'ok' if ok else 'MISSED'}")
    if args.districts:
        missed |= cohort_bench(work, args.districts)
    return 1 if missed else 0


def cohort_bench(work: Path, n: int) -> bool:
    import resource
    import shutil

    from sheetsync.cohort.model import load_cohort
    from sheetsync.cohort.pull import pull
    from sheetsync.report.write import cohort_report, site_report
    from sheetsync.template.examples import write_examples

    folder = work / f"n{n}"
    if not (folder / "cohort.toml").exists():  # n distinct districts (about 0.4 s each)
        write_examples(folder, n, as_of=date(2027, 2, 10))
        pull(load_cohort(folder / "cohort.toml"), date(2027, 2, 10))
    cohort = folder / "cohort.toml"
    shutil.rmtree(folder / ".sheetsync" / "report-cache", ignore_errors=True)  # a cold start
    rows = []
    for label, target, job in (
            ("cohort report, HTML", 15, lambda: cohort_report(folder / "c.html", cohort)),
            ("cohort report, PDF", 90, lambda: cohort_report(folder / "c.pdf", cohort)),
            ("site, HTML", 15, lambda: site_report(folder / "site", cohort)),
            ("site again (cached)", 15, lambda: site_report(folder / "site", cohort))):
        wall, cpu = timed(job)
        rows.append((label, wall, cpu, target))
    peak = max(resource.getrusage(who).ru_maxrss / 1024
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"{n} districts, one run each")
    print(f"  {'':<22}{'wall s':>8}{'cpu s':>8}   target")
    missed = False
    for label, wall, cpu, target in rows:
        ok = wall < target
        missed |= not ok
        print(f"  {label:<22}{wall:>8.2f}{cpu:>8.2f}   < {target} s: "
              f"{'ok' if ok else 'MISSED'}")
    print(f"  peak memory of a process: {peak:.0f} MB (target < 500 MB: "
          f"{'ok' if peak < 500 else 'MISSED'})")
    return missed or peak >= 500


if __name__ == "__main__":
    sys.exit(main())
