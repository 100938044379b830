"""Sign-in worth its name, through the app in process: wrong tokens slowed per client and
logged once per burst; tokens judged by strength; sessions with a key of their own, a
working day long, revocable; a strict Host parser."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")

from sheetsync.errors import ServeError
from sheetsync.serve.auth import parse_host
from sheetsync.serve.settings import MIN_BITS, check_token, read_token, token_bits
from sheetsync.serve.signin import Sessions, Throttle
from tests.serve.inprocess import app_of, client, service

pytestmark = pytest.mark.anyio
TOKEN = "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"


# -- wrong tokens -------------------------------------------------------------------------


class Clock:
    """A clock for the throttle whose sleeps pass at once, and are added up."""

    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def slowed(s: Any) -> Clock:
    clock = Clock()
    s.throttle.clock, s.throttle.sleep = clock, clock.sleep
    return clock


async def test_500_wrong_sign_ins_are_slowed_and_logged_once(
        pulled: Path, caplog: pytest.LogCaptureFixture) -> None:
    """They took 0.24 s and wrote 500 warnings."""
    caplog.set_level(logging.INFO, "sheetsync")
    s = service(pulled, TOKEN)
    clock = slowed(s)
    async with client(app_of(s), address="203.0.113.7") as http:
        answers = [await http.post("/login", data={"token": f"guess-{i}", "next": "/"})
                   for i in range(500)]
        bearer = await http.get("/api/summary", headers={"Authorization": f"Bearer {TOKEN}"})
    assert {a.status_code for a in answers} == {401}
    assert sum(clock.slept) > 3600  # an hour of waiting, spent on the event loop
    assert clock.slept[:3] == [0.5, 1.0, 2.0] and max(clock.slept) == Throttle.MAX_WAIT
    assert bearer.status_code == 200 and clock.slept[-1] == Throttle.MAX_WAIT  # slowed too
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "203.0.113.7" in warnings[0].getMessage()
    assert TOKEN not in caplog.text


async def test_wrong_bearer_tokens_slow_only_their_client(pulled: Path) -> None:
    s = service(pulled, TOKEN)
    clock = slowed(s)
    app = app_of(s)
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
    right = {"Authorization": f"Bearer {TOKEN}"}
    async with client(app, address="198.51.100.1") as attacker, \
            client(app, address="198.51.100.2") as other:
        for _ in range(6):
            assert (await attacker.get("/api/summary", headers=wrong)).status_code == 401
        assert clock.slept == [0.5, 1.0]
        assert (await other.get("/api/summary", headers=right)).status_code == 200
        assert clock.slept == [0.5, 1.0]  # another address waits for nothing
        assert (await attacker.get("/api/summary", headers=right)).status_code == 200
        assert clock.slept == [0.5, 1.0, 2.0]
        assert (await attacker.get("/api/summary", headers=wrong)).status_code == 401
        assert clock.slept == [0.5, 1.0, 2.0]  # the right one ended the burst


async def test_tries_at_once_are_taken_one_at_a_time() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    results = await asyncio.gather(*(throttle.check("a", lambda: False) for _ in range(8)))
    assert [burst for _, burst in results] == [True] + [False] * 7
    assert clock.slept == [0.5, 1.0, 2.0, 4.0]  # 3 wrong are free; from the 5th try each waits
    clock.now += Throttle.QUIET + 1
    assert await throttle.check("a", lambda: False) == (False, True)  # a new burst


# -- the token's strength -----------------------------------------------------------------


@pytest.mark.parametrize("token", ["a" * 16, "b" * 40, "abcdefghijklmnopqrstu",
                                   "0123456789012345", "aB3$aB3$aB3$aB3$aB3$",
                                   "Password12345678", "zyxwvutsrqponmlkjih"])
def test_a_token_easy_to_guess_is_refused(token: str) -> None:
    assert token_bits(token) < MIN_BITS
    with pytest.raises(ServeError, match="too easy to guess"):
        read_token(None, {"SHEETSYNC_TOKEN": token})


@pytest.mark.parametrize("token", [TOKEN, "9KJG3zrEP3GBKo8oRrno5zgxv-tVvr7N3soEQ9cfeLs",
                                   "eb1d6e32b585a661291a639b0e216c2f"])
def test_a_random_token_is_taken(token: str) -> None:
    check_token(token, "test")


def test_new_token_writes_a_strong_one_only_its_owner_reads(tmp_path: Path) -> None:
    from sheetsync.cli.serve import serve

    path = tmp_path / "token"
    done = CliRunner().invoke(serve, ["--new-token", str(path)])
    assert done.exit_code == 0, done.output
    assert f"--token-file {path}" in done.output
    token = path.read_text().strip()
    assert token not in done.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token_bits(token) > 200 and read_token(path, {}) == token
    again = CliRunner().invoke(serve, ["--new-token", str(path)])
    assert again.exit_code == 2 and "exists" in again.output
    assert path.read_text().strip() == token  # never overwritten


# -- sessions -----------------------------------------------------------------------------


async def test_a_session_is_random_a_working_day_long_and_opens_the_pages(
        pulled: Path) -> None:
    async with client(app_of(service(pulled, TOKEN))) as http:
        cookies = []
        for _ in range(2):
            signed = await http.post("/login", data={"token": TOKEN, "next": "/"})
            assert signed.status_code == 303
            cookies.append(signed.headers["set-cookie"])
        assert "Max-Age=36000" in cookies[0] and "HttpOnly" in cookies[0]
        assert cookies[0] != cookies[1]  # each sign-in its own session
        assert TOKEN not in cookies[0]
        http.cookies.clear()
        value = cookies[0].split(";")[0].split("=", 1)[1]
        ok = await http.get("/api/summary", headers={"Cookie": f"sheetsync_session={value}"})
        assert ok.status_code == 200
        forged = value.rsplit(".", 1)[0] + "." + "0" * 64
        bad = await http.get("/api/summary", headers={"Cookie": f"sheetsync_session={forged}"})
        assert bad.status_code == 401


def test_a_session_ends_after_ten_hours(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    sessions = Sessions(TOKEN, tmp_path / "session.key", clock=lambda: now[0])
    value = sessions.new()
    now[0] += 10 * 3600 - 1
    assert sessions.valid(value)
    now[0] += 2
    assert not sessions.valid(value)


def test_a_new_token_ends_every_session(tmp_path: Path) -> None:
    value = Sessions(TOKEN, tmp_path / "session.key").new()
    assert Sessions(TOKEN, tmp_path / "session.key").valid(value)  # a restart keeps it
    assert not Sessions(TOKEN[::-1], tmp_path / "session.key").valid(value)


async def test_revoke_sessions_signs_every_browser_out(
        pulled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetsync.cli.serve import serve
    from sheetsync.serve import signin

    monkeypatch.setattr(signin, "KEY_CHECK", 0.0)
    async with client(app_of(service(pulled, TOKEN))) as http:
        signed = await http.post("/login", data={"token": TOKEN, "next": "/"})
        assert (await http.get("/api/summary")).status_code == 200
        key = pulled.parent / ".sheetsync" / "session.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        done = CliRunner().invoke(serve, ["--cohort", str(pulled), "--revoke-sessions"])
        assert done.exit_code == 0 and "signed out" in done.output
        assert signed.status_code == 303
        assert (await http.get("/api/summary")).status_code == 401


# -- the Host header ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1:8712@evil.example", "[::1]evil", "127.0.0.1 ",
                                  " localhost", "localhost:80:80", "127.0.0.1:", "[::1",
                                  "[zz::1]", "local host", "evil.example/x", "127.0.0.1:8712\t",
                                  "localhost:123456", "", "a..b@c"])
def test_a_host_header_that_is_not_a_name_and_port_is_refused(host: str) -> None:
    assert parse_host(host) is None


@pytest.mark.parametrize(("host", "name"), [("127.0.0.1:8712", "127.0.0.1"),
                                            ("LOCALHOST", "localhost"), ("[::1]:80", "[::1]"),
                                            ("scorecards.example.org", "scorecards.example.org")])
def test_a_host_header_is_read(host: str, name: str) -> None:
    assert parse_host(host) == name


@pytest.mark.parametrize("host", ["127.0.0.1:8712@evil.example", "[::1]evil",
                                  "localhost:8712 ", "127.0.0.1 "])
async def test_a_malformed_host_gets_no_page(pulled: Path, host: str) -> None:
    async with client(app_of(service(pulled))) as http:
        answer = await http.get("/api/summary", headers={"Host": host})
    assert answer.status_code == 400


def test_the_key_file_is_private(tmp_path: Path) -> None:
    Sessions(TOKEN, tmp_path / "k" / "session.key")
    assert stat.S_IMODE(os.stat(tmp_path / "k" / "session.key").st_mode) == 0o600
