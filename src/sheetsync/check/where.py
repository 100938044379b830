"""Where a finding points: a cell of the district's file, as its columns were found; the
items of a sheet grouped by the goal they serve. Shared by the rules (``check.rules``,
``check.alignment``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sheetsync.read.models import Scorecard
from sheetsync.schema.sheets import scorecard_layout


class Where:
    """Cell references in the district's file, as its columns were found."""

    def __init__(self, card: Scorecard) -> None:
        self.card = card

    def __call__(self, entity: str, key: str, row: int) -> dict[str, Any]:
        return {"sheet": self.card.sheet_names.get(entity), "row": row,
                "cell": self.card.cell(entity, key, row)}


def group_by(items: list[Any], key: str = "goal_id") -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        out[getattr(item, key) or ""].append(item)
    return out


def header_of(entity: str, key: str) -> str:
    """The header of column ``key`` on ``entity``'s sheet, as the layout declares it."""
    return scorecard_layout().sheet(entity).column(key).header
