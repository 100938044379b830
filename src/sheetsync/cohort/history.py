"""One measure's History, month by month: ``sheetsync history show``.

The store keeps every month a cohort was pulled, and a cohort rolled over to the next year
keeps the earlier years' months (see ``year.cohort``). A measure carried by rollover keeps
its district and measure id, so its months line up into one trend across years. By default
only the cohort's school year is shown, as in the master's History sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import HistoryNotFound
from sheetsync.schema.schoolyear import SchoolYear, period_date

COLUMNS = ("month", "school_year", "goal_id", "latest_month", "latest_actual", "expected",
           "progress", "status", "note")



@dataclass
class MeasureHistory:
    district_id: str
    measure_id: str
    school_year: str  # the cohort's
    all_years: bool
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"district_id": self.district_id, "measure_id": self.measure_id,
                "school_year": self.school_year, "all_years": self.all_years,
                "months": self.rows}

    def describe(self) -> str:
        which = "every year" if self.all_years else self.school_year
        n = len(self.rows)
        lines = [f"{self.district_id} {self.measure_id}, {which}: {n} month{'s' * (n != 1)}"]
        for r in self.rows:
            actual = "-" if r["latest_actual"] is None else f"{r['latest_actual']:g}"
            lines.append(f"  {r['month']}  {r['school_year']}  actual {actual:<8} "
                         f"({r['latest_month'] or 'no data'})  {r['status']}"
                         f"{'  ' + r['note'] if r['note'] else ''}")
        return "\n".join(lines)


def measure_history(cohort: Cohort, district_id: str, measure_id: str,
                    all_years: bool = False) -> MeasureHistory:
    """The months of one district's measure: the cohort's year, or every year stored."""
    if not cohort.store_path.exists():
        raise HistoryNotFound(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first",
                              path=cohort.store_path, district=district_id)
    year = SchoolYear.parse(cohort.cohort.school_year)
    out = MeasureHistory(district_id, measure_id, year.label, all_years)
    with Store(cohort.store_path) as store:
        known = store.measure_ids(district_id)
        if measure_id not in known:
            has = f"it has {', '.join(known)}" if known else "it has no History at all"
            raise HistoryNotFound(f"History has no measure {measure_id} for district "
                                  f"{district_id}; {has}.", path=cohort.store_path,
                                  district=district_id)
        rows = store.history([district_id], None if all_years else year.periods, measure_id)
        for _, _, period, goal, latest, actual, expected, progress, status, note in rows:
            out.rows.append(dict(zip(COLUMNS, (
                period, SchoolYear.containing(period_date(period)).label, goal, latest,
                actual, expected, progress, status, note), strict=True)))
    return out
