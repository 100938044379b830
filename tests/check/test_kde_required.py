"""The goals Kentucky requires of a plan are data (``schema.kde``): the list that applies to
a school year, a school's by its level."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sheetsync.check.kde import check_cdip_goals
from sheetsync.read.models import CdipGoal, Profile, Scorecard
from sheetsync.schema import kde
from sheetsync.schema.kde import REQUIRED_GOALS, required_goals, school_level


def test_a_year_before_the_first_list_has_none_and_later_years_take_the_latest() -> None:
    assert required_goals("2020-21") is None
    assert required_goals("2026-27") is REQUIRED_GOALS[0]
    assert required_goals("not a year") is None


def test_next_years_list_is_a_change_of_data(monkeypatch: pytest.MonkeyPatch) -> None:
    first = REQUIRED_GOALS[0]
    later = replace(first, since="2027-28", district=(*first.district, kde.SEPARATE_ACADEMIC))
    monkeypatch.setattr(kde, "REQUIRED_GOALS", (first, later))
    assert required_goals("2026-27") is first and required_goals("2028-29") is later


@pytest.mark.parametrize(("typed", "level"), [
    ("Elementary School", "elementary"), ("ES", "elementary"), ("middle", "middle"),
    ("High School", "high"), ("HS", "high"), ("", None), ("K-12", None)])
def test_a_school_level_is_read_as_typed(typed: str, level: str | None) -> None:
    assert school_level(typed) == level


def _school(level: str | None, areas: list[str]) -> Scorecard:
    return Scorecard(source="", school_year="2026-27", level="school",
                     profile=Profile(school_level=level),
                     cdip_goals=[CdipGoal(id=f"CG{i}", area=a, indicator="x", baseline=1,
                                          target=2, target_year=2030)
                                 for i, a in enumerate(areas, 1)],
                     sheet_names={"cdip_goals": "CDIP Goals"})


def test_a_school_is_held_to_its_levels_goals() -> None:
    elementary = ["Proficiency", "Achievement Gap", "Growth", "Transition Readiness"]
    assert check_cdip_goals(_school("elementary", elementary)) == []
    missing = check_cdip_goals(_school("high", elementary))
    assert [f.values["indicator"] for f in missing] == ["Graduation Rate"]
    assert "high school plans from 2024-25" in missing[0].message
    # a school of no known level: only what every level shares
    assert check_cdip_goals(_school(None, ["Proficiency", "Achievement Gap",
                                           "Transition Readiness"])) == []
