"""The alignment baseline of a district's schools (seed 002): how each school's plan nests
under the district's strategic goals, which measures the schools share, and how each
strategic goal stands across them.

``baseline`` is the arithmetic, on plain data (each school's stored card and result), so
the master's sheets and the reports show the same numbers; ``SHEETS`` are the master's
columns for them, written by ``master.write`` after the other sheets.

- **Alignment**: one row per school and strategic goal, zeros included, so the gaps show;
  Status is the worst status of the measures of the school's goals under that goal.
- **Common Measures**: measures grouped across schools by what they measure (the name
  compared ignoring case, spacing and punctuation, and the unit), with the spread of their
  latest actuals.
- **District Goals**: per strategic goal, how many schools have goals under it and how many
  of those are on track.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sheetsync.check.status import worst
from sheetsync.master.layout import Col
from sheetsync.master.rows import _by_row
from sheetsync.read.district import DistrictPlan
from sheetsync.schema.layout import norm
from sheetsync.schema.vocabulary import AT_RISK, BAD, GOOD, NO_DATA

ALIGNMENT = "Alignment"
COMMON_MEASURES = "Common Measures"
DISTRICT_GOALS = "District Goals"
SHEETS: dict[str, tuple[Col, ...]] = {
    ALIGNMENT: (Col("School ID", 11), Col("School", 22), Col("Strategic Goal ID", 10),
                Col("Strategic Goal", 36), Col("Goals", 7, "int"), Col("Measures", 9, "int"),
                Col("Actions", 8, "int"), Col("Status", 10, "status")),
    COMMON_MEASURES: (Col("Measure", 40), Col("Unit", 7), Col("Schools", 8, "int"),
                      Col("School IDs", 30), Col("Lowest", 9, "number"),
                      Col("Median", 9, "number"), Col("Highest", 9, "number")),
    DISTRICT_GOALS: (Col("Strategic Goal ID", 10), Col("Strategic Goal", 36),
                     Col("Schools With Goals", 9, "int"), Col("On Track or Met", 9, "int"),
                     Col(AT_RISK, 9, "int"), Col("Off Track or Not Met", 9, "int"),
                     Col(NO_DATA, 9, "int"), Col("Schools Without Goals", 9, "int")),
}


@dataclass(frozen=True)
class SchoolData:
    """One school as the store keeps it: its entry, its read card and its result."""

    id: str
    name: str
    card: dict[str, Any]
    result: dict[str, Any]


@dataclass
class Baseline:
    alignment: list[list[Any]] = field(default_factory=list)
    common_measures: list[list[Any]] = field(default_factory=list)
    district_goals: list[list[Any]] = field(default_factory=list)

    def sheets(self) -> dict[str, list[list[Any]]]:
        return {ALIGNMENT: self.alignment, COMMON_MEASURES: self.common_measures,
                DISTRICT_GOALS: self.district_goals}

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """The rows keyed by their headers (the reports' data)."""
        return {name: [dict(zip((c.header for c in SHEETS[name]), row, strict=True))
                       for row in rows] for name, rows in self.sheets().items()}


def schools_of(outcomes: Iterable[Any]) -> list[SchoolData]:
    """The schools whose plan was read (this pull or, if stale, the last good one)."""
    out = []
    for o in outcomes:
        data = (o.data or {}) if o.ok or o.stale else {}
        if data.get("card") and data.get("result"):
            out.append(SchoolData(o.district_id, o.name, data["card"], data["result"]))
    return out


def baseline(schools: list[SchoolData], district: DistrictPlan) -> Baseline:
    out = Baseline()
    statuses: dict[str, list[str | None]] = {g.id: [] for g in district.strategic_goals}
    for school in schools:
        for row in _alignment(school, district):
            out.alignment.append(row)
            statuses[row[2]].append(row[-1] if row[4] else None)
    out.common_measures = _common(schools)
    out.district_goals = [_rollup(g.id, g.title, statuses[g.id])
                          for g in district.strategic_goals]
    return out


def _alignment(school: SchoolData, district: DistrictPlan) -> list[list[Any]]:
    card = school.card
    status = _measure_status(school.result)
    rows = []
    for sg in district.strategic_goals:
        goals = {g["id"] for g in card.get("goals", []) if g.get("strategic_goal_id") == sg.id}
        measures = [m for m in card.get("measures", []) if m.get("goal_id") in goals]
        actions = [a for a in card.get("actions", []) if a.get("goal_id") in goals]
        found = [status.get(m["row"], status.get(m["id"], {})).get("status") for m in measures]
        rows.append([school.id, school.name, sg.id, sg.title, len(goals), len(measures),
                     len(actions), worst([s for s in found if s])])
    return rows


def _rollup(goal_id: str, title: str | None, statuses: list[str | None]) -> list[Any]:
    nested = [s for s in statuses if s is not None]
    return [goal_id, title, len(nested), sum(s in GOOD for s in nested),
            sum(s == AT_RISK for s in nested), sum(s in BAD for s in nested),
            sum(s == NO_DATA for s in nested), len(statuses) - len(nested)]


def _common(schools: list[SchoolData]) -> list[list[Any]]:
    groups: dict[tuple[str, str], list[tuple[str, str, float | None]]] = {}
    for school in schools:
        status = _measure_status(school.result)
        for m in school.card.get("measures", []):
            name = " ".join((m.get("name") or "").split())
            if not name:
                continue
            latest = status.get(m["row"], status.get(m["id"], {})).get("latest_actual")
            groups.setdefault((norm(name), m.get("unit") or ""), []).append(
                (school.id, name, latest))
    rows = []
    for (_, unit), items in groups.items():
        ids = list(dict.fromkeys(i for i, _, _ in items))
        values = sorted(v for _, _, v in items if v is not None)
        spread = [_round(values[0]), _round(statistics.median(values)), _round(values[-1])] \
            if values else [None, None, None]
        rows.append([_spelling([n for _, n, _ in items]), unit or None, len(ids),
                     ", ".join(ids), *spread])
    return sorted(rows, key=lambda r: (-r[2], r[0].casefold()))


def _spelling(names: list[str]) -> str:
    """The way most schools write a measure's name (the first, on a tie)."""
    counts = Counter(names)
    return max(names, key=lambda n: (counts[n], -names.index(n)))


def _round(value: float) -> float:
    return round(value, 6)


def _measure_status(result: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return _by_row(result.get("measures", []))


__all__ = ["ALIGNMENT", "COMMON_MEASURES", "DISTRICT_GOALS", "SHEETS", "Baseline",
           "SchoolData", "baseline", "schools_of"]
