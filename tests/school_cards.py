"""A small district and its four schools, for the school tests: every number named here.

Kent School District (KY-900) has three strategic goals. Its four schools' plans nest their
goals under them unevenly (so the Alignment sheet has gaps to show), and spell two common
measures differently (so Common Measures has something to group). Statuses are for
2027-01-20, with December's actuals: a measure from 40 to 50 is expected at 45.03 by then
(183 of 364 days), On Track at progress ≥ 0.503, At Risk at ≥ 0.403.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.read.district import DistrictPlan
from sheetsync.read.models import Action, Goal, Measure, Profile, Scorecard, StrategicGoal
from sheetsync.template.fill import write_scorecard
from sheetsync.template.school import school_card

YEAR = "2026-27"
AS_OF = date(2027, 1, 20)
DISTRICT_ID, DISTRICT_NAME = "KY-900", "Kent School District"
STRATEGIC = [("SG1", "Every student reads on grade level"),
             ("SG2", "Safe and engaged schools"),
             ("SG3", "Every student graduates ready")]

# school id -> (name, goals as (id, strategic goal), measures, actions per goal)
# a measure: (id, goal, name, unit, baseline, target, December's actual or None)
SCHOOLS: dict[str, tuple[str, list[tuple[str, str]], list[tuple[Any, ...]], dict[str, int]]] = {
    "S-01": ("Alder Elementary", [("G1", "SG1"), ("G2", "SG2")], [
        ("M1", "G1", "Grade 3 Reading Proficiency", "%", 40, 50, 46),     # On Track
        ("M2", "G2", "Chronic absence", "%", 18, 14, 18.5),               # Off Track
    ], {"G1": 2, "G2": 1}),
    "S-02": ("Birch Elementary", [("G1", "SG1"), ("G2", "SG1")], [
        ("M1", "G1", "grade 3 reading  proficiency ", "%", 35, 45, 39.5),  # At Risk
        ("M2", "G1", "Kindergarten readiness", "%", 60, 70, 71),          # Met
        ("M3", "G2", "Chronic Absence", "%", 20, 15, None),               # No Data
    ], {"G1": 1}),
    "S-03": ("Cedar Middle", [("G1", "SG2"), ("G2", "SG3")], [
        ("M1", "G1", "Chronic absence", "%", 12, 10, 10.9),               # On Track
        ("M2", "G2", "Office referrals", "count", 200, 150, 190),         # Off Track
    ], {"G1": 1, "G2": 2}),
    "S-04": ("Dogwood High", [("G1", "SG3"), ("G2", "SG1")], [
        ("M1", "G1", "Four-year graduation rate", "%", 85, 90, 90.5),     # Met
        ("M2", "G1", "Office Referrals", "count", 300, 250, 275),         # At Risk
    ], {"G1": 1}),
}


def district_plan(goals: list[tuple[str, str]] | None = None) -> DistrictPlan:
    return DistrictPlan(DISTRICT_ID, DISTRICT_NAME, tuple(
        StrategicGoal(id=i, title=t, start_year=2024, end_year=2029)
        for i, t in (STRATEGIC if goals is None else goals)))


def write_district(path: Path, goals: list[tuple[str, str]] | None = None,
                   district_id: str = DISTRICT_ID) -> Path:
    """The district's own scorecard: its profile and strategic goals (all a school needs)."""
    card = Scorecard(source="", school_year=YEAR, template_version="1.0",
                     profile=Profile(district_id=district_id, district_name=DISTRICT_NAME,
                                     school_year=YEAR, template_version="1.0"),
                     strategic_goals=list(district_plan(goals).strategic_goals))
    return write_scorecard(card, path)


def school_plan(school_id: str, district: DistrictPlan | None = None) -> Scorecard:
    """One school's plan, filled in as the school would."""
    name, goals, measures, actions = SCHOOLS[school_id]
    card = school_card(district or district_plan(), school_id, name, YEAR)
    card.profile.as_of = AS_OF
    card.goals = [Goal(id=g, strategic_goal_id=sg, cdip_goal_id=None,
                       statement=f"By June 2027 {name} will improve goal {g} for all students.",
                       student_group="All students", owner="Principal",
                       target_date=date(2027, 6, 30)) for g, sg in goals]
    card.measures = [Measure(id=m, goal_id=g, name=n, unit=u, baseline=b, target=t,
                             direction="increase" if t > b else "decrease",
                             frequency="monthly",
                             actuals={"2026-12": a} if a is not None else {})
                     for m, g, n, u, b, t, a in measures]
    n = 0
    for goal, count in actions.items():
        for _ in range(count):
            n += 1
            card.actions.append(Action(id=f"A{n}", goal_id=goal, description="Coach teachers",
                                       owner="Coach", due_date=date(2027, 5, 31),
                                       status="In Progress", evidence="Walkthroughs"))
    return card


def write_cohort(folder: Path) -> Path:
    """The district's workbook, the four plans and a school cohort.toml in ``folder``."""
    write_district(folder / "district.xlsx")
    (folder / "schools").mkdir(parents=True, exist_ok=True)
    entries = []
    for sid, (name, *_) in SCHOOLS.items():
        write_scorecard(school_plan(sid), folder / "schools" / f"{sid}.xlsx")
        entries.append(f'[[school]]\nid = "{sid}"\nname = "{name}"\n'
                       f'source = "schools/{sid}.xlsx"\ncontacts = ["head@{sid.lower()}.org"]\n')
    path = folder / "cohort.toml"
    path.write_text(f'[cohort]\nname = "Kent schools"\nschool_year = "{YEAR}"\n'
                    'level = "school"\ndistrict = "district.xlsx"\n\n' + "\n".join(entries),
                    encoding="utf-8")
    return path
