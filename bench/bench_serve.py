"""How `sheetsync serve` holds up: latency under load, a scheduled pull with nothing
changed, and its memory with a large cohort in the store.

    python bench/bench_serve.py [--workdir DIR] [--seconds 30] [--runs 3]

1. 200 districts pulled by `sheetsync pull`; the service started on them. 12 clients read
   pages and the API for 10 s with nothing else going on, then for --seconds while the
   service pulls all 200 districts again (every file changed): p95 and median latency of
   each, every answer checked whole.
2. 500 districts: the service's first scheduled pull (fresh store), then --runs pulls with
   nothing changed through POST /api/pull?wait=true: the CPU each took in the pull's
   process (as its log line and /api/pulls say), medians, and their ratio.
3. 1,000 districts, the service's first pull reading them all; then the dashboard, 30
   district pages and 100 check results asked for, and one pull with nothing changed: the
   resident memory of the service and of its pull worker.
4. A 64 MiB body sent to each of four routes (the sign-in form, POST /api/pull, the
   dashboard, /health), with its Content-Length and chunked: the service's resident memory
   sampled every 20 ms, its growth against the target (issue 21: within 32 MB).

Cohorts are made as bench_pull.py makes them (60 distinct workbooks copied) and kept in
WORKDIR. Prints the figures beside the targets of issue 12; exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from bench_pull import copy_as, fresh, make_cohort, seed_id, seed_workbooks

TARGET_P95_MS, TARGET_CPU, TARGET_MB, TARGET_BODY_MB = 100.0, 0.1, 300.0, 32.0
CLIENTS = 12


def sheetsync(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "sheetsync"
    return [str(script) if script.exists() else "sheetsync", *args]


class Service:
    def __init__(self, folder: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "serve.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(sheetsync("serve", "--port", str(self.port)), cwd=folder,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        end = time.monotonic() + 600
        while time.monotonic() < end:
            try:
                if httpx.get(self.url + "/api/summary", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"serve exited:\n{self.log()}")
            time.sleep(0.5)
        raise SystemExit(f"serve never got ready:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def pull(self) -> dict:
        return httpx.post(self.url + "/api/pull?wait=true", timeout=900).json()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        self._log.close()


def load(url: str, seconds: float, ids: list[str], pages: list[str],
         during: Callable[[], object] | None = None) -> tuple[list[float], list[float], list[str]]:
    """12 clients reading for ``seconds``: page latencies, API latencies, problems."""
    stop, problems = threading.Event(), []
    times: dict[str, list[float]] = {"page": [], "api": []}

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                path, kind = rnd.choice([("/", "page"), (rnd.choice(pages), "page"),
                                         ("/api/summary", "api"),
                                         (f"/api/districts/{rnd.choice(ids)}", "api"),
                                         ("/health", "api")])
                start = time.perf_counter()
                answer = http.get(path)
                times[kind].append(time.perf_counter() - start)
                if answer.status_code != 200 or \
                        int(answer.headers["content-length"]) != len(answer.content):
                    problems.append(f"{path}: {answer.status_code}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    if during:
        time.sleep(1)
        during()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return times["page"], times["api"], problems


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000


def change_every_file(folder: Path, workdir: Path, n: int, turn: int) -> None:
    """Each district's workbook made a copy of seed i + turn (turn 0: as make_cohort made
    it), named for the district."""
    seeds = seed_workbooks(workdir)
    for i in range(1, n + 1):
        county_slug = next((folder / "districts").glob(f"{i:04d}-*.xlsx"))
        seed = seeds[(i + turn) % len(seeds)]
        copy_as(seed, county_slug, seed_id(seed), f"KY-{i:04d}")


def under_load(workdir: Path, seconds: float) -> bool:
    folder = make_cohort(workdir, 200)
    change_every_file(folder, workdir, 200, turn=0)
    fresh(folder)
    subprocess.run(sheetsync("pull"), cwd=folder, check=False, capture_output=True)
    service = Service(folder)
    ids = [f"KY-{i:04d}" for i in range(1, 201)]
    pages = [f"/districts/{i}" for i in ids[:8]]
    for p in pages:
        httpx.get(service.url + p, timeout=60)
    try:
        quiet = load(service.url, 10, ids, pages)
        change_every_file(folder, workdir, 200, turn=1)
        job: dict = {}
        busy = load(service.url, seconds, ids, pages, lambda: job.update(
            httpx.post(service.url + "/api/pull", timeout=60).json()))
        status = httpx.get(service.url + job["status_url"], timeout=60).json()
        while status["state"] in ("queued", "running"):
            time.sleep(1)
            status = httpx.get(service.url + job["status_url"], timeout=60).json()
    finally:
        service.stop()
    print(f"\nLatency, {CLIENTS} clients, 200 districts in the store (ms)")
    print(f"  {'':<44} {'answers':>8} {'p95 pages':>10} {'p95 API':>8} {'p95 all':>8} "
          f"{'median':>7}")
    for label, (pg, api, problems) in (("nothing else going on (10 s)", quiet),
                                       (f"while 200 districts are pulled ({seconds:.0f} s)",
                                        busy)):
        every = pg + api
        print(f"  {label:<44} {len(every):>8} {p95(pg):>10.0f} {p95(api):>8.0f} "
              f"{p95(every):>8.0f} {statistics.median(every) * 1000:>7.0f}"
              f"{'  FAILED: ' + str(len(problems)) if problems else ''}")
    worst = p95(busy[0] + busy[1])
    print(f"  the pull under load: {status['state']}, {status['totals']['read']} read; "
          f"p95 while pulling {worst:.0f} ms (target < {TARGET_P95_MS:g} ms: "
          f"{'ok' if worst < TARGET_P95_MS else 'MISSED'})")
    return worst < TARGET_P95_MS and not busy[2] and not quiet[2] and \
        status["totals"]["read"] == 200


def no_change_pull(workdir: Path, runs: int) -> bool:
    folder = make_cohort(workdir, 500)
    fresh(folder)
    service = Service(folder)  # its first scheduled pull reads all 500
    try:
        first = float(re.search(r"pull \(schedule\) in [\d.]+ s, ([\d.]+) s CPU",
                                service.log())[1])
        again = [service.pull()["cpu_seconds"] for _ in range(runs)]
    finally:
        service.stop()
    cpu = statistics.median(again)
    print("\nA scheduled pull of 500 local districts, CPU seconds in the pull's process")
    print(f"  first pull {first:.2f}; nothing changed {cpu:.3f} (runs: "
          f"{', '.join(f'{c:.3f}' for c in again)}); ratio {first / cpu:.0f}x")
    print(f"  nothing changed: {cpu:.3f} s CPU (target < {TARGET_CPU:g} s: "
          f"{'ok' if cpu < TARGET_CPU else 'MISSED'})")
    return cpu < TARGET_CPU


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak) in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def memory(workdir: Path) -> bool:
    folder = make_cohort(workdir, 1000)
    fresh(folder)
    service = Service(folder)  # its first pull reads all 1,000
    try:
        rnd = random.Random(1)
        httpx.get(service.url + "/", timeout=300)
        for i in rnd.sample(range(1, 1001), 30):
            httpx.get(service.url + f"/districts/KY-{i:04d}", timeout=60)
        for i in rnd.sample(range(1, 1001), 100):
            httpx.get(service.url + f"/api/districts/KY-{i:04d}", timeout=60)
        service.pull()
        now, peak = rss_mb(service.proc.pid)
        workers = [int(p) for p in subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(service.proc.pid)], capture_output=True,
            text=True).stdout.split()]
        worker = sum(rss_mb(p)[0] for p in workers)
    finally:
        service.stop()
    print("\nMemory of the service with 1,000 districts in the store (MB, resident)")
    print(f"  the service: {now:.0f} now, {peak:.0f} at peak; its pull worker: {worker:.0f}; "
          f"together {now + worker:.0f}")
    print(f"  service and worker together: {now + worker:.0f} MB (target < {TARGET_MB:g} MB: "
          f"{'ok' if now + worker < TARGET_MB else 'MISSED'})")
    return now + worker < TARGET_MB


def big_bodies(workdir: Path) -> bool:
    folder = make_cohort(workdir, 6)
    fresh(folder)
    service = Service(folder)
    pid, size = service.proc.pid, 64 << 20
    try:
        before, peak, stop = rss_mb(pid)[0], [0.0], threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mb(pid)[0])
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        answers, start = [], time.perf_counter()
        for method, path in (("POST", "/login"), ("POST", "/api/pull"), ("GET", "/"),
                             ("GET", "/health")):
            for chunked in (False, True):
                answers.append(send_body(service.port, method, path, size, chunked))
        took = time.perf_counter() - start
        stop.set()
        watcher.join()
    finally:
        service.stop()
    grew = peak[0] - before
    print("\nA 64 MiB body to each of 4 routes, with Content-Length and chunked (8 sends)")
    print(f"  answers: {', '.join(map(str, answers))}; {took:.1f} s in all")
    print(f"  the service: {before:.0f} MB before, {peak[0]:.0f} MB at peak; grew "
          f"{grew:.1f} MB (target within {TARGET_BODY_MB:g} MB: "
          f"{'ok' if grew < TARGET_BODY_MB else 'MISSED'})")
    return grew < TARGET_BODY_MB and answers == [413] * 8


def send_body(port: int, method: str, path: str, size: int, chunked: bool) -> int:
    """``size`` bytes of body sent (until the service stops taking them); its status."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n"
    block = b"x" * (1 << 16)
    if chunked:
        block = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n")
        try:
            for _ in range(size >> 16):
                sock.sendall(block)
        except OSError:
            pass  # answered and closed
        answer = b""
        try:
            while b"\r\n" not in answer and (part := sock.recv(4096)):
                answer += part
        except OSError:
            pass
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1") else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where cohorts are kept (default: temp)")
    parser.add_argument("--seconds", type=float, default=30.0, help="load while pulling")
    parser.add_argument("--runs", type=int, default=3, help="pulls with nothing changed")
    parser.add_argument("--only", action="append", choices=("load", "pull", "memory", "body"),
                        help="run only this part (repeatable)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    print(f"Cohorts in {workdir}; {os.cpu_count()} cores", file=sys.stderr)
    parts = {"load": lambda: under_load(workdir, args.seconds),
             "pull": lambda: no_change_pull(workdir, args.runs),
             "memory": lambda: memory(workdir),
             "body": lambda: big_bodies(workdir)}
    ok = all([parts[p]() for p in args.only or parts])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
