"""Realistic filled District Scorecards, for the README's first command, tests and benchmarks.

Each district is generated from a seed, so the same call gives the same workbook. Quality
varies the way real submissions do: ``clean`` follows every rule; ``typical`` misses an
owner here, a monthly update there; ``messy`` is typed by hurried people (ids like "g1 " and
"Goal 2", percentages as "45%" and 0.45, dates as text, "TBD", a renamed header, an extra
column, a target that moves the wrong way, a goal id that does not exist).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetsync.cohort.file import save_cohort
from sheetsync.cohort.model import Cohort, CohortInfo, District
from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    MonthlyUpdate,
    Need,
    Profile,
    Scorecard,
    StrategicGoal,
    Strategy,
)
from sheetsync.schema.schoolyear import SchoolYear, period_date, period_key, period_label
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import (
    COMPLETE,
    DECREASE,
    FREQUENCY_MONTHS,
    IN_PROGRESS,
    INCREASE,
    KCWP_OTHER,
    KCWPS,
    NOT_STARTED,
    PERCENT,
)
from sheetsync.template.fill import scorecard_workbook
from sheetsync.template.workbook import save_atomic

COUNTIES = ("Adair", "Barren", "Boyle", "Calloway", "Daviess", "Fayette", "Grant", "Hardin",
            "Jessamine", "Knox", "Laurel", "Madison", "Marion", "Nelson", "Oldham", "Pike",
            "Pulaski", "Rowan", "Scott", "Shelby", "Todd", "Warren", "Wayne", "Whitley")
STRATEGIC = (
    ("Every student reads and computes on grade level", "Academic achievement"),
    ("Every student graduates ready for college, career and life", "Transition readiness"),
    ("Safe, healthy and engaged schools", "Climate and culture"),
    ("Recruit, grow and keep excellent staff", "Talent"),
    ("Family and community partnership", "Engagement"),
)
# area, statement, then the state's numbers: indicator, baseline, target (in 4 years)
CDIP = (("Proficiency", "Increase the share of students scoring proficient or above.",
         "% of students proficient or distinguished in reading and math (KSA)", 46.0, 60.0),
        ("Achievement Gap", "Close gaps between student groups.",
         "Gap in reading and math proficiency, students with disabilities and all "
         "students (KSA, points)", 28.0, 18.0),
        ("Graduation Rate", "Raise the four-year cohort graduation rate.",
         "Four-year adjusted cohort graduation rate (%)", 91.2, 95.0),
        ("Transition Readiness", "Increase students meeting transition-readiness benchmarks.",
         "% of graduates transition ready (KSA)", 62.0, 75.0),
        ("Growth", "Increase students meeting growth targets.",
         "% of students meeting their growth target in reading and math (KSA)", 48.0, 58.0))
CDIP_YEARS = 4  # the CDIP goals' target year: four years after the school year's start
# The strategies goals are carried out through: the Key Core Work Process, the strategy,
# its research basis and how the district monitors it (its actions' monitoring method).
STRATEGIES = (
    (KCWPS[1], None, "Explicit, systematic reading and math instruction in every classroom",
     "What Works Clearinghouse practice guides on foundational reading skills and on "
     "assisting students struggling with mathematics (strong evidence)",
     "Classroom walkthroughs with the district's instruction look-fors"),
    (KCWPS[3], None, "Data teams review common assessments every two weeks and regroup "
     "students for intervention",
     "What Works Clearinghouse: Using Student Achievement Data to Support Instructional "
     "Decision Making", "Data-team minutes and regrouping logs"),
    (KCWPS[4], None, "A tiered system of supports (MTSS) for students below benchmark",
     "What Works Clearinghouse: Response to Intervention practice guides (strong evidence)",
     "Intervention rosters and progress-monitoring scores"),
    (KCWPS[5], None, "School-wide positive behavior interventions and supports (PBIS)",
     "Bradshaw, Mitchell and Leaf (2010), a randomized trial of school-wide PBIS",
     "Behavior data reviewed monthly by each school's PBIS team"),
    (KCWPS[0], None, "A guaranteed and viable curriculum aligned to the Kentucky Academic "
     "Standards", "Marzano (2003), What Works in Schools",
     "Curriculum-map reviews each semester"),
    (KCWP_OTHER, "Family partnership", "Family literacy and math nights with take-home "
     "materials", "Henderson and Mapp (2002), A New Wave of Evidence",
     "Sign-in sheets and family survey results"),
)
# name, unit, baseline, target, frequency, student group
MEASURES = (
    ("Grade 3 students proficient in reading (MAP)", "%", 42.0, 50.0, "quarterly", "Grade 3"),
    ("Grade 5 students proficient in math (MAP)", "%", 38.0, 45.0, "quarterly", "Grade 5"),
    ("Students chronically absent", "%", 18.0, 14.0, "monthly", "All students"),
    ("Four-year cohort graduation rate", "%", 88.0, 91.0, "annual", "Grade 12"),
    ("Office discipline referrals", "count", 420.0, 350.0, "monthly", "All students"),
    ("Seniors meeting transition readiness", "%", 61.0, 70.0, "quarterly", "Grade 12"),
    ("Teacher retention", "%", 84.0, 88.0, "annual", "Certified staff"),
    ("Families attending conferences", "%", 55.0, 65.0, "semester", "Families"),
)
ACTIONS = ("Train teachers on the new reading curriculum", "Weekly PLC data meetings",
           "Attendance outreach calls home", "Hire an instructional coach",
           "Launch a mentoring program", "Family literacy nights", "Summer bridge program",
           "Purchase a progress-monitoring tool", "Quarterly walkthroughs",
           "Restorative-practices training")
PEOPLE = ("Dr. Ada Reyes", "Tom Baker", "Maria Chen", "Luis Ortega", "Kim Patel", "Joe Smith",
          "Rae Jones", "Ben Okafor")
FUNDING = ("Title I", "Title II", "Title IV", "IDEA", "General Fund", "Section 7")
QUALITIES = ("clean", "typical", "messy")
PERCENT_FORMATTED = "percent_formatted"  # a row's slots whose cells get a percent format


@dataclass(frozen=True)
class ExampleDistrict:
    id: str
    name: str
    quality: str
    path: Path


def district_rows(seed: int, year: SchoolYear, as_of: date, quality: str = "typical",
                  goals: int = 8, measures_per_goal: int = 3,
                  actions_per_goal: int = 5, typed: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The rows of one district's scorecard, as the template builder takes them (a messy
    district's typed the way hurried people type: see ``_messy``; ``typed`` False leaves
    out what no model can hold)."""
    return _rows(seed, year, as_of, quality, goals, measures_per_goal, actions_per_goal,
                 typed=typed)


def _rows(seed: int, year: SchoolYear, as_of: date, quality: str, goals: int = 8,
          measures_per_goal: int = 3, actions_per_goal: int = 5,
          typed: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The district's rows; ``typed`` False leaves out the mess no model can hold (text
    dates, "45%", odd ids), which ``write_district`` types over the written cells."""
    rng = random.Random(seed)
    messy = quality == "messy" and typed
    n_sg = 4
    rows: dict[str, list[dict[str, Any]]] = {
        "strategic_goals": [
            {"id": f"SG{i}", "title": STRATEGIC[i - 1][0], "description": STRATEGIC[i - 1][1],
             "start_year": year.start_year - 1, "end_year": year.start_year + 4}
            for i in range(1, n_sg + 1)],
        "cdip_goals": [{"id": f"CG{i}", "area": a, "statement": s, "indicator": ind,
                        "baseline": base, "target": target,
                        "target_year": year.start_year + CDIP_YEARS}
                       for i, (a, s, ind, base, target) in enumerate(CDIP, 1)],
        "needs": [{"id": f"N{i}", "description": d, "data_source": src,
                   "priority": "yes" if i <= 3 else "no", "cause": c, "practice_area": pa}
                  for i, (d, src, c, pa) in enumerate((
                      ("Early reading below state average", "KSA 2026", "Tier 1 gaps",
                       "Instruction"),
                      ("Chronic absenteeism rising", "Infinite Campus", "Engagement",
                       "Climate"),
                      ("Math growth flat in grades 4-6", "MAP", "Curriculum alignment",
                       "Instruction"),
                      ("Staff turnover in high-need schools", "HR exit data", "Working "
                       "conditions", "Talent"),
                      ("Low family engagement", "Survey", "Communication", "Engagement")), 1)],
        "goals": [], "strategies": [], "measures": [], "actions": [], "monthly_updates": [],
    }
    current = period_key(as_of)
    m_no = a_no = s_no = 0
    for g in range(1, goals + 1):
        strategies = []  # each goal's one or two strategies, in turn from STRATEGIES
        for _ in range(min(2, actions_per_goal)):
            kcwp, other, text, basis, monitoring = STRATEGIES[s_no % len(STRATEGIES)]
            s_no += 1
            strategies.append((f"S{s_no}", monitoring))
            rows["strategies"].append({
                "id": f"S{s_no}", "goal_id": f"G{g}", "kcwp": kcwp, "other_approach": other,
                "description": text, "research_basis": basis})
        spec = MEASURES[(g - 1) % len(MEASURES)]
        rows["goals"].append({
            "id": f"G{g}", "strategic_goal_id": f"SG{(g - 1) % n_sg + 1}",
            "cdip_goal_id": f"CG{(g - 1) % len(CDIP) + 1}",
            "need_id": f"N{(g - 1) % 3 + 1}",
            "statement": f"By June {year.start_year + 1}, {spec[0].lower()} will move from "
                         f"{spec[2]:g} to {spec[3]:g}{'%' if spec[1] == '%' else ''}.",
            "student_group": spec[5], "owner": rng.choice(PEOPLE),
            "target_date": year.end})
        for k in range(measures_per_goal):
            m_no += 1
            name, unit, base, target, freq, _ = MEASURES[(g - 1 + k) % len(MEASURES)]
            base = round(base + rng.uniform(-4, 4), 1)
            target = round(target + rng.uniform(-1, 1), 1)
            pace = rng.choice((1.2, 1.1, 1.05, 1.0, 0.95, 0.85, 0.5))  # share of expected progress
            m = {"id": f"M{m_no}", "goal_id": f"G{g}", "name": name, "unit": unit,
                 "direction": INCREASE if target > base else DECREASE,
                 "baseline": base, "target": target, "frequency": freq,
                 "data_source": "District data warehouse", "owner": rng.choice(PEOPLE)}
            step = FREQUENCY_MONTHS[freq]
            for i, p in enumerate(year.periods):
                if p > current or (i + 1) % step:
                    continue
                share = (period_date(p) - year.start).days / (year.end - year.start).days
                value = base + (target - base) * share * pace + rng.uniform(-0.3, 0.3)
                m[f"actual:{p}"] = round(value, 1)
            rows["measures"].append(m)
        for k in range(actions_per_goal):
            a_no += 1
            strategy, monitoring = strategies[k % len(strategies)]
            start = year.start + timedelta(days=rng.randint(30, 150))
            due = start + timedelta(days=rng.randint(30, 200))
            done = due < as_of and rng.random() < 0.7
            status = COMPLETE if done else (IN_PROGRESS if start < as_of else NOT_STARTED)
            cost = rng.choice((0, 0, 1500, 5000, 12000, 45000))
            rows["actions"].append({
                "id": f"A{a_no}", "goal_id": f"G{g}", "description": rng.choice(ACTIONS),
                "owner": rng.choice(PEOPLE), "start_date": start, "due_date": due,
                "resources": "PD days", "funding_source": rng.choice(FUNDING) if cost else None,
                "cost": cost or None, "status": status,
                "percent_complete": 100 if done else rng.choice((0, 25, 50, 75)),
                "evidence": monitoring, "strategy_id": strategy})
    layout = scorecard_layout(year.label)
    for p in layout.update_periods:
        due = date(int(p[:4]), int(p[5:]), min(28, period_date(p).day))
        row: dict[str, Any] = {"month": period_date(p).replace(day=1)}
        if due < as_of:
            row |= {"milestones": "Scorecard reviewed at leadership meeting",
                    "successes": "Attendance campaign launched", "roadblocks": "Sub shortage",
                    "submitted_by": rng.choice(PEOPLE), "submitted_on": due}
        rows["monthly_updates"].append(row)
    if quality != "clean":
        _typical(rows, rng)
    if messy:
        _messy(rows, rng, year)
    return rows


def _typical(rows: dict[str, list[dict[str, Any]]], rng: random.Random) -> None:
    rng.choice(rows["actions"])["owner"] = None
    rng.choice(rows["actions"])["evidence"] = None
    submitted = [u for u in rows["monthly_updates"] if u.get("submitted_on")]
    if submitted:
        late = submitted[-1]
        late["submitted_on"] = late["submitted_on"] + timedelta(days=9)
    if len(submitted) > 1:
        for key in ("milestones", "successes", "roadblocks", "submitted_by", "submitted_on"):
            submitted[0].pop(key, None)
    rows["goals"][-1]["student_group"] = None


def _messy(rows: dict[str, list[dict[str, Any]]], rng: random.Random, year: SchoolYear) -> None:
    goals, measures, actions = rows["goals"], rows["measures"], rows["actions"]
    goals[0]["id"] = "g1 "
    goals[1]["id"] = "Goal 2"
    measures[0]["goal_id"] = "goal 1"
    goals[2]["owner"] = "TBD"
    goals[3]["statement"] = "Improve math."
    percent = [m for m in measures if m["unit"] == PERCENT]
    if percent:  # typed as text with a % sign
        m = percent[0]
        m["baseline"] = f"{m['baseline']:g}%"
        for k in [k for k in m if k.startswith("actual:")][:2]:
            m[k] = f"{m[k]:g}%"
    if len(percent) > 1:  # typed as 45% into a number cell: 0.45 shown as 45%
        m = percent[1]
        shown = ("baseline", "target", *[k for k in m if k.startswith("actual:")])
        for k in shown:
            m[k] = round(m[k] / 100, 4)
        m[PERCENT_FORMATTED] = shown
    measures[2]["direction"] = INCREASE if measures[2]["target"] < measures[2]["baseline"] \
        else DECREASE  # the target moves the wrong way
    measures[3]["goal_id"] = "G99"
    actions[1]["due_date"] = actions[1]["due_date"].strftime("%m/%d/%Y")
    actions[2]["cost"] = "$12,500"
    actions[2]["funding_source"] = None
    actions[3]["status"] = "done"
    actions[4]["start_date"] = "next month"
    actions[5]["id"] = actions[6]["id"]
    rows["cdip_goals"][0]["area"] = "proficiency"


def write_district(path: Path, district_id: str, name: str, seed: int, year: SchoolYear,
                   as_of: date, quality: str) -> Path:
    """One example workbook: the district's scorecard written by the one scorecard writer
    (``template.fill``), then, for a messy district, its typing mistakes typed over the cells
    (text dates, "45%", odd ids, a renamed header, an extra column)."""
    layout = scorecard_layout(year.label)
    clean = _rows(seed, year, as_of, quality, typed=False)
    profile = Profile(district_id=district_id, district_name=f"{name} County Schools",
                      contact_name=PEOPLE[seed % len(PEOPLE)],
                      contact_email=f"planning@{name.lower()}.kyschools.us")
    wb = scorecard_workbook(card_of(clean, year, profile))
    if quality == "messy":
        typed = district_rows(seed, year, as_of, quality)
        _type_over(wb, layout, clean, typed)
        _percent_formats(wb, layout, typed)
        ws = wb[layout.sheet("goals").name]
        ws["E4"] = "Goal Statement"  # a renamed header
        ws.cell(4, len(layout.sheet("goals").columns) + 1, "Notes")
        ws["B5"] = "Strategic goal 1"
    return save_atomic(wb, path)


def card_of(rows: dict[str, list[dict[str, Any]]], year: SchoolYear,
            profile: Profile) -> Scorecard:
    """The scorecard model of rows that hold only what a model can (``_rows(typed=False)``)."""
    def measure(m: dict[str, Any]) -> Measure:
        monthly = {k: v for k, v in m.items() if ":" in k}
        return Measure(**{k: v for k, v in m.items() if k not in monthly},
                       actuals={k.split(":")[1]: v for k, v in monthly.items()
                                if k.startswith("actual:")},
                       interim_targets={k.split(":")[1]: v for k, v in monthly.items()
                                        if k.startswith("interim_target:")})

    version = scorecard_layout(year.label).template_version
    return Scorecard(
        source="", school_year=year.label, template_version=version,
        profile=profile.model_copy(update={"school_year": year.label,
                                           "template_version": version}),
        strategic_goals=[StrategicGoal(**r) for r in rows["strategic_goals"]],
        cdip_goals=[CdipGoal(**r) for r in rows["cdip_goals"]],
        needs=[Need(**{**r, "priority": r["priority"] == "yes"}) for r in rows["needs"]],
        goals=[Goal(**r) for r in rows["goals"]],
        strategies=[Strategy(**r) for r in rows["strategies"]],
        measures=[measure(m) for m in rows["measures"]],
        actions=[Action(**r) for r in rows["actions"]],
        monthly_updates=[MonthlyUpdate(**{**r, "month": period_key(r["month"])})
                         for r in rows["monthly_updates"]])


def _type_over(wb: Any, layout: Any, written: dict[str, list[dict[str, Any]]],
               typed: dict[str, list[dict[str, Any]]]) -> None:
    """Type into the written workbook every value the district typed differently."""
    for entity, items in typed.items():
        sheet = layout.sheet(entity)
        letters = {c.slot: c.letter for c in sheet.columns}
        for r, (was, now) in enumerate(zip(written[entity], items, strict=True),
                                       sheet.first_data_row):
            for slot in letters.keys() & (was.keys() | now.keys()):
                if now.get(slot) != was.get(slot) or type(now.get(slot)) is not \
                        type(was.get(slot)):
                    wb[sheet.name][f"{letters[slot]}{r}"] = now.get(slot)


def _percent_formats(wb: Any, layout: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Give the cells of fractions typed as percentages the percent format Excel gives
    them (a typed 45% is stored as 0.45 and shown as 45%)."""
    for entity, items in rows.items():
        if entity == "profile":
            continue
        sheet = layout.sheet(entity)
        letters = {c.slot: c.letter for c in sheet.columns}
        for r, item in enumerate(items, sheet.first_data_row):
            for slot in item.get(PERCENT_FORMATTED, ()):
                wb[sheet.name][f"{letters[slot]}{r}"].number_format = "0%"


def write_examples(folder: str | Path, districts: int = 6, as_of: date | None = None,
                   school_year: str | None = None) -> list[ExampleDistrict]:
    """Write ``districts`` example workbooks and a cohort.toml into ``folder``."""
    as_of = as_of or date.today()
    year = SchoolYear.parse(school_year) if school_year else SchoolYear.containing(as_of)
    folder = Path(folder)
    (folder / "districts").mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(districts):
        name = COUNTIES[i % len(COUNTIES)] + ("" if i < len(COUNTIES) else f" {i}")
        quality = QUALITIES[i % len(QUALITIES)]
        slug = name.lower().replace(" ", "-")
        path = write_district(folder / "districts" / f"{slug}.xlsx", f"KY-{i + 1:03d}", name,
                              i + 1, year, as_of, quality)
        out.append(ExampleDistrict(f"KY-{i + 1:03d}", f"{name} County", quality, path))
    _cohort_file(folder, year, out)
    return out


def _cohort_file(folder: Path, year: SchoolYear, districts: list[ExampleDistrict]) -> None:
    save_cohort(Cohort(
        cohort=CohortInfo(name=f"Example cohort {year.label}", school_year=year.label),
        district=[District(id=d.id, name=d.name, source=f"districts/{d.path.name}",
                           contacts=[f"planning@{d.path.stem}.kyschools.us"])
                  for d in districts],
        path=folder / "cohort.toml"))


__all__ = ["QUALITIES", "ExampleDistrict", "card_of", "district_rows", "period_label",
           "write_district", "write_examples"]
