"""Time one district's report in HTML and in PDF (issue 11, "Speed").

    python bench/bench_report.py [--runs 5] [--workdir DIR]

Writes the example cohort (six districts) to WORKDIR, pulls it once, then times the
district report of the messiest district (KY-003: 24 measures, 18 with a chart) from the
store: rendering the HTML, and rendering and printing the PDF, in-process after one warm-up
run (imports and font caches excluded), and once more as the `sheetsync report district`
command (a new process, imports included). Prints wall-clock and CPU medians; the targets
(HTML < 0.5 s, PDF < 3 s) are judged on wall clock. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGETS = {"html": 0.5, "pdf": 3.0}


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-report-"))

    from sheetsync.cohort import load_cohort
    from sheetsync.examples import write_examples
    from sheetsync.pull import pull
    from sheetsync.report.write import district_report

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
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
