"""What Kentucky asks of a plan beyond the scorecard's own rules: every annual goal carried
out through a strategy and every strategy through actions; the goals the state requires
(``schema.kde``) present on the CDIP Goals sheet, each with a measurable target
(docs/findings.md lists the findings).
"""

from __future__ import annotations

from sheetsync.check.where import Where, group_by, header_of
from sheetsync.read.models import Scorecard
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.kde import required_goals, school_level

# A CDIP goal's measurable target: what it is measured by, from where, to where, by when.
MEASURABLE = ("indicator", "baseline", "target", "target_year")


def check_strategies(card: Scorecard) -> list[Finding]:
    """A goal with no strategy, a strategy with no action (both only once the workbook has
    a Strategies sheet: a workbook of an older template is told the sheet is missing)."""
    if "strategies" not in card.sheet_names:
        return []
    where = Where(card)
    out: list[Finding] = []
    strategies = group_by(card.strategies)
    if "goals" in card.sheet_names:
        for g in card.goals:
            if not strategies.get(g.id):
                out.append(F.GOAL_WITHOUT_STRATEGY(**where("goals", "id", g.row), id=g.id))
    if "strategy_id" in card.columns.get("actions", {}):  # the column found: it can tell
        acted = {a.strategy_id for a in card.actions}
        for s in card.strategies:
            if s.id not in acted:
                out.append(F.STRATEGY_WITHOUT_ACTION(**where("strategies", "id", s.row),
                                                     id=s.id))
    return out


def check_cdip_goals(card: Scorecard) -> list[Finding]:
    """A required indicator with no CDIP goal; a CDIP goal without a measurable target."""
    if "cdip_goals" not in card.sheet_names:
        return []
    where = Where(card)
    out: list[Finding] = []
    required = required_goals(card.school_year)
    if required is not None:
        level = school_level(card.profile.school_level) if card.level == "school" else None
        whose = f"{level} school" if level else "school" if card.level == "school" \
            else "district"
        areas = {c.area for c in card.cdip_goals}
        for indicator in required.of(card.level, level):
            if indicator not in areas:
                out.append(F.REQUIRED_GOAL_MISSING(
                    sheet=card.sheet_names["cdip_goals"], indicator=indicator, whose=whose,
                    year=required.since))
    for c in card.cdip_goals:
        missing = [k for k in MEASURABLE if getattr(c, k) is None]
        if missing:
            first = where("cdip_goals", missing[0], c.row)
            headers = [header_of("cdip_goals", k) for k in missing]
            place = first["cell"] or f"its {headers[0]} (add the column: `sheetsync upgrade` " \
                "puts the workbook on the current template)"
            out.append(F.CDIP_GOAL_NOT_MEASURABLE(
                **first, id=c.id, missing=" or ".join(h.lower() for h in headers),
                place=place))
    return out


__all__ = ["MEASURABLE", "check_cdip_goals", "check_strategies"]
