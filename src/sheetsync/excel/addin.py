"""For the add-ins: the whole check of a workbook's sheets, the statuses as one sheet for
xlwings Lite's "Refresh status" script, and the classic add-in's ``xlwings.conf`` rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from sheetsync.check.assess import CheckResult, assess
from sheetsync.check.rules import SMART_KEYS, SMART_WORDS
from sheetsync.check.status import DEFAULT_SETTINGS, StatusSettings
from sheetsync.excel.arguments import read_grids
from sheetsync.schema.schoolyear import period_label

UDF_MODULE = "sheetsync.udfs"  # what the classic add-in's "UDF Modules" setting names


# -- For the add-in's scripts ------------------------------------------------------------


def check_grids(grids: dict[str, list[list[Any]]], as_of: date | None = None,
                settings: StatusSettings = DEFAULT_SETTINGS) -> CheckResult:
    """``sheetsync check`` on sheets given as 2-D lists: the same ``CheckResult``."""
    card, found = read_grids(grids, None, as_of)
    return assess(card, found, as_of, settings)


def status_table(result: CheckResult) -> list[list[Any]]:
    """``check --json``'s statuses as one sheet: measures, goals, strategic goals, actions
    and monthly updates, each under its own header row; rectangular, blanks as ``""``."""
    data = result.to_json()
    blocks: list[list[Any]] = [["Statuses as of", result.as_of], []]
    blocks.append(["Measure", "Goal", "Latest Month", "Latest Actual", "Expected Now",
                   "Progress", "Status"])
    blocks += [[m["id"], m["goal_id"], period_label(m["latest_period"])
                if m["latest_period"] else None, m["latest_actual"], m["expected"],
                m["progress"], m["status"]] for m in data["measures"]]
    blocks += [[], ["Goal", "Strategic Goal", "Status", "SMART"]]
    blocks += [[g["id"], g["strategic_goal_id"], g["status"], _smart_words(g["smart"])]
               for g in data["goals"]]
    blocks += [[], ["Strategic Goal", "Status"]]
    blocks += [[s["id"], s["status"]] for s in data["strategic_goals"]]
    blocks += [[], ["Action", "Goal", "Status", "Schedule"]]
    blocks += [[a["id"], a["goal_id"], a["status"], a["schedule"]] for a in data["actions"]]
    blocks += [[], ["Month", "Monthly Update"]]
    blocks += [[period_label(u["month"]), u["status"]] for u in data["updates"]]
    width = max(len(r) for r in blocks)
    return [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in blocks]


def _smart_words(letters: dict[str, bool]) -> str:
    missing = [SMART_WORDS[k] for k in SMART_KEYS if not letters.get(k, True)]
    return "Not " + ", ".join(missing) if missing else "SMART"


def xlwings_conf_rows() -> list[tuple[str, str]]:
    """The key/value rows of a workbook's ``xlwings.conf`` sheet for the classic add-in:
    "Import Functions" then imports these functions. Only keys sheetsync needs: an empty
    value on that sheet would override the district's own add-in settings."""
    return [("UDF Modules", UDF_MODULE)]
