"""Each district's board report e-mailed to its contacts, once a month: ``publish --email``.

Through the reminders' transport (the cohort's ``[smtp]``, ``remind.send``): one message
per district, its board PDF from the published month attached. A message the server
takes is recorded in the store (kind ``board-report``), so a district gets the month's
report once however often ``publish --email`` runs; one the server refuses is said and
sent by the next run. A district without a valid contact is said, not sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store, store_lock
from sheetsync.errors import NotSent, RemindError
from sheetsync.remind import message
from sheetsync.remind.send import SmtpTransport, Transport

KIND = "board-report"  # the store's reminders table: what was sent, once a month


@dataclass
class Mailed:
    sent: list[str] = field(default_factory=list)  # district ids
    already: list[str] = field(default_factory=list)  # sent by an earlier run this month
    not_sent: dict[str, str] = field(default_factory=dict)  # id: why


def email_boards(cohort: Cohort, folder: Path, month: str, boards: dict[str, Path],
                 transport: Transport | None = None) -> Mailed:
    """E-mail each district in ``boards`` (id: its board PDF) to its contacts, once for
    ``month``, through ``transport`` (default: ``transport_for(cohort)``)."""
    transport = transport or transport_for(cohort)
    sender = message.address(cohort.smtp.sender) if cohort.smtp else None
    done = Mailed()
    with store_lock(cohort.store_path, "publish --email"), Store(cohort.store_path) as store:
        todo = []
        for d in cohort.members:
            if d.id not in boards:
                continue
            if store.reminded(d.id, month, KIND):
                done.already.append(d.id)
                continue
            to = [a for a in map(message.address, d.contacts) if a is not None]
            if not to:
                done.not_sent[d.id] = "no valid contact in cohort.toml"
                continue
            todo.append((d.id, _message(d.name, month, cohort.cohort.name, to, sender,
                                        boards[d.id]), to))
        if not todo:
            return done
        try:
            transport.open()
        except NotSent as exc:
            done.not_sent.update({i: exc.reason for i, _, _ in todo})
            return done
        try:
            for did, msg, to in todo:
                try:
                    refused = transport.send(msg, [a.addr_spec for a in to])
                except NotSent as exc:
                    done.not_sent[did] = exc.reason
                    continue
                taken = [str(a) for a in to if a.addr_spec not in refused]
                with store.transaction():
                    store.record_reminder(did, month, KIND, taken,
                                          datetime.now(UTC).isoformat(timespec="seconds"),
                                          msg["Message-ID"],
                                          {str(a): refused[a.addr_spec] for a in to
                                           if a.addr_spec in refused})
                done.sent.append(did)
        finally:
            transport.close()
    return done


def transport_for(cohort: Cohort) -> Transport:
    """The cohort's ``[smtp]`` transport; ``RemindError`` when it has none (asked before
    anything is published, so the month is not printed for nothing)."""
    if cohort.smtp is None:
        raise RemindError(f"{cohort.path}: no [smtp] settings; add host and from (see "
                          "`sheetsync remind --help`) to e-mail the board reports")
    return SmtpTransport(cohort.smtp, cohort.folder)


def _message(name: str, month: str, cohort_name: str, to: list[Address],
             sender: Address | None, pdf: Path) -> EmailMessage:
    msg = message.new_message(to, sender)
    label = message.month_name(month)
    msg["Subject"] = message.one_line(f"{name}: the board report for {label}")
    msg.set_content(f"Attached is {message.one_line(name)}'s board report for {label}, "
                    f"from {message.one_line(cohort_name)}.\n")
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                       filename=pdf.name)
    return msg
