"""How long ``sheetsync check`` takes on a realistic district workbook, next to pandas.

Generates six typical districts (8 goals, 24 measures, 40 actions, monthly actuals up to
the as-of date), then times, over many repetitions after warm-up runs:

- ``check_workbook`` (read + check), with python-calamine and with the openpyxl fallback;
- the read alone (``read_scorecard``) and the check alone (``assess`` on a read card);
- where the read's time goes: sniffing the zip (every worksheet inflated once, for damage
  and error cells), opening it, loading each sheet, parsing rows;
- ``pandas.read_excel(path, sheet_name=None)``, the read most scripts would write.

The comparisons are interleaved (one call of each per round, on the first district), so a
machine whose load changes during the run slows all of them alike; each call's CPU time is
kept beside its wall time. The check's own figure is then taken as a pull meets it: the six
districts checked back to back, round after round. Targets (from the issue): check ≤ 10 ms
median per workbook, ≥ 5x faster than the pandas read alone; the script exits 1 when one
is missed. Run: ``python bench/bench_check.py [--repeat 200] [--profile]``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.check.assess import assess, check_workbook
from sheetsync.read import sniff, source
from sheetsync.read.scorecard import read_rows, read_scorecard
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.template.examples import write_district

AS_OF = date(2027, 1, 20)  # mid-year: actuals July to December
TARGET_MS = 10.0
DISTRICTS = ("Adair", "Boyle", "Clark", "Daviess", "Estill", "Fayette")
TARGET_RATIO = 5.0

Timings = dict[str, tuple[list[float], list[float]]]  # label -> (wall ms, CPU ms) per call


def timed(fns: dict[str, Callable[[], Any]], repeat: int, warmup: int) -> Timings:
    """Wall and CPU milliseconds per call of each of ``fns``, in ``repeat`` rounds that call
    each once (after ``warmup`` untimed rounds)."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    out: Timings = {label: ([], []) for label in fns}
    for _ in range(repeat):
        for label, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            out[label][1].append((time.process_time() - cpu) * 1000)
            out[label][0].append((time.perf_counter() - wall) * 1000)
    return out


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[8]


def without_calamine(fn: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        saved, source.CalamineWorkbook = source.CalamineWorkbook, None
        try:
            return fn()
        finally:
            source.CalamineWorkbook = saved

    return run


def loaded(path: str) -> source.WorkbookRows:
    """A workbook whose sheets are all read already, so parsing can be timed alone."""
    wb = source.open_workbook(path)
    for name in wb.sheet_names:
        wb.rows(name)
    return wb


def sheet_loads(path: str) -> dict[str, Callable[[], Any]]:
    """A timer per sheet: calamine's get_sheet_by_name and to_python, as source.py calls."""
    wb = source.CalamineWorkbook.from_path(path)

    def load(name: str) -> Callable[[], Any]:
        return lambda: wb.get_sheet_by_name(name).to_python(skip_empty_area=False,
                                                             nrows=source.MAX_ROWS + 50)

    return {f"  load sheet '{name}'": load(name) for name in wb.sheet_names}


def table(timings: Timings, base: float | None = None) -> None:
    print(f"  {'(ms)':<44} {'median':>8} {'p90':>8} {'CPU':>8}  {'vs pandas' if base else ''}")
    for label, (wall, cpu) in timings.items():
        med = statistics.median(wall)
        ratio = f"{base / med:8.1f}x" if base else ""
        print(f"  {label:<44} {med:8.2f} {p90(wall):8.2f} {statistics.median(cpu):8.2f}"
              f"  {ratio}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of check_workbook")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-") as folder:
        paths = [str(write_district(Path(folder) / f"{name.lower()}.xlsx", f"KY-{i:03d}", name,
                                    i, SchoolYear.parse("2026-27"), AS_OF, "typical"))
                 for i, name in enumerate(DISTRICTS, 1)]
        return bench(paths, args.repeat, args.warmup, args.profile)


def back_to_back(paths: list[str], n: int, w: int) -> list[float]:
    """Milliseconds per check_workbook call, checking the districts one after another as a
    pull does (``n`` rounds over all of them, after ``w`` untimed rounds)."""
    out = []
    for i in range(w + n):
        for path in paths:
            start = time.perf_counter()
            check_workbook(path, AS_OF)
            if i >= w:
                out.append((time.perf_counter() - start) * 1000)
    return out


def bench(paths: list[str], n: int, w: int, profile: bool) -> int:
    path = paths[0]
    slow_n = max(10, n // 10)  # pandas and openpyxl take ~10x longer: fewer rounds
    card, found = read_scorecard(path)
    result = assess(card, found, AS_OF)
    print(f"{Path(path).name}: {Path(path).stat().st_size / 1024:.0f} KB, {len(card.goals)} goals, "
          f"{len(card.measures)} measures ({sum(len(m.actuals) for m in card.measures)} "
          f"actuals), {len(card.actions)} actions, {len(result.findings)} findings")
    print(f"python {sys.version.split()[0]}, {n} rounds after {w} warm-up rounds ({slow_n} "
          f"for pandas and openpyxl), load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs\n")

    import pandas as pd

    def check() -> Any:
        return check_workbook(path, AS_OF)

    slow = timed({
        "check_workbook (read + check), calamine": check,
        "check_workbook, openpyxl fallback": without_calamine(check),
        "pandas.read_excel(sheet_name=None)":  # its default engine today, openpyxl
            lambda: pd.read_excel(path, sheet_name=None, engine="openpyxl"),
    }, slow_n, 2)
    pandas_ms = statistics.median(slow["pandas.read_excel(sheet_name=None)"][0])
    fast = {
        "check_workbook (read + check), calamine": check,
        "  read_scorecard alone": lambda: read_scorecard(path),
        "  assess alone (check a read card)": lambda: assess(card, found, AS_OF),
    }
    with contextlib.suppress(ImportError, ValueError):  # pandas older than 2.2
        pd.read_excel(path, sheet_name=None, engine="calamine")
        fast["pandas.read_excel(engine='calamine')"] = \
            lambda: pd.read_excel(path, sheet_name=None, engine="calamine")
    main_rows = timed(fast, n, w)
    main_rows["check_workbook, openpyxl fallback"] = slow["check_workbook, openpyxl fallback"]
    main_rows["pandas.read_excel(sheet_name=None)"] = slow["pandas.read_excel(sheet_name=None)"]
    table(main_rows, pandas_ms)

    print("\nWhere the read goes (calamine):")
    wb = loaded(path)
    table(timed({
        "sniff (zip checks; every worksheet inflated)": lambda: sniff.sniff(Path(path)),
        "open_workbook (sniff + calamine open)": lambda: source.open_workbook(path),
        **sheet_loads(path),
        "parse rows into the scorecard (read_rows)": lambda: read_rows(wb),
    }, n, w))

    series = back_to_back(paths, max(10, n // len(paths)), w)
    med = statistics.median(series)
    print(f"\nBack to back, as a pull runs them: {len(series)} checks of {len(paths)} typical "
          f"districts, median {med:.2f} ms, p90 {p90(series):.2f} ms, fastest "
          f"{min(series):.2f} ms")
    interleaved = statistics.median(main_rows["check_workbook (read + check), calamine"][0])
    same_rounds = statistics.median(slow["check_workbook (read + check), calamine"][0])
    ratio = pandas_ms / same_rounds
    print(f"\ncheck median {med:.2f} ms back to back, {interleaved:.2f} ms interleaved with "
          f"the other calls (target ≤ {TARGET_MS:g} ms): "
          f"{'met' if med <= TARGET_MS else 'MISSED'}; {ratio:.1f}x faster than pandas' "
          f"read in the same rounds (target ≥ {TARGET_RATIO:g}x): "
          f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}")
    missed = med > TARGET_MS or ratio < TARGET_RATIO

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            check()
        profiler.disable()
        print(f"\ncProfile of {n} check_workbook calls (cumulative, top 30):")
        pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(30)
        print("by own time (top 20):")
        pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(20)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
