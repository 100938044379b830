"""A school cohort's plans, one per school, made from its district's plan: what
``distribute`` does for a cohort of schools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.cohort.schools import district_of, plan_name
from sheetsync.google.address import is_google
from sheetsync.pull.copies import record, relative, safe_name
from sheetsync.read.district import DistrictPlan
from sheetsync.read.scorecard import read_scorecard
from sheetsync.template.school import write_school_plan
from sheetsync.year.upgrade import upgrade_file


def distribute_schools(cohort: Cohort, folder: Path) -> list[dict[str, Any]]:
    """One plan per school in ``folder``, made from the district's plan; a plan already
    made whose locked strategic goals differ from the district's now is refreshed in place
    (the school's own rows, extra columns and sheets kept; an Upgrade Notes sheet says what
    changed). One record per school, as ``distribute`` gives: ``created``, ``exists``,
    ``refreshed`` or ``skipped``."""
    district = district_of(cohort)
    assert district is not None
    year = cohort.cohort.school_year
    out = []
    for d in cohort.members:
        if d.source and is_google(d.source):
            out.append(record(d, "skipped", "its source is a Google Sheet; refresh it with "
                                             "`sheetsync upgrade --district-file`"))
            continue
        path = cohort.source_path(d) if d.source and cohort.source_path(d).exists() else \
            folder / f"{safe_name(plan_name(d, year))}.xlsx"
        if path.exists():
            status = refresh_plan(path, district) or ("exists" if not d.source else "skipped")
        else:
            write_school_plan(district, path, d.id, d.name, year, settings=cohort.settings)
            status = "created"
        d.source = relative(cohort, path)
        save_cohort(cohort)
        out.append(record(d, status))
    return out


def refresh_plan(path: Path, district: DistrictPlan) -> str | None:
    """"refreshed" when the plan at ``path`` had another list of strategic goals than
    ``district``'s, now put right; None when it was current (or is not a school plan)."""
    card, _ = read_scorecard(str(path))
    mine = [(g.id, g.title) for g in card.strategic_goals]
    if card.level != "school" or mine == [(g.id, g.title) for g in district.strategic_goals]:
        return None
    fresh = path.with_name(f".{path.stem}.refresh.xlsx")
    upgrade_file(path, fresh, force=True, district=district)
    os.replace(fresh, path)
    return "refreshed"


__all__ = ["distribute_schools", "refresh_plan"]
