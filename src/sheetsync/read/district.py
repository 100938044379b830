"""The district's plan a school plan nests under: its id, name and strategic goals.

Read from the district's own workbook (``--district-file``, or ``district`` in a school
cohort's cohort.toml). A file that cannot be read, is itself a school plan, or lists no
strategic goals is a ``DistrictFileError`` that says which and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import DistrictFileError, WorkbookUnreadable
from sheetsync.read.models import StrategicGoal
from sheetsync.schema.sheets import scorecard_layout


@dataclass(frozen=True)
class DistrictPlan:
    """What school plans take from their district: plain data, stored with each pull."""

    id: str
    name: str | None
    strategic_goals: tuple[StrategicGoal, ...] = field(default_factory=tuple)

    @property
    def goal_ids(self) -> list[str]:
        return [g.id for g in self.strategic_goals]

    def title_of(self, goal_id: str) -> str:
        return next((g.title or "" for g in self.strategic_goals if g.id == goal_id), "")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name,
                "strategic_goals": [g.model_dump(mode="json") for g in self.strategic_goals]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DistrictPlan:
        return cls(data["id"], data.get("name"),
                   tuple(StrategicGoal.model_validate(g) for g in data["strategic_goals"]))

    @property
    def fingerprint(self) -> str:
        """Changes when the district's id or strategic goals change (a school plan's
        stored check is then done again)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_district(path: str | Path) -> DistrictPlan:
    """The district plan in the workbook at ``path``; raises ``DistrictFileError``."""
    from sheetsync.read.scorecard import read_scorecard

    path = str(path)
    if not Path(path).exists():
        raise DistrictFileError(path, "there is no such file. Give the district's own "
                                      "District Scorecard workbook.")
    try:
        card, _ = read_scorecard(path)
    except WorkbookUnreadable as exc:
        raise DistrictFileError(path, f"cannot be read as the district's plan: {exc.reason}") \
            from None
    if card.level != "district":
        raise DistrictFileError(path, "this is a school's plan, not the district's. Give the "
                                      "district's own District Scorecard workbook.")
    if not card.strategic_goals:
        raise DistrictFileError(path, "the district's plan has no strategic goals, so a "
                                      "school goal would have nothing to nest under. Fill in "
                                      "its Strategic Goals sheet first.")
    if not card.profile.district_id:
        sheet = scorecard_layout().sheet("profile")
        raise DistrictFileError(path, "the district's profile has no District ID. Fill it in "
                                      f"({sheet.name}, {sheet.field('district_id').cell}) "
                                      "first.")
    return DistrictPlan(card.profile.district_id, card.profile.district_name,
                        tuple(g.model_copy(update={"row": 0}) for g in card.strategic_goals))


__all__ = ["DistrictPlan", "read_district"]
