"""`sheetsync serve` under load: 12 clients read pages and the API for 30 s while a pull of
200 districts (every file changed) runs. Every answer is whole (200, the full body), none
fails; the p95 latency is printed. SHEETSYNC_LOAD_SECONDS shortens it for a quick run; CI
runs the full 30 s."""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.serve_process import Service, big_cohort, sheetsync

pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")

CLIENTS, DISTRICTS = 12, 200
SECONDS = float(os.environ.get("SHEETSYNC_LOAD_SECONDS", "30"))
PAGES = 8  # district pages the clients open (a consultant looks at a few)


def whole(answer: httpx.Response) -> str | None:
    """Why the answer is not whole, or None."""
    if answer.status_code != 200:
        return f"status {answer.status_code}"
    if int(answer.headers["content-length"]) != len(answer.content):
        return "body shorter than its Content-Length"
    kind = answer.headers["content-type"]
    if kind.startswith("text/html") and not answer.text.rstrip().endswith("</html>"):
        return "HTML cut short"
    if kind.startswith("application/json"):
        answer.json()
    return None


def client(url: str, stop: threading.Event, seed: int,
           times: dict[str, list[float]], problems: list[str]) -> None:
    rnd = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            n = rnd.randint(1, DISTRICTS)
            path, kind = rnd.choice([
                ("/", "page"), (f"/districts/KY-{rnd.randint(1, PAGES):04d}", "page"),
                ("/api/summary", "api"), (f"/api/districts/KY-{n:04d}", "api"),
                ("/health", "api")])
            start = time.perf_counter()
            try:
                answer = http.get(path)
                why = whole(answer)
            except (httpx.HTTPError, ValueError) as exc:
                why = f"{type(exc).__name__}: {exc}"
            times[kind].append(time.perf_counter() - start)
            if why:
                problems.append(f"{path}: {why}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000 if len(values) > 1 else 0.0


@pytest.mark.slow
def test_twelve_clients_for_30_s_while_200_districts_are_pulled(examples: Path,
                                                               tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    big_cohort(examples, folder, DISTRICTS)
    assert sheetsync("pull", cwd=folder, timeout=600).returncode == 0
    with Service(folder) as service:
        service.pull()  # after the service's own first pull: none reads a file changed below
        for i in range(1, PAGES + 1):  # what a consultant has opened before
            assert service.get(f"/districts/KY-{i:04d}").status_code == 200
        big_cohort(examples, folder, DISTRICTS, turn=1)  # every district's file changes
        stop, problems = threading.Event(), []
        times: dict[str, list[float]] = {"page": [], "api": []}
        threads = [threading.Thread(target=client, args=(service.url, stop, i, times,
                                                         problems)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(1)
        job = service.post("/api/pull").json()
        time.sleep(SECONDS)
        stop.set()
        for t in threads:
            t.join()
        status = service.get(job["status_url"]).json()
        while status["state"] in ("queued", "running"):  # a short run ends before the pull
            time.sleep(1)
            status = service.get(job["status_url"]).json()
        log = service.log()
    every = times["page"] + times["api"]
    print(f"\n{len(every)} answers from {CLIENTS} clients in {SECONDS:.0f} s while "
          f"{DISTRICTS} districts were pulled (the pull took "
          f"{_took(status):.1f} s); p95 pages {p95(times['page']):.0f} ms, API "
          f"{p95(times['api']):.0f} ms, all {p95(every):.0f} ms; median "
          f"{statistics.median(every) * 1000:.0f} ms")
    assert problems == []
    assert status["state"] == "done", log
    assert status["totals"]["read"] == DISTRICTS and status["totals"]["failed"] == 0
    assert len(every) > CLIENTS * SECONDS  # they really were served, not stuck
    assert "Traceback" not in log


def _took(status: dict[str, str]) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(status["finished_at"]) -
            datetime.fromisoformat(status["started_at"])).total_seconds()
