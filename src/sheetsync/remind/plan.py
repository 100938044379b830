"""Who is due a reminder: read from the store's latest read of each district, never from
the workbooks themselves (``sheetsync pull`` reads them).

A month's update is due once its due day (``[status] update_due_day``) has passed; the
month reminded about is the latest such month of the school year. A district is reminded
when its last read, made on or after that due day, has no submitted date for the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetsync.check.status import update_due, update_status
from sheetsync.cohort.model import Cohort, District
from sheetsync.cohort.store import Outcome
from sheetsync.google.address import SHEET, parse_address, sheet_url
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import MISSING

KIND = "update-missing"  # the finding code of the same situation
ATTENTION_CODES = ("action-overdue", "measure-stale")
ATTENTION_SHOWN = 10


@dataclass
class Due:
    """One district whose update for ``month`` was due on ``due`` and is not submitted."""

    district: District
    month: str
    due: date
    workbook: str
    also_missing: list[str] = field(default_factory=list)  # earlier months missing
    attention: list[str] = field(default_factory=list)  # overdue actions, stale measures


@dataclass
class Plan:
    month: str | None  # None: no update of the school year is due yet
    due: date | None
    reminders: list[Due] = field(default_factory=list)
    submitted: list[District] = field(default_factory=list)
    unknown: list[tuple[District, str]] = field(default_factory=list)  # cannot tell, why


def due_month(cohort: Cohort, as_of: date) -> tuple[str, date] | None:
    """The latest month of the school year whose update was due before ``as_of``."""
    day = cohort.status.update_due_day
    periods = scorecard_layout(cohort.cohort.school_year).update_periods
    past = [(p, update_due(p, day)) for p in periods if update_due(p, day) < as_of]
    return past[-1] if past else None


def plan(cohort: Cohort, outcomes: dict[str, Outcome], as_of: date) -> Plan:
    found = due_month(cohort, as_of)
    if found is None:
        return Plan(None, None)
    month, due = found
    out = Plan(month, due)
    for d in cohort.members:
        o = outcomes.get(d.id)
        why = _unknown(o, due)
        if why:
            out.unknown.append((d, why))
            continue
        assert o is not None and o.data is not None
        card = o.data.get("card") or {}
        submitted = _submitted(card)
        if submitted.get(month):
            out.submitted.append(d)
            continue
        earlier = [p for p in scorecard_layout(cohort.cohort.school_year).update_periods
                   if p < month and update_status(p, submitted.get(p), as_of,
                                                  cohort.status.update_due_day) == MISSING]
        out.reminders.append(Due(d, month, due, workbook_place(d),
                                 earlier,
                                 attention(o.data.get("result") or {})))
    return out


def _unknown(o: Outcome | None, due: date) -> str | None:
    """Why the store cannot tell whether the district submitted, if it cannot."""
    if o is None:
        return "not pulled yet: run `sheetsync pull` first"
    if o.data is None:
        return f"never read ({o.reason or 'no read yet'})"
    if date.fromisoformat(o.as_of[:10]) <= due:
        return (f"last pulled as of {o.as_of[:10]}, not after the update was due "
                f"({due.isoformat()}): run `sheetsync pull` first")
    return None


def _submitted(card: dict[str, Any]) -> dict[str, date | None]:
    out: dict[str, date | None] = {}
    for u in card.get("monthly_updates") or []:
        when = u.get("submitted_on")
        out[str(u.get("month"))] = date.fromisoformat(str(when)[:10]) if when else None
    return out


def attention(result: dict[str, Any]) -> list[str]:
    """Overdue actions and stale measures, in the words of their findings, with the cell."""
    lines = [f"{f['message']} ({f['sheet']}!{f['cell']})" if f.get("cell") else f["message"]
             for f in result.get("findings") or [] if f.get("code") in ATTENTION_CODES]
    if len(lines) > ATTENTION_SHOWN:
        more = len(lines) - ATTENTION_SHOWN
        lines = [*lines[:ATTENTION_SHOWN], f"... and {more} more (run `sheetsync check`)."]
    return lines


def workbook_place(d: District) -> str:
    """Where the district's scorecard is: its Google link, or its path as the cohort names
    it."""
    source = d.source.strip()
    found = parse_address(source)
    if found is not None and found[0] == SHEET and not source.startswith("https://"):
        return sheet_url(found[1])  # gsheet:KEY or a bare key: the link a person can open
    return source or "(no scorecard yet)"
