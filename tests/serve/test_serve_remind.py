"""`sheetsync serve --remind`: after a pull past the month's due day, the reminders due go
through the cohort's [smtp] server (a real one on loopback, aiosmtpd), once: the next pull
sends nothing again. Without [smtp] it refuses to start."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from tests.serve_process import Service, copy_cohort, sheetsync
from tests.smtp import Mailbox

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")
aiosmtpd = pytest.importorskip("aiosmtpd")


def with_smtp(toml: Path, port: int) -> None:
    smtp = {"host": "127.0.0.1", "port": port, "from": "Coach <coach@example.org>",
            "starttls": False, "timeout": 5}
    lines = [f"{k} = {json.dumps(v)}" for k, v in smtp.items()]
    toml.write_text(toml.read_text() + "\n[smtp]\n" + "\n".join(lines) + "\n")


def not_submitted(workbook: Path, month: date) -> None:
    """Clear the Submitted On date of ``month``'s update: it becomes missing."""
    import datetime as dt

    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["Monthly Updates"]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == dt.datetime(month.year, month.month, 1):
            row[7].value = None
    wb.save(workbook)


def test_serve_remind_sends_the_reminders_due_once(examples: Path, tmp_path: Path,
                                                    smtp_server: tuple[Mailbox, int]) -> None:
    from sheetsync.cohort.file import load_cohort
    from sheetsync.cohort.store import Store
    from sheetsync.remind.plan import plan

    box, port = smtp_server
    toml = copy_cohort(examples, tmp_path / "cohort")
    with_smtp(toml, port)
    for name in ("barren", "boyle"):  # their November update not submitted
        not_submitted(toml.parent / "districts" / f"{name}.xlsx", date(2026, 11, 1))
    with Service(toml.parent, "--remind") as service:
        cohort = load_cohort(toml)
        with Store.reader(cohort.store_path) as store:
            due = plan(cohort, {o.district_id: o for o in store.outcomes()}, date.today())
        if not due.reminders:
            pytest.skip(f"no monthly update is due and missing as of {date.today()}")
        # the service is ready once the pull is in the store; it reminds just after
        end = time.monotonic() + 60
        while "reminders for" not in service.log() and time.monotonic() < end:
            time.sleep(0.2)
        with Store.reader(cohort.store_path) as store:
            sent = store.reminders()
        assert sorted(r["district_id"] for r in sent) == \
            sorted(d.district.id for d in due.reminders)
        assert sorted(to for to, _ in box.messages) == \
            sorted([c for c in d.district.contacts] for d in due.reminders)
        assert service.pull()["state"] == "done"
        assert len(box.messages) == len(due.reminders)  # nothing sent twice
        assert f"reminders for {due.month}: {len(due.reminders)} sent" in service.log()


def test_serve_remind_without_smtp_is_refused(examples: Path, tmp_path: Path) -> None:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    done = sheetsync("serve", "--remind", "--port", "9", cwd=folder, timeout=60)
    assert done.returncode == 2
    assert "--remind sends through [smtp]" in done.stderr
