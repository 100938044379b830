"""The reminder and the digest as e-mail messages, built with the standard library's
``email`` package: every address is an ``email.headerregistry.Address`` and the subject is
stripped of line breaks, so no district text can add a header. The body is plain text."""

from __future__ import annotations

import calendar
import re
import textwrap
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sheetsync.cohort.roster import contact
from sheetsync.remind.plan import Due
from sheetsync.schema.level import DISTRICT, Level

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: str) -> str:
    """Text safe in a header: line breaks and other control characters become a space."""
    return _CONTROL.sub(" ", text).strip()


def address(text: str) -> Address | None:
    """A contact as an Address, or None when it is not a valid e-mail address."""
    found = contact(text)
    if found is None:
        return None
    name, addr = found
    local, _, domain = addr.rpartition("@")
    try:
        return Address(display_name=one_line(name), username=local, domain=domain)
    except (ValueError, IndexError):
        return None


def month_name(period: str) -> str:
    """'2026-12' -> 'December 2026'."""
    return f"{calendar.month_name[int(period[5:7])]} {period[:4]}"


def when(day: date) -> str:
    """A date in words: 30 November 2026."""
    return f"{day.day} {day:%B %Y}"


def reminder(due: Due, to: list[Address], sender: Address | None,
             cohort_name: str, words: Level = DISTRICT) -> EmailMessage:
    """``words``: the cohort's level (a school's reminder names its plan)."""
    d, month = due.district, month_name(due.month)
    msg = new_message(to, sender)
    msg["Subject"] = one_line(f"{d.name}: the monthly update for {month} is due")
    yours = "scorecard" if words.key == "district" else "plan"
    lines = [
        "Hello,", "",
        f"The monthly update of {d.name}'s {words.plan} for {month} was due on "
        f"{when(due.due)} and has not been submitted yet.", "",
        f"Please fill in the {month} row of the Monthly Updates sheet (milestones, "
        "successes, roadblocks, changes, support needed, and who submitted it and when) in "
        f"your {yours}:", *_your_file(due.workbook)]
    if due.also_missing:
        missed = [month_name(m) for m in due.also_missing]
        lines += ["", f"The update{'s' if len(missed) > 1 else ''} for {_and(missed)} "
                      f"{'are' if len(missed) > 1 else 'is'} missing too."]
    if due.attention:
        lines += ["", "Also needing attention:"] + [f"  - {a}" for a in due.attention]
    lines += ["", "If you have already sent it, thank you, and please ignore this message.",
              "", cohort_name]
    msg.set_content(_wrap(lines))
    return msg


def _your_file(place: str) -> list[str]:
    """The scorecard as the district knows it: its link, or its file's name (then the path
    the consultant's cohort file gives it, which a shared folder may need)."""
    if place.startswith(("http://", "https://")) or "/" not in place.replace("\\", "/"):
        return [f"    {place}"]
    name = place.replace("\\", "/").rsplit("/", 1)[-1]
    return [f"    {name}", f"(listed by your consultant as {place})"]


def _and(items: list[str]) -> str:
    """Months in words: "October 2026", "October 2026 and November 2026", "A, B and C"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _wrap(lines: list[str]) -> str:
    """Lines wrapped at 72 characters, list items indented under their dash."""
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip(" -")))
        out.append(textwrap.fill(line, 72, subsequent_indent=indent,
                                 break_long_words=False, break_on_hyphens=False) or line)
    return "\n".join(out) + "\n"


def digest(to: list[Address], sender: Address | None, cohort_name: str, month: str,
           sections: list[tuple[str, list[str]]]) -> EmailMessage:
    """The consultant's digest: one section per outcome (reminded, not sent, no contact...)."""
    msg = new_message(to, sender)
    msg["Subject"] = one_line(f"{cohort_name}: reminders for the {month_name(month)} update")
    lines = [f"Reminders for the {month_name(month)} monthly update:"]
    for title, items in sections:
        if items:
            lines += ["", f"{title} ({len(items)}):"] + [f"  - {one_line(i)}" for i in items]
    msg.set_content(_wrap(lines))
    return msg


def new_message(to: list[Address], sender: Address | None) -> EmailMessage:
    """A message's headers (From, To, Date, a Message-ID at the sender's domain)."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.domain if sender else None)
    return msg
