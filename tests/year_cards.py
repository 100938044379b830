"""Generated scorecards for the year tests: what a district could type, already clean.

Percentages are points of at least 1.5: the reader of today cannot tell a plain 0.45 typed
for a % measure from a fraction (it reads it as 45%), so the generator stays clear of that
one ambiguity; every other value is any value the template accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from sheetsync.read.coerce import is_blank
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
from sheetsync.schema.layout import CHOICES, TEMPLATE_VERSION
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import settings_of

YEAR = "2026-27"
PERIODS = scorecard_layout(YEAR).periods

words = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'()&/-",
                min_size=1, max_size=30).map(str.strip).filter(
    lambda s: bool(s) and not is_blank(s))
text = st.none() | words
dates = st.none() | st.dates(date(2001, 1, 1), date(2099, 12, 31))
# a spreadsheet keeps 15 significant digits
numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: float(f"{x:.15g}"))
points = st.floats(1.5, 100, allow_nan=False).map(lambda x: float(f"{x:.15g}"))


def choice(name: str) -> st.SearchStrategy[str | None]:
    # "None" (a funding source) reads as blank, like "N/A": a reader quirk left to coerce.py
    return st.none() | st.sampled_from([c for c in CHOICES[name] if c != "None"])


def ids(prefix: str, most: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.integers(1, 40), max_size=most, unique=True).map(
        lambda ns: [f"{prefix}{n}" for n in ns])


@st.composite
def measure(draw: Any, mid: str, goal_ids: list[str]) -> Measure:
    unit = draw(choice("units"))
    value = points if unit == "%" else numbers
    months = st.dictionaries(st.sampled_from(PERIODS), value, max_size=4)
    return Measure(
        id=mid, goal_id=draw(st.sampled_from(goal_ids or ["G1"])), name=draw(text), unit=unit,
        direction=draw(choice("directions")), baseline=draw(st.none() | value),
        baseline_date=draw(dates), target=draw(st.none() | value), target_date=draw(dates),
        frequency=draw(choice("frequencies")), data_source=draw(text), owner=draw(text),
        actuals=draw(months), interim_targets=draw(months))


@st.composite
def scorecards(draw: Any) -> Scorecard:
    """A scorecard as the reader gives it back (rows numbered 0: rows are not compared)."""
    sg, cg, nd = draw(ids("SG", 3)), draw(ids("CG", 3)), draw(ids("N", 3))
    gl, ms, ac = draw(ids("G", 4)), draw(ids("M", 5)), draw(ids("A", 5))
    sr = draw(ids("S", 4))
    ref = lambda xs: st.none() | st.sampled_from(xs) if xs else st.none()  # noqa: E731
    months = draw(st.lists(st.sampled_from(PERIODS), max_size=3, unique=True))
    settings = draw(st.just({}) | st.fixed_dictionaries({
        "at_risk_band": st.sampled_from((0.05, 0.1, 0.2)),
        "update_due_day": st.integers(1, 31)}))
    return Scorecard(
        source="generated", template_version=TEMPLATE_VERSION, school_year=YEAR,
        profile=Profile(district_id=draw(st.sampled_from(("KY-001", "WA-17", "D9"))),
                        district_name=draw(words), school_year=YEAR, as_of=draw(dates),
                        contact_name=draw(text), contact_email=draw(text),
                        template_version=TEMPLATE_VERSION),
        strategic_goals=[StrategicGoal(
            id=i, title=draw(text), description=draw(text),
            start_year=draw(st.none() | st.integers(2000, 2100)),
            end_year=draw(st.none() | st.integers(2000, 2100))) for i in sg],
        cdip_goals=[CdipGoal(id=i, area=draw(choice("cdip_areas")), statement=draw(text),
                             indicator=draw(text), baseline=draw(st.none() | numbers),
                             target=draw(st.none() | numbers),
                             target_year=draw(st.none() | st.integers(2000, 2100)))
                    for i in cg],
        needs=[Need(id=i, description=draw(text), data_source=draw(text),
                    priority=draw(st.booleans()), cause=draw(text),
                    practice_area=draw(text)) for i in nd],
        goals=[Goal(id=i, strategic_goal_id=draw(ref(sg)), cdip_goal_id=draw(ref(cg)),
                    need_id=draw(ref(nd)), statement=draw(text), student_group=draw(text),
                    owner=draw(text), target_date=draw(dates)) for i in gl],
        strategies=[Strategy(id=i, goal_id=draw(ref(gl)), kcwp=draw(choice("kcwps")),
                             other_approach=draw(text), description=draw(text),
                             research_basis=draw(text)) for i in sr],
        measures=[draw(measure(i, gl)) for i in ms],
        actions=[Action(id=i, goal_id=draw(ref(gl)), description=draw(text), owner=draw(text),
                        start_date=draw(dates), due_date=draw(dates), resources=draw(text),
                        funding_source=draw(choice("funding_sources")),
                        cost=draw(st.none() | numbers),
                        status=draw(choice("action_statuses")),
                        percent_complete=draw(st.none() | points),
                        evidence=draw(text), strategy_id=draw(ref(sr))) for i in ac],
        monthly_updates=[MonthlyUpdate(
            month=p, milestones=draw(text), successes=draw(text), roadblocks=draw(text),
            changes=draw(text), support_needed=draw(text), submitted_by=draw(text),
            submitted_on=draw(dates)) for p in months],
        settings=settings)


def values(card: Scorecard) -> dict[str, Any]:
    """What a scorecard says, without where it was found: no rows, source or columns; the
    settings as the formulas use them; monthly-update rows with a month only are the
    template's own empty rows."""
    out = card.model_dump(exclude={"source", "columns", "sheet_names", "settings"})
    for entity in ("strategic_goals", "cdip_goals", "needs", "goals", "strategies", "measures",
                   "actions", "monthly_updates"):
        for item in out[entity]:
            item.pop("row")
    out["monthly_updates"] = [u for u in out["monthly_updates"]
                              if any(v is not None for k, v in u.items() if k != "month")]
    out["settings"] = settings_of(card)
    return out
