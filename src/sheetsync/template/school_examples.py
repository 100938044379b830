"""An example district running its schools: the district's scorecard, four school plans
nested under its strategic goals, and a school cohort.toml (``sheetsync example DIR
--level school``).

The plans are generated like the example districts (``examples``), smaller, from the goals
the example plan declares for each level (``example_plan.SCHOOL_GOALS``: measures of the
grades the school teaches only), each school keeping its own few, so the master's Alignment
sheet has gaps to show and Common Measures has measures the schools share.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import Cohort, CohortInfo, District
from sheetsync.read.district import read_district
from sheetsync.read.models import Profile
from sheetsync.schema.kde import required_goals
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.template.example_plan import SCHOOL_GOALS, GoalPlan
from sheetsync.template.examples import PEOPLE, ExampleDistrict, _rows, card_of, write_district
from sheetsync.template.fill import scorecard_workbook
from sheetsync.template.workbook import save_atomic

DISTRICT_ID, DISTRICT_NAME = "KY-001", "Adair"
LEVELS = {"E": "elementary", "M": "middle", "H": "high"}  # by the letter after "ADR-"
# school id, name, quality, its goals (by key, from its level's in SCHOOL_GOALS: each nests
# under the strategic goal the plan gives it), and measures it names its own way (the
# plan's name: the school's)
SCHOOLS: tuple[tuple[str, str, str, tuple[str, ...], dict[str, str]], ...] = (
    ("ADR-E1", "Adair Elementary", "clean", ("reading", "math", "attendance"), {}),
    ("ADR-E2", "Columbia Elementary", "typical", ("reading", "gap", "attendance"),
     {"Students chronically absent": "students chronically absent "}),
    ("ADR-M1", "Adair Middle", "clean", ("ready", "attendance", "math"), {}),
    ("ADR-H1", "Adair County High", "typical", ("algebra", "graduation", "attendance"), {}),
)


def school_goals(school_id: str, keys: tuple[str, ...]) -> tuple[GoalPlan, ...]:
    """The plan's goals a school keeps, from those of its level."""
    of_level = {g.key: g for g in SCHOOL_GOALS[LEVELS[school_id.split("-")[1][0]]]}
    return tuple(of_level[k] for k in keys)


def write_school_examples(folder: str | Path, as_of: date | None = None) -> list[ExampleDistrict]:
    """The district's workbook (``district.xlsx``), a plan per school in ``schools/`` and
    the school cohort.toml, in ``folder``; the district first in the list returned."""
    as_of = as_of or date.today()
    year = SchoolYear.containing(as_of)
    folder = Path(folder)
    (folder / "schools").mkdir(parents=True, exist_ok=True)
    path = write_district(folder / "district.xlsx", DISTRICT_ID, DISTRICT_NAME, 1, year, as_of,
                          "clean")
    district = read_district(path)
    out = [ExampleDistrict(DISTRICT_ID, f"{DISTRICT_NAME} County", "district", path)]
    required = required_goals(year.label)
    for n, (sid, name, quality, keys, names) in enumerate(SCHOOLS, 11):
        level = LEVELS[sid.split("-")[1][0]]
        plan = school_goals(sid, keys)
        rows = _rows(n, year, as_of, quality, goals=len(plan), measures_per_goal=2,
                     actions_per_goal=2, typed=False, plan=plan,
                     areas=required.of("school", level) if required else None)
        for m in rows["measures"]:
            m["name"] = names.get(m["name"], m["name"])
        profile = Profile(school_id=sid, school_name=name, school_level=level,
                          district_id=district.id,
                          district_name=district.name, contact_name=PEOPLE[n % len(PEOPLE)],
                          contact_email=f"office@{sid.lower()}.kyschools.us")
        card = card_of(rows, year, profile).model_copy(update={
            "level": "school", "strategic_goals": list(district.strategic_goals)})
        plan_path = save_atomic(scorecard_workbook(card),
                                folder / "schools" / f"{sid.lower()}.xlsx")
        out.append(ExampleDistrict(sid, name, quality, plan_path))
    _cohort_file(folder, year, out[1:])
    return out


def _cohort_file(folder: Path, year: SchoolYear, schools: list[ExampleDistrict]) -> None:
    save_cohort(Cohort(
        cohort=CohortInfo(name=f"{DISTRICT_NAME} County schools {year.label}",
                          school_year=year.label, level="school", district="district.xlsx"),
        school=[District(id=s.id, name=s.name, source=f"schools/{s.path.name}",
                         contacts=[f"office@{s.id.lower()}.kyschools.us"]) for s in schools],
        path=folder / "cohort.toml"))


__all__ = ["SCHOOLS", "write_school_examples"]
