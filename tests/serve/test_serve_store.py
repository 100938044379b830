"""`sheetsync serve` and the store: a store that cannot be used is not a refusal at start
(every command refuses it): the service serves the last master and says why; a cohort file
cut short while it runs leaves the master whole."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import store_lock
from sheetsync.errors import StoreUnusable
from sheetsync.pull.run import pull
from sheetsync.serve.scheduler import Scheduler
from sheetsync.serve.settings import Settings
from tests.helpers import AS_OF
from tests.serve.inprocess import InProcess
from tests.serve_process import Service, copy_cohort, sheetsync

pytest.importorskip("starlette")

TOKEN = "tok-3a9f0c2d71e84b56a1c0ffee99d2b4e7"


def harm_store(store: Path, harm: str) -> None:
    """The store as an accident leaves it: emptied by a copy, damaged, another program's."""
    if harm == "empty":
        store.write_bytes(b"")  # emptied by a copy gone wrong
    elif harm == "damaged":
        data = bytearray(store.read_bytes())
        data[4096:] = b"\x07" * (len(data) - 4096)  # every page after the first overwritten
        store.write_bytes(bytes(data))
    else:
        store.unlink()
        db = sqlite3.connect(store)
        db.execute("CREATE TABLE photos (id INTEGER)")
        db.commit()
        db.close()
    for extra in (".sqlite-wal", ".sqlite-shm"):
        store.with_suffix(extra).unlink(missing_ok=True)


SAID = {"empty": "is empty (0 bytes", "damaged": "is damaged",
        "foreign": "is not a sheetsync store"}


def wait_up(service: Service, timeout: float = 90) -> httpx.Response:
    """GET /health until it answers (any status); the service must not exit meanwhile."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert service.proc.poll() is None, service.log()  # no refusal, no crash
        try:
            return httpx.get(service.url + "/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"serve did not answer in {timeout} s:\n{service.log()}")


@pytest.mark.parametrize("harm", ["empty", "damaged", "foreign"])
def test_serve_with_an_unusable_store_serves_the_last_master_and_says_why(
        examples, tmp_path, harm):
    """Not a refusal at start-up (a service manager would start it again and again): the
    service starts, every page and API call says what is wrong and what to do, the last
    master is downloadable, nothing is pulled, /health and /metrics say it."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    pull(load_cohort(toml), AS_OF)
    pull(load_cohort(toml), AS_OF, force=True)  # a copy of the store kept before it
    store = tmp_path / "cohort" / ".sheetsync" / "store.sqlite"
    harm_store(store, harm)
    before = store.read_bytes()
    master = (tmp_path / "cohort" / "cohort_master.xlsx").read_bytes()
    service = Service(tmp_path / "cohort", "--pull-every", "10s")
    try:
        health = wait_up(service)
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "store-unusable"
        assert SAID[harm] in health.json()["detail"]
        assert str(tmp_path) not in health.text  # it needs no token: no path in it
        for path in ("/", "/districts/KY-001"):
            page = service.get(path)
            assert page.status_code == 503 and page.headers["content-type"].startswith(
                "text/html"), path
            assert "The store cannot be used" in page.text and SAID[harm] in page.text
            assert "restart the service" in page.text and 'href="/master.xlsx"' in page.text
        assert {"empty": "sheetsync store restore", "damaged": "sheetsync store restore",
                "foreign": "Point the cohort at its own folder"}[harm] in page.text
        for path in ("/api/summary", "/api/districts/KY-001"):
            answer = service.get(path)
            assert answer.status_code == 503 and SAID[harm] in answer.json()["detail"]
        refused = service.post("/api/pull?wait=true")
        assert refused.status_code == 503, refused.text
        assert "The store cannot be used" in refused.json()["detail"]
        got = service.get("/master.xlsx")
        assert got.status_code == 200 and got.content == master
        assert "cohort_master.xlsx" in got.headers["content-disposition"]
        metrics = service.get("/metrics").text
        assert "sheetsync_store_usable 0.0" in metrics
        assert 'sheetsync_pulls_total{outcome="done"} 0.0' in metrics
        if harm == "empty":
            time.sleep(11)  # past --pull-every: no scheduled pull either
            assert service.proc.poll() is None
            assert 'sheetsync_pulls_total{outcome="done"} 0.0' in service.get("/metrics").text
        assert "the store cannot be used, so nothing is pulled" in service.log()
        assert "pull (schedule) started" not in service.log()
        assert store.read_bytes() == before  # nothing was written to it
    finally:
        assert service.stop() in (0, -15), service.log()  # uvicorn raises SIGTERM again
    assert "Traceback" not in service.log()


def test_a_store_put_right_and_the_service_restarted_pulls_again(examples, tmp_path):
    """What the page says to do works: `sheetsync store restore`, then a restart."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    pull(load_cohort(toml), AS_OF)
    pull(load_cohort(toml), AS_OF, force=True)  # a copy of the store kept before it
    store = tmp_path / "cohort" / ".sheetsync" / "store.sqlite"
    harm_store(store, "empty")
    service = Service(tmp_path / "cohort")
    try:
        assert wait_up(service).status_code == 503
        restored = sheetsync("store", "restore", cwd=tmp_path / "cohort", timeout=120)
        assert restored.returncode == 0, restored.stderr
    finally:
        assert service.stop() in (0, -15), service.log()
    with Service(tmp_path / "cohort") as again:
        assert again.get("/health").json() == {"status": "ok"}
        assert again.pull()["state"] == "done"
        assert "sheetsync_store_usable 1.0" in again.get("/metrics").text


def test_with_a_token_the_reason_needs_it_and_health_names_no_path(pulled, tmp_path):
    """In process: /health is open and says only what is wrong; the pages, the API, the
    master and /metrics need the token as always; a page escapes what it shows."""
    app = InProcess(pulled, token=TOKEN)
    problem = StoreUnusable(tmp_path / "<b>store</b>.sqlite", "is empty (0 bytes: a copy or "
                            "a sync of it went wrong)", "Run `sheetsync store restore`.")
    app.service.scheduler.unusable(problem)
    health = app.get("/health", anonymous=True)
    assert health.status_code == 503 and health.json()["status"] == "store-unusable"
    assert "<b>" not in health.text and str(tmp_path) not in health.text
    for path in ("/", "/api/summary", "/master.xlsx", "/metrics"):
        assert app.get(path, anonymous=True).status_code == 401, path
    page = app.get("/")
    assert page.status_code == 503 and "&lt;b&gt;store&lt;/b&gt;.sqlite" in page.text
    assert "<b>store" not in page.text and "sheetsync store restore" in page.text
    assert app.get("/districts/KY-002").status_code == 503
    assert app.post("/api/pull").status_code == 503
    assert app.service.scheduler.queued is None  # nothing asked of the scheduler
    assert app.get("/master.xlsx").status_code == 200
    assert "sheetsync_store_usable 0.0" in app.get("/metrics").text


def test_a_store_being_made_is_not_taken_for_harm(examples, tmp_path):
    """A pull making the store leaves it empty for a moment: a page that reads it then is
    told to wait, and the store is judged again under its lock."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    scheduler = Scheduler(Settings(toml))
    store = scheduler.cohort.store_path
    assert scheduler.confirm() is None  # no store yet: the first pull makes it
    store.parent.mkdir()
    store.write_bytes(b"")
    with store_lock(store, "pull"):  # as a pull making it holds it
        assert scheduler.confirm() is None and scheduler.problem is None
    problem = scheduler.confirm()
    assert problem is not None and "is empty" in str(problem)
    assert scheduler.problem is problem and scheduler.confirm() is problem
    scheduler.stop()


def test_the_master_is_downloadable_in_normal_running_too(pulled):
    app = InProcess(pulled)
    got = app.get("/master.xlsx")
    master = pulled.parent / "cohort_master.xlsx"
    assert got.status_code == 200 and got.content == master.read_bytes()
    assert app.get("/health").json() == {"status": "ok"}
    assert "sheetsync_store_usable 1.0" in app.get("/metrics").text


def test_a_store_emptied_while_serving_stops_the_pulls_and_says_why(examples, tmp_path):
    """Found by the next pull (in the worker) or by the watch for CLI pulls: from then on
    the service is as if it had started on that store."""
    copy_cohort(examples, tmp_path / "cohort")
    store = tmp_path / "cohort" / ".sheetsync" / "store.sqlite"
    master = tmp_path / "cohort" / "cohort_master.xlsx"
    with Service(tmp_path / "cohort") as service:
        written = master.read_bytes()
        harm_store(store, "empty")
        answer = service.post("/api/pull?wait=true")
        if answer.status_code == 200:  # the pull found it, not the watch
            assert answer.json()["state"] == "failed"
            assert "The store cannot be used" in answer.json()["error"]
            answer = service.post("/api/pull?wait=true")
        assert answer.status_code == 503 and "is empty (0 bytes" in answer.json()["detail"]
        assert service.get("/health").status_code == 503
        page = service.get("/")
        assert page.status_code == 503 and "is empty (0 bytes" in page.text
        assert service.get("/master.xlsx").content == written
        assert "sheetsync_store_usable 0.0" in service.get("/metrics").text
        assert service.log().count("the store cannot be used, so nothing is pulled") == 1
    assert store.read_bytes() == b"" and master.read_bytes() == written
    assert "Traceback" not in service.log()


def test_a_cohort_file_cut_short_while_serving_leaves_the_master_whole(examples, tmp_path):
    """A valid cohort.toml with [cohort] only, saved while the service runs: the next pull
    does not write a master of headers only; the log says why."""
    toml = copy_cohort(examples, tmp_path / "cohort")
    master = tmp_path / "cohort" / "cohort_master.xlsx"
    with Service(tmp_path / "cohort") as service:
        first = master.read_bytes()
        whole = toml.read_text(encoding="utf-8")
        toml.write_text(whole.split("\n[[district]]")[0] + "\n", encoding="utf-8")
        time.sleep(1.2)  # a new modification time for the reload to see
        pulled = service.pull()
        assert pulled["state"] == "done", pulled
        assert master.read_bytes() == first
        assert "master NOT written" in service.log() and "was not written again" in \
            service.log()
        toml.write_text(whole, encoding="utf-8")
        time.sleep(1.2)
        assert service.pull()["state"] == "done"
        assert master.read_bytes() == first  # built from the same store and cohort file
