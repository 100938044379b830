"""`sheetsync remind`: reminders for monthly updates due and not submitted, drafted as .eml
or sent through a real SMTP server on loopback (aiosmtpd), once per district, month and
kind.

The cohort: `sheetsync example` as of 2026-12-20 (December's update not yet written), Adair
then submits December, and `sheetsync pull --force --as-of 2027-01-05` records it. As of
2027-01-05 December's update (due 2026-12-30) is due: Adair submitted, the other five did
not.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomlkit
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import SCHEMA_VERSION, Store
from sheetsync.remind import remind
from tests.helpers import copy_cohort, free_port
from tests.smtp import Mailbox
from tests.stores import older_store

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

AS_OF = "2027-01-05"
DUE = ["KY-002", "KY-003", "KY-004", "KY-005", "KY-006"]  # KY-001 submitted December


@pytest.fixture(scope="session")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("remind") / "cohort"
    runner = CliRunner()
    made = runner.invoke(main, ["example", str(folder), "--as-of", "2026-12-20"])
    assert made.exit_code == 0, made.output
    book = folder / "districts" / "adair.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["Monthly Updates"]
    assert ws["A7"].value == dt.datetime(2026, 12, 1)
    ws["G7"], ws["H7"] = "Ann Lee", dt.datetime(2026, 12, 29)
    wb.save(book)
    done = runner.invoke(main, ["pull", "--cohort", str(folder), "--force", "--as-of", AS_OF])
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture
def remind_dir(pulled: Path, tmp_path: Path) -> Path:
    """A copy of this module's pulled cohort (an update submitted late), for one test."""
    return copy_cohort(pulled, tmp_path / "cohort")


def edit_cohort(folder: Path, smtp: dict[str, Any] | None = None,
                contacts: dict[str, list[str]] | None = None,
                names: dict[str, str] | None = None) -> None:
    path = folder / "cohort.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    if smtp is not None:
        doc["smtp"] = smtp
    for d in doc["district"]:
        if contacts and d["id"] in contacts:
            d["contacts"] = contacts[d["id"]]
        if names and d["id"] in names:
            d["name"] = names[d["id"]]
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def run(folder: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["remind", "--cohort", str(folder), "--as-of", AS_OF,
                                     *args], env=env)


def sent_rows(folder: Path) -> list[tuple[str, str, str]]:
    with Store(folder / ".sheetsync" / "store.sqlite") as store:
        return [(r["district_id"], r["month"], r["kind"]) for r in store.reminders()]


# -- a real SMTP server on loopback: tests/smtp.py ----------------------------------------


def plain_smtp(port: int, **extra: Any) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "from": "Consultant <coach@example.org>",
            "starttls": False, "timeout": 5, **extra}


def address_of(district: str) -> str:
    slug = {"KY-001": "adair", "KY-002": "barren", "KY-003": "boyle", "KY-004": "calloway",
            "KY-005": "daviess", "KY-006": "fayette"}[district]
    return f"planning@{slug}.kyschools.us"


# -- drafts ---------------------------------------------------------------------------


def test_drafts_are_written_and_nothing_is_sent(remind_dir: Path) -> None:
    result = run(remind_dir)
    assert result.exit_code == 0, result.output
    outbox = remind_dir / ".sheetsync" / "outbox"
    assert sorted(p.name for p in outbox.iterdir()) == [
        f"2026-12-{d}-update-missing.eml" for d in DUE]
    assert sent_rows(remind_dir) == []
    assert "5 drafted (nothing sent" in result.output
    msg = email.message_from_bytes((outbox / "2026-12-KY-002-update-missing.eml").read_bytes(),
                                   policy=policy.default)
    body = msg.get_content()
    assert msg["To"] == "planning@barren.kyschools.us"
    assert msg["Subject"] == "Barren County: the monthly update for December 2026 is due"
    assert "was due on 30 December 2026 and has not been submitted yet" in body
    assert "districts/barren.xlsx" in body
    # written on 20 December, the example has no December actuals yet: stale by January
    assert "Also needing attention:" in body and "Enter the actual for Dec 2026. (Measures!W" \
        in " ".join(body.split())


def test_a_district_that_submitted_gets_nothing(remind_dir: Path) -> None:
    report = remind(load_cohort(remind_dir / "cohort.toml"), dt.date(2027, 1, 5))
    assert report.submitted == ["KY-001"]
    assert [r.district_id for r in report.reminders] == DUE


def test_drafts_go_to_the_outbox_given(remind_dir: Path, tmp_path: Path) -> None:
    result = run(remind_dir, "--outbox", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.eml"))) == 5


def test_no_update_due_yet_reminds_nobody(remind_dir: Path) -> None:
    result = CliRunner().invoke(main, ["remind", "--cohort", str(remind_dir), "--as-of",
                                       "2026-10-15"])
    assert result.exit_code == 0, result.output
    assert "No monthly update is due yet" in result.output


def test_a_district_not_pulled_since_the_due_day_is_not_reminded(remind_dir: Path) -> None:
    # As of 2027-02-05 January's update (due 2027-01-30) is due, but the store's reads
    # are as of 2027-01-05: it cannot tell who submitted since, so it says pull first.
    report = remind(load_cohort(remind_dir / "cohort.toml"), dt.date(2027, 2, 5))
    assert report.month == "2027-01" and report.reminders == []
    assert [u["id"] for u in report.unknown] == ["KY-001", *DUE]
    assert "run `sheetsync pull` first" in report.unknown[0]["why"]


def test_remind_before_any_pull_says_pull_first(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["example", str(tmp_path / "c"), "--as-of", "2026-11-05"])
    result = run(tmp_path / "c")
    assert result.exit_code == 2
    assert "no pulls yet; run `sheetsync pull` first" in result.output


# -- contacts -------------------------------------------------------------------------


def test_display_names_are_kept_from_roster_to_the_message(remind_dir: Path) -> None:
    from sheetsync.cohort.roster import read_roster

    roster = remind_dir / "roster.csv"
    roster.write_text('id,name,contacts\nKY-002,Barren,"Jane Doe <jane@barren.org>, '
                      'bob@barren.org"\n', encoding="utf-8")
    contacts = read_roster(roster)[0].contacts
    assert contacts == ["Jane Doe <jane@barren.org>", "bob@barren.org"]
    edit_cohort(remind_dir, contacts={"KY-002": contacts})
    assert load_cohort(remind_dir / "cohort.toml").districts[1].emails == [
        "jane@barren.org", "bob@barren.org"]
    run(remind_dir)
    eml = remind_dir / ".sheetsync" / "outbox" / "2026-12-KY-002-update-missing.eml"
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Jane Doe", "jane@barren.org"), ("", "bob@barren.org")]


def test_a_district_with_no_contacts_is_listed_not_an_error(remind_dir: Path) -> None:
    edit_cohort(remind_dir, contacts={"KY-003": []})
    result = run(remind_dir, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["no_contact"] == [{"id": "KY-003", "name": "Boyle County",
                                   "why": "no contacts in cohort.toml"}]
    assert "KY-003" not in [r["district_id"] for r in data["reminders"]]


def test_a_contact_that_is_not_an_address_is_left_out_and_said(remind_dir: Path) -> None:
    edit_cohort(remind_dir, contacts={"KY-003": ["bob at boyle"],
                                      "KY-004": ["Ann <ann@calloway.org>",
                                                 "Eve\r\nBcc: x@evil.example <e@x.org>"]})
    report = remind(load_cohort(remind_dir / "cohort.toml"), dt.date(2027, 1, 5))
    assert report.no_contact == [{"id": "KY-003", "name": "Boyle County",
                                  "why": "no valid contact ('bob at boyle' not an e-mail "
                                         "address)"}]
    calloway = next(r for r in report.reminders if r.district_id == "KY-004")
    assert calloway.to == ["Ann <ann@calloway.org>"]
    assert calloway.reason and "not an e-mail address" in calloway.reason


def test_a_district_name_with_a_header_injection_ends_up_harmless(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port),
                names={"KY-004": "Calloway\r\nBcc: x@evil.example"})
    result = run(remind_dir, "--send")
    assert result.exit_code == 0, result.output
    assert "x@evil.example" not in [a for rcpt in box.to() for a in rcpt]
    msg = next(m for rcpt, m in box.messages if rcpt == [address_of("KY-004")])
    assert msg["Bcc"] is None
    # the stdlib folds this subject onto a continuation line; unfolded it is one line
    assert msg["Subject"].strip() == "Calloway Bcc: x@evil.example: the monthly update " \
                                     "for December 2026 is due"


# -- sending --------------------------------------------------------------------------


def test_send_delivers_one_reminder_per_district_to_its_contacts(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port))
    result = run(remind_dir, "--send")
    assert result.exit_code == 0, result.output
    assert box.to() == [[address_of(d)] for d in DUE]
    assert all(m["From"] == "Consultant <coach@example.org>" for _, m in box.messages)
    assert sent_rows(remind_dir) == [(d, "2026-12", "update-missing") for d in DUE]
    assert not (remind_dir / ".sheetsync" / "outbox").exists()


def test_a_second_run_sends_nothing_again(remind_dir: Path,
                                          smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port))
    assert run(remind_dir, "--send").exit_code == 0
    again = run(remind_dir, "--send")
    assert again.exit_code == 0, again.output
    assert len(box.messages) == 5
    assert "0 sent, 5 reminded before" in again.output
    drafts = run(remind_dir)  # drafts leave out what was sent, too
    assert "0 drafted" in drafts.output


def test_a_refused_recipient_is_listed_and_retried_next_run(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port))
    box.refuse_rcpt = {address_of("KY-003")}
    first = run(remind_dir, "--send")
    assert first.exit_code == 3, first.output
    assert "550 5.1.1 no such mailbox here" in first.output
    assert [d for d, _, _ in sent_rows(remind_dir)] == ["KY-002", "KY-004", "KY-005", "KY-006"]
    box.refuse_rcpt = set()
    second = run(remind_dir, "--send")
    assert second.exit_code == 0, second.output
    assert box.to() == [[address_of(d)] for d in [*DUE[:1], *DUE[2:], "KY-003"]]


def test_a_partly_refused_message_is_recorded_for_who_got_it(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port),
                contacts={"KY-002": ["Jane Doe <jane@barren.org>", "gone@barren.org"]})
    box.refuse_rcpt = {"gone@barren.org"}
    result = run(remind_dir, "--send", "--json")
    assert result.exit_code == 3
    barren = json.loads(result.output)["reminders"][0]
    assert barren["status"] == "sent"
    assert list(barren["refused"]) == ["gone@barren.org"]
    with Store(remind_dir / ".sheetsync" / "store.sqlite") as store:
        assert store.reminders()[0]["recipients"] == ["Jane Doe <jane@barren.org>"]


def test_a_refused_message_at_data_is_not_recorded(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port))
    box.refuse_data = {address_of("KY-005")}
    result = run(remind_dir, "--send")
    assert result.exit_code == 3
    assert "554 5.7.1 message refused" in result.output
    assert "KY-005" not in [d for d, _, _ in sent_rows(remind_dir)]
    assert len(box.messages) == 4  # the batch went on after the refusal


def test_a_timeout_stops_the_batch_and_the_next_run_sends_the_rest(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port, timeout=0.5))
    box.stall_for = {address_of("KY-003")}
    box.stall_seconds = 1.5
    first = run(remind_dir, "--send", "--json")
    assert first.exit_code == 3
    status = {r["district_id"]: (r["status"], r["reason"])
              for r in json.loads(first.output)["reminders"]}
    assert status["KY-002"] == ("sent", None)
    assert status["KY-003"] == ("not sent", "the connection was lost (timed out)")
    assert status["KY-004"][0] == "not sent" and "next run" in status["KY-004"][1]
    assert [d for d, _, _ in sent_rows(remind_dir)] == ["KY-002"]
    box.stall_for = set()
    second = run(remind_dir, "--send")
    assert second.exit_code == 0, second.output
    assert box.to() == [[address_of(d)] for d in DUE]


def test_a_dropped_connection_mid_batch_retries_only_the_unsent(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port))
    box.drop_after = 1
    first = run(remind_dir, "--send")
    assert first.exit_code == 3, first.output
    assert "4 could not be sent" in first.output
    assert sent_rows(remind_dir) == [("KY-002", "2026-12", "update-missing")]
    box.drop_after = None
    second = run(remind_dir, "--send")
    assert second.exit_code == 0, second.output
    assert box.to() == [[address_of(d)] for d in DUE]  # nothing twice


def test_an_unreachable_server_sends_nothing_and_records_nothing(remind_dir: Path) -> None:
    edit_cohort(remind_dir, smtp=plain_smtp(free_port()))
    result = run(remind_dir, "--send")
    assert result.exit_code == 3
    assert "cannot connect to 127.0.0.1" in result.output
    assert sent_rows(remind_dir) == []


# -- STARTTLS, login, settings ---------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself, and its key."""
    x509 = pytest.importorskip("cryptography.x509")
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetsync test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


PASSWORD = "s3cret-Pa55word"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    import ssl

    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def check(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"coach" and \
            auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=check,
                            auth_require_tls=True)
    controller.start()
    try:
        yield box, port, cert
    finally:
        controller.stop()


def test_starttls_with_a_self_signed_certificate_needs_cafile(
        remind_dir: Path, tls_server: tuple[Mailbox, int, Path]) -> None:
    box, port, cert = tls_server
    shutil.copy(cert, remind_dir / "smtp-ca.pem")
    settings = {"host": "127.0.0.1", "port": port, "from": "coach@example.org",
                "username": "coach", "timeout": 5}
    edit_cohort(remind_dir, smtp=settings)
    env = {"SHEETSYNC_SMTP_PASSWORD": PASSWORD}
    untrusted = run(remind_dir, "--send", env=env)
    assert untrusted.exit_code == 3
    assert "certificate is not trusted" in untrusted.output
    assert "[smtp] cafile" in untrusted.output
    assert box.messages == []
    edit_cohort(remind_dir, smtp={**settings, "cafile": "smtp-ca.pem"})
    trusted = run(remind_dir, "--send", env=env)
    assert trusted.exit_code == 0, trusted.output
    assert len(box.messages) == 5
    assert PASSWORD not in untrusted.output + trusted.output


def test_a_wrong_password_is_said_without_printing_it(
        remind_dir: Path, tls_server: tuple[Mailbox, int, Path]) -> None:
    box, port, cert = tls_server
    shutil.copy(cert, remind_dir / "smtp-ca.pem")
    edit_cohort(remind_dir, smtp={"host": "127.0.0.1", "port": port, "from": "c@example.org",
                                  "username": "coach", "cafile": "smtp-ca.pem"})
    result = run(remind_dir, "--send", env={"SHEETSYNC_SMTP_PASSWORD": "wrong-guess"})
    assert result.exit_code == 3
    assert "refused the login of 'coach'" in result.output
    assert "wrong-guess" not in result.output
    assert sent_rows(remind_dir) == [] and box.messages == []


@pytest.mark.parametrize("smtp, env, expected", [
    (None, {}, "no [smtp] settings"),
    ({"host": "mail.example.org", "from": "not an address"}, {}, "smtp.from"),
    ({"host": "mail.example.org", "from": "c@x.org", "pasword": "x"}, {}, "smtp.pasword"),
    ({"host": "mail.example.org", "from": "c@x.org", "username": "coach"},
     {"SHEETSYNC_SMTP_PASSWORD": ""}, "SHEETSYNC_SMTP_PASSWORD is not set"),
])
def test_bad_smtp_settings_exit_2(remind_dir: Path, smtp: dict[str, Any] | None,
                                  env: dict[str, str], expected: str) -> None:
    if smtp is not None:
        edit_cohort(remind_dir, smtp=smtp)
    result = run(remind_dir, "--send", env=env)
    assert result.exit_code == 2, result.output
    assert expected in result.output


# -- digest ---------------------------------------------------------------------------


def test_digest_lists_who_was_reminded_and_who_has_no_contact(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port, digest_to="Coach <coach@example.org>"),
                contacts={"KY-006": []})
    result = run(remind_dir, "--send")
    assert result.exit_code == 0, result.output
    rcpt, digest = box.messages[-1]
    assert rcpt == ["coach@example.org"]
    body = digest.get_content()
    assert "Reminded (4):" in body and "Barren County (KY-002) to planning@barren" in body
    assert "No contact (1):\r\n  - Fayette County (KY-006): no contacts in cohort.toml" in body
    assert len(box.messages) == 5  # four reminders and the digest
    again = run(remind_dir, "--send")
    assert again.exit_code == 0 and len(box.messages) == 5  # nothing new, no digest


# -- the store ------------------------------------------------------------------------


def test_a_store_written_before_reminders_gains_the_table(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    older_store(path, 2)  # all but reminders
    with Store(path) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION) == "6"
        assert store.reminders() == []
        with store.transaction():
            store.record_reminder("KY-1", "2026-12", "update-missing",
                                  ["a@x.org"], "2027-01-05T08:00:00+00:00", None)
        assert store.reminded("KY-1", "2026-12", "update-missing")
        assert not store.reminded("KY-1", "2027-01", "update-missing")


def test_starttls_is_required_unless_turned_off(remind_dir: Path,
                                                smtp_server: tuple[Mailbox, int]) -> None:
    box, port = smtp_server
    edit_cohort(remind_dir, smtp={"host": "127.0.0.1", "port": port, "from": "c@example.org"})
    result = run(remind_dir, "--send")
    assert result.exit_code == 3
    assert "does not offer STARTTLS" in result.output
    assert box.messages == [] and sent_rows(remind_dir) == []


def test_drafts_include_the_digest_when_digest_to_is_set(remind_dir: Path) -> None:
    edit_cohort(remind_dir, smtp=plain_smtp(25, digest_to=["coach@example.org"]))
    assert run(remind_dir).exit_code == 0
    digest = remind_dir / ".sheetsync" / "outbox" / "2026-12-cohort-digest.eml"
    msg = email.message_from_bytes(digest.read_bytes(), policy=policy.default)
    assert msg["To"] == "coach@example.org"
    assert "Drafted (5):" in msg.get_content()


def test_remind_json_is_the_library_report(remind_dir: Path) -> None:
    result = run(remind_dir, "--json")
    report = remind(load_cohort(remind_dir / "cohort.toml"), dt.date(2027, 1, 5))
    assert json.loads(result.output) == json.loads(json.dumps(report.to_json()))


# -- per recipient; the digest once per news -------------------------------------------


def test_a_refused_recipient_of_a_sent_reminder_is_retried_and_listed(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    """One contact took the reminder, another refused it (550): the next run sends it to
    the refused one only, and the store keeps each recipient's answer."""
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port),
                contacts={"KY-002": ["Jane Doe <jane@barren.org>", "gone@barren.org"]})
    box.refuse_rcpt = {"gone@barren.org"}
    first = run(remind_dir, "--send")
    assert first.exit_code == 3 and "gone@barren.org" in first.output
    with Store(remind_dir / ".sheetsync" / "store.sqlite") as store:
        row = store.reminders()[0]
        assert row["recipients"] == ["Jane Doe <jane@barren.org>"]
        assert list(row["refused"]) == ["gone@barren.org"]
        assert "550" in row["refused"]["gone@barren.org"]
    again = run(remind_dir, "--send", "--json")  # still refused: tried, and listed again
    assert again.exit_code == 3
    barren = json.loads(again.output)["reminders"][0]
    assert barren["to"] == ["gone@barren.org"]  # only the one who has not got it
    assert barren["status"] == "not sent" and "550" in barren["reason"]
    box.refuse_rcpt = set()
    count = len(box.messages)
    third = run(remind_dir, "--send")
    assert third.exit_code == 0, third.output
    assert [rcpt for rcpt, _ in box.messages[count:]] == [["gone@barren.org"]]
    with Store(remind_dir / ".sheetsync" / "store.sqlite") as store:
        row = store.reminders()[0]
        assert row["recipients"] == ["Jane Doe <jane@barren.org>", "gone@barren.org"]
        assert row["refused"] == {}
    assert "0 sent, 5 reminded before" in run(remind_dir, "--send").output


def test_the_digest_goes_once_per_news_not_every_run(
        remind_dir: Path, smtp_server: tuple[Mailbox, int]) -> None:
    """A reminder that stays unsent is tried at every run; the coach hears of it once."""
    box, port = smtp_server
    edit_cohort(remind_dir, smtp=plain_smtp(port, digest_to="Coach <coach@example.org>"))
    box.refuse_data = {address_of("KY-005")}

    def digests() -> int:
        return sum(rcpt == ["coach@example.org"] for rcpt, _ in box.messages)

    assert run(remind_dir, "--send").exit_code == 3
    assert digests() == 1
    for _ in range(3):  # serve --remind ticking: the same news
        assert run(remind_dir, "--send").exit_code == 3
    assert digests() == 1
    box.refuse_data = set()
    assert run(remind_dir, "--send").exit_code == 0  # news: KY-005 reminded
    assert digests() == 2
