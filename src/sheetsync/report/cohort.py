"""The cohort report as plain data: one row per district for a month, attention first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.master.build import alignment_sheets, cohort_periods
from sheetsync.report.data import pick_month, snapshot_view
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import BAD, LATE_OR_MISSING, NOT_DUE, STATUSES, UPDATE_STATUSES


def cohort_view(cohort: Cohort, store: Store, month: str | None = None,
                progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Every district of ``cohort`` as the store kept it for ``month`` (default: latest);
    ``progress(stage, steps)`` is called as each district is read."""
    month = pick_month(store, month)
    ids = [d.id for d in cohort.districts]
    districts = []
    for d in cohort.districts:
        view = snapshot_view(store, d.id, d.name, month)
        districts.append(summary_row(view, month))
        if progress:
            progress("Reading districts", len(cohort.districts))
    districts.sort(key=_attention)

    trend = [(p, good, total) for p, good, total in store.trend(ids, cohort_periods(cohort))
             if p <= month]
    return {
        "name": cohort.cohort.name, "school_year": cohort.cohort.school_year,
        "month": month, "month_label": districts[0]["view"]["month_label"] if districts
        else month, "months": store.months(),
        "districts": districts,
        "failed": [d for d in districts if d["failed"]],
        "trend": [{"month": p, "label": period_label(p), "good": good or 0,
                   "total": total or 0, "share": (good or 0) / total if total else None}
                  for p, good, total in trend],
        "compliance": _compliance(districts, month),
        "totals": {s: sum(d["counts"].get(s, 0) for d in districts)
                   for s in STATUSES},
        "words": _words(cohort), "alignment": _alignment(cohort, store),
    }


def _words(cohort: Cohort) -> dict[str, str]:
    """How the page names the cohort's units: districts, or a district's schools."""
    w = cohort.words
    return {"noun": w.noun, "plural": w.plural, "title": w.title,
            "plural_title": w.plural.title()}


def _alignment(cohort: Cohort, store: Store) -> dict[str, Any] | None:
    """A school cohort's alignment baseline as of the last pull (the master's sheets)."""
    sheets = alignment_sheets(cohort, store)
    if not sheets:
        return None
    return {name: [dict(zip((c.header for c in cols), row, strict=True)) for row in rows]
            for name, (cols, rows) in sheets.items()}


def summary_row(view: dict[str, Any], month: str) -> dict[str, Any]:
    """One district's line of the cohort table, with its full view for its own page."""
    trend = {p["month"]: p["share"] for p in view["trend"]}
    earlier = [p for p in trend if p < month]
    before = trend[max(earlier)] if earlier else None
    share = view["share"]
    counts = view["counts"]
    return {
        "id": view["district"]["id"], "name": view["district"]["name"],
        "failed": view["failed"], "has_data": view["has_data"], "counts": counts,
        "measures": sum(counts.values()), "share": share,
        "change": share - before if share is not None and before is not None else None,
        "update_status": view["update_status"], "overdue": view["overdue"],
        "errors": sum(f["severity"] == "error" for f in view["findings"]),
        "warnings": sum(f["severity"] == "warning" for f in view["findings"]),
        "late_or_missing": len(view.get("late_or_missing", [])),
        "view": view}


def _attention(d: dict[str, Any]) -> tuple[Any, ...]:
    """Failed first, then no data, then the most measures off track, missing updates..."""
    return (not d["failed"], d["has_data"], -sum(d["counts"][s] for s in BAD),
            d["update_status"] not in LATE_OR_MISSING, -d["overdue"], -d["errors"],
            d["name"] or "")


def _compliance(districts: list[dict[str, Any]], month: str) -> list[dict[str, Any]]:
    """Per month up to ``month``: how many districts' updates were on time, late, missing."""
    by_month: dict[str, dict[str, int]] = {}
    for d in districts:
        for u in d["view"].get("updates", []):
            if u["month"] <= month:
                counts = by_month.setdefault(u["month"], dict.fromkeys(UPDATE_STATUSES, 0))
                counts[u["status"]] += 1
    return [{"month": m, "label": period_label(m), **c} for m, c in sorted(by_month.items())
            if c[NOT_DUE] < sum(c.values())]
