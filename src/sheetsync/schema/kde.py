"""What Kentucky's Department of Education (KDE) requires of a plan, declared as data.

KDE's continuous-improvement guidance names the goals a district's improvement plan
(CDIP) and a school's (CSIP) must carry, by the state indicator each serves; a school's
depend on its level. The lists change from one school year to another: each entry below
applies from its school year until a later entry replaces it, so next year's list is a new
entry here, not a change of code. The indicators are the CDIP Goals sheet's Area choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsync.schema.layout import CHOICES
from sheetsync.schema.schoolyear import SchoolYear

PROFICIENCY, SEPARATE_ACADEMIC, GAP, GRADUATION, GROWTH, TRANSITION = CHOICES["cdip_areas"][:6]
SCHOOL_LEVELS = ("elementary", "middle", "high")


@dataclass(frozen=True)
class RequiredGoals:
    """The indicators a plan must have a goal for, from the school year ``since``."""

    since: str  # "2024-25": applies from this school year on
    district: tuple[str, ...]
    elementary: tuple[str, ...]
    middle: tuple[str, ...]
    high: tuple[str, ...]
    source: str  # where the list comes from, in words

    def of(self, level: str, school_level: str | None = None) -> tuple[str, ...]:
        """The indicators required of a ``level`` plan ("district" or "school"); a school of
        no known level is held to those every level shares."""
        if level == "district":
            return self.district
        if school_level in SCHOOL_LEVELS:
            return tuple(getattr(self, school_level))
        shared = set(self.elementary) & set(self.middle) & set(self.high)
        return tuple(i for i in self.high if i in shared)


REQUIRED_GOALS: tuple[RequiredGoals, ...] = (
    RequiredGoals(
        since="2024-25",
        district=(PROFICIENCY, GAP, GRADUATION, GROWTH, TRANSITION),
        elementary=(PROFICIENCY, GAP, GROWTH, TRANSITION),
        middle=(PROFICIENCY, GAP, GROWTH, TRANSITION),
        high=(PROFICIENCY, GAP, GRADUATION, TRANSITION),
        source="KDE, Understanding Continuous Improvement: the required district and school "
               "goals"),
)


def required_goals(school_year: str) -> RequiredGoals | None:
    """The list that applies to ``school_year``: the latest entry from that year or before
    (None before the first, or for a year that cannot be read)."""
    try:
        start = SchoolYear.parse(school_year).start_year
    except ValueError:
        return None
    applying = [r for r in REQUIRED_GOALS if SchoolYear.parse(r.since).start_year <= start]
    return max(applying, key=lambda r: SchoolYear.parse(r.since).start_year, default=None)


def school_level(text: str | None) -> str | None:
    """'Elementary School', 'HS', 'middle' -> the level; anything else None."""
    words = (text or "").strip().lower()
    if words in ("hs", "high school") or words.startswith("high"):
        return "high"
    if words in ("ms", "middle school", "junior high") or words.startswith("middle"):
        return "middle"
    if words in ("es", "primary") or words.startswith("elem"):
        return "elementary"
    return None


__all__ = ["REQUIRED_GOALS", "SCHOOL_LEVELS", "RequiredGoals", "required_goals",
           "school_level"]
