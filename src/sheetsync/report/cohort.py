"""The cohort report as plain data: one row per district for a month, those needing
attention first (by the attention score of ``attention``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.master.build import alignment_sheets, cohort_periods
from sheetsync.report.data import pick_month, snapshot_view
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import NOT_DUE, STATUSES, UPDATE_STATUSES


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


# The attention score, in points (the cohort page says it in words, and so does README.md).
OFF_TRACK_POINT = 1  # for each percent of the measures with data not on track or met
UPDATE_POINTS = 10  # for each monthly update late or missing
ERROR_POINTS = 5  # for each error in the workbook


def attention(row: dict[str, Any]) -> dict[str, Any]:
    """Why a district needs attention, as points: the share of its measures with data not
    on track or met (every measure when none has data), its late or missing updates and
    its workbook's errors. ``public_score`` leaves the errors out (a public page does not
    show them). A district that could not be read, or has no data yet, comes before any
    score (``rank``)."""
    parts = []
    if row["has_data"]:
        off = 100 if row["share"] is None else round(100 * (1 - row["share"]))
        if off:
            why = "no measure has data yet" if row["share"] is None else \
                f"{off}% of measures not on track or met"
            parts.append({"points": off * OFF_TRACK_POINT, "why": why, "public": True})
        late = row["late_or_missing"]
        if late:
            parts.append({"points": late * UPDATE_POINTS, "public": True,
                          "why": f"{late} update{'s' if late != 1 else ''} late or missing"})
        if row["errors"]:
            n = row["errors"]
            parts.append({"points": n * ERROR_POINTS, "public": False,
                          "why": f"{n} error{'s' if n != 1 else ''} in the workbook"})
    return {"rank": 0 if row["failed"] else 1 if not row["has_data"] else 2,
            "score": sum(p["points"] for p in parts),
            "public_score": sum(p["points"] for p in parts if p["public"]), "parts": parts}


def summary_row(view: dict[str, Any], month: str) -> dict[str, Any]:
    """One district's line of the cohort table, with its full view for its own page."""
    trend = {p["month"]: p["share"] for p in view["trend"]}
    earlier = [p for p in trend if p < month]
    before = trend[max(earlier)] if earlier else None
    share = view["share"]
    counts = view["counts"]
    row = {
        "id": view["district"]["id"], "name": view["district"]["name"],
        "failed": view["failed"], "has_data": view["has_data"], "counts": counts,
        "measures": sum(counts.values()), "share": share,
        "change": share - before if share is not None and before is not None else None,
        "update_status": view["update_status"], "overdue": view["overdue"],
        "errors": sum(f["severity"] == "error" for f in view["findings"]),
        "warnings": sum(f["severity"] == "warning" for f in view["findings"]),
        "late_or_missing": len(view.get("late_or_missing", [])),
        "late_or_missing_updates": [{"month": u["month"], "label": u["label"],
                                     "status": u["status"]}
                                    for u in view.get("late_or_missing", [])],
        "view": view}
    return row | {"attention": attention(row)}


def _attention(d: dict[str, Any]) -> tuple[Any, ...]:
    """Unreadable first, then no data yet, then the highest attention score; by name."""
    return (d["attention"]["rank"], -d["attention"]["score"], d["name"] or "")


def public_order(districts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order of a public page: by the score it shows (without the errors)."""
    return sorted(districts, key=lambda d: (
        d["attention"]["rank"], -d["attention"].get("public_score", d["attention"]["score"]),
        d["name"] or ""))


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
