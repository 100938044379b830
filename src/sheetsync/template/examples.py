"""Realistic filled District Scorecards, for the README's first command, tests and benchmarks.

What a district plans is declared once in ``example_plan``; each district's numbers and
pace of progress are drawn from a seed, so the same call gives the same workbook and
districts differ (one ahead, one steady, one behind, in turn). Nothing is dated after the
as-of date: actuals stop at the last month ended, updates are submitted by then. Quality
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
    NOT_STARTED,
    PERCENT,
)
from sheetsync.template.example_plan import (
    CDIP_GOALS,
    DISTRICT_GOALS,
    DISTRICT_PACES,
    NEEDS,
    PACES,
    STRATEGIC_GOALS,
    UPDATE_NOTES,
    GoalPlan,
    MeasurePlan,
    StrategyPlan,
)
from sheetsync.template.fill import scorecard_workbook
from sheetsync.template.workbook import save_atomic

COUNTIES = ("Adair", "Barren", "Boyle", "Calloway", "Daviess", "Fayette", "Grant", "Hardin",
            "Jessamine", "Knox", "Laurel", "Madison", "Marion", "Nelson", "Oldham", "Pike",
            "Pulaski", "Rowan", "Scott", "Shelby", "Todd", "Warren", "Wayne", "Whitley")
CDIP_YEARS = 4  # the CDIP goals' target year: four years after the school year's start
PEOPLE = ("Dr. Ada Reyes", "Tom Baker", "Maria Chen", "Luis Ortega", "Kim Patel", "Joe Smith",
          "Rae Jones", "Ben Okafor")
QUALITIES = ("clean", "typical", "messy")
PERCENT_FORMATTED = "percent_formatted"  # a row's slots whose cells get a percent format
LATE_BY = timedelta(days=9)  # how late a typical district's late update comes in


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
          measures_per_goal: int = 3, actions_per_goal: int = 5, typed: bool = True,
          plan: tuple[GoalPlan, ...] = DISTRICT_GOALS,
          areas: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The district's rows: the first ``goals`` goals of ``plan``, each with its first
    measures and actions, the numbers and progress drawn from ``seed``; the CDIP goals of
    ``areas`` only, if given. ``typed`` False leaves out the mess no model can hold (text
    dates, "45%", odd ids), which ``write_district`` types over the written cells."""
    rng = random.Random(seed)
    paces = PACES[DISTRICT_PACES[(seed - 1) % len(DISTRICT_PACES)]]
    cdip_ids = {key: f"CG{i}" for i, key in enumerate(CDIP_GOALS, 1)}
    rows: dict[str, list[dict[str, Any]]] = {
        "strategic_goals": [
            {"id": f"SG{i}", "title": title, "description": description,
             "start_year": year.start_year - 1, "end_year": year.start_year + 4}
            for i, (title, description) in enumerate(STRATEGIC_GOALS, 1)],
        "cdip_goals": [{"id": cdip_ids[key], "area": a, "statement": s, "indicator": ind,
                        "baseline": base, "target": target,
                        "target_year": year.start_year + CDIP_YEARS}
                       for key, (a, s, ind, base, target) in CDIP_GOALS.items()
                       if areas is None or a in areas],
        "needs": [{"id": f"N{i}", "description": d, "data_source": src,
                   "priority": "yes" if priority else "no", "cause": c, "practice_area": pa}
                  for i, (d, src, priority, c, pa) in enumerate(NEEDS, 1)],
        "goals": [], "strategies": [], "measures": [], "actions": [], "monthly_updates": [],
    }
    s_no = 0
    for g, goal in enumerate((plan[i % len(plan)] for i in range(goals)), 1):
        measures = [_measure(goal.measures[k % len(goal.measures)], rng, paces, year, as_of)
                     for k in range(measures_per_goal)]
        rows["goals"].append({
            "id": f"G{g}", "strategic_goal_id": f"SG{goal.strategic_goal}",
            "cdip_goal_id": cdip_ids[goal.cdip], "need_id": f"N{goal.need}",
            "statement": statement(goal, measures[0], year),
            "student_group": goal.group, "owner": rng.choice(PEOPLE), "target_date": year.end})
        for m in measures:
            rows["measures"].append(
                {"id": f"M{len(rows['measures']) + 1}", "goal_id": f"G{g}", **m})
        strategies = goal.strategies[:min(len(goal.strategies), actions_per_goal)]
        for strategy, _ in strategies:
            s_no += 1
            rows["strategies"].append({
                "id": f"S{s_no}", "goal_id": f"G{g}", "kcwp": strategy.kcwp,
                "other_approach": strategy.other, "description": strategy.description,
                "research_basis": strategy.basis})
        first = s_no - len(strategies) + 1
        for k in range(actions_per_goal):
            strategy, actions = strategies[k % len(strategies)]
            n = len(rows["actions"]) + 1
            rows["actions"].append({
                "id": f"A{n}", "goal_id": f"G{g}", "strategy_id": f"S{first + k % len(strategies)}",
                "description": actions[(k // len(strategies)) % len(actions)],
                **_schedule(strategy, rng, year, as_of)})
    for i, p in enumerate(scorecard_layout(year.label).update_periods):
        due = date(int(p[:4]), int(p[5:]), min(28, period_date(p).day))
        row: dict[str, Any] = {"month": period_date(p).replace(day=1)}
        if due < as_of:
            milestones, successes, roadblocks = UPDATE_NOTES[i % len(UPDATE_NOTES)]
            row |= {"milestones": milestones, "successes": successes,
                    "roadblocks": roadblocks, "submitted_by": rng.choice(PEOPLE),
                    "submitted_on": due}
        rows["monthly_updates"].append(row)
    if quality != "clean":
        _typical(rows, rng, as_of)
    if quality == "messy" and typed:
        _messy(rows, rng, year)
    return rows


def statement(goal: GoalPlan, measure: dict[str, Any], year: SchoolYear) -> str:
    """The goal's SMART statement, from its first measure's baseline and target."""
    verb = "raise" if measure["target"] > measure["baseline"] else "lower"
    return (f"By {year.end:%B %Y}, {verb} {goal.what} from "
            f"{amount(measure['baseline'], measure['unit'])} to "
            f"{amount(measure['target'], measure['unit'])}.")


def amount(value: float, unit: str) -> str:
    """A number as a statement says it: 42.6%, 420."""
    return f"{value:g}%" if unit == PERCENT else f"{value:g}"


def _measure(spec: MeasurePlan, rng: random.Random, paces: tuple[float, ...],
             year: SchoolYear, as_of: date) -> dict[str, Any]:
    """A district's measure: the plan's baseline and target moved a little, and an actual
    for every period of its frequency that ended by ``as_of``, at the district's pace."""
    spread = spec.target - spec.baseline
    digits = 1 if spec.unit == PERCENT else 0
    base = round(spec.baseline + rng.uniform(-0.4, 0.4) * abs(spread), digits)
    target = round(base + spread * rng.uniform(0.85, 1.15), 0 if abs(spread) >= 4 else 1)
    if spec.unit == PERCENT:
        target = min(target, 100.0)
    pace = rng.choice(paces)  # the share of the expected progress it makes
    m: dict[str, Any] = {
        "name": spec.name, "unit": spec.unit,
        "direction": INCREASE if target > base else DECREASE, "baseline": base,
        "target": target, "frequency": spec.frequency, "data_source": spec.source,
        "owner": rng.choice(PEOPLE)}
    step = FREQUENCY_MONTHS[spec.frequency]
    for i, p in enumerate(year.periods):
        if period_date(p) > as_of or (i + 1) % step:
            continue
        share = (period_date(p) - year.start).days / (year.end - year.start).days
        value = base + (target - base) * (share * pace + rng.uniform(-0.04, 0.04))
        value = min(value, 100.0) if spec.unit == PERCENT else value
        m[f"actual:{p}"] = round(max(0.0, value), digits)
    return m


def _schedule(strategy: StrategyPlan, rng: random.Random, year: SchoolYear,
              as_of: date) -> dict[str, Any]:
    """An action's owner, dates, cost and status: done only once due by ``as_of``, under
    way only once started."""
    start = year.start + timedelta(days=rng.randint(30, 150))
    due = start + timedelta(days=rng.randint(30, 200))
    done = due < as_of and rng.random() < 0.7
    status = COMPLETE if done else (IN_PROGRESS if start < as_of else NOT_STARTED)
    cost = rng.choice((0, 0, 1500, 5000, 12000, 45000))
    return {"owner": rng.choice(PEOPLE), "start_date": start, "due_date": due,
            "resources": strategy.resources,
            "funding_source": rng.choice(strategy.funding) if cost else None,
            "cost": cost or None, "status": status,
            "percent_complete": 100 if done else rng.choice((25, 50, 75))
            if status == IN_PROGRESS else 0,
            "evidence": strategy.monitoring}


def _typical(rows: dict[str, list[dict[str, Any]]], rng: random.Random, as_of: date) -> None:
    """What a typical district leaves out: an owner, a monitoring method, a month's update
    (its first), a student group; and one update sent late (never later than ``as_of``)."""
    rng.choice(rows["actions"])["owner"] = None
    rng.choice(rows["actions"])["evidence"] = None
    submitted = [u for u in rows["monthly_updates"] if u.get("submitted_on")]
    late = [u for u in submitted if u["submitted_on"] + LATE_BY <= as_of]
    if late:
        late[-1]["submitted_on"] += LATE_BY
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
    goals[3]["statement"] = "Keep more teachers."  # not specific
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
