"""How long the Excel functions take, called as Excel calls them.

    python bench/bench_udfs.py [--repeat 30]

1. One SHEETSYNC_CHECK over a realistic workbook (the typical example district: 8 goals,
   24 measures, 40 actions, every sheet passed). Target: at most 50 ms.
2. A Measures table of 200 measures: a column of 200 single-measure SHEETSYNC_STATUS calls
   (=SHEETSYNC_STATUS(A5:AO5, AsOf) filled down) against one array call over the table.

Sheets are read into 2-D lists with python-calamine first, as Excel would pass the ranges;
reading the file is not timed. Prints medians of wall-clock time, and of this process's CPU
time (steadier when other jobs share the machine); exits 1 if the check misses its target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.template.examples import write_district
from sheetsync.udfs import SHEETSYNC_CHECK, SHEETSYNC_STATUS

AS_OF = date(2027, 1, 20)
TARGET_MS = 50.0
MEASURES = 200


def grids(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: [[None if v == "" else v for v in row]
                for row in wb.get_sheet_by_name(n).to_python(skip_empty_area=False)]
            for n in wb.sheet_names}


def measures_table(sheet: list[list[Any]], n: int) -> list[list[Any]]:
    """The Measures sheet grown to ``n`` measures (M1…Mn), cycling through its own rows."""
    head, rows = sheet[:4], [r for r in sheet[4:] if r[0]]
    return head + [[f"M{i + 1}", *rows[i % len(rows)][1:]] for i in range(n)]


def median_ms(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of ``repeat`` calls."""
    call()  # warm up: imports, the cached layout
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def ms(t: tuple[float, float]) -> str:
    return f"{t[0]:8.1f} ms  {t[1]:8.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        path = write_district(Path(tmp) / "typical.xlsx", "KY-001", "Adair", 1,
                              SchoolYear.containing(AS_OF), AS_OF, "typical")
        sheets = grids(path)
    args = [x for name, rows in sheets.items() for x in (name, rows)]
    check = median_ms(lambda: SHEETSYNC_CHECK(*args, AS_OF), repeat)

    table = measures_table(sheets["Measures"], MEASURES)
    rows = table[4:]
    one_call = median_ms(lambda: SHEETSYNC_STATUS(table, AS_OF), repeat)
    column = median_ms(lambda: [SHEETSYNC_STATUS([r], AS_OF, "2026-27") for r in rows],
                       max(3, repeat // 5))
    assert [c[0] for c in SHEETSYNC_STATUS(table, AS_OF)[4:]] == \
        [SHEETSYNC_STATUS([r], AS_OF, "2026-27")[0][0] for r in rows]

    ok = check[0] <= TARGET_MS
    print(f"{'median':<50}{'wall':>11}{'CPU':>12}")
    print(f"{'SHEETSYNC_CHECK, typical district, every sheet':<50}{ms(check)}   "
          f"(target <= {TARGET_MS:.0f} ms: {'ok' if ok else 'MISSED'})")
    print(f"SHEETSYNC_STATUS, {MEASURES} measures:")
    print(f"{'  one array call over the table':<50}{ms(one_call)}")
    print(f"{f'  {MEASURES} single-measure calls (a filled column)':<50}{ms(column)}   "
          f"({column[0] / MEASURES:.2f} ms a call)")
    print(f"  the column of calls takes {column[0] / one_call[0]:.0f}x as long as the array "
          f"call (CPU: {column[1] / one_call[1]:.0f}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
