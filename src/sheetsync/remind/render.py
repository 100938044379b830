"""The summary ``sheetsync remind`` prints."""

from __future__ import annotations

from sheetsync.remind.message import month_name
from sheetsync.remind.run import ALREADY, DRAFTED, NOT_SENT, SENT, RemindReport


def render_remind(report: RemindReport) -> str:
    if report.month is None or report.due is None:
        return f"No monthly update is due yet as of {report.as_of}: nothing to remind."
    month = month_name(report.month)
    lines = [f"Monthly update for {month}, due {report.due}:"]
    for r in report.reminders:
        extra = f" ({r.reason})" if r.reason else ""
        refused = f"; refused: {', '.join(f'{a} {why}' for a, why in r.refused.items())}" \
            if r.refused else ""
        where = f" -> {r.file}" if r.file else ""
        lines.append(f"  {r.status:<12} {r.district_id:<8} {r.name}: {', '.join(r.to)}"
                     f"{where}{extra}{refused}")
    for d in report.no_contact:
        lines.append(f"  {'no contact':<12} {d['id']:<8} {d['name']}: {d['why']}")
    for d in report.unknown:
        lines.append(f"  {'cannot tell':<12} {d['id']:<8} {d['name']}: {d['why']}")
    if report.digest:
        g = report.digest
        lines.append(f"  digest       {g.status} to {', '.join(g.to)}"
                     f"{f' ({g.reason})' if g.reason else ''}")
    count = {s: sum(r.status == s for r in report.reminders)
             for s in (DRAFTED, SENT, ALREADY, NOT_SENT)}
    lines += ["", _summary(report, count)]
    return "\n".join(lines)


def _summary(report: RemindReport, count: dict[str, int]) -> str:
    done = (f"{count[SENT]} sent" if report.send
            else f"{count[DRAFTED]} drafted (nothing sent; --send sends them)")
    parts = [done, f"{count[ALREADY]} reminded before", f"{len(report.submitted)} submitted",
             f"{len(report.no_contact)} without a contact"]
    if report.unknown:
        parts.append(f"{len(report.unknown)} not pulled since the due day")
    due = len(report.reminders) + len(report.no_contact)
    text = f"{due} district{'s' if due != 1 else ''} due: " + ", ".join(parts)
    if report.failed:
        return text + (f". {len(report.failed)} could not be sent (listed above); the next "
                       "run sends them.")
    return text + "."
