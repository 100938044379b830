"""A cohort of one district's schools: its district's plan, read once and kept.

A school cohort's ``cohort.toml`` says ``level = "school"`` and ``district = "PATH"``; each
pull reads that workbook for the district's id and strategic goals (``district_of``), checks
every school plan against it, and keeps it in the store (``META_KEY``) so the master's
Alignment sheets are rebuilt from the store alone.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.store import Store
from sheetsync.errors import DistrictFileError
from sheetsync.read.district import DistrictPlan, read_district

META_KEY = "district_plan"


def district_of(cohort: Cohort) -> DistrictPlan | None:
    """A school cohort's district plan (None for a cohort of districts); raises
    ``DistrictFileError`` when the district's workbook cannot give one."""
    path = cohort.district_path
    if cohort.cohort.level != "school" or path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        raise DistrictFileError(str(path), "there is no such file. `district` in the cohort "
                                           "file names the district's own workbook.") from None
    return _read(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> DistrictPlan:  # one read per version
    return read_district(path)


def stored_district(store: Store) -> DistrictPlan | None:
    """The district plan the last pull kept in the store."""
    text = store.meta(META_KEY)
    return DistrictPlan.from_dict(json.loads(text)) if text else None


def keep_district(store: Store, district: DistrictPlan) -> None:
    """Keep the district plan in the store (inside the store's transaction)."""
    store.set_meta(META_KEY, json.dumps(district.to_dict(), default=str), changes_data=True)


def plan_name(school: District, school_year: str) -> str:
    return f"{school.name} ({school.id}) — School Improvement Plan {school_year}"


__all__ = ["META_KEY", "district_of", "keep_district", "plan_name", "stored_district"]
