"""The two levels a plan is kept at, and their words, declared once.

A district keeps a District Scorecard; each of its schools keeps a School Improvement Plan
nested under the district's strategic goals (docs/architecture.md, "Schools under the
district"). The template, the cohort file, the pull, the master and the reports say
"school" where they say "district" by asking the cohort's ``Level`` for its words, never
by spelling them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

LevelKey = Literal["district", "school"]


@dataclass(frozen=True)
class Level:
    key: LevelKey
    noun: str  # "district"
    plural: str  # "districts"
    plan: str  # what its workbook is called

    @property
    def title(self) -> str:
        return self.noun.title()

    @property
    def id_header(self) -> str:
        """The header of the column that names a unit of the cohort: "School ID"."""
        return f"{self.title} ID"

    def say(self, text: str) -> str:
        """``text`` written about districts, said about this level's units."""
        if self.key == "district":
            return text
        swaps = {"districts": self.plural, "district": self.noun,
                 "Districts": self.plural.title(), "District": self.title,
                 "District Scorecard": self.plan}
        return _WORDS.sub(lambda m: swaps[m.group(0)], text)


_WORDS = re.compile(r"District Scorecard|\b(?:[Dd]istricts?)\b")

DISTRICT = Level("district", "district", "districts", "District Scorecard")
SCHOOL = Level("school", "school", "schools", "School Improvement Plan")
LEVELS: dict[str, Level] = {"district": DISTRICT, "school": SCHOOL}


def level_of(key: str | None) -> Level:
    """The level named ``key`` (blank: district)."""
    try:
        return LEVELS[key or "district"]
    except KeyError:
        raise ValueError(f"level {key!r} is not one of: {', '.join(LEVELS)}") from None


__all__ = ["DISTRICT", "LEVELS", "SCHOOL", "Level", "LevelKey", "level_of"]
