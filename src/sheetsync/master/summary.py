"""The Summary's arithmetic: one district's counts by status, its overdue actions, SMART
goals, findings and updates, from its stored result; and the share-on-track trend."""

from __future__ import annotations

from typing import Any

from sheetsync.cohort.store import Outcome
from sheetsync.master.layout import STATUS_COLUMNS
from sheetsync.schema.vocabulary import LATE_OR_MISSING, NOT_DUE, OVERDUE, STATUSES


def district_summary(o: Outcome, period: str) -> dict[str, Any]:
    """The Summary row's numbers for one district, from its stored result."""
    out: dict[str, Any] = {s: None for s in STATUS_COLUMNS}
    result = (o.data or {}).get("result")
    if not o.ok or not result:
        return out
    counts = {s: 0 for s in STATUSES}
    for m in result["measures"]:
        counts[m["status"]] += 1
    updates = {u["month"]: u["status"] for u in result["updates"]}
    findings = result["findings"]
    return {**counts, "template_version": result.get("template_version"),
            "goals": len(result["goals"]), "measures": len(result["measures"]),
            "overdue": sum(a["schedule"] == OVERDUE for a in result["actions"]),
            "coverage": result["alignment"]["coverage"],
            "smart": sum(all(g["smart"].values()) for g in result["goals"]),
            "errors": sum(f["severity"] == "error" for f in findings),
            "warnings": sum(f["severity"] == "warning" for f in findings),
            "update": updates.get(period, NOT_DUE),
            "latest_month": latest_month((o.data or {}).get("card") or {}),
            "late_updates": sum(s in LATE_OR_MISSING for s in updates.values())}


def latest_month(card: dict[str, Any]) -> str | None:
    """The latest month with an actual in the workbook, whatever the as-of date."""
    return max((k for m in card.get("measures", []) for k, v in
                (m.get("actuals") or {}).items() if v is not None), default=None)

def trend_rows(trend: list[tuple[str, int, int]]) -> list[list[Any]]:
    """The share-on-track table shown beside the summary: month, good, with data, share."""
    return [[m, good or 0, total or 0, (good or 0) / total if total else 0]
            for m, good, total in trend]
