"""The service bounds what a client can make it hold, through the app in process: a body
refused from its Content-Length before a byte is read, and while it streams; callers
waiting for a pull wait on the event loop, at most MAX_WAITERS at once; /health answers
however busy the rest is."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")

from sheetsync.serve.app import MAX_WAITERS
from sheetsync.serve.limits import MAX_BODY
from tests.serve.inprocess import app_of, client, raw, service

pytestmark = pytest.mark.anyio
ROUTES = [("GET", "/"), ("GET", "/health"), ("GET", "/api/summary"), ("GET", "/events"),
          ("POST", "/api/pull"), ("POST", "/login"), ("GET", "/login"), ("GET", "/metrics"),
          ("GET", "/no-such-page")]
GIB = 1 << 30


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("token", [None, "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"])
async def test_a_large_content_length_is_refused_before_the_body_is_read(
        pulled: Path, method: str, path: str, token: str | None) -> None:
    app = app_of(service(pulled, token))
    status, headers, read = await raw(app, method, path,
                                      [(b"content-length", str(GIB).encode())], [b"x" * 65536])
    assert (status, read) == (413, 0)
    assert headers[b"connection"] == b"close"  # the rest of the body is never read


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_a_body_without_a_length_is_cut_off_as_it_streams(pulled: Path, method: str,
                                                                path: str) -> None:
    app = app_of(service(pulled, "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"))
    chunks = [b"token=" + b"x" * 1024] + [b"x" * 1024] * 1023  # 1 MiB, no Content-Length
    status, headers, read = await raw(app, method, path,
                                      [(b"transfer-encoding", b"chunked")], chunks)
    assert status == 413 and headers[b"connection"] == b"close"
    assert read <= MAX_BODY // 1024 + 1  # stopped at the limit, not at the end


async def test_a_body_too_slow_is_refused(pulled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetsync.serve import limits

    monkeypatch.setattr(limits, "BODY_SECONDS", 0.2)
    app = app_of(service(pulled))
    status, headers, read = await raw(app, "POST", "/login", [(b"content-length", b"100")],
                                      [b"token=1"], whole=False)  # 7 bytes, then nothing
    assert status == 408 and read == 1 and headers[b"connection"] == b"close"


async def test_a_sign_in_within_the_limit_is_read(pulled: Path) -> None:
    token = "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"
    async with client(app_of(service(pulled, token))) as http:
        answer = await http.post("/login", data={"token": token, "next": "/"})
        assert answer.status_code == 303
        big = await http.post("/login", data={"token": token, "next": "/" + "a" * MAX_BODY})
        assert big.status_code == 413


async def test_waiters_hold_no_thread_and_health_answers_meanwhile(pulled: Path) -> None:
    """45 callers waiting for a pull held every worker thread before; /health waited."""
    s = service(pulled)
    async with client(app_of(s), timeout=30) as http:
        waiters = [asyncio.ensure_future(http.post("/api/pull?wait=true"))
                   for _ in range(45)]
        await asyncio.sleep(0.5)
        start = time.perf_counter()
        health = await http.get("/health")
        summary = await http.get("/api/summary")  # a route that runs in a thread
        took = time.perf_counter() - start
        assert health.status_code == 200 and summary.status_code == 200 and took < 2
        assert s.waiting == MAX_WAITERS
        s.scheduler.finish()  # type: ignore[attr-defined]
        answers = await asyncio.gather(*waiters)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * MAX_WAITERS + [429] * (45 - MAX_WAITERS)
    assert all(a.json()["state"] == "done" for a in answers if a.status_code == 200)
    refused = next(a for a in answers if a.status_code == 429)
    assert "without ?wait=true" in refused.json()["detail"]
    assert s.waiting == 0


async def test_a_waiter_that_hangs_up_stops_waiting(pulled: Path) -> None:
    from sheetsync.serve.app import _until_done

    s = service(pulled)
    job = s.scheduler.request()

    class HungUp:
        async def receive(self) -> dict[str, str]:
            return {"type": "http.disconnect"}

    start = time.perf_counter()
    assert await _until_done(job, HungUp(), 60) is False  # type: ignore[arg-type]
    assert time.perf_counter() - start < 1
