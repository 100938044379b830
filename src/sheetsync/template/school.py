"""A School Improvement Plan: the district's template at the school level, nested under the
district's strategic goals.

``school_card`` is what a new plan starts as (the school's profile naming its district, the
district's strategic goals); it is written by the one scorecard writer
(``template.fill.write_scorecard``), so the plan has every formula, dropdown and protection
of the district's template, with its Strategic Goals filled in and locked. ``refreshed``
puts the district's current strategic goals into a plan already filled in, leaving the
school's own rows as they were (``sheetsync upgrade --district-file``, ``distribute``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sheetsync.read.district import DistrictPlan
from sheetsync.read.models import Profile, Scorecard
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import write_scorecard


def school_card(district: DistrictPlan, school_id: str | None, school_name: str | None,
                school_year: str, contact_email: str | None = None) -> Scorecard:
    """A new school plan: its profile, and its district's strategic goals."""
    layout = scorecard_layout(school_year, "school")
    profile = Profile(school_id=school_id, school_name=school_name,
                      district_id=district.id, district_name=district.name,
                      school_year=layout.school_year.label,
                      template_version=layout.template_version, contact_email=contact_email)
    return Scorecard(source="", school_year=layout.school_year.label, level="school",
                     template_version=layout.template_version, profile=profile,
                     strategic_goals=list(district.strategic_goals))


def refreshed(card: Scorecard, district: DistrictPlan) -> Scorecard:
    """``card`` with the district's current strategic goals and district id and name; the
    school's own rows (goals, measures, actions, updates…) untouched."""
    profile = card.profile.model_copy(update={"district_id": district.id,
                                              "district_name": district.name})
    return card.model_copy(update={"level": "school", "profile": profile,
                                   "strategic_goals": list(district.strategic_goals)})


def write_school_plan(district: DistrictPlan, path: str | Path, school_id: str | None,
                      school_name: str | None, school_year: str, **options: Any) -> Path:
    """Write a new school plan at ``path`` (``options``: ``settings`` for the formulas)."""
    return write_scorecard(school_card(district, school_id, school_name, school_year),
                           path, **options)


__all__ = ["refreshed", "school_card", "write_school_plan"]
