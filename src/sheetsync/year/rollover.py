"""Next year's draft scorecard from this year's: ``sheetsync rollover``.

What is kept, what starts again and what is left behind follows the planning year: the
strategic plan runs on while its end year reaches into the new year; CDIP goals and needs
are kept (the needs are reviewed in the new needs assessment); annual goals, measures and
open actions are carried with their dates moved on; a measure starts from its last actual
of the old year that ``check`` uses (up to the status date, else today); a goal whose
statement names the old year is flagged; monthly updates start empty.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sheetsync.check.assess import as_of_for
from sheetsync.check.status import StatusSettings, measure_status
from sheetsync.errors import YearError
from sheetsync.read.models import Action, Measure, Profile, Scorecard
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema import findings as F
from sheetsync.schema.schoolyear import SchoolYear, period_date, period_label
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import DONE, MET
from sheetsync.template.fill import scorecard_workbook, settings_of
from sheetsync.template.workbook import save_atomic
from sheetsync.year.changes import Changes
from sheetsync.year.errors import refuse_newer_template, refuse_output

LEFT_BEHIND_STATUSES = DONE
SHEET = {s.entity: s.name for s in scorecard_layout().sheets}  # the change log names sheets
NOTES_SHEET = "Rollover Notes"
NOTES_INTRO = ("What sheetsync carried, rebased, flagged and left behind when it drafted this "
               "year's scorecard. Delete this sheet when you have read it.")


@dataclass
class Rolled:
    card: Scorecard
    changes: Changes


def rollover_file(source: str | Path, to: str, output: str | Path,
                  force: bool = False) -> Changes:
    """Write next year's draft of the workbook at ``source`` to ``output``; ``source`` is
    only read. Raises ``WorkbookUnreadable`` or ``YearError``."""
    source, output = Path(source), Path(output)
    refuse_output(output, source, force)
    card, found = read_scorecard(str(source))
    refuse_newer_template(card.template_version, str(source))
    rolled = roll_over(card, SchoolYear.parse(to), str(output))
    for f in found:
        if f.code == F.EXTRA_COLUMN.code:
            rolled.changes.add("left behind", f.sheet or "", None,
                               f"{f.message} It is not in the new draft; `sheetsync upgrade` "
                               "keeps such columns on a sheet of their own.")
    wb = scorecard_workbook(rolled.card, settings=settings_of(card))
    rolled.changes.to_sheet(wb, NOTES_SHEET, NOTES_INTRO)

    save_atomic(wb, output)
    return rolled.changes


def roll_over(card: Scorecard, new: SchoolYear, output: str = "",
              settings: StatusSettings | None = None) -> Rolled:
    """``card`` drafted for the school year ``new``: the model and the list of changes."""
    old = SchoolYear.parse(card.school_year)
    if new.start_year == old.start_year:
        raise YearError(f"{card.source} is already on {new.label}: nothing to roll over. "
                        "Give --to the year after it.")
    if new.start_year < old.start_year:
        raise YearError(f"--to {new.label} is before the workbook's year {old.label}: give "
                        f"--to {SchoolYear(old.start_year + 1).label} or later.")
    changes = Changes("rollover", card.source, output,
                      {"from_year": old.label, "to_year": new.label})
    move = _Mover(old, new)
    p = card.profile
    next_card = Scorecard(
        source=output, school_year=new.label, settings=card.settings, level=card.level,
        profile=Profile(school_id=p.school_id, school_name=p.school_name,
                        school_level=p.school_level, district_id=p.district_id,
                        district_name=p.district_name,
                        school_year=new.label, contact_name=p.contact_name,
                        contact_email=p.contact_email))
    changes.add("carried", SHEET["profile"], None,
                f"District {p.district_id or '(no id)'}, name and contact kept; school year "
                f"set to {new.label}; status date left blank.")
    _strategic(card, next_card, new, changes)
    next_card.cdip_goals = [g.model_copy(update={"row": 0}) for g in card.cdip_goals]
    if card.cdip_goals:
        changes.add("carried", SHEET["cdip_goals"], None,
                    f"{len(card.cdip_goals)} CDIP goals kept as they were.")
    for n in card.needs:
        next_card.needs.append(n.model_copy(update={"row": 0}))
        changes.add("flagged", SHEET["needs"], n.id, "Kept: review it in the new needs assessment "
                    "(is it still a need, still a priority?).")
    for g in card.goals:
        moved = move(g.target_date)
        next_card.goals.append(g.model_copy(update={"row": 0, "target_date": moved}))
        changes.add("carried", SHEET["goals"], g.id, "Carried" + (
            f"; target date moved from {g.target_date} to {moved}." if moved != g.target_date
            else "."))
        named = old_year_named(g.statement, old)
        if named:
            changes.add("flagged", SHEET["goals"], g.id,
                        f"Its statement names {named}, of {old.label}: say {new.label}'s "
                        "dates in it.")
    next_card.strategies = [s.model_copy(update={"row": 0}) for s in card.strategies]
    if card.strategies:
        changes.add("carried", SHEET["strategies"], None,
                    f"{len(card.strategies)} strategies kept, each with its goal, KCWP and "
                    "research basis.")
    # The actuals `check` uses: up to its as-of (the status date, else today), in the year.
    when = min(as_of_for(card, None), old.end)
    for m in card.measures:
        next_card.measures.append(_measure(m, old, when, move, changes,
                                           settings or settings_of(card)))
    for a in card.actions:
        kept = _action(a, old, changes)
        if kept is not None:
            next_card.actions.append(kept)
    if card.monthly_updates:
        changes.add("left behind", SHEET["monthly_updates"], None,
                    f"{len(card.monthly_updates)} monthly updates of {old.label} stay in the "
                    f"old workbook; {new.label}'s months start empty.")
    return Rolled(next_card, changes)


def _strategic(card: Scorecard, next_card: Scorecard, new: SchoolYear,
               changes: Changes) -> None:
    last_year = new.start_year + 1  # the calendar year the new school year ends in
    for g in card.strategic_goals:
        if g.end_year is not None and g.end_year < last_year:
            changes.add("left behind", SHEET["strategic_goals"], g.id,
                        f"Ended in {g.end_year}, before {new.label}: not carried. Add it "
                        "again if the board extended the plan.")
            continue
        next_card.strategic_goals.append(g.model_copy(update={"row": 0}))
        changes.add("carried", SHEET["strategic_goals"], g.id,
                    f"Kept: the plan runs to {g.end_year}." if g.end_year else
                    "Kept (no end year given).")


class _Mover:
    """Dates inside the old school year moved on to the same day of the new one."""

    def __init__(self, old: SchoolYear, new: SchoolYear) -> None:
        self.old, self.years = old, new.start_year - old.start_year

    def inside(self, d: date | None) -> bool:
        return d is not None and self.old.start <= d <= self.old.end

    def __call__(self, d: date | None) -> date | None:
        if d is None or not self.inside(d):
            return d
        year = d.year + self.years
        last = calendar.monthrange(year, d.month)[1]
        month_end = d.day == calendar.monthrange(d.year, d.month)[1]
        return date(year, d.month, last if month_end else min(d.day, last))


def old_year_named(text: str | None, old: SchoolYear) -> str | None:
    """The old school year (``2026-27``) or one of its calendar years, if ``text`` names
    it, as written there."""
    years = f"{old.start_year}|{old.start_year + 1}"
    found = re.search(rf"(?<![\d])({old.start_year}\s*[-/]\s*(?:{old.start_year + 1}|"
                      rf"{(old.start_year + 1) % 100:02d})|{years})(?![\d])", text or "")
    return found.group(1) if found else None


def _measure(m: Measure, old: SchoolYear, when: date, move: _Mover, changes: Changes,
             settings: StatusSettings) -> Measure:
    status = measure_status(m, when, old, settings)
    update: dict[str, object] = {"row": 0, "actuals": {}, "interim_targets": {},
                                 "target_date": move(m.target_date)}
    moved = (f" Target date moved from {m.target_date} to {update['target_date']}."
             if update["target_date"] != m.target_date else "")
    if status.latest_period is not None and status.latest_actual is not None:
        a, period = status.latest_actual, status.latest_period
        update |= {"baseline": a, "baseline_date": period_date(period)}
        changes.add("rebased", SHEET["measures"], m.id,
                    f"Baseline {_num(m.baseline)} becomes {_num(a)}, the actual of "
                    f"{period_label(period)} (baseline date {period_date(period)}); monthly "
                    f"values start empty.{moved}")
    else:
        changes.add("flagged", SHEET["measures"], m.id,
                    f"No actual in {old.label}: baseline {_num(m.baseline)} kept; check it."
                    f"{moved}")
    if status.status == MET:
        changes.add("flagged", SHEET["measures"], m.id,
                    f"Target {_num(m.target)} was met: set next year's target.")
    return m.model_copy(update=update)


def _action(a: Action, old: SchoolYear, changes: Changes) -> Action | None:
    if a.status in LEFT_BEHIND_STATUSES:
        changes.add("left behind", SHEET["actions"], a.id,
                    f"{a.status} in {old.label}: not carried.")
        return None
    stale = [label for label, d in (("start date", a.start_date), ("due date", a.due_date))
             if d is not None and d <= old.end]
    if stale:
        changes.add("flagged", SHEET["actions"], a.id,
                    f"Carried ({a.status or 'no status'}, {_num(a.percent_complete, '0')}% "
                    f"complete); its {' and '.join(stale)} fell in {old.label} or before: "
                    "give new dates.")
    else:
        changes.add("carried", SHEET["actions"], a.id, f"Carried ({a.status or 'no status'}).")
    return a.model_copy(update={"row": 0})


def _num(value: float | None, blank: str = "(none)") -> str:
    return blank if value is None else f"{value:g}"
