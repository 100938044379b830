"""The master written from the store alone: after a pull, by ``sheetsync master rebuild``,
and (its sheets) by the Google master and the cohort report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.schools import stored_district
from sheetsync.cohort.store import Store
from sheetsync.master.alignment import SHEETS, baseline, schools_of
from sheetsync.read.sources import is_google
from sheetsync.schema.schoolyear import SchoolYear, period_key


def cohort_periods(cohort: Cohort) -> list[str]:
    """The months of the cohort's school year: what the master's History and trend show."""
    return SchoolYear.parse(cohort.cohort.school_year).periods


def build_master(cohort: Cohort, store: Store, period: str | None = None) -> Path:
    """Write the master from the store alone (what ``sheetsync master rebuild`` runs)."""
    from sheetsync.master.write import write_master

    last = store.last_pull()
    period = period or (last["period"] if last else period_key(date.today()))
    ids = [d.id for d in cohort.members]
    sources = {d.id: d.source if is_google(d.source) else str(cohort.source_path(d))
               for d in cohort.members}
    year = cohort_periods(cohort)  # History shows the cohort's year; earlier ones stay stored
    path = write_master(cohort.master_path, store.outcomes(ids), store.history(ids, year),
                        store.trend(ids, year), period,
                        lambda o: sources.get(o.district_id, o.source), cohort.cohort.level,
                        alignment_sheets(cohort, store), store.history_counts(ids, year))
    with store.transaction() as db:
        store.set_meta(db, "master_stale", "0")
    return path


def alignment_sheets(cohort: Cohort, store: Store) -> dict[str, Any]:
    """A school cohort's Alignment, Common Measures and District Goals sheets (name:
    columns and rows), from the store alone; none for a cohort of districts."""
    district = stored_district(store) if cohort.cohort.level == "school" else None
    if district is None:
        return {}

    found = baseline(schools_of(store.outcomes([d.id for d in cohort.members])), district)
    return {name: (SHEETS[name], rows) for name, rows in found.sheets().items()}
