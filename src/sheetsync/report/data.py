"""A district report as plain data, from a workbook or from the cohort's store.

``district_view`` takes what the store keeps for a district (the parsed scorecard and the
``check --json`` result), so a report from a file and a report from a past month's snapshot
are the same data. ``public_view`` drops what a board packet must not show.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetsync.check.assess import check_workbook
from sheetsync.check.status import elapsed, measure_status
from sheetsync.cohort.store import Store
from sheetsync.errors import NoSnapshot
from sheetsync.read.models import Measure
from sheetsync.schema.schoolyear import SchoolYear, period_date, period_key, period_label
from sheetsync.schema.vocabulary import (
    DONE,
    GOOD,
    KCWP_OTHER,
    LATE_OR_MISSING,
    MET,
    NO_DATA,
    NOT_STARTED,
    ON_TRACK,
    OVERDUE,
    STATUSES,
)

DUE_SOON_DAYS = 30
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")



def district_view(data: dict[str, Any] | None, *, name: str | None = None,
                  district_id: str | None = None, month: str | None = None,
                  as_of: str | None = None, failed: str | None = None,
                  stale: str | None = None,
                  trend: list[tuple[str, int, int]] | None = None) -> dict[str, Any]:
    """Everything a district report shows, as plain data (JSON-serialisable)."""
    card = (data or {}).get("card") or {}
    result = (data or {}).get("result") or {}
    profile = card.get("profile") or {}
    as_of = result.get("as_of") or as_of
    month = month or (as_of[:7] if as_of else None)
    view: dict[str, Any] = {
        # The cohort's id and name win: the workbook's own may be a copy of another's.
        "district": {"id": district_id or profile.get("district_id"),
                     "name": name or profile.get("district_name") or district_id,
                     "school_year": card.get("school_year"),
                     "template_version": card.get("template_version"),
                     "contact_name": profile.get("contact_name"),
                     "contact_email": profile.get("contact_email")},
        "month": month, "month_label": _month_label(month), "as_of": as_of,
        "failed": failed, "stale": stale, "has_data": bool(result), "public": False}
    if not result:
        return view | {"counts": {s: 0 for s in STATUSES}, "trend": [], "plan": [],
                       "actions": {"overdue": [], "due_soon": []},
                       "latest_update": None, "late_or_missing": [],
                       "updates": [], "findings": [], "share": None, "overdue": 0,
                       "update_status": None}
    measures = _measures(card, result)
    counts = {s: 0 for s in STATUSES}
    for m in measures.values():
        counts[m["status"]] += 1
    with_data = sum(counts[s] for s in STATUSES if s != NO_DATA)
    updates = [{"month": u["month"], "label": _month_label(u["month"]), "status": u["status"]}
               for u in result.get("updates", [])]
    actions = _actions(card, result, date.fromisoformat(str(as_of)))
    return view | {
        "counts": counts,
        "share": (counts[ON_TRACK] + counts[MET]) / with_data if with_data else None,
        "trend": [_trend_point(p, good, total) for p, good, total in
                  (trend if trend is not None else _trend_from(card, result))],
        "plan": _plan(card, result, measures),
        "actions": actions, "overdue": len(actions["overdue"]),
        "update_status": next((u["status"] for u in updates if u["month"] == month), None),
        "updates": updates,
        "late_or_missing": [u for u in updates if u["status"] in LATE_OR_MISSING],
        "latest_update": _latest_update(card),
        "findings": [f for f in result.get("findings", [])
                     if f["severity"] in ("error", "warning")],
    }


def _month_label(month: str | None) -> str | None:
    if not month:
        return None
    return period_date(month).strftime("%B %Y")


def _trend_point(period: str, good: int, total: int) -> dict[str, Any]:
    return {"month": period, "label": period_label(period), "good": good or 0,
            "total": total or 0, "share": (good or 0) / total if total else None}


def _trend_from(card: dict[str, Any], result: dict[str, Any]) -> list[tuple[str, int, int]]:
    """On-track counts for each month up to the as-of month, recomputed from the actuals
    (a report from a file has no stored history)."""
    as_of = date.fromisoformat(result["as_of"])
    year = SchoolYear.parse(card["school_year"])
    models = [Measure.model_validate(m) for m in card.get("measures", [])]
    out = []
    for period in year.periods:
        if period > period_key(as_of):
            break
        when = min(period_date(period), as_of)
        statuses = [measure_status(m, when, year).status for m in models]
        total = sum(s != NO_DATA for s in statuses)
        if total:
            out.append((period, sum(s in GOOD for s in statuses), total))
    return out


def _measures(card: dict[str, Any], result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each measure's row and status, with the series its small chart draws."""
    status = {m["id"]: m for m in reversed(result.get("measures", []))}
    year = SchoolYear.parse(card["school_year"])
    current = result["as_of"][:7]
    out: dict[str, dict[str, Any]] = {}
    for raw in card.get("measures", []):
        if raw["id"] in out:
            continue
        s = status.get(raw["id"], {"status": NO_DATA})
        m = Measure.model_validate(raw)
        out[m.id] = {
            "id": m.id, "goal_id": m.goal_id, "name": m.name, "unit": m.unit,
            "direction": m.direction, "baseline": m.baseline, "target": m.target,
            "owner": m.owner, "row": raw.get("row"),
            "status": s["status"], "latest_period": s.get("latest_period"),
            "latest_label": period_label(s["latest_period"]) if s.get("latest_period") else None,
            "latest_actual": s.get("latest_actual"), "expected": s.get("expected"),
            "series": _series(m, year, current)}
    return out


def _series(m: Measure, year: SchoolYear, current: str) -> dict[str, Any]:
    """Monthly actuals (up to the as-of month), the expected path, the target and the
    baseline (the chart's axis takes both in)."""
    periods = year.periods
    expected: list[float | None] = [None] * len(periods)
    if m.baseline is not None and m.target is not None:
        b, t = m.baseline, m.target
        expected = [m.interim_targets.get(p, b + (t - b) * elapsed(p, m, year))
                    for p in periods]
    return {"months": [period_label(p)[:3] for p in periods],
            "actual": [m.actuals.get(p) if p <= current else None for p in periods],
            "expected": expected, "target": m.target, "baseline": m.baseline,
            "unit": m.unit}


def _plan(card: dict[str, Any], result: dict[str, Any],
          measures: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Strategic goals -> annual goals -> measures; goals pointing nowhere come last."""
    goal_status = {g["id"]: g for g in result.get("goals", [])}
    sg_status = {s["id"]: s["status"] for s in result.get("strategic_goals", [])}
    by_goal: dict[str, list[dict[str, Any]]] = {}
    for m in measures.values():
        by_goal.setdefault(m["goal_id"] or "", []).append(m)
    goals_by_sg: dict[str, list[dict[str, Any]]] = {}
    # Why a goal is not SMART, in the check's words ("Goal G1 is not A: <why>.")
    why_not_smart = {f["values"]["goal"]: f["values"].get("reasons")
                     for f in result.get("findings", [])
                     if f.get("code") == "not-smart" and "goal" in (f.get("values") or {})}
    acting: dict[str, int] = {}  # each strategy's number of actions
    for a in card.get("actions", []):
        if a.get("strategy_id"):
            acting[a["strategy_id"]] = acting.get(a["strategy_id"], 0) + 1
    strategies: dict[str, list[dict[str, Any]]] = {}
    for st in card.get("strategies", []):
        strategies.setdefault(st.get("goal_id") or "", []).append({
            "id": st["id"], "description": st.get("description"),
            "kcwp": st.get("other_approach") if st.get("kcwp") == KCWP_OTHER
            and st.get("other_approach") else st.get("kcwp"),
            "research_basis": st.get("research_basis"), "actions": acting.get(st["id"], 0)})
    for g in card.get("goals", []):
        s = goal_status.get(g["id"], {})
        smart = s.get("smart") or {}
        goals_by_sg.setdefault(g.get("strategic_goal_id") or "", []).append({
            "id": g["id"], "statement": g.get("statement"), "owner": g.get("owner"),
            "student_group": g.get("student_group"), "target_date": g.get("target_date"),
            "status": s.get("status", NO_DATA),
            "smart": "".join(k[0].upper() if v else "·" for k, v in smart.items()),
            "smart_met": [k.replace("_", "-") for k, v in smart.items() if v],
            "smart_missing": [k.replace("_", "-").title() for k, v in smart.items() if not v],
            "smart_why": why_not_smart.get(g["id"]),
            "measures": by_goal.get(g["id"], []),
            "strategies": strategies.get(g["id"], [])})
    plan = [{"id": sg["id"], "title": sg.get("title"), "description": sg.get("description"),
             "status": sg_status.get(sg["id"], NO_DATA),
             "goals": goals_by_sg.pop(sg["id"], [])}
            for sg in card.get("strategic_goals", [])]
    loose = [g for goals in goals_by_sg.values() for g in goals]
    if loose:
        plan.append({"id": None, "title": "Goals not linked to a strategic goal",
                     "description": None, "status": None, "goals": loose})
    return plan


def _actions(card: dict[str, Any], result: dict[str, Any],
             as_of: date) -> dict[str, list[dict[str, Any]]]:
    schedule = {a["id"]: a["schedule"] for a in reversed(result.get("actions", []))}
    soon = as_of + timedelta(days=DUE_SOON_DAYS)
    overdue, due_soon = [], []
    for a in card.get("actions", []):
        row = {"id": a["id"], "goal_id": a.get("goal_id"), "description": a.get("description"),
               "owner": a.get("owner"), "due_date": a.get("due_date"),
               "status": a.get("status") or NOT_STARTED, "schedule": schedule.get(a["id"])}
        if row["schedule"] == OVERDUE:
            overdue.append(row)
        elif (row["schedule"] not in DONE and a.get("due_date")
              and as_of <= date.fromisoformat(a["due_date"]) <= soon):
            due_soon.append(row)
    key = lambda r: (r["due_date"] or "", r["id"])  # noqa: E731
    return {"overdue": sorted(overdue, key=key), "due_soon": sorted(due_soon, key=key)}


def _latest_update(card: dict[str, Any]) -> dict[str, Any] | None:
    """The most recent monthly update that says anything, in the district's own words."""
    fields = ("milestones", "successes", "roadblocks", "changes", "support_needed")
    said = [u for u in card.get("monthly_updates", [])
            if any(u.get(f) for f in fields) or u.get("submitted_on")]
    if not said:
        return None
    u = max(said, key=lambda u: u["month"])
    return {**{f: u.get(f) for f in (*fields, "submitted_by", "submitted_on", "month")},
            "label": _month_label(u["month"])}


def public_view(view: dict[str, Any]) -> dict[str, Any]:
    """The board and community version: no contacts, e-mail addresses, cells, findings or
    read problems."""
    failed = "The scorecard could not be read this month." if view["failed"] else None
    stale = "These figures are from the last scorecard read; the latest could not be read." \
        if view.get("stale") else None
    out = {**view, "public": True, "findings": [], "failed": failed, "stale": stale,
           "district": {**view["district"], "contact_name": None, "contact_email": None}}
    return _scrub(out)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _EMAIL.sub("[e-mail withheld]", value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k != "row"}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


# -- sources -------------------------------------------------------------------------------

def view_from_file(path: str | Path, as_of: date | None = None) -> dict[str, Any]:
    """Read and check one workbook (raises ``WorkbookUnreadable``)."""
    result = check_workbook(str(path), as_of)
    data = {"card": result.card.model_dump(mode="json"), "result": result.to_json()}
    return district_view(data)


def pick_month(store: Store, month: str | None, district_id: str | None = None) -> str:
    """``month`` if the store has a snapshot for it, else the latest; a clear error if none."""
    months = store.months(district_id)
    who = f" for {district_id}" if district_id else ""
    if not months:
        raise NoSnapshot(f"The store has no snapshots{who} yet: run `sheetsync pull` first.")
    if month is None:
        return months[-1]
    if month not in months:
        raise NoSnapshot(f"No snapshot{who} for {month}; the store has "
                         f"{', '.join(months)}. Pick one of those with --month.")
    return month


def district_trend(store: Store, district_id: str, month: str) -> list[tuple[str, int, int]]:
    return [t for t in store.trend([district_id]) if t[0] <= month]


def view_from_store(store: Store, district_id: str, name: str | None,
                    month: str | None = None) -> dict[str, Any]:
    """A district as the store kept it for ``month`` (default: its latest snapshot)."""
    month = pick_month(store, month, district_id)
    return snapshot_view(store, district_id, name, month)


def snapshot_view(store: Store, district_id: str, name: str | None,
                  month: str) -> dict[str, Any]:
    """A district's snapshot of ``month`` as a view (no data yet when it has none)."""
    snap = store.snapshot(district_id, month)
    if snap is None:
        return district_view(None, name=name, district_id=district_id, month=month)
    return district_view(snap.data, name=name, district_id=district_id, month=month,
                         as_of=snap.as_of, failed=snap.failed, stale=snap.stale,
                         trend=district_trend(store, district_id, month))
