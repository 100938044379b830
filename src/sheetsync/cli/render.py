"""Plain-text views of results for people at a terminal (``--json`` is for scripts)."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

import click

from sheetsync.schema.findings import RULES, Severity

if TYPE_CHECKING:
    from sheetsync.check.assess import CheckResult
    from sheetsync.pull.run import PullReport
from sheetsync.schema.level import level_of
from sheetsync.schema.numbers import significant
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import (
    AT_RISK,
    LATE_START,
    MET,
    NO_DATA,
    NOT_MET,
    OFF_TRACK,
    ON_TRACK,
    OVERDUE,
    STATUSES,
    terminal_colours,
)

COLOURS = terminal_colours((*STATUSES, OVERDUE, LATE_START, "error", "warning", "info"))
# The pull summary's status columns, in this order.
PULL_COLUMNS = (ON_TRACK, AT_RISK, OFF_TRACK, MET, NOT_MET)
SMART_LETTERS = {"specific": "S", "measurable": "M", "attainable": "A", "responsible": "R",
                 "time_bound": "T"}


def paint(text: str, key: str | None = None) -> str:
    colour = COLOURS.get(key or text.strip())
    return click.style(text, fg=colour) if colour else text


def table(headers: list[str], rows: list[list[str]], colour_col: int | None = None,
          numbers: tuple[int, ...] = ()) -> str:
    """Columns padded to their widest cell; the ``numbers`` columns right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def pad(i: int, text: str) -> str:
        return text.rjust(widths[i]) if i in numbers else text.ljust(widths[i])

    line = "  ".join(pad(i, h) for i, h in enumerate(headers))
    out = [click.style(line, bold=True)]
    for r in rows:
        cells = [pad(i, c) for i, c in enumerate(r)]
        if colour_col is not None:
            cells[colour_col] = paint(cells[colour_col], r[colour_col])
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def render_check(result: CheckResult) -> str:
    card = result.card
    p = card.profile
    who = f"{p.district_name or '(no district name)'} ({p.district_id or 'no id'})"
    if card.level == "school":
        who = f"{p.school_name or '(no school name)'} ({p.school_id or 'no id'}), a school " \
              f"of {who}"
    lines = [click.style(f"{card.source}", bold=True),
             f"{who}, {card.school_year}, statuses as of {result.as_of}",
             f"{result.count(Severity.ERROR)} errors, {result.count(Severity.WARNING)} "
             f"warnings, {result.count(Severity.INFO)} notes", ""]
    shown = sorted(result.findings, key=lambda f: (f.sheet or "", f.row or 0))
    for sheet, items in groupby(shown, key=lambda f: f.sheet or "Workbook"):
        lines.append(click.style(sheet, bold=True, underline=True))
        for f in items:
            lines.append(f"  {(f.cell or ''):<6} {paint(f'{f.severity:<8}', f.severity)} "
                         f"{f.message}  [{f.code}]")
        lines.append("")
    if card.goals:
        rows = []
        for g in card.goals:
            letters = "".join(v if result.smart_of(g)[k] else "·"
                              for k, v in SMART_LETTERS.items())
            rows.append([g.id, g.strategic_goal_id or "", result.goal(g), letters,
                         (g.statement or "")[:60]])
        lines += [table(["Goal", "Strategic", "Status", "SMART", "Statement"], rows, 2), ""]
    if card.measures:
        rows = []
        for m in card.measures:
            s = result.measure(m)
            rows.append([m.id, m.goal_id or "", s.status,
                         period_label(s.latest_period) if s.latest_period else "",
                         _n(s.latest_actual), _n(s.expected),
                         f"{s.progress:.0%}" if s.progress is not None else ""])
        lines += [table(["Measure", "Goal", "Status", "Latest", "Actual", "Expected",
                         "Progress"], rows, 2, numbers=(4, 5, 6)), ""]
    if result.alignment.coverage is not None:
        lines.append(f"Alignment: {result.alignment.covered} of "
                     f"{result.alignment.strategic_goals} strategic goals have an annual goal "
                     f"({result.alignment.coverage:.0%}).")
    return "\n".join(lines)


def render_rules() -> str:
    rows = [[r.code, str(r.severity), r.category, r.title] for r in RULES.values()]
    return table(["Code", "Severity", "Category", "Meaning"], rows, 1)


# What each category of findings is about, and where in the code it is found.
CATEGORIES = {
    "structure": "Is this the template? Sheets, header rows and columns, the template's "
                 "version and school year. Found by the reader (`read/`) as it reads.",
    "values": "What was typed: required values, numbers, dates, choices, duplicate ids, "
              "values out of range, months after the as-of date. Found by the reader "
              "(`read/`; see [values.md](values.md)) and by `check/rules.py`.",
    "smart": "Is each goal SMART (Specific, Measurable, Attainable, Responsible, "
             "Time-bound)? Found by `check/rules.py`.",
    "alignment": "Does every goal, measure and action point at something that exists, and "
                 "is every goal measured and acted on? A school plan's goals under the "
                 "district's. Found by `check/alignment.py` and `check/schools.py`.",
    "execution": "Is the plan carried out: owners, funding, monitoring, overdue actions, "
                 "stale measures, late or missing monthly updates. Found by "
                 "`check/rules.py` (the due day is a setting: [status.md](status.md)).",
    "identity": "Is this the district's (or the school's) own workbook, for this school "
                "year, and newer than the last pull? Found by the pull (`pull/run.py`).",
}


def rules_markdown() -> str:
    """docs/findings.md: the catalogue of findings, by category (``sheetsync rules
    --markdown``; ``tests/test_docs.py`` holds the page to it)."""
    lines = [
        "# Findings: what a check reports",
        "",
        "<!-- Generated by `sheetsync rules --markdown > docs/findings.md` from",
        "     src/sheetsync/schema/findings.py; tests/test_docs.py fails when it is stale. -->",
        "",
        "Every finding is data: a stable code, a severity, the sheet, the cell and row it "
        "points at, and a message a superintendent understands, saying how to fix it. "
        "`sheetsync check FILE` lists a workbook's findings, the master's Issues sheet a "
        "cohort's, and `sheetsync rules` this catalogue.",
        "",
        "- **error**: the value cannot be used (a status may not be computed); "
        "`sheetsync check` exits 1.",
        "- **warning**: the value was used, but it is probably wrong.",
        "- **info**: what sheetsync did to read the file (a renamed header, a moved column).",
        "",
        "A new finding is declared in `src/sheetsync/schema/findings.py` and raised where "
        "it is found (see [architecture.md](architecture.md)); then regenerate this page.",
    ]
    ordered = sorted(RULES.values(), key=lambda r: r.category)
    order = list(dict.fromkeys([*CATEGORIES, *(r.category for r in ordered)]))
    for category in order:
        rules = [r for r in RULES.values() if r.category == category]
        if not rules:
            continue
        lines += ["", f"## {category.capitalize()}", ""]
        if category in CATEGORIES:
            lines += [CATEGORIES[category], ""]
        lines += ["| Code | Severity | Meaning | Message |", "|---|---|---|---|"]
        for r in rules:
            message = r.template.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{r.code}` | {r.severity} | {r.title} | {message} |")
    return "\n".join(lines) + "\n"


def _n(value: float | None) -> str:
    """A measure's number in the table, by its significant digits: an actual of 0.42 and
    an expected 0.4165 must not both read 0.4."""
    return "" if value is None else significant(value)


def render_pull(report: PullReport) -> str:
    say = level_of(report.level).say  # "School" where a cohort of schools is pulled
    t = report.totals()
    rows = []
    for d in report.districts:
        state = "stale" if d.get("stale") else "failed" if not d["ok"] else \
            "unchanged" if d["reused"] else "read"
        rows.append([d["id"], d["name"][:24], state,
                     *(str(d.get(s) if d.get(s) is not None else "") for s in PULL_COLUMNS),
                     d.get("update") or "", str(d.get("errors") or "")])
    lines = [table([say("District"), "Name", "Read", *PULL_COLUMNS, "Update", "Errors"], rows),
             ""]
    for d in report.failed:  # in full: a reason says what to do (e.g. the email to share with)
        kept = "; its last good read is kept, shown as stale" if d.get("stale") else ""
        lines.append(paint(f"{d['id']} {d['name']}: {d['reason']}{kept}", "error"))
    warned = [(d, f) for d in report.districts if d["ok"] for f in d.get("findings") or []]
    for d, f in warned:  # identity warnings: an older copy kept out, a file shared
        lines.append(paint(f"{d['id']} {d['name']}: {f['message']}  [{f['code']}]",
                           f["severity"]))
    if report.failed or warned:
        lines.append("")
    m = t["measures"]
    lines.append(
        f"{t['districts']} {say('districts')}: {t['read']} read, {t['reused']} unchanged, "
        f"{paint(str(t['failed']) + ' failed', 'error' if t['failed'] else None)}. "
        f"Measures: {m[ON_TRACK] + m[MET]} on track or met, {m[AT_RISK]} at risk, "
        f"{m[OFF_TRACK] + m[NOT_MET]} off track or not met, {m[NO_DATA]} no data. "
        f"{t['late_updates']} monthly updates late or missing this year.")
    if report.master_written:
        lines.append(f"Master written: {report.master}")
    elif not report.master_error and report.google_written:
        lines.append(f"The master is up to date: {report.master}; the Google master was "
                     "written again (it was not of this store and cohort file).")
    elif not report.master_error:
        lines.append(f"Nothing changed; the master is up to date: {report.master}")
    return "\n".join(lines)
