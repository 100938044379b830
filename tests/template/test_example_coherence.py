"""The example cohort hangs together the way a superintendent would expect (the rules of
``template/example_plan.py``), read back from the workbooks ``sheetsync example`` writes:
statements quote their first measure's baseline and target in its unit; every goal's CDIP
area fits its measures; a school's measures count only grades it teaches; actions belong
to their goal and strategy; acronyms are in capitals; and nothing is dated after the
example's as-of date. A messy district's typing mistakes are deliberate, so it is judged
by the rows it was typed from."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.read.models import Scorecard
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.kde import school_level
from sheetsync.schema.schoolyear import SchoolYear, period_date
from sheetsync.schema.vocabulary import COMPLETE, IN_PROGRESS, NOT_STARTED, OFF_TRACK, ON_TRACK
from sheetsync.template.example_plan import (
    ACRONYMS,
    CDIP_GOALS,
    DISTRICT_GOALS,
    DISTRICT_PACES,
    FITTING_AREAS,
    SCHOOL_GOALS,
    SCHOOL_GRADES,
    STRATEGIC_GOALS,
    GoalPlan,
    MeasurePlan,
)
from sheetsync.template.examples import QUALITIES, card_of, district_rows, write_examples
from sheetsync.template.school_examples import write_school_examples
from tests.helpers import AS_OF

EARLY = date(2026, 12, 6)  # early in a month: last month's update not yet due
PLANS: tuple[GoalPlan, ...] = (*DISTRICT_GOALS, *(g for gs in SCHOOL_GOALS.values() for g in gs))
MEASURES: dict[str, MeasurePlan] = {m.name.strip().lower(): m for g in PLANS for m in g.measures}
STATEMENT = re.compile(r"^By June \d{4}, (raise|lower) (.+) from ([\d.]+)(%?) to ([\d.]+)(%?)\.$")
GRADES = re.compile(r"\b[Gg]rades? (\d+)(?:-(\d+))?|\b(K)-(\d+)")


def cards(folder: Path, as_of: date) -> list[tuple[Scorecard, date]]:
    """Every scorecard of an example folder: read back from its workbook, but a messy
    district's as it was meant before its typing mistakes (KY-00n has seed n)."""
    out = []
    for path in sorted(folder.rglob("*.xlsx")):
        card, _ = read_scorecard(str(path))
        seed = int(card.profile.district_id[3:]) if card.profile.district_id else 0
        if path.parent.name == "districts" and QUALITIES[(seed - 1) % 3] == "messy":
            year = SchoolYear.parse(card.school_year)
            card = card_of(district_rows(seed, year, as_of, "messy", typed=False), year,
                           card.profile)
        out.append((card, as_of))
    return out


@pytest.fixture(scope="module")
def example_cards(examples: Path, tmp_path_factory: pytest.TempPathFactory):
    early = tmp_path_factory.mktemp("early")
    write_examples(early, 6, as_of=EARLY)
    schools = tmp_path_factory.mktemp("schools")
    write_school_examples(schools, as_of=AS_OF)
    return cards(examples, AS_OF) + cards(early, EARLY) + cards(schools, AS_OF)


def plan_of(statement: str) -> list[GoalPlan]:
    """The plan's goals a statement was written from (by what it says changes)."""
    match = STATEMENT.match(statement)
    assert match, f"not a statement the plan writes: {statement!r}"
    return [g for g in PLANS if g.what == match.group(2)]


def test_every_statement_quotes_its_first_measure(example_cards):
    for card, _ in example_cards:
        for goal in card.goals:
            first = next(m for m in card.measures if m.goal_id == goal.id)
            verb, _, base, base_unit, target, target_unit = \
                STATEMENT.match(goal.statement or "").groups()  # type: ignore[union-attr]
            assert (float(base), float(target)) == (first.baseline, first.target), goal
            percent = "%" if first.unit == "%" else ""
            assert base_unit == target_unit == percent, goal.statement
            assert verb == ("raise" if first.target > first.baseline else "lower")
            headline = plan_of(goal.statement or "")[0].measures[0]
            assert first.name.strip().lower() == headline.name.lower()


def test_goals_sit_under_their_strategic_goal_and_a_fitting_cdip_area(example_cards):
    for card, _ in example_cards:
        titles = {sg.id: sg.title for sg in card.strategic_goals}
        areas = {c.id: c.area for c in card.cdip_goals}
        for goal in card.goals:
            plans = plan_of(goal.statement or "")
            assert titles[goal.strategic_goal_id] == \
                STRATEGIC_GOALS[plans[0].strategic_goal - 1][0]
            area = areas[goal.cdip_goal_id]
            for m in (m for m in card.measures if m.goal_id == goal.id):
                planned = MEASURES[m.name.strip().lower()]
                assert area in FITTING_AREAS[planned.kind], (card.profile.district_id, m.name,
                                                             area)
                assert m.unit == planned.unit, m  # one unit for a measure, everywhere
    assert FITTING_AREAS["attendance"] and "Graduation Rate" not in FITTING_AREAS["attendance"]
    assert "Achievement Gap" not in FITTING_AREAS["staff"]
    assert {a for a, *_ in CDIP_GOALS.values()} <= {a for v in FITTING_AREAS.values()
                                                     for a in v}


def test_actions_serve_their_goal_through_their_strategy(example_cards):
    for card, _ in example_cards:
        strategies = {s.id: s for s in card.strategies}
        for a in card.actions:
            goal = next(g for g in card.goals if g.id == a.goal_id)
            strategy = strategies[a.strategy_id or ""]
            assert strategy.goal_id == a.goal_id
            served = {(s.description, action) for plan in plan_of(goal.statement or "")
                      for s, actions in plan.strategies for action in actions}
            assert (strategy.description, a.description) in served, a


def test_a_school_measures_only_grades_it_teaches(example_cards):
    schools = [card for card, _ in example_cards if card.level == "school"]
    assert len(schools) == 4
    for card in schools:
        taught = set(SCHOOL_GRADES[school_level(card.profile.school_level) or ""])
        for m in card.measures:
            declared = set(MEASURES[m.name.strip().lower()].grades)
            assert declared <= taught, (card.profile.school_id, m.name)
            assert "graduation rate" not in m.name.lower() or 12 in taught


def test_the_names_of_measures_say_the_grades_the_plan_declares():
    for m in MEASURES.values():
        named: set[int] = set()
        for low, high, k, k_high in GRADES.findall(m.name):
            first, last = (0, int(k_high)) if k else (int(low), int(high or low))
            named |= set(range(first, last + 1))
        assert not named or named == set(m.grades), m.name


def test_acronyms_are_written_in_capitals(example_cards):
    for card, _ in example_cards:
        texts = [g.statement for g in card.goals] + [m.name for m in card.measures] + \
            [s.description for s in card.strategies] + [a.description for a in card.actions]
        for text in filter(None, texts):
            for acronym in ACRONYMS:
                found = re.findall(rf"(\(?)\b({acronym})\b", text, re.IGNORECASE)
                # "act" and "map" are words too, but never in brackets, "(MAP)"
                words = acronym in ("ACT", "MAP")
                assert all(f == acronym or (words and f.islower() and not bracket)
                           for bracket, f in found), text


def test_nothing_is_dated_after_the_as_of_date(example_cards):
    for card, as_of in example_cards:
        for u in card.monthly_updates:
            assert u.submitted_on is None or u.submitted_on <= as_of, u
        for m in card.measures:
            assert all(period_date(p) <= as_of for p in m.actuals), m
        for a in card.actions:
            if a.status == COMPLETE:
                assert a.due_date and a.due_date < as_of and a.percent_complete == 100, a
            elif a.status == IN_PROGRESS:
                assert a.start_date and a.start_date < as_of, a
            elif a.status == NOT_STARTED:
                assert not a.percent_complete, a


def test_districts_differ_in_how_far_along_they_are(examples: Path):
    def share(name: str, status: str) -> float:
        path = examples / "districts" / f"{name}.xlsx"
        statuses = [s.status for s in check_workbook(str(path), AS_OF).measures.values()]
        return statuses.count(status) / len(statuses)

    assert DISTRICT_PACES[0] == "ahead" and DISTRICT_PACES[4] == "behind"
    assert share("adair", OFF_TRACK) == 0 and share("adair", ON_TRACK) > 0.6
    assert share("daviess", OFF_TRACK) > share("daviess", ON_TRACK)
