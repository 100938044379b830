"""The master's rows: every district's Summary row and its goals, measures, strategies,
actions, updates and findings, each with a link to the cell it came from, then the History.

Both writers (.xlsx in ``master.write``, Google Sheets in ``master.google``) consume
``master_rows``, so the two masters cannot differ.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetsync.check.report import FindingsReport
from sheetsync.cohort.store import Outcome
from sheetsync.master.layout import ISSUE_COLUMNS, STATUS_COLUMNS
from sheetsync.master.summary import district_summary
from sheetsync.schema.vocabulary import KCWP_OTHER, READ_FAILED, READ_OK, READ_STALE


class Link:
    """A source cell: shown as Sheet!A1, linking into the district's file."""

    __slots__ = ("label", "url")

    def __init__(self, target: str | None, sheet: str | None, cell: str | None) -> None:
        """``target``: the district's file as the master links to it (``link_target``)."""
        self.label = f"{sheet}!{cell}" if sheet and cell else (sheet or "")
        self.url = f"external:{target}#'{sheet}'!{cell}" if target and sheet and cell else None


def link_target(source: str, folder: str) -> str | None:
    """The district file as the master links to it: relative to the master's own folder
    (wherever the pull ran: both are made absolute from the working folder first), with
    forward slashes, so the link works wherever the master is opened, on any system."""
    if source.startswith(("http://", "https://")):
        return None
    return _target(source, folder, os.getcwd())


@lru_cache(maxsize=4096)
def _target(source: str, folder: str, cwd: str) -> str:  # cwd: what abspath starts from
    return _relative(os.path.abspath(source), os.path.abspath(folder))


def _relative(path: str, folder: str) -> str:
    """``path`` relative to ``folder`` (both absolute): its folder's, worked out once for
    every file in it, and its name."""
    parent, name = os.path.split(path)
    where = _relative_folder(parent, folder)
    return path.replace(os.sep, "/") if where is None else \
        name if where == "." else f"{where}/{name}"


@lru_cache(maxsize=4096)
def _relative_folder(parent: str, folder: str) -> str | None:
    try:
        return os.path.relpath(parent, folder).replace(os.sep, "/")
    except ValueError:  # another drive on Windows: the whole path
        return None


def district_rows(o: Outcome, folder: Path, source: str) -> dict[str, Iterator[list[Any]]]:
    # a failed district shows only why it failed; a stale one, its last good read too
    data = (o.data or {}) if o.ok or o.stale else {}
    card, result = data.get("card") or {}, data.get("result") or {}
    names = card.get("sheet_names", {})
    columns = card.get("columns", {})
    did = o.district_id
    target = link_target(source, str(folder))  # once: every link of the district shares it

    def link(entity: str, key: str, row: int) -> Link:
        letter = columns.get(entity, {}).get(key)
        return Link(target, names.get(entity), f"{letter}{row}" if letter else None)

    def goals() -> Iterator[list[Any]]:
        status = _by_row(result.get("goals", []))
        for g in card.get("goals", []):
            s = status.get(g["row"], status.get(g["id"], {}))
            letters = "".join(k[0].upper() if v else "·" for k, v in s.get("smart", {}).items())
            yield [did, g["id"], g.get("strategic_goal_id"), g.get("cdip_goal_id"),
                   g.get("statement"), g.get("owner"), g.get("target_date"), s.get("status"),
                   letters, link("goals", "id", g["row"])]

    def measures() -> Iterator[list[Any]]:
        status = _by_row(result.get("measures", []))
        for m in card.get("measures", []):
            s = status.get(m["row"], status.get(m["id"], {}))
            yield [did, m["id"], m.get("goal_id"), m.get("name"), m.get("unit"),
                   m.get("direction"), m.get("baseline"), m.get("target"), m.get("target_date"),
                   s.get("latest_period"), s.get("latest_actual"), s.get("expected"),
                   s.get("progress"), s.get("status"), link("measures", "id", m["row"])]

    def strategies() -> Iterator[list[Any]]:
        acting: dict[str, int] = {}
        for a in card.get("actions", []):
            if a.get("strategy_id"):
                acting[a["strategy_id"]] = acting.get(a["strategy_id"], 0) + 1
        for st in card.get("strategies", []):
            kcwp = st.get("kcwp")
            if kcwp == KCWP_OTHER and st.get("other_approach"):
                kcwp = f"{KCWP_OTHER}: {st['other_approach']}"
            yield [did, st["id"], st.get("goal_id"), kcwp, st.get("description"),
                   st.get("research_basis"), acting.get(st["id"], 0),
                   link("strategies", "id", st["row"])]

    def actions() -> Iterator[list[Any]]:
        schedule = _by_row(result.get("actions", []))
        for a in card.get("actions", []):
            yield [did, a["id"], a.get("goal_id"), a.get("strategy_id"), a.get("description"),
                   a.get("owner"), a.get("due_date"), a.get("status"),
                   schedule.get(a["row"], schedule.get(a["id"], {})).get("schedule"),
                   a.get("funding_source"), a.get("cost"), link("actions", "id", a["row"])]

    def updates() -> Iterator[list[Any]]:
        rows = {u["month"]: u for u in card.get("monthly_updates", [])}
        for u in result.get("updates", []):
            row = rows.get(u["month"], {})
            yield [did, u["month"], u["status"], row.get("submitted_on"),
                   row.get("submitted_by"), row.get("milestones"), row.get("successes"),
                   row.get("roadblocks"), row.get("changes"), row.get("support_needed"),
                   link("monthly_updates", "submitted_on", row["row"]) if row else None]

    def issues() -> Iterator[list[Any]]:
        identity = FindingsReport.from_dicts(o.findings)  # is this the district's workbook
        for row in identity.rows(ISSUE_COLUMNS):
            yield [did, *row, Link(target, row[0], row[1]) if row[1] else None]
        if not o.ok and identity.valid:
            yield [did, None, None, "error", "unreadable", o.reason, None]
        for row in FindingsReport.from_dicts(result.get("findings", [])).rows(ISSUE_COLUMNS):
            yield [did, *row, Link(target, row[0], row[1]) if row[1] else None]

    return {"Goals": goals(), "Measures": measures(), "Strategies": strategies(),
            "Actions": actions(),
            "Updates": updates(), "Issues": issues()}

def master_rows(outcomes: Iterable[Outcome], history: Iterable[tuple[Any, ...]],
                period: str, folder: Path,
                source_of: Callable[[Outcome], str]) -> Iterator[tuple[str, list[Any]]]:
    """Every row of the master, as (sheet name, values), each sheet's rows in order.

    Both writers (.xlsx here, Google Sheets in ``master.google``) consume this, so the two
    masters cannot differ. District rows stream one district at a time.
    """
    for o in outcomes:
        yield "Summary", summary_row(o, period)
        for name, rows in district_rows(o, folder, source_of(o)).items():
            for values in rows:
                yield name, values
    for row in history:
        yield "History", list(row)


def summary_row(o: Outcome, period: str) -> list[Any]:
    """A district's Summary row."""
    s = o.summary or district_summary(o, period)
    stale = o.stale
    return [o.district_id, o.name, READ_STALE if stale else READ_OK if o.ok else READ_FAILED,
            stale or o.reason or _warnings(o), o.source,
            o.modified, o.pulled_at, s.get("template_version"), s.get("goals"),
            s.get("measures"), *(s[k] for k in STATUS_COLUMNS), s.get("overdue"),
            s.get("coverage"), s.get("smart"), s.get("errors"), s.get("warnings"),
            s.get("update"), s.get("late_updates")]


def _warnings(o: Outcome) -> str | None:
    return "; ".join(f["message"] for f in o.findings) or None


def _by_row(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """A result's statuses by the row they belong to (each row its own, a duplicated id
    too) and by id (the first row's, for results stored before rows were)."""
    out: dict[Any, dict[str, Any]] = {}
    for item in reversed(items):
        out[item["id"]] = item
    for item in items:
        if "row" in item:
            out[item["row"]] = item
    return out
