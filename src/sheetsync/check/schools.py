"""A school plan checked against its district's plan.

A school plan carries a locked copy of the district's strategic goals, made when the plan
was. When the district's plan is at hand (``check --district-file``, or a school cohort's
``district``) these rules say where the two differ: a plan made for another district, a
strategic goal the district added or removed since, and school goals nested under a goal
the district no longer has.
"""

from __future__ import annotations

from sheetsync.read.district import DistrictPlan
from sheetsync.read.models import Scorecard
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.sheets import scorecard_layout


def same_id(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def district_mismatch(found: str | None, sheet: str | None,
                      district: DistrictPlan) -> Finding | None:
    """``school-district-mismatch`` when a school plan's profile names another district."""
    if not found or same_id(found, district.id):
        return None
    profile = scorecard_layout(level="school").sheet("profile")
    return F.SCHOOL_DISTRICT_MISMATCH(sheet=sheet or profile.name,
                                      cell=profile.field("district_id").cell,
                                      expected=district.id, found=found.strip())


def district_findings(card: Scorecard, district: DistrictPlan) -> list[Finding]:
    """Where a school plan and its district's current plan differ (nothing for a district's
    own scorecard)."""
    if card.level != "school":
        return []
    out: list[Finding] = []
    mismatch = district_mismatch(card.profile.district_id, card.sheet_names.get("profile"),
                                 district)
    if mismatch is not None:
        out.append(mismatch)
    if "strategic_goals" not in card.sheet_names:
        return out  # the missing sheet is reported already
    sheet = card.sheet_names["strategic_goals"]
    theirs, ours = set(district.goal_ids), {g.id for g in card.strategic_goals}
    for goal in district.strategic_goals:
        if goal.id not in ours:
            out.append(F.DISTRICT_GOAL_ADDED(sheet=sheet, id=goal.id, title=goal.title or ""))
    removed = ours - theirs
    for goal in card.strategic_goals:
        if goal.id in removed:
            out.append(F.DISTRICT_GOAL_REMOVED(sheet=sheet, cell=card.cell(
                "strategic_goals", "id", goal.row), id=goal.id, title=goal.title or ""))
    ids = ", ".join(district.goal_ids)
    for g in card.goals:
        if g.strategic_goal_id in removed:
            out.append(F.SCHOOL_GOAL_NOT_IN_DISTRICT(
                sheet=card.sheet_names.get("goals"),
                cell=card.cell("goals", "strategic_goal_id", g.row), goal=g.id,
                value=g.strategic_goal_id, ids=ids))
    return out


__all__ = ["district_findings", "district_mismatch", "same_id"]
