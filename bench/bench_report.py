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
--big-runs times (default 3) each the cohort report in HTML and PDF (printed in parts on every
core) and the site (HTML, one page per district) as `sheetsync report site` makes it (on every
core, the first build and a build again over it), each in a new process, with the
peak memory of its largest process (targets: 15 s HTML, 90 s PDF, 500 MB). CPU seconds
include the worker processes'; the machine's load shows as wall far above CPU.
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
    parser.add_argument("--big-runs", type=int, default=3,
                        help="Runs of each report of --districts (medians are shown).")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-report-"))

    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull
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
        missed |= cohort_bench(work, args.districts, args.big_runs)
    return 1 if missed else 0


JOB = """
import json, os, resource, sys, time
from pathlib import Path
from sheetsync.report.write import cohort_report, site_report
kind, folder = sys.argv[1], Path(sys.argv[2])
cohort = folder / "cohort.toml"
jobs = {"cohort-html": lambda: cohort_report(folder / "c.html", cohort),
        "cohort-pdf": lambda: cohort_report(folder / "c.pdf", cohort),
        "site": lambda: site_report(folder / "site", cohort)}
before, start = os.times(), time.perf_counter()
jobs[kind]()
wall, after = time.perf_counter() - start, os.times()
cpu = sum(after[:4]) - sum(before[:4])
peak = max(resource.getrusage(w).ru_maxrss for w in
           (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak}))
"""

BIG = (  # label, job, target (wall s), the site's chart cache emptied first
    ("cohort report, HTML", "cohort-html", 15, False),
    ("cohort report, PDF", "cohort-pdf", 90, False),
    ("site, first build", "site", 15, True),
    ("site, built again", "site", 15, False),
)


def job(kind: str, folder: Path) -> dict[str, float]:
    """One report made in a new process: its wall and CPU seconds (worker processes'
    included, imports not) and the peak memory of its largest process."""
    import json

    done = subprocess.run([sys.executable, "-c", JOB, kind, str(folder)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def cohort_bench(work: Path, n: int, runs: int) -> bool:
    import shutil

    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull
    from sheetsync.template.examples import write_examples

    folder = work / f"n{n}"
    if not (folder / "cohort.toml").exists():  # n distinct districts (about 0.4 s each)
        write_examples(folder, n, as_of=date(2027, 2, 10))
        pull(load_cohort(folder / "cohort.toml"), date(2027, 2, 10))
    results: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in BIG}
    for _ in range(runs):  # interleaved, so a slow spell of the machine hits every figure
        for label, kind, _target, cold in BIG:
            if cold:
                shutil.rmtree(folder / ".sheetsync" / "report-cache", ignore_errors=True)
            results[label].append(job(kind, folder))
    print(f"{n} districts, medians of {runs} runs (each a new process)")
    print(f"  {'':<22}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}   target")
    missed, peak = False, 0.0
    for label, _kind, target, _cold in BIG:
        wall, cpu, mb = (statistics.median(r[k] for r in results[label])
                         for k in ("wall", "cpu", "peak"))
        peak = max([peak, *(r["peak"] for r in results[label])])
        ok = wall < target
        missed |= not ok
        print(f"  {label:<22}{wall:>8.2f}{cpu:>8.2f}{mb:>9.0f}   < {target} s: "
              f"{'ok' if ok else 'MISSED'}")
    print(f"  peak memory of a process, any run: {peak:.0f} MB (target < 500 MB: "
          f"{'ok' if peak < 500 else 'MISSED'})")
    return missed or peak >= 500


if __name__ == "__main__":
    sys.exit(main())
