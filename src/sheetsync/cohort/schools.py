"""A cohort of one district's schools: its district's plan, read once and kept.

A school cohort's ``cohort.toml`` says ``level = "school"`` and ``district = "PATH"``; each
pull reads that workbook for the district's id and strategic goals (``district_of``), checks
every school plan against it, and keeps it in the store (``META_KEY``) so the master's
Alignment sheets are rebuilt from the store alone.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort, District, save_cohort
from sheetsync.cohort.sources import is_google
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


def stored_district(store: Any) -> DistrictPlan | None:
    """The district plan the last pull kept in the store."""
    text = store.meta(META_KEY)
    return DistrictPlan.from_dict(json.loads(text)) if text else None


def keep_district(store: Any, db: Any, district: DistrictPlan) -> None:
    store.set_meta(db, META_KEY, json.dumps(district.to_dict(), default=str))


def plan_name(school: District, school_year: str) -> str:
    return f"{school.name} ({school.id}) — School Improvement Plan {school_year}"


def distribute_schools(cohort: Cohort, folder: Path) -> list[dict[str, Any]]:
    """One plan per school in ``folder``, made from the district's plan; a plan already
    made whose locked strategic goals differ from the district's now is refreshed in place
    (the school's own rows, extra columns and sheets kept; an Upgrade Notes sheet says what
    changed). One record per school, as ``distribute`` gives: ``created``, ``exists``,
    ``refreshed`` or ``skipped``."""
    from sheetsync.cohort.distribute import _record, _relative, _safe
    from sheetsync.template.school import write_school_plan

    district = district_of(cohort)
    assert district is not None
    year = cohort.cohort.school_year
    out = []
    for d in cohort.districts:
        if d.source and is_google(d.source):
            out.append(_record(d, "skipped", "its source is a Google Sheet; refresh it with "
                                             "`sheetsync upgrade --district-file`"))
            continue
        path = cohort.source_path(d) if d.source and cohort.source_path(d).exists() else \
            folder / f"{_safe(plan_name(d, year))}.xlsx"
        if path.exists():
            status = refresh_plan(path, district) or ("exists" if not d.source else "skipped")
        else:
            write_school_plan(district, path, d.id, d.name, year, settings=cohort.settings)
            status = "created"
        d.source = _relative(cohort, path)
        save_cohort(cohort)
        out.append(_record(d, status))
    return out


def refresh_plan(path: Path, district: DistrictPlan) -> str | None:
    """"refreshed" when the plan at ``path`` had another list of strategic goals than
    ``district``'s, now put right; None when it was current (or is not a school plan)."""
    from sheetsync.read.scorecard import read_scorecard
    from sheetsync.year.upgrade import upgrade_file

    card, _ = read_scorecard(str(path))
    mine = [(g.id, g.title) for g in card.strategic_goals]
    if card.level != "school" or mine == [(g.id, g.title) for g in district.strategic_goals]:
        return None
    fresh = path.with_name(f".{path.stem}.refresh.xlsx")
    upgrade_file(path, fresh, force=True, district=district)
    os.replace(fresh, path)
    return "refreshed"


__all__ = ["META_KEY", "distribute_schools", "district_of", "keep_district", "plan_name",
           "refresh_plan", "stored_district"]
