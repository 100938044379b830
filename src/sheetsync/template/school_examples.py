"""An example district running its schools: the district's scorecard, four school plans
nested under its strategic goals, and a school cohort.toml (``sheetsync example DIR
--level school``).

The plans are generated like the example districts (``examples``), smaller, each nesting
its goals under the district's strategic goals its own way, so the master's Alignment sheet
has gaps to show and Common Measures has measures the schools share.
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
from sheetsync.template.examples import PEOPLE, ExampleDistrict, _rows, card_of, write_district
from sheetsync.template.fill import scorecard_workbook
from sheetsync.template.workbook import save_atomic

DISTRICT_ID, DISTRICT_NAME = "KY-001", "Adair"
LEVELS = {"E": "elementary", "M": "middle", "H": "high"}  # by the letter after "ADR-"
# school id, name, quality, the strategic goal each of its three goals nests under, and
# measures it names its own way (the district's name: the school's)
SCHOOLS: tuple[tuple[str, str, str, tuple[str, ...], dict[str, str]], ...] = (
    ("ADR-E1", "Adair Elementary", "clean", ("SG1", "SG2", "SG3"), {}),
    ("ADR-E2", "Columbia Elementary", "typical", ("SG1", "SG1", "SG3"),
     {"Students chronically absent": "students chronically absent "}),
    ("ADR-M1", "Adair Middle", "clean", ("SG2", "SG3", "SG2"),
     {"Grade 3 students proficient in reading (MAP)":
      "Grade 7 students proficient in reading (MAP)",
      "Four-year cohort graduation rate": "Grade 8 students on track to graduate"}),
    ("ADR-H1", "Adair County High", "typical", ("SG1", "SG4", "SG4"),
     {"Grade 3 students proficient in reading (MAP)": "Grade 9 students on track (credits)",
      "Grade 5 students proficient in math (MAP)": "Algebra I end-of-course proficiency"}),
)


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
    for n, (sid, name, quality, nests, names) in enumerate(SCHOOLS, 11):
        rows = _rows(n, year, as_of, quality, goals=len(nests), measures_per_goal=2,
                     actions_per_goal=2, typed=False)
        level = LEVELS[sid.split("-")[1][0]]
        required = required_goals(year.label)
        areas = required.of("school", level) if required else ()
        rows["cdip_goals"] = [c for c in rows["cdip_goals"] if c["area"] in areas] \
            or rows["cdip_goals"]  # a school keeps the goals the state asks of its level
        for i, (goal, sg) in enumerate(zip(rows["goals"], nests, strict=True)):
            goal["strategic_goal_id"] = sg
            goal["cdip_goal_id"] = rows["cdip_goals"][i % len(rows["cdip_goals"])]["id"]
        for m in rows["measures"]:
            m["name"] = names.get(m["name"], m["name"])
        profile = Profile(school_id=sid, school_name=name, school_level=level,
                          district_id=district.id,
                          district_name=district.name, contact_name=PEOPLE[n % len(PEOPLE)],
                          contact_email=f"office@{sid.lower()}.kyschools.us")
        card = card_of(rows, year, profile).model_copy(update={
            "level": "school", "strategic_goals": list(district.strategic_goals)})
        plan = save_atomic(scorecard_workbook(card), folder / "schools" / f"{sid.lower()}.xlsx")
        out.append(ExampleDistrict(sid, name, quality, plan))
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
