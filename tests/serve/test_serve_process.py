"""`sheetsync serve` as a real process, for what only a process shows: its pull worker ends
with it (SIGTERM, SIGINT, SIGKILL), a worker killed mid-pull, start-up refusals (a port in
use, a cohort that cannot be read, a damaged store) before any work, a half-open
connection dropped, its memory while a 64 MiB body is sent, and the JSON log."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import alive, children, free_port
from tests.serve_process import Service, big_cohort, copy_cohort, sheetsync

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")
linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
SLOW_PULL = 120  # districts: a first pull of several seconds, to be caught in the middle


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def mid_pull(service: Service, timeout: float = 120) -> list[int]:
    """Wait until the first pull runs in its worker; the service's child processes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if service.proc.poll() is not None:
            raise AssertionError(service.log())
        log = service.log()
        kids = children(service.proc.pid)
        if "pull (schedule) started" in log and kids and \
                any("spawn_main" in Path(f"/proc/{k}/cmdline").read_text() for k in kids):
            assert "pull (schedule) in" not in log, "the pull ended too soon to be caught"
            return kids
        time.sleep(0.05)
    raise AssertionError(f"no pull started:\n{service.log()}")


@pytest.fixture(scope="module")
def slow_cohort(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve-slow") / "cohort"
    big_cohort(examples, folder, SLOW_PULL)
    return folder


@pytest.fixture
def slow_copy(slow_cohort: Path, tmp_path: Path) -> Path:
    """A copy of the slow cohort for one test to pull and harm."""
    return Path(shutil.copytree(slow_cohort, tmp_path / "cohort"))


# -- the service owns its processes -------------------------------------------------------


@linux
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_mid_pull_ends_the_worker_too(slow_copy: Path, sig: signal.Signals) -> None:
    folder = slow_copy
    service = Service(folder, "--log-format", "json")
    kids = mid_pull(service)
    service.proc.send_signal(sig)
    assert service.proc.wait(90) in (0, -sig, 128 + sig)
    service.stop()
    end = time.monotonic() + 5
    while any(alive(k) for k in kids) and time.monotonic() < end:
        time.sleep(0.1)
    assert not [k for k in kids if alive(k)], service.log()
    log = service.log()
    assert "leaked semaphore" not in log and "Traceback" not in log
    lines = [json.loads(line) for line in log.splitlines()]  # every line one JSON event
    names = [e["event"] for e in lines]
    assert names.index("service.started") < names.index("pull.started") < \
        names.index("pull.finished")
    assert "service.stopped" in names
    with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@linux
def test_sigkill_of_the_service_ends_its_worker(slow_copy: Path) -> None:
    folder = slow_copy
    service = Service(folder)
    kids = mid_pull(service)
    service.proc.kill()
    service.proc.wait(10)
    end = time.monotonic() + 5
    while any(alive(k) for k in kids) and time.monotonic() < end:
        time.sleep(0.1)
    assert not [k for k in kids if alive(k)]  # the worker and the resource tracker
    service.stop()
    store = folder / ".sheetsync" / "store.sqlite"
    if store.exists():  # killed mid-pull: the store as it was, whole
        with sqlite3.connect(store) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Service(folder) as again:  # and the next start pulls
        assert again.get("/api/summary").json()["totals"]["districts"] == SLOW_PULL


@linux
def test_a_worker_killed_mid_pull_and_the_next_pull_recovers(slow_copy: Path) -> None:
    folder = slow_copy
    service = Service(folder)
    try:
        kids = mid_pull(service)
        worker = next(k for k in kids if "spawn_main" in
                      Path(f"/proc/{k}/cmdline").read_text() and "resource_tracker" not in
                      Path(f"/proc/{k}/cmdline").read_text())
        os.kill(worker, signal.SIGKILL)
        end = time.monotonic() + 30
        while "pull failed" not in service.log() and time.monotonic() < end:
            time.sleep(0.1)
        assert "the pull's process ended unexpectedly" in service.log()
        assert service.get("/health").status_code == 200
        status = service.pull()  # a new worker
        assert status["state"] == "done", status
        assert status["totals"]["districts"] == SLOW_PULL and status["totals"]["failed"] == 0
        with sqlite3.connect(folder / ".sheetsync" / "store.sqlite") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        service.stop()


# -- start-up says what is wrong, before any work -----------------------------------------


def _refused(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = sheetsync("serve", *args, cwd=folder, timeout=60,
                     env={**os.environ, **env} if env else None)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert not (folder / ".sheetsync" / "store.sqlite").exists() or "damaged" in lines[0]
    return lines[0]


@pytest.mark.parametrize("token", [None, "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"])
def test_a_port_in_use_is_refused_before_any_pull(examples: Path, tmp_path: Path,
                                                   token: str | None) -> None:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _refused(folder, "--port", str(port),
                        env={"SHEETSYNC_TOKEN": token} if token else None)
    assert line == (f"Error: port {port} on 127.0.0.1 is in use by another program: stop "
                    "it, or choose another port with --port")
    assert not (folder / ".sheetsync").exists()  # nothing pulled


@pytest.mark.parametrize(("text", "said"), [
    (None, "cohort.toml"), ("[cohort\nname =", "cohort.toml")])
def test_a_cohort_that_cannot_be_read_is_refused(tmp_path: Path, text: str | None,
                                                 said: str) -> None:
    if text is not None:
        (tmp_path / "cohort.toml").write_text(text)
    line = _refused(tmp_path, "--port", str(free_port()))
    assert line.startswith("Error: ") and said in line


# -- bounded connections ------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Service:
    folder = copy_cohort(examples, tmp_path_factory.mktemp("serve-bounds") / "cohort").parent
    with Service(folder) as s:
        yield s


def test_a_half_open_connection_is_dropped(service: Service) -> None:
    """One header byte every 2 s was held for ever; now the headers have 10 s."""
    from sheetsync.serve.limits import HEADER_SECONDS

    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as sock:
        start, dropped = time.monotonic(), None
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(2)
                if sock.recv(1) == b"":
                    dropped = time.monotonic() - start
                    break
            except TimeoutError:
                continue
            except OSError:
                dropped = time.monotonic() - start
                break
    assert dropped is not None and dropped < HEADER_SECONDS + 3
    assert service.get("/health").status_code == 200


def test_headers_past_16_KB_are_refused(service: Service) -> None:
    request = (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20000 +
               b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as sock:
        with contextlib.suppress(OSError):  # closed as soon as the headers passed 16 KB
            sock.sendall(request)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 431")
    assert service.get("/health").status_code == 200


def test_memory_stays_flat_while_64_MiB_are_sent(service: Service) -> None:
    """A 1 GiB sign-in form took the server from 52 to 2,098 MB; each route now refuses a
    body past 4 KB from its Content-Length, or as it streams."""
    pid, mib = service.proc.pid, 1 << 20
    before, peak, stop = rss_mb(pid), [0.0], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    answers = []
    try:
        for method, path in [("POST", "/login"), ("POST", "/api/pull"), ("GET", "/"),
                             ("GET", "/health")]:
            for chunked in (False, True):
                answers.append(_send_big(service.port, method, path, 64 * mib, chunked))
    finally:
        stop.set()
        watcher.join()
    assert answers == [413] * 8
    assert peak[0] - before < 32, f"{before:.0f} MB before, {peak[0]:.0f} MB at peak"


def _send_big(port: int, method: str, path: str, size: int, chunked: bool) -> int:
    """Send ``size`` bytes of body (until the server stops taking them); its status."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n"
    block = b"x" * (1 << 16)
    if chunked:
        block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n")
        sent = 0
        try:
            while sent < size:
                sock.sendall(block)
                sent += 1 << 16
        except OSError:
            pass  # the server answered and closed
        answer = b""
        try:
            while b"\r\n" not in answer:
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except OSError:
            pass
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1") else 0


def test_health_answers_while_45_callers_wait_for_a_pull(slow_copy: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    folder = slow_copy
    service = Service(folder)
    try:
        mid_pull(service)
        url = service.url + "/api/pull?wait=true"
        with ThreadPoolExecutor(45) as pool, \
                httpx.Client(timeout=300, limits=httpx.Limits(max_connections=64)) as http, \
                httpx.Client(timeout=10) as probe:
            assert probe.get(service.url + "/health").status_code == 200
            waiting = [pool.submit(http.post, url) for _ in range(45)]
            time.sleep(1.5)
            start = time.perf_counter()
            assert probe.get(service.url + "/health").status_code == 200
            assert time.perf_counter() - start < 1
            statuses = sorted(f.result().status_code for f in waiting)
        assert set(statuses) == {200, 429} and statuses.count(200) == 32
    finally:
        service.stop()
