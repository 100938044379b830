"""One measure's History, month by month: ``sheetsync history show``.

The store keeps every month a cohort was pulled, and a cohort rolled over to the next year
keeps the earlier years' months (see ``year.cohort``). A measure carried by rollover keeps
its district and measure id, so its months line up into one trend across years. By default
only the cohort's school year is shown, as in the master's History sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.places import check_writable
from sheetsync.cohort.store import Store
from sheetsync.errors import HistoryNotFound, MonthNotInHistory, NotWritable, OutputLocked
from sheetsync.master.build import build_master
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


@dataclass
class Dropped:
    """What ``sheetsync history drop`` removed, and whether the master was written again."""

    month: str
    district_id: str | None
    rows: dict[str, int]  # per district: the History rows removed
    master: Path
    master_written: bool = False
    master_error: str | None = None
    google_note: str | None = None

    def describe(self) -> str:
        who = ", ".join(self.rows)
        lines = [f"Removed {self.month} from History: {sum(self.rows.values())} rows of "
                 f"{len(self.rows)} district{'s' if len(self.rows) != 1 else ''} ({who})."]
        if self.master_written:
            lines.append(f"Master written again without {self.month}: {self.master}")
        if self.google_note:
            lines.append(self.google_note)
        return "\n".join(lines)


def drop_month(cohort: Cohort, month: str, district_id: str | None = None) -> Dropped:
    """Remove ``month`` (of one district, or all) from the store's History and snapshots,
    then write the master again from the store, so it cannot go on showing the month."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise MonthNotInHistory(f"--month {month!r} is not a month like 2027-01")
    if not cohort.store_path.exists():
        raise MonthNotInHistory(f"{cohort.store_path}: no pulls yet, so no History to drop",
                                path=cohort.store_path, district=district_id)
    check_writable(cohort.store_path, cohort.master_path)
    with Store(cohort.store_path) as store:
        months = store.months(district_id)
        if month not in months:
            whose = f" for district {district_id}" if district_id else ""
            raise MonthNotInHistory(
                f"History has no {month}{whose}; it has "
                f"{', '.join(months) if months else 'no months'}. Nothing was removed.",
                path=cohort.store_path, district=district_id)
        with store.transaction() as db:
            rows = store.drop_month(db, month, district_id)
            store.set_meta(db, "master_stale", "1")
        dropped = Dropped(month, district_id, rows, cohort.master_path)
        try:
            build_master(cohort, store)
            dropped.master_written = True
        except (OutputLocked, NotWritable) as exc:
            dropped.master_error = f"{exc} (The month was removed from the store.)"
    if cohort.master.google_sheet:
        dropped.google_note = ("The Google master still shows it: run `sheetsync master "
                               "rebuild` with your credentials to write it again.")
    return dropped
