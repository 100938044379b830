"""`sheetsync serve` with a store that cannot be used: no crash at start-up (a service
manager would start it again and again), every page says why, the last master is served."""

from __future__ import annotations

import time

import httpx
import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from tests.conftest import AS_OF
from tests.serve_process import Service, copy_cohort

pytest.importorskip("starlette")


def test_serve_with_a_damaged_store_serves_the_last_master_and_says_why(examples, tmp_path):
    toml = copy_cohort(examples, tmp_path / "cohort")
    pull(load_cohort(toml), AS_OF)
    store = tmp_path / "cohort" / ".sheetsync" / "store.sqlite"
    store.write_bytes(b"")  # emptied by a copy gone wrong
    master = (tmp_path / "cohort" / "cohort_master.xlsx").read_bytes()
    service = Service(tmp_path / "cohort")
    try:
        page = None
        end = time.monotonic() + 60
        while time.monotonic() < end and page is None:
            assert service.proc.poll() is None, service.log()  # it must not exit
            try:
                page = httpx.get(service.url + "/", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None, service.log()
        assert page.status_code == 503
        assert "is empty (0 bytes" in page.text and "master.xlsx" in page.text
        health = httpx.get(service.url + "/health", timeout=5)
        assert health.status_code == 503 and "is empty" in health.json()["detail"]
        api = httpx.get(service.url + "/api/summary", timeout=5)
        assert api.status_code == 503
        got = httpx.get(service.url + "/master.xlsx", timeout=5)
        assert got.status_code == 200 and got.content == master
        time.sleep(1)
        assert service.proc.poll() is None
        assert "the store cannot be used" in service.log()
        assert store.read_bytes() == b""  # nothing was pulled into it
    finally:
        assert service.stop() in (0, -15), service.log()  # uvicorn raises SIGTERM again
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
