"""``remind``: one reminder per district whose monthly update is due and not submitted,
written as .eml drafts or sent, each recorded in the store once the server took it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store, store_lock
from sheetsync.errors import NotSent, RemindError
from sheetsync.remind import message
from sheetsync.remind.plan import KIND, Plan, plan
from sheetsync.remind.send import SmtpTransport, Transport

DRAFTED, SENT, ALREADY, NOT_SENT = "drafted", "sent", "already sent", "not sent"
DIGEST = "digest_sent"  # store meta, per month: the reminders the last digest listed unsent


@dataclass
class Reminder:
    """One message and what became of it."""

    district_id: str
    name: str
    month: str
    kind: str
    to: list[str]
    status: str = ""
    reason: str | None = None
    file: str | None = None  # the draft
    refused: dict[str, str] = field(default_factory=dict)  # recipients the server refused
    sent_at: str | None = None


@dataclass
class RemindReport:
    as_of: date
    month: str | None
    due: date | None
    send: bool
    reminders: list[Reminder] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)  # district ids
    no_contact: list[dict[str, str]] = field(default_factory=list)  # id, name, why
    unknown: list[dict[str, str]] = field(default_factory=list)  # id, name, why
    digest: Reminder | None = None

    @property
    def failed(self) -> list[Reminder]:
        """Messages not sent (or sent, with some recipients refused)."""
        every = [*self.reminders, *([self.digest] if self.digest else [])]
        return [r for r in every if r.status == NOT_SENT or r.refused]

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "month": self.month,
                "due": self.due.isoformat() if self.due else None, "send": self.send,
                "reminders": [asdict(r) for r in self.reminders],
                "submitted": self.submitted, "no_contact": self.no_contact,
                "unknown": self.unknown,
                "digest": asdict(self.digest) if self.digest else None,
                "failed": len(self.failed)}


Progress = Callable[[Reminder], None]


def remind(cohort: Cohort, as_of: date, send: bool = False, outbox: Path | None = None,
           transport: Transport | None = None,
           progress: Progress | None = None) -> RemindReport:
    """Draft (or, with ``send``, send) the reminders due as of ``as_of``. A district, month
    and kind already recorded as sent is never sent again. Raises ``RemindError`` when the
    settings or the store cannot be used; a message the server did not take is in the
    report (``failed``), for the next run to send."""
    if send and cohort.smtp is None and transport is None:
        raise RemindError(f"{cohort.path}: no [smtp] settings; add host and from (see "
                          "`sheetsync remind --help`), or leave out --send to write drafts")
    if not cohort.store_path.exists():
        raise RemindError(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    if send and transport is None:
        assert cohort.smtp is not None
        transport = SmtpTransport(cohort.smtp, cohort.folder)
    with (store_lock(cohort.store_path, "remind --send") if send else nullcontext()), \
            Store(cohort.store_path) as store:
        found = plan(cohort, {o.district_id: o for o in store.outcomes()}, as_of)
        report = RemindReport(as_of, found.month, found.due, send,
                              submitted=[d.id for d in found.submitted],
                              unknown=[{"id": d.id, "name": d.name, "why": why}
                                       for d, why in found.unknown])
        batch = _batch(cohort, store, found, report)
        outbox = outbox or cohort.folder / ".sheetsync" / "outbox"
        if send:
            assert transport is not None
            _send(store, transport, batch, progress)
        else:
            _draft(outbox, batch, progress)
        _digest(cohort, report, batch, store if send else None, transport, outbox)
    return report


Batch = list[tuple[Reminder, EmailMessage, list[Address]]]


def _batch(cohort: Cohort, store: Store, found: Plan, report: RemindReport) -> Batch:
    """The messages to write or send; the rest (no contact, already sent) in ``report``."""
    sender = _sender(cohort)
    sent = {r["district_id"]: r for r in store.reminders(found.month) if r["kind"] == KIND}
    out: Batch = []
    for due in found.reminders:
        d = due.district
        to, bad = _recipients(d.contacts)
        if not to:
            why = (f"no valid contact ({', '.join(repr(b) for b in bad)} "
                   "not an e-mail address)") if bad else "no contacts in cohort.toml"
            report.no_contact.append({"id": d.id, "name": d.name, "why": why})
            continue
        before = sent.get(d.id)
        got = {_key(x) for x in before["recipients"]} if before else set()
        left = [a for a in to if a.addr_spec.lower() not in got]  # refused before, or new
        r = Reminder(d.id, d.name, due.month, KIND, [str(a) for a in left or to])
        if bad:
            r.reason = f"left out {', '.join(repr(b) for b in bad)}: not an e-mail address"
        report.reminders.append(r)
        if before and not left:
            r.status, r.sent_at, r.to = ALREADY, before["sent_at"], before["recipients"]
            continue
        msg = message.reminder(due, left, sender, cohort.cohort.name, cohort.words)
        out.append((r, msg, left))
    return out


def _key(recipient: str) -> str:
    """``Jane Doe <jane@x.org>`` as ``jane@x.org``: how recipients are compared."""
    a = message.address(recipient)
    return a.addr_spec.lower() if a else recipient.strip().lower()


def _recipients(contacts: list[str]) -> tuple[list[Address], list[str]]:
    good, bad = [], []
    for c in contacts:
        a = message.address(c)
        if a is None:
            bad.append(c)
        else:
            good.append(a)
    return good, bad


def _sender(cohort: Cohort) -> Address | None:
    return message.address(cohort.smtp.sender) if cohort.smtp else None


def _draft(outbox: Path, batch: Batch, progress: Progress | None) -> None:
    try:
        outbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RemindError(f"{outbox}: cannot write the drafts there ({exc.strerror})") from None
    for r, msg, _ in batch:
        msg["X-Unsent"] = "1"  # mail programs open it as a draft to send
        path = outbox / f"{r.month}-{_slug(r.district_id)}-{r.kind}.eml"
        path.write_bytes(msg.as_bytes())
        r.status, r.file = DRAFTED, str(path)
        if progress:
            progress(r)


def _send(store: Store, transport: Transport, batch: Batch,
          progress: Progress | None) -> None:
    """Send one by one, recording each as the server takes it; a lost connection stops the
    batch, and what was not sent waits for the next run."""
    if not batch:
        return
    lost: str | None = None
    try:
        transport.open()
    except NotSent as exc:
        lost = exc.reason
    for r, msg, to in batch:
        if lost is None:
            lost = _send_one(store, transport, r, msg, to)
        else:
            r.status, r.reason = NOT_SENT, f"{lost}; the next run sends it"
        if progress:
            progress(r)
    transport.close()


def _send_one(store: Store, transport: Transport, r: Reminder, msg: EmailMessage,
              to: list[Address]) -> str | None:
    """Send one message; the reason the connection was lost, if it was."""
    try:
        refused = transport.send(msg, [a.addr_spec for a in to])
    except NotSent as exc:
        r.status, r.reason = NOT_SENT, exc.reason
        return exc.reason if exc.connection_lost else None
    r.status, r.refused, r.sent_at = SENT, refused, _now()
    taken = [str(a) for a in to if a.addr_spec not in refused]
    answers = {str(a): refused[a.addr_spec] for a in to if a.addr_spec in refused}
    with store.transaction():  # each recipient's answer: the refused are sent again next run
        store.record_reminder(r.district_id, r.month, r.kind, taken, r.sent_at,
                              msg["Message-ID"], answers)
    return None


def _digest(cohort: Cohort, report: RemindReport, batch: Batch, store: Store | None,
            transport: Transport | None, outbox: Path) -> None:
    """The consultant's digest, when ``[smtp] digest_to`` is set and this run drafted or
    sent a reminder, or one failed that the last digest did not list: once per news."""
    smtp = cohort.smtp
    if smtp is None or not smtp.digest_to or not batch or report.month is None:
        return
    to, _ = _recipients(smtp.digest_to)
    label = "drafted" if store is None else "reminded"
    done = {DRAFTED, SENT}
    sections = [
        (label.capitalize(), [_who(r) for r in report.reminders if r.status in done]),
        ("Not sent, retried next run", [f"{_who(r)}: {r.reason}" for r in report.reminders
                                        if r.status == NOT_SENT]),
        ("Reminded before", [_who(r) for r in report.reminders if r.status == ALREADY]),
        ("No contact", [f"{d['name']} ({d['id']}): {d['why']}" for d in report.no_contact]),
        ("Cannot tell", [f"{d['name']} ({d['id']}): {d['why']}" for d in report.unknown])]
    # News: a reminder sent now, or one not sent that the last digest did not list; a
    # retry that changed nothing (serve --remind at every tick) is not news.
    failing = sorted(r.district_id for r in report.reminders if r.status == NOT_SENT)
    key = f"{DIGEST}:{report.month}"
    told = set(json.loads(store.meta(key) or "[]")) if store is not None else set()
    if store is not None and not any(r.status in done for r in report.reminders) and \
            set(failing) <= told:
        return
    msg = message.digest(to, _sender(cohort), cohort.cohort.name, report.month, sections)
    r = Reminder("", "digest", report.month, "digest", [str(a) for a in to])
    report.digest = r
    if store is None:
        _draft(outbox, [(r, msg, to)], None)
        return
    assert transport is not None
    try:
        transport.open()
        r.refused, r.status, r.sent_at = transport.send(msg, [a.addr_spec for a in to]), \
            SENT, _now()
    except NotSent as exc:
        r.status, r.reason = NOT_SENT, exc.reason
    finally:
        transport.close()
    if r.status == SENT:
        with store.transaction():
            store.set_meta(key, json.dumps(failing))


def _who(r: Reminder) -> str:
    return f"{r.name} ({r.district_id}) to {', '.join(r.to)}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text) or "cohort"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
